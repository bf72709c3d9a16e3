"""No script from a submission runs in the instructor's browser (Debian's chromium, a real formgrader).

One small batch of the adversarial corpus is graded with ``coursekit grade`` and the kit's own
configuration: a correct submission and ``script_in_outputs_and_answer``, whose written answer
holds ``<img onerror>``, ``<script>`` and a ``javascript:`` link, whose added Markdown holds an
``<iframe src=javascript:>``, whose code displays HTML with a script, a JavaScript output and
Markdown with ``<img onerror>``, and whose file and cell names put HTML into the grading log.
Every payload runs ``document.title='PWNED'``.

The detector is proved first: the same written answer rendered *without* the kit's
neutralisation does set the title in this browser. Then formgrader's page of the submission,
the student's feedback page and the instructor's report are loaded, and the title, dialogs and
the console must show that nothing ran; the answer must still be readable, as text.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from adversarial.corpus import CASES
from adversarial.course import ASSIGNMENT, SECRET, build_corpus, make_course
from browser import JupyterLab, Steps, launch_chromium, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KIT = Path(__file__).resolve().parents[1]
STUDENT = "script_in_outputs_and_answer"
SETTLE_MS = 1500  # an onerror handler fires once the broken image fails; give it time to


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory):
    from coursekit.grading.parallel import grade_assignment
    from coursekit.grading.report import write_report
    from coursekit.grading.runner import generate_feedback
    from coursekit.grading.settings import Course

    require_chromium()
    base = tmp_path_factory.mktemp("hostile-browser")
    root = make_course(base / "course")
    build_corpus(root, [case for case in CASES if case.name in ("correct", STUDENT)])
    saved = os.environ.get("COURSEKIT_SECRET")
    os.environ["COURSEKIT_SECRET"] = SECRET
    try:
        summary = grade_assignment(root, ASSIGNMENT, workers=0, progress=False)
    finally:
        if saved is None:
            os.environ.pop("COURSEKIT_SECRET", None)
        else:
            os.environ["COURSEKIT_SECRET"] = saved
    assert summary.failed == {}, summary.lines()
    course = Course.load(root)
    result = generate_feedback({"root": str(course.root), "assignment": ASSIGNMENT, "student": STUDENT,
                                "config": course.config})
    assert result["ok"], result["error"]
    report = write_report(root, ASSIGNMENT, base / "report.html")
    return {"root": root, "report": report}


class ScriptWatch:
    """What a page's scripts did: dialogs opened, console lines, and the title it ends with."""

    def __init__(self, page):
        self.page, self.dialogs, self.console = page, [], []
        page.on("dialog", self._dialog)
        page.on("console", lambda message: self.console.append(message.text))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def ran(self) -> list[str]:
        self.page.wait_for_timeout(SETTLE_MS)
        signs = ["title %r" % self.page.title()] if "PWNED" in self.page.title() else []
        return signs + ["dialog %r" % d for d in self.dialogs] + [c for c in self.console if "PWNED" in c]


def _submitted_answer(root) -> str:
    nb = nbformat.read(str(root / "submitted" / STUDENT / ASSIGNMENT / "functions.ipynb"), as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "explain_normalize")


def test_no_script_from_a_submission_runs_in_formgrader_feedback_or_report(hostile_course, tmp_path, request):
    from nbconvert.filters import markdown2html
    from nbgrader.api import Gradebook

    root = hostile_course["root"]
    with Gradebook("sqlite:///%s" % (root / "gradebook.db"), "grading-fixture") as gradebook:
        submission_id = gradebook.find_submission_notebook("functions", ASSIGNMENT, STUDENT).id
    feedback = root / "feedback" / STUDENT / ASSIGNMENT / "functions.html"
    # Formgrader runs with the course's configuration (cwd = course root) and the kit importable.
    with JupyterLab(root, env={"PYTHONPATH": str(KIT)}) as lab, launch_chromium(tmp_path) as page, \
            Steps(page, request, lab) as steps:
        watch = ScriptWatch(page)
        with steps.step("control: the same answer rendered without the kit's neutralisation runs its script"):
            page.set_content("<html><head><title>control</title></head><body>%s</body></html>"
                             % markdown2html(_submitted_answer(root)))
            assert watch.ran(), "the detector saw nothing: this test could not see a script run"
        page.goto("about:blank")
        watch = ScriptWatch(page)
        with steps.step("formgrader shows the submission: the answer as text, no script ran"):
            page.goto(lab.url("formgrader/submissions/%s" % submission_id))
            page.wait_for_selector(".nbgrader_cell")
            assert page.get_by_text("Its standard deviation is 0.", exact=False).count() >= 1
            assert page.get_by_text('<img src=x onerror="', exact=False).count() >= 1  # shown, not run
            assert watch.ran() == [], watch.ran()
        watch = ScriptWatch(page)
        with steps.step("the student's feedback page: no script ran"):
            page.goto(feedback.as_uri())
            page.wait_for_selector("text=Its standard deviation is 0.")
            assert watch.ran() == [], watch.ran()
        watch = ScriptWatch(page)
        with steps.step("the instructor's report names the hostile cell and file as text"):
            page.goto(hostile_course["report"].as_uri())
            page.wait_for_selector("text=Test cells")
            text = page.inner_text("body")
            assert "<script>document.title" in text and "<img src=x onerror=" in text, text[-2000:]
            assert watch.ran() == [], watch.ran()
