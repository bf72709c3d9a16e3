"""A throw-away copy of the grading-test course, released with real nbgrader."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "grader_tests" / "fixtures" / "grading_course"
ASSIGNMENT = "fixture"
NOTEBOOK = "functions"
BIN = Path(sys.executable).parent
#: Pinned so that hidden-test inputs, and so every expected score, are repeatable.
SECRET = "grading-tests-fixed-secret"
#: Points of each autograded test cell (the notebook also has a 1-point manual cell).
POINTS = {"test_add": 1.0, "test_relu": 2.0, "test_normalize": 3.0}

#: Correct answers, keyed by the answer cell's grade_id.
CORRECT = {
    "add": 'def add(a, b):\n    """Return the sum a + b."""\n    return a + b',
    "relu": 'def relu(x):\n    """max(x, 0) element-wise."""\n    return np.maximum(np.asarray(x, dtype=float), 0.0)',
    "normalize": ('def normalize(x):\n    """(x - mean) / std."""\n    x = np.asarray(x, dtype=float)\n'
                  '    if x.size == 0 or x.std() == 0:\n        raise ValueError("need varying values")\n'
                  '    return (x - x.mean()) / x.std()'),
}


def environment() -> dict:
    env = dict(os.environ, COURSEKIT_SECRET=SECRET, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")),
               PYTHONPATH=os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p))
    env.pop("JUPYTER_CONFIG_DIR", None)
    return env


def make_course(root: Path) -> Path:
    """Copy the fixture course to ``root``, append its short limits to the kit's config, release it."""
    root = Path(root)
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", "fixture_config.py"))
    config = (ROOT / "nbgrader_config.py").read_text() + (FIXTURE / "fixture_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config)
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    return root


def nbgrader(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=root, env=environment(),
                            capture_output=True, text=True, timeout=1800)
    if check and result.returncode != 0:
        raise AssertionError("nbgrader %s failed:\n%s\n%s" % (" ".join(args), result.stdout[-3000:],
                                                             result.stderr[-6000:]))
    return result


def release_notebook(root: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(root / "release" / ASSIGNMENT / (NOTEBOOK + ".ipynb")), as_version=4)


def answered(nb, **sources: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with correct answers, except those given as ``grade_id=source``."""
    nb = copy.deepcopy(nb)
    sources = {**CORRECT, **sources}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in sources:
            cell.source = sources[grade_id]
    return nb


def submission_folder(root: Path, student: str) -> Path:
    """Where nbgrader collect puts a student's submission, with the release's other files."""
    folder = root / "submitted" / student / ASSIGNMENT
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(root / "release" / ASSIGNMENT, folder)
    return folder


def tree_digest(path: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under ``path`` (links by target), for before/after comparisons."""
    digests = {}
    for directory, subdirectories, names in os.walk(path):
        subdirectories[:] = [d for d in subdirectories if d not in skip]
        for name in names:
            full = Path(directory) / name
            relative = str(full.relative_to(path))
            if full.is_symlink():
                digests[relative] = "link:" + os.readlink(full)
            elif full.is_file() and full.stat().st_size > 2**26:  # sparse giants: size and time suffice
                info = full.stat()
                digests[relative] = "size:%d:%d" % (info.st_size, info.st_mtime_ns)
            elif full.is_file():
                digests[relative] = hashlib.sha256(full.read_bytes()).hexdigest()
    return digests


def build_corpus(root: Path, cases) -> None:
    """Write every case's submission (the ``correct`` one first: others link to it)."""
    release = release_notebook(root)
    for case in sorted(cases, key=lambda c: c.name != "correct"):
        folder = submission_folder(root, case.name)
        case.build(release, folder, root)
