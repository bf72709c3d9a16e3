"""Reference solution of the AF capstone notebook (``source/05_af_cnn/af_cnn.ipynb``).

The functions below are the notebook's solution cells, verbatim (docstrings included;
``grader_tests/test_units.py`` fails if the two drift apart), so that they are the spec
students get: load, standardise, split by patient, the 1D CNN, prediction, training, the
final configuration (``train_final_model``) the stored reference AUC was measured with, and
the ungraded ``plot_examples`` and ``evaluate``. ``patient_labels`` is a helper of the hidden
checks. Grader-only: never enters a student's kernel.
"""

from __future__ import annotations

import copy
import sys
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve
from torch import nn
from tqdm import tqdm

# The notebook's locked augmentation helper (cell augmentation_helper) is the kit's augmentation, the
# one that also makes the hidden split (grader_tests/test_af_cnn_checks.py proves the notebook's copy
# is the same code): students may call it in train_model, so alternatives and mutants executed over
# this module find it too.
from coursekit.ecg.augment import augment as augment_windows

#: Processor seconds the final training may use (the notebook's TRAINING_BUDGET_S).
TRAINING_BUDGET_S = 90
#: Trainable parameters build_model's network must have (the notebook states the range).
MIN_PARAMETERS, MAX_PARAMETERS = 1_000, 1_000_000
#: train_final_model's configuration (a test checks it against the call below).
FINAL_CONFIG = dict(epochs=16, lr=3e-3, weight_decay=1e-3, batch_size=64, patience=6)
#: The notebook's split (its locked cell calls split_by_patient with these).
FINAL_SPLIT = dict(test_size=0.15, val_size=0.15, seed=0)


def patient_labels(y, patient_id):
    """(patients, label per patient, window -> patient index): a patient's label is the majority
    label of their windows (a tie counts as AF), as split_by_patient computes it."""
    patients, inverse = np.unique(np.asarray(patient_id), return_inverse=True)
    af_windows = np.bincount(inverse, weights=np.asarray(y, dtype=float), minlength=len(patients))
    windows = np.bincount(inverse, minlength=len(patients))
    return patients, (2 * af_windows >= windows).astype(int), inverse


def load_af_data(path):
    """Load one split of the course's ECG data.

    path: a .npz file with fields X, y, fs, patient_id (and gain when X is stored as integers).
    Returns (X, y, fs, patient_id):
        X          float32 array (n, L), in mV: X / gain for integer (adu) X, unchanged for float X
        y          int64 array (n,), 0 = normal, 1 = AF
        fs         float, sampling rate in Hz
        patient_id array (n,) of str
    Raises ValueError, naming the field, if X, y, fs or patient_id is missing (or gain, for
    integer X), and ValueError if X, y and patient_id hold different numbers of windows.
    """
    with np.load(path, allow_pickle=False) as archive:
        fields = {name: archive[name] for name in archive.files}
    for name in ("X", "y", "fs", "patient_id"):
        if name not in fields:
            raise ValueError("%s: missing field %r (a split holds X, y, fs, patient_id)" % (path, name))
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


def plot_examples(X, y, fs, index=0):
    """One figure: the index-th normal window and the index-th AF window side by side (time in s,
    amplitude in mV), and a bar chart of the number of windows per class. Returns the figure."""
    t = np.arange(X.shape[1]) / fs
    fig, axes = plt.subplots(1, 3, figsize=(16, 3.4), gridspec_kw={"width_ratios": [5, 5, 1.3]})
    for ax, label, name in ((axes[0], 0, "normal sinus rhythm"), (axes[1], 1, "atrial fibrillation")):
        window = np.flatnonzero(y == label)[index]
        ax.plot(t, X[window], lw=0.7, color="black")
        ax.set(title="%s (window %d)" % (name, window), xlabel="time (s)", ylabel="amplitude (mV)",
               xlim=(0, t[-1]))
        ax.grid(alpha=0.3)
    counts = np.bincount(y, minlength=2)
    axes[2].bar(["normal", "AF"], counts, color=["tab:blue", "tab:red"])
    axes[2].set(title="class balance", ylabel="windows")
    fig.tight_layout()
    return fig


def standardize(X):
    """Each window to zero mean and unit std along the last axis; a flat window becomes zeros.

    X_std = (X - mean(X)) / max(std(X), 1e-6), mean and population std (ddof=0) of each window.
    X: (n, L), (n, 1, L) or one window (L,), any real dtype. Returns a float32 array, same shape.
    """
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=-1, keepdims=True)
    std = X.std(axis=-1, keepdims=True)
    return (centred / np.maximum(std, 1e-6)).astype(np.float32)


def split_by_patient(X, y, patient_id, test_size=0.2, val_size=0.2, seed=0):
    """Stratified train/validation/test split with every patient in exactly one split.

    X: (n, L) windows; y: (n,) labels 0/1; patient_id: (n,) patient of each window.
    test_size, val_size: fractions of the patients of each class (0 < each, sum < 1); a patient's
    label is the majority label of their windows (a tie counts as AF).
    Returns {"train": idx, "val": idx, "test": idx}: 1-D integer arrays of window indices.
    Raises ValueError for different lengths, sizes out of range, or a split without patients.
    """
    n = len(X)
    if not (len(y) == len(patient_id) == n):
        raise ValueError("X has %d windows but y has %d labels and patient_id %d entries"
                         % (n, len(y), len(patient_id)))
    if not (0 < test_size < 1 and 0 < val_size < 1 and test_size + val_size < 1):
        raise ValueError("test_size and val_size must be in (0, 1) with test_size + val_size < 1, got %r and %r"
                         % (test_size, val_size))
    patients, inverse = np.unique(np.asarray(patient_id), return_inverse=True)
    af_windows = np.bincount(inverse, weights=np.asarray(y, dtype=float), minlength=len(patients))
    windows = np.bincount(inverse, minlength=len(patients))
    labels = (2 * af_windows >= windows).astype(int)          # majority label, a tie counts as AF
    rng = np.random.default_rng(seed)
    where = np.zeros(len(patients), dtype=int)                # 0 train, 1 val, 2 test
    for label in (0, 1):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_test = int(np.floor(test_size * len(members) + 0.5))
        n_val = int(np.floor(val_size * len(members) + 0.5))
        where[members[:n_test]] = 2
        where[members[n_test:n_test + n_val]] = 1
    if any(not np.any(where == k) for k in (0, 1, 2)):
        raise ValueError("%d patients are too few for test_size=%r and val_size=%r: a split would be empty"
                         % (len(patients), test_size, val_size))
    window_split = where[inverse]
    return {name: np.flatnonzero(window_split == k).astype(np.int64)
            for k, name in ((0, "train"), (1, "val"), (2, "test"))}


def build_model(input_length):
    """A fresh 1D CNN for windows of `input_length` samples: (n, 1, L) float32 -> (n,) logits.

    Works for any input_length >= 1500, has between 1,000 and 1,000,000 trainable parameters, and
    returns raw logits (no sigmoid). Weights come from torch's current random seed.
    """
    def block(in_channels, out_channels, kernel, stride=1, pool=False):
        layers = [nn.Conv1d(in_channels, out_channels, kernel, stride=stride, padding=kernel // 2, bias=False),
                  nn.BatchNorm1d(out_channels), nn.ReLU()]
        return layers + [nn.MaxPool1d(2)] if pool else layers

    class AFNet(nn.Module):
        def __init__(self, dropout=0.3):
            super().__init__()
            self.features = nn.Sequential(
                *block(1, 16, 7, stride=2),        # the data's 150 Hz -> 75 Hz
                *block(16, 24, 7, stride=2),       # 37.5 Hz: still above twice the 4-9 Hz of f-waves
                *block(24, 32, 5, pool=True),
                *block(32, 48, 5, pool=True),
                *block(48, 64, 5, pool=True),
                *block(64, 64, 5, pool=True),      # receptive field ~870 samples (5.8 s): several beats
            )
            self.dropout = nn.Dropout(dropout)
            self.head = nn.Linear(2 * 64, 1)

        def forward(self, x):
            h = self.features(x)
            pooled = torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)  # global average and max over time
            return self.head(self.dropout(pooled)).squeeze(1)

    if input_length < 64:
        raise ValueError("input_length must be at least 64 samples, got %r" % (input_length,))
    return AFNet()


def predict_proba(model, X, batch_size=256):
    """P(AF) of each window: sigmoid(model(standardize(X))) in eval mode, without gradients, in batches.

    model: build_model's network; X: (n, L) raw windows in mV. The model sees float32 tensors
    (b, 1, L) with b <= batch_size. Returns a float numpy array (n,) in [0, 1]; n = 0 gives (0,).
    """
    X = standardize(X)
    X = X.reshape(X.shape[0], 1, X.shape[-1])
    model.eval()
    out = np.zeros(X.shape[0])
    with torch.no_grad():
        for start in range(0, X.shape[0], batch_size):
            batch = torch.from_numpy(X[start:start + batch_size])
            out[start:start + batch_size] = torch.sigmoid(model(batch)).double().numpy()
    return out


def train_model(model, X_train, y_train, X_val, y_val, *, epochs=24, lr=3e-3, weight_decay=1e-3,
                batch_size=64, patience=8, seed=0, time_budget_s=TRAINING_BUDGET_S):
    """Train `model` in place with early stopping on the validation ROC AUC; return the history.

    X_*: (n, L) windows (raw mV or standardised: they are standardised here), y_*: (n,) 0/1.
    Adam(lr, weight_decay) on BCEWithLogitsLoss, mini-batches of batch_size, shuffled each epoch
    with a generator seeded by `seed` (and torch.manual_seed(seed)). After each epoch: validation
    AUC (predict_proba); stop after `patience` epochs without a better one, or once more than
    `time_budget_s` seconds of processor time have passed (at least one epoch runs). Loads the
    weights of the best epoch at the end.
    Returns the history: a dict with (at least) "loss" and "val_auc", lists with one entry per epoch
    run; other keys are allowed.
    """
    started_cpu, started = time.process_time(), time.perf_counter()
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    X_train = torch.from_numpy(standardize(X_train)).reshape(len(X_train), 1, -1)
    y_train_t = torch.as_tensor(np.asarray(y_train), dtype=torch.float32)
    y_val = np.asarray(y_val)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = (len(y_train_t) + batch_size - 1) // batch_size
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch,
                                                    pct_start=0.2)
    loss_function = nn.BCEWithLogitsLoss()
    history = {"loss": [], "val_auc": [], "best_epoch": -1, "best_val_auc": -np.inf}
    best_state, length = None, X_train.shape[-1]
    progress = tqdm(range(epochs), desc="training", leave=False, file=sys.stdout)
    for epoch in progress:
        model.train()
        order = torch.randperm(len(y_train_t), generator=generator)
        total = 0.0
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            # augmentation: invert some windows (a lead held the other way round), shift all in time
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
        progress.set_postfix(loss="%.3f" % (total / len(order)), val_auc="%.3f" % val_auc)
        if val_auc > history["best_val_auc"]:
            history["best_val_auc"], history["best_epoch"] = val_auc, epoch
            best_state = copy.deepcopy(model.state_dict())
        elif epoch - history["best_epoch"] >= patience:
            break
        if time.process_time() - started_cpu > time_budget_s:
            break
    progress.close()
    model.load_state_dict(best_state)
    history["seconds"] = time.perf_counter() - started
    return history


def train_final_model(X_train, y_train, X_val, y_val, seed=0):
    """Build a fresh network (torch.manual_seed(seed) first) and train it with your final configuration
    within TRAINING_BUDGET_S of processor time. Returns (model, history)."""
    torch.manual_seed(seed)
    net = build_model(X_train.shape[-1])
    history = train_model(net, X_train, y_train, X_val, y_val, epochs=16, lr=3e-3, weight_decay=1e-3,
                          batch_size=64, patience=6, seed=seed, time_budget_s=TRAINING_BUDGET_S)
    return net, history


def evaluate(model, X, y, threshold=0.5):
    """Test-set metrics with scikit-learn.

    Returns a dict: "accuracy" (float, at `threshold`), "auc" (ROC AUC), "fpr" and "tpr" (the ROC
    curve, arrays), "confusion" (2x2 array, rows = true class 0/1, columns = predicted 0/1),
    "probabilities" (predict_proba(model, X)).
    """
    probabilities = predict_proba(model, X)
    predicted = (probabilities >= threshold).astype(int)
    fpr, tpr, _ = roc_curve(y, probabilities)
    return {"accuracy": float(np.mean(predicted == y)), "auc": float(roc_auc_score(y, probabilities)),
            "fpr": fpr, "tpr": tpr, "confusion": confusion_matrix(y, predicted, labels=[0, 1]),
            "probabilities": probabilities}
