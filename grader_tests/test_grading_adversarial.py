"""The adversarial corpus, graded in one batch by ``coursekit grade`` (sandboxed, 2 Dask workers).

Each submission in ``grader_tests/adversarial/corpus.py`` attacks or breaks the grader in
one way and must get exactly its expected score per test cell; the batch must finish,
and the course (sources, reference, release, config, the gradebook's assignment
definition) and every submission must be byte-for-byte untouched afterwards.
"""

from __future__ import annotations

import json
import os
import threading
from html import escape
import sqlite3
from pathlib import Path

import nbformat
import pytest

from adversarial.corpus import CASES
from adversarial.course import ASSIGNMENT, SECRET, build_corpus, make_course, tree_digest

pytestmark = pytest.mark.slow

_DEFINITION_TABLES = ("assignment", "notebook", "base_cell", "grade_cells", "solution_cells", "task_cells",
                      "source_cell", "course")


def _definition(db: Path) -> dict:
    with sqlite3.connect(str(db)) as connection:
        return {t: sorted(map(repr, connection.execute("SELECT * FROM %s" % t).fetchall())) for t in _DEFINITION_TABLES}


def _course_files(root: Path) -> dict:
    skip = ("autograded", "feedback", "submitted", ".coursekit", "reports", "exports")
    return {k: v for k, v in tree_digest(root, skip=skip).items() if k != "gradebook.db"}


class PeakMemory:
    """Peak resident memory (VmHWM) of this process's grading workers while a batch runs.

    Samples every descendant process except sandboxed kernels (bwrap, setpriv, prlimit and
    the ipykernel they start): what is left is the grader, its Dask nanny and workers.
    """

    _KERNEL_WORDS = (b"ipykernel", b"bwrap", b"setpriv", b"prlimit")

    def __init__(self):
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.wait(0.2):
            self.sample()

    def sample(self):
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    status = Path("/proc/%s/status" % entry).read_text()
                    parents[int(entry)] = (int(status.split("PPid:")[1].split()[0]), status)
                except (OSError, IndexError, ValueError):
                    continue
        me = os.getpid()
        for pid, (ppid, status) in parents.items():
            chain, seen = ppid, 0
            while chain not in (me, 0, 1) and chain in parents and seen < 50:
                chain, seen = parents[chain][0], seen + 1
            if chain != me or "VmHWM:" not in status:
                continue
            try:
                command = Path("/proc/%d/cmdline" % pid).read_bytes()
            except OSError:
                continue
            if any(word in command for word in self._KERNEL_WORDS):
                continue
            kib = int(status.split("VmHWM:")[1].split()[0])
            self.peaks[pid] = max(self.peaks.get(pid, 0), kib << 10)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from coursekit.grading.parallel import grade_assignment

    base = tmp_path_factory.mktemp("adversarial")
    root = make_course(base / "course")
    build_corpus(root, CASES)
    (base / "canary.txt").write_text("untouched")
    before = {"course": _course_files(root), "submitted": tree_digest(root / "submitted"),
              "definition": _definition(root / "gradebook.db")}
    saved = os.environ.get("COURSEKIT_SECRET")
    os.environ["COURSEKIT_SECRET"] = SECRET
    try:
        with PeakMemory() as memory:
            summary = grade_assignment(root, ASSIGNMENT, workers=2, progress=False)
    finally:
        if saved is None:
            os.environ.pop("COURSEKIT_SECRET", None)
        else:
            os.environ["COURSEKIT_SECRET"] = saved
    log = {}
    for line in (root / ".coursekit" / "grading" / ASSIGNMENT / "log.jsonl").read_text().splitlines():
        entry = json.loads(line)
        log[entry["student"]] = entry
    return {"root": root, "base": base, "summary": summary, "log": log, "before": before, "memory": memory.peaks}


def _scores(root: Path, student: str) -> dict:
    from nbgrader.api import Gradebook
    with Gradebook("sqlite:///%s" % (root / "gradebook.db"), "grading-fixture") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}


def test_the_batch_completes(graded):
    summary = graded["summary"]
    assert summary.failed == {}, summary.lines()
    assert sorted(summary.graded) == sorted(c.name for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_submission_gets_its_exact_grade(graded, case):
    scores = _scores(graded["root"], case.name)
    manual = scores.pop("explain_normalize")
    assert scores == case.expected, "%s supposed to score %s, got %s" % (case.name, case.expected, scores)
    # Unanswered: nbgrader's "no response" rule, whatever else happened; answered: waits for a grader.
    assert manual == case.manual


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_log_says_what_happened(graded, case):
    entry = graded["log"][case.name]
    notes = "\n".join(entry["notes"])
    for phrase in case.notes:
        assert phrase in notes, "%s: note %r missing from %s" % (case.name, phrase, entry["notes"])
    kinds = {event["event"] for event in entry["events"]}
    for kind in case.events:
        assert kind in kinds, "%s: event %r missing from %s" % (case.name, kind, entry["events"])


@pytest.mark.parametrize("case", [c for c in CASES if c.outputs], ids=str)
def test_the_autograded_notebook_shows_it(graded, case):
    path = graded["root"] / "autograded" / case.name / ASSIGNMENT / "functions.ipynb"
    text = json.dumps([cell.get("outputs", []) for cell in nbformat.read(str(path), as_version=4).cells])
    for phrase in case.outputs:
        if phrase.startswith("!"):
            assert phrase[1:] not in text, "%s: %r must not appear" % (case.name, phrase[1:])
        else:
            assert phrase in text, "%s: %r missing from the autograded notebook" % (case.name, phrase)


def test_nothing_outside_the_expected_grades_changed(graded):
    root, before = graded["root"], graded["before"]
    assert tree_digest(root / "submitted") == before["submitted"]
    assert _course_files(root) == before["course"]
    assert _definition(root / "gradebook.db") == before["definition"]
    assert (graded["base"] / "canary.txt").read_text() == "untouched"
    for case in CASES:
        for path in case.escape_files:
            assert not os.path.exists(path), "%s escaped the sandbox: %s exists" % (case.name, path)


def test_broken_files_are_not_copied_into_autograded(graded):
    folder = graded["root"] / "autograded" / "file_bomb" / ASSIGNMENT
    names = {p.name for p in folder.rglob("*")}
    assert not {"huge.bin", "gradebook_link.db", "source_link", "a_fifo"} & names
    assert not any(p.is_symlink() for p in folder.rglob("*"))


def test_the_instructor_report_covers_the_batch(graded, tmp_path):
    from coursekit.grading.report import write_report

    html = write_report(graded["root"], ASSIGNMENT, tmp_path / "report.html").read_text()
    assert "<svg" in html and "Score distribution" in html and "Pass rate per test cell" in html
    for phrase in ("test_relu", "kernel_died", "not valid JSON", "graded 'functions-Copy1.ipynb' instead",
                   "hidden test failed: arrays of any shape",  # sys_modules_injection: only hidden tests catch it
                   "NameError: name 'add' is not defined"):  # the exit() case lost its definition
        assert escape(phrase) in html, phrase


def test_feedback_shows_verdicts_but_not_hidden_tests(graded):
    from coursekit.grading.runner import generate_feedback
    from coursekit.grading.settings import Course

    course = Course.load(graded["root"])
    for student in ("correct", "os_exit_in_add"):
        result = generate_feedback({"root": str(course.root), "assignment": ASSIGNMENT, "student": student,
                                    "config": course.config})
        assert result["ok"], result["error"]
    correct = (graded["root"] / "feedback" / "correct" / ASSIGNMENT / "functions.html").read_text()
    crashed = (graded["root"] / "feedback" / "os_exit_in_add" / ASSIGNMENT / "functions.html").read_text()
    assert "Hidden tests: 3 / 3 points" in correct and "PASS  invalid input raises ValueError" in correct
    assert "The kernel died while running this cell" in crashed
    for html in (correct, crashed):
        for secret in ("_coursekit_hidden_check", "coursekit-check:", "BEGIN HIDDEN TESTS", "_probe_ns"):
            assert secret not in html


# ---------------------------------------------------------------- second round (issue 17)

def test_grader_memory_stays_under_one_gib_per_worker(graded):
    """Floods of output, a 40 MB message, 150 MB of display updates and a forged dtype bomb were
    all graded in this batch: no grading process may have held 1 GiB at any moment."""
    peaks = graded["memory"]
    assert peaks, "no grading process was sampled"
    print("peak resident memory per grading process (MiB):", sorted(v >> 20 for v in peaks.values()))
    assert max(peaks.values()) < 2**30, {pid: v >> 20 for pid, v in peaks.items()}


@pytest.mark.parametrize("name", ["floods_update_display_data", "sends_one_40mb_message",
                                  "floods_display_during_probe"])
def test_flooded_notebooks_stay_small_on_disk(graded, name):
    path = graded["root"] / "autograded" / name / ASSIGNMENT / "functions.ipynb"
    assert path.stat().st_size < 2_000_000, "%s: %d bytes on disk" % (name, path.stat().st_size)


def test_student_html_reaches_formgrader_as_text(graded):
    """Raw HTML in a written answer and in added Markdown is escaped in the autograded notebook
    (formgrader renders Markdown without a sanitiser); the submitted file is untouched."""
    path = graded["root"] / "autograded" / "script_in_outputs_and_answer" / ASSIGNMENT / "functions.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Its standard deviation is 0. &lt;img src=x" in markdown
    for raw in ("<img", "<script", "<iframe", "javascript:"):
        assert raw not in markdown, raw
    submitted = graded["root"] / "submitted" / "script_in_outputs_and_answer" / ASSIGNMENT / "functions.ipynb"
    assert '<img src=x onerror=' in submitted.read_text()


# ---------------------------------------------------------------- stability judged where it cannot be switched off

_SIGMOIDS = {
    # np.errstate inside the function silenced the kernel's overflow warnings and earned the point.
    "naive_sigmoid_hiding_overflow_with_errstate": ('def sigmoid(z):\n'
                                                    '    with np.errstate(over="ignore", invalid="ignore"):\n'
                                                    '        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))'),
    "naive_sigmoid_hiding_overflow_with_warning_filters": (
        'import warnings\n'
        'def sigmoid(z):\n'
        '    with warnings.catch_warnings():\n'
        '        warnings.simplefilter("ignore")\n'
        '        old = np.seterr(all="ignore")\n'
        '        try:\n'
        '            return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n'
        '        finally:\n'
        '            np.seterr(**old)'),
    # Its own catch_warnings(record=True) swallows the warnings before the kernel's probe records them.
    "naive_sigmoid_recording_its_own_warnings_under_an_errstate_decorator": (
        'import warnings\n'
        'from numpy import errstate\n'
        '@errstate(over="warn", invalid="warn")\n'
        'def sigmoid(z):\n'
        '    with warnings.catch_warnings(record=True):\n'
        '        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))'),
    # A subclass is the notebook's own code: np.errstate's guard covers it too.
    "naive_sigmoid_hiding_overflow_with_an_errstate_subclass": (
        'class quiet(np.errstate):\n'
        '    pass\n'
        'def sigmoid(z):\n'
        '    with quiet(over="ignore", invalid="ignore"):\n'
        '        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))'),
    # A warning-free library sigmoid keeps every point (torch.sigmoid too: test_correct_alternatives.py).
    "library_sigmoid_scipy_expit": 'from scipy.special import expit\ndef sigmoid(z):\n    return expit(z)',
    "stable_sigmoid_flooding_every_descriptor": (  # 48 MB into whatever file the grader reads results from
        'import os\n'
        'for fd in range(3, 12):\n'
        '    try:\n'
        '        for _ in range(3):\n'
        '            os.write(fd, b"{" * (16 << 20))\n'
        '    except OSError:\n'
        '        pass\n'
        'def sigmoid(z):\n'
        '    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))'),
    "stable_sigmoid_with_masks": ('def sigmoid(z):\n'
                                  '    z = np.asarray(z, dtype=float)\n'
                                  '    e = np.exp(-np.abs(z))\n'
                                  '    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))'),
    "stable_sigmoid_with_logaddexp": 'def sigmoid(z):\n    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))',
    "stable_sigmoid_with_tanh": 'def sigmoid(z):\n    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))',
}
#: Groups of perceptron.sigmoid_stable: large negative z, large positive z, arrays over [-1000, 1000].
_STABILITY_EXPECTED = {
    "naive_sigmoid_hiding_overflow_with_errstate": 1 / 3,          # only "large positive z" never overflows
    "naive_sigmoid_hiding_overflow_with_warning_filters": 1 / 3,
    "naive_sigmoid_recording_its_own_warnings_under_an_errstate_decorator": 1 / 3,
    "library_sigmoid_scipy_expit": 1.0,
    "naive_sigmoid_hiding_overflow_with_an_errstate_subclass": 1 / 3,
    "stable_sigmoid_with_masks": 1.0,
    "stable_sigmoid_flooding_every_descriptor": 0.0,                # output read up to 32 MiB, then killed
    "stable_sigmoid_with_logaddexp": 1.0,
    "stable_sigmoid_with_tanh": 1.0,
}


@pytest.mark.parametrize("name", sorted(_SIGMOIDS))
def test_sigmoid_stability_is_judged_where_the_function_cannot_switch_it_off(name, tmp_path):
    """The grader's ScoreHiddenChecks, on a notebook whose kernel reported no warning at all: the
    point depends on a fresh process where numpy raises on overflow (coursekit/isolated.py)."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from coursekit import harness
    from coursekit.preprocessors import ScoreHiddenChecks
    from coursekit import checks as framework
    get_check = getattr(framework, "get_check", None)
    if get_check is None:  # checks are found through the unit registry
        from coursekit.registry import get_check

    check = get_check("perceptron.sigmoid_stable")
    groups = check.groups(seed=20261206)
    namespace = {"np": __import__("numpy")}
    # What the kernel reported, simulated here: the definition only (never the flood, in this process).
    source = _SIGMOIDS[name]
    exec(source[source.index("def sigmoid"):] if "flooding" in name else source, namespace)
    cases = [case.encoded() for group in groups for case in group.cases]
    payload = harness.run_in_namespace(harness.check_source(check.id, check.function, check.probe, cases,
                                                            check.timeout), namespace)
    test = new_code_cell('"""sigmoid is numerically stable."""\n### BEGIN HIDDEN TESTS\n'
                         '# coursekit-check: perceptron.sigmoid_stable\n### END HIDDEN TESTS')
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 3,
                                 "grade_id": "test_sigmoid_stable", "schema_version": 3}
    test.outputs = [new_output("display_data", data={harness.RESULT_MIME: payload})]
    answer = new_code_cell(_SIGMOIDS[name])
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": "answer_sigmoid",
                                   "schema_version": 3}
    nb = new_notebook(cells=[new_code_cell("import numpy as np"), answer, test])
    (tmp_path / "nb").mkdir(mode=0o755)
    tmp_path.chmod(0o755)
    resources = {"metadata": {"path": str(tmp_path / "nb")},
                 "coursekit_hidden_checks": {"test_sigmoid_stable": {"checks": [(check, groups)], "public": ""}}}
    in_kernel = check.score(groups, payload)
    assert in_kernel.fraction == 1.0, in_kernel.lines()
    nb, _ = ScoreHiddenChecks().preprocess(nb, resources)
    score = float(nb.cells[2].outputs[-1]["data"]["text/plain"])
    report = nb.cells[2].outputs[-2]["data"]["text/plain"]
    assert score == pytest.approx(3 * _STABILITY_EXPECTED[name]), report
    if name.startswith("naive"):
        assert "fresh process where numpy raises on overflow" in report and "FloatingPointError" in report, report
