"""How a hidden ROC AUC becomes points: the one rule of every assignment that grades a trained model
on hidden data (the capstone ``05_af_cnn``, ``06_sequences``).

With a unit's own ``margin`` and ``floor`` and its stored ``reference_auc`` (the median hidden AUC
of the reference solution over several training seeds)::

    full = reference_auc - margin
    auc >= full            -> all points
    floor <= auc < full    -> points * (auc - floor) / (full - floor)   (linear)
    auc < floor            -> no points (absolute: even where a weak reference puts full below it)

The numbers stay in each unit (``reference/<topic>/grading.py``: its margin, floor, data paths and
stored reference, with the reasons for each); this module only turns them into a verdict, so the
rule and the messages students read cannot drift apart between assignments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _kind(value) -> str:
    """What a value that is not an array is, in words (opaque kernel objects name their type)."""
    if isinstance(value, dict) and "__opaque__" in value:
        return value["__opaque__"].get("type", "an object")
    return type(value).__name__


def probability_problem(probabilities, n_windows: int) -> str | None:
    """Why ``probabilities`` cannot be scored as P(positive) of ``n_windows`` windows, or None.

    Refused: anything not convertible to floats, a shape other than (n_windows,), NaN or infinite
    values, values outside [0, 1] (logits), and all-equal values (no ranking: ROC AUC 0.5).
    """
    try:
        p = np.asarray(probabilities, dtype=float)
    except (TypeError, ValueError):
        return "predict_proba must return an array of %d numbers, got %s" % (n_windows, _kind(probabilities))
    if p.shape != (n_windows,):
        return ("predict_proba must return one probability per window, shape (%d,), got shape %s"
                % (n_windows, p.shape))
    bad = int(np.count_nonzero(~np.isfinite(p)))
    if bad:
        return "%d of the %d probabilities are NaN or infinite" % (bad, n_windows)
    if p.min() < 0 or p.max() > 1:
        return ("probabilities must lie in [0, 1], got values from %.3g to %.3g: logits? "
                "predict_proba should apply torch.sigmoid" % (p.min(), p.max()))
    if np.ptp(p) == 0:
        return ("all %d probabilities are equal (%.4g): the model does not tell windows apart "
                "(ROC AUC 0.5)" % (n_windows, p[0]))
    return None


@dataclass(frozen=True)
class AucTiers:
    """The tier rule (module docstring) with one unit's ``margin`` and ``floor``.

    ``scored_on`` names what the AUC was measured on in the student's message
    ("windows", "windows of subjects you never saw").
    """

    margin: float
    floor: float
    scored_on: str = "windows"

    def thresholds(self, reference_auc: float) -> tuple[float, float]:
        """(full-credit threshold, floor) for a reference AUC."""
        return reference_auc - self.margin, self.floor

    def credit(self, auc: float, reference_auc: float) -> float:
        """Fraction of the points, in [0, 1], for a hidden AUC."""
        full, floor = self.thresholds(reference_auc)
        if auc < floor:
            return 0.0  # the floor is absolute, even if a weak reference put the full threshold below it
        if auc >= full:
            return 1.0
        return (auc - floor) / (full - floor)

    def describe(self, reference_auc: float) -> str:
        """The rule in force, in numbers, as every verdict states it."""
        full, floor = self.thresholds(reference_auc)
        return ("full points at AUC >= %.3f (the reference's %.3f - %.2f), none below %.2f, linear in between"
                % (full, reference_auc, self.margin, floor))

    def verdict(self, y_true, probabilities, reference_auc: float) -> tuple[float, str]:
        """(fraction of the points, message for the student) for predictions on the hidden windows."""
        from sklearn.metrics import roc_auc_score

        y_true = np.asarray(y_true)
        problem = probability_problem(probabilities, len(y_true))
        if problem:
            return 0.0, problem + "; no points for the hidden AUC. The rule: %s" % self.describe(reference_auc)
        auc = float(roc_auc_score(y_true, np.asarray(probabilities, dtype=float)))
        fraction = self.credit(auc, reference_auc)
        if fraction >= 1.0:
            outcome = "full points"
        elif fraction > 0.0:
            outcome = "%.0f%% of the points" % (100 * fraction)
        else:
            outcome = "no points (below the floor of %.2f)" % self.floor
        return fraction, "hidden ROC AUC %.4f on %d %s: %s. The rule: %s" % (
            auc, len(y_true), self.scored_on, outcome, self.describe(reference_auc))
