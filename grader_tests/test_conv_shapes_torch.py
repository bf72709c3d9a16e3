"""reference/conv_shapes.py against PyTorch, the oracle the assignment promises to match (float64).

A few hundred random shapes per function; where PyTorch refuses a layer (RuntimeError) the
reference must raise ValueError, and where PyTorch builds it the reference must not raise.
"""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kit import ROOT  # noqa: F401 - puts the course root on sys.path
from reference.conv_shapes import solution as ref

#: float64 sums of at most a few dozen products: PyTorch and numpy agree to ~1e-15 relative.
TORCH_RTOL = 1e-12
TORCH_ATOL = 1e-12
RANDOM_CASES = 300


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny tensors: PyTorch's thread pool only adds contention (13 ms a call instead of 10 us on 2 busy cores)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _torch_length_or_error(make_layer, L_in):
    try:
        return make_layer()(torch.zeros(1, 1, L_in, dtype=torch.float64)).shape[-1]
    except RuntimeError:
        return "error"


def _reference_or_error(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValueError:
        return "error"


def test_conv1d_output_length_matches_nn_conv1d():
    rng = np.random.default_rng(1)
    for _ in range(RANDOM_CASES):
        L, k, s, p, d = (int(v) for v in (rng.integers(1, 40), rng.integers(1, 9), rng.integers(1, 5),
                                          rng.integers(0, 4), rng.integers(1, 4)))
        expected = _torch_length_or_error(
            lambda: torch.nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, dtype=torch.float64), L)
        got = _reference_or_error(ref.conv1d_output_length, L, k, s, p, d)
        assert got == expected, "L=%d k=%d s=%d p=%d d=%d: reference %s, PyTorch %s" % (L, k, s, p, d, got, expected)
        assert got == "error" or type(got) is int


def test_conv2d_output_shape_matches_nn_conv2d():
    rng = np.random.default_rng(2)

    def maybe_pair(low, high):
        a, b = (int(v) for v in rng.integers(low, high, size=2))
        return (a, b) if rng.random() < 0.6 else a

    for _ in range(RANDOM_CASES):
        H, W = (int(v) for v in rng.integers(1, 30, size=2))
        k, s, p, d = maybe_pair(1, 7), maybe_pair(1, 4), maybe_pair(0, 3), maybe_pair(1, 3)
        try:
            layer = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, dtype=torch.float64)
            expected = tuple(layer(torch.zeros(1, 1, H, W, dtype=torch.float64)).shape[-2:])
        except RuntimeError:
            expected = "error"
        got = _reference_or_error(ref.conv2d_output_shape, H, W, k, s, p, d)
        assert got == expected, "H=%d W=%d k=%s s=%s p=%s d=%s: reference %s, PyTorch %s" % (
            H, W, k, s, p, d, got, expected)


def test_pool1d_output_length_matches_nn_maxpool1d_on_a_full_grid():
    """Every combination of small sizes, both modes: ceil_mode's last-window rule and the padding limit."""
    grid = itertools.product(range(1, 10), range(1, 6), (None, 1, 2, 3, 4), range(0, 4), range(1, 4), (False, True))
    for L, k, s, p, d, ceil_mode in grid:
        expected = _torch_length_or_error(lambda: torch.nn.MaxPool1d(k, s, p, d, ceil_mode=ceil_mode), L)
        got = _reference_or_error(ref.pool1d_output_length, L, k, s, p, d, ceil_mode)
        assert got == expected, "L=%d k=%d s=%s p=%d d=%d ceil=%s: reference %s, PyTorch %s" % (
            L, k, s, p, d, ceil_mode, got, expected)


def test_conv1d_matches_f_conv1d():
    rng = np.random.default_rng(3)
    for _ in range(RANDOM_CASES):
        K, s, p, d = (int(v) for v in (rng.integers(1, 6), rng.integers(1, 4), rng.integers(0, 3),
                                       rng.integers(1, 4)))
        L = int(rng.integers(max(1, d * (K - 1) + 1 - 2 * p), 30))
        x, w, b = rng.normal(size=L), rng.normal(size=K), float(rng.normal())
        expected = F.conv1d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None],
                            torch.tensor([b], dtype=torch.float64), stride=s, padding=p, dilation=d)[0, 0].numpy()
        np.testing.assert_allclose(ref.conv1d(x, w, b, s, p, d), expected, rtol=TORCH_RTOL, atol=TORCH_ATOL,
                                   err_msg="L=%d K=%d s=%d p=%d d=%d" % (L, K, s, p, d))


def test_conv1d_multichannel_matches_f_conv1d_and_nn_conv1d():
    rng = np.random.default_rng(4)
    for i in range(RANDOM_CASES):
        C_in, C_out, K = (int(v) for v in rng.integers(1, 5, size=3))
        s, p, d = int(rng.integers(1, 4)), int(rng.integers(0, 3)), int(rng.integers(1, 3))
        L = int(rng.integers(max(1, d * (K - 1) + 1 - 2 * p), 25))
        x, W = rng.normal(size=(C_in, L)), rng.normal(size=(C_out, C_in, K))
        b = rng.normal(size=C_out) if i % 3 else None
        expected = F.conv1d(torch.from_numpy(x)[None], torch.from_numpy(W),
                            None if b is None else torch.from_numpy(b), stride=s, padding=p, dilation=d)[0].numpy()
        np.testing.assert_allclose(ref.conv1d_multichannel(x, W, b, s, p, d), expected, rtol=TORCH_RTOL,
                                   atol=TORCH_ATOL, err_msg="C_in=%d C_out=%d L=%d K=%d" % (C_in, C_out, L, K))
    torch.manual_seed(0)
    layer = torch.nn.Conv1d(12, 32, 7, stride=2, padding=3, dilation=2, dtype=torch.float64)
    x = torch.randn(1, 12, 500, dtype=torch.float64)
    with torch.no_grad():
        expected = layer(x)[0].numpy()
    got = ref.conv1d_multichannel(x[0].numpy(), layer.weight.detach().numpy(), layer.bias.detach().numpy(), 2, 3, 2)
    np.testing.assert_allclose(got, expected, rtol=TORCH_RTOL, atol=TORCH_ATOL)


def test_channel_mismatch_is_refused_like_pytorch():
    x, W = np.zeros((2, 10)), np.ones((4, 3, 3))
    with pytest.raises(RuntimeError):
        F.conv1d(torch.from_numpy(x)[None], torch.from_numpy(W))
    with pytest.raises(ValueError):
        ref.conv1d_multichannel(x, W, None)


@pytest.mark.parametrize("function, oracle", [(ref.max_pool1d, F.max_pool1d), (ref.avg_pool1d, F.avg_pool1d)],
                         ids=["max_pool1d", "avg_pool1d"])
def test_pooling_values_match_pytorch(function, oracle):
    rng = np.random.default_rng(5)
    for _ in range(RANDOM_CASES):
        L, k = int(rng.integers(1, 30)), int(rng.integers(1, 7))
        s = None if rng.random() < 0.4 else int(rng.integers(1, 6))
        x = rng.normal(size=L)
        try:
            expected = oracle(torch.from_numpy(x)[None, None], k, s)[0, 0].numpy()
        except RuntimeError:
            expected = "error"
        got = _reference_or_error(function, x, k, s)
        if isinstance(expected, str) or isinstance(got, str):
            assert isinstance(got, str) and isinstance(expected, str), "L=%d k=%d s=%s: %s vs %s" % (
                L, k, s, got, expected)
        else:
            np.testing.assert_allclose(got, expected, rtol=TORCH_RTOL, atol=TORCH_ATOL,
                                       err_msg="L=%d k=%d s=%s" % (L, k, s))


def test_max_pool1d_matches_nn_maxpool1d_layer():
    torch.manual_seed(1)
    layer = torch.nn.MaxPool1d(3, stride=2)
    x = torch.randn(1, 1, 101, dtype=torch.float64)
    np.testing.assert_array_equal(ref.max_pool1d(x[0, 0].numpy(), 3, 2), layer(x)[0, 0].numpy())


def test_conv1d_num_parameters_matches_nn_conv1d():
    rng = np.random.default_rng(6)
    for _ in range(100):
        c_in, c_out, k = (int(v) for v in rng.integers(1, 20, size=3))
        bias = bool(rng.random() < 0.5)
        layer = torch.nn.Conv1d(c_in, c_out, k, bias=bias)
        got = ref.conv1d_num_parameters(c_in, c_out, k, bias)
        assert got == sum(p.numel() for p in layer.parameters()) and type(got) is int
