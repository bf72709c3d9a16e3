"""Hidden tests, one module per topic, each with a module-level list ``CHECKS``.

A source notebook names a check in a hidden test region::

    ### BEGIN HIDDEN TESTS
    # coursekit-check: perceptron.step
    ### END HIDDEN TESTS

and the grader (``coursekit.preprocessors``) runs it. See ``coursekit.checks.Check``.
"""
