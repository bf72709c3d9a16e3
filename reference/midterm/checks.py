"""Hidden checks of the midterm (``source/midterm/midterm.ipynb``): one per question slot.

Each check regenerates the student's own variant of its question from nbgrader's student id
(``uses_context=True``) and scores the student's ``answer_qNN`` with the question bank
(``coursekit/midterm``) in the grader's process; the kernel only hands the answer back. See
``coursekit/midterm/exam.py`` and ``docs/midterm.md``.

After changing ``EXAM`` (or a generator it uses), run ``coursekit midterm sync`` to regenerate
the source notebook, then ``coursekit release midterm``.
"""

from coursekit.midterm.exam import Exam, Slot

EXAM = Exam(
    assignment="midterm",
    notebook="midterm",
    # Mixed into every variant's seed: change it for each new exam, so that this year's
    # variants are not last year's. Students must not learn it (reference/ is grader-only).
    salt="dl-biomed midterm, first edition",
    slots=(
        Slot("q01", "learning_types.classify_task", 1),
        Slot("q02", "neuron.output", 2),
        Slot("q03", "tensors.shape_after_op", 1),
        Slot("q04", "activations.derivative", 2),
        Slot("q05", "perceptron.update_step", 3),
        Slot("q06", "losses.bce", 2),
        Slot("q07", "gradient_descent.momentum", 2),
        Slot("q08", "gradient_problems.critical_point", 1),
        Slot("q09", "backprop.chain_rule", 2),
        Slot("q10", "convolution.output_length", 2),
        Slot("q11", "convolution.conv1d_call", 3),
        Slot("q12", "recurrent.shapes", 2),
        Slot("q13", "bias_variance.remedies", 2),
        Slot("q14", "data_splits.leakage", 2),
        Slot("q15", "metrics.roc_auc", 2),
        Slot("q16", "history.year", 1),
    ),
)

CHECKS = EXAM.checks()
