"""Empirical risk: the average loss over the training set, and what it does and does not tell."""

from __future__ import annotations

from ..bank import Misconception, Numeric, Variant, fmt, fmt_seq, question
from ._util import linear, select_all

#: Risks here are ratios of small integers or sums of squares of halves: three decimals suffice.
THREE_DECIMALS = 0.0015


@question("empirical_risk.zero_one", "Empirical risk with the 0-1 loss", misconceptions=[
    Misconception("accuracy_not_risk", lambda p: 1 - p["errors"] / p["n"],
                  "The 0-1 loss is 1 for a mistake: its average is the error rate, not the accuracy."),
    Misconception("counts_not_average", lambda p: p["errors"],
                  "The empirical risk is the average loss, (1/n) * sum of losses: divide by n."),
])
def zero_one(rng) -> Variant:
    n = rng.choice([6, 8, 10])
    while True:
        y = [rng.choice([0, 1]) for _ in range(n)]
        y_hat = [v if rng.random() < 0.7 else 1 - v for v in y]
        errors = sum(a != b for a, b in zip(y, y_hat))
        if 0 < errors < n / 2:
            break
    rows = "\n".join("| %d | %d | %d |" % (i + 1, a, b) for i, (a, b) in enumerate(zip(y, y_hat)))
    return Variant(
        text="A classifier's predictions $\\hat y$ on %d training recordings with labels $y$ (1 = arrhythmia):\n\n"
             "| recording | $y$ | $\\hat y$ |\n|---|---|---|\n%s\n\nWhat is its empirical risk with the 0-1 loss "
             "($\\ell = 1$ for a wrong prediction, 0 for a right one)?" % (n, rows),
        answer=Numeric(errors / n, atol=THREE_DECIMALS),
        explanation="R_emp = (1/n) * sum of losses = %d mistakes / %d = %s." % (errors, n, fmt(errors / n, 4)),
        params={"n": n, "errors": errors, "y": y, "y_hat": y_hat},
    )


def _risk(p, square=True, divisor=None):
    residuals = [p["w"] * x + p["b"] - y for x, y in zip(p["x"], p["y"])]
    total = sum(r * r if square else r for r in residuals)
    return total / (divisor if divisor is not None else len(residuals))


@question("empirical_risk.squared", "Empirical risk of a linear model", misconceptions=[
    Misconception("sum_not_average", lambda p: _risk(p, divisor=1),
                  "The empirical risk averages the losses: divide the sum by n."),
    Misconception("n_minus_one", lambda p: _risk(p, divisor=len(p["x"]) - 1),
                  "Divide by n, the number of examples: n - 1 belongs to the unbiased variance estimate, not to the "
                  "empirical risk."),
    Misconception("signed_residuals", lambda p: abs(_risk(p, square=False)),
                  "The squared loss squares each residual; signed residuals cancel out."),
])
def squared(rng) -> Variant:
    w, b = rng.choice([0.5, 1, 1.5, 2]), rng.choice([-1, 0, 0.5, 1])
    x = rng.sample([0, 1, 2, 3, 4], 4)
    while True:
        y = [w * xi + b + rng.choice([-1.5, -1, -0.5, 0.5, 1, 1.5, 2]) for xi in x]
        residuals = [w * xi + b - yi for xi, yi in zip(x, y)]
        if any(r > 0 for r in residuals) and any(r < 0 for r in residuals):
            break
    p = {"w": w, "b": b, "x": x, "y": y}
    value = _risk(p)
    return Variant(
        text="The model $f(x) = %s$ is evaluated on four training examples $(x, y)$: %s. What is its "
             "empirical risk with the squared loss $\\ell(f(x), y) = (f(x) - y)^2$?"
             % (linear(w, b), ", ".join("(%s, %s)" % (fmt(a), fmt(c)) for a, c in zip(x, y))),
        answer=Numeric(value, atol=THREE_DECIMALS),
        explanation="The residuals f(x) - y are %s; the mean of their squares is %s."
                    % (fmt_seq(residuals), fmt(value, 4)),
        params=p,
    )


TRUE = (
    ("The empirical risk is the average loss over the training examples.", "Right: (1/n) * sum of the losses.",
     None),
    ("The empirical risk estimates the expected risk over the whole data distribution.",
     "Right: it is its sample average, used because the distribution is unknown.", None),
    ("A model can have zero empirical risk and still a high expected risk.",
     "Right: that is overfitting, e.g. memorising the training set.", "zero_risk_means_perfect"),
    ("Training a network by gradient descent on the average training loss minimises the empirical risk.",
     "Right: that is empirical risk minimisation.", None),
)
FALSE = (
    ("Once the model is trained, its empirical risk equals its expected risk.",
     "No: on the training set the risk is optimistically biased; the gap is the generalisation error.",
     "training_risk_is_true_risk"),
    ("The empirical risk is computed on the test set.",
     "No: it is the training objective; the test set estimates the expected risk of the final model.", "risk_on_test"),
    ("Doubling the training set (same kind of data) roughly doubles the empirical risk.",
     "No: it is an average, not a sum.", "risk_is_a_sum"),
    ("A lower empirical risk always means a lower test error.",
     "No: past some point, lowering it further overfits and the test error rises.", None),
)


@question("empirical_risk.concepts", "What the empirical risk is")
def concepts(rng) -> Variant:
    return select_all(
        rng, TRUE, FALSE, n=5,
        text="Which statements about the empirical risk $\\hat R(f) = \\frac{1}{n}\\sum_{i=1}^n \\ell(f(x_i), y_i)$ "
             "are true? Select all true statements.",
        explanation="The empirical risk is the training-set average of the loss, an estimate of the expected risk; "
                    "minimising it is training, and driving it to zero can overfit.",
    )
