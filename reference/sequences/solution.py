"""Reference solution of ``source/06_sequences/sequences.ipynb`` (grader-only).

Everything between the ``# ---- setup`` and ``# ---- end setup`` markers is the notebook's locked
setup cell; every other public function is a solution cell, verbatim (the notebook's cells are
generated from this file and ``grader_tests/test_sequences_checks.py`` compares syntax trees).
"""

# ---- setup
import csv
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # the grader runs notebooks side by side: one thread each is fastest overall

WINDOW = 16        # RR intervals per window (about 13 s of heart beats at 75 bpm)
STEP = 8           # windows overlap by half
RR_SCALE_S = 0.8   # prepare() divides by this before the log: a typical resting RR interval
K_FOLDS = 3        # subject-wise folds of the comparison table


def load_subjects(path):
    """Read a course CSV of interval series: a list of dicts, one per subject, with keys
    subject (str), source (str), label (int), fs (float), and beats (int64 array: R-peak or
    heel-strike sample indices)."""
    subjects = []
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            subjects.append({"subject": row["subject"], "source": row["source"], "label": int(row["label"]),
                             "fs": float(row["fs"]),
                             "beats": np.array(row["beats"].split(), dtype=np.int64)})
    return subjects


def prepare(windows):
    """Model input from raw interval windows (n, L) in seconds: float32 tensor log(RR / RR_SCALE_S)."""
    windows = np.asarray(windows, dtype=np.float64)
    return torch.as_tensor(np.log(windows / RR_SCALE_S), dtype=torch.float32)


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # weight blocks stacked in W_ih and W_hh of each cell
# ---- end setup


# ============================================================ Part A: recurrent mechanics

def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    """One step of torch.nn.RNNCell (tanh): h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    x (N, input_size), h (N, hidden), W_ih (hidden, input_size), W_hh (hidden, hidden),
    b_ih and b_hh (hidden,). Returns h' (N, hidden).
    """
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    """One step of torch.nn.GRUCell. W_ih (3 hidden, input_size) and W_hh (3 hidden, hidden) stack
    the reset, update and new-gate weights in that order (r, z, n); b_ih, b_hh (3 hidden,).

        r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
        h' = (1 - z) * n + z * h
    Returns h' (N, hidden).
    """
    gates_x = x @ W_ih.T + b_ih
    gates_h = h @ W_hh.T + b_hh
    xr, xz, xn = np.split(gates_x, 3, axis=1)
    hr, hz, hn = np.split(gates_h, 3, axis=1)
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One step of torch.nn.LSTMCell. W_ih (4 hidden, input_size) and W_hh (4 hidden, hidden) stack
    the input, forget, cell and output gates in that order (i, f, g, o); b_ih, b_hh (4 hidden,).

        i, f, o = sigmoid(...), g = tanh(...)   each (x W_i*^T + b_i* + h W_h*^T + b_h*)
        c' = f * c + i * g,   h' = o * tanh(c')
    Returns the tuple (h', c'), each (N, hidden).
    """
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = np.split(gates, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h_next = sigmoid(o) * np.tanh(c_next)
    return h_next, c_next


def recurrent_num_parameters(cell, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
    """Number of parameters of torch.nn.RNN / GRU / LSTM (cell "rnn", "gru" or "lstm").

    Each layer and direction has W_ih (G hidden, in), W_hh (G hidden, hidden) and, with bias,
    b_ih and b_hh (G hidden,), where G = 1, 3, 4 gates. Layer 1 reads input_size features; the
    layers above read hidden_size * D (D = 2 directions if bidirectional, else 1).
    Raises ValueError for an unknown cell or a size or num_layers below 1.
    """
    if cell not in GATES:
        raise ValueError("cell must be 'rnn', 'gru' or 'lstm', got %r" % (cell,))
    if input_size < 1 or hidden_size < 1 or num_layers < 1:
        raise ValueError("input_size, hidden_size and num_layers must be at least 1")
    gates = GATES[cell]
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else hidden_size * directions
        per_direction = gates * hidden_size * (layer_input + hidden_size)
        if bias:
            per_direction += 2 * gates * hidden_size
        total += directions * per_direction
    return total


def recurrent_shapes(cell, seq_len, batch, input_size, hidden_size, num_layers=1, bidirectional=False,
                     batch_first=False):
    """Shapes (tuples of int) of what torch.nn.RNN / GRU / LSTM return for an input of seq_len
    steps: {"output": ..., "h_n": ...} and, for "lstm", also "c_n".

    output is (seq_len, batch, D * hidden) or, with batch_first, (batch, seq_len, D * hidden);
    h_n and c_n are (D * num_layers, batch, hidden) whatever batch_first says (D = 2 if
    bidirectional else 1). Raises ValueError for an unknown cell.
    """
    if cell not in GATES:
        raise ValueError("cell must be 'rnn', 'gru' or 'lstm', got %r" % (cell,))
    directions = 2 if bidirectional else 1
    output = (batch, seq_len, directions * hidden_size) if batch_first else (seq_len, batch, directions * hidden_size)
    shapes = {"output": output, "h_n": (directions * num_layers, batch, hidden_size)}
    if cell == "lstm":
        shapes["c_n"] = shapes["h_n"]
    return shapes


def run_rnn(X, params):
    """Unroll a one-layer tanh RNN (torch.nn.RNN, batch_first=False) from h_0 = 0 and return the
    last hidden state h_T (batch, hidden): many-to-one.

    X (seq_len, batch, input_size); params a dict with "W_ih", "W_hh", "b_ih", "b_hh" as in
    rnn_cell_step. Raises ValueError if X is not 3-D or seq_len is 0.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3 or X.shape[0] == 0:
        raise ValueError("X must have shape (seq_len >= 1, batch, input_size), got %s" % (X.shape,))
    h = np.zeros((X.shape[1], params["W_hh"].shape[0]))
    for x_t in X:
        h = rnn_cell_step(x_t, h, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
    return h


# ============================================================ Part B: interval series

def rr_intervals(r_peak_samples, fs):
    """Intervals in seconds between successive beats: diff(r_peak_samples) / fs, float64 (n - 1,).

    Raises ValueError if fs <= 0, r_peak_samples is not 1-D, holds fewer than two beats, a
    negative sample index, or is not strictly increasing (a repeated or out-of-order beat).
    """
    peaks = np.asarray(r_peak_samples)
    if not fs > 0:
        raise ValueError("fs must be positive, got %r" % (fs,))
    if peaks.ndim != 1 or peaks.size < 2:
        raise ValueError("need a 1-D array of at least two beats, got shape %s" % (peaks.shape,))
    if np.any(peaks < 0):
        raise ValueError("sample indices cannot be negative")
    intervals = np.diff(peaks.astype(np.float64))
    if np.any(intervals <= 0):
        raise ValueError("beats must be strictly increasing (found a repeated or out-of-order beat)")
    return intervals / fs


def sliding_windows(series, length, step):
    """Windows of ``length`` consecutive values, starting at 0, step, 2 step, ... while they fit:
    an array (n_windows, length) with n_windows = (len(series) - length) // step + 1, or
    (0, length) when the series is shorter than one window. Same dtype as the series.

    Raises ValueError if series is not 1-D, or length or step is not a positive integer.
    """
    series = np.asarray(series)
    if series.ndim != 1:
        raise ValueError("series must be 1-D, got shape %s" % (series.shape,))
    for name, value in (("length", length), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError("%s must be a positive integer, got %r" % (name, value))
    if series.size < length:
        return np.zeros((0, length), dtype=series.dtype)
    starts = range(0, series.size - length + 1, step)
    return np.stack([series[s:s + length] for s in starts])


def subject_kfold(subject_ids, k, seed):
    """Subject-wise K-fold: a list of k pairs (train_index, test_index) of sorted int arrays of
    positions in ``subject_ids`` (one id per window).

    The distinct subjects are shuffled with np.random.default_rng(seed) and dealt into k folds
    whose numbers of subjects differ by at most one; fold j tests every window of its subjects
    and trains on all the others. No subject is in two test folds; every window is tested once.
    Raises ValueError if k is not an integer >= 2 or there are fewer than k subjects.
    """
    subject_ids = np.asarray(subject_ids)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError("k must be an integer of at least 2, got %r" % (k,))
    subjects = np.unique(subject_ids)
    if subjects.size < k:
        raise ValueError("%d subjects cannot fill %d folds" % (subjects.size, k))
    shuffled = np.random.default_rng(seed).permutation(subjects)
    folds = []
    for test_subjects in np.array_split(shuffled, k):
        is_test = np.isin(subject_ids, test_subjects)
        folds.append((np.flatnonzero(~is_test), np.flatnonzero(is_test)))
    return folds


# ============================================================ Part C: three models, one training loop

def build_mlp(window_length, hidden=32):
    """An MLP for windows (n, window_length) -> logits (n,): two hidden ReLU layers of ``hidden``."""
    return nn.Sequential(nn.Linear(window_length, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 1), nn.Flatten(0))


def build_cnn(window_length, channels=16):
    """A 1D CNN for windows (n, window_length) -> logits (n,): two convolutions (kernel 3, padding 1,
    ReLU), global average pooling over time, a linear output."""
    return nn.Sequential(nn.Unflatten(1, (1, window_length)),
                         nn.Conv1d(1, channels, 3, padding=1), nn.ReLU(),
                         nn.Conv1d(channels, channels, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool1d(1), nn.Flatten(1), nn.Linear(channels, 1), nn.Flatten(0))


def build_rnn(window_length, hidden=32, cell="gru"):
    """A recurrent classifier for windows (n, window_length) -> logits (n,), many-to-one: a GRU
    (cell="gru") or LSTM (cell="lstm") with batch_first=True reads the window one interval at a
    time (input_size 1); a linear layer turns its last hidden state into one logit.
    Raises ValueError for another cell."""
    if cell not in ("gru", "lstm"):
        raise ValueError("cell must be 'gru' or 'lstm', got %r" % (cell,))

    class RecurrentClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            recurrent = nn.GRU if cell == "gru" else nn.LSTM
            self.recurrent = recurrent(input_size=1, hidden_size=hidden, batch_first=True)
            self.output = nn.Linear(hidden, 1)

        def forward(self, x):
            _, state = self.recurrent(x.unsqueeze(-1))        # x (n, L) -> (n, L, 1)
            h_n = state[0] if isinstance(state, tuple) else state  # the LSTM returns (h_n, c_n)
            return self.output(h_n[-1]).squeeze(-1)

    return RecurrentClassifier()


def train_model(model, windows, labels, *, epochs=20, lr=3e-3, batch_size=64, seed=0,
                val_windows=None, val_labels=None):
    """Train ``model`` (windows -> logits) with Adam on the mean binary cross-entropy with logits.

    Each epoch visits the windows once in an order drawn by torch.Generator().manual_seed(seed)
    (the same seed gives the same history), in batches of batch_size, inputs through prepare().
    Returns {"train_loss": [...], "val_loss": [...]}: after every epoch, the mean loss over all
    training windows and, if val_windows is given, over the validation windows (else []),
    both computed in eval mode without gradients. The model is trained in place.
    """
    X, y = prepare(windows), torch.as_tensor(np.asarray(labels), dtype=torch.float32)
    X_val = None if val_windows is None else prepare(val_windows)
    y_val = None if val_labels is None else torch.as_tensor(np.asarray(val_labels), dtype=torch.float32)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    loss_function = nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    history = {"train_loss": [], "val_loss": []}
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(X), generator=generator).split(batch_size):
            optimiser.zero_grad()
            loss_function(model(X[batch]), y[batch]).backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            history["train_loss"].append(float(loss_function(model(X), y)))
            if X_val is not None:
                history["val_loss"].append(float(loss_function(model(X_val), y_val)))
    return history


def predict_proba(model, windows, batch_size=512):
    """P(label 1) for each window: sigmoid of the model's logits on prepare(windows), in eval mode,
    without gradients, in batches; a float64 numpy array (n,) (empty for n = 0)."""
    model.eval()
    X = prepare(np.asarray(windows, dtype=np.float64).reshape(-1, np.shape(windows)[-1]))
    with torch.no_grad():
        chunks = [torch.sigmoid(model(chunk)) for chunk in X.split(batch_size)]
    return torch.cat(chunks).double().numpy() if chunks else np.zeros(0)


# ============================================================ Part D: bias and variance

def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    """Read a pair of learning curves (losses per epoch, same length >= 1).

    "high bias"      if the best training loss min(train_loss) is above target_loss: even on the
                     data it sees, the model does not get good enough (too small, too little training);
    "high variance"  otherwise, if the final gap val_loss[-1] - train_loss[-1] exceeds gap_tolerance
                     (it learnt its training subjects, not the task);
    "good fit"       otherwise.
    Raises ValueError if the curves are empty or of different lengths.
    """
    train_loss, val_loss = np.asarray(train_loss, dtype=float), np.asarray(val_loss, dtype=float)
    if train_loss.ndim != 1 or train_loss.size == 0 or train_loss.shape != val_loss.shape:
        raise ValueError("need two curves of the same length >= 1, got %s and %s"
                         % (train_loss.shape, val_loss.shape))
    if train_loss.min() > target_loss:
        return "high bias"
    if val_loss[-1] - train_loss[-1] > gap_tolerance:
        return "high variance"
    return "good fit"
