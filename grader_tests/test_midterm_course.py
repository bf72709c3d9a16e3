"""The midterm end to end through real nbgrader, in one temporary course:

release (``nbgrader generate_assignment``), personalised copies (``coursekit midterm build``'s
code), a simulated class of 30 answering them, ONE ``nbgrader autograde`` run for everyone
(sandboxed kernels, out-of-kernel scoring), then exact scores, item analysis, validate, and
the practice release run as a student would.

The class (deterministic): 27 students answer like a Rasch model (ability from -2.2 to 2.2;
a wrong answer is one of the question's declared misconceptions, another wrong value, or now
and then the key written as text); ``stu01`` submits the copy untouched; ``stu02`` answers
every question with something malformed; ``stu29`` edits the numbers printed in question 10
and answers the edited question. Question 8 is played as an ambiguous question: every other
student, strong or weak, picks the same wrong option. ``preview`` submits the source notebook.
"""

import math
import random
import re
import time

import pytest

from kit import Course, read_notebook, replace_cell
from coursekit.midterm import analysis
from coursekit.midterm import exam as ex
from coursekit.midterm.bank import LETTERS, grade
from reference.midterm.checks import EXAM

pytestmark = pytest.mark.slow

CLASS = ["stu%02d" % i for i in range(1, 31)]
UNTOUCHED, MALFORMED, TAMPERER = "stu01", "stu02", "stu29"
AMBIGUOUS, EDITED = "q08", "q10"
#: How sharply ability separates right from wrong answers (Rasch slope).
SLOPE = 2.0
#: Item difficulties: easy questions first, harder ones later, as exams go.
DIFFICULTY = {slot.key: -1.5 + 2.7 * i / (len(EXAM.slots) - 1) for i, slot in enumerate(EXAM.slots)}
#: What stu02 writes, per question: each must score 0 without breaking grading.
MALFORMED_ANSWERS = {
    "q01": "42", "q02": '"0.5"', "q03": "[1, 2]", "q04": "float('nan')", "q05": "{'w1': 1}", "q06": "lambda p: p",
    "q07": "None", "q08": "3 + 4j", "q09": "type('Bad', (), {'__repr__': lambda self: 1 / 0})()",
    "q10": "10 ** 100", "q11": "undefined_name", "q12": "(1, 2)", "q13": "{'A', 'Z'}", "q14": "set()",
    "q15": "float('inf')", "q16": "'1986'",
}


def _wrong_answer(variant, salt: int):
    """A wrong answer and the credit it must earn: a declared misconception, else a plainly
    wrong value of the right form, sometimes the key written as text (malformed)."""
    spec = variant.answer
    if salt % 9 == 0 and spec.kind in ("number", "integer"):
        return repr(str(spec.key())), 0.0
    if variant.mistakes and salt % 3:
        mistake = variant.mistakes[salt % len(variant.mistakes)]
        return ex._literal(mistake.response), mistake.score
    key = spec.key()
    if spec.kind in ("number", "integer"):
        return repr(key * 2 + 17.25), 0.0
    if spec.kind == "single choice":
        return repr(next(l for l in LETTERS if l != key)), 0.0
    if spec.kind == "multiple choice":
        complement = set(LETTERS[:len(spec.options)]) - key
        return (ex._literal(complement), 0.0) if complement else ("set()", 0.0)
    if spec.kind == "numbers":
        return ex._literal(tuple(v + 100 for v in key)), 0.0
    if spec.kind == "order":
        return repr(key[::-1]), 0.0
    return repr("nn.Conv1d(1, 1, kernel_size=1, stride=50)"), 0.0


def simulate(student: str, index: int) -> dict[str, tuple[str, float]]:
    """``{slot: (source of the answer, credit it must earn)}`` for one student of the class."""
    ability = -2.2 + 4.4 * index / (len(CLASS) - 1)
    plan = {}
    for slot in EXAM.slots:
        variant = EXAM.variant(slot, student)
        if slot.key == AMBIGUOUS:
            # A second defensible answer: the strong half splits evenly between the key and one
            # other option, the weak half mostly picks the key.
            second = "Not a critical point" if variant.params["kind"] != "not_critical" else "A saddle point"
            wrong = next(LETTERS[i] for i, o in enumerate(variant.answer.options) if o.text.startswith(second))
            right = index % 2 == 1 if index >= len(CLASS) // 2 else index % 4 != 0
            plan[slot.key] = (repr(variant.answer.key()), 1.0) if right else (repr(wrong), 0.0)
            continue
        draw = random.Random("%s|%s" % (student, slot.key)).random()
        if draw < 1 / (1 + math.exp(-SLOPE * (ability - DIFFICULTY[slot.key]))):
            plan[slot.key] = (ex._literal(variant.answer.key()), 1.0)
        else:
            plan[slot.key] = _wrong_answer(variant, index + slot.number)
    return plan


def _fill(nb, plan):
    for key, (source, _credit) in plan.items():
        nb = replace_cell(nb, "answer_%s" % key, "answer_%s = %s" % (key, source))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("midterm_course")
    course = Course(root, ["midterm", "midterm_practice"])
    timings = {}
    start = time.perf_counter()
    release = course.release("midterm")
    course.release("midterm_practice")
    timings["release"] = time.perf_counter() - start
    copies = dict(zip(CLASS, ex.build(root, CLASS, release=False, exam=EXAM)))
    intended = {}
    for index, student in enumerate(CLASS):
        nb = read_notebook(copies[student])
        if student == UNTOUCHED:
            plan = {slot.key: ("None", 0.0) for slot in EXAM.slots}
        elif student == MALFORMED:
            plan = {key: (source, 0.0) for key, source in MALFORMED_ANSWERS.items()}
            nb = _fill(nb, plan)
        else:
            plan = simulate(student, index)
            if student == TAMPERER:
                nb, plan[EDITED] = _edit_question(nb, student)
            nb = _fill(nb, plan)
        intended[student] = {"test_%s" % key: EXAM.slot(key).points * credit for key, (_s, credit) in plan.items()}
        course.submit(student, "midterm", {"midterm.ipynb": nb})
    source = read_notebook(root / "source" / "midterm" / "midterm.ipynb")
    for cell in source.cells:
        cell.source = "\n".join(l for l in cell.source.splitlines() if "### BEGIN SOLUTION" not in l
                                and "### END SOLUTION" not in l)
    course.submit("preview", "midterm", {"midterm.ipynb": source})
    intended["preview"] = {"test_%s" % s.key: s.points for s in EXAM.slots}
    start = time.perf_counter()
    result = course.autograde("midterm")
    timings["autograde"] = time.perf_counter() - start
    print("\nmidterm course: release %.1f s, autograde of %d notebooks %.1f s (%.1f s each)" % (
        timings["release"], len(intended), timings["autograde"], timings["autograde"] / len(intended)))
    return course, intended, release, result, timings


def _edit_question(nb, student):
    """The tamperer's copy of question 10 shows another student's numbers; they answer those."""
    slot = EXAM.slot(EDITED)
    mine = EXAM.variant(slot, student)
    donor = next(EXAM.variant(slot, s) for s in CLASS if grade(mine, EXAM.variant(slot, s).answer.key()).score == 0)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("coursekit", {}).get("midterm", {}).get("slot") == EDITED:
            cell.source = ex._question_markdown(EXAM, slot, donor)
    return nb, (repr(donor.answer.key()), 0.0)


def test_every_score_is_what_the_simulation_intended(graded):
    course, intended, *_ = graded
    wrong = {}
    for student, expected in intended.items():
        got = course.scores("midterm", student)
        for cell, points in expected.items():
            if not math.isclose(got.get(cell, -1), points, abs_tol=1e-6):
                wrong.setdefault(student, []).append("%s: got %s, intended %s" % (cell, got.get(cell), points))
    assert not wrong, wrong


def test_the_class_spans_the_range_of_scores(graded):
    course, intended, *_ = graded
    totals = sorted(sum(course.scores("midterm", s).values()) for s in CLASS)
    assert totals[0] == 0 and totals[-1] >= 0.8 * EXAM.total_points
    assert len(set(totals)) >= 15, totals


def test_the_source_notebook_earns_full_marks_for_its_preview_student(graded):
    course, *_ = graded
    assert sum(course.scores("midterm", "preview").values()) == EXAM.total_points


def test_an_untouched_or_malformed_copy_scores_zero_and_says_why(graded):
    course, *_ = graded
    for student in (UNTOUCHED, MALFORMED):
        assert sum(course.scores("midterm", student).values()) == 0
    feedback = _outputs(course.autograded_notebook("midterm", MALFORMED, "midterm.ipynb"))
    assert "NaN is not an answer" in feedback["test_q04"]
    assert "There is no option Z" in feedback["test_q13"]
    assert "You wrote text" in feedback["test_q16"]
    assert "too large" in feedback["test_q10"]
    assert "NameError" in feedback["test_q11"]
    untouched = _outputs(course.autograded_notebook("midterm", UNTOUCHED, "midterm.ipynb"))
    assert "question 1 has no answer yet" in untouched["test_q01"]


def test_editing_the_printed_numbers_gains_nothing(graded):
    course, *_ = graded
    scores = course.scores("midterm", TAMPERER)
    assert scores["test_%s" % EDITED] == 0
    autograded = course.autograded_notebook("midterm", TAMPERER, "midterm.ipynb")
    assert "The answer was %s" % EXAM.variant(EXAM.slot(EDITED), TAMPERER).answer.show() in \
        _outputs(autograded)["test_%s" % EDITED]


def test_feedback_gives_verdicts_per_part_and_hides_the_generated_check(graded):
    course, intended, *_ = graded
    student = next(s for s in CLASS[2:] if intended[s]["test_q14"] not in (0, EXAM.slot("q14").points))
    outputs = _outputs(course.autograded_notebook("midterm", student, "midterm.ipynb"))
    assert "PASS  option" in outputs["test_q14"] and "FAIL  option" in outputs["test_q14"]
    nb = course.autograded_notebook("midterm", student, "midterm.ipynb")
    sources = "\n".join(c.source for c in nb.cells)
    assert "_coursekit_hidden_check" not in sources and "Hidden tests (midterm.q14) ran here" in sources


def test_item_analysis_flags_the_planted_ambiguous_question(graded, tmp_path):
    course, *_ = graded
    result = analysis.analyse_course(course.root, EXAM)
    items = {item.key: item for item in result.items}
    planted = items[AMBIGUOUS]
    assert planted.discrimination < analysis.WEAK_DISCRIMINATION, planted
    assert any("discrimination" in f for f in planted.flags)
    assert any("'option: Not a critical point" in f and "upper group" in f for f in planted.flags), planted.flags
    assert "preview" not in result.students and len(result.students) == len(CLASS)
    sound = [item for item in result.items if item.key != AMBIGUOUS and not math.isnan(item.discrimination)]
    assert sum(item.discrimination >= analysis.WEAK_DISCRIMINATION for item in sound) >= len(sound) - 3, \
        [(i.key, round(i.discrimination, 2)) for i in sound]
    report, figure = analysis.write_report(result, tmp_path)
    assert "### %s" % AMBIGUOUS in report.read_text() and figure.exists()


def test_the_analyse_command_reads_the_gradebook(graded):
    course, *_ = graded
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "coursekit.cli", "midterm", "analyse", "--root", str(course.root)],
                         cwd=course.root, env=course.env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert re.search(r"%s \(gradient_problems.critical_point\)" % AMBIGUOUS, out.stdout), out.stdout
    assert (course.root / "reports" / "midterm" / "item_analysis.png").exists()


def test_the_release_holds_no_solution_and_no_answer(graded):
    course, _intended, release, *_ = graded
    text = (release / "midterm.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "coursekit-check", "reference"):
        assert marker not in text
    for slot in EXAM.slots:
        preview = EXAM.variant(slot, "preview")
        assert preview.explanation not in text
        assert "%s = %s" % (EXAM.answer_name(slot), ex._literal(preview.answer.key())) not in text


def test_validate_passes_the_source_and_fails_the_release(graded):
    course, *_ = graded
    source = course.nbgrader("validate", "source/midterm/midterm.ipynb")
    assert "Success" in source.stdout, source.stdout[-2000:]
    released = course.nbgrader("validate", "--invert", "release/midterm/midterm.ipynb", check=False)
    assert "Success! The notebook does not pass any tests." in released.stdout, released.stdout[-2000:]


def test_the_practice_release_runs_and_reveals_nothing_before_an_answer(graded):
    course, *_ = graded
    from nbclient import NotebookClient
    folder = course.root / "release" / "midterm_practice"
    assert (folder / "practice_bank" / "bank.py").exists()
    nb = read_notebook(folder / "practice.ipynb")
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    shown = "\n".join(str(o.get("data", {}).get("text/markdown", "")) + str(o.get("text", ""))
                      for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    assert "What does" in shown or "What is" in shown or "How many" in shown  # questions are displayed
    assert "Not graded" in shown  # `q.answer(...)` left as is: told how to answer ...
    assert "Explanation" not in shown and "**Answer:**" not in shown  # ... and nothing is revealed


def _outputs(nb) -> dict[str, str]:
    """Text outputs of each graded cell of an autograded notebook."""
    out = {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid and cell.cell_type == "code":
            out[gid] = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) +
                                 str(o.get("evalue", "")) + str(o.get("ename", "")) for o in cell.get("outputs", []))
    return out
