"""Scoring a model the notebook trained on grader-only data, in the grader's process: the one
hidden-AUC check of every unit that has one (``05_af_cnn``'s ``model``, ``06_sequences``'
``best_model`` and ``gait_model``).

What the kernel sees and what it does not (the security properties the tests prove):

- the hidden *inputs only*, as a ``.npy`` file written to ``.coursekit/`` beside the notebook, in an
  order drawn from the case's seed for this grading run (a fresh order every run, so a file of
  answers saved from an earlier run is worthless); the case itself carries only the file's name
  and that seed, never an array, and the labels never leave this process;
- the probe calls ``predict_proba(<model>, X_hidden)``, then again on the first
  :data:`REPEATED_WINDOWS` windows alone: a model left in training mode (dropout, batch-norm batch
  statistics) or anything computed across the batch gives them other probabilities, and no points;
- the ROC AUC and its points are computed here (:class:`coursekit.auc_tiers.AucTiers`), so a kernel
  that patches scikit-learn, numpy or ``assert`` changes nothing.

What differs between units is passed in: the notebook variable holding the model, the file's name,
a loader of the hidden (windows, labels), the stored reference AUC and the unit's tiers, and the
words of the feedback. This module imports nothing from ``reference`` (units import it).
"""

from __future__ import annotations

import functools
import io
from typing import Callable

import numpy as np

from coursekit.auc_tiers import AucTiers, probability_problem
from coursekit.checks import Case, Check, Group, Partial

#: predict_proba runs a second time on this many of the hidden windows (the first ones of this run's
#: order): a window's probability must not depend on the other windows of the call.
REPEATED_WINDOWS = 100
#: The second call's probabilities against the first's: the same float32 network on a batch of
#: another shape sums in another order (~1e-7 relative); dropout left on moves them by ~1e-1.
REPEAT_RTOL, REPEAT_ATOL = 1e-4, 1e-6

_PROBE = '''
def probe(ns, file_name, order_seed):
    import numpy as np
    for name in ("predict_proba", MODEL):
        if name not in ns:
            raise NameError("name %r is not defined: run the notebook from the top (the training cell defines "
                            "%s)" % (name, MODEL))
    if ns[MODEL] is None:
        raise ValueError("%s is None: its training cell did not finish (it raised an error or went over the "
                         "time limit), so there is no trained model to grade" % MODEL)
    X_hidden = np.load(".coursekit/" + file_name)
    probabilities = ns["predict_proba"](ns[MODEL], X_hidden)
    # The same windows again, fewer of them: a model in eval mode gives the same probabilities.
    again = ns["predict_proba"](ns[MODEL], X_hidden[:REPEATED])
    return {"p": probabilities, "again": again}
'''


class HiddenScoring:
    """One trained model of a notebook scored on hidden data (module docstring); ``check(id)`` is
    the :class:`~coursekit.checks.Check` a unit lists in its ``CHECKS``.

    Parameters
    ----------
    model:
        Name of the notebook variable holding the trained model (``"model"``, ``"best_model"``).
    file_name:
        Name of the file of hidden inputs in ``.coursekit/`` (unique within the assignment).
    load:
        ``() -> (X, y)``: the hidden windows exactly as the model takes them, and their labels
        (called once per process, cached).
    reference_auc:
        ``() -> float``: the unit's stored reference AUC; it should raise when the stored figure
        was measured on other data (called at the start of each grading run and at each verdict).
    tiers:
        The unit's :class:`~coursekit.auc_tiers.AucTiers` (its margin and floor).
    title:
        The case group's name in the feedback ("ROC AUC of ... on ...").
    what:
        What the windows are, in the case's label ("raw mV", "RR in s").
    timeout:
        Seconds the two predict_proba calls may take in the kernel.
    """

    def __init__(self, *, model: str, file_name: str, load: Callable, reference_auc: Callable[[], float],
                 tiers: AucTiers, title: str, what: str, timeout: float):
        if not model.isidentifier():
            raise ValueError("model must name a notebook variable, got %r" % (model,))
        self.model, self.file_name, self.title, self.what, self.timeout = model, file_name, title, what, timeout
        self.load = functools.lru_cache(maxsize=1)(load)
        self.reference_auc, self.tiers = reference_auc, tiers
        self.probe = "MODEL = %r\nREPEATED = %d\n%s" % (model, REPEATED_WINDOWS, _PROBE)

    # -- the grader's side: inputs for the kernel, labels kept here
    def order(self, order_seed: int) -> np.ndarray:
        """The permutation of the hidden windows for a case's ``order_seed``."""
        return np.random.default_rng(order_seed).permutation(len(self.load()[0]))

    def files(self, groups) -> dict[str, bytes]:
        """``kernel_files``: the hidden windows, in each case's order, without labels."""
        X = self.load()[0]
        files = {}
        for group in groups:
            for case in group.cases:
                buffer = io.BytesIO()
                np.save(buffer, np.ascontiguousarray(X[self.order(case.args[1])]), allow_pickle=False)
                files[case.args[0]] = buffer.getvalue()
        return files

    def labels(self, file_name: str, order_seed: int) -> np.ndarray:
        """The reference side of the check: the labels of the hidden windows in the case's order."""
        return self.load()[1][self.order(order_seed)]

    def groups(self, rng) -> list[Group]:
        n = len(self.load()[0])
        self.reference_auc()  # an out-of-date reference stops the grading run at once, for the instructor
        return [Group(self.title, [Case((self.file_name, int(rng.integers(2**31))),
                                        label="predict_proba(%s, X_hidden) on %d hidden windows (%s, shuffled)"
                                        % (self.model, n, self.what))])]

    # -- the verdict
    @staticmethod
    def _same_again(probabilities, again) -> bool:
        first = np.asarray(probabilities, dtype=float)[:REPEATED_WINDOWS]
        try:
            again = np.asarray(again, dtype=float)
        except (TypeError, ValueError):
            return False
        return again.shape == first.shape and bool(np.allclose(again, first, rtol=REPEAT_RTOL, atol=REPEAT_ATOL))

    def judge(self, case, expected, got):
        """No points, with the reason and the rule, for an exception, probabilities that cannot be
        scored (:func:`~coursekit.auc_tiers.probability_problem`) or that change when the first
        windows are predicted alone; otherwise the tier rule's fraction of the points."""
        reference_auc = self.reference_auc()
        if got.raised:
            return "predict_proba(%s, X_hidden) should return probabilities, but it %s; no points for the hidden " \
                   "AUC. The rule: %s" % (self.model, got.describe(), self.tiers.describe(reference_auc))
        probabilities, again = got.value["p"], got.value["again"]
        if probability_problem(probabilities, len(expected.value)) is None and not self._same_again(probabilities,
                                                                                                    again):
            return ("predict_proba gave other probabilities for the first %d windows when called again on them "
                    "alone; a window's probability must depend on that window only. Usual causes: the model left "
                    "in training mode (dropout, batch-norm batch statistics: call model.eval()) or something "
                    "computed across the batch (a softmax over the windows, the batch's mean and std): no "
                    "points for the hidden AUC" % REPEATED_WINDOWS)
        fraction, message = self.tiers.verdict(expected.value, probabilities, reference_auc)
        return message if fraction <= 0.0 else Partial(fraction, message)

    def check(self, check_id: str) -> Check:
        return Check(check_id, "predict_proba", self.labels, self.groups, probe=self.probe, judge=self.judge,
                     timeout=self.timeout, kernel_files=self.files)
