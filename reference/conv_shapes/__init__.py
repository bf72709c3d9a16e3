"""02_conv_shapes: Shapes of convolutions and pooling, and a hand-written 1D convolution.

The manifest of this unit (see ``docs/units.md``): points of every graded cell and the
numbers the notebook's text states. ``solution.py`` is the reference (the notebook's solution
cells), ``checks.py`` the hidden checks, ``wrong.py`` the wrong implementations that must lose
points, ``correct.py`` (when present) correct alternatives that must keep every point.
"""

from coursekit.manifest import Unit, unit_modules


UNIT = Unit(
    topic="conv_shapes",
    assignment="02_conv_shapes",
    notebook="conv_shapes.ipynb",
    points={
        "test_conv1d_output_length": 3,
        "test_conv1d_output_length_invalid": 1,
        "test_conv2d_output_shape": 2,
        "test_pool1d_output_length": 3,
        "test_conv1d": 3,
        "test_conv1d_multichannel": 3,
        "test_max_pool1d": 2,
        "test_avg_pool1d": 2,
        "test_conv1d_num_parameters": 1,
    },
    manual={"dilation_receptive_field": 2},
    **unit_modules(__name__),
)
