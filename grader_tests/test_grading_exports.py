"""LMS exports (Moodle, Canvas, nbgrader's grades.csv) from a gradebook with known scores."""

from __future__ import annotations

import csv
import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from coursekit.grading import exports

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """ps1 (5 + 3 points) and ps2 (10 points); ann: 7 on ps1 late by a penalty of 1, 9.5 on ps2;
    bob: 2 on ps1, nothing on ps2; cy: ps1 waiting for manual grading. Tests only read it."""
    url = "sqlite:///%s" % (tmp_path_factory.mktemp("exports") / "gradebook.db")
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = "%s%s%s" % (Path(sys.executable).parent, os.pathsep, saved)  # nbgrader runs `alembic`
    try:
        _fill(url)
    finally:
        os.environ["PATH"] = saved
    return url


def _fill(url: str) -> None:
    with Gradebook(url, "course") as gb:
        gb.add_assignment("ps1", duedate=datetime.datetime(2030, 1, 1))
        gb.add_notebook("p1", "ps1")
        gb.add_grade_cell("code_a", "p1", "ps1", max_score=5, cell_type="code")
        gb.add_grade_cell("essay", "p1", "ps1", max_score=3, cell_type="markdown")
        gb.add_solution_cell("essay", "p1", "ps1")
        gb.add_assignment("ps2")
        gb.add_notebook("p2", "ps2")
        gb.add_grade_cell("code_b", "p2", "ps2", max_score=10, cell_type="code")
        gb.add_student("ann", first_name="Ann", last_name="Lee", email="ann@uni.example")
        gb.add_student("bob")
        gb.add_student("cy", first_name="Cy", last_name="Young, Jr.", email="cy@uni.example")
        for student, assignment, grades in (("ann", "ps1", {"code_a": 5, "essay": 2}), ("ann", "ps2", {"code_b": 9.5}),
                                            ("bob", "ps1", {"code_a": 2, "essay": 0}),
                                            ("cy", "ps1", {"code_a": 4, "essay": None})):
            gb.add_submission(assignment, student)
            for name, score in grades.items():
                grade = gb.find_grade(name, "p1" if assignment == "ps1" else "p2", assignment, student)
                grade.auto_score = score
                grade.needs_manual_grade = score is None
            gb.db.commit()
        gb.find_submission_notebook("p1", "ps1", "ann").late_submission_penalty = 1.0
        gb.db.commit()
        # set but not submitted yet, and a practice notebook worth nothing: no LMS column by default
        gb.add_assignment("ps3")
        gb.add_notebook("p3", "ps3")
        gb.add_grade_cell("code_c", "p3", "ps3", max_score=4, cell_type="code")
        gb.add_assignment("practice")
        gb.add_notebook("pr", "practice")


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_collect_applies_late_penalties_and_zero_for_missing(gradebook):
    table = exports.collect(gradebook, "course")
    scores = {s.id: s.scores for s in table.students}
    assert scores == {"ann": {"ps1": 6.0, "ps2": 9.5}, "bob": {"ps1": 2.0, "ps2": 0.0}, "cy": {"ps1": 4.0, "ps2": 0.0}}
    assert table.max_scores == {"ps1": 8.0, "ps2": 10.0}
    assert table.needs_manual_grade == [("cy", "ps1")]
    assert table.skipped == {"ps3": "no submission yet", "practice": "worth no points"}


def test_an_assignment_named_explicitly_is_exported_even_without_submissions(gradebook):
    table = exports.collect(gradebook, "course", ["ps2", "ps3"])
    assert table.assignments == ["ps2", "ps3"] and table.skipped == {}
    assert {s.id: s.scores["ps3"] for s in table.students} == {"ann": 0.0, "bob": 0.0, "cy": 0.0}


def test_moodle_csv_has_an_identifier_column_and_one_column_per_assignment(gradebook, tmp_path):
    table = exports.collect(gradebook, "course")
    assert _rows(exports.write_moodle(table, tmp_path / "m.csv")) == [
        ["Username", "ps1", "ps2"], ["ann", "6", "9.5"], ["bob", "2", "0"], ["cy", "4", "0"]]
    with pytest.raises(ValueError, match="bob"):
        exports.write_moodle(table, tmp_path / "m.csv", identifier="email")  # bob has no e-mail: say so
    table.students = [s for s in table.students if s.email]
    assert _rows(exports.write_moodle(table, tmp_path / "m.csv", identifier="email"))[:2] == [
        ["Email address", "ps1", "ps2"], ["ann@uni.example", "6", "9.5"]]


def test_canvas_csv_has_identity_columns_and_points_possible(gradebook, tmp_path):
    table = exports.collect(gradebook, "course", ["ps1"])
    path, unmatched = exports.write_canvas(table, tmp_path / "c.csv")
    assert unmatched == []
    assert _rows(path) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1"],
        ["    Points Possible", "", "", "", "", "8"],
        ["Lee, Ann", "", "", "ann", "", "6"],
        ["bob", "", "", "bob", "", "2"],
        ["Young, Jr., Cy", "", "", "cy", "", "4"],
    ]


def test_canvas_roster_supplies_canvas_identities(gradebook, tmp_path):
    roster = tmp_path / "canvas_export.csv"
    with open(roster, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Quiz 1 (123)"])
        writer.writerow(["    Points Possible", "", "", "", "", "10"])
        writer.writerow(["Lee, Ann", "1001", "S-1", "ann", "Section A", "7"])
        writer.writerow(["Young, Cy", "1003", "S-3", "cy", "Section B", ""])
    table = exports.collect(gradebook, "course")
    path, unmatched = exports.write_canvas(table, tmp_path / "c.csv", exports.read_canvas_roster(roster))
    assert unmatched == ["bob"]
    assert _rows(path)[2:] == [["Lee, Ann", "1001", "S-1", "ann", "Section A", "6", "9.5"],
                               ["Young, Cy", "1003", "S-3", "cy", "Section B", "4", "0"]]


def test_a_file_that_is_not_a_canvas_export_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,score\nann,1\n")
    with pytest.raises(ValueError, match="not a Canvas gradebook export"):
        exports.read_canvas_roster(path)


def test_unknown_assignment_is_an_error(gradebook):
    with pytest.raises(KeyError, match="ps9"):
        exports.collect(gradebook, "course", ["ps1", "ps9"])


def test_nbgrader_grades_csv_is_nbgraders_own(gradebook, tmp_path):
    rows = _rows(exports.write_nbgrader_csv(gradebook, "course", tmp_path / "grades.csv"))
    assert rows[0][:4] == ["assignment", "duedate", "timestamp", "student_id"]
    assert len(rows) == 1 + 4 * 3  # every student, every assignment (nbgrader's rule)


def test_the_export_command_writes_all_three(gradebook, tmp_path):
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "course"\n'
                                                 'c.CourseDirectory.db_url = %r\n' % gradebook)
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "export", "--root", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 0, result.stderr
    for name in ("grades.csv", "moodle.csv", "canvas.csv"):
        assert (tmp_path / "exports" / name).exists()
    assert "cy/ps1" in result.stderr  # pending manual grading is pointed out
    assert "no column for practice (worth no points), ps3 (no submission yet)" in result.stderr
    # the three files agree on which assignments they hold
    assert {row[0] for row in _rows(tmp_path / "exports" / "grades.csv")[1:]} == {"ps1", "ps2"}
    assert _rows(tmp_path / "exports" / "moodle.csv")[0] == ["Username", "ps1", "ps2"]
