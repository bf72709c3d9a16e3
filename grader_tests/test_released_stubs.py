"""A released stub, run before anything is answered, says "not answered yet" and nothing else.

What a student sees first (*Restart & Run All*, *Validate*) must point at the work to do, not at
a bug of the kit: every answer cell runs, or raises ``NotImplementedError`` (nbgrader's stub);
every graded test cell fails with ``NotImplementedError`` or with one of the course's own
assert messages, and an exam question with its "no answer yet" message. A ``NameError`` (a
question whose answer variable the release never defines), an ``ImportError`` or a
``TypeError`` there is a fault of the release, and this test names the cell.

Every notebook under ``release/`` is run (each in its own process: ``stub_outcomes.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kit import ROOT

HERE = ROOT / "grader_tests"
RELEASED = sorted(path for path in (ROOT / "release").glob("*/*.ipynb"))

#: The message of an exam question's test cell while its answer is still None.
EXAM_NO_ANSWER = "has no answer yet"


def run_stubs(paths):
    """{notebook path: cell outcomes}, all notebooks run in one separate process (imports paid once)."""
    result = subprocess.run([sys.executable, str(HERE / "stub_outcomes.py"), *map(str, paths)],
                            capture_output=True, text=True, timeout=600, cwd=str(HERE))
    assert result.returncode == 0, result.stderr[-3000:]
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"notebook"')]
    return {report["notebook"]: report["cells"] for report in reports}


@pytest.fixture(scope="module")
def stub_outcomes():
    return run_stubs(RELEASED)


def bad_outcomes(cells: list[dict]) -> list[str]:
    """Why each answer or test cell's outcome is not "not answered yet" (empty when all are)."""
    problems = []
    for cell in cells:
        where = "%s cell %r" % (cell["kind"], cell["grade_id"])
        error, message = cell["error"], cell["message"]
        if cell["kind"] == "answer" and error not in (None, "NotImplementedError"):
            problems.append("%s raised %s: %s" % (where, error, message))
        if cell["kind"] == "test":
            if error is None:
                problems.append("%s passes although nothing is answered" % where)
            elif cell["grade_id"].startswith("test_q") and not (error == "AssertionError" and EXAM_NO_ANSWER in message):
                problems.append("%s raised %s: %s (expected the question's %r message)"
                                % (where, error, message, EXAM_NO_ANSWER))
            elif error not in ("NotImplementedError", "AssertionError"):
                problems.append("%s raised %s: %s" % (where, error, message))
    return problems


@pytest.mark.parametrize("notebook", RELEASED, ids=lambda p: p.parent.name)
def test_released_stub_says_not_answered_yet(notebook, stub_outcomes):
    cells = stub_outcomes[str(notebook)]
    if not any(c["kind"] in ("answer", "test") for c in cells):
        # A notebook nobody answers (the practice questions): every cell must simply run.
        cells = [dict(c, kind="answer") for c in cells]
    problems = bad_outcomes(cells)
    assert not problems, "%s, run with nothing answered:\n%s" % (notebook.relative_to(ROOT), "\n".join(problems))


def test_the_judge_of_outcomes_catches_a_name_error():
    """The rule itself: a question cell's NameError (an answer variable never defined) is a fault."""
    exam_cells = [{"kind": "answer", "grade_id": "answer_q01", "error": "NotImplementedError", "message": ""},
                  {"kind": "test", "grade_id": "test_q01", "error": "NameError",
                   "message": "name 'answer_q01' is not defined"}]
    assert "NameError" in bad_outcomes(exam_cells)[0]
    assert bad_outcomes([{"kind": "test", "grade_id": "test_q02", "error": "AssertionError",
                          "message": "question 2 has no answer yet: set answer_q02"}]) == []
    assert bad_outcomes([{"kind": "test", "grade_id": "test_step", "error": "NotImplementedError",
                          "message": ""}]) == []
    assert "passes although" in bad_outcomes([{"kind": "test", "grade_id": "test_step", "error": None,
                                               "message": ""}])[0]
    assert "TypeError" in bad_outcomes([{"kind": "answer", "grade_id": "answer_step", "error": "TypeError",
                                         "message": "bad"}])[0]
