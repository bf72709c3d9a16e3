"""The data set card (reference/af_cnn/card/CARD.md) and the grader describe one reference model.

The card's CNN row reuses the per-seed runs that ``python -m reference.af_cnn.grading measure``
stored for grading, so the calibration the card claims is the one students are graded against.
"""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from coursekit.ecg import build, card

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "reference" / "af_cnn" / "data" / "af_reference.json"
CARD = ROOT / "reference" / "af_cnn" / "card" / "CARD.md"


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_card_reuses_the_runs_stored_for_grading(in_root):
    """Every stored seed comes back in the card's terms, with the same hidden AUCs."""
    runs, where = card.stored_cnn_runs(build.PUBLIC_PATH, build.HIDDEN_PATH)
    stored = json.loads(STORED.read_text())
    assert where == "reference/af_cnn/data/af_reference.json"
    assert [r["seed"] for r in runs] == [r["seed"] for r in stored["runs"]]
    assert [r["hidden_auc"] for r in runs] == [r["hidden_auc"] for r in stored["runs"]]
    assert {"val_auc", "epochs_run", "wall_s", "cpu_s", "threads"} <= set(runs[0])


def test_committed_card_states_the_stored_reference_and_the_three_aucs(in_root):
    """CARD.md's reference row quotes the median, min and max of af_reference.json (regenerate the card
    if not), and the card has the sim-to-real and RR-baseline rows, with the numbers of measurements.json."""
    aucs = np.array([r["hidden_auc"] for r in json.loads(STORED.read_text())["runs"]])
    text = CARD.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| reference 1D CNN"))
    assert "reference/af_cnn/solution.py" in row and "%d seed(s)" % aucs.size in row and "real public split" in row
    median, low, high = map(float, re.search(r"median ([\d.]+) \(min ([\d.]+), max ([\d.]+)\)", row).groups())
    assert (median, low, high) == (round(float(np.median(aucs)), 4), round(float(aucs.min()), 4),
                                   round(float(aucs.max()), 4))
    measured = json.loads((CARD.parent / "measurements.json").read_text())
    gap = next(line for line in text.splitlines() if "sim-to-real gap" in line)
    gap_median = float(np.median([r["real_hidden_auc"] for r in measured["sim_to_real"]["runs"]]))
    assert "synthetic public split" in gap and "median %.4f" % gap_median in gap
    rr = next(line for line in text.splitlines() if line.startswith("| RR-feature baseline"))
    assert rr.rstrip().endswith("| %.4f |" % measured["rr_baselines"]["logistic_rr"])
    assert (CARD.parent / "strips.png").is_file() and (CARD.parent / "rr_histogram.png").is_file()


def test_stored_runs_measured_on_other_data_are_refused(in_root, tmp_path):
    """A public split that is not the one measured gives a clear error naming the file and the command."""
    other = tmp_path / "af_train.npz"
    shutil.copy(build.HIDDEN_PATH, other)  # a valid split, but not the measured public one
    with pytest.raises(RuntimeError, match=r"af_reference\.json was measured on another .*reference\.af_cnn\.grading measure"):
        card.stored_cnn_runs(other, build.HIDDEN_PATH)
