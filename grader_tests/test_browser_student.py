"""A student in JupyterLab (Debian's chromium): every released assignment, stub to green Validate.

For each released assignment except the capstone (``test_browser_capstone.py``) and the practice
notebook (``test_browser_practice.py``): open it, run the untouched stub (a clear
NotImplementedError), paste a correct solution, Restart & Run All, press Validate: it passes
with the settings a student has (the released ``nbgrader_config.py``, nothing else). And a wrong
solution's Validate names the failing test. One JupyterLab server per assignment: the student
starts it in the assignment folder, as the student guide says.
"""

from __future__ import annotations

import pytest

from browser import (JupyterLab, Steps, close_dialog, launch_chromium, open_notebook, press_validate,
                     require_chromium, save_notebook, set_cell_source)
from student_path import (ROOT, answer_cells, released_notebook, run_student_path, student_answers,
                          student_folder)

pytestmark = [pytest.mark.browser]

CAPSTONE = "05_af_cnn"
NOT_HERE = {CAPSTONE, "midterm_practice"}
ASSIGNMENTS = sorted(p.parent.name for p in (ROOT / "release").glob("*/*.ipynb")
                     if p.parent.name not in NOT_HERE)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_validates_a_correct_notebook(assignment, tmp_path, request):
    require_chromium()
    timings = run_student_path(tmp_path, request, assignment, run_all_timeout_s=300, validate_timeout_s=300)
    print("%s: Restart & Run All %.0f s, Validate %.0f s" % (assignment, timings["run_all_s"], timings["validate_s"]))


#: A mistake students make (step(0) = 0 instead of the convention step(0) = 1).
STEP_WITH_WRONG_CONVENTION = '''def step(z):
    return (np.asarray(z) > 0).astype(int)[()]
'''


def test_validate_names_the_failing_test_of_a_wrong_solution(tmp_path, request):
    """Validate on a wrong step(): the dialog shows the failing test cell, its docstring and the assert."""
    require_chromium()
    assignment = "01_perceptron"
    folder = student_folder(tmp_path, assignment)
    notebook = released_notebook(assignment)
    answers = student_answers(assignment, notebook.name)
    answers["answer_step"] = STEP_WITH_WRONG_CONVENTION
    with JupyterLab(folder) as lab, launch_chromium(tmp_path) as page, Steps(page, request, lab) as steps:
        with steps.step("open"):
            open_notebook(page, lab, notebook.name)
        with steps.step("paste a solution with a wrong step()"):
            for index, grade_id in answer_cells(notebook):
                set_cell_source(page, index, answers[grade_id])
            save_notebook(page)
        with steps.step("Validate names the failing test"):
            text = press_validate(page, timeout_ms=300_000)
            assert "VALIDATION FAILED ON" in text or "The following cell failed" in text, text[-3000:]
            # the failing public test: its docstring and the assert's message, with the value that came out
            assert "step follows the convention step(0) = 1" in text, text[-3000:]
            assert "step(0.0): expected 1" in text, text[-3000:]
            assert "weighted_sum computes" not in text, "a passing test was reported as failed:\n" + text[-3000:]
            close_dialog(page)
