"""Activation functions (sigmoid, tanh, ReLU, leaky ReLU, softmax), their values and derivatives."""

from __future__ import annotations

import math

from ..bank import Misconception, Numeric, Variant, fmt, fmt_seq, question
from ._util import sigmoid, select_all

#: Answers to three decimals, the precision a calculator session gives without effort.
THREE_DECIMALS = 0.0015
POINTS = (-3, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 3)
NAMES = {"sigmoid": "the sigmoid $\\sigma(z) = 1/(1 + e^{-z})$", "tanh": "$\\tanh(z)$",
         "relu": "$\\mathrm{ReLU}(z) = \\max(0, z)$",
         # The function first, then its point: "with slope alpha for negative inputs at z = 0.5" read as
         # asking for the derivative at a negative input.
         "leaky_relu": "the leaky ReLU $f(z) = \\max(z, \\alpha z)$ (here $\\alpha = %s$)"}


def value_of(f: str, z: float, alpha: float = 0.0) -> float:
    if f == "sigmoid":
        return sigmoid(z)
    if f == "tanh":
        return math.tanh(z)
    if f == "relu":
        return max(0.0, z)
    return z if z >= 0 else alpha * z


def derivative_of(f: str, z: float, alpha: float = 0.0) -> float:
    if f == "sigmoid":
        return sigmoid(z) * (1 - sigmoid(z))
    if f == "tanh":
        return 1 - math.tanh(z) ** 2
    if f == "relu":
        return 1.0 if z > 0 else 0.0
    return 1.0 if z > 0 else alpha


def _draw(rng):
    f = rng.choice(["sigmoid", "tanh", "relu", "leaky_relu"])
    z = rng.choice(POINTS)
    alpha = rng.choice([0.01, 0.1, 0.2]) if f == "leaky_relu" else 0.0
    name = NAMES[f] % fmt(alpha) if f == "leaky_relu" else NAMES[f]
    return f, z, alpha, name


@question("activations.value", "Value of an activation function", misconceptions=[
    Misconception("sign_in_exponent", lambda p: 1 / (1 + math.exp(p["z"])) if p["f"] == "sigmoid" else None,
                  "The sigmoid is 1/(1 + e^(-z)): the exponent carries a minus sign."),
    Misconception("tanh_as_sigmoid", lambda p: sigmoid(p["z"]) if p["f"] == "tanh" else None,
                  "tanh ranges over (-1, 1) and is not the sigmoid: tanh(z) = 2*sigmoid(2z) - 1."),
    Misconception("relu_passes_negatives", lambda p: p["z"] if p["f"] == "relu" and p["z"] < 0 else None,
                  "ReLU sets every negative input to 0."),
    Misconception("leaky_as_relu", lambda p: 0.0 if p["f"] == "leaky_relu" and p["z"] < 0 else None,
                  "The leaky ReLU keeps a small slope for negative inputs: alpha * z, not 0."),
    Misconception("leaky_scales_positives",
                  lambda p: p["alpha"] * p["z"] if p["f"] == "leaky_relu" and p["z"] > 0 else None,
                  "For positive inputs the leaky ReLU is the identity; alpha only scales negative inputs."),
])
def value(rng) -> Variant:
    f, z, alpha, name = _draw(rng)
    result = value_of(f, z, alpha)
    return Variant(
        text="What is the value of %s at $z = %s$?" % (name, fmt(z)),
        answer=Numeric(result, atol=THREE_DECIMALS),
        explanation="%s(%s) = %s." % (f, fmt(z), fmt(result, 4)),
        params={"f": f, "z": z, "alpha": alpha},
    )


@question("activations.derivative", "Derivative of an activation function", misconceptions=[
    Misconception("derivative_is_value", lambda p: value_of(p["f"], p["z"], p["alpha"]),
                  "That is the function's value, not its derivative."),
    Misconception("tanh_derivative_not_squared", lambda p: 1 - math.tanh(p["z"]) if p["f"] == "tanh" else None,
                  "tanh'(z) = 1 - tanh(z)^2: the tanh is squared."),
    Misconception("sigmoid_derivative_is_sigmoid_squared",
                  lambda p: sigmoid(p["z"]) ** 2 if p["f"] == "sigmoid" else None,
                  "sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z)), not sigmoid(z)^2."),
    Misconception("relu_gradient_everywhere_one", lambda p: 1.0 if p["f"] == "relu" and p["z"] < 0 else None,
                  "ReLU is flat for negative inputs: its derivative there is 0."),
    Misconception("leaky_gradient_zero", lambda p: 0.0 if p["f"] == "leaky_relu" and p["z"] < 0 else None,
                  "For negative inputs the leaky ReLU has slope alpha, so its derivative is alpha, not 0."),
])
def derivative(rng) -> Variant:
    f, z, alpha, name = _draw(rng)
    result = derivative_of(f, z, alpha)
    formula = {"sigmoid": "sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))", "tanh": "tanh'(z) = 1 - tanh(z)^2",
               "relu": "ReLU'(z) = 1 for z > 0 and 0 for z < 0",
               "leaky_relu": "the leaky ReLU's derivative is 1 for z > 0 and alpha for z < 0"}[f]
    return Variant(
        text="What is the derivative of %s at $z = %s$?" % (name, fmt(z)),
        answer=Numeric(result, atol=THREE_DECIMALS),
        explanation="%s, so at z = %s it is %s." % (formula, fmt(z), fmt(result, 4)),
        params={"f": f, "z": z, "alpha": alpha},
    )


def _softmax(logits):
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    return [e / sum(exps) for e in exps]


@question("activations.softmax", "Softmax probability", misconceptions=[
    Misconception("normalises_logits", lambda p: p["logits"][p["k"]] / sum(p["logits"]) if sum(p["logits"]) > 0 else None,
                  "Softmax normalises the exponentials e^(z_j), not the logits themselves."),
    Misconception("sigmoid_of_logit", lambda p: sigmoid(p["logits"][p["k"]]),
                  "Softmax divides e^(z_k) by the sum of e^(z_j) over all classes; the sigmoid looks at one logit alone."),
    Misconception("argmax", lambda p: 1.0 if p["logits"][p["k"]] == max(p["logits"]) else 0.0,
                  "Softmax is a soft argmax: every class gets a probability between 0 and 1."),
])
def softmax(rng) -> Variant:
    n = rng.choice([3, 4])
    while True:
        logits = [rng.choice([-1, -0.5, 0, 0.5, 1, 1.5, 2, 3]) for _ in range(n)]
        if len(set(logits)) > 1:
            break
    k = rng.randrange(n)
    probabilities = _softmax(logits)
    return Variant(
        text="A classifier outputs the logits $\\mathbf{z} = %s$ for %d classes. What probability does the softmax "
             "give to class %d (counting classes from 1)?" % (fmt_seq(logits), n, k + 1),
        answer=Numeric(probabilities[k], atol=THREE_DECIMALS),
        explanation="softmax(z)_k = e^(z_k) / sum_j e^(z_j) = e^%s / (%s) = %s."
                    % (fmt(logits[k]), " + ".join("e^%s" % fmt(v) for v in logits), fmt(probabilities[k], 4)),
        params={"logits": logits, "k": k},
    )


TRUE = (
    ("The sigmoid's output lies strictly between 0 and 1.", "Right: 1/(1 + e^(-z)) is in (0, 1) for every z.", None),
    ("tanh is zero-centred: tanh(-z) = -tanh(z).", "Right: tanh is odd, its outputs are centred on 0.", None),
    ("ReLU's derivative is 0 for every negative input.", "Right: ReLU is flat for z < 0.", "doubts_relu_flat"),
    ("The softmax outputs for one example sum to 1.", "Right: they are normalised exponentials.", None),
    ("The sigmoid's derivative is largest at z = 0, where it equals 0.25.",
     "Right: sigmoid'(0) = 0.5 * 0.5 = 0.25 is its maximum.", None),
    ("The leaky ReLU has a non-zero derivative for negative inputs.", "Right: its slope there is alpha > 0.", None),
    ("For large |z| the sigmoid and tanh saturate: their derivatives approach 0.",
     "Right: both flatten out, which is why they cause vanishing gradients.", None),
)
FALSE = (
    ("ReLU's derivative is 1 for every input.", "No: it is 0 for negative inputs.", "relu_gradient_everywhere_one"),
    ("tanh's outputs lie between 0 and 1.", "No: tanh ranges over (-1, 1).", "tanh_as_sigmoid"),
    ("Adding the same constant to every logit changes the softmax output.",
     "No: softmax(z + c) = softmax(z), the factor e^c cancels.", "softmax_shift_changes"),
    ("The sigmoid's derivative is largest for large positive inputs.",
     "No: it is largest at 0 (0.25) and tends to 0 for large |z|.", None),
    ("Softmax, like the sigmoid, transforms each logit independently of the others.",
     "No: each softmax output depends on all logits through the normalising sum.", None),
    ("Without non-linear activations, a deep network can represent more functions than one linear layer.",
     "No: a composition of linear maps is linear; depth adds nothing without non-linearities.", "depth_without_nonlinearity"),
)


@question("activations.properties", "Properties of activation functions")
def properties(rng) -> Variant:
    return select_all(
        rng, TRUE, FALSE, n=5,
        text="Which of these statements about activation functions are true? Select all true statements.",
        explanation="Sigmoid: (0, 1), derivative at most 0.25. tanh: (-1, 1), zero-centred. ReLU: derivative 0 or 1. "
                    "Leaky ReLU: derivative alpha or 1. Softmax: outputs sum to 1 and are unchanged by adding a constant "
                    "to every logit.",
    )
