"""coursekit/hidden_scoring.py: the one check that scores a notebook's trained model on hidden data,
proven on a toy unit (numpy only, in process): inputs only in the kernel, in a fresh order each run;
the AUC and its tier computed in the grader; no points, with the reason, for a broken or
batch-dependent model. Each unit's real model is tested in its own file (test_af_cnn_checks.py,
test_sequences_checks.py); the tier rule in test_auc_tiers.py.
"""

import io
import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from coursekit.auc_tiers import AucTiers
from coursekit.hidden_scoring import REPEATED_WINDOWS, HiddenScoring

N_HIDDEN = 240
TIERS = AucTiers(margin=0.05, floor=0.8)
REFERENCE_AUC = 0.95


def _load():
    """Toy hidden windows: 8 noisy features, shifted by 1 in the positive class."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, N_HIDDEN)
    X = (rng.normal(size=(N_HIDDEN, 8)) + y[:, None]).astype(np.float32)
    return X, y


SCORING = HiddenScoring(model="toy_model", file_name="toy_hidden.npy", load=_load, reference_auc=lambda: REFERENCE_AUC,
                        tiers=TIERS, title="ROC AUC of toy_model on hidden windows", what="toy units", timeout=10.0)
CHECK = SCORING.check("toy.hidden_auc")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _student(score):
    """A notebook namespace whose predict_proba returns ``score(X)`` for the windows X."""
    return {"toy_model": object(), "predict_proba": lambda model, X: score(np.asarray(X, dtype=float))}


#: One generator for every call: each call draws other noise, like dropout left on.
_DROPOUT = np.random.default_rng(7)


def _text(verdict):
    return "\n".join(verdict.lines())


def test_the_kernel_gets_the_inputs_only_in_a_fresh_order_each_run():
    X, y = _load()
    orders = []
    for seed in (1, 2):
        groups = CHECK.groups(seed)
        case = groups[0].cases[0]
        assert all(not isinstance(a, np.ndarray) for a in case.args), "the case must not carry arrays"
        assert len(json.dumps(case.encoded())) < 200, "the kernel source must not carry labels"
        files = CHECK.kernel_files(groups)
        assert list(files) == ["toy_hidden.npy"]
        sent = np.load(io.BytesIO(files["toy_hidden.npy"]), allow_pickle=False)
        order = SCORING.order(case.args[1])
        np.testing.assert_array_equal(sent, X[order])
        np.testing.assert_array_equal(CHECK.expected(case).value, y[order])  # the labels stay in the grader
        orders.append(order)
    assert not np.array_equal(*orders)
    assert "labels" not in CHECK.probe and "y_hidden" not in CHECK.probe


@pytest.mark.parametrize("features, outcome", [(8, "full"), (2, "part"), (1, "none")])
def test_points_are_the_tier_rule_of_the_auc_computed_in_the_grader(features, outcome):
    X, y = _load()
    auc = roc_auc_score(y, X[:, :features].mean(axis=1))
    verdict = CHECK.run_locally(_student(lambda W: _sigmoid(W[:, :features].mean(axis=1))), seed=3)
    assert verdict.fraction == pytest.approx(TIERS.credit(auc, REFERENCE_AUC), abs=1e-12)
    assert {"full": verdict.fraction == 1.0, "part": 0.0 < verdict.fraction < 1.0,
            "none": verdict.fraction == 0.0}[outcome], (auc, _text(verdict))
    assert "hidden ROC AUC %.4f on %d windows" % (auc, N_HIDDEN) in _text(verdict)
    assert "full points at AUC >= 0.900" in _text(verdict)


@pytest.mark.parametrize("name, student, words", [
    ("standardised across the batch", _student(lambda W: _sigmoid((W.mean(1) - W.mean()) / W.std())),
     "called again on them alone"),
    ("dropout left on", _student(lambda W: np.clip(_sigmoid(W.mean(1)) + _DROPOUT.normal(0, 0.05, len(W)), 0, 1)),
     "model.eval()"),
    ("logits", _student(lambda W: W.mean(1)), "logits?"),
    ("one probability short", _student(lambda W: _sigmoid(W.mean(1))[1:]), "shape (240,)"),
    ("not an array", _student(lambda W: object()), "array of 240 numbers, got builtins.object"),
    ("raises", _student(lambda W: 1 / 0), "should return probabilities, but it raised ZeroDivisionError"),
    ("model is None", {"toy_model": None, "predict_proba": lambda m, X: _sigmoid(X.mean(1))},
     "toy_model is None: its training cell did not finish"),
    ("model missing", {"predict_proba": lambda m, X: _sigmoid(X.mean(1))}, "name 'toy_model' is not defined"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_no_points_and_the_reason_for_models_that_cannot_be_scored(name, student, words):
    verdict = CHECK.run_locally(student, seed=4)
    assert verdict.fraction == 0.0, (name, _text(verdict))
    assert words in _text(verdict), _text(verdict)


def test_the_second_call_covers_the_first_windows_and_must_match_them():
    calls = []

    def predict_proba(model, X):
        calls.append(len(X))
        return _sigmoid(np.asarray(X, dtype=float).mean(1))

    verdict = CHECK.run_locally({"toy_model": object(), "predict_proba": predict_proba}, seed=5)
    assert verdict.fraction == 1.0 and calls == [N_HIDDEN, REPEATED_WINDOWS]


def test_the_model_variable_must_be_a_name():
    with pytest.raises(ValueError, match="notebook variable"):
        HiddenScoring(model="model; import os", file_name="x.npy", load=_load, reference_auc=lambda: 0.9, tiers=TIERS,
                      title="t", what="w", timeout=1.0)


def test_every_unit_scores_its_models_with_this_one_check():
    from coursekit.registry import get_check
    from reference.af_cnn import checks as af_cnn
    from reference.af_cnn import grading as af_grading
    from reference.sequences import checks as sequences
    from reference.sequences import gait_grading, grading

    for check_id, scoring, tiers in (("af_cnn.hidden_auc", af_cnn.HIDDEN, af_grading.TIERS),
                                     ("sequences.hidden_auc", sequences.HIDDEN_RR, grading.TIERS),
                                     ("sequences.hidden_gait_auc", sequences.HIDDEN_GAIT, gait_grading.TIERS)):
        check = get_check(check_id)
        assert isinstance(scoring, HiddenScoring) and scoring.tiers is tiers
        assert check.custom_judge == scoring.judge and check.kernel_files == scoring.files
        assert check.probe == scoring.probe
