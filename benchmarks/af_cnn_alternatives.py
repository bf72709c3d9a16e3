"""Benchmark: the capstone's correct alternative set-ups (reference/af_cnn/correct.py SOLUTIONS) on real data.

Each set-up is a build_model and a train_model of the catalogue (or the reference's) and a final
configuration. It is trained exactly as the notebook's locked cells train a student's model (the
public split of source/05_af_cnn/data/af_train.npz, split_by_patient with the notebook's fixed
sizes, one torch thread, TRAINING_BUDGET_S) and scored on the real hidden split. Printed per
set-up: the function checks' fractions (build_model, train_model; 1.0 = full marks), hidden ROC
AUC, the capstone credit it would get under the thresholds in force, epochs, processor seconds.

    python benchmarks/af_cnn_alternatives.py [--seeds 1] [--jobs 1] [--only NAME ...]

Slow (one full training per set-up and seed, about a minute of processor time each): not part of
the test suite, which proves the function checks alone (grader_tests/test_units.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]


def namespace_of(name):
    """The reference solution's functions with the set-up's alternatives executed over them."""
    from reference.af_cnn import correct, solution

    build, train, config = correct.SOLUTIONS[name]
    namespace = {k: v for k, v in vars(solution).items() if not k.startswith("__")}
    for alternative in (build, train):
        if alternative is not None:
            exec(compile(alternative.source, alternative.name, "exec"), namespace)
    return namespace, config


def run(name, seed):
    import numpy as np
    import torch
    from sklearn.metrics import roc_auc_score

    from coursekit.registry import get_check
    from reference.af_cnn import grading

    os.environ["TQDM_DISABLE"] = "1"
    torch.set_num_threads(1)
    namespace, config = namespace_of(name)
    checks = {check: get_check("af_cnn." + check).run_locally(namespace, 7).fraction
              for check in ("build_model", "train_model")}
    X, y, _fs, patient_id = namespace["load_af_data"](grading.PUBLIC_PATH)
    split = namespace["split_by_patient"](X, y, patient_id, **namespace["FINAL_SPLIT"])
    started = time.process_time()
    torch.manual_seed(seed)
    net = namespace["build_model"](X.shape[-1])
    history = namespace["train_model"](net, X[split["train"]], y[split["train"]], X[split["val"]], y[split["val"]],
                                       seed=seed, time_budget_s=namespace["TRAINING_BUDGET_S"], **config)
    cpu = time.process_time() - started
    X_hidden, y_hidden = grading.load_hidden()
    auc = float(roc_auc_score(y_hidden, namespace["predict_proba"](net, X_hidden)))
    try:
        credit = grading.auc_credit(auc, grading.reference_auc())
    except grading.ReferenceOutOfDate:
        credit = float("nan")
    parameters = sum(p.numel() for p in net.parameters() if p.requires_grad)
    return {"name": name, "seed": seed, "checks": checks, "hidden_auc": auc, "credit": credit,
            "epochs": len(history["loss"]), "cpu_s": cpu, "parameters": parameters}


def main(argv=None) -> int:
    from reference.af_cnn import correct

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None, choices=sorted(correct.SOLUTIONS))
    args = parser.parse_args(argv)
    names = args.only or list(correct.SOLUTIONS)
    tasks = [(name, seed) for name in names for seed in range(args.seeds)]
    print("%-36s %4s %-16s %8s %7s %6s %7s %9s" % ("set-up", "seed", "checks b/t", "hidden", "credit", "epochs",
                                                  "CPU s", "params"), flush=True)

    def show(result):
        print("%-36s %4d %-16s %8.4f %6.0f%% %6d %7.1f %9s" % (
            result["name"], result["seed"], "%.2f / %.2f" % (result["checks"]["build_model"],
                                                            result["checks"]["train_model"]),
            result["hidden_auc"], 100 * result["credit"], result["epochs"], result["cpu_s"],
            f"{result['parameters']:,}"), flush=True)

    if args.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.jobs) as pool:
            for result in pool.map(run, *zip(*tasks)):
                show(result)
    else:
        for task in tasks:
            show(run(*task))
    return 0


if __name__ == "__main__":
    sys.exit(main())
