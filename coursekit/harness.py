"""Code that a hidden test cell runs inside the student's kernel.

The grader replaces each ``# coursekit-check: TOPIC.NAME`` directive in a hidden test
region with the source made here. That source

1. decodes the case inputs the grader chose for this run (literal JSON in the source),
2. calls the student's functions through the check's *probe* (a few lines that only
   call student code, never reference code),
3. encodes every return value, or the exception raised, with :mod:`coursekit.wire`,
4. publishes one ``display_data`` output of MIME type :data:`RESULT_MIME`.

It contains no expected value and no reference code, so there is nothing in the kernel
for a cheating submission to read, patch or delegate to. Anything the student's code
does to the kernel (patching ``assert``, ``numpy.testing``, ``print``) can at most
change what comes back; the grader then judges it against the reference.
"""

from __future__ import annotations

import inspect
import json
import textwrap

from coursekit import wire

#: MIME type of the one output a hidden check publishes.
RESULT_MIME = "application/vnd.coursekit.check+json"

#: Characters of what student code prints during a hidden check that its output keeps.
PRINTED_LIMIT = 2000

#: The probe used when a check does not bring its own: call the named function.
DEFAULT_PROBE = """
def probe(ns, *args, **kwargs):
    if FUNCTION not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % FUNCTION)
    return ns[FUNCTION](*args, **kwargs)
"""

_WIRE_SOURCE = inspect.getsource(wire)

_TEMPLATE = '''\
# Hidden check {check_id!r}: written by the grader for this grading run. It calls your
# code on fresh inputs; the verdict is decided by the grader, outside this kernel.
def _coursekit_hidden_check(_ns, _emit=None):
    import contextlib as _contextlib, io as _io, json as _json, signal as _signal, time as _time
    _wire = {{"__name__": "coursekit_wire"}}
    exec({wire_source!r}, _wire)
    _probe_ns = {{"FUNCTION": {function!r}}}
    exec({probe_source!r}, _probe_ns)
    _probe = _probe_ns["probe"]

    class _CaseTimeout(Exception):
        pass

    def _on_alarm(signum, frame):
        raise _CaseTimeout("this case ran longer than {timeout} s")

    class _Printed(_io.TextIOBase):
        # What the code under test prints (progress bars, warnings) is collected and shown once,
        # after the check, with each progress bar reduced to its last state and at most
        # {printed_limit} characters kept: dozens of redraws would bury the verdict in the feedback.
        encoding = "utf-8"

        def __init__(self):
            self.written, self.kept = 0, []

        def write(self, text):
            if not isinstance(text, str):
                return 0
            if self.written < 4 * {printed_limit}:
                self.kept.append(text[:4 * {printed_limit}])
            self.written += len(text)
            return len(text)

    _printed = _Printed()
    _results = []
    for _case in _json.loads({cases_json!r}):
        _args = _wire["decode"](_case["args"])
        _kwargs = _wire["decode"](_case["kwargs"])
        _start = _time.perf_counter()
        _old = _signal.signal(_signal.SIGALRM, _on_alarm)
        _signal.setitimer(_signal.ITIMER_REAL, {timeout})
        try:
            with _contextlib.redirect_stdout(_printed), _contextlib.redirect_stderr(_printed):
                _value = _probe(_ns, *_args, **_kwargs)
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _results.append({{"value": _wire["encode"](_value)}})
        except KeyboardInterrupt:
            raise
        except BaseException as _error:  # SystemExit too: a student's exit() must not end the check
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            try:
                _message = str(_error)[:500]
            except BaseException:
                _message = "<unprintable exception>"
            _results.append({{"raised": [c.__name__ for c in type(_error).__mro__], "message": _message}})
        finally:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, _old)
        _results[-1]["seconds"] = round(_time.perf_counter() - _start, 4)
    if _printed.written:
        _lines = [_line.rsplit("\\r", 1)[-1].rstrip() for _line in "".join(_printed.kept).split("\\n")]
        _text = "\\n".join(_line for _line in _lines if _line.strip())
        if _text:
            if len(_text) > {printed_limit} or _printed.written > 4 * {printed_limit}:
                _text = _text[:{printed_limit}] + "\\n... (%d characters in all)" % _printed.written
            print("Your code printed this during the hidden tests:\\n" + _text)
    _payload = {{"check": {check_id!r}, "results": _results}}
    if _emit is None:
        from IPython.display import display as _display
        _display({{{mime!r}: _payload}}, raw=True)
    else:
        _emit(_payload)
'''

_CALL = "_coursekit_hidden_check(globals()); del _coursekit_hidden_check\n"


def check_source(check_id: str, function: str, probe_source: str | None,
                 encoded_cases: list[dict], timeout: float) -> str:
    """Return the definition of ``_coursekit_hidden_check`` for one check.

    ``encoded_cases`` is a list of ``{"args": wire, "kwargs": wire}`` dicts.
    The function takes the namespace holding the student's definitions and an
    optional ``emit`` callable (tests pass one; in a kernel the result is displayed).
    """
    return _TEMPLATE.format(
        check_id=check_id,
        function=function,
        wire_source=_WIRE_SOURCE,
        probe_source=textwrap.dedent(probe_source or DEFAULT_PROBE),
        cases_json=json.dumps(encoded_cases, allow_nan=False),
        timeout=float(timeout),
        mime=RESULT_MIME,
        printed_limit=PRINTED_LIMIT,
    )


def cell_source(check_id: str, function: str, probe_source: str | None,
                encoded_cases: list[dict], timeout: float) -> str:
    """The code that replaces a directive in a hidden test cell."""
    return check_source(check_id, function, probe_source, encoded_cases, timeout) + _CALL


def run_in_namespace(source: str, namespace: dict) -> dict:
    """Run a check made by :func:`check_source` against ``namespace``, in this process.

    The same code a kernel runs, minus the kernel: the grader's own tests use it to
    prove that faulty implementations lose points without starting notebooks.
    """
    captured: list[dict] = []
    scope: dict = {}
    exec(compile(source, "<coursekit hidden check>", "exec"), scope)
    scope["_coursekit_hidden_check"](namespace, captured.append)
    # Round-trip through JSON exactly as the kernel's display output does.
    return json.loads(json.dumps(captured[0]))
