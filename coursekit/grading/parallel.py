"""The coordinator of ``coursekit grade``: parallel workers, one gradebook writer, a log.

Submissions are graded by :func:`coursekit.grading.runner.grade_submission` in
``dask.distributed`` workers: a ``LocalCluster`` of processes by default (one per core),
or any running scheduler (``--scheduler tcp://host:8786``: dask-jobqueue on Slurm,
dask-kubernetes, ``dask scheduler`` by hand). Remote workers need the course folder at
the same path (a shared file system), the same Python environment, bubblewrap, and
root, as local ones do. As each result arrives the coordinator, alone, renames the
autograded folder into place and records the scores in the gradebook, so SQLite never
sees two writers; then it notes what was graded, so the next run skips it unless the
submission, the assignment, ``reference/``, the configuration or the secret changed.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import shutil
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from coursekit.grading import gradebook as gb
from coursekit.grading.runner import generate_feedback, grade_submission
from coursekit.grading.settings import Course, CourseError
from coursekit.sandbox import SandboxUnavailable, sandbox_problem


#: Classes up to this size are graded in the calling process by default (no cluster to start).
SMALL_CLASS = 2


class GradingError(RuntimeError):
    """The run cannot start (no such assignment, no sandbox, ...); the message says why."""


@dataclass
class Summary:
    assignment: str
    graded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)      # student -> first line of the reason
    skipped: list[str] = field(default_factory=list)          # unchanged since the last run
    with_notes: list[str] = field(default_factory=list)
    feedback_failed: dict[str, str] = field(default_factory=dict)
    #: (difference from plain nbgrader, the setting that allows nbgrader's behaviour) -> students
    differences: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 0
    log_path: Path | None = None

    def lines(self) -> list[str]:
        done = len(self.graded) + len(self.failed)
        per = self.seconds / done if done else 0.0
        out = ["coursekit grade %s: %d graded, %d failed, %d unchanged (skipped) in %.1f s "
               "(%.2f s per submission, %s)" % (self.assignment, len(self.graded), len(self.failed),
                                                len(self.skipped), self.seconds, per,
                                                "%d workers" % self.workers if self.workers else "in process")]
        if self.with_notes:
            out.append("%d submission(s) have notes (renamed or broken notebooks, timeouts, crashes): %s"
                       % (len(self.with_notes), ", ".join(self.with_notes[:12])
                          + (" ..." if len(self.with_notes) > 12 else "")))
        for (kind, setting), students in sorted(self.differences.items()):
            out.append("graded differently from plain nbgrader (%s) for %d submission(s): %s; nbgrader's behaviour: %s"
                       % (kind, len(students), ", ".join(sorted(students)[:8]) + (" ..." if len(students) > 8 else ""),
                          setting))
        for student, reason in sorted(self.failed.items()):
            out.append("FAILED %s: %s" % (student, reason))
        for student, reason in sorted(self.feedback_failed.items()):
            out.append("feedback FAILED %s: %s" % (student, reason))
        if self.log_path:
            out.append("grading log: %s" % self.log_path)
        return out


def _first_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "unknown error"


@contextmanager
def _executor(workers: int, scheduler: str | None):
    """``submit(fn, *args) -> future`` and ``as_completed(futures)``; inline when workers == 0."""
    if workers == 0 and not scheduler:
        class Inline:
            def submit(self, fn, *args, key=None):
                return ("inline", fn, args)

            def scatter(self, value):
                return value

            def as_completed(self, futures):
                for _, fn, args in futures:
                    yield fn(*args)
        yield Inline()
        return

    import dask
    from dask.distributed import Client, LocalCluster, as_completed

    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        # Forked workers start with nbgrader already imported here (seconds per worker saved;
        # spawned ones would import it again). The coordinator holds no database connection
        # or kernel at this point (gradebook.opened disposes its engines).
        import nbgrader.converters  # noqa: F401
        import coursekit.execute  # noqa: F401
        import coursekit.preprocessors  # noqa: F401
        with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
            # No dashboard; its HTTP server (health and metrics routes) still starts, on port 8787
            # unless told otherwise, and a second grading at once then warned "Port 8787 is already
            # in use": any free port (":0") instead.
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                                   silence_logs=logging.ERROR)
        client = Client(cluster)

    class Distributed:
        def submit(self, fn, *args, key=None):
            return client.submit(fn, *args, key=key, pure=False, retries=0)

        def scatter(self, value):
            return client.scatter(value, broadcast=True)

        def as_completed(self, futures):
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as error:  # a worker died (KilledWorker) or could not run the task
                    yield {"__error__": "%s: %s" % (type(error).__name__, error), "key": future.key}

    try:
        yield Distributed()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def sandboxed_preprocessors(config) -> list:
    """The course's autograde preprocessors, with nbgrader's ``Execute`` replaced by ``GradingExecute``.

    A course whose configuration runs notebooks with nbgrader's own ``Execute`` (the
    default) would otherwise run student code unsandboxed; any other notebook executor
    that is not a ``GradingExecute`` is refused rather than silently replaced.
    """
    from nbclient import NotebookClient
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.utils.importstring import import_item

    from coursekit.execute import GradingExecute

    configured = config.Autograde.get("autograde_preprocessors")
    if configured is None:
        configured = Autograde.class_traits()["autograde_preprocessors"].default()
    result = []
    for item in configured:
        cls = import_item(item) if isinstance(item, str) else item
        if isinstance(cls, type) and issubclass(cls, NotebookClient) and not issubclass(cls, GradingExecute):
            if cls is not Execute:
                raise GradingError("%s runs notebooks outside the sandbox: base it on coursekit.execute.GradingExecute"
                                   % item)
            item = "coursekit.execute.GradingExecute"
        result.append(item)
    return result


def check_sandbox_settings(config, root: Path) -> None:
    """Refuse, before any kernel starts, a ``readonly_paths`` that would expose the course."""
    from coursekit.exposure import ExposureError, check_readonly_paths

    try:
        check_readonly_paths(config.SandboxedKernelManager.get("readonly_paths", []), root)
    except ExposureError as error:
        raise GradingError(str(error)) from None


def _with_template(job: dict, template: bytes) -> dict:
    return grade_submission(dict(job, template=template))


def _progress(total: int, enabled: bool):
    from tqdm import tqdm
    return tqdm(total=total, file=sys.stderr, unit="submission", disable=not enabled or total == 0,
                dynamic_ncols=True, desc="grading")


def grade_assignment(root, assignment: str, *, students: list[str] | None = None, workers: int | None = None,
                     scheduler: str | None = None, force: bool = False, unsandboxed: bool = False,
                     feedback: bool = False, progress: bool = True, intake_limits: dict | None = None,
                     overrides=None) -> Summary:
    """Grade every (or the named) submission of ``assignment``; see the module doc.

    ``root`` None: the course nbgrader would find from the current folder
    (:meth:`Course.load`); ``overrides``: settings merged over the course's configuration.
    ``workers`` None: one per core, but never more than there are submissions, and none
    (grading in this process) for up to ``SMALL_CLASS``: a cluster must pay for its start.
    """
    started = time.perf_counter()
    course = Course.load(root, overrides)
    if not unsandboxed:
        problem = sandbox_problem()
        if problem:
            raise SandboxUnavailable("refusing to grade: %s" % problem)
    try:
        course.require_gradebook()
    except CourseError as error:
        raise GradingError(str(error)) from None
    config = course.config
    # The command line alone decides whether student code may run without the sandbox.
    config.SandboxedKernelManager.allow_unsandboxed = bool(unsandboxed)
    config.Autograde.autograde_preprocessors = sandboxed_preprocessors(config)
    check_sandbox_settings(config, course.root)
    try:
        notebooks = gb.notebook_names(course.db_url, course.course_id, assignment)
    except MissingEntry:
        raise GradingError("assignment %r is not in the gradebook: run `nbgrader generate_assignment %s` first"
                           % (assignment, assignment)) from None
    source_dir = course.root / config.CourseDirectory.get("source_directory", "source") / assignment
    for name in notebooks:
        if not (source_dir / (name + ".ipynb")).is_file():
            raise GradingError("%s is missing: the grader restores deleted test cells from it"
                               % (source_dir / (name + ".ipynb")))

    summary = Summary(assignment)
    state = gb.GradingState(course.state_dir(assignment))
    state.folder.mkdir(parents=True, exist_ok=True)
    summary.log_path = state.folder / "log.jsonl"
    inputs = course.inputs_fingerprint(assignment)
    autograded_root = course.root / config.CourseDirectory.get("autograded_directory", "autograded")
    gb.remove_leftovers(autograded_root, assignment)

    available = course.submissions(assignment)
    chosen = available if not students else [s for s in available if s in set(students)]
    for student in sorted(set(students or []) - set(available)):
        summary.failed[student] = "no submission folder %s" % course.path("submitted", student, assignment)
    jobs = []
    for student in chosen:
        submitted = course.path("submitted", student, assignment)
        previous = state.get(student)
        if not force and previous and previous.get("inputs") == inputs \
                and previous.get("fingerprint") == gb.submitted_fingerprint(submitted) \
                and (not previous.get("autograded") or course.path("autograded", student, assignment).is_dir()) \
                and gb.has_submission(course.db_url, course.course_id, assignment, student):
            summary.skipped.append(student)
            continue
        jobs.append({"root": str(course.root), "assignment": assignment, "student": student,
                     "submitted": str(submitted), "autograded": str(course.path("autograded", student, assignment)),
                     "source": str(source_dir), "notebooks": notebooks, "config": config,
                     "intake_limits": intake_limits or {}, "run": uuid.uuid4().hex[:8]})

    if workers is None:
        # A local cluster costs about one submission's grading time to start (processes, scheduler):
        # it pays for itself from three submissions on; one or two are graded here, one after the other.
        workers = min(os.cpu_count() or 1, len(jobs)) if len(jobs) >= SMALL_CLASS + 1 else 0
    if workers == 0 and not scheduler and jobs:
        jobs[-1]["last"] = True
    summary.workers = 0 if (workers == 0 and not scheduler) else workers
    run_id = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    template = gb.build_template(course.db_url, course.course_id, assignment) if jobs else b""
    busy = bool(jobs) or feedback
    with _thread_limits(workers), _executor(workers if busy else 0, scheduler if busy else None) as executor, \
            summary.log_path.open("a") as log, _progress(len(jobs), progress) as bar:
        shared = executor.scatter(template)
        futures = [executor.submit(_with_template, job, shared, key="grade-%s-%s" % (job["student"], job["run"]))
                   for job in jobs]
        by_key = {"grade-%s-%s" % (job["student"], job["run"]): job for job in jobs}
        for result in executor.as_completed(futures):
            if "__error__" in result:
                job = by_key.get(result["key"], {})
                result = {"student": job.get("student", str(result["key"])), "status": "failed",
                          "error": result["__error__"], "notes": [], "events": [], "staged": None}
            entry = _finish(course, assignment, result, state, inputs, config)
            entry["run"] = run_id
            log.write(json.dumps(entry, default=str) + "\n")
            log.flush()
            for event in entry.get("events", []):
                if event.get("setting"):
                    students = summary.differences.setdefault((event["event"], event["setting"]), [])
                    if entry["student"] not in students:
                        students.append(entry["student"])
            if entry["status"] == "graded":
                summary.graded.append(entry["student"])
                if entry["notes"] or entry["events"]:
                    summary.with_notes.append(entry["student"])
            else:
                summary.failed[entry["student"]] = _first_line(entry.get("error"))
            bar.set_postfix(failed=len(summary.failed), refresh=False)
            bar.update(1)

        if feedback:
            students_done = [s for s in sorted(set(summary.graded) | set(summary.skipped))
                             if course.path("autograded", s, assignment).is_dir()]
            futures = [executor.submit(generate_feedback, {"root": str(course.root), "assignment": assignment,
                                                           "student": s, "config": config},
                                       key="feedback-%s-%s" % (s, run_id)) for s in students_done]
            for result in executor.as_completed(futures):
                if not result.get("ok"):
                    summary.feedback_failed[result.get("student", "?")] = _first_line(
                        result.get("error") or result.get("__error__"))
    summary.graded.sort()
    summary.with_notes.sort()
    summary.seconds = time.perf_counter() - started
    with (state.folder / "runs.jsonl").open("a") as runs:
        runs.write(json.dumps({"run": run_id, "graded": len(summary.graded), "failed": summary.failed,
                               "skipped": len(summary.skipped), "seconds": round(summary.seconds, 2),
                               "workers": summary.workers}) + "\n")
    return summary


@contextmanager
def _thread_limits(workers: int):
    """One BLAS/OpenMP thread per kernel when every core already runs a worker (no oversubscription)."""
    cores = os.cpu_count() or 1
    names = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    saved = {name: os.environ.get(name) for name in names}
    if workers > 0:
        for name in names:
            os.environ.setdefault(name, str(max(1, cores // workers)))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _record(course: Course, assignment: str, student: str, result: dict, config) -> dict:
    """``gb.record``, once more if another grader (a second ``coursekit grade`` on a shared PostgreSQL
    gradebook) created the same student or submission at the same moment: its row exists then."""
    from sqlalchemy.exc import IntegrityError

    for attempt in range(3):
        try:
            return gb.record(course.db_url, course.course_id, assignment, student, result["scores"],
                             result["comments"], result.get("timestamp"), config)
        except IntegrityError:
            if attempt == 2:
                raise
            time.sleep(0.2 * (attempt + 1))


def _finish(course: Course, assignment: str, result: dict, state: gb.GradingState, inputs: str, config) -> dict:
    """Install one result (autograded folder, gradebook, state); return its log entry."""
    student = result["student"]
    entry = {"time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "student": student, "status": result.get("status", "failed"), "notes": result.get("notes", []),
             "events": result.get("events", []), "missing": result.get("missing", []),
             "seconds": result.get("seconds"), "worker": result.get("worker"), "error": result.get("error")}
    final = course.path("autograded", student, assignment)
    staged = Path(result["staged"]) if result.get("staged") else None
    if entry["status"] == "graded":
        try:
            if staged is not None:
                gb.install_autograded(staged, final)
            elif final.exists():
                shutil.rmtree(final)  # nothing gradable now: an older autograded copy would mislead
            totals = _record(course, assignment, student, result, config)
            state.put(student, {"fingerprint": result["fingerprint"], "inputs": inputs,
                                "autograded": staged is not None, "scores": totals,
                                "graded": entry["time"]})
            entry["scores"] = totals
            entry["score"] = round(sum(totals.values()), 6)
            entry["cells"] = result["scores"]
        except Exception as error:  # e.g. the gradebook is locked by someone else for too long
            entry["status"] = "failed"
            entry["error"] = "recording the result failed: %s: %s" % (type(error).__name__, error)
    if entry["status"] != "graded":
        state.forget(student)
        if staged is not None and staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
        entry["log"] = (result.get("log") or "")[-4000:]
    return entry
