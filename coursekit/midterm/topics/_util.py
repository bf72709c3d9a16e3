"""Small helpers shared by the generator modules (standard library only)."""

from __future__ import annotations

import math
import random

from ..bank import MultipleChoice, Option, Variant, fmt


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def step(z: float) -> int:
    """The course's convention: step(0) = 1."""
    return 1 if z >= 0 else 0


def statements(rng: random.Random, true_pool, false_pool, n: int = 5, min_true: int = 1,
               min_false: int = 1) -> list[Option]:
    """``n`` options drawn from pools of ``(text, why, tag)`` with at least ``min_true`` right
    and ``min_false`` wrong ones, shuffled."""
    n_true = rng.randint(max(min_true, n - len(false_pool)), min(len(true_pool), n - min_false))
    chosen = [Option(t, True, why, tag) for t, why, tag in rng.sample(list(true_pool), n_true)]
    chosen += [Option(t, False, why, tag) for t, why, tag in rng.sample(list(false_pool), n - n_true)]
    rng.shuffle(chosen)
    return chosen


def select_all(rng: random.Random, true_pool, false_pool, *, text: str, explanation: str, n: int = 5,
               min_true: int = 1, min_false: int = 1, params: dict | None = None) -> Variant:
    """A "select every true statement" question over options drawn by :func:`statements`."""
    options = statements(rng, true_pool, false_pool, n, min_true, min_false)
    return Variant(text=text, answer=MultipleChoice(options), explanation=explanation,
                   params={**(params or {}), "statements": [o.text for o in options]})


def nonzero(rng: random.Random, values) -> float:
    return rng.choice([v for v in values if v != 0])


def signed(x) -> str:
    """A number for inside a formula: negative ones in parentheses, ``(-1.5)``."""
    return "(%s)" % fmt(x) if x < 0 else fmt(x)


def linear(slope, intercept, variable: str = "x") -> str:
    """``2x - 1``, ``x + 0.5``, ``-x``: a linear expression as a person writes it (LaTeX-ready)."""
    if slope == 0:
        head = ""
    elif abs(slope) == 1:
        head = ("-" if slope < 0 else "") + variable
    else:
        head = "%s\\,%s" % (fmt(slope), variable)
    if not intercept:
        return head or "0"
    if not head:
        return fmt(intercept)
    return "%s %s %s" % (head, "-" if intercept < 0 else "+", fmt(abs(intercept)))
