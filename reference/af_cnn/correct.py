"""Correct capstone solutions written differently from the reference, named after their design.

Two catalogues (the lead moves this file to ``reference/af_cnn/correct.py``):

``ALTERNATIVES``
    One graded function each, as ``coursekit.manifest.Alternative`` (``source`` is executed over
    the reference solution's namespace, like the wrong implementations): architectures students
    really build, a Sigmoid or Softmax *inside* included (squeeze-and-excitation gates, attention
    pooling), and training loops with other optimisers and losses the notebook permits.
    ``grader_tests/test_af_cnn_checks.py`` proves each keeps every point of its check on several
    grading seeds (cheap: the checks train only a small grader-owned network).

``SOLUTIONS``
    Complete set-ups (a ``build_model`` and a ``train_model`` of the catalogue plus a final
    configuration) for the capstone. ``benchmarks/af_cnn_alternatives.py`` trains each exactly as
    the notebook's locked cells do, on the real public split, and prints its hidden AUC, the
    capstone credit it would get and its processor time: the AUC tier is whatever a design
    reaches, the function checks are full marks for all of them.
"""

from __future__ import annotations

from coursekit.manifest import Alternative

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

ALTERNATIVES = [PLAIN_CNN, RESIDUAL, SQUEEZE_EXCITATION, ATTENTION_POOLING, RECURRENT_HEAD,
                ADAMW_POS_WEIGHT, SGD_FOCAL, AUGMENTED]

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
