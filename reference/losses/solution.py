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
    """Mean binary cross-entropy of predicted probabilities.

    Parameters
    ----------
    y_true : array_like
        Labels, each 0 or 1. Any shape (usually (n,)).
    p : array_like
        Predicted probabilities P(y = 1), same shape as ``y_true``, each in [0, 1].
    eps : float
        ``p`` is clipped to [eps, 1 - eps] before taking logs, so p = 0 or 1 gives a
        finite loss.

    Returns
    -------
    float
        L = -mean(y * log(p) + (1 - y) * log(1 - p)), the mean over all elements.

    Raises
    ------
    ValueError
        If the shapes differ, a label is not 0 or 1, or a probability is outside [0, 1].
    """
    y_true = np.asarray(y_true, dtype=float)
    p = np.asarray(p, dtype=float)
    if y_true.shape != p.shape:
        raise ValueError(f"y_true and p must have the same shape, got {y_true.shape} and {p.shape}")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must hold only the labels 0 and 1")
    if ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise ValueError("p must hold probabilities in [0, 1]")
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def binary_cross_entropy_with_logits(y_true, z):
    """Mean binary cross-entropy of sigmoid(z), computed stably from the logits z.

    Parameters
    ----------
    y_true : array_like
        Labels, each 0 or 1. Any shape.
    z : array_like
        Logits (any real numbers), same shape as ``y_true``; p = sigmoid(z) = 1 / (1 + exp(-z)).

    Returns
    -------
    float
        L = mean(softplus(z) - y * z) with softplus(z) = log(1 + exp(z)), the mean over all
        elements; equal to -mean(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))). It must be
        finite and correct, without any overflow, nan or RuntimeWarning, for |z| up to 1e4.

    Raises
    ------
    ValueError
        If the shapes differ or a label is not 0 or 1.
    """
    y_true = np.asarray(y_true, dtype=float)
    z = np.asarray(z, dtype=float)
    if y_true.shape != z.shape:
        raise ValueError(f"y_true and z must have the same shape, got {y_true.shape} and {z.shape}")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must hold only the labels 0 and 1")
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(softplus - y_true * z))


def cross_entropy(logits, targets):
    """Mean cross-entropy of integer class targets under softmax(logits).

    Parameters
    ----------
    logits : array_like, shape (n, k)
        One row of k logits per sample.
    targets : array_like of int, shape (n,)
        The true class of each sample, an integer in [0, k).

    Returns
    -------
    float
        L = -mean_i log_softmax(logits[i])[targets[i]], with the stable
        log_softmax(z)_j = (z_j - max(z)) - log(sum_c exp(z_c - max(z))) of each row.
        Finite and correct for logits up to +-1e4 (no overflow, no log of 0).

    Raises
    ------
    ValueError
        If logits is not 2-D, targets does not have shape (n,), or a target is outside [0, k).
    """
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (n, k), got {logits.shape}")
    n, k = logits.shape
    if targets.shape != (n,):
        raise ValueError(f"targets must have shape ({n},), got {targets.shape}")
    if not np.issubdtype(targets.dtype, np.integer) or ((targets < 0) | (targets >= k)).any():
        raise ValueError(f"targets must be integer class indices in [0, {k})")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_softmax[np.arange(n), targets]))


# --------------------------------------------------------------------------- regression losses

def mse(y, y_hat):
    """Mean squared error mean((y_hat - y) ** 2) over all elements, as a float.

    y and y_hat: array_like of the same shape (no broadcasting); ValueError if the shapes differ.
    """
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y and y_hat must have the same shape, got {y.shape} and {y_hat.shape}")
    return float(np.mean((y_hat - y) ** 2))


def mae(y, y_hat):
    """Mean absolute error mean(|y_hat - y|) over all elements, as a float.

    y and y_hat: array_like of the same shape (no broadcasting); ValueError if the shapes differ.
    """
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y and y_hat must have the same shape, got {y.shape} and {y_hat.shape}")
    return float(np.mean(np.abs(y_hat - y)))


def smooth_l1(y, y_hat, beta=1.0):
    """Smooth L1 loss with PyTorch's convention, the mean over all elements, as a float.

    With d = y_hat - y, each element costs 0.5 * d**2 / beta where |d| < beta, and
    |d| - 0.5 * beta elsewhere. beta = 0 gives the L1 loss mean(|d|) (no division by zero).

    Parameters
    ----------
    y, y_hat : array_like of the same shape (no broadcasting).
    beta : float >= 0, where the loss changes from quadratic to linear.

    Raises
    ------
    ValueError
        If the shapes differ or beta < 0.
    """
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError(f"y and y_hat must have the same shape, got {y.shape} and {y_hat.shape}")
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    d = np.abs(y_hat - y)
    if beta == 0:
        return float(np.mean(d))
    return float(np.mean(np.where(d < beta, 0.5 * d ** 2 / beta, d - 0.5 * beta)))


# --------------------------------------------------------------------------- gradient

def bce_with_logits_gradient(y_true, z):
    """Gradient dL/dz of L = binary_cross_entropy_with_logits(y_true, z).

    Parameters
    ----------
    y_true : array_like
        Labels, each 0 or 1, any shape.
    z : array_like
        Logits, same shape as ``y_true``.

    Returns
    -------
    ndarray, same shape as z
        (sigmoid(z) - y_true) / n, where n is the number of elements of z. Finite (no nan)
        for |z| up to 1000.

    Raises
    ------
    ValueError
        If the shapes differ or a label is not 0 or 1.
    """
    y_true = np.asarray(y_true, dtype=float)
    z = np.asarray(z, dtype=float)
    if y_true.shape != z.shape:
        raise ValueError(f"y_true and z must have the same shape, got {y_true.shape} and {z.shape}")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must hold only the labels 0 and 1")
    e = np.exp(-np.abs(z))  # never overflows
    sigmoid = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return (sigmoid - y_true) / z.size


# --------------------------------------------------------------------------- optimisers

def sgd_step(w, grad, lr):
    """One step of gradient descent, w - lr * grad (as torch.optim.SGD).

    w, grad: array_like of the same shape; lr: learning rate >= 0.
    Returns the new weights, a float array of the shape of w.
    Raises ValueError if the shapes differ or lr < 0.
    """
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    if w.shape != grad.shape:
        raise ValueError(f"w and grad must have the same shape, got {w.shape} and {grad.shape}")
    if not lr >= 0:
        raise ValueError(f"lr must be >= 0, got {lr}")
    return w - lr * grad


def momentum_step(w, grad, velocity, lr, momentum=0.9):
    """One step of SGD with momentum, PyTorch's convention (dampening 0):

        velocity = momentum * velocity + grad
        w        = w - lr * velocity

    w, grad, velocity: array_like of the same shape (velocity is zeros before the first step);
    lr >= 0; momentum >= 0.
    Returns (w, velocity): the new weights and the new velocity, float arrays.
    Raises ValueError if the shapes differ, lr < 0 or momentum < 0.
    """
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    if not (w.shape == grad.shape == velocity.shape):
        raise ValueError(f"w, grad and velocity must have the same shape, got {w.shape}, {grad.shape}, "
                         f"{velocity.shape}")
    if not lr >= 0:
        raise ValueError(f"lr must be >= 0, got {lr}")
    if not momentum >= 0:
        raise ValueError(f"momentum must be >= 0, got {momentum}")
    velocity = momentum * velocity + grad
    return w - lr * velocity, velocity


def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam, as torch.optim.Adam; t counts the steps from 1:

        m     = beta1 * m + (1 - beta1) * grad
        v     = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w     = w - lr * m_hat / (sqrt(v_hat) + eps)

    w, grad, m, v: array_like of the same shape (m and v are zeros before the first step).
    Returns (w, m, v): the new weights and the new *uncorrected* moments m and v.
    Raises ValueError if the shapes differ, t < 1, lr < 0, eps < 0, or beta1 or beta2 is
    outside [0, 1).
    """
    w, grad, m, v = (np.asarray(a, dtype=float) for a in (w, grad, m, v))
    if not (w.shape == grad.shape == m.shape == v.shape):
        raise ValueError(f"w, grad, m and v must have the same shape, got {w.shape}, {grad.shape}, "
                         f"{m.shape}, {v.shape}")
    if not t >= 1:
        raise ValueError(f"t counts steps from 1, got {t}")
    if not (lr >= 0 and eps >= 0):
        raise ValueError(f"lr and eps must be >= 0, got {lr} and {eps}")
    if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise ValueError(f"beta1 and beta2 must be in [0, 1), got {beta1} and {beta2}")
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def gradient_descent(grad_fn, w0, lr, n_steps):
    """Run n_steps of full-batch gradient descent, w_{s+1} = w_s - lr * grad_fn(w_s).

    Parameters
    ----------
    grad_fn : callable
        grad_fn(w) returns the gradient of the loss at w, an array of shape (d,).
    w0 : array_like, shape (d,)
        Starting weights (possibly a list of ints: use floats). Not modified.
    lr : float
        Learning rate, >= 0.
    n_steps : int
        Number of steps, >= 0.

    Returns
    -------
    ndarray, shape (n_steps + 1, d)
        The trajectory: row s holds w_s, so row 0 is w0 and the last row the final weights.

    Raises
    ------
    ValueError
        If n_steps is not an integer >= 0, or lr < 0.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    if not lr >= 0:
        raise ValueError(f"lr must be >= 0, got {lr}")
    w = np.array(w0, dtype=float)  # a copy, in floats
    trajectory = [w]
    for _ in range(n_steps):
        w = w - lr * np.asarray(grad_fn(w), dtype=float)  # a new array: rows never alias
        trajectory.append(w)
    return np.array(trajectory)
