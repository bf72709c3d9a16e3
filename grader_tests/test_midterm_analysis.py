"""Item analysis on synthetic score matrices: the statistics, the flags, the report."""

import math

import numpy as np
import pytest
from scipy import stats

from coursekit.midterm import analysis

N_STUDENTS = 30
STUDENTS = ["stu%02d" % i for i in range(1, N_STUDENTS + 1)]


def simulated_class(planted_ambiguous: int | None = 3):
    """Rasch-like right/wrong scores of 30 students on 8 items, deterministic.

    Item ``planted_ambiguous`` is answered right by every other student whatever their ability
    (a question with two defensible answers that splits the class at random)."""
    rng = np.random.default_rng(2024)
    ability = np.linspace(-2, 2, N_STUDENTS)
    difficulty = np.array([-1.0, -0.5, 0.0, 0.0, 0.3, 0.6, 1.0, -2.5])
    chance = 1 / (1 + np.exp(-2.5 * (ability[:, None] - difficulty[None, :])))
    scores = (rng.random(chance.shape) < chance).astype(float)
    if planted_ambiguous is not None:
        scores[:, planted_ambiguous] = np.arange(N_STUDENTS) % 2
    return scores


def run(scores, diagnoses=None):
    keys = ["q%02d" % (j + 1) for j in range(scores.shape[1])]
    return analysis.analyse(STUDENTS, keys, ["topic.q%d" % j for j in range(scores.shape[1])],
                            [2.0] * scores.shape[1], scores, diagnoses)


def test_difficulty_is_the_mean_share_and_discrimination_the_corrected_item_total_correlation():
    scores = simulated_class()
    result = run(scores)
    totals = scores.sum(axis=1)
    for j, item in enumerate(result.items):
        assert item.difficulty == pytest.approx(scores[:, j].mean())
        rest = totals - scores[:, j]
        assert item.discrimination == pytest.approx(stats.pearsonr(scores[:, j], rest)[0])
        low, high = item.interval
        assert low < item.discrimination < high


def test_the_planted_ambiguous_question_is_flagged_and_the_sound_ones_are_not():
    result = run(simulated_class(planted_ambiguous=3))
    flagged = {item.key: item.flags for item in result.items}
    assert any("discrimination" in flag for flag in flagged["q04"]), flagged["q04"]
    for key in ("q01", "q02", "q03", "q05", "q06", "q07"):
        assert not any("discrimination" in flag for flag in flagged[key]), (key, flagged[key])
    assert any("too easy" in flag for flag in flagged["q08"])  # difficulty -2.5: nearly everyone right


def test_without_the_plant_the_same_item_discriminates():
    result = run(simulated_class(planted_ambiguous=None))
    assert result.items[3].discrimination > analysis.WEAK_DISCRIMINATION


def test_an_item_that_ranks_students_backwards_is_flagged_as_negative():
    scores = simulated_class()
    scores[:, 2] = 1 - scores[:, 0]  # the weak get it right: a wrong key
    assert any("negative discrimination" in f for f in run(scores).items[2].flags)


def test_an_item_everyone_gets_right_cannot_discriminate():
    scores = simulated_class()
    scores[:, 5] = 1.0
    item = run(scores).items[5]
    assert math.isnan(item.discrimination)
    assert any("too easy" in f for f in item.flags) and any("no discrimination" in f for f in item.flags)


def test_a_wrong_answer_that_attracts_the_upper_group_is_flagged():
    scores = simulated_class()
    diagnoses = {}
    for i, student in enumerate(STUDENTS):
        for j in range(scores.shape[1]):
            diagnoses[student, "q%02d" % (j + 1)] = "correct" if scores[i, j] else "some_misconception"
        if not scores[i, 3]:
            diagnoses[student, "q04"] = "second_defensible_answer"
    result = run(scores, diagnoses)
    planted = result.items[3]
    assert any("second_defensible_answer" in f and "upper group" in f for f in planted.flags), planted.flags
    upper, lower, total = planted.answers["second_defensible_answer"]
    assert total == N_STUDENTS // 2 and upper >= lower
    assert not any("attracts" in f for f in result.items[0].flags)


def test_the_class_upper_and_lower_groups_are_the_top_and_bottom_27_percent():
    result = run(simulated_class())
    size = round(analysis.GROUP_SHARE * N_STUDENTS)
    assert len(result.upper) == len(result.lower) == size
    totals = dict(zip(STUDENTS, result.totals))
    assert min(totals[s] for s in result.upper) >= max(totals[s] for s in result.lower)


def test_cronbach_alpha_matches_its_textbook_formula():
    scores = simulated_class()
    k = scores.shape[1]
    expected = k / (k - 1) * (1 - scores.var(axis=0, ddof=1).sum() / scores.sum(axis=1).var(ddof=1))
    assert analysis.cronbach_alpha(scores, np.ones(k)) == pytest.approx(expected)


def test_partial_credit_items_use_the_share_of_points():
    scores = simulated_class(planted_ambiguous=None)
    scores[:, 1] = np.clip(scores[:, 1] * 0.8 + 0.2 * scores[:, 2], 0, 1)
    item = run(scores).items[1]
    assert item.difficulty == pytest.approx(scores[:, 1].mean())


def test_the_report_has_a_table_the_flags_and_a_figure(tmp_path):
    result = run(simulated_class())
    report, figure = analysis.write_report(result, tmp_path)
    text = report.read_text()
    assert "| q04 |" in text and "## Flagged items" in text and "item_analysis.png" in text
    assert figure.exists() and figure.stat().st_size > 10_000 and figure.read_bytes()[:4] == b"\x89PNG"


def test_submitted_answers_are_read_without_running_them():
    assert analysis.submitted_answer("answer_q01 = None\nanswer_q01 = {'A', 'C'}", "answer_q01") == {"A", "C"}
    assert analysis.submitted_answer("answer_q02 = 1/4  # quarter", "answer_q02") == 0.25
    assert analysis.submitted_answer('answer_q03 = "nn.Conv1d(1, 2, 3)"', "answer_q03") == "nn.Conv1d(1, 2, 3)"
    for source in ("answer_q04 = B", "answer_q04 = compute()", "x = 1", "answer_q04 = (", "answer_q04 = __import__('os')"):
        with pytest.raises(ValueError):
            analysis.submitted_answer(source, "answer_q04")
