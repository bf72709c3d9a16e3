"""``coursekit grade ASSIGNMENT --compare``: grade a class with plain nbgrader and with coursekit, side by side.

Run once on a past assignment before switching a course to ``coursekit grade``. The
course itself is only read: two scratch copies (outside the course, removed afterwards
unless ``--keep``) each get the assignment's source, the chosen submissions,
``reference/`` and the hidden-test secret, a SQLite gradebook holding only the
assignment's definition, and the course's configuration; then

- ``nbgrader``: plain ``nbgrader autograde`` with the course's configuration, nbgrader's
  own ``Execute`` (no sandbox: student code runs with your rights, as it always did with
  nbgrader) and nbgrader's scoring rule for stderr in test cells;
- ``coursekit``: :func:`coursekit.grading.parallel.grade_assignment` (sandbox, workers).

Every test cell whose score differs is listed with the reason taken from coursekit's
grading log (each sandbox difference is logged with the setting that allows nbgrader's
behaviour, :mod:`coursekit.exposure`), and so is every file that reached ``autograded/``
on one side only. A difference with no logged reason is said to be unexplained.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from coursekit.grading import gradebook as gb
from coursekit.grading.settings import CONFIG_FILE, Course

SIDES = ("nbgrader", "coursekit")
_KIT_EXECUTORS = ("coursekit.execute.GradingExecute",)


@dataclass
class Difference:
    student: str
    notebook: str
    cell: str                      # a grade cell's grade_id, or "file:<path>" for autograded files
    nbgrader: float | str | None
    coursekit: float | str | None
    reason: str
    setting: str | None = None

    def row(self) -> list[str]:
        return [self.student, self.notebook, self.cell, _show(self.nbgrader), _show(self.coursekit),
                self.reason + (" [%s]" % self.setting if self.setting else "")]


@dataclass
class Comparison:
    assignment: str
    students: list[str]
    cells: int = 0                                 # (student, test cell) pairs compared
    differences: list[Difference] = field(default_factory=list)
    nbgrader_failed: dict[str, str] = field(default_factory=dict)
    coursekit_failed: dict[str, str] = field(default_factory=dict)
    scratch: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = ["coursekit grade --compare %s: %d student(s), %d test cell(s) compared, %d difference(s) "
               "(nbgrader %.1f s, coursekit %.1f s)" % (self.assignment, len(self.students), self.cells,
                                                        len(self.differences), self.seconds.get("nbgrader", 0),
                                                        self.seconds.get("coursekit", 0))]
        if self.differences:
            header = ["student", "notebook", "cell", "nbgrader", "coursekit", "reason [setting]"]
            rows = [header] + [d.row() for d in self.differences]
            widths = [max(len(r[i]) for r in rows) for i in range(5)]
            for row in rows:
                out.append("  ".join(v.ljust(w) for v, w in zip(row[:5], widths)) + "  " + row[5])
        else:
            out.append("Every test cell got the same score both ways, and the same files reached autograded/.")
        for side, failed in (("nbgrader", self.nbgrader_failed), ("coursekit", self.coursekit_failed)):
            for student, reason in sorted(failed.items()):
                out.append("%s could not grade %s: %s" % (side, student, reason))
        if self.scratch:
            out.append("scratch copies kept in %s" % self.scratch)
        return out


def _show(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return ("%.2f" % value).rstrip("0").rstrip(".")
    return str(value)


def _overrides(side_root: Path) -> Config:
    """Settings that pin a scratch copy to itself, whatever the configuration files say."""
    config = Config()
    config.CourseDirectory.root = str(side_root)
    config.CourseDirectory.db_url = "sqlite:///%s" % (side_root / "gradebook.db")
    for step in ("source", "release", "submitted", "autograded", "feedback"):
        setattr(config.CourseDirectory, step + "_directory", step)
    return config


def _plain_preprocessors(config) -> list | None:
    configured = config.Autograde.get("autograde_preprocessors") if "Autograde" in config else None
    if configured is None:
        return None
    return ["nbgrader.preprocessors.Execute" if item in _KIT_EXECUTORS else item for item in configured]


def _scratch_course(course: Course, assignment: str, students: list[str], side_root: Path, template: bytes,
                    secret: str | None) -> None:
    source = course.root / course.config.CourseDirectory.get("source_directory", "source") / assignment
    shutil.copytree(source, side_root / "source" / assignment, symlinks=True)
    for student in students:
        shutil.copytree(course.path("submitted", student, assignment),
                        side_root / "submitted" / student / assignment, symlinks=True)
    if (course.root / "reference").is_dir():
        shutil.copytree(course.root / "reference", side_root / "reference",
                        ignore=shutil.ignore_patterns("__pycache__"))
    (side_root / "gradebook.db").write_bytes(template)
    if secret is not None:
        (side_root / ".coursekit").mkdir(mode=0o700)
        (side_root / ".coursekit" / "secret").write_text(secret)
    own = course.root / CONFIG_FILE
    if str(own) in course.config_files:  # nbgrader read it from the folder it ran in: so it does here
        shutil.copy(own, side_root / CONFIG_FILE)


def _command_line(config: Config) -> list[str]:
    return ["--%s.%s=%s" % (section, key, value) for section, values in config.items() for key, value in values.items()]


def run_nbgrader(course: Course, side_root: Path, assignment: str, timeout: float = 24 * 3600) -> dict[str, str]:
    """Plain ``nbgrader autograde`` in a scratch copy; returns the students it failed with the reason."""
    own = side_root / CONFIG_FILE
    text = own.read_text() if own.exists() else "c = get_config()  # noqa: F821\n"
    plain = _plain_preprocessors(course.config)
    text += ("\n\n# coursekit grade --compare: plain nbgrader (its own Execute, its stderr rule)\n"
             "c.ScoreHiddenChecks.stderr_fails_cell = True\n")
    if plain is not None:
        text += "c.Autograde.autograde_preprocessors = %r\n" % (plain,)
    own.write_text(text)
    command = [str(Path(sys.executable).parent / "nbgrader"), "autograde", assignment, "--force",
               *_command_line(_overrides(side_root))]
    bin_dir = str(Path(sys.executable).parent)  # nbgrader's own tools (alembic) live beside it
    env = dict(os.environ, PATH=os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
    result = subprocess.run(command, cwd=side_root, env=env, capture_output=True, text=True, timeout=timeout)
    (side_root / "nbgrader-autograde.log").write_text(result.stdout + result.stderr)
    failed = {}
    for line in (result.stdout + result.stderr).splitlines():
        if "There was an error processing assignment" in line or "Skipping submitted assignment" in line:
            for student in os.listdir(side_root / "submitted"):
                if os.sep + student + os.sep in line and student not in failed:
                    failed[student] = line.strip()[-300:]
    return failed


def _scores(side_root: Path, course_id: str, assignment: str) -> dict[tuple[str, str, str], float | None]:
    from nbgrader.api import MissingEntry

    rows = {}
    with gb.opened("sqlite:///%s" % (side_root / "gradebook.db"), course_id) as gradebook:
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.cell_type == "code" or grade.auto_score is not None:
                        rows[(student.id, notebook.name, grade.name)] = grade.auto_score
    return rows


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    found = set()
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = [d for d in subdirectories if d not in ("__pycache__", ".ipynb_checkpoints")]
        for name in names:
            found.add(os.path.relpath(os.path.join(directory, name), folder))
    return found


def _events(side_root: Path, assignment: str) -> dict[str, dict]:
    path = side_root / ".coursekit" / "grading" / assignment / "log.jsonl"
    entries = {}
    if path.exists():
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            entries[entry["student"]] = entry
    return entries


_PLAIN_REASONS = {"timeout": "the cell ran over its time limit", "kernel_died": "the kernel died",
                  "budget_exhausted": "the notebook's time budget was used up"}


def _reason(entry: dict | None, grade_id: str) -> tuple[str, str | None]:
    """The logged cause of a differing cell: its own event first, then any difference the notebook had."""
    if entry is None:
        return "unexplained: coursekit logged nothing for this student", None
    if entry.get("status") != "graded":
        lines = (entry.get("error") or "unknown error").strip().splitlines() or ["unknown error"]
        return "coursekit could not grade it: %s" % lines[-1][:300], None
    events = entry.get("events", [])
    for candidates in ([e for e in events if e.get("grade_id") == grade_id and e.get("setting")],
                       [e for e in events if e.get("setting")]):
        if candidates:
            return "%s: %s" % (candidates[0]["event"], candidates[0]["message"]), candidates[0]["setting"]
    own = [e for e in events if e.get("grade_id") == grade_id]
    if own:
        return "unexplained (%s: %s)" % (own[0]["event"], own[0]["message"]), None
    for note in entry.get("notes", []):
        return "unexplained (the submission was repaired: %s)" % note, None
    return "unexplained: no event in coursekit's grading log", None


def compare(root, assignment: str, *, students: list[str] | None = None, workers: int | None = None,
            keep: bool = False, unsandboxed: bool = False, progress: bool = False,
            reuse_nbgrader: Path | None = None) -> Comparison:
    """Grade ``assignment`` both ways in scratch copies and list every differing cell (module doc).

    ``reuse_nbgrader``: the ``nbgrader`` folder of a scratch copy kept earlier (``keep``) for the
    same submissions, so that sandbox settings can be tuned without running plain nbgrader again.
    """
    import time

    from coursekit.grading.parallel import GradingError, grade_assignment

    course = Course.load(root)
    course.require_gradebook()
    course_id = course.course_id
    try:
        template = gb.build_template(course.db_url, course_id, assignment)
    except Exception as error:  # MissingEntry: the assignment was never generated
        raise GradingError("assignment %r is not in the gradebook %s: %s" % (assignment, course.db_url, error)) \
            from None
    available = course.submissions(assignment)
    chosen = [s for s in available if not students or s in set(students)]
    if not chosen:
        raise GradingError("no submissions of %r to compare" % assignment)
    own_secret = course.root / ".coursekit" / "secret"
    secret = None  # a course without hidden checks (no reference/) needs none, and gets none
    if own_secret.is_file():
        secret = own_secret.read_text().strip()
    elif (course.root / "reference").is_dir() and not os.environ.get("COURSEKIT_SECRET"):
        secret = secrets.token_hex(32)  # shared by both sides, never written into the course
    scratch = Path(tempfile.mkdtemp(prefix="coursekit-compare-%s-" % assignment))
    comparison = Comparison(assignment, chosen, scratch=scratch if keep else None)
    try:
        for side in SIDES:
            _scratch_course(course, assignment, chosen, scratch / side, template, secret)
        started = time.perf_counter()
        if reuse_nbgrader is not None:
            shutil.rmtree(scratch / "nbgrader")
            shutil.copytree(reuse_nbgrader, scratch / "nbgrader", symlinks=True)
            failures = Path(reuse_nbgrader) / "nbgrader-failed.json"
            comparison.nbgrader_failed = json.loads(failures.read_text()) if failures.exists() else {}
        else:
            comparison.nbgrader_failed = run_nbgrader(course, scratch / "nbgrader", assignment)
            (scratch / "nbgrader" / "nbgrader-failed.json").write_text(json.dumps(comparison.nbgrader_failed))
        comparison.seconds["nbgrader"] = time.perf_counter() - started
        started = time.perf_counter()
        summary = grade_assignment(scratch / "coursekit", assignment, workers=workers, force=True,
                                   unsandboxed=unsandboxed, progress=progress,
                                   overrides=_overrides(scratch / "coursekit"))
        comparison.seconds["coursekit"] = time.perf_counter() - started
        comparison.coursekit_failed = dict(summary.failed)
        _diff(comparison, scratch, course_id, assignment)
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return comparison


def _diff(comparison: Comparison, scratch: Path, course_id: str, assignment: str) -> None:
    plain = _scores(scratch / "nbgrader", course_id, assignment)
    kit = _scores(scratch / "coursekit", course_id, assignment)
    log = _events(scratch / "coursekit", assignment)
    keys = sorted(set(plain) | set(kit))
    comparison.cells = len(keys)
    for key in keys:
        student, notebook, cell = key
        a, b = plain.get(key, "not graded"), kit.get(key, "not graded")
        if a == b or (isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-9):
            continue
        if key not in plain:
            reason, setting = "plain nbgrader did not grade this submission: %s" % comparison.nbgrader_failed.get(
                student, "see nbgrader-autograde.log"), None
        else:
            reason, setting = _reason(log.get(student), cell)
        comparison.differences.append(Difference(student, notebook, cell, a, b, reason, setting))
    for student in comparison.students:
        sides = [scratch / side / "autograded" / student / assignment for side in SIDES]
        plain_files, kit_files = _files(sides[0]), _files(sides[1])
        if not plain_files or not kit_files:
            continue  # a side that could not grade it at all is reported above
        entry = log.get(student) or {}
        for path in sorted(plain_files ^ kit_files):
            refused = [e for e in entry.get("events", []) if e.get("event") == "files_refused"]
            if path in plain_files:
                if refused and any(path in e.get("message", "") for e in refused):
                    reason, setting = "files_refused: %s" % refused[0]["message"], refused[0]["setting"]
                else:
                    reason = ("written by the notebook; coursekit did not copy it back (copy_back_files is off, or "
                              "the kernel that wrote it was restarted)")
                    setting = "c.SandboxedKernelManager.copy_back_files"
            else:
                reason, setting = "unexplained: only coursekit's autograded folder has it", None
            comparison.differences.append(Difference(student, "-", "file:" + path,
                                                     "present" if path in plain_files else "absent",
                                                     "present" if path in kit_files else "absent", reason, setting))
