"""Grade one submission in isolation (runs in a Dask worker, or in process with ``--workers 0``).

:func:`grade_submission` takes a picklable job and returns a picklable result. It

1. copies the submission into a private staging course folder (:mod:`.intake`: the
   student's ``submitted/`` folder is only read) next to a private copy of the
   gradebook template (the assignment's definition only);
2. runs nbgrader's own ``Autograde`` converter there, with the course's configuration:
   sanitising, hidden-test injection, execution in the sandbox (``GradingExecute``),
   out-of-kernel scoring, ``SaveAutoGrades`` into the staging gradebook;
3. copies the finished ``autograded`` folder next to the course's own (a hidden name,
   renamed into place by the coordinator) and returns the scores nbgrader computed,
   the notes, the execution events and the log.

The course's gradebook is never opened here: the coordinator writes it, one
submission at a time (:func:`coursekit.grading.gradebook.record`).
"""

from __future__ import annotations

import copy
import importlib
import io
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from traitlets.config import Config

from coursekit.grading.gradebook import read_scores, submitted_fingerprint
from coursekit.grading.intake import IntakeLimits, NotebookSpec, take_in

_LOG_CHARS = 20000
_spec_cache: dict[tuple, NotebookSpec] = {}


def scratch_dir() -> str | None:
    """Where staging folders go: RAM (``/dev/shm``) when there is one.

    nbgrader commits to the staging gradebook a few dozen times per submission; on a disk
    each commit waits for an fsync (20 ms here), in RAM it does not (0.1 ms).
    """
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        info = os.statvfs(shm)
        if info.f_bavail * info.f_frsize > 2 * 2**30:
            return shm
    return None


def notebook_specs(source_dir: Path, names: list[str]) -> dict[str, NotebookSpec]:
    """The source notebooks of an assignment (cached per worker while unchanged)."""
    specs = {}
    for name in names:
        path = source_dir / (name + ".ipynb")
        key = (str(path), path.stat().st_mtime_ns)
        if key not in _spec_cache:
            _spec_cache[key] = NotebookSpec.from_source(path)
        specs[name] = _spec_cache[key]
    return specs


class _CourseModules:
    """Import ``reference`` from this course while grading, whatever this process imported before.

    On exit the process gets back the ``reference`` modules it had: a caller that grades in
    process (the inline executor, a test, a notebook) keeps the module objects it holds, rather
    than finding fresh copies under the same names (a monkeypatched constant then no longer applied,
    and units stopped being the objects the registry returns).
    """

    def __init__(self, root: Path):
        self.root = str(root)

    def _purge(self, keep_from_root: bool) -> None:
        for name in list(sys.modules):
            if name == "reference" or name.startswith("reference."):
                origin = str(getattr(sys.modules[name], "__file__", "") or "")
                if not (keep_from_root and origin.startswith(self.root + os.sep)):
                    del sys.modules[name]
        importlib.invalidate_caches()

    def __enter__(self):
        self.saved_path = list(sys.path)
        self.saved_modules = {name: module for name, module in sys.modules.items()
                              if name == "reference" or name.startswith("reference.")}
        sys.path[:] = [self.root] + [p for p in sys.path if p != self.root]
        self._purge(keep_from_root=True)
        return self

    def __exit__(self, *exc):
        sys.path[:] = self.saved_path
        self._purge(keep_from_root=False)
        sys.modules.update(self.saved_modules)


def _job_config(job: dict, stage: Path) -> Config:
    config = copy.deepcopy(job["config"])  # merging would share (and so change) the caller's sections
    course = config.CourseDirectory
    course.root = job["root"]
    course.submitted_directory = str(stage / "submitted")
    course.autograded_directory = str(stage / "autograded")
    course.db_url = "sqlite:///" + str(stage / "gradebook.db")
    course.assignment_id = job["assignment"]
    course.student_id = job["student"]
    course.notebook_id = "*"
    if job.get("last"):
        config.GradingExecute.prelaunch = False  # no next notebook in this process: a spare kernel would be waste
    return config


def grade_submission(job: dict) -> dict:
    """Grade ``job["student"]``'s submission of ``job["assignment"]``; never raises."""
    started = time.perf_counter()
    root, assignment, student = Path(job["root"]), job["assignment"], job["student"]
    submitted = Path(job["submitted"])
    result = {"student": student, "assignment": assignment, "status": "failed", "scores": {}, "comments": {},
              "missing": [], "notes": [], "events": [], "log": "", "error": None, "staged": None,
              "timestamp": None, "worker": "%s:%d" % (socket.gethostname(), os.getpid()),
              "fingerprint": submitted_fingerprint(submitted)}
    stage = Path(tempfile.mkdtemp(prefix="coursekit-grade-", dir=job.get("scratch") or scratch_dir()))
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger = logging.getLogger("traitlets")
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the coordinator's terminal shows a progress bar, not nbgrader's log
    asyncio_logger = logging.getLogger("asyncio")
    asyncio_level = asyncio_logger.level
    asyncio_logger.setLevel(logging.CRITICAL)  # nbclient leaves polling tasks behind after a dead kernel
    try:
        with _CourseModules(root), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy and nbformat warnings: noise here
            _grade(job, stage, result)
    except Exception:
        result["status"] = "failed"
        result["error"] = traceback.format_exc()[-8000:]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        asyncio_logger.setLevel(asyncio_level)
        result["log"] = buffer.getvalue()[-_LOG_CHARS:]
        shutil.rmtree(stage, ignore_errors=True)
        result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _grade(job: dict, stage: Path, result: dict) -> None:
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    from coursekit.execute import listen

    root, assignment, student = Path(job["root"]), job["assignment"], job["student"]
    (stage / "gradebook.db").write_bytes(job["template"])
    config = _job_config(job, stage)
    coursedir = CourseDirectory(config=config)
    staged_submission = stage / "submitted" / student / assignment

    specs = notebook_specs(Path(job["source"]), job["notebooks"])
    intake = take_in(Path(job["submitted"]), staged_submission, specs, IntakeLimits(**job.get("intake_limits", {})))
    result["notes"].extend(intake.notes)
    result["missing"] = intake.missing
    try:  # intake dropped a timestamp.txt nbgrader cannot read; this is the last line of defence
        timestamp = coursedir.get_existing_timestamp(str(staged_submission))
    except Exception as error:  # nbgrader's own error path raises AttributeError
        (staged_submission / "timestamp.txt").unlink(missing_ok=True)
        result["notes"].append("timestamp.txt could not be read (%s); graded without a submission time"
                               % type(error).__name__)
        timestamp = None
    result["timestamp"] = timestamp

    if not intake.notebooks:
        result["status"] = "graded"  # nothing gradable: every notebook scores 0, said in the notes
        return

    converter = Autograde(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_student = True
    with listen(result["events"].append):
        converter.start()  # raises NbGraderException on failure, after logging why

    produced = stage / "autograded" / student / assignment
    if not produced.is_dir():
        raise RuntimeError("nbgrader produced no autograded folder")
    recorded = read_scores(config.CourseDirectory.db_url, assignment, student)
    result["scores"], result["comments"] = recorded["scores"], recorded["comments"]
    for name in intake.missing:  # unreadable notebooks score 0, even where nbgrader saw a file
        result["scores"].pop(name, None)

    # Hand the folder over next to its final place (same file system: the coordinator renames it).
    final = Path(job["autograded"])
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = final.with_name(".%s.coursekit-new-%s" % (final.name, job["run"]))
    if staged.exists():
        shutil.rmtree(staged)
    shutil.copytree(produced, staged, symlinks=True)
    result["staged"] = str(staged)
    result["status"] = "graded"


def generate_feedback(job: dict) -> dict:
    """Run nbgrader's ``GenerateFeedback`` for one student (reads the course's gradebook only)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    started = time.perf_counter()
    result = {"student": job["student"], "ok": False, "error": None}
    config = copy.deepcopy(job["config"])
    config.CourseDirectory.root = job["root"]
    config.CourseDirectory.assignment_id = job["assignment"]
    config.CourseDirectory.student_id = job["student"]
    config.HTMLExporter.template_name = "feedback"
    logger = logging.getLogger("traitlets")
    saved = logger.propagate
    logger.propagate = False
    try:
        warnings.simplefilter("ignore")
        converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
        converter.force = True
        converter.start()
        result["ok"] = True
    except Exception:
        result["error"] = traceback.format_exc()[-4000:]
    finally:
        logger.propagate = saved
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result
