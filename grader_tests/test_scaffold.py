"""``coursekit new``: a toy assignment scaffolded into a copy of the course, then taken through
release, a simulated class, grading and export with the instructor's own commands.

The fast test proves the scaffolded unit owes nothing to the generic tests (reference full marks,
wrong ones lose, correct ones keep, the notebook is the reference); the slow one grades a class.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest

from coursekit import scaffold
from kit import BIN, ROOT, Course, read_notebook, replace_cell, solution_cell_id

TOPIC = "toy"


def _course_copy(tmp_path):
    """A course holding the kit's registry and sources (notebooks only: numbering needs the folders)."""
    course = Course(tmp_path, [])
    for folder in (ROOT / "source").iterdir():
        (course.root / "source" / folder.name).mkdir(parents=True, exist_ok=True)
    return course


def _run_python(root, code):
    """Python in a fresh process whose `reference` is the course at ``root``."""
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=600,
                            env={"PYTHONPATH": "%s:%s" % (root, ROOT), "PATH": str(BIN)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_new_refuses_a_bad_or_taken_name(tmp_path):
    course = _course_copy(tmp_path)
    with pytest.raises(ValueError, match="lower-case Python identifier"):
        scaffold.new_unit(course.root, "Bad-Name")
    with pytest.raises(FileExistsError, match="perceptron"):
        scaffold.new_unit(course.root, "perceptron")
    result = subprocess.run([str(BIN / "coursekit"), "new", "perceptron", "--root", str(course.root)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "already there" in result.stderr


def test_scaffolded_unit_is_registered_and_meets_the_generic_properties(tmp_path):
    course = _course_copy(tmp_path)
    result = subprocess.run([str(BIN / "coursekit"), "new", TOPIC, "--root", str(course.root)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    number = max(int(p.name[:2]) for p in (ROOT / "source").iterdir() if p.name[:2].isdigit()) + 1
    assignment = "%02d_%s" % (number, TOPIC)
    assert "coursekit release %s" % assignment in result.stdout
    report = json.loads(_run_python(course.root, r'''
import ast, inspect, json, nbformat, sys
sys.path.insert(0, %r)
import kit
from reference.units import UNITS
unit = UNITS[-1]
ns = kit.mutant_namespace(unit)
out = {"assignment": unit.assignment, "units": len(UNITS),
       "reference": [c.run_locally(ns, s).fraction for c in unit.checks() for s in range(20)],
       "wrong": [kit.run_mutant(m, unit, s).fraction for m in unit.load_wrong() for s in (0, 1, 7, 1000)],
       "correct": [kit.run_mutant(a, unit, s).fraction for a in unit.load_correct() for s in range(20)]}
nb = nbformat.read(str(unit.source_path(".")), as_version=4)
cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "scale")
code = "\n".join(l for l in cell.source.splitlines() if "###" not in l)
out["same_tree"] = ast.dump(ast.parse(code).body[0]) == ast.dump(ast.parse(inspect.getsource(unit.load_solution().scale)).body[0])
print(json.dumps(out))
''' % str(ROOT / "grader_tests")))
    assert report["assignment"] == assignment and report["units"] == len(__import__("reference.units").units.UNITS) + 1
    assert set(report["reference"]) == {1.0} and set(report["correct"]) == {1.0}
    assert max(report["wrong"]) < 1.0 and report["same_tree"]


@pytest.mark.slow
def test_toy_assignment_is_released_graded_and_exported(tmp_path):
    course = _course_copy(tmp_path)
    files = scaffold.new_unit(course.root, TOPIC)
    assignment = files["notebook"].parent.name
    notebook = files["notebook"].name
    released = subprocess.run([str(BIN / "coursekit"), "release", assignment, "--root", str(course.root)],
                              capture_output=True, text=True, timeout=600, env=course.env)
    assert released.returncode == 0, released.stderr[-3000:]
    stub = read_notebook(course.root / "release" / assignment / notebook)
    assert "np.asarray(x, dtype=float) * factor" not in stub.cells[3].source
    source = read_notebook(files["notebook"])
    wrong = {m.name: m.source for m in _unit_catalogue(course.root)}
    class_ = {"solution": source, "untouched": stub,
              "adds": replace_cell(source, solution_cell_id(source, "scale"), wrong["scale_adds_instead"]),
              "flattens": replace_cell(source, solution_cell_id(source, "scale"), wrong["scale_flattens"])}
    for student, nb in class_.items():
        course.submit(student, assignment, {notebook: nb})
    course.autograde(assignment)
    scores = {student: course.scores(assignment, student) for student in class_}
    assert scores["solution"] == {"test_scale": 3.0, "scaling_answer": None}
    assert scores["untouched"]["test_scale"] == 0.0
    assert scores["adds"]["test_scale"] == 0.0  # the public assert catches it: the cell raises
    assert scores["flattens"]["test_scale"] == pytest.approx(3 * 2 / 4)
    exported = subprocess.run([str(BIN / "coursekit"), "export", "--root", str(course.root), "--assignment",
                               assignment, "--format", "nbgrader"], capture_output=True, text=True, timeout=600,
                              env=course.env)
    assert exported.returncode == 0, exported.stderr[-3000:]
    rows = list(csv.DictReader((course.root / "exports" / "grades.csv").open()))
    by_student = {row["student_id"]: row for row in rows if row["assignment"] == assignment}
    assert set(by_student) == set(class_)
    assert float(by_student["flattens"]["score"]) == pytest.approx(1.5)
    assert float(by_student["solution"]["max_score"]) == 5.0  # 3 autograded + 2 written


def _unit_catalogue(root):
    """The scaffolded wrong implementations, read from the copy's wrong.py (not imported here:
    this process's `reference` is the kit's)."""
    namespace = {}
    source = (root / "reference" / TOPIC / "wrong.py").read_text()
    exec(compile(source, "wrong.py", "exec"), namespace)
    return namespace["MUTANTS"]


def test_scaffolding_leaves_the_kit_untouched(tmp_path):
    before = (ROOT / "reference" / "units.py").read_text()
    scaffold.new_unit(_course_copy(tmp_path).root, TOPIC)
    assert (ROOT / "reference" / "units.py").read_text() == before
    assert not (ROOT / "reference" / TOPIC).exists()
    shutil.rmtree(tmp_path / "reference" / TOPIC)
