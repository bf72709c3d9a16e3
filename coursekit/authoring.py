"""Small helpers to write nbgrader source notebooks from Python.

The ``.ipynb`` under ``source/`` is the source of truth (instructors edit it in
JupyterLab with nbgrader's Create Assignment toolbar). These helpers only save typing
when a notebook is first drafted from a script::

    nb = notebook([
        md("# The perceptron"),
        solution("def step(z):\\n    ### BEGIN SOLUTION\\n    ...\\n    ### END SOLUTION", "step"),
        tests('\"\"\"step follows step(0) = 1.\"\"\"\\nassert step(0) == 1\\n'
              '### BEGIN HIDDEN TESTS\\n# coursekit-check: perceptron.step\\n### END HIDDEN TESTS',
              "test_step", points=2),
    ])
    nbformat.write(nb, "source/01_perceptron/perceptron.ipynb")
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None,
              task: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text: str, grade_id: str | None = None):
    """A plain markdown cell (locked when it has an id, so students cannot edit it)."""
    meta = _nbgrader(grade_id, grade=False, solution=False, locked=True) if grade_id else {}
    return new_markdown_cell(text.strip("\n"), metadata=meta)


def code(source: str, grade_id: str | None = None):
    """A plain code cell (setup, demos, plots). Locked when given an id."""
    meta = _nbgrader(grade_id, grade=False, solution=False, locked=True) if grade_id else {}
    return new_code_cell(source.strip("\n"), metadata=meta)


def solution(source: str, grade_id: str):
    """An autograded answer cell: the student's code between BEGIN/END SOLUTION."""
    return new_code_cell(source.strip("\n"), metadata=_nbgrader(grade_id, grade=False, solution=True,
                                                                locked=False))


def tests(source: str, grade_id: str, points: float):
    """An autograder test cell (public asserts, then a hidden region with directives)."""
    return new_code_cell(source.strip("\n"), metadata=_nbgrader(grade_id, grade=True, solution=False,
                                                                locked=True, points=points))


def manual(text: str, grade_id: str, points: float):
    """A manually graded markdown answer (the student writes in it)."""
    return new_markdown_cell(text.strip("\n"), metadata=_nbgrader(grade_id, grade=True, solution=True,
                                                                  locked=False, points=points))


def notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(_KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb
