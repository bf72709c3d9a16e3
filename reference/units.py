"""The course's registry: every assignment unit, in assignment order.

Adding an assignment adds one import and one entry here (``coursekit new NAME`` does both).
Grading (``coursekit.registry``), the demo and the generic tests find units only through
``UNITS``; nothing looks a unit up by a module name held in a string.
"""

from reference import af_cnn, backprop, conv_shapes, losses, midterm, perceptron, sequences

UNITS = (
    perceptron.UNIT,
    conv_shapes.UNIT,
    losses.UNIT,
    backprop.UNIT,
    af_cnn.UNIT,
    sequences.UNIT,
    midterm.UNIT,
)
