"""Correct alternatives of 01_perceptron, written in the styles students really use, named after the style.

Each entry is a complete answer cell (numpy available as ``np``) executed over the reference
solution's namespace, so that a ``predict`` calling ``step`` gets a correct ``step``; it must keep
every point of every hidden check of its function on every grading seed (the generic unit tests
run each one; ``CHECKS_OF`` lists the checks of the functions with more than one).

The notebook allows any numpy (and does not forbid PyTorch). ``scipy.special.expit`` and
``torch.sigmoid`` return exact values and report no overflow, so they keep every point of the
stability check too (``sigmoid_stable``, judged again in a fresh process where numpy raises on
overflow and the function cannot switch that off: coursekit/isolated.py);
grader_tests/test_correct_alternatives.py proves it through that process.
"""

from coursekit.manifest import Alternative

ENTRIES = [
    # ------------------------------------------------------------------ weighted_sum
    ("weighted_sum_dot", "weighted_sum", """
def weighted_sum(X, w, b):
    X, w = np.asarray(X), np.asarray(w)
    if X.shape[-1] != w.shape[0]:
        raise ValueError("X has %d features, w has %d weights" % (X.shape[-1], w.shape[0]))
    return np.dot(X, w) + b
"""),
    ("weighted_sum_python_loops", "weighted_sum", """
def weighted_sum(X, w, b):
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    if X.shape[-1] != len(w):
        raise ValueError("shape mismatch")
    if X.ndim == 1:
        total = b
        for j in range(len(w)):
            total += X[j] * w[j]
        return float(total)
    z = []
    for row in X:
        total = 0.0
        for x_j, w_j in zip(row, w):
            total += x_j * w_j
        z.append(total + b)
    return np.array(z)
"""),
    ("weighted_sum_broadcast_multiply_sum", "weighted_sum", """
def weighted_sum(X, w, b):
    X = np.asarray(X, dtype=np.float64)
    if X.shape[-1] != np.size(w):
        raise ValueError("X's last dimension must equal len(w)")
    return (X * w).sum(axis=-1) + b
"""),
    ("weighted_sum_einsum", "weighted_sum", """
def weighted_sum(X, w, b):
    X, w = np.asarray(X, dtype=float), np.asarray(w, dtype=float)
    if X.shape[-1] != len(w):
        raise ValueError("shape mismatch")
    return np.einsum("...j,j->...", X, w) + b
"""),
    ("weighted_sum_relies_on_matmul_error", "weighted_sum", """
def weighted_sum(X, w, b):
    return np.matmul(X, w) + b
"""),
    ("weighted_sum_torch_float64", "weighted_sum", """
import torch
def weighted_sum(X, w, b):
    X_t, w_t = torch.as_tensor(np.asarray(X, dtype=float)), torch.as_tensor(np.asarray(w, dtype=float))
    if X_t.shape[-1] != w_t.shape[0]:
        raise ValueError("shape mismatch")
    z = (X_t @ w_t + b).numpy()
    return z if z.ndim else float(z)
"""),
    # ------------------------------------------------------------------ step
    ("step_where_ints", "step", """
def step(z):
    return np.where(np.asarray(z) >= 0, 1, 0)
"""),
    ("step_heaviside_floats", "step", """
def step(z):
    return np.heaviside(z, 1.0)
"""),
    ("step_python_loop", "step", """
def step(z):
    if np.ndim(z) == 0:
        return 1 if z >= 0 else 0
    z = np.asarray(z)
    out = np.zeros(z.shape, dtype=int)
    for index in np.ndindex(z.shape):
        out[index] = 1 if z[index] >= 0 else 0
    return out
"""),
    ("step_float32_mask_in_place", "step", """
def step(z):
    out = np.array(z, dtype=np.float32)
    negative = out < 0
    out[negative] = 0
    out[~negative] = 1
    return out
"""),
    ("step_torch", "step", """
import torch
def step(z):
    result = (torch.as_tensor(np.asarray(z, dtype=float)) >= 0).long().numpy()
    return result if result.ndim else int(result)
"""),
    # ------------------------------------------------------------------ sign
    ("sign_from_step", "sign", """
def sign(z):
    return 2 * step(z) - 1
"""),
    ("sign_np_sign_zero_fixed", "sign", """
def sign(z):
    s = np.sign(np.asarray(z, dtype=float))
    return np.where(s == 0, 1.0, s)
"""),
    ("sign_vectorize", "sign", """
def sign(z):
    return np.vectorize(lambda v: 1 if v >= 0 else -1)(z)
"""),
    ("sign_ones_then_mask", "sign", """
def sign(z):
    z = np.asarray(z)
    out = np.ones(z.shape, dtype=np.int32)
    out[z < 0] = -1
    return out[()]
"""),
    # ------------------------------------------------------------------ sigmoid (value and stability)
    ("sigmoid_logaddexp", "sigmoid", """
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))
"""),
    ("sigmoid_tanh", "sigmoid", """
def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))
"""),
    ("sigmoid_exp_of_minus_abs_where", "sigmoid", """
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
"""),
    ("sigmoid_python_loop_math", "sigmoid", """
import math
def sigmoid(z):
    def one(v):
        if v >= 0:
            return 1.0 / (1.0 + math.exp(-v))
        e = math.exp(v)
        return e / (1.0 + e)
    if np.ndim(z) == 0:
        return one(float(z))
    z = np.asarray(z, dtype=float)
    return np.array([one(v) for v in z.ravel()]).reshape(z.shape)
"""),
    ("sigmoid_scipy_expit", "sigmoid", """
from scipy.special import expit
def sigmoid(z):
    return expit(np.asarray(z, dtype=float))
"""),
    ("sigmoid_masks_in_place", "sigmoid", """
def sigmoid(z):
    out = np.array(z, dtype=float)   # a copy, overwritten in place
    positive = out >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-out[positive]))
    negative = ~positive
    out[negative] = np.exp(out[negative]) / (1.0 + np.exp(out[negative]))
    return out
"""),
    ("sigmoid_torch_float64", "sigmoid", """
import torch
def sigmoid(z):
    out = torch.sigmoid(torch.as_tensor(np.asarray(z, dtype=np.float64))).numpy()
    return out if out.ndim else float(out)
"""),
    # ------------------------------------------------------------------ predict
    ("predict_inline_comparison", "predict", """
def predict(X, w, b):
    return (np.dot(X, w) + b >= 0).astype(int)
"""),
    ("predict_where", "predict", """
def predict(X, w, b):
    return np.where(weighted_sum(X, w, b) >= 0, 1, 0)
"""),
    ("predict_loop_over_samples", "predict", """
def predict(X, w, b):
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        return int(step(weighted_sum(X, w, b)))
    return np.array([int(step(weighted_sum(x, w, b))) for x in X])
"""),
    ("predict_heaviside_floats", "predict", """
def predict(X, w, b):
    return np.heaviside(np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b, 1)
"""),
    # ------------------------------------------------------------------ logic_gate_weights
    ("gates_integer_weights_as_lists", "logic_gate_weights", """
def logic_gate_weights(gate):
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable")
    table = {"AND": ([1, 1], -2), "OR": ([1, 1], -1), "NAND": ([-2, -2], 3)}
    if gate not in table:
        raise ValueError("unknown gate " + repr(gate))
    return table[gate]
"""),
    ("gates_if_chain_numpy_scalars", "logic_gate_weights", """
def logic_gate_weights(gate):
    if gate == "AND":
        return np.array([1.0, 1.0]), np.float64(-1.5)
    elif gate == "OR":
        return np.array([1.0, 1.0]), np.float64(-0.5)
    elif gate == "NAND":
        return np.array([-1.0, -1.0]), np.float64(1.5)
    elif gate == "XOR":
        raise ValueError("No single perceptron: XOR is not linearly-separable.")
    else:
        raise ValueError(f"unknown gate: {gate}")
"""),
    ("gates_nand_from_and_tuple_weights", "logic_gate_weights", """
def logic_gate_weights(gate):
    weights = {"AND": ((0.6, 0.6), -1.0), "OR": ((1.2, 1.2), -1.0)}
    if gate == "NAND":
        w, b = weights["AND"]
        return -np.array(w), -b + 0.1
    if gate in weights:
        w, b = weights[gate]
        return np.array(w, dtype=float), float(b)
    if gate == "XOR":
        raise ValueError("XOR is NOT LINEARLY SEPARABLE: one line cannot split its outputs")
    raise ValueError("gate must be AND, OR or NAND")
"""),
    ("gates_accepts_extra_nor", "logic_gate_weights", """
def logic_gate_weights(gate):
    gates = {"AND": ([1.0, 1.0], -1.5), "OR": ([1.0, 1.0], -0.5),
             "NAND": ([-1.0, -1.0], 1.5), "NOR": ([-1.0, -1.0], 0.5)}
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable, so no single perceptron computes it")
    try:
        w, b = gates[gate]
    except KeyError:
        raise ValueError("unknown gate %r" % gate) from None
    return np.array(w), b
"""),
    # ------------------------------------------------------------------ perceptron_train
    ("train_augmented_vector_in_place", "perceptron_train", """
def perceptron_train(X, y, lr=1.0, max_epochs=100):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.shape[0] != y.shape[0] or not np.all((y == 0) | (y == 1)) or not lr > 0:
        raise ValueError("bad input")
    X_aug = np.hstack([X, np.ones((len(X), 1))])
    w_aug = np.zeros(X_aug.shape[1])
    errors_per_epoch = []
    for epoch in range(max_epochs):
        errors = 0
        for x, target in zip(X_aug, y):
            error = target - predict(x, w_aug, 0.0)
            w_aug += lr * error * x
            errors += abs(error)
        errors_per_epoch.append(errors)
        if not errors:
            break
    return w_aug[:-1], w_aug[-1], np.array(errors_per_epoch)
"""),
    ("train_index_loop_if_mistake", "perceptron_train", """
def perceptron_train(X, y, lr=1.0, max_epochs=100):
    if len(X) != len(y):
        raise ValueError("X and y differ in length")
    for label in y:
        if label not in (0, 1):
            raise ValueError("labels must be 0 or 1")
    if lr <= 0:
        raise ValueError("lr must be positive")
    n, m = np.shape(X)
    w = [0.0] * m
    b = 0.0
    history = []
    for epoch in range(max_epochs):
        mistakes = 0
        for i in range(n):
            z = sum(w[j] * X[i][j] for j in range(m)) + b
            y_hat = 1 if z >= 0 else 0
            if y_hat != y[i]:
                error = y[i] - y_hat
                for j in range(m):
                    w[j] = w[j] + lr * error * X[i][j]
                b = b + lr * error
                mistakes += 1
        history.append(mistakes)
        if mistakes == 0:
            break
    return np.array(w, dtype=float), b, history
"""),
    ("train_while_loop_uses_step_and_weighted_sum", "perceptron_train", """
def perceptron_train(X, y, lr=1.0, max_epochs=100):
    X = np.array(X, dtype=np.float64)
    y = np.array(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError("X must be (n, m) and y (n,)")
    if np.any((y != 0) & (y != 1)):
        raise ValueError("labels must be 0/1")
    if not (lr > 0):
        raise ValueError("lr must be > 0")
    w, b = np.zeros(X.shape[1]), 0.0
    errors_per_epoch = []
    converged = False
    while not converged and len(errors_per_epoch) < max_epochs:
        count = 0
        for i in range(len(X)):
            error = int(y[i]) - int(step(weighted_sum(X[i], w, b)))
            w = w + lr * error * X[i]
            b += lr * error
            count += error != 0
        errors_per_epoch.append(int(count))
        converged = count == 0
    return w, b, errors_per_epoch
"""),
    ("train_sign_labels_internally", "perceptron_train", """
def perceptron_train(X, y, lr=1.0, max_epochs=100):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if len(X) != len(y) or not np.isin(y, [0, 1]).all() or lr <= 0:
        raise ValueError("invalid input")
    w, b = np.zeros(X.shape[1]), 0.0
    errors_per_epoch = []
    for _ in range(max_epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            # same rule written with +-1 labels: error/2 = (t - s) / 2 with t = 2y - 1, s = sign(z)
            t = 2 * y_i - 1
            s = 1 if x_i @ w + b >= 0 else -1
            if s != t:
                w += lr * (t - s) / 2 * x_i
                b += lr * (t - s) / 2
                wrong += 1
        errors_per_epoch.append(wrong)
        if wrong == 0:
            break
    return w, float(b), errors_per_epoch
"""),
]


#: Functions graded by more than one check (the others by the check named after them).
CHECKS_OF = {
    'sigmoid': ('sigmoid', 'sigmoid_stable'),
    'logic_gate_weights': ('logic_gate_weights', 'logic_gate_weights_invalid'),
    'perceptron_train': ('perceptron_train', 'perceptron_train_xor', 'perceptron_train_invalid'),
}

#: (style, check) pairs left out (none: every style keeps every point of every check of its function).
NOT_CLAIMED = set()


def _alternatives(entries):
    for style, function, source in entries:
        checks = CHECKS_OF.get(function, (function,))
        for check in checks:
            if (style, check) in NOT_CLAIMED:
                continue
            name = style if len(checks) == 1 else "%s_on_%s" % (style, check)
            yield Alternative(name, "perceptron." + check, source)


ALTERNATIVES = list(_alternatives(ENTRIES))


#: Alternatives first written beside this unit's tests (grader_tests/test_perceptron_checks.py), kept here
#: with the rest so that the generic test (grader_tests/test_units.py) runs them all.
ALTERNATIVES += [
    Alternative('step_where_0d_array', 'perceptron.step', """
def step(z):
    return np.where(np.asarray(z) >= 0, 1, 0)
"""),
    Alternative('sigmoid_logaddexp', 'perceptron.sigmoid', """
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))
"""),
    Alternative('sigmoid_logaddexp_stable', 'perceptron.sigmoid_stable', """
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))
"""),
    Alternative('sigmoid_tanh_stable', 'perceptron.sigmoid_stable', """
def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))
"""),
    Alternative('sigmoid_scipy_expit', 'perceptron.sigmoid', """
from scipy.special import expit
def sigmoid(z):
    return expit(z)
"""),
    Alternative('predict_inline', 'perceptron.predict', """
def predict(X, w, b):
    return (np.dot(X, w) + b >= 0).astype(int)
"""),
    Alternative('gates_other_weights_as_lists', 'perceptron.logic_gate_weights', """
def logic_gate_weights(gate):
    table = {"AND": ([1, 1], -2), "OR": ([1, 1], -1), "NAND": ([-2, -2], 3)}
    return table[gate]
"""),
    Alternative('gates_hyphenated_message', 'perceptron.logic_gate_weights_invalid', """
def logic_gate_weights(gate):
    if gate == "XOR":
        raise ValueError("XOR is not linearly-separable, so one perceptron cannot do it")
    if gate not in ("AND", "OR", "NAND"):
        raise ValueError("unknown gate")
"""),
]
