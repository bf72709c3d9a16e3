"""The capstone's student path in JupyterLab: a correct notebook passes Validate through the button.

nbgrader's default (30 s per cell) stopped the training cell, so every correct student got a red
Validate; the released ``nbgrader_config.py`` gives each cell the grader's limit. This test has
no setting of its own: the student's folder is ``release/05_af_cnn/`` as handed out, the
JupyterLab server starts there with a fresh HOME. It is the suite's one expensive browser test
(Validate trains the network once, 1-3 minutes on two cores), alone in its file so that
pytest-xdist runs it beside the others. Restart & Run All before Validate is left out on
purpose: Validate itself re-runs every cell in a fresh kernel, and a second training would
double the cost without testing anything more.
"""

from __future__ import annotations

import pytest

from browser import require_chromium
from student_path import ROOT, run_student_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CAPSTONE = "05_af_cnn"
DATA = ROOT / "release" / CAPSTONE / "data" / "af_train.npz"


def test_student_validates_a_correct_capstone(tmp_path, request):
    require_chromium()
    if not DATA.exists():
        pytest.xfail("release/05_af_cnn/data/af_train.npz is not in the release yet (H1 ships the "
                     "capstone's real ECG data there); the notebook's first data cell cannot run")
    timings = run_student_path(tmp_path, request, CAPSTONE, run_all_timeout_s=600, validate_timeout_s=900,
                               run_all_after_filling=False)
    print("%s: Validate (training included) %.0f s" % (CAPSTONE, timings["validate_s"]))
