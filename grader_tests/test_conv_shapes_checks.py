"""02_conv_shapes hidden checks, in process: the reference earns full marks, every mutant loses points.

Fast (no notebooks): each check runs the same kernel code the grader injects, against the
reference functions with one function replaced.
"""

import re
from collections import Counter

import nbformat
import numpy as np
import pytest

from kit import ROOT, Mutant, mutant_namespace, run_mutant
from coursekit.registry import all_checks, get_check
from reference.conv_shapes.wrong import MUTANTS

from reference.conv_shapes import UNIT as REFERENCE  # noqa: E402
CHECKS = all_checks("conv_shapes")
SOURCE = ROOT / "source" / "02_conv_shapes" / "conv_shapes.ipynb"
REFERENCE_SEEDS = range(20)
#: Grading seeds come from hash(secret, student, check); these stand in for five students.
MUTANT_SEEDS = (0, 1, 7, 123, 2**40 + 5)
#: The fault names the issue asked for by name.
REQUIRED_MUTANTS = {"conv_len_ignores_dilation", "conv_len_uses_ceil", "pool_default_stride_one"}
GRADED_FUNCTIONS = ("conv1d_output_length", "conv2d_output_shape", "pool1d_output_length", "conv1d",
                    "conv1d_multichannel", "max_pool1d", "avg_pool1d", "conv1d_num_parameters")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_reference_scores_full_marks(check):
    namespace = mutant_namespace(REFERENCE)
    for seed in REFERENCE_SEEDS:
        verdict = check.run_locally(namespace, seed)
        assert verdict.fraction == 1.0, "seed %d:\n%s" % (seed, "\n".join(verdict.lines()))


@pytest.mark.parametrize("seed", MUTANT_SEEDS)
@pytest.mark.parametrize("mutant", MUTANTS, ids=str)
def test_mutant_loses_points(mutant, seed):
    verdict = run_mutant(mutant, REFERENCE, seed)
    report = "\n".join(verdict.lines())
    assert verdict.fraction < 1.0, "%s escaped on seed %d:\n%s" % (mutant.name, seed, report)
    function = get_check(mutant.check).function
    assert re.search(r"first failure: %s\(" % function, report), \
        "the verdict should name a failing call of %s():\n%s" % (function, report)


def test_catalogue_covers_every_graded_function():
    per_function = Counter(get_check(m.check).function for m in MUTANTS)
    for function in GRADED_FUNCTIONS:
        assert per_function[function] >= 6, "%s has only %d mutants" % (function, per_function[function])
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names)), "duplicate mutant names"
    assert REQUIRED_MUTANTS <= set(names), REQUIRED_MUTANTS - set(names)
    assert all(re.fullmatch(r"[a-z0-9_]+", n) for n in names)


def _student_namespace():
    """The functions as a student's notebook defines them: setup cell and solution cells, run."""
    nb = nbformat.read(SOURCE, as_version=4)
    namespace = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade_id") == "setup"):
            exec(compile(cell.source, meta["grade_id"], "exec"), namespace)
    return namespace


@pytest.mark.parametrize("mutant", MUTANTS, ids=str)
def test_mutant_is_a_notebook_answer_cell(mutant):
    """Each mutant runs as the answer cell of a real notebook (what `coursekit demo` submits)."""
    namespace = _student_namespace()
    exec(compile(mutant.source, mutant.name, "exec"), namespace)
    verdict = get_check(mutant.check).run_locally(namespace, seed=3)
    assert verdict.fraction < 1.0, "\n".join(verdict.lines())


def test_source_notebook_solutions_score_full_marks():
    namespace = _student_namespace()
    for check in CHECKS:
        for seed in range(5):
            verdict = check.run_locally(namespace, seed)
            assert verdict.fraction == 1.0, "%s seed %d:\n%s" % (check.id, seed, "\n".join(verdict.lines()))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_cases_are_repeatable_and_vary_with_the_seed(check):
    def drawn(seed):
        return [(g.name, [c.encoded() for c in g.cases]) for g in check.groups(seed)]
    assert drawn(11) == drawn(11)
    assert drawn(11) != drawn(12)


@pytest.mark.parametrize("function", GRADED_FUNCTIONS)
def test_every_function_is_checked_on_invalid_input(function):
    """Some check of each function asks for ValueError, and the reference really raises it there."""
    checks = [c for c in CHECKS if c.function == function]
    groups = [(c, g) for c in checks for g in c.groups(5) if re.search(r"raises? ValueError", g.name)]
    assert groups, "no invalid-input group checks %s()" % function
    for check, group in groups:
        for case in group.cases:
            raised = check.expected(case).raised
            assert raised and "ValueError" in raised, "%s: %s does not raise" % (group.name, case.describe(function))


def test_messages_show_the_call_the_expected_value_and_what_came_back():
    mutant = next(m for m in MUTANTS if m.name == "conv_len_uses_ceil")
    report = "\n".join(run_mutant(mutant, REFERENCE, seed=4).lines())
    assert "FAIL  stride: a last window that does not fit is dropped (floor)" in report
    assert re.search(r"first failure: conv1d_output_length\(\d+, \d+, stride=\d+\): expected \d+, got \d+", report), report


def test_a_float_length_is_refused_even_when_its_value_is_right():
    """strict types: 4.0 is not an output length (PyTorch needs an int)."""
    float_length = Mutant("float", "conv_shapes.conv1d_output_length", """
def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    return float((L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1)
""")
    verdict = run_mutant(float_length, REFERENCE, seed=0)
    assert verdict.fraction == 0.0
    assert "expected an int" in "\n".join(verdict.lines())


def test_float32_implementations_are_not_penalised():
    """The value tolerance leaves room for float32 arithmetic (a legitimate implementation)."""
    float32 = Mutant("float32", "conv_shapes.conv1d_multichannel", """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    import numpy as np
    x32, W32 = np.asarray(x, dtype=np.float32), np.asarray(W, dtype=np.float32)
    y = reference_multichannel(x32, W32, None if b is None else np.asarray(b, dtype=np.float32),
                               stride, padding, dilation)
    return y.astype(np.float32)
""")
    namespace = mutant_namespace(REFERENCE)
    namespace["reference_multichannel"] = namespace["conv1d_multichannel"]
    exec(float32.source, namespace)
    for seed in range(5):
        assert get_check(float32.check).run_locally(namespace, seed).fraction == 1.0

