"""The ``nbgrader_config.py`` released with each assignment: Validate with the grader's limits.

nbgrader's Validate (the toolbar button and ``nbgrader validate``) re-runs the whole notebook in a
fresh kernel and, without configuration, interrupts any cell after 30 s (``Execute.timeout``).
A correct capstone trains for one to two minutes, so with nbgrader's defaults every correct
student got a red Validate. The grader itself allows ``Execute.timeout`` per cell and longer
for the locked cells named in ``GradingExecute.locked_cell_timeouts`` (the course's
``nbgrader_config.py``).

Where nbgrader looks (nbgrader 0.9.6, ``server_extensions/validate_assignment/handlers.py`` and
``apps/baseapp.py``): the working directory of the JupyterLab server (or of the
``nbgrader validate`` command), then the Jupyter config path (``~/.jupyter``,
``<env>/etc/jupyter``, ``/etc/jupyter``). It never reads the notebook's own folder, and with
nbgrader's exchange the server usually starts in the student's home. So Validate must also pass
*without* this file: the notebooks whose cells train networks run a short version of them when
``NBGRADER_EXECUTION == "validate"`` (05_af_cnn's training cell, 06_sequences' K-fold cell; see
docs/grading.md) and every cell fits nbgrader's 30 s. This file is the extra for a student whose
own code is slower than the course expects, when JupyterLab starts in the assignment folder.

The per-cell limit written is the largest the grader gives any cell of that assignment, so
Validate never stops a cell that grading would let finish. It is generated, never hand-edited:
``coursekit release`` writes it and the release test compares it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

FILENAME = "nbgrader_config.py"
NBGRADER_DEFAULT_TIMEOUT_S = 30  # nbgrader.preprocessors.Execute.timeout


def grader_limits(root: Path) -> tuple[int, dict[str, int]]:
    """(seconds per cell, {locked grade_id: seconds}) from the course's nbgrader_config.py."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (Path(root) / FILENAME).exists():
        return NBGRADER_DEFAULT_TIMEOUT_S, {}  # a course without configuration: nbgrader's defaults
    config = PyFileConfigLoader(FILENAME, path=str(root)).load_config()
    per_cell = int(config.Execute.get("timeout", NBGRADER_DEFAULT_TIMEOUT_S))
    special = dict(config.GradingExecute.get("locked_cell_timeouts", {}))
    return per_cell, {str(k): int(v) for k, v in special.items()}


def cell_timeout(root: Path, notebooks: list[Path]) -> int:
    """The largest per-cell limit the grader applies to any cell of ``notebooks``."""
    per_cell, special = grader_limits(root)
    limit = per_cell
    for path in notebooks:
        for cell in nbformat.read(str(path), as_version=4).cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in special:
                limit = max(limit, special[grade_id])
    return limit


def render(assignment: str, timeout_s: int) -> str:
    return '''"""nbgrader settings for Validate in {assignment} (written by `coursekit release`; do not edit).

Validate (the notebook's toolbar button, or `nbgrader validate`) runs the whole notebook again
in a fresh kernel and checks the public tests. nbgrader stops any cell after 30 s unless told
otherwise; the course's notebooks fit that wherever JupyterLab starts (slow steps such as
training run a short version under Validate). This file lets each cell run as long as the grader
would ({timeout_s} s), in case your own code is slower; nbgrader reads it only when JupyterLab
(or `nbgrader validate`) is started in this folder, or when the line below is copied into
~/.jupyter/nbgrader_config.py.
"""

c = get_config()  # noqa: F821 - provided by nbgrader

# Seconds one cell may run during Validate: the grader's limit for this assignment's cells.
c.Execute.timeout = {timeout_s}
'''.format(assignment=assignment, timeout_s=timeout_s)


def write(root: Path, assignment: str) -> Path:
    """Write ``release/<assignment>/nbgrader_config.py``; return its path."""
    folder = Path(root) / "release" / assignment
    notebooks = sorted(folder.glob("*.ipynb"))
    path = folder / FILENAME
    path.write_text(render(assignment, cell_timeout(Path(root), notebooks)))
    return path
