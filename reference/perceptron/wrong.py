"""Wrong implementations of 01_perceptron that students really write, named after the fault.

Each ``source`` is executed over the reference functions (so a faulty ``predict`` still
calls the reference ``step``); ``grader_tests/test_units.py`` proves that every
one loses points in its check on several seeds.
"""

from coursekit.manifest import Mutant, Submission


def _m(name, check, source):
    return Mutant(name, "perceptron." + check, source)


STEP = [
    _m("step_strict_inequality", "step", """
def step(z):
    return (np.asarray(z) > 0).astype(int)
"""),
    _m("step_returns_booleans", "step", """
def step(z):
    return np.asarray(z) >= 0
"""),
    _m("step_not_vectorised", "step", """
def step(z):
    return 1 if z >= 0 else 0
"""),
    _m("step_is_np_sign", "step", """
def step(z):
    return np.sign(z)
"""),
    _m("step_heaviside_half_at_zero", "step", """
def step(z):
    return np.heaviside(z, 0.5)
"""),
    _m("step_flipped", "step", """
def step(z):
    return (np.asarray(z) <= 0).astype(int)
"""),
    _m("step_assigns_into_its_input", "step", """
def step(z):
    z[z >= 0] = 1
    z[z < 0] = 0
    return z
"""),
]

SIGN = [
    _m("sign_zero_is_zero", "sign", """
def sign(z):
    return np.sign(z)
"""),
    _m("sign_zero_is_minus_one", "sign", """
def sign(z):
    return np.where(np.asarray(z) > 0, 1, -1)
"""),
    _m("sign_returns_step", "sign", """
def sign(z):
    return (np.asarray(z) >= 0).astype(int)
"""),
    _m("sign_not_vectorised", "sign", """
def sign(z):
    return 1 if z >= 0 else -1
"""),
    _m("sign_flipped", "sign", """
def sign(z):
    return np.where(np.asarray(z) >= 0, -1, 1)
"""),
    _m("sign_divides_by_abs", "sign", """
def sign(z):
    z = np.asarray(z, dtype=float)
    return z / np.abs(z)
"""),
    _m("sign_returns_booleans", "sign", """
def sign(z):
    return np.asarray(z) >= 0
"""),
]

SIGMOID = [
    _m("sigmoid_overflows", "sigmoid_stable", """
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
"""),
    _m("sigmoid_where_evaluates_both_branches", "sigmoid_stable", """
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
"""),
    _m("sigmoid_math_exp_overflow_error", "sigmoid_stable", """
import math
def sigmoid(z):
    if np.ndim(z) == 0:
        return 1 / (1 + math.exp(-z))
    return np.array([1 / (1 + math.exp(-v)) for v in np.ravel(z)]).reshape(np.shape(z))
"""),
    _m("sigmoid_exp_z_form_overflows_for_large_positive", "sigmoid_stable", """
def sigmoid(z):
    e = np.exp(z)
    return e / (1 + e)
"""),
    _m("sigmoid_scalar_shortcut_overflows", "sigmoid_stable", """
def sigmoid(z):
    if np.ndim(z) == 0:  # "a number does not need the masks"
        return 1 / (1 + np.exp(-z))
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1 + e)
    return out
"""),
    _m("sigmoid_wrong_sign_in_exponent", "sigmoid", """
def sigmoid(z):
    return 1 / (1 + np.exp(z))
"""),
    _m("sigmoid_tanh_missing_half", "sigmoid", """
def sigmoid(z):
    return 0.5 * (1 + np.tanh(z))
"""),
    _m("sigmoid_clips_at_10", "sigmoid", """
def sigmoid(z):
    z = np.clip(z, -10, 10)
    return 1 / (1 + np.exp(-z))
"""),
    _m("sigmoid_zeros_like_keeps_int_dtype", "sigmoid", """
def sigmoid(z):
    z = np.asarray(z)
    out = np.zeros_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1 + e)
    return out[()]
"""),
    _m("sigmoid_if_branch_not_vectorised", "sigmoid", """
def sigmoid(z):
    if z >= 0:
        return 1 / (1 + np.exp(-z))
    return np.exp(z) / (1 + np.exp(z))
"""),
]

WEIGHTED_SUM = [
    _m("weighted_sum_transposed", "weighted_sum", """
def weighted_sum(X, w, b):
    return np.asarray(X).T @ w + b
"""),
    _m("weighted_sum_forgets_bias", "weighted_sum", """
def weighted_sum(X, w, b):
    return np.asarray(X) @ w
"""),
    _m("weighted_sum_subtracts_bias", "weighted_sum", """
def weighted_sum(X, w, b):
    return np.asarray(X) @ w - b
"""),
    _m("weighted_sum_sums_over_samples", "weighted_sum", """
def weighted_sum(X, w, b):
    return (np.asarray(X) * w).sum(axis=0) + b
"""),
    _m("weighted_sum_sums_everything", "weighted_sum", """
def weighted_sum(X, w, b):
    return np.sum(np.asarray(X) * w) + b
"""),
    _m("weighted_sum_one_sample_returns_array", "weighted_sum", """
def weighted_sum(X, w, b):
    return np.atleast_2d(X) @ w + b
"""),
    _m("weighted_sum_adds_bias_to_weights", "weighted_sum", """
def weighted_sum(X, w, b):
    return np.asarray(X) @ (np.asarray(w) + b)
"""),
    _m("weighted_sum_loop_without_shape_check", "weighted_sum", """
def weighted_sum(X, w, b):
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        return sum(w[j] * X[j] for j in range(len(w))) + b
    return sum(w[j] * X[:, j] for j in range(len(w))) + b
"""),
]

PREDICT = [
    _m("predict_returns_booleans", "predict", """
def predict(X, w, b):
    return weighted_sum(X, w, b) >= 0
"""),
    _m("predict_returns_plus_minus_one", "predict", """
def predict(X, w, b):
    return np.where(weighted_sum(X, w, b) >= 0, 1, -1)
"""),
    _m("predict_strict_threshold", "predict", """
def predict(X, w, b):
    return (weighted_sum(X, w, b) > 0).astype(int)
"""),
    _m("predict_ignores_bias", "predict", """
def predict(X, w, b):
    return step(np.asarray(X) @ w)
"""),
    _m("predict_returns_sigmoid_probabilities", "predict", """
def predict(X, w, b):
    return sigmoid(weighted_sum(X, w, b))
"""),
    _m("predict_rounds_sigmoid", "predict", """
def predict(X, w, b):
    return np.round(sigmoid(weighted_sum(X, w, b))).astype(int)
"""),
    _m("predict_one_sample_returns_array", "predict", """
def predict(X, w, b):
    return step(np.atleast_2d(X) @ w + b)
"""),
]

GATES = [
    _m("gate_nand_negates_weights_only", "logic_gate_weights", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], -0.8)}
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable")
    if gate not in table:
        raise ValueError("unknown gate")
    w, b = table[gate]
    return np.array(w), b
"""),
    _m("gate_or_uses_the_and_bias", "logic_gate_weights", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.8), "NAND": ([-0.5, -0.5], 0.8)}
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable")
    if gate not in table:
        raise ValueError("unknown gate")
    w, b = table[gate]
    return np.array(w), b
"""),
    _m("gate_and_bias_too_low", "logic_gate_weights", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -1.2), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], 0.8)}
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable")
    if gate not in table:
        raise ValueError("unknown gate")
    w, b = table[gate]
    return np.array(w), b
"""),
    _m("gate_returns_b_before_w", "logic_gate_weights", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], 0.8)}
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable")
    if gate not in table:
        raise ValueError("unknown gate")
    w, b = table[gate]
    return b, np.array(w)
"""),
    _m("gate_xor_not_raising", "logic_gate_weights_invalid", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], 0.8),
             "XOR": ([0.5, 0.5], -0.3)}
    if gate not in table:
        raise ValueError("unknown gate")
    w, b = table[gate]
    return np.array(w), b
"""),
    _m("gate_xor_raises_without_saying_why", "logic_gate_weights_invalid", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], 0.8)}
    if gate not in table:
        raise ValueError("unsupported gate: " + gate)
    w, b = table[gate]
    return np.array(w), b
"""),
    _m("gate_xor_raises_not_implemented", "logic_gate_weights_invalid", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], 0.8)}
    if gate == "XOR":
        raise NotImplementedError("XOR is not linearly separable")
    if gate not in table:
        raise ValueError("unknown gate")
    w, b = table[gate]
    return np.array(w), b
"""),
    _m("gate_unknown_name_raises_key_error", "logic_gate_weights_invalid", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], 0.8)}
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable")
    w, b = table[gate]
    return np.array(w), b
"""),
    _m("gate_unknown_name_returns_none", "logic_gate_weights_invalid", """
def logic_gate_weights(gate):
    table = {"AND": ([0.5, 0.5], -0.8), "OR": ([0.5, 0.5], -0.3), "NAND": ([-0.5, -0.5], 0.8)}
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable")
    if gate in table:
        w, b = table[gate]
        return np.array(w), b
"""),
]

# A correct run of the lecture's algorithm, for mutants that change a line or two of it.
_TRAIN = '''
def perceptron_train(X, y, lr=1.0, max_epochs=100):  # SIGNATURE
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if len(X) != len(y): raise ValueError("X and y differ in length")  # CHECK_LENGTHS
    if not np.isin(y, (0, 1)).all(): raise ValueError("labels must be 0 or 1")  # CHECK_LABELS
    if lr <= 0: raise ValueError("lr must be positive")  # CHECK_LR
    w = np.zeros(X.shape[1])  # INIT_W
    b = 0.0
    errors_per_epoch = []
    for epoch in range(max_epochs):  # EPOCHS
        errors = 0  # EPOCH_START
        for i in range(len(X)):  # ORDER
            x_i, y_i = X[i], y[i]
            y_hat = step(np.dot(w, x_i) + b)  # Y_HAT
            error = y_i - y_hat  # ERROR
            w = w + lr * error * x_i  # UPDATE_W
            b = b + lr * error  # UPDATE_B
            errors += int(error != 0)  # COUNT
        errors_per_epoch.append(errors)  # RECORD
        if errors == 0:  # STOP
            break
    return w, b, errors_per_epoch
'''


def _train(name, check, **replacements):
    """A mutant of the correct run above: each keyword replaces the line tagged with its name."""
    lines, used = [], set()
    for line in _TRAIN.splitlines():
        for tag, new in replacements.items():
            if line.rstrip().endswith("# " + tag):
                indent = line[: len(line) - len(line.lstrip())]
                line = "\n".join(indent + part for part in new.split("\n"))
                used.add(tag)
        lines.append(line)
    assert used == set(replacements), "%s: no line tagged %s" % (name, set(replacements) - used)
    source = "\n".join(lines) + "\n"
    return _m(name, check, source)


TRAIN = [
    _train("perceptron_update_sign_flipped", "perceptron_train", ERROR="error = y_hat - y_i"),
    _train("perceptron_never_updates_bias", "perceptron_train", UPDATE_B="pass"),
    _train("perceptron_weights_start_random", "perceptron_train",
           INIT_W="w = np.random.default_rng(0).normal(0, 0.01, X.shape[1])"),
    _train("perceptron_shuffles_samples", "perceptron_train",
           ORDER="for i in np.random.default_rng(epoch).permutation(len(X)):"),
    _train("perceptron_never_stops_early", "perceptron_train", STOP="if False:"),
    _train("perceptron_counts_signed_errors", "perceptron_train", COUNT="errors += int(error)"),
    _train("perceptron_drops_the_final_error_free_epoch", "perceptron_train",
           RECORD="if errors: errors_per_epoch.append(errors)"),
    _train("perceptron_ignores_lr", "perceptron_train", UPDATE_W="w = w + error * x_i",
           UPDATE_B="b = b + error"),
    _train("perceptron_default_lr_is_0_1", "perceptron_train",
           SIGNATURE="def perceptron_train(X, y, lr=0.1, max_epochs=100):"),
    _train("perceptron_strict_threshold", "perceptron_train",
           Y_HAT="y_hat = int(np.dot(w, x_i) + b > 0)"),
    _train("perceptron_counts_errors_after_the_epoch", "perceptron_train",
           COUNT="pass",
           RECORD="errors = int(np.sum(step(X @ w + b) != y))\nerrors_per_epoch.append(errors)"),
    _train("perceptron_batch_updates_per_epoch", "perceptron_train",
           EPOCH_START="errors = 0\nw_next, b_next = w.copy(), b",
           UPDATE_W="w_next = w_next + lr * error * x_i",
           UPDATE_B="b_next = b_next + lr * error",
           RECORD="w, b = w_next, b_next\nerrors_per_epoch.append(errors)"),
    # Non-separable data: the run must go on to max_epochs and report the errors left.
    _train("perceptron_raises_when_not_converging", "perceptron_train_xor",
           RECORD="errors_per_epoch.append(errors)\n"
                  "if epoch == max_epochs - 1 and errors:\n"
                  "    raise RuntimeError('did not converge')"),
    _train("perceptron_stops_after_a_fixed_10_epochs", "perceptron_train_xor",
           STOP="if errors == 0 or epoch == 9:"),
    _train("perceptron_runs_max_epochs_plus_one", "perceptron_train_xor",
           EPOCHS="for epoch in range(max_epochs + 1):"),
    _train("perceptron_default_max_epochs_is_1000", "perceptron_train_xor",
           SIGNATURE="def perceptron_train(X, y, lr=1.0, max_epochs=1000):"),
    # Validation.
    _train("perceptron_accepts_mismatched_lengths", "perceptron_train_invalid", CHECK_LENGTHS="pass"),
    _train("perceptron_accepts_any_labels", "perceptron_train_invalid", CHECK_LABELS="pass"),
    _train("perceptron_accepts_non_positive_lr", "perceptron_train_invalid", CHECK_LR="pass"),
    _train("perceptron_rejects_lr_with_assert", "perceptron_train_invalid",
           CHECK_LR="assert lr > 0, 'lr must be positive'"),
]

MUTANTS = STEP + SIGN + SIGMOID + WEIGHTED_SUM + PREDICT + GATES + TRAIN


#: Students of the end-to-end test, graded by real nbgrader: the faults pass the public asserts
#: (except the last), so their scores come from the hidden checks' case groups (all weigh 1).
SUBMISSIONS = [
    Submission("nand_and_int_sigmoid", ("gate_nand_negates_weights_only", "sigmoid_zeros_like_keeps_int_dtype"),
               {"test_logic_gate_weights": 2 * 2 / 3,  # AND, OR pass; NAND fails
                "test_sigmoid": 2 * 5 / 6},            # only the integer-input group fails
               feedback={"test_logic_gate_weights": ("Hidden tests: 1.33 / 2 points", "FAIL  NAND",
                                                     "first failure: logic_gate_weights('NAND')",
                                                     "truth table is [1, 1, 1, 0]")}),
    Submission("max_epochs_shape_check_scalar_overflow",
               ("perceptron_default_max_epochs_is_1000", "weighted_sum_loop_without_shape_check",
                "sigmoid_scalar_shortcut_overflows"),
               {"test_perceptron_train_xor": 2 * 2 / 3,  # only "default max_epochs = 100 on XOR" fails
                "test_weighted_sum": 2 * 3 / 4,          # only the mismatched-shapes group fails
                "test_sigmoid_stable": 1 * 2 / 3}),      # large negative scalars warn; arrays, positives fine
    # The public stability assert catches this one already: the cell raises, so 0.
    Submission("sigmoid_overflows", ("sigmoid_overflows",), {"test_sigmoid_stable": 0.0}),
]
