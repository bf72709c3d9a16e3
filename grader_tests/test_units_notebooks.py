"""Every assignment unit end to end, with real nbgrader: release, validate, autograde a class, feedback.

Parametrised over the registry (units with ``end_to_end=True``; the capstone has its own file).
One graded class per unit serves every test here: the source notebook (every autograded point),
the untouched release (0 points, graded without crashing), and the unit's catalogued students
(``SUBMISSIONS`` in its ``wrong.py``: mutants pasted into the answer cells, with the exact points
of every test cell and texts their feedback must show). The nbgrader commands of all units run
side by side (each is its own process, in its own course), so the module costs about the time of
the slowest unit, not their sum.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html import escape
from types import SimpleNamespace

import pytest

from coursekit.preprocessors import public_part
from coursekit.registry import get_check
from kit import ROOT, Course, grade_id, read_notebook, replace_cell, solution_cell_id, validate_as_student
from reference.units import UNITS

pytestmark = pytest.mark.slow

E2E_UNITS = [u for u in UNITS if u.end_to_end and u.load_solution is not None]
#: Text only graders may see: never in a release or in a student's feedback.
GRADER_ONLY = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME")
#: The generated hidden-test code, replaced by a note after grading.
GENERATED = ("_coursekit_hidden_check", "coursekit_wire")
#: nbgrader processes at once: both cores stay busy while one process waits on a kernel.
PARALLEL_COMMANDS = 3


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _submission_notebook(unit, source, submission):
    mutants = {m.name: m for m in unit.load_wrong()}
    nb = source
    for name in submission.mutants:
        mutant = mutants[name]
        nb = replace_cell(nb, solution_cell_id(nb, get_check(mutant.check).function), mutant.source.strip())
    return nb


def _prepare(unit, root):
    course = Course(root, [unit.assignment])
    release_dir = course.release(unit.assignment)
    source = read_notebook(unit.source_path(ROOT))
    released = read_notebook(release_dir / unit.notebook)
    course.submit("solution", unit.assignment, {unit.notebook: source})
    course.submit("untouched", unit.assignment, {unit.notebook: released})
    for submission in unit.load_submissions():
        course.submit(submission.student, unit.assignment,
                      {unit.notebook: _submission_notebook(unit, source, submission)})
    return SimpleNamespace(unit=unit, course=course, release_dir=release_dir, source=source, released=released)


def _validate_as_student(run, notebook, who: str, *flags: str):
    """kit.validate_as_student on this unit's release, in a folder beside the course."""
    top = run.course.root.with_name("%s-student-%s" % (run.course.root.name, who))
    return validate_as_student(top, run.release_dir, notebook, *flags)


def _grade(run):
    """autograde, then the HTML feedback of every student (feedback needs the autograded files)."""
    run.autograde = run.course.autograde(run.unit.assignment)
    run.course.nbgrader("generate_feedback", run.unit.assignment, "--force")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    prepared = {u.topic: _prepare(u, tmp_path_factory.mktemp(u.topic)) for u in E2E_UNITS}
    with ThreadPoolExecutor(max_workers=PARALLEL_COMMANDS) as pool:
        jobs = []
        for run in prepared.values():
            jobs.append((run, "validate_source", pool.submit(_validate_as_student, run, run.source, "solved")))
            jobs.append((run, "validate_release",
                         pool.submit(_validate_as_student, run, run.released, "untouched", "--invert")))
            jobs.append((run, "graded", pool.submit(_grade, run)))
        for run, name, job in jobs:
            setattr(run, name, job.result())
    return prepared


@pytest.fixture(params=E2E_UNITS, ids=str)
def run(request, runs):
    return runs[request.param.topic]


def _auto_scores(run, student):
    scores = run.course.scores(run.unit.assignment, student)
    if student != "untouched":  # nbgrader itself gives an unanswered written answer 0
        assert {k for k, v in scores.items() if v is None} == set(run.unit.manual), "answers wait for a person"
    return {k: v for k, v in scores.items() if k in run.unit.points}


def _cell_text(run, student, cell_id):
    nb = run.course.autograded_notebook(run.unit.assignment, student, run.unit.notebook)
    cell = next(c for c in nb.cells if grade_id(c) == cell_id)
    return cell, "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)


def _feedback_html(run, student):
    name = run.unit.notebook.replace(".ipynb", ".html")
    return (run.course.root / "feedback" / student / run.unit.assignment / name).read_text()


# --------------------------------------------------------------------------- release

def test_release_holds_the_notebook_and_no_grader_text(run):
    files = sorted(p.name for p in run.release_dir.iterdir() if p.name != "nbgrader_config.py")
    source_files = sorted(p.name for p in unit_source_dir(run.unit).iterdir()
                          if p.name not in (".ipynb_checkpoints", "__pycache__"))
    assert files == source_files
    text = (run.release_dir / run.unit.notebook).read_text()
    for marker in GRADER_ONLY:
        assert marker not in text, marker
    assert not re.search(r"(from|import)\s+reference\b", text)


def unit_source_dir(unit):
    return unit.source_path(ROOT).parent


def test_release_keeps_specs_and_stubs_but_no_solution_code(run):
    released = {grade_id(c): c for c in run.released.cells if grade_id(c)}
    assert set(released) == {grade_id(c) for c in run.source.cells if grade_id(c)}
    for cell in run.source.cells:
        meta, stub = _meta(cell), released.get(grade_id(cell))
        if meta.get("solution") and cell.cell_type == "code":
            spec, _, rest = cell.source.partition("### BEGIN SOLUTION")
            solution_lines = {line.strip() for line in rest.partition("### END SOLUTION")[0].splitlines()}
            assert stub.source.startswith(spec.rstrip()), "%s lost its signature or docstring" % meta["grade_id"]
            assert "raise NotImplementedError()" in stub.source
            # a line the visible spec states too (a formula in the docstring) is no leak
            leaked = [line for line in stub.source.splitlines()
                      if line.strip() in solution_lines - {""} and line.strip() not in spec]
            assert not leaked, "%s leaks %s" % (meta["grade_id"], leaked)
        elif meta.get("solution"):
            assert stub.source.strip() == "YOUR ANSWER HERE", meta["grade_id"]
        elif meta.get("grade"):
            assert stub.source == public_part(cell.source), meta["grade_id"]
    text = (run.release_dir / run.unit.notebook).read_text()
    for cell in run.source.cells:  # what a mark scheme says stays with the graders
        for scheme in re.findall(r"### BEGIN MARK SCHEME(.*?)### END MARK SCHEME", cell.source, flags=re.S):
            for line in filter(None, (l.strip() for l in scheme.splitlines())):
                assert line not in text, "the release shows the mark scheme: %r" % line


def test_validate_passes_the_source_and_fails_every_test_of_the_release(run):
    out = run.validate_source.stdout + run.validate_source.stderr
    assert run.validate_source.returncode == 0 and "Success! Your notebook passes all the tests." in out, out[-3000:]
    out = run.validate_release.stdout + run.validate_release.stderr
    assert "Success! The notebook does not pass any tests." in out, out[-3000:]


# --------------------------------------------------------------------------- grades

def test_source_notebook_earns_every_autograded_point(run):
    assert _auto_scores(run, "solution") == pytest.approx(dict(run.unit.points), abs=1e-9)
    for cell_id in run.unit.points:
        _, text = _cell_text(run, "solution", cell_id)
        assert "FAIL" not in text, text


def test_untouched_release_scores_zero_without_crashing(run):
    assert run.autograde.returncode == 0
    scores = _auto_scores(run, "untouched")
    assert set(scores) == set(run.unit.points) and all(s == 0 for s in scores.values()), scores
    for cell_id in run.unit.points:
        cell, _ = _cell_text(run, "untouched", cell_id)
        errors = [o["ename"] for o in cell.outputs if o.get("output_type") == "error"]
        assert errors and errors[0] in ("NotImplementedError", "AssertionError", "NameError"), (cell_id, errors)


def _submissions():
    return [pytest.param(u, s, id="%s-%s" % (u.topic, s.student)) for u in E2E_UNITS for s in u.load_submissions()]


@pytest.mark.parametrize("unit, submission", _submissions())
def test_catalogued_student_gets_the_exact_score_and_feedback(runs, unit, submission):
    run = runs[unit.topic]
    expected = dict(unit.points, **submission.scores)
    assert _auto_scores(run, submission.student) == pytest.approx(expected, abs=1e-9), submission.mutants
    html = _feedback_html(run, submission.student)
    for cell_id, texts in submission.feedback.items():
        _, text = _cell_text(run, submission.student, cell_id)
        for wanted in texts:
            assert wanted in text, "%s: %r not in\n%s" % (cell_id, wanted, text)
            assert any(form in html for form in (wanted, escape(wanted), escape(wanted, quote=False),
                                                 wanted.replace("'", "&#39;"))), "feedback lacks %r" % wanted


def test_feedback_and_graded_notebooks_show_verdicts_not_grader_code(run):
    for student in ["solution", "untouched"] + [s.student for s in run.unit.load_submissions()]:
        html = _feedback_html(run, student)
        for secret in GRADER_ONLY[2:] + GENERATED:
            assert secret not in html, (student, secret)
        nb = run.course.autograded_notebook(run.unit.assignment, student, run.unit.notebook)
        for cell in nb.cells:
            assert not any(g in cell.source for g in GENERATED + ("coursekit-check",)), grade_id(cell)


def test_graders_see_the_mark_scheme_of_every_written_answer(run):
    """The mark scheme leaves the release but comes back, above the answer, in the graded notebook."""
    if not run.unit.manual:
        pytest.skip("no written answer")
    nb = run.course.autograded_notebook(run.unit.assignment, "solution", run.unit.notebook)
    ids = [grade_id(c) for c in nb.cells]
    for answer in run.unit.manual:
        above = "\n".join(c.source for c in nb.cells[:ids.index(answer)])
        assert "### BEGIN MARK SCHEME" in above, answer


def test_figures_render_in_the_sandbox(run):
    """Every cell of the solution that draws (plt.) shows a PNG in the graded notebook, with no error."""
    nb = run.course.autograded_notebook(run.unit.assignment, "solution", run.unit.notebook)
    drawing = [c for c in nb.cells if c.cell_type == "code" and re.search(r"\bplt\.(show|subplots|figure)\(", c.source)]
    for cell in drawing:
        assert not [o for o in cell.outputs if o.get("output_type") == "error"], grade_id(cell)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), grade_id(cell)


def test_every_end_to_end_unit_has_catalogued_students():
    assert E2E_UNITS and all(u.load_submissions() for u in E2E_UNITS)
