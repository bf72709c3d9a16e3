"""Hidden tests for 03_losses (losses, gradient of the logistic loss, optimisers).

Every check draws its inputs from ``rng`` only. Groups are built so that each fault in
``reference/losses/wrong.py`` is caught whatever the seed: the cases that expose a
fault (p exactly 0 or 1, |z| up to 1e4, rows of logits on very different scales, beta
other than 1, eps large enough to matter, integer starting points, ...) are always
drawn, only their values vary.

Checks with a custom probe (several steps in a row, a gradient function built in the
kernel, warnings recorded) have a grader-side reference with the probe's arguments.
"""

import numpy as np

from coursekit.checks import Case, Check, Group, compare, short_repr
from reference.losses import solution as ref

#: Optimiser trajectories are sums of many float64 operations done in a different order
#: than the reference's; they agree to ~1e-13, so the kit's default 1e-6 holds.
#: Losses too: a different but correct formula (logaddexp, log1p, ...) agrees to ~1e-12.


def _labels(rng, shape, both=True):
    """Random 0/1 labels (floats); with ``both``, both labels occur when there are >= 2."""
    y = rng.integers(0, 2, size=shape).astype(float)
    if both and y.size >= 2:
        flat = y.reshape(-1)
        flat[0], flat[1] = 0.0, 1.0
        rng.shuffle(flat)
    return y


def _uniform(rng, low, high, digits=3):
    """A random number rounded for display (the feedback shows exactly what ran)."""
    return round(float(rng.uniform(low, high)), digits)


def _mismatched(rng, n):
    """Pairs of arrays whose shapes differ: (n,) with (n, 1), and (n,) with (n + 1,)."""
    return [(rng.normal(size=n), rng.normal(size=(n, 1))), (rng.normal(size=n), rng.normal(size=n + 1))]


# --------------------------------------------------------------------------- binary cross-entropy

def _bce_groups(rng):
    n_clip = int(rng.integers(5, 9))
    # Always a confident wrong answer each way (y=1, p=0 and y=0, p=1) and p = 0 with y = 0
    # (0 * log 0 is nan without clipping); the rest random.
    y_clip = np.concatenate([[1.0, 0.0, 0.0, 1.0], _labels(rng, n_clip - 4)])
    p_clip = np.concatenate([[0.0, 1.0, 0.0, 1.0], rng.uniform(0.05, 0.95, n_clip - 4)])
    order = rng.permutation(n_clip)
    eps = [float(rng.uniform(1e-3, 0.05)), float(rng.uniform(1e-6, 1e-4))]
    bad_p = rng.uniform(0.1, 0.9, 4)
    bad_p[int(rng.integers(4))] = float(rng.choice([rng.uniform(1.01, 2.0), -rng.uniform(0.01, 1.0)]))
    bad_y = _labels(rng, 4)
    bad_y[int(rng.integers(4))] = float(rng.choice([2.0, -1.0, 0.5]))
    (a, b), (c, d) = _mismatched(rng, 4)
    return [
        Group("random labels and probabilities",
              [Case((_labels(rng, n), rng.uniform(0.01, 0.99, n))) for n in (1, int(rng.integers(3, 8)), 40)]),
        Group("p exactly 0 or 1 is clipped to [eps, 1 - eps] (finite loss)",
              [Case((y_clip[order], p_clip[order]))]),
        Group("a custom eps (clipping, not adding eps)",
              [Case((np.array([1.0, 0.0, 1.0, 0.0, 1.0]),
                     np.concatenate([[0.0, 1.0], rng.uniform(0.2, 0.8, 3)])), {"eps": e}) for e in eps]),
        Group("2-D arrays (mean over all elements)",
              [Case((_labels(rng, (3, 4)), rng.uniform(0.01, 0.99, (3, 4))))]),
        Group("invalid input raises ValueError",
              [Case((_labels(rng, 4), bad_p)), Case((bad_y, rng.uniform(0.1, 0.9, 4))),
               Case((_labels(rng, 4), np.abs(b) % 1)), Case((_labels(rng, 4), np.abs(d) % 1))]),
    ]


def _bce_logits_groups(rng):
    bad_y = _labels(rng, 5)
    bad_y[int(rng.integers(5))] = float(rng.choice([2.0, -1.0, 0.3]))
    return [
        Group("random labels and logits",
              [Case((_labels(rng, n), rng.normal(0, 3, n))) for n in (1, int(rng.integers(3, 8)), 40)]),
        Group("2-D arrays (mean over all elements)", [Case((_labels(rng, (2, 5)), rng.normal(0, 3, (2, 5))))]),
        Group("invalid input raises ValueError",
              [Case((bad_y, rng.normal(0, 3, 5))), Case((_labels(rng, 4), rng.normal(0, 3, (4, 1)))),
               Case((_labels(rng, 4), rng.normal(0, 3, 5)))]),
    ]


#: Runs the student's function with every RuntimeWarning recorded (overflow in exp,
#: log of 0, inf - inf ...). Underflow to 0 is harmless and numpy ignores it by default.
STABLE_PROBE = '''
def probe(ns, *args, **kwargs):
    import warnings
    import numpy as np
    if FUNCTION not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % FUNCTION)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            loss = ns[FUNCTION](*args, **kwargs)
    messages = ["%s: %s" % (w.category.__name__, w.message) for w in caught
                if issubclass(w.category, RuntimeWarning)]
    return {"loss": loss, "warnings": sorted(set(messages))}
'''


def _stable_reference(y_true, z):
    return {"loss": ref.binary_cross_entropy_with_logits(y_true, z), "warnings": []}


def _stable_judge(case, expected, got):
    if got.raised:
        return "expected %s, but it %s" % (short_repr(expected.value["loss"]), got.describe())
    value = got.value
    if not isinstance(value, dict) or "loss" not in value:
        return "the result could not be read"
    if value.get("warnings"):
        return ("it emitted %s; a numerically stable formula emits no warning for |z| up to 1e4 "
                "(numpy's np.where evaluates both branches)" % "; ".join(value["warnings"]))
    return compare(expected.value["loss"], value["loss"])


def _large_logits(rng, n):
    """Logits with |z| between 100 and 10000, both signs, both labels, confident mistakes included."""
    z = rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(2, 4, n)
    y = _labels(rng, n)
    z[:4] = [1e4, -1e4, float(rng.uniform(100, 1e4)), -float(rng.uniform(100, 1e4))]
    y[:4] = [0.0, 1.0, 1.0, 0.0]  # confidently wrong with |z| = 1e4, then confidently right
    order = rng.permutation(n)
    return y[order], z[order]


def _bce_stable_groups(rng):
    y_mixed, z_mixed = _large_logits(rng, 6)
    small = rng.normal(0, 2, 6)
    return [
        Group("|z| from 100 to 10000 (no overflow, nan, inf or RuntimeWarning)",
              [Case(_large_logits(rng, n)) for n in (int(rng.integers(4, 8)), 30)]),
        Group("large and small logits mixed",
              [Case((np.concatenate([y_mixed, _labels(rng, 6)]), np.concatenate([z_mixed, small])))]),
    ]


# --------------------------------------------------------------------------- cross-entropy

def _targets(rng, n, k):
    return rng.integers(0, k, size=n)


def _ce_groups(rng):
    shapes = [(1, 2), (int(rng.integers(3, 8)), 3), (20, int(rng.integers(5, 11)))]
    # Rows far apart: half near +1e4, half near -1e4 (a global max cannot shift them all).
    n_far = int(rng.integers(4, 7))
    offsets = np.where(np.arange(n_far) % 2 == 0, 1.0, -1.0) * rng.uniform(5e3, 1e4, n_far)
    far = rng.normal(0, 2, (n_far, 4)) + offsets[rng.permutation(n_far), None]
    # A target whose probability is below exp(-1000): softmax rounds it to 0, log gives -inf.
    unlikely = rng.normal(0, 1, (3, 3))
    unlikely[0, 2] -= rng.uniform(1e3, 2e3)
    k = int(rng.integers(3, 6))
    return [
        Group("random logits", [Case((rng.normal(0, 2, s), _targets(rng, s[0], s[1]))) for s in shapes]),
        Group("large logits (exp would overflow)",
              [Case((rng.normal(0, 20, (5, 4)) + float(rng.choice([-1, 1])) * rng.uniform(1e3, 1e4),
                     _targets(rng, 5, 4)))]),
        Group("rows on very different scales (subtract each row's own max)",
              [Case((far, _targets(rng, n_far, 4)))]),
        Group("a very unlikely target (log-probability below -1000)",
              [Case((unlikely, np.array([2, int(rng.integers(0, 3)), int(rng.integers(0, 3))])))]),
        Group("invalid input raises ValueError", [
            Case((rng.normal(size=(3, k)), np.array([0, k, 1]))),
            Case((rng.normal(size=(3, k)), np.array([0, -1, 1]))),
            Case((rng.normal(size=(4, k)), _targets(rng, 3, k))),
            Case((rng.normal(size=k), np.array([0]))),
        ]),
    ]


# --------------------------------------------------------------------------- regression losses

def _regression_groups(rng):
    (a, b), (c, d) = _mismatched(rng, int(rng.integers(3, 7)))
    return [
        Group("random targets and predictions",
              [Case((rng.normal(120, 15, n), rng.normal(120, 15, n))) for n in (1, int(rng.integers(3, 8)), 40)]),
        Group("2-D arrays (mean over all elements)", [Case((rng.normal(0, 2, (3, 4)), rng.normal(0, 2, (3, 4))))]),
        Group("shapes that differ raise ValueError (no broadcasting)", [Case((a, b)), Case((c, d))]),
    ]


def _smooth_l1_groups(rng):
    def pair(n, scale):
        y = rng.normal(0, 3, n)
        d = rng.normal(0, scale, n)
        d[:2] = [0.3 * scale, -3 * scale]  # one difference inside |d| < beta, one outside
        return y, y + d

    betas = [_uniform(rng, 0.1, 0.8), _uniform(rng, 1.5, 5.0)]
    y0, y_hat0 = pair(8, 1.0)
    y_hat0[[2, 5]] = y0[[2, 5]]  # exact zero differences: 0 / 0 if beta = 0 is divided by
    (a, b), (c, d) = _mismatched(rng, 4)
    return [
        Group("default beta = 1", [Case(pair(n, 1.0)) for n in (3, 20)]),
        Group("beta other than 1", [Case(pair(12, beta), {"beta": beta}) for beta in betas]),
        Group("beta = 0 is the L1 loss (exact zero differences included)", [Case((y0, y_hat0), {"beta": 0.0})]),
        Group("2-D arrays (mean over all elements)", [Case((rng.normal(0, 2, (3, 4)), rng.normal(0, 2, (3, 4))),
                                                           {"beta": _uniform(rng, 0.5, 2)})]),
        Group("invalid input raises ValueError",
              [Case((a, b)), Case((c, d)), Case(pair(4, 1.0), {"beta": -_uniform(rng, 0.1, 2)})]),
    ]


# --------------------------------------------------------------------------- gradient

def _gradient_groups(rng):
    large = rng.choice([-1.0, 1.0], 6) * rng.uniform(750, 1e3, 6)  # exp(750) overflows float64
    large[:2] = [1e3, -1e3]
    bad_y = _labels(rng, 4)
    bad_y[int(rng.integers(4))] = 2.0
    return [
        Group("random labels and logits",
              [Case((_labels(rng, n), rng.normal(0, 3, n))) for n in (1, int(rng.integers(3, 8)), 30)]),
        Group("2-D arrays (n counts all elements)", [Case((_labels(rng, (3, 4)), rng.normal(0, 3, (3, 4))))]),
        Group("|z| up to 1000 (finite, no nan)", [Case((_labels(rng, 6), large))]),
        Group("invalid input raises ValueError",
              [Case((bad_y, rng.normal(size=4))), Case((_labels(rng, 4), rng.normal(size=5)))]),
    ]


# --------------------------------------------------------------------------- optimisers, one step

def _sgd_groups(rng):
    d = int(rng.integers(2, 6))
    return [
        Group("random weights, gradients and learning rates",
              [Case((rng.normal(size=n), rng.normal(size=n), _uniform(rng, 0.01, 1))) for n in (1, d, 10)]),
        Group("a weight matrix (2-D)", [Case((rng.normal(size=(3, 2)), rng.normal(size=(3, 2)),
                                              _uniform(rng, 0.01, 1)))]),
        Group("lr = 0 leaves the weights unchanged", [Case((rng.normal(size=d), rng.normal(size=d), 0.0))]),
        Group("invalid input raises ValueError", [
            Case((rng.normal(size=d), rng.normal(size=(d, 1)), 0.1)),
            Case((rng.normal(size=d), rng.normal(size=1), 0.1)),
            Case((rng.normal(size=d), rng.normal(size=d), -_uniform(rng, 0.01, 1))),
        ]),
    ]


def _momentum_groups(rng):
    d = int(rng.integers(3, 6))

    def arrays(n, zero_velocity=False):
        velocity = np.zeros(n) if zero_velocity else rng.normal(size=n)
        return rng.normal(size=n), rng.normal(size=n), velocity

    return [
        Group("first step from zero velocity (default momentum 0.9)",
              [Case(arrays(n, zero_velocity=True) + (_uniform(rng, 0.01, 0.5),)) for n in (1, d)]),
        Group("a step from a non-zero velocity (default momentum 0.9)",
              [Case(arrays(n) + (_uniform(rng, 0.01, 0.5),)) for n in (2, d)]),
        Group("other momentum values",
              [Case(arrays(d) + (_uniform(rng, 0.01, 0.5),), {"momentum": mu})
               for mu in (0.0, _uniform(rng, 0.2, 0.6), _uniform(rng, 0.95, 0.99))]),
        Group("invalid input raises ValueError", [
            Case((rng.normal(size=d), rng.normal(size=d), np.zeros(d + 1), 0.1)),
            Case((rng.normal(size=d), rng.normal(size=(d, 1)), np.zeros(d), 0.1)),
            Case(arrays(d) + (-0.1,)),
            Case(arrays(d) + (0.1,), {"momentum": -_uniform(rng, 0.1, 0.9)}),
        ]),
    ]


def _adam_hyperparameters(rng):
    """lr, betas and eps away from the defaults; eps large enough that where it goes matters."""
    return {"lr": _uniform(rng, 0.01, 0.2), "beta1": _uniform(rng, 0.5, 0.95, 2),
            "beta2": _uniform(rng, 0.9, 0.999), "eps": round(float(10 ** rng.uniform(-3, -1)), 4)}


def _adam_groups(rng):
    d = int(rng.integers(3, 6))

    def state(n):
        """w, grad, m, v as after a few steps: v >= m**2 * (1 - beta2) roughly, v > 0."""
        m = rng.normal(0, 0.5, n)
        return rng.normal(size=n), rng.normal(size=n), m, m ** 2 + rng.uniform(0.01, 1, n)

    def first(n):
        return rng.normal(size=n), rng.normal(size=n), np.zeros(n), np.zeros(n), 1

    return [
        Group("first step (t = 1) from zero moments, default hyperparameters", [Case(first(n)) for n in (1, d)]),
        Group("a later step (t from 2 to 50), default hyperparameters",
              [Case(state(d) + (int(rng.integers(2, 51)),)) for _ in range(2)]),
        Group("custom lr, beta1, beta2 and eps (eps from 0.001 to 0.1)", [
            Case(state(d) + (int(rng.integers(1, 20)),), _adam_hyperparameters(rng)) for _ in range(2)]),
        Group("invalid input raises ValueError", [
            Case(first(d)[:4] + (0,)),
            Case(state(d) + (3,), {"beta1": 1.0}),
            Case(state(d) + (3,), {"beta2": -_uniform(rng, 0.01, 0.5)}),
            Case(state(d) + (3,), {"lr": -_uniform(rng, 1e-3, 0.1)}),
            Case((rng.normal(size=d), rng.normal(size=d), np.zeros(d), np.zeros(d + 1), 1)),
        ]),
    ]


# --------------------------------------------------------------------------- optimisers, several steps

#: Shared by the trajectory probes: read what a step function returned, or say clearly
#: why it cannot be used as the next weights.
_PROBE_HELPERS = '''
import numpy as np


def _function(ns, name):
    if name not in ns:
        raise NameError("name %r is not defined: run the cell that defines it" % name)
    return ns[name]


def _array(value, shape, function, part=""):
    if value is None:
        if part:
            raise TypeError("%s returned None as %s" % (function, part))
        raise TypeError("%s returned None: did you forget `return`?" % function)
    array = np.array(value, dtype=float)
    if array.shape != shape:
        raise TypeError("%s returned %s of shape %s, expected shape %s"
                        % (function, part or "weights", array.shape, shape))
    return array


def _unpack(result, n, what):
    if not isinstance(result, (tuple, list)) or len(result) != n:
        raise TypeError("%s must return a tuple of %d arrays, got %s" % (what, n, type(result).__name__))
    return result
'''

SGD_TRAJECTORY_PROBE = _PROBE_HELPERS + '''

def probe(ns, A, b, w0, lr, n_steps):
    step = _function(ns, "sgd_step")
    w = np.array(w0, dtype=float)
    trajectory = [w.copy()]
    for _ in range(n_steps):
        w = _array(step(w.copy(), A @ w - b, lr), w.shape, "sgd_step")
        trajectory.append(w)
    return np.array(trajectory)
'''

MOMENTUM_TRAJECTORY_PROBE = _PROBE_HELPERS + '''

def probe(ns, A, b, w0, lr, n_steps, **hyper):
    step = _function(ns, "momentum_step")
    w = np.array(w0, dtype=float)
    velocity = np.zeros_like(w)
    trajectory = [w.copy()]
    for _ in range(n_steps):
        result = _unpack(step(w.copy(), A @ w - b, velocity.copy(), lr, **hyper), 2, "momentum_step")
        w = _array(result[0], w.shape, "momentum_step", "the weights")
        velocity = _array(result[1], w.shape, "momentum_step", "the velocity")
        trajectory.append(w)
    return np.array(trajectory), velocity
'''

ADAM_TRAJECTORY_PROBE = _PROBE_HELPERS + '''

def probe(ns, A, b, w0, n_steps, **hyper):
    step = _function(ns, "adam_step")
    w = np.array(w0, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    trajectory = [w.copy()]
    for t in range(1, n_steps + 1):
        result = _unpack(step(w.copy(), A @ w - b, m.copy(), v.copy(), t, **hyper), 3, "adam_step")
        w = _array(result[0], w.shape, "adam_step", "the weights")
        m = _array(result[1], w.shape, "adam_step", "the first moment m")
        v = _array(result[2], w.shape, "adam_step", "the second moment v")
        trajectory.append(w)
    return np.array(trajectory), m, v
'''


def sgd_trajectory(A, b, w0, lr, n_steps):
    """``n_steps`` reference SGD steps on f(w) = 0.5 w.A w - b.w (gradient A w - b): (n_steps + 1, d)."""
    w = np.array(w0, dtype=float)
    trajectory = [w]
    for _ in range(n_steps):
        w = ref.sgd_step(w, A @ w - b, lr)
        trajectory.append(w)
    return np.array(trajectory)


def momentum_trajectory(A, b, w0, lr, n_steps, **hyper):
    """As :func:`sgd_trajectory` with momentum; returns (trajectory, final velocity)."""
    w = np.array(w0, dtype=float)
    velocity = np.zeros_like(w)
    trajectory = [w]
    for _ in range(n_steps):
        w, velocity = ref.momentum_step(w, A @ w - b, velocity, lr, **hyper)
        trajectory.append(w)
    return np.array(trajectory), velocity


def adam_trajectory(A, b, w0, n_steps, **hyper):
    """As :func:`sgd_trajectory` with Adam, t = 1 .. n_steps; returns (trajectory, m, v)."""
    w = np.array(w0, dtype=float)
    m, v = np.zeros_like(w), np.zeros_like(w)
    trajectory = [w]
    for t in range(1, n_steps + 1):
        w, m, v = ref.adam_step(w, A @ w - b, m, v, t, **hyper)
        trajectory.append(w)
    return np.array(trajectory), m, v


def random_quadratic(rng, d):
    """A symmetric positive definite A (eigenvalues in [0.5, 3]) and b: f(w) = 0.5 w.A w - b.w.

    Rounded to 2 decimals (A stays positive definite: the rounding moves eigenvalues by
    < 0.005 d) so that the case a student reads in the feedback is exactly the one run.
    """
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = np.round((q * rng.uniform(0.5, 3.0, d)) @ q.T, 2)
    return (A + A.T) / 2, np.round(rng.normal(size=d), 2)


def _quadratic_text(A, b):
    return "A=%s, b=%s" % (np.array2string(A, separator=", ").replace("\n", ""), np.array2string(b, separator=", "))


def _quadratic_case(rng, function, d, n_steps, step_lr=None, **hyper):
    """A trajectory case; ``step_lr`` is passed positionally (SGD, momentum), Adam's lr in ``hyper``."""
    A, b = random_quadratic(rng, d)
    w0 = np.round(rng.normal(0, 2, d), 2)
    args = (A, b, w0) + (() if step_lr is None else (step_lr,)) + (n_steps,)
    settings = ", ".join("%s=%s" % (k, short_repr(v)) for k, v in ([("lr", step_lr)] if step_lr is not None else [])
                         + sorted(hyper.items()))
    label = ("%d calls of %s in a row from w0=%s%s, each on the gradient A w - b with %s"
             % (n_steps, function, short_repr(w0), ", " + settings if settings else "", _quadratic_text(A, b)))
    return Case(args, hyper, label=label)


def _sgd_trajectory_groups(rng):
    return [Group("several steps in a row on a random quadratic",
                  [_quadratic_case(rng, "sgd_step", d, int(rng.integers(3, 15)), _uniform(rng, 0.05, 0.5))
                   for d in (1, 3)])]


def _momentum_trajectory_groups(rng):
    return [
        Group("several steps in a row, default momentum 0.9",
              [_quadratic_case(rng, "momentum_step", 3, int(rng.integers(5, 15)), _uniform(rng, 0.02, 0.2))]),
        Group("several steps in a row, other momentum values",
              [_quadratic_case(rng, "momentum_step", d, int(rng.integers(5, 15)), _uniform(rng, 0.02, 0.2),
                               momentum=_uniform(rng, 0.3, 0.95, 2)) for d in (2, 4)]),
    ]


def _adam_trajectory_groups(rng):
    return [
        Group("several steps in a row, default hyperparameters",
              [_quadratic_case(rng, "adam_step", 3, int(rng.integers(5, 20)))]),
        Group("several steps in a row, custom lr, betas and eps",
              [_quadratic_case(rng, "adam_step", d, int(rng.integers(5, 20)), None, **_adam_hyperparameters(rng))
               for d in (2, 4)]),
    ]


# --------------------------------------------------------------------------- gradient descent

#: Builds grad_fn in the kernel (a function cannot travel as a case input) from the
#: quadratic f(w) = 0.5 w.A w - b.w; with ``check_w0`` it also says if w0 was changed.
GRADIENT_DESCENT_PROBE = _PROBE_HELPERS + '''

def probe(ns, A, b, w0, lr, n_steps, check_w0=False):
    gradient_descent = _function(ns, "gradient_descent")

    def grad_fn(w):
        return A @ np.asarray(w, dtype=float) - b

    before = np.array(w0, dtype=float)
    trajectory = gradient_descent(grad_fn, w0, lr, n_steps)
    if check_w0 and not np.array_equal(np.asarray(w0, dtype=float), before):
        raise RuntimeError("gradient_descent changed the caller's w0 in place (it must stay as it was)")
    return trajectory
'''


def gradient_descent_on_quadratic(A, b, w0, lr, n_steps, check_w0=False):
    """Reference for the probe: gradient descent on f(w) = 0.5 w.A w - b.w."""
    return ref.gradient_descent(lambda w: A @ w - b, w0, lr, n_steps)


def _gd_case(rng, d, n_steps, w0=None, lr=None, check_w0=False, note=""):
    A, b = random_quadratic(rng, d)
    w0 = np.round(rng.normal(0, 2, d), 2) if w0 is None else w0
    lr = _uniform(rng, 0.05, 0.5) if lr is None else lr
    label = ("gradient_descent(grad_fn=<w -> A w - b>, w0=%s, lr=%s, n_steps=%s) with %s%s"
             % (short_repr(w0), short_repr(lr), short_repr(n_steps), _quadratic_text(A, b), note))
    return Case((A, b, w0, lr, n_steps), {"check_w0": True} if check_w0 else {}, label=label)


def _gd_groups(rng):
    d = int(rng.integers(2, 5))
    return [
        Group("random quadratics, several steps",
              [_gd_case(rng, k, int(rng.integers(2, 20))) for k in (1, d)]),
        Group("n_steps = 0 returns just w0, shape (1, d)", [_gd_case(rng, d, 0)]),
        Group("w0 given as a list of integers",
              [_gd_case(rng, 3, int(rng.integers(2, 8)), w0=[int(x) for x in rng.integers(-5, 6, 3)])]),
        Group("w0 is left unchanged", [_gd_case(rng, d, int(rng.integers(2, 8)), check_w0=True,
                                                note=", then w0 compared with a copy")]),
        Group("invalid input raises ValueError", [
            _gd_case(rng, d, -int(rng.integers(1, 5))),
            _gd_case(rng, d, 3, lr=-_uniform(rng, 0.01, 1, 2)),
        ]),
    ]


# --------------------------------------------------------------------------- the checks

CHECKS = [
    Check("losses.binary_cross_entropy", "binary_cross_entropy", ref.binary_cross_entropy, _bce_groups),
    Check("losses.binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits",
          ref.binary_cross_entropy_with_logits, _bce_logits_groups),
    Check("losses.bce_with_logits_stable", "binary_cross_entropy_with_logits", _stable_reference,
          _bce_stable_groups, probe=STABLE_PROBE, judge=_stable_judge),
    Check("losses.cross_entropy", "cross_entropy", ref.cross_entropy, _ce_groups),
    Check("losses.mse", "mse", ref.mse, _regression_groups),
    Check("losses.mae", "mae", ref.mae, _regression_groups),
    Check("losses.smooth_l1", "smooth_l1", ref.smooth_l1, _smooth_l1_groups),
    Check("losses.bce_with_logits_gradient", "bce_with_logits_gradient", ref.bce_with_logits_gradient,
          _gradient_groups),
    Check("losses.sgd_step", "sgd_step", ref.sgd_step, _sgd_groups),
    Check("losses.sgd_trajectory", "sgd_step", sgd_trajectory, _sgd_trajectory_groups,
          probe=SGD_TRAJECTORY_PROBE),
    Check("losses.momentum_step", "momentum_step", ref.momentum_step, _momentum_groups),
    Check("losses.momentum_trajectory", "momentum_step", momentum_trajectory, _momentum_trajectory_groups,
          probe=MOMENTUM_TRAJECTORY_PROBE),
    Check("losses.adam_step", "adam_step", ref.adam_step, _adam_groups),
    Check("losses.adam_trajectory", "adam_step", adam_trajectory, _adam_trajectory_groups,
          probe=ADAM_TRAJECTORY_PROBE),
    Check("losses.gradient_descent", "gradient_descent", gradient_descent_on_quadratic, _gd_groups,
          probe=GRADIENT_DESCENT_PROBE),
]
