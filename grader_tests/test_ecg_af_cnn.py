"""The reference solution of the AF capstone (reference/af_cnn/solution.py, the notebook's solution cells) on a toy task:
shapes, standardisation, batching, seeding, early stopping, restoring the best weights.

The hidden checks run against the same module in test_af_cnn_checks.py; these tests pin the
behaviour a reader of the solution relies on, independently of the checks."""

import numpy as np
import pytest
import torch

from reference.af_cnn import solution

#: Batched and unbatched float32 forward passes agree to rounding.
BATCH_TOLERANCE = 1e-5


def _toy(n=96, length=600, seed=0):
    """Easy task: class 1 windows carry a 6 Hz oscillation (an 'f-wave'), class 0 a 1.2 Hz one."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / 300.0
    y = np.arange(n) % 2
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    X = np.where(y[:, None] == 1, np.sin(2 * np.pi * 6 * t + phase), np.sin(2 * np.pi * 1.2 * t + phase))
    X = X + rng.normal(0, 0.8, (n, length))
    return solution.standardize(X * rng.uniform(0.2, 3.0, (n, 1))), y


def test_standardize_per_window_and_flat_windows():
    """Each window gets mean 0 and std 1; a flat window becomes zeros, not NaN; shape and float32 kept."""
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(3.0, 5.0, (3, 200)), np.full((1, 200), 7.0)])
    Z = solution.standardize(X)
    assert Z.dtype == np.float32 and Z.shape == X.shape
    np.testing.assert_allclose(Z[:3].mean(axis=1), 0.0, atol=1e-5, err_msg="per-window mean")
    np.testing.assert_allclose(Z[:3].std(axis=1), 1.0, atol=1e-5, err_msg="per-window std")
    np.testing.assert_array_equal(Z[3], np.zeros(200, np.float32))
    assert solution.standardize(X[:, None, :]).shape == (4, 1, 200)
    np.testing.assert_allclose(solution.standardize(X * 10.0), Z, atol=1e-5, err_msg="scale invariance")


@pytest.mark.parametrize("length", [3000, 1500, 600])
def test_build_model_maps_n_1_l_to_n_logits(length):
    """build_model(L) maps (n, 1, L) float32 to (n,) logits, any reasonable L."""
    torch.manual_seed(0)
    model = solution.build_model(length)
    out = model(torch.zeros(5, 1, length))
    assert isinstance(model, torch.nn.Module) and out.shape == (5,) and out.dtype == torch.float32
    assert sum(p.numel() for p in model.parameters()) < 200_000, "small enough for a 40 s CPU budget"


def test_predict_proba_range_eval_mode_and_batching():
    """Probabilities are in [0, 1], shape (n,), identical for any batch size, and computed in eval mode."""
    X, _ = _toy(n=10)
    torch.manual_seed(0)
    model = solution.build_model(X.shape[1])
    model.train()
    first = solution.predict_proba(model, X, batch_size=3)
    second = solution.predict_proba(model, X, batch_size=256)
    assert first.shape == (10,) and np.all((first >= 0) & (first <= 1))
    np.testing.assert_allclose(first, second, atol=BATCH_TOLERANCE, err_msg="batch size changed the output")
    assert not model.training, "predict_proba must leave dropout and batch norm in eval mode"
    assert all(p.grad is None for p in model.parameters())


def test_train_model_seeded_learns_and_restores_best_weights():
    """Same seed gives the same curve; the toy task is learnt; the returned model scores the best val AUC."""
    from sklearn.metrics import roc_auc_score

    X, y = _toy(n=64)
    X_val, y_val = _toy(n=32, seed=1)
    settings = dict(epochs=3, lr=3e-3, weight_decay=1e-3, batch_size=16, patience=2)
    histories, models = [], []
    for _ in range(2):
        torch.manual_seed(3)
        model = solution.build_model(X.shape[1])
        histories.append(solution.train_model(model, X, y, X_val, y_val, seed=3, **settings))
        models.append(model)
    first, second = histories
    assert set(first) >= {"loss", "val_auc", "best_epoch", "best_val_auc"}
    assert first["loss"] == second["loss"] and first["val_auc"] == second["val_auc"]
    assert len(first["loss"]) == len(first["val_auc"]) <= 3
    assert first["best_val_auc"] == max(first["val_auc"]) >= 0.9, first["val_auc"]
    final_auc = roc_auc_score(y_val, solution.predict_proba(models[0], X_val))
    assert final_auc == pytest.approx(first["best_val_auc"], abs=1e-9), "best weights were not restored"


def test_train_model_stops_early():
    """With a validation set the model cannot learn (random labels), patience 1 stops long before 30 epochs."""
    X, y = _toy(n=48)
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    model = solution.build_model(X.shape[1])
    y_val = rng.permutation(y[:24])
    history = solution.train_model(model, X, y, X[:24], y_val, epochs=30, lr=3e-3,
                                 weight_decay=0.0, batch_size=16, seed=0, patience=1)
    assert len(history["val_auc"]) < 30
    assert len(history["val_auc"]) - 1 - history["best_epoch"] == 1
    # it stopped on a worse epoch, so only a real restore gives back the best AUC
    from sklearn.metrics import roc_auc_score

    assert history["val_auc"][-1] < history["best_val_auc"]
    final_auc = roc_auc_score(y_val, solution.predict_proba(model, X[:24]))
    assert final_auc == pytest.approx(history["best_val_auc"], abs=1e-9), "best weights were not restored"


def test_split_by_patient_keeps_patients_whole_and_covers_every_window():
    """Every patient's windows land in exactly one of train/val/test, and together they cover all windows."""
    patient_id = np.repeat([f"p{i}" for i in range(50)], 4)
    y = np.repeat(np.arange(50) % 2, 4)
    split = solution.split_by_patient(np.zeros((200, 10)), y, patient_id, test_size=0.2, val_size=0.2, seed=0)
    parts = [set(patient_id[split[name]]) for name in ("train", "val", "test")]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert sorted(np.concatenate([split[name] for name in ("train", "val", "test")])) == list(range(200))
    assert len(parts[1]) == len(parts[2]) == 10
