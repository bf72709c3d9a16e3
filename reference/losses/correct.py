"""Correct alternatives of 03_losses, written in the styles students really use, named after the style.

Each entry is a complete answer cell (numpy available as ``np``) executed over the reference
solution's namespace, so that a ``predict`` calling ``step`` gets a correct ``step``; it must keep
every point of every hidden check of its function on every grading seed (the generic unit tests
run each one; ``CHECKS_OF`` lists the checks of the functions with more than one).

numpy only (the notebook forbids PyTorch inside answers). In place and copying variants
of the optimisers; the loss formulas in other stable forms (logaddexp, log-sigmoid, masks,
scipy's logsumexp, Huber).
"""

from coursekit.manifest import Alternative

ENTRIES = [
    # ------------------------------------------------------------------ binary_cross_entropy
    ("bce_python_loop_math_log", "binary_cross_entropy", """
import math
def binary_cross_entropy(y_true, p, eps=1e-7):
    y_true, p = np.asarray(y_true, dtype=float), np.asarray(p, dtype=float)
    if y_true.shape != p.shape:
        raise ValueError("shapes differ")
    total = 0.0
    for y_i, p_i in zip(y_true.ravel(), p.ravel()):
        if y_i not in (0.0, 1.0):
            raise ValueError("labels must be 0 or 1")
        if not 0.0 <= p_i <= 1.0:
            raise ValueError("p must be in [0, 1]")
        p_i = min(max(p_i, eps), 1 - eps)
        total += -(y_i * math.log(p_i) + (1 - y_i) * math.log(1 - p_i))
    return total / y_true.size
"""),
    ("bce_where_on_the_label", "binary_cross_entropy", """
def binary_cross_entropy(y_true, p, eps=1e-7):
    y_true, p = np.asarray(y_true), np.asarray(p)
    if y_true.shape != p.shape:
        raise ValueError("y_true and p must have the same shape")
    if not np.all((y_true == 0) | (y_true == 1)):
        raise ValueError("y_true must be 0/1")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError("p must be probabilities")
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(np.where(y_true == 1, np.log(p), np.log(1 - p)))
"""),
    ("bce_log1p_mask_in_place", "binary_cross_entropy", """
def binary_cross_entropy(y_true, p, eps=1e-7):
    y_true = np.array(y_true, dtype=np.float64)
    p = np.array(p, dtype=np.float64)     # a copy: clipped in place below
    if y_true.shape != p.shape:
        raise ValueError("shape mismatch")
    if not np.isin(y_true, [0, 1]).all() or ((p < 0) | (p > 1)).any():
        raise ValueError("invalid labels or probabilities")
    np.clip(p, eps, 1 - eps, out=p)
    losses = np.empty_like(p)
    positive = y_true == 1
    losses[positive] = -np.log(p[positive])
    losses[~positive] = -np.log1p(-p[~positive])
    return float(losses.mean())
"""),
    # ------------------------------------------------------------------ binary_cross_entropy_with_logits
    ("bce_logits_logaddexp", "binary_cross_entropy_with_logits", """
def binary_cross_entropy_with_logits(y_true, z):
    y_true, z = np.asarray(y_true, dtype=float), np.asarray(z, dtype=float)
    if y_true.shape != z.shape:
        raise ValueError("shapes differ")
    if not np.all((y_true == 0) | (y_true == 1)):
        raise ValueError("labels must be 0/1")
    return float(np.mean(np.logaddexp(0.0, z) - y_true * z))
"""),
    ("bce_logits_log_sigmoid_both_terms", "binary_cross_entropy_with_logits", """
def binary_cross_entropy_with_logits(y_true, z):
    y_true, z = np.asarray(y_true, dtype=float), np.asarray(z, dtype=float)
    if y_true.shape != z.shape or not np.isin(y_true, (0, 1)).all():
        raise ValueError("bad input")
    log_p = -np.logaddexp(0, -z)          # log sigmoid(z)
    log_one_minus_p = -np.logaddexp(0, z)  # log (1 - sigmoid(z)) = log sigmoid(-z)
    return float(-np.mean(y_true * log_p + (1 - y_true) * log_one_minus_p))
"""),
    ("bce_logits_masks_per_sign", "binary_cross_entropy_with_logits", """
def binary_cross_entropy_with_logits(y_true, z):
    y_true, z = np.asarray(y_true, dtype=float), np.asarray(z, dtype=float)
    if y_true.shape != z.shape:
        raise ValueError("y_true and z must have the same shape")
    if ((y_true != 0) & (y_true != 1)).any():
        raise ValueError("y_true must hold 0 and 1 only")
    softplus = np.empty_like(z)
    positive = z > 0
    softplus[positive] = z[positive] + np.log1p(np.exp(-z[positive]))
    softplus[~positive] = np.log1p(np.exp(z[~positive]))
    return (softplus - y_true * z).mean()
"""),
    ("bce_logits_python_loop_math", "binary_cross_entropy_with_logits", """
import math
def binary_cross_entropy_with_logits(y_true, z):
    if np.shape(y_true) != np.shape(z):
        raise ValueError("shapes differ")
    y_flat, z_flat = np.ravel(y_true), np.ravel(z)
    total = 0.0
    for y_i, z_i in zip(y_flat, z_flat):
        if y_i != 0 and y_i != 1:
            raise ValueError("labels must be 0 or 1")
        total += max(z_i, 0.0) - z_i * y_i + math.log1p(math.exp(-abs(z_i)))
    return total / len(z_flat)
"""),
    # ------------------------------------------------------------------ cross_entropy
    ("ce_scipy_logsumexp", "cross_entropy", """
from scipy.special import logsumexp
def cross_entropy(logits, targets):
    logits, targets = np.asarray(logits, dtype=float), np.asarray(targets)
    if logits.ndim != 2 or targets.shape != (logits.shape[0],):
        raise ValueError("logits must be (n, k) and targets (n,)")
    if targets.min() < 0 or targets.max() >= logits.shape[1]:
        raise ValueError("targets out of range")
    picked = logits[np.arange(len(targets)), targets]
    return float(np.mean(logsumexp(logits, axis=1) - picked))
"""),
    ("ce_python_loop_per_row", "cross_entropy", """
import math
def cross_entropy(logits, targets):
    logits = np.asarray(logits, dtype=float)
    if logits.ndim != 2 or len(targets) != logits.shape[0]:
        raise ValueError("shape mismatch")
    n, k = logits.shape
    total = 0.0
    for row, target in zip(logits, targets):
        if not 0 <= target < k:
            raise ValueError("class index out of range")
        top = max(row)
        log_sum = top + math.log(sum(math.exp(v - top) for v in row))
        total += log_sum - row[target]
    return total / n
"""),
    ("ce_one_hot_log_softmax", "cross_entropy", """
def cross_entropy(logits, targets):
    logits = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets)
    if logits.ndim != 2:
        raise ValueError("logits must be 2-D")
    n, k = logits.shape
    if targets.shape != (n,) or np.any(targets < 0) or np.any(targets >= k):
        raise ValueError("targets must be n class indices in [0, k)")
    one_hot = np.eye(k)[targets]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(one_hot * log_softmax) / n
"""),
    ("ce_take_along_axis", "cross_entropy", """
def cross_entropy(logits, targets):
    logits, targets = np.asarray(logits, dtype=float), np.asarray(targets)
    if logits.ndim != 2 or targets.ndim != 1 or len(targets) != len(logits):
        raise ValueError("logits (n, k) and targets (n,) expected")
    if ((targets < 0) | (targets >= logits.shape[1])).any():
        raise ValueError("invalid class index")
    m = logits.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    chosen = np.take_along_axis(logits, targets[:, None], axis=1)
    return float((lse - chosen).mean())
"""),
    # ------------------------------------------------------------------ mse
    ("mse_python_loop", "mse", """
def mse(y, y_hat):
    if np.shape(y) != np.shape(y_hat):
        raise ValueError("shapes differ")
    total, count = 0.0, 0
    for a, b in zip(np.ravel(y), np.ravel(y_hat)):
        total += (b - a) ** 2
        count += 1
    return total / count
"""),
    ("mse_square_sum_over_size", "mse", """
def mse(y, y_hat):
    y, y_hat = np.asarray(y), np.asarray(y_hat)
    if y.shape != y_hat.shape:
        raise ValueError("y and y_hat must have the same shape")
    return np.square(y - y_hat).sum() / y.size
"""),
    ("mse_dot_product", "mse", """
def mse(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError("no broadcasting: shapes must match")
    d = (y_hat - y).ravel()
    return float(d @ d / d.size)
"""),
    # ------------------------------------------------------------------ mae
    ("mae_python_loop", "mae", """
def mae(y, y_hat):
    if np.shape(y) != np.shape(y_hat):
        raise ValueError("shapes differ")
    flat = [abs(b - a) for a, b in zip(np.ravel(y), np.ravel(y_hat))]
    return sum(flat) / len(flat)
"""),
    ("mae_average_of_absolute", "mae", """
def mae(y, y_hat):
    y, y_hat = np.asarray(y), np.asarray(y_hat)
    if y.shape != y_hat.shape:
        raise ValueError("shape mismatch")
    return np.average(np.absolute(y_hat - y))
"""),
    ("mae_l1_norm", "mae", """
def mae(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError("y and y_hat differ in shape")
    return float(np.linalg.norm((y - y_hat).ravel(), ord=1) / y.size)
"""),
    # ------------------------------------------------------------------ smooth_l1
    ("smooth_l1_masks", "smooth_l1", """
def smooth_l1(y, y_hat, beta=1.0):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError("shapes differ")
    if beta < 0:
        raise ValueError("beta must be >= 0")
    d = np.abs(y_hat - y)
    loss = d - 0.5 * beta
    small = d < beta                      # empty when beta = 0: no division by zero
    loss[small] = 0.5 * d[small] ** 2 / beta
    return float(loss.mean())
"""),
    ("smooth_l1_python_loop", "smooth_l1", """
def smooth_l1(y, y_hat, beta=1.0):
    if np.shape(y) != np.shape(y_hat):
        raise ValueError("shapes differ")
    if beta < 0:
        raise ValueError("negative beta")
    values = []
    for a, b in zip(np.ravel(y), np.ravel(y_hat)):
        d = abs(b - a)
        values.append(0.5 * d * d / beta if d < beta else d - 0.5 * beta)
    return sum(values) / len(values)
"""),
    ("smooth_l1_from_huber", "smooth_l1", """
def smooth_l1(y, y_hat, beta=1.0):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape or beta < 0:
        raise ValueError("invalid input")
    d = np.abs(y_hat - y)
    if beta == 0:
        return np.mean(d)
    huber = np.where(d <= beta, 0.5 * d ** 2, beta * (d - 0.5 * beta))   # Huber with delta = beta
    return np.mean(huber) / beta
"""),
    # ------------------------------------------------------------------ bce_with_logits_gradient
    ("gradient_scipy_expit", "bce_with_logits_gradient", """
from scipy.special import expit
def bce_with_logits_gradient(y_true, z):
    y_true, z = np.asarray(y_true, dtype=float), np.asarray(z, dtype=float)
    if y_true.shape != z.shape or not np.isin(y_true, (0, 1)).all():
        raise ValueError("invalid input")
    return (expit(z) - y_true) / z.size
"""),
    ("gradient_tanh_sigmoid", "bce_with_logits_gradient", """
def bce_with_logits_gradient(y_true, z):
    y_true, z = np.asarray(y_true, dtype=float), np.asarray(z, dtype=float)
    if y_true.shape != z.shape:
        raise ValueError("shapes differ")
    if np.any((y_true != 0) & (y_true != 1)):
        raise ValueError("labels must be 0/1")
    return (0.5 * (1 + np.tanh(z / 2)) - y_true) / np.size(z)
"""),
    ("gradient_python_loop", "bce_with_logits_gradient", """
import math
def bce_with_logits_gradient(y_true, z):
    z = np.asarray(z, dtype=float)
    y_true = np.asarray(y_true, dtype=float)
    if z.shape != y_true.shape:
        raise ValueError("shape mismatch")
    grad = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        if y_true[index] not in (0.0, 1.0):
            raise ValueError("labels must be 0 or 1")
        v = z[index]
        p = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
        grad[index] = (p - y_true[index]) / z.size
    return grad
"""),
    # ------------------------------------------------------------------ sgd_step
    ("sgd_copy_then_in_place", "sgd_step", """
def sgd_step(w, grad, lr):
    w, grad = np.asarray(w, dtype=float), np.asarray(grad, dtype=float)
    if w.shape != grad.shape:
        raise ValueError("w and grad must have the same shape")
    if lr < 0:
        raise ValueError("lr must be >= 0")
    new_w = w.copy()
    new_w -= lr * grad
    return new_w
"""),
    ("sgd_numpy_ufuncs", "sgd_step", """
def sgd_step(w, grad, lr):
    if np.shape(w) != np.shape(grad):
        raise ValueError("shape mismatch")
    if not lr >= 0:
        raise ValueError("negative learning rate")
    return np.subtract(w, np.multiply(lr, grad))
"""),
    ("sgd_loop_over_entries", "sgd_step", """
def sgd_step(w, grad, lr):
    w = np.array(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    if w.shape != grad.shape or lr < 0:
        raise ValueError("invalid arguments")
    for index in np.ndindex(w.shape):
        w[index] = w[index] - lr * grad[index]
    return w
"""),
    # ------------------------------------------------------------------ momentum_step
    ("momentum_velocity_in_place", "momentum_step", """
def momentum_step(w, grad, velocity, lr, momentum=0.9):
    if np.shape(w) != np.shape(grad) or np.shape(w) != np.shape(velocity):
        raise ValueError("w, grad and velocity must have the same shape")
    if lr < 0 or momentum < 0:
        raise ValueError("lr and momentum must be >= 0")
    velocity *= momentum
    velocity += grad
    return w - lr * velocity, velocity
"""),
    ("momentum_pytorch_buffer_names", "momentum_step", """
def momentum_step(w, grad, velocity, lr, momentum=0.9):
    w, grad, buf = (np.asarray(a, dtype=float) for a in (w, grad, velocity))
    if not (w.shape == grad.shape == buf.shape):
        raise ValueError("shapes differ")
    if lr < 0:
        raise ValueError("lr < 0")
    if momentum < 0:
        raise ValueError("momentum < 0")
    if not buf.any():
        buf = grad.copy()        # PyTorch's first step: the buffer starts as the gradient
    else:
        buf = momentum * buf + grad
    return w - lr * buf, buf
"""),
    ("momentum_loop_over_entries", "momentum_step", """
def momentum_step(w, grad, velocity, lr, momentum=0.9):
    w, grad, velocity = (np.array(a, dtype=float) for a in (w, grad, velocity))
    if w.shape != grad.shape or w.shape != velocity.shape or lr < 0 or momentum < 0:
        raise ValueError("invalid arguments")
    for i in range(w.size):
        velocity.flat[i] = momentum * velocity.flat[i] + grad.flat[i]
        w.flat[i] = w.flat[i] - lr * velocity.flat[i]
    return w, velocity
"""),
    # ------------------------------------------------------------------ adam_step
    ("adam_moments_in_place", "adam_step", """
def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    if not (np.shape(w) == np.shape(grad) == np.shape(m) == np.shape(v)):
        raise ValueError("shapes differ")
    if t < 1 or lr < 0 or eps < 0 or not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise ValueError("invalid hyperparameters")
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * np.square(grad)
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
"""),
    ("adam_bias_correction_in_step_size", "adam_step", """
def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w, grad, m, v = (np.asarray(a, dtype=float) for a in (w, grad, m, v))
    if grad.shape != w.shape or m.shape != w.shape or v.shape != w.shape:
        raise ValueError("shape mismatch")
    if t < 1:
        raise ValueError("t starts at 1")
    if lr < 0 or eps < 0:
        raise ValueError("lr and eps must be >= 0")
    if not 0 <= beta1 < 1 or not 0 <= beta2 < 1:
        raise ValueError("betas must be in [0, 1)")
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    # Kingma & Ba's "efficient" form: corrections folded into the step size, eps rescaled to match
    correction2 = np.sqrt(1 - beta2 ** t)
    step_size = lr * correction2 / (1 - beta1 ** t)
    return w - step_size * m / (np.sqrt(v) + eps * correction2), m, v
"""),
    ("adam_loop_math_sqrt", "adam_step", """
import math
def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w, grad, m, v = (np.array(a, dtype=float) for a in (w, grad, m, v))
    if not (w.shape == grad.shape == m.shape == v.shape):
        raise ValueError("w, grad, m and v must have one shape")
    if t < 1 or lr < 0 or eps < 0 or beta1 < 0 or beta1 >= 1 or beta2 < 0 or beta2 >= 1:
        raise ValueError("invalid arguments")
    for i in range(w.size):
        g = grad.flat[i]
        m.flat[i] = beta1 * m.flat[i] + (1 - beta1) * g
        v.flat[i] = beta2 * v.flat[i] + (1 - beta2) * g ** 2
        m_hat = m.flat[i] / (1 - beta1 ** t)
        v_hat = v.flat[i] / (1 - beta2 ** t)
        w.flat[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
    return w, m, v
"""),
    # ------------------------------------------------------------------ gradient_descent
    ("gd_preallocated_trajectory", "gradient_descent", """
def gradient_descent(grad_fn, w0, lr, n_steps):
    if not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError("n_steps must be an integer >= 0")
    if lr < 0:
        raise ValueError("lr must be >= 0")
    w = np.array(w0, dtype=float)
    trajectory = np.empty((n_steps + 1,) + w.shape)
    trajectory[0] = w
    for s in range(n_steps):
        w -= lr * np.asarray(grad_fn(w))          # in place on our own copy
        trajectory[s + 1] = w
    return trajectory
"""),
    ("gd_list_of_copies_vstack", "gradient_descent", """
def gradient_descent(grad_fn, w0, lr, n_steps):
    if n_steps < 0 or int(n_steps) != n_steps:
        raise ValueError("n_steps must be a non-negative integer")
    if lr < 0:
        raise ValueError("lr must not be negative")
    w = np.asarray(w0, dtype=float).copy()
    history = [w.copy()]
    for _ in range(n_steps):
        w = w - lr * grad_fn(w)
        history.append(w.copy())
    return np.vstack(history)
"""),
    ("gd_python_lists", "gradient_descent", """
def gradient_descent(grad_fn, w0, lr, n_steps):
    if n_steps < 0:
        raise ValueError("n_steps < 0")
    if lr < 0:
        raise ValueError("lr < 0")
    w = [float(v) for v in w0]
    rows = [list(w)]
    for _ in range(n_steps):
        g = grad_fn(np.array(w))
        w = [w_i - lr * g_i for w_i, g_i in zip(w, g)]
        rows.append(list(w))
    return np.array(rows)
"""),
]


#: Functions graded by more than one check (the others by the check named after them).
CHECKS_OF = {
    'binary_cross_entropy_with_logits': ('binary_cross_entropy_with_logits', 'bce_with_logits_stable'),
    'sgd_step': ('sgd_step', 'sgd_trajectory'),
    'momentum_step': ('momentum_step', 'momentum_trajectory'),
    'adam_step': ('adam_step', 'adam_trajectory'),
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
            yield Alternative(name, "losses." + check, source)


ALTERNATIVES = list(_alternatives(ENTRIES))
