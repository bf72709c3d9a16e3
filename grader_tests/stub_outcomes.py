"""Run a released notebook's code cells as a student first does (nothing answered) and report each
cell's outcome: ``python stub_outcomes.py NOTEBOOK...`` prints one JSON list per notebook.

Cells run in order in one IPython shell (the same cell semantics as a Jupyter kernel: magics,
``%matplotlib inline``, the notebook's folder as working directory and on ``sys.path``), with
errors allowed, as *Restart & Run All* and *Validate* do. A separate process per call keeps the
notebooks' global settings (numpy error state, warnings filters, torch defaults) out of the test
process. Used by ``test_released_stubs.py``.
"""

from __future__ import annotations

import json
import os
import sys
import time

import nbformat


def cell_kind(cell) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "test"
    return "other"


def outcomes(path: str) -> list[dict]:
    """``[{"grade_id", "kind", "error", "message", "seconds"}, ...]`` for the code cells of ``path``, in
    order, up to its last answer or test cell (all of them in a notebook without any)."""
    from IPython.core.interactiveshell import InteractiveShell

    os.environ["MPLBACKEND"] = "Agg"
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    graded = [i for i, cell in enumerate(code) if cell_kind(cell) != "other"]
    if graded:  # cells after the last answer or test cell cannot change an outcome judged here
        code = code[:graded[-1] + 1]
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.showtraceback = lambda *args, **kwargs: None  # the outcome is recorded below, not printed
    shell.showsyntaxerror = lambda *args, **kwargs: None
    shell.enable_gui = lambda gui=None: None  # `%matplotlib inline` outside a kernel
    os.chdir(folder)
    sys.path.insert(0, folder)  # a kernel started in the folder imports its modules (practice_bank)
    report = []
    for cell in code:
        start = time.perf_counter()
        result = shell.run_cell(cell.source, silent=True, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        report.append({"grade_id": cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"),
                       "kind": cell_kind(cell),
                       "error": None if error is None else type(error).__name__,
                       "message": "" if error is None else str(error)[:300],
                       "seconds": round(time.perf_counter() - start, 2)})
    return report


if __name__ == "__main__":
    # One process for all notebooks (numpy, matplotlib and torch imported once), a fresh shell each.
    for notebook in [os.path.abspath(p) for p in sys.argv[1:]]:  # before outcomes() changes folder
        cells = outcomes(notebook)
        print(json.dumps({"notebook": notebook, "cells": cells}), flush=True)
