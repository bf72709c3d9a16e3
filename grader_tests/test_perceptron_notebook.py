"""01_perceptron end to end, with real nbgrader: release, validate, autograde a small class.

One temporary course and one ``nbgrader autograde`` run of five submissions serve every test
here (each autograde costs seconds per student): the source notebook (full marks), the
untouched release (0 points), and three notebooks with faulty answers from the mutant
catalogue, each with the exact points it must lose.
"""

import re
from types import SimpleNamespace

import pytest

from coursekit.registry import get_check
from coursekit.preprocessors import public_part
from kit import ROOT, Course, grade_id, read_notebook, replace_cell, solution_cell_id
from reference.perceptron.wrong import MUTANTS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("perceptron_e2e")]

ASSIGNMENT = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"
SOURCE = ROOT / "source" / ASSIGNMENT / NOTEBOOK
MUTANT = {m.name: m for m in MUTANTS}

#: student -> (faulty answers swapped into the source notebook, {test cell: exact score}).
#: Every other autograded cell keeps its full points. The faults pass the public asserts,
#: so these scores come from the hidden checks' case groups (all groups weigh 1).
STUDENTS = {
    "nand_and_int_sigmoid": (
        ["gate_nand_negates_weights_only", "sigmoid_zeros_like_keeps_int_dtype"],
        {"test_logic_gate_weights": 2 * 2 / 3,  # AND, OR pass; NAND fails
         "test_sigmoid": 2 * 5 / 6}),           # only the integer-input group fails
    "max_epochs_shape_check_scalar_overflow": (
        ["perceptron_default_max_epochs_is_1000", "weighted_sum_loop_without_shape_check",
         "sigmoid_scalar_shortcut_overflows"],
        {"test_perceptron_train_xor": 2 * 2 / 3,  # only "default max_epochs = 100 on XOR" fails
         "test_weighted_sum": 2 * 3 / 4,          # only the mismatched-shapes group fails
         "test_sigmoid_stable": 1 * 2 / 3}),      # large negative scalars warn; arrays, positives fine
    # The public stability assert catches this one already: the cell raises, so 0.
    "sigmoid_overflows": (["sigmoid_overflows"], {"test_sigmoid_stable": 0.0}),
}


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _points(nb):
    return {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in nb.cells if _meta(c).get("grade")}


def _with_mutants(nb, names):
    for name in names:
        mutant = MUTANT[name]
        function = get_check(mutant.check).function
        nb = replace_cell(nb, solution_cell_id(nb, function), mutant.source.strip())
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("perceptron_course"), [ASSIGNMENT])
    release = course.release(ASSIGNMENT)
    source, released = read_notebook(SOURCE), read_notebook(release / NOTEBOOK)
    validate_source = course.nbgrader("validate", "source/%s/%s" % (ASSIGNMENT, NOTEBOOK), check=False)
    validate_release = course.nbgrader("validate", "--invert", "release/%s/%s" % (ASSIGNMENT, NOTEBOOK),
                                       check=False)
    course.submit("solution", ASSIGNMENT, {NOTEBOOK: source})
    course.submit("untouched", ASSIGNMENT, {NOTEBOOK: released})
    for student, (names, _) in STUDENTS.items():
        course.submit(student, ASSIGNMENT, {NOTEBOOK: _with_mutants(source, names)})
    course.autograde(ASSIGNMENT)
    return SimpleNamespace(course=course, release=release, source=source, released=released,
                           validate_source=validate_source, validate_release=validate_release,
                           points=_points(source))


# --------------------------------------------------------------------------- release

def test_release_holds_only_the_student_notebook(course):
    assert sorted(p.name for p in course.release.rglob("*")) == [NOTEBOOK]
    text = (course.release / NOTEBOOK).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME",
                   "half points allowed", "Adding the middle two gives"):
        assert marker not in text, marker
    assert not re.search(r"\breference\b", text)


def test_release_keeps_specs_and_stubs_but_no_solution_code(course):
    released = {grade_id(c): c for c in course.released.cells if grade_id(c)}
    assert set(released) == {grade_id(c) for c in course.source.cells if grade_id(c)}
    for cell in course.source.cells:
        meta, stub = _meta(cell), released.get(grade_id(cell))
        if meta.get("solution") and cell.cell_type == "code":
            spec, _, rest = cell.source.partition("### BEGIN SOLUTION")
            solution_lines = {line.strip() for line in rest.partition("### END SOLUTION")[0].splitlines()}
            assert stub.source.startswith(spec.rstrip()), "%s lost its signature or docstring" % meta["grade_id"]
            assert "raise NotImplementedError()" in stub.source
            leaked = [line for line in stub.source.splitlines() if line.strip() in solution_lines - {""}]
            assert not leaked, "%s leaks %s" % (meta["grade_id"], leaked)
        elif meta.get("solution"):
            assert stub.source == "YOUR ANSWER HERE", meta["grade_id"]
        elif meta.get("grade"):
            assert stub.source == public_part(cell.source), meta["grade_id"]
        elif meta:  # locked cells: unchanged, except that a mark scheme stays with the graders
            without_scheme = re.sub(r"### BEGIN MARK SCHEME.*?### END MARK SCHEME", "", cell.source, flags=re.S)
            assert stub.source.rstrip() == without_scheme.rstrip(), meta["grade_id"]


def test_validate_passes_on_the_source_notebook(course):
    result = course.validate_source
    assert result.returncode == 0 and "Success! Your notebook passes all the tests." in result.stdout, \
        result.stdout[-3000:] + result.stderr[-3000:]


def test_validate_invert_shows_the_release_stubs_fail_every_test(course):
    result = course.validate_release
    assert result.returncode == 0 and "Success! The notebook does not pass any tests." in result.stdout, \
        result.stdout[-3000:] + result.stderr[-3000:]


# --------------------------------------------------------------------------- grades

def test_source_notebook_earns_every_autograded_point(course):
    scores = course.course.scores(ASSIGNMENT, "solution")
    manual = "answer_xor_explanation"
    assert scores.pop(manual) is None  # left to the human grader
    expected = {cell: points for cell, points in course.points.items() if cell != manual}
    assert scores == expected
    assert sum(scores.values()) == 20.0 and course.points[manual] == 3.0


def test_untouched_release_scores_zero(course):
    scores = course.course.scores(ASSIGNMENT, "untouched")
    assert set(scores) == set(course.points)
    assert all(score == 0.0 for score in scores.values()), scores


@pytest.mark.parametrize("student", STUDENTS)
def test_faulty_answers_lose_exactly_their_points(course, student):
    _, losses = STUDENTS[student]
    scores = course.course.scores(ASSIGNMENT, student)
    scores.pop("answer_xor_explanation")
    expected = {cell: losses.get(cell, points) for cell, points in course.points.items()
                if cell != "answer_xor_explanation"}
    assert scores == pytest.approx(expected, abs=1e-9)


def test_feedback_names_the_failing_group_and_call_without_grader_code(course):
    nb = course.course.autograded_notebook(ASSIGNMENT, "nand_and_int_sigmoid", NOTEBOOK)
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    report = "".join(str(o.get("data", {}).get("text/plain", "")) for o in cells["test_logic_gate_weights"].outputs)
    assert "Hidden tests: 1.33 / 2 points" in report, report
    assert "FAIL  NAND" in report and "first failure: logic_gate_weights('NAND')" in report, report
    assert "truth table is [1, 1, 1, 0]" in report, report
    for cell in nb.cells:
        assert "_coursekit_hidden_check" not in cell.source and "coursekit-check" not in cell.source
