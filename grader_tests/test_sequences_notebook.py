"""06_sequences end to end: real ``nbgrader generate_assignment``, ``validate`` and ``autograde``.

One course, one autograde run of three notebooks (a full notebook trains small networks for about
15 s of processor time and its hidden checks train more, so faults are combined into one student):

- ``solution``: the source notebook: every autograded point (the hidden AUC included);
- ``untouched``: the release as handed out: 0 points, the grader does not crash;
- ``dana``: faults from ``reference/sequences/wrong.py`` that pass the public tests (seed ignored by
  subject_kfold, repeated beats accepted, bias flag ignored, no input check in run_rnn, ``>=`` in
  diagnose_fit, train_model without validation losses, a builder that turns an unknown cell into a
  GRU) plus final AF and gait models that cheat: they patch scikit-learn's ``roc_auc_score`` in the
  kernel and predict 0.5 everywhere: no hidden-AUC points for either (AUC is computed in the
  grader's process). Each fault costs its own cell exactly its share (the cells are independent);
  a predict_proba that returns too few probabilities is refused in process (test_sequences_checks).

The solution is also checked for Validate's slice staying out of grading; Validate itself runs with
nbgrader's defaults (30 s per cell), from the folder above the assignment, as a student's server would.
"""

import re
import time

import pytest

from kit import ROOT, Course, read_notebook, replace_cell, solution_cell_id, validate_as_student
from reference.sequences import UNIT, gait_grading, grading, wrong

ASSIGNMENT, NOTEBOOK = UNIT.assignment, UNIT.notebook
AUTOGRADED_POINTS = dict(UNIT.points)
MUTANT_SOURCES = {m.name: m.source for m in wrong.MUTANTS}

CHEATING_FINAL_MODEL = '''import sklearn.metrics
sklearn.metrics.roc_auc_score = lambda *args, **kwargs: 1.0  # tries to fake the grader's AUC


def best_builder(window_length):
    constant = nn.Sequential(nn.Linear(window_length, 1), nn.Flatten(0))
    nn.init.zeros_(constant[0].weight)
    return constant


final_config = dict(epochs=1, lr=0.0)'''
CHEATING_GAIT_MODEL = '''gait_builder = best_builder  # the constant network above: all probabilities 0.5
gait_config = dict(epochs=1, lr=0.0)'''

#: Student -> (faults, extra cell replacements, exact auto score of every cell).
#: A cell earns points * passed groups / all groups (fractions measured on every seed in
#: test_sequences_checks: they do not depend on the grading seed).
FAULTY_STUDENTS = {
    "dana": (("kfold_ignores_the_seed", "rr_accepts_repeated_beats", "count_ignores_bias_flag",
              "run_rnn_no_input_check", "fit_variance_at_equality", "train_never_records_validation",
              "rnn_builder_unknown_cell_is_gru"),
             {"choose_final_model": CHEATING_FINAL_MODEL, "choose_gait_model": CHEATING_GAIT_MODEL},
             dict(AUTOGRADED_POINTS, test_subject_kfold=3 * 1 / 4, test_rr_intervals=2 * 5 / 6,
                  test_recurrent_num_parameters=2 * 4 / 5, test_run_rnn=2 * 3 / 4, test_diagnose_fit=2 * 5 / 6,
                  test_train_model=3 * 2 / 4, test_build_rnn=2 * 2 / 3, test_hidden_auc=0.0,
                  test_hidden_gait_auc=0.0)),
}
FUNCTION_OF_MUTANT = {name: re.search(r"^def (\w+)\(", MUTANT_SOURCES[name], re.M).group(1)
                      for faults, _, _ in FAULTY_STUDENTS.values() for name in faults}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sequences_course")]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("sequences_course"), [ASSIGNMENT])
    release = course.release(ASSIGNMENT)
    source_nb = read_notebook(course.root / "source" / ASSIGNMENT / NOTEBOOK)
    course.submit("solution", ASSIGNMENT, {NOTEBOOK: source_nb})
    course.submit("untouched", ASSIGNMENT, {NOTEBOOK: read_notebook(release / NOTEBOOK)})
    for student, (faults, cells, _) in FAULTY_STUDENTS.items():
        nb = source_nb
        for name in faults:
            nb = replace_cell(nb, solution_cell_id(nb, FUNCTION_OF_MUTANT[name]), MUTANT_SOURCES[name].strip())
        for cell_id, source in cells.items():
            nb = replace_cell(nb, cell_id, source)
        course.submit(student, ASSIGNMENT, {NOTEBOOK: nb})
    started = time.time()
    course.autograde_result = course.autograde(ASSIGNMENT)
    course.autograde_seconds = time.time() - started
    return course


def _auto_scores(course, student):
    return {name: score for name, score in course.scores(ASSIGNMENT, student).items() if name not in UNIT.manual}


def _text(course, student):
    graded = course.autograded_notebook(ASSIGNMENT, student, NOTEBOOK)
    return "\n".join(o.get("text", "") if "text" in o else o.get("data", {}).get("text/plain", "")
                     for c in graded.cells for o in c.get("outputs", []))


def test_release_holds_stubs_data_and_no_solution_or_grader_data(course):
    folder = course.root / "release" / ASSIGNMENT
    assert sorted(p.name for p in (folder / "data").iterdir()) == ["gait_public.csv", "rr_public.csv"]
    text = (folder / NOTEBOOK).read_text()
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME", "import reference",
                   "rr_hidden", "gait_hidden", "np.split(gates_x, 3", "best_builder = build_rnn",
                   "gait_builder = build_cnn"):
        assert marker not in text, marker
    stubs = [c.source for c in read_notebook(folder / NOTEBOOK).cells
             if c.get("metadata", {}).get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    assert len(stubs) == 17 and all("raise NotImplementedError()" in s for s in stubs)


def test_points_are_as_the_manifest_says(course):
    source_nb = read_notebook(course.root / "source" / ASSIGNMENT / NOTEBOOK)
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in source_nb.cells
              if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    assert points == dict(AUTOGRADED_POINTS, **UNIT.manual)
    assert sum(AUTOGRADED_POINTS.values()) == 44 and sum(UNIT.manual.values()) == 9


def test_solution_scores_every_autograded_point(course):
    import os

    print("autograde of %d notebooks took %.0f s (load average %.1f)"
          % (2 + len(FAULTY_STUDENTS), course.autograde_seconds, os.getloadavg()[0]))
    assert _auto_scores(course, "solution") == pytest.approx(AUTOGRADED_POINTS)
    text = _text(course, "solution")
    assert re.search(r"hidden ROC AUC 0\.9\d+ on 2345 windows of subjects you never saw: full points", text)
    assert re.search(r"hidden ROC AUC 0\.9\d+ on \d+ windows of walkers you never saw: full points", text)
    # Validate's slice is Validate's alone: the graded K-fold cell ran on every subject with 8 epochs
    assert "VALIDATE RUN" not in text and re.search(r"disease from strides +0\.8", text), text[-2000:]


def test_untouched_release_scores_zero_without_crashing(course):
    assert course.autograde_result.returncode == 0
    scores = _auto_scores(course, "untouched")
    assert set(scores) == set(AUTOGRADED_POINTS) and all(v == 0 for v in scores.values()), scores


@pytest.mark.parametrize("student", sorted(FAULTY_STUDENTS))
def test_faulty_student_gets_the_exact_score(course, student):
    faults, _, expected = FAULTY_STUDENTS[student]
    assert _auto_scores(course, student) == pytest.approx(expected), faults


def test_cheating_final_model_is_told_why(course):
    text = _text(course, "dana")
    assert "all 2345 probabilities are equal" in text
    assert "seeds" in text and "gave the same folds" in text
    assert re.search(r"all (?!2345 )\d+ probabilities are equal", text), "the gait model's cheat is refused too"


def test_validate_with_nbgraders_defaults_passes_the_solution_and_fails_the_stub(tmp_path):
    """Validate as a student's server runs it when JupyterLab starts above the assignment (the exchange's
    layout): `nbgrader validate 06_sequences/sequences.ipynb` from the folder above, fresh HOME, so no
    nbgrader_config.py is read and every cell must finish within nbgrader's default 30 s. The K-fold cell
    then runs on one subject in three with 2 epochs and says so; the solution passes, the stub fails."""

    def validate(who, notebook, *flags):
        return validate_as_student(tmp_path / who, ROOT / "release" / ASSIGNMENT, read_notebook(notebook), *flags)

    solved = validate("solved", ROOT / "source" / ASSIGNMENT / NOTEBOOK)
    assert "Success! Your notebook passes all the tests." in solved.stdout, (solved.stdout + solved.stderr)[-3000:]
    stub = validate("untouched", ROOT / "release" / ASSIGNMENT / NOTEBOOK, "--invert")
    assert "Success! The notebook does not pass any tests." in stub.stdout, (stub.stdout + stub.stderr)[-3000:]


def test_stored_reference_is_in_force(course):
    assert grading.reference_auc() == pytest.approx(grading.stored_reference()["reference_auc"])
    assert gait_grading.reference_auc() == pytest.approx(gait_grading.stored_reference()["reference_auc"])
