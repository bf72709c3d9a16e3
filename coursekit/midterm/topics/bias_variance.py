"""The bias-variance trade-off: diagnosing under- and overfitting, remedies, the decomposition."""

from __future__ import annotations

from ..bank import Choice, Misconception, Numeric, Option, Variant, fmt, question, shuffled
from ._util import select_all

DIAGNOSES = {
    "bias": "Underfitting (high bias)",
    "variance": "Overfitting (high variance)",
    "both": "Both high bias and high variance",
    "good": "A good fit: neither problem is large",
}
_WHY = {
    "bias": "the training error is far above the best achievable error, and validation is close to training",
    "variance": "the training error is near the best achievable error, but the validation error is much higher",
    "both": "the training error is far above the best achievable error, and validation is much higher still",
    "good": "training and validation errors are both close to the best achievable error",
}


@question("bias_variance.diagnose", "Diagnose from training and validation errors")
def diagnose(rng) -> Variant:
    kind = rng.choice(list(DIAGNOSES))
    floor = rng.choice([1, 2, 3, 5])
    gap_train = rng.choice([10, 12, 15, 20]) if kind in ("bias", "both") else rng.choice([0.5, 1, 1.5])
    gap_val = rng.choice([12, 15, 18, 25]) if kind in ("variance", "both") else rng.choice([0.5, 1, 2])
    train = floor + gap_train
    validation = train + gap_val
    tags = {("variance", "bias"): "high_validation_means_underfitting", ("bias", "variance"): "any_error_is_overfitting",
            ("both", "variance"): "ignores_training_error", ("variance", "good"): "ignores_validation_gap"}
    options = [Option(label, k == kind, "" if k == kind else "No: %s." % _WHY[kind], tags.get((kind, k)))
               for k, label in DIAGNOSES.items()]
    return Variant(
        text="A classifier of skin lesions has a training error of %s%% and a validation error of %s%%. Dermatologists "
             "(the best achievable, for this data) err on about %s%% of the cases. What is the model's main problem?"
             % (fmt(train), fmt(validation), fmt(floor)),
        answer=Choice(shuffled(rng, options)),
        explanation="Bias is the gap between the training error and the best achievable error (%s points); variance "
                    "is the gap between validation and training errors (%s points). So: %s: %s."
                    % (fmt(gap_train), fmt(gap_val), DIAGNOSES[kind], _WHY[kind]),
        params={"kind": kind, "train": train, "validation": validation, "floor": floor},
    )


OVERFITTING = (
    ("Collect more training data.", "more data makes it harder to memorise noise"),
    ("Use data augmentation (e.g. time shifts and added noise for ECGs).", "augmentation acts like more data"),
    ("Add weight decay (L2 regularisation).", "it penalises large weights, limiting the model's flexibility"),
    ("Add dropout.", "it regularises by randomly silencing units"),
    ("Stop training early, when the validation loss starts rising.", "early stopping limits how far the model fits noise"),
    ("Use a smaller model.", "fewer parameters, less capacity to memorise"),
)
UNDERFITTING = (
    ("Use a larger model (more layers or units).", "more capacity to fit the signal"),
    ("Train for longer.", "the model may not have converged yet"),
    ("Reduce the regularisation (less weight decay or dropout).", "regularisation limits how well it can fit"),
    ("Give the model more informative input features.", "better inputs let it explain more of the target"),
)


@question("bias_variance.remedies", "Remedies for under- and overfitting")
def remedies(rng) -> Variant:
    regime = rng.choice(["overfitting", "underfitting"])
    helpful, harmful = (OVERFITTING, UNDERFITTING) if regime == "overfitting" else (UNDERFITTING, OVERFITTING)
    true_pool = [(t, "Right: %s." % why, None) for t, why in helpful]
    other = "underfitting" if regime == "overfitting" else "overfitting"
    false_pool = [(t, "No: this is a remedy for %s, not for %s." % (other, regime), "remedies_swapped")
                  for t, _why in harmful]
    symptom = ("its training loss keeps falling while its validation loss has been rising for many epochs"
               if regime == "overfitting" else
               "its training and validation losses are both high and close to each other")
    return select_all(
        rng, true_pool, false_pool, n=5, min_true=2, min_false=2,
        text="A network for sleep-stage classification shows this: %s. Which of these would help? Select all that help."
             % symptom,
        explanation="That is %s. Against overfitting: more data, augmentation, weight decay, dropout, early stopping, a "
                    "smaller model. Against underfitting: a larger model, longer training, less regularisation, better "
                    "features." % regime,
        params={"regime": regime},
    )


def _decomposition(p, square_bias=True, noise_variance=True, noise=True):
    bias = p["bias"] ** 2 if square_bias else p["bias"]
    noise_term = (p["sigma"] ** 2 if noise_variance else p["sigma"]) if noise else 0.0
    return bias + p["variance"] + noise_term


@question("bias_variance.decomposition", "The bias-variance decomposition", misconceptions=[
    Misconception("bias_not_squared", lambda p: _decomposition(p, square_bias=False),
                  "The decomposition adds the squared bias: E[(y - f_hat)^2] = bias^2 + variance + sigma^2."),
    Misconception("noise_std_not_variance", lambda p: _decomposition(p, noise_variance=False),
                  "The noise term is the noise variance sigma^2, not its standard deviation."),
    Misconception("forgets_noise", lambda p: _decomposition(p, noise=False),
                  "The irreducible noise sigma^2 is part of the expected error: no model removes it."),
])
def decomposition(rng) -> Variant:
    p = {"bias": rng.choice([-3, -2, -1.5, 0.5, 1.5, 2, 3]), "variance": rng.choice([0.5, 1, 2, 4]),
         "sigma": rng.choice([0.5, 2, 3])}
    value = _decomposition(p)
    return Variant(
        text="At a point $x$, a blood-glucose regression model has a bias of %s mg/dL (averaged over training sets) and "
             "a variance of %s (mg/dL)$^2$; the measurement noise has a standard deviation $\\sigma = %s$ mg/dL. What is "
             "the expected squared error $E[(y - \\hat f(x))^2]$ there, in (mg/dL)$^2$?"
             % (fmt(p["bias"]), fmt(p["variance"]), fmt(p["sigma"])),
        answer=Numeric(value, rtol=0.001, atol=0.001),
        explanation="E[(y - f_hat)^2] = bias^2 + variance + sigma^2 = %s + %s + %s = %s." % (
            fmt(p["bias"] ** 2), fmt(p["variance"]), fmt(p["sigma"] ** 2), fmt(value)),
        params=p,
    )
