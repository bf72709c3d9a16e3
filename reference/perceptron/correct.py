"""Correct implementations of this assignment written in other styles, named after the style.

Each ``source`` is executed over the reference solution's namespace, like the wrong ones in
``wrong.py``; ``grader_tests/test_units.py`` proves every one keeps every point of its check
on several grading seeds.
"""

from coursekit.manifest import Alternative  # noqa: F401 - the entries' type

ALTERNATIVES: list = []
