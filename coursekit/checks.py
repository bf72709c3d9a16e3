"""The hidden-test framework: cases, groups, checks, and the verdict.

A *check* tests one graded behaviour (usually one student function). For each grading
run it draws fresh *cases* (inputs) from a seeded generator, grouped into *case groups*
("scalars", "arrays", "invalid input", ...). The student's kernel only evaluates the
student's code on those inputs (see :mod:`coursekit.harness`); back in the grader's
process, the check calls the reference implementation on the same inputs and compares.

Scoring: a group passes when every case in it passes; the cell earns
``points * (weight of passed groups) / (total weight)``. The message names each group's
verdict and, for the first failing case of each failing group, the call, the expected
value and what came back (never the reference code).

Checks live in each assignment unit's ``reference/<topic>/checks.py`` as a module-level list
``CHECKS``; :func:`coursekit.registry.get_check` finds them by id (``"<topic>.<name>"``).
This module imports nothing from ``reference`` (units import it: no cycle).
"""

from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from coursekit import harness, wire

#: Default tolerances for float comparisons, for float64 work: results computed by a
#: different but correct formula agree to ~1e-12, and 1e-6 relative still catches every
#: formula error we know of. A check that accepts float32 implementations (torch code)
#: must raise ``atol`` too: float32 sums that cancel towards zero miss 1e-9 absolute.
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9

#: How long one case may run in the student's kernel before it counts as failed.
DEFAULT_CASE_TIMEOUT_S = 10.0


# --------------------------------------------------------------------------- cases

@dataclass
class Case:
    """One call: positional and keyword arguments, and how to show it to a student."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    #: Optional text replacing the automatic description of the call.
    label: str | None = None

    def describe(self, function: str) -> str:
        if self.label:
            return self.label
        # Inputs are shown in full up to 64 numbers, so a student can rerun the failing case.
        def show(value):
            return short_repr(value, limit=1500, items=64, precision=10)
        parts = [show(a) for a in self.args]
        parts += ["%s=%s" % (k, show(v)) for k, v in self.kwargs.items()]
        return "%s(%s)" % (function, ", ".join(parts))

    def encoded(self) -> dict:
        return {"args": wire.encode(tuple(self.args)), "kwargs": wire.encode(dict(self.kwargs))}


@dataclass
class Group:
    """Cases that pass or fail together, for partial credit."""

    name: str
    cases: list[Case]
    weight: float = 1.0


@dataclass
class Outcome:
    """What a call did: returned ``value``, or raised (``raised`` lists the exception's MRO names)."""

    value: Any = None
    raised: list[str] | None = None
    message: str = ""

    @classmethod
    def from_wire(cls, result: dict) -> "Outcome":
        if "raised" in result:  # sent by the kernel: bounded before it reaches messages and reports
            raised = [str(name)[:100] for name in list(result["raised"])[:64]]
            return cls(raised=raised or ["Exception"], message=str(result.get("message", ""))[:1000])
        return cls(value=wire.decode(result["value"]))

    def describe(self) -> str:
        if self.raised:
            return "raised %s: %s" % (self.raised[0], self.message) if self.message else "raised %s" % self.raised[0]
        return short_repr(self.value)


@dataclass
class Partial:
    """A judge's verdict worth part of a case: ``score`` in [0, 1] and a message for the student.

    For graded quantities rather than right/wrong answers (a model's ROC AUC in tiers,
    a multiple-choice question with some options right).
    """

    score: float
    message: str


@dataclass
class CaseVerdict:
    case: Case
    passed: bool
    message: str = ""
    #: 1.0 for a pass, 0.0 for a fail, in between for a :class:`Partial` verdict.
    score: float = 1.0


@dataclass
class GroupVerdict:
    group: Group
    cases: list[CaseVerdict]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    @property
    def score(self) -> float:
        """A group is worth its weakest case."""
        return min(c.score for c in self.cases)

    @property
    def first_failure(self) -> CaseVerdict | None:
        return next((c for c in self.cases if not c.passed), None)


@dataclass
class Verdict:
    """The grader's decision on one check."""

    check_id: str
    groups: list[GroupVerdict]
    problem: str = ""  # set when results were missing or tampered with

    @property
    def fraction(self) -> float:
        if self.problem:
            return 0.0
        total = sum(g.group.weight for g in self.groups)
        earned = sum(g.group.weight * g.score for g in self.groups)
        return earned / total if total else 0.0

    def lines(self) -> list[str]:
        """A short report for the student, one line per group."""
        if self.problem:
            return [self.problem]
        out = []
        for g in self.groups:
            n = len(g.cases)
            if g.passed:
                out.append("PASS  %s (%d case%s)" % (g.group.name, n, "" if n == 1 else "s"))
                # A Partial verdict at full credit still has something to say (e.g. the AUC reached).
                out.extend("      %s" % c.message for c in g.cases if c.message)
            elif g.score > 0:
                out.append("PART  %s (%.0f%% of its credit)" % (g.group.name, 100 * g.score))
                out.append("      %s" % g.first_failure.message)
            else:
                failed = sum(not c.passed for c in g.cases)
                out.append("FAIL  %s (%d of %d cases failed)" % (g.group.name, failed, n))
                out.append("      first failure: %s" % g.first_failure.message)
        return out


# --------------------------------------------------------------------------- comparing

def short_repr(value: Any, limit: int = 160, items: int = 12, precision: int = 6) -> str:
    """A one-line repr for messages: arrays up to ``items`` numbers in full, longer ones
    abbreviated; text longer than ``limit`` cut in the middle."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=precision, threshold=items, edgeitems=3, linewidth=10_000):
            body = np.array2string(value, separator=", ")
        default = value.dtype in (np.dtype(float), np.dtype(int))
        text = "array(%s)" % body if default else "array(%s, dtype=%s)" % (body, value.dtype)
    elif wire.is_opaque(value):
        text = "<%s: %s>" % (value["__opaque__"]["type"], value["__opaque__"]["repr"])
    else:
        try:
            text = repr(value)
        except ValueError:  # an int beyond Python's 4300-digit printing limit
            text = "<an int of about %d digits>" % int(abs(value).bit_length() * 0.30103 + 1) \
                if isinstance(value, int) else "<unprintable %s>" % type(value).__name__
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit // 2 - 2] + " ... " + text[-(limit // 2 - 3):]
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, (bool, int, float, np.integer, np.floating, np.bool_))


def compare(expected: Any, got: Any, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
            strict_types: bool = False, path: str = "") -> str | None:
    """Compare a reference value with a student's; ``None`` if they agree, else why not.

    - numbers: ``|got - expected| <= atol + rtol * |expected|``; nan equals nan, inf its own sign.
      With ``strict_types`` an int result must be an int (not 5.0) and a bool a bool.
    - arrays: same shape (a 0-d array counts as a number), then element-wise as numbers.
    - tuples and lists: same length, element-wise (a list is accepted for a tuple).
    - dicts: same keys, value-wise.  Strings and None: equal.
    """
    where = " at %s" % path if path else ""
    if wire.is_opaque(got):
        return "expected %s%s, got %s" % (_kind(expected), where, short_repr(got))
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray):
            if isinstance(got, (list, tuple)):
                try:
                    got = np.asarray(got, dtype=float)
                except (TypeError, ValueError):
                    return "expected an array of shape %s%s, got %s" % (expected.shape, where, short_repr(got))
            else:
                return "expected an array of shape %s%s, got %s" % (expected.shape, where, short_repr(got))
        if got.shape != expected.shape:
            return "expected shape %s%s, got shape %s" % (expected.shape, where, got.shape)
        if got.dtype.kind not in "biuf":
            return "expected numbers%s, got an array of dtype %s" % (where, got.dtype)
        expected_f = expected.astype(float)
        got_f = got.astype(float)
        close = np.isclose(got_f, expected_f, rtol=rtol, atol=atol, equal_nan=True)
        if not close.all():
            index = tuple(int(i) for i in np.argwhere(~close)[0])
            return "value differs at %s[%s]: expected %s, got %s (%d of %d elements differ)" % (
                path, ", ".join(map(str, index)), _number(expected[index]), _number(got[index]),
                int((~close).sum()), close.size)
        return None
    if isinstance(expected, np.ndarray):  # 0-d
        expected = expected.item()
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got.item()
    if isinstance(expected, (bool, np.bool_)):
        if strict_types and not isinstance(got, (bool, np.bool_)):
            return "expected a bool%s, got %s" % (where, short_repr(got))
        if not _is_number(got) or bool(got) != bool(expected) or float(got) not in (0.0, 1.0):
            return "expected %r%s, got %s" % (bool(expected), where, short_repr(got))
        return None
    if _is_number(expected):
        if not _is_number(got):
            return "expected a number%s, got %s" % (where, short_repr(got))
        if strict_types and isinstance(expected, (int, np.integer)) and not isinstance(got, (int, np.integer)):
            return "expected an int%s, got %s (%s)" % (where, short_repr(got), type(got).__name__)
        try:
            e, g = float(expected), float(got)
        except OverflowError:  # an int beyond float range (10**400): compare exactly, as ints
            if isinstance(got, (int, np.integer)) and isinstance(expected, (int, np.integer)) and int(got) == int(expected):
                return None
            return "expected %s%s, got %s" % (_number(expected), where, _huge(got))
        if math.isnan(e) or math.isnan(g):
            agree = math.isnan(e) and math.isnan(g)
        elif math.isinf(e) or math.isinf(g):
            agree = e == g
        else:
            agree = abs(g - e) <= atol + rtol * abs(e)
        return None if agree else "expected %s%s, got %s" % (_number(expected), where, _number(got))
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return "expected a %s of length %d%s, got %s" % (type(expected).__name__, len(expected), where,
                                                             short_repr(got))
        if len(got) != len(expected):
            return "expected a %s of length %d%s, got length %d" % (type(expected).__name__, len(expected),
                                                                  where, len(got))
        for i, (e, g) in enumerate(zip(expected, got)):
            why = compare(e, g, rtol=rtol, atol=atol, strict_types=strict_types, path="%s[%d]" % (path, i))
            if why:
                return why
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return "expected a dict with keys %s%s, got %s" % (sorted(expected), where, short_repr(got))
        for key in expected:
            why = compare(expected[key], got[key], rtol=rtol, atol=atol, strict_types=strict_types,
                          path="%s[%r]" % (path, key))
            if why:
                return why
        return None
    if expected != got:
        return "expected %s%s, got %s" % (short_repr(expected), where, short_repr(got))
    return None


def _huge(value: Any) -> str:
    """An int too large for a float, shown by its size rather than its thousands of digits."""
    if isinstance(value, (int, np.integer)) and abs(int(value)) > 10**30:
        return "an int of about %d digits (too large for a float)" % int(abs(int(value)).bit_length() * 0.30103 + 1)
    return short_repr(value)


def _number(value: Any) -> str:
    """A number as a student would write it: 1, 0.25, nan (no numpy type names)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return "an array of shape %s" % (value.shape,)
    return "a %s" % type(value).__name__


# --------------------------------------------------------------------------- checks

CaseMaker = Callable[[np.random.Generator], Sequence[Group]]


class Check:
    """One hidden test.

    Parameters
    ----------
    check_id:
        ``"<topic>.<name>"``, the id a notebook's directive names.
    function:
        Name of the student's function (what the default probe calls, and how cases are shown).
    reference:
        The reference callable, called with each case's arguments in the grader's process.
        With a custom ``probe`` it must take the same arguments as the probe (minus ``ns``)
        and return what a correct probe returns.
    make_groups:
        ``rng -> [Group, ...]``: draws this run's cases. Must use only ``rng`` for randomness.
        With ``uses_context=True`` it is called as ``make_groups(rng, context)``, where
        ``context`` holds ``student``, ``assignment`` and ``notebook`` (e.g. a midterm
        question whose variant depends on the student).
    probe:
        Source of ``def probe(ns, *args, **kwargs)`` run in the kernel; ``ns`` holds the
        student's globals. It must only call student code. Default: call ``ns[function]``.
    judge:
        Optional ``(case, expected Outcome, got Outcome) -> None | str | Partial`` replacing the
        default comparison: ``None`` passes, a string fails with that message, a
        :class:`Partial` earns part of the case's credit.
    rtol, atol, strict_types:
        Passed to :func:`compare` by the default judge.
    timeout:
        Seconds one case may run in the kernel.
    kernel_files:
        Optional ``groups -> {name: bytes}``: files the kernel needs for this run (e.g. the
        hidden ECG signals, never their labels). The grader writes them into
        ``.coursekit/`` beside the notebook before the kernel starts and deletes them after;
        a probe reads them from ``".coursekit/<name>"``.
    """

    def __init__(self, check_id: str, function: str, reference: Callable, make_groups: CaseMaker, *,
                 probe: str | None = None, judge: Callable | None = None, rtol: float = DEFAULT_RTOL,
                 atol: float = DEFAULT_ATOL, strict_types: bool = False,
                 timeout: float = DEFAULT_CASE_TIMEOUT_S, description: str = "", uses_context: bool = False,
                 kernel_files: Callable | None = None, isolated: bool = False):
        self.id = check_id
        self.function = function
        self.reference = reference
        self.make_groups = make_groups
        self.probe = probe
        self.custom_judge = judge
        self.rtol, self.atol, self.strict_types = rtol, atol, strict_types
        self.timeout = timeout
        self.description = description
        self.uses_context = uses_context
        self.kernel_files = kernel_files
        #: Also run in a fresh grader-owned process where numpy raises on overflow
        #: (:mod:`coursekit.isolated`); a case must pass there too.
        self.isolated = isolated

    def __repr__(self) -> str:
        return "Check(%r)" % self.id

    # -- the grader's side
    def groups(self, seed: int, context: dict | None = None) -> list[Group]:
        rng = np.random.default_rng(seed)
        if self.uses_context:
            groups = list(self.make_groups(rng, dict(context or {})))
        else:
            groups = list(self.make_groups(rng))
        if not groups or any(not g.cases for g in groups):
            raise ValueError("check %s made an empty group" % self.id)
        return groups

    def kernel_source(self, groups: list[Group]) -> str:
        """The code that replaces this check's directive in a hidden test cell."""
        cases = [case.encoded() for g in groups for case in g.cases]
        return harness.cell_source(self.id, self.function, self.probe, cases, self.timeout)

    def expected(self, case: Case) -> Outcome:
        # Round-trip the inputs through the wire so the reference sees exactly what the
        # student's code saw (same dtypes), and copy so it cannot alter the case.
        args = wire.decode(wire.encode(copy.deepcopy(tuple(case.args))))
        kwargs = wire.decode(wire.encode(copy.deepcopy(dict(case.kwargs))))
        try:
            value = self.reference(*args, **kwargs)
        except Exception as error:
            return Outcome(raised=[c.__name__ for c in type(error).__mro__], message=str(error))
        return Outcome(value=wire.decode(wire.encode(value)))

    def judge(self, case: Case, expected: Outcome, got: Outcome) -> str | None:
        if self.custom_judge is not None:
            return self.custom_judge(case, expected, got)
        return default_judge(expected, got, rtol=self.rtol, atol=self.atol, strict_types=self.strict_types)

    def score(self, groups: list[Group], payload: dict | None, isolated: list[dict] | None = None) -> Verdict:
        """Judge the kernel's ``payload`` (``{"check", "results"}``) against the reference.

        ``isolated``: one wire result per case from :func:`coursekit.isolated.run`; a case
        that passes in the kernel must pass there too.
        """
        cases = [case for g in groups for case in g.cases]
        if payload is None:
            return Verdict(self.id, [], problem="The hidden check did not report any result "
                                                "(did the cell stop early, or was the kernel restarted?).")
        results = payload.get("results") if isinstance(payload, dict) else None
        if (not isinstance(payload, dict) or payload.get("check") != self.id or not isinstance(results, list)
                or len(results) != len(cases)):
            return Verdict(self.id, [], problem="The hidden check's results were incomplete or altered; "
                                                "no points for this check.")
        verdicts, i = [], 0
        for group in groups:
            case_verdicts = []
            for case in group.cases:
                try:
                    got = Outcome.from_wire(results[i])
                except Exception:
                    got = Outcome(raised=["MalformedResult"], message="the result could not be read")
                try:
                    label = case.describe(self.function)
                except Exception:  # describing the inputs must not cost the verdict
                    label = "%s(...)" % self.function
                try:
                    why = self.judge(case, self.expected(case), got)
                    if isinstance(why, Partial):
                        score = float(why.score)
                        score = min(max(score, 0.0), 1.0) if math.isfinite(score) else 0.0
                except Exception as error:
                    # One case the grader cannot judge (an int of 400 digits, a value no comparison
                    # expected) costs that case, never the whole submission.
                    why = "the grader could not judge what came back (%s: %s)" % (
                        type(error).__name__, str(error)[:200])
                if isolated is not None and (why is None or (isinstance(why, Partial) and score > 0)):
                    again = self._judge_isolated(case, isolated[i] if i < len(isolated) else None)
                    if again:
                        why = ("checked again in a fresh process where numpy raises on overflow (np.errstate, "
                               "np.seterr and warning filters change nothing there): %s" % again)
                if isinstance(why, Partial):
                    case_verdicts.append(CaseVerdict(case, score >= 1.0, "%s: %s" % (label, why.message), score))
                elif why is None:
                    case_verdicts.append(CaseVerdict(case, True))
                else:
                    case_verdicts.append(CaseVerdict(case, False, "%s: %s" % (label, why), 0.0))
                i += 1
            verdicts.append(GroupVerdict(group, case_verdicts))
        return Verdict(self.id, verdicts)

    def _judge_isolated(self, case: Case, result: dict | None) -> str | None:
        try:
            got = Outcome.from_wire(result) if isinstance(result, dict) else None
        except Exception:
            got = None
        if got is None:
            return "no result could be read"
        try:
            why = self.judge(case, self.expected(case), got)
        except Exception as error:
            return "the grader could not judge what came back (%s)" % type(error).__name__
        if isinstance(why, Partial):
            return None if why.score >= 1.0 else why.message
        return why

    def run_locally(self, namespace: dict, seed: int = 0, context: dict | None = None) -> Verdict:
        """Grade the functions in ``namespace`` in this process (for the kit's own tests)."""
        groups = self.groups(seed, context)
        cases = [case.encoded() for g in groups for case in g.cases]
        source = harness.check_source(self.id, self.function, self.probe, cases, self.timeout)
        if not self.kernel_files:
            return self.score(groups, harness.run_in_namespace(source, namespace))
        import os
        import tempfile
        here = os.getcwd()
        with tempfile.TemporaryDirectory() as folder:
            write_kernel_files(self, groups, Path(folder))
            os.chdir(folder)
            try:
                return self.score(groups, harness.run_in_namespace(source, namespace))
            finally:
                os.chdir(here)


#: Folder, beside the notebook being graded, that holds a check's kernel files.
KERNEL_FILES_DIR = ".coursekit"


def write_kernel_files(check: Check, groups: list[Group], notebook_dir: Path) -> list[Path]:
    """Write ``check.kernel_files(groups)`` under ``notebook_dir/.coursekit``; returns the paths."""
    if not check.kernel_files:
        return []
    folder = notebook_dir / KERNEL_FILES_DIR
    folder.mkdir(exist_ok=True)
    written = []
    for name, content in check.kernel_files(groups).items():
        if "/" in name or name.startswith("."):
            raise ValueError("kernel file names are plain names, got %r" % name)
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written


def default_judge(expected: Outcome, got: Outcome, **tolerances: Any) -> str | None:
    """Same exception family when the reference raises; else :func:`compare` on values."""
    if expected.raised:
        wanted = expected.raised[0]
        if got.raised is None:
            return "expected %s to be raised, got %s" % (wanted, short_repr(got.value))
        if wanted not in got.raised:
            return "expected %s, got %s" % (wanted, got.describe())
        return None
    if got.raised:
        return "expected %s, but it %s" % (short_repr(expected.value), got.describe())
    return compare(expected.value, got.value, **tolerances)


# --------------------------------------------------------------------------- seeds

def derive_seed(*parts: str) -> int:
    """A 63-bit seed from strings (secret, assignment, student, check id)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1
