"""No correct solution loses points: what the generic unit tests do not already prove.

``reference/<topic>/correct.py`` catalogues correct implementations written in the styles students
really use (loops and vectorised, float32 where the notebook allows it, in place and copying,
other valid conventions), named after the style. ``test_units.py`` grades every one in process
on many seeds (full marks each time). This file adds, for the assignments 01-04:

- every hidden check has at least three correct alternatives;
- a check marked ``isolated`` (judged again, after the kernel, in a fresh process where numpy
  raises on overflow: ``coursekit/isolated.py``) also gives each of its alternatives full marks
  there, as grading does; for ``perceptron.sigmoid_stable`` these include library sigmoids
  (``scipy.special.expit``, ``torch.sigmoid``), which report no overflow in a normal interpreter.
"""

from __future__ import annotations

import os

import pytest

from coursekit.registry import unit

#: The units whose catalogues this file proves (the capstone's and 06_sequences' are proven by
#: test_units.py alone, with 5 seeds where a correct alternative trains a network).
UNITS = ("perceptron", "conv_shapes", "losses", "backprop")
#: Grading seeds come from hash(secret, student, check): two students for the isolated runs.
SEEDS = (7, 2**40 + 5)
MIN_ALTERNATIVES = 3

ALTERNATIVES = [(topic, alternative) for topic in UNITS for alternative in unit(topic).load_correct()]


@pytest.mark.parametrize("topic", UNITS)
def test_every_check_has_three_correct_alternatives_with_distinct_names(topic):
    alternatives = unit(topic).load_correct()
    names = [a.name for a in alternatives]
    assert len(names) == len(set(names)), "duplicated names"
    wrong_names = {m.name for m in unit(topic).load_wrong()}
    assert not wrong_names & set(names), "a name is both correct and wrong: %s" % (wrong_names & set(names))
    for check in unit(topic).checks():
        count = sum(a.check == check.id for a in alternatives)
        assert count >= MIN_ALTERNATIVES, "%s has %d correct alternatives" % (check.id, count)


ISOLATED = [(topic, alternative) for topic, alternative in ALTERNATIVES
            if getattr(unit(topic).check(alternative.check), "isolated", False)]


@pytest.mark.parametrize("topic, alternative", ISOLATED, ids=[a.name for _, a in ISOLATED])
def test_correct_alternative_passes_the_isolated_run_too(topic, alternative, tmp_path):
    """Where grading also runs a check in a fresh process where numpy raises on overflow, the
    alternative keeps its points there (what ScoreHiddenChecks does after the kernel)."""
    from coursekit import harness, isolated

    check = unit(topic).check(alternative.check)
    per_seed = [check.groups(seed) for seed in SEEDS]
    # One fresh process for every seed's cases (a torch import there takes seconds), split afterwards.
    os.chmod(tmp_path, 0o755)
    results = isolated.run(check, [group for groups in per_seed for group in groups],
                           ["import numpy as np", alternative.source], str(tmp_path))
    namespace = {"np": __import__("numpy")}
    exec(compile(alternative.source, alternative.name, "exec"), namespace)
    start = 0
    for seed, groups in zip(SEEDS, per_seed):
        cases = [case.encoded() for group in groups for case in group.cases]
        payload = harness.run_in_namespace(harness.check_source(check.id, check.function, check.probe, cases,
                                                                check.timeout), namespace)
        verdict = check.score(groups, payload, results[start:start + len(cases)])
        start += len(cases)
        assert verdict.fraction == 1.0, "seed %d:\n%s" % (seed, "\n".join(verdict.lines()))


def test_library_sigmoids_are_claimed_for_the_stability_check():
    """expit and torch.sigmoid report no overflow: they are proven above, not left out."""
    names = {a.name for a in unit("perceptron").load_correct() if a.check == "perceptron.sigmoid_stable"}
    assert {"sigmoid_scipy_expit_on_sigmoid_stable", "sigmoid_torch_float64_on_sigmoid_stable"} <= names, names
