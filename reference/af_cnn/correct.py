"""Correct capstone solutions written differently from the reference, named after their design.

Two catalogues:

``ALTERNATIVES``
    One graded function each, as ``coursekit.manifest.Alternative`` (``source`` is executed over
    the reference solution's namespace, like the wrong implementations): architectures students
    really build, a Sigmoid or Softmax *inside* included (squeeze-and-excitation gates, attention
    pooling), training loops with other optimisers and losses the notebook permits, and other
    styles of the remaining functions (``OTHER_STYLES``). ``grader_tests/test_units.py`` proves each
    keeps every point of its check on 20 grading seeds, 5 for train_model (cheap: the checks train
    only a small grader-owned network).

``SOLUTIONS``
    Complete set-ups (a ``build_model`` and a ``train_model`` of the catalogue plus a final
    configuration) for the capstone. ``benchmarks/af_cnn_alternatives.py`` trains each exactly as
    the notebook's locked cells do, on the real public split, and prints its hidden AUC, the
    capstone credit it would get and its processor time: the AUC tier is whatever a design
    reaches, the function checks are full marks for all of them.
"""

from __future__ import annotations

import inspect

from coursekit.manifest import Alternative
from reference.af_cnn import solution

_NET = """
import copy
import sys
import time

import torch
from torch import nn
from sklearn.metrics import roc_auc_score
"""


def _build(name, body):
    return Alternative(name, "af_cnn.build_model", _NET + body)


def _train(name, body):
    return Alternative(name, "af_cnn.train_model", _NET + body)


PLAIN_CNN = _build("build_plain_cnn_global_average", """
def build_model(input_length):
    layers, channels = [], 1
    for width in (8, 16, 32, 32, 64):
        layers += [nn.Conv1d(channels, width, 9, stride=2, padding=4), nn.BatchNorm1d(width), nn.ReLU()]
        channels = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 1),
                         nn.Flatten(0))
""")

RESIDUAL = _build("build_residual_cnn", """
class Residual(nn.Module):
    def __init__(self, channels, kernel=7):
        super().__init__()
        self.body = nn.Sequential(nn.Conv1d(channels, channels, kernel, padding=kernel // 2, bias=False),
                                  nn.BatchNorm1d(channels), nn.ReLU(),
                                  nn.Conv1d(channels, channels, kernel, padding=kernel // 2, bias=False),
                                  nn.BatchNorm1d(channels))

    def forward(self, x):
        return torch.relu(x + self.body(x))


class ResNet1d(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(1, width, 9, stride=2, padding=4, bias=False), nn.BatchNorm1d(width),
                                  nn.ReLU(), nn.MaxPool1d(2))
        self.blocks = nn.Sequential(Residual(width), nn.MaxPool1d(2), Residual(width), nn.MaxPool1d(2),
                                    Residual(width), nn.MaxPool1d(2))
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean(dim=-1)).squeeze(-1)


def build_model(input_length):
    return ResNet1d()
""")

SQUEEZE_EXCITATION = _build("build_squeeze_excitation_cnn", """
class SqueezeExcite(nn.Module):
    # channel gates in (0, 1): a Sigmoid inside the network, not at its output
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.gate = nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(channels, channels // reduction),
                                  nn.ReLU(), nn.Linear(channels // reduction, channels), nn.Sigmoid())

    def forward(self, x):
        return x * self.gate(x).unsqueeze(-1)


def build_model(input_length):
    def block(cin, cout):
        return [nn.Conv1d(cin, cout, 7, padding=3, bias=False), nn.BatchNorm1d(cout), nn.ReLU(), SqueezeExcite(cout),
                nn.MaxPool1d(2)]
    return nn.Sequential(nn.Conv1d(1, 16, 7, stride=2, padding=3), nn.ReLU(), *block(16, 24), *block(24, 32),
                         *block(32, 48), *block(48, 64), nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Dropout(0.3),
                         nn.Linear(64, 1), nn.Flatten(0))
""")

ATTENTION_POOLING = _build("build_attention_pooling_cnn", """
class AttentionPoolNet(nn.Module):
    # a softmax over time weights the feature vectors: attention pooling instead of mean/max
    def __init__(self, width=48):
        super().__init__()
        layers, channels = [], 1
        for out, stride in ((16, 2), (24, 2), (32, 2), (width, 2), (width, 2)):
            layers += [nn.Conv1d(channels, out, 7, stride=stride, padding=3), nn.BatchNorm1d(out), nn.ReLU()]
            channels = out
        self.features = nn.Sequential(*layers)
        self.score = nn.Conv1d(width, 1, 1)
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        h = self.features(x)
        weights = torch.softmax(self.score(h), dim=-1)
        return self.head((h * weights).sum(dim=-1)).squeeze(1)


def build_model(input_length):
    return AttentionPoolNet()
""")

RECURRENT_HEAD = _build("build_cnn_with_gru_head", """
class ConvGRU(nn.Module):
    def __init__(self, width=32, hidden=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, stride=2, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, width, 7, stride=2, padding=3), nn.BatchNorm1d(width), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(width, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU(), nn.MaxPool1d(2))
        self.gru = nn.GRU(width, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, 1)

    def forward(self, x):
        h = self.features(x).transpose(1, 2)          # (n, time, channels): a sequence of feature vectors
        _, last = self.gru(h)                          # (2, n, hidden): both directions' final states
        return self.head(torch.cat([last[0], last[1]], dim=1)).squeeze(1)


def build_model(input_length):
    return ConvGRU()
""")

_LOOP = '''
def train_model(model, X_train, y_train, X_val, y_val, *, epochs=24, lr=3e-3, weight_decay=1e-3,
                batch_size=64, patience=8, seed=0, time_budget_s=TRAINING_BUDGET_S):
    started = time.process_time()
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    X = torch.from_numpy(standardize(X_train)).unsqueeze(1)
    y = torch.as_tensor(np.asarray(y_train), dtype=torch.float32)
    OPTIMISER_AND_LOSS
    history = {"loss": [], "val_auc": []}
    best, best_auc, since_best = None, -1.0, 0
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for index in torch.randperm(len(y), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = loss_of(model(X[index]), y[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        history["loss"].append(total / len(y))
        history["val_auc"].append(float(roc_auc_score(y_val, predict_proba(model, X_val))))
        if history["val_auc"][-1] > best_auc:
            best, best_auc, since_best = copy.deepcopy(model.state_dict()), history["val_auc"][-1], 0
        else:
            since_best += 1
            if since_best >= patience:
                break
        if time.process_time() - started > time_budget_s:
            break
    model.load_state_dict(best)
    return history
'''

ADAMW_POS_WEIGHT = _train("train_adamw_with_class_weighted_loss", _LOOP.replace("OPTIMISER_AND_LOSS", """\
optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    # AF is the minority class: weigh its windows by the class ratio
    ratio = float((y == 0).sum()) / max(float((y == 1).sum()), 1.0)
    loss_of = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(ratio))"""))

SGD_FOCAL = _train("train_sgd_momentum_focal_loss", _LOOP.replace("OPTIMISER_AND_LOSS", """\
optimizer = torch.optim.SGD(model.parameters(), lr=10 * lr, momentum=0.9, weight_decay=weight_decay, nesterov=True)

    def loss_of(logits, target, gamma=2.0):
        # focal loss (Lin et al. 2017): easy windows weigh less
        bce = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
        p_true = torch.exp(-bce)
        return ((1 - p_true) ** gamma * bce).mean()"""))

AUGMENTED = _train("train_with_the_notebooks_augmentation_helper", _LOOP.replace(
    "X = torch.from_numpy(standardize(X_train)).unsqueeze(1)",
    "X_raw = np.asarray(X_train, dtype=np.float32)\n    rng = np.random.default_rng(seed)\n"
    "    X = torch.from_numpy(standardize(X_raw)).unsqueeze(1)").replace(
    "            loss = loss_of(model(X[index]), y[index])",
    "            batch = torch.from_numpy(standardize(augment_windows(X_raw[index.numpy()], 150.0, rng))).unsqueeze(1)\n"
    "            loss = loss_of(model(batch), y[index])").replace("OPTIMISER_AND_LOSS", """\
optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_of = nn.BCEWithLogitsLoss()"""))

#: Correct implementations that differ from the reference in form (another loader, torch instead of
#: numpy, scikit-learn's splitter, a DataLoader, ties as improvements): the checks judge properties
#: and values, not the reference's own choices.
OTHER_STYLES = [
    Alternative("load_like_the_kits_loader", "af_cnn.load_af_data", """
from coursekit.ecg import dataset
def load_af_data(path):
    data = dict(np.load(path))
    for name in ("X", "y", "fs", "patient_id"):
        if name not in data:
            raise dataset.DatasetError("field %s is missing" % name)
    if data["X"].dtype.kind == "i" and "gain" not in data:
        raise ValueError("gain is missing")
    if not len(data["X"]) == len(data["y"]) == len(data["patient_id"]):
        raise ValueError("lengths differ")
    X = data["X"] / data["gain"] if "gain" in data else data["X"]
    return X.astype("float32"), data["y"].astype(int), data["fs"], data["patient_id"]
"""),
    Alternative("standardize_in_torch", "af_cnn.standardize", """
import torch
def standardize(X):
    X = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    std = X.std(dim=-1, keepdim=True, unbiased=False).clamp_min(1e-6)
    return ((X - X.mean(dim=-1, keepdim=True)) / std).float().numpy()
"""),
    Alternative("split_with_sklearn_on_patients", "af_cnn.split_by_patient", """
from sklearn.model_selection import train_test_split
def split_by_patient(X, y, patient_id, test_size=0.2, val_size=0.2, seed=0):
    if not len(X) == len(y) == len(patient_id):
        raise ValueError("lengths differ")
    if not (0 < test_size < 1 and 0 < val_size < 1 and test_size + val_size < 1):
        raise ValueError("bad sizes")
    patient_id = np.asarray(patient_id)
    patients = np.unique(patient_id)
    label = np.array([int(np.mean(y[patient_id == p]) >= 0.5) for p in patients])
    rest, test = train_test_split(patients, test_size=test_size, stratify=label, random_state=seed)
    rest_label = label[np.searchsorted(patients, rest)]
    train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=rest_label,
                                  random_state=seed)
    return {"train": np.flatnonzero(np.isin(patient_id, train)), "val": np.flatnonzero(np.isin(patient_id, val)),
            "test": np.flatnonzero(np.isin(patient_id, test))}
"""),
    Alternative("build_flatten_sized_from_the_length", "af_cnn.build_model", """
import torch
from torch import nn
def build_model(input_length):
    conv = nn.Sequential(nn.Conv1d(1, 8, 9, stride=4, padding=4), nn.BatchNorm1d(8), nn.ReLU(), nn.MaxPool1d(4),
                         nn.Conv1d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool1d(4))
    with torch.no_grad():
        flat = conv(torch.zeros(1, 1, input_length)).numel()
    return nn.Sequential(conv, nn.Flatten(), nn.Dropout(0.3), nn.Linear(flat, 1), nn.Flatten(0))
"""),
    Alternative("predict_with_a_dataloader", "af_cnn.predict_proba", """
import torch
from torch.utils.data import DataLoader, TensorDataset
def predict_proba(model, X, batch_size=256):
    data = TensorDataset(torch.from_numpy(standardize(X)).unsqueeze(1))
    model.eval()
    out = []
    with torch.inference_mode():
        for (batch,) in DataLoader(data, batch_size=batch_size):
            out.append(torch.sigmoid(model(batch)).numpy())
    return np.concatenate(out).astype(np.float32) if out else np.empty(0, dtype=np.float32)
"""),
    Alternative("train_ties_count_as_improvement", "af_cnn.train_model",
           inspect.getsource(solution.train_model).replace(
               'if val_auc > history["best_val_auc"]:', 'if val_auc >= history["best_val_auc"]:')),
]

ALTERNATIVES = [PLAIN_CNN, RESIDUAL, SQUEEZE_EXCITATION, ATTENTION_POOLING, RECURRENT_HEAD,
                ADAMW_POS_WEIGHT, SGD_FOCAL, AUGMENTED] + OTHER_STYLES

#: Complete capstone set-ups: (build_model alternative or None for the reference's, train_model
#: alternative or None, train_final_model keyword arguments).
SOLUTIONS = {
    "reference_plain_cnn_adam": (None, None, dict(epochs=16, lr=3e-3, weight_decay=1e-3, batch_size=64, patience=6)),
    "plain_cnn_global_average": (PLAIN_CNN, None, dict(epochs=16, lr=3e-3, weight_decay=1e-3, batch_size=64,
                                                        patience=6)),
    "residual_cnn_adamw_class_weighted": (RESIDUAL, ADAMW_POS_WEIGHT, dict(epochs=12, lr=2e-3, weight_decay=1e-2,
                                                                           batch_size=64, patience=5)),
    "squeeze_excitation_sgd_focal": (SQUEEZE_EXCITATION, SGD_FOCAL, dict(epochs=14, lr=3e-3, weight_decay=1e-4,
                                                                         batch_size=64, patience=5)),
    "attention_pooling_adam": (ATTENTION_POOLING, None, dict(epochs=16, lr=3e-3, weight_decay=1e-3, batch_size=64,
                                                             patience=6)),
    "cnn_gru_head_augmented": (RECURRENT_HEAD, AUGMENTED, dict(epochs=12, lr=3e-3, weight_decay=1e-3, batch_size=64,
                                                               patience=5)),
}
