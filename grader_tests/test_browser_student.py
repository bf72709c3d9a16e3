"""A student in JupyterLab (Debian's chromium): every released assignment, stub to green Validate.

For each released assignment except the capstone (``test_browser_capstone.py``) and the practice
notebook (``test_browser_practice.py``): open it, run the untouched stub (a clear
NotImplementedError), paste a correct solution, Restart & Run All, press Validate: it passes
with the settings a student has (the released ``nbgrader_config.py``, nothing else). An assignment
that ships data (06_sequences) skips Restart & Run All after filling in, as the capstone does: that
run trains every network on all the data (about 50 s), Validate runs the whole notebook in its own
mode anyway, and the autograde tests cover the full run (test_sequences_notebook.py). In the same
session of 01_perceptron, a wrong solution's Validate names the failing test. One JupyterLab
server per assignment: the student starts it in the assignment folder, as the student guide says.
"""

from __future__ import annotations

import pytest

from browser import require_chromium
from student_path import ROOT, answer_cells, released_notebook, run_student_path, wrong_answer_fails_validate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CAPSTONE = "05_af_cnn"
NOT_HERE = {CAPSTONE, "midterm_practice"}


def ships_data(assignment: str) -> bool:
    return (ROOT / "release" / assignment / "data").is_dir()


#: Assignments that ship data (the longest Validate) come first, so that under `make test` (tests
#: dealt out to both workers) the other worker is not left waiting for the longest one at the end.
ASSIGNMENTS = sorted((p.parent.name for p in (ROOT / "release").glob("*/*.ipynb") if p.parent.name not in NOT_HERE),
                     key=lambda name: (not ships_data(name), name))


#: A mistake students make (step(0) = 0 instead of the convention step(0) = 1).
STEP_WITH_WRONG_CONVENTION = '''def step(z):
    return (np.asarray(z) > 0).astype(int)[()]
'''


def validate_names_the_failing_test(page, steps):
    """01_perceptron, after the correct run: a wrong step() makes Validate show the failing test
    cell (its docstring), the assert's message with the value that came out, and nothing else."""
    index = dict((grade_id, i) for i, grade_id in answer_cells(released_notebook("01_perceptron")))["answer_step"]
    wrong_answer_fails_validate(page, steps, index, STEP_WITH_WRONG_CONVENTION, "a wrong step()",
                                shows=("step follows the convention step(0) = 1", "step(0.0): expected 1"),
                                passing=("weighted_sum computes",))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_validates_a_correct_notebook(assignment, tmp_path, request):
    require_chromium()
    then = validate_names_the_failing_test if assignment == "01_perceptron" else None
    timings = run_student_path(tmp_path, request, assignment, run_all_timeout_s=300, validate_timeout_s=300,
                               run_all_after_filling=not ships_data(assignment), then=then)
    print("%s: %s" % (assignment, ", ".join("%s %.0f s" % item for item in timings.items())))
