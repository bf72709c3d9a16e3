"""Course-wide rules that every assignment must follow (source hygiene, release integrity)."""

import filecmp
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit import ROOT, grade_id
from coursekit.registry import get_check
from coursekit.course import assignments
from coursekit.preprocessors import directives

SOURCE_NOTEBOOKS = sorted((ROOT / "source").glob("*/*.ipynb"))
RELEASE_NOTEBOOKS = sorted((ROOT / "release").glob("*/*.ipynb"))
FORBIDDEN_IN_RELEASE = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME",
                        "import reference", "from reference")


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def test_there_is_something_to_check():
    assert SOURCE_NOTEBOOKS, "no source notebooks found"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_source_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, "%s: cells %s carry outputs or execution counts" % (path.name, dirty)


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_every_autograded_test_cell_is_decided_by_a_known_hidden_check(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            ids = directives(cell.source)
            assert ids, "%s: test cell %s has no hidden check directive" % (path.name, meta["grade_id"])
            for check_id in ids:
                get_check(check_id)  # raises KeyError for an unknown check
            first = cell.source.lstrip().splitlines()[0]
            assert first.startswith(('"""', "'''", "#")), \
                "%s: test cell %s should open with a one-line docstring" % (path.name, meta["grade_id"])


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_every_code_answer_cell_has_solution_delimiters(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, \
                "%s: answer cell %s lacks delimiters (nbgrader would blank the whole cell)" % (
                    path.name, meta.get("grade_id"))


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_every_written_answer_has_a_mark_scheme_in_the_locked_cell_above(path):
    """Autograde restores locked cells from the gradebook, so graders see the scheme there."""
    cells = nbformat.read(path, as_version=4).cells
    for i, cell in enumerate(cells):
        meta = _nbgrader(cell)
        if cell.cell_type == "markdown" and meta.get("grade") and meta.get("solution"):
            above = cells[i - 1]
            assert _nbgrader(above).get("locked") and _nbgrader(above).get("grade_id"), \
                "%s: the cell above %s must be locked, with an id" % (path.name, meta["grade_id"])
            assert "### BEGIN MARK SCHEME" in above.source, \
                "%s: no mark scheme above written answer %s" % (path.name, meta["grade_id"])
            assert "MARK SCHEME" not in cell.source, \
                "%s: mark scheme inside the answer cell %s is lost at release" % (path.name, meta["grade_id"])


def test_grade_ids_are_unique_and_descriptive():
    for path in SOURCE_NOTEBOOKS:
        ids = [grade_id(c) for c in nbformat.read(path, as_version=4).cells if grade_id(c)]
        assert len(ids) == len(set(ids)), "%s: duplicated grade_id" % path
        assert all(re.fullmatch(r"[a-z][a-z0-9_]{2,}", i) for i in ids), "%s: unclear grade_ids %s" % (path, ids)


def test_every_assignment_is_released():
    released = {p.parent.name for p in RELEASE_NOTEBOOKS}
    assert set(assignments(ROOT)) <= released, "run `make release`: %s missing from release/" % (
        set(assignments(ROOT)) - released)


@pytest.mark.parametrize("path", RELEASE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_release_holds_no_solution_hidden_test_or_reference(path):
    text = path.read_text()
    for marker in FORBIDDEN_IN_RELEASE:
        assert marker not in text, "%s contains %r" % (path, marker)


def test_release_tree_holds_no_grader_only_files():
    for path in (ROOT / "release").rglob("*"):
        assert "reference" not in path.parts and path.suffix not in (".db",), path
        assert not path.name.startswith("af_hidden"), path


@pytest.fixture(scope="module")
def fresh_course(tmp_path_factory):
    """A course holding only the kit's source/ and config, released with `coursekit release`."""
    root = tmp_path_factory.mktemp("fresh_course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "source", root / "source", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "release", "--root", str(root)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.mark.slow
def test_release_is_reproduced_bit_for_bit_from_source(fresh_course):
    """Regenerating release/ from source/ in a fresh course gives exactly the committed files."""
    tmp_path = fresh_course
    committed = subprocess.run(["git", "ls-files", "release"], cwd=ROOT, capture_output=True,
                               text=True).stdout.split()
    assert committed, "release/ is not committed"
    for rel in committed:
        fresh = tmp_path / rel
        assert fresh.exists(), "%s is committed but no longer generated" % rel
        assert filecmp.cmp(ROOT / rel, fresh, shallow=False), "%s differs from a fresh release" % rel
    generated = {str(p.relative_to(tmp_path)) for p in (tmp_path / "release").rglob("*")
                 if p.is_file() and p.suffix != ".npz"}
    missing = generated - set(committed)
    assert not missing, "generated but not committed (run `make release`): %s" % sorted(missing)


def test_a_refused_release_keeps_the_previous_release(fresh_course):
    """Changing graded cells after students submitted: nbgrader refuses, and release/ keeps the old stub.

    nbgrader's generate_assignment --force deletes the release folder before it converts; the
    kit puts the previous one back and says why the release was refused.
    """
    from nbgrader.api import Gradebook
    from kit import read_notebook

    tmp_path = fresh_course
    before = tmp_path / "release" / "01_perceptron" / "perceptron.ipynb"
    released = before.read_bytes()
    with Gradebook("sqlite:///%s" % (tmp_path / "gradebook.db")) as gradebook:
        gradebook.add_student("alice")
        gradebook.add_submission("01_perceptron", "alice")
    source = tmp_path / "source" / "01_perceptron" / "perceptron.ipynb"
    nb = read_notebook(source)
    nb.cells = [cell for cell in nb.cells if grade_id(cell) != "test_step"]
    nbformat.write(nb, str(source))

    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "release", "01_perceptron", "--root", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "release/01_perceptron/ was left as it was before" in result.stderr, result.stderr[-2000:]
    assert "refuses to add or remove graded cells" in result.stderr
    assert before.read_bytes() == released
    assert not list(tmp_path.glob(".release-backup-*"))
