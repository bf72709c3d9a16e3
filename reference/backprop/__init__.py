"""04_backprop: Backpropagation from scratch: an MLP's forward and backward pass, gradient check, XOR.

The manifest of this unit (see ``docs/units.md``): points of every graded cell and the
numbers the notebook's text states. ``solution.py`` is the reference (the notebook's solution
cells), ``checks.py`` the hidden checks, ``wrong.py`` the wrong implementations that must lose
points, ``correct.py`` (when present) correct alternatives that must keep every point.
"""

from coursekit.manifest import Unit, unit_modules


UNIT = Unit(
    topic="backprop",
    assignment="04_backprop",
    notebook="backprop.ipynb",
    points={
        "test_init_mlp": 3,
        "test_mlp_forward": 4,
        "test_backward_output_layer": 3,
        "test_backward_hidden_layers": 5,
        "test_numerical_gradient": 3,
        "test_sgd_update": 3,
        "test_train_xor": 4,
    },
    manual={"vanishing_gradients_answer": 3},
    constants={"XOR_LEARNING_RATE": (5.0, "`lr={}`"), "XOR_EPOCHS": (1000, "`epochs={}`")},
    training_checks=("backprop.train_xor",),
    **unit_modules(__name__),
)
