"""06_sequences hidden checks, proven in process (no notebook, no kernel).

- the reference scores full marks on many seeds; Part A's reference equals PyTorch in float64;
- every wrong implementation in ``reference/sequences/wrong.py`` loses points on every seed tried,
  and every correct alternative in ``correct.py`` keeps every point;
- the hidden-AUC check: a trained reference model and a CNN alternative get full points, every
  cheater in ``HIDDEN_AUC_CHEATERS`` gets none; the tiers are linear between floor and threshold;
- the notebook's setup and solution cells are the reference module, verbatim (syntax trees).
"""

import json

import numpy as np
import pytest
import torch

from kit import ROOT, read_notebook
from reference.sequences import UNIT, checks, correct, gait_grading, grading, solution, wrong

CHECKS = {c.id: c for c in checks.CHECKS}
#: grader_tests/test_units.py proves, for every registered unit, that the reference scores full marks,
#: every wrong implementation loses points, every correct alternative keeps them and the notebook's
#: cells are the reference; this file keeps what is specific to 06_sequences.
NOTEBOOK = ROOT / "source" / "06_sequences" / "sequences.ipynb"


def namespace(source=""):
    ns = {k: v for k, v in vars(solution).items() if not k.startswith("__")}
    if source:
        exec(compile(source, "<catalogue>", "exec"), ns)
    return ns


def _verdict(check_id, ns, seed):
    return CHECKS[check_id].run_locally(ns, seed)


def test_catalogues_cover_every_graded_function():
    graded = set(CHECKS) - {"sequences.hidden_auc", "sequences.hidden_gait_auc"}
    for check_id in graded:
        assert sum(m.check == check_id for m in wrong.MUTANTS) >= 6, check_id
        assert sum(a.check == check_id for a in correct.ALTERNATIVES) >= 3, check_id
    names = ([m.name for m in wrong.MUTANTS + wrong.HIDDEN_AUC_CHEATERS + wrong.HIDDEN_GAIT_CHEATERS]
             + [a.name for a in correct.ALTERNATIVES + correct.HIDDEN_AUC_ALTERNATIVES + correct.HIDDEN_GAIT_ALTERNATIVES])
    assert len(names) == len(set(names))


def test_reference_cells_equal_pytorch_on_many_random_cells():
    rng = np.random.default_rng(5)
    for _ in range(50):
        n, i, h = (int(v) for v in rng.integers(1, 7, 3))
        for gates, ours, oracle, with_c in ((1, solution.rnn_cell_step, checks.torch_rnn_cell, False),
                                            (3, solution.gru_cell_step, checks.torch_gru_cell, False),
                                            (4, solution.lstm_cell_step, checks.torch_lstm_cell, True)):
            args = checks._cell_case(rng, gates, n, i, h, scale=1.2, with_c=with_c).args
            np.testing.assert_allclose(np.asarray(ours(*args)), np.asarray(oracle(*args)), rtol=1e-12, atol=1e-13)


def test_reference_counts_and_shapes_equal_pytorch():
    for cell in ("rnn", "gru", "lstm"):
        for layers, bidirectional, bias, batch_first in ((1, False, True, False), (3, True, False, True),
                                                         (2, True, True, False)):
            assert solution.recurrent_num_parameters(cell, 3, 5, layers, bidirectional, bias) == \
                checks.torch_num_parameters(cell, 3, 5, layers, bidirectional, bias)
            assert solution.recurrent_shapes(cell, 6, 2, 3, 5, layers, bidirectional, batch_first) == \
                checks.torch_shapes(cell, 6, 2, 3, 5, layers, bidirectional, batch_first)


# --------------------------------------------------------------------------- the hidden AUC

@pytest.fixture(scope="module")
def trained_namespace():
    """The notebook's final training (reference GRU, seed 0, FINAL_CONFIG) on every public window."""
    ns = namespace()
    ns["best_model"] = grading.train_final_model(seed=0)
    X, y, _ = grading.windows_of(solution.load_subjects(grading.PUBLIC_PATH), solution)
    ns["X_rr"], ns["y_rr"] = X, y
    return ns


def test_reference_final_model_gets_full_hidden_auc_points(trained_namespace):
    verdict = _verdict("sequences.hidden_auc", dict(trained_namespace), 3)
    assert verdict.fraction == 1.0, verdict.lines()
    assert "hidden ROC AUC 0.9" in "\n".join(verdict.lines())


@pytest.mark.parametrize("cheater", wrong.HIDDEN_AUC_CHEATERS, ids=str)
def test_hidden_auc_refuses_cheaters_and_broken_models(cheater, trained_namespace):
    ns = dict(trained_namespace)
    exec(compile(cheater.source, "<cheater>", "exec"), ns)
    verdict = _verdict("sequences.hidden_auc", ns, 4)
    assert verdict.fraction == 0.0, "%s: %s" % (cheater.name, verdict.lines())


@pytest.mark.parametrize("alternative", correct.HIDDEN_AUC_ALTERNATIVES, ids=str)
def test_hidden_auc_alternative_architecture_keeps_the_points(alternative, trained_namespace):
    ns = dict(trained_namespace)
    exec(compile(alternative.source, "<alternative>", "exec"), ns)
    verdict = _verdict("sequences.hidden_auc", ns, 5)
    assert verdict.fraction == 1.0, verdict.lines()


def test_auc_tiers_are_linear_between_floor_and_threshold():
    reference = 0.97
    full, floor = grading.thresholds(reference)
    assert grading.auc_credit(full, reference) == 1.0
    assert grading.auc_credit(floor - 1e-9, reference) == 0.0
    assert grading.auc_credit((full + floor) / 2, reference) == pytest.approx(0.5)


def test_stored_reference_matches_the_data_and_every_seed_reaches_full_points():
    stored = grading.stored_reference()
    aucs = [run["hidden_auc"] for run in stored["runs"]]
    assert stored["seeds"] == len(aucs) >= 10
    assert stored["reference_auc"] == pytest.approx(float(np.median(aucs)), abs=1e-5)
    full, _ = grading.thresholds(stored["reference_auc"])
    assert min(aucs) >= full, "a reference training seed would not get full points"
    assert stored["config"] == grading.FINAL_CONFIG


# --------------------------------------------------------------------------- the gait model's hidden AUC

@pytest.fixture(scope="module")
def gait_namespace():
    """The notebook's gait training cell with the solution's choice (CNN, seed 0) on every public walker."""
    ns = namespace()
    ns["gait_input"] = gait_grading.gait_input
    ns["gait_model"] = gait_grading.train_gait_model(seed=0)
    ns["X_gait"], ns["y_gait"] = gait_grading.load(gait_grading.PUBLIC_PATH)
    return ns


def test_reference_gait_model_gets_full_points_and_is_told_the_rule(gait_namespace):
    verdict = _verdict("sequences.hidden_gait_auc", dict(gait_namespace), 3)
    text = "\n".join(verdict.lines())
    assert verdict.fraction == 1.0, text
    assert "hidden ROC AUC 0.9" in text and "walkers you never saw" in text and "none below 0.85" in text


@pytest.mark.parametrize("cheater", wrong.HIDDEN_GAIT_CHEATERS, ids=str)
def test_gait_auc_refuses_cheaters_broken_models_and_one_feature(cheater, gait_namespace):
    ns = dict(gait_namespace)
    exec(compile(cheater.source, "<cheater>", "exec"), ns)
    verdict = _verdict("sequences.hidden_gait_auc", ns, 4)
    assert verdict.fraction == 0.0, "%s: %s" % (cheater.name, verdict.lines())


@pytest.mark.parametrize("alternative", correct.HIDDEN_GAIT_ALTERNATIVES, ids=str)
def test_gait_auc_other_architectures_keep_the_points(alternative, gait_namespace):
    ns = dict(gait_namespace)
    exec(compile(alternative.source, "<alternative>", "exec"), ns)
    verdict = _verdict("sequences.hidden_gait_auc", ns, 5)
    assert verdict.fraction == 1.0, verdict.lines()


def test_gait_reference_matches_the_data_and_sits_between_feature_and_full_points():
    """Every seed of the reference reaches full points; the floor is above the best single feature of
    the hidden windows (raw strides: what a student could compute without a network)."""
    from sklearn.metrics import roc_auc_score

    stored = gait_grading.stored_reference()
    aucs = [run["hidden_auc"] for run in stored["runs"]]
    assert stored["seeds"] == len(aucs) >= 5 and stored["config"] == gait_grading.GAIT_CONFIG
    assert stored["reference_auc"] == pytest.approx(float(np.median(aucs)), abs=1e-5)
    full, floor = gait_grading.TIERS.thresholds(stored["reference_auc"])
    assert min(aucs) >= full
    X, y = gait_grading.load_hidden()
    variability = np.median(np.abs(np.diff(X, axis=1)), axis=1) / np.median(X, axis=1)
    for feature in (variability, X.std(1) / X.mean(1), X.mean(1)):
        assert roc_auc_score(y, feature) < floor


def test_notebook_gait_input_and_configuration_are_the_graders():
    cells = _code_cells()
    ns = namespace()
    source = cells["kfold_comparison"]
    exec(compile(source[source.index("def gait_input"):source.index("X_gait_relative =")], "<cell>", "exec"), ns)
    windows = np.random.default_rng(0).uniform(0.9, 1.4, (20, 16))
    np.testing.assert_array_equal(ns["gait_input"](windows), gait_grading.gait_input(windows))
    assert "gait_builder = %s" % gait_grading.GAIT_BUILDER in cells["choose_gait_model"]
    assert "gait_config = dict(epochs=8, lr=1e-2)" in cells["choose_gait_model"]
    assert gait_grading.GAIT_CONFIG == dict(epochs=8, lr=1e-2)
    # the margin and floor the notebook states (the manifest's constants, checked in its text) are the grader's
    assert UNIT.constants["GAIT_FULL_CREDIT_MARGIN"][0] == gait_grading.GAIT_FULL_CREDIT_MARGIN
    assert UNIT.constants["GAIT_FLOOR_AUC"][0] == gait_grading.GAIT_FLOOR_AUC


# --------------------------------------------------------------------------- the notebook is the reference

def _code_cells():
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in read_notebook(NOTEBOOK).cells
            if c.cell_type == "code"}


def test_notebook_final_configuration_is_the_measured_one():
    cells = _code_cells()
    assert "final_config = dict(epochs=25, lr=3e-3, batch_size=64)" in cells["choose_final_model"]
    assert grading.FINAL_CONFIG == dict(epochs=25, lr=3e-3, batch_size=64)
    assert "best_builder = build_rnn" in cells["choose_final_model"]
    assert json.loads(grading.REFERENCE_PATH.read_text())["model"].startswith("build_rnn")
