"""What an assignment unit declares: its manifest, and the entries of its catalogues.

Every assignment is one package under ``reference/`` (see ``docs/units.md``)::

    reference/<topic>/__init__.py   UNIT = Unit(...)          the manifest (this module's Unit)
    reference/<topic>/solution.py   the reference solution    (the notebook's solution cells)
    reference/<topic>/checks.py     CHECKS = [Check(...)]      the hidden checks
    reference/<topic>/wrong.py      MUTANTS = [Mutant(...)]    wrong implementations, each loses points
    reference/<topic>/correct.py    ALTERNATIVES = [Alternative(...)]  correct ones, each keeps every point

and ``reference/units.py`` lists the units in assignment order. The manifest holds no heavy
import: ``Unit(..., **unit_modules(__name__))`` gives it ``load_*`` functions that import the
unit's own modules (the table ``UNIT_MODULES``) only when they are needed (the capstone's import
torch).

This module is the bottom layer: it imports nothing from ``reference`` (``coursekit.registry``
is the one module that does), so units can import it without an import cycle.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Mutant:
    """A wrong implementation students really write, named after its fault.

    ``source`` defines the faulty function(s) (complete ``def`` statements, numpy available
    as ``np``; executed over the reference solution's namespace, so a faulty ``predict`` still
    calls the reference ``step``); ``check`` is the id of the hidden check that must catch it:
    it loses points in that check on every grading seed.
    """

    name: str
    check: str
    source: str

    def __str__(self) -> str:  # readable pytest ids
        return self.name


@dataclass(frozen=True)
class Alternative:
    """A correct implementation written in another style (loops, other dtypes, another valid
    design), named after its style: it keeps every point of ``check`` on every grading seed.
    Same conventions as :class:`Mutant`."""

    name: str
    check: str
    source: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Submission:
    """A student of the end-to-end test (``grader_tests/test_units_notebooks.py``): the source
    notebook with each named mutant pasted over the answer cell that defines its function.

    ``scores``: grade_id -> the exact points that test cell must get (every other autograded cell
    keeps its full points); ``feedback``: grade_id -> texts the cell's verdict must show.
    """

    student: str
    mutants: tuple[str, ...]
    scores: Mapping[str, float]
    feedback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.student


#: A unit package's modules: loader -> (module file without ``.py``, the name it returns from that
#: module or None for the module itself, whether a module without that name gives ``[]``).
UNIT_MODULES = {
    "load_solution": ("solution", None, False),
    "load_checks": ("checks", "CHECKS", False),
    "load_wrong": ("wrong", "MUTANTS", False),
    "load_correct": ("correct", "ALTERNATIVES", False),
    "load_submissions": ("wrong", "SUBMISSIONS", True),
    "load_grading": ("grading", None, False),
}


def _loader(package: str, module: str, name: str | None, optional: bool) -> Callable:
    def load():
        loaded = importlib.import_module("." + module, package)
        if name is None:
            return loaded
        return getattr(loaded, name, []) if optional else getattr(loaded, name)

    load.__qualname__ = load.__name__ = "load_%s_%s" % (module, (name or "module").lower())
    return load


def unit_modules(package: str) -> dict[str, Callable]:
    """The ``load_*`` arguments of :class:`Unit` for the unit package ``package`` (pass ``__name__``).

    One loader for each module of :data:`UNIT_MODULES` the package has (``solution.py``,
    ``checks.py``, ``wrong.py``, ``correct.py``, ``grading.py``), importing it relative to the
    package only when called; a module the package lacks gives no loader (the field's default:
    ``None`` or an empty catalogue). ``grader_tests/test_units_layout.py`` counts these imports
    in the module graph, as if the manifest wrote them out.
    """
    loaders = {}
    for field_name, (module, name, optional) in UNIT_MODULES.items():
        if importlib.util.find_spec("%s.%s" % (package, module)) is not None:
            loaders[field_name] = _loader(package, module, name, optional)
    return loaders


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Unit:
    """The manifest of one assignment: what it is, what it is worth, what its text promises.

    topic:
        The package name under ``reference/`` and the prefix of its check ids
        (``# coursekit-check: <topic>.<name>`` in the notebook).
    assignment, notebook:
        nbgrader's assignment id (``"01_perceptron"``, the folder under ``source/``) and the
        notebook's file name in it (``"perceptron.ipynb"``).
    points:
        grade_id -> points of every autograded test cell, in notebook order. The notebook's
        cell metadata must say the same (a test compares them).
    manual:
        grade_id -> points of every cell a person grades (written answers).
    constants:
        name -> ``(value, phrase)`` for every number the notebook's text states that grading
        depends on (a default, a threshold); ``phrase.format(value)`` must occur in the notebook
        (markdown or code), and where the solution module defines ``name`` it must equal
        ``value``. Points need no entry: "(3 points)" beside a question and
        "Autograded: 25 points" are compared with ``points`` and ``manual`` anyway.
    load_solution, load_checks, load_wrong, load_correct, load_submissions, load_grading:
        import the unit's modules: the reference solution module, ``CHECKS``, ``MUTANTS``,
        ``ALTERNATIVES``, ``SUBMISSIONS`` (the end-to-end test's students, in ``wrong.py``), the
        hidden-AUC grading module (``grading.py``: thresholds and the stored reference AUC of a
        unit that grades a trained model on hidden data). :func:`unit_modules` makes them all
        from the package's files. ``load_solution`` is ``None`` where no single reference module
        exists (the midterm's answers come from its question bank), ``load_grading`` where the
        unit has no ``grading.py``; ``load_correct`` returns ``[]`` until a catalogue exists.
    whole_notebook_checks:
        ids of checks judged on what the whole notebook built (a trained model in a global):
        the in-process tests cannot run them on the reference functions alone; the end-to-end
        test grades them.
    training_checks:
        ids of checks whose cases train a network for seconds: correct alternatives run on 5
        grading seeds there instead of 20 (the reference itself keeps all 20).
    end_to_end:
        whether the generic tests release and autograde this assignment with real nbgrader
        (the capstone has its own, cheaper-to-share end-to-end test).
    """

    topic: str
    assignment: str
    notebook: str
    points: Mapping[str, float]
    load_checks: Callable[[], list]
    manual: Mapping[str, float] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    load_solution: Callable[[], ModuleType] | None = None
    load_wrong: Callable[[], list[Mutant]] = lambda: []
    load_correct: Callable[[], list[Alternative]] = lambda: []
    load_submissions: Callable[[], list[Submission]] = lambda: []
    load_grading: Callable[[], ModuleType] | None = None
    whole_notebook_checks: tuple[str, ...] = ()
    training_checks: tuple[str, ...] = ()
    end_to_end: bool = True

    def __post_init__(self):
        object.__setattr__(self, "points", _frozen(self.points))
        object.__setattr__(self, "manual", _frozen(self.manual))
        object.__setattr__(self, "constants", _frozen(self.constants))
        if not self.topic.isidentifier():
            raise ValueError("a unit's topic must be a Python identifier, got %r" % self.topic)
        if not self.notebook.endswith(".ipynb"):
            raise ValueError("notebook must be a .ipynb file name, got %r" % self.notebook)

    def __str__(self) -> str:  # readable pytest ids
        return self.assignment

    @property
    def notebook_name(self) -> str:
        """The notebook's name without ``.ipynb`` (nbgrader's notebook id)."""
        return self.notebook[: -len(".ipynb")]

    def source_path(self, root: Path) -> Path:
        return Path(root) / "source" / self.assignment / self.notebook

    def release_path(self, root: Path) -> Path:
        return Path(root) / "release" / self.assignment / self.notebook

    @property
    def autograded_points(self) -> float:
        return float(sum(self.points.values()))

    @property
    def total_points(self) -> float:
        return self.autograded_points + float(sum(self.manual.values()))

    def checks(self) -> list:
        return list(self.load_checks())

    def check(self, check_id: str):
        for check in self.load_checks():
            if check.id == check_id:
                return check
        raise KeyError("no check %r in reference/%s/checks.py" % (check_id, self.topic))
