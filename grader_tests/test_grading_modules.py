"""Grading in process imports the graded course's ``reference`` and gives the caller's back afterwards.

The inline executor (one worker, a test, a notebook) grades in the caller's process. Before, the
caller then found fresh copies of its ``reference`` modules under the same names: a constant it had
monkeypatched no longer applied, and its units were no longer the registry's objects.
"""

import shutil
import sys

from coursekit.grading.runner import _CourseModules
from kit import ROOT


def test_grading_in_process_gives_back_the_callers_reference_modules(tmp_path):
    import reference.units as before

    shutil.copytree(ROOT / "reference", tmp_path / "reference", ignore=shutil.ignore_patterns("__pycache__", "data"))
    with _CourseModules(tmp_path):
        import reference.units as during
        assert during is not before and during.__file__.startswith(str(tmp_path))
    assert sys.modules["reference.units"] is before
    import reference.units as after
    assert after is before
