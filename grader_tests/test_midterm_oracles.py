"""The bank's keys against independent oracles: PyTorch (float64) and scikit-learn.

The generators compute their keys in plain Python by the formulas the course teaches; here
the same parameters go through the libraries students use, on a few hundred variants per
question. A key that disagrees with PyTorch would grade right students wrong.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

from coursekit.midterm import bank
from coursekit.midterm.bank import parse_call
from coursekit.midterm.topics import load_all

load_all()
SEEDS = range(200)
#: Keys are computed in float64 by a different formula: they agree with PyTorch to rounding.
RTOL = 1e-9


@pytest.fixture(autouse=True, scope="module")
def _float64_default():
    """float64 for this module only: the default dtype is process-wide, and a leak made
    another file's float32 networks fail on the same xdist worker."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def variants(question_id, seeds=SEEDS):
    question = bank.QUESTIONS[question_id]
    return [question.generate(seed) for seed in seeds]


def key(variant):
    return variant.answer.key()


def tensor(values):
    return torch.tensor(values, dtype=torch.float64)


def test_conv_output_length_matches_pytorch():
    for v in variants("convolution.output_length"):
        p = v.params
        with torch.no_grad():
            out = F.conv1d(torch.zeros(1, 1, p["L"]), torch.zeros(1, 1, p["k"]), stride=p["s"], padding=p["p"],
                           dilation=p["d"])
        assert out.shape[-1] == key(v), p


def test_conv1d_call_key_gives_the_asked_shape_in_pytorch():
    for v in variants("convolution.conv1d_call", range(100)):
        p = v.params
        arguments = parse_call(key(v), bank.QUESTIONS["convolution.conv1d_call"].generate(0).answer.signature)
        layer = torch.nn.Conv1d(**{k: a for k, a in arguments.items() if a is not None})
        assert tuple(layer(torch.zeros(2, p["in"], p["L"])).shape) == (2, p["out"], p["target"]), p


def test_conv1d_by_hand_matches_pytorch():
    for v in variants("convolution.compute_1d"):
        p = v.params
        out = F.conv1d(torch.tensor(p["x"], dtype=torch.float64).view(1, 1, -1),
                       torch.tensor(p["kernel"], dtype=torch.float64).view(1, 1, -1), stride=p["stride"])
        assert out.flatten().tolist() == list(key(v)), p


def test_pooling_by_hand_matches_pytorch():
    for v in variants("convolution.pooling"):
        p = v.params
        x = torch.tensor(p["x"], dtype=torch.float64).view(1, 1, -1)
        out = F.max_pool1d(x, p["k"]) if p["op"] == "max" else F.avg_pool1d(x, p["k"])
        np.testing.assert_allclose(out.flatten().numpy(), key(v), rtol=RTOL)


def test_conv_parameter_counts_match_pytorch():
    for v in variants("convolution.param_count"):
        p = v.params
        layer = (torch.nn.Conv1d if p["dims"] == 1 else torch.nn.Conv2d)(p["in"], p["out"], p["k"])
        assert sum(t.numel() for t in layer.parameters()) == key(v), p


def test_receptive_field_is_the_span_a_gradient_reaches():
    for v in variants("convolution.receptive_field", range(60)):
        p = v.params
        net = torch.nn.Sequential(*[torch.nn.Conv1d(1, 1, p["k"], dilation=d, bias=False) for d in p["dilations"]])
        for layer in net:
            torch.nn.init.constant_(layer.weight, 1.0)
        x = torch.zeros(1, 1, 200, requires_grad=True)
        net(x)[0, 0, 0].backward()
        seen = torch.nonzero(x.grad.flatten()).flatten()
        assert int(seen[-1] - seen[0]) + 1 == key(v), p  # the span (dilated kernels leave holes in it)


def test_dense_parameter_counts_match_pytorch():
    for v in variants("neuron.param_count"):
        sizes = v.params["sizes"]
        layers = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
        assert sum(t.numel() for layer in layers for t in layer.parameters()) == key(v)


def test_neuron_output_and_gradient_match_autograd():
    for v in variants("neuron.output"):
        p = v.params
        assert float(torch.relu(tensor(p["w"]) @ tensor(p["x"]) + p["b"])) == pytest.approx(key(v))
    for v in variants("neuron.gradient"):
        p = v.params
        w = tensor(p["w"]).requires_grad_()
        b = tensor(p["b"]).requires_grad_()
        torch.relu(w @ tensor(p["x"]) + b).backward()
        grads = w.grad.tolist() + [float(b.grad)]
        assert grads[p["k"]] == pytest.approx(key(v)), p


def test_rnn_shapes_match_pytorch():
    """The shape formula against PyTorch, with batch and length shrunk so that the layers run fast."""
    from coursekit.midterm.topics.recurrent import _shapes
    for v in variants("recurrent.shapes", range(50)):
        p = dict(v.params, N=2, T=3)
        assert _shapes(v.params) == list(key(v))
        module = getattr(torch.nn, p["kind"])(p["F"], p["H"], num_layers=p["layers"], batch_first=p["batch_first"],
                                              bidirectional=p["bidirectional"])
        x = torch.zeros(*([p["N"], p["T"], p["F"]] if p["batch_first"] else [p["T"], p["N"], p["F"]]))
        with torch.no_grad():
            output, state = module(x)
        h_n = state[0] if p["kind"] == "LSTM" else state
        assert list((output if p["ask"] == "output" else h_n).shape) == _shapes(p), p


def test_rnn_parameter_counts_match_pytorch():
    for v in variants("recurrent.param_count"):
        p = v.params
        module = getattr(torch.nn, p["kind"])(p["I"], p["H"])
        assert sum(t.numel() for t in module.parameters()) == key(v), p


def test_lstm_call_key_builds_the_described_layer():
    signature = bank.QUESTIONS["recurrent.lstm_call"].generate(0).answer.signature
    for v in variants("recurrent.lstm_call", range(30)):
        p = v.params
        arguments = parse_call(key(v), signature)
        module = torch.nn.LSTM(**{k: a for k, a in arguments.items() if a is not None})
        with torch.no_grad():
            output, _ = module(torch.zeros(2, 7, p["F"]))
        assert tuple(output.shape) == (2, 7, p["H"] * (2 if p["bidirectional"] else 1))
        assert module.num_layers == p["layers"] and module.batch_first


def test_tensor_shapes_match_pytorch():
    for v in variants("tensors.shape_after_op"):
        p = v.params
        x = torch.zeros(*p["shape"])
        expression = p["expression"]
        if expression.startswith("x @ W"):
            rows, cols = (int(n) for n in expression.split("shape (")[1].rstrip(")").split(", "))
            result = x @ torch.zeros(rows, cols)
        else:
            result = eval(expression, {"x": x})  # our own generated expression, not a student's
        assert tuple(result.shape) == key(v), expression
    for v in variants("tensors.broadcast"):
        p = v.params
        assert tuple((torch.zeros(*p["a"]) + torch.zeros(*p["b"])).shape) == key(v)


def test_tensor_memory_matches_pytorch():
    for v in variants("tensors.memory", range(50)):
        x = torch.zeros(*v.params["shape"], dtype=torch.float32)
        assert x.element_size() * x.nelement() / 1e6 == pytest.approx(key(v), rel=RTOL)


ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def _activation(name, alpha):
    return ACTIVATIONS.get(name) or (lambda z: F.leaky_relu(z, alpha))


def test_activation_values_and_derivatives_match_autograd():
    for v in variants("activations.value"):
        p = v.params
        assert float(_activation(p["f"], p["alpha"])(torch.tensor(float(p["z"])))) == pytest.approx(key(v), rel=RTOL)
    for v in variants("activations.derivative"):
        p = v.params
        z = torch.tensor(float(p["z"]), requires_grad=True)
        _activation(p["f"], p["alpha"])(z).backward()
        assert float(z.grad) == pytest.approx(key(v), rel=RTOL, abs=1e-12)


def test_softmax_matches_pytorch():
    for v in variants("activations.softmax"):
        p = v.params
        assert float(torch.softmax(tensor(p["logits"]), 0)[p["k"]]) == pytest.approx(key(v), rel=RTOL)


def test_losses_match_pytorch():
    for v in variants("losses.regression"):
        p = v.params
        y_hat, y = torch.tensor(p["y_hat"], dtype=torch.float64), torch.tensor(p["y"], dtype=torch.float64)
        expected = F.mse_loss(y_hat, y) if p["loss"] == "MSE" else F.l1_loss(y_hat, y)
        assert float(expected) == pytest.approx(key(v), rel=RTOL)
    for v in variants("losses.smooth_l1"):
        p = v.params
        errors = tensor(p["errors"])
        assert float(F.smooth_l1_loss(errors, torch.zeros_like(errors), beta=p["beta"])) == pytest.approx(key(v), rel=RTOL)
    for v in variants("losses.bce"):
        pairs = tensor(v.params["pairs"])
        assert float(F.binary_cross_entropy(pairs[:, 1], pairs[:, 0])) == pytest.approx(key(v), rel=RTOL)
    for v in variants("losses.cross_entropy"):
        p = v.params
        loss = F.cross_entropy(tensor([p["logits"]]), torch.tensor([p["c"]]))
        assert float(loss) == pytest.approx(key(v), rel=RTOL)


def test_gradient_descent_steps_match_pytorch_optimisers():
    for v in variants("gradient_descent.one_step"):
        p = v.params
        w = torch.tensor(float(p["w0"]), requires_grad=True)
        optimiser = torch.optim.SGD([w], lr=p["lr"])
        (p["a"] * (w - p["c"]) ** 2).backward()
        optimiser.step()
        assert float(w.detach()) == pytest.approx(key(v), rel=RTOL, abs=1e-12)
    for v in variants("gradient_descent.momentum"):
        p = v.params
        w = torch.tensor(float(p["w0"]), requires_grad=True)
        optimiser = torch.optim.SGD([w], lr=p["lr"], momentum=p["mu"])
        optimiser.state[w]["momentum_buffer"] = torch.tensor(float(p["v0"]))
        w.grad = torch.tensor(float(p["g"]))
        optimiser.step()
        assert float(w.detach()) == pytest.approx(key(v), rel=RTOL, abs=1e-12)
    for v in variants("gradient_descent.adam"):
        p = v.params
        w = torch.tensor(float(p["w0"]), requires_grad=True)
        optimiser = torch.optim.Adam([w], lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=1e-8)
        w.grad = torch.tensor(float(p["g"]))
        optimiser.step()
        assert float(w.detach()) == pytest.approx(key(v), rel=1e-7, abs=1e-12)


def test_learning_rate_regimes_match_a_simulation():
    for v in variants("gradient_descent.learning_rate"):
        p = v.params
        w, trace = float(p["w0"]), []
        for _ in range(60):
            w -= p["lr"] * 2 * p["a"] * w
            trace.append(w)
        regime = ("one_step" if abs(trace[0]) < 1e-9 else "diverges" if abs(trace[-1]) > abs(p["w0"])
                  else "oscillating" if trace[0] * p["w0"] < 0 else "monotone")
        assert regime == p["regime"], p


def test_clipping_matches_pytorch():
    for v in variants("gradient_problems.clipping"):
        p = v.params
        w = torch.zeros(2, requires_grad=True)
        w.grad = torch.tensor(p["g"], dtype=torch.float64)
        torch.nn.utils.clip_grad_norm_([w], p["max_norm"])
        np.testing.assert_allclose(w.grad.numpy(), key(v), rtol=1e-6)


def test_backprop_answers_match_autograd():
    for v in variants("backprop.chain_rule"):
        p = v.params
        w = torch.tensor(float(p["w"]), requires_grad=True)
        activation = torch.sigmoid if p["f"] == "sigmoid" else torch.tanh
        (0.5 * (activation(w * p["x"] + p["b"]) - p["t"]) ** 2).backward()
        assert float(w.grad) == pytest.approx(key(v), rel=RTOL, abs=1e-12)
    for v in variants("backprop.weight_update"):
        p = v.params
        w1 = torch.tensor(float(p["w1"]), requires_grad=True)
        w2 = torch.tensor(float(p["w2"]), requires_grad=True)
        optimiser = torch.optim.SGD([w1, w2], lr=p["lr"])
        (0.5 * (w2 * torch.relu(w1 * p["x"]) - p["y"]) ** 2).backward()
        optimiser.step()
        assert float((w1 if p["which"] == "w1" else w2).detach()) == pytest.approx(key(v), rel=RTOL, abs=1e-12)
    for v in variants("backprop.local_gradient"):
        p = v.params
        x, y, z = (torch.tensor(float(p[n]), requires_grad=True) for n in "xyz")
        f = {"sum_times": lambda: (x + y) * z, "product_plus": lambda: x * y + z,
             "max_times": lambda: torch.maximum(x, y) * z}[p["graph"]]()
        f.backward()
        assert float({"x": x, "y": y, "z": z}[p["var"]].grad) == pytest.approx(key(v)), p


def test_perceptron_update_matches_the_rule():
    for v in variants("perceptron.update_step"):
        p = v.params
        x, w = np.array(p["x"], float), np.array(p["w"], float)
        y_hat = 1 if w @ x + p["b"] >= 0 else 0
        error = p["y"] - y_hat
        np.testing.assert_allclose(key(v), list(w + p["lr"] * error * x) + [p["b"] + p["lr"] * error], rtol=RTOL)


def test_metrics_match_scikit_learn():
    for v in variants("metrics.roc_auc"):
        p = v.params
        scores = p["positives"] + p["negatives"]
        labels = [1] * len(p["positives"]) + [0] * len(p["negatives"])
        assert roc_auc_score(labels, scores) == pytest.approx(key(v), rel=RTOL)
    for v in variants("metrics.confusion"):
        p = v.params
        y_true = [1] * (p["tp"] + p["fn"]) + [0] * (p["fp"] + p["tn"])
        y_pred = [1] * p["tp"] + [0] * p["fn"] + [1] * p["fp"] + [0] * p["tn"]
        from sklearn import metrics
        expected = {"accuracy": metrics.accuracy_score, "precision": metrics.precision_score,
                    "recall": metrics.recall_score, "f1": metrics.f1_score,
                    "specificity": lambda t, q: metrics.recall_score(t, q, pos_label=0)}[p["ask"]](y_true, y_pred)
        assert expected == pytest.approx(key(v), rel=RTOL)


def test_ppv_matches_bayes_rule_on_a_simulated_population():
    for v in variants("metrics.ppv", range(40)):
        p = v.params
        population = 1_000_000
        ill = population * p["prevalence"]
        true_positive, false_positive = ill * p["sensitivity"], (population - ill) * (1 - p["specificity"])
        assert true_positive / (true_positive + false_positive) == pytest.approx(key(v), rel=1e-9)


def test_bias_variance_decomposition_matches_a_monte_carlo_estimate():
    rng = np.random.default_rng(0)
    for v in variants("bias_variance.decomposition", range(10)):
        p = v.params
        predictions = p["bias"] + rng.normal(0, math.sqrt(p["variance"]), 400_000)
        targets = rng.normal(0, p["sigma"], 400_000)
        assert np.mean((targets - predictions) ** 2) == pytest.approx(key(v), rel=0.02)
