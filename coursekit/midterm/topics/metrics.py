"""Classification metrics: from a confusion matrix, ROC AUC from a small table, precision under
low prevalence."""

from __future__ import annotations

from ..bank import Misconception, Numeric, Variant, fmt, question

#: Ratios of small integers to three decimals.
THREE_DECIMALS = 0.0015


def _metric(p, name):
    tp, fp, fn, tn = p["tp"], p["fp"], p["fn"], p["tn"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return {"accuracy": (tp + tn) / (tp + fp + fn + tn), "precision": precision, "recall": recall,
            "specificity": tn / (tn + fp), "f1": 2 * precision * recall / (precision + recall),
            "f1_arithmetic": (precision + recall) / 2, "accuracy_positives": tp / (tp + fp + fn)}[name]


NAMES = {"accuracy": "accuracy", "precision": "precision (positive predictive value)",
         "recall": "recall (sensitivity)", "specificity": "specificity", "f1": "F1 score"}
FORMULAS = {"accuracy": "(TP + TN) / total", "precision": "TP / (TP + FP)", "recall": "TP / (TP + FN)",
            "specificity": "TN / (TN + FP)", "f1": "2PR / (P + R)"}


@question("metrics.confusion", "Metrics from a confusion matrix", misconceptions=[
    Misconception("precision_recall_swapped", lambda p: _metric(p, {"precision": "recall", "recall": "precision"}[p["ask"]])
                  if p["ask"] in ("precision", "recall") else None,
                  lambda p: "Precision = TP / (TP + FP) asks how many flagged cases are ill; recall = TP / (TP + FN) "
                            "how many ill cases are flagged. You computed the %s." %
                            ("recall" if p["ask"] == "precision" else "precision")),
    Misconception("specificity_as_recall", lambda p: _metric(p, "recall") if p["ask"] == "specificity" else None,
                  "Specificity = TN / (TN + FP) is the recall of the negative class."),
    Misconception("f1_arithmetic_mean", lambda p: _metric(p, "f1_arithmetic") if p["ask"] == "f1" else None,
                  "F1 is the harmonic mean of precision and recall, 2PR / (P + R), not their average."),
    Misconception("accuracy_ignores_negatives", lambda p: _metric(p, "accuracy_positives") if p["ask"] == "accuracy"
                  else None,
                  "Accuracy counts every right prediction, true negatives included: (TP + TN) / total."),
])
def confusion(rng) -> Variant:
    p = {"tp": rng.randint(10, 60), "fp": rng.randint(3, 30), "fn": rng.randint(3, 30), "tn": rng.randint(40, 200),
         "ask": rng.choice(list(NAMES))}
    value = _metric(p, p["ask"])
    return Variant(
        text="A screening test for diabetic retinopathy gives, on %d patients:\n\n"
             "| | retinopathy | no retinopathy |\n|---|---|---|\n| test positive | %d | %d |\n| test negative | %d | %d |"
             "\n\nWhat is the test's %s?" % (p["tp"] + p["fp"] + p["fn"] + p["tn"], p["tp"], p["fp"], p["fn"], p["tn"],
                                           NAMES[p["ask"]]),
        answer=Numeric(value, atol=THREE_DECIMALS),
        explanation="TP = %d, FP = %d, FN = %d, TN = %d. %s = %s = %s." % (
            p["tp"], p["fp"], p["fn"], p["tn"], NAMES[p["ask"]], FORMULAS[p["ask"]], fmt(value, 4)),
        params=p,
    )


def _auc(p, tie=0.5):
    wins = 0.0
    for s in p["positives"]:
        for t in p["negatives"]:
            wins += 1.0 if s > t else tie if s == t else 0.0
    return wins / (len(p["positives"]) * len(p["negatives"]))


def _accuracy_at_half(p):
    right = sum(s >= 0.5 for s in p["positives"]) + sum(t < 0.5 for t in p["negatives"])
    return right / (len(p["positives"]) + len(p["negatives"]))


def _has_tie(p):
    return any(s == t for s in p["positives"] for t in p["negatives"])


@question("metrics.roc_auc", "ROC AUC from a small table", misconceptions=[
    Misconception("inverted", lambda p: 1 - _auc(p),
                  "AUC is the probability that a random positive scores higher than a random negative; you counted "
                  "the pairs the other way round."),
    Misconception("accuracy_at_threshold", _accuracy_at_half,
                  "AUC does not use one threshold: it ranks all positive-negative pairs."),
    Misconception("ties_count_zero", lambda p: _auc(p, tie=0.0) if _has_tie(p) else None,
                  "A tied pair counts one half."),
    Misconception("ties_count_one", lambda p: _auc(p, tie=1.0) if _has_tie(p) else None,
                  "A tied pair counts one half, not as a win."),
])
def roc_auc(rng) -> Variant:
    while True:
        n_pos, n_neg = rng.choice([3, 4]), rng.choice([3, 4])
        scores = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
        positives = sorted((rng.choice(scores[2:]) for _ in range(n_pos)), reverse=True)
        negatives = sorted((rng.choice(scores[:-2]) for _ in range(n_neg)), reverse=True)
        p = {"positives": positives, "negatives": negatives}
        if 0 < _auc(p) < 1 and _auc(p) != 0.5:
            break
    rows = [(s, 1) for s in positives] + [(t, 0) for t in negatives]
    rng.shuffle(rows)
    table = "\n".join("| %d | %s | %s |" % (i + 1, fmt(s), "AF" if y else "normal") for i, (s, y) in enumerate(rows))
    value = _auc(p)
    return Variant(
        text="A model scores %d ECGs for atrial fibrillation (AF):\n\n| ECG | score | truth |\n|---|---|---|\n%s\n\n"
             "What is the ROC AUC of these scores?" % (len(rows), table),
        answer=Numeric(value, atol=THREE_DECIMALS),
        explanation="AUC = P(score of a random AF ECG > score of a random normal ECG), ties counting 1/2. Of the "
                    "%d * %d = %d pairs, %s are won: AUC = %s." % (
                        n_pos, n_neg, n_pos * n_neg, fmt(value * n_pos * n_neg), fmt(value, 4)),
        params=p,
    )


def _ppv(p, prevalence=None):
    prevalence = p["prevalence"] if prevalence is None else prevalence
    true_pos = p["sensitivity"] * prevalence
    return true_pos / (true_pos + (1 - p["specificity"]) * (1 - prevalence))


@question("metrics.ppv", "Precision at low prevalence", misconceptions=[
    Misconception("ppv_is_sensitivity", lambda p: p["sensitivity"],
                  "Sensitivity is P(positive test | disease); the question asks P(disease | positive test)."),
    Misconception("ignores_prevalence", lambda p: _ppv(p, prevalence=0.5),
                  "With a rare disease most positive tests come from the many healthy people: weigh by the prevalence."),
    Misconception("ppv_is_specificity", lambda p: p["specificity"],
                  "Specificity is P(negative test | healthy); the question asks P(disease | positive test)."),
])
def ppv(rng) -> Variant:
    p = {"prevalence": rng.choice([0.005, 0.01, 0.02, 0.05, 0.1]), "sensitivity": rng.choice([0.8, 0.9, 0.95, 0.99]),
         "specificity": rng.choice([0.9, 0.95, 0.98, 0.99])}
    value = _ppv(p)
    return Variant(
        text="A screening test for a disease with prevalence %s%% has sensitivity %s and specificity %s. A person tests "
             "positive. What is the probability that they have the disease (the test's precision, or positive "
             "predictive value)?" % (fmt(100 * p["prevalence"]), fmt(p["sensitivity"]), fmt(p["specificity"])),
        answer=Numeric(value, rtol=0.01),
        explanation="Per person screened: true positives %s * %s = %s, false positives (1 - %s) * (1 - %s) = %s. "
                    "Precision = TP / (TP + FP) = %s." % (
                        fmt(p["sensitivity"]), fmt(p["prevalence"]), fmt(p["sensitivity"] * p["prevalence"], 4),
                        fmt(p["specificity"]), fmt(p["prevalence"]),
                        fmt((1 - p["specificity"]) * (1 - p["prevalence"]), 4), fmt(value, 4)),
        params=p,
    )
