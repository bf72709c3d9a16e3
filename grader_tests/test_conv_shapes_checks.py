"""02_conv_shapes: what is specific to its hidden checks and notebook, in process.

The properties every unit owes (the reference and every correct alternative keep full marks,
every wrong implementation loses points, also pasted into the notebook, the notebook is the
reference) are tested once for all units in ``test_units.py``. Here: the catalogue holds the
faults named in the issue, every function is checked on invalid input, strict int lengths,
float32 tolerance, messages, and the notebook's one-check-per-cell structure.
"""

import re
from collections import Counter

import nbformat
import pytest

from kit import ROOT, Mutant, mutant_namespace, run_mutant
from coursekit.preprocessors import directives
from coursekit.registry import all_checks, get_check
from reference.conv_shapes import UNIT as REFERENCE
from reference.conv_shapes.wrong import MUTANTS

CHECKS = all_checks("conv_shapes")
SOURCE = ROOT / "source" / "02_conv_shapes" / "conv_shapes.ipynb"
#: The fault names the issue asked for by name.
REQUIRED_MUTANTS = {"conv_len_ignores_dilation", "conv_len_uses_ceil", "pool_default_stride_one"}
GRADED_FUNCTIONS = ("conv1d_output_length", "conv2d_output_shape", "pool1d_output_length", "conv1d",
                    "conv1d_multichannel", "max_pool1d", "avg_pool1d", "conv1d_num_parameters")


def test_catalogue_covers_every_graded_function():
    per_function = Counter(get_check(m.check).function for m in MUTANTS)
    for function in GRADED_FUNCTIONS:
        assert per_function[function] >= 6, "%s has only %d mutants" % (function, per_function[function])
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names)), "duplicate mutant names"
    assert REQUIRED_MUTANTS <= set(names), REQUIRED_MUTANTS - set(names)
    assert all(re.fullmatch(r"[a-z0-9_]+", n) for n in names)


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



# --------------------------------------------------------------------------- the notebook's structure

def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def test_points_stay_small():
    points = [_meta(c)["points"] for c in nbformat.read(SOURCE, as_version=4).cells if _meta(c).get("grade")]
    assert all(0 < p <= 3 for p in points), points


def test_every_check_is_run_by_exactly_one_test_cell_that_names_its_function():
    used = []
    for cell in nbformat.read(SOURCE, as_version=4).cells:
        if cell.cell_type != "code" or not _meta(cell).get("grade"):
            continue
        ids = directives(cell.source)
        assert len(ids) == 1, "%s: %s" % (_meta(cell)["grade_id"], ids)
        function = get_check(ids[0]).function
        assert "%s," % function in cell.source, "%s tests %s() publicly?" % (_meta(cell)["grade_id"], function)
        used += ids
    assert sorted(used) == sorted(c.id for c in CHECKS)
