"""The course's assignment units, found through its one registry, ``reference/units.py``.

This is the only module of ``coursekit`` that imports the course's ``reference`` package
(the course root, where ``reference/`` lives, must be importable: :func:`use_course` puts it
on ``sys.path``). The layers, so that nothing imports in a circle::

    coursekit.checks, coursekit.manifest, coursekit.midterm.exam   framework: never import reference
        ^
    reference.<topic>.checks / solution / wrong / correct          a unit's modules use the framework
        ^
    reference.<topic> (manifest)  <-  reference.units (registry)
        ^
    coursekit.registry  <-  preprocessors, demo, midterm cli, scaffolding, tests

A test (``grader_tests/test_units_layout.py``) proves the module graph has no cycle.
"""

from __future__ import annotations

import sys
from pathlib import Path

from coursekit.manifest import Unit


def use_course(root: Path) -> None:
    """Make ``<root>/reference`` the ``reference`` package this process imports."""
    root = str(Path(root).resolve())
    if root not in sys.path:
        sys.path.insert(0, root)


def units() -> tuple[Unit, ...]:
    """Every unit of the course, in assignment order (``reference.units.UNITS``)."""
    from reference import units as course_registry

    return tuple(course_registry.UNITS)


def unit(name: str) -> Unit:
    """The unit whose topic (``"perceptron"``) or assignment id (``"01_perceptron"``) is ``name``."""
    for candidate in units():
        if name in (candidate.topic, candidate.assignment):
            return candidate
    known = ", ".join(u.assignment for u in units())
    raise KeyError("no assignment unit %r in reference/units.py (units: %s)" % (name, known))


def get_check(check_id: str):
    """The check ``"<topic>.<name>"``: ``<name>`` in the ``CHECKS`` of unit ``<topic>``."""
    topic, _, name = check_id.partition(".")
    if not topic or not name:
        raise KeyError("a check id looks like 'topic.name', got %r" % check_id)
    return unit(topic).check(check_id)


def all_checks(topic: str) -> list:
    return unit(topic).checks()


def midterm_exam(root: Path):
    """The course's midterm, ``EXAM`` in ``<root>/reference/midterm/checks.py``."""
    use_course(root)
    from reference.midterm import load_exam

    return load_exam()
