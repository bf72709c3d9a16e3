"""Training, validation and test sets; k-fold cross-validation; leakage."""

from __future__ import annotations

from ..bank import Choice, Integer, Misconception, Option, Variant, question, shuffled
from ._util import select_all


def _kfold_answer(p, ask=None, repeats=True):
    ask = ask or p["ask"]
    if ask == "train":
        return p["n"] * (p["k"] - 1) // p["k"]
    if ask == "validation":
        return p["n"] // p["k"]
    return p["k"] * (p["repeats"] if repeats else 1)


@question("data_splits.kfold", "k-fold cross-validation", misconceptions=[
    Misconception("gave_validation_size", lambda p: _kfold_answer(p, "validation") if p["ask"] == "train" else None,
                  "Each model trains on k - 1 folds; one fold (n / k examples) is held out for validation."),
    Misconception("gave_training_size", lambda p: _kfold_answer(p, "train") if p["ask"] == "validation" else None,
                  "The validation fold is one of the k folds: n / k examples."),
    Misconception("forgets_repeats", lambda p: _kfold_answer(p, repeats=False) if p["ask"] == "models" else None,
                  "Each repetition reshuffles and fits k models again: k * repeats."),
    Misconception("k_minus_one_models", lambda p: (p["k"] - 1) * p["repeats"] if p["ask"] == "models" else None,
                  "Every one of the k folds is held out once, so there are k fits per repetition."),
])
def kfold(rng) -> Variant:
    k = rng.choice([3, 4, 5, 8, 10])
    n = k * rng.choice([20, 25, 30, 40, 60])
    ask = rng.choice(["train", "validation", "models"])
    repeats = rng.choice([1, 2, 3]) if ask == "models" else 1
    p = {"n": n, "k": k, "ask": ask, "repeats": repeats}
    question_text = {
        "train": "How many examples does each model train on?",
        "validation": "How many examples are in each validation fold?",
        "models": "How many models are fitted in total?",
    }[ask]
    setup = "%d-fold cross-validation%s" % (k, "" if repeats == 1 else ", repeated %d times with reshuffling" % repeats)
    return Variant(
        text="A data set of %d patients is used for %s. %s" % (n, setup, question_text),
        answer=Integer(_kfold_answer(p)),
        explanation="The data are cut into k = %d folds of n / k = %d. Each model holds out one fold for validation "
                    "and trains on the other k - 1 (%d examples); every fold is held out once: %d fit%s per repetition, "
                    "%d in total." % (k, n // k, n * (k - 1) // k, k, "" if k == 1 else "s", k * repeats),
        params=p,
    )


LEAKS = (
    ("Standardising the features with the mean and standard deviation of the whole data set, then splitting.",
     "Leaks: the test set's statistics shaped the training inputs; fit the scaler on the training set only.",
     "global_preprocessing_is_harmless"),
    ("Putting recordings of the same patient into both the training and the test set.",
     "Leaks: the model can recognise the patient rather than the disease; split by patient.",
     "patient_overlap_is_harmless"),
    ("Choosing the number of epochs by watching the test accuracy.",
     "Leaks: the test set was used for a decision, so it no longer estimates performance on new data.",
     "tuning_on_test_is_harmless"),
    ("Oversampling the rare class, then splitting into training and test sets.",
     "Leaks: copies of the same example end up on both sides of the split.", None),
    ("Selecting the 100 most predictive genes using all samples, then cross-validating a classifier on them.",
     "Leaks: the feature selection saw the validation folds; select inside each fold.", None),
)
SAFE = (
    ("Splitting by patient, so that each patient is in exactly one of the sets.", "Fine: this prevents patient leakage.",
     "patient_split_suspected"),
    ("Fitting the scaler on the training set and applying it unchanged to the validation and test sets.",
     "Fine: that is the right way to preprocess.", None),
    ("Using the validation set to decide when to stop training.", "Fine: that is what the validation set is for.",
     "validation_use_suspected"),
    ("Stratifying the split so each set has the same share of positive cases.",
     "Fine: stratification uses only the labels' proportions to balance the sets.", None),
)


@question("data_splits.leakage", "Data leakage")
def leakage(rng) -> Variant:
    return select_all(
        rng, LEAKS, SAFE, n=5, min_true=2, min_false=2,
        text="An ECG study reports its test accuracy. Which of these procedures leak information from the test (or "
             "validation) data into training, making the reported accuracy too optimistic? Select all that leak.",
        explanation="Everything fitted from data (scalers, feature selection, resampling, hyperparameters) must be "
                    "fitted on training data only, and records of one patient must stay on one side of every split.",
    )


PURPOSES = (
    ("fitting the network's weights by gradient descent", "train"),
    ("choosing the learning rate and the number of layers", "validation"),
    ("deciding when to stop training (early stopping)", "validation"),
    ("reporting, once, the final model's expected performance on new patients", "test"),
    ("comparing two candidate architectures before choosing one", "validation"),
)
SETS = {"train": "The training set", "validation": "The validation set", "test": "The test set",
        "all": "All three sets pooled together"}
_WHY = {"train": "the training set is what gradient descent fits",
        "validation": "decisions about the model (hyperparameters, architecture, when to stop) are made on the "
                      "validation set, keeping the test set untouched",
        "test": "the test set is used once, at the end, so that it estimates performance on unseen data"}


@question("data_splits.purpose", "What each data split is for")
def purpose(rng) -> Variant:
    task, right = rng.choice(PURPOSES)
    tags = {("validation", "test"): "tunes_on_test", ("test", "validation"): "validation_as_final_estimate",
            ("validation", "train"): "tunes_on_training", ("train", "all"): None}
    options = [Option(label, key == right, "" if key == right else "No: %s." % _WHY[right], tags.get((right, key)))
               for key, label in SETS.items()]
    return Variant(
        text="Which data split should be used for %s?" % task,
        answer=Choice(shuffled(rng, options[:3]) + options[3:]),
        explanation="%s: %s." % (SETS[right], _WHY[right]),
        params={"task": task, "right": right},
    )
