"""Grade files for learning-management systems, read from nbgrader's gradebook.

- ``grades.csv``: nbgrader's own export (``CsvExportPlugin``, as ``nbgrader export``);
- Moodle, *Grades > Import > CSV file*: one identifier column (``Username``,
  ``ID number`` or ``Email address``: Moodle's "Identify user by" maps it) and one
  column per assignment, named after it, holding the points;
- Canvas, *Grades > Import*: ``Student, ID, SIS User ID, SIS Login ID, Section``, then
  one column per assignment; the second row is ``Points Possible`` with each
  assignment's maximum. Canvas matches students by its ``ID`` or ``SIS User ID`` / ``SIS
  Login ID``; without a roster the nbgrader student id is written as the SIS Login ID.
  Pass a gradebook exported from Canvas as ``roster`` to copy Canvas's own identity
  columns instead (its ``SIS Login ID``, or its ``ID``, must equal the nbgrader id).

Scores are nbgrader's: auto plus manual points, minus any late penalty, never below 0;
a student without a submission scores 0 (as in nbgrader's ``grades.csv``). Submissions
that still need manual grading are listed by :func:`collect`, so the caller can warn.
Unless assignments are named, an assignment nobody has submitted yet, or one worth no
points (the midterm practice notebook), gets no column: importing it would write a 0
over every student's grade in the LMS before the work was even set.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTIFIERS = {"username": "Username", "idnumber": "ID number", "email": "Email address"}


@dataclass
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    scores: dict[str, float] = field(default_factory=dict)   # assignment -> points

    @property
    def sortable_name(self) -> str:
        """``Last, First`` as Canvas writes names, or the id when nbgrader has no name."""
        if self.last_name or self.first_name:
            return ", ".join(part for part in (self.last_name, self.first_name) if part)
        return self.id


@dataclass
class GradeTable:
    assignments: list[str]
    max_scores: dict[str, float]
    students: list[Student]
    needs_manual_grade: list[tuple[str, str]] = field(default_factory=list)   # (student, assignment)
    skipped: dict[str, str] = field(default_factory=dict)   # assignment -> why it has no column


def _points(value: float) -> str:
    return ("%.2f" % value).rstrip("0").rstrip(".") if value != int(value) else "%d" % value


def collect(db_url: str, course_id: str = "default_course", assignments: list[str] | None = None) -> GradeTable:
    """Every student's points per assignment, from the gradebook."""
    with Gradebook(db_url, course_id) as gradebook:
        chosen = sorted((a for a in gradebook.assignments if not assignments or a.name in assignments),
                        key=lambda a: a.name)
        unknown = sorted(set(assignments or []) - {a.name for a in chosen})
        if unknown:
            raise KeyError("not in the gradebook: %s" % ", ".join(unknown))
        skipped = {}
        if not assignments:
            for assignment in chosen:
                if not float(assignment.max_score):
                    skipped[assignment.name] = "worth no points"
                elif not assignment.submissions:
                    skipped[assignment.name] = "no submission yet"
            chosen = [a for a in chosen if a.name not in skipped]
        table = GradeTable([a.name for a in chosen], {a.name: float(a.max_score) for a in chosen}, [],
                           skipped=skipped)
        for record in gradebook.students:
            student = Student(record.id, record.first_name or "", record.last_name or "", record.email or "")
            for assignment in chosen:
                try:
                    submission = gradebook.find_submission(assignment.name, record.id)
                except MissingEntry:
                    student.scores[assignment.name] = 0.0
                    continue
                penalty = submission.late_submission_penalty or 0.0
                student.scores[assignment.name] = max(0.0, float(submission.score) - float(penalty))
                if submission.needs_manual_grade:
                    table.needs_manual_grade.append((record.id, assignment.name))
            table.students.append(student)
    table.students.sort(key=lambda s: s.id)
    return table


def write_nbgrader_csv(db_url: str, course_id: str, path: Path, assignments: list[str] | None = None) -> Path:
    """nbgrader's own ``grades.csv`` (one row per student and assignment)."""
    plugin = CsvExportPlugin(to=str(path), assignment=list(assignments or []))
    with Gradebook(db_url, course_id) as gradebook:
        plugin.export(gradebook)
    return Path(path)


def write_moodle(table: GradeTable, path: Path, identifier: str = "username") -> Path:
    """Moodle's grade import CSV: an identifier column, then points per assignment."""
    header = MOODLE_IDENTIFIERS[identifier]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([header] + table.assignments)
        for student in table.students:
            key = student.email if identifier == "email" else student.id
            if not key:
                raise ValueError("student %r has no email address in the gradebook" % student.id)
            writer.writerow([key] + [_points(student.scores[a]) for a in table.assignments])
    return Path(path)


def read_canvas_roster(path: Path) -> dict[str, dict]:
    """Identity columns of a Canvas gradebook export, keyed by SIS Login ID and by ID."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    missing = [c for c in CANVAS_IDENTITY if rows and c not in rows[0]]
    if missing:
        raise ValueError("%s is not a Canvas gradebook export (no column %s)" % (path, ", ".join(missing)))
    roster = {}
    for row in rows:
        if row["Student"].strip() in ("Points Possible", "Student, Test"):
            continue
        identity = {c: row[c] for c in CANVAS_IDENTITY}
        for key in (row["SIS Login ID"], row["ID"]):
            if key:
                roster[key.strip()] = identity
    return roster


def write_canvas(table: GradeTable, path: Path, roster: dict[str, dict] | None = None) -> tuple[Path, list[str]]:
    """Canvas's gradebook import CSV; returns the path and students missing from ``roster``."""
    unmatched = []
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANVAS_IDENTITY + table.assignments)
        writer.writerow(["    Points Possible", "", "", "", ""]
                        + [_points(table.max_scores[a]) for a in table.assignments])
        for student in table.students:
            if roster is not None:
                identity = roster.get(student.id)
                if identity is None:
                    unmatched.append(student.id)
                    continue
                row = [identity[c] for c in CANVAS_IDENTITY]
            else:
                row = [student.sortable_name, "", "", student.id, ""]
            writer.writerow(row + [_points(student.scores[a]) for a in table.assignments])
    return Path(path), unmatched
