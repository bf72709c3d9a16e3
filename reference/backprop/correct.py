"""Correct alternatives of 04_backprop, written in the styles students really use, named after the style.

Each entry is a complete answer cell (numpy available as ``np``) executed over the reference
solution's namespace, so that a ``predict`` calling ``step`` gets a correct ``step``; it must keep
every point of every hidden check of its function on every grading seed (the generic unit tests
run each one; ``CHECKS_OF`` lists the checks of the functions with more than one).

numpy only (the notebook says so). The cache of ``mlp_forward`` is the student's design: an
``mlp_backward`` that needs its own cache format comes with the matching ``mlp_forward``
(both run in the check, as in a notebook).
"""

from coursekit.manifest import Alternative

#: Forward pass that caches a list of per-layer (A_prev, Z) tuples and the output.
LIST_CACHE_FORWARD = """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(params) == 0 or X.shape[1] != params[0][0].shape[1] or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    for (W, b), (W_next, _) in zip(params, params[1:]):
        if W_next.shape[1] != W.shape[0]:
            raise ValueError("layer shapes do not chain")
    cache, A = [], X
    for W, b in params:
        Z = np.dot(A, W.T) + b
        cache.append((A, Z))
        A = 1.0 / (1.0 + np.exp(-Z))
    return A.ravel(), (cache, A)
"""

#: The lecture's per-sample column-vector recursion, on the list cache above.
PER_SAMPLE_BACKWARD = """
def mlp_backward(y_true, cache, params):
    layers, output = cache
    n = output.shape[0]
    if np.shape(y_true) != (n,):
        raise ValueError("y_true must have shape (n,)")
    grads = [[np.zeros_like(W), np.zeros_like(b)] for W, b in params]
    for i in range(n):
        delta = (output[i:i + 1].T - y_true[i]) / n          # column (1, 1)
        for layer in reversed(range(len(params))):
            a_prev = layers[layer][0][i:i + 1].T             # column (d_in, 1)
            grads[layer][0] += delta @ a_prev.T
            grads[layer][1] += delta[:, 0]
            if layer > 0:
                a = a_prev                                     # sigma(z) of the layer below
                delta = (params[layer][0].T @ delta) * a * (1 - a)
    return [tuple(g) for g in grads]
"""

#: Forward pass with a dict cache keyed by layer, storing activations under the lecture's names.
KEYED_CACHE_FORWARD = """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError("X must be 2-D")
    if not params:
        raise ValueError("no layers")
    width = X.shape[1]
    for W, b in params:
        if W.shape[1] != width or b.shape != (W.shape[0],):
            raise ValueError("shapes do not chain")
        width = W.shape[0]
    if width != 1:
        raise ValueError("one output unit expected")
    cache = {"a0": X}
    A = X
    for l, (W, b) in enumerate(params, start=1):
        Z = np.einsum("nj,ij->ni", A, W) + b
        A = 0.5 * (1.0 + np.tanh(0.5 * Z))                 # sigmoid via tanh, no overflow
        cache["z%d" % l], cache["a%d" % l] = Z, A
    cache["L"] = len(params)
    return A.reshape(-1), cache
"""

KEYED_CACHE_BACKWARD = """
def mlp_backward(y_true, cache, params):
    L = cache["L"]
    y_hat = cache["a%d" % L]
    if np.ndim(y_true) != 1 or len(y_true) != y_hat.shape[0]:
        raise ValueError("y_true must have shape (n,)")
    n = y_hat.shape[0]
    # chain rule written out: dL/dy_hat * sigma'(z), which simplifies to (y_hat - y) / n
    dL_dyhat = (y_hat - y_true.reshape(-1, 1)) / (y_hat * (1 - y_hat)) / n
    delta = dL_dyhat * y_hat * (1 - y_hat)
    grads = []
    for l in range(L, 0, -1):
        A_prev = cache["a%d" % (l - 1)]
        grads.insert(0, (np.einsum("ni,nj->ij", delta, A_prev), np.einsum("ni->i", delta)))
        if l > 1:
            A = cache["a%d" % (l - 1)]
            delta = np.einsum("ni,ij->nj", delta, params[l - 1][0]) * A * (1 - A)
    return grads
"""

ENTRIES = [
    # ------------------------------------------------------------------ init_mlp
    ("init_standard_normal_scaled", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or any(int(s) != s or s < 1 for s in layer_sizes):
        raise ValueError("layer sizes must be at least two positive integers")
    rng = np.random.default_rng(seed)
    params = []
    for d_in, d_out in zip(layer_sizes, layer_sizes[1:]):
        params.append((rng.standard_normal((d_out, d_in)) / np.sqrt(d_in), np.zeros(d_out)))
    return params
"""),
    ("init_lists_of_lists_variance_argument", "init_mlp", """
def init_mlp(layer_sizes, seed):
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("need >= 2 positive layer sizes")
    rng = np.random.default_rng(seed)
    return [[rng.normal(loc=0.0, scale=np.sqrt(1.0 / fan_in), size=(fan_out, fan_in)), np.zeros(fan_out)]
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
"""),
    ("init_draws_transposed_then_transposes", "init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2:
        raise ValueError("at least an input and an output layer")
    for size in layer_sizes:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size <= 0:
            raise ValueError("layer sizes must be positive integers")
    generator = np.random.default_rng(seed)
    params = []
    for l in range(1, len(layer_sizes)):
        d_in, d_out = layer_sizes[l - 1], layer_sizes[l]
        W = (generator.normal(size=(d_in, d_out)) * (1 / d_in) ** 0.5).T.copy()
        params.append((W, np.zeros((d_out,), dtype=np.float64)))
    return params
"""),
    # ------------------------------------------------------------------ mlp_forward
    ("forward_list_cache", "mlp_forward", LIST_CACHE_FORWARD),
    ("forward_keyed_cache_einsum_tanh_sigmoid", "mlp_forward", KEYED_CACHE_FORWARD),
    ("forward_per_sample_loop", "mlp_forward", """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(params) == 0:
        raise ValueError("X must be (n, d_in) and params non-empty")
    d = X.shape[1]
    for W, b in params:
        if np.shape(W)[1] != d or np.shape(b) != (np.shape(W)[0],):
            raise ValueError("shapes do not chain")
        d = np.shape(W)[0]
    if d != 1:
        raise ValueError("the last layer must have one unit")
    outputs, per_sample = [], []
    for x in X:                              # one sample at a time, column vectors as in the lecture
        a = x.reshape(-1, 1)
        trace = [a]
        for W, b in params:
            z = W @ a + b.reshape(-1, 1)
            a = sigmoid(z)
            trace.append(a)
        outputs.append(a[0, 0])
        per_sample.append(trace)
    return np.array(outputs), per_sample
"""),
    # ------------------------------------------------------------------ mlp_backward (two checks)
    ("backward_per_sample_columns", "mlp_backward", LIST_CACHE_FORWARD + PER_SAMPLE_BACKWARD),
    ("backward_explicit_chain_rule_keyed_cache", "mlp_backward", KEYED_CACHE_FORWARD + KEYED_CACHE_BACKWARD),
    ("backward_derivative_from_cached_activations", "mlp_backward", """
def mlp_backward(y_true, cache, params):
    A = cache["A"]
    n = len(A[0])
    y_true = np.asarray(y_true, dtype=float)
    if y_true.shape != (n,):
        raise ValueError("y_true must be of shape (n,)")
    delta = (A[-1][:, 0] - y_true)[:, None] / n
    grads = []
    for l in range(len(params), 0, -1):
        grads.append((delta.T @ A[l - 1], delta.sum(axis=0)))
        delta = (delta @ params[l - 1][0]) * A[l - 1] * (1 - A[l - 1])   # sigma' = a (1 - a)
    return grads[::-1]
"""),
    ("backward_recursive", "mlp_backward", """
def mlp_backward(y_true, cache, params):
    A, Z = cache["A"], cache["Z"]
    n = A[-1].shape[0]
    if np.asarray(y_true).shape != (n,):
        raise ValueError("y_true must have shape (n,)")

    def layer_gradients(l, delta):
        dW, db = delta.T @ A[l], np.sum(delta, axis=0)
        if l == 0:
            return [(dW, db)]
        s = 1 / (1 + np.exp(-Z[l - 1]))
        return layer_gradients(l - 1, (delta @ params[l][0]) * s * (1 - s)) + [(dW, db)]

    return layer_gradients(len(params) - 1, (A[-1] - np.reshape(y_true, (-1, 1))) / n)
"""),
    # ------------------------------------------------------------------ sgd_update
    ("sgd_list_of_lists", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(params) != len(grads):
        raise ValueError("one gradient pair per layer")
    if any(W.shape != dW.shape or b.shape != db.shape for (W, b), (dW, db) in zip(params, grads)):
        raise ValueError("gradient shapes must match")
    return [[W - lr * dW, b - lr * db] for (W, b), (dW, db) in zip(params, grads)]
"""),
    ("sgd_copies_then_in_place", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(grads) != len(params):
        raise ValueError("grads and params differ in length")
    new_params = []
    for (W, b), (dW, db) in zip(params, grads):
        if np.shape(W) != np.shape(dW) or np.shape(b) != np.shape(db):
            raise ValueError("shape mismatch")
        W_new, b_new = W.copy(), b.copy()
        W_new -= lr * dW
        b_new -= lr * db
        new_params.append((W_new, b_new))
    return new_params
"""),
    ("sgd_index_loop_np_subtract", "sgd_update", """
def sgd_update(params, grads, lr):
    if len(params) != len(grads):
        raise ValueError("expected one (dW, db) per layer")
    updated = []
    for i in range(len(params)):
        W, b = params[i]
        dW, db = grads[i]
        dW, db = np.asarray(dW), np.asarray(db)
        if dW.shape != W.shape:
            raise ValueError(f"layer {i + 1}: dW has shape {dW.shape}, W {W.shape}")
        if db.shape != b.shape:
            raise ValueError(f"layer {i + 1}: db has shape {db.shape}, b {b.shape}")
        updated.append((np.subtract(W, lr * dW), np.subtract(b, lr * db)))
    return updated
"""),
    # ------------------------------------------------------------------ numerical_gradient
    ("numgrad_flat_view_restore_by_adding", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if h <= 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=float)
    flat = x.reshape(-1)                 # a view: writing flat writes x
    grad = np.empty(flat.size)
    for i in range(flat.size):
        flat[i] += h
        up = f(x)
        flat[i] -= 2 * h
        down = f(x)
        flat[i] += h
        grad[i] = (up - down) / (2 * h)
    return grad.reshape(x.shape)
"""),
    ("numgrad_nditer_fresh_copies", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if not h > 0:
        raise ValueError("h must be > 0")
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros(x.shape)
    iterator = np.nditer(x, flags=["multi_index"])
    for _ in iterator:
        i = iterator.multi_index
        x_plus, x_minus = x.copy(), x.copy()      # never touch the caller's array
        x_plus[i] += h
        x_minus[i] -= h
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
"""),
    ("numgrad_basis_vectors", "numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if h <= 0:
        raise ValueError("h must be positive")
    x = np.asarray(x).astype(float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        grad.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
"""),
    # ------------------------------------------------------------------ train_xor
    ("train_xor_other_hyperparameters_losses_array", "train_xor", """
def train_xor(hidden_units=4, lr=4.0, epochs=1500, seed=0):
    params = init_mlp([2, hidden_units, 1], seed)
    losses = []
    for epoch in range(epochs):
        y_hat, cache = mlp_forward(X_xor, params)
        losses.append(binary_cross_entropy(y_hat, y_xor))
        params = sgd_update(params, mlp_backward(y_xor, cache, params), lr)
    return params, np.array(losses)
"""),
    ("train_xor_in_place_updates_inline_loss", "train_xor", """
def train_xor(hidden_units=4, lr=5.0, epochs=1000, seed=0):
    if hidden_units < 1:
        raise ValueError("hidden_units must be >= 1")
    params = [(W.copy(), b.copy()) for W, b in init_mlp([2, hidden_units, 1], seed)]
    losses = []
    for epoch in range(epochs):
        y_hat, cache = mlp_forward(X_xor, params)
        p = np.clip(y_hat, 1e-12, 1 - 1e-12)
        losses.append(float(-np.mean(y_xor * np.log(p) + (1 - y_xor) * np.log(1 - p))))
        for (W, b), (dW, db) in zip(params, mlp_backward(y_xor, cache, params)):
            W -= lr * dW                      # our own arrays: updating in place is fine
            b -= lr * db
    return params, losses
"""),
    ("train_xor_while_loop", "train_xor", """
def train_xor(hidden_units=4, lr=4.0, epochs=1500, seed=0):
    params = init_mlp([2, hidden_units, 1], seed)
    losses, epoch = [], 0
    while epoch < epochs:
        y_hat, cache = mlp_forward(X_xor, params)
        losses.append(binary_cross_entropy(y_hat, y_xor))
        grads = mlp_backward(y_xor, cache, params)
        params = sgd_update(params, grads, lr)
        epoch += 1
    return params, losses
"""),
]


#: Functions graded by more than one check (the others by the check named after them).
CHECKS_OF = {
    'mlp_backward': ('backward_output_layer', 'backward_hidden_layers'),
}

#: (style, check) pairs left out, and why: see the module docstring.
NOT_CLAIMED = set()


def _alternatives(entries):
    for style, function, source in entries:
        checks = CHECKS_OF.get(function, (function,))
        for check in checks:
            if (style, check) in NOT_CLAIMED:
                continue
            name = style if len(checks) == 1 else "%s_on_%s" % (style, check)
            yield Alternative(name, "backprop." + check, source)


ALTERNATIVES = list(_alternatives(ENTRIES))


#: One student's mlp_backward, a column vector per sample (with its own forward pass), judged by
#: both backward checks: the output layer's gradients and the hidden layers'.
PER_SAMPLE_COLUMNS = """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(params) == 0 or X.shape[1] != params[0][0].shape[1] or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    cache, A = [], X
    for W, b in params:
        Z = np.dot(A, W.T) + b
        cache.append((A, Z))
        A = 1.0 / (1.0 + np.exp(-Z))
    return A.ravel(), (cache, A)

def mlp_backward(y_true, cache, params):
    layers, output = cache
    n = output.shape[0]
    if np.shape(y_true) != (n,):
        raise ValueError("y_true must have shape (n,)")
    grads = [[np.zeros_like(W), np.zeros_like(b)] for W, b in params]
    for i in range(n):
        delta = (output[i:i + 1].T - y_true[i]) / n          # column (1, 1)
        for layer in reversed(range(len(params))):
            a_prev = layers[layer][0][i:i + 1].T             # column (d_in, 1)
            grads[layer][0] += delta @ a_prev.T
            grads[layer][1] += delta[:, 0]
            if layer > 0:
                a = a_prev                                     # sigma(z) of the layer below
                delta = (params[layer][0].T @ delta) * a * (1 - a)
    return [tuple(g) for g in grads]
"""


#: Alternatives first written beside this unit's tests (grader_tests/test_backprop_checks.py), kept here
#: with the rest so that the generic test (grader_tests/test_units.py) runs them all.
ALTERNATIVES += [
    Alternative('backward_per_sample_columns_output', 'backprop.backward_output_layer', PER_SAMPLE_COLUMNS),
    Alternative('backward_per_sample_columns_hidden', 'backprop.backward_hidden_layers', PER_SAMPLE_COLUMNS),
    Alternative('train_xor_other_hyperparameters', 'backprop.train_xor', """
def train_xor(hidden_units=4, lr=4.0, epochs=1500, seed=0):
    params = init_mlp([2, hidden_units, 1], seed)
    losses = []
    for epoch in range(epochs):
        y_hat, cache = mlp_forward(X_xor, params)
        losses.append(binary_cross_entropy(y_hat, y_xor))
        params = sgd_update(params, mlp_backward(y_xor, cache, params), lr)
    return params, np.array(losses)
"""),
]
