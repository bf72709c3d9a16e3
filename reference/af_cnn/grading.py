"""Capstone grading of ``05_af_cnn``: the hidden-AUC thresholds, the verdict, the reference AUC.

THE ONE PLACE TO CHANGE THE CAPSTONE THRESHOLDS is the block of constants just below.
``docs/af-capstone.md`` explains them; the notebook quotes them to students and the hidden
check's message repeats them with the numbers of the grading run.

How a submission's hidden AUC becomes points (:func:`auc_credit`; the rule is
``coursekit.auc_tiers``, shared with ``06_sequences``, with the capstone's margin and floor)::

    full  = reference_auc - FULL_CREDIT_MARGIN
    auc >= full                  -> all points
    FLOOR_AUC <= auc < full      -> points * (auc - FLOOR_AUC) / (full - FLOOR_AUC)   (linear)
    auc < FLOOR_AUC              -> no points

``reference_auc`` is a stored number, not recomputed at grading time: training the reference
costs about a minute of processor time per run and its result varies by ~0.01 between training
seeds, so it is measured once, as the median over several seeds, by

    python -m reference.af_cnn.grading measure --seeds 20 --jobs 2

which trains the reference solution (``reference/af_cnn/solution.py``, the notebook's own final
configuration) on the public split and writes ``reference/af_cnn/data/af_reference.json`` (committed)
with every seed's AUC and the checksums of the two data files. Grading refuses to run with a
stored AUC that was measured on other data (a rebuilt or changed split): re-measure first.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from coursekit.auc_tiers import AucTiers, probability_problem  # noqa: F401 - probability_problem: for checks.py

# ============================================================================ thresholds
#: Full points at a hidden AUC of at least (reference AUC - FULL_CREDIT_MARGIN). On the real hidden
#: split (1,240 windows, 593 patients) the reference's seed-to-seed spread is about 0.005 and one
#: run's standard error about 0.003 (Hanley & McNeil 1982 at AUC 0.98): 0.02 is several times both,
#: so every reference seed earns full points, while a network trained for a few epochs (about
#: 0.95) does not (docs/af-capstone.md gives the measured distribution).
FULL_CREDIT_MARGIN = 0.02
#: No points below this hidden AUC: the best single RR-irregularity feature, with no learning at
#: all, reaches 0.89 on the real hidden split (data card), so a CNN below 0.90 has not learnt more
#: than a ruler on the RR intervals gives.
FLOOR_AUC = 0.90
#: Set to a number to override the measured reference AUC (e.g. for a different data set before
#: re-measuring); None uses reference/af_cnn/data/af_reference.json.
REFERENCE_AUC_OVERRIDE = None
# ============================================================================

UNIT_DIR = Path(__file__).resolve().parent
ROOT = UNIT_DIR.parents[1]
HIDDEN_PATH = UNIT_DIR / "data" / "af_hidden.npz"
PUBLIC_PATH = ROOT / "source" / "05_af_cnn" / "data" / "af_train.npz"
REFERENCE_PATH = UNIT_DIR / "data" / "af_reference.json"


class ReferenceOutOfDate(RuntimeError):
    """The stored reference AUC was measured on other data files: run ``measure`` again."""


# --------------------------------------------------------------------------- verdict
# The tier rule itself is coursekit.auc_tiers (06_sequences uses it too); these names keep the
# capstone's margin and floor.

TIERS = AucTiers(FULL_CREDIT_MARGIN, FLOOR_AUC)
thresholds = TIERS.thresholds
auc_credit = TIERS.credit
describe_thresholds = TIERS.describe
hidden_auc_verdict = TIERS.verdict


# --------------------------------------------------------------------------- the stored reference

def _content_sha256(path: Path) -> str:
    from coursekit.ecg import dataset

    return dataset.content_sha256(path)


def stored_reference(path: Path = REFERENCE_PATH, hidden_path: Path = HIDDEN_PATH,
                     public_path: Path | None = None) -> dict:
    """The measurement ``measure`` stored, after checking it was made on these data files.

    ``public_path``, when given, is checked too (the data card reuses the per-seed runs).
    Raises ReferenceOutOfDate, naming the file and the command that fixes it.
    """
    if not path.is_file():
        raise ReferenceOutOfDate("%s is missing: run `python -m reference.af_cnn.grading measure`" % path)
    stored = json.loads(path.read_text())
    checked = [("hidden", "hidden_content_sha256", hidden_path)]
    if public_path is not None:
        checked.append(("public", "public_content_sha256", public_path))
    for split, key, data_path in checked:
        actual = _content_sha256(data_path)
        if stored.get(key) != actual:
            raise ReferenceOutOfDate("%s was measured on another %s split (sha256 %s, now %s): rebuild the data "
                                     "with `coursekit data build --check` or re-measure with `python -m "
                                     "reference.af_cnn.grading measure`" % (path, split, str(stored.get(key))[:12],
                                                                        actual[:12]))
    return stored


def reference_auc(path: Path = REFERENCE_PATH, hidden_path: Path = HIDDEN_PATH) -> float:
    """The stored reference AUC, after checking it was measured on this hidden split."""
    if REFERENCE_AUC_OVERRIDE is not None:
        return float(REFERENCE_AUC_OVERRIDE)
    return float(stored_reference(path, hidden_path)["reference_auc"])


def load_hidden(path: Path = HIDDEN_PATH):
    """(X float32 (n, L) mV, y int64 (n,)) of the grader-only hidden split."""
    from coursekit.ecg import dataset

    X, y, _fs, _patients = dataset.load_split(path)
    return X, y


def train_reference_once(seed: int, public_path: Path = PUBLIC_PATH, hidden_path: Path = HIDDEN_PATH,
                         threads: int = 1) -> dict:
    """Train the reference solution exactly as the notebook does (its split, its configuration,
    ``threads`` torch threads) and score it on the hidden split."""
    import os

    import torch
    from sklearn.metrics import roc_auc_score

    from reference.af_cnn import solution

    os.environ["TQDM_DISABLE"] = "1"  # the notebook's progress bar, 24 times per seed, says nothing here
    torch.set_num_threads(threads)
    X, y, _fs, patient_id = solution.load_af_data(public_path)
    split = solution.split_by_patient(X, y, patient_id, **solution.FINAL_SPLIT)
    X_hidden, y_hidden = load_hidden(hidden_path)
    started_cpu, started = time.process_time(), time.perf_counter()
    model, history = solution.train_final_model(X[split["train"]], y[split["train"]], X[split["val"]],
                                                y[split["val"]], seed=seed)
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    hidden = float(roc_auc_score(y_hidden, solution.predict_proba(model, X_hidden)))
    test = float(roc_auc_score(y[split["test"]], solution.predict_proba(model, X[split["test"]])))
    return {"seed": seed, "hidden_auc": round(hidden, 6), "test_auc": round(test, 6),
            "best_val_auc": round(history["best_val_auc"], 6), "epochs_run": len(history["loss"]),
            "best_epoch": history["best_epoch"], "train_cpu_s": round(cpu, 1), "train_wall_s": round(wall, 1)}


def _partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def measure(seeds: int = 20, jobs: int = 1, out: Path = REFERENCE_PATH, log=print, stored_only=False) -> dict:
    """Train the reference with ``seeds`` training seeds, store the median hidden AUC and every run.

    Each finished run is also appended to ``<out>.partial.jsonl`` (with the data hashes), and runs
    already there for the same data are reused: a measurement stopped half-way (a shared machine
    can make it take an hour) resumes where it stopped.
    """
    import os

    started = time.perf_counter()
    load = os.getloadavg()[0]
    hashes = {"hidden_content_sha256": _content_sha256(HIDDEN_PATH),
              "public_content_sha256": _content_sha256(PUBLIC_PATH)}
    partial = _partial_path(out)
    done = {}
    if partial.is_file():
        for line in partial.read_text().splitlines():
            entry = json.loads(line)
            if all(entry.get(key) == value for key, value in hashes.items()) and entry["run"]["seed"] < seeds:
                done[entry["run"]["seed"]] = entry["run"]
        if done:
            log("reusing %d run(s) of %s measured on these data" % (len(done), partial))
    todo = [] if stored_only else [seed for seed in range(seeds) if seed not in done]

    def keep(run):
        done[run["seed"]] = run
        with open(partial, "a") as handle:
            handle.write(json.dumps(dict(hashes, run=run)) + "\n")
        log("seed %(seed)2d: hidden AUC %(hidden_auc).4f  test AUC %(test_auc).4f  val %(best_val_auc).4f  "
            "%(epochs_run)2d epochs  %(train_cpu_s)5.1f s processor time (%(train_wall_s).0f s wall)" % run)

    if jobs > 1 and todo:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(jobs) as pool:
            for future in as_completed([pool.submit(train_reference_once, seed) for seed in todo]):
                keep(future.result())
    else:
        for seed in todo:
            keep(train_reference_once(seed))
    runs = [done[seed] for seed in range(seeds) if seed in done]
    if not runs:
        raise SystemExit("no runs to store: %s has none for these data" % partial)
    aucs = np.array([run["hidden_auc"] for run in runs])
    from reference.af_cnn import solution

    result = {
        "reference_auc": round(float(np.median(aucs)), 4),
        "how": "median hidden ROC AUC of reference/af_cnn/solution.py trained like the notebook "
               "(train_final_model on split_by_patient(**FINAL_SPLIT) of the public split), one torch thread",
        "final_config": solution.FINAL_CONFIG, "final_split": solution.FINAL_SPLIT,
        "training_budget_s": solution.TRAINING_BUDGET_S,
        "hidden_auc": {"min": float(aucs.min()), "median": float(np.median(aucs)), "max": float(aucs.max()),
                       "std": round(float(aucs.std()), 4)},
        "runs": runs,
        **hashes,
        "measured": {"seconds": round(time.perf_counter() - started), "jobs": jobs,
                     "load_average_at_start": round(load, 1)},
    }
    full = result["reference_auc"] - FULL_CREDIT_MARGIN
    passed = int(np.sum(aucs >= full))
    result["seeds_at_full_credit"] = "%d of %d" % (passed, len(aucs))
    log("reference AUC (median) %.4f; min %.4f, max %.4f; %d of %d seeds reach full credit (>= %.4f)"
        % (result["reference_auc"], aucs.min(), aucs.max(), passed, len(aucs), full))
    out.write_text(json.dumps(result, indent=2) + "\n")
    partial.unlink(missing_ok=True)
    log("wrote %s" % out)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.af_cnn.grading",
                                     description="Measure the capstone's reference hidden AUC.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("measure", help="train the reference with several seeds; write af_reference.json")
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--jobs", type=int, default=1, help="seeds trained at once (one torch thread each)")
    p.add_argument("--out", type=Path, default=REFERENCE_PATH)
    p.add_argument("--stored-only", action="store_true",
                   help="train nothing: store the runs a stopped measurement left in OUT.partial.jsonl")
    sub.add_parser("show", help="print the stored reference AUC and the thresholds it gives")
    args = parser.parse_args(argv)
    if args.command == "measure":
        measure(args.seeds, args.jobs, args.out, stored_only=args.stored_only)
    else:
        auc = reference_auc()
        print("reference AUC %.4f: %s" % (auc, describe_thresholds(auc)))
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
