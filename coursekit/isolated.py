"""Run a check a second time, in a fresh grader-owned process where numpy *raises* on overflow.

Some properties cannot be judged from what a function returns inside the student's
kernel: *numerical stability* of a sigmoid, for instance, shows only as floating-point
overflow, and anything the kernel reports about overflow (warnings, ``np.seterr``) the
student's own code can silence (``with np.errstate(over="ignore")`` inside the function).

A check built with ``Check(..., isolated=True)`` is therefore also run here, after the
kernel: a fresh process in the sandbox (:func:`coursekit.sandbox.run_sandboxed`) that

1. before any student code, replaces the usual switches, wherever numpy and ``warnings``
   bind them, with guards: called from the notebook's code (anything not compiled from a
   file of the Python installation: the standard library, site-packages), ``np.errstate``
   is a context manager (and decorator) that changes nothing, ``np.seterr`` and
   ``np.seterrcall`` return the current settings and change nothing, and
   ``warnings.filterwarnings`` / ``simplefilter`` / ``resetwarnings`` / ``catch_warnings``
   do nothing (``catch_warnings(record=True)`` yields a list that stays empty). Called from a
   library (scipy silencing an overflow it handles itself, torch importing), they work as
   usual, so a library function that is warning-free in a normal interpreter stays so;
2. runs the notebook's code cells before the test cell (answers and set-up; test cells are
   left out) with numpy's default error handling, so a demonstration that overflows only
   prints a warning, as it would in the kernel;
3. then sets numpy to **raise** ``FloatingPointError`` on overflow, invalid and division by
   zero (underflow, exp(-1000) = 0, is what a stable sigmoid relies on) and turns every
   ``RuntimeWarning`` into an error, and runs the check's probe on the same cases, printing
   each result. ``math.exp`` and ``float ** float`` raise ``OverflowError`` by themselves.

The grader judges those results with the check's own judge: a case passes only if it
passes in the kernel *and* here, so a naive ``1 / (1 + np.exp(-z))`` fails whatever it sets
inside, while ``scipy.special.expit``, ``torch.sigmoid`` (neither reports an overflow) and the
stable numpy formulas keep their points. An audit hook refuses ``sys.settrace`` /
``sys.setprofile`` (a trace function could rewrite the probe's local variables).

What this does NOT stop (a deliberate cheat, not a mistake): Python can reach past the
guards, e.g. numpy's internal error state (``numpy._core._ufunc_config``'s context
variable), rebinding ``warnings.filters``, a code object compiled under a site-packages
file name, a library routine that calls ``np.errstate`` on the student's behalf, or a line
written to the descriptor the results travel through. Such code is visibly written to
dodge the check and is left to academic-integrity review; the check judges honest code.
Python floats and torch tensors overflow to ``inf`` silently (nothing is reported), so they
are judged by their values only, as in the kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from coursekit import harness
from coursekit.sandbox import Limits, sandbox_problem

#: Prepared before any student code runs (plain text: not formatted).
_GUARDS = r'''
import contextlib as _contextlib, json as _json, os as _os, sys as _sys, sysconfig as _sysconfig
import warnings as _warnings
import numpy as _np

_results = _os.fdopen(_os.dup(1), "w")
_dirs = [p for k, p in _sysconfig.get_paths().items() if k in ("stdlib", "platstdlib", "purelib", "platlib")]
_dirs.append(_os.path.dirname(_os.path.dirname(_np.__file__)))
_TRUSTED = tuple({_os.path.join(f(p), "") for p in _dirs for f in (str, _os.path.realpath)}) + ("<frozen ",)

def _from_library(depth=2):
    """True when the function calling the guard was compiled from a file of the installation."""
    return _sys._getframe(depth).f_code.co_filename.startswith(_TRUSTED)

class _Inert(_contextlib.ContextDecorator):
    def __init__(self, *args, record=False, **kwargs):
        self._record = record
    def __enter__(self):
        return [] if self._record else None
    def __exit__(self, *exc):
        return False

def _guard(real, inert):
    """``real`` for callers from the installation, ``inert`` for the notebook's code."""
    if isinstance(real, type):  # stays a class: libraries may subclass or isinstance it
        class guarded(real):
            def __new__(cls, *args, **kwargs):
                if _from_library():  # a subclass the notebook defines is the notebook's code too
                    return object.__new__(cls)
                return inert(*args, **kwargs)
        guarded.__qualname__ = real.__qualname__
    else:
        def guarded(*args, **kwargs):
            if _from_library():
                return real(*args, **kwargs)
            return inert(*args, **kwargs)
    guarded.__name__, guarded.__doc__, guarded.__module__ = real.__name__, real.__doc__, real.__module__
    return guarded

_REAL_SETERR, _REAL_SETERRCALL = _np.seterr, _np.seterrcall
_np_guards = {_np.errstate: _guard(_np.errstate, _Inert),
              _np.seterr: _guard(_np.seterr, lambda *a, **k: _np.geterr()),
              _np.seterrcall: _guard(_np.seterrcall, lambda *a, **k: _np.geterrcall())}
for _name, _module in list(_sys.modules.items()):
    if _name == "numpy" or _name.startswith("numpy."):
        for _attr in ("errstate", "seterr", "seterrcall"):
            _value = getattr(_module, _attr, None)
            if any(_value is real for real in _np_guards):
                setattr(_module, _attr, _np_guards[_value])
_REAL_FILTERWARNINGS = _warnings.filterwarnings
_warnings.filterwarnings = _guard(_warnings.filterwarnings, lambda *a, **k: None)
_warnings.simplefilter = _guard(_warnings.simplefilter, lambda *a, **k: None)
_warnings.resetwarnings = _guard(_warnings.resetwarnings, lambda *a, **k: None)
_warnings.catch_warnings = _guard(_warnings.catch_warnings, _Inert)

def _hook(event, args):
    if event in ("sys.setprofile", "sys.settrace"):
        raise PermissionError("blocked while the grader checks stability: %s" % event)

_sys.addaudithook(_hook)
_null = open(_os.devnull, "w")
_os.dup2(_null.fileno(), 1)
_os.dup2(_null.fileno(), 2)
_sys.stdout = _sys.stderr = _null
'''

_SCRIPT = '''\
_ns = {{"__name__": "__main__"}}
for _cell in _json.loads({cells!r}):
    try:
        exec(compile(_cell, "<notebook cell>", "exec"), _ns)
    except BaseException:
        pass  # as in the kernel: a failing cell does not stop the next
_REAL_SETERR(over="raise", invalid="raise", divide="raise", under="ignore")
_REAL_SETERRCALL(None)
_REAL_FILTERWARNINGS("error", category=RuntimeWarning)
_wire = {{"__name__": "coursekit_wire"}}
exec({wire_source!r}, _wire)
_probe_ns = {{"FUNCTION": {function!r}}}
exec({probe_source!r}, _probe_ns)
for _case in _json.loads({cases!r}):
    try:
        _line = {{"value": _wire["encode"](_probe_ns["probe"](_ns, *_wire["decode"](_case["args"]),
                                                             **_wire["decode"](_case["kwargs"])))}}
    except BaseException as _error:
        _line = {{"raised": [c.__name__ for c in type(_error).__mro__], "message": str(_error)[:300]}}
    _results.write(_json.dumps(_line) + "\\n")
    _results.flush()
_os._exit(0)
'''


def notebook_code(nb, before: int) -> list[str]:
    """Sources of the code cells before cell ``before`` that are not test cells (answers, set-up)."""
    from nbgrader import utils

    sources = []
    for cell in nb.cells[:before]:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if utils.is_grade(cell) and not utils.is_solution(cell):
            continue  # a test cell: its asserts are not the student's code
        sources.append("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    return sources


def script(check, cells: list[str], cases: list[dict]) -> str:
    return _GUARDS + _SCRIPT.format(cells=json.dumps(cells),
                          wire_source=harness._WIRE_SOURCE, function=check.function,
                          probe_source=textwrap.dedent(check.probe or harness.DEFAULT_PROBE),
                          cases=json.dumps(cases, allow_nan=False))


#: What the fresh process may print (results of every case); the rest is not read into memory.
MAX_OUTPUT_BYTES = 32 << 20
FLOODED = "flooded"


def _bounded(command: list[str], *, cwd: str, env: dict, timeout: float) -> tuple[int | None, str]:
    """Run ``command``; keep at most :data:`MAX_OUTPUT_BYTES` of its stdout (student code can
    write there too); None as the status when it ran out of time or printed too much."""
    import selectors
    import time

    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    chunks, size, deadline = [], 0, time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while size <= MAX_OUTPUT_BYTES and time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
                continue
            chunk = os.read(process.stdout.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    if process.poll() is None:
        try:
            status = process.wait(timeout=max(0.0, deadline - time.monotonic()) if size <= MAX_OUTPUT_BYTES else 0)
        except subprocess.TimeoutExpired:
            status = None
        if status is None:
            process.kill()
            process.wait()
    else:
        status = process.returncode
    process.stdout.close()
    if size > MAX_OUTPUT_BYTES:
        return FLOODED, ""
    return status, b"".join(chunks).decode("utf-8", "replace")


def _run(source: str, workdir: str | None, limits: Limits, timeout: float) -> tuple[int | None, str]:
    command = [sys.executable, "-I", "-c", source]
    if sandbox_problem() is not None:  # unsandboxed grading was allowed: the kernel ran as the grader too
        return _bounded(command, cwd=workdir or "/", env={"PATH": os.environ.get("PATH", "")}, timeout=timeout)
    import shutil
    import tempfile

    from coursekit.sandbox import UidLease, _fresh_prefix, bwrap_command, prepare_private_dir, runtime_dir

    lease = UidLease()
    private_dir = tempfile.mkdtemp(prefix=_fresh_prefix("c", lease.uid), dir=runtime_dir())
    try:
        os.chmod(private_dir, 0o711)
        prepare_private_dir(private_dir, lease.uid)
        argv = bwrap_command(command, private_dir=private_dir, uid=lease.uid, limits=limits, workdir=workdir)
        return _bounded(argv, cwd="/", env={}, timeout=timeout)
    finally:
        shutil.rmtree(private_dir, ignore_errors=True)
        lease.release()


def run(check, groups, cells: list[str], workdir: str | None = None, limits: Limits = Limits()) -> list[dict]:
    """One result per case (``{"value"}``, ``{"raised", "message"}``) from fresh processes. A case
    during which the process ended (``os._exit``, a crash) or ran out of time fails; the cases
    after it run in a new process."""
    cases = [case.encoded() for group in groups for case in group.cases]
    results: list[dict] = []
    while len(results) < len(cases):
        remaining = cases[len(results):]
        status, out = _run(script(check, cells, remaining), workdir, limits,
                           timeout=30 + check.timeout * len(remaining))
        if status == FLOODED:  # not one case's fault: every remaining case fails, without more processes
            results += [{"raised": ["OutputFlood", "Exception"], "message": "the process checking stability wrote "
                         "more than %d MiB; it was stopped" % (MAX_OUTPUT_BYTES >> 20)}] * len(remaining)
            break
        lines = out.splitlines()
        for line in lines[:len(remaining)]:
            try:
                result = json.loads(line)
            except ValueError:
                result = None
            if not isinstance(result, dict):
                result = {"raised": ["MalformedResult"], "message": "the stability check's output was unreadable"}
            results.append(result)
        if len(lines) >= len(remaining):
            break
        if status is None:
            why = ("Timeout", "the stability check of this case ran out of time")
        else:
            why = ("ProcessEnded", "the process running this case ended (status %s) before it returned" % status)
        results.append({"raised": [why[0], "Exception"], "message": why[1]})
    return results[:len(cases)]
