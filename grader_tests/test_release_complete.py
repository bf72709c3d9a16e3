"""A fresh ``git clone`` hands out complete assignments: everything ``release/<id>/`` needs is committed.

A course that distributes ``release/`` through git (README: "Distribute release/NN_name/ through
nbgrader's exchange, your LMS, or a git repository") shipped a capstone without its data once
(``*.npz`` was ignored), so the first data cell raised FileNotFoundError. Tested on a clone of the
committed tree, not on this working copy (which has every generated file whether committed or not).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Files nbgrader's generate_assignment would copy but no student needs.
NOT_HANDED_OUT = {"__pycache__", ".ipynb_checkpoints"}


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    target = tmp_path_factory.mktemp("clone") / "course"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], check=True,
                   capture_output=True, timeout=300)
    return target


def _released(clone: Path) -> list[str]:
    return sorted(p.name for p in (clone / "release").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and not NOT_HANDED_OUT & set(p.relative_to(folder).parts)}


def _relative_paths_read(notebook: Path) -> set[str]:
    """String literals of the notebook's code that name a file beside it (``"data/af_train.npz"``)."""
    found = set()
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # an answer cell's stub text
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if "/" in text and "\n" not in text and not text.startswith(("/", "http")) \
                        and Path(text).suffix in {".npz", ".npy", ".csv", ".json", ".txt", ".py", ".pt"}:
                    found.add(text)
    return found


def test_every_assignment_is_in_the_clone(clone):
    sources = sorted(p.name for p in (clone / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
    assert sources and set(sources) <= set(_released(clone)), (
        "committed source/ assignments without a committed release/: %s" % (set(sources) - set(_released(clone))))


def test_released_folders_hold_every_file_of_their_source(clone):
    """generate_assignment copies every file of source/<id>/ to release/<id>/: all must be committed."""
    problems = []
    for assignment in _released(clone):
        source = clone / "source" / assignment
        if not source.exists():
            continue
        wanted = {f for f in _files(source) if not f.endswith(".ipynb")}
        missing = wanted - _files(clone / "release" / assignment)
        if missing:
            problems.append("release/%s lacks %s" % (assignment, sorted(missing)))
    assert not problems, "; ".join(problems)


def test_files_the_notebooks_read_are_in_the_clone(clone):
    problems = []
    for assignment in _released(clone):
        folder = clone / "release" / assignment
        for notebook in folder.glob("*.ipynb"):
            for relative in _relative_paths_read(notebook):
                if not (folder / relative).is_file():
                    problems.append("release/%s/%s reads %s, which a fresh clone lacks"
                                    % (assignment, notebook.name, relative))
    assert not problems, "\n".join(problems)


def test_validate_settings_travel_with_every_assignment(clone):
    for assignment in _released(clone):
        config = clone / "release" / assignment / "nbgrader_config.py"
        assert config.is_file(), "release/%s has no nbgrader_config.py (run `coursekit release`)" % assignment
        assert "c.Execute.timeout = " in config.read_text()


def test_the_practice_bank_imports_in_the_clone(clone):
    folder = clone / "release" / "midterm_practice"
    if not folder.exists():
        pytest.skip("no practice notebook in this course")
    result = subprocess.run([sys.executable, "-c", "import practice_bank as p; print(p.draw('convolution', seed=1).id)"],
                            cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("convolution."), result.stdout + result.stderr
