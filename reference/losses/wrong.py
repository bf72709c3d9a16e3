"""Wrong implementations of 03_losses that students really write, named after the fault.

Each source is a complete, self-contained ``def`` (numpy as ``np``), as a student would
type it into the notebook: ``grader_tests/test_units.py`` proves each loses points
on several seeds, ``test_units.py`` puts a few into notebooks and grades them
end to end, and ``coursekit demo`` draws from them for its "partly wrong" students.
Apart from the named fault each mutant is correct (it validates its input, so that it
fails only the groups its fault explains).
"""

from coursekit.manifest import Mutant, Submission

# --------------------------------------------------------------------------- binary_cross_entropy

_BCE_CHECKS = '''
    y_true = np.asarray(y_true, dtype=float)
    p = np.asarray(p, dtype=float)
    if y_true.shape != p.shape:
        raise ValueError("y_true and p must have the same shape")
    if not np.isin(y_true, [0, 1]).all():
        raise ValueError("labels must be 0 or 1")
    if ((p < 0) | (p > 1)).any():
        raise ValueError("p must be in [0, 1]")
'''

BCE = [
    Mutant("bce_no_clipping", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):''' + _BCE_CHECKS + '''
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''),
    Mutant("bce_sum_instead_of_mean", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):''' + _BCE_CHECKS + '''
    p = np.clip(p, eps, 1 - eps)
    return float(-np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''),
    Mutant("bce_adds_eps_instead_of_clipping", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):''' + _BCE_CHECKS + '''
    return float(-np.mean(y_true * np.log(p + eps) + (1 - y_true) * np.log(1 - p + eps)))
'''),
    Mutant("bce_ignores_eps_argument", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):''' + _BCE_CHECKS + '''
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''),
    Mutant("bce_labels_swapped", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):''' + _BCE_CHECKS + '''
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean((1 - y_true) * np.log(p) + y_true * np.log(1 - p)))
'''),
    Mutant("bce_sign_flipped", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):''' + _BCE_CHECKS + '''
    p = np.clip(p, eps, 1 - eps)
    return float(np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''),
    Mutant("bce_divides_by_len", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):''' + _BCE_CHECKS + '''
    p = np.clip(p, eps, 1 - eps)
    return float(-np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)) / len(p))
'''),
    Mutant("bce_no_input_validation", "losses.binary_cross_entropy", '''
def binary_cross_entropy(y_true, p, eps=1e-7):
    p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    y_true = np.asarray(y_true, dtype=float)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''),
]

# --------------------------------------------------------------------------- binary_cross_entropy_with_logits

_LOGIT_CHECKS = '''
    y_true = np.asarray(y_true, dtype=float)
    z = np.asarray(z, dtype=float)
    if y_true.shape != z.shape:
        raise ValueError("y_true and z must have the same shape")
    if not np.isin(y_true, [0, 1]).all():
        raise ValueError("labels must be 0 or 1")
'''

BCE_WITH_LOGITS = [
    Mutant("logits_bce_overflows", "losses.bce_with_logits_stable", '''
def binary_cross_entropy_with_logits(y_true, z):''' + _LOGIT_CHECKS + '''
    p = 1 / (1 + np.exp(-z))
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''),
    Mutant("logits_bce_np_where_evaluates_both_branches", "losses.bce_with_logits_stable", '''
def binary_cross_entropy_with_logits(y_true, z):''' + _LOGIT_CHECKS + '''
    softplus = np.where(z > 0, z + np.log1p(np.exp(-z)), np.log1p(np.exp(z)))
    return float(np.mean(softplus - y_true * z))
'''),
    Mutant("logits_bce_sigmoid_then_clipped_bce", "losses.bce_with_logits_stable", '''
def binary_cross_entropy_with_logits(y_true, z):''' + _LOGIT_CHECKS + '''
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
'''),
    Mutant("logits_bce_softplus_without_abs", "losses.bce_with_logits_stable", '''
def binary_cross_entropy_with_logits(y_true, z):''' + _LOGIT_CHECKS + '''
    return float(np.mean((1 - y_true) * z + np.log1p(np.exp(-z))))
'''),
    Mutant("logits_bce_missing_max_term", "losses.binary_cross_entropy_with_logits", '''
def binary_cross_entropy_with_logits(y_true, z):''' + _LOGIT_CHECKS + '''
    return float(np.mean(-y_true * z + np.log1p(np.exp(-np.abs(z)))))
'''),
    Mutant("logits_bce_sigmoid_of_minus_z", "losses.binary_cross_entropy_with_logits", '''
def binary_cross_entropy_with_logits(y_true, z):''' + _LOGIT_CHECKS + '''
    return float(np.mean(np.logaddexp(0, -z) + y_true * z))
'''),
    Mutant("logits_bce_sum_instead_of_mean", "losses.binary_cross_entropy_with_logits", '''
def binary_cross_entropy_with_logits(y_true, z):''' + _LOGIT_CHECKS + '''
    return float(np.sum(np.logaddexp(0, z) - y_true * z))
'''),
    Mutant("logits_bce_no_label_check", "losses.binary_cross_entropy_with_logits", '''
def binary_cross_entropy_with_logits(y_true, z):
    y_true = np.asarray(y_true, dtype=float)
    z = np.asarray(z, dtype=float)
    if y_true.shape != z.shape:
        raise ValueError("y_true and z must have the same shape")
    return float(np.mean(np.logaddexp(0, z) - y_true * z))
'''),
]

# --------------------------------------------------------------------------- cross_entropy

_CE_CHECKS = '''
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2 or targets.shape != (logits.shape[0],):
        raise ValueError("logits must be (n, k) and targets (n,)")
    if ((targets < 0) | (targets >= logits.shape[1])).any():
        raise ValueError("targets must be in [0, k)")
    n = len(targets)
'''

CROSS_ENTROPY = [
    Mutant("ce_no_max_subtraction", "losses.cross_entropy", '''
def cross_entropy(logits, targets):''' + _CE_CHECKS + '''
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(probabilities[np.arange(n), targets])))
'''),
    Mutant("ce_mean_over_classes", "losses.cross_entropy", '''
def cross_entropy(logits, targets):''' + _CE_CHECKS + '''
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    one_hot = np.eye(logits.shape[1])[targets]
    return float(-np.mean(one_hot * log_softmax))
'''),
    Mutant("ce_sum_instead_of_mean", "losses.cross_entropy", '''
def cross_entropy(logits, targets):''' + _CE_CHECKS + '''
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(log_softmax[np.arange(n), targets]))
'''),
    Mutant("ce_softmax_over_samples", "losses.cross_entropy", '''
def cross_entropy(logits, targets):''' + _CE_CHECKS + '''
    shifted = logits - logits.max(axis=0, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return float(-np.mean(log_softmax[np.arange(n), targets]))
'''),
    Mutant("ce_global_max_subtraction", "losses.cross_entropy", '''
def cross_entropy(logits, targets):''' + _CE_CHECKS + '''
    shifted = logits - logits.max()
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_softmax[np.arange(n), targets]))
'''),
    Mutant("ce_log_of_softmax_underflows", "losses.cross_entropy", '''
def cross_entropy(logits, targets):''' + _CE_CHECKS + '''
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(softmax[np.arange(n), targets])))
'''),
    Mutant("ce_negative_target_wraps_around", "losses.cross_entropy", '''
def cross_entropy(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2 or targets.shape != (logits.shape[0],):
        raise ValueError("logits must be (n, k) and targets (n,)")
    if (targets >= logits.shape[1]).any():
        raise ValueError("targets must be < k")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_softmax[np.arange(len(targets)), targets]))
'''),
    Mutant("ce_sign_flipped", "losses.cross_entropy", '''
def cross_entropy(logits, targets):''' + _CE_CHECKS + '''
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(np.mean(log_softmax[np.arange(n), targets]))
'''),
]

# --------------------------------------------------------------------------- mse, mae

_SHAPES = '''
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape:
        raise ValueError("y and y_hat must have the same shape")
'''

MSE = [
    Mutant("mse_sum_instead_of_mean", "losses.mse", "\ndef mse(y, y_hat):" + _SHAPES + '''
    return float(np.sum((y_hat - y) ** 2))
'''),
    Mutant("mse_root_taken", "losses.mse", "\ndef mse(y, y_hat):" + _SHAPES + '''
    return float(np.sqrt(np.mean((y_hat - y) ** 2)))
'''),
    Mutant("mse_halved", "losses.mse", "\ndef mse(y, y_hat):" + _SHAPES + '''
    return float(0.5 * np.mean((y_hat - y) ** 2))
'''),
    Mutant("mse_not_squared", "losses.mse", "\ndef mse(y, y_hat):" + _SHAPES + '''
    return float(np.mean(y_hat - y))
'''),
    Mutant("mse_square_of_mean_error", "losses.mse", "\ndef mse(y, y_hat):" + _SHAPES + '''
    return float(np.mean(y_hat - y) ** 2)
'''),
    Mutant("mse_broadcasts_shapes", "losses.mse", '''
def mse(y, y_hat):
    return float(np.mean((np.asarray(y_hat) - np.asarray(y)) ** 2))
'''),
    Mutant("mse_divides_by_len", "losses.mse", "\ndef mse(y, y_hat):" + _SHAPES + '''
    return float(np.sum((y_hat - y) ** 2) / len(y))
'''),
]

MAE = [
    Mutant("mae_squared", "losses.mae", "\ndef mae(y, y_hat):" + _SHAPES + '''
    return float(np.mean((y_hat - y) ** 2))
'''),
    Mutant("mae_no_abs", "losses.mae", "\ndef mae(y, y_hat):" + _SHAPES + '''
    return float(np.mean(y_hat - y))
'''),
    Mutant("mae_abs_of_mean", "losses.mae", "\ndef mae(y, y_hat):" + _SHAPES + '''
    return float(abs(np.mean(y_hat - y)))
'''),
    Mutant("mae_sum_instead_of_mean", "losses.mae", "\ndef mae(y, y_hat):" + _SHAPES + '''
    return float(np.sum(np.abs(y_hat - y)))
'''),
    Mutant("mae_median_instead_of_mean", "losses.mae", "\ndef mae(y, y_hat):" + _SHAPES + '''
    return float(np.median(np.abs(y_hat - y)))
'''),
    Mutant("mae_broadcasts_shapes", "losses.mae", '''
def mae(y, y_hat):
    return float(np.mean(np.abs(np.asarray(y_hat) - np.asarray(y))))
'''),
]

# --------------------------------------------------------------------------- smooth_l1

_SMOOTH = "\ndef smooth_l1(y, y_hat, beta=1.0):" + _SHAPES + '''
    if beta < 0:
        raise ValueError("beta must be >= 0")
    d = np.abs(y_hat - y)
'''

SMOOTH_L1 = [
    Mutant("smooth_l1_branches_swapped", "losses.smooth_l1", _SMOOTH + '''
    if beta == 0:
        return float(np.mean(d))
    return float(np.mean(np.where(d < beta, d - 0.5 * beta, 0.5 * d ** 2 / beta)))
'''),
    Mutant("smooth_l1_missing_division_by_beta", "losses.smooth_l1", _SMOOTH + '''
    return float(np.mean(np.where(d < beta, 0.5 * d ** 2, d - 0.5 * beta)))
'''),
    Mutant("smooth_l1_missing_half_beta", "losses.smooth_l1", _SMOOTH + '''
    if beta == 0:
        return float(np.mean(d))
    return float(np.mean(np.where(d < beta, 0.5 * d ** 2 / beta, d)))
'''),
    Mutant("smooth_l1_is_huber", "losses.smooth_l1", _SMOOTH + '''
    return float(np.mean(np.where(d < beta, 0.5 * d ** 2, beta * (d - 0.5 * beta))))
'''),
    Mutant("smooth_l1_less_equal_divides_zero_by_zero", "losses.smooth_l1", _SMOOTH + '''
    return float(np.mean(np.where(d <= beta, 0.5 * d ** 2 / beta, d - 0.5 * beta)))
'''),
    Mutant("smooth_l1_ignores_beta", "losses.smooth_l1", _SMOOTH + '''
    return float(np.mean(np.where(d < 1, 0.5 * d ** 2, d - 0.5)))
'''),
    Mutant("smooth_l1_accepts_negative_beta", "losses.smooth_l1", '''
def smooth_l1(y, y_hat, beta=1.0):''' + _SHAPES + '''
    d = np.abs(y_hat - y)
    if beta <= 0:
        return float(np.mean(d))
    return float(np.mean(np.where(d < beta, 0.5 * d ** 2 / beta, d - 0.5 * beta)))
'''),
]

# --------------------------------------------------------------------------- bce_with_logits_gradient

_GRADIENT = "\ndef bce_with_logits_gradient(y_true, z):" + _LOGIT_CHECKS

GRADIENT = [
    Mutant("gradient_not_divided_by_n", "losses.bce_with_logits_gradient", _GRADIENT + '''
    return 1 / (1 + np.exp(-z)) - y_true
'''),
    Mutant("gradient_sign_flipped", "losses.bce_with_logits_gradient", _GRADIENT + '''
    return (y_true - 1 / (1 + np.exp(-z))) / z.size
'''),
    Mutant("gradient_sigmoid_overflows_to_nan", "losses.bce_with_logits_gradient", _GRADIENT + '''
    return (np.exp(z) / (1 + np.exp(z)) - y_true) / z.size
'''),
    Mutant("gradient_uses_z_instead_of_sigmoid", "losses.bce_with_logits_gradient", _GRADIENT + '''
    return (z - y_true) / z.size
'''),
    Mutant("gradient_extra_sigmoid_derivative", "losses.bce_with_logits_gradient", _GRADIENT + '''
    p = 1 / (1 + np.exp(-z))
    return (p - y_true) * p * (1 - p) / z.size
'''),
    Mutant("gradient_divided_by_len", "losses.bce_with_logits_gradient", _GRADIENT + '''
    return (1 / (1 + np.exp(-z)) - y_true) / len(z)
'''),
    Mutant("gradient_no_input_validation", "losses.bce_with_logits_gradient", '''
def bce_with_logits_gradient(y_true, z):
    z = np.asarray(z, dtype=float)
    return (1 / (1 + np.exp(-z)) - np.asarray(y_true, dtype=float)) / z.size
'''),
]

# --------------------------------------------------------------------------- sgd_step

_SGD = '''
def sgd_step(w, grad, lr):
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    if w.shape != grad.shape:
        raise ValueError("w and grad must have the same shape")
    if lr < 0:
        raise ValueError("lr must be >= 0")
'''

SGD = [
    Mutant("sgd_adds_gradient", "losses.sgd_step", _SGD + "    return w + lr * grad\n"),
    Mutant("sgd_ignores_lr", "losses.sgd_step", _SGD + "    return w - grad\n"),
    Mutant("sgd_returns_update_not_weights", "losses.sgd_step", _SGD + "    return -lr * grad\n"),
    Mutant("sgd_divides_by_lr", "losses.sgd_step", _SGD + "    return w - grad / lr if lr else w.copy()\n"),
    Mutant("sgd_normalises_gradient", "losses.sgd_step", _SGD + '''
    norm = np.linalg.norm(grad)
    return w - lr * grad / norm if norm else w.copy()
'''),
    Mutant("sgd_mean_of_gradient", "losses.sgd_step", _SGD + "    return w - lr * np.mean(grad)\n"),
    Mutant("sgd_broadcasts_shapes", "losses.sgd_step", '''
def sgd_step(w, grad, lr):
    if lr < 0:
        raise ValueError("lr must be >= 0")
    return np.asarray(w, dtype=float) - lr * np.asarray(grad, dtype=float)
'''),
    Mutant("sgd_accepts_negative_lr", "losses.sgd_step", '''
def sgd_step(w, grad, lr):
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    if w.shape != grad.shape:
        raise ValueError("w and grad must have the same shape")
    return w - lr * grad
'''),
    Mutant("sgd_trajectory_ascends", "losses.sgd_trajectory", _SGD + "    return w + lr * grad\n"),
    Mutant("sgd_trajectory_returns_none", "losses.sgd_trajectory", _SGD + "    w -= lr * grad\n"),
]

# --------------------------------------------------------------------------- momentum_step

_MOMENTUM = '''
def momentum_step(w, grad, velocity, lr, momentum=0.9):
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    velocity = np.asarray(velocity, dtype=float)
    if w.shape != grad.shape or w.shape != velocity.shape:
        raise ValueError("w, grad and velocity must have the same shape")
    if lr < 0 or momentum < 0:
        raise ValueError("lr and momentum must be >= 0")
'''

MOMENTUM = [
    Mutant("momentum_dampened", "losses.momentum_step", _MOMENTUM + '''
    velocity = momentum * velocity + (1 - momentum) * grad
    return w - lr * velocity, velocity
'''),
    Mutant("momentum_weights_use_old_velocity", "losses.momentum_step", _MOMENTUM + '''
    w = w - lr * velocity
    velocity = momentum * velocity + grad
    return w, velocity
'''),
    Mutant("momentum_lr_folded_into_velocity", "losses.momentum_step", _MOMENTUM + '''
    velocity = momentum * velocity + lr * grad
    return w - velocity, velocity
'''),
    Mutant("momentum_classic_sign_convention", "losses.momentum_step", _MOMENTUM + '''
    velocity = momentum * velocity - lr * grad
    return w + velocity, velocity
'''),
    Mutant("momentum_hard_coded_0_9", "losses.momentum_step", _MOMENTUM + '''
    velocity = 0.9 * velocity + grad
    return w - lr * velocity, velocity
'''),
    Mutant("momentum_nesterov", "losses.momentum_step", _MOMENTUM + '''
    velocity = momentum * velocity + grad
    return w - lr * (grad + momentum * velocity), velocity
'''),
    Mutant("momentum_returns_old_velocity", "losses.momentum_step", _MOMENTUM + '''
    new_velocity = momentum * velocity + grad
    return w - lr * new_velocity, velocity
'''),
    Mutant("momentum_no_input_validation", "losses.momentum_step", '''
def momentum_step(w, grad, velocity, lr, momentum=0.9):
    velocity = momentum * np.asarray(velocity, dtype=float) + np.asarray(grad, dtype=float)
    return np.asarray(w, dtype=float) - lr * velocity, velocity
'''),
    Mutant("momentum_trajectory_dampened", "losses.momentum_trajectory", _MOMENTUM + '''
    velocity = momentum * velocity + (1 - momentum) * grad
    return w - lr * velocity, velocity
'''),
    Mutant("momentum_trajectory_weights_use_old_velocity", "losses.momentum_trajectory", _MOMENTUM + '''
    w = w - lr * velocity
    velocity = momentum * velocity + grad
    return w, velocity
'''),
]

# --------------------------------------------------------------------------- adam_step

_ADAM = '''
def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w, grad, m, v = (np.asarray(a, dtype=float) for a in (w, grad, m, v))
    if not (w.shape == grad.shape == m.shape == v.shape):
        raise ValueError("w, grad, m and v must have the same shape")
    if t < 1 or lr < 0 or eps < 0 or not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise ValueError("invalid hyperparameters")
'''

ADAM = [
    Mutant("adam_no_bias_correction", "losses.adam_step", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return w - lr * m / (np.sqrt(v) + eps), m, v
'''),
    Mutant("adam_bias_correction_t_off_by_one", "losses.adam_step", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** (t + 1))
    v_hat = v / (1 - beta2 ** (t + 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
'''),
    Mutant("adam_eps_inside_sqrt", "losses.adam_step", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v
'''),
    Mutant("adam_second_moment_not_squared", "losses.adam_step", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * np.abs(grad)
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
'''),
    Mutant("adam_betas_swapped", "losses.adam_step", _ADAM + '''
    m = beta2 * m + (1 - beta2) * grad
    v = beta1 * v + (1 - beta1) * grad ** 2
    m_hat = m / (1 - beta2 ** t)
    v_hat = v / (1 - beta1 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
'''),
    Mutant("adam_bias_correction_multiplies_t", "losses.adam_step", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 * t)
    v_hat = v / (1 - beta2 * t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
'''),
    Mutant("adam_returns_corrected_moments", "losses.adam_step", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
'''),
    Mutant("adam_accepts_t_zero", "losses.adam_step", '''
def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w, grad, m, v = (np.asarray(a, dtype=float) for a in (w, grad, m, v))
    if not (w.shape == grad.shape == m.shape == v.shape):
        raise ValueError("w, grad, m and v must have the same shape")
    if lr < 0 or eps < 0 or not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise ValueError("invalid hyperparameters")
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
'''),
    Mutant("adam_trajectory_no_bias_correction", "losses.adam_trajectory", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return w - lr * m / (np.sqrt(v) + eps), m, v
'''),
    Mutant("adam_trajectory_returns_corrected_moments", "losses.adam_trajectory", _ADAM + '''
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
'''),
]

# --------------------------------------------------------------------------- gradient_descent

_GD_CHECKS = '''
    if not isinstance(n_steps, int) or n_steps < 0:
        raise ValueError("n_steps must be an integer >= 0")
    if lr < 0:
        raise ValueError("lr must be >= 0")
'''
_GD = "\ndef gradient_descent(grad_fn, w0, lr, n_steps):" + _GD_CHECKS

GRADIENT_DESCENT = [
    Mutant("gd_trajectory_aliases_w", "losses.gradient_descent", _GD + '''
    w = np.array(w0, dtype=float)
    trajectory = [w]
    for _ in range(n_steps):
        w -= lr * grad_fn(w)
        trajectory.append(w)
    return np.array(trajectory)
'''),
    Mutant("gd_trajectory_excludes_w0", "losses.gradient_descent", _GD + '''
    w = np.array(w0, dtype=float)
    trajectory = []
    for _ in range(n_steps):
        w = w - lr * grad_fn(w)
        trajectory.append(w)
    return np.array(trajectory).reshape(n_steps, len(w))
'''),
    Mutant("gd_one_step_too_many", "losses.gradient_descent", _GD + '''
    w = np.array(w0, dtype=float)
    trajectory = [w]
    for _ in range(n_steps + 1):
        w = w - lr * grad_fn(w)
        trajectory.append(w)
    return np.array(trajectory)
'''),
    Mutant("gd_ascends", "losses.gradient_descent", _GD + '''
    w = np.array(w0, dtype=float)
    trajectory = [w]
    for _ in range(n_steps):
        w = w + lr * grad_fn(w)
        trajectory.append(w)
    return np.array(trajectory)
'''),
    Mutant("gd_returns_final_weights_only", "losses.gradient_descent", _GD + '''
    w = np.array(w0, dtype=float)
    for _ in range(n_steps):
        w = w - lr * grad_fn(w)
    return w
'''),
    Mutant("gd_gradient_always_at_w0", "losses.gradient_descent", _GD + '''
    w = np.array(w0, dtype=float)
    trajectory = [w]
    for _ in range(n_steps):
        w = w - lr * grad_fn(np.array(w0, dtype=float))
        trajectory.append(w)
    return np.array(trajectory)
'''),
    Mutant("gd_in_place_on_integer_w0", "losses.gradient_descent", _GD + '''
    w = np.array(w0)
    trajectory = [w.copy()]
    for _ in range(n_steps):
        w -= lr * grad_fn(w)
        trajectory.append(w.copy())
    return np.array(trajectory, dtype=float)
'''),
    Mutant("gd_modifies_callers_w0", "losses.gradient_descent", _GD + '''
    w = np.asarray(w0, dtype=float)
    trajectory = [w.copy()]
    for _ in range(n_steps):
        w -= lr * grad_fn(w)
        trajectory.append(w.copy())
    return np.array(trajectory)
'''),
    Mutant("gd_no_input_validation", "losses.gradient_descent", '''
def gradient_descent(grad_fn, w0, lr, n_steps):
    w = np.array(w0, dtype=float)
    trajectory = [w]
    for _ in range(n_steps):
        w = w - lr * grad_fn(w)
        trajectory.append(w)
    return np.array(trajectory)
'''),
]

MUTANTS = (BCE + BCE_WITH_LOGITS + CROSS_ENTROPY + MSE + MAE + SMOOTH_L1 + GRADIENT + SGD + MOMENTUM + ADAM
           + GRADIENT_DESCENT)


#: Students of the end-to-end test, graded by real nbgrader (exact points per test cell).
SUBMISSIONS = [
    # Faults behind the public asserts lose an exact share, whatever the seed.
    Submission("partial", ("ce_log_of_softmax_underflows", "adam_eps_inside_sqrt", "gd_in_place_on_integer_w0"),
               {"test_cross_entropy": 3 * 4 / 5,     # "a very unlikely target" fails (1 of 5 groups)
                "test_adam_step": 3 * 4 / 6,         # custom eps: 1 of 4 single-step groups, 1 of 2 trajectory groups
                "test_gradient_descent": 2 * 4 / 5},  # "w0 given as a list of integers" fails (1 of 5 groups)
               feedback={"test_cross_entropy": ("Hidden tests: 2.4 / 3 points",
                                                "FAIL  a very unlikely target (log-probability below -1000)"),
                         "test_gradient_descent": ("FAIL  w0 given as a list of integers",)}),
    # Faults the public asserts catch: 0 on their cell only.
    Submission("faulty", ("momentum_dampened", "mse_broadcasts_shapes", "logits_bce_overflows"),
               {"test_momentum_step": 0.0, "test_mse": 0.0, "test_bce_with_logits_stable": 0.0}),
]
