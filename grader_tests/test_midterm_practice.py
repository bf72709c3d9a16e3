"""Practice mode in process: drawing, answering, what is (not) visible before an answer, the widget.

(The released practice notebook itself is run in test_midterm_course.py.)"""

import sys

import pytest

from kit import ROOT
from coursekit.midterm import practice
from coursekit.midterm.bank import QUESTIONS
from coursekit.midterm.topics import load_all

load_all()


def _visible(question) -> str:
    """Everything a student sees or gets by printing or inspecting a drawn question casually."""
    parts = [repr(question), question._repr_markdown_(), str(dir(question))]
    parts += [repr(getattr(question, name)) for name in question.__slots__ if name != "_grade"]
    return "\n".join(parts)


@pytest.mark.parametrize("question_id", sorted(QUESTIONS))
def test_a_drawn_question_shows_its_text_but_not_its_answer(question_id):
    question = practice.draw(question_id, seed=7)
    variant = QUESTIONS[question_id].generate(question.seed)
    shown = _visible(question)
    assert variant.text.strip() in shown
    assert variant.explanation not in shown and "Explanation" not in shown
    with pytest.raises(TypeError):
        vars(question)  # no __dict__ to browse


def test_an_unreadable_attempt_reveals_nothing_and_a_real_one_reveals_the_explanation():
    question = practice.draw("convolution.output_length", seed=11)
    variant = QUESTIONS["convolution.output_length"].generate(question.seed)
    for attempt in (question.answer(), question.answer("twelve"), question.answer([1, 2])):
        assert attempt.verdict in ("malformed", "no answer") and variant.explanation not in attempt.text
    right = question.answer(variant.answer.key())
    assert right.score == 1 and "Correct" in right.text and variant.explanation in right.text
    again = question.answer(variant.answer.key() + 1)
    assert again.score == 0 and "not counted" in again.text


def test_misconceptions_get_their_message_and_partial_credit_shows_the_parts():
    question = practice.draw("perceptron.update_step", seed=3)
    variant = QUESTIONS["perceptron.update_step"].generate(question.seed)
    mistake = next(m for m in variant.mistakes if m.name == "forgets_bias_update")
    attempt = question.answer(mistake.response)
    assert attempt.score == pytest.approx(2 / 3) and mistake.message in attempt.text and "b = " in attempt.text


def test_drawing_again_gives_new_numbers_and_a_seed_repeats_a_variant():
    texts = {practice.draw("convolution.output_length")._repr_markdown_() for _ in range(10)}
    assert len(texts) >= 8
    assert practice.draw("metrics", seed=5)._repr_markdown_() == practice.draw("metrics", seed=5)._repr_markdown_()
    assert all(practice.draw("recurrent").topic == "recurrent" for _ in range(10))
    with pytest.raises(ValueError, match="practice.topics"):
        practice.draw("quantum")


def test_progress_counts_first_real_attempts_per_topic():
    practice._history.clear()
    question = practice.draw("history.year", seed=1)
    key = QUESTIONS["history.year"].generate(question.seed).answer.key()
    question.answer("nineteen")  # unreadable: not counted
    question.answer(key)
    question.answer(key)  # repeated after the answer was shown: not counted
    table = practice.progress()
    text = table.data if hasattr(table, "data") else table
    assert "| History of the field | 1 | 100% |" in text


@pytest.mark.parametrize("typed, kind, value", [
    ("0.25", "number", 0.25), ("1/4", "number", 0.25), ("B", "single choice", "B"), ("A, C", "multiple choice", "A, C"),
    ("{'A', 'C'}", "multiple choice", {"A", "C"}), ("(2, 3)", "numbers", (2, 3)),
    ("nn.Conv1d(1, 2, 3)", "code", "nn.Conv1d(1, 2, 3)"), ("import os", "number", "import os"),
])
def test_typed_answers_are_read_without_running_them(typed, kind, value):
    assert practice.read_typed_answer(typed, kind) == value


def test_the_widget_draws_and_checks():
    widgets = pytest.importorskip("ipywidgets")
    box = practice.widget("convolution")
    assert isinstance(box, widgets.VBox)
    (choice, new), _question_area, (typed, check), _result_area = \
        box.children[0].children, box.children[1], box.children[2].children, box.children[3]
    assert choice.value == "convolution"
    typed.value = "7"
    check.click()   # grades without raising
    new.click()
    assert typed.value == ""


def test_the_practice_bank_imports_without_coursekit(tmp_path):
    """Students run it with only the standard library: no coursekit, no numpy needed."""
    import subprocess
    code = ("import sys; sys.path.insert(0, %r); import practice_bank as p; q = p.draw('losses', seed=2); "
            "print(q.answer(0.5).verdict); print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('coursekit', 'numpy', 'torch')))" % str(ROOT / "source" / "midterm_practice"))
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("[]"), out.stdout
