"""Reference solution of the AF capstone (``source/05_af_cnn``): a small 1D CNN on single-lead ECG.

Pipeline, as the student notebook builds it:

1. ``standardize(X)``: each window to zero mean and unit standard deviation,
   X_std[i] = (X[i] - mean(X[i])) / max(std(X[i]), eps). Amplitude differs tenfold between
   patients and devices; rhythm and wave shapes do not.
2. ``build_model(L)``: (n, 1, L) float32 -> (n,) logits. Six conv blocks, each
   Conv1d -> BatchNorm1d -> ReLU (-> MaxPool1d(2) from the third block on); the two strided first
   convolutions take 300 Hz down to 75 Hz, enough for P waves and 4-9 Hz f-waves. After block k
   the receptive field spans about 2.9 s (several beats, so RR irregularity is visible); global
   average and max pooling over time, dropout, then one linear unit.
   Output length of a conv layer: L_out = floor((L + 2 padding - kernel) / stride) + 1.
3. ``train_model``: Adam with weight decay on the binary cross-entropy of the logits, random
   sign flips (inverted leads) and circular shifts as augmentation, early stopping on validation
   ROC AUC that restores the best weights. Seeded: the same seed gives the same curve.
4. ``predict_proba``: sigmoid of the logits, eval mode, no gradients, in batches.

Budget: training on the public split (about 1500 windows of 3000 samples after holding out
validation patients) takes under 40 s on two CPU cores.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

#: Windows with std below this (a flat line) are only centred, not blown up to unit std.
STD_EPSILON = 1e-6


def standardize(X):
    """Per-window standardisation: (X - mean) / std along the last axis; flat windows become zeros.

    X: (n, L) or (n, 1, L) array-like of float. Returns a float32 numpy array of the same shape.
    """
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=-1, keepdims=True)
    std = X.std(axis=-1, keepdims=True)
    return (centred / np.maximum(std, STD_EPSILON)).astype(np.float32)


def _block(in_channels, out_channels, kernel, stride=1, pool=False):
    layers = [
        nn.Conv1d(in_channels, out_channels, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm1d(out_channels),
        nn.ReLU(inplace=True),
    ]
    if pool:
        layers.append(nn.MaxPool1d(2))
    return layers


class AFNet(nn.Module):
    """1D CNN: (n, 1, L) -> (n,) logits. See the module docstring for the layout."""

    def __init__(self, input_length: int, dropout: float = 0.3):
        super().__init__()
        self.input_length = input_length
        self.features = nn.Sequential(
            *_block(1, 16, 7, stride=2),            # L/2   (150 Hz)
            *_block(16, 24, 7, stride=2),           # L/4   (75 Hz)
            *_block(24, 32, 5, pool=True),          # L/8
            *_block(32, 48, 5, pool=True),          # L/16
            *_block(48, 64, 5, pool=True),          # L/32
            *_block(64, 64, 5, pool=True),          # L/64  (receptive field ~ 2.9 s at 300 Hz)
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * 64, 1)

    def forward(self, x):
        if x.ndim == 2:
            x = x.unsqueeze(1)
        h = self.features(x)
        pooled = torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)
        return self.head(self.dropout(pooled)).squeeze(1)


def build_model(input_length: int) -> nn.Module:
    """A fresh AFNet for windows of ``input_length`` samples (weights from torch's current seed)."""
    if input_length < 64:
        raise ValueError(f"input_length must be at least 64 samples, got {input_length}")
    return AFNet(input_length)


def _as_tensor(X):
    X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    return X.unsqueeze(1) if X.ndim == 2 else X


@torch.no_grad()
def predict_proba(model: nn.Module, X, batch_size: int = 256) -> np.ndarray:
    """P(AF) for each window: sigmoid(model(X)) in eval mode, batched. X (n, L) or (n, 1, L) -> (n,) float64."""
    model.eval()
    X = _as_tensor(X)
    out = [torch.sigmoid(model(X[i:i + batch_size])) for i in range(0, X.shape[0], batch_size)]
    return torch.cat(out).double().numpy() if out else np.zeros(0)


def train_model(model, X_train, y_train, X_val, y_val, *, epochs=14, lr=3e-3, weight_decay=1e-3,
                batch_size=64, seed=0, patience=4, progress=False) -> dict:
    """Train ``model`` in place on standardised windows; keep the weights of the best validation AUC.

    X_*: (n, L) or (n, 1, L) float (already standardised); y_*: (n,) in {0, 1}.
    Adam(lr, weight_decay) on BCEWithLogits; each batch gets random sign flips and circular
    shifts (from a generator seeded by ``seed``). Stops after ``patience`` epochs without a better
    validation AUC and restores the best weights.
    Returns a history dict: 'loss' (mean training loss per epoch), 'val_auc' (per epoch),
    'best_epoch' (0-based), 'best_val_auc', 'seconds'.
    """
    started = time.perf_counter()
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    X_train, X_val = _as_tensor(X_train), _as_tensor(X_val)
    y_train = torch.as_tensor(np.asarray(y_train), dtype=torch.float32)
    y_val = np.asarray(y_val)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=epochs * int(np.ceil(len(y_train) / batch_size)), pct_start=0.2)
    loss_function = nn.BCEWithLogitsLoss()
    history = {"loss": [], "val_auc": [], "best_epoch": -1, "best_val_auc": -np.inf}
    best_state, stale = None, 0
    n, length = X_train.shape[0], X_train.shape[-1]
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            batch = X_train[index]
            signs = torch.where(torch.rand(len(index), 1, 1, generator=generator) < 0.5, -1.0, 1.0)
            shift = int(torch.randint(0, length, (1,), generator=generator))
            batch = torch.roll(batch * signs, shifts=shift, dims=-1)
            optimizer.zero_grad()
            loss = loss_function(model(batch), y_train[index])
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += float(loss.detach()) * len(index)
        val_auc = float(roc_auc_score(y_val, predict_proba(model, X_val)))
        history["loss"].append(total / n)
        history["val_auc"].append(val_auc)
        if progress:
            print(f"epoch {epoch + 1:2d}  loss {total / n:.4f}  val AUC {val_auc:.4f}  "
                  f"{time.perf_counter() - started:5.1f} s", flush=True)
        if val_auc > history["best_val_auc"]:
            history["best_val_auc"], history["best_epoch"] = val_auc, epoch
            best_state, stale = copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    history["seconds"] = time.perf_counter() - started
    return history


def patient_split(patient_id, val_fraction=0.2, seed=0):
    """Indices (train, val) with whole patients on one side; about ``val_fraction`` of patients in val."""
    patients = np.unique(np.asarray(patient_id))
    rng = np.random.default_rng(seed)
    val_patients = rng.choice(patients, size=max(1, int(round(val_fraction * patients.size))), replace=False)
    is_val = np.isin(patient_id, val_patients)
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)
