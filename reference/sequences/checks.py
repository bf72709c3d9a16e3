"""Hidden checks of 06_sequences. Part A is judged against PyTorch itself (float64 modules whose
weights are the case's arrays); Parts B-D against the reference solution or by properties.

A check's inputs come from the run's seeded ``rng`` only; see ``docs/hidden-tests.md``.
"""

from __future__ import annotations

import numpy as np

from coursekit.checks import Case, Check, Group, compare, default_judge
from coursekit.hidden_scoring import HiddenScoring
from reference.sequences import gait_grading, grading
from reference.sequences import solution as ref

#: float64 numpy against float64 torch: both sum the same products in another order (~1e-15).
FLOAT64_RTOL, FLOAT64_ATOL = 1e-7, 1e-10
#: predict_proba runs a float32 network: agree to float32 precision.
FLOAT32_RTOL, FLOAT32_ATOL = 1e-4, 1e-6
#: Trainable parameters the three builders' networks may have (the notebook states the range).
MIN_PARAMETERS, MAX_PARAMETERS = 100, 100_000


# =========================================================================== Part A: torch oracles

def _torch_cell(kind, x, h, c, W_ih, W_hh, b_ih, b_hh):
    import torch

    cls = {"rnn": torch.nn.RNNCell, "gru": torch.nn.GRUCell, "lstm": torch.nn.LSTMCell}[kind]
    cell = cls(W_ih.shape[1], W_hh.shape[1]).double()
    with torch.no_grad():
        for name, value in (("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)):
            getattr(cell, name).copy_(torch.as_tensor(value))
        x, h = torch.as_tensor(x), torch.as_tensor(h)
        if kind == "lstm":
            h_next, c_next = cell(x, (h, torch.as_tensor(c)))
            return h_next.numpy(), c_next.numpy()
        return cell(x, h).numpy()


def torch_rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return _torch_cell("rnn", x, h, None, W_ih, W_hh, b_ih, b_hh)


def torch_gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return _torch_cell("gru", x, h, None, W_ih, W_hh, b_ih, b_hh)


def torch_lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    return _torch_cell("lstm", x, h, c, W_ih, W_hh, b_ih, b_hh)


_MODULES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}


def torch_num_parameters(cell, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
    import torch

    if cell not in _MODULES:
        raise ValueError("unknown cell %r" % (cell,))
    if min(input_size, hidden_size, num_layers) < 1:
        raise ValueError("sizes must be at least 1")
    module = getattr(torch.nn, _MODULES[cell])(input_size, hidden_size, num_layers=num_layers,
                                               bidirectional=bidirectional, bias=bias)
    return int(sum(p.numel() for p in module.parameters()))


def torch_shapes(cell, seq_len, batch, input_size, hidden_size, num_layers=1, bidirectional=False,
                 batch_first=False):
    import torch

    if cell not in _MODULES:
        raise ValueError("unknown cell %r" % (cell,))
    module = getattr(torch.nn, _MODULES[cell])(input_size, hidden_size, num_layers=num_layers,
                                               bidirectional=bidirectional, batch_first=batch_first)
    x = torch.zeros((batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size))
    with torch.no_grad():
        output, state = module(x)
    shapes = {"output": tuple(output.shape)}
    if cell == "lstm":
        shapes["h_n"], shapes["c_n"] = tuple(state[0].shape), tuple(state[1].shape)
    else:
        shapes["h_n"] = tuple(state.shape)
    return shapes


def torch_run_rnn(X, params):
    import torch

    X = np.asarray(X, dtype=float)
    if X.ndim != 3 or X.shape[0] == 0:
        raise ValueError("X must be (seq_len >= 1, batch, input_size)")
    module = torch.nn.RNN(X.shape[2], params["W_hh"].shape[0]).double()
    with torch.no_grad():
        for name, key in (("weight_ih_l0", "W_ih"), ("weight_hh_l0", "W_hh"), ("bias_ih_l0", "b_ih"),
                          ("bias_hh_l0", "b_hh")):
            getattr(module, name).copy_(torch.as_tensor(params[key]))
        _, h_n = module(torch.as_tensor(X))
    return h_n[0].numpy()


def _cell_case(rng, gates, n, input_size, hidden, scale=0.6, with_c=False, function="cell_step"):
    args = [rng.normal(0, 1, (n, input_size)), rng.normal(0, 0.8, (n, hidden))]
    if with_c:
        args.append(rng.normal(0, 1, (n, hidden)))
    args += [rng.normal(0, scale, (gates * hidden, input_size)), rng.normal(0, scale, (gates * hidden, hidden)),
             rng.normal(0, 0.5, gates * hidden), rng.normal(0, 0.5, gates * hidden)]
    return Case(tuple(args), label="%s(x (%d, %d), h (%d, %d)%s, W_ih, W_hh, b_ih, b_hh drawn at random)"
                % (function, n, input_size, n, hidden, ", c (%d, %d)" % (n, hidden) if with_c else ""))


def _cell_groups(gates, with_c, function):
    def make(rng):
        def case(n, i, h, **kw):
            return _cell_case(rng, gates, n, i, h, with_c=with_c, function=function, **kw)
        return [
            Group("a batch, input_size != hidden", [case(int(rng.integers(3, 7)), 3, 5), case(4, 6, 2)]),
            Group("one sample (N = 1)", [case(1, int(rng.integers(2, 5)), int(rng.integers(3, 6)))]),
            Group("hidden state and both biases matter (large weights)", [case(5, 4, 4, scale=1.5)]),
        ]
    return make


# =========================================================================== Part A: sizes and shapes

def _count_groups(rng):
    def case(cell, *args, **kwargs):
        return Case((cell,) + args, kwargs)
    i, h = int(rng.integers(2, 12)), int(rng.integers(3, 40))
    return [
        Group("one layer of each cell", [case(c, i, h) for c in ("rnn", "gru", "lstm")]),
        Group("stacked layers read the layer below", [case(c, i, h, num_layers=int(rng.integers(2, 4)))
                                                      for c in ("gru", "lstm")]),
        Group("bidirectional, stacked", [case(c, i, h, num_layers=2, bidirectional=True) for c in ("rnn", "lstm")]),
        Group("bias=False", [case("gru", i, h, bias=False), case("lstm", i, h, num_layers=2, bias=False)]),
        Group("invalid cell or size raises ValueError", [case("transformer", i, h), case("gru", i, 0)]),
    ]


def _shape_groups(rng):
    def case(cell, **kwargs):
        sizes = dict(seq_len=int(rng.integers(2, 9)), batch=int(rng.integers(1, 6)), input_size=int(rng.integers(1, 5)),
                     hidden_size=int(rng.integers(2, 7)))
        sizes.update(kwargs)
        return Case((cell,), sizes)
    return [
        Group("rnn and gru, defaults", [case("rnn"), case("gru")]),
        Group("lstm also returns c_n", [case("lstm")]),
        Group("batch_first changes output only", [case("gru", batch_first=True), case("lstm", batch_first=True)]),
        Group("stacked and bidirectional", [case("rnn", num_layers=3, bidirectional=True),
                                            case("lstm", num_layers=2, bidirectional=True, batch_first=True)]),
        Group("unknown cell raises ValueError", [case("rnm")]),
    ]


def _run_rnn_groups(rng):
    def case(seq_len, batch, i, h, scale=0.5):
        params = {"W_ih": rng.normal(0, scale, (h, i)), "W_hh": rng.normal(0, scale, (h, h)),
                  "b_ih": rng.normal(0, 0.3, h), "b_hh": rng.normal(0, 0.3, h)}
        return Case((rng.normal(0, 1, (seq_len, batch, i)), params),
                    label="run_rnn(X of shape (%d, %d, %d), params with hidden=%d)" % (seq_len, batch, i, h))
    return [
        Group("sequences of a few steps", [case(int(rng.integers(3, 8)), 4, 3, 5), case(5, 1, 2, 3)]),
        Group("one step", [case(1, 3, 4, 2)]),
        Group("long sequence (60 steps)", [case(60, 2, 3, 4, scale=0.9)]),
        Group("X not 3-D raises ValueError", [Case((rng.normal(size=(5, 3)), {"W_ih": np.ones((2, 3)),
                                                    "W_hh": np.ones((2, 2)), "b_ih": np.zeros(2), "b_hh": np.zeros(2)}),
                                                   label="run_rnn(X of shape (5, 3), params)")]),
    ]


# =========================================================================== Part B

def _rr_groups(rng):
    def peaks(n, mean):
        return np.cumsum(rng.integers(int(0.6 * mean), int(1.4 * mean), n)) + int(rng.integers(0, 50))
    return [
        Group("integer R peaks at 300 Hz", [Case((peaks(int(rng.integers(5, 30)), 240), 300))]),
        Group("other sampling rates", [Case((peaks(12, 200), 250.0)), Case((peaks(9, 100), 128)),
                                       Case((peaks(6, 800), 1000.0))]),
        Group("two beats give one interval", [Case((np.array([int(rng.integers(0, 99)), 400]), 360.0))]),
        Group("fs <= 0 raises ValueError", [Case((peaks(5, 200), 0)), Case((peaks(5, 200), -250.0))]),
        Group("fewer than two beats raises ValueError", [Case((np.array([17]), 300)),
                                                          Case((np.zeros(0, dtype=np.int64), 300))]),
        Group("a repeated or out-of-order beat raises ValueError",
              [Case((np.array([10, 300, 300, 600]), 300)), Case((np.array([10, 500, 400, 900]), 300))]),
    ]


def _window_groups(rng):
    def series(n, integer=False):
        return rng.integers(300, 1200, n) if integer else rng.uniform(0.4, 1.4, n)
    length = int(rng.integers(3, 7))
    return [
        Group("step == length, windows fit exactly", [Case((series(4 * length), length, length))]),
        Group("values left over at the end are dropped", [Case((series(5 * length + 2), length, 2))]),
        Group("step 1, and step larger than length", [Case((series(12), length, 1)), Case((series(20), 2, 5))]),
        Group("exactly one window", [Case((series(length), length, 3))]),
        Group("series shorter than one window gives shape (0, length)", [Case((series(length - 1), length, 1))]),
        Group("invalid length or step raises ValueError", [Case((series(10), 0, 1)), Case((series(10), 3, 0)),
                                                           Case((series(10), 2.5, 1))]),
        Group("a 2-D series raises ValueError", [Case((series(12).reshape(3, 4), 2, 1))]),
    ]


KFOLD_PROBE = '''
def probe(ns, subject_ids, k, seed, other_seed):
    import numpy as np
    def run(s):
        return [(np.asarray(tr), np.asarray(te)) for tr, te in ns["subject_kfold"](subject_ids, k, s)]
    return {"folds": run(seed), "again": run(seed), "other": run(other_seed)}
'''


def _kfold_reference(subject_ids, k, seed, other_seed):
    return {"folds": ref.subject_kfold(subject_ids, k, seed)}


def _kfold_problem(subject_ids, k, folds):
    n = len(subject_ids)
    if not isinstance(folds, (list, tuple)) or len(folds) != k:
        return "expected a list of %d (train_index, test_index) pairs" % k
    tested = []
    subjects_per_fold = []
    for j, pair in enumerate(folds):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            return "fold %d is not a pair (train_index, test_index)" % j
        train, test = (np.asarray(part) for part in pair)
        if train.dtype.kind not in "iu" or test.dtype.kind not in "iu" or train.ndim != 1 or test.ndim != 1:
            return "fold %d: expected 1-D integer index arrays, got dtypes %s and %s" % (j, train.dtype, test.dtype)
        if np.any(np.diff(train) <= 0) or np.any(np.diff(test) <= 0):
            return "fold %d: index arrays must be sorted, without repeats" % j
        if sorted(np.r_[train, test].tolist()) != list(range(n)):
            return "fold %d: train and test together must hold every window exactly once" % j
        if set(subject_ids[train]) & set(subject_ids[test]):
            return ("fold %d: subject %r is in both train and test: the model would be tested on a subject it "
                    "trained on" % (j, sorted(set(subject_ids[train]) & set(subject_ids[test]))[0]))
        tested += test.tolist()
        subjects_per_fold.append(len(set(subject_ids[test])))
    if sorted(tested) != list(range(n)):
        return "every window must be tested exactly once over the %d folds" % k
    if max(subjects_per_fold) - min(subjects_per_fold) > 1:
        return "folds must hold numbers of subjects that differ by at most one, got %s" % subjects_per_fold
    return None


def _same_folds(a, b):
    return len(a) == len(b) and all(np.array_equal(np.asarray(x[1]), np.asarray(y[1])) for x, y in zip(a, b))


def _kfold_judge(case, expected, got):
    if expected.raised or got.raised:
        return default_judge(expected, got)
    subject_ids = np.asarray(case.args[0])
    k = case.args[1]
    value = got.value
    problem = _kfold_problem(subject_ids, k, value["folds"])
    if problem:
        return problem
    if not _same_folds(value["folds"], value["again"]):
        return "the same seed must give the same folds (use np.random.default_rng(seed))"
    if _same_folds(value["folds"], value["other"]):
        return "seeds %d and %d gave the same folds: the seed must drive the shuffle" % (case.args[2], case.args[3])
    return None


def _kfold_groups(rng):
    def ids(n_subjects, interleaved=False):
        counts = rng.integers(1, 6, n_subjects)
        names = np.array(["s%03d" % int(i) for i in rng.choice(900, n_subjects, replace=False)])
        owners = np.repeat(names, counts)
        # a list of str: numpy string arrays do not cross the wire (coursekit/wire.py), lists do
        return (rng.permutation(owners) if interleaved else owners).tolist()

    def case(n_subjects, k, interleaved=False):
        seed = int(rng.integers(2**31))
        return Case((ids(n_subjects, interleaved), k, seed, seed + 1),
                    label="subject_kfold(subject_ids of %d windows of %d subjects, k=%d, seed) (and again, and "
                          "another seed)" % (0, n_subjects, k))
    cases = {"grouped": case(int(rng.integers(12, 20)), 3), "interleaved": case(int(rng.integers(20, 30)), 5, True),
             "uneven": case(22, 4, True)}
    for c in cases.values():
        c.label = c.label.replace("of 0 windows", "of %d windows" % len(c.args[0]))
    return [
        Group("windows of a subject stored together", [cases["grouped"]]),
        Group("windows of subjects interleaved", [cases["interleaved"]]),
        Group("subjects do not divide evenly into folds", [cases["uneven"]]),
        Group("k < 2 or more folds than subjects raises ValueError",
              [Case((["a", "a", "b", "c"], 1, 0, 1)), Case((["a", "a", "b", "c"], 4, 0, 1))]),
    ]


# =========================================================================== Part C: builders

BUILD_PROBE = '''
def probe(ns, function, kwargs, lengths, batch_sizes, seed):
    import numpy as np, torch
    torch.manual_seed(seed)
    model = ns[function](*(lengths[:1]), **kwargs)
    report = {"module": isinstance(model, torch.nn.Module)}
    if not report["module"]:
        return report
    report["kinds"] = sorted({type(m).__name__ for m in model.modules()})
    report["leaves"] = [type(m).__name__ for m in model.modules() if not list(m.children())]
    report["parameters"] = int(sum(p.numel() for p in model.parameters() if p.requires_grad))
    model.eval()
    outputs = []
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(np.log(rng.uniform(0.4, 1.4, (4, lengths[0])) / 0.8), dtype=torch.float32)
    with torch.no_grad():
        base = model(x)
        depends = []
        for position in (lengths[0] // 2, lengths[0] - 1):
            changed = x.clone()
            changed[:, position] += 0.5
            depends.append(bool((model(changed) - base).abs().max() > 1e-6))
    report["depends"] = depends
    for n in batch_sizes:
        x = torch.as_tensor(np.log(rng.uniform(0.4, 1.4, (n, lengths[0])) / 0.8), dtype=torch.float32)
        with torch.no_grad():
            out = model(x)
        outputs.append({"n": n, "shape": list(out.shape), "dtype": str(out.dtype), "value": out.numpy()})
    report["outputs"] = outputs
    report["other_lengths"] = []
    for length in lengths[1:]:
        torch.manual_seed(seed)
        other = ns[function](length, **kwargs)
        other.eval()
        x = torch.as_tensor(np.log(rng.uniform(0.4, 1.4, (3, length)) / 0.8), dtype=torch.float32)
        with torch.no_grad():
            report["other_lengths"].append({"length": length, "shape": list(other(x).shape)})
    return report
'''

_KINDS = {
    "build_mlp": ({"Linear"}, {"Conv1d", "GRU", "LSTM", "RNN"}, "Linear layers only"),
    "build_cnn": ({"Conv1d"}, {"GRU", "LSTM", "RNN"}, "at least one Conv1d and no recurrent layer"),
    "build_rnn_gru": ({"GRU"}, {"LSTM", "RNN", "Conv1d"}, "a GRU (cell='gru'), no convolution"),
    "build_rnn_lstm": ({"LSTM"}, {"GRU", "RNN", "Conv1d"}, "an LSTM (cell='lstm'), no convolution"),
}
#: A last layer that squashes: the network would return probabilities, not logits.
_SQUASHING = {"Sigmoid", "Softmax", "LogSoftmax", "Softmin", "Hardsigmoid"}
_SHAPE_ONLY = {"Flatten", "Unflatten", "Identity", "Dropout"}


def _no_expected(*args):
    return None


def _build_judge(case, expected, got):
    function, kwargs = case.args[0], case.args[1]
    if expected.raised:
        return default_judge(expected, got)
    if got.raised:
        return "%s%s raised %s" % (function, kwargs or "", got.describe())
    report = got.value
    if not report.get("module"):
        return "%s must return a torch.nn.Module" % function
    kinds = set(report["kinds"])
    key = function if function != "build_rnn" else "build_rnn_" + kwargs.get("cell", "gru")
    needed, forbidden, words = _KINDS[key]
    if not needed <= kinds or kinds & forbidden:
        return "expected %s, found the layers %s" % (words, ", ".join(sorted(kinds)))
    last = [kind for kind in report["leaves"] if kind not in _SHAPE_ONLY][-1:]
    if last and last[0] in _SQUASHING:
        return ("the network ends with %s: it must return logits (train_model applies the sigmoid inside "
                "BCEWithLogitsLoss, predict_proba applies torch.sigmoid)" % last[0])
    if not MIN_PARAMETERS <= report["parameters"] <= MAX_PARAMETERS:
        return "expected %d to %d trainable parameters, got %d" % (MIN_PARAMETERS, MAX_PARAMETERS,
                                                                   report["parameters"])
    for out in report["outputs"]:
        if out["shape"] != [out["n"]]:
            return "a batch of %d windows must give %d logits, shape (%d,), got shape %s" % (
                out["n"], out["n"], out["n"], tuple(out["shape"]))
        if out["dtype"] != "torch.float32":
            return "expected float32 logits, got %s" % out["dtype"]
        values = np.asarray(out["value"], dtype=float)
        if not np.all(np.isfinite(values)):
            return "the logits hold NaN or infinite values"
    if not all(report["depends"]):
        return ("the logits do not change when the middle or the last interval of the window changes (%s): "
                "the network must read every interval" % report["depends"])
    for other in report["other_lengths"]:
        if other["shape"] != [3]:
            return "%s(%d) on windows of length %d must give shape (3,), got %s" % (
                function, other["length"], other["length"], tuple(other["shape"]))
    return None


def _build_groups(function):
    def make(rng):
        seed = int(rng.integers(2**31))
        lengths = [ref.WINDOW, int(rng.integers(8, 13)), int(rng.integers(20, 40))]

        def case(kwargs=None, batch_sizes=(1, 7, 64)):
            return Case((function, kwargs or {}, lengths, list(batch_sizes), seed),
                        label="%s(%d%s) on batches of %s windows, and window lengths %s" % (
                            function, lengths[0], "".join(", %s=%r" % kv for kv in (kwargs or {}).items()),
                            "/".join(map(str, batch_sizes)), lengths[1:]))
        groups = [Group("module, layers, parameters, logits of shape (n,)", [case()])]
        if function == "build_rnn":
            groups.append(Group("cell='lstm' builds an LSTM", [case({"cell": "lstm"})]))
            groups.append(Group("unknown cell raises ValueError", [case({"cell": "transformer"})]))
        return groups
    return make


def _build_reference(function, kwargs, lengths, batch_sizes, seed):
    if kwargs.get("cell", "gru") not in ("gru", "lstm"):
        raise ValueError("unknown cell")
    return None


# =========================================================================== Part C: training

TRAIN_PROBE = '''
def probe(ns, length, n, seed, kwargs, validation, expect_learning, repeat):
    import copy, numpy as np, torch
    rng = np.random.default_rng(seed)
    def task(count):
        y = rng.integers(0, 2, count)
        # label 1: faster heart (shorter RR), a task a linear model learns in a few epochs
        X = 0.8 * np.exp(np.where(y == 1, -0.25, 0.25)[:, None] + rng.normal(0, 0.15, (count, length)))
        return X, y
    X, y = task(n)
    X_val, y_val = task(n // 2)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(length, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1),
                                torch.nn.Flatten(0))
    start = copy.deepcopy(model.state_dict())
    X_before = X.copy()
    extra = dict(val_windows=X_val, val_labels=y_val) if validation else {}
    history = ns["train_model"](model, X, y, **kwargs, **extra)
    report = {"history": history, "unchanged_input": bool(np.array_equal(X, X_before))}
    moved = [float((a - b).abs().max()) for a, b in zip(model.state_dict().values(), start.values())]
    report["moved"] = max(moved)
    model.eval()
    loss = torch.nn.BCEWithLogitsLoss()
    with torch.no_grad():
        prepared = torch.as_tensor(np.log(X / 0.8), dtype=torch.float32)
        logits = model(prepared)
        report["final_train_loss"] = float(loss(logits, torch.as_tensor(y, dtype=torch.float32)))
        report["train_logits"] = logits.numpy()
        if validation:
            val_logits = model(torch.as_tensor(np.log(X_val / 0.8), dtype=torch.float32))
            report["final_val_loss"] = float(loss(val_logits, torch.as_tensor(y_val, dtype=torch.float32)))
    if repeat:
        model.load_state_dict(start)
        report["again"] = ns["train_model"](model, X, y, **kwargs, **extra)
    report["labels"] = y
    return report
'''
#: Mean losses the student computes and the probe recomputes in float32: same numbers up to rounding.
LOSS_RTOL = 1e-4


def _train_judge(case, expected, got):
    if got.raised:
        return "train_model raised %s" % got.describe()
    report = got.value
    history = report["history"]
    epochs = case.args[3]["epochs"]
    validation, expect_learning = case.args[4], case.args[5]
    if not isinstance(history, dict) or set(history) != {"train_loss", "val_loss"}:
        return "expected a dict with keys 'train_loss' and 'val_loss', got %s" % (
            sorted(history) if isinstance(history, dict) else type(history).__name__)
    train, val = (np.asarray(history[k], dtype=float) for k in ("train_loss", "val_loss"))
    if train.shape != (epochs,):
        return "train_loss must hold one loss per epoch (%d), got %d" % (epochs, train.size)
    if val.shape != ((epochs,) if validation else (0,)):
        return ("val_loss must hold one loss per epoch (%d) with validation windows" % epochs if validation
                else "val_loss must be [] without validation windows, got %d values" % val.size)
    if not np.all(np.isfinite(train)):
        return "train_loss holds NaN or infinite values"
    if not report["unchanged_input"]:
        return "train_model changed the windows it was given"
    if not np.isclose(train[-1], report["final_train_loss"], rtol=LOSS_RTOL):
        return ("train_loss[-1] = %.6f but the trained model's mean loss over all training windows (eval mode) is "
                "%.6f: record the loss of the whole training set after each epoch" % (train[-1],
                                                                                   report["final_train_loss"]))
    if validation and not np.isclose(val[-1], report["final_val_loss"], rtol=LOSS_RTOL):
        return "val_loss[-1] = %.6f but the model's mean loss on the validation windows is %.6f" % (
            val[-1], report["final_val_loss"])
    if case.args[6] and compare(history, report["again"], rtol=0, atol=0):
        return "the same seed, the same starting weights and data must give the same history"
    lr = case.args[3]["lr"]
    if lr == 0:
        if report["moved"] != 0:
            return "with lr=0 the weights must not change (Adam with the given learning rate)"
        return None
    if report["moved"] == 0:
        return "the model's weights did not change: train the model passed in, in place"
    if not expect_learning:
        return None
    from sklearn.metrics import roc_auc_score
    auc = roc_auc_score(report["labels"], np.asarray(report["train_logits"], dtype=float))
    if not (train[-1] < 0.6 * train[0] and auc > 0.95):
        return ("on an easy task the loss went from %.3f to %.3f (training AUC %.2f): the model did not learn"
                % (train[0], train[-1], auc))
    return None


def _train_groups(rng):
    def case(epochs, lr, validation, n=160, batch_size=32, learn=False, repeat=False):
        seed = int(rng.integers(2**31))
        kwargs = {"epochs": epochs, "lr": lr, "batch_size": batch_size, "seed": seed}
        return Case((ref.WINDOW, n, seed, kwargs, validation, learn, repeat),
                    label="train_model(grader's network, %d windows, %s%s)" % (
                        n, ", ".join("%s=%r" % kv for kv in kwargs.items()),
                        ", val_windows=..., val_labels=..." if validation else ""))
    return [
        Group("learns an easy task; history of the whole training set per epoch", [case(10, 1e-2, False, learn=True)]),
        Group("validation losses recorded", [case(4, 1e-2, True, n=120, batch_size=50)]),
        Group("seeded: same seed, same history", [case(3, 3e-3, True, n=100, batch_size=16, repeat=True)]),
        Group("lr is used (lr=0 changes nothing)", [case(2, 0.0, False, n=64)]),
    ]


PREDICT_PROBE = '''
def probe(ns, windows, model_seed, kwargs):
    import numpy as np, torch
    torch.manual_seed(model_seed)
    length = np.shape(windows)[-1]
    model = torch.nn.Sequential(torch.nn.Linear(length, 8), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                                torch.nn.Linear(8, 1), torch.nn.Flatten(0))
    model.train()  # left in training mode on purpose: predict_proba must switch to eval
    out = ns["predict_proba"](model, windows, **kwargs)
    return {"type": type(out).__module__ + "." + type(out).__name__, "p": out}
'''


def _predict_reference(windows, model_seed, kwargs):
    import torch

    torch.manual_seed(model_seed)
    length = np.shape(windows)[-1]
    model = torch.nn.Sequential(torch.nn.Linear(length, 8), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                                torch.nn.Linear(8, 1), torch.nn.Flatten(0))
    return {"type": "numpy.ndarray", "p": ref.predict_proba(model, windows, **kwargs)}


def _predict_judge(case, expected, got):
    if got.raised:
        return "predict_proba raised %s" % got.describe()
    if got.value["type"] != "numpy.ndarray":
        return "expected a numpy array, got %s" % got.value["type"]
    return compare(expected.value["p"], got.value["p"], rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)


def _predict_groups(rng):
    def case(n, kwargs=None, length=None):
        length = length or ref.WINDOW
        return Case((rng.uniform(0.35, 1.5, (n, length)), int(rng.integers(2**31)), kwargs or {}),
                    label="predict_proba(grader's network with dropout, left in training mode, %d windows of %d%s)"
                    % (n, length, "".join(", %s=%r" % kv for kv in (kwargs or {}).items())))
    return [
        Group("probabilities of the logits, in eval mode", [case(int(rng.integers(5, 40)))]),
        Group("more windows than one batch", [case(int(rng.integers(600, 900)), {"batch_size": 256})]),
        Group("a single window, another window length", [case(1, length=int(rng.integers(20, 30)))]),
    ]


# =========================================================================== Part C: hidden subjects

HIDDEN_FILE = "sequences_hidden_windows.npy"
HIDDEN_GAIT_FILE = "sequences_hidden_gait_windows.npy"


def _load_gait_hidden():
    """The hidden gait windows as the notebook's gait_model takes them (through gait_input), labels."""
    X, y = gait_grading.load_hidden()
    return gait_grading.gait_input(X), y


# The two trained models scored on hidden subjects (coursekit.hidden_scoring: windows only in the kernel,
# shuffled per run; the AUC and its tiers, each model's own TIERS, computed here).
HIDDEN_RR = HiddenScoring(model="best_model", file_name=HIDDEN_FILE, load=grading.load_hidden,
                          reference_auc=grading.reference_auc, tiers=grading.TIERS,
                          title="ROC AUC of best_model on the windows of the hidden subjects", what="RR in s",
                          timeout=60.0)
HIDDEN_GAIT = HiddenScoring(model="gait_model", file_name=HIDDEN_GAIT_FILE, load=_load_gait_hidden,
                            reference_auc=gait_grading.reference_auc, tiers=gait_grading.TIERS,
                            title="ROC AUC of gait_model on the windows of the hidden subjects",
                            what="strides through gait_input", timeout=60.0)


# =========================================================================== Part D

def _fit_groups(rng):
    def curves(start, end_train, end_val, epochs=None):
        epochs = epochs or int(rng.integers(5, 30))
        t = np.linspace(0, 1, epochs)
        train = end_train + (start - end_train) * np.exp(-5 * t) + rng.uniform(0, 0.005, epochs)
        val = end_val + (start - end_val) * np.exp(-5 * t) + rng.uniform(0, 0.005, epochs)
        return train, val

    def case(start, end_train, end_val, target, gap):
        train, val = curves(start, end_train, end_val)
        return Case((train, val, target, gap))
    return [
        Group("a model too small: high bias", [case(0.7, 0.5, 0.52, 0.3, 0.1), case(0.7, 0.45, 0.7, 0.3, 0.1)]),
        Group("a model too large: high variance", [case(0.7, 0.05, 0.45, 0.3, 0.1)]),
        Group("validation loss that falls, then rises: the final gap counts",
              [Case((np.linspace(0.7, 0.05, 9), np.array([0.7, 0.5, 0.35, 0.3, 0.32, 0.38, 0.43, 0.47, 0.5]),
                     0.3, 0.3))]),
        Group("good fit", [case(0.7, 0.2, 0.25, 0.3, 0.1)]),
        Group("boundaries: min(train) == target is not bias, gap == tolerance is not variance",
              [Case((np.array([0.5, 0.25, 0.3]), np.array([0.6, 0.4, 0.5]), 0.25, 0.2)),
               Case((np.array([0.6, 0.25]), np.array([0.6, 0.5]), 0.3, 0.25))]),
        Group("curves of different lengths raise ValueError", [Case((np.ones(4), np.ones(3), 0.3, 0.1))]),
    ]


CHECKS = [
    Check("sequences.rnn_cell_step", "rnn_cell_step", torch_rnn_cell, _cell_groups(1, False, "rnn_cell_step"),
          rtol=FLOAT64_RTOL, atol=FLOAT64_ATOL),
    Check("sequences.gru_cell_step", "gru_cell_step", torch_gru_cell, _cell_groups(3, False, "gru_cell_step"),
          rtol=FLOAT64_RTOL, atol=FLOAT64_ATOL),
    Check("sequences.lstm_cell_step", "lstm_cell_step", torch_lstm_cell, _cell_groups(4, True, "lstm_cell_step"),
          rtol=FLOAT64_RTOL, atol=FLOAT64_ATOL),
    Check("sequences.recurrent_num_parameters", "recurrent_num_parameters", torch_num_parameters, _count_groups,
          strict_types=True),
    Check("sequences.recurrent_shapes", "recurrent_shapes", torch_shapes, _shape_groups, strict_types=True),
    Check("sequences.run_rnn", "run_rnn", torch_run_rnn, _run_rnn_groups, rtol=FLOAT64_RTOL, atol=FLOAT64_ATOL),
    Check("sequences.rr_intervals", "rr_intervals", ref.rr_intervals, _rr_groups),
    Check("sequences.sliding_windows", "sliding_windows", ref.sliding_windows, _window_groups),
    Check("sequences.subject_kfold", "subject_kfold", _kfold_reference, _kfold_groups, probe=KFOLD_PROBE,
          judge=_kfold_judge),
    Check("sequences.build_mlp", "build_mlp", _build_reference, _build_groups("build_mlp"), probe=BUILD_PROBE,
          judge=_build_judge, timeout=30.0),
    Check("sequences.build_cnn", "build_cnn", _build_reference, _build_groups("build_cnn"), probe=BUILD_PROBE,
          judge=_build_judge, timeout=30.0),
    Check("sequences.build_rnn", "build_rnn", _build_reference, _build_groups("build_rnn"), probe=BUILD_PROBE,
          judge=_build_judge, timeout=30.0),
    Check("sequences.train_model", "train_model", _no_expected, _train_groups, probe=TRAIN_PROBE,
          judge=_train_judge, timeout=60.0),
    Check("sequences.predict_proba", "predict_proba", _predict_reference, _predict_groups, probe=PREDICT_PROBE,
          judge=_predict_judge),
    HIDDEN_RR.check("sequences.hidden_auc"),
    HIDDEN_GAIT.check("sequences.hidden_gait_auc"),
    Check("sequences.diagnose_fit", "diagnose_fit", ref.diagnose_fit, _fit_groups),
]
