"""Reference solution: losses and optimisers (assignment 03_losses).

Classification losses (binary cross-entropy on probabilities and on logits, multi-class
cross-entropy), regression losses (MSE, MAE, smooth L1), the gradient of the logistic
loss, and the update rules of SGD, SGD with momentum and Adam, plus full-batch gradient
descent. Every loss is the *mean* over all elements and equals its
``torch.nn.functional`` counterpart (``reduction="mean"``); every optimiser step equals
one step of ``torch.optim.SGD`` / ``torch.optim.Adam`` with the same hyperparameters
(``grader_tests/test_losses_torch.py`` checks both in float64).

Invalid input raises ``ValueError``: shapes that differ, probabilities outside [0, 1],
labels other than 0/1, class indices outside [0, k), negative learning rates, and the
hyperparameter ranges PyTorch rejects.
"""

import numpy as np


# --------------------------------------------------------------------------- validation

def _same_shape(a, b, names):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("%s and %s must have the same shape, got %s and %s"
                         % (names[0], names[1], a.shape, b.shape))
    return a, b


def _binary_labels(y_true):
    if not np.isin(y_true, (0.0, 1.0)).all():
        raise ValueError("y_true must hold only the labels 0 and 1")


def _non_negative(value, name):
    if not value >= 0:  # also rejects nan
        raise ValueError("%s must be >= 0, got %r" % (name, value))


def _sigmoid(z):
    """1 / (1 + exp(-z)), computed from exp(-|z|) so that it never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# --------------------------------------------------------------------------- classification losses

def binary_cross_entropy(y_true, p, eps=1e-7):
    """Mean binary cross-entropy of probabilities ``p`` for labels ``y_true``.

    y_true, p: arrays of the same shape (usually (n,)); y_true in {0, 1}, p in [0, 1].
    p is first clipped to [eps, 1 - eps] so that p = 0 or 1 gives a finite loss::

        L = -mean( y * log(p) + (1 - y) * log(1 - p) )

    Returns a float. Equal to ``F.binary_cross_entropy`` for p in [eps, 1 - eps].
    """
    y_true, p = _same_shape(y_true, p, ("y_true", "p"))
    _binary_labels(y_true)
    if not ((p >= 0) & (p <= 1)).all():
        raise ValueError("p must hold probabilities in [0, 1]")
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def binary_cross_entropy_with_logits(y_true, z):
    """Mean binary cross-entropy of ``sigmoid(z)``, computed stably from the logits ``z``.

    y_true, z: arrays of the same shape; y_true in {0, 1}, z any real numbers.
    With softplus(z) = log(1 + exp(z)) = max(z, 0) + log(1 + exp(-|z|))::

        L = mean( softplus(z) - y * z )

    which never overflows (exp of a non-positive number) for any finite z.
    Returns a float, equal to ``F.binary_cross_entropy_with_logits``.
    """
    y_true, z = _same_shape(y_true, z, ("y_true", "z"))
    _binary_labels(y_true)
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(softplus - y_true * z))


def cross_entropy(logits, targets):
    """Mean multi-class cross-entropy of integer ``targets`` under ``softmax(logits)``.

    logits: (n, k) floats; targets: (n,) integers in [0, k). With the stable log-softmax
    log_softmax(z)_j = (z_j - max z) - log(sum_i exp(z_i - max z)) of each row::

        L = -mean_over_samples( log_softmax(logits)[i, targets[i]] )

    Returns a float, equal to ``F.cross_entropy``.
    """
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2:
        raise ValueError("logits must have shape (n, k), got shape %s" % (logits.shape,))
    if targets.shape != (logits.shape[0],):
        raise ValueError("targets must have shape (%d,) to match logits %s, got shape %s"
                         % (logits.shape[0], logits.shape, targets.shape))
    if not np.issubdtype(targets.dtype, np.integer):
        raise ValueError("targets must be integer class indices, got dtype %s" % targets.dtype)
    k = logits.shape[1]
    if ((targets < 0) | (targets >= k)).any():
        raise ValueError("targets must be class indices in [0, %d)" % k)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_softmax[np.arange(len(targets)), targets]))


# --------------------------------------------------------------------------- regression losses

def mse(y, y_hat):
    """Mean squared error ``mean((y_hat - y) ** 2)`` over all elements (same shapes). A float."""
    y, y_hat = _same_shape(y, y_hat, ("y", "y_hat"))
    return float(np.mean((y_hat - y) ** 2))


def mae(y, y_hat):
    """Mean absolute error ``mean(|y_hat - y|)`` over all elements (same shapes). A float."""
    y, y_hat = _same_shape(y, y_hat, ("y", "y_hat"))
    return float(np.mean(np.abs(y_hat - y)))


def smooth_l1(y, y_hat, beta=1.0):
    """Smooth L1 loss (PyTorch's convention), the mean over all elements of, with d = y_hat - y::

        0.5 * d**2 / beta    where |d| < beta
        |d| - 0.5 * beta     elsewhere

    beta >= 0; beta = 0 gives the L1 loss mean(|d|) (no division by zero). A float,
    equal to ``F.smooth_l1_loss(y_hat, y, beta=beta)``.
    """
    y, y_hat = _same_shape(y, y_hat, ("y", "y_hat"))
    _non_negative(beta, "beta")
    d = np.abs(y_hat - y)
    if beta == 0:
        return float(np.mean(d))
    return float(np.mean(np.where(d < beta, 0.5 * d ** 2 / beta, d - 0.5 * beta)))


# --------------------------------------------------------------------------- gradient

def bce_with_logits_gradient(y_true, z):
    """dL/dz of the mean logistic loss ``binary_cross_entropy_with_logits(y_true, z)``.

    y_true, z: arrays of the same shape, n elements in all::

        dL/dz = (sigmoid(z) - y_true) / n

    Returns an array of the shape of ``z``, finite for any finite z.
    """
    y_true, z = _same_shape(y_true, z, ("y_true", "z"))
    _binary_labels(y_true)
    return (_sigmoid(z) - y_true) / z.size


# --------------------------------------------------------------------------- optimisers

def sgd_step(w, grad, lr):
    """One step of gradient descent: ``w - lr * grad`` (a new array; lr >= 0).

    w, grad: arrays of the same shape. Equal to one step of ``torch.optim.SGD(lr=lr)``.
    """
    w, grad = _same_shape(w, grad, ("w", "grad"))
    _non_negative(lr, "lr")
    return w - lr * grad


def momentum_step(w, grad, velocity, lr, momentum=0.9):
    """One step of SGD with momentum, PyTorch's convention (dampening 0)::

        velocity = momentum * velocity + grad
        w        = w - lr * velocity

    w, grad, velocity: arrays of the same shape (velocity starts at zeros); lr >= 0,
    momentum >= 0. Returns ``(w, velocity)``, the new weights and the new velocity.
    Equal to ``torch.optim.SGD(lr=lr, momentum=momentum)``.
    """
    w, grad = _same_shape(w, grad, ("w", "grad"))
    w, velocity = _same_shape(w, velocity, ("w", "velocity"))
    _non_negative(lr, "lr")
    _non_negative(momentum, "momentum")
    velocity = momentum * velocity + grad
    return w - lr * velocity, velocity


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam (Kingma & Ba), as ``torch.optim.Adam``. ``t`` counts steps from 1::

        m     = beta1 * m + (1 - beta1) * grad
        v     = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w     = w - lr * m_hat / (sqrt(v_hat) + eps)

    w, grad, m, v: arrays of the same shape (m and v start at zeros). Returns
    ``(w, m, v)`` with the *uncorrected* moments m and v (the state for the next step).
    Raises ValueError unless t >= 1, lr >= 0, eps >= 0 and 0 <= beta1, beta2 < 1.
    """
    w, grad = _same_shape(w, grad, ("w", "grad"))
    w, m = _same_shape(w, m, ("w", "m"))
    w, v = _same_shape(w, v, ("w", "v"))
    if not t >= 1:
        raise ValueError("t counts steps from 1, got t=%r" % (t,))
    _non_negative(lr, "lr")
    _non_negative(eps, "eps")
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if not 0 <= beta < 1:
            raise ValueError("%s must be in [0, 1), got %r" % (name, beta))
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def gradient_descent(grad_fn, w0, lr, n_steps):
    """Full-batch gradient descent from ``w0``: ``w_{s+1} = w_s - lr * grad_fn(w_s)``.

    grad_fn: function from weights of shape (d,) to the gradient, shape (d,).
    w0: array_like of shape (d,) (converted to floats; never modified). lr >= 0;
    n_steps: an integer >= 0. Returns the trajectory, an array of shape (n_steps + 1, d)
    whose row s is w_s: row 0 is w0 itself, row n_steps the final weights.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError("n_steps must be an integer >= 0, got %r" % (n_steps,))
    _non_negative(lr, "lr")
    w = np.array(w0, dtype=float)  # a copy: the caller's w0 stays as it was
    trajectory = [w]
    for _ in range(n_steps):
        w = w - lr * np.asarray(grad_fn(w), dtype=float)
        trajectory.append(w)
    return np.array(trajectory)
