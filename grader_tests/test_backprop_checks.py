"""04_backprop hidden checks, proven in process (no notebooks, no kernel).

- the reference, and correct implementations written differently (another cache format,
  per-sample column-vector backprop, other hyper-parameters), score full marks on many seeds;
- every wrong implementation in ``mutants/backprop.py`` loses points on every seed tried,
  with a message naming a failing call;
- the reference equals ``torch.autograd`` in float64 on hundreds of random networks, and
  its central differences reach the relative error the notebook promises.
"""

import copy

import numpy as np
import pytest
import torch

from coursekit.checks import Outcome
from coursekit.registry import all_checks, get_check
from kit import ROOT, Mutant, mutant_namespace, read_notebook, run_mutant
from reference.backprop.wrong import MUTANTS
from reference.backprop import solution as ref
from reference.backprop import checks as backprop_checks

from reference.backprop import UNIT as REFERENCE  # noqa: E402
CHECKS = all_checks("backprop")
REFERENCE_SEEDS = range(20)
MUTANT_SEEDS = range(1000, 1005)
GRADED_FUNCTIONS = ("init_mlp", "mlp_forward", "mlp_backward", "sgd_update", "numerical_gradient", "train_xor")
REQUIRED_MUTANTS = ("backprop_missing_sigmoid_derivative", "backprop_transposed_weights",
                    "backprop_gradient_not_averaged", "update_adds_gradient")


# --------------------------------------------------------------------------- full marks

@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_reference_scores_full_marks(check):
    namespace = mutant_namespace(REFERENCE)
    for seed in REFERENCE_SEEDS:
        verdict = check.run_locally(namespace, seed)
        assert verdict.fraction == 1.0, "seed %d:\n%s" % (seed, "\n".join(verdict.lines()))


def test_every_check_has_a_test_cell_topic_and_distinct_ids():
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert {c.function for c in CHECKS} == set(GRADED_FUNCTIONS)


#: A forward/backward pair with its own cache format (a list of per-layer tuples) and the
#: lecture's per-sample column-vector recursion: the checks must not depend on the
#: reference's cache or on batching.
_LIST_CACHE_FORWARD = """
def mlp_forward(X, params):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(params) == 0 or X.shape[1] != params[0][0].shape[1] or params[-1][0].shape[0] != 1:
        raise ValueError("bad input")
    cache, A = [], X
    for W, b in params:
        Z = np.dot(A, W.T) + b
        cache.append((A, Z))
        A = 1.0 / (1.0 + np.exp(-Z))
    return A.ravel(), (cache, A)
"""
_PER_SAMPLE_BACKWARD = """
def mlp_backward(y_true, cache, params):
    layers, output = cache
    n = output.shape[0]
    if np.shape(y_true) != (n,):
        raise ValueError("y_true must have shape (n,)")
    grads = [[np.zeros_like(W), np.zeros_like(b)] for W, b in params]
    for i in range(n):
        delta = (output[i:i + 1].T - y_true[i]) / n          # column (1, 1)
        for layer in reversed(range(len(params))):
            a_prev = layers[layer][0][i:i + 1].T             # column (d_in, 1)
            grads[layer][0] += delta @ a_prev.T
            grads[layer][1] += delta[:, 0]
            if layer > 0:
                a = a_prev                                     # sigma(z) of the layer below
                delta = (params[layer][0].T @ delta) * a * (1 - a)
    return [tuple(g) for g in grads]
"""

ALTERNATIVES = [
    Mutant("init_standard_normal_scaled", "backprop.init_mlp", """
def init_mlp(layer_sizes, seed):
    if len(layer_sizes) < 2 or any(int(s) != s or s < 1 for s in layer_sizes):
        raise ValueError("layer sizes must be at least two positive integers")
    rng = np.random.default_rng(seed)
    params = []
    for d_in, d_out in zip(layer_sizes, layer_sizes[1:]):
        params.append((rng.standard_normal((d_out, d_in)) / np.sqrt(d_in), np.zeros(d_out)))
    return params
"""),
    Mutant("forward_list_cache", "backprop.mlp_forward", _LIST_CACHE_FORWARD),
    Mutant("backward_per_sample_columns_output", "backprop.backward_output_layer",
           _LIST_CACHE_FORWARD + _PER_SAMPLE_BACKWARD),
    Mutant("backward_per_sample_columns_hidden", "backprop.backward_hidden_layers",
           _LIST_CACHE_FORWARD + _PER_SAMPLE_BACKWARD),
    Mutant("sgd_list_of_lists", "backprop.sgd_update", """
def sgd_update(params, grads, lr):
    if len(params) != len(grads):
        raise ValueError("one gradient pair per layer")
    if any(W.shape != dW.shape or b.shape != db.shape for (W, b), (dW, db) in zip(params, grads)):
        raise ValueError("gradient shapes must match")
    return [[W - lr * dW, b - lr * db] for (W, b), (dW, db) in zip(params, grads)]
"""),
    Mutant("numgrad_flat_view_restore_by_adding", "backprop.numerical_gradient", """
def numerical_gradient(f, x, h=1e-5):
    if h <= 0:
        raise ValueError("h must be positive")
    x = np.array(x, dtype=float)
    flat = x.reshape(-1)                 # a view: writing flat writes x
    grad = np.empty(flat.size)
    for i in range(flat.size):
        flat[i] += h
        up = f(x)
        flat[i] -= 2 * h
        down = f(x)
        flat[i] += h
        grad[i] = (up - down) / (2 * h)
    return grad.reshape(x.shape)
"""),
    Mutant("train_xor_other_hyperparameters", "backprop.train_xor", """
def train_xor(hidden_units=4, lr=4.0, epochs=1500, seed=0):
    params = init_mlp([2, hidden_units, 1], seed)
    losses = []
    for epoch in range(epochs):
        y_hat, cache = mlp_forward(X_xor, params)
        losses.append(binary_cross_entropy(y_hat, y_xor))
        params = sgd_update(params, mlp_backward(y_xor, cache, params), lr)
    return params, np.array(losses)
"""),
]


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=str)
def test_correct_alternatives_score_full_marks(alternative):
    seeds = REFERENCE_SEEDS if alternative.check != "backprop.train_xor" else range(5)  # training is slow
    for seed in seeds:
        verdict = run_mutant(alternative, REFERENCE, seed)
        assert verdict.fraction == 1.0, "seed %d:\n%s" % (seed, "\n".join(verdict.lines()))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_groups_named_raise_hold_only_invalid_input(check):
    """A group promising ValueError must make the reference raise it on every case, and only those."""
    for seed in REFERENCE_SEEDS:
        for group in check.groups(seed):
            if check.id == "backprop.train_xor" and "raise" not in group.name:
                continue  # training the reference here would prove nothing new (see full marks)
            raised = [check.expected(case).raised for case in group.cases]
            if "raise" in group.name:
                assert all(r and "ValueError" in r for r in raised), (seed, group.name)
            else:
                assert not any(raised), (seed, group.name)


# --------------------------------------------------------------------------- mutants

def test_catalogue_covers_every_graded_function():
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names)), "duplicated mutant names"
    assert set(REQUIRED_MUTANTS) <= set(names)
    per_function = {f: 0 for f in GRADED_FUNCTIONS}
    for mutant in MUTANTS:
        per_function[get_check(mutant.check).function] += 1
    thin = {f: n for f, n in per_function.items() if n < 6}
    assert not thin, "fewer than 6 mutants for %s" % thin


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # some faults divide by zero outside the probe
@pytest.mark.parametrize("seed", MUTANT_SEEDS)
@pytest.mark.parametrize("mutant", MUTANTS, ids=str)
def test_mutant_loses_points(mutant, seed):
    verdict = run_mutant(mutant, REFERENCE, seed)
    report = "\n".join(verdict.lines())
    assert verdict.fraction < 1.0, "%s kept full marks on seed %d:\n%s" % (mutant.name, seed, report)
    function = get_check(mutant.check).function
    assert "first failure: %s(" % function in report, "the message names no failing call:\n" + report


# --------------------------------------------------------------------------- the notebook's own code

def _notebook_namespace():
    """The source notebook's setup and solution cells, run in a fresh namespace (no kernel)."""
    nb = read_notebook(ROOT / "source" / "04_backprop" / "backprop.ipynb")
    namespace = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade_id") == "setup"):
            exec(compile(cell.source, "<notebook cell %s>" % meta["grade_id"], "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def notebook_namespace():
    return _notebook_namespace()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_notebook_solutions_score_full_marks(check, notebook_namespace):
    """The solutions students never see must agree with reference/, or the two have drifted."""
    for seed in range(5):
        verdict = check.run_locally(copy.copy(notebook_namespace), seed)
        assert verdict.fraction == 1.0, "seed %d:\n%s" % (seed, "\n".join(verdict.lines()))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("mutant", MUTANTS, ids=str)
def test_mutant_pasted_into_the_notebook_loses_points(mutant, notebook_namespace):
    """What ``coursekit demo`` does with the catalogue: the mutant replaces the notebook's answer."""
    namespace = copy.copy(notebook_namespace)
    exec(compile(mutant.source, "<mutant>", "exec"), namespace)
    verdict = get_check(mutant.check).run_locally(namespace, MUTANT_SEEDS[0])
    assert verdict.fraction < 1.0, "\n".join(verdict.lines())


# --------------------------------------------------------------------------- the reference vs PyTorch

def _random_network(rng):
    layers = int(rng.integers(1, 5))
    sizes = [int(rng.integers(1, 9))] + [int(w) for w in rng.integers(1, 9, size=layers - 1)] + [1]
    scale = rng.uniform(0.3, 3.0)  # up to saturating sigmoids
    params = [(rng.normal(0, scale / np.sqrt(d_in), size=(d_out, d_in)), rng.normal(0, 1, size=d_out))
              for d_in, d_out in zip(sizes[:-1], sizes[1:])]
    n = int(rng.integers(1, 11))
    X = rng.normal(0, 2, size=(n, sizes[0]))
    y = rng.integers(0, 2, size=n).astype(float)
    return X, y, params


def _torch_forward_and_gradients(X, y, params):
    leaves = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
    A = torch.tensor(X)
    for W, b in leaves:
        A = torch.sigmoid(torch.nn.functional.linear(A, W, b))
    y_hat = A[:, 0]
    loss = -(torch.tensor(y) * torch.log(y_hat) + (1 - torch.tensor(y)) * torch.log(1 - y_hat)).mean()
    loss.backward()
    return y_hat.detach().numpy(), float(loss.detach()), [(W.grad.numpy(), b.grad.numpy()) for W, b in leaves]


def test_reference_equals_torch_autograd_on_random_networks():
    """Forward pass, loss and every gradient, float64, 400 networks of 1 to 4 layers."""
    rng = np.random.default_rng(4)
    worst = 0.0
    for _ in range(400):
        X, y, params = _random_network(rng)
        y_hat, cache = ref.mlp_forward(X, params)
        grads = ref.mlp_backward(y, cache, params)
        oracle = ref.autograd_gradients(X, y, params)
        torch_y_hat, torch_loss, torch_grads = _torch_forward_and_gradients(X, y, params)
        np.testing.assert_allclose(y_hat, torch_y_hat, rtol=1e-12, atol=1e-15)
        assert abs(ref.binary_cross_entropy(y_hat, y) - torch_loss) <= 1e-10 * max(1.0, torch_loss)
        assert len(grads) == len(torch_grads) == len(oracle) == len(params)
        for (dW, db), (tW, tb), (oW, ob), (W, b) in zip(grads, torch_grads, oracle, params):
            assert dW.shape == W.shape and db.shape == b.shape
            for mine, theirs in ((dW, tW), (db, tb), (oW, tW), (ob, tb)):
                np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-15)
                worst = max(worst, float(np.max(np.abs(mine - theirs))))
    assert worst < 1e-12


def test_reference_validates_like_its_docstrings():
    X, y, params = _random_network(np.random.default_rng(0))
    with pytest.raises(ValueError):
        ref.mlp_backward(y[:, None], ref.mlp_forward(X, params)[1], params)
    with pytest.raises(ValueError):
        ref.autograd_gradients(X, np.append(y, 0.0), params)
    with pytest.raises(ValueError):
        ref.mlp_forward(X[0], params)
    with pytest.raises(ValueError):
        ref.init_mlp([3, True, 1], 0)
    with pytest.raises(ValueError):
        ref.sgd_update(params, params[:-1] if len(params) > 1 else [], 0.1)
    with pytest.raises(ValueError):
        ref.numerical_gradient(lambda v: 0.0, np.zeros(2), h=0.0)


def test_gradient_check_reaches_the_relative_error_the_notebook_promises():
    """Central differences (h = 1e-5) vs backprop on networks like the notebook's: rel. error <= 1e-7."""
    rng = np.random.default_rng(5)
    worst = 0.0
    for _ in range(20):
        sizes = [3, int(rng.integers(2, 6)), int(rng.integers(2, 6)), 1]
        params = [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(sizes[:-1], sizes[1:])]
        X = rng.normal(size=(6, 3))
        y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
        grads = ref.mlp_backward(y, ref.mlp_forward(X, params)[1], params)
        for layer, (W, b) in enumerate(params):
            def loss_of_W(candidate, layer=layer):
                trial = list(params)
                trial[layer] = (candidate, params[layer][1])
                return ref.binary_cross_entropy(ref.mlp_forward(X, trial)[0], y)
            numeric = ref.numerical_gradient(loss_of_W, W)
            analytic = grads[layer][0]
            worst = max(worst, float(np.max(np.abs(numeric - analytic)) /
                                     max(np.max(np.abs(numeric)), np.max(np.abs(analytic)))))
    assert worst < 1e-7, worst


def test_numerical_gradient_leaves_its_input_alone_and_follows_h():
    x = np.array([[0.5, -1.0], [2.0, 0.0]])
    kept = x.copy()
    grad = ref.numerical_gradient(lambda v: float(np.sum(v ** 3)), x, h=0.1)
    np.testing.assert_array_equal(x, kept)
    np.testing.assert_allclose(grad, 3 * x ** 2 + 0.01, rtol=1e-12, atol=1e-12)  # central difference of x**3


# --------------------------------------------------------------------------- judges and generators

def test_init_judge_explains_scale_and_seeding_faults():
    sizes = [150, 40, 10, 1]
    case = backprop_checks.AspectCase((sizes, 3), aspect="scale")
    expected = Outcome(value=ref.init_mlp(sizes, 3))
    too_wide = [(2 * W, b) for W, b in ref.init_mlp(sizes, 4)]
    why = backprop_checks._init_judge(case, expected, Outcome(value=too_wide))
    assert why and "standard deviation 1/sqrt(d_in)" in why and "layer 1" in why
    assert backprop_checks._init_judge(case, expected, Outcome(value=ref.init_mlp(sizes, 4))) is None
    seeding = backprop_checks.AspectCase((sizes, 3, 9), aspect="seeding")
    three = (ref.init_mlp(sizes, 3), ref.init_mlp(sizes, 3), ref.init_mlp(sizes, 3))
    why = backprop_checks._init_judge(seeding, Outcome(value=three), Outcome(value=three))
    assert why and "different seed" in why


def test_scale_tolerance_is_far_from_the_reference_spread():
    """The reference's std(W) * sqrt(d_in) stays well inside SCALE_TOLERANCE on the check's layer sizes."""
    rng = np.random.default_rng(6)
    spreads = []
    for seed in range(300):
        W = ref.init_mlp([int(rng.integers(100, 160)), int(rng.integers(30, 50))], seed)[0][0]
        spreads.append(W.std() * np.sqrt(W.shape[1]))
    assert max(abs(s - 1) for s in spreads) < backprop_checks.SCALE_TOLERANCE / 2


def test_xor_judge_explains_what_is_wrong():
    case = backprop_checks._xor_groups(np.random.default_rng(0))[0].cases[0]
    expected = Outcome(value=backprop_checks._xor_reference(**case.kwargs))
    params = ref.init_mlp([2, 4, 1], 0)
    untrained = backprop_checks._xor_judge(case, expected, Outcome(value=(params, [0.7, 0.69])))
    assert "did not fall enough" in untrained
    trained, losses = ref.train_xor(4, seed=0)
    flipped = [trained[0], (-trained[1][0], -trained[1][1])]
    assert "misclassifies XOR" in backprop_checks._xor_judge(case, expected, Outcome(value=(flipped, losses)))
    assert "2 (W, b) pairs" in backprop_checks._xor_judge(case, expected, Outcome(value=(trained[:1], losses)))
    assert backprop_checks._xor_judge(case, expected, Outcome(value=(trained, losses))) is None


def test_backward_cases_hold_both_classes_and_hidden_inputs_differ_between_seeds():
    check = get_check("backprop.backward_hidden_layers")
    for seed in REFERENCE_SEEDS:
        for group in check.groups(seed):
            for case in group.cases:
                X, y, params = case.args
                if len(y) >= 2:
                    assert set(y) == {0.0, 1.0}
    first, second = check.groups(1)[0].cases[0].args[0], check.groups(2)[0].cases[0].args[0]
    assert first.shape != second.shape or not np.allclose(first, second)
