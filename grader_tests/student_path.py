"""The student's path through one released assignment, in JupyterLab, as the browser tests run it.

Shared by ``test_browser_student.py`` (the small assignments) and ``test_browser_capstone.py``
(the capstone, alone in its file so that pytest-xdist runs it beside the others). The student:

1. copies ``release/<id>/`` as handed out and starts ``jupyter lab`` *in that folder* (nbgrader
   reads the released ``nbgrader_config.py`` from there) or, for the capstone, in the folder above
   it (the exchange's layout: no ``nbgrader_config.py`` is read), with a fresh HOME: no personal
   Jupyter or nbgrader settings;
2. opens the notebook and runs the untouched stub: it stops at a NotImplementedError (the first
   function to write) or at an assert saying what is missing (an unanswered exam question);
3. pastes a correct solution into every answer cell (the solution cells of ``source/``, without
   nbgrader's delimiters), saves, optionally Restart & Run All;
4. presses Validate: "Success! Your notebook passes all the tests."
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import nbformat

from browser import (ROOT, JupyterLab, Steps, cell_outputs_text, close_dialog, launch_chromium,
                     open_notebook, press_validate, restart_and_run_all, save_notebook, set_cell_source)

VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."
DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
STUB_ERROR = re.compile(r"NotImplementedError|AssertionError: \S.{10,}")


def show_first_error(page) -> None:
    """Scroll the first error output of the notebook into view (if any)."""
    error = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    if error.count():
        error.first.scroll_into_view_if_needed()


def released_notebook(assignment: str) -> Path:
    notebooks = sorted((ROOT / "release" / assignment).glob("*.ipynb"))
    assert len(notebooks) == 1, "release/%s: expected one notebook, found %s" % (assignment, notebooks)
    return notebooks[0]


def student_answers(assignment: str, notebook: str) -> dict[str, str]:
    """{grade_id: what a correct student writes}: the source's solution cells without delimiters."""
    source = nbformat.read(str(ROOT / "source" / assignment / notebook), as_version=4)
    answers = {}
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = "\n".join(
                line for line in cell.source.splitlines() if not DELIMITER.match(line))
    return answers


def answer_cells(notebook: Path) -> list[tuple[int, str]]:
    """(index, grade_id) of the answer cells of a released notebook, in order."""
    nb = nbformat.read(str(notebook), as_version=4)
    return [(i, c.metadata["nbgrader"]["grade_id"]) for i, c in enumerate(nb.cells)
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")]


def student_folder(tmp_path: Path, assignment: str) -> Path:
    """``release/<id>/`` copied as a student receives it (git clone, zip or exchange)."""
    folder = tmp_path / assignment
    shutil.copytree(ROOT / "release" / assignment, folder,
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return folder


def fill_in_correct_answers(page, assignment: str, notebook: Path) -> int:
    answers = student_answers(assignment, notebook.name)
    cells = answer_cells(notebook)
    for index, grade_id in cells:
        set_cell_source(page, index, answers[grade_id])
    save_notebook(page)
    return len(cells)


def wrong_answer_fails_validate(page, steps, cell_index: int, source: str, what: str,
                                shows: tuple[str, ...], passing: tuple[str, ...]) -> None:
    """Paste ``source`` (``what``: "a wrong step()") into the answer cell at ``cell_index``, save, press
    Validate: the dialog lists a failing cell with every text of ``shows`` and none of ``passing``
    (texts of tests that pass, which must not be reported as failed); then closes it."""
    with steps.step("paste " + what):
        set_cell_source(page, cell_index, source)
        save_notebook(page)
    with steps.step("Validate names the failing test"):
        text = press_validate(page, timeout_ms=300_000)
        assert "The following cell failed" in text, text[-3000:]
        for expected in shows:
            assert expected in text, text[-3000:]
        for passed in passing:
            assert passed not in text, "a passing test was reported as failed:\n" + text[-3000:]
        close_dialog(page)


def run_student_path(tmp_path: Path, request, assignment: str, run_all_timeout_s: int,
                     validate_timeout_s: int, run_all_after_filling: bool = True, then=None,
                     start_above: bool = False) -> dict:
    """Steps 1-4 above; returns timings (seconds) for the report. ``then(page, steps)`` runs
    afterwards in the same JupyterLab session (a further check costs no second server).

    ``start_above``: JupyterLab starts in the folder that holds the assignment folder, as with
    nbgrader's exchange (assignments fetched into ``~/<id>/``, the server started in ``~``): the
    released ``nbgrader_config.py`` is then not read, and Validate has nbgrader's defaults
    (30 s per cell)."""
    folder = student_folder(tmp_path / "student" if start_above else tmp_path, assignment)
    notebook = released_notebook(assignment)
    path = "%s/%s" % (assignment, notebook.name) if start_above else notebook.name
    timings = {}
    with JupyterLab(folder.parent if start_above else folder) as lab, launch_chromium(tmp_path) as page, \
            Steps(page, request, lab) as steps:
        with steps.step("open the released notebook"):
            open_notebook(page, lab, path)
        with steps.step("run the untouched stub"):
            restart_and_run_all(page, timeout_ms=run_all_timeout_s * 1000)
            outputs = "\n".join(cell_outputs_text(page))
            show_first_error(page)  # so that the screenshot shows what the student sees first
            # the stub of a function raises NotImplementedError; an unanswered question's test says so
            assert STUB_ERROR.search(outputs), (
                "the untouched stub should stop at a NotImplementedError or an assert that says what is "
                "missing, outputs:\n%s" % outputs[-3000:])
        with steps.step("paste a correct solution into every answer cell"):
            assert fill_in_correct_answers(page, assignment, notebook) > 0
        if run_all_after_filling:
            with steps.step("Restart & Run All"):
                started = time.monotonic()
                restart_and_run_all(page, timeout_ms=run_all_timeout_s * 1000)
                timings["run_all_s"] = time.monotonic() - started
                outputs = "\n".join(cell_outputs_text(page))
                assert "Traceback (most recent call last)" not in outputs, (
                    "a correct notebook ran with errors:\n%s" % outputs[-4000:])
        with steps.step("Validate"):
            started = time.monotonic()
            text = press_validate(page, timeout_ms=validate_timeout_s * 1000)
            timings["validate_s"] = time.monotonic() - started
            steps.shot("Validate dialog")
            assert VALIDATE_SUCCESS in text, "Validate did not pass a correct notebook:\n%s" % text[-4000:]
            close_dialog(page)
        if then is not None:
            then(page, steps)
    return timings
