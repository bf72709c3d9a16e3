"""Each check judges one function: a fault in an earlier graded function is charged once, in its own check.

The notebooks tell students to reuse their answers (``predict`` calls ``step``, ``conv1d_multichannel``
calls ``conv1d``, ``mlp_backward`` works on the cache of ``mlp_forward``). Here the student's
notebook is the source notebook's own solution cells with one *earlier* function broken: the
dependent function is right for what its inputs gave it, so it keeps its points and its feedback
names the earlier function; the broken function still loses points in its own check, and a
dependent function with a fault of its own still loses its points (the wrong catalogues prove the
rest: every mutant runs with correct upstream functions and loses points as before).
"""

from __future__ import annotations

import nbformat
import pytest

from coursekit.registry import get_check
from kit import ROOT, mutant_namespace

SEEDS = (0, 7, 2**40 + 5)


def _notebook_answers(unit_dir: str, notebook: str) -> str:
    """The source notebook's solution cells: a student who wrote every answer as the solution does."""
    nb = nbformat.read(str(ROOT / "source" / unit_dir / notebook), as_version=4)
    return "\n\n".join(c.source for c in nb.cells
                       if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))


def _student(topic: str, unit_dir: str, notebook: str, broken: str) -> dict:
    from coursekit.registry import unit

    namespace = mutant_namespace(unit(topic), _notebook_answers(unit_dir, notebook))
    exec(compile(broken, "<broken upstream>", "exec"), namespace)
    return namespace


def _fractions(namespace: dict, check_id: str) -> list[float]:
    return [get_check(check_id).run_locally(namespace, seed).fraction for seed in SEEDS]


def _report(namespace: dict, check_id: str) -> str:
    return "\n".join(get_check(check_id).run_locally(namespace, SEEDS[0]).lines())


PERCEPTRON = ("perceptron", "01_perceptron", "perceptron.ipynb")
CONV = ("conv_shapes", "02_conv_shapes", "conv_shapes.ipynb")
BACKPROP = ("backprop", "04_backprop", "backprop.ipynb")

STRICT_STEP = """
def step(z):
    return (np.asarray(z) > 0).astype(int)
"""
LENGTH_IGNORES_DILATION = """
def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid")
    L_out = (L_in + 2 * padding - kernel_size) // stride + 1
    if L_out < 1:
        raise ValueError("too long")
    return L_out
"""
FLIPPED_CONV1D = """
_conv1d_as_written = conv1d
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    return _conv1d_as_written(x, np.asarray(w)[::-1], b, stride, padding, dilation)
"""
POOL_LENGTH_DEFAULT_STRIDE_ONE = """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    stride = 1 if stride is None else stride
    return (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
"""
#: A forward pass with tanh hidden units (a misread spec) and the backward pass that is right for it.
TANH_FORWARD = """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError("X must be 2-D")
    A, cache = X, {"A": [X], "Z": []}
    for layer, (W, b) in enumerate(params):
        Z = A @ W.T + b
        A = sigmoid(Z) if layer == len(params) - 1 else np.tanh(Z)
        cache["A"].append(A)
        cache["Z"].append(Z)
    return A[:, 0], cache
"""
TANH_BACKWARD = """
def mlp_backward(y_true, cache, params):
    A = cache["A"]
    n = A[-1].shape[0]
    y = np.asarray(y_true, dtype=float)
    if y.shape != (n,):
        raise ValueError("y_true must have shape (n,)")
    delta = (A[-1] - y[:, None]) / n
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        grads[layer] = (delta.T @ A[layer], delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ params[layer][0]) * (1 - A[layer] ** 2)
    return grads
"""


@pytest.mark.parametrize("upstream_check, broken, dependent_checks, culprit", [
    ("perceptron.step", STRICT_STEP, ("perceptron.predict", "perceptron.perceptron_train",
                                      "perceptron.perceptron_train_xor"), "step"),
    ("conv_shapes.conv1d_output_length", LENGTH_IGNORES_DILATION, ("conv_shapes.conv2d_output_shape",),
     "conv1d_output_length"),
    ("conv_shapes.conv1d", FLIPPED_CONV1D, ("conv_shapes.conv1d_multichannel",), "conv1d"),
    ("conv_shapes.pool1d_output_length", POOL_LENGTH_DEFAULT_STRIDE_ONE,
     ("conv_shapes.max_pool1d", "conv_shapes.avg_pool1d"), "pool1d_output_length"),
    ("backprop.mlp_forward", TANH_FORWARD + TANH_BACKWARD,
     ("backprop.backward_output_layer", "backprop.backward_hidden_layers"), "mlp_forward"),
], ids=["predict_and_train_on_a_strict_step", "conv2d_on_a_length_without_dilation",
        "multichannel_on_a_flipped_conv1d", "pools_on_a_pool_length_with_stride_one",
        "backward_right_for_a_tanh_forward"])
def test_a_dependent_function_keeps_its_points_when_only_its_upstream_is_wrong(upstream_check, broken,
                                                                              dependent_checks, culprit):
    unit = {"perceptron": PERCEPTRON, "conv_shapes": CONV, "backprop": BACKPROP}[upstream_check.split(".")[0]]
    student = _student(*unit, broken)
    assert max(_fractions(student, upstream_check)) < 1.0, "the broken upstream function must lose points"
    for check_id in dependent_checks:
        assert _fractions(student, check_id) == [1.0] * len(SEEDS), _report(student, check_id)
    # Where the upstream fault changed the result, the feedback says so (and names it).
    reports = [_report(student, check_id) for check_id in dependent_checks]
    assert any("full credit" in report and culprit in report for report in reports), reports


def test_a_dependent_function_with_its_own_fault_still_loses_points():
    """predict with its own strict inequality, and right step and weighted_sum: no credit."""
    student = _student(*PERCEPTRON, """
def predict(X, w, b):
    return (np.asarray(X) @ w + b > 0).astype(int)
""")
    assert max(_fractions(student, "perceptron.predict")) < 1.0


def test_a_wrong_backward_on_a_wrong_forward_fails_and_names_the_forward_pass():
    """The sigmoid derivative on a tanh forward pass: wrong for the student's own network too."""
    student = _student(*BACKPROP, TANH_FORWARD)
    assert max(_fractions(student, "backprop.backward_hidden_layers")) < 1.0
    report = _report(student, "backprop.backward_hidden_layers")
    assert "may trace to mlp_forward" in report, report


def test_a_wrong_step_and_a_wrong_weighted_sum_together_earn_no_credit_for_predict():
    """Two upstream faults that both show on every input: no single fault to trace, predict is
    judged as it is (a step written as np.sign, and a weighted sum without its bias)."""
    student = _student(*PERCEPTRON, """
def step(z):
    return np.sign(z)

def weighted_sum(X, w, b):
    return np.asarray(X, dtype=float) @ np.asarray(w, dtype=float)
""")
    assert max(_fractions(student, "perceptron.predict")) < 1.0


def test_train_xor_failing_on_a_wrong_backward_pass_names_it():
    """train_xor is judged by what it learns; when it fails because mlp_backward is wrong (here the
    gradient's sign: training climbs the loss), the feedback traces the failure there."""
    student = _student(*BACKPROP, """
_backward_as_written = mlp_backward
def mlp_backward(y_true, cache, params):
    return [(-dW, -db) for dW, db in _backward_as_written(y_true, cache, params)]
""")
    verdict = get_check("backprop.train_xor").run_locally(student, SEEDS[0])
    report = "\n".join(verdict.lines())
    assert verdict.fraction < 1.0 and "may trace there" in report and "mlp_backward" in report, report
