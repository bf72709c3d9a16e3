"""05_af_cnn: atrial fibrillation vs normal rhythm from one-lead ECG with a 1D CNN (the capstone).

The manifest of this unit (see ``docs/units.md``). Until the capstone's files move into this
package (they are being reworked), its modules keep their old places, which the loaders name:
``reference/af_solution.py`` (the reference, the notebook's solution cells verbatim),
``reference/af_grading.py`` (AUC thresholds and the stored reference measurement),
``reference/checks/af_cnn.py`` (hidden checks) and ``grader_tests/mutants/af_cnn.py``
(wrong implementations). The capstone has its own end-to-end test
(``grader_tests/test_af_cnn_notebook.py``: one autograde shared by fourteen submissions).
"""

import sys
from pathlib import Path

from coursekit.manifest import Unit


def load_solution():
    from reference import af_solution
    return af_solution


def load_checks():
    from reference.checks import af_cnn
    return af_cnn.CHECKS


def load_wrong():
    # Its catalogue still lives among the test helpers (it imports grader_tests/kit.py).
    tests = str(Path(__file__).resolve().parents[2] / "grader_tests")
    if tests not in sys.path:
        sys.path.append(tests)
    from mutants import af_cnn
    return af_cnn.MUTANTS


def load_correct():
    from reference import af_cnn_correct
    return af_cnn_correct.ALTERNATIVES


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
    load_solution=load_solution,
    load_checks=load_checks,
    load_wrong=load_wrong,
    load_correct=load_correct,
    end_to_end=False,
)
