"""05_af_cnn: atrial fibrillation vs normal rhythm from one-lead ECG with a 1D CNN (the capstone).

The manifest of this unit (see ``docs/units.md``). ``solution.py`` is the reference (the notebook's
solution cells verbatim), ``checks.py`` the hidden checks, ``wrong.py`` / ``correct.py`` the
catalogues, ``grading.py`` the hidden-AUC thresholds and the stored reference measurement
(``python -m reference.af_cnn.grading show``), ``data/`` the grader-only hidden split, what
``coursekit data build`` wrote and the stored reference runs, ``card/`` the data card
(``coursekit data card``). The capstone has its own end-to-end test
(``grader_tests/test_af_cnn_notebook.py``: one autograde shared by its submissions).
"""

from coursekit.manifest import Unit, unit_modules

UNIT = Unit(
    topic="af_cnn",
    assignment="05_af_cnn",
    notebook="af_cnn.ipynb",
    points={
        "test_load_af_data": 2,
        "test_standardize": 2,
        "test_split_by_patient": 3,
        "test_build_model": 3,
        "test_predict_proba": 3,
        "test_train_model": 3,
        "test_hidden_auc": 10,
    },
    manual={"design_choices": 5, "results_and_limits": 5},
    # The hidden-AUC thresholds are stated in words only (grading.py holds the numbers).
    constants={"TRAINING_BUDGET_S": (90, "`TRAINING_BUDGET_S = {}`"), "MIN_PARAMETERS": (1_000, "Between {:,} and"),
               "MAX_PARAMETERS": (1_000_000, "and {:,} trainable parameters")},
    # The hidden AUC grades the notebook's trained model (the end-to-end test runs it); each case of
    # the train_model check trains a small network (correct alternatives: fewer grading seeds).
    whole_notebook_checks=("af_cnn.hidden_auc",),
    training_checks=("af_cnn.train_model",),
    end_to_end=False,
    **unit_modules(__name__),
)
