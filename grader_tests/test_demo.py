"""`coursekit demo`'s simulated class: the realistic mix the demo promises, built repeatably.

Grading the class is what `make demo` does (a few minutes: the capstone gets one student per
role unless `--full`); here only the submissions are built and inspected, which takes seconds.
"""

import shutil
from pathlib import Path

import nbformat
import pytest

import kit  # noqa: F401 - puts the course root on sys.path
from coursekit import demo
from reference.units import UNITS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    return root


@pytest.fixture(scope="module")
def rows(course):
    return demo.simulate_class(course, students=12)


def test_every_graded_assignment_gets_a_class_of_twelve(rows):
    """...except one that trains networks (the capstone): one student per role, for time."""
    assignments = {a for _, a, _, _ in rows}
    # every assignment registered with a catalogue of wrong implementations (the midterm's
    # personalised exam has none and is built by `coursekit midterm build`)
    assert {unit.assignment for unit in UNITS if unit.load_wrong()} <= assignments
    for assignment in assignments:
        expected = len(demo.ROLES) if demo.trains_networks(ROOT, assignment) else 12
        assert len({s for s, a, _, _ in rows if a == assignment}) == expected, assignment
    assert demo.trains_networks(ROOT, "05_af_cnn") and not demo.trains_networks(ROOT, "01_perceptron")
    assert demo.trains_networks(ROOT, "06_sequences")  # its K-fold cell has its own limit


def test_the_full_demo_grades_the_whole_class_on_the_capstone(course):
    full = demo.simulate_class(course, students=12, full=True)
    assert len({s for s, a, _, _ in full if a == "05_af_cnn"}) == 12


def test_each_assignment_has_the_realistic_mix(rows):
    for assignment in {a for _, a, _, _ in rows}:
        roles = {role for _, a, role, _ in rows if a == assignment}
        assert {"correct", "partly wrong", "untouched stub", "cheater", "noisy but correct"} <= roles, assignment


def test_the_submissions_are_what_their_role_says(course, rows):
    for student, assignment, role, note in rows:
        folder = course / "submitted" / student / assignment
        for path in folder.glob("*.ipynb"):
            submitted = nbformat.read(path, as_version=4)
            released = nbformat.read(course / "release" / assignment / path.name, as_version=4)
            answers = "\n".join(c.source for c in submitted.cells)
            if role == "untouched stub":
                assert [c.source for c in submitted.cells] == [c.source for c in released.cells]
            else:
                assert "### BEGIN SOLUTION" not in answers and "BEGIN MARK SCHEME" not in answers
            if role == "cheater" and "cheats on" in note:
                assert "reference" in answers or "All hidden tests passed" in answers, (student, assignment)
            if role == "partly wrong":
                assert note.startswith("mistakes: "), (student, assignment, note)


def test_the_class_is_the_same_every_time(course, rows):
    again = demo.simulate_class(course, students=12)
    assert again == rows


def test_a_class_of_fewer_than_ten_is_refused(course, capsys):
    assert demo.run(course, students=5) == 2
    assert "at least 10 students" in capsys.readouterr().err
