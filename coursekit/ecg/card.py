"""The data set card of the AF splits: counts, difficulty calibration and figures, all measured.

``make_card`` writes ``reference/af_data/CARD.md`` and its PNG figures. Every number in it is
measured on the built files (rebuilt first if missing), never typed in:

- counts, class balance and patients per split, hard-case and label-noise counts (from the
  generator's own record of each simulated patient);
- ROC AUC on the hidden split of (a) the capstone's reference solution (``reference.af_solution``,
  the notebook's solution cells) trained on the public split as the notebook trains it, for one or
  more training seeds; (b) logistic regression on the raw samples;
  (c) each RR-irregularity feature of ``coursekit.ecg.features`` and the heart rate alone;
- figures: example strips, RR-interval histograms, heart-rate distributions.

The calibration targets (``TARGETS``) are checked and reported as met or not, with numbers.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from . import build, dataset, features

CARD_DIR = Path("reference/af_data")
#: (low, high) inclusive bounds of each calibrated hidden-split ROC AUC.
TARGETS = {
    "cnn": (0.95, 0.99),
    "logistic_raw": (0.0, 0.75),
    "best_rr_feature": (0.80, 0.93),
}


def _course_root_on_path():
    """Make ``reference`` (the grader-only package at the course root, the current directory) importable.

    ``python -m coursekit.cli`` puts the current directory on sys.path; the installed ``coursekit``
    script does not. Worker processes inherit the parent's sys.path.
    """
    import sys

    root = str(Path.cwd())
    if root not in sys.path:
        sys.path.insert(0, root)


def _auc(y, score):
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def _cnn_run(seed, public_path, hidden_path):
    """Train the capstone's reference solution once and score it on the hidden split.

    The reference is the notebook's own solution (``reference/af_solution.py``) trained exactly as
    the notebook and the grader's stored reference AUC do (``reference.af_grading.train_reference_once``:
    the notebook's patient split, its final configuration, one torch thread), so the card, the
    grading thresholds and the students' notebook all describe the same model. A top-level
    function, so worker processes can run it.
    """
    _course_root_on_path()
    from reference import af_grading

    return _card_run(af_grading.train_reference_once(int(seed), Path(public_path), Path(hidden_path)))


def _card_run(run: dict) -> dict:
    """One run of ``af_grading.train_reference_once`` (or its stored copy) in the card's terms."""
    return {"seed": int(run["seed"]), "hidden_auc": run["hidden_auc"], "best_epoch": run["best_epoch"],
            "epochs_run": run["epochs_run"], "val_auc": run["best_val_auc"], "wall_s": run["train_wall_s"],
            "cpu_s": run["train_cpu_s"], "threads": 1}


def stored_cnn_runs(public_path, hidden_path) -> tuple[list[dict], str]:
    """The reference's per-seed runs stored by ``python -m reference.af_grading measure``, and their file.

    Grading and the card describe one measurement: the card reuses it instead of training the
    same seeds again (about 23 minutes for 20 seeds on two cores). Refuses, naming the file and
    the command, when it was measured on other data.
    """
    _course_root_on_path()
    from reference import af_grading

    try:
        stored = af_grading.stored_reference(hidden_path=Path(hidden_path), public_path=Path(public_path))
    except af_grading.ReferenceOutOfDate as error:
        raise RuntimeError(f"{error}, or train here with `coursekit data card --seeds K`") from error
    return [_card_run(run) for run in stored["runs"]], os.path.relpath(af_grading.REFERENCE_PATH)


def measure(public, hidden, cnn_seeds=(), jobs=1, log=print, public_path=build.PUBLIC_PATH,
            hidden_path=build.HIDDEN_PATH) -> dict:
    """All hidden-split AUCs. ``public``/``hidden`` are (X, y, fs, patient_id) as ``load_split`` returns
    them from ``public_path``/``hidden_path`` (the CNN is trained from the files, like the notebook).

    ``cnn_seeds`` empty: the reference CNN's runs stored for grading are reused (``stored_cnn_runs``).
    ``jobs`` > 1 trains that many seeds at once in worker processes (one torch thread each, as
    always); a seed's result does not depend on which worker runs it.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_pub, y_pub, fs, p_pub = public
    X_hid, y_hid, _, _ = hidden
    result = {"cnn": [], "cnn_source": "trained by `coursekit data card`"}

    def report(run):
        result["cnn"].append(run)
        log(f"CNN seed {run['seed']}: hidden AUC {run['hidden_auc']:.4f} (val {run['val_auc']:.4f}, "
            f"{run['epochs_run']} epochs, {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU, "
            f"{run['threads']} thread(s))")

    if not cnn_seeds:
        runs, where = stored_cnn_runs(public_path, hidden_path)
        result["cnn_source"] = f"stored by `python -m reference.af_grading measure` in `{where}`"
        for run in runs:
            report(run)
    elif jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")  # no forked torch thread pools
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(_cnn_run, seed, public_path, hidden_path) for seed in cnn_seeds]
            for future in futures:
                report(future.result())
    else:
        for seed in cnn_seeds:
            report(_cnn_run(seed, public_path, hidden_path))
    started = time.perf_counter()
    logistic = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000))
    logistic.fit(X_pub, y_pub)
    result["logistic_raw"] = _auc(y_hid, logistic.predict_proba(X_hid)[:, 1])
    log(f"logistic regression on raw samples: {result['logistic_raw']:.4f} ({time.perf_counter() - started:.1f} s)")
    table = features.feature_table(X_hid, fs)
    result["features"] = {}
    for name, values in table.items():
        filled = np.where(np.isfinite(values), values, np.nanmedian(values))
        result["features"][name] = _auc(y_hid, filled)
    result["feature_nan_fraction"] = float(np.mean(~np.isfinite(table["nrmssd"])))
    best = max(features.FEATURE_NAMES, key=lambda name: result["features"][name])
    result["best_rr_feature"] = {"name": best, "auc": result["features"][best]}
    log(f"RR features: {json.dumps({k: round(v, 4) for k, v in result['features'].items()})}")
    result["hidden_table"] = table
    return result


def _figures(out_dir, hidden, sim_hidden, table):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y, fs, patient_id = hidden
    truth = sim_hidden.true_label
    seconds = np.arange(X.shape[1]) / fs
    # Example strips: plain cases, so the textbook features are visible; 4 s of each window.
    plain = np.array([c == "" for c in sim_hidden.cases])
    picks = [np.flatnonzero(plain & (truth == label) & (y == label))[k] for label in (0, 1) for k in (0, 7)]
    fig, axes = plt.subplots(2, 2, figsize=(14, 6), sharex=True)
    for ax, index in zip(axes.T.ravel(), picks):
        ax.plot(seconds, X[index], lw=0.8, color="black")
        ax.set_xlim(0, 4)
        ax.set_xticks(np.arange(0, 4.01, 0.2), minor=True)
        ax.grid(True, which="major", color="tab:red", alpha=0.35)
        ax.grid(True, which="minor", color="tab:red", alpha=0.12)
        ax.set_ylabel("mV")
        kind = "normal sinus rhythm" if y[index] == 0 else "atrial fibrillation"
        ax.set_title(f"{kind}: {patient_id[index]}, {sim_hidden.heart_rate_bpm[index]:.0f} bpm", fontsize=10)
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    fig.suptitle("Hidden split, example windows (first 4 s of 10 s)")
    fig.tight_layout()
    fig.savefig(out_dir / "strips.png", dpi=80)
    plt.close(fig)

    rr = {0: [], 1: []}
    for x, label in zip(X, y):
        rr[int(label)].append(np.diff(features.detect_r_peaks(x, fs)) / fs)
    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.linspace(0.2, 2.0, 73)
    for label, colour in ((0, "tab:blue"), (1, "tab:red")):
        values = np.concatenate(rr[label])
        ax.hist(values, bins=bins, density=True, alpha=0.55, color=colour,
                label=f"{'normal' if label == 0 else 'AF'} ({values.size} intervals)")
    ax.set_xlabel("RR interval (s), detected R peaks")
    ax.set_ylabel("density")
    ax.set_title("Hidden split: RR intervals per class")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "rr_histogram.png", dpi=80)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.arange(30, 200, 5)
    for label, colour in ((0, "tab:blue"), (1, "tab:red")):
        values = table["heart_rate"][(y == label) & np.isfinite(table["heart_rate"])]
        ax.hist(values, bins=bins, alpha=0.55, color=colour, label="normal" if label == 0 else "AF")
    ax.set_xlabel("mean heart rate of a window (bpm), detected R peaks")
    ax.set_ylabel("windows")
    ax.set_title("Hidden split: heart rate per class")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "heart_rate.png", dpi=80)
    plt.close(fig)


def _check(name, value):
    low, high = TARGETS[name]
    return "met" if low <= value <= high else f"**NOT met** (target {low}-{high})"


def make_card(seed=build.DEFAULT_SEED, cnn_seeds=(), out_dir=CARD_DIR, public_path=build.PUBLIC_PATH,
              hidden_path=build.HIDDEN_PATH, jobs=1, log=print) -> dict:
    """Measure everything and write ``out_dir/CARD.md`` and its figures; return the measurements."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not (Path(public_path).is_file() and Path(hidden_path).is_file()):
        log("splits missing: building them first")
        build.build_splits(seed, public_path, hidden_path, log=log)
    public, hidden = dataset.load_split(public_path), dataset.load_split(hidden_path)
    sim = {name: build.simulate(name, seed) for name in ("public", "hidden")}
    for name, split in (("public", public), ("hidden", hidden)):
        if not np.array_equal(split[1], sim[name].y):
            raise RuntimeError(f"{name} split on disk was not built with seed {seed}; rebuild it first")
    m = measure(public, hidden, cnn_seeds, jobs=jobs, log=log, public_path=public_path, hidden_path=hidden_path)
    _figures(out_dir, hidden, sim["hidden"], m["hidden_table"])
    cnn_aucs = np.array([run["hidden_auc"] for run in m["cnn"]])
    cnn_walls = np.array([run["wall_s"] for run in m["cnn"]])
    table = m.pop("hidden_table")

    def describe(name, split, simulated):
        X, y, fs, patient_id = split
        patients = np.unique(patient_id)
        per_patient = np.unique(patient_id, return_counts=True)[1]
        flipped = int(np.sum(simulated.true_label != simulated.y))
        return (f"| {name} | `{Path(public_path if name == 'public' else hidden_path)}` | {y.size} | "
                f"{int(np.sum(y == 0))} / {int(np.sum(y == 1))} ({100 * y.mean():.1f} % AF) | {patients.size} | "
                f"{per_patient.min()}-{per_patient.max()} | {flipped} ({100 * flipped / y.size:.1f} %) |")

    hidden_y = hidden[1]
    cases = sim["hidden"].cases
    truth = sim["hidden"].true_label
    case_rows = []
    for case in ("sinus_arrhythmia", "frequent_ectopy", "occasional_ectopy", "tiny_p_waves",
                 "regular_af", "weak_f_waves", "noisy", "tremor"):
        has = np.array([case in c.split("+") for c in cases])
        case_rows.append(f"| {case} | {int(np.sum(has & (truth == 0)))} | {int(np.sum(has & (truth == 1)))} |")
    heart_rate = table["heart_rate"]
    hr_rows = []
    for label, name in ((0, "normal"), (1, "AF")):
        values = heart_rate[(hidden_y == label) & np.isfinite(heart_rate)]
        p = np.percentile(values, [1, 5, 50, 95, 99])
        hr_rows.append(f"| {name} | " + " | ".join(f"{v:.0f}" for v in p) + " |")
    best = m["best_rr_feature"]
    lines = [
        "# AF capstone data set card",
        "",
        "Generated by `coursekit data card`; every number below is measured, not typed. "
        "Grader-only: this folder is never released.",
        "",
        f"Synthetic single-lead ECG, {public[2]:.0f} Hz, {public[0].shape[1] / public[2]:.0f} s windows, "
        f"generator seed {seed} (`coursekit/ecg/synth.py` cites the published models it implements). "
        "Labels: 0 = normal sinus rhythm, 1 = atrial fibrillation. Splits are by patient: "
        f"{len(set(public[3]) & set(hidden[3]))} patients are in both.",
        "",
        "## Splits",
        "",
        "| split | file | windows | normal / AF | patients | windows per patient | labels flipped (label noise) |",
        "|---|---|---|---|---|---|---|",
        describe("public", public, sim["public"]),
        describe("hidden", hidden, sim["hidden"]),
        "",
        "Hard cases in the hidden split (windows; a window can be in several rows):",
        "",
        "| case | normal | AF |",
        "|---|---|---|",
        *case_rows,
        "",
        "## Difficulty calibration (ROC AUC on the hidden split)",
        "",
        "| model | target | measured | |",
        "|---|---|---|---|",
        f"| reference 1D CNN (`reference/af_solution.py`, the notebook's solution), trained on the public split "
        f"as the notebook trains it, {len(cnn_aucs)} seed(s) | "
        f"0.95-0.99 | median {np.median(cnn_aucs):.4f} (min {cnn_aucs.min():.4f}, max {cnn_aucs.max():.4f}) | "
        f"{_check('cnn', float(cnn_aucs.min())) if _check('cnn', float(cnn_aucs.max())) == 'met' else _check('cnn', float(cnn_aucs.max()))} |",
        f"| logistic regression on the raw samples (standardised, C = 0.01) | <= 0.75 | {m['logistic_raw']:.4f} | "
        f"{_check('logistic_raw', m['logistic_raw'])} |",
        f"| best single RR-irregularity feature (`{best['name']}`) | 0.80-0.93 | {best['auc']:.4f} | "
        f"{_check('best_rr_feature', best['auc'])} |",
        "",
        "RR features from the simple R-peak detector of `coursekit/ecg/features.py` "
        f"(windows with fewer than 4 beats found: {100 * m['feature_nan_fraction']:.1f} %, scored at the median):",
        "",
        "| feature | hidden AUC |",
        "|---|---|",
        *[f"| {name} | {auc:.4f} |" for name, auc in m["features"].items()],
        "",
        "Reference CNN per training seed (the notebook's patient split and final configuration, one torch "
        f"thread; only the seed changes), {m['cnn_source']}:",
        "",
        "| seed | hidden AUC | best val AUC | epochs run | wall s | CPU s | torch threads |",
        "|---|---|---|---|---|---|---|",
        *[f"| {r['seed']} | {r['hidden_auc']:.4f} | {r['val_auc']:.4f} | {r['epochs_run']} | {r['wall_s']:.1f} | "
          f"{r['cpu_s']:.1f} | {r['threads']} |" for r in m["cnn"]],
        "",
        f"Spread over seeds: max - min = {cnn_aucs.max() - cnn_aucs.min():.4f}, std = {cnn_aucs.std():.4f}; "
        f"training wall time median {np.median(cnn_walls):.1f} s (max {cnn_walls.max():.1f} s) on this machine "
        "(wall time depends on the machine's load; CPU time is the steadier number).",
        "",
        "## Physiology check (hidden split, detected R peaks)",
        "",
        "Heart rate percentiles (bpm):",
        "",
        "| class | 1 % | 5 % | 50 % | 95 % | 99 % |",
        "|---|---|---|---|---|---|",
        *hr_rows,
        "",
        "![Example strips](strips.png)",
        "",
        "![RR intervals](rr_histogram.png)",
        "",
        "![Heart rate](heart_rate.png)",
        "",
    ]
    (out_dir / "CARD.md").write_text("\n".join(lines))
    (out_dir / "measurements.json").write_text(json.dumps(m, indent=2, sort_keys=True) + "\n")
    log(f"wrote {out_dir / 'CARD.md'}")
    return m
