"""Gradient descent by hand: one step, the learning rate, batch vs stochastic vs mini-batch,
momentum and Adam (with PyTorch's conventions, stated in each question)."""

from __future__ import annotations

import math

from ..bank import Choice, Integer, Misconception, Numeric, Option, Variant, fmt, question, shuffled
from ._util import linear, signed, select_all

#: Steps are products of small decimals: three decimals tell every misconception apart.
THREE_DECIMALS = 0.0015


def _step(p, sign=-1.0, factor=2.0, use_loss=False):
    a, c, w0, lr = p["a"], p["c"], p["w0"], p["lr"]
    g = a * (w0 - c) ** 2 if use_loss else factor * a * (w0 - c)
    return w0 + sign * lr * g


@question("gradient_descent.one_step", "One step of gradient descent", misconceptions=[
    Misconception("ascent", lambda p: _step(p, sign=1.0),
                  "Gradient descent moves against the gradient: w <- w - lr * f'(w)."),
    Misconception("forgets_factor_two", lambda p: _step(p, factor=1.0),
                  "d/dw a(w - c)^2 = 2a(w - c): the factor 2 is missing."),
    Misconception("uses_loss_value", lambda p: _step(p, use_loss=True),
                  "The step uses the derivative f'(w), not the loss value f(w)."),
])
def one_step(rng) -> Variant:
    a, c = rng.choice([0.5, 1, 2, 3]), rng.randint(-3, 3)
    w0 = c + rng.choice([-3, -2, -1, 1, 2, 3, 4])
    lr = rng.choice([0.01, 0.05, 0.1, 0.2])
    p = {"a": a, "c": c, "w0": w0, "lr": lr}
    g = 2 * a * (w0 - c)
    return Variant(
        text="Minimise $f(w) = %s(%s)^2$ by gradient descent with learning rate $\\eta = %s$, starting at "
             "$w_0 = %s$. What is $w_1$ after one step?" % ("" if a == 1 else fmt(a) + "\\,", linear(1, -c, "w"),
                                                            fmt(lr), fmt(w0)),
        answer=Numeric(_step(p), atol=THREE_DECIMALS),
        explanation="f'(w) = 2 * %s * (%s), so f'(w0) = %s and w1 = w0 - eta * f'(w0) = %s - %s * %s = %s."
                    % (fmt(a), linear(1, -c, "w"), fmt(g), fmt(w0), fmt(lr), signed(g), fmt(_step(p), 4)),
        params=p,
    )


REGIMES = {
    "monotone": "$w_t$ converges to 0 without changing sign",
    "oscillating": "$w_t$ converges to 0 while changing sign at every step",
    "one_step": "$w_t$ reaches 0 exactly after one step and stays there",
    "diverges": "$|w_t|$ grows without bound (divergence)",
}
_WHY = {
    "monotone": "with 0 < 1 - 2 a eta < 1 each step shrinks w by the same positive factor",
    "oscillating": "with -1 < 1 - 2 a eta < 0 each step flips the sign of w and shrinks it",
    "one_step": "with 1 - 2 a eta = 0 the first step lands on the minimum",
    "diverges": "with |1 - 2 a eta| > 1 each step overshoots further than the last",
}


@question("gradient_descent.learning_rate", "The effect of the learning rate")
def learning_rate(rng) -> Variant:
    a = rng.choice([0.5, 1, 2, 2.5, 5])
    regime = rng.choice(list(REGIMES))
    factor = {"monotone": rng.choice([0.2, 0.5, 0.6, 0.8]), "oscillating": rng.choice([-0.2, -0.5, -0.6, -0.8]),
              "one_step": 0.0, "diverges": rng.choice([-1.5, -2, -3])}[regime]
    lr = (1 - factor) / (2 * a)
    w0 = rng.choice([1, 2, 4, -3])
    tags = {("diverges", "oscillating"): "overshoot_still_converges",
            ("oscillating", "diverges"): "any_overshoot_diverges",
            ("monotone", "diverges"): "larger_rate_always_faster"}
    options = [Option(text, r == regime, "No: the update is w <- (1 - 2 a eta) w = (%s) w; %s." % (fmt(factor), _WHY[r])
               if r != regime else "", tags.get((regime, r))) for r, text in REGIMES.items()]
    return Variant(
        text="Gradient descent minimises $f(w) = %s\\,w^2$ with learning rate $\\eta = %s$, starting at $w_0 = %s$. "
             "What happens?" % (fmt(a), fmt(lr, 4), fmt(w0)),
        answer=Choice(shuffled(rng, options)),
        explanation="f'(w) = 2 * %s * w, so w <- w - eta * f'(w) = (1 - 2 * %s * %s) w = (%s) w: %s."
                    % (fmt(a), fmt(a), fmt(lr, 4), fmt(factor), _WHY[regime]),
        params={"a": a, "lr": lr, "w0": w0, "regime": regime, "factor": factor},
    )


def _updates(p, method, batch=None, epochs=True, floor=False):
    n, b, e = p["n"], p["batch"] if batch is None else batch, p["epochs"] if epochs else 1
    if method == "batch":
        return e
    if method == "stochastic":
        return n * e
    return (n // b if floor else -(-n // b)) * e


@question("gradient_descent.update_count", "Batch, stochastic and mini-batch updates", misconceptions=[
    Misconception("drops_last_batch", lambda p: _updates(p, p["method"], floor=True) if p["method"] == "mini-batch" else None,
                  "The last, smaller batch is used too (DataLoader's default drop_last=False): ceil(n / B) batches "
                  "per epoch."),
    Misconception("counts_examples", lambda p: p["n"] * p["epochs"] if p["method"] != "stochastic" else None,
                  "Count parameter updates, one per batch, not examples."),
    Misconception("forgets_epochs", lambda p: _updates(p, p["method"], epochs=False),
                  "That is one epoch; multiply by the number of epochs."),
    Misconception("stochastic_uses_batches", lambda p: _updates(p, "mini-batch") if p["method"] == "stochastic" else None,
                  "Stochastic gradient descent in the strict sense updates after every single example."),
])
def update_count(rng) -> Variant:
    method = rng.choice(["batch", "stochastic", "mini-batch", "mini-batch"])
    while True:
        n, batch = rng.choice([500, 1000, 1200, 2000, 2500]), rng.choice([16, 32, 64, 128])
        if n % batch:
            break
    epochs = rng.choice([3, 5, 10, 20])
    p = {"n": n, "batch": batch, "epochs": epochs, "method": method}
    describe = {"batch": "full-batch gradient descent (one gradient over the whole training set per update)",
                "stochastic": "stochastic gradient descent with one example per update",
                "mini-batch": "mini-batch gradient descent with batches of %d examples (the last batch of an epoch "
                              "may be smaller and is used)" % batch}[method]
    count = _updates(p, method)
    why = {"batch": "one update per epoch: %d" % epochs,
           "stochastic": "one update per example: %d * %d = %d" % (n, epochs, count),
           "mini-batch": "ceil(%d / %d) = %d updates per epoch, times %d epochs = %d"
                         % (n, batch, -(-n // batch), epochs, count)}[method]
    return Variant(
        text="A training set has %d ECG recordings. How many parameter updates does %s make in %d epochs?"
             % (n, describe, epochs),
        answer=Integer(count, unit="updates"),
        explanation="%s: %s." % (method.capitalize(), why),
        params=p,
    )


def _momentum(p, ema=False, use_velocity=True, sign=-1.0):
    v = p["mu"] * p["v0"] + ((1 - p["mu"]) if ema else 1.0) * p["g"]
    return p["w0"] + sign * p["lr"] * (v if use_velocity else p["g"])


@question("gradient_descent.momentum", "A step of SGD with momentum", misconceptions=[
    Misconception("ignores_momentum", lambda p: _momentum(p, use_velocity=False),
                  "With momentum the step uses the velocity v = mu * v_prev + g, not the gradient alone."),
    Misconception("averaging_convention", lambda p: _momentum(p, ema=True),
                  "PyTorch's SGD uses v = mu * v_prev + g (no factor 1 - mu on the gradient)."),
    Misconception("ascent", lambda p: _momentum(p, sign=1.0),
                  "The parameter moves against the velocity: w <- w - lr * v."),
])
def momentum(rng) -> Variant:
    mu = rng.choice([0.5, 0.8, 0.9])
    p = {"mu": mu, "v0": rng.choice([-2, -1, 0.5, 1, 2]), "g": rng.choice([-3, -1, 1, 2, 4]),
         "lr": rng.choice([0.1, 0.05, 0.2]), "w0": rng.choice([-1, 0.5, 1, 2])}
    v = mu * p["v0"] + p["g"]
    return Variant(
        text="PyTorch's `torch.optim.SGD(params, lr=%s, momentum=%s)` updates $v \\leftarrow \\mu v + g$, then "
             "$w \\leftarrow w - \\eta v$. A weight is at $w = %s$ with velocity $v = %s$ from the previous step; its "
             "new gradient is $g = %s$. What is $w$ after this step?"
             % (fmt(p["lr"]), fmt(mu), fmt(p["w0"]), fmt(p["v0"]), fmt(p["g"])),
        answer=Numeric(_momentum(p), atol=THREE_DECIMALS),
        explanation="v = %s * %s + %s = %s, then w = %s - %s * %s = %s." % (
            fmt(mu), signed(p["v0"]), signed(p["g"]), fmt(v), fmt(p["w0"]), fmt(p["lr"]), signed(v),
            fmt(_momentum(p), 4)),
        params=p,
    )


ADAM_EPS = 1e-8


def _adam(p, corrected=True, plain=False, sign=-1.0):
    g, lr = p["g"], p["lr"]
    if plain:
        return p["w0"] + sign * lr * g
    m, v = (1 - p["beta1"]) * g, (1 - p["beta2"]) * g * g
    if corrected:
        m, v = m / (1 - p["beta1"]), v / (1 - p["beta2"])
    return p["w0"] + sign * lr * m / (math.sqrt(v) + ADAM_EPS)


@question("gradient_descent.adam", "The first step of Adam", misconceptions=[
    Misconception("no_bias_correction", lambda p: _adam(p, corrected=False),
                  "Adam divides m and v by (1 - beta^t) at step t: without this bias correction the first steps are "
                  "wrongly scaled (here by (1 - beta1) / sqrt(1 - beta2))."),
    Misconception("plain_gradient_step", lambda p: _adam(p, plain=True),
                  "Adam does not step by lr * g: it divides the averaged gradient by the root of the averaged squared "
                  "gradient, so the first step is lr * g / |g|."),
    Misconception("ascent", lambda p: _adam(p, sign=1.0),
                  "Adam moves against the (averaged) gradient: w <- w - lr * m_hat / (sqrt(v_hat) + eps)."),
])
def adam(rng) -> Variant:
    p = {"w0": rng.choice([-1, 0, 0.5, 1, 2]), "g": rng.choice([-4, -2, -0.5, 0.25, 0.5, 3, 5]),
         "lr": rng.choice([0.001, 0.01, 0.1]), "beta1": 0.9, "beta2": 0.999}
    w1 = _adam(p)
    return Variant(
        text="Adam (lr $= %s$, $\\beta_1 = 0.9$, $\\beta_2 = 0.999$, $\\epsilon = 10^{-8}$) starts with $m_0 = v_0 = 0$. "
             "At step $t = 1$ a weight $w_0 = %s$ has gradient $g = %s$. Adam computes "
             "$m_1 = \\beta_1 m_0 + (1-\\beta_1) g$, $v_1 = \\beta_2 v_0 + (1-\\beta_2) g^2$, "
             "$\\hat m = m_1/(1-\\beta_1^t)$, $\\hat v = v_1/(1-\\beta_2^t)$ and "
             "$w_1 = w_0 - \\mathrm{lr}\\,\\hat m/(\\sqrt{\\hat v} + \\epsilon)$. What is $w_1$?"
             % (fmt(p["lr"]), fmt(p["w0"]), fmt(p["g"])),
        answer=Numeric(w1, rtol=1e-4, atol=1e-6),
        explanation="m_hat = g = %s and v_hat = g^2 = %s, so the step is lr * g / |g| = %s * %s: w1 = %s. Adam's first "
                    "step has size lr whatever the gradient's scale." % (fmt(p["g"]), fmt(p["g"] ** 2), fmt(p["lr"]),
                                                                      "1" if p["g"] > 0 else "(-1)", fmt(w1, 6)),
        params=p,
    )


TRUE = (
    ("Full-batch gradient descent makes one parameter update per epoch.", "Right: one gradient over all n examples.",
     None),
    ("Stochastic (one-example) gradient steps are noisier than full-batch steps.",
     "Right: one example's gradient is a noisy estimate of the average gradient.", None),
    ("Mini-batches let the hardware process several examples at once (vectorisation).",
     "Right: that is why mini-batches are the default.", None),
    ("Momentum accumulates past gradients, which damps oscillations across a narrow valley.",
     "Right: components that flip sign cancel, consistent ones add up.", "momentum_misread"),
    ("Adam adapts each parameter's step size using a running average of its squared gradients.",
     "Right: it divides by sqrt(v_hat).", None),
)
FALSE = (
    ("Full-batch gradient descent always finds the global minimum of a neural network's loss.",
     "No: the loss is not convex; it finds a stationary point near where it starts.", "global_minimum_guaranteed"),
    ("Stochastic gradient descent computes the exact gradient of the empirical risk at every step.",
     "No: it estimates it from one example (or a mini-batch).", None),
    ("Momentum makes every step smaller than plain gradient descent's.",
     "No: along consistent directions the velocity grows up to 1 / (1 - mu) times the gradient.", "momentum_misread"),
    ("Adam needs no learning rate.", "No: lr sets the size of its steps.", None),
    ("A larger batch size means more parameter updates per epoch.",
     "No: fewer, ceil(n / B) per epoch.", "larger_batch_more_updates"),
)


@question("gradient_descent.variants", "Variants of gradient descent")
def variants(rng) -> Variant:
    return select_all(
        rng, TRUE, FALSE, n=5,
        text="Which statements about variants of gradient descent are true? Select all true statements.",
        explanation="Full batch: one exact step per epoch. Stochastic: one noisy step per example. Mini-batch: "
                    "ceil(n/B) steps per epoch, vectorised. Momentum accumulates gradients; Adam rescales each "
                    "parameter's step by its gradient history.",
    )
