"""Judge a function on its own when it calls another graded function of the student.

Notebooks tell students to reuse their earlier answers (``predict`` calls ``step``,
``conv1d_multichannel`` calls ``conv1d``, ``max_pool1d`` calls ``pool1d_output_length``). A check
that only compares with the reference then charges one fault twice: in the earlier function's
check and again here. So such a check also asks the kernel for the student's *upstream*
results on the calls the function makes (:class:`UpstreamCase`, :data:`UPSTREAM_PROBE`), and
:func:`own_upstream_judge` decides, in the grader's process:

- the value agrees with the reference: pass, as before;
- it disagrees, the student's upstream answers are wrong, and the value is what this function's
  own logic gives on *those* answers (``compose``, the reference logic fed with the student's
  upstream results): full credit, with a note that the fault is in the upstream function;
- otherwise: the usual failure, plus a note when the upstream function is also wrong.

The upstream calls travel with the case's arguments; only student code runs in the kernel, and
the case's label and the reference's call are those of the plain call.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from coursekit import wire
from coursekit.checks import Case, Outcome, Partial, compare, default_judge

#: Keyword under which the upstream calls reach the probe (never a parameter of a student function).
UPSTREAM_KEYWORD = "__coursekit_upstream__"


@dataclass
class UpstreamCase(Case):
    """A case that also asks for the student's ``upstream`` calls: ``[(name, args, kwargs), ...]``."""

    upstream: list = field(default_factory=list)

    def encoded(self) -> dict:
        calls = [[name, tuple(args), dict(kwargs)] for name, args, kwargs in self.upstream]
        return {"args": wire.encode(tuple(self.args)),
                "kwargs": wire.encode(dict(self.kwargs, **{UPSTREAM_KEYWORD: calls}))}


#: Calls the student's function as the default probe does, then each upstream call (an error
#: there is recorded, not raised: it must not cost this function its points).
UPSTREAM_PROBE = '''
def probe(ns, *args, **kwargs):
    calls = kwargs.pop("%s", [])
    if FUNCTION not in ns:
        raise NameError("name %%r is not defined: run the cell that defines it" %% FUNCTION)
    value = ns[FUNCTION](*args, **kwargs)
    upstream = []
    for name, call_args, call_kwargs in calls:
        try:
            upstream.append({"value": ns[name](*call_args, **call_kwargs)})
        except Exception as error:
            upstream.append({"raised": type(error).__name__})
    return {"value": value, "upstream": upstream}
''' % UPSTREAM_KEYWORD


def reference_upstream(reference_module, case: UpstreamCase) -> list[Outcome]:
    """What the reference's upstream functions return (or raise) on the case's upstream calls."""
    outcomes = []
    for name, args, kwargs in case.upstream:
        try:
            value = getattr(reference_module, name)(*copy.deepcopy(tuple(args)), **copy.deepcopy(dict(kwargs)))
            outcomes.append(Outcome(value=wire.decode(wire.encode(value))))
        except Exception as error:
            outcomes.append(Outcome(raised=[c.__name__ for c in type(error).__mro__]))
    return outcomes


def own_upstream_judge(reference_module, compose: Callable[[UpstreamCase, list], Any],
                       base_judge: Callable | None = None, upstream_judges: dict | None = None, **tolerances):
    """A judge for checks whose cases are :class:`UpstreamCase` and whose probe is :data:`UPSTREAM_PROBE`.

    ``compose(case, upstream_values)`` is this function's reference logic fed with the student's
    upstream results (it may raise: then no credit comes from upstream). ``base_judge`` is the
    check's usual ``(case, expected, got)`` judge (default: :func:`default_judge` with ``tolerances``);
    ``upstream_judges`` maps an upstream function's name to the judge of its own check, where that
    check is stricter than equal values (e.g. labels that must not be booleans).
    """
    upstream_judges = dict(upstream_judges or {})

    def judge_plain(case, expected, got):
        if base_judge is not None:
            return base_judge(case, expected, got)
        return default_judge(expected, got, **tolerances)

    def judge(case, expected, got):
        if got.raised:
            return judge_plain(case, expected, got)
        value = got.value
        if not isinstance(value, dict) or "value" not in value:
            return "the result could not be read"
        plain = Outcome(value=value["value"])
        why = judge_plain(case, expected, plain)
        if why is None or not case.upstream:
            return why
        answers = value.get("upstream")
        if not isinstance(answers, list) or len(answers) != len(case.upstream):
            return why
        correct = reference_upstream(reference_module, case)
        wrong = []
        for (name, _args, _kwargs), answer, right in zip(case.upstream, answers, correct):
            if not isinstance(answer, dict) or "value" not in answer:
                got_answer = Outcome(raised=[str(answer.get("raised", "Exception")) if isinstance(answer, dict)
                                             else "Exception"])
            else:
                got_answer = Outcome(value=answer["value"])
            upstream_judge = upstream_judges.get(name)
            if (upstream_judge(case, right, got_answer) if upstream_judge
                    else default_judge(right, got_answer, **tolerances)):
                wrong.append(name)
        if not wrong:
            return why  # the student's upstream functions are right here: the fault is this function's
        culprits = ", ".join(sorted(set(wrong)))
        if all(isinstance(a, dict) and "value" in a for a in answers):
            try:
                composed = compose(case, [a["value"] for a in answers])
            except Exception:
                composed = None
            else:
                if default_judge(Outcome(value=composed), plain, **tolerances) is None:
                    return Partial(1.0, "full credit: right for the results of your own %s, which is wrong "
                                        "on this input (see its check)" % culprits)
        text = why.message if isinstance(why, Partial) else why
        note = ("; note that your %s, which this function calls, is also wrong here: fix it first "
                "(see its check)" % culprits)
        if isinstance(why, Partial):
            return Partial(why.score, text + note)
        return text + note

    return judge


def with_upstream(make_groups: Callable, calls: Callable[..., list]) -> Callable:
    """``make_groups`` whose cases become :class:`UpstreamCase` with ``calls(*args, **kwargs)``.

    ``calls`` lists the upstream calls the function makes on those arguments (``[]`` where
    there are none to ask, e.g. on invalid input); it must not use randomness.
    """
    def make(rng):
        groups = list(make_groups(rng))
        for group in groups:
            group.cases = [UpstreamCase(case.args, dict(case.kwargs), case.label,
                                        upstream=_safe_calls(calls, case)) for case in group.cases]
        return groups
    return make


def _safe_calls(calls, case):
    try:
        return list(calls(*case.args, **case.kwargs))
    except Exception:
        return []
