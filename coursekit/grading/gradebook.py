"""The gradebook side of parallel grading: staging copies, one serial writer, resumable runs.

Workers never write to the course's gradebook. Each grades into a private SQLite
*template* holding only the assignment's definition (:func:`build_template`, built from
the real gradebook, SQLite or PostgreSQL alike). The coordinator then copies the scores
nbgrader's ``SaveAutoGrades`` computed there into the real gradebook with
:func:`record`, one submission per transaction, keeping manual scores and recomputing
late penalties as nbgrader's ``AssignLatePenalties`` does.

What was graded is remembered per student (:class:`GradingState`): the hash of the
submission and of the grading inputs. A run killed halfway leaves every submission
either fully recorded (state written after its transaction) or not recorded at all,
and the next run grades exactly those that are missing or stale.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sys
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nbgrader import api
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.exc import SAWarning
from nbgrader.preprocessors import AssignLatePenalties


@contextmanager
def opened(db_url: str, course_id: str = "default_course"):
    """nbgrader's ``Gradebook``, with its connection pool closed afterwards.

    ``Gradebook.close`` keeps the engine's connections open; the coordinator later forks
    its Dask workers, which must not inherit open database connections.
    """
    gradebook = Gradebook(db_url, course_id)
    try:
        yield gradebook
    finally:
        gradebook.close()
        gradebook.engine.dispose()


def build_template(db_url: str, course_id: str, assignment: str) -> bytes:
    """A SQLite gradebook (as bytes) holding only ``assignment``'s definition.

    Written in one transaction with nbgrader's own table definitions (nbgrader's
    ``update_or_create_*`` helpers commit once per cell, and a new ``Gradebook`` runs the
    ``alembic`` command: seconds each, where this takes milliseconds).
    """
    handle, path = tempfile.mkstemp(suffix=".db", prefix="coursekit-template-")
    os.close(handle)
    os.unlink(path)
    try:
        with opened(db_url, course_id) as source:
            found = source.find_assignment(assignment)
            version = source.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
            engine = create_engine("sqlite:///" + path, future=True)
            api.Base.metadata.create_all(engine)
            with Session(engine) as session:
                session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
                session.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
                session.add(api.Course(id=course_id))
                copied = api.Assignment(found.name, duedate=found.duedate, course_id=course_id)
                session.add(copied)
                for notebook in found.notebooks:
                    # The kernelspec too: nbgrader's OverwriteKernelspec restores a submission's from it.
                    new = api.Notebook(name=notebook.name, assignment=copied, kernelspec=notebook.kernelspec)
                    session.add(new)
                    for cell in notebook.grade_cells:
                        session.add(api.GradeCell(name=cell.name, max_score=cell.max_score,
                                                  cell_type=cell.cell_type, notebook=new))
                    for cell in notebook.solution_cells:
                        session.add(api.SolutionCell(name=cell.name, notebook=new))
                    for cell in notebook.task_cells:
                        session.add(api.TaskCell(name=cell.name, max_score=cell.max_score,
                                                 cell_type=cell.cell_type, notebook=new))
                    for cell in notebook.source_cells:
                        session.add(api.SourceCell(name=cell.name, cell_type=cell.cell_type, locked=cell.locked,
                                                   source=cell.source, checksum=cell.checksum, notebook=new))
                session.commit()
            engine.dispose()
        return Path(path).read_bytes()
    finally:
        if os.path.exists(path):
            os.unlink(path)


def notebook_names(db_url: str, course_id: str, assignment: str) -> list[str]:
    """The assignment's notebooks in the gradebook; ``MissingEntry`` if it was never generated."""
    with opened(db_url, course_id) as gradebook:
        return [notebook.name for notebook in gradebook.find_assignment(assignment).notebooks]


def read_scores(db_url: str, assignment: str, student: str) -> dict:
    """What ``SaveAutoGrades`` wrote for one submission: auto scores and auto comments per notebook."""
    scores: dict[str, dict] = {}
    comments: dict[str, dict] = {}
    with opened(db_url) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        for notebook in submission.notebooks:
            scores[notebook.name] = {g.name: g.auto_score for g in notebook.grades}
            comments[notebook.name] = {c.name: c.auto_comment for c in notebook.comments}
    return {"scores": scores, "comments": comments}


def record(db_url: str, course_id: str, assignment: str, student: str, scores: dict, comments: dict,
           timestamp: datetime.datetime | None, config=None) -> dict[str, float]:
    """Write one graded submission into the course's gradebook; returns the score per notebook.

    ``scores[notebook][grade_cell]`` is the auto score (None: needs manual grading);
    notebooks absent from ``scores`` score 0 (nbgrader's rule for missing notebooks).
    Manual scores already given are kept, and flag the cell for review, as
    ``SaveAutoGrades`` does. All score changes are committed together.
    """
    late = AssignLatePenalties(config=config) if config is not None else AssignLatePenalties()
    late.init_plugin()
    with opened(db_url, course_id) as gradebook, warnings.catch_warnings():
        # nbgrader's own add_submission triggers SQLAlchemy autoflush warnings; they are harmless.
        warnings.simplefilter("ignore", category=SAWarning)
        gradebook.update_or_create_student(student)
        if timestamp is not None:
            submission = gradebook.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            submission = gradebook.update_or_create_submission(assignment, student)
        session = gradebook.db
        for notebook in submission.notebooks:
            cell_scores = scores.get(notebook.name)
            for grade in notebook.grades:
                if cell_scores is None:
                    grade.auto_score, grade.needs_manual_grade = 0, False
                    continue
                grade.auto_score = cell_scores.get(grade.name)
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            for comment in notebook.comments:
                if notebook.name in comments and comment.name in comments[notebook.name]:
                    comment.auto_comment = comments[notebook.name][comment.name]
        session.flush()
        session.expire_all()  # reload the computed notebook scores after the new grades
        submission = gradebook.find_submission(assignment, student)
        totals = {}
        for notebook in submission.notebooks:
            notebook.late_submission_penalty = None
            if submission.total_seconds_late > 0:
                penalty = late.plugin_inst.late_submission_penalty(student, notebook.score,
                                                                   submission.total_seconds_late)
                if penalty is not None:
                    notebook.late_submission_penalty = late._check_late_penalty(notebook, penalty)
            totals[notebook.name] = float(notebook.score)
        session.commit()
        return totals


def submitted_fingerprint(folder: Path) -> str:
    """A hash of a submission folder: notebook and small-file contents, size and mtime of the rest."""
    digest = hashlib.sha256()
    if not folder.is_dir():
        return "missing"
    for directory, subdirectories, names in os.walk(folder, followlinks=False):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
            try:
                info = path.lstat()
            except OSError:
                continue
            if path.is_file() and not path.is_symlink() and info.st_size <= 4 * 2**20:
                digest.update(path.read_bytes())
            else:
                digest.update(b"%d:%d" % (info.st_size, info.st_mtime_ns))
    return digest.hexdigest()


@dataclass
class GradingState:
    """What ``coursekit grade`` recorded for one assignment, per student (a JSON file each)."""

    folder: Path

    def _path(self, student: str) -> Path:
        safe = student.replace("/", "_")
        return self.folder / "state" / (safe + ".json")

    def get(self, student: str) -> dict | None:
        try:
            return json.loads(self._path(student).read_text())
        except (OSError, ValueError):
            return None

    def put(self, student: str, entry: dict) -> None:
        path = self._path(student)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(entry, indent=1, sort_keys=True))
        os.replace(temporary, path)  # a reader sees the old or the new state, never half

    def forget(self, student: str) -> None:
        try:
            self._path(student).unlink()
        except FileNotFoundError:
            pass


def install_autograded(staged: Path, final: Path) -> None:
    """Put a worker's finished ``autograded/<student>/<assignment>`` folder in place.

    ``staged`` is a sibling of ``final`` on the same file system, so each step is a rename;
    a crash between them leaves ``final`` absent (no state is written either), and the
    next run grades that student again and removes the leftovers.
    """
    old = final.with_name("." + final.name + ".coursekit-old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.rename(final, old)
    os.rename(staged, final)
    if old.exists():
        shutil.rmtree(old)


def remove_leftovers(autograded_root: Path, assignment: str) -> None:
    """Staged or replaced folders that a killed run left behind."""
    if not autograded_root.is_dir():
        return
    for student_dir in autograded_root.iterdir():
        if not student_dir.is_dir():
            continue
        for leftover in student_dir.glob("." + assignment + ".coursekit-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def has_submission(db_url: str, course_id: str, assignment: str, student: str) -> bool:
    with opened(db_url, course_id) as gradebook:
        try:
            gradebook.find_submission(assignment, student)
            return True
        except MissingEntry:
            return False
