"""The perceptron: logic gates for given weights, one learning step, why XOR fails.

Convention of the course (assignment 01): ``step(z) = 1 if z >= 0 else 0``.
"""

from __future__ import annotations

from ..bank import Choice, Misconception, Numbers, Option, Variant, fmt, fmt_seq, question, shuffled
from ._util import select_all, step

INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
GATES = {(0, 0, 0, 1): "AND", (0, 1, 1, 1): "OR", (1, 1, 1, 0): "NAND", (1, 0, 0, 0): "NOR"}
#: Exact arithmetic on halves and tenths of small numbers; the tolerance only absorbs float noise.
EXACT = 1e-6


def _outputs(w1, w2, b, strict=False, bias=True):
    zs = [w1 * x1 + w2 * x2 + (b if bias else 0) for x1, x2 in INPUTS]
    return [int(z > 0) if strict else step(z) for z in zs]


def _share_matching(p, outputs):
    return sum(a == b for a, b in zip(outputs, p["outputs"])) / 4


@question("perceptron.gate_output", "Perceptron outputs on binary inputs", misconceptions=[
    Misconception("strict_step", lambda p: _outputs(p["w1"], p["w2"], p["b"], strict=True),
                  "The course's step function is 1 for z >= 0: step(0) = 1.",
                  score=lambda p: _share_matching(p, _outputs(p["w1"], p["w2"], p["b"], strict=True))),
    Misconception("forgets_bias", lambda p: _outputs(p["w1"], p["w2"], p["b"], bias=False),
                  "The bias b is part of the weighted sum: z = w1*x1 + w2*x2 + b.",
                  score=lambda p: _share_matching(p, _outputs(p["w1"], p["w2"], p["b"], bias=False))),
])
def gate_output(rng) -> Variant:
    w1, w2 = rng.choice([0.5, 1, 1.5, 2, -1, -0.5]), rng.choice([0.5, 1, 1.5, 2, -1, -0.5])
    b = rng.choice([-2, -1.5, -1, -0.5, 0.5, 1])
    if rng.random() < 0.5:  # make one weighted sum exactly 0, so that the convention step(0) = 1 matters
        b = -rng.choice([w1, w2, w1 + w2])
    outputs = _outputs(w1, w2, b)
    lines = ["| $x_1$ | $x_2$ | $z = w_1 x_1 + w_2 x_2 + b$ |", "|---|---|---|"]
    lines += ["| %d | %d | %s |" % (x1, x2, fmt(w1 * x1 + w2 * x2 + b)) for x1, x2 in INPUTS]
    return Variant(
        text="A perceptron with $w_1 = %s$, $w_2 = %s$, $b = %s$ outputs $\\mathrm{step}(w_1 x_1 + w_2 x_2 + b)$, "
             "where $\\mathrm{step}(z) = 1$ if $z \\ge 0$ and $0$ otherwise. Give its outputs for the inputs "
             "$(x_1, x_2) = (0,0), (0,1), (1,0), (1,1)$, in this order." % (fmt(w1), fmt(w2), fmt(b)),
        answer=Numbers(outputs, integer=True, partial=True, names=["(0,0)", "(0,1)", "(1,0)", "(1,1)"],
                       what="the four outputs in this order, each 0 or 1", example="(1, 0, 1, 0)"),
        explanation="The weighted sums are:\n\n%s\n\nand step gives %s (step(0) = 1)." % ("\n".join(lines),
                                                                                       fmt_seq(outputs)),
        params={"w1": w1, "w2": w2, "b": b, "outputs": outputs},
    )


def _realise(rng):
    """Weights and bias whose truth table is a gate or, sometimes, none of the four."""
    while True:
        w1, w2 = rng.choice([0.5, 1, 1.5, 2, 3]), rng.choice([0.5, 1, 1.5, 2, 3])
        negative = rng.random() < 0.5
        if negative:
            w1, w2 = -w1, -w2
        b = rng.choice([-3.5, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5])
        outputs = tuple(_outputs(w1, w2, b))
        name = GATES.get(outputs)
        if name or (rng.random() < 0.15 and len(set(outputs)) > 1):
            return w1, w2, b, outputs, name or "none"


_GATE_WHY = {
    "AND": "AND outputs 1 only for (1, 1)",
    "OR": "OR outputs 1 as soon as one input is 1",
    "NAND": "NAND outputs 0 only for (1, 1)",
    "NOR": "NOR outputs 1 only for (0, 0)",
}


@question("perceptron.which_gate", "Which logic gate does this perceptron compute?")
def which_gate(rng) -> Variant:
    w1, w2, b, outputs, name = _realise(rng)
    table = ", ".join("%d%d -> %d" % (x1, x2, y) for (x1, x2), y in zip(INPUTS, outputs))
    complement = {"AND": "NAND", "NAND": "AND", "OR": "NOR", "NOR": "OR"}
    threshold = {"AND": "OR", "OR": "AND", "NAND": "NOR", "NOR": "NAND"}
    options = []
    for gate in ("AND", "OR", "NAND", "NOR"):
        if gate == name:
            options.append(Option(gate, True))
        else:
            tag = "sign_confusion" if complement.get(name) == gate else \
                "threshold_confusion" if threshold.get(name) == gate else None
            options.append(Option(gate, False, "No: the outputs are %s, and %s." % (table, _GATE_WHY[gate]), tag))
    options = shuffled(rng, options)
    options.append(Option("None of these four gates", name == "none",
                          "" if name == "none" else "No: the outputs %s are those of %s." % (table, name)))
    return Variant(
        text="A perceptron outputs $\\mathrm{step}(w_1 x_1 + w_2 x_2 + b)$ with $w_1 = %s$, $w_2 = %s$, $b = %s$ and "
             "$\\mathrm{step}(z) = 1$ for $z \\ge 0$, else 0. Which logic gate does it compute on binary inputs?"
             % (fmt(w1), fmt(w2), fmt(b)),
        answer=Choice(options),
        explanation="Evaluate the four inputs: %s. %s" % (
            table, ("That is the truth table of %s." % name) if name != "none" else
            "That is none of AND, OR, NAND, NOR."),
        params={"w1": w1, "w2": w2, "b": b, "gate": name},
    )


def _update(p, sign=1.0, rate=None, bias=True):
    rate = p["lr"] if rate is None else rate
    error = p["y"] - p["y_hat"]
    w = [wi + sign * rate * error * xi for wi, xi in zip(p["w"], p["x"])]
    b = p["b"] + sign * rate * error if bias else p["b"]
    return w + [b]


@question("perceptron.update_step", "One step of the perceptron learning rule", misconceptions=[
    Misconception("update_sign_flipped", lambda p: _update(p, sign=-1.0),
                  "The rule is w <- w + lr * (y - y_hat) * x: it moves the weights towards the target, "
                  "you moved them away (sign flipped)."),
    Misconception("forgets_learning_rate", lambda p: _update(p, rate=1.0) if p["lr"] != 1 else None,
                  "Multiply the correction by the learning rate lr."),
    Misconception("forgets_bias_update", lambda p: _update(p, bias=False),
                  "The bias is updated too: b <- b + lr * (y - y_hat).", score=2 / 3),
])
def update_step(rng) -> Variant:
    while True:
        w = [rng.choice([-1, -0.5, 0.5, 1, 1.5]) for _ in range(2)]
        x = [rng.choice([-2, -1, 1, 2, 3]) for _ in range(2)]
        b = rng.choice([-1, -0.5, 0, 0.5, 1])
        y = rng.choice([0, 1])
        y_hat = step(w[0] * x[0] + w[1] * x[1] + b)
        if y_hat != y:
            break
    lr = rng.choice([0.1, 0.2, 0.5, 1])
    p = {"w": w, "x": x, "b": b, "y": y, "y_hat": y_hat, "lr": lr}
    new = _update(p)
    z = w[0] * x[0] + w[1] * x[1] + b
    return Variant(
        text="A perceptron with weights $\\mathbf{w} = %s$ and bias $b = %s$ (step(z) = 1 for $z \\ge 0$, else 0) "
             "sees the training example $\\mathbf{x} = %s$ with target $y = %d$. Apply one step of the perceptron "
             "learning rule with learning rate %s. What are the new $(w_1, w_2, b)$?"
             % (fmt_seq(w), fmt(b), fmt_seq(x), y, fmt(lr)),
        answer=Numbers(new, names=["w1", "w2", "b"], partial=True, atol=EXACT, what="the tuple (w1, w2, b)", example="(0.5, -1, 2)"),
        explanation="z = %s, so y_hat = %d and the error y - y_hat = %d. w <- w + lr * (y - y_hat) * x = %s, "
                    "b <- b + lr * (y - y_hat) = %s." % (fmt(z), y_hat, y - y_hat, fmt_seq(new[:2]), fmt(new[2])),
        params=p,
    )


TRUE = (
    ("No single straight line separates XOR's 1-outputs from its 0-outputs.",
     "Right: (0,1) and (1,0) lie on one diagonal, (0,0) and (1,1) on the other.", "doubts_nonseparable"),
    ("A network with one hidden layer of two perceptrons can compute XOR.",
     "Right: e.g. XOR(x1, x2) = AND(OR(x1, x2), NAND(x1, x2)).", "hidden_layer_cannot_help"),
    ("On the XOR data, the perceptron learning rule keeps making mistakes, however long it runs.",
     "Right: it converges only on linearly separable data.", None),
    ("XOR(x1, x2) = AND(OR(x1, x2), NAND(x1, x2)).", "Right: check the four inputs.", None),
)
FALSE = (
    ("Training a single perceptron for more epochs eventually learns XOR.",
     "No: no weights realise XOR, so no amount of training finds them.", "more_epochs_fix_xor"),
    ("A smaller learning rate lets a single perceptron learn XOR.",
     "No: the learning rate changes the steps, not what a linear boundary can separate.", "learning_rate_fixes_xor"),
    ("A single perceptron computes XOR if its bias is large enough.",
     "No: the bias only shifts the line; XOR needs two lines.", None),
    ("The perceptron convergence theorem guarantees convergence on XOR.",
     "No: the theorem assumes linearly separable data.", None),
    ("XOR fails because its inputs are binary.",
     "No: AND and OR have binary inputs too and are learnt; XOR fails because it is not linearly separable.", None),
)


@question("perceptron.xor", "The perceptron and XOR")
def xor(rng) -> Variant:
    return select_all(
        rng, TRUE, FALSE, n=5,
        text="Which statements about the perceptron and the XOR function are true? Select all true statements.",
        explanation="A perceptron's decision boundary is a straight line; XOR's classes are not linearly separable, "
                    "so no weights work and the learning rule never converges. Two layers (e.g. OR and NAND feeding "
                    "AND) solve it.",
    )
