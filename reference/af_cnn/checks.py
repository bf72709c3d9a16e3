"""Hidden tests for 05_af_cnn (notebook ``source/05_af_cnn/af_cnn.ipynb``).

Unit checks (load, standardise, split, model, prediction, training) draw fresh inputs from
``rng``; the ones about torch models run small *grader-owned* networks in the kernel (their
source is below and is exec'd identically on both sides) so that a student's
``predict_proba`` or ``train_model`` can be judged without the student's own network.

The capstone check ``af_cnn.hidden_auc`` writes the grader-only hidden ECG signals, raw mV,
in an order drawn for this grading run, into the kernel's ``.coursekit/`` folder (signals
only: the labels never leave this process), calls ``predict_proba(model, X_hidden)`` and
scores the ROC AUC here, in tiers set in ``reference/af_cnn/grading.py``; the machinery is
``coursekit/hidden_scoring.py``, shared with ``06_sequences``.

Checks whose groups test different properties of one call pass a *property tag* as the
last argument: the probe and the reference ignore it, the judge reads it.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile

import numpy as np

from coursekit.checks import Case, Check, Group, compare, short_repr
from coursekit.hidden_scoring import HiddenScoring
from reference.af_cnn import grading
from reference.af_cnn import solution as ref

#: float32 arithmetic in a different order differs by ~1e-7 relative; standardised values are O(1).
FLOAT32_RTOL, FLOAT32_ATOL = 1e-4, 1e-5
#: Probabilities from the grader's fixed network: float32 forward passes in other batch shapes.
PROBABILITY_RTOL, PROBABILITY_ATOL = 1e-4, 1e-6
#: A stratified split may be off the ideal count of AF patients in a split by this many patients
#: (rounding per class, two-stage splits); a random, unstratified split of hundreds of patients
#: is off by more in nearly every draw.
STRATIFICATION_TOLERANCE = 2.0
#: Patients a split may differ from round(size * n_patients) (per-class rounding, ceil vs round).
SIZE_TOLERANCE = 2
#: Seconds predict_proba may take on the hidden windows (the cell's own limit is 120 s wall).
HIDDEN_PREDICTION_TIMEOUT_S = 110.0


# =========================================================================== shared helpers

def _raised(got, what):
    return "%s, but it %s" % (what, got.describe())


# =========================================================================== load_af_data

def _load_arrays(spec):
    """The arrays of one test file described by ``spec`` (seeded, so both sides agree)."""
    rng = np.random.default_rng(spec["seed"])
    n, length = spec["n"], spec["length"]
    X_mv = np.round(rng.normal(0.0, 0.6, size=(n, length)), 3)
    patients = ["t-%03d" % k for k in rng.integers(0, 999, size=max(1, n // 2))]
    arrays = {
        "y": rng.integers(0, 2, size=n).astype(np.int8),
        "fs": np.float64(spec["fs"]),
        "patient_id": np.array([patients[k % len(patients)] for k in range(n)]),
    }
    if spec["format"] == "int16":
        arrays["X"] = np.round(X_mv * spec["gain"]).astype(np.int16)
        arrays["gain"] = np.float64(spec["gain"])
    else:
        arrays["X"] = X_mv.astype(np.float32)
    fault = spec.get("fault")
    if fault == "missing":
        del arrays[spec["field"]]
    elif fault == "no_gain":
        del arrays["gain"]
    elif fault == "lengths":
        arrays["y"] = arrays["y"][:-1]
    return arrays


def _load_bytes(spec):
    buffer = io.BytesIO()
    np.savez(buffer, **_load_arrays(spec))
    return buffer.getvalue()


def _load_file_name(spec):
    return "af_load_%d.npz" % spec["index"]


def _describe_load(spec):
    what = ("int16 adu with gain %g" % spec["gain"]) if spec["format"] == "int16" else "float32 mV"
    fault = {"missing": ", field %r missing" % spec.get("field"), "no_gain": ", no 'gain' field",
             "lengths": ", y one label short"}.get(spec.get("fault"), "")
    return "load_af_data('%s') (%d windows x %d samples, %s%s)" % (_load_file_name(spec), spec["n"],
                                                                   spec["length"], what, fault)


LOAD_PROBE = '''
def probe(ns, file_name, spec):
    import numpy as np
    if FUNCTION not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % FUNCTION)
    result = ns[FUNCTION](".coursekit/" + file_name)
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        return {"result": "%s%s" % (type(result).__name__,
                                    " of length %d" % len(result) if hasattr(result, "__len__") else "")}
    X, y, fs, patient_id = result
    patient_id = np.asarray(patient_id)
    return {"X": np.asarray(X), "y": np.asarray(y), "fs": np.asarray(fs),
            "patient_id": [str(p) for p in patient_id.ravel().tolist()],
            "patient_id_shape": list(patient_id.shape)}
'''


def _load_reference(file_name, spec):
    """What a correct probe returns, from the reference loader on the same bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, file_name)
        with open(path, "wb") as handle:
            handle.write(_load_bytes(spec))
        X, y, fs, patient_id = ref.load_af_data(path)
    return {"X": X, "y": y, "fs": np.asarray(fs), "patient_id": [str(p) for p in patient_id],
            "patient_id_shape": [len(patient_id)]}


def _load_judge(case, expected, got):
    spec = case.args[1]
    if expected.raised:
        if got.raised is None:
            return "expected ValueError (the file is broken), but it returned without error"
        if "ValueError" not in got.raised:
            return "expected ValueError, got %s" % got.describe()
        if spec.get("fault") == "missing" and spec["field"] not in got.message:
            return ("the ValueError should name the missing field %r so that the user knows what is wrong; "
                    "its message was %r" % (spec["field"], got.message))
        if spec.get("fault") == "no_gain" and "gain" not in got.message:
            return "the ValueError should name the missing field 'gain'; its message was %r" % got.message
        return None
    if got.raised:
        return _raised(got, "expected (X, y, fs, patient_id)")
    value, want = got.value, expected.value
    if not isinstance(value, dict) or "result" in value:
        return "expected a tuple (X, y, fs, patient_id), got %s" % (value.get("result") if isinstance(value, dict)
                                                                   else short_repr(value))
    X = value["X"]
    if not isinstance(X, np.ndarray) or X.dtype.kind not in "biuf":
        return "X should be a numeric array, got %s" % short_repr(X)
    if X.shape != want["X"].shape:
        return "X: expected shape %s (windows, samples), got %s" % (want["X"].shape, X.shape)
    if X.dtype != np.float32:
        return "X should be float32 (what torch layers expect), got dtype %s" % X.dtype
    why = compare(want["X"], X, rtol=1e-6, atol=1e-6, path="X")
    if why:
        if spec["format"] == "int16":
            scale = np.median(np.abs(X)) / max(np.median(np.abs(want["X"])), 1e-12)
            if abs(scale - spec["gain"]) < 0.01 * spec["gain"]:
                return "X is still in adu: divide by gain (%g adu per mV) to get mV" % spec["gain"]
        return why + " (X in mV)"
    y = value["y"]
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu":
        return "y should be an array of integer labels, got %s" % short_repr(y)
    why = compare(want["y"], y, rtol=0, atol=0, path="y")
    if why:
        return why
    fs = value["fs"]
    if not isinstance(fs, np.ndarray) or fs.shape != () or fs.dtype.kind not in "iuf":
        return "fs should be a number (Hz), got %s" % short_repr(fs)
    if float(fs) != float(want["fs"]):
        return "fs: expected %g Hz, got %g" % (float(want["fs"]), float(fs))
    if value["patient_id_shape"] != want["patient_id_shape"] or value["patient_id"] != want["patient_id"]:
        return "patient_id: expected %s, got %s" % (short_repr(want["patient_id"]), short_repr(value["patient_id"]))
    return None


def _load_groups(rng):
    counter = iter(range(100))

    # Two different gains for the two int16 files, so that a hard-coded gain fails one of them.
    gains = iter([float(g) for g in rng.choice([200.0, 500.0, 1000.0, 2000.0], size=2, replace=False)])

    def spec(fmt, **extra):
        out = {"index": next(counter), "seed": int(rng.integers(2**31)), "n": int(rng.integers(3, 9)),
               "length": int(rng.integers(40, 160)), "fs": float(rng.choice([250.0, 300.0, 360.0, 500.0])),
               "format": fmt, "gain": float(rng.choice([200.0, 500.0, 1000.0]))}
        out.update(extra)
        return out

    def case(s):
        return Case((_load_file_name(s), s), label=_describe_load(s))

    missing = [str(f) for f in rng.choice(["y", "patient_id", "fs", "X"], size=2, replace=False)]
    return [
        Group("int16 windows with a gain, like the course's files: X in mV = X / gain",
              [case(spec("int16", gain=next(gains))), case(spec("int16", gain=next(gains)))], weight=2),
        Group("float32 windows already in mV (no gain field)", [case(spec("float32"))]),
        Group("a missing field raises ValueError naming it",
              [case(spec("int16", fault="missing", field=f)) for f in missing]),
        Group("int16 X without 'gain' raises ValueError naming it", [case(spec("int16", fault="no_gain"))]),
        Group("X, y and patient_id of different lengths raise ValueError",
              [case(spec(str(rng.choice(["int16", "float32"])), fault="lengths"))]),
    ]


def _load_files(groups):
    return {case.args[0]: _load_bytes(case.args[1]) for group in groups for case in group.cases}


# =========================================================================== standardize

def _standardize_judge(case, expected, got):
    if got.raised:
        return _raised(got, "expected %s" % short_repr(expected.value))
    value = got.value
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and "returns float32" in (case.label or ""):
        if value.dtype != np.float32:
            return "expected a float32 array (what torch layers expect), got dtype %s" % value.dtype
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        bad = int(np.count_nonzero(~np.isfinite(value)))
        return "%d value(s) are NaN or infinite: a flat window has std 0 (divide by max(std, 1e-6))" % bad
    return compare(expected.value, value, rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)


def _windows(rng, n, length):
    """Raw-looking mV windows: each with its own offset and amplitude."""
    base = rng.normal(0.0, 1.0, size=(n, length))
    scale = rng.uniform(0.05, 3.0, size=(n, 1))
    offset = rng.uniform(-2.0, 2.0, size=(n, 1))
    return np.round(base * scale + offset, 4)


def _standardize_groups(rng):
    def case(X, dtype=np.float64, returns32=False):
        X = np.asarray(X).astype(dtype)
        label = "standardize(X of shape %s, %s)%s" % (X.shape, X.dtype, " returns float32" if returns32 else "")
        return Case((X,), label=label)

    n, length = int(rng.integers(3, 7)), int(rng.integers(20, 60))
    if n == length:
        length += 1
    flat = _windows(rng, 4, int(rng.integers(15, 40)))
    flat[1] = np.round(rng.uniform(-1, 1), 3)         # a constant (flat-line) window
    flat[3] = 0.0                                     # an all-zero window
    adu = np.round(_windows(rng, 3, int(rng.integers(20, 50))) * 1000).astype(np.int16)
    return [
        Group("windows (n, L): each to zero mean and unit std", [case(_windows(rng, n, length)),
                                                                 case(_windows(rng, 8, 8))], weight=2),
        Group("float32 in, float32 out", [case(_windows(rng, 4, 30), np.float32, returns32=True),
                                          case(_windows(rng, 2, 25), np.float64, returns32=True)]),
        Group("along the last axis: (n, 1, L) and a single window (L,)",
              [case(_windows(rng, 5, 33)[:, None, :]), case(_windows(rng, 1, 41)[0])]),
        Group("a flat window becomes zeros (no NaN)", [case(flat)]),
        Group("integer (int16 adu) windows", [case(adu, np.int16)]),
    ]


# =========================================================================== split_by_patient

def _patients(rng, n_patients, af_fraction, windows=(1, 4), mixed_fraction=0.0, order="label"):
    """(X, y, patient_id) with ``n_patients`` patients; windows of one patient share a label except
    for ``mixed_fraction`` of the patients, whose minority label is a clear minority."""
    n_af = int(round(af_fraction * n_patients))
    labels = np.r_[np.zeros(n_patients - n_af, dtype=int), np.ones(n_af, dtype=int)]
    names = np.array(["p%04d" % k for k in rng.choice(10000, size=n_patients, replace=False)])
    if order == "shuffled":
        permutation = rng.permutation(n_patients)
        labels, names = labels[permutation], names[permutation]
    y, patient_id = [], []
    for name, label in zip(names, labels):
        count = int(rng.integers(windows[0], windows[1] + 1))
        window_labels = [label] * count
        if rng.random() < mixed_fraction:
            count = 2 * int(rng.integers(1, 3)) + 1       # odd: a strict majority
            window_labels = [label] * (count // 2 + 1) + [1 - label] * (count // 2)
        y += window_labels
        patient_id += [str(name)] * count
    y = np.array(y)
    patient_id = np.array(patient_id)
    if order == "interleaved":
        permutation = rng.permutation(len(y))
        y, patient_id = y[permutation], patient_id[permutation]
    X = np.round(rng.normal(size=(len(y), 3)), 2)
    return X, y, [str(p) for p in patient_id]


SPLIT_PROBE = '''
def probe(ns, X, y, patient_id, test_size, val_size, seed, properties):
    import numpy as np
    if FUNCTION not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % FUNCTION)
    split = ns[FUNCTION]

    def run(s):
        result = split(X, y, np.asarray(patient_id), test_size=test_size, val_size=val_size, seed=s)
        if not isinstance(result, dict):
            return {"not a dict": type(result).__name__}
        return {str(k): np.asarray(v) for k, v in result.items()}

    first = run(seed)
    out = {"split": first}
    if "deterministic" in properties:
        out["again"] = run(seed)
        out["other_seeds"] = [run(seed + k) for k in (1, 2, 3)]
    return out
'''


def _split_reference(X, y, patient_id, test_size, val_size, seed, properties):
    return {"split": ref.split_by_patient(X, y, np.asarray(patient_id), test_size, val_size, seed)}


def _split_format_problem(split, n):
    if not isinstance(split, dict) or set(split) != {"train", "val", "test"}:
        keys = sorted(split) if isinstance(split, dict) else None
        return "expected a dict with keys 'train', 'val', 'test' (index arrays), got %s" % (
            "keys %s" % keys if keys is not None else short_repr(split))
    for name in ("train", "val", "test"):
        idx = split[name]
        if not isinstance(idx, np.ndarray) or idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            return "split[%r] should be a 1-D array of integer window indices, got %s" % (name, short_repr(idx))
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            return "split[%r] holds indices outside 0..%d" % (name, n - 1)
    every = np.concatenate([split[k].astype(int) for k in ("train", "val", "test")])
    if every.size != n or np.unique(every).size != n:
        counts = np.bincount(every, minlength=n)
        return ("every window must be in exactly one split: %d of %d windows are in none, %d in more than one"
                % (int(np.sum(counts == 0)), n, int(np.sum(counts > 1))))
    return None


def _split_judge(case, expected, got):
    X, y, patient_id, test_size, val_size, seed, properties = case.args
    if expected.raised:
        if got.raised is None:
            return "expected ValueError, got %s" % short_repr(got.value)
        return None if "ValueError" in got.raised else "expected ValueError, got %s" % got.describe()
    if got.raised:
        return _raised(got, "expected a dict of index arrays")
    value = got.value
    split = value.get("split") if isinstance(value, dict) else None
    n = len(y)
    problem = _split_format_problem(split, n)
    if problem:
        return problem
    patients, labels, inverse = ref.patient_labels(y, patient_id)
    n_patients, af_share = len(patients), labels.mean()
    members = {name: np.unique(inverse[split[name].astype(int)]) for name in ("train", "val", "test")}
    if "no_leak" in properties:
        for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
            shared = np.intersect1d(members[a], members[b])
            if shared.size:
                return ("%d patient(s) have windows in both %s and %s (e.g. %s): a patient's windows must all "
                        "be in one split" % (shared.size, a, b, patients[shared[0]]))
    if "sizes" in properties:
        for name, size in (("test", test_size), ("val", val_size)):
            want = size * n_patients
            if abs(len(members[name]) - want) > SIZE_TOLERANCE:
                return ("%s holds %d of %d patients; %s_size=%g asks for about %.0f (sizes are fractions of "
                        "patients, not windows)" % (name, len(members[name]), n_patients,
                                                    "test" if name == "test" else "val", size, want))
    if "stratified" in properties:
        for name in ("train", "val", "test"):
            count = len(members[name])
            af = int(labels[members[name]].sum())
            if abs(af - af_share * count) > STRATIFICATION_TOLERANCE:
                return ("%s holds %d AF patients of %d; stratified by patient label it would hold about %.0f "
                        "(the whole set has %.1f%% AF patients)" % (name, af, count, af_share * count,
                                                                     100 * af_share))
    if "deterministic" in properties:
        again = value.get("again")
        if _split_format_problem(again, n) or any(not np.array_equal(np.sort(split[k]), np.sort(again[k]))
                                                  for k in ("train", "val", "test")):
            return "two calls with seed=%d gave different splits: draw from np.random.default_rng(seed)" % seed
        others = value.get("other_seeds") or []
        if others and all(not _split_format_problem(o, n) and np.array_equal(np.sort(o["test"]), np.sort(split["test"]))
                          for o in others):
            return "seeds %d, %d, %d and %d all gave the same test set: the seed should change the split" % (
                seed, seed + 1, seed + 2, seed + 3)
    return None


def _split_case(rng, properties, n_patients, af_fraction, test_size, val_size, **kw):
    X, y, patient_id = _patients(rng, n_patients, af_fraction, **kw)
    seed = int(rng.integers(0, 10000))
    label = ("split_by_patient(X, y, patient_id) with %d patients (%.0f%% AF), %d windows, test_size=%g, "
             "val_size=%g, seed=%d" % (n_patients, 100 * af_fraction, len(y), test_size, val_size, seed))
    return Case((X, y, patient_id, float(test_size), float(val_size), seed, list(properties)), label=label)


def _split_groups(rng):
    def size():
        return float(np.round(rng.uniform(0.15, 0.3), 2))

    sizes = []
    for _ in range(2):
        test_size = size()
        val_size = float(np.round(test_size + rng.choice([-1, 1]) * rng.uniform(0.05, 0.1), 2))
        sizes.append(_split_case(rng, ["sizes"], int(rng.integers(150, 260)), float(rng.uniform(0.3, 0.6)),
                                 test_size, val_size, order="shuffled"))
    strat = [_split_case(rng, ["stratified"], int(rng.integers(400, 600)), float(np.round(rng.uniform(0.3, 0.6), 2)),
                         size(), size(), windows=(1, 3), mixed_fraction=0.03, order=order)
             for order in ("label", "shuffled", "interleaved", "shuffled")]
    X, y, patient_id = _patients(rng, 12, 0.5)
    return [
        Group("every window in exactly one split, no patient in two", [
            _split_case(rng, ["no_leak"], int(rng.integers(40, 90)), 0.45, 0.2, 0.2, windows=(2, 8), order=order)
            for order in ("label", "interleaved")], weight=2),
        Group("sizes are fractions of patients (test_size, val_size)", sizes),
        Group("stratified: each split's share of AF patients is the whole set's", strat, weight=2),
        Group("the same seed gives the same split, other seeds other splits",
              [_split_case(rng, ["deterministic"], 120, 0.4, 0.2, 0.2, order="shuffled")]),
        Group("invalid input raises ValueError", [
            Case((X, y[:-1], patient_id, 0.2, 0.2, 0, []), label="split_by_patient(...) with len(y) = len(X) - 1"),
            Case((X, y, patient_id, 0.6, 0.5, 0, []), label="split_by_patient(..., test_size=0.6, val_size=0.5)"),
        ]),
    ]


# =========================================================================== build_model

#: Freshly initialised networks whose outputs must leave [0, 1] somewhere (see BUILD_PROBE).
LOGIT_INITS = 8

BUILD_PROBE = '''
def probe(ns, input_length, batch_sizes, seed, properties):
    import torch
    if FUNCTION not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % FUNCTION)
    state = torch.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = ns[FUNCTION](input_length)
        info = {"type": "%s.%s" % (type(model).__module__, type(model).__qualname__),
                "is_module": isinstance(model, torch.nn.Module)}
        if not info["is_module"]:
            return info
        info["parameters"] = int(sum(p.numel() for p in model.parameters() if p.requires_grad))
        generator = torch.Generator().manual_seed(seed)
        outputs = []
        runs = [("eval", n, 1.0) for n in batch_sizes] + [("train", 2, 1.0)]
        if "logits" in properties:
            # Behaviour, not construction: logits are unbounded, so inputs of growing amplitude must
            # give some output outside [0, 1]; a network ending in a sigmoid or softmax never does.
            # (A Sigmoid inside, e.g. squeeze-and-excitation gates, is fine.) Logits bounded by the
            # design (a GRU head: tanh states into a Linear layer) stay inside [0, 1] for about one
            # initialisation in 13, so LOGIT_INITS networks are built (seeds seed, seed + 1, ...): a
            # sigmoid at the output confines every one of them, such logits all of them ~1e-9 of the time.
            runs = [("eval", batch_sizes[0], scale, init) for init in range(LOGIT_INITS)
                    for scale in (1.0, 10.0, 100.0, 1000.0)]
        else:
            runs = [run + (0,) for run in runs]
        built = 0
        for mode, n, scale, init in runs:
            if init != built:
                torch.manual_seed(seed + init)
                model, built = ns[FUNCTION](input_length), init
            model.train(mode == "train")
            x = torch.randn(n, 1, input_length, generator=generator) * scale
            try:
                with torch.no_grad():
                    y = model(x)
            except Exception as error:
                info["error"] = "model(x) with x of shape (%d, 1, %d) in %s mode raised %s: %s" % (
                    n, input_length, mode, type(error).__name__, str(error)[:300])
                return info
            if not isinstance(y, torch.Tensor):
                info["error"] = "model(x) returned %s, not a tensor" % type(y).__name__
                return info
            finite = bool(torch.isfinite(y).all())
            outputs.append({"batch": n, "mode": mode, "scale": scale, "shape": list(y.shape), "dtype": str(y.dtype),
                            "finite": finite,
                            "min": float(y.min()) if finite and y.numel() else None,
                            "max": float(y.max()) if finite and y.numel() else None})
        info["outputs"] = outputs
        return info
    finally:
        torch.set_rng_state(state)
'''.replace("LOGIT_INITS", str(LOGIT_INITS))


def _no_expected(*args):
    return None


def _build_judge(case, expected, got):
    input_length, batch_sizes, seed, properties = case.args
    if got.raised:
        return _raised(got, "expected a torch.nn.Module")
    info = got.value
    if not isinstance(info, dict):
        return "the check could not read the result: %s" % short_repr(info)
    if not info.get("is_module"):
        return "build_model must return a torch.nn.Module, got %s" % info.get("type")
    if "error" in info:
        return info["error"]
    if "shape" in properties:
        for out in info["outputs"]:
            if out["shape"] != [out["batch"]]:
                squeezable = out["shape"] == [out["batch"], 1] or (out["shape"] == [] and out["batch"] == 1)
                hint = " (squeeze the last dimension only: .squeeze(1) or .squeeze(-1))" if squeezable else ""
                return ("input (%d, 1, %d) in %s mode: expected logits of shape (%d,), got shape %s%s"
                        % (out["batch"], input_length, out["mode"], out["batch"], tuple(out["shape"]), hint))
            if not out["dtype"].startswith("torch.float") or out["dtype"] == "torch.float16":
                return "expected float32 logits, got dtype %s" % out["dtype"]
            if not out["finite"]:
                return "input (%d, 1, %d): the output holds NaN or inf" % (out["batch"], input_length)
    if "parameters" in properties:
        count = info["parameters"]
        if not ref.MIN_PARAMETERS <= count <= ref.MAX_PARAMETERS:
            return ("the network has %s trainable parameters; the notebook asks for %s to %s (it must train "
                    "within the time budget)" % (f"{count:,}", f"{ref.MIN_PARAMETERS:,}", f"{ref.MAX_PARAMETERS:,}"))
    if "logits" in properties:
        ranges = [(out["min"], out["max"]) for out in info["outputs"] if out["min"] is not None]
        if ranges and all(0.0 <= low and high <= 1.0 for low, high in ranges):
            return ("model(x) stayed within [0, 1] for %d freshly built networks and inputs x of amplitude 1, 10, "
                    "100 and 1000 (outputs %.3g to %.3g): that looks like probabilities. build_model must return raw logits, unbounded real "
                    "numbers (no sigmoid or softmax at the output: BCEWithLogitsLoss and predict_proba apply the "
                    "sigmoid)" % (LOGIT_INITS, min(low for low, _ in ranges), max(high for _, high in ranges)))
    return None


def _build_groups(rng):
    other = [int(v) for v in rng.choice([1500, 2048, 2400, 3600, 4500, 6000], size=2, replace=False)]

    def case(length, sizes, properties):
        seed = int(rng.integers(0, 10000))
        if properties == ["parameters"]:
            label = "build_model(%d): its trainable parameters" % length
        elif properties == ["logits"]:
            label = ("build_model(%d), %d networks: their outputs in eval mode on x of shape (%d, 1, %d), "
                     "amplitudes 1 to 1000" % (length, LOGIT_INITS, sizes[0], length))
        else:
            label = "model = build_model(%d); model(x) for x of shape (n, 1, %d), n in %s" % (length, length, sizes)
        return Case((length, sizes, seed, properties), label=label)

    sizes = [1, int(rng.integers(3, 6)), int(rng.integers(7, 12))]
    return [
        Group("an nn.Module: (n, 1, 3000) -> (n,) float logits, eval and train mode",
              [case(3000, sizes, ["shape"])], weight=2),
        Group("other window lengths (5 to 20 s recordings)", [case(L, [int(rng.integers(2, 6))], ["shape"])
                                                              for L in other]),
        Group("between 1,000 and 1,000,000 trainable parameters", [case(3000, [2], ["parameters"])]),
        Group("returns logits: outputs not confined to [0, 1]", [case(3000, [3], ["logits"])]),
    ]


# =========================================================================== grader-owned networks

#: A small fixed network with dropout and batch norm, exec'd in the kernel (probes) and here
#: (references). It records how it is called, and accepts only (batch, 1, L) float32 input.
GRADER_NETWORK = '''
import numpy as _np
import torch as _torch


class GraderNet(_torch.nn.Module):
    """Conv1d -> BatchNorm -> ReLU -> global mean and max -> Dropout(0.5) -> Linear: (b, 1, L) -> (b,)."""

    def __init__(self, seed, channels=4, dropout=0.5, logit_scale=1.5):
        super().__init__()
        self.conv = _torch.nn.Conv1d(1, channels, 9, padding=4)
        self.norm = _torch.nn.BatchNorm1d(channels)
        self.dropout = _torch.nn.Dropout(dropout)
        self.head = _torch.nn.Linear(2 * channels, 1)
        rng = _np.random.default_rng(seed)
        with _torch.no_grad():
            for parameter in self.parameters():
                parameter.copy_(_torch.from_numpy(rng.normal(0.0, 0.5, size=tuple(parameter.shape))))
            self.norm.running_mean.copy_(_torch.from_numpy(rng.normal(0.0, 0.3, size=channels)))
            self.norm.running_var.copy_(_torch.from_numpy(rng.uniform(0.5, 2.0, size=channels)))
            # Centre and spread the logits on noise-like windows, so probabilities span (0, 1)
            # instead of saturating at 0 or 1 (where mistakes would hide).
            self.eval()
            probe = _torch.from_numpy(rng.normal(0.0, 1.0, size=(64, 1, 256)).astype(_np.float32))
            logits = self.head(self.dropout(self._pooled(probe))).squeeze(1)
            self.head.weight.mul_(logit_scale / max(float(logits.std()), 1e-3))
            self.head.bias.sub_(float(self.head(self._pooled(probe)).squeeze(1).mean()))
            self.train()
        self.calls = []

    def _pooled(self, x):
        h = _torch.relu(self.norm(self.conv(x)))
        return _torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)

    def forward(self, x):
        self.calls.append({"training": bool(self.training), "grad": bool(_torch.is_grad_enabled()),
                           "shape": list(x.shape), "dtype": str(x.dtype)})
        if x.ndim != 3 or x.shape[1] != 1:
            raise ValueError("the model expects a tensor of shape (batch, 1, L), got %s" % (tuple(x.shape),))
        if x.dtype != _torch.float32:
            raise TypeError("the model expects float32 input, got %s" % x.dtype)
        return self.head(self.dropout(self._pooled(x))).squeeze(1)


def grader_signals(seed, n, length, separation):
    """(X (n, length) float32 mV, y (n,)): class 1 has a 7 Hz ripple of amplitude ``separation``."""
    rng = _np.random.default_rng(seed)
    t = _np.arange(length) / 100.0
    y = _np.tile([0, 1], n // 2 + 1)[:n][rng.permutation(n)]
    X = rng.normal(0.0, 1.0, size=(n, length)) + 0.8 * _np.sin(2 * _np.pi * 1.3 * t + rng.uniform(0, 6, (n, 1)))
    X += separation * y[:, None] * _np.sin(2 * _np.pi * 7.0 * t + rng.uniform(0, 6, (n, 1)))
    X = X * rng.uniform(0.2, 2.0, (n, 1)) + rng.uniform(-1, 1, (n, 1))
    return X.astype(_np.float32), y
'''


@functools.lru_cache(maxsize=None)
def _grader_namespace():
    namespace = {}
    exec(compile(GRADER_NETWORK, "<grader network>", "exec"), namespace)
    return namespace


def _grader_net(seed, **kwargs):
    return _grader_namespace()["GraderNet"](seed, **kwargs)


# =========================================================================== predict_proba

PREDICT_PROBE = '''
def probe(ns, X, model_seed, kwargs, properties):
    import torch
    if FUNCTION not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % FUNCTION)
    network = {}
    exec(GRADER_NETWORK, network)
    model = network["GraderNet"](model_seed)
    model.train()                      # predict_proba must switch to eval mode itself
    grad = torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    try:
        result = ns[FUNCTION](model, X, **kwargs)
    finally:
        torch.set_grad_enabled(grad)
    return {"p": result, "type": "%s.%s" % (type(result).__module__, type(result).__name__), "calls": model.calls}
'''.replace("GRADER_NETWORK", repr(GRADER_NETWORK))


def _predict_reference(X, model_seed, kwargs, properties):
    import torch

    model = _grader_net(model_seed)
    return {"p": ref.predict_proba(model, X, **kwargs), "type": "numpy.ndarray", "calls": model.calls}


def _predict_judge(case, expected, got):
    X, model_seed, kwargs, properties = case.args
    n = len(X)
    if got.raised:
        return _raised(got, "expected %d probabilities" % n)
    value = got.value
    if not isinstance(value, dict):
        return "the check could not read the result: %s" % short_repr(value)
    p, calls = value["p"], value["calls"]
    if "mode" in properties:
        if any(c["training"] for c in calls):
            return ("the model was in training mode during prediction (dropout on, batch statistics): call "
                    "model.eval() first")
        if any(c["grad"] for c in calls):
            return "gradients were being recorded during prediction: predict inside torch.no_grad()"
    if "type" in properties:
        if value["type"] != "numpy.ndarray":
            return "expected a numpy array, got %s (convert with .numpy())" % value["type"]
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            return "expected a float array, got %s" % short_repr(p)
        if p.size and (p.min() < 0 or p.max() > 1):
            return ("probabilities must lie in [0, 1], got values from %.3g to %.3g: apply torch.sigmoid to the "
                    "logits" % (p.min(), p.max()))
    if "batching" in properties:
        seen = sum(c["shape"][0] for c in calls if c["shape"])
        biggest = max((c["shape"][0] for c in calls if c["shape"]), default=0)
        limit = kwargs.get("batch_size", 256)
        if seen != n:
            return "the model saw %d windows in total for %d windows: every window exactly once" % (seen, n)
        if biggest > limit:
            return "a batch of %d windows was passed to the model; batch_size=%d allows at most %d" % (
                biggest, limit, limit)
    if "values" in properties or "batching" in properties:
        if isinstance(p, (list, tuple)):
            p = np.asarray(p, dtype=float)
        why = compare(expected.value["p"], p, rtol=PROBABILITY_RTOL, atol=PROBABILITY_ATOL)
        if why:
            if isinstance(p, np.ndarray) and p.shape == (n,) and p.size and (p.min() < 0 or p.max() > 1):
                return why + ": values outside [0, 1] look like logits (apply torch.sigmoid)"
            return why + " (P(AF) of the grader's network on standardised windows, eval mode)"
    return None


def _predict_groups(rng):
    def case(n, length, properties, kwargs=None, offset=0.0, scale=1.0, label=""):
        X = (_windows(rng, n, length) * scale + offset).astype(np.float32) if n else np.zeros((0, length), np.float32)
        model_seed = int(rng.integers(0, 10000))
        text = "predict_proba(model, X of shape (%d, %d)%s)%s" % (
            n, length, "".join(", %s=%r" % kv for kv in (kwargs or {}).items()), label)
        return Case((X, model_seed, dict(kwargs or {}), properties), label=text)

    batch = int(rng.integers(8, 20))
    return [
        Group("P(AF) of a fixed network (with dropout) on standardised windows",
              [case(int(rng.integers(5, 12)), int(rng.integers(200, 400)), ["values"]) for _ in range(2)], weight=2),
        Group("raw mV windows are standardised first (offset and amplitude do not matter)",
              [case(6, 300, ["values"], offset=float(np.round(rng.uniform(1.5, 3), 2)),
                    scale=float(np.round(rng.uniform(4, 8), 1)), label=" with offset and gain")]),
        Group("eval mode (dropout off) and no gradients", [case(8, 250, ["mode"])], weight=2),
        Group("batches of at most batch_size, n not a multiple of it, every window once",
              [case(int(batch * rng.integers(2, 4) + rng.integers(1, batch)), 120, ["batching"], {"batch_size": batch}),
               case(300, 64, ["batching"]), case(1, 200, ["batching"])]),
        Group("returns a numpy float array (n,) of probabilities in [0, 1]", [case(5, 200, ["type"])]),
        Group("no windows: an empty array of shape (0,)", [case(0, 100, ["values"])], weight=0.5),
    ]


# =========================================================================== train_model

TRAIN_PROBE = '''
def probe(ns, data_seed, model_seed, kwargs, task, properties):
    import numpy as np
    import torch
    for name in (FUNCTION, "predict_proba"):
        if name not in ns:
            raise NameError("name %r is not defined: run the cell that defines it" % name)
    network = {}
    exec(GRADER_NETWORK, network)
    X, y = network["grader_signals"](data_seed, 96, 200, 1.0)
    X_val, y_val = network["grader_signals"](data_seed + 1, 48, 200, 1.0)
    if task == "flipped":
        # validation labels contradict the training labels: the more the network learns, the lower
        # its validation AUC, so the best epoch is an early one and later epochs are clearly worse
        y_val = 1 - y_val

    def history_of(result):
        history = result[1] if isinstance(result, tuple) and len(result) == 2 else result
        if not isinstance(history, dict):
            return {"not a dict": type(history).__name__}
        return {str(k): [float(v) for v in history[k]] for k in ("loss", "val_auc") if k in history}

    out = {}
    runs = 2 if "repeat" in properties else 1
    for run in range(runs):
        model = network["GraderNet"](model_seed, channels=4, dropout=0.2, logit_scale=1.0)
        result = ns[FUNCTION](model, X, y, X_val, y_val, **kwargs)
        out["history" if run == 0 else "again"] = history_of(result)
        if run == 0:
            out["p_val"] = np.asarray(ns["predict_proba"](model, X_val), dtype=float)
    return out
'''.replace("GRADER_NETWORK", repr(GRADER_NETWORK))


def _train_reference(data_seed, model_seed, kwargs, task, properties):
    return None


def _val_labels(data_seed, task):
    y_val = _grader_namespace()["grader_signals"](data_seed + 1, 48, 200, 1.0)[1]
    return 1 - y_val if task == "flipped" else y_val


def _train_judge(case, expected, got):
    from sklearn.metrics import roc_auc_score

    data_seed, model_seed, kwargs, task, properties = case.args
    if got.raised:
        return _raised(got, "expected a history dict")
    value = got.value
    history = value.get("history") if isinstance(value, dict) else None
    if not isinstance(history, dict) or "not a dict" in history:
        return "train_model should return a dict history, got %s" % (history or {}).get("not a dict", "something else")
    for key in ("loss", "val_auc"):
        if key not in history:
            return "the history has no %r list (keys: %s)" % (key, sorted(history))
    loss, auc = history["loss"], history["val_auc"]
    epochs = kwargs["epochs"]
    if len(loss) != len(auc) or not 1 <= len(loss) <= epochs:
        return ("expected one 'loss' and one 'val_auc' entry per epoch run (1 to %d), got %d and %d"
                % (epochs, len(loss), len(auc)))
    if not np.all(np.isfinite(loss)) or not all(0 <= a <= 1 for a in auc):
        return "the history should hold finite losses and AUCs in [0, 1], got loss %s, val_auc %s" % (
            short_repr(loss), short_repr(auc))
    if "repeat" in properties:
        again = value.get("again", {})
        if (again.get("loss") is None or len(again["loss"]) != len(loss)
                or not np.allclose(again["loss"], loss, rtol=1e-5, atol=1e-7)):
            return ("two runs with seed=%d from the same initial weights gave different losses (%s vs %s): seed "
                    "torch (torch.manual_seed(seed)) and the shuffling" % (kwargs["seed"], short_repr(loss),
                                                                           short_repr(again.get("loss"))))
    if "early" in properties:
        patience = kwargs["patience"]
        first_best = int(np.argmax(auc))
        last_best = len(auc) - 1 - int(np.argmax(auc[::-1]))
        if len(auc) > last_best + 1 + patience:
            return ("with patience=%d training should stop %d epochs after the best validation AUC (epoch %d), but "
                    "it ran %d epochs: val_auc %s" % (patience, patience, last_best + 1, len(auc), short_repr(auc)))
        if len(auc) < min(epochs, first_best + 1 + patience):
            return ("with patience=%d training stopped after %d epochs, only %d after the best validation AUC "
                    "(epoch %d): val_auc %s" % (patience, len(auc), len(auc) - first_best - 1, first_best + 1,
                                                short_repr(auc)))
    if "best" in properties:
        p = value.get("p_val")
        final = float(roc_auc_score(_val_labels(data_seed, task), p))
        pairs = 24 * 24
        if abs(final - max(auc)) > 0.5 / pairs:  # the same weights give the same AUC; one swapped pair is 1/576
            return ("after training the model's validation AUC is %.4f, but the best epoch reached %.4f: keep a "
                    "copy of the best weights (copy.deepcopy(model.state_dict())) and load them at the end"
                    % (final, max(auc)))
    if "budget" in properties:
        if len(loss) != 1:
            return ("with time_budget_s=0 training should stop after the first epoch (the budget is checked "
                    "after each epoch), but it ran %d epochs" % len(loss))
    return None


def _train_groups(rng):
    def case(task, properties, **kwargs):
        kwargs = {k: (float(v) if isinstance(v, float) else int(v)) for k, v in kwargs.items()}
        label = "train_model(grader's small network, %s signals, 96 windows, %s)" % (
            "separable" if task == "easy" else "separable, validation labels flipped", ", ".join("%s=%r" % kv for kv in kwargs.items()))
        return Case((int(rng.integers(0, 10000)), int(rng.integers(0, 10000)), kwargs, task, properties),
                    label=label)

    return [
        Group("returns a history: 'loss' and 'val_auc', one entry per epoch",
              [case("easy", ["history"], epochs=int(rng.integers(2, 4)), seed=int(rng.integers(0, 100)))]),
        Group("the same seed gives the same history",
              [case("easy", ["repeat"], epochs=2, seed=int(rng.integers(0, 100)))]),
        Group("early stopping: stops `patience` epochs after the best validation AUC",
              [case("flipped", ["early"], epochs=10, patience=int(p), seed=int(rng.integers(0, 100)))
               for p in (1, 2)]),
        Group("restores the weights of the best validation AUC",
              [case("flipped", ["best"], epochs=10, patience=int(p), seed=int(rng.integers(0, 100)))
               for p in (1, 2, 3)]),
        Group("stops once time_budget_s of processor time has passed (after one epoch at least)",
              [case("easy", ["budget"], epochs=4, time_budget_s=0.0, seed=int(rng.integers(0, 100)))]),
    ]


# =========================================================================== the capstone: hidden AUC

HIDDEN_FILE = "af_hidden_signals.npy"

#: The capstone's trained ``model`` scored on the hidden split (coursekit.hidden_scoring: signals only
#: in the kernel, shuffled per run; the AUC and its tiers, grading.TIERS, computed here).
HIDDEN = HiddenScoring(model="model", file_name=HIDDEN_FILE, load=grading.load_hidden,
                       reference_auc=grading.reference_auc, tiers=grading.TIERS,
                       title="ROC AUC of your trained model on the grader's hidden ECG windows", what="raw mV",
                       timeout=HIDDEN_PREDICTION_TIMEOUT_S)


CHECKS = [
    Check("af_cnn.load_af_data", "load_af_data", _load_reference, _load_groups, probe=LOAD_PROBE,
          judge=_load_judge, kernel_files=_load_files),
    Check("af_cnn.standardize", "standardize", ref.standardize, _standardize_groups, judge=_standardize_judge),
    Check("af_cnn.split_by_patient", "split_by_patient", _split_reference, _split_groups, probe=SPLIT_PROBE,
          judge=_split_judge, timeout=30.0),
    Check("af_cnn.build_model", "build_model", _no_expected, _build_groups, probe=BUILD_PROBE,
          judge=_build_judge, timeout=30.0),
    Check("af_cnn.predict_proba", "predict_proba", _predict_reference, _predict_groups, probe=PREDICT_PROBE,
          judge=_predict_judge),
    Check("af_cnn.train_model", "train_model", _train_reference, _train_groups, probe=TRAIN_PROBE,
          judge=_train_judge, timeout=60.0),
    HIDDEN.check("af_cnn.hidden_auc"),
]
