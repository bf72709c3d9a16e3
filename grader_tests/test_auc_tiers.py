"""coursekit/auc_tiers.py: the one rule that turns a hidden ROC AUC into points, for every unit that
grades a trained model on hidden data (each unit's own margins are tested in its own file)."""

import numpy as np
import pytest

from coursekit.auc_tiers import AucTiers, probability_problem
from reference.af_cnn import grading as capstone
from reference.sequences import grading as sequences

TIERS = AucTiers(margin=0.05, floor=0.8)


def test_units_share_the_rule_with_their_own_numbers():
    assert (capstone.TIERS.margin, capstone.TIERS.floor) == (capstone.FULL_CREDIT_MARGIN, capstone.FLOOR_AUC)
    assert (sequences.TIERS.margin, sequences.TIERS.floor) == (sequences.FULL_CREDIT_MARGIN, sequences.FLOOR_AUC)
    assert capstone.probability_problem is sequences.probability_problem is probability_problem
    for unit in (capstone, sequences):
        assert unit.auc_credit.__func__ is AucTiers.credit and unit.hidden_auc_verdict.__func__ is AucTiers.verdict


def test_credit_is_linear_between_the_floor_and_the_full_threshold():
    assert TIERS.thresholds(0.95) == pytest.approx((0.9, 0.8))
    assert TIERS.credit(0.9, 0.95) == 1.0 and TIERS.credit(0.99, 0.95) == 1.0
    assert TIERS.credit(0.85, 0.95) == pytest.approx(0.5)
    assert TIERS.credit(0.8, 0.95) == 0.0 and TIERS.credit(0.5, 0.95) == 0.0
    # a weak reference puts the full threshold below the floor: the floor still holds, no division
    assert TIERS.credit(0.81, 0.82) == 1.0 and TIERS.credit(0.79, 0.82) == 0.0


def test_the_verdict_names_what_was_scored_and_the_rule():
    y = np.array([0, 0, 1, 1, 0, 1])
    scored = AucTiers(0.05, 0.8, scored_on="windows of subjects you never saw")
    fraction, message = scored.verdict(y, [0.1, 0.2, 0.9, 0.8, 0.3, 0.7], reference_auc=0.95)
    assert fraction == 1.0
    assert message == ("hidden ROC AUC 1.0000 on 6 windows of subjects you never saw: full points. The rule: full "
                       "points at AUC >= 0.900 (the reference's 0.950 - 0.05), none below 0.80, linear in between")
    fraction, message = TIERS.verdict(y, [0.9, 0.2, 0.1, 0.8, 0.3, 0.7], reference_auc=0.95)
    assert fraction == 0.0 and "below the floor of 0.80" in message


@pytest.mark.parametrize("probabilities, words", [
    ({"__opaque__": {"type": "torch.Tensor"}}, "array of 4 numbers, got torch.Tensor"),
    ([0.1, 0.2, 0.3], "shape (4,), got shape (3,)"),
    ([0.1, np.nan, 0.3, 0.4], "1 of the 4 probabilities are NaN or infinite"),
    ([-2.0, 0.5, 3.0, 0.1], "logits?"),
    ([0.3] * 4, "all 4 probabilities are equal (0.3)"),
])
def test_probabilities_that_cannot_be_scored_get_nothing_and_a_reason(probabilities, words):
    assert words in probability_problem(probabilities, 4)
    fraction, message = TIERS.verdict([0, 1, 0, 1], probabilities, reference_auc=0.95)
    assert fraction == 0.0 and words in message and "The rule: full points at AUC >= 0.900" in message
