"""Hidden tests for 01_perceptron."""

import numpy as np

from coursekit.checks import Case, Check, Group
from reference import perceptron as ref


def _step_groups(rng):
    return [
        Group("scalars", [Case((float(z),)) for z in rng.normal(0, 3, size=4)]),
        Group("zero follows the convention step(0) = 1", [Case((0.0,)), Case((np.zeros(3),))]),
        Group("arrays", [Case((rng.normal(0, 2, size=n),)) for n in (1, 5, 17)]),
    ]


CHECKS = [
    Check("perceptron.step", "step", ref.step, _step_groups),
]
