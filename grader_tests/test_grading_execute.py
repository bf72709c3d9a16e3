"""GradingExecute on small notebooks: time budgets, one timeout per infinite loop, replay after a crash."""

from __future__ import annotations

import os

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from coursekit.execute import GradingExecute, listen
from coursekit.sandbox import sandbox_problem

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox_problem() is not None, reason="bubblewrap unusable here")]


def _run(tmp_path, cells: list[str], **traits):
    tmp_path.chmod(0o755)
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    events = []
    with listen(events.append):
        nb, _ = GradingExecute(**traits).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb, events


def _text(cell) -> str:
    return "".join(o.get("text", "") + o.get("ename", "") + ": " + o.get("evalue", "") for o in cell.outputs)


def test_an_infinite_loop_costs_one_full_timeout(tmp_path):
    nb, events = _run(tmp_path, ["def spin():\n    while True:\n        pass", "spin()", "spin()", "spin()",
                                 "print('still grading')"], timeout=4, timeout_after_timeout=1)
    timeouts = [e["seconds"] for e in events if e["event"] == "timeout"]
    assert timeouts == [4, 1, 1]  # the first call costs the cell timeout, later ones the short one
    assert "still grading" in _text(nb.cells[4])
    assert all("CellTimeoutError" in _text(cell) for cell in nb.cells[1:4])


def test_a_named_locked_cell_gets_its_own_timeout_and_a_student_cell_does_not(tmp_path):
    cells = ["import time", "time.sleep(3)\nprint('trained')", "time.sleep(3)\nprint('not locked')"]
    tmp_path.chmod(0o755)
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells[1].metadata["nbgrader"] = {"grade_id": "train", "locked": True, "solution": False, "grade": False}
    # a student's answer cell given the same grade_id does not get the long limit
    nb.cells[2].metadata["nbgrader"] = {"grade_id": "train", "locked": True, "solution": True, "grade": False}
    events = []
    with listen(events.append):
        nb, _ = GradingExecute(timeout=1, locked_cell_timeouts={"train": 20}).preprocess(
            nb, {"metadata": {"path": str(tmp_path)}})
    assert "trained" in _text(nb.cells[1])
    assert "CellTimeoutError" in _text(nb.cells[2])
    assert [e["event"] for e in events] == ["timeout"]


def test_the_notebook_budget_stops_the_rest_with_a_note(tmp_path):
    nb, events = _run(tmp_path, ["import time", "time.sleep(2)", "time.sleep(2)", "print('late')", "print('later')"],
                      timeout=10, notebook_timeout=3)
    assert [e["event"] for e in events] == ["timeout", "budget_exhausted"]
    assert "NotRun" in _text(nb.cells[3]) and "time budget of 3 s" in _text(nb.cells[4])


def test_a_crash_loses_only_its_cell(tmp_path):
    nb, events = _run(tmp_path, ["values = [1, 2, 3]", "import os\nos._exit(3)", "print(sum(values))",
                                 "import ctypes\nctypes.string_at(0)", "print(len(values))"], timeout=20)
    assert [e["event"] for e in events] == ["kernel_died", "restarted", "kernel_died", "restarted"]
    assert "exited with status 3" in _text(nb.cells[1]) and "SIGSEGV" in _text(nb.cells[3])
    assert _text(nb.cells[2]).startswith("6") and _text(nb.cells[4]).startswith("3")


def test_a_prelaunched_kernel_serves_the_next_notebook_with_its_own_files(tmp_path):
    from coursekit import execute

    first, second = tmp_path / "first", tmp_path / "second"
    for folder, name in ((first, "a.txt"), (second, "b.txt")):
        folder.mkdir()
        (folder / name).write_text(name)
    code = ["import os\nprint(sorted(f for f in os.listdir('.') if not f.startswith('.')), len(In))"]
    _run(first, code)
    assert any(owner == os.getpid() for owner, _ in execute._spares.values())  # one is booting now
    nb, _ = _run(second, code)
    assert _text(nb.cells[0]).startswith("['b.txt'] 2")  # the new folder's files, a fresh history
