"""Vanishing and exploding gradients, gradient clipping, local minima and saddle points."""

from __future__ import annotations

from ..bank import Choice, Misconception, Numbers, Numeric, Option, Variant, fmt, fmt_seq, question, \
    shuffled
from ._util import select_all

#: Factors like 0.25^12 span many orders of magnitude: the tolerance is relative.
RELATIVE = 0.01


@question("gradient_problems.gradient_factor", "How gradients vanish or explode", misconceptions=[
    Misconception("adds_factors", lambda p: p["layers"] * 0.25 * p["w"],
                  "The chain rule multiplies the layers' factors: (0.25 * w)^L, it does not add them."),
    Misconception("forgets_weights", lambda p: 0.25 ** p["layers"],
                  "Each layer multiplies the backward signal by w * sigmoid'(z): the weight counts too."),
    Misconception("sigmoid_value_not_derivative", lambda p: (0.5 * p["w"]) ** p["layers"],
                  "The backward factor is the sigmoid's derivative sigmoid'(0) = 0.25, not its value sigmoid(0) = 0.5."),
])
def gradient_factor(rng) -> Variant:
    layers = rng.choice([5, 6, 8, 10, 12, 15, 20])
    w = rng.choice([1, 2, 6, 8, 12])
    factor = (0.25 * w) ** layers
    verdict = "vanishes" if factor < 1 else "explodes" if factor > 1 else "keeps its size"
    return Variant(
        text="A chain of %d sigmoid units, each computing $h_{l} = \\sigma(w\\,h_{l-1})$ with the same weight "
             "$w = %s$, is at a point where every pre-activation is 0. By what factor is the gradient "
             "$\\partial L/\\partial h_L$ multiplied on its way back to $\\partial L/\\partial h_0$? "
             "(You may write a power, e.g. `0.5**10`.)" % (layers, fmt(w)),
        answer=Numeric(factor, rtol=RELATIVE),
        explanation="Each unit contributes w * sigmoid'(0) = %s * 0.25 = %s, so the gradient is multiplied by %s^%d = "
                    "%s: it %s." % (fmt(w), fmt(0.25 * w), fmt(0.25 * w), layers, fmt(factor, 4), verdict),
        params={"layers": layers, "w": w},
    )


def _clip_value(p):
    return [max(-p["max_norm"], min(p["max_norm"], g)) for g in p["g"]]


@question("gradient_problems.clipping", "Gradient clipping by norm", misconceptions=[
    Misconception("clips_values", _clip_value,
                  "clip_grad_norm_ rescales the whole gradient vector to norm max_norm, keeping its direction; "
                  "clamping each component is clip_grad_value_."),
    Misconception("normalises_to_one", lambda p: [g / p["norm"] for g in p["g"]],
                  "The clipped gradient has norm max_norm, not 1: g * max_norm / ||g||."),
])
def clipping(rng) -> Variant:
    a, b, norm = rng.choice([(3, 4, 5), (6, 8, 10), (5, 12, 13), (8, 15, 17), (9, 12, 15)])
    g = [a * rng.choice([-1, 1]), b * rng.choice([-1, 1])]
    if rng.random() < 0.5:
        g.reverse()
    max_norm = rng.choice([1, 2, 2.5, 5])
    clipped = [x * max_norm / norm for x in g]
    return Variant(
        text="An exploding gradient $g = %s$ is clipped with `torch.nn.utils.clip_grad_norm_(params, max_norm=%s)`. "
             "What is the clipped gradient?" % (fmt_seq(g), fmt(max_norm)),
        answer=Numbers(clipped, atol=0.001, what="the clipped gradient as a tuple (g1, g2)", example="(0.5, -1.5)"),
        explanation="||g|| = sqrt(%d^2 + %d^2) = %d > %s, so g is scaled by max_norm / ||g|| = %s / %d: %s. Its "
                    "direction is kept." % (a, b, norm, fmt(max_norm), fmt(max_norm), norm, fmt_seq(clipped, 4)),
        params={"g": g, "norm": norm, "max_norm": max_norm},
    )


def _polynomial(terms) -> str:
    """``2 x^2 - y^2 + x`` from ``[(2, "x^2"), (-1, "y^2"), (1, "x")]`` (zero terms left out)."""
    out = ""
    for coefficient, power in terms:
        if not coefficient:
            continue
        magnitude = "" if abs(coefficient) == 1 else fmt(abs(coefficient)) + " "
        sign = ("-" if coefficient < 0 else "") if not out else (" - " if coefficient < 0 else " + ")
        out += "%s%s%s" % (sign, magnitude, power)
    return out


KINDS = {"minimum": "A local minimum", "maximum": "A local maximum", "saddle": "A saddle point",
         "not_critical": "Not a critical point (the gradient is not zero there)"}


@question("gradient_problems.critical_point", "Minimum, maximum or saddle point?")
def critical_point(rng) -> Variant:
    kind = rng.choice(["minimum", "maximum", "saddle", "saddle", "not_critical"])
    if rng.random() < 0.5 and kind != "not_critical":
        signs = {"minimum": [1, 1, 1], "maximum": [-1, -1, -1], "saddle": [1, -1, rng.choice([1, -1])]}[kind]
        rng.shuffle(signs)
        eigenvalues = [s * rng.choice([0.5, 1, 2, 3, 4]) for s in signs]
        text = ("At a point of a network's loss landscape the gradient is zero and the Hessian has the eigenvalues %s. "
                "What is the point?" % fmt_seq(eigenvalues))
        why = {"minimum": "all eigenvalues are positive: the loss curves up in every direction",
               "maximum": "all eigenvalues are negative: the loss curves down in every direction",
               "saddle": "the eigenvalues have both signs: up in some directions, down in others"}[kind]
        params = {"kind": kind, "eigenvalues": eigenvalues}
    else:
        a, b = rng.choice([1, 2, 3, 0.5]), rng.choice([1, 2, 3, 0.5])
        sa, sb = {"minimum": (1, 1), "maximum": (-1, -1), "saddle": (1, -1), "not_critical": (1, 1)}[kind]
        linear = rng.choice([1, 2, -1]) if kind == "not_critical" else 0
        formula = _polynomial([(sa * a, "x^2"), (sb * b, "y^2"), (linear, "x")])
        text = "Consider $f(x, y) = %s$ at the point $(0, 0)$. What is this point?" % formula
        why = {"minimum": "the gradient (2ax, 2by) is zero and f curves up along both axes",
               "maximum": "the gradient is zero and f curves down along both axes",
               "saddle": "the gradient is zero, f curves up along x and down along y",
               "not_critical": "the gradient at (0, 0) is (%s, 0), not zero" % fmt(linear)}[kind]
        params = {"kind": kind, "formula": formula}
    tags = {("saddle", "minimum"): "zero_gradient_means_minimum", ("not_critical", "minimum"): "ignores_linear_term",
            ("saddle", "maximum"): "zero_gradient_means_extremum"}
    options = [Option(label, k == kind, "No: %s." % why if k != kind else "", tags.get((kind, k)))
               for k, label in KINDS.items()]
    return Variant(
        text=text,
        answer=Choice(shuffled(rng, options[:3]) + options[3:]),
        explanation="%s: %s. In high dimensions most critical points of a network's loss are saddle points, not "
                    "local minima." % (KINDS[kind], why),
        params=params,
    )


TRUE = (
    ("Replacing sigmoid activations by ReLU.", "Right: ReLU's derivative is 1 for active units instead of at most 0.25.",
     "sigmoid_harmless"),
    ("Residual (skip) connections, as in ResNet.", "Right: the identity path carries the gradient past the layers.",
     None),
    ("Initialising weights with the He or Xavier (Glorot) scheme.",
     "Right: it keeps the signal's variance roughly constant across layers.", None),
    ("Gradient clipping (against exploding gradients).", "Right: it caps the gradient's norm.", None),
    ("Batch normalisation.", "Right: it keeps pre-activations in a well-scaled range.", None),
    ("Using LSTM or GRU cells instead of a plain RNN.",
     "Right: their gates and additive state updates let gradients flow over long sequences.", None),
)
FALSE = (
    ("Using the sigmoid in every layer.", "No: its derivative is at most 0.25, which makes gradients vanish.",
     "sigmoid_harmless"),
    ("Adding more layers.", "No: a longer chain of factors makes the problem worse.", "depth_helps"),
    ("Initialising all weights with large values.",
     "No: large weights saturate sigmoids (vanishing) or blow the gradient up (exploding).", None),
    ("Removing the biases.", "No: biases are not what scales the backward signal.", None),
    ("A larger learning rate.", "No: it scales the update, not the gradient's decay through the layers.",
     "learning_rate_fixes_vanishing"),
)


@question("gradient_problems.remedies", "Remedies for vanishing and exploding gradients")
def remedies(rng) -> Variant:
    return select_all(
        rng, TRUE, FALSE, n=6, min_true=2, min_false=2,
        text="A deep network trains badly because its gradients vanish or explode. Which of these help? "
             "Select all that help.",
        explanation="The backward signal is a product of one factor per layer. Activations with derivative near 1 "
                    "(ReLU), identity paths (residual connections, LSTM/GRU cell states), good initialisation and "
                    "normalisation keep the factors near 1; clipping caps explosions.",
    )

