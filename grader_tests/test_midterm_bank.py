"""The midterm question bank: coverage, self-tests on 1000 seeds, and the grading rules.

Pure Python, no notebooks: the self-test of all questions takes a few seconds per core.
"""

import math
import random

import numpy as np
import pytest

from coursekit.midterm import bank, selftest
from coursekit.midterm.bank import (Choice, Integer, Misconception, MultipleChoice, Numbers, Numeric, Option,
                                    Order, Question, Signature, Variant, grade, parse_call, parse_value)
from coursekit.midterm.topics import TOPICS, load_all

load_all()
QUESTION_IDS = sorted(bank.QUESTIONS)
#: The brief: 1000 seeds per question.
SEEDS = 1000
#: A question must give students visibly different variants (history.year, the least varied, has 6).
MIN_DISTINCT_VARIANTS = 6
#: A declared misconception that applies to fewer variants than this is probably a dead declaration.
MIN_MISCONCEPTION_SHARE = 0.02


# --------------------------------------------------------------------------- coverage

def test_at_least_forty_questions_and_two_per_topic():
    per_topic = {name: [q for q in QUESTION_IDS if q.split(".")[0] == name] for name, _ in TOPICS}
    assert len(QUESTION_IDS) >= 40, len(QUESTION_IDS)
    thin = {topic: ids for topic, ids in per_topic.items() if len(ids) < 2}
    assert not thin, "topics with fewer than two questions: %s" % thin
    assert {q.split(".")[0] for q in QUESTION_IDS} == set(per_topic), "a question outside the listed topics"


def test_every_answer_format_is_used():
    kinds = {bank.QUESTIONS[q].generate(0).answer.kind for q in QUESTION_IDS}
    assert kinds >= {"number", "integer", "single choice", "multiple choice", "numbers", "order", "code"}, kinds


def test_the_four_milestones_of_the_brief_are_asked():
    from coursekit.midterm.topics.history import EVENTS
    years = {EVENTS[k][1] for k in ("perceptron", "backprop", "alexnet", "resnet")}
    assert years == {1958, 1986, 2012, 2015}


# --------------------------------------------------------------------------- self-tests

@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_question_tests_itself_on_1000_seeds(question_id):
    """Key scores 1, each misconception exactly its declared credit with its message, malformed
    responses 0 with a message and no exception; same seed, same variant."""
    question = bank.QUESTIONS[question_id]
    report = selftest.check_question(question, range(SEEDS))
    assert report.ok, "\n".join(report.problems)
    assert report.seeds == SEEDS
    assert selftest.variety(report) >= MIN_DISTINCT_VARIANTS, "only %d distinct variants" % selftest.variety(report)
    rare = {name: count for name, count in report.applied.items()
            if name in {m.name for m in question.misconceptions} and count < MIN_MISCONCEPTION_SHARE * SEEDS}
    assert not rare, "misconceptions that almost never apply: %s" % rare


def _broken(generator, misconceptions=()):
    return Question("broken.question", "A broken question", generator, tuple(misconceptions))


def _simple(rng):
    a = rng.randint(1, 9)
    return Variant("What is %d + 1?" % a, Integer(a + 1), "%d + 1 = %d" % (a, a + 1), {"a": a})


def test_selftest_catches_a_misdeclared_credit():
    question = _broken(_simple, [Misconception("off_by_one", lambda p: p["a"], "forgot the 1", score=0.5)])
    report = selftest.check_question(question, range(20))
    assert not report.ok and "declared 0.5" in report.problems[0]


def test_selftest_catches_a_misconception_that_never_applies():
    question = _broken(_simple, [Misconception("same_as_key", lambda p: p["a"] + 1, "never different")])
    report = selftest.check_question(question, range(60))
    assert not report.ok and "never applied" in report.problems[-1]


def test_selftest_catches_a_generator_that_is_not_a_function_of_its_seed():
    state = iter(range(10 ** 6))
    report = selftest.check_question(_broken(lambda rng: _simple(random.Random(next(state)))), range(5))
    assert not report.ok and "two different variants" in report.problems[0]


def test_selftest_catches_a_wrong_key():
    def wrong_key(rng):
        variant = _simple(rng)
        variant.answer = Numeric(float("nan"), atol=1)
        return variant
    report = selftest.check_question(_broken(wrong_key), range(3))
    assert not report.ok


def test_selftest_catches_a_format_that_reads_true_as_a_number():
    class Lenient(Integer):
        def read(self, response):
            return int(response)  # int(True) == 1: a truth value slips through as a number
    def lenient(rng):
        variant = _simple(rng)
        variant.answer = Lenient(variant.answer.value)
        return variant
    report = selftest.check_question(_broken(lenient), range(3))
    assert not report.ok and any("malformed 'True'" in p and "wrong" in p for p in report.problems)


def test_grading_absorbs_a_format_that_raises():
    class Fragile(Integer):
        def read(self, response):
            return int(response)
    variant = Question("t.fragile", "t", lambda rng: Variant("n?", Fragile(3), "why")).generate(0)
    for response in (None, [1], "three", object()):
        result = grade(variant, response)
        assert result.score == 0 and result.diagnosis == "malformed" and "could not be read" in result.message


# --------------------------------------------------------------------------- grading rules

def _choice_variant():
    options = [Option("right one", True), Option("trap", False, "because of the trap", "trap_tag"), Option("other")]
    return Question("t.choice", "t", lambda rng: Variant("Pick.", Choice(options), "why")).generate(0)


def test_single_choice_accepts_the_letter_in_several_spellings_and_nothing_else():
    variant = _choice_variant()
    for response in ("A", "a", " A ", "(A)"):
        assert grade(variant, response).score == 1
    for response, diagnosis in ((0, "malformed"), (["A"], "malformed"), ("A, B", "malformed"), ("Z", "malformed"),
                                ("right one", "malformed"), (None, "no answer"), ("", "no answer")):
        result = grade(variant, response)
        assert (result.score, result.diagnosis) == (0, diagnosis), (response, result)
    trap = grade(variant, "B")
    assert (trap.score, trap.diagnosis) == (0, "trap_tag") and "because of the trap" in trap.message


def _multiple_variant():
    options = [Option("a", True), Option("b", False), Option("c", True), Option("d", False), Option("e", False)]
    return Question("t.multi", "t", lambda rng: Variant("Pick.", MultipleChoice(options), "why")).generate(0)


@pytest.mark.parametrize("response, score", [
    ({"A", "C"}, 1.0), (["C", "A"], 1.0), ("A, C", 1.0), ("ac", 1.0), (("A", "C", "C"), 1.0),
    ({"A"}, 0.8),                    # one right option left out
    ({"A", "C", "D"}, 0.8),          # one wrong option selected
    ({"A", "B", "C", "D", "E"}, 0.4),  # everything: the 3 wrong options cost 3/5
    ({"B", "D", "E"}, 0.0),          # every decision wrong: 0, never negative
    ({"B"}, 0.4),                    # A and C left out, B wrongly selected: D and E still decided right
])
def test_multiple_choice_gives_each_option_decided_right_an_equal_share(response, score):
    assert grade(_multiple_variant(), response).score == pytest.approx(score)


@pytest.mark.parametrize("response", [set(), [], "", None, "A, Z", [1, 3], ["A", 3], {"A": 1}, [["A"]]])
def test_multiple_choice_gives_nothing_for_an_empty_or_unreadable_selection(response):
    result = grade(_multiple_variant(), response)
    assert result.score == 0 and result.diagnosis in ("malformed", "no answer") and result.message


def _numeric_variant(value, **tolerance):
    return Question("t.num", "t", lambda rng: Variant("How much?", Numeric(value, **tolerance), "why")).generate(0)


def test_numeric_tolerance_is_atol_plus_rtol_times_the_value_and_is_stated():
    variant = _numeric_variant(2.0, rtol=0.01, atol=0.001)
    assert grade(variant, 2.0 + 0.02 + 0.001 - 1e-9).score == 1
    assert grade(variant, 2.0 + 0.02 + 0.001 + 1e-6).score == 0
    assert grade(variant, 2.0 - 0.0209).score == 1
    assert "1%" in variant.answer.describe() and "0.001" in variant.answer.describe()


@pytest.mark.parametrize("response", [np.float64(0.5), np.float32(0.5), np.array(0.5), 1 / 2, np.int64(1) / 2])
def test_numeric_answers_may_be_numpy_scalars_or_zero_dimensional_arrays(response):
    assert grade(_numeric_variant(0.5, atol=1e-6), response).score == 1


def test_numeric_answers_may_be_zero_dimensional_torch_tensors():
    torch = pytest.importorskip("torch")
    assert grade(_numeric_variant(0.5, atol=1e-6), torch.tensor(0.5)).score == 1


@pytest.mark.parametrize("response, why", [
    ("0.5", "text"), (float("nan"), "NaN"), (float("inf"), "infinite"), ([0.5], "list"), ((0.5,), "tuple"),
    ({0.5}, "set"), (True, "truth value"), (None, "No answer"), (np.array([0.5, 0.5]), "list"),
    ({"__opaque__": {"type": "torch.nn.modules.linear.Linear", "repr": "Linear()"}}, "Linear"),
])
def test_numeric_answers_of_the_wrong_form_score_zero_with_a_message_that_says_why(response, why):
    result = grade(_numeric_variant(0.5, atol=1e-6), response)
    assert result.score == 0 and result.diagnosis in ("malformed", "no answer")
    assert why in result.message, result.message


def test_an_integer_answer_accepts_a_float_equal_to_it_and_judges_a_fraction_as_wrong_not_malformed():
    variant = Question("t.int", "t", lambda rng: Variant("n?", Integer(12), "why")).generate(0)
    assert grade(variant, 12.0).score == 1 and grade(variant, np.int64(12)).score == 1
    assert grade(variant, 12.5).diagnosis == "wrong"


def test_numbers_can_give_credit_per_component():
    answer = Numbers([1.0, -2.0, 0.5], names=["w1", "w2", "b"], partial=True, atol=1e-6)
    variant = Question("t.vec", "t", lambda rng: Variant("w?", answer, "why")).generate(0)
    assert grade(variant, (1, -2, 0.5)).score == 1
    assert grade(variant, [1, -2, 0]).score == pytest.approx(2 / 3)
    assert grade(variant, (1, -2)).score == 0  # wrong length: every component fails
    assert grade(variant, np.array([1.0, -2.0, 0.5])).score == 1


def test_order_reads_letters_in_any_spelling():
    variant = Question("t.order", "t", lambda rng: Variant("o?", Order(["x", "y", "z"], [2, 0, 1]), "why")).generate(0)
    for response in ("CAB", "c, a, b", ["C", "A", "B"], "C-A-B"):
        assert grade(variant, response).score == 1
    assert grade(variant, "ABC").score == 0 and grade(variant, "CA").diagnosis == "malformed"


# --------------------------------------------------------------------------- reading text safely

@pytest.mark.parametrize("text, value", [
    ("0.25", 0.25), ("1/3", 1 / 3), ("-2**-3", -0.125), ("(32, 12, 5000)", (32, 12, 5000)),
    ("{'A', 'C'}", {"A", "C"}), ("B", "B"), ("A, C", "A, C"), ("math.exp(-1)", math.exp(-1)), ("sqrt(2)/2", 0.5 ** 0.5),
])
def test_parse_value_reads_literals_and_arithmetic(text, value):
    assert parse_value(text) == pytest.approx(value) if isinstance(value, float) else parse_value(text) == value


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "open('/etc/passwd').read()", "(lambda: 1)()", "9**9**9", "[x for x in ()]",
    "answer.__class__", "x" * 1000, "2 ** 1000000",
])
def test_parse_value_refuses_anything_that_would_run_code(text):
    with pytest.raises(ValueError):
        parse_value(text)


def test_parse_value_treats_bare_words_as_variables_when_reading_source():
    assert parse_value("B") == "B"
    with pytest.raises(ValueError):
        parse_value("B", bare_words=False)


CONV = Signature("Conv1d", ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation"),
                 {"stride": 1, "padding": 0, "dilation": 1}, scalar_tuples=("kernel_size", "stride", "padding", "dilation"))


@pytest.mark.parametrize("text", [
    "nn.Conv1d(12, 32, 5, padding=2)", "torch.nn.Conv1d(in_channels=12, out_channels=32, kernel_size=5, padding=2)",
    "Conv1d(12, 32, kernel_size=(5,), stride=(1,), padding=(2,))",
])
def test_parse_call_reads_the_call_and_the_layers_own_repr_alike(text):
    assert parse_call(text, CONV) == {"in_channels": 12, "out_channels": 32, "kernel_size": 5, "stride": 1,
                                      "padding": 2, "dilation": 1}


@pytest.mark.parametrize("text, why", [
    ("nn.Conv1d(12, 32, k)", "literal"), ("nn.Conv1d(12, 32, kernal_size=5)", "no argument 'kernal_size'"),
    ("nn.Conv1d(12, 32, 5, kernel_size=5)", "twice"), ("nn.Linear(12, 32)", "nn.Conv1d"),
    ("nn.Conv1d(*sizes)", "*args"), ("nn.Conv1d(**options)", "**kwargs"), ("nn.Conv1d(12)", "needs"),
    ("__import__('os').system('true')", "nn.Conv1d"), ("nn.Conv1d(12, 32, __import__('os'))", "literal"),
    ("nn.Conv1d(", "valid Python"),
])
def test_parse_call_refuses_what_it_cannot_read_with_a_reason(text, why):
    with pytest.raises(bank.Malformed) as error:
        parse_call(text, CONV)
    assert why in str(error.value)


def test_a_layer_object_is_read_through_its_repr():
    torch = pytest.importorskip("torch")
    question = bank.QUESTIONS["convolution.conv1d_call"]
    for seed in range(30):
        variant = question.generate(seed)
        p = variant.params
        layer = torch.nn.Conv1d(p["in"], p["out"], p["k"], stride=p["stride"], padding=p["padding"])
        assert grade(variant, layer).score == 1
        assert grade(variant, {"__opaque__": {"type": "torch.nn.modules.conv.Conv1d", "repr": repr(layer)}}).score == 1
