"""Hidden-AUC grading of ``06_sequences``: thresholds, the verdict, the stored reference AUC.

THE ONE PLACE TO CHANGE THE THRESHOLDS is the block of constants below (the notebook states the
rule in words: full points within ``FULL_CREDIT_MARGIN`` of the reference, nothing below the floor).

    full = reference_auc - FULL_CREDIT_MARGIN
    auc >= full -> all points;  FLOOR_AUC <= auc < full -> linear;  auc < FLOOR_AUC -> none

The reference AUC is measured once and stored (``reference/sequences/data/reference_auc.json``) by

    python -m reference.sequences.grading measure --seeds 20

which trains the notebook's final configuration (:func:`train_final_model`) on the public subjects
with training seeds 0..n-1 and scores each model on the hidden subjects; the stored figure is the
median. Grading refuses to start if the data files changed since (their SHA-256 is stored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from coursekit.auc_tiers import AucTiers, probability_problem  # noqa: F401 - probability_problem: for checks.py

# ============================================================================ thresholds
#: Full points at a hidden AUC >= reference AUC - FULL_CREDIT_MARGIN: about three standard errors
#: of an AUC near 0.95 on ~1,500 windows of ~500 subjects (Hanley & McNeil 1982), and about twice
#: the spread of the reference between training seeds (reference_auc.json).
FULL_CREDIT_MARGIN = 0.03
#: No points below: the best single feature (the window's median successive difference relative to its
#: median interval) reaches 0.871 on the hidden subjects, nRMSSD 0.813 (CARD.md): a network below 0.87
#: has learnt no more than one hand-made feature.
FLOOR_AUC = 0.87
#: A number here replaces the measured reference AUC.
REFERENCE_AUC_OVERRIDE = None
# ============================================================================

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PATH = ROOT / "source" / "06_sequences" / "data" / "rr_public.csv"
HIDDEN_PATH = ROOT / "reference" / "sequences" / "data" / "rr_hidden.csv"
REFERENCE_PATH = ROOT / "reference" / "sequences" / "data" / "reference_auc.json"
#: The final configuration of the notebook's locked training cell (a test compares them).
FINAL_CONFIG = dict(epochs=25, lr=3e-3, batch_size=64)


class ReferenceOutOfDate(RuntimeError):
    """The stored reference AUC was measured on other data: run ``measure`` again."""


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def windows_of(subjects, solution) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(windows (n, WINDOW) float64 seconds, labels (n,), subject index (n,)) of a subject list."""
    X, y, owner = [], [], []
    for index, subject in enumerate(subjects):
        w = solution.sliding_windows(solution.rr_intervals(subject["beats"], subject["fs"]),
                                     solution.WINDOW, solution.STEP)
        X.append(w)
        y += [subject["label"]] * len(w)
        owner += [index] * len(w)
    return np.concatenate(X), np.asarray(y), np.asarray(owner)


def load_hidden(path: Path = HIDDEN_PATH):
    from reference.sequences import solution

    X, y, _ = windows_of(solution.load_subjects(path), solution)
    return X, y


# The tier rule is coursekit.auc_tiers (the capstone's too), with this unit's margin and floor.
TIERS = AucTiers(FULL_CREDIT_MARGIN, FLOOR_AUC, scored_on="windows of subjects you never saw")
thresholds = TIERS.thresholds
auc_credit = TIERS.credit
describe_thresholds = TIERS.describe
hidden_auc_verdict = TIERS.verdict


def check_stored(path: Path, data_files: dict[str, Path], command: str) -> dict:
    """The stored measurement at ``path``, refused (ReferenceOutOfDate) if a data file changed since.

    ``data_files``: {key in the stored JSON: file whose SHA-256 it holds}; ``command``: what re-measures.
    """
    data = json.loads(Path(path).read_text())
    for key, file in data_files.items():
        if data.get(key) != sha256(file):
            raise ReferenceOutOfDate("%s changed since the reference AUC was measured: run `%s`" % (file.name, command))
    return data


def stored_reference(path: Path = REFERENCE_PATH) -> dict:
    return check_stored(path, {"public_sha256": PUBLIC_PATH, "hidden_sha256": HIDDEN_PATH},
                        "python -m reference.sequences.grading measure")


def reference_auc() -> float:
    if REFERENCE_AUC_OVERRIDE is not None:
        return float(REFERENCE_AUC_OVERRIDE)
    return float(stored_reference()["reference_auc"])


def train_final_model(seed: int):
    """The notebook's final training, exactly: build_rnn on every public window, FINAL_CONFIG."""
    import torch
    from reference.sequences import solution

    X, y, _ = windows_of(solution.load_subjects(PUBLIC_PATH), solution)
    torch.manual_seed(seed)
    model = solution.build_rnn(solution.WINDOW)
    solution.train_model(model, X, y, seed=seed, **FINAL_CONFIG)
    return model


def measure_runs(seeds: int, hidden_auc, label: str = "hidden AUC") -> dict:
    """Train and score the reference once per seed 0..seeds-1: ``hidden_auc(seed) -> float``.

    Returns the median ("reference_auc"), min, max and every run with its processor and wall time.
    """
    runs = []
    for seed in range(seeds):
        started, cpu = time.time(), time.process_time()
        auc = float(hidden_auc(seed))
        runs.append({"seed": seed, "hidden_auc": round(auc, 5), "cpu_s": round(time.process_time() - cpu, 1),
                     "wall_s": round(time.time() - started, 1)})
        print("seed %d: %s %.4f (%.1f s cpu)" % (seed, label, auc, runs[-1]["cpu_s"]), flush=True)
    aucs = [r["hidden_auc"] for r in runs]
    return {"reference_auc": round(statistics.median(aucs), 5), "min": min(aucs), "max": max(aucs),
            "seeds": seeds, "runs": runs}


def measure(seeds: int) -> dict:
    from sklearn.metrics import roc_auc_score
    from reference.sequences import solution

    X_hidden, y_hidden = load_hidden()
    result = measure_runs(seeds, lambda seed: roc_auc_score(
        y_hidden, solution.predict_proba(train_final_model(seed), X_hidden)))
    return {**result, "config": FINAL_CONFIG, "model": "build_rnn(WINDOW) (GRU, hidden 32)",
            "hidden_windows": int(len(y_hidden)), "public_sha256": sha256(PUBLIC_PATH),
            "hidden_sha256": sha256(HIDDEN_PATH)}


def command_line(argv, module: str, measure, path: Path, reference, describe, default_seeds: int,
                 what: str = "reference AUC") -> int:
    """``python -m <module> show|measure [--seeds N]``: print the thresholds in force, after
    re-measuring the reference over N training seeds and storing it at ``path`` for ``measure``."""
    parser = argparse.ArgumentParser(prog="python -m " + module)
    parser.add_argument("command", choices=("show", "measure"))
    parser.add_argument("--seeds", type=int, default=default_seeds)
    args = parser.parse_args(argv)
    if args.command == "measure":
        path.write_text(json.dumps(measure(args.seeds), indent=1) + "\n")
    value = reference()
    print("%s %.4f; %s" % (what, value, describe(value)))
    return 0


def main(argv=None) -> int:
    return command_line(argv, "reference.sequences.grading", measure, REFERENCE_PATH, reference_auc,
                        describe_thresholds, default_seeds=20)


if __name__ == "__main__":
    sys.exit(main())
