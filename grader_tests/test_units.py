"""Every assignment unit, in process (no kernel, no nbgrader): the properties every unit owes.

Parametrised over the registry (``reference.units.UNITS``), so a new unit is tested the moment it
is registered. For each unit with a reference solution:

- the reference scores full marks on every check, on many seeds;
- every catalogued wrong implementation (``wrong.py``) loses points on every seed tried, with a
  message naming a failing call, also when pasted into the notebook as a student would;
- every catalogued correct alternative (``correct.py``) keeps every point on every seed tried;
- the notebook's solution cells score full marks, and *are* the reference: the functions they
  define have the same syntax tree as ``solution.py``'s (docstrings included);
- cases are repeatable and vary with the seed.

For every unit: the manifest's points equal the notebook's cell metadata, the points the text
announces, and the constants the text states. The end-to-end counterpart (real nbgrader) is
``test_units_notebooks.py``; per-unit files keep only what is specific to one assignment.
"""

from __future__ import annotations

import ast
import copy
import re
from collections import Counter

import numpy as np
import pytest

from kit import ROOT, mutant_namespace, read_notebook, run_mutant
from coursekit.preprocessors import directives
from coursekit.registry import get_check
from reference.units import UNITS

WITH_REFERENCE = [u for u in UNITS if u.load_solution is not None]
#: Grading seeds come from hash(secret, student, check); these stand in for students. The
#: reference must hold on many; a wrong implementation must lose on every one of five, spread
#: over small and large seeds.
REFERENCE_SEEDS = range(20)
MUTANT_SEEDS = (0, 1, 7, 1000, 2**40 + 5)
NOTEBOOK_SEEDS = range(5)
#: Seeds for correct alternatives of a unit's ``training_checks`` (each case trains a network
#: for seconds; the reference itself still runs all REFERENCE_SEEDS).
TRAINING_SEEDS = range(5)
#: Every graded function has at least this many catalogued wrong implementations.
MIN_MUTANTS_PER_FUNCTION = 6


def _checks(units):
    """(unit, check) of every check the reference functions alone can answer."""
    return [pytest.param(unit, check, id=check.id) for unit in units for check in unit.checks()
            if check.id not in unit.whole_notebook_checks]


def _in_process(entries, unit):
    return [e for e in entries if e.check not in unit.whole_notebook_checks]


def _catalogue(units, load):
    return [pytest.param(unit, entry, id="%s-%s" % (unit.topic, entry.name)) for unit in units for entry in load(unit)]


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _without_delimiters(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def _notebook_code(unit, with_setup: bool = True) -> list[tuple[str, str]]:
    """(grade_id, source) of the notebook's solution cells, after its setup cell: what a student's
    notebook defines. IPython magics (``%matplotlib inline``) are dropped."""
    cells = []
    for cell in read_notebook(unit.source_path(ROOT)).cells:
        meta = _meta(cell)
        if cell.cell_type == "code" and (meta.get("solution") or (with_setup and meta.get("grade_id") == "setup")):
            source = "\n".join(line for line in _without_delimiters(cell.source).splitlines()
                               if not re.match(r"%[a-z]", line))
            cells.append((meta["grade_id"], source))
    return cells


_NAMESPACES: dict[str, dict] = {}


def _notebook_namespace(unit) -> dict:
    """A copy of the namespace the notebook's setup and solution cells create (built once)."""
    if unit.topic not in _NAMESPACES:
        import torch  # a setup cell may pin torch's threads for its kernel (the capstone's sets 1): not for pytest

        namespace: dict = {}
        threads = torch.get_num_threads()
        try:
            for grade_id, source in _notebook_code(unit):
                exec(compile(source, "<notebook cell %s>" % grade_id, "exec"), namespace)
        finally:
            torch.set_num_threads(threads)
        _NAMESPACES[unit.topic] = namespace
    return copy.copy(_NAMESPACES[unit.topic])


def _report(verdict) -> str:
    return "\n".join(verdict.lines())


# --------------------------------------------------------------------------- the reference

@pytest.mark.parametrize("unit, check", _checks(WITH_REFERENCE))
def test_reference_scores_full_marks(unit, check):
    namespace = mutant_namespace(unit)
    for seed in REFERENCE_SEEDS:
        verdict = check.run_locally(namespace, seed)
        assert verdict.fraction == 1.0, "seed %d:\n%s" % (seed, _report(verdict))


@pytest.mark.parametrize("unit, check", _checks(WITH_REFERENCE))
def test_notebook_solutions_score_full_marks(unit, check):
    """The solutions graders and the demo use must pass the checks they are graded by."""
    for seed in NOTEBOOK_SEEDS:
        verdict = check.run_locally(_notebook_namespace(unit), seed)
        assert verdict.fraction == 1.0, "seed %d:\n%s" % (seed, _report(verdict))


def _functions(source: str) -> dict[str, str]:
    return {node.name: ast.dump(node) for node in ast.parse(source).body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


@pytest.mark.parametrize("unit", WITH_REFERENCE, ids=str)
def test_notebook_solution_code_is_the_reference(unit):
    """solution.py holds the notebook's solution (and setup) functions verbatim, docstrings included:
    the reference that judges students is the code graders read in the notebook."""
    import inspect

    module = _functions(inspect.getsource(unit.load_solution()))
    answers = [_functions(source) for grade_id, source in _notebook_code(unit, with_setup=False)]
    setup = [_functions(source) for grade_id, source in _notebook_code(unit) if grade_id == "setup"]
    answered = {name: dump for functions in answers for name, dump in functions.items()}
    assert answered, "no function in the solution cells"
    missing = sorted(set(answered) - set(module))
    assert not missing, "solution.py lacks the notebook's %s" % missing
    shared = dict(answered, **{k: v for functions in setup for k, v in functions.items() if k in module})
    drifted = sorted(name for name, dump in shared.items() if module[name] != dump)
    assert not drifted, "solution.py and the notebook differ in %s" % drifted


# --------------------------------------------------------------------------- wrong implementations

@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # faulty code overflows outside the probe too
@pytest.mark.parametrize("unit, mutant", _catalogue(WITH_REFERENCE, lambda u: _in_process(u.load_wrong(), u)))
def test_wrong_implementation_loses_points_on_every_seed(unit, mutant):
    function = get_check(mutant.check).function
    for seed in MUTANT_SEEDS:
        verdict = run_mutant(mutant, unit, seed)
        report = _report(verdict)
        assert verdict.fraction < 1.0, "%s kept full marks on seed %d:\n%s" % (mutant.name, seed, report)
        failures = [line for line in verdict.lines() if "first failure:" in line]
        assert failures and all(function in line for line in failures), \
            "the verdict must name a failing call of %s:\n%s" % (function, report)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("unit, mutant", _catalogue(WITH_REFERENCE, lambda u: _in_process(u.load_wrong(), u)))
def test_wrong_implementation_pasted_into_the_notebook_loses_points(unit, mutant):
    """What the demo and the end-to-end tests do: the mutant replaces the notebook's answer cell."""
    namespace = _notebook_namespace(unit)
    exec(compile(mutant.source, "<mutant %s>" % mutant.name, "exec"), namespace)
    verdict = get_check(mutant.check).run_locally(namespace, MUTANT_SEEDS[2])
    assert verdict.fraction < 1.0, _report(verdict)


@pytest.mark.parametrize("unit", WITH_REFERENCE, ids=str)
def test_catalogue_names_faults_and_covers_every_graded_function(unit):
    names = [m.name for m in unit.load_wrong()]
    assert len(names) == len(set(names)), [n for n, k in Counter(names).items() if k > 1]
    assert all(re.fullmatch(r"[a-z0-9_]+", n) for n in names), names
    per_function = Counter(get_check(m.check).function for m in unit.load_wrong())
    thin = {c.function: per_function[c.function] for c in unit.checks()
            if per_function[c.function] < MIN_MUTANTS_PER_FUNCTION}
    assert not thin, "fewer than %d wrong implementations: %s" % (MIN_MUTANTS_PER_FUNCTION, thin)
    assert all(m.check.startswith(unit.topic + ".") for m in unit.load_wrong())


# --------------------------------------------------------------------------- correct alternatives

@pytest.mark.parametrize("unit, alternative", _catalogue(WITH_REFERENCE, lambda u: _in_process(u.load_correct(), u)))
def test_correct_alternative_keeps_every_point_on_every_seed(unit, alternative):
    for seed in TRAINING_SEEDS if alternative.check in unit.training_checks else REFERENCE_SEEDS:
        verdict = run_mutant(alternative, unit, seed)
        assert verdict.fraction == 1.0, "%s lost points on seed %d:\n%s" % (alternative.name, seed, _report(verdict))


@pytest.mark.parametrize("unit", WITH_REFERENCE, ids=str)
def test_correct_catalogue_names_are_unique_and_distinct_from_the_wrong_ones(unit):
    names = [a.name for a in unit.load_correct()]
    assert len(names) == len(set(names))
    assert not set(names) & {m.name for m in unit.load_wrong()}
    assert all(a.check.startswith(unit.topic + ".") for a in unit.load_correct())


# --------------------------------------------------------------------------- cases

@pytest.mark.parametrize("unit", WITH_REFERENCE, ids=str)
def test_cases_are_repeatable_and_most_vary_with_the_seed(unit):
    """Regrading draws the same cases; two students get different ones (a check of a fixed
    table, like the three logic gates, may draw the same cases for everyone)."""
    varying = []
    for check in unit.checks():
        def drawn(seed):
            return [(g.name, [c.encoded() for c in g.cases]) for g in check.groups(seed)]
        assert drawn(11) == drawn(11), check.id
        varying.append(drawn(11) != drawn(12))
    assert sum(varying) >= 0.75 * len(varying), varying


# --------------------------------------------------------------------------- the manifest vs the notebook

def _graded_cells(unit):
    return [(cell, _meta(cell)) for cell in read_notebook(unit.source_path(ROOT)).cells if _meta(cell).get("grade")]


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_manifest_points_are_the_notebooks_cell_metadata(unit):
    autograded = {m["grade_id"]: float(m["points"]) for cell, m in _graded_cells(unit) if not m.get("solution")}
    manual = {m["grade_id"]: float(m["points"]) for cell, m in _graded_cells(unit) if m.get("solution")}
    assert list(autograded.items()) == [(k, float(v)) for k, v in unit.points.items()], "points (in notebook order)"
    assert manual == {k: float(v) for k, v in unit.manual.items()}, "manual"


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_every_autograded_cell_runs_checks_of_its_own_unit_and_every_check_is_run(unit):
    used = []
    for cell, meta in _graded_cells(unit):
        ids = directives(cell.source)
        if meta.get("solution"):
            assert not ids
            continue
        assert ids, "%s runs no hidden check" % meta["grade_id"]
        assert all(i.startswith(unit.topic + ".") for i in ids), ids
        used += ids
    assert sorted(set(used)) == sorted(c.id for c in unit.checks())


_POINTS_STATED = re.compile(r"\((?:[^()\n]*?,\s*)?(\d+(?:\.\d+)?) points?\b")


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_points_the_text_announces_are_the_manifests(unit):
    """A question's "(3 points)" is the points of the graded cell it introduces; "Autograded: 25
    points" and "written answer: 3 points" are the totals."""
    cells = read_notebook(unit.source_path(ROOT)).cells
    announced = {}
    last_statement = None
    for cell in cells:
        meta = _meta(cell)
        if cell.cell_type == "markdown" and not meta.get("grade"):
            found = _POINTS_STATED.search(cell.source)
            last_statement = float(found.group(1)) if found else last_statement
        if meta.get("grade") and last_statement is not None:
            announced[meta["grade_id"]] = last_statement
            last_statement = None
    for grade_id, stated in announced.items():
        expected = unit.manual.get(grade_id, unit.points.get(grade_id))
        assert stated == float(expected), "the text announces %g points for %s, the manifest %g" % (
            stated, grade_id, expected)
    assert set(unit.manual) <= set(announced), "a written answer whose points the text does not state"
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for total, expected in ((r"Autograded: (\d+) points", unit.autograded_points),
                            (r"written answers?: (\d+) points", sum(unit.manual.values()))):
        for found in re.finditer(total, text, re.I):
            assert float(found.group(1)) == expected, found.group(0)


@pytest.mark.parametrize("unit", [u for u in UNITS if u.constants], ids=str)
def test_constants_the_text_states_are_the_manifests(unit):
    text = "\n".join(c.source for c in read_notebook(unit.source_path(ROOT)).cells)
    solution = unit.load_solution() if unit.load_solution else None
    for name, (value, phrase) in unit.constants.items():
        assert phrase.format(value) in text, "the notebook does not state %s as %r" % (name, phrase.format(value))
        if hasattr(solution, name):
            assert getattr(solution, name) == value, "%s.%s = %r, the manifest says %r" % (
                solution.__name__, name, getattr(solution, name), value)


@pytest.mark.parametrize("unit", [u for u in UNITS if u.load_solution is not None], ids=str)
def test_end_to_end_students_paste_catalogued_faults(unit):
    """The end-to-end test's students (``SUBMISSIONS`` in wrong.py) use catalogued mutants and name real cells."""
    names = {m.name for m in unit.load_wrong()}
    for submission in unit.load_submissions():
        assert set(submission.mutants) <= names, set(submission.mutants) - names
        assert set(submission.scores) <= set(unit.points) and set(submission.feedback) <= set(unit.points)
        for cell, score in submission.scores.items():
            assert 0 <= score < unit.points[cell], (submission.student, cell)
    assert unit.load_submissions() or not unit.end_to_end


def test_the_generic_tests_cover_every_unit_with_a_reference():
    """Nothing silently escapes: only units without a single reference module (the midterm: its
    bank self-tests) are left out of the in-process tests."""
    left_out = {u.topic for u in UNITS} - {u.topic for u in WITH_REFERENCE}
    assert left_out <= {u.topic for u in UNITS if u.load_solution is None}
    assert all(np.isfinite(s) for s in MUTANT_SEEDS) and len(set(MUTANT_SEEDS)) == 5


@pytest.mark.parametrize("unit", WITH_REFERENCE, ids=str)
def test_answer_cells_keep_signature_and_docstring_outside_the_solution(unit):
    """nbgrader blanks what lies between the delimiters: the spec must stay outside, in the body."""
    for cell in read_notebook(unit.source_path(ROOT)).cells:
        if cell.cell_type != "code" or not _meta(cell).get("solution"):
            continue
        lines = cell.source.splitlines()
        begin = next(i for i, line in enumerate(lines) if "### BEGIN SOLUTION" in line)
        functions = [n for n in ast.parse(_without_delimiters(cell.source)).body if isinstance(n, ast.FunctionDef)]
        if not functions:
            continue  # a cell that sets values (a chosen configuration) has no signature to keep
        assert lines[begin].startswith("    "), "%s: the solution must sit inside a function" % _meta(cell)["grade_id"]
        assert all(ast.get_docstring(f) for f in functions), _meta(cell)["grade_id"]
        assert begin >= functions[0].body[0].end_lineno, "%s: docstring inside the solution" % _meta(cell)["grade_id"]


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_notebook_never_imports_the_reference_package(unit):
    for cell in read_notebook(unit.source_path(ROOT)).cells:
        assert not re.search(r"^\s*(from|import)\s+reference\b", cell.source, re.M), cell.source[:80]
