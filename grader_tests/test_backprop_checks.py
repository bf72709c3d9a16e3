"""04_backprop: what is specific to its hidden checks, in process (no notebooks, no kernel).

The properties every unit owes (the reference and every correct alternative keep full marks,
every wrong implementation loses points, also pasted into the notebook, the notebook is the
reference) are tested once for all units in ``test_units.py``. Here: the catalogue holds the
faults named in the issue, groups promising ValueError hold only invalid input, the reference
equals ``torch.autograd`` in float64 on hundreds of random networks, its central differences
reach the relative error the notebook promises, and the judges explain themselves.
"""

import numpy as np
import pytest
import torch

from coursekit.checks import Outcome
from coursekit.registry import all_checks, get_check
from reference.backprop import checks as backprop_checks
from reference.backprop import solution as ref
from reference.backprop.wrong import MUTANTS

CHECKS = all_checks("backprop")
REFERENCE_SEEDS = range(20)
GRADED_FUNCTIONS = ("init_mlp", "mlp_forward", "mlp_backward", "sgd_update", "numerical_gradient", "train_xor")
REQUIRED_MUTANTS = ("backprop_missing_sigmoid_derivative", "backprop_transposed_weights",
                    "backprop_gradient_not_averaged", "update_adds_gradient")


# --------------------------------------------------------------------------- full marks

def test_every_check_has_a_test_cell_topic_and_distinct_ids():
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert {c.function for c in CHECKS} == set(GRADED_FUNCTIONS)


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


# --------------------------------------------------------------------------- the notebook's own code

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
