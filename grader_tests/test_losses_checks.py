"""03_losses: what is specific to its hidden checks, in process (no notebooks, no kernel).

The properties every unit owes (the reference and every correct alternative keep full marks,
every wrong implementation loses points, the notebook is the reference) are tested once for all
units in ``test_units.py``. Here: the catalogue holds the faults named in the issue and is
self-contained student code, partial credit is exact whatever the seed (the end-to-end students
rely on it), and the probes name warnings, missing returns and changed inputs.
"""

import numpy as np
import pytest

import kit
from coursekit.registry import all_checks, get_check
from reference.losses import UNIT as REFERENCE
from reference.losses import checks as checks
from reference.losses import solution as ref
from reference.losses.wrong import MUTANTS

CHECKS = all_checks("losses")
#: Function of each graded answer cell -> the checks that grade it.
GRADED_FUNCTIONS = sorted({check.function for check in CHECKS})


def test_catalogue_has_at_least_six_mutants_per_graded_function():
    per_function = {}
    for mutant in MUTANTS:
        per_function.setdefault(get_check(mutant.check).function, []).append(mutant.name)
    assert set(per_function) == set(GRADED_FUNCTIONS)
    thin = {f: names for f, names in per_function.items() if len(names) < 6}
    assert not thin, thin
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names)), "mutant names must be unique"
    for required in ("bce_no_clipping", "bce_sum_instead_of_mean", "logits_bce_overflows",
                     "adam_no_bias_correction", "momentum_dampened"):
        assert required in names


def test_mutants_are_self_contained_student_code():
    """Each mutant runs on its own (no reference helpers), as it would in a student's notebook."""
    for mutant in MUTANTS:
        namespace = {"np": np}
        exec(compile(mutant.source, mutant.name, "exec"), namespace)
        function = get_check(mutant.check).function
        assert callable(namespace.get(function)), mutant.name
        assert "reference" not in mutant.source and "_same_shape" not in mutant.source, mutant.name


# --------------------------------------------------------------------------- exact partial credit

#: Mutants whose loss must be the same whatever the seed (the end-to-end test relies on it):
#: (mutant, check) -> the fraction of the check's group weight they keep.
STABLE_FRACTIONS = {
    ("ce_log_of_softmax_underflows", "losses.cross_entropy"): 4 / 5,  # only "a very unlikely target" fails
    ("adam_eps_inside_sqrt", "losses.adam_step"): 3 / 4,              # only the custom-eps group fails
    ("adam_eps_inside_sqrt", "losses.adam_trajectory"): 1 / 2,        # ... and its trajectory twin
    ("gd_in_place_on_integer_w0", "losses.gradient_descent"): 4 / 5,  # only "w0 given as a list of integers"
    ("logits_bce_overflows", "losses.binary_cross_entropy_with_logits"): 1.0,  # fine for moderate logits
    ("logits_bce_overflows", "losses.bce_with_logits_stable"): 0.0,
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name, check_id", sorted(STABLE_FRACTIONS), ids=str)
def test_partial_credit_is_exact_and_seed_independent(name, check_id):
    source = next(m for m in MUTANTS if m.name == name).source
    mutant = kit.Mutant(name, check_id, source)
    for seed in range(8):
        verdict = kit.run_mutant(mutant, REFERENCE, seed)
        assert verdict.fraction == pytest.approx(STABLE_FRACTIONS[name, check_id]), (seed, verdict.lines())


# --------------------------------------------------------------------------- the probes themselves

def _bce_with_logits_via_np_where(y_true, z):
    y_true, z = np.asarray(y_true, dtype=float), np.asarray(z, dtype=float)
    return float(np.mean(np.where(z > 0, z + np.log1p(np.exp(-z)), np.log1p(np.exp(z))) - y_true * z))


def test_stable_probe_reports_warnings_by_name():
    """The verdict names the warning; correct values alone do not pass the stability check."""
    check = get_check("losses.bce_with_logits_stable")
    verdict = check.run_locally({"binary_cross_entropy_with_logits": _bce_with_logits_via_np_where}, seed=0)
    text = "\n".join(verdict.lines())
    assert verdict.fraction == 0.0
    assert "RuntimeWarning: overflow encountered in exp" in text, text


def test_stable_probe_does_not_flag_harmless_underflow():
    """exp(-1e4) underflows to 0 inside a correct implementation: that is not a warning."""
    with np.errstate(under="raise"), pytest.raises(FloatingPointError):
        ref.binary_cross_entropy_with_logits(np.array([1.0]), np.array([1e4]))
    check = get_check("losses.bce_with_logits_stable")
    namespace = {"binary_cross_entropy_with_logits": ref.binary_cross_entropy_with_logits}
    assert check.run_locally(namespace, seed=3).fraction == 1.0


def test_trajectory_probe_explains_a_missing_return():
    mutant = next(m for m in MUTANTS if m.name == "sgd_trajectory_returns_none")
    text = "\n".join(kit.run_mutant(mutant, REFERENCE, 0).lines())
    assert "sgd_step returned None: did you forget `return`?" in text, text


def test_gradient_descent_probe_detects_a_modified_w0():
    mutant = next(m for m in MUTANTS if m.name == "gd_modifies_callers_w0")
    text = "\n".join(kit.run_mutant(mutant, REFERENCE, 0).lines())
    assert "changed the caller's w0 in place" in text, text


def test_hidden_inputs_differ_between_students():
    """Seeds come from the student's id: two students never see the same cases."""
    for check in CHECKS:
        first, second = check.groups(1), check.groups(2)
        a = [c.encoded() for g in first for c in g.cases]
        b = [c.encoded() for g in second for c in g.cases]
        assert a != b, check.id


def test_quadratic_cases_are_shown_exactly():
    """Trajectory inputs are rounded, so that the case a student reads is the case that ran."""
    case = checks._gd_groups(np.random.default_rng(5))[0].cases[1]
    A, b, w0, lr, _ = case.args
    assert np.array_equal(A, A.T) and np.linalg.eigvalsh(A).min() > 0.4
    for value in (A, b, w0):
        assert np.array_equal(value, np.round(value, 2))
    assert repr(lr) in case.label and "A=" in case.label


def test_invalid_input_groups_expect_value_error():
    """Every case of an invalid-input group makes the reference raise ValueError."""
    for check in CHECKS:
        for seed in range(3):
            for group in check.groups(seed):
                if "invalid input" not in group.name:
                    continue
                for case in group.cases:
                    outcome = check.expected(case)
                    assert outcome.raised and outcome.raised[0] == "ValueError", \
                        (check.id, case.describe(check.function))

