"""``coursekit grade --compare`` on courses nobody here wrote, and on one case per sandbox difference (issue 15).

- nbgrader's own documentation course (``ps1``, bitdiddle and hacker) and nbgrader's test
  notebooks are read from the installed nbgrader package (never copied into this
  repository): coursekit must give nbgrader's grades there, with nothing to report;
- a hand-made foreign course (``adoption_course.py``) has one submission per way the sandbox
  can change a grade: without the settings each differing cell is listed with its named
  reason and setting; with the settings stated, every grade is nbgrader's.

Each comparison grades a class twice (seconds per submission), so each runs once per module
and many assertions share it; plain nbgrader's half is reused for the second hand-made run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbgrader
import pytest

from adoption_course import (ASSIGNMENT, CASES, EXPECTED_DIFFERENCES, NOTEBOOK, course_config, environment,
                             make_course, make_shared_data)
from adversarial.course import tree_digest
from coursekit.grading.compare import compare

pytestmark = pytest.mark.slow

NBGRADER = Path(nbgrader.__file__).parent
USER_GUIDE = NBGRADER / "docs" / "source" / "user_guide"
TEST_FILES = NBGRADER / "tests" / "apps" / "files"
BIN = Path(os.sys.executable).parent


def _nbgrader(root: Path, *args: str) -> None:
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))  # nbgrader runs alembic from there
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=root, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


# --------------------------------------------------------------------------- the hand-made course

@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    base = tmp_path_factory.mktemp("adoption")
    shared = make_shared_data(base / "srv")
    saved = dict(os.environ)
    os.environ.update(environment(shared))
    made = []
    try:
        defaults = make_course(base / "defaults", shared, allowing=False)
        before = tree_digest(defaults)
        made.append(compare(defaults, ASSIGNMENT, keep=True, workers=2))
        allowed = base / "allowed"  # the same course and submissions, with the settings stated
        shutil.copytree(defaults, allowed, symlinks=True)
        (allowed / "nbgrader_config.py").write_text(course_config(shared, allowing=True))
        made.append(compare(allowed, ASSIGNMENT, reuse_nbgrader=made[0].scratch / "nbgrader", keep=True, workers=2))
        yield {"defaults": defaults, "before": before, "plain": made[0], "allowed": made[1]}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for result in made:
            shutil.rmtree(result.scratch, ignore_errors=True)


def test_without_settings_each_sandbox_difference_is_listed_with_its_reason_and_setting(handmade):
    comparison = handmade["plain"]
    assert comparison.nbgrader_failed == {} and comparison.coursekit_failed == {}
    assert comparison.cells == len(CASES)
    found = {d.student: d for d in comparison.differences}
    assert set(found) == set(EXPECTED_DIFFERENCES), comparison.lines()
    for student, event in EXPECTED_DIFFERENCES.items():
        difference = found[student]
        assert difference.cell == "test_answer" and difference.notebook == NOTEBOOK
        assert difference.reason.startswith(event + ":"), difference.reason
        assert difference.setting and difference.setting.split(".")[-1] in difference.reason
    assert (found["stderr_in_test"].nbgrader, found["stderr_in_test"].coursekit) == (0.0, 1.0)
    assert all((d.nbgrader, d.coursekit) == (1.0, 0.0) for s, d in found.items() if s != "stderr_in_test")
    assert "readonly_paths" in found["reads_shared_data"].setting
    assert "shared-data" in found["reads_shared_data"].reason  # the folder to expose is named
    assert "ADOPTION_DATA" in found["reads_environment"].reason
    text = "\n".join(comparison.lines())
    for student in EXPECTED_DIFFERENCES:
        assert student in text


def test_written_files_reach_autograded_as_with_nbgrader(handmade):
    scratch = handmade["plain"].scratch
    for side in ("nbgrader", "coursekit"):
        written = scratch / side / "autograded" / "writes_side_effect" / ASSIGNMENT / "side_effect.txt"
        assert written.read_text() == "42", side
    # with writable_submission, the overwritten file is the notebook's version on both sides
    allowed = handmade["allowed"].scratch
    for side in ("nbgrader", "coursekit"):
        assert (allowed / side / "autograded" / "overwrites_own_file" / ASSIGNMENT / "notes.txt").read_text() == "42"


def test_with_the_settings_stated_every_grade_is_nbgrader_s(handmade):
    comparison = handmade["allowed"]
    assert comparison.coursekit_failed == {}
    assert comparison.differences == [], "\n".join(comparison.lines())
    assert comparison.cells == len(CASES)


def test_the_compared_course_is_only_read_and_gets_no_kit_files(handmade):
    root = handmade["defaults"]
    assert tree_digest(root) == handmade["before"]
    assert not (root / ".coursekit").exists()
    # plain nbgrader with the kit's preprocessors pasted in: no grader secret written into a foreign course
    assert not (handmade["plain"].scratch / "nbgrader" / ".coursekit").exists()


# --------------------------------------------------------------------------- nbgrader's own courses

@pytest.fixture(scope="module")
def documentation_course(tmp_path_factory):
    """nbgrader's documentation example: ps1 and two students, as its user guide grades it."""
    root = tmp_path_factory.mktemp("nbgrader-docs") / "course"
    (root / "source").mkdir(parents=True)
    shutil.copytree(USER_GUIDE / "source" / "ps1", root / "source" / "ps1")
    shutil.copytree(USER_GUIDE / "submitted", root / "submitted")
    (root / "nbgrader_config.py").write_text('c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "example"\n')
    _nbgrader(root, "generate_assignment", "ps1", "--force")
    return root, compare(root, "ps1", workers=2)


def test_nbgrader_documentation_course_grades_identically(documentation_course):
    root, comparison = documentation_course
    assert comparison.students == ["bitdiddle", "hacker"]
    assert comparison.nbgrader_failed == {} and comparison.coursekit_failed == {}
    assert comparison.cells == 2 * 5  # problem1's five graded code cells (problem2 is manual), per student
    assert comparison.differences == [], "\n".join(comparison.lines())
    assert not (root / ".coursekit").exists() and not (root / "autograded").exists()


@pytest.fixture(scope="module")
def test_notebook_course(tmp_path_factory):
    """nbgrader's test notebooks, set up as nbgrader's own autograde tests use them, in one assignment.

    ``p1`` is the source of the ``submitted-*`` notebooks (one student each: unchanged, changed,
    locked or grade cell edited, cheating); student ``foo`` submits the other notebooks (side
    effects, a relative data file, a slow cell, NBGRADER_EXECUTION, the full test notebook).
    Notebooks a student did not submit score 0 both ways without running.
    """
    root = tmp_path_factory.mktemp("nbgrader-tests") / "course"
    source = root / "source" / "ps1"
    source.mkdir(parents=True)
    shutil.copy(TEST_FILES / "submitted-unchanged.ipynb", source / "p1.ipynb")
    for name in OTHER_NOTEBOOKS:
        shutil.copy(TEST_FILES / (name + ".ipynb"), source / (name + ".ipynb"))
    shutil.copy(TEST_FILES / "data.txt", source / "data.txt")
    shutil.copy(TEST_FILES / "jupyter.png", source / "jupyter.png")
    (root / "nbgrader_config.py").write_text('c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "tests"\n')
    _nbgrader(root, "generate_assignment", "ps1", "--force")
    for student, name in P1_STUDENTS.items():
        folder = root / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        shutil.copy(TEST_FILES / (name + ".ipynb"), folder / "p1.ipynb")
    shutil.copytree(root / "release" / "ps1", root / "submitted" / "foo" / "ps1")
    (root / "submitted" / "foo" / "ps1" / "p1.ipynb").unlink()
    comparison = compare(root, "ps1", workers=2, keep=True)
    yield root, comparison
    shutil.rmtree(comparison.scratch, ignore_errors=True)


OTHER_NOTEBOOKS = ("side-effects", "open_relative_file", "timeout", "validating-environment-variable", "test")
P1_STUDENTS = {"unchanged": "submitted-unchanged", "changed": "submitted-changed",
               "locked_cell_changed": "submitted-locked-cell-changed",
               "grade_cell_changed": "submitted-grade-cell-changed", "cheat_attempt": "submitted-cheat-attempt"}


def test_nbgrader_test_notebooks_grade_identically(test_notebook_course):
    root, comparison = test_notebook_course
    assert comparison.nbgrader_failed == {} and comparison.coursekit_failed == {}
    assert comparison.differences == [], "\n".join(comparison.lines())
    assert len(comparison.students) == 6 and comparison.cells > 6 * 4
    for side in ("nbgrader", "coursekit"):  # side-effects.ipynb's file reaches autograded/ both ways
        written = comparison.scratch / side / "autograded" / "foo" / "ps1" / "side-effect.txt"
        assert written.read_text() == "a side effect", side
    assert not (root / ".coursekit").exists() and not (root / "autograded").exists()
