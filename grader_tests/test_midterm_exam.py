"""The midterm exam in process: variants per student, the checks, personalised notebooks,
generated files in sync, the CLI. (End to end through nbgrader: test_midterm_course.py.)"""

import json
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from kit import ROOT, grade_id
from coursekit.registry import get_check
from coursekit.midterm import exam as ex
from coursekit.midterm import generated
from coursekit.midterm.bank import grade
from reference.midterm.checks import EXAM

STUDENTS = ["stu%02d" % i for i in range(1, 31)]
RELEASED = ROOT / "release" / "midterm" / "midterm.ipynb"


def run(slot, student, answer, *, missing=False):
    """Grade ``answer`` as ``student``'s answer to ``slot`` with the real check, in process."""
    namespace = {} if missing else {EXAM.answer_name(slot): answer}
    return get_check("midterm.%s" % slot.key).run_locally(namespace, seed=0, context={"student": student})


# --------------------------------------------------------------------------- variants

def test_a_student_always_gets_the_same_variant_and_the_salt_changes_them():
    other = ex.Exam(EXAM.assignment, EXAM.notebook, EXAM.salt + " (next year)", EXAM.slots)
    changed = 0
    for slot in EXAM.slots:
        first, again = EXAM.variant(slot, "stu01"), EXAM.variant(slot, "stu01")
        assert first.markdown() == again.markdown() and first.answer.key() == again.answer.key()
        changed += other.variant(slot, "stu01").markdown() != first.markdown()
    assert changed >= len(EXAM.slots) - 2, "a new salt should give new variants"


def test_two_students_see_different_numbers():
    texts = {slot.key: [EXAM.variant(slot, s).markdown() for s in STUDENTS] for slot in EXAM.slots}
    for key, variants in texts.items():
        assert len(set(variants)) >= 4, "%s: only %d different variants among 30 students" % (key, len(set(variants)))
    for a in range(len(STUDENTS)):
        for b in range(a):
            same = sum(texts[k][a] == texts[k][b] for k in texts)
            assert same <= 5, "%s and %s share %d of %d questions" % (STUDENTS[a], STUDENTS[b], same, len(texts))


# --------------------------------------------------------------------------- the checks

@pytest.mark.parametrize("student", STUDENTS[:6])
def test_the_check_gives_the_key_full_marks_and_each_misconception_its_credit(student):
    for slot in EXAM.slots:
        variant = EXAM.variant(slot, student)
        assert run(slot, student, variant.answer.key()).fraction == 1.0, slot
        for mistake in variant.mistakes:
            verdict = run(slot, student, mistake.response)
            assert verdict.fraction == pytest.approx(mistake.score), (slot, mistake)
            assert any(mistake.message in line for line in verdict.lines()), (slot, mistake, verdict.lines())


def test_sets_numpy_and_torch_answers_survive_the_trip_out_of_the_kernel():
    torch = pytest.importorskip("torch")
    for slot in EXAM.slots:
        key = EXAM.variant(slot, "stu07").answer.key()
        if isinstance(key, set):
            assert run(slot, "stu07", frozenset(key)).fraction == 1.0
            assert run(slot, "stu07", sorted(key)).fraction == 1.0
        elif isinstance(key, float):
            assert run(slot, "stu07", np.float64(key)).fraction == 1.0
            assert run(slot, "stu07", torch.tensor(key, dtype=torch.float64)).fraction == 1.0
        elif isinstance(key, tuple):
            assert run(slot, "stu07", np.array(key)).fraction == 1.0
            assert run(slot, "stu07", torch.tensor(key)).fraction == 1.0


def test_answering_the_numbers_of_an_edited_question_gains_nothing():
    """A student who edits the printed parameters (here: answers another student's variant
    of the same question) is graded on their own variant."""
    for slot in EXAM.slots:
        mine = EXAM.variant(slot, "stu03")
        for donor in STUDENTS[3:]:
            theirs = EXAM.variant(slot, donor)
            if grade(mine, theirs.answer.key()).score < 1:
                assert run(slot, "stu03", theirs.answer.key()).fraction < 1
                break
        else:
            pytest.fail("%s: 27 students share stu03's key" % slot.key)


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr for you")


def _weird_answers():
    looped = []
    looped.append(looped)
    return [None, float("nan"), float("inf"), "seven", "", [1, 2, 3], list(range(100_000)), {"a": 1}, {1: 2},
            b"bytes", object(), Unprintable(), lambda: 1, (x for x in ()), looped, 10 ** 100, 3 + 4j,
            np.array([[1.0]]), {"__opaque__": "forged"}, {"__set__": "forged"}, "A" * 5000, Ellipsis]


@pytest.mark.parametrize("slot", EXAM.slots, ids=lambda s: s.key)
def test_malformed_answers_score_zero_with_a_message_and_never_crash(slot):
    for answer in _weird_answers():
        verdict = run(slot, "stu05", answer)
        assert verdict.fraction == 0.0, (answer, verdict.lines())
        assert verdict.lines() and all(line.strip() for line in verdict.lines())
    missing = run(slot, "stu05", None, missing=True)
    assert missing.fraction == 0.0 and "not defined" in " ".join(missing.lines())


def test_the_kernel_receives_only_the_answers_name():
    for slot in EXAM.slots:
        check = get_check("midterm.%s" % slot.key)
        groups = check.groups(0, {"student": "stu11"})
        cases = [case.encoded() for g in groups for case in g.cases]
        assert {json.dumps(c, sort_keys=True) for c in cases} == {
            json.dumps({"args": {"__tuple__": [EXAM.answer_name(slot)]}, "kwargs": {"__dict__": {}}}, sort_keys=True)}
        source = check.kernel_source(groups)
        variant = EXAM.variant(slot, "stu11")
        assert variant.explanation not in source and "coursekit.midterm" not in source


def test_a_check_refuses_to_grade_without_a_student_id():
    with pytest.raises(ValueError, match="student id"):
        get_check("midterm.q01").groups(0, {})


# --------------------------------------------------------------------------- notebooks

def test_generated_files_are_in_sync_with_the_bank_and_the_exam():
    """source/midterm/midterm.ipynb and the practice bank are regenerated by `coursekit midterm sync`."""
    assert generated.sync(ROOT, check=True) == []


def test_the_source_notebook_has_one_question_answer_and_test_cell_per_slot():
    nb = nbformat.read(str(ROOT / "source" / "midterm" / "midterm.ipynb"), as_version=4)
    tests = {grade_id(c): c for c in nb.cells if grade_id(c) and grade_id(c).startswith("test_")}
    answers = {grade_id(c): c for c in nb.cells if grade_id(c) and grade_id(c).startswith("answer_")}
    assert sorted(tests) == ["test_%s" % s.key for s in EXAM.slots]
    assert sorted(answers) == ["answer_%s" % s.key for s in EXAM.slots]
    for slot in EXAM.slots:
        test = tests["test_%s" % slot.key]
        assert test.metadata["nbgrader"]["points"] == slot.points
        assert "# coursekit-check: midterm.%s" % slot.key in test.source
        assert "%s = %s" % (EXAM.answer_name(slot), ex._literal(EXAM.variant(slot, "preview").answer.key())) in \
            answers["answer_%s" % slot.key].source
    assert sum(t.metadata["nbgrader"]["points"] for t in tests.values()) == EXAM.total_points


@pytest.fixture(scope="module")
def released():
    if not RELEASED.exists():
        pytest.skip("release/midterm is not generated (coursekit release midterm)")
    return nbformat.read(str(RELEASED), as_version=4)


def test_a_personalised_copy_differs_from_the_release_only_outside_nbgrader_cells(released):
    first, second = ex.personalise(released, EXAM, "stu01"), ex.personalise(released, EXAM, "stu02")
    assert len(first.cells) == len(second.cells) == len(released.cells)
    differing = 0
    for a, b, r in zip(first.cells, second.cells, released.cells):
        assert a.get("id") == r.get("id") and a.cell_type == r.cell_type
        meta = r.metadata.get("nbgrader", {})
        if meta.get("grade") or meta.get("locked"):
            assert a.source == b.source == r.source and a.metadata == r.metadata  # checksums hold
        if meta.get("solution"):
            assert a.source.endswith("answer_%s = None" % meta["grade_id"][len("answer_"):])
        differing += a.source != b.source
    assert differing >= len(EXAM.slots), "the two copies should show different questions"
    text = nbformat.writes(first)
    assert "stu01" in text and "BEGIN SOLUTION" not in text and "coursekit-check" not in text
    for slot in EXAM.slots:
        assert EXAM.variant(slot, "stu01").explanation not in text


def test_a_personalised_copy_shows_that_students_variants(released):
    nb = ex.personalise(released, EXAM, "stu09")
    text = "\n".join(c.source for c in nb.cells)
    for slot in EXAM.slots:
        assert EXAM.variant(slot, "stu09").text.strip() in text


def test_build_writes_an_assignment_folder_per_student(tmp_path, released):
    (tmp_path / "release" / "midterm").mkdir(parents=True)
    nbformat.write(released, str(tmp_path / "release" / "midterm" / "midterm.ipynb"))
    paths = ex.build(tmp_path, ["stu01", "stu02"], release=False, exam=EXAM)
    assert paths == [tmp_path / "personalised" / s / "midterm" / "midterm.ipynb" for s in ("stu01", "stu02")]
    assert nbformat.read(str(paths[1]), as_version=4).metadata["coursekit"]["midterm"]["student"] == "stu02"


def test_student_lists_are_read_from_files_or_commas(tmp_path):
    path = tmp_path / "class.csv"
    path.write_text("student_id,name\n# auditors below are excluded\nada,Ada L\n\ngrace, Grace H\n")
    assert ex.read_students(str(path)) == ["ada", "grace"]
    assert ex.read_students("ada, grace ,alan") == ["ada", "grace", "alan"]
    for bad in ("ada,ada", "../etc", "a b"):
        with pytest.raises(ValueError):
            ex.read_students(bad)


# --------------------------------------------------------------------------- command line

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_cli_builds_personalised_copies(tmp_path, released):
    import shutil
    shutil.copytree(ROOT / "reference", tmp_path / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "release" / "midterm").mkdir(parents=True)
    nbformat.write(released, str(tmp_path / "release" / "midterm" / "midterm.ipynb"))
    (tmp_path / "class.txt").write_text("id\nada\ngrace\n")
    built = _cli("midterm", "build", "--students", str(tmp_path / "class.txt"), "--root", str(tmp_path), "--no-release")
    assert built.returncode == 0, built.stderr
    assert "2 personalised notebooks" in built.stdout
    assert (tmp_path / "personalised" / "grace" / "midterm" / "midterm.ipynb").exists()
    refused = _cli("midterm", "build", "--students", "ada,../x", "--root", str(tmp_path), "--no-release")
    assert refused.returncode == 2 and "unusable student ids" in refused.stderr


def test_cli_lists_renders_and_checks_questions():
    listing = _cli("questions", "list")
    assert listing.returncode == 0 and "questions in 16 topics" in listing.stdout
    rendered = _cli("questions", "render", "convolution.output_length", "--seed", "3", "--answer")
    assert rendered.returncode == 0 and "Answer: " in rendered.stdout and "ignores_dilation" in rendered.stdout
    checked = _cli("questions", "check", "--seeds", "20", "--question", "history")
    assert checked.returncode == 0 and "3 questions, 20 seeds each: 0 failed" in checked.stdout, checked.stdout
    key = _cli("midterm", "key", "--student", "stu01")
    assert key.returncode == 0 and key.stdout.count("**Answer:**") == len(EXAM.slots)
