"""``coursekit grade`` as a batch: real Dask clusters, idempotent regrading, resuming a killed run.

One small class (the grading-test assignment, a few correct and wrong submissions) is
released once; each test grades its own copy of it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from adversarial.course import (ASSIGNMENT, ROOT, SECRET, answered, environment, make_course, release_notebook,
                                submission_folder, tree_digest)
from coursekit.grading.parallel import grade_assignment

pytestmark = pytest.mark.slow

WRONG_RELU = 'def relu(x):\n    """Wrong: the identity."""\n    return np.asarray(x) * 0 + 7.0'
#: student -> answers that differ from the correct ones, and the total auto score they earn.
CLASS = {"s1": ({}, 6.0), "s2": ({"relu": WRONG_RELU}, 4.0), "s3": ({}, 6.0), "s4": ({"relu": WRONG_RELU}, 4.0),
         "s5": ({}, 6.0), "s6": ({}, 6.0)}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("parallel") / "course")
    release = release_notebook(root)
    for student, (answers, _) in CLASS.items():
        nbformat.write(answered(release, **answers), str(submission_folder(root, student) / "functions.ipynb"))
    return root


@pytest.fixture()
def course(released, tmp_path, monkeypatch):
    root = tmp_path / "course"
    shutil.copytree(released, root)
    monkeypatch.setenv("COURSEKIT_SECRET", SECRET)
    return root


def _gradebook(root: Path) -> dict:
    """Every grade and comment of every submission, as nbgrader holds them."""
    with Gradebook("sqlite:///%s" % (root / "gradebook.db"), "grading-fixture") as gradebook:
        rows = {}
        for student in gradebook.students:
            submission = gradebook.find_submission(ASSIGNMENT, student.id)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    rows[(student.id, grade.name)] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade)
                for comment in notebook.comments:
                    rows[(student.id, "comment:" + comment.name)] = comment.auto_comment
        return rows


def _totals(root: Path) -> dict:
    with Gradebook("sqlite:///%s" % (root / "gradebook.db"), "grading-fixture") as gradebook:
        return {s.id: gradebook.find_submission(ASSIGNMENT, s.id).score for s in gradebook.students}


def _log(root: Path) -> list[dict]:
    path = root / ".coursekit" / "grading" / ASSIGNMENT / "log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_local_dask_cluster_grades_in_parallel_and_regrading_changes_nothing(course):
    submitted = tree_digest(course / "submitted")
    summary = grade_assignment(course, ASSIGNMENT, workers=3, progress=False)
    assert summary.failed == {} and sorted(summary.graded) == sorted(CLASS)
    assert _totals(course) == {s: total for s, (_, total) in CLASS.items()}
    assert len({entry["worker"] for entry in _log(course)}) >= 2  # really spread over worker processes
    first = _gradebook(course)

    again = grade_assignment(course, ASSIGNMENT, workers=3, progress=False)  # nothing changed: nothing to do
    assert again.graded == [] and sorted(again.skipped) == sorted(CLASS)
    forced = grade_assignment(course, ASSIGNMENT, workers=2, progress=False, force=True)
    assert sorted(forced.graded) == sorted(CLASS)
    assert _gradebook(course) == first
    assert tree_digest(course / "submitted") == submitted
    assert not list((course / "autograded").glob("*/.*coursekit*"))  # no staging leftovers


def test_regrading_keeps_manual_grades_and_follows_changes(course):
    grade_assignment(course, ASSIGNMENT, workers=0, progress=False, students=["s1", "s2"])
    with Gradebook("sqlite:///%s" % (course / "gradebook.db"), "grading-fixture") as gradebook:
        grade = gradebook.find_grade("explain_normalize", "functions", ASSIGNMENT, "s1")
        grade.manual_score = 1.0
        gradebook.db.commit()

    release = release_notebook(course)
    nbformat.write(answered(release), str(course / "submitted" / "s2" / ASSIGNMENT / "functions.ipynb"))
    summary = grade_assignment(course, ASSIGNMENT, workers=0, progress=False, students=["s1", "s2"])
    assert summary.graded == ["s2"] and summary.skipped == ["s1"]  # only the changed submission
    assert _totals(course) == {"s1": 7.0, "s2": 6.0}

    (course / "reference" / "fixture.py").write_text((course / "reference" / "fixture.py").read_text() + "\n# edit\n")
    summary = grade_assignment(course, ASSIGNMENT, workers=0, progress=False, students=["s1", "s2"])
    assert summary.graded == ["s1", "s2"]  # the reference changed: every result is stale
    rows = _gradebook(course)
    assert rows[("s1", "explain_normalize")] == (0.0, 1.0, True)  # manual score kept, flagged for review
    assert _totals(course) == {"s1": 7.0, "s2": 6.0}


def test_a_run_killed_halfway_leaves_a_consistent_gradebook_and_the_next_run_finishes(course):
    command = [sys.executable, "-m", "coursekit.cli", "grade", ASSIGNMENT, "--root", str(course), "--workers", "1",
               "--no-progress"]
    process = subprocess.Popen(command, cwd=ROOT, env=dict(environment(), COURSEKIT_SECRET=SECRET),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 600
    while len(_log(course)) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # coordinator, Dask workers and kernels, mid-run
    process.wait()
    done = {entry["student"] for entry in _log(course)}
    assert 2 <= len(done) < len(CLASS), "the run was not interrupted halfway"

    totals = _totals(course)
    for student in done:  # what was recorded is complete
        assert totals[student] == CLASS[student][1]

    summary = grade_assignment(course, ASSIGNMENT, workers=2, progress=False)
    assert summary.failed == {}
    assert set(summary.skipped) >= done and set(summary.graded) | set(summary.skipped) == set(CLASS)
    assert _totals(course) == {s: total for s, (_, total) in CLASS.items()}
    assert not list((course / "autograded").glob("*/.*coursekit*"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_remote_scheduler_is_used_as_is(course):
    """A scheduler started on its own (as dask-jobqueue or dask-kubernetes would) grades the same."""
    port = _free_port()
    address = "tcp://127.0.0.1:%d" % port
    dask = str(Path(sys.executable).parent / "dask")
    env = dict(environment(), COURSEKIT_SECRET=SECRET)
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--dashboard-address", ":0"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        for _ in range(2):
            processes.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard"],
                                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                              start_new_session=True))
        summary = grade_assignment(course, ASSIGNMENT, scheduler=address, workers=2, progress=False,
                                   students=["s1", "s2"])
        assert summary.failed == {} and summary.graded == ["s1", "s2"]
        assert _totals(course) == {"s1": 6.0, "s2": 4.0}
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
