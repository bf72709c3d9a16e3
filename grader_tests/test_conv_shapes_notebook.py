"""02_conv_shapes notebook: its structure, and one end-to-end release / validate / autograde run.

The end-to-end part runs real nbgrader once for the whole assignment (slow, but part of
`make test`): release, `nbgrader validate` on the source (must pass) and on the release
(`--invert`: the stubs must fail every test), then one `nbgrader autograde` of four students
whose exact scores are known in advance.
"""

import ast
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import nbformat
import pytest

from kit import ROOT, Course, read_notebook, replace_cell, solution_cell_id
from coursekit.registry import all_checks, get_check
from coursekit.preprocessors import directives

ASSIGNMENT = "02_conv_shapes"
NOTEBOOK = "conv_shapes.ipynb"
SOURCE = ROOT / "source" / ASSIGNMENT / NOTEBOOK
AUTOGRADED_POINTS = 20
MANUAL_POINTS = 2


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _test_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and _meta(c).get("grade")]


def _answer_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and _meta(c).get("solution")]


# --------------------------------------------------------------------------- structure (fast)

def test_points_add_up_and_stay_small():
    nb = read_notebook(SOURCE)
    points = {_meta(c)["grade_id"]: _meta(c)["points"] for c in _test_cells(nb)}
    assert sum(points.values()) == AUTOGRADED_POINTS, points
    assert all(0 < p <= 3 for p in points.values()), points
    manual = [c for c in nb.cells if c.cell_type == "markdown" and _meta(c).get("grade")]
    assert [_meta(c)["points"] for c in manual] == [MANUAL_POINTS]


def test_every_check_is_run_by_exactly_one_test_cell_that_names_its_function():
    nb = read_notebook(SOURCE)
    used = []
    for cell in _test_cells(nb):
        ids = directives(cell.source)
        assert len(ids) == 1, "%s: %s" % (_meta(cell)["grade_id"], ids)
        function = get_check(ids[0]).function
        assert "%s," % function in cell.source, "%s tests %s() publicly?" % (_meta(cell)["grade_id"], function)
        used += ids
    assert sorted(used) == sorted(c.id for c in all_checks("conv_shapes"))


def test_answer_cells_keep_signature_and_docstring_outside_the_solution():
    for cell in _answer_cells(read_notebook(SOURCE)):
        tree = ast.parse(cell.source)
        functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        assert len(tree.body) == len(functions) == 1, _meta(cell)["grade_id"]
        docstring = ast.get_docstring(functions[0])
        assert docstring and len(docstring.splitlines()) >= 3, "%s: the docstring is the spec" % functions[0].name
        lines = cell.source.splitlines()
        begin = next(i for i, line in enumerate(lines) if "### BEGIN SOLUTION" in line)
        assert lines[begin].startswith("    "), "%s: the solution must sit inside the body" % functions[0].name
        assert begin + 1 > functions[0].body[0].end_lineno, "%s: docstring inside the solution" % functions[0].name
        assert lines[-1].strip() == "### END SOLUTION"


def test_notebook_never_uses_the_reference_package():
    for cell in read_notebook(SOURCE).cells:
        assert not re.search(r"^\s*(from|import)\s+reference\b", cell.source, re.M), cell.source[:80]


# --------------------------------------------------------------------------- end to end (slow)

def _edit(source: str, old: str, new: str) -> str:
    """A student's answer: the solution with one line changed (fails loudly if the solution moved on)."""
    assert old in source, "the solution no longer contains %r" % old
    return source.replace(old, new)


@dataclass
class Run:
    course: Course
    release_nb: nbformat.NotebookNode
    expected: dict          # student -> {grade_id: exact score}
    validate_source: object
    validate_release: object
    seconds: float


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    started = time.perf_counter()
    course = Course(tmp_path_factory.mktemp("conv_shapes_course"), [ASSIGNMENT])
    release_dir = course.release(ASSIGNMENT)
    source_nb = read_notebook(SOURCE)
    release_nb = read_notebook(release_dir / NOTEBOOK)
    full = {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in _test_cells(source_nb)}

    def answer(function):
        cell_id = solution_cell_id(source_nb, function)
        return cell_id, next(c.source for c in source_nb.cells if _meta(c).get("grade_id") == cell_id)

    # pool_last_window_rule_forgets_left_padding: passes every visible test; of the 9 equally
    # weighted hidden groups it fails exactly one (a last window starting inside the input, at
    # or beyond L_in, is dropped), whatever the seed: 3 * 8/9 points.
    pool_id, pool_source = answer("pool1d_output_length")
    pool_student = replace_cell(source_nb, pool_id, _edit(
        pool_source, "if (L_out - 1) * stride >= L_in + padding:", "if (L_out - 1) * stride >= L_in:"))
    assert len(get_check("conv_shapes.pool1d_output_length").groups(0)) == 9
    # conv1d_flipped_kernel + params_forgets_bias: both fail a visible test, so those cells score 0;
    # conv1d_multichannel reuses the flipped conv1d and fails its visible test too.
    conv_id, conv_source = answer("conv1d")
    params_id, params_source = answer("conv1d_num_parameters")
    two_faults = replace_cell(source_nb, conv_id, _edit(
        conv_source, "y[i] += w[j] * x_padded", "y[i] += w[len(w) - 1 - j] * x_padded"))
    two_faults = replace_cell(two_faults, params_id, _edit(
        params_source, "kernel_size + (out_channels if bias else 0)", "kernel_size"))

    submissions = {"solution": source_nb, "untouched": release_nb,
                   "pool-rule-forgets-left-padding": pool_student, "flipped-kernel-no-bias": two_faults}
    expected = {
        "solution": dict(full),
        "untouched": {cell: 0.0 for cell in full},
        "pool-rule-forgets-left-padding": dict(full, test_pool1d_output_length=3 * 8 / 9),
        "flipped-kernel-no-bias": dict(full, test_conv1d=0.0, test_conv1d_multichannel=0.0,
                                       test_conv1d_num_parameters=0.0),
    }
    for student, nb in submissions.items():
        course.submit(student, ASSIGNMENT, {NOTEBOOK: nb})
    # Validation and grading are independent processes: run them side by side.
    with ThreadPoolExecutor(max_workers=3) as pool:
        validate_source = pool.submit(course.nbgrader, "validate", "source/%s/%s" % (ASSIGNMENT, NOTEBOOK))
        validate_release = pool.submit(course.nbgrader, "validate", "--invert",
                                       "release/%s/%s" % (ASSIGNMENT, NOTEBOOK), check=False)
        grading = pool.submit(course.autograde, ASSIGNMENT)
        grading.result()
        results = validate_source.result(), validate_release.result()
    run = Run(course, release_nb, expected, *results, seconds=time.perf_counter() - started)
    print("02_conv_shapes end to end: %.0f s (release, 2 validations, 4 students graded)" % run.seconds)
    return run


@pytest.mark.slow
def test_release_holds_stubs_but_no_solution_hidden_test_mark_scheme_or_reference(run):
    text = nbformat.writes(run.release_nb)
    solution_lines = ("np.concatenate([np.zeros(padding), x, np.zeros(padding)])", "def as_pair(",
                      "L_out = -(-room // stride) + 1")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME",
                   "Model answer", "receptive field grow exponentially") + solution_lines:
        assert marker not in text, "release contains %r" % marker
    assert not re.search(r"(from|import)\s+reference\b", text)
    source_nb = read_notebook(SOURCE)
    for source_cell in _answer_cells(source_nb):
        released = next(c for c in run.release_nb.cells if _meta(c).get("grade_id") == _meta(source_cell)["grade_id"])
        stub = released.source.splitlines()
        assert stub[-1] == "    raise NotImplementedError()", released.source
        signature_and_docstring = source_cell.source.split("    ### BEGIN SOLUTION")[0].rstrip()
        assert released.source.startswith(signature_and_docstring)
    manual = next(c for c in run.release_nb.cells if _meta(c).get("grade_id") == "dilation_receptive_field")
    assert manual.source.strip() == "YOUR ANSWER HERE"
    # The mark scheme sits in the locked question cell, which autograde restores for graders.
    assert "### BEGIN MARK SCHEME" in next(c.source for c in source_nb.cells
                                          if _meta(c).get("grade_id") == "dilation_question")


@pytest.mark.slow
def test_nbgrader_validate_passes_the_source_and_fails_every_test_of_the_release(run):
    assert "Success! Your notebook passes all the tests." in run.validate_source.stdout, run.validate_source.stdout
    out = run.validate_release.stdout + run.validate_release.stderr
    assert "Success! The notebook does not pass any tests." in out, out[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("student", ["solution", "untouched", "pool-rule-forgets-left-padding",
                                     "flipped-kernel-no-bias"])
def test_autograde_gives_the_exact_score(run, student):
    scores = run.course.scores(ASSIGNMENT, student)
    auto = {cell: score for cell, score in scores.items() if cell != "dilation_receptive_field"}
    assert auto.keys() == run.expected[student].keys()
    for cell, expected in run.expected[student].items():
        assert auto[cell] == pytest.approx(expected, abs=1e-9), "%s: %s scored %s, expected %s" % (
            student, cell, auto[cell], expected)
    if student == "solution":
        assert sum(auto.values()) == pytest.approx(AUTOGRADED_POINTS)


@pytest.mark.slow
def test_feedback_names_the_failing_group_and_case(run):
    nb = run.course.autograded_notebook(ASSIGNMENT, "pool-rule-forgets-left-padding", NOTEBOOK)
    cell = next(c for c in nb.cells if _meta(c).get("grade_id") == "test_pool1d_output_length")
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert "Hidden tests: 2.67 / 3 points" in text, text
    assert "FAIL  ceil_mode keeps a last window that starts inside the input" in text, text
    assert re.search(r"first failure: pool1d_output_length\(\d+, \d+, stride=\d+, padding=\d+, dilation=\d+, "
                     r"ceil_mode=True\): expected \d+, got \d+", text), text
    assert "coursekit-check" not in cell.source and "_coursekit_hidden_check" not in cell.source


@pytest.mark.slow
def test_untouched_release_is_graded_without_crashing(run):
    nb = run.course.autograded_notebook(ASSIGNMENT, "untouched", NOTEBOOK)
    for cell in _test_cells(nb):
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        assert errors and errors[0]["ename"] in ("NotImplementedError", "AssertionError"), _meta(cell)["grade_id"]

