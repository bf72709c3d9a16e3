"""06_sequences: recurrent networks on interval series (RR intervals of the heart, stride intervals of gait).

The manifest of this unit (see ``docs/units.md``). ``solution.py`` is the reference (the notebook's
setup and solution cells), ``checks.py`` the hidden checks (Part A judged against PyTorch),
``wrong.py`` / ``correct.py`` the catalogues, ``grading.py`` the hidden-AUC thresholds and the stored
reference AUC, ``data/`` the hidden subjects (built by ``python -m coursekit.intervals build``).
"""

from coursekit.manifest import Unit, unit_modules


#: The hidden AUC grades the notebook's trained best_model (the end-to-end test runs it); the
#: train_model check trains a network per case. Passed only where the manifest has these fields
#: (they arrived with the generic unit tests; older manifests lack them).
_CHECK_KINDS = {"whole_notebook_checks": ("sequences.hidden_auc", "sequences.hidden_gait_auc"),
                "training_checks": ("sequences.train_model",)}

UNIT = Unit(
    topic="sequences",
    assignment="06_sequences",
    notebook="sequences.ipynb",
    points={
        "test_rnn_cell_step": 2,
        "test_gru_cell_step": 3,
        "test_lstm_cell_step": 3,
        "test_recurrent_num_parameters": 2,
        "test_recurrent_shapes": 2,
        "test_run_rnn": 2,
        "test_rr_intervals": 2,
        "test_sliding_windows": 2,
        "test_subject_kfold": 3,
        "test_build_mlp": 1,
        "test_build_cnn": 1,
        "test_build_rnn": 2,
        "test_train_model": 3,
        "test_predict_proba": 2,
        "test_hidden_auc": 8,
        "test_hidden_gait_auc": 4,
        "test_diagnose_fit": 2,
    },
    manual={"answer_which_model": 3, "answer_kfold": 3, "answer_bias_variance": 3},
    constants={"WINDOW": (16, "`WINDOW = {}`"), "STEP": (8, "`STEP = {}`"), "K_FOLDS": (3, "K_FOLDS = {}"),
               "FULL_CREDIT_MARGIN": (0.03, "within **{}**"), "FLOOR_AUC": (0.87, "none below **{}**"),
               "GAIT_FULL_CREDIT_MARGIN": (0.03, "within\n**{}** of the reference"),
               "GAIT_FLOOR_AUC": (0.85, "none below **{}** (the best single feature"),
               "MIN_PARAMETERS": (100, "between {} and"), "MAX_PARAMETERS": (100_000, "and {:,} trainable")},
    # grader_tests/test_sequences_notebook.py grades one shared class (solution, stub, faulty students,
    # cheaters) end to end: cheaper than a second, generic autograde of this notebook.
    end_to_end=False,
    **{name: value for name, value in _CHECK_KINDS.items() if name in Unit.__dataclass_fields__},
    **unit_modules(__name__),
)
