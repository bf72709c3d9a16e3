"""Hidden tests for 01_perceptron (notebook ``source/01_perceptron/perceptron.ipynb``).

One check per graded behaviour; each draws fresh inputs from ``rng`` only. Every group is
built so that a correct implementation passes whatever the seed and order of floating-point
operations (no decision sits within ``TIE_GUARD`` of the threshold unless it is an exact
tie computed exactly), and so that each fault in ``reference/perceptron/wrong.py``
fails at least one group in every grading run.
"""

import numpy as np

from coursekit.checks import Case, Check, Group, Outcome, compare, default_judge, short_repr
from coursekit.upstream import UPSTREAM_PROBE, own_upstream_judge, with_upstream
from reference.perceptron import solution as ref

#: A decision w . x + b closer than this to 0 (but not an exact tie) could flip between two
#: correct implementations that sum in a different order (float64 rounding is ~1e-16
#: relative); such data sets are redrawn rather than graded.
TIE_GUARD = 1e-9

#: Learning rates that are exact in binary: with integer inputs every weight stays an exact
#: dyadic number, so ties w . x + b = 0 are exact in any summation order.
DYADIC_LEARNING_RATES = (0.25, 0.5, 1.0, 2.0)

#: Gate names no single perceptron function accepts (none of them is NOR: a student who
#: adds NOR as an extra gate should not lose points for it).
UNKNOWN_GATES = ("NOT", "IMPLIES", "MAJORITY", "BUFFER", "AND3", "", "X0R", "NXOR")


# --------------------------------------------------------------------------- judges

def _is_boolean(value):
    return isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == np.bool_)


def _labels_judge(case, expected, got):
    """The default comparison, but 0/1 (or +1/-1) labels must be numbers, not booleans."""
    if not got.raised and _is_boolean(got.value):
        return "expected numbers %s, got booleans %s (convert with .astype(int))" % (
            short_repr(expected.value), short_repr(got.value))
    return default_judge(expected, got)


def _gate_judge(case, expected, got):
    """Judge (w, b) by what it computes: step(w . x + b) on the 4 binary inputs is the truth table."""
    gate = case.args[0]
    if got.raised:
        return "expected weights (w, b) for %s, but it %s" % (gate, got.describe())
    value = got.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return "expected a pair (w, b), got %s" % short_repr(value)
    w, b = value
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        return "expected w to be an array of 2 numbers, got %s" % short_repr(w)
    if w.shape != (2,):
        return "expected w of shape (2,), got shape %s" % (w.shape,)
    if isinstance(b, np.ndarray) and b.ndim == 0:
        b = b.item()
    if _is_boolean(b) or not isinstance(b, (int, float, np.integer, np.floating)):
        return "expected b to be a number, got %s" % short_repr(b)
    outputs = (ref.GATE_INPUTS @ w + float(b) >= 0).astype(int)
    table = ref.TRUTH_TABLES[gate]
    if not np.array_equal(outputs, table):
        return ("w=%s, b=%s give step(w.x + b) = %s on the inputs (0,0), (0,1), (1,0), (1,1), "
                "but the %s truth table is %s" % (short_repr(w), short_repr(b), outputs.tolist(), gate,
                                                   table.tolist()))
    return None


def _gate_error_judge(case, expected, got):
    gate = case.args[0]
    if not got.raised:
        return "expected ValueError, got %s" % short_repr(got.value)
    if "ValueError" not in got.raised:
        return "expected ValueError, got %s" % got.describe()
    if gate == "XOR" and "linearly separable" not in got.message.lower().replace("-", " "):
        return ("the ValueError for XOR should say why no perceptron exists (it is not linearly "
                "separable); its message was %r" % got.message)
    return None


def _train_judge(case, expected, got):
    """(w, b, errors_per_epoch): the error counts first (they show where the run diverged), then w, b."""
    if expected.raised:
        return default_judge(expected, got)
    if got.raised:
        return "expected (w, b, errors_per_epoch), but it %s" % got.describe()
    value = got.value
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        return "expected a tuple (w, b, errors_per_epoch), got %s" % short_repr(value)
    w_expected, b_expected, errors_expected = expected.value
    w_got, b_got, errors_got = value
    if isinstance(errors_got, np.ndarray) and errors_got.ndim == 1:
        errors_got = errors_got.tolist()
    if not isinstance(errors_got, (list, tuple)):
        return "errors_per_epoch should be a list with one count per epoch, got %s" % short_repr(errors_got)
    if compare(list(errors_expected), list(errors_got), rtol=0.0, atol=0.0):
        return "errors_per_epoch: expected %s, got %s" % (short_repr(list(errors_expected)),
                                                         short_repr(list(errors_got)))
    # Weights are sums of the same few terms in every correct implementation; the default
    # tolerances leave room for a different order of the additions.
    return compare(w_expected, w_got, path="w") or compare(b_expected, b_got, path="b")


# --------------------------------------------------------------------------- inputs

def _floats(rng, size, scale=2.0, decimals=2):
    """Readable random floats (a few decimals), never exactly 0."""
    values = np.round(rng.normal(0.0, scale, size=size), decimals)
    return np.where(values == 0, 0.5, values)


def _step_groups(rng):
    ints = rng.integers(-3, 4, size=9)
    ints[rng.integers(0, 9)] = 0  # at least one tie
    return [
        Group("scalars", [Case((float(z),)) for z in _floats(rng, 4, 3.0)]),
        Group("zero follows the convention step(0) = 1", [Case((0.0,)), Case((np.zeros(3),))]),
        Group("arrays", [Case((_floats(rng, n),)) for n in (1, 5, 17)]),
        Group("2-D arrays keep their shape", [Case((_floats(rng, (3, 4)),))]),
        Group("integer arrays (ties at 0)", [Case((ints,))]),
    ]


def _sign_groups(rng):
    ints = rng.integers(-3, 4, size=9)
    ints[rng.integers(0, 9)] = 0
    return [
        Group("scalars", [Case((float(z),)) for z in _floats(rng, 4, 3.0)]),
        Group("zero follows the convention sign(0) = +1", [Case((0.0,)), Case((np.zeros(4),))]),
        Group("arrays", [Case((_floats(rng, n),)) for n in (2, 7, 15)]),
        Group("2-D arrays keep their shape", [Case((_floats(rng, (4, 3)),))]),
        Group("integer arrays (ties at 0)", [Case((ints,))]),
    ]


def _sigmoid_groups(rng):
    ints = rng.integers(-6, 7, size=7)
    return [
        Group("scalars give a float", [Case((float(z),)) for z in _floats(rng, 4, 3.0, decimals=3)]),
        Group("sigmoid(0) = 0.5", [Case((0.0,)), Case((np.zeros(3),))]),
        Group("arrays", [Case((_floats(rng, n, 4.0, 3),)) for n in (1, 6, 20)]),
        Group("2-D arrays keep their shape", [Case((_floats(rng, (2, 5), 4.0, 3),))]),
        Group("integer arrays (the result is float)", [Case((ints,))]),
        Group("tails up to |z| = 30", [Case((np.round(rng.uniform(-30, -12, size=4), 2),)),
                                       Case((np.round(rng.uniform(12, 30, size=4), 2),))]),
    ]


def _sigmoid_stable_groups(rng):
    # exp(-z) overflows float64 for z < -709.78, exp(z) for z > 709.78.
    mixed = np.round(rng.uniform(-1000, 1000, size=12), 1)
    mixed[:2] = np.round(rng.uniform(-1000, -750, size=2), 1)
    mixed[2:4] = np.round(rng.uniform(750, 1000, size=2), 1)
    rng.shuffle(mixed)
    return [
        Group("large negative z (exp(-z) would overflow)",
              [Case((float(np.round(rng.uniform(-1000, -720), 1)),)), Case((-1000.0,))]),
        Group("large positive z (exp(z) would overflow)",
              [Case((float(np.round(rng.uniform(720, 1000), 1)),)), Case((1000.0,))]),
        Group("arrays spanning [-1000, 1000]", [Case((mixed,)), Case((mixed.reshape(3, 4),))]),
    ]


#: Runs the student's sigmoid with overflow/invalid/divide warnings recorded (whatever the
#: notebook set with np.seterr or warnings filters) and returns (value, [warning texts]).
SIGMOID_STABLE_PROBE = '''
def probe(ns, *args, **kwargs):
    import warnings
    import numpy as np
    if FUNCTION not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % FUNCTION)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Underflow (exp(-1000) -> 0) is what a stable sigmoid relies on: never a fault.
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            value = ns[FUNCTION](*args, **kwargs)
    return value, ["%s: %s" % (w.category.__name__, w.message) for w in caught
                   if issubclass(w.category, RuntimeWarning)]
'''


def _sigmoid_without_warnings(z):
    return ref.sigmoid(z), []


def _sigmoid_stable_judge(case, expected, got):
    if got.raised:
        return "expected %s, but it %s" % (short_repr(expected.value[0]), got.describe())
    value = got.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:  # only a broken probe gets here
        return "the check could not read the result: %s" % short_repr(value)
    why = compare(expected.value[0], value[0])
    if why:
        return why
    if value[1]:
        return ("it emitted %d RuntimeWarning%s (first: %s): compute it so that exp never sees a large "
                "positive number" % (len(value[1]), "" if len(value[1]) == 1 else "s", value[1][0]))
    return None


def _weighted_sum_groups(rng):
    def batch(n, m):
        return Case((_floats(rng, (n, m)), _floats(rng, m, 1.0), float(_floats(rng, 1, 1.0)[0])))

    def one(m):
        return Case((_floats(rng, m), _floats(rng, m, 1.0), float(_floats(rng, 1, 1.0)[0])))

    n, m = rng.integers(2, 7, size=2)
    if n == m:
        n += 1
    square = int(rng.integers(2, 5))
    mismatch_m = int(rng.integers(2, 5))
    return [
        Group("batch X of shape (n, m) gives shape (n,)", [batch(int(n), int(m)), batch(square, square),
                                                          batch(int(rng.integers(5, 12)), 1)]),
        Group("integer X", [Case((rng.integers(-3, 4, size=(4, 3)), _floats(rng, 3, 1.0), -0.5))]),
        Group("one sample X of shape (m,) gives a scalar", [one(int(k)) for k in rng.integers(1, 6, size=3)]),
        Group("X's last dimension differs from len(w): ValueError",
              [Case((_floats(rng, (3, mismatch_m)), _floats(rng, mismatch_m + 1), 0.5)),
               Case((_floats(rng, mismatch_m + 1), _floats(rng, mismatch_m), 0.5))]),
    ]


def _predict_groups(rng):
    def batch(n, m):
        while True:  # the bias must move at least one point across the boundary
            X, w, b = _floats(rng, (n, m)), _floats(rng, m, 1.0), float(_floats(rng, 1, 1.0)[0])
            if (ref.predict(X, w, b) != ref.predict(X, w, 0.0)).any() and _fair_decisions(X @ w + b):
                return Case((X, w, b))

    def one(m):
        while True:
            x, w, b = _floats(rng, m), _floats(rng, m, 1.0), float(_floats(rng, 1)[0])
            if _fair_decisions(x @ w + b):
                return Case((x, w, b))

    # Integer weights and inputs: ties w . x + b = 0 are exact. w2 = +-1 lets us solve for x2.
    w1 = int(rng.integers(1, 4)) * int(rng.choice([-1, 1]))
    w2 = int(rng.choice([-1, 1]))
    b = int(rng.integers(-3, 4))
    x1 = rng.integers(-3, 4, size=4)
    tie_rows = np.stack([x1, -(b + w1 * x1) * w2], axis=1)
    other_rows = rng.integers(-3, 4, size=(2, 2))
    # 6 rows x 2 = 12 numbers: short enough for the feedback to show the whole input.
    X_ties = np.concatenate([tie_rows, other_rows])[rng.permutation(6)]
    w_ties = np.array([w1, w2], dtype=float)

    return [
        Group("batch X of shape (n, m): labels 0/1 as numbers", [batch(6, 2), batch(9, 4)]),
        Group("one sample X of shape (m,) gives a scalar label", [one(m) for m in (2, 3, 5)]),
        Group("points on the boundary (w.x + b = 0) get label 1", [Case((X_ties, w_ties, float(b)))]),
    ]


def _predict_upstream(X, w, b):
    """predict reuses weighted_sum and step (the notebook says so): ask for the student's own."""
    return [("weighted_sum", (X, w, b), {}), ("step", (ref.weighted_sum(X, w, b),), {})]


def _predict_from_own_parts(case, values):
    """step(weighted_sum(X, w, b)) built from whichever of the student's two parts is wrong."""
    z_student, labels_student = values
    X, w, b = case.args
    z = ref.weighted_sum(X, w, b)
    weighted_sum_right = compare(z, z_student) is None
    step_right = _labels_judge(case, Outcome(value=ref.step(z)), Outcome(value=labels_student)) is None
    if weighted_sum_right and not step_right:
        return labels_student
    if step_right and not weighted_sum_right:
        return ref.step(np.asarray(z_student, dtype=float))
    raise ValueError("both parts are wrong: no single fault to trace")


def _fair_decisions(z):
    """No float decision within TIE_GUARD of the threshold (it could flip with the summation order)."""
    return bool(np.all(np.abs(z) >= TIE_GUARD))


def _gate_groups(rng):
    return [Group(gate, [Case((gate,))]) for gate in ("AND", "OR", "NAND")]


def _gate_error_groups(rng):
    names = [str(n) for n in rng.choice(UNKNOWN_GATES, size=2, replace=False)]
    return [
        Group("XOR raises ValueError saying why", [Case(("XOR",))]),
        Group("unknown gate names raise ValueError", [Case((name,)) for name in names]),
    ]


def _fair(X, y, lr, max_epochs, exact):
    """True when no decision of the run sits within TIE_GUARD of the threshold (see the module doc)."""
    for z, from_zero in ref.training_margins(X, y, lr, max_epochs):
        if from_zero or (exact and z == 0):
            continue
        if abs(z) < TIE_GUARD:
            return False
    return True


def _separable(rng, n, m, *, margin=0.2, lr=1.0, max_epochs=100, min_epochs=1, converge=True):
    """Linearly separable (X, y): n rows with m features, labels from a random hyperplane.

    Redrawn until the reference run is fair and converges within ``max_epochs`` (or, with
    ``converge=False``, still has errors after ``max_epochs``) and takes >= ``min_epochs``.
    """
    while True:
        w_true = rng.normal(size=m)
        w_true /= np.linalg.norm(w_true)
        b_true = rng.normal(0.0, 0.5)
        X = np.round(rng.normal(0.0, 1.0, size=(4 * n, m)), 2)
        distance = X @ w_true + b_true
        keep = np.abs(distance) >= margin
        if keep.sum() < n:
            continue
        X, y = X[keep][:n], (distance[keep][:n] >= 0).astype(int)
        errors = ref.perceptron_train(X, y, lr, max_epochs)[2]
        if converge != (errors[-1] == 0) or len(errors) < min_epochs:
            continue
        if _fair(X, y, lr, max_epochs, exact=False):
            return X, y


#: perceptron_train applies the student's step (the notebook's solution does, and says so): these
#: calls tell the grader which convention that step follows, so that a wrong step is charged
#: in the step check only (coursekit/upstream.py).
STEP_PROBES = (-1.5, 0.0, 2.0)


def _train_upstream(X, y, lr=1.0, max_epochs=100):
    return [("step", (z,), {}) for z in STEP_PROBES]


def _train_with_own_step(case, step_values):
    """The learning rule run with a step that answers like the student's on z < 0, z = 0, z > 0."""
    below, at_zero, above = (float(np.asarray(v, dtype=float)) for v in step_values)

    def student_step(z):
        return below if z < 0 else (at_zero if z == 0 else above)

    X, y = np.asarray(case.args[0], dtype=float), np.asarray(case.args[1])
    lr, max_epochs = case.kwargs.get("lr", 1.0), case.kwargs.get("max_epochs", 100)
    w, b, errors_per_epoch = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_epochs):
        errors = 0
        for x_i, y_i in zip(X, y):
            error = y_i - student_step(np.dot(w, x_i) + b)
            if error != 0:
                w, b, errors = w + lr * error * x_i, b + lr * error, errors + 1
        errors_per_epoch.append(errors)
        if errors == 0:
            break
    return w, float(b), errors_per_epoch


def _train_case(X, y, lr=None, max_epochs=None, label=None):
    kwargs = {}
    if lr is not None:
        kwargs["lr"] = float(lr)
    if max_epochs is not None:
        kwargs["max_epochs"] = int(max_epochs)
    if label is None and X.size > 12:
        extra = "".join(", %s=%r" % item for item in kwargs.items())
        label = "perceptron_train(X of shape %s, y with %d ones of %d%s)" % (X.shape, int(np.sum(y)), len(y), extra)
    return Case((X, y), kwargs, label)


def _shuffled_order(rng, n):
    """A permutation other than the identity: the public tests use truth tables in natural order."""
    while True:
        order = rng.permutation(n)
        if (order != np.arange(n)).any():
            return order


def _gate_training_case(rng, gate, n_inputs):
    X = np.array([[(i >> k) & 1 for k in reversed(range(n_inputs))] for i in range(2 ** n_inputs)])
    y = {"AND": X.all(axis=1), "OR": X.any(axis=1), "NAND": ~X.all(axis=1)}[gate].astype(int)
    order = _shuffled_order(rng, len(X))
    lr = float(rng.choice(DYADIC_LEARNING_RATES))
    label = None
    if n_inputs > 2:
        label = "perceptron_train(X = the %d rows of the %d-input %s truth table in a shuffled order, y, lr=%r)" % (
            len(X), n_inputs, gate, lr)
    return _train_case(X[order], y[order], lr=lr, label=label)


def _train_groups(rng):
    gates = [g for g in rng.permutation(["AND", "OR", "NAND"])[:2]]
    default_lr = [_separable(rng, int(n), int(m)) for n, m in zip(rng.integers(8, 30, size=2),
                                                                   rng.integers(1, 5, size=2))]
    other_lr = []
    for n, m in zip(rng.integers(8, 30, size=2), rng.integers(2, 6, size=2)):
        lr = float(np.round(rng.uniform(0.05, 3.0), 3))
        if lr == 1.0:
            lr = 0.5
        other_lr.append(_train_case(*_separable(rng, int(n), int(m), lr=lr), lr=lr))
    # Not yet converged when max_epochs runs out: draw data needing >= 3 epochs, stop earlier.
    X_slow, y_slow = _separable(rng, 40, 3, margin=0.02, min_epochs=3)
    needed = len(ref.perceptron_train(X_slow, y_slow)[2])
    cut = int(rng.integers(1, min(needed - 1, 6) + 1))
    lr_slow = float(np.round(rng.uniform(0.1, 2.0), 2))
    one_x = _floats(rng, (1, 3))
    return [
        Group("logic gates (integer inputs, rows in random order, exact ties at w.x + b = 0)",
              [_gate_training_case(rng, gates[0], 2), _gate_training_case(rng, gates[1], 3)]),
        Group("separable data, default lr and max_epochs", [_train_case(X, y) for X, y in default_lr]),
        Group("separable data, other learning rates", other_lr),
        Group("stops after max_epochs when not converged yet",
              [_train_case(X_slow, y_slow, lr=lr_slow, max_epochs=cut)]),
        Group("edge cases: one sample, one class only",
              [_train_case(one_x, np.array([0])), _train_case(one_x, np.array([1]), lr=0.5),
               _train_case(_floats(rng, (5, 2)), np.zeros(5, dtype=int), lr=0.25)]),
    ]


def _train_xor_groups(rng):
    xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    cases = []
    for _ in range(2):
        order = _shuffled_order(rng, 4)
        cases.append(_train_case(xor[order], (xor[order, 0] ^ xor[order, 1]).astype(int),
                                 lr=float(rng.choice(DYADIC_LEARNING_RATES)), max_epochs=int(rng.integers(5, 40))))
    parity = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)])[rng.permutation(8)]
    return [
        Group("XOR: runs all max_epochs, errors remain", cases),
        Group("default max_epochs = 100 on XOR", [_train_case(xor[::-1].copy(), np.array([0, 1, 1, 0]))]),
        Group("3-input parity (not separable either)",
              [_train_case(parity, parity.sum(axis=1) % 2, lr=float(rng.choice(DYADIC_LEARNING_RATES)),
                           max_epochs=int(rng.integers(5, 30)))]),
    ]


def _train_invalid_groups(rng):
    n, m = int(rng.integers(3, 7)), int(rng.integers(1, 4))
    X = _floats(rng, (n, m))
    y = rng.permutation(np.arange(n) % 2)  # both classes, so that 2 * y - 1 holds a -1
    bad_labels = y.copy()
    bad_labels[rng.integers(0, n)] = 2
    return [
        Group("len(X) != len(y) raises ValueError",
              [Case((X, np.append(y, 1))), Case((X, y[:-1]))]),
        Group("labels other than 0/1 raise ValueError",
              [Case((X, 2 * y - 1)), Case((X, bad_labels))]),
        Group("lr <= 0 raises ValueError",
              [Case((X, y), {"lr": 0.0}), Case((X, y), {"lr": -float(np.round(rng.uniform(0.1, 2), 2))})]),
    ]


CHECKS = [
    Check("perceptron.step", "step", ref.step, _step_groups, judge=_labels_judge),
    Check("perceptron.sign", "sign", ref.sign, _sign_groups, judge=_labels_judge),
    Check("perceptron.sigmoid", "sigmoid", ref.sigmoid, _sigmoid_groups),
    # isolated: warnings in the kernel can be silenced by the function itself (np.errstate inside it),
    # so every case also runs in a fresh grader-owned process where numpy raises on overflow and the
    # function's np.errstate / np.seterr / warning filters do nothing (coursekit/isolated.py).
    Check("perceptron.sigmoid_stable", "sigmoid", _sigmoid_without_warnings, _sigmoid_stable_groups,
          probe=SIGMOID_STABLE_PROBE, judge=_sigmoid_stable_judge, isolated=True),
    Check("perceptron.weighted_sum", "weighted_sum", ref.weighted_sum, _weighted_sum_groups),
    Check("perceptron.predict", "predict", ref.predict, with_upstream(_predict_groups, _predict_upstream),
          probe=UPSTREAM_PROBE, judge=own_upstream_judge(ref, _predict_from_own_parts, _labels_judge,
                                                           upstream_judges={"step": _labels_judge})),
    Check("perceptron.logic_gate_weights", "logic_gate_weights", ref.logic_gate_weights, _gate_groups,
          judge=_gate_judge),
    Check("perceptron.logic_gate_weights_invalid", "logic_gate_weights", ref.logic_gate_weights,
          _gate_error_groups, judge=_gate_error_judge),
    Check("perceptron.perceptron_train", "perceptron_train", ref.perceptron_train,
          with_upstream(_train_groups, _train_upstream), probe=UPSTREAM_PROBE,
          judge=own_upstream_judge(ref, _train_with_own_step, _train_judge, upstream_judges={"step": _labels_judge})),
    Check("perceptron.perceptron_train_xor", "perceptron_train", ref.perceptron_train,
          with_upstream(_train_xor_groups, _train_upstream), probe=UPSTREAM_PROBE,
          judge=own_upstream_judge(ref, _train_with_own_step, _train_judge, upstream_judges={"step": _labels_judge})),
    Check("perceptron.perceptron_train_invalid", "perceptron_train", ref.perceptron_train,
          _train_invalid_groups),
]
