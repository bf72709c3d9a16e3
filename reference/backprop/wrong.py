"""Wrong implementations of 04_backprop that students really write, named after the fault.

Each ``source`` is executed over the reference functions of ``reference/backprop/solution.py``
(so a faulty ``mlp_backward`` still gets the reference ``mlp_forward``'s cache,
``{"A": [A0, ..., AL], "Z": [Z1, ..., ZL]}``); ``grader_tests/test_units.py`` proves
that every one loses points in its check on several seeds. The sources only use names a
notebook also defines (``sigmoid``, ``binary_cross_entropy``, ``X_xor``, ``y_xor``, the
student's functions), so ``coursekit demo`` can paste them into a submission as they are.
"""

from coursekit.manifest import Mutant, Submission


def _m(name, check, source):
    return Mutant(name, "backprop." + check, source)


INIT = [
    _m("init_ignores_seed", "init_mlp", """
def init_mlp(layer_sizes, seed):
    rng = np.random.default_rng()
    return [(rng.normal(0, 1 / np.sqrt(i), size=(o, i)), np.zeros(o))
            for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_new_generator_per_layer", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    params = []
    for i, o in zip(layer_sizes[:-1], layer_sizes[1:]):
        rng = np.random.default_rng(seed)
        params.append((rng.normal(0, 1 / np.sqrt(i), size=(o, i)), np.zeros(o)))
    return params
"""),
    _m("init_weights_transposed", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / np.sqrt(i), size=(i, o)), np.zeros(o))
            for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_unit_variance", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1, size=(o, i)), np.zeros(o)) for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_std_one_over_fan_in", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / i, size=(o, i)), np.zeros(o)) for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_scale_uses_fan_out", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / np.sqrt(o), size=(o, i)), np.zeros(o))
            for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_he_scale", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, np.sqrt(2 / i), size=(o, i)), np.zeros(o))
            for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_random_biases", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / np.sqrt(i), size=(o, i)), rng.normal(0, 1 / np.sqrt(i), size=o))
            for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_zero_weights", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    return [(np.zeros((o, i)), np.zeros(o)) for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_float32", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or min(layer_sizes) < 1:
        raise ValueError("bad layer sizes")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / np.sqrt(i), size=(o, i)).astype(np.float32), np.zeros(o, dtype=np.float32))
            for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
    _m("init_no_size_validation", "init_mlp", """
def init_mlp(layer_sizes, seed):
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / np.sqrt(i), size=(o, i)), np.zeros(o))
            for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
"""),
]

FORWARD = [
    _m("forward_without_bias", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    A, acts, zs = X, [X], []
    for W, b in params:
        Z = A @ W.T
        A = sigmoid(Z)
        zs.append(Z); acts.append(A)
    return A[:, 0], {"A": acts, "Z": zs}
"""),
    _m("forward_weights_not_transposed", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    A, acts, zs = X, [X], []
    for W, b in params:
        Z = A @ W + b
        A = sigmoid(Z)
        zs.append(Z); acts.append(A)
    return A[:, 0], {"A": acts, "Z": zs}
"""),
    _m("forward_linear_output", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    A, acts, zs = X, [X], []
    for index, (W, b) in enumerate(params):
        Z = A @ W.T + b
        A = sigmoid(Z) if index < len(params) - 1 else Z
        zs.append(Z); acts.append(A)
    return A[:, 0], {"A": acts, "Z": zs}
"""),
    _m("forward_relu_hidden_layers", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    A, acts, zs = X, [X], []
    for index, (W, b) in enumerate(params):
        Z = A @ W.T + b
        A = sigmoid(Z) if index == len(params) - 1 else np.maximum(Z, 0)
        zs.append(Z); acts.append(A)
    return A[:, 0], {"A": acts, "Z": zs}
"""),
    _m("forward_sigmoid_on_output_only", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    A = X
    for W, b in params:
        A = A @ W.T + b
    y_hat = sigmoid(A)
    return y_hat[:, 0], {"A": [X, y_hat], "Z": [A]}
"""),
    _m("forward_returns_column", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    A, acts, zs = X, [X], []
    for W, b in params:
        Z = A @ W.T + b
        A = sigmoid(Z)
        zs.append(Z); acts.append(A)
    return A, {"A": acts, "Z": zs}
"""),
    _m("forward_skips_last_layer", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    A, acts, zs = X, [X], []
    for W, b in params[:-1]:
        Z = A @ W.T + b
        A = sigmoid(Z)
        zs.append(Z); acts.append(A)
    return A[:, 0], {"A": acts, "Z": zs}
"""),
    _m("forward_no_input_validation", "mlp_forward", """
def mlp_forward(X, params):
    A, acts, zs = X, [X], []
    for W, b in params:
        Z = A @ W.T + b
        A = sigmoid(Z)
        zs.append(Z); acts.append(A)
    return A[..., 0] if np.ndim(A) == 2 else A, {"A": acts, "Z": zs}
"""),
]

# All backward mutants use the reference cache: {"A": [A0 = X, ..., AL], "Z": [Z1, ..., ZL]}.
_BACKWARD_TEMPLATE = """
def mlp_backward(y_true, cache, params):
    A, Z = cache["A"], cache["Z"]
    n = A[-1].shape[0]
    y = np.asarray(y_true, dtype=float)
    if y.shape != (n,):
        raise ValueError("y_true must have shape (n,)")
    delta = {output_delta}
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        grads[layer] = ({weight_gradient}, {bias_gradient})
        if layer > 0:
            delta = {hidden_delta}
    return grads
"""
_CORRECT = {
    "output_delta": "(A[-1] - y[:, None]) / n",
    "weight_gradient": "delta.T @ A[layer]",
    "bias_gradient": "delta.sum(axis=0)",
    "hidden_delta": "(delta @ params[layer][0]) * sigmoid(Z[layer - 1]) * (1 - sigmoid(Z[layer - 1]))",
}


def _backward(name, check, **fault):
    return _m(name, check, _BACKWARD_TEMPLATE.format(**dict(_CORRECT, **fault)))


BACKWARD = [
    _backward("backprop_missing_sigmoid_derivative", "backward_hidden_layers",
              hidden_delta="delta @ params[layer][0]"),
    _backward("backprop_transposed_weights", "backward_hidden_layers",
              hidden_delta="(delta @ params[layer][0].T) * sigmoid(Z[layer - 1]) * (1 - sigmoid(Z[layer - 1]))"),
    _backward("backprop_gradient_not_averaged", "backward_output_layer", output_delta="A[-1] - y[:, None]"),
    _backward("backprop_sigmoid_derivative_of_activation", "backward_hidden_layers",
              hidden_delta="(delta @ params[layer][0]) * sigmoid(A[layer]) * (1 - sigmoid(A[layer]))"),
    _backward("backprop_sigmoid_derivative_of_next_layer", "backward_hidden_layers",
              hidden_delta="(delta @ params[layer][0]) * A[layer + 1] * (1 - A[layer + 1])"),
    _backward("backprop_bias_gradient_not_summed", "backward_output_layer", bias_gradient="delta"),
    _backward("backprop_bias_gradient_summed_over_units", "backward_output_layer",
              bias_gradient="delta.sum(axis=1)"),
    _backward("backprop_output_delta_wrong_sign", "backward_output_layer", output_delta="(y[:, None] - A[-1]) / n"),
    _backward("backprop_output_delta_times_sigmoid_derivative", "backward_output_layer",
              output_delta="(A[-1] - y[:, None]) * A[-1] * (1 - A[-1]) / n"),
    _backward("backprop_labels_broadcast_against_column", "backward_output_layer",
              output_delta="(A[-1] - y) / n"),
    _backward("backprop_weight_gradient_transposed", "backward_output_layer",
              weight_gradient="A[layer].T @ delta"),
    _backward("backprop_weight_gradient_uses_layer_output", "backward_output_layer",
              weight_gradient="delta.T @ A[layer + 1]"),
    _m("backprop_forgets_last_layer", "backward_output_layer", """
def mlp_backward(y_true, cache, params):
    A, Z = cache["A"], cache["Z"]
    n = A[-1].shape[0]
    y = np.asarray(y_true, dtype=float)
    if y.shape != (n,):
        raise ValueError("y_true must have shape (n,)")
    delta = (A[-1] - y[:, None]) / n
    grads = []
    for layer in reversed(range(len(params) - 1)):
        delta = (delta @ params[layer + 1][0]) * sigmoid(Z[layer]) * (1 - sigmoid(Z[layer]))
        grads.insert(0, (delta.T @ A[layer], delta.sum(axis=0)))
    return grads
"""),
    _m("backprop_no_label_shape_check", "backward_output_layer", """
def mlp_backward(y_true, cache, params):
    A, Z = cache["A"], cache["Z"]
    n = A[-1].shape[0]
    y = np.asarray(y_true, dtype=float).reshape(-1, 1)
    delta = (A[-1] - y) / n
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        grads[layer] = (delta.T @ A[layer], delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ params[layer][0]) * sigmoid(Z[layer - 1]) * (1 - sigmoid(Z[layer - 1]))
    return grads
"""),
]

SGD = [
    _m("update_adds_gradient", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(grads) != len(params):
        raise ValueError("mismatch")
    out = []
    for (W, b), (dW, db) in zip(params, grads):
        if dW.shape != W.shape or db.shape != b.shape:
            raise ValueError("mismatch")
        out.append((W + lr * dW, b + lr * db))
    return out
"""),
    _m("update_modifies_params_in_place", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(grads) != len(params):
        raise ValueError("mismatch")
    for (W, b), (dW, db) in zip(params, grads):
        if dW.shape != W.shape or db.shape != b.shape:
            raise ValueError("mismatch")
        W -= lr * dW
        b -= lr * db
    return params
"""),
    _m("update_ignores_lr", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(grads) != len(params):
        raise ValueError("mismatch")
    out = []
    for (W, b), (dW, db) in zip(params, grads):
        if dW.shape != W.shape or db.shape != b.shape:
            raise ValueError("mismatch")
        out.append((W - dW, b - db))
    return out
"""),
    _m("update_skips_biases", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(grads) != len(params):
        raise ValueError("mismatch")
    out = []
    for (W, b), (dW, db) in zip(params, grads):
        if dW.shape != W.shape or db.shape != b.shape:
            raise ValueError("mismatch")
        out.append((W - lr * dW, b.copy()))
    return out
"""),
    _m("update_pairs_layers_in_reverse", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(grads) != len(params):
        raise ValueError("mismatch")
    out = []
    for (W, b), (dW, db) in zip(params, reversed(grads)):
        out.append((W - lr * dW, b - lr * db))
    return out
"""),
    _m("update_no_length_check", "sgd_update", """
def sgd_update(params, grads, lr):
    out = []
    for (W, b), (dW, db) in zip(params, grads):
        if dW.shape != W.shape or db.shape != b.shape:
            raise ValueError("mismatch")
        out.append((W - lr * dW, b - lr * db))
    return out
"""),
    _m("update_no_shape_check", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(grads) != len(params):
        raise ValueError("mismatch")
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
"""),
]

NUMERICAL = [
    _m("numgrad_one_sided_difference", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad
"""),
    _m("numgrad_h_not_halved", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / h
    return grad
"""),
    _m("numgrad_ignores_given_h", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    step = 1e-5
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + step
        fp = f(x)
        x[i] = old - step
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * step)
    return grad
"""),
    _m("numgrad_does_not_restore_x", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        grad[i] = (fp - fm) / (2 * h)
    return grad
"""),
    _m("numgrad_loops_over_first_axis_only", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad
"""),
    _m("numgrad_integer_x_not_converted", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    x = np.array(x)
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad
"""),
    _m("numgrad_perturbs_all_coordinates", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=float)
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))
"""),
    _m("numgrad_flattens_x", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=float).ravel()
    grad = np.zeros_like(x)
    for i in range(x.size):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad
"""),
    _m("numgrad_no_h_check", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        with np.errstate(divide="ignore", invalid="ignore"):
            grad[i] = np.float64(fp - fm) / (2 * h)
    return grad
"""),
]

# train_xor mutants call the reference init/forward/backward/update of the namespace.
_TRAIN_TEMPLATE = """
def train_xor(hidden_units=4, lr=5.0, epochs=1000, seed=0):
    {setup}
    losses = []
    for epoch in range({epochs}):
        y_hat, cache = mlp_forward(X_xor, params)
        losses.append(binary_cross_entropy(y_hat, y_xor))
        grads = mlp_backward(y_xor, cache, params)
        {update}
    return params, {returned_losses}
"""
_TRAIN_CORRECT = {
    "setup": "params = init_mlp([2, hidden_units, 1], seed)",
    "epochs": "epochs",
    "update": "params = sgd_update(params, grads, lr)",
    "returned_losses": "losses",
}


def _train(name, **fault):
    return _m(name, "train_xor", _TRAIN_TEMPLATE.format(**dict(_TRAIN_CORRECT, **fault)))


TRAIN = [
    _train("train_xor_without_hidden_layer", setup="params = init_mlp([2, 1], seed)"),
    _train("train_xor_zero_initialisation",
           setup="params = [(np.zeros((hidden_units, 2)), np.zeros(hidden_units)), (np.zeros((1, hidden_units)), "
                 "np.zeros(1))]"),
    _train("train_xor_ignores_hidden_units", setup="params = init_mlp([2, 4, 1], seed)"),
    _train("train_xor_gradient_ascent", update="params = sgd_update(params, [(-dW, -db) for dW, db in grads], lr)"),
    _train("train_xor_learning_rate_too_small", update="params = sgd_update(params, grads, 0.01)"),
    _train("train_xor_too_few_epochs", epochs="20"),
    _train("train_xor_returns_last_loss_only", returned_losses="losses[-1]"),
    _train("train_xor_loss_recorded_once", returned_losses="losses[:1]"),
]

MUTANTS = INIT + FORWARD + BACKWARD + SGD + NUMERICAL + TRAIN


#: Students of the end-to-end test, graded by real nbgrader. Scores follow from the checks'
#: groups: a cell earns points * passed groups / all groups.
SUBMISSIONS = [
    # init without validation fails 1 of 5 init groups, and train_xor(hidden_units=0) then
    # trains an empty hidden layer instead of raising: 1 of 3 XOR groups. No h check fails 1 of
    # 6 numerical groups. All public tests pass.
    Submission("dana", ("init_no_size_validation", "numgrad_no_h_check"),
               {"test_init_mlp": 3 * 4 / 5, "test_numerical_gradient": 3 * 5 / 6, "test_train_xor": 4 * 2 / 3},
               feedback={"test_init_mlp": ("Hidden tests: 2.4 / 3 points", "FAIL  invalid layer sizes raise ValueError",
                                           "expected ValueError to be raised, got []"),
                         "test_numerical_gradient": ("FAIL  h <= 0 raises ValueError",)}),
    # Updating in place passes the public test and trains XOR just the same, but fails the
    # "params passed in are left unchanged" group: 1 of 4.
    Submission("eve", ("update_modifies_params_in_place",), {"test_sgd_update": 3 * 3 / 4}),
    # No label-shape check fails 1 of 3 output-layer groups; h not halved fails the public
    # test (a factor of 2), so that cell earns nothing.
    Submission("gina", ("backprop_no_label_shape_check", "numgrad_h_not_halved"),
               {"test_backward_output_layer": 3 * 2 / 3, "test_numerical_gradient": 0.0}),
]
