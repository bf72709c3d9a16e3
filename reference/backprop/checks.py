"""Hidden tests for 04_backprop: init, forward, backward (against torch.autograd), SGD,
numerical gradients and training on XOR.

Networks and data are drawn from the grading run's generator, never from notebook
globals. ``mlp_forward``'s cache belongs to the student: the backward checks only hand
it from the student's ``mlp_forward`` to the student's ``mlp_backward`` (custom probe).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from coursekit.checks import Case, Check, Group, Outcome, Partial, compare, default_judge, short_repr
from reference.backprop import solution as ref


@dataclass
class AspectCase(Case):
    """A case whose custom judge looks at one ``aspect`` of what the probe returned."""

    aspect: str = "value"


# --------------------------------------------------------------------------- helpers

def _random_network(rng, sizes, weight_scale=1.5, bias_scale=0.5):
    """(W, b) pairs for ``sizes``: weights N(0, (weight_scale)^2 / d_in), non-zero biases,
    so that every layer's sigmoid works away from its linear middle and biases matter."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.normal(0.0, weight_scale / np.sqrt(fan_in), size=(fan_out, fan_in)),
                       rng.normal(0.0, bias_scale, size=fan_out)))
    return params


def _random_sizes(rng, layers, d_in=None):
    """Layer sizes for ``layers`` layers ending in one output unit; widths 1 to 6."""
    first = int(d_in if d_in is not None else rng.integers(2, 6))
    return [first] + [int(w) for w in rng.integers(1, 7, size=layers - 1)] + [1]


def _sizes_of(params):
    return [int(np.shape(params[0][0])[1])] + [int(np.shape(W)[0]) for W, _ in params]


def _params_problem(expected_shapes, got, what="the result"):
    """``None`` if ``got`` is a list of ``(W, b)`` float64 arrays of ``expected_shapes``, else why not."""
    if not isinstance(got, (list, tuple)):
        return "expected %s to be a list of (W, b) pairs, got %s" % (what, short_repr(got))
    if len(got) != len(expected_shapes):
        return "expected %s to hold %d (W, b) pairs (one per layer), got %d" % (what, len(expected_shapes), len(got))
    for layer, (pair, shapes) in enumerate(zip(got, expected_shapes), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            return "layer %d of %s: expected a pair (W, b), got %s" % (layer, what, short_repr(pair))
        for name, array, shape in zip(("W", "b"), pair, shapes):
            if not isinstance(array, np.ndarray):
                return "layer %d: expected %s to be a numpy array of shape %s, got %s" % (
                    layer, name, shape, short_repr(array))
            if array.shape != tuple(shape):
                return "layer %d: expected %s of shape %s, got shape %s" % (layer, name, tuple(shape), array.shape)
            if array.dtype != np.float64:
                return "layer %d: expected %s of dtype float64, got %s" % (layer, name, array.dtype)
    return None


def _shapes(params):
    return [(np.shape(W), np.shape(b)) for W, b in params]


def _network_label(function, X, params, extra=""):
    return "%s(X of shape %s, params for layer sizes %s%s)" % (function, np.shape(X), _sizes_of(params), extra)


_LAYER_PATH = re.compile(r" at \[(\d+)\]\[([01])\]")


def _name_layers(message, names):
    """Say "in dW of layer 2" where :func:`compare` says "at [1][0]" (lists of (W, b)-like pairs)."""
    if not message:
        return message
    return _LAYER_PATH.sub(lambda m: " in %s of layer %d" % (names[int(m.group(2))], int(m.group(1)) + 1), message)


def _judge_part(expected, got, part, names=None, **tolerances):
    """The default judgement of one entry of the dicts a probe and its reference return.

    Messages then show that entry (the returned value, or the error raised), not the dict.
    """
    if not expected.raised:
        expected = Outcome(value=expected.value[part])
    if not got.raised:
        if not isinstance(got.value, dict) or part not in got.value:
            return "expected a result, got %s" % short_repr(got.value)
        got = Outcome(value=got.value[part])
    why = default_judge(expected, got, **tolerances)
    return _name_layers(why, names) if names else why


#: Central differences of the loss through the student's forward pass (step 1e-6, float64)
#: agree with exact gradients to ~1e-9 here; every backward fault in the catalogue moves a
#: gradient by far more than this (and is only ever compared this way when the student's
#: forward pass is itself wrong).
OWN_FORWARD_RTOL = 1e-5
OWN_FORWARD_ATOL = 1e-7


def _gradients_judge(case, expected, got):
    """mlp_backward judged on its own: right against torch.autograd on the true network, or,
    when the student's mlp_forward is wrong, right for the network that forward pass computes."""
    if expected.raised or got.raised:
        return _name_layers(default_judge(expected, got), ("dW", "db"))
    value = got.value
    if not isinstance(value, dict) or "gradients" not in value:
        return "expected the gradients, got %s" % short_repr(value)
    why = _name_layers(default_judge(expected, Outcome(value=value["gradients"])), ("dW", "db"))
    if why is None:
        return None
    X, _y, params = case.args
    forward_fault = compare(ref.mlp_forward(X, params)[0], value.get("y_hat"))
    if forward_fault is None:
        return why
    own = value.get("forward_gradients")
    if own is not None and compare(own, value["gradients"], rtol=OWN_FORWARD_RTOL, atol=OWN_FORWARD_ATOL) is None:
        return Partial(1.0, "full credit: these are the exact gradients of your own mlp_forward (finite "
                            "differences through it), but mlp_forward is wrong here (y_hat: %s): see its check."
                       % forward_fault)
    return ("%s. Note: your mlp_forward is also wrong on this input (y_hat: %s) and mlp_backward works on its "
            "cache, so this failure may trace to mlp_forward: fix it first (see its check)." % (why, forward_fault))


# --------------------------------------------------------------------------- init_mlp

INIT_PROBE = """
def probe(ns, layer_sizes, seed, other_seed=None):
    init = ns["init_mlp"]
    first = init(list(layer_sizes), seed)
    if other_seed is None:
        return first
    return first, init(list(layer_sizes), seed), init(list(layer_sizes), other_seed)
"""

#: The weight scale check looks at layers with at least this many weights: std(W) * sqrt(d_in)
#: must be within SCALE_TOLERANCE of 1 (and their mean * sqrt(d_in) within it of 0). With
#: >= 2000 N(0, 1) draws the sample std is within 10 % of 1 except with probability < 1e-9,
#: while the scales students get wrong (1, 1/d_in, sqrt(2/d_in), 1/sqrt(d_out)) are >= 40 % off.
SCALE_MIN_WEIGHTS = 2000
SCALE_TOLERANCE = 0.10


def _init_reference(layer_sizes, seed, other_seed=None):
    first = ref.init_mlp(layer_sizes, seed)
    if other_seed is None:
        return first
    return first, ref.init_mlp(layer_sizes, seed), ref.init_mlp(layer_sizes, other_seed)


def _init_judge(case, expected, got):
    if expected.raised or got.raised:
        return default_judge(expected, got)
    if case.aspect == "seeding":
        if not isinstance(got.value, tuple) or len(got.value) != 3:
            return "expected three parameter lists, got %s" % short_repr(got.value)
        shapes = _shapes(expected.value[0])
        for run, params in zip(("first call", "second call (same seed)", "call with the other seed"), got.value):
            why = _params_problem(shapes, params, "the %s's result" % run)
            if why:
                return why
        first, again, other = got.value
        for layer, ((W1, b1), (W2, b2)) in enumerate(zip(first, again), start=1):
            if not (np.array_equal(W1, W2) and np.array_equal(b1, b2)):
                return ("two calls with the same seed gave different parameters (layer %d): "
                        "draw every weight from np.random.default_rng(seed)" % layer)
        if all(np.array_equal(W1, W3) for (W1, _), (W3, _) in zip(first, other)):
            return "a different seed gave exactly the same weights: the seed must be used"
        return None
    why = _params_problem(_shapes(expected.value), got.value)
    if why:
        return why
    if case.aspect == "shapes":
        for layer, (W, b) in enumerate(got.value, start=1):
            if np.any(b != 0):
                return "layer %d: expected zero biases, got %s" % (layer, short_repr(b))
            if not np.all(np.isfinite(W)) or (W.size > 1 and np.all(W == W.flat[0])):
                return "layer %d: expected random weights, got %s" % (layer, short_repr(W))
        return None
    if case.aspect == "distinct":
        for i, (Wi, _) in enumerate(got.value):
            for j in range(i):
                if got.value[j][0].shape == Wi.shape and np.array_equal(got.value[j][0], Wi):
                    return ("layers %d and %d (same shape %s) got identical weights: draw all layers "
                            "from one generator, created once" % (j + 1, i + 1, Wi.shape))
        return None
    if case.aspect == "scale":
        large = [(layer, W) for layer, (W, _) in enumerate(got.value, start=1) if W.size >= SCALE_MIN_WEIGHTS]
        for layer, W in large:
            spread = float(np.std(W) * np.sqrt(W.shape[1]))
            if abs(spread - 1) > SCALE_TOLERANCE:
                return ("layer %d (d_in = %d): expected weights with standard deviation 1/sqrt(d_in) = %.4g, "
                        "got %.4g" % (layer, W.shape[1], 1 / np.sqrt(W.shape[1]), np.std(W)))
        centre = float(np.mean(np.concatenate([W.ravel() * np.sqrt(W.shape[1]) for _, W in large])))
        if abs(centre) > SCALE_TOLERANCE:
            return "expected weights centred on 0, got mean(W * sqrt(d_in)) = %.4g" % centre
        return None
    raise AssertionError("unknown aspect %r" % case.aspect)


def _init_groups(rng):
    def seed():
        return int(rng.integers(0, 2**31))

    one_layer = [int(rng.integers(2, 9)), int(rng.integers(1, 4))]
    deep = _random_sizes(rng, int(rng.integers(3, 5)))
    with_single_units = [int(rng.integers(2, 6)), 1, int(rng.integers(2, 6)), 1]
    width = int(rng.integers(3, 7))
    equal_layers = [width, width, width, 1]
    large = [int(rng.integers(100, 160)), int(rng.integers(30, 50)), int(rng.integers(8, 16)), 1]

    def label(sizes, s, other=None):
        text = "init_mlp(%s, seed=%d)" % (sizes, s)
        return text if other is None else "%s twice, then with seed=%d" % (text, other)

    def case(sizes, aspect, with_other=False):
        s = seed()
        other = s + 1 + int(rng.integers(0, 1000)) if with_other else None
        args = (sizes, s) if other is None else (sizes, s, other)
        return AspectCase(args, label=label(sizes, s, other), aspect=aspect)

    return [
        Group("one (W, b) per layer: W of shape (d_out, d_in), zero b of shape (d_out,), float64",
              [case(one_layer, "shapes"), case(deep, "shapes"), case(with_single_units, "shapes")]),
        Group("the same seed gives the same parameters, another seed other weights",
              [case(deep, "seeding", True), case(one_layer, "seeding", True)]),
        Group("layers of equal shape get different weights (one generator for all layers)",
              [case(equal_layers, "distinct")]),
        Group("weights drawn with standard deviation 1/sqrt(d_in)", [case(large, "scale")]),
        Group("invalid layer sizes raise ValueError", [
            AspectCase(([int(rng.integers(2, 9))], seed())),
            AspectCase(([int(rng.integers(2, 9)), 0, 1], seed())),
            AspectCase(([int(rng.integers(2, 9)), -int(rng.integers(1, 5)), 1], seed())),
        ]),
    ]


# --------------------------------------------------------------------------- mlp_forward

FORWARD_PROBE = """
def probe(ns, X, params):
    result = ns["mlp_forward"](X, params)
    if isinstance(result, (tuple, list)) and len(result) == 2:
        return result[0]
    return result  # not (y_hat, cache): the grader shows what came back
"""


def _forward_reference(X, params):
    return ref.mlp_forward(X, params)[0]


def _forward_case(rng, layers, n=None):
    sizes = _random_sizes(rng, layers)
    n = int(rng.integers(2, 9)) if n is None else n
    X = rng.normal(0.0, 1.5, size=(n, sizes[0]))
    params = _random_network(rng, sizes)
    return Case((X, params), label=_network_label("mlp_forward", X, params))


def _forward_groups(rng):
    sizes = _random_sizes(rng, 2)
    params = _random_network(rng, sizes)
    x_1d = rng.normal(size=sizes[0])
    X_wide = rng.normal(size=(3, sizes[0] + 1))
    two_outputs = _random_network(rng, sizes[:-1] + [2])
    X = rng.normal(size=(4, sizes[0]))
    return [
        Group("one layer (logistic regression)", [_forward_case(rng, 1) for _ in range(2)]),
        Group("two layers", [_forward_case(rng, 2) for _ in range(2)]),
        Group("three and four layers", [_forward_case(rng, 3), _forward_case(rng, 4)]),
        Group("a single sample (n = 1)", [_forward_case(rng, 3, n=1)]),
        Group("invalid input raises ValueError", [
            Case((x_1d, params), label=_network_label("mlp_forward", x_1d, params, "; X is 1-D")),
            Case((X_wide, params), label=_network_label("mlp_forward", X_wide, params, "; X too wide")),
            Case((X, two_outputs), label=_network_label("mlp_forward", X, two_outputs, "; 2 output units")),
        ]),
    ]


# --------------------------------------------------------------------------- mlp_backward

#: Runs the student's forward then backward pass, and also differentiates the student's own
#: forward pass by central differences of the mean BCE (every weight and bias, in the kernel):
#: the grader can then tell a wrong mlp_backward from a right one fed by a wrong mlp_forward.
BACKWARD_PROBE = """
def probe(ns, X, y_true, params):
    import numpy as np
    forward = ns["mlp_forward"]
    y_hat, cache = forward(X, params)
    gradients = ns["mlp_backward"](y_true, cache, params)
    result = {"gradients": gradients, "y_hat": y_hat, "forward_gradients": None}
    try:
        y = np.asarray(y_true, dtype=float).reshape(-1)

        def loss(trial):
            p = np.clip(np.asarray(forward(X, trial)[0], dtype=float).reshape(-1), 1e-12, 1 - 1e-12)
            return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

        trial = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
        numerical = []
        for W, b in trial:
            pair = []
            for array in (W, b):
                slope = np.zeros_like(array)
                for index in np.ndindex(array.shape):
                    kept = array[index]
                    array[index] = kept + FD_STEP
                    up = loss(trial)
                    array[index] = kept - FD_STEP
                    down = loss(trial)
                    array[index] = kept
                    slope[index] = (up - down) / (2 * FD_STEP)
                pair.append(slope)
            numerical.append(tuple(pair))
        result["forward_gradients"] = numerical
    except Exception:
        pass  # the student's forward pass cannot be differentiated: judged against the reference only
    return result
""".replace("FD_STEP", "1e-6")


def _backward_case(rng, layers, n=None, d_in=None):
    sizes = _random_sizes(rng, layers, d_in)
    n = int(rng.integers(3, 9)) if n is None else n
    X = rng.normal(0.0, 1.5, size=(n, sizes[0]))
    y = rng.integers(0, 2, size=n).astype(float)
    if n >= 2:
        y[:2] = [0.0, 1.0]  # both classes present
        y = rng.permutation(y)
    params = _random_network(rng, sizes)
    return Case((X, y, params), label=_network_label("mlp_backward", X, params, ", y_true %s" % short_repr(y)))


def _backward_output_groups(rng):
    bad = _backward_case(rng, 1)
    X, y, params = bad.args
    column, longer = y[:, None], np.append(y, 1.0)
    return [
        Group("one layer, several samples", [_backward_case(rng, 1, d_in=int(rng.integers(2, 6))) for _ in range(2)]),
        Group("one layer, a single sample (n = 1)", [_backward_case(rng, 1, n=1)]),
        Group("y_true not of shape (n,) raises ValueError", [
            Case((X, column, params), label=_network_label("mlp_backward", X, params, ", y_true of shape %s"
                                                           % (column.shape,))),
            Case((X, longer, params), label=_network_label("mlp_backward", X, params, ", y_true of shape %s"
                                                           % (longer.shape,))),
        ]),
    ]


def _backward_hidden_groups(rng):
    return [
        Group("two layers", [_backward_case(rng, 2) for _ in range(2)]),
        Group("three layers", [_backward_case(rng, 3) for _ in range(2)]),
        Group("four layers", [_backward_case(rng, 4)]),
        Group("three layers, a single sample (n = 1)", [_backward_case(rng, 3, n=1)]),
    ]


# --------------------------------------------------------------------------- sgd_update

SGD_PROBE = """
def probe(ns, params, grads, lr):
    returned = ns["sgd_update"](params, grads, lr)
    return {"returned": returned, "params after the call": params}
"""


def _sgd_reference(params, grads, lr):
    before = [(np.array(W), np.array(b)) for W, b in params]
    return {"returned": ref.sgd_update(params, grads, lr), "params after the call": before}


def _sgd_judge(case, expected, got):
    part = {"values": "returned", "input": "params after the call"}[case.aspect]
    why = _judge_part(expected, got, part, ("W", "b"))
    if why and part == "params after the call" and not got.raised:
        return "the params passed in were modified (%s): return new arrays instead" % why
    return why


def _sgd_case(rng, layers, aspect="values"):
    sizes = _random_sizes(rng, layers)
    params = _random_network(rng, sizes)
    grads = _random_network(rng, sizes)
    lr = float(np.round(rng.uniform(0.05, 2.0), 3))
    return AspectCase((params, grads, lr), label="sgd_update(params and grads for layer sizes %s, lr=%r)"
                      % (sizes, lr), aspect=aspect)


def _sgd_groups(rng):
    sizes = [int(rng.integers(2, 4)), int(rng.integers(4, 7)), 1]  # W1 not square: a transposed dW1 misfits
    params = _random_network(rng, sizes)
    grads = _random_network(rng, sizes)
    short = grads[:1]
    bias_one = [(grads[0][0], grads[0][1][:1]), grads[1]]  # broadcasts silently if not checked
    transposed = [(grads[0][0].T, grads[0][1]), grads[1]]
    label = "sgd_update(params for layer sizes %s, %s, lr=0.1)"
    return [
        Group("one layer", [_sgd_case(rng, 1)]),
        Group("several layers", [_sgd_case(rng, 2), _sgd_case(rng, 4)]),
        Group("the params passed in are left unchanged", [_sgd_case(rng, 3, aspect="input")]),
        Group("gradients that do not match params raise ValueError", [
            AspectCase((params, short, 0.1), label=label % (sizes, "gradients for one layer only"), aspect="values"),
            AspectCase((params, bias_one, 0.1), label=label % (sizes, "a bias gradient of shape (1,)"),
                       aspect="values"),
            AspectCase((params, transposed, 0.1), label=label % (sizes, "a transposed weight gradient"),
                       aspect="values"),
        ]),
    ]


# --------------------------------------------------------------------------- numerical_gradient

#: The test function, defined once: the probe builds it in the kernel, the grader here.
#: Cubic and sine terms make f''' non-zero (so the step h matters), the squared sum
#: couples the coordinates, and coefficients of x's shape make a reshaped x fail.
TEST_FUNCTION_SOURCE = """
def make_test_function(coefficients):
    import numpy as _np
    cubic, sine, linear = (_np.asarray(c, dtype=float) for c in coefficients)

    def f(x):
        x = _np.asarray(x, dtype=float)
        return float(_np.sum(cubic * x ** 3 + sine * _np.sin(x) + linear * x) + 0.5 * _np.sum(x) ** 2)
    return f
"""

NUMERICAL_PROBE = TEST_FUNCTION_SOURCE + """
def probe(ns, coefficients, x, h=None):
    f = make_test_function(coefficients)
    if h is None:
        gradient = ns["numerical_gradient"](f, x)
    else:
        gradient = ns["numerical_gradient"](f, x, h)
    return {"gradient": gradient, "x after the call": x}
"""

_test_function_namespace: dict = {}
exec(TEST_FUNCTION_SOURCE, _test_function_namespace)
make_test_function = _test_function_namespace["make_test_function"]


def _numerical_reference(coefficients, x, h=None):
    before = np.array(x)
    f = make_test_function(coefficients)
    gradient = ref.numerical_gradient(f, x) if h is None else ref.numerical_gradient(f, x, h)
    return {"gradient": gradient, "x after the call": before}


def _numerical_judge(case, expected, got):
    part = {"gradient": "gradient", "input": "x after the call"}[case.aspect]
    why = _judge_part(expected, got, part, rtol=NUMERICAL_RTOL, atol=NUMERICAL_ATOL)
    if why and part == "x after the call" and not got.raised:
        return "x was modified (%s): perturb a copy, or restore each entry" % why
    return why


#: Central differences computed in another (correct) order differ from the reference's by
#: rounding only, about eps * |f| / h <= 1e-10 here; a one-sided difference is off by
#: about h f''/2 (5e-6 at h = 1e-5, 5e-2 at h = 0.1), h not halved by a factor of 2.
NUMERICAL_RTOL = 1e-6
NUMERICAL_ATOL = 1e-8


def _numerical_case(rng, shape, h=None, aspect="gradient", integer=False):
    coefficients = tuple(rng.normal(0.0, 1.0, size=shape) for _ in range(3))
    x = rng.integers(-3, 4, size=shape) if integer else rng.normal(0.0, 1.0, size=shape)
    args = (coefficients, x) if h is None else (coefficients, x, h)
    text = "numerical_gradient(f, x of shape %s%s%s)" % (shape, ", dtype int" if integer else "",
                                                          "" if h is None else ", h=%r" % h)
    return AspectCase(args, label=text + " with f(x) = sum(a x**3 + b sin(x) + c x) + (sum x)**2 / 2",
                      aspect=aspect)


def _numerical_groups(rng):
    def length():
        return (int(rng.integers(3, 7)),)

    matrix = (int(rng.integers(2, 4)), int(rng.integers(3, 5)))
    return [
        Group("vector x, default h", [_numerical_case(rng, length()) for _ in range(2)]),
        Group("matrix x (the gradient has x's shape)", [_numerical_case(rng, matrix)]),
        Group("uses the h it is given", [_numerical_case(rng, length(), h=0.1),
                                         _numerical_case(rng, length(), h=1e-3)]),
        Group("x is left unchanged", [_numerical_case(rng, matrix, aspect="input")]),
        Group("integer x is treated as real numbers", [_numerical_case(rng, length(), h=1e-3, integer=True)]),
        Group("h <= 0 raises ValueError", [_numerical_case(rng, length(), h=0.0),
                                           _numerical_case(rng, length(), h=-1e-3)]),
    ]


# --------------------------------------------------------------------------- train_xor

#: Trains, then also runs the student's own building blocks once on XOR (init, forward, backward,
#: one update): a network that does not learn is then traced to the function that is wrong.
XOR_PROBE = """
def probe(ns, **kwargs):
    import numpy as np
    trained = ns["train_xor"](**kwargs)
    parts = {}
    try:
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        y = np.array([0.0, 1.0, 1.0, 0.0])
        params = ns["init_mlp"]([2, kwargs.get("hidden_units", 4), 1], kwargs.get("seed", 0))
        parts["params"] = params
        y_hat, cache = ns["mlp_forward"](X, params)
        parts["y_hat"] = y_hat
        grads = ns["mlp_backward"](y, cache, params)
        parts["grads"] = grads
        parts["updated"] = ns["sgd_update"](params, grads, 0.5)
    except Exception as error:
        parts["raised"] = type(error).__name__
    return {"trained": trained, "parts": parts}
"""

#: train_xor's loss must fall at least this much (last <= this fraction of the first):
#: a trained XOR network ends far below 1 % of its initial loss, while a network that
#: cannot learn XOR (no hidden layer, symmetric start) stays near log(2).
XOR_LOSS_DROP = 0.5
#: Seconds one training run may take in the student's kernel (the reference needs < 0.5 s).
XOR_TIMEOUT_S = 30.0


def _xor_reference(hidden_units=4, seed=0):
    """The parameter shapes a ``[2, hidden_units, 1]`` network must have (training is judged, not compared)."""
    return [(W.shape, b.shape) for W, b in ref.init_mlp([2, hidden_units, 1], seed)]


def _xor_upstream_faults(parts, hidden_units):
    """Names of the student's building blocks that are wrong on XOR, from the probe's ``parts``."""
    if not isinstance(parts, dict):
        return []
    params = parts.get("params")
    shapes = [((hidden_units, 2), (hidden_units,)), ((1, hidden_units), (1,))]
    if params is None or _params_problem(shapes, params):
        return ["init_mlp"]
    steps = [("mlp_forward", "y_hat", lambda: ref.mlp_forward(ref.X_xor, params)[0]),
             ("mlp_backward", "grads", lambda: ref.autograd_gradients(ref.X_xor, ref.y_xor, params)),
             ("sgd_update", "updated", lambda: ref.sgd_update(params, parts["grads"], 0.5))]
    for name, part, expected in steps:
        if part not in parts:
            return [name]  # it raised (or an earlier step did)
        if compare(expected(), parts[part]):
            return [name]
    return []


def _xor_judge(case, expected, got):
    if expected.raised or got.raised:
        return default_judge(expected, got)
    value = got.value
    if not (isinstance(value, dict) and "trained" in value):
        value = {"trained": value}  # what train_xor returned, without the building blocks' results
    why = _xor_training_judge(expected, value["trained"])
    if why:
        faults = _xor_upstream_faults(value.get("parts"), case.kwargs.get("hidden_units", 4))
        if faults:
            why += (". train_xor trains with your %s, which is wrong on XOR (see its check): this failure "
                    "may trace there" % faults[0])
    return why


def _xor_training_judge(expected, result):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return "expected (params, losses), got %s" % short_repr(result)
    params, losses = result
    why = _params_problem(expected.value, params, "the trained params")
    if why:
        return why
    returned = losses
    try:
        losses = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        return "expected losses to be a list of numbers, got %s" % short_repr(returned)
    if losses.ndim != 1 or losses.size < 2 or not np.all(np.isfinite(losses)):
        return "expected losses to be a list of finite numbers, one per epoch, got %s" % short_repr(returned)
    if not losses[-1] <= XOR_LOSS_DROP * losses[0]:
        return "the loss did not fall enough: first %.4g, last %.4g (must end below %g x the first)" % (
            losses[0], losses[-1], XOR_LOSS_DROP)
    y_hat, _ = ref.mlp_forward(ref.X_xor, params)
    predicted = (y_hat >= 0.5).astype(float)
    if not np.array_equal(predicted, ref.y_xor):
        return "the trained network misclassifies XOR: outputs %s for inputs (0,0), (0,1), (1,0), (1,1)" % (
            short_repr(np.round(y_hat, 4)))
    return None


def _xor_groups(rng):
    def seed():
        return int(rng.integers(0, 2**31))

    def case(**kwargs):
        text = ", ".join("%s=%r" % item for item in kwargs.items())
        return Case(kwargs=kwargs, label="train_xor(%s), then its network on the 4 XOR inputs" % text)

    return [
        Group("hidden_units=4 reaches 100 % accuracy on XOR and the loss falls",
              [case(hidden_units=4, seed=seed()) for _ in range(2)]),
        Group("a wider hidden layer (hidden_units=8) also learns XOR", [case(hidden_units=8, seed=seed())]),
        Group("hidden_units=0 raises ValueError", [Case(kwargs={"hidden_units": 0, "seed": seed()})]),
    ]


CHECKS = [
    Check("backprop.init_mlp", "init_mlp", _init_reference, _init_groups, probe=INIT_PROBE, judge=_init_judge),
    Check("backprop.mlp_forward", "mlp_forward", _forward_reference, _forward_groups, probe=FORWARD_PROBE),
    Check("backprop.backward_output_layer", "mlp_backward", ref.autograd_gradients, _backward_output_groups,
          probe=BACKWARD_PROBE, judge=_gradients_judge),
    Check("backprop.backward_hidden_layers", "mlp_backward", ref.autograd_gradients, _backward_hidden_groups,
          probe=BACKWARD_PROBE, judge=_gradients_judge),
    Check("backprop.sgd_update", "sgd_update", _sgd_reference, _sgd_groups, probe=SGD_PROBE, judge=_sgd_judge),
    Check("backprop.numerical_gradient", "numerical_gradient", _numerical_reference, _numerical_groups,
          probe=NUMERICAL_PROBE, judge=_numerical_judge),
    Check("backprop.train_xor", "train_xor", _xor_reference, _xor_groups, probe=XOR_PROBE, judge=_xor_judge,
          timeout=XOR_TIMEOUT_S),
]
