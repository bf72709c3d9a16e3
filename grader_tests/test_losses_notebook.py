"""03_losses end to end: real nbgrader release, validate, autograde (sandboxed) and feedback.

One temporary course, released once, graded once for a small class (each autograded
student costs seconds):

- ``reference``: the source notebook itself, which must earn every autograded point;
- ``untouched``: the released notebook as downloaded, which must earn 0 without crashing;
- ``partial``: completed, with three faults that pass the public asserts and lose an
  exact share of the hidden groups (see STABLE_FRACTIONS in test_losses_checks.py);
- ``faulty``: completed, with three faults the public asserts already catch.
"""

import re

import pytest

from kit import Course, ROOT, grade_id, read_notebook, replace_cell
from reference.losses.wrong import MUTANTS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("losses_course")]

ASSIGNMENT = "03_losses"
NOTEBOOK = "losses.ipynb"
SOURCE = ROOT / "source" / ASSIGNMENT / NOTEBOOK
MUTANT = {m.name: m for m in MUTANTS}

#: Faulty answer cells per student, and the exact score of every test cell they change.
PARTIAL = {"cross_entropy": "ce_log_of_softmax_underflows", "adam_step": "adam_eps_inside_sqrt",
           "gradient_descent": "gd_in_place_on_integer_w0"}
PARTIAL_SCORES = {
    "test_cross_entropy": 3 * 4 / 5,      # "a very unlikely target" fails (1 of 5 groups)
    "test_adam_step": 3 * 4 / 6,          # custom eps fails: 1 of 4 single-step groups, 1 of 2 trajectory groups
    "test_gradient_descent": 2 * 4 / 5,   # "w0 given as a list of integers" fails (1 of 5 groups)
}
FAULTY = {"momentum_step": "momentum_dampened", "mse": "mse_broadcasts_shapes",
          "binary_cross_entropy_with_logits": "logits_bce_overflows"}
FAULTY_SCORES = {"test_momentum_step": 0.0, "test_mse": 0.0, "test_bce_with_logits_stable": 0.0}


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _points(nb):
    return {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in nb.cells
            if _meta(c).get("grade") and c.cell_type == "code"}


def _completed(release_nb, source_nb):
    """The release with every answer filled in as a student would: solutions without delimiters."""
    solutions = {grade_id(c): c.source for c in source_nb.cells if _meta(c).get("solution")}
    nb = release_nb
    for cell_id, text in solutions.items():
        text = "\n".join(line for line in text.splitlines() if "### BEGIN SOLUTION" not in line
                         and "### END SOLUTION" not in line)
        text = re.sub(r"### BEGIN MARK SCHEME.*?### END MARK SCHEME\n?", "", text, flags=re.S).strip()
        nb = replace_cell(nb, cell_id, text)
    return nb


def _with_mutants(nb, answers):
    for cell_id, name in answers.items():
        nb = replace_cell(nb, cell_id, MUTANT[name].source.strip())
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("losses_course"), [ASSIGNMENT])
    release_dir = course.release(ASSIGNMENT)
    source_nb = read_notebook(SOURCE)
    release_nb = read_notebook(release_dir / NOTEBOOK)
    completed = _completed(release_nb, source_nb)
    students = {
        "reference": source_nb,
        "untouched": release_nb,
        "partial": _with_mutants(completed, PARTIAL),
        "faulty": _with_mutants(completed, FAULTY),
    }
    for student, nb in students.items():
        course.submit(student, ASSIGNMENT, {NOTEBOOK: nb})
    course.autograde(ASSIGNMENT)
    course.source_nb, course.release_nb = source_nb, release_nb
    course.release_text = (release_dir / NOTEBOOK).read_text()
    return course


def _scores(course, student):
    scores = course.scores(ASSIGNMENT, student)
    return {k: v for k, v in scores.items() if k in _points(course.source_nb)}


# --------------------------------------------------------------------------- release

def test_release_holds_no_solution_hidden_test_mark_scheme_or_reference(course):
    text = course.release_text
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME",
                   "import reference", "from reference", "Half a point off", "orders of magnitude"):
        assert marker not in text, marker
    # No line of any solution survives (distinctive lines only, and not the docstring's
    # formulas, which the stub keeps on purpose).
    released_sources = "\n".join(c.source for c in course.release_nb.cells)
    for cell in course.source_nb.cells:
        if _meta(cell).get("solution") and cell.cell_type == "code":
            head, rest = cell.source.split("### BEGIN SOLUTION")
            body = rest.split("### END SOLUTION")[0]
            for line in body.splitlines():
                if len(line.strip()) > 25 and line.strip() not in head:
                    assert line.strip() not in released_sources, line


def test_release_stubs_keep_signature_and_docstring(course):
    """Each stub is its solution cell with only the solution region replaced by nbgrader's stub."""
    release = {grade_id(c): c for c in course.release_nb.cells if grade_id(c)}
    for cell in course.source_nb.cells:
        meta = _meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            expected = re.sub(r"( *)### BEGIN SOLUTION.*?### END SOLUTION",
                              r"\1# YOUR CODE HERE\n\1raise NotImplementedError()", cell.source, flags=re.S)
            assert release[meta["grade_id"]].source == expected
        elif meta.get("solution"):
            assert release[meta["grade_id"]].source.strip() == "YOUR ANSWER HERE"
    assert not any(c.get("outputs") for c in course.release_nb.cells if c.cell_type == "code")


def test_points_add_up_to_25_autograded_and_3_manual(course):
    assert sum(_points(course.source_nb).values()) == 25
    manual = [c for c in course.source_nb.cells if c.cell_type == "markdown" and _meta(c).get("grade")]
    assert [(_meta(c)["grade_id"], _meta(c)["points"]) for c in manual] == [("learning_rate_answer", 3)]


# --------------------------------------------------------------------------- validate

def test_source_notebook_passes_nbgrader_validate(course):
    result = course.nbgrader("validate", "source/%s/%s" % (ASSIGNMENT, NOTEBOOK))
    assert "Success! Your notebook passes all the tests." in result.stdout, result.stdout[-3000:]


def test_release_notebook_fails_every_test_under_validate_invert(course):
    result = course.nbgrader("validate", "--invert", "release/%s/%s" % (ASSIGNMENT, NOTEBOOK))
    assert "Success! The notebook does not pass any tests." in result.stdout, result.stdout[-3000:]


# --------------------------------------------------------------------------- autograde

def test_source_notebook_earns_every_autograded_point(course):
    points = _points(course.source_nb)
    assert _scores(course, "reference") == pytest.approx(points)


def test_untouched_release_earns_nothing_and_the_grader_does_not_crash(course):
    scores = _scores(course, "untouched")
    assert set(scores) == set(_points(course.source_nb))
    assert all(score == 0 for score in scores.values()), scores


def test_faults_behind_public_asserts_lose_an_exact_share(course):
    expected = dict(_points(course.source_nb), **PARTIAL_SCORES)
    assert _scores(course, "partial") == pytest.approx(expected)
    assert sum(expected.values()) == pytest.approx(23.0)


def test_faults_caught_by_public_asserts_score_zero_on_their_cell_only(course):
    expected = dict(_points(course.source_nb), **FAULTY_SCORES)
    assert _scores(course, "faulty") == pytest.approx(expected)


def test_learning_rate_plot_renders_in_the_sandbox(course):
    nb = course.autograded_notebook(ASSIGNMENT, "reference", NOTEBOOK)
    cell = next(c for c in nb.cells if grade_id(c) == "learning_rate_experiment")
    assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs
    assert any("image/png" in o.get("data", {}) for o in cell.outputs), [o.output_type for o in cell.outputs]


def test_feedback_shows_the_failing_group_and_no_generated_code(course):
    course.nbgrader("generate_feedback", ASSIGNMENT, "--student", "partial", "--force")
    html = (course.root / "feedback" / "partial" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
    assert "Hidden tests: 2.4 / 3 points" in html
    assert "FAIL  a very unlikely target (log-probability below -1000)" in html
    assert "FAIL  w0 given as a list of integers" in html
    assert "_coursekit_hidden_check" not in html and "coursekit_wire" not in html
