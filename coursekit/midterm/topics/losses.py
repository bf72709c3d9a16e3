"""Loss functions: MSE, MAE, smooth L1, binary cross-entropy, cross-entropy; which loss for which task."""

from __future__ import annotations

import math

from ..bank import Choice, Misconception, Numeric, Option, Variant, fmt, fmt_seq, question, shuffled

#: Three decimals: what a student gets with a calculator, and far from every misconception below.
THREE_DECIMALS = 0.0015
#: Logarithms are computed to 0.5%: enough to tell ln from log10 or log2 by a wide margin.
LOG_RTOL = 0.005


def _mean(values):
    return sum(values) / len(values)


def _errors(p):
    return [a - b for a, b in zip(p["y_hat"], p["y"])]


@question("losses.regression", "Mean squared or mean absolute error", misconceptions=[
    Misconception("sum_not_mean", lambda p: sum(e * e if p["loss"] == "MSE" else abs(e) for e in _errors(p)),
                  "Both losses average over the examples (PyTorch's default reduction='mean'); you summed."),
    Misconception("root_of_mse", lambda p: math.sqrt(_mean([e * e for e in _errors(p)])) if p["loss"] == "MSE" else None,
                  "That is the RMSE, the square root of the MSE."),
    Misconception("mae_for_mse", lambda p: _mean([abs(e) for e in _errors(p)]) if p["loss"] == "MSE" else None,
                  "The MSE squares the errors; you averaged their absolute values (the MAE)."),
    Misconception("mse_for_mae", lambda p: _mean([e * e for e in _errors(p)]) if p["loss"] == "MAE" else None,
                  "The MAE averages absolute errors; you squared them (the MSE)."),
    Misconception("signed_errors", lambda p: abs(_mean(_errors(p))),
                  "Errors of opposite signs must not cancel: square them (MSE) or take their absolute value (MAE)."),
])
def regression(rng) -> Variant:
    loss = rng.choice(["MSE", "MAE"])
    y = [rng.randint(1, 9) for _ in range(4)]
    while True:
        y_hat = [v + rng.choice([-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 3]) for v in y]
        errors = [a - b for a, b in zip(y_hat, y)]
        if any(e > 0 for e in errors) and any(e < 0 for e in errors):
            break
    value = _mean([e * e for e in errors]) if loss == "MSE" else _mean([abs(e) for e in errors])
    terms = " + ".join(("(%s)^2" if loss == "MSE" else "|%s|") % fmt(e) for e in errors)
    return Variant(
        text="A model predicts the lengths of hospital stay (in days) $\\hat y = %s$ for four patients whose true "
             "stays were $y = %s$. What is the %s loss (mean over the patients)?" % (fmt_seq(y_hat), fmt_seq(y),
                                                                                  "mean squared error (MSE)" if loss == "MSE"
                                                                                  else "mean absolute error (MAE)"),
        answer=Numeric(value, atol=THREE_DECIMALS),
        explanation="The errors are %s; %s = (%s) / 4 = %s." % (fmt_seq(errors), loss, terms, fmt(value, 4)),
        params={"loss": loss, "y": y, "y_hat": y_hat},
    )


def _smooth_l1(errors, beta, half=True):
    factor = 0.5 if half else 1.0
    return _mean([factor * e * e / beta if abs(e) < beta else abs(e) - factor * beta for e in errors])


@question("losses.smooth_l1", "Smooth L1 loss", misconceptions=[
    Misconception("forgets_half", lambda p: _smooth_l1(p["errors"], p["beta"], half=False),
                  "PyTorch's smooth L1 is 0.5 * e^2 / beta for |e| < beta and |e| - 0.5 * beta otherwise: "
                  "both halves carry the 0.5."),
    Misconception("mse_instead", lambda p: _mean([e * e for e in p["errors"]]),
                  "Smooth L1 is quadratic only for small errors (|e| < beta) and linear beyond: you used the MSE."),
    Misconception("mae_instead", lambda p: _mean([abs(e) for e in p["errors"]]),
                  "Smooth L1 is linear only for large errors; small errors (|e| < beta) are squared: 0.5 * e^2 / beta."),
    Misconception("wrong_branch", lambda p: _mean([abs(e) - 0.5 * p["beta"] if abs(e) < p["beta"]
                                                   else 0.5 * e * e / p["beta"] for e in p["errors"]]),
                  "The quadratic branch is for small errors |e| < beta, the linear branch for large ones."),
])
def smooth_l1(rng) -> Variant:
    beta = rng.choice([0.5, 1.0, 2.0])
    while True:
        errors = [rng.choice([-3, -2, -1.5, -1, -0.5, -0.25, 0.25, 0.5, 1.5, 2, 2.5, 3]) for _ in range(3)]
        if any(abs(e) < beta for e in errors) and any(abs(e) >= beta for e in errors):
            break
    value = _smooth_l1(errors, beta)
    return Variant(
        text="The errors $\\hat y - y$ of a model on three examples are %s. What is PyTorch's smooth L1 loss "
             "`nn.SmoothL1Loss(beta=%s)` (mean over the examples)? For one error $e$ it is $0.5\\,e^2/\\beta$ if "
             "$|e| < \\beta$ and $|e| - 0.5\\,\\beta$ otherwise." % (fmt_seq(errors), fmt(beta)),
        answer=Numeric(value, atol=THREE_DECIMALS),
        explanation="Per error: %s; their mean is %s." % (
            ", ".join(fmt(0.5 * e * e / beta if abs(e) < beta else abs(e) - 0.5 * beta, 4) for e in errors),
            fmt(value, 4)),
        params={"errors": errors, "beta": beta},
    )


def _bce(pairs, log=math.log, negatives=True):
    return -_mean([y * log(p) + ((1 - y) * log(1 - p) if negatives else 0.0) for y, p in pairs])


@question("losses.bce", "Binary cross-entropy", misconceptions=[
    Misconception("log10", lambda p: _bce(p["pairs"], log=math.log10),
                  "Cross-entropy uses the natural logarithm (ln), as PyTorch does."),
    Misconception("forgets_minus", lambda p: -_bce(p["pairs"]),
                  "BCE = -mean(y log p + (1 - y) log(1 - p)): the minus sign makes the loss positive."),
    Misconception("ignores_negatives", lambda p: _bce(p["pairs"], negatives=False),
                  "Examples with y = 0 contribute -log(1 - p): the (1 - y) log(1 - p) term is missing."),
    Misconception("sum_not_mean", lambda p: _bce(p["pairs"]) * len(p["pairs"]),
                  "BCE averages over the examples (reduction='mean'); you summed."),
])
def bce(rng) -> Variant:
    n = rng.choice([3, 4])
    while True:
        pairs = [(rng.choice([0, 1]), rng.choice([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9])) for _ in range(n)]
        if 0 < sum(y for y, _ in pairs) < n:
            break
    value = _bce(pairs)
    rows = "\n".join("| %d | %d | %s |" % (i + 1, y, fmt(p)) for i, (y, p) in enumerate(pairs))
    return Variant(
        text="A classifier gives these predicted probabilities $p$ of disease to %d patients with true labels $y$:\n\n"
             "| patient | $y$ | $p$ |\n|---|---|---|\n%s\n\nWhat is the binary cross-entropy loss (natural logarithm, "
             "mean over the patients)?" % (n, rows),
        answer=Numeric(value, rtol=LOG_RTOL),
        explanation="BCE = -mean(y ln p + (1 - y) ln(1 - p)) = mean(%s) = %s." % (
            ", ".join(fmt(-math.log(p if y else 1 - p), 4) for y, p in pairs), fmt(value, 4)),
        params={"pairs": [list(pair) for pair in pairs]},
    )


def _log_softmax(logits, k):
    top = max(logits)
    return logits[k] - top - math.log(sum(math.exp(v - top) for v in logits))


@question("losses.cross_entropy", "Cross-entropy from logits", misconceptions=[
    Misconception("negative_logit", lambda p: -p["logits"][p["c"]],
                  "Cross-entropy takes -log of the softmax probability of the true class, not -z of its logit."),
    Misconception("log2", lambda p: -_log_softmax(p["logits"], p["c"]) / math.log(2),
                  "PyTorch's cross-entropy uses the natural logarithm (you gave bits, log base 2)."),
    Misconception("forgets_minus", lambda p: _log_softmax(p["logits"], p["c"]),
                  "The loss is -log(probability): a positive number."),
    Misconception("predicted_class", lambda p: -_log_softmax(p["logits"], p["logits"].index(max(p["logits"]))),
                  "Use the probability of the true class, not of the predicted (largest-logit) class."),
])
def cross_entropy(rng) -> Variant:
    n = rng.choice([3, 4])
    while True:
        logits = [rng.choice([-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5]) for _ in range(n)]
        if len(set(logits)) == n:
            break
    c = rng.randrange(n)
    value = -_log_softmax(logits, c)
    return Variant(
        text="A network outputs the logits $\\mathbf{z} = %s$ for one ECG beat; its true class is class %d (counting "
             "from 1). What is the cross-entropy loss `F.cross_entropy` for this beat (natural logarithm)?"
             % (fmt_seq(logits), c + 1),
        answer=Numeric(value, rtol=LOG_RTOL),
        explanation="CE = -log softmax(z)_c = -z_c + log(sum_j e^(z_j)) = -(%s) + log(%s) = %s."
                    % (fmt(logits[c]), " + ".join("e^%s" % fmt(v) for v in logits), fmt(value, 4)),
        params={"logits": logits, "c": c},
    )


#: (task, right loss, {distractor: (why not, misconception tag)})
TASKS = (
    ("Predict systolic blood pressure (mmHg) from a wearable; a few training labels are gross measurement errors.",
     "smooth_l1", {"mse": ("squaring makes the few gross errors dominate the loss; a loss that is linear for large "
                           "errors (smooth L1) is robust to them", "outliers_with_mse")}),
    ("Predict the heart rate (bpm) from a PPG signal; the label noise is small and roughly Gaussian.",
     "mse", {"smooth_l1": ("without outliers there is nothing to be robust against; with Gaussian noise the MSE is "
                           "the maximum-likelihood choice", None)}),
    ("Decide whether a mammogram shows a malignancy, with one network output passed through a sigmoid.",
     "bce", {"ce": ("a single sigmoid output is a binary probability: binary cross-entropy", "single_output_as_multiclass"),
             "mse": ("a probability is best fitted with cross-entropy; MSE on a sigmoid gives weak gradients when it "
                     "saturates", "mse_for_probabilities")}),
    ("Classify each heartbeat as one of five types, with five logits fed to a softmax.",
     "ce", {"bce": ("the five classes exclude each other: a softmax with cross-entropy", "multiclass_as_multilabel")}),
    ("Find which of 14 findings a chest X-ray shows; any subset can be present, one sigmoid per finding.",
     "bce", {"ce": ("the findings do not exclude each other; a softmax would make them compete. One binary "
                    "cross-entropy per finding", "multilabel_as_multiclass")}),
)
LOSS_NAMES = {"mse": "Mean squared error (`nn.MSELoss`)", "smooth_l1": "Smooth L1 (`nn.SmoothL1Loss`)",
              "bce": "Binary cross-entropy (`nn.BCEWithLogitsLoss` / `nn.BCELoss`)",
              "ce": "Cross-entropy (`nn.CrossEntropyLoss`)"}


@question("losses.which_loss", "Which loss for which task?")
def which_loss(rng) -> Variant:
    task, right, notes = rng.choice(TASKS)
    options = []
    for loss, name in LOSS_NAMES.items():
        if loss == right:
            options.append(Option(name, True))
        else:
            why, tag = notes.get(loss, ("it does not fit this kind of target", None))
            options.append(Option(name, False, "No: %s." % why, tag))
    return Variant(
        text="Which loss fits this task best?\n\n> %s" % task,
        answer=Choice(shuffled(rng, options)),
        explanation="Regression: MSE, or smooth L1 when there are outliers. One binary decision or several independent "
                    "ones: binary cross-entropy. Exactly one of several classes: cross-entropy over a softmax.",
        params={"task": task, "right": right},
    )
