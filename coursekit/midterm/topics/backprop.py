"""Backpropagation: local gradients in a computational graph, one chain-rule step, a weight update."""

from __future__ import annotations

import math

from ..bank import Misconception, Numeric, Variant, fmt, question
from ._util import sigmoid, signed

#: Gradients through a sigmoid or tanh, to three decimals.
THREE_DECIMALS = 0.0015
#: Products of small integers: exact.
EXACT = 1e-6
#: Chain-rule answers are drawn at least this large, well above the tolerance, so that answering 0
#: (or forgetting a factor that is nearly 1) is never "close enough".
MIN_GRADIENT = 0.02

#: graph name -> (formula, f(x, y, z), {variable: (gradient, the other branch a student gives instead)})
GRAPHS = {
    "sum_times": ("(x + y) \\cdot z", lambda x, y, z: (x + y) * z,
                  {"x": (lambda x, y, z: z, lambda x, y, z: x + y), "y": (lambda x, y, z: z, lambda x, y, z: x + y),
                   "z": (lambda x, y, z: x + y, lambda x, y, z: z)}),
    "product_plus": ("x \\cdot y + z", lambda x, y, z: x * y + z,
                     {"x": (lambda x, y, z: y, lambda x, y, z: x), "y": (lambda x, y, z: x, lambda x, y, z: y),
                      "z": (lambda x, y, z: 1, lambda x, y, z: z)}),
    "max_times": ("\\max(x, y) \\cdot z", lambda x, y, z: max(x, y) * z,
                  {"x": (lambda x, y, z: z if x > y else 0, lambda x, y, z: z if x <= y else 0),
                   "y": (lambda x, y, z: z if y > x else 0, lambda x, y, z: z if y <= x else 0),
                   "z": (lambda x, y, z: max(x, y), lambda x, y, z: min(x, y))}),
}


def _graph(p):
    return GRAPHS[p["graph"]]


@question("backprop.local_gradient", "Gradients in a computational graph", misconceptions=[
    Misconception("value_not_gradient", lambda p: _graph(p)[1](p["x"], p["y"], p["z"]),
                  "That is the value of f; the question asks for its partial derivative."),
    Misconception("wrong_branch", lambda p: _graph(p)[2][p["var"]][1](p["x"], p["y"], p["z"]),
                  lambda p: {"sum_times": "A multiply gate sends each input the upstream gradient times the OTHER "
                                          "input; an add gate passes the gradient unchanged to both inputs.",
                             "product_plus": "d(x*y)/dx = y: a multiply gate swaps its inputs; d(... + z)/dz = 1.",
                             "max_times": "A max gate routes the whole gradient to the larger input and nothing to "
                                          "the other."}[p["graph"]]),
])
def local_gradient(rng) -> Variant:
    graph = rng.choice(list(GRAPHS))
    while True:
        x, y, z = rng.sample([-4, -3, -2, -1, 1, 2, 3, 4, 5], 3)
        if graph != "max_times" or x != y:
            break
    var = rng.choice(["x", "y", "z"])
    formula, f, gradients = GRAPHS[graph]
    value = gradients[var][0](x, y, z)
    return Variant(
        text="Backpropagate through $f(x, y, z) = %s$ at $x = %d$, $y = %d$, $z = %d$. What is "
             "$\\partial f / \\partial %s$?" % (formula, x, y, z, var),
        answer=Numeric(value, atol=EXACT),
        explanation="Forward: f = %s. Backward from df/df = 1: %s, so df/d%s = %s." % (
            fmt(f(x, y, z)), {"sum_times": "the multiply gate gives z to (x + y) and (x + y) to z; the add gate passes "
                                           "its gradient to x and y",
                              "product_plus": "the add gate passes 1 to x*y and to z; the multiply gate gives y to x "
                                              "and x to y",
                              "max_times": "the multiply gate gives z to max(x, y) and max(x, y) to z; the max gate "
                                           "routes its gradient to the larger input"}[graph], var, fmt(value)),
        params={"graph": graph, "x": x, "y": y, "z": z, "var": var},
    )


ACTIVATIONS = {"sigmoid": (sigmoid, lambda a: a * (1 - a), "\\sigma", "sigma'(z) = y(1 - y)"),
               "tanh": (math.tanh, lambda a: 1 - a * a, "\\tanh", "tanh'(z) = 1 - y^2")}


def _chain(p, activation_derivative=True, include_input=True, sign=1.0):
    f, derivative, _, _ = ACTIVATIONS[p["f"]]
    y = f(p["w"] * p["x"] + p["b"])
    gradient = sign * (y - p["t"])
    if activation_derivative:
        gradient *= derivative(y)
    if include_input:
        gradient *= p["x"]
    return gradient


@question("backprop.chain_rule", "One chain-rule step", misconceptions=[
    Misconception("forgets_activation_derivative", lambda p: _chain(p, activation_derivative=False),
                  lambda p: "The chain rule passes through the activation: multiply by %s." % ACTIVATIONS[p["f"]][3]),
    Misconception("stops_at_preactivation", lambda p: _chain(p, include_input=False),
                  "That is dL/dz; one more link: dz/dw = x."),
    Misconception("sign_flipped", lambda p: _chain(p, sign=-1.0),
                  "dL/dy = y - t for L = (y - t)^2 / 2: prediction minus target."),
])
def chain_rule(rng) -> Variant:
    f = rng.choice(list(ACTIVATIONS))
    while True:  # |z| <= 2.5, and a gradient large enough that 0 is not "close enough"
        p = {"f": f, "x": rng.choice([-2, -1, 0.5, 1, 1.5, 2]), "w": rng.choice([-1, -0.5, 0.5, 1]),
             "b": rng.choice([-0.5, 0, 0.5]), "t": rng.choice([0, 1]) if f == "sigmoid" else rng.choice([-0.5, 0, 0.5])}
        value = _chain(p)
        if abs(value) >= MIN_GRADIENT:
            break
    activation, derivative, symbol, rule = ACTIVATIONS[f]
    z = p["w"] * p["x"] + p["b"]
    y = activation(z)
    return Variant(
        text="A neuron computes $y = %s(w x + b)$ with $w = %s$, $b = %s$, and is trained with the loss "
             "$L = \\tfrac12 (y - t)^2$. For the input $x = %s$ with target $t = %s$, what is "
             "$\\partial L / \\partial w$?" % (symbol, fmt(p["w"]), fmt(p["b"]), fmt(p["x"]), fmt(p["t"])),
        answer=Numeric(value, atol=THREE_DECIMALS),
        explanation="z = %s, y = %s. dL/dw = (y - t) * f'(z) * x, with %s = %s here: %s * %s * %s = %s."
                    % (fmt(z), fmt(y, 4), rule, fmt(derivative(y), 4), signed(round(y - p["t"], 4)),
                       fmt(derivative(y), 4), signed(p["x"]), fmt(value, 4)),
        params=p,
    )


def _update(p, which=None, sign=-1.0, skip_downstream=False, use_hidden=False):
    which = which or p["which"]
    h = max(0.0, p["w1"] * p["x"])
    y_hat = p["w2"] * h
    error = y_hat - p["y"]
    if which == "w2":
        gradient = error * (p["x"] if use_hidden else h)
        return p["w2"] + sign * p["lr"] * gradient
    gradient = error * (1.0 if skip_downstream else p["w2"]) * (h if use_hidden else p["x"])
    return p["w1"] + sign * p["lr"] * gradient


@question("backprop.weight_update", "A weight update in a two-layer network", misconceptions=[
    Misconception("ascent", lambda p: _update(p, sign=1.0),
                  "Gradient descent subtracts: w <- w - lr * dL/dw."),
    Misconception("skips_downstream_weight", lambda p: _update(p, skip_downstream=True) if p["which"] == "w1" else None,
                  "The gradient reaching h is dL/dy_hat * w2: the second layer's weight is part of the chain."),
    Misconception("wrong_input", lambda p: _update(p, use_hidden=True),
                  lambda p: "dL/dw2 = (y_hat - y) * h: w2 multiplies the hidden value h, not x." if p["which"] == "w2"
                  else "dz/dw1 = x: w1 multiplies the input x, not the hidden value h."),
])
def weight_update(rng) -> Variant:
    while True:
        p = {"x": rng.choice([1, 2, 3, -1, -2]), "w1": rng.choice([-1, -0.5, 0.5, 1, 1.5]),
             "w2": rng.choice([-2, -1, 0.5, 1, 2]), "y": rng.choice([-1, 0, 1, 2, 3]),
             "lr": rng.choice([0.1, 0.05, 0.01]), "which": rng.choice(["w1", "w2"])}
        h = p["w1"] * p["x"]
        if h > 0 and p["w2"] * h != p["y"]:
            break
    y_hat = p["w2"] * h
    new = _update(p)
    if p["which"] == "w2":
        chain = "dL/dw2 = (y_hat - y) * h = %s * %s = %s" % (fmt(y_hat - p["y"]), fmt(h), fmt((y_hat - p["y"]) * h))
    else:
        chain = "dL/dw1 = (y_hat - y) * w2 * ReLU'(w1 x) * x = %s * %s * 1 * %s = %s" % (
            fmt(y_hat - p["y"]), fmt(p["w2"]), fmt(p["x"]), fmt((y_hat - p["y"]) * p["w2"] * p["x"]))
    return Variant(
        text="A tiny network computes $h = \\mathrm{ReLU}(w_1 x)$, $\\hat y = w_2 h$ with $w_1 = %s$, $w_2 = %s$, and "
             "the loss $L = \\tfrac12(\\hat y - y)^2$. For the example $x = %s$, $y = %s$, one step of gradient descent "
             "with learning rate %s updates both weights. What is the new value of $%s$?"
             % (fmt(p["w1"]), fmt(p["w2"]), fmt(p["x"]), fmt(p["y"]), fmt(p["lr"]), p["which"].replace("w", "w_")),
        answer=Numeric(new, atol=EXACT * 100),
        explanation="Forward: h = %s, y_hat = %s. Backward: %s. Update: %s - %s * %s = %s." % (
            fmt(h), fmt(y_hat), chain, fmt(p[p["which"]]), fmt(p["lr"]),
            fmt((p[p["which"]] - new) / p["lr"], 6), fmt(new, 6)),
        params=p,
    )
