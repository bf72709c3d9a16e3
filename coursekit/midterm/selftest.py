"""Every question tests itself: for each seed, the key earns full marks, each declared
misconception earns exactly its declared credit (with its own message), and malformed
responses earn 0 with a message, never an exception.

Pure Python and fast (about a millisecond per variant), so ``coursekit questions check``
and ``grader_tests/test_midterm_bank.py`` run it on a thousand seeds per question.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

from .bank import QUESTIONS, Question, grade

#: Responses no answer format accepts: each must score 0 with a message.
UNIVERSAL_MALFORMED = (None, Ellipsis, True, False, float("nan"), float("inf"), -float("inf"), "", "not an answer",
                       {"a": 1}, b"7", object(), complex(1, 2), [], [None], {"__opaque__": {"type": "x.Y", "repr": "?"}},
                       "x" * 10_000)

#: Regenerate every so many seeds to prove a variant depends on its seed alone (generation is
#: half the cost of a self-test; one seed in five is plenty to catch hidden state).
DETERMINISM_EVERY = 5

#: Declared credit and the credit earned must agree to this (they are sums of 1/n shares).
SCORE_TOLERANCE = 1e-9


@dataclass
class Report:
    """What the self-test of one question found over a range of seeds."""

    question: str
    seeds: int = 0
    problems: list[str] = field(default_factory=list)
    #: How often each misconception applied (it may not apply to every variant).
    applied: Counter = field(default_factory=Counter)
    texts: set = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, seed, message: str) -> None:
        if len(self.problems) < 20:
            self.problems.append("seed %r: %s" % (seed, message))


def check_variant(question: Question, seed, report: Report, seed_index: int = 0) -> None:
    """Self-test one variant, adding any problem to ``report``."""
    try:
        variant = question.generate(seed)
        again = question.generate(seed) if seed_index % DETERMINISM_EVERY == 0 else None
    except Exception as error:  # noqa: BLE001 - reported, not raised
        report.add(seed, "the generator raised %s: %s" % (type(error).__name__, error))
        return
    report.seeds += 1
    markdown = variant.markdown()
    report.texts.add(markdown)
    if again is not None and (markdown != again.markdown() or variant.params != again.params
                              or variant.answer.key() != again.answer.key()):
        report.add(seed, "the same seed gave two different variants")
    if not variant.text.strip() or not variant.explanation.strip():
        report.add(seed, "empty text or explanation")
    slip = re.search(r"\b(None|nan|inf)\b", variant.text)
    if slip:
        report.add(seed, "the text shows %r (a formatting slip?)" % slip.group(0))
    try:
        json.dumps(variant.params)
    except (TypeError, ValueError):
        report.add(seed, "params are not JSON-serialisable")

    for response in [variant.answer.key()] + list(variant.answer.equivalent_keys()):
        result = grade(variant, response)
        if result.score != 1.0 or not result.correct:
            report.add(seed, "the correct answer %r scored %s (%s)" % (response, result.score, result.message))

    try:
        key = variant.answer.read(variant.answer.key())
    except Exception as error:  # noqa: BLE001 - reported, not raised
        report.add(seed, "the key %r cannot be read: %s" % (variant.answer.key(), error))
        return
    names = set()
    for mistake in variant.mistakes:
        names.add(mistake.name)
        result = grade(variant, mistake.response)
        if variant.answer.same(variant.answer.read(mistake.response), key):
            report.add(seed, "misconception %s gives the right answer" % mistake.name)
            continue
        if not 0.0 <= mistake.score < 1.0:
            report.add(seed, "misconception %s declares credit %r" % (mistake.name, mistake.score))
        if abs(result.score - mistake.score) > SCORE_TOLERANCE:
            report.add(seed, "misconception %s (%r) scored %s, declared %s"
                       % (mistake.name, mistake.response, result.score, mistake.score))
        if not mistake.message or mistake.message not in _all_messages(result):
            report.add(seed, "misconception %s was not explained (got %r)" % (mistake.name, result.message))
    report.applied.update(names)

    for response in list(UNIVERSAL_MALFORMED) + list(variant.answer.malformed_examples()):
        try:
            result = grade(variant, response)
        except Exception as error:  # noqa: BLE001 - grading must never raise
            report.add(seed, "grading %r raised %s: %s" % (_short(response), type(error).__name__, error))
            continue
        if result.score != 0.0 or result.diagnosis not in ("malformed", "no answer") or not result.message:
            report.add(seed, "malformed %r scored %s (%s: %s)" % (_short(response), result.score,
                                                                  result.diagnosis, result.message))


def _all_messages(result) -> str:
    return " ".join([result.message] + [p.message for p in result.parts])


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def check_question(question: Question, seeds) -> Report:
    report = Report(question.id)
    for index, seed in enumerate(seeds):
        check_variant(question, seed, report, index)
    declared = {m.name for m in question.misconceptions}
    never = sorted(declared - set(report.applied))
    if never and report.seeds >= 50:
        report.problems.append("misconceptions that never applied in %d seeds: %s" % (report.seeds, never))
    return report


def check_all(n_seeds: int = 1000, only: str | None = None) -> list[Report]:
    from .topics import load_all
    load_all()
    return [check_question(q, range(n_seeds)) for q in QUESTIONS.values()
            if only is None or q.id == only or q.topic == only]


def variety(report: Report) -> int:
    """How many different texts the seeds produced."""
    return len(report.texts)


__all__ = ["Report", "check_variant", "check_question", "check_all", "variety", "UNIVERSAL_MALFORMED"]
