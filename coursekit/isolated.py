"""Run a check a second time, in a fresh grader-owned process that student code cannot switch off.

Some properties cannot be judged from what a function returns inside the student's
kernel: *numerical stability* of a sigmoid, for instance, shows only as floating-point
overflow, and anything the kernel reports about overflow (warnings, ``np.seterr``) the
student's own code can silence (``with np.errstate(over="ignore")`` inside the function).

A check built with ``Check(..., isolated=True)`` is therefore also run here, after the
kernel: a fresh process in the sandbox (:func:`coursekit.sandbox.run_sandboxed`) that

1. turns on the processor's **trap on floating-point overflow** (``feenableexcept``)
   before any student code runs, so an overflow anywhere (numpy, ``math``, float32)
   kills the process with ``SIGFPE``: ``np.errstate``, ``warnings`` filters and
   ``np.seterr`` only change what numpy *reports*, never the trap;
2. installs an audit hook (it cannot be removed) refusing every ``ctypes`` call but the
   one that turns traps *on*, imports of ``cffi``, opening ``/proc/*/mem``, and changes to
   the hook itself, so the trap cannot be turned off from Python;
3. runs the notebook's code cells before the test cell (answers and set-up; test cells
   are left out), then the check's probe on the same cases, printing each result.

The grader judges those results with the check's own judge: a case passes only if it
passes in the kernel *and* here. The results travel through the process's output,
which the student's code could write to; but forging one means computing the right
value with the trap on, which is what a stable function does. A process killed by
``SIGFPE`` fails the case it was running ("overflowed"); the remaining cases run in a
new process. Where the processor cannot trap overflow (``feenableexcept`` fails) the
kernel's verdict stands alone and the log says so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from coursekit import harness
from coursekit.sandbox import Limits, sandbox_problem

#: x86-64 ``FE_OVERFLOW`` (fenv.h); ``feenableexcept`` returns -1 where traps are unsupported.
FE_OVERFLOW = 0x08
TRAPS_UNAVAILABLE = "traps-unavailable"

_SCRIPT = '''\
import ctypes as _ctypes, json as _json, os as _os, sys as _sys
_libm = _ctypes.CDLL("libm.so.6")
_enable = _libm.feenableexcept
_results = _os.fdopen(_os.dup(1), "w")
if _enable({trap}) == -1:
    _results.write("{unavailable}\\n"); _results.flush(); _os._exit(0)
_allowed = _ctypes.cast(_enable, _ctypes.c_void_p).value

def _guard(event, args, _allowed=_allowed):
    if event == "ctypes.call_function" and args and args[0] == _allowed:
        return  # turning traps on again is harmless
    if event.startswith("ctypes.") or event in ("sys.setprofile", "sys.settrace"):
        raise PermissionError("blocked while the grader checks stability: %s" % event)
    if event == "import" and args and str(args[0]).split(".")[0] in ("cffi", "_cffi_backend"):
        raise PermissionError("blocked while the grader checks stability: import %s" % args[0])
    if event == "open" and args and isinstance(args[0], (str, bytes)) and str(args[0]).endswith("/mem"):
        raise PermissionError("blocked while the grader checks stability: open %s" % args[0])
    if event == "object.__setattr__" and args and args[0] is _guard:
        raise PermissionError("blocked while the grader checks stability")

_sys.addaudithook(_guard)
_null = open(_os.devnull, "w")
_os.dup2(_null.fileno(), 1)
_os.dup2(_null.fileno(), 2)
_sys.stdout = _sys.stderr = _null
_ns = {{"__name__": "__main__"}}
for _cell in _json.loads({cells!r}):
    try:
        exec(compile(_cell, "<notebook cell>", "exec"), _ns)
    except BaseException:
        pass  # as in the kernel: a failing cell does not stop the next
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
    return _SCRIPT.format(trap=FE_OVERFLOW, unavailable=TRAPS_UNAVAILABLE, cells=json.dumps(cells),
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


def run(check, groups, cells: list[str], workdir: str | None = None, limits: Limits = Limits()) -> list[dict] | str:
    """One result per case (``{"value"}``, ``{"raised", "message"}``) from fresh trapped processes,
    or :data:`TRAPS_UNAVAILABLE`. A process killed by SIGFPE reports ``FloatingPointOverflow``
    for the case it was running; the cases after it run in a new process."""
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
        if lines[:1] == [TRAPS_UNAVAILABLE]:
            return TRAPS_UNAVAILABLE
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
        if status in (-signal.SIGFPE, 128 + signal.SIGFPE):
            why = ("FloatingPointOverflow", "a float overflowed (e.g. exp of a large number) while the grader ran "
                   "this case with overflow trapped; np.errstate or warning filters cannot hide that")
        elif status is None:
            why = ("Timeout", "the stability check of this case ran out of time")
        else:
            why = ("ProcessEnded", "the process running this case ended (status %s) before it returned" % status)
        results.append({"raised": [why[0], "Exception"], "message": why[1]})
    return results[:len(cases)]
