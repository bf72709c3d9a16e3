"""An instructor in formgrader (Debian's chromium) after a graded class: verdicts, mark scheme, a manual score.

One small class of 01_perceptron is autograded with the kit's own configuration (sandboxed
kernels, hidden checks): a student with a wrong step() and a correct one. JupyterLab starts in
the course root, as the README says (`jupyter lab`, then Nbgrader -> Formgrader). The instructor
opens the submission with the mistake, reads the grader's verdict of the failed test (which says
whose text is whose, and 0 points), reads the mark scheme above the written answer, enters a
manual score, and the score is in the gradebook.
"""

from __future__ import annotations

import pytest

from browser import JupyterLab, Steps, launch_chromium, log_in, require_chromium
from kit import Course, read_notebook, replace_cell
from student_path import ROOT, student_answers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"
WRONG_STEP = "def step(z):\n    return (np.asarray(z) > 0).astype(int)[()]\n"


def _student_notebook(course: Course, wrong_step: bool):
    nb = read_notebook(course.root / "release" / ASSIGNMENT / NOTEBOOK)
    for grade_id, answer in student_answers(ASSIGNMENT, NOTEBOOK).items():
        nb = replace_cell(nb, grade_id, WRONG_STEP if (wrong_step and grade_id == "answer_step") else answer)
    return nb


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    require_chromium()
    course = Course(tmp_path_factory.mktemp("formgrader") / "course", [ASSIGNMENT])
    course.release(ASSIGNMENT)
    course.submit("demo-ada", ASSIGNMENT, {NOTEBOOK: _student_notebook(course, wrong_step=True)})
    course.submit("demo-alan", ASSIGNMENT, {NOTEBOOK: _student_notebook(course, wrong_step=False)})
    course.autograde(ASSIGNMENT)
    return course


def test_instructor_reads_verdicts_and_mark_scheme_and_enters_a_manual_score(graded_course, tmp_path, request):
    from nbgrader.api import Gradebook

    course = graded_course
    database = "sqlite:///%s" % (course.root / "gradebook.db")
    with Gradebook(database) as gradebook:
        submission = gradebook.find_submission_notebook(NOTEBOOK.replace(".ipynb", ""), ASSIGNMENT, "demo-ada")
        submission_id = submission.id
    # The grader's environment: formgrader runs with the course's configuration (cwd = course root).
    with JupyterLab(course.root, env={"PYTHONPATH": str(ROOT)}) as lab, launch_chromium(tmp_path) as page, \
            Steps(page, request, lab) as steps:
        with steps.step("formgrader lists the graded assignment"):
            log_in(page, lab)
            page.goto(lab.url("formgrader/manage_submissions/%s" % ASSIGNMENT))
            page.wait_for_selector("text=demo-ada")
        with steps.step("the submission with a wrong step(): the grader's verdict of the failed test"):
            page.goto(lab.url("formgrader/submissions/%s" % submission_id))
            page.wait_for_selector(".nbgrader_cell .score")
            text = page.inner_text("body")
            assert "step(0.0): expected 1" in text, "the failed public assert is not shown"
            verdict = text[text.index("step(0.0): expected 1"):]
            assert "Grader's verdict (anything above this line was printed by the notebook's own code):" in verdict
            assert "Hidden tests: 0 /" in verdict and "AssertionError" in verdict
            assert "All hidden tests passed" not in text
            # long verdict lines wrap inside the page (no sideways scrolling to read a verdict)
            verdict_box = page.locator("pre code", has_text="Grader's verdict").first
            assert verdict_box.evaluate("e => getComputedStyle(e).whiteSpace") in ("pre-wrap", "break-spaces")
            assert verdict_box.evaluate("e => e.scrollWidth - e.clientWidth") <= 1
            page.get_by_text("step(0.0): expected 1").first.scroll_into_view_if_needed()
        with steps.step("the mark scheme is above the written answer"):
            scheme = page.get_by_text("BEGIN MARK SCHEME").first
            if scheme.count() == 0:
                scheme = page.get_by_text("1 per part").first
            scheme.scroll_into_view_if_needed()
            assert "half points allowed" in page.inner_text("body")
        with steps.step("enter 2.5 of 3 points for the written answer"):
            # the written answer's cell: it has a score box and the student's sentence about the midpoint
            answer = page.locator(".nbgrader_cell").filter(has=page.locator("input.score")).filter(
                has_text="same midpoint").first
            answer.scroll_into_view_if_needed()
            score = answer.locator("input.score")
            score.fill("2.5")
            score.press("Tab")
            page.wait_for_function(
                """() => [...document.querySelectorAll('.score-saved')].some(e => e.offsetParent !== null)""",
                timeout=60_000)
    with Gradebook(database) as gradebook:
        notebook = gradebook.find_submission_notebook_by_id(submission_id)
        manual = {g.name: g.manual_score for g in notebook.grades if g.name == "answer_xor_explanation"}
    assert manual == {"answer_xor_explanation": 2.5}, manual
