"""01_perceptron: The perceptron: weighted sum, step/sign/sigmoid, logic gates, the learning rule, XOR.

The manifest of this unit (see ``docs/units.md``): points of every graded cell and the
numbers the notebook's text states. ``solution.py`` is the reference (the notebook's solution
cells), ``checks.py`` the hidden checks, ``wrong.py`` the wrong implementations that must lose
points, ``correct.py`` (when present) correct alternatives that must keep every point.
"""

from coursekit.manifest import Unit, unit_modules


UNIT = Unit(
    topic="perceptron",
    assignment="01_perceptron",
    notebook="perceptron.ipynb",
    points={
        "test_weighted_sum": 2,
        "test_step": 1,
        "test_sign": 1,
        "test_sigmoid": 2,
        "test_sigmoid_stable": 1,
        "test_predict": 2,
        "test_logic_gate_weights": 2,
        "test_logic_gate_weights_invalid": 1,
        "test_perceptron_train": 4,
        "test_perceptron_train_xor": 2,
        "test_perceptron_train_invalid": 2,
    },
    manual={"answer_xor_explanation": 3},
    constants={"MAX_EPOCHS": (100, "max_epochs={}")},  # perceptron_train's default, checked on XOR
    **unit_modules(__name__),
)
