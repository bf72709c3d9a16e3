"""The capstone's student path in JupyterLab: Validate through the button, with nbgrader's defaults.

The student's JupyterLab starts in the folder ABOVE ``05_af_cnn/`` (nbgrader's exchange fetches
assignments into ``~/<id>/`` and the server starts in ``~``), with a fresh HOME: no
``nbgrader_config.py`` is read, so Validate stops any cell after nbgrader's default 30 s. Before
the notebook's validate mode that failed every correct student (the training cell ran out of
time, ``model is None``). Now, under Validate, the training cell trains the student's
``train_final_model`` on a stratified slice and says so: a correct notebook passes, and a wrong
``predict_proba`` (no ``model.eval()``) gets a red Validate that names its test and nothing else.

Restart & Run All after filling in is left out on purpose: it trains on all the data (a minute or
two), which Validate does not, and the autograde tests cover that run.
"""

from __future__ import annotations

import pytest

from browser import require_chromium
from student_path import answer_cells, released_notebook, run_student_path, student_answers, wrong_answer_fails_validate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CAPSTONE = "05_af_cnn"


def wrong_predict_proba_names_its_test(page, steps):
    """After the correct Validate: predict_proba without model.eval() (dropout stays on) fails
    test_predict_proba, with its message, and no passing test is listed."""
    notebook = released_notebook(CAPSTONE)
    index = dict((grade_id, i) for i, grade_id in answer_cells(notebook))["predict_proba"]
    correct = student_answers(CAPSTONE, notebook.name)["predict_proba"]
    assert correct.count("    model.eval()\n") == 1
    wrong_answer_fails_validate(
        page, steps, index, correct.replace("    model.eval()\n", ""), "a predict_proba that forgets model.eval()",
        shows=("predict_proba returns one probability per window", "two calls on the same windows differ: model.eval()?"),
        passing=("build_model returns an nn.Module", "standardize gives each window", "Hidden test (10 points)"))


def test_student_validates_a_correct_capstone_with_nbgraders_defaults(tmp_path, request):
    require_chromium()
    timings = run_student_path(tmp_path, request, CAPSTONE, run_all_timeout_s=300, validate_timeout_s=300,
                               run_all_after_filling=False, start_above=True, then=wrong_predict_proba_names_its_test)
    print("%s: Validate (training on a slice) %.0f s" % (CAPSTONE, timings["validate_s"]))
