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
    """...except one that trains networks (the capstone): one student per distinct role, for time."""
    assignments = {a for _, a, _, _ in rows}
    # every assignment registered with a catalogue of wrong implementations (the midterm's
    # personalised exam has none and is built by `coursekit midterm build`)
    assert {unit.assignment for unit in UNITS if unit.load_wrong()} <= assignments
    for assignment in assignments:
        expected = len(demo.EXPENSIVE_ROLES) if demo.trains_networks(ROOT, assignment) else 12
        assert len({s for s, a, _, _ in rows if a == assignment}) == expected, assignment
    assert demo.trains_networks(ROOT, "05_af_cnn") and not demo.trains_networks(ROOT, "01_perceptron")
    assert demo.trains_networks(ROOT, "06_sequences")  # its K-fold cell has its own limit
    # every role once; those who train in full first (coursekit grade starts them first)
    assert sorted(demo.EXPENSIVE_ROLES) == sorted(set(demo.ROLES))
    assert demo.EXPENSIVE_ROLES[:len(demo.TRAIN_IN_FULL)] == list(demo.TRAIN_IN_FULL)


def test_the_full_demo_grades_the_whole_class_on_the_capstone(course, tmp_path):
    # its own copy: the full class would overwrite the module's submissions (other roles per name)
    shutil.copytree(course, tmp_path / "course", ignore=shutil.ignore_patterns("submitted"))
    full = demo.simulate_class(tmp_path / "course", students=12, full=True)
    assert len({s for s, a, _, _ in full if a == "05_af_cnn"}) == 12
    assert not any("1 epoch" in note for _, _, _, note in full)  # and trains every final model in full


def _final_epochs(nb):
    return [cell.source for cell in nb.cells if cell.get("metadata", {}).get("nbgrader", {}).get("solution")
            and "final" in cell.metadata["nbgrader"]["grade_id"] and "epochs=" in cell.source]


def test_only_the_correct_students_train_the_capstone_in_full(course, rows):
    """The demo's time saver: on an assignment that trains networks, the partly wrong student and
    the cheater chose a one-epoch final training (their notebooks say so; grading them is real),
    the correct and noisy students keep the source's configuration."""
    source = nbformat.read(ROOT / "source" / "05_af_cnn" / "af_cnn.ipynb", as_version=4)
    (configured,) = _final_epochs(source)
    assert "epochs=1," not in configured
    for student, assignment, role, note in rows:
        if assignment != "05_af_cnn" or role == "untouched stub":
            continue
        nb = nbformat.read(course / "submitted" / student / assignment / "af_cnn.ipynb", as_version=4)
        (final,) = _final_epochs(nb)
        if role in demo.TRAIN_IN_FULL:
            assert final == demo._strip_solution(configured) and "1 epoch" not in note, (student, role)
        else:
            assert "epochs=1," in final and note.endswith("final model trained for 1 epoch"), (student, role, note)


def test_gradings_run_side_by_side_in_order_and_failures_are_reported(tmp_path, monkeypatch):
    """_grade_all starts the assignments in the order given, at most `parallel` at once, runs each
    one's commands one after the other, and names those whose commands failed."""
    import sys

    script = ("import pathlib, sys, time; log = pathlib.Path(sys.argv[1]); "
              "log.open('a').write('start %s\\n' % sys.argv[2]); time.sleep(0.3); "
              "log.open('a').write('end %s\\n' % sys.argv[2]); sys.exit(sys.argv[2] == 'b-2')")
    events = tmp_path / "events.txt"
    monkeypatch.setattr(demo, "_grading_commands", lambda root, a, grader: [
        [sys.executable, "-c", script, str(events), "%s-%d" % (a, i)] for i in (1, 2)])
    finished = []
    failed = demo._grade_all(tmp_path, ["a", "b", "c"], "coursekit", 2, lambda g: finished.append(g.assignment))
    assert failed == ["b"] and sorted(finished) == ["a", "b", "c"]
    lines = events.read_text().split("\n")[:-1]
    assert lines[:2] == ["start a-1", "start b-1"] or lines[:2] == ["start b-1", "start a-1"]
    running, most = set(), 0
    for line in lines:
        kind, name = line.split()
        running.add(name[0]) if kind == "start" else running.discard(name[0])
        most = max(most, len(running))
        if kind == "start" and name.endswith("-2"):
            assert "end %s-1" % name[0] in lines[:lines.index(line)]  # one after the other
    assert most == 2


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


def test_a_second_demo_forgets_only_the_previous_demos_students(tmp_path, monkeypatch):
    """nbgrader refuses to re-release a notebook whose cells changed while submissions of it are in
    the gradebook (and deletes its release folder): the demo first removes its own demo-* students,
    from the gradebook and the student folders, and nobody else."""
    import os
    import sys

    from nbgrader.api import Gradebook

    # a new gradebook runs nbgrader's `alembic`, found beside this interpreter
    monkeypatch.setenv("PATH", "%s%s%s" % (Path(sys.executable).parent, os.pathsep, os.environ.get("PATH", "")))

    with Gradebook("sqlite:///%s" % (tmp_path / "gradebook.db")) as gradebook:
        gradebook.add_student("demo-ada")
        gradebook.add_student("real-student")
    for folder in ("submitted", "autograded", "feedback"):
        for student in ("demo-ada", "real-student"):
            (tmp_path / folder / student / "01_perceptron").mkdir(parents=True)
    assert demo.forget_previous_demo(tmp_path) == 1
    with Gradebook("sqlite:///%s" % (tmp_path / "gradebook.db")) as gradebook:
        assert [s.id for s in gradebook.students] == ["real-student"]
    for folder in ("submitted", "autograded", "feedback"):
        assert [p.name for p in (tmp_path / folder).iterdir()] == ["real-student"]
    assert demo.forget_previous_demo(tmp_path / "no-course-yet") == 0
