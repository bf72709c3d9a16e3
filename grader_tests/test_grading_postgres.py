"""A course with several graders on PostgreSQL (``CourseDirectory.db_url``), against a real server.

The test starts PostgreSQL 15 from Debian's ``postgresql`` package in a temporary folder
(Unix socket only, no TCP), as the ``postgres`` user because ``initdb`` refuses root, and
stops it at the end. Two ``coursekit grade`` processes grade two assignments of one course
into it at the same time (two graders); then the gradebook holds every expected score and
``coursekit export`` writes them. The driver is the optional extra ``coursekit[postgres]``
(``psycopg``). Skipped, saying why, only where the server's binaries are not installed.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from coursekit import authoring

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BIN = Path(sys.executable).parent
ANSWERS = {"double": "def double(x):\n    return x + x", "square": "def square(x):\n    return x ** 2"}
WRONG = {"double": "def double(x):\n    return x", "square": "def square(x):\n    return 2 * x"}
#: assignment -> student -> (answers that are wrong, total auto score)
CLASS = {"ps1": {"ann": ((), 3.0), "bob": (("square",), 1.0)},
         "ps2": {"ann": (("double",), 2.0), "bob": ((), 3.0), "cy": (("double", "square"), 0.0)}}


def _as_postgres(*command: str, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def server():
    """A private PostgreSQL server; yields the SQLAlchemy URL of an empty ``gradebook`` database."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "postgres").exists():
        pytest.skip("PostgreSQL 15 server binaries are not installed (%s): apt-get install postgresql" % PG_BIN)
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no 'postgres' user to run the server as (Debian's postgresql package creates it)")
    if os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("starting the server as the postgres user needs root and runuser (util-linux)")
    base = Path(tempfile.mkdtemp(prefix="coursekit-pg-"))
    os.chmod(base, 0o755)
    data, sockets = base / "data", base / "sockets"
    for folder in (data, sockets):
        folder.mkdir(mode=0o700)
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(sockets, 0o755)  # the graders (root) connect through the socket
    result = _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "grader", "--no-sync",
                          "-E", "UTF8", timeout=120)
    if result.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail("initdb failed: %s" % (result.stdout + result.stderr)[-2000:])
    server = subprocess.Popen(["runuser", "-u", "postgres", "--", str(PG_BIN / "postgres"), "-D", str(data),
                               "-k", str(sockets), "-c", "listen_addresses=", "-c", "fsync=off"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _as_postgres(str(PG_BIN / "pg_isready"), "-h", str(sockets), "-U", "grader").returncode != 0:
            assert server.poll() is None and time.monotonic() < deadline, server.stdout.read().decode()[-2000:]
            time.sleep(0.2)
        result = _as_postgres(str(PG_BIN / "createdb"), "-h", str(sockets), "-U", "grader", "gradebook")
        assert result.returncode == 0, result.stderr
        yield "postgresql+psycopg://grader@/gradebook?host=%s" % sockets
    finally:
        server.terminate()  # SIGTERM: PostgreSQL's "smart" shutdown, then a fast one if needed
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)


def _nbgrader(root: Path, *args: str) -> None:
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=root, env=_environment(), capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]


def _environment() -> dict:
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")),
               PYTHONPATH=os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p))
    env.pop("JUPYTER_CONFIG_DIR", None)
    return env


def _source(assignment: str) -> nbformat.NotebookNode:
    """Two answers and two tests (1 + 2 points): ``double`` and ``square``."""
    return authoring.notebook([
        authoring.solution("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", "double"),
        authoring.tests('"""double doubles."""\nassert double(%d) == %d' % (len(assignment), 2 * len(assignment)),
              "test_double", points=1),
        authoring.solution("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION", "square"),
        authoring.tests('"""square squares."""\nassert square(3) == 9\nassert square(-2) == 4', "test_square", points=2),
    ])


@pytest.fixture(scope="module")
def graded(server, tmp_path_factory):
    """Two assignments of one course on the server, graded by two processes at the same time."""
    root = tmp_path_factory.mktemp("postgres") / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text(
        'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "multi-grader"\n'
        "# several graders share one PostgreSQL gradebook\nc.CourseDirectory.db_url = %r\n" % server)
    for assignment in CLASS:
        (root / "source" / assignment).mkdir(parents=True)
        nbformat.write(_source(assignment), str(root / "source" / assignment / "functions.ipynb"))
        _nbgrader(root, "generate_assignment", assignment, "--force")
        release = nbformat.read(str(root / "release" / assignment / "functions.ipynb"), as_version=4)
        for student, (wrong, _) in CLASS[assignment].items():
            folder = root / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nb = nbformat.reads(nbformat.writes(release), as_version=4)
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in ANSWERS:
                    cell.source = WRONG[grade_id] if grade_id in wrong else ANSWERS[grade_id]
            nbformat.write(nb, str(folder / "functions.ipynb"))
    graders = [subprocess.Popen([sys.executable, "-m", "coursekit.cli", "grade", assignment, "--root", str(root),
                                 "--workers", "0", "--no-progress"], cwd=ROOT, env=_environment(),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for assignment in CLASS]
    ended = {}
    while len(ended) < len(graders):  # when each ended, to show that they really graded at the same time
        for index, grader in enumerate(graders):
            if index not in ended and grader.poll() is not None:
                ended[index] = time.monotonic()
        time.sleep(0.05)
    outputs = [grader.communicate(timeout=60)[0] for grader in graders]
    # each grader graded during [end - seconds, end]: the intervals must overlap
    started = [ended[i] - _grading_seconds(root, assignment) for i, assignment in enumerate(CLASS)]
    exported = subprocess.run([sys.executable, "-m", "coursekit.cli", "export", "--root", str(root)], cwd=ROOT,
                              env=_environment(), capture_output=True, text=True, timeout=300)
    return {"root": root, "url": server, "codes": [g.returncode for g in graders], "outputs": outputs,
            "export": exported, "overlap": min(ended.values()) - max(started)}


def _grading_seconds(root: Path, assignment: str) -> float:
    """How long the last ``coursekit grade`` run of ``assignment`` spent grading (its runs.jsonl)."""
    runs = (root / ".coursekit" / "grading" / assignment / "runs.jsonl").read_text().splitlines()
    return json.loads(runs[-1])["seconds"]


def test_two_graders_at_once_fill_one_postgres_gradebook(graded):
    from nbgrader.api import Gradebook

    assert graded["codes"] == [0, 0], "\n".join(graded["outputs"])
    assert graded["overlap"] > 0, "the two graders did not grade at the same time"
    assert not (graded["root"] / "gradebook.db").exists()  # nothing went to a SQLite file instead
    with Gradebook(graded["url"], "multi-grader") as gradebook:
        for assignment, students in CLASS.items():
            for student, (_, total) in students.items():
                assert gradebook.find_submission(assignment, student).score == total, (assignment, student)
        assert sorted(s.id for s in gradebook.students) == ["ann", "bob", "cy"]
    for assignment, students in CLASS.items():
        for student in students:
            assert (graded["root"] / "autograded" / student / assignment / "functions.ipynb").is_file()
    assert "2 graded, 0 failed" in graded["outputs"][0] and "3 graded, 0 failed" in graded["outputs"][1]


def test_exports_from_postgres(graded):
    result = graded["export"]
    assert result.returncode == 0, result.stderr
    out = graded["root"] / "exports"
    with open(out / "grades.csv") as handle:
        rows = {(r["assignment"], r["student_id"]): float(r["raw_score"]) for r in csv.DictReader(handle)}
    for assignment, students in CLASS.items():
        for student, (_, total) in students.items():
            assert rows[(assignment, student)] == total
    with open(out / "moodle.csv") as handle:
        moodle = {row["Username"]: row for row in csv.DictReader(handle)}
    assert sorted(moodle) == ["ann", "bob", "cy"]
    assert float(moodle["bob"]["ps2"]) == 3.0 and float(moodle["ann"]["ps1"]) == 3.0
    assert (out / "canvas.csv").read_text().count("\n") >= 4  # header, points possible, three students
