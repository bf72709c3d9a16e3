"""The artificial neuron Y = ReLU(w . X + b): its output, its parameters, its gradient."""

from __future__ import annotations

from ..bank import Integer, Misconception, Numeric, Variant, fmt, fmt_seq, question

#: Outputs are sums of products of halves: exact in binary, so a tiny tolerance suffices.
EXACT = 1e-6
HALVES = [x / 2 for x in range(-4, 5) if x]


def _draw_neuron(rng, negative: bool):
    """Weights, bias, input with a pre-activation z of the wanted sign (never 0)."""
    while True:
        w = [rng.choice(HALVES) for _ in range(3)]
        x = [rng.choice([-3, -2, -1, 1, 2, 3]) for _ in range(3)]
        b = rng.choice(HALVES)
        z = sum(wi * xi for wi, xi in zip(w, x)) + b
        if z != 0 and (z < 0) == negative:
            return w, x, b, z


def _relu_terms(p):
    return sum(max(0.0, wi * xi) for wi, xi in zip(p["w"], p["x"])) + p["b"]


@question("neuron.output", "Output of a ReLU neuron", misconceptions=[
    Misconception("no_relu", lambda p: p["z"] if p["z"] < 0 else None,
                  "You gave the weighted sum z = w.X + b itself; the neuron outputs ReLU(z) = max(0, z), which is 0 "
                  "for a negative z."),
    Misconception("forgets_bias", lambda p: max(0.0, p["z"] - p["b"]),
                  "You left out the bias: Y = ReLU(w.X + b), and b is added before the ReLU."),
    Misconception("relu_per_product", lambda p: max(0.0, _relu_terms(p)),
                  "ReLU acts on the whole weighted sum w.X + b, not on each product w_i x_i separately."),
])
def output(rng) -> Variant:
    w, x, b, z = _draw_neuron(rng, negative=rng.random() < 0.4)
    y = max(0.0, z)
    products = " + ".join("(%s)(%s)" % (fmt(wi), fmt(xi)) for wi, xi in zip(w, x))
    return Variant(
        text="A neuron computes $Y = \\mathrm{ReLU}(\\mathbf{w}\\cdot\\mathbf{X} + b)$ with weights "
             "$\\mathbf{w} = %s$ and bias $b = %s$. What is its output $Y$ for the input "
             "$\\mathbf{X} = %s$?" % (fmt_seq(w), fmt(b), fmt_seq(x)),
        answer=Numeric(y, atol=EXACT),
        explanation="z = w.X + b = %s + (%s) = %s, and ReLU(z) = max(0, z) = %s." % (products, fmt(b), fmt(z), fmt(y)),
        params={"w": w, "x": x, "b": b, "z": z},
    )


@question("neuron.param_count", "Parameters of a layer of neurons", misconceptions=[
    Misconception("forgets_biases", lambda p: p["weights"],
                  "Each neuron also has a bias: a dense layer with n_in inputs and n_out neurons has "
                  "n_in * n_out weights plus n_out biases."),
    Misconception("one_bias_per_layer", lambda p: p["weights"] + p["layers"],
                  "Every neuron has its own bias, not one per layer."),
    Misconception("adds_sizes", lambda p: sum(a + b for a, b in zip(p["sizes"], p["sizes"][1:])),
                  "A dense layer connects every input to every neuron: n_in * n_out weights, not n_in + n_out."),
])
def param_count(rng) -> Variant:
    n_in = rng.choice([12, 16, 20, 32, 64, 100, 128])
    hidden = rng.choice([8, 10, 16, 24, 32, 50])
    n_out = rng.choice([1, 2, 3, 4, 5, 10])
    two_layers = rng.random() < 0.5
    sizes = [n_in, hidden, n_out] if two_layers else [n_in, hidden]
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    biases = sum(sizes[1:])
    if two_layers:
        text = ("A network takes %d ECG features, has a hidden layer of %d neurons $\\mathrm{ReLU}(\\mathbf{w}\\cdot"
                "\\mathbf{X} + b)$ and an output layer of %d such neurons, every layer fully connected to the "
                "previous one. How many trainable parameters (weights and biases) does it have?"
                % (n_in, hidden, n_out))
    else:
        text = ("A fully connected layer of %d neurons, each computing $\\mathrm{ReLU}(\\mathbf{w}\\cdot\\mathbf{X} + b)$, "
                "takes a vector of %d gene-expression values. How many trainable parameters (weights and biases) "
                "does the layer have?" % (hidden, n_in))
    steps = " + ".join("%d*%d + %d" % (a, b, b) for a, b in zip(sizes, sizes[1:]))
    return Variant(
        text=text,
        answer=Integer(weights + biases),
        explanation="Each layer has n_in * n_out weights and n_out biases: %s = %d." % (steps, weights + biases),
        params={"sizes": sizes, "weights": weights, "layers": len(sizes) - 1},
    )


@question("neuron.gradient", "Gradient of a ReLU neuron", misconceptions=[
    Misconception("ignores_relu_gate", lambda p: (p["x"][p["k"]] if p["k"] < 3 else 1.0) if p["z"] < 0 else None,
                  "For z < 0 the ReLU is flat (its derivative is 0), so no gradient reaches the weights or the bias."),
    Misconception("weight_not_input", lambda p: p["w"][p["k"]] if p["k"] < 3 and p["z"] > 0 else None,
                  "The derivative of w.X + b with respect to w_k is the input x_k, not the weight w_k."),
    Misconception("gives_output", lambda p: max(0.0, p["z"]),
                  "This is the output Y itself, not its derivative."),
])
def gradient(rng) -> Variant:
    w, x, b, z = _draw_neuron(rng, negative=rng.random() < 0.4)
    k = rng.randrange(4)  # 0..2: a weight, 3: the bias
    target = "w_%d" % (k + 1) if k < 3 else "b"
    local = x[k] if k < 3 else 1.0
    value = local if z > 0 else 0.0
    return Variant(
        text="A neuron computes $Y = \\mathrm{ReLU}(\\mathbf{w}\\cdot\\mathbf{X} + b)$ with $\\mathbf{w} = %s$, "
             "$b = %s$, and receives $\\mathbf{X} = %s$. What is $\\partial Y / \\partial %s$ at this input?"
             % (fmt_seq(w), fmt(b), fmt_seq(x), target.replace("_", "_{") + ("}" if k < 3 else "")),
        answer=Numeric(value, atol=EXACT),
        explanation="z = w.X + b = %s. dY/d%s = ReLU'(z) * dz/d%s, with ReLU'(z) = %d (z is %s) and dz/d%s = %s, "
                    "so the derivative is %s." % (fmt(z), target, target, 1 if z > 0 else 0,
                                                  "positive" if z > 0 else "negative", target, fmt(local), fmt(value)),
        params={"w": w, "x": x, "b": b, "z": z, "k": k},
    )
