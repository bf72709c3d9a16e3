"""Reference solution of the AF capstone notebook (``source/05_af_cnn/af_cnn.ipynb``).

The notebook's graded functions, with exactly the contract its docstrings state (the hidden
checks in ``reference/checks/af_cnn.py`` compare students with these, or judge properties):

- ``load_af_data(path)``: the kit's ``.npz`` split -> (X float32 (n, L) mV, y int64 (n,), fs float,
  patient_id (n,) str). ValueError naming the field when one is missing.
- ``standardize(X)``: per window along the last axis, X_std = (X - mean) / max(std, STD_EPSILON)
  with the population std (ddof = 0); a flat window becomes zeros. float32, same shape.
- ``split_by_patient(...)``: stratified by patient label, no patient in two splits; a dict of
  index arrays ``{"train", "val", "test"}``.
- ``build_model(L)``: (n, 1, L) float32 -> (n,) logits.
- ``train_model(...)``: Adam + weight decay on BCE-with-logits, sign-flip and shift augmentation,
  early stopping on validation ROC AUC (best weights restored), processor-time budget, seeded.
- ``predict_proba(model, X)``: raw mV windows -> P(AF) in [0, 1], (n,) float64; standardises,
  eval mode, no gradients, in batches.
- ``train_final_model(...)``: the configuration the grader's reference AUC was measured with.

This is grader-only code: it never enters a student's kernel.
"""

from __future__ import annotations

import copy
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

#: Windows whose std is below this (a flat line, mV or standardised units) are only centred.
STD_EPSILON = 1e-6
#: Fields every split file holds (plus ``gain`` when X is stored as integers).
REQUIRED_FIELDS = ("X", "y", "fs", "patient_id")
#: The final training run may use this many seconds of processor time (time.process_time).
TRAINING_BUDGET_S = 90.0
#: Trainable parameters build_model's network must have (the notebook states the range).
MIN_PARAMETERS, MAX_PARAMETERS = 1_000, 1_000_000
#: The notebook's final configuration (train_final_model), the one the reference AUC is measured with.
FINAL_CONFIG = dict(epochs=24, lr=3e-3, weight_decay=1e-3, batch_size=64, patience=8)
#: Patient fractions of the notebook's split (split_by_patient(..., test_size, val_size, seed)).
FINAL_SPLIT = dict(test_size=0.15, val_size=0.15, seed=0)


# --------------------------------------------------------------------------- A. data

def load_af_data(path):
    """Load one split: (X float32 (n, L) in mV, y int64 (n,), fs float in Hz, patient_id (n,) str).

    X is stored as int16 adu with a scalar ``gain`` (adu per mV): X_mV = X / gain; or as float
    mV without ``gain``. FileNotFoundError if ``path`` does not exist; ValueError naming the field
    if X, y, fs or patient_id (or gain, for integer X) is missing, or if len(y), len(patient_id)
    and the number of windows differ.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError("%s: no such file" % path)
    with np.load(path, allow_pickle=False) as archive:
        fields = {name: archive[name] for name in archive.files}
    for name in REQUIRED_FIELDS:
        if name not in fields:
            raise ValueError("%s: missing field %r (a split holds %s)" % (path, name, ", ".join(REQUIRED_FIELDS)))
    X = fields["X"]
    if X.ndim != 2:
        raise ValueError("%s: X must be 2-D (windows, samples), got shape %s" % (path, X.shape))
    if np.issubdtype(X.dtype, np.integer):
        if "gain" not in fields:
            raise ValueError("%s: X is stored as integers (adu) but the field 'gain' is missing" % path)
        X = X.astype(np.float64) / float(fields["gain"])
    y, patient_id = fields["y"], fields["patient_id"]
    if not (len(y) == len(patient_id) == X.shape[0]):
        raise ValueError("%s: X has %d windows but y has %d labels and patient_id %d entries"
                         % (path, X.shape[0], len(y), len(patient_id)))
    return X.astype(np.float32), y.astype(np.int64), float(fields["fs"]), patient_id.astype(str)


# --------------------------------------------------------------------------- B. preprocessing

def standardize(X):
    """Each window to zero mean and unit std along the last axis; a flat window becomes zeros.

    X_std = (X - mean(X)) / max(std(X), STD_EPSILON), mean and population std (ddof=0) per window.
    X: (n, L), (n, 1, L) or any shape, any real dtype. Returns float32, same shape.
    """
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=-1, keepdims=True)
    std = X.std(axis=-1, keepdims=True)
    return (centred / np.maximum(std, STD_EPSILON)).astype(np.float32)


def patient_labels(y, patient_id):
    """(patients, label per patient, window -> patient index): a patient's label is the majority
    label of their windows (a tie counts as AF)."""
    patients, inverse = np.unique(np.asarray(patient_id), return_inverse=True)
    af = np.bincount(inverse, weights=np.asarray(y, dtype=float), minlength=len(patients))
    count = np.bincount(inverse, minlength=len(patients))
    return patients, (2 * af >= count).astype(int), inverse


def _round_half_up(x):
    return int(np.floor(x + 0.5))


def split_by_patient(X, y, patient_id, test_size=0.2, val_size=0.2, seed=0):
    """Stratified train/validation/test split with every patient in exactly one split.

    test_size, val_size: fractions of the *patients* of each class (0 < each, sum < 1); each
    class contributes round(test_size * n_class) patients to test and round(val_size * n_class)
    to validation, drawn with np.random.default_rng(seed); the rest train.
    Returns {"train": idx, "val": idx, "test": idx}, sorted int64 window indices into X.
    ValueError when len(X), len(y), len(patient_id) differ, the sizes are out of range, or a
    split would get no patient.
    """
    n = len(X)
    if not (len(y) == len(patient_id) == n):
        raise ValueError("X has %d windows but y has %d labels and patient_id %d entries" % (n, len(y), len(patient_id)))
    if not (0 < test_size < 1 and 0 < val_size < 1 and test_size + val_size < 1):
        raise ValueError("test_size and val_size must be in (0, 1) with test_size + val_size < 1, got %r and %r"
                         % (test_size, val_size))
    patients, labels, inverse = patient_labels(y, patient_id)
    rng = np.random.default_rng(seed)
    where = np.zeros(len(patients), dtype=int)  # 0 train, 1 val, 2 test
    for label in (0, 1):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_test = _round_half_up(test_size * len(members))
        n_val = _round_half_up(val_size * len(members))
        where[members[:n_test]] = 2
        where[members[n_test:n_test + n_val]] = 1
    if any(not np.any(where == k) for k in (0, 1, 2)):
        raise ValueError("%d patients are too few for test_size=%r and val_size=%r: a split would be empty"
                         % (len(patients), test_size, val_size))
    window_split = where[inverse]
    return {name: np.flatnonzero(window_split == k).astype(np.int64)
            for k, name in ((0, "train"), (1, "val"), (2, "test"))}


# --------------------------------------------------------------------------- C. model and training

def _block(in_channels, out_channels, kernel, stride=1, pool=False):
    layers = [nn.Conv1d(in_channels, out_channels, kernel, stride=stride, padding=kernel // 2, bias=False),
              nn.BatchNorm1d(out_channels), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool1d(2))
    return layers


class AFNet(nn.Module):
    """(n, 1, L) -> (n,) logits. Conv blocks (Conv1d -> BatchNorm -> ReLU -> MaxPool), then global
    average and max pooling over time (so any L >= 64 works), dropout and one linear unit."""

    def __init__(self, dropout=0.3):
        super().__init__()
        self.features = nn.Sequential(
            *_block(1, 16, 7, stride=2),        # 300 Hz -> 150 Hz
            *_block(16, 24, 7, stride=2),       # 75 Hz: enough for P waves and 4-9 Hz f-waves
            *_block(24, 32, 5, pool=True),
            *_block(32, 48, 5, pool=True),
            *_block(48, 64, 5, pool=True),
            *_block(64, 64, 5, pool=True),      # receptive field ~2.9 s: several beats, so RR irregularity
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * 64, 1)

    def forward(self, x):
        h = self.features(x)
        pooled = torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)
        return self.head(self.dropout(pooled)).squeeze(1)


def build_model(input_length):
    """A fresh network for windows of ``input_length`` samples: (n, 1, L) float32 -> (n,) logits."""
    if input_length < 64:
        raise ValueError("input_length must be at least 64 samples, got %r" % (input_length,))
    return AFNet()


def _batches(n, batch_size):
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def predict_proba(model, X, batch_size=256):
    """P(AF) per window: sigmoid(model(standardize(X))) in eval mode, without gradients, in batches.

    X: (n, L) raw windows in mV (or (n, 1, L)); the model sees float32 tensors (b, 1, L), b <= batch_size.
    Returns a float64 numpy array (n,) in [0, 1]; n = 0 gives shape (0,).
    """
    X = standardize(X)
    X = X.reshape(X.shape[0], 1, X.shape[-1])
    model.eval()
    out = np.zeros(X.shape[0])
    with torch.no_grad():
        for start, stop in _batches(X.shape[0], batch_size):
            out[start:stop] = torch.sigmoid(model(torch.from_numpy(X[start:stop]))).double().numpy()
    return out


def train_model(model, X_train, y_train, X_val, y_val, *, epochs=24, lr=3e-3, weight_decay=1e-3,
                batch_size=64, patience=8, seed=0, time_budget_s=TRAINING_BUDGET_S, progress=False):
    """Train ``model`` in place; keep the weights of the best validation ROC AUC.

    X_*: (n, L) windows (raw mV or standardised: they are standardised here), y_*: (n,) 0/1.
    Adam(lr, weight_decay) on BCEWithLogitsLoss with a one-cycle learning rate; each batch gets
    random sign flips and a random circular shift, drawn from a generator seeded by ``seed``
    (torch.manual_seed(seed) too), so the same seed gives the same history. After each epoch:
    validation AUC (predict_proba); stop after ``patience`` epochs without a better AUC, or once
    ``time_budget_s`` seconds of processor time have passed (at least one epoch always runs).
    Returns {"loss": [...], "val_auc": [...], "best_epoch": int, "best_val_auc": float, "seconds": float}.
    """
    started_cpu, started = time.process_time(), time.perf_counter()
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    X_train = torch.from_numpy(standardize(X_train)).reshape(len(X_train), 1, -1)
    y_train_t = torch.as_tensor(np.asarray(y_train), dtype=torch.float32)
    y_val = np.asarray(y_val)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = epochs * len(_batches(len(y_train_t), batch_size))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.2)
    loss_function = nn.BCEWithLogitsLoss()
    history = {"loss": [], "val_auc": [], "best_epoch": -1, "best_val_auc": -np.inf}
    best_state, length = None, X_train.shape[-1]
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(y_train_t), generator=generator)
        total = 0.0
        for start, stop in _batches(len(order), batch_size):
            index = order[start:stop]
            signs = torch.where(torch.rand(len(index), 1, 1, generator=generator) < 0.5, -1.0, 1.0)
            shift = int(torch.randint(0, length, (1,), generator=generator))
            batch = torch.roll(X_train[index] * signs, shifts=shift, dims=-1)
            optimizer.zero_grad()
            loss = loss_function(model(batch), y_train_t[index])
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += float(loss.detach()) * len(index)
        val_auc = float(roc_auc_score(y_val, predict_proba(model, X_val)))
        history["loss"].append(total / len(order))
        history["val_auc"].append(val_auc)
        if progress:
            print("epoch %2d  loss %.4f  val AUC %.4f  %5.1f s" % (epoch + 1, total / len(order), val_auc,
                                                                  time.perf_counter() - started), flush=True)
        if val_auc > history["best_val_auc"]:
            history["best_val_auc"], history["best_epoch"] = val_auc, epoch
            best_state = copy.deepcopy(model.state_dict())
        elif epoch - history["best_epoch"] >= patience:
            break
        if time.process_time() - started_cpu > time_budget_s:
            break
    model.load_state_dict(best_state)
    history["seconds"] = time.perf_counter() - started
    return history


def train_final_model(X_train, y_train, X_val, y_val, seed=0, progress=False):
    """The notebook's final run: a fresh model (torch.manual_seed(seed)) trained with FINAL_CONFIG."""
    torch.manual_seed(seed)
    model = build_model(np.asarray(X_train).shape[-1])
    history = train_model(model, X_train, y_train, X_val, y_val, seed=seed, progress=progress,
                          time_budget_s=TRAINING_BUDGET_S, **FINAL_CONFIG)
    return model, history
