"""Fast checks of intake (copying and repairing one submission) and of the grading configuration."""

from __future__ import annotations

import copy
import json
import os

import nbformat
import pytest
from traitlets.config import Config

from adversarial.course import FIXTURE
from coursekit.grading.intake import IntakeLimits, NotebookSpec, read_notebook, repair, take_in
from coursekit.grading.parallel import GradingError, sandboxed_preprocessors

SOURCE = FIXTURE / "source" / "fixture" / "functions.ipynb"


@pytest.fixture()
def spec():
    return NotebookSpec.from_source(SOURCE)


def _student_copy():
    return nbformat.read(str(SOURCE), as_version=4)


def _ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def test_a_deleted_test_cell_is_restored_at_its_place(spec):
    nb = _student_copy()
    del nb.cells[_ids(nb).index("test_relu")]
    notes = repair(nb, spec)
    assert _ids(nb) == _ids(_student_copy())
    assert any("test cell 'test_relu' was missing" in n and "after cell 'relu'" in n for n in notes)


def test_edited_metadata_is_restored_and_unknown_ids_are_dropped(spec):
    nb = _student_copy()
    index = _ids(nb).index("test_add")
    nb.cells[index].metadata["nbgrader"]["points"] = 100
    nb.cells[_ids(nb).index("test_normalize")].metadata["nbgrader"]["grade_id"] = "mine"
    notes = repair(nb, spec)
    assert nb.cells[index].metadata["nbgrader"]["points"] == 1
    assert "mine" not in _ids(nb) and _ids(nb).count("test_normalize") == 1  # restored next to the renamed one
    assert any("points: 100 -> 1" in n for n in notes) and any("unknown grade_id 'mine'" in n for n in notes)


def test_duplicates_keep_only_the_last_copy_graded(spec):
    nb = _student_copy()
    index = _ids(nb).index("test_add")
    nb.cells.insert(index, copy.deepcopy(nb.cells[index]))
    repair(nb, spec)
    assert _ids(nb).count("test_add") == 1 and _ids(nb)[index + 1] == "test_add"


@pytest.mark.parametrize("content, problem", [
    (b"", "the file is empty"),
    (b'{"cells": [', "not valid JSON"),
    (b'[1, 2, 3]', "not a Jupyter notebook"),
])
def test_unreadable_notebooks_are_reported(tmp_path, content, problem):
    path = tmp_path / "functions.ipynb"
    path.write_bytes(content)
    nb, note = read_notebook(path, IntakeLimits())
    assert nb is None and problem in note


def test_text_that_is_not_utf8_is_decoded_with_replacements(tmp_path):
    path = tmp_path / "functions.ipynb"
    path.write_bytes(SOURCE.read_bytes().replace(b"Three small", b"Three \xe9small"))
    nb, note = read_notebook(path, IntakeLimits())
    assert nb is not None and "not valid UTF-8" in note and "\ufffd" in nb.cells[0].source


def test_a_notebook_over_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "functions.ipynb"
    path.write_bytes(SOURCE.read_bytes() + b" " * 2**20)
    nb, note = read_notebook(path, IntakeLimits(notebook_mb=0.5))
    assert nb is None and "over the 0.5 MB limit" in note


def test_take_in_finds_a_renamed_notebook_and_skips_links(tmp_path, spec):
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    (submitted / "functions (1).ipynb").write_bytes(SOURCE.read_bytes())
    (submitted / "notes.txt").write_text("mine")
    os.symlink("/etc/hostname", submitted / "link.txt")
    intake = take_in(submitted, tmp_path / "staging", {"functions": spec})
    assert intake.notebooks == ["functions"] and intake.missing == []
    assert sorted(p.name for p in (tmp_path / "staging").iterdir()) == ["functions.ipynb", "notes.txt"]
    assert any("graded 'functions (1).ipynb' instead" in n for n in intake.notes)
    assert any("link.txt (a link)" in n for n in intake.notes)


def test_take_in_reports_a_missing_notebook(tmp_path, spec):
    (tmp_path / "submitted").mkdir()
    intake = take_in(tmp_path / "submitted", tmp_path / "staging", {"functions": spec})
    assert intake.notebooks == [] and intake.missing == ["functions"]


def test_nbgraders_own_execute_is_replaced_by_the_sandboxed_one():
    config = Config()
    assert sandboxed_preprocessors(config)[0] == "coursekit.execute.GradingExecute"  # nbgrader's default list
    config.Autograde.autograde_preprocessors = ["coursekit.preprocessors.InjectHiddenChecks",
                                                "nbgrader.preprocessors.Execute"]
    assert sandboxed_preprocessors(config) == ["coursekit.preprocessors.InjectHiddenChecks",
                                               "coursekit.execute.GradingExecute"]

def test_another_notebook_executor_is_refused():
    config = Config()
    config.Autograde.autograde_preprocessors = ["nbconvert.preprocessors.ExecutePreprocessor"]
    with pytest.raises(GradingError, match="outside the sandbox"):
        sandboxed_preprocessors(config)
    config.Autograde.autograde_preprocessors = ["grader_tests_custom_execute.CustomExecute"]
    import sys
    import types
    from nbgrader.preprocessors import Execute
    module = types.ModuleType("grader_tests_custom_execute")
    module.CustomExecute = type("CustomExecute", (Execute,), {})
    sys.modules[module.__name__] = module
    try:
        with pytest.raises(GradingError, match="outside the sandbox"):
            sandboxed_preprocessors(config)
    finally:
        del sys.modules[module.__name__]


def test_the_source_notebook_spec_lists_the_test_cells(spec):
    assert [c.metadata["nbgrader"]["grade_id"] for c in spec.test_cells()] == ["test_add", "test_relu",
                                                                                "test_normalize"]
    assert json.loads(json.dumps(spec.metadata()))["explain_normalize"]["solution"] is True
