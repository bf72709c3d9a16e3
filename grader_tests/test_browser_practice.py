"""The midterm practice notebook in JupyterLab (Debian's chromium): its widget draws, checks, explains.

The student runs the released practice notebook from its folder, picks "Convolution and pooling"
in the widget, presses New question until the receptive-field question comes up (its explanation
is a sum of products, "1 + 1*2 + 2*2 = ..."), types an answer and presses Check. The verdict shows
the answer and the explanation with its multiplication signs, points at the widget's own New
question button, and its long lines wrap inside the notebook instead of running off to the right.
"""

from __future__ import annotations

import re

import pytest

from browser import (JupyterLab, Steps, cell_outputs_text, launch_chromium, open_notebook, require_chromium,
                     restart_and_run_all)
from student_path import student_folder

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: A sum of products as the receptive-field explanation writes it: 1*2, 4*1, ...
PRODUCT = re.compile(r"\d \+ \d+\*\d+")


def test_practice_widget_draws_checks_and_explains(tmp_path, request):
    require_chromium()
    folder = student_folder(tmp_path, "midterm_practice")
    with JupyterLab(folder) as lab, launch_chromium(tmp_path) as page, Steps(page, request, lab) as steps:
        with steps.step("run the practice notebook"):
            open_notebook(page, lab, "practice.ipynb")
            restart_and_run_all(page, timeout_ms=180_000)
            outputs = "\n".join(cell_outputs_text(page))
            assert "Traceback (most recent call last)" not in outputs, outputs[-3000:]
        widget = page.locator(".jp-OutputArea .widget-vbox").first
        with steps.step("the widget shows a question"):
            widget.scroll_into_view_if_needed()
            widget.locator("select").select_option(label="Convolution and pooling")
            new_question = widget.get_by_role("button", name="New question")
            question_area = widget.locator(".widget-output").first
            for _ in range(40):  # six convolution questions: draw until the receptive field comes up
                before = question_area.inner_text()
                new_question.click()
                page.wait_for_function("([el, before]) => el.innerText !== before && /convolution\\./.test(el.textContent)",
                                       arg=[question_area.element_handle(), before])
                if "convolution.receptive_field" in question_area.inner_text():
                    break
            shown = question_area.inner_text()
            assert "convolution.receptive_field" in shown, shown
            assert "press Check" in shown and "q.answer" not in shown, shown
        with steps.step("Check an answer: verdict, answer, explanation"):
            widget.locator("input[type=text]").fill("3")
            widget.get_by_role("button", name="Check").click()
            result_area = widget.locator(".widget-output").nth(1)
            result_area.locator("text=Explanation").wait_for()
            verdict = result_area.inner_text()
            assert "Answer:" in verdict and "Explanation:" in verdict, verdict
            assert PRODUCT.search(verdict), "the explanation lost its multiplication signs:\n" + verdict
            assert "Press New question for new numbers." in verdict and "practice.draw" not in verdict, verdict
        with steps.step("long verdict lines wrap"):
            overflow = result_area.evaluate("el => el.scrollWidth - el.clientWidth")
            assert overflow <= 1, "the verdict is %d px wider than the notebook" % overflow
