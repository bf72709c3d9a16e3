"""Wrong implementations of 05_af_cnn that students really write, named after the fault.

Each ``source`` is executed over the reference solution (``reference/af_cnn/solution.py``), so a
faulty ``predict_proba`` still calls the reference ``standardize``. Most are the reference's
own source with one fault put in (``_mutate``), which keeps them complete and readable;
``grader_tests/test_af_cnn_checks.py`` proves that every one loses points in its check on
several seeds.
"""

import inspect
import textwrap

from coursekit.manifest import Mutant
from reference.af_cnn import solution as ref


def _m(name, check, source, header=""):
    return Mutant(name, "af_cnn." + check, header + textwrap.dedent(source))


def _mutate(name, check, function, *replacements):
    """The reference source of ``function`` with each (old, new) replacement applied (old must occur)."""
    source = inspect.getsource(function)
    for old, new in replacements:
        if old not in source:
            raise AssertionError("mutant %s: %r is not in %s's source" % (name, old, function.__name__))
        source = source.replace(old, new)
    return Mutant(name, "af_cnn." + check, source)


LOAD = [
    _mutate("load_forgets_gain", "load_af_data", ref.load_af_data,
            ("X = X.astype(np.float64) / float(fields[\"gain\"])", "X = X.astype(np.float64)")),
    _mutate("load_multiplies_by_gain", "load_af_data", ref.load_af_data,
            ("X.astype(np.float64) / float(", "X.astype(np.float64) * float(")),
    _mutate("load_hardcodes_gain_1000", "load_af_data", ref.load_af_data,
            ("    if np.issubdtype(X.dtype, np.integer):\n        if \"gain\" not in fields:\n"
             "            raise ValueError(\"%s: X is stored as integers (adu) but the field 'gain' is missing\" % path)\n"
             "        X = X.astype(np.float64) / float(fields[\"gain\"])\n",
             "    X = X.astype(np.float64) / 1000.0\n")),
    _mutate("load_returns_float64", "load_af_data", ref.load_af_data,
            ("return X.astype(np.float32)", "return X.astype(np.float64)")),
    _mutate("load_labels_as_floats", "load_af_data", ref.load_af_data,
            ("y.astype(np.int64)", "y.astype(np.float32)")),
    _m("load_missing_field_is_key_error", "load_af_data", """
        def load_af_data(path):
            data = np.load(path)
            X = data["X"]
            if "gain" in data.files:
                X = X / data["gain"]
            return X.astype(np.float32), data["y"].astype(int), float(data["fs"]), data["patient_id"].astype(str)
        """),
    _mutate("load_error_does_not_name_field", "load_af_data", ref.load_af_data,
            ("raise ValueError(\"%s: missing field %r (a split holds X, y, fs, patient_id)\" % (path, name))",
             "raise ValueError(\"the file is not a valid split\")"),
            ("raise ValueError(\"%s: X is stored as integers (adu) but the field 'gain' is missing\" % path)",
             "raise ValueError(\"the file is not a valid split\")")),
    _mutate("load_no_length_check", "load_af_data", ref.load_af_data,
            ("    if not (len(y) == len(patient_id) == X.shape[0]):", "    if False:")),
]

STANDARDIZE = [
    _m("standardize_global_mean_and_std", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            return ((X - X.mean()) / X.std()).astype(np.float32)
        """),
    _m("standardize_per_sample_position", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            return ((X - X.mean(axis=0)) / np.maximum(X.std(axis=0), 1e-6)).astype(np.float32)
        """),
    _m("standardize_flat_window_gives_nan", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                return ((X - X.mean(axis=-1, keepdims=True)) / X.std(axis=-1, keepdims=True)).astype(np.float32)
        """),
    _m("standardize_sample_std_ddof1", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            std = X.std(axis=-1, ddof=1, keepdims=True)
            return ((X - X.mean(axis=-1, keepdims=True)) / np.maximum(std, 1e-6)).astype(np.float32)
        """),
    _m("standardize_only_centres", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            return (X - X.mean(axis=-1, keepdims=True)).astype(np.float32)
        """),
    _m("standardize_min_max_scaling", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            low, high = X.min(axis=-1, keepdims=True), X.max(axis=-1, keepdims=True)
            return ((X - low) / np.maximum(high - low, 1e-6)).astype(np.float32)
        """),
    _m("standardize_returns_float64", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            return (X - X.mean(axis=-1, keepdims=True)) / np.maximum(X.std(axis=-1, keepdims=True), 1e-6)
        """),
    _m("standardize_axis_1_hardcoded", "standardize", """
        def standardize(X):
            X = np.asarray(X, dtype=np.float64)
            return ((X - X.mean(axis=1, keepdims=True)) / np.maximum(X.std(axis=1, keepdims=True), 1e-6)).astype(np.float32)
        """),
]

SPLIT = [
    _m("split_windows_not_patients", "split_by_patient", """
        from sklearn.model_selection import train_test_split
        def split_by_patient(X, y, patient_id, test_size=0.2, val_size=0.2, seed=0):
            index = np.arange(len(y))
            rest, test = train_test_split(index, test_size=test_size, stratify=y, random_state=seed)
            train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y[rest],
                                          random_state=seed)
            return {"train": np.sort(train), "val": np.sort(val), "test": np.sort(test)}
        """),
    _m("split_patients_not_stratified", "split_by_patient", """
        def split_by_patient(X, y, patient_id, test_size=0.2, val_size=0.2, seed=0):
            if not (len(X) == len(y) == len(patient_id)) or test_size + val_size >= 1:
                raise ValueError("bad input")
            patients = np.random.default_rng(seed).permutation(np.unique(patient_id))
            n_test, n_val = round(test_size * len(patients)), round(val_size * len(patients))
            where = {"test": patients[:n_test], "val": patients[n_test:n_test + n_val], "train": patients[n_test + n_val:]}
            return {k: np.flatnonzero(np.isin(patient_id, v)) for k, v in where.items()}
        """),
    _mutate("split_in_order_without_shuffling", "split_by_patient", ref.split_by_patient,
            ("members = rng.permutation(np.flatnonzero(labels == label))",
             "members = np.flatnonzero(labels == label)")),
    _mutate("split_val_size_of_the_remaining_patients", "split_by_patient", ref.split_by_patient,
            ("n_val = int(np.floor(val_size * len(members) + 0.5))",
             "n_val = int(np.floor(val_size * (len(members) - n_test) + 0.5))")),
    _mutate("split_test_and_val_swapped", "split_by_patient", ref.split_by_patient,
            ("where[members[:n_test]] = 2\n        where[members[n_test:n_test + n_val]] = 1",
             "where[members[:n_test]] = 1\n        where[members[n_test:n_test + n_val]] = 2")),
    _mutate("split_ignores_seed", "split_by_patient", ref.split_by_patient,
            ("rng = np.random.default_rng(seed)", "rng = np.random.default_rng(42)")),
    _mutate("split_unseeded_global_rng", "split_by_patient", ref.split_by_patient,
            ("rng = np.random.default_rng(seed)", "rng = np.random")),
    _mutate("split_returns_a_tuple", "split_by_patient", ref.split_by_patient,
            ("return {name: np.flatnonzero(window_split == k).astype(np.int64)\n"
             "            for k, name in ((0, \"train\"), (1, \"val\"), (2, \"test\"))}",
             "return tuple(np.flatnonzero(window_split == k) for k in (0, 1, 2))")),
]

_NET = """
import torch
from torch import nn
"""


def _net(name, check, source):
    return _m(name, check, source, header=_NET)

BUILD = [
    _net("build_flatten_sized_for_3000_samples", "build_model", """
        def build_model(input_length):
            return nn.Sequential(nn.Conv1d(1, 8, 7, stride=4, padding=3), nn.ReLU(), nn.MaxPool1d(4),
                                 nn.Flatten(), nn.Linear(8 * 187, 1), nn.Flatten(0))
        """),
    _net("build_output_n_by_1", "build_model", """
        def build_model(input_length):
            return nn.Sequential(nn.Conv1d(1, 8, 7, stride=4), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                                 nn.Linear(8, 1))
        """),
    _net("build_squeeze_drops_the_batch_of_one", "build_model", """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(1, 8, 7, stride=4)
                self.head = nn.Linear(8, 1)
            def forward(self, x):
                return self.head(torch.relu(self.conv(x)).mean(-1)).squeeze()
        def build_model(input_length):
            return Net()
        """),
    _net("build_ends_with_sigmoid_module", "build_model", """
        def build_model(input_length):
            return nn.Sequential(nn.Conv1d(1, 16, 7, stride=4), nn.ReLU(), nn.Conv1d(16, 32, 5), nn.ReLU(),
                                 nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(32, 1), nn.Flatten(0), nn.Sigmoid())
        """),
    _net("build_sigmoid_in_forward", "build_model", """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(1, 16, 7, stride=4)
                self.conv2 = nn.Conv1d(16, 32, 5)
                self.head = nn.Linear(32, 1)
            def forward(self, x):
                h = torch.relu(self.conv2(torch.relu(self.conv(x))))
                return torch.sigmoid(self.head(h.mean(-1)).squeeze(1))
        def build_model(input_length):
            return Net()
        """),
    _net("build_huge_dense_layer", "build_model", """
        def build_model(input_length):
            return nn.Sequential(nn.Conv1d(1, 4, 7, padding=3), nn.ReLU(), nn.Flatten(),
                                 nn.Linear(4 * input_length, 128), nn.ReLU(), nn.Linear(128, 1), nn.Flatten(0))
        """),
    _net("build_two_class_outputs", "build_model", """
        def build_model(input_length):
            return nn.Sequential(nn.Conv1d(1, 16, 7, stride=4), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                                 nn.Linear(16, 2))
        """),
    _net("build_returns_a_function", "build_model", """
        def build_model(input_length):
            conv = nn.Conv1d(1, 16, 7)
            head = nn.Linear(16, 1)
            return lambda x: head(torch.relu(conv(x)).mean(-1)).squeeze(1)
        """),
    _net("build_expects_windows_without_channel", "build_model", """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(1, 16, 7, stride=4)
                self.head = nn.Linear(16, 1)
            def forward(self, x):
                return self.head(torch.relu(self.conv(x.unsqueeze(1))).mean(-1)).squeeze(1)
        def build_model(input_length):
            return Net()
        """),
]

PREDICT = [
    _mutate("predict_forgets_eval_mode", "predict_proba", ref.predict_proba, ("    model.eval()\n", "")),
    _mutate("predict_returns_logits", "predict_proba", ref.predict_proba,
            ("torch.sigmoid(model(batch))", "model(batch)")),
    _mutate("predict_drops_the_last_partial_batch", "predict_proba", ref.predict_proba,
            ("for start in range(0, X.shape[0], batch_size):",
             "for start in range(0, X.shape[0] - batch_size + 1, batch_size):")),
    _mutate("predict_without_standardizing", "predict_proba", ref.predict_proba,
            ("X = standardize(X)", "X = np.asarray(X, dtype=np.float32)")),
    _m("predict_returns_a_tensor", "predict_proba", """
        import torch
        def predict_proba(model, X, batch_size=256):
            X = torch.from_numpy(standardize(X)).unsqueeze(1)
            model.eval()
            with torch.no_grad():
                return torch.cat([torch.sigmoid(model(X[i:i + batch_size])) for i in range(0, len(X), batch_size)]) \\
                    if len(X) else torch.zeros(0)
        """),
    _m("predict_softmax_over_the_batch", "predict_proba", """
        import torch
        def predict_proba(model, X, batch_size=256):
            X = torch.from_numpy(standardize(X)).unsqueeze(1)
            model.eval()
            with torch.no_grad():
                out = [torch.softmax(model(X[i:i + batch_size]), dim=0) for i in range(0, len(X), batch_size)]
            return torch.cat(out).numpy().astype(float) if out else np.zeros(0)
        """),
    _m("predict_records_gradients", "predict_proba", """
        import torch
        def predict_proba(model, X, batch_size=256):
            X = torch.from_numpy(standardize(X)).unsqueeze(1)
            model.eval()
            out = [torch.sigmoid(model(X[i:i + batch_size])).detach() for i in range(0, len(X), batch_size)]
            return torch.cat(out).numpy().astype(float) if out else np.zeros(0)
        """),
    _m("predict_ignores_batch_size", "predict_proba", """
        import torch
        def predict_proba(model, X, batch_size=256):
            X = torch.from_numpy(standardize(X)).unsqueeze(1)
            model.eval()
            with torch.no_grad():
                return torch.sigmoid(model(X)).numpy().astype(float) if len(X) else np.zeros(0)
        """),
    _mutate("predict_rounds_to_labels", "predict_proba", ref.predict_proba,
            ("    return out\n", "    return (out > 0.5).astype(float)\n")),
    _mutate("predict_feeds_windows_without_channel_axis", "predict_proba", ref.predict_proba,
            ("X = X.reshape(X.shape[0], 1, X.shape[-1])", "X = X.reshape(X.shape[0], X.shape[-1])")),
    _m("predict_torch_cat_fails_on_no_windows", "predict_proba", """
        import torch
        def predict_proba(model, X, batch_size=256):
            X = torch.from_numpy(standardize(X)).unsqueeze(1)
            model.eval()
            with torch.no_grad():
                out = [torch.sigmoid(model(X[i:i + batch_size])) for i in range(0, len(X), batch_size)]
            return torch.cat(out).numpy().astype(float)
        """),
]

TRAIN = [
    _mutate("train_never_stops_early", "train_model", ref.train_model,
            ("        elif epoch - history[\"best_epoch\"] >= patience:\n            break\n", "")),
    _mutate("train_patience_off_by_one", "train_model", ref.train_model,
            ("epoch - history[\"best_epoch\"] >= patience", "epoch - history[\"best_epoch\"] > patience")),
    _mutate("train_keeps_the_last_weights", "train_model", ref.train_model,
            ("    model.load_state_dict(best_state)\n", "")),
    _mutate("train_best_state_not_copied", "train_model", ref.train_model,
            ("best_state = copy.deepcopy(model.state_dict())", "best_state = model.state_dict()")),
    _mutate("train_unseeded_shuffling", "train_model", ref.train_model,
            ("    torch.manual_seed(seed)\n    generator = torch.Generator().manual_seed(seed)\n",
             "    generator = None\n")),
    _mutate("train_history_without_val_auc", "train_model", ref.train_model,
            ("history[\"val_auc\"].append(val_auc)", "history.setdefault(\"auc\", []).append(val_auc)"),
            ("\"val_auc\": [], ", "")),
    _mutate("train_ignores_time_budget", "train_model", ref.train_model,
            ("        if time.process_time() - started_cpu > time_budget_s:\n            break\n", "")),
    _mutate("train_returns_model_and_last_auc", "train_model", ref.train_model,
            ("    return history\n", "    return model, history[\"val_auc\"][-1]\n")),
]

MUTANTS = LOAD + STANDARDIZE + SPLIT + BUILD + PREDICT + TRAIN
