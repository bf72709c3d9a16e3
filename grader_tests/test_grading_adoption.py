"""Adopting ``coursekit grade`` in an existing course (issue 15): the pieces, cheaply.

- what an instructor may expose to the sandbox, and what is refused;
- copying back the files a notebook wrote (regular files only, bounded, links refused);
- naming the sandbox difference behind a failed cell, with the setting that allows it;
- nbgrader's configuration search (``~/.jupyter`` with ``CourseDirectory.root``, ``--root``),
  and no file created outside the course root;
- the instructor report's "Differences from plain nbgrader" section.

The end-to-end proofs (both graders on real courses) are in ``test_grading_compare.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from coursekit.exposure import ExposureError, check_readonly_paths, copy_written_files, explain_cell
from coursekit.grading.report import differences_html
from coursekit.grading.settings import Course, CourseError
from coursekit.sandbox import SUBMISSION

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- readonly_paths

@pytest.fixture()
def course_root(tmp_path):
    root = tmp_path / "course"
    for name in ("source", "reference", ".coursekit", "submitted", "data"):
        (root / name).mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    return root


def test_shared_data_folders_may_be_exposed(course_root):
    shared = course_root.parent / "shared"
    assert check_readonly_paths([str(shared), str(course_root / "data")], course_root) == (
        str(shared.resolve()), str((course_root / "data").resolve()))


@pytest.mark.parametrize("bad, why", [
    ("relative/data", "not an absolute path"),
    ("{root}/missing", "does not exist"),
    ("/", "system folder"),
    ("/etc", "system folder"),
    ("/proc/self", "system folder"),
    ("{root}", "contains the course root"),
    ("{parent}", "contains the course root"),
    ("{root}/reference", "would show"),
    ("{root}/.coursekit", "would show"),
    ("{root}/submitted", "would show"),
])
def test_exposing_the_course_or_the_system_is_refused_with_the_reason(course_root, bad, why):
    path = bad.format(root=course_root, parent=course_root.parent)
    with pytest.raises(ExposureError, match=why) as error:
        check_readonly_paths([path], course_root)
    assert "c.SandboxedKernelManager.readonly_paths" in str(error.value)


# --------------------------------------------------------------------------- written files

def test_written_files_are_copied_back_and_links_never_followed(tmp_path):
    home, out, secret = tmp_path / "home", tmp_path / "autograded", tmp_path / "secret.txt"
    home.mkdir(), out.mkdir()
    secret.write_text("grader's secret")
    (home / "result.csv").write_text("a,b\n1,2\n")
    (home / "plots").mkdir()
    (home / "plots" / "loss.txt").write_text("0.1")
    (home / "leak.txt").symlink_to(secret)                       # a link to a grader file: refused
    (home / "linked_dir").symlink_to(tmp_path)                   # a link to a folder: refused, never entered
    (home / "notebook.ipynb").symlink_to(SUBMISSION + "/notebook.ipynb")  # the sandbox's own link: skipped
    (home / ".ipython").mkdir()
    (home / ".ipython" / "history.sqlite").write_text("kernel state")    # the kernel's, not output
    (home / "data.txt").write_text("submitted data")             # an unchanged copy of a submitted file
    (out / "data.txt").write_text("submitted data")
    os.mkfifo(home / "pipe")                                     # not a regular file: refused
    copied, refused = copy_written_files(str(home), str(out), max_files=10, max_bytes=1 << 20, submitted=str(out))
    assert copied == ["plots/loss.txt", "result.csv"]
    assert (out / "result.csv").read_text() == "a,b\n1,2\n" and (out / "plots" / "loss.txt").read_text() == "0.1"
    assert sorted(refused) == ["leak.txt (a link)", "linked_dir (a link)", "pipe (not a regular file)"]
    assert not (out / "leak.txt").exists() and not (out / ".ipython").exists()


def test_copy_back_is_bounded_in_count_and_size(tmp_path):
    home, out = tmp_path / "home", tmp_path / "out"
    home.mkdir(), out.mkdir()
    for index in range(5):
        (home / ("f%d.txt" % index)).write_text("x" * 100)
    (home / "huge.bin").write_bytes(b"\0" * 5000)
    copied, refused = copy_written_files(str(home), str(out), max_files=3, max_bytes=1000)
    assert copied == ["f0.txt", "f1.txt", "f2.txt"]
    assert refused == ["f3.txt (over the file count)", "f4.txt (over the file count)", "huge.bin (over the file count)"]
    copied, refused = copy_written_files(str(home), str(tmp_path / "out2"), max_files=100, max_bytes=1000)
    assert "huge.bin (over the size bound)" in refused and len(copied) == 5


# --------------------------------------------------------------------------- named differences

def _failed(source: str, ename: str, evalue: str):
    return nbformat.v4.new_code_cell(source, outputs=[nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                                                             traceback=[])])


MANAGER = SimpleNamespace(sandboxed=True, readonly_paths=[], pass_environment=[])


def test_a_host_path_outside_the_sandbox_is_named_with_its_folder(tmp_path):
    data = tmp_path / "course-data" / "x.csv"
    data.parent.mkdir()
    data.write_text("1")
    cell = _failed("check()", "FileNotFoundError", "[Errno 2] No such file or directory: '%s'" % data)
    (found,) = explain_cell(cell, MANAGER, earlier=["def check():\n    open(%r)" % str(data)])
    assert found["event"] == "outside_sandbox" and found["setting"] == "c.SandboxedKernelManager.readonly_paths"
    assert str(data.parent) in found["message"]
    exposed = SimpleNamespace(sandboxed=True, readonly_paths=[str(data.parent)], pass_environment=[])
    assert explain_cell(cell, exposed) == []  # exposed: not the sandbox's fault
    missing = _failed("open('/no/such/file')", "FileNotFoundError", "No such file or directory: '/no/such/file'")
    assert explain_cell(missing, MANAGER) == []  # missing for nbgrader too


def test_read_only_writes_and_missing_variables_are_named(monkeypatch):
    cell = _failed("open('notes.txt', 'w')", "OSError", "[Errno 30] Read-only file system: 'notes.txt'")
    (found,) = explain_cell(cell, MANAGER)
    assert found["event"] == "read_only_write" and "writable_submission = True" in found["message"]

    monkeypatch.setenv("COURSE_DATA", "/srv/data")
    cell = _failed("folder = os.environ['COURSE_DATA']", "KeyError", "'COURSE_DATA'")
    (found,) = explain_cell(cell, MANAGER)
    assert found["event"] == "missing_environment" and "['COURSE_DATA']" in found["message"]
    passed = SimpleNamespace(sandboxed=True, readonly_paths=[], pass_environment=["COURSE_DATA"])
    assert explain_cell(cell, passed) == []
    monkeypatch.setenv("COURSEKIT_SECRET", "s")  # never suggested, never passed
    assert explain_cell(_failed("os.getenv('COURSEKIT_SECRET')", "TypeError", "x"), MANAGER) == []
    unsandboxed = SimpleNamespace(sandboxed=False, readonly_paths=[], pass_environment=[])
    assert explain_cell(cell, unsandboxed) == []
    assert explain_cell(nbformat.v4.new_code_cell("x = 1", outputs=[]), MANAGER) == []


def test_the_report_lists_differences_with_their_setting():
    log = {"ann": {"events": [{"event": "missing_environment", "setting": "c.SandboxedKernelManager.pass_environment",
                               "message": "cell 2: the grader's environment has DATA ..."},
                              {"event": "timeout", "message": "cell 3 ran longer than 4 s"}]},
           "bob": {"events": [{"event": "missing_environment", "setting": "c.SandboxedKernelManager.pass_environment",
                               "message": "cell 2: ..."}]}}
    page = differences_html(log)
    assert "missing_environment" in page and "c.SandboxedKernelManager.pass_environment" in page
    assert "ann, bob" in page and ">2<" in page and "ran longer" not in page
    assert "None recorded" in differences_html({"ann": {"events": [{"event": "timeout", "message": "m"}]}})


# --------------------------------------------------------------------------- configuration search

@pytest.fixture()
def hub_layout(tmp_path, monkeypatch):
    """JupyterHub's layout: the course root is set in ~/.jupyter, graders run from anywhere."""
    home, course, elsewhere = tmp_path / "home", tmp_path / "course", tmp_path / "elsewhere"
    (home / ".jupyter").mkdir(parents=True)
    course.mkdir()
    elsewhere.mkdir()
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\nc.CourseDirectory.root = %r\nc.CourseDirectory.course_id = 'hub'\n"
        "c.Execute.timeout = 7\n" % str(course))
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\nc.Execute.timeout = 99\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("JUPYTER_CONFIG_DIR", raising=False)
    monkeypatch.chdir(elsewhere)
    return SimpleNamespace(home=home, course=course, elsewhere=elsewhere)


def test_the_course_root_set_in_home_jupyter_is_used_from_anywhere(hub_layout):
    course = Course.load()
    assert course.root == hub_layout.course.resolve() and course.course_id == "hub"
    assert course.db_url == "sqlite:///%s" % (hub_layout.course.resolve() / "gradebook.db")
    # as with nbgrader: the root's own file is not read from elsewhere, and that is said
    assert course.config.Execute.timeout == 7
    assert course.ignored_config == hub_layout.course.resolve() / "nbgrader_config.py"


def test_root_means_as_if_run_from_there(hub_layout):
    course = Course.load(hub_layout.course)
    assert course.root == hub_layout.course.resolve()
    assert course.config.Execute.timeout == 99 and course.ignored_config is None  # the folder's own file wins


def test_no_gradebook_is_created_where_there_is_none(hub_layout, capsys):
    from coursekit.cli import main

    with pytest.raises(CourseError, match="no gradebook at"):
        Course.load().require_gradebook()
    said = "no gradebook at %s" % (hub_layout.course.resolve() / "gradebook.db")
    # `coursekit grade` as a grader types it, in its own process (exit status and message) ...
    env = dict(os.environ, PATH="%s:%s" % (Path(sys.executable).parent, os.environ["PATH"]),
               PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "grade", "ps1", "--no-progress"],
                            cwd=hub_layout.elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    # ... and the other commands through the same entry point in this process (a process start
    # imports nbgrader and costs seconds; what is tested is the command, from the same folder)
    for command in (["export"], ["report", "ps1"]):
        assert main(command) == 2, command
        assert said in capsys.readouterr().err, command
    assert sorted(os.listdir(hub_layout.elsewhere)) == []
    assert sorted(os.listdir(hub_layout.course)) == ["nbgrader_config.py"]


@pytest.mark.slow
def test_a_hub_course_is_graded_from_anywhere(hub_layout):
    """The issue's case: root set in ~/.jupyter, `coursekit grade` run from another folder."""
    from coursekit import authoring
    from coursekit.grading.parallel import grade_assignment

    source = hub_layout.course / "source" / "ps1"
    source.mkdir(parents=True)
    nbformat.write(authoring.notebook([
        authoring.solution("def answer():\n    ### BEGIN SOLUTION\n    return 42\n    ### END SOLUTION", "answer"),
        authoring.tests('"""answer() is 42."""\nassert answer() == 42', "test_answer", points=1)]),
        str(source / "hub.ipynb"))
    env = dict(os.environ, PATH="%s:%s" % (Path(sys.executable).parent, os.environ["PATH"]))
    result = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", "ps1"],
                            cwd=hub_layout.elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    submitted = hub_layout.course / "submitted" / "ann" / "ps1"
    submitted.mkdir(parents=True)
    nb = nbformat.read(str(hub_layout.course / "release" / "ps1" / "hub.ipynb"), as_version=4)
    nb.cells[0].source = "def answer():\n    return 6 * 7"
    nbformat.write(nb, str(submitted / "hub.ipynb"))
    summary = grade_assignment(None, "ps1", progress=False)
    assert summary.graded == ["ann"] and summary.failed == {} and summary.workers == 0  # one submission: in process
    assert (hub_layout.course / "autograded" / "ann" / "ps1" / "hub.ipynb").is_file()
    assert os.listdir(hub_layout.elsewhere) == []
    assert not (hub_layout.course / ".coursekit" / "secret").exists()  # no hidden checks, no secret


def test_the_grading_summary_names_each_difference_and_its_setting():
    from coursekit.grading.parallel import Summary

    summary = Summary("ps1", graded=["ann", "bob"],
                      differences={("outside_sandbox", "c.SandboxedKernelManager.readonly_paths"): ["bob", "ann"]})
    (line,) = [line for line in summary.lines() if "differently" in line]
    assert line == ("graded differently from plain nbgrader (outside_sandbox) for 2 submission(s): ann, bob; "
                    "nbgrader's behaviour: c.SandboxedKernelManager.readonly_paths")
