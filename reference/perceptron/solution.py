"""Reference solution: the perceptron (weighted sum, activations, gates, learning rule).

Conventions of the course (the notebook states them, the hidden checks follow them):

- ``step(0) = 1`` and ``sign(0) = +1``, so that ``sign(z) = 2 * step(z) - 1``;
- a scalar in gives a scalar out (``np.float64`` / ``np.int64``), an array gives an array
  of the same shape (``result[()]`` turns a 0-d array into its scalar);
- labels are the integers 0 and 1.
"""

import numpy as np

#: The gates a single perceptron can realise, with the lecture's weights: y = step(w . x + b).
GATE_WEIGHTS = {
    "AND": ((0.5, 0.5), -0.8),
    "OR": ((0.5, 0.5), -0.3),
    "NAND": ((-0.5, -0.5), 0.8),
}

#: Truth tables on the inputs (0, 0), (0, 1), (1, 0), (1, 1), in that order.
GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
TRUTH_TABLES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}


def step(z):
    """Heaviside step with the course convention step(0) = 1: 1 where z >= 0, else 0.

    z: scalar or array of any shape. Returns int(s) of the same shape.
    """
    return (np.asarray(z) >= 0).astype(int)[()]


def sign(z):
    """Sign with the perceptron convention sign(0) = +1: +1 where z >= 0, else -1.

    z: scalar or array of any shape. Returns int(s) of the same shape; sign(z) = 2 step(z) - 1.
    """
    return np.where(np.asarray(z) >= 0, 1, -1)[()]


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), element-wise, without overflow for any float z.

    For z >= 0 it uses 1 / (1 + exp(-z)); for z < 0 the equal form exp(z) / (1 + exp(z)),
    so exp is only ever taken of a non-positive number (no overflow, no warning).
    z: scalar or array (ints allowed). Returns float(s) of the same shape.
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out[()]


def weighted_sum(X, w, b):
    """z = X w + b.

    X: (n, m) batch of n samples with m features, or (m,) one sample.
    w: (m,) weights. b: scalar bias.
    Returns (n,) array for a batch, a scalar for one sample.
    Raises ValueError when X's last dimension is not len(w).
    """
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    if w.ndim != 1 or X.ndim not in (1, 2):
        raise ValueError("w must be 1-D and X 1-D or 2-D, got shapes %s and %s" % (w.shape, X.shape))
    if X.shape[-1] != w.shape[0]:
        raise ValueError("X has %d features per sample but w has %d weights" % (X.shape[-1], w.shape[0]))
    return X @ w + b


def predict(X, w, b):
    """Perceptron labels y_hat = step(X w + b): 0/1 ints, shape (n,) for a batch, a scalar for one sample."""
    return step(weighted_sum(X, w, b))


def logic_gate_weights(gate):
    """(w, b) such that step(w . x + b) realises ``gate`` on x in {0, 1}^2.

    gate: "AND", "OR" or "NAND" -> (w of shape (2,), float b).
    "XOR" raises ValueError (not linearly separable); any other name raises ValueError.
    """
    if gate == "XOR":
        raise ValueError("XOR is not linearly separable: no line w . x + b = 0 puts (0, 1) and (1, 0) "
                         "on one side and (0, 0) and (1, 1) on the other, so no single perceptron "
                         "realises it (a multi-layer perceptron does)")
    if gate not in GATE_WEIGHTS:
        raise ValueError("unknown gate %r: expected one of 'AND', 'OR', 'NAND', 'XOR'" % (gate,))
    w, b = GATE_WEIGHTS[gate]
    return np.array(w, dtype=float), float(b)


def _check_training_input(X, y, lr):
    if X.ndim != 2:
        raise ValueError("X must be 2-D (n samples, m features), got shape %s" % (X.shape,))
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError("X has %d samples but y has shape %s" % (len(X), y.shape))
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 or 1, got %s" % np.unique(y))
    if not lr > 0:
        raise ValueError("the learning rate must be positive, got %r" % (lr,))


def perceptron_train(X, y, lr=1.0, max_epochs=100):
    """Rosenblatt's learning rule, exactly as in the lecture.

    w = 0 (shape (m,)), b = 0; for each epoch, visit the samples in the given order:
        y_hat = step(w . x_i + b);  error = y_i - y_hat
        w <- w + lr * error * x_i;  b <- b + lr * error
    and count the samples with error != 0. Stop after the first epoch without error, or
    after ``max_epochs`` epochs.

    X: (n, m); y: (n,) labels 0/1; lr > 0.
    Returns (w, b, errors_per_epoch): float array (m,), float, list of ints (one per epoch run).
    Raises ValueError for len(X) != len(y), labels other than 0/1, or lr <= 0.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    _check_training_input(X, y, lr)
    w = np.zeros(X.shape[1])
    b = 0.0
    errors_per_epoch = []
    for _ in range(max_epochs):
        errors = 0
        for x_i, y_i in zip(X, y):
            error = y_i - step(np.dot(w, x_i) + b)
            if error != 0:
                w = w + lr * error * x_i
                b = b + lr * error
                errors += 1
        errors_per_epoch.append(errors)
        if errors == 0:
            break
    return w, float(b), errors_per_epoch


def training_margins(X, y, lr=1.0, max_epochs=100):
    """Every w . x_i + b that :func:`perceptron_train` thresholds, with whether (w, b) was still zero.

    Grader-side helper: a hidden case is only fair when no decision sits so close to the
    threshold that a correct implementation summing in another order could decide it the
    other way (exact zeros at w = 0, b = 0 are the same in every order).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    w = np.zeros(X.shape[1])
    b = 0.0
    margins = []
    for _ in range(max_epochs):
        errors = 0
        for x_i, y_i in zip(X, y):
            z = np.dot(w, x_i) + b
            margins.append((float(z), not w.any() and b == 0))
            error = y_i - step(z)
            if error != 0:
                w = w + lr * error * x_i
                b = b + lr * error
                errors += 1
        if errors == 0:
            break
    return margins
