"""Grader-only: one unit per assignment, never released to students (see ``docs/units.md``).

``reference/<topic>/`` holds an assignment's manifest (``__init__.py``), reference solution
(``solution.py``), hidden checks (``checks.py``), wrong implementations that must lose points
(``wrong.py``) and correct alternatives that must keep every point (``correct.py``);
``reference/units.py`` is the registry listing every unit in assignment order.
"""
