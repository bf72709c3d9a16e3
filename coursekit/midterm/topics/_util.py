"""Small helpers shared by the generator modules (standard library only)."""

from __future__ import annotations

import math
import random

from ..bank import Option


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


def nonzero(rng: random.Random, values) -> float:
    return rng.choice([v for v in values if v != 0])
