"""The data set card (reference/af_data/CARD.md) and the grader describe one reference model.

The card's CNN row reuses the per-seed runs that ``python -m reference.af_grading measure``
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
STORED = ROOT / "reference" / "data" / "af_reference.json"
CARD = ROOT / "reference" / "af_data" / "CARD.md"


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_card_reuses_the_runs_stored_for_grading(in_root):
    """Every stored seed comes back in the card's terms, with the same hidden AUCs."""
    runs, where = card.stored_cnn_runs(build.PUBLIC_PATH, build.HIDDEN_PATH)
    stored = json.loads(STORED.read_text())
    assert where == "reference/data/af_reference.json"
    assert [r["seed"] for r in runs] == [r["seed"] for r in stored["runs"]]
    assert [r["hidden_auc"] for r in runs] == [r["hidden_auc"] for r in stored["runs"]]
    assert {"val_auc", "epochs_run", "wall_s", "cpu_s", "threads"} <= set(runs[0])


def test_committed_card_states_the_stored_reference(in_root):
    """CARD.md's CNN row quotes the median, min and max of af_reference.json (regenerate the card if not)."""
    aucs = np.array([r["hidden_auc"] for r in json.loads(STORED.read_text())["runs"]])
    row = next(line for line in CARD.read_text().splitlines() if line.startswith("| reference 1D CNN"))
    assert "af_solution.py" in row and "%d seed(s)" % aucs.size in row
    median, low, high = map(float, re.search(r"median ([\d.]+) \(min ([\d.]+), max ([\d.]+)\)", row).groups())
    assert (median, low, high) == (round(float(np.median(aucs)), 4), round(float(aucs.min()), 4),
                                   round(float(aucs.max()), 4))
    assert row.rstrip().endswith("| met |")


def test_stored_runs_measured_on_other_data_are_refused(in_root, tmp_path):
    """A public split that is not the one measured gives a clear error naming the file and the command."""
    other = tmp_path / "af_train.npz"
    shutil.copy(build.HIDDEN_PATH, other)  # a valid split, but not the measured public one
    with pytest.raises(RuntimeError, match=r"af_reference\.json was measured on another .*reference\.af_grading measure"):
        card.stored_cnn_runs(other, build.HIDDEN_PATH)
