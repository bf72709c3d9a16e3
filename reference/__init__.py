"""Reference solutions and grader-side checkers. Grader-only: never released to students.

One module per topic (``perceptron.py``, ``conv_shapes.py``, ...) holds the reference
implementations, with docstrings carrying the spec; ``checks/<topic>.py`` holds the
hidden tests that judge a student's functions against them (see ``coursekit.checks``).
"""
