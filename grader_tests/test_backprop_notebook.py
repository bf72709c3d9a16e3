"""04_backprop end to end: real ``nbgrader generate_assignment``, ``validate`` and ``autograde``.

One course, one autograde run of five students (each run costs seconds per student):

- ``solution``: the source notebook as a submission: full marks, the sum of the points;
- ``untouched``: the release notebook as handed out: 0 points, and the grader does not crash;
- three students with faults from ``mutants/backprop.py`` pasted into their answer cells,
  each with the exact score the faults must cost (public tests still pass where the fault
  only shows on hidden inputs, and a public failure costs the whole cell).
"""

import re

import pytest

from kit import Course, read_notebook, replace_cell, solution_cell_id
from reference.backprop.wrong import MUTANTS

ASSIGNMENT = "04_backprop"
NOTEBOOK = "backprop.ipynb"
MANUAL_CELLS = {"vanishing_gradients_answer": 3}
AUTOGRADED_POINTS = {
    "test_init_mlp": 3, "test_mlp_forward": 4, "test_backward_output_layer": 3, "test_backward_hidden_layers": 5,
    "test_numerical_gradient": 3, "test_sgd_update": 3, "test_train_xor": 4,
}
MUTANT_SOURCES = {m.name: m.source for m in MUTANTS}

#: Student -> (faults pasted into the answer cells, the exact auto score of every test cell).
#: Scores follow from the checks' groups: a cell earns points * passed groups / all groups.
FAULTY_STUDENTS = {
    # init without validation fails 1 of 5 init groups, and train_xor(hidden_units=0) then
    # trains an empty hidden layer instead of raising: 1 of 3 XOR groups. No h check fails 1 of
    # 6 numerical groups. All public tests pass.
    "dana": (("init_no_size_validation", "numgrad_no_h_check"),
             dict(AUTOGRADED_POINTS, test_init_mlp=3 * 4 / 5, test_numerical_gradient=3 * 5 / 6,
                  test_train_xor=4 * 2 / 3)),
    # Updating in place passes the public test and trains XOR just the same, but fails the
    # "params passed in are left unchanged" group: 1 of 4.
    "eve": (("update_modifies_params_in_place",),
            dict(AUTOGRADED_POINTS, test_sgd_update=3 * 3 / 4)),
    # No label-shape check fails 1 of 3 output-layer groups; h not halved fails the public
    # test (a factor of 2), so that cell earns nothing.
    "gina": (("backprop_no_label_shape_check", "numgrad_h_not_halved"),
             dict(AUTOGRADED_POINTS, test_backward_output_layer=3 * 2 / 3, test_numerical_gradient=0.0)),
}
FUNCTION_OF_MUTANT = {name: re.search(r"^def (\w+)\(", MUTANT_SOURCES[name], re.M).group(1)
                      for faults, _ in FAULTY_STUDENTS.values() for name in faults}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("backprop_course")]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("backprop_course"), [ASSIGNMENT])
    release = course.release(ASSIGNMENT)
    source_nb = read_notebook(course.root / "source" / ASSIGNMENT / NOTEBOOK)
    course.submit("solution", ASSIGNMENT, {NOTEBOOK: source_nb})
    course.submit("untouched", ASSIGNMENT, {NOTEBOOK: read_notebook(release / NOTEBOOK)})
    for student, (faults, _) in FAULTY_STUDENTS.items():
        nb = source_nb
        for name in faults:
            nb = replace_cell(nb, solution_cell_id(nb, FUNCTION_OF_MUTANT[name]), MUTANT_SOURCES[name].strip())
        course.submit(student, ASSIGNMENT, {NOTEBOOK: nb})
    course.autograde_result = course.autograde(ASSIGNMENT)
    return course


def _auto_scores(course, student):
    scores = course.scores(ASSIGNMENT, student)
    return {name: score for name, score in scores.items() if name not in MANUAL_CELLS}


def test_release_holds_no_solution_hidden_test_mark_scheme_or_reference(course):
    released = sorted(p.name for p in (course.root / "release" / ASSIGNMENT).iterdir())
    assert released == [NOTEBOOK]
    text = (course.root / "release" / ASSIGNMENT / NOTEBOOK).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME",
                   "import reference", "from reference", "autograd_gradients"):
        assert marker not in text, marker
    # Lines only the solutions and the model answer hold.
    for solution_line in ("rng.normal(0.0, 1.0 / np.sqrt(fan_in)", "delta.T @ activations[layer]",
                          "grad[index] = (f_plus - f_minus) / (2 * h)", "new_params.append((W - lr * dW",
                          "losses.append(binary_cross_entropy(y_hat, y_xor))", "4^{-9}", "half points allowed"):
        assert solution_line not in text, solution_line
    release = read_notebook(course.root / "release" / ASSIGNMENT / NOTEBOOK)
    answer = [c for c in release.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
              == "vanishing_gradients_answer"][0]
    assert answer.cell_type == "markdown" and answer.source.strip() == "YOUR ANSWER HERE"
    stubs = [c.source for c in release.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")
             and c.cell_type == "code"]
    assert len(stubs) == 6 and all("raise NotImplementedError()" in s and '"""' in s for s in stubs)


def test_points_are_as_announced(course):
    source_nb = read_notebook(course.root / "source" / ASSIGNMENT / NOTEBOOK)
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in source_nb.cells
              if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    assert points == dict(AUTOGRADED_POINTS, **MANUAL_CELLS)
    assert sum(AUTOGRADED_POINTS.values()) == 25


def test_solution_scores_every_autograded_point(course):
    scores = _auto_scores(course, "solution")
    assert scores == pytest.approx(AUTOGRADED_POINTS)
    assert sum(scores.values()) == pytest.approx(sum(AUTOGRADED_POINTS.values()))
    graded = course.autograded_notebook(ASSIGNMENT, "solution", NOTEBOOK)
    reports = [o["data"]["text/plain"] for c in graded.cells for o in c.get("outputs", [])
               if "text/plain" in o.get("data", {}) and "Hidden tests:" in o["data"]["text/plain"]]
    assert len(reports) == len(AUTOGRADED_POINTS) and all("FAIL" not in r for r in reports)


def test_untouched_release_scores_zero_without_crashing(course):
    assert course.autograde_result.returncode == 0
    scores = _auto_scores(course, "untouched")
    assert set(scores) == set(AUTOGRADED_POINTS)
    assert all(score == 0 for score in scores.values()), scores


@pytest.mark.parametrize("student", sorted(FAULTY_STUDENTS))
def test_faulty_student_gets_the_exact_score(course, student):
    faults, expected = FAULTY_STUDENTS[student]
    assert _auto_scores(course, student) == pytest.approx(expected), faults


def test_feedback_names_the_failing_group_and_case(course):
    graded = course.autograded_notebook(ASSIGNMENT, "dana", NOTEBOOK)
    text = "\n".join(o["data"]["text/plain"] for c in graded.cells for o in c.get("outputs", [])
                     if "text/plain" in o.get("data", {}))
    assert "Hidden tests: 2.4 / 3 points" in text
    assert "FAIL  invalid layer sizes raise ValueError" in text
    assert re.search(r"first failure: init_mlp\(\[\d+\], \d+\): expected ValueError to be raised, got \[\]", text)
    assert "FAIL  h <= 0 raises ValueError" in text
    sources = "\n".join(c.source for c in graded.cells)
    assert "_coursekit_hidden_check" not in sources  # the generated code is not shown back


def test_feedback_shows_verdicts_but_no_mark_scheme_or_model_answer(course):
    course.nbgrader("generate_feedback", ASSIGNMENT, "--student", "dana", "--force")
    html = (course.root / "feedback" / "dana" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
    assert "Hidden tests: 2.4 / 3 points" in html and "invalid layer sizes raise ValueError" in html
    for secret in ("MARK SCHEME", "half points allowed", "_coursekit_hidden_check"):  # dana kept the model answer
        assert secret not in html, secret


def test_graders_see_the_mark_scheme_above_the_written_answer(course):
    graded = course.autograded_notebook(ASSIGNMENT, "dana", NOTEBOOK)
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in graded.cells]
    question = graded.cells[ids.index("vanishing_gradients_answer") - 1]
    assert "### BEGIN MARK SCHEME" in question.source and "half points allowed" in question.source


def test_nbgrader_validate_passes_the_source_and_fails_the_release(course):
    source = course.nbgrader("validate", "source/%s/%s" % (ASSIGNMENT, NOTEBOOK))
    assert "Success! Your notebook passes all the tests." in source.stdout, source.stdout[-3000:]
    release = course.nbgrader("validate", "--invert", "release/%s/%s" % (ASSIGNMENT, NOTEBOOK))
    assert "Success! The notebook does not pass any tests." in release.stdout, release.stdout[-3000:]
