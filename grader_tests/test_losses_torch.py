"""reference/losses.py against PyTorch, the oracle (float64, a few hundred random cases each).

What the notebook promises students ("equal to F.binary_cross_entropy", "matches
torch.optim.Adam step after step") is proved here for the reference the grader uses.
"""

import zlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import kit  # noqa: F401 - puts the repository root on sys.path
from reference.losses import solution as ref
from reference.losses import checks as checks

#: Both sides compute in float64; different but exact formulas agree to ~1e-13.
RTOL = 1e-10
ATOL = 1e-12
N_CASES = 300


def t(array):
    return torch.tensor(np.asarray(array), dtype=torch.float64)


@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))  # fixed per test


def _shape(rng):
    return tuple(int(s) for s in rng.integers(1, 7, size=int(rng.integers(1, 3))))


def test_binary_cross_entropy_matches_torch_away_from_clipping(rng):
    eps = 1e-7
    for _ in range(N_CASES):
        shape = _shape(rng)
        y = rng.integers(0, 2, shape).astype(float)
        p = rng.uniform(eps, 1 - eps, shape) ** float(rng.choice([1, 8]))  # some probabilities near 0
        p = np.clip(p, eps, 1 - eps)
        np.testing.assert_allclose(ref.binary_cross_entropy(y, p, eps), F.binary_cross_entropy(t(p), t(y)).item(),
                                   rtol=RTOL, atol=ATOL)


def test_binary_cross_entropy_clips_where_torch_caps_the_log():
    """At p = 0 or 1, torch caps log at -100, the reference clips p: cost -log(eps) per confident mistake."""
    y, p = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert F.binary_cross_entropy(t(p), t(y)).item() == pytest.approx(100.0)
    assert ref.binary_cross_entropy(y, p, eps=1e-7) == pytest.approx(-np.log(1e-7))


def test_binary_cross_entropy_with_logits_matches_torch_up_to_1e4(rng):
    for _ in range(N_CASES):
        shape = _shape(rng)
        y = rng.integers(0, 2, shape).astype(float)
        z = rng.normal(0, 1, shape) * 10 ** rng.uniform(-1, 4, shape)
        with np.errstate(all="raise", under="ignore"):  # the reference itself never overflows
            got = ref.binary_cross_entropy_with_logits(y, z)
        np.testing.assert_allclose(got, F.binary_cross_entropy_with_logits(t(z), t(y)).item(), rtol=RTOL, atol=ATOL)


def test_cross_entropy_matches_torch_including_huge_logits(rng):
    for _ in range(N_CASES):
        n, k = int(rng.integers(1, 12)), int(rng.integers(2, 8))
        logits = rng.normal(0, 3, (n, k)) + rng.normal(0, 1, (n, 1)) * 10 ** rng.uniform(0, 4)
        targets = rng.integers(0, k, n)
        with np.errstate(all="raise", under="ignore"):
            got = ref.cross_entropy(logits, targets)
        expected = F.cross_entropy(t(logits), torch.tensor(targets, dtype=torch.long)).item()
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_regression_losses_match_torch(rng):
    for _ in range(N_CASES):
        shape = _shape(rng)
        y, y_hat = rng.normal(0, 3, shape), rng.normal(0, 3, shape)
        if rng.random() < 0.2:
            y_hat.flat[0] = y.flat[0]  # exact zero differences
        np.testing.assert_allclose(ref.mse(y, y_hat), F.mse_loss(t(y_hat), t(y)).item(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(ref.mae(y, y_hat), F.l1_loss(t(y_hat), t(y)).item(), rtol=RTOL, atol=ATOL)
        beta = float(rng.choice([0.0, 1.0, rng.uniform(0.05, 5.0)]))
        np.testing.assert_allclose(ref.smooth_l1(y, y_hat, beta=beta),
                                   F.smooth_l1_loss(t(y_hat), t(y), beta=beta).item(), rtol=RTOL, atol=ATOL,
                                   err_msg="beta=%r" % beta)


def test_smooth_l1_beta_zero_is_l1_without_warnings():
    y, y_hat = np.zeros(4), np.array([0.0, 0.5, -2.0, 0.0])
    with np.errstate(all="raise"):
        assert ref.smooth_l1(y, y_hat, beta=0.0) == pytest.approx(F.l1_loss(t(y_hat), t(y)).item())


def test_gradient_matches_autograd(rng):
    for _ in range(N_CASES):
        shape = _shape(rng)
        y = rng.integers(0, 2, shape).astype(float)
        z = t(rng.normal(0, 1, shape) * 10 ** rng.uniform(-1, 3, shape)).requires_grad_()
        F.binary_cross_entropy_with_logits(z, t(y)).backward()
        np.testing.assert_allclose(ref.bce_with_logits_gradient(y, z.detach().numpy()), z.grad.numpy(),
                                   rtol=RTOL, atol=ATOL)


# --------------------------------------------------------------------------- optimisers

def _torch_trajectory(make_optimizer, A, b, w0, n_steps):
    """Run a torch optimiser on f(w) = 0.5 w.A w - b.w (gradient A w - b) and return its states."""
    w = t(w0).requires_grad_()
    optimizer = make_optimizer([w])
    trajectory = [w.detach().numpy().copy()]
    for _ in range(n_steps):
        optimizer.zero_grad()
        w.grad = t(A) @ w.detach() - t(b)
        optimizer.step()
        trajectory.append(w.detach().numpy().copy())
    return np.array(trajectory), optimizer.state[w]


def _quadratic(rng):
    d = int(rng.integers(1, 6))
    A, b = checks.random_quadratic(rng, d)
    return A, b, rng.normal(0, 2, d), int(rng.integers(1, 25))


def test_sgd_matches_torch_step_after_step(rng):
    for _ in range(100):
        A, b, w0, n_steps = _quadratic(rng)
        lr = float(rng.uniform(0.01, 0.6))
        expected, _ = _torch_trajectory(lambda p: torch.optim.SGD(p, lr=lr), A, b, w0, n_steps)
        np.testing.assert_allclose(checks.sgd_trajectory(A, b, w0, lr, n_steps), expected, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(checks.gradient_descent_on_quadratic(A, b, w0, lr, n_steps), expected,
                                   rtol=RTOL, atol=ATOL)


def test_momentum_matches_torch_step_after_step(rng):
    for _ in range(100):
        A, b, w0, n_steps = _quadratic(rng)
        lr, mu = float(rng.uniform(0.01, 0.3)), float(rng.choice([0.0, 0.9, rng.uniform(0, 0.99)]))
        expected, state = _torch_trajectory(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu, dampening=0),
                                            A, b, w0, n_steps)
        trajectory, velocity = checks.momentum_trajectory(A, b, w0, lr, n_steps, momentum=mu)
        np.testing.assert_allclose(trajectory, expected, rtol=RTOL, atol=ATOL)
        if mu > 0:  # torch keeps no buffer without momentum
            np.testing.assert_allclose(velocity, state["momentum_buffer"].numpy(), rtol=RTOL, atol=ATOL)


def test_adam_matches_torch_step_after_step(rng):
    for _ in range(100):
        A, b, w0, n_steps = _quadratic(rng)
        hyper = {"lr": float(rng.uniform(1e-3, 0.3)), "beta1": float(rng.uniform(0.0, 0.99)),
                 "beta2": float(rng.uniform(0.5, 0.9999)), "eps": float(10 ** rng.uniform(-8, -1))}
        expected, state = _torch_trajectory(
            lambda p: torch.optim.Adam(p, lr=hyper["lr"], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"]),
            A, b, w0, n_steps)
        trajectory, m, v = checks.adam_trajectory(A, b, w0, n_steps, **hyper)
        drift = _adam_drift_bound(A, b, expected, n_steps, hyper["lr"], hyper["eps"])
        np.testing.assert_allclose(trajectory, expected, rtol=RTOL, atol=max(ATOL, drift))
        # The moments see gradients at drifted points: |A w - A w'| <= d max|A| drift.
        gradient_drift = A.shape[0] * np.max(np.abs(A)) * drift
        gradient_scale = np.max(np.abs(state["exp_avg"].numpy())) + np.sqrt(np.max(state["exp_avg_sq"].numpy()))
        np.testing.assert_allclose(m, state["exp_avg"].numpy(), rtol=RTOL, atol=max(ATOL, gradient_drift))
        np.testing.assert_allclose(v, state["exp_avg_sq"].numpy(), rtol=RTOL,
                                   atol=max(ATOL, 2 * gradient_scale * gradient_drift))


#: float64's unit roundoff.
UNIT_ROUNDOFF = 2.0 ** -53


def _adam_drift_bound(A, b, trajectory, n_steps, lr, eps):
    """How far two correct float64 Adam trajectories may drift apart from rounding alone.

    The gradient A w - b carries a rounding error of at most d u (|A| |w| + |b|) (d terms per
    dot product, whatever order the CPU sums them in: AVX-512 kernels sum differently). Adam's
    step lr m^/(sqrt(v^) + eps) turns a gradient error delta into a step error of at most
    lr delta / eps when the gradient is near zero (m^ and v^ both shrink there), and the errors
    of n_steps steps add up. A formula error (bias correction, eps inside the root) moves w by
    orders of magnitude more.
    """
    d = A.shape[0]
    scale = np.max(np.abs(A)) * d * np.max(np.abs(trajectory)) + np.max(np.abs(b))
    return n_steps * lr * (4 * d * UNIT_ROUNDOFF * scale) / eps


def _param():
    return [torch.zeros(1, requires_grad=True)]


W, G = np.zeros(1), np.ones(1)


@pytest.mark.parametrize("torch_call, reference_call", [
    (lambda: torch.optim.SGD(_param(), lr=-0.1), lambda: ref.sgd_step(W, G, lr=-0.1)),
    (lambda: torch.optim.SGD(_param(), lr=0.1, momentum=-0.5),
     lambda: ref.momentum_step(W, G, W, lr=0.1, momentum=-0.5)),
    (lambda: torch.optim.Adam(_param(), betas=(1.0, 0.999)), lambda: ref.adam_step(W, G, W, W, 1, beta1=1.0)),
    (lambda: torch.optim.Adam(_param(), betas=(0.9, -0.1)), lambda: ref.adam_step(W, G, W, W, 1, beta2=-0.1)),
    (lambda: torch.optim.Adam(_param(), eps=-1e-8), lambda: ref.adam_step(W, G, W, W, 1, eps=-1e-8)),
], ids=["sgd_negative_lr", "negative_momentum", "beta1_one", "beta2_negative", "negative_eps"])
def test_invalid_hyperparameters_raise_value_error_as_in_torch(torch_call, reference_call):
    """The notebook says invalid settings raise ValueError "as in PyTorch": keep that true."""
    with pytest.raises(ValueError):
        torch_call()
    with pytest.raises(ValueError):
        reference_call()
