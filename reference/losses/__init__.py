"""03_losses: Losses and optimisers: BCE, cross-entropy, regression losses, gradients, SGD/momentum/Adam.

The manifest of this unit (see ``docs/units.md``): points of every graded cell and the
numbers the notebook's text states. ``solution.py`` is the reference (the notebook's solution
cells), ``checks.py`` the hidden checks, ``wrong.py`` the wrong implementations that must lose
points, ``correct.py`` (when present) correct alternatives that must keep every point.
"""

from coursekit.manifest import Unit, unit_modules


UNIT = Unit(
    topic="losses",
    assignment="03_losses",
    notebook="losses.ipynb",
    points={
        "test_binary_cross_entropy": 3,
        "test_binary_cross_entropy_with_logits": 2,
        "test_bce_with_logits_stable": 2,
        "test_cross_entropy": 3,
        "test_mse": 1,
        "test_mae": 1,
        "test_smooth_l1": 2,
        "test_bce_with_logits_gradient": 2,
        "test_sgd_step": 2,
        "test_momentum_step": 2,
        "test_adam_step": 3,
        "test_gradient_descent": 2,
    },
    manual={"learning_rate_answer": 3},
    **unit_modules(__name__),
)
