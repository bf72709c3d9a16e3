"""Test support: temporary courses, submissions, real nbgrader autograding, mutants.

Used by every ``test_*`` module. Two ways to prove a hidden test works:

- fast, in process: :func:`run_mutant` runs a check's real kernel code (minus the kernel)
  against a faulty implementation and returns the verdict;
- end to end: :class:`Course` copies the kit into a temporary course, releases an
  assignment with ``nbgrader generate_assignment``, takes submissions, runs the real
  ``nbgrader autograde`` (sandboxed kernel and all) and reads scores from the gradebook.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coursekit.checks import Verdict  # noqa: E402
from coursekit.manifest import Alternative, Mutant, Unit  # noqa: E402,F401 - Mutant: for catalogues
from coursekit.registry import get_check  # noqa: E402

#: Pinned so that hidden-test inputs, and therefore every expected score, are repeatable.
TEST_SECRET = "grader-tests-fixed-secret"
BIN = Path(sys.executable).parent


# --------------------------------------------------------------------------- mutants

def mutant_namespace(solution, source: str = "") -> dict:
    """The reference functions of a unit, with ``source`` executed over them.

    ``solution``: a :class:`~coursekit.manifest.Unit`, or its solution module.
    """
    if isinstance(solution, Unit):
        solution = solution.load_solution()
    namespace = {k: v for k, v in vars(solution).items() if not k.startswith("__")}
    import numpy as np
    namespace.setdefault("np", np)
    if source:
        exec(compile(source, "<mutant>", "exec"), namespace)
    return namespace


def run_mutant(mutant: Mutant | Alternative, solution, seed: int = 0) -> Verdict:
    """Grade ``mutant`` (or a correct alternative) with its check, in process."""
    return get_check(mutant.check).run_locally(mutant_namespace(solution, mutant.source), seed)


# --------------------------------------------------------------------------- notebooks

def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def replace_cell(nb, cell_id: str, source: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the source of the cell ``cell_id`` replaced."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if grade_id(cell) == cell_id:
            cell.source = source
            return nb
    raise KeyError("no cell with grade_id %r" % cell_id)


def solution_cell_id(nb, function: str) -> str:
    """grade_id of the answer cell that defines ``function``."""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code" and ("def %s(" % function) in cell.source:
            return meta["grade_id"]
    raise KeyError("no answer cell defines %s()" % function)


# --------------------------------------------------------------------------- a student's Validate

def student_env(home: Path) -> dict:
    """The environment of a student who installed the kit's packages and nothing else: ``home`` as
    HOME, the venv first on PATH, and none of the test run's Jupyter, nbgrader or coursekit
    settings, nor its PYTHONPATH (a student's kernel cannot import the course's ``reference``)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER_", "NBGRADER_", "COURSEKIT_")) and k != "PYTHONPATH"}
    env.update(HOME=str(home), PATH="%s:%s" % (BIN, env.get("PATH", "/usr/bin:/bin")))
    return env


def validate_as_student(top: Path, release_dir: Path, notebook: nbformat.NotebookNode,
                        *flags: str) -> subprocess.CompletedProcess:
    """``nbgrader validate`` with a student's settings.

    ``release_dir`` as handed out (data and all, without its ``nbgrader_config.py``) is copied to
    ``top/<assignment>/`` with ``notebook`` as its notebook, and validated from ``top``: the
    exchange's layout (assignments fetched into ``~/<id>/``, the server started in ``~``), so no
    ``nbgrader_config.py`` is read and every cell has nbgrader's default 30 s; :func:`student_env`
    with a fresh HOME under ``top``. ``top`` must not exist yet.
    """
    release_dir = Path(release_dir)
    (name,) = [p.name for p in release_dir.glob("*.ipynb")]
    shutil.copytree(release_dir, top / release_dir.name, ignore=shutil.ignore_patterns("nbgrader_config.py"))
    nbformat.write(notebook, str(top / release_dir.name / name))
    home = top / "home"
    home.mkdir()
    env = student_env(home)
    assert not list(top.glob("nbgrader_config.py")) and not (home / ".jupyter").exists()
    started = time.perf_counter()
    result = subprocess.run([str(BIN / "nbgrader"), "validate", *flags, "%s/%s" % (release_dir.name, name)],
                            cwd=top, env=env, capture_output=True, text=True, timeout=600)
    print("\nnbgrader validate %s as a student: %.0f s (load average %.1f)"
          % (" ".join(flags + (name,)), time.perf_counter() - started, os.getloadavg()[0]))
    return result


# --------------------------------------------------------------------------- courses

class Course:
    """A throw-away copy of the kit's course, graded with real nbgrader commands."""

    def __init__(self, root: Path, assignments: list[str], extra_paths: tuple[str, ...] = ()):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "nbgrader_config.py", self.root)
        shutil.copytree(ROOT / "reference", self.root / "reference",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for name in assignments:
            shutil.copytree(ROOT / "source" / name, self.root / "source" / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        for extra in extra_paths:
            src = ROOT / extra
            (shutil.copytree if src.is_dir() else shutil.copy)(src, self.root / extra)
        self.env = dict(os.environ, COURSEKIT_SECRET=TEST_SECRET,
                        PATH="%s:%s" % (BIN, os.environ.get("PATH", "")),
                        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        self.env.pop("JUPYTER_CONFIG_DIR", None)

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=self.root, env=self.env,
                                capture_output=True, text=True, timeout=1800)
        if check and result.returncode != 0:
            raise AssertionError("nbgrader %s failed (%d):\n%s\n%s" % (" ".join(args), result.returncode,
                                                                       result.stdout[-4000:], result.stderr[-8000:]))
        return result

    def release(self, assignment: str) -> Path:
        self.nbgrader("generate_assignment", assignment, "--force")
        return self.root / "release" / assignment

    def submit(self, student: str, assignment: str, notebooks: dict[str, nbformat.NotebookNode],
               copy_release_files: bool = True) -> Path:
        """Place a submission as ``nbgrader collect`` would (with the release's other files)."""
        folder = self.root / "submitted" / student / assignment
        if folder.exists():
            shutil.rmtree(folder)
        if copy_release_files and (self.root / "release" / assignment).exists():
            shutil.copytree(self.root / "release" / assignment, folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, str(folder / name))
        return folder

    def autograde(self, assignment: str, *extra: str) -> subprocess.CompletedProcess:
        return self.nbgrader("autograde", assignment, "--force", *extra)

    def scores(self, assignment: str, student: str) -> dict[str, float]:
        """Auto scores per grade cell of one student's submission, from the gradebook."""
        from nbgrader.api import Gradebook
        with Gradebook("sqlite:///%s" % (self.root / "gradebook.db")) as gradebook:
            submission = gradebook.find_submission(assignment, student)
            return {grade.name: grade.auto_score for nb in submission.notebooks for grade in nb.grades}

    def autograded_notebook(self, assignment: str, student: str, notebook: str) -> nbformat.NotebookNode:
        return read_notebook(self.root / "autograded" / student / assignment / notebook)
