"""A small foreign nbgrader course, one submission per way a sandbox can change a grade (issue 15).

The course is "less self-contained" than the kit's: its notebooks read shared data at
an absolute path outside the course, read a data folder from an environment variable,
overwrite one of their own files, write files next to themselves, run slowly after an
earlier timeout, and print to stderr in a test. Its ``nbgrader_config.py`` is an
ordinary one with the kit's preprocessors pasted in; :func:`make_course` writes it
with or without the sandbox settings that allow each of those.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coursekit.authoring import code, notebook, solution, tests  # noqa: E402

ASSIGNMENT = "ps1"
NOTEBOOK = "adoption"
VARIABLE = "ADOPTION_DATA"
BIN = Path(sys.executable).parent

#: Each student's answer cell (``def answer()`` returns 42 if it works) and any extra cell before the test.
CASES = {
    "correct": ("def answer():\n    return 42", None),
    "reads_shared_data": ("def answer():\n    with open(%(data)r) as handle:\n        return int(handle.read())",
                          None),
    "reads_environment": ("import os\n\ndef answer():\n    folder = os.environ[%(variable)r]\n"
                          "    with open(os.path.join(folder, 'value.txt')) as handle:\n        return int(handle.read())",
                          None),
    "overwrites_own_file": ("def answer():\n    with open('notes.txt', 'w') as handle:\n        handle.write('42')\n"
                            "    with open('notes.txt') as handle:\n        return int(handle.read())", None),
    "writes_side_effect": ("def answer():\n    with open('side_effect.txt', 'w') as handle:\n        handle.write('42')\n"
                           "    return 42", None),
    # the extra cell times out (4 s); the test then needs 3 s: nbgrader gives it the full 4 s.
    "slow_after_timeout": ("import time\n\ndef answer():\n    time.sleep(3)\n    return 42",
                           "while True:\n    pass"),
    "stderr_in_test": ("import sys\n\ndef answer():\n    print('DeprecationWarning: soon gone', file=sys.stderr)\n"
                       "    return 42", None),
}

BASE_CONFIG = '''c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "adoption"
c.Execute.timeout = 4
# the kit's preprocessors pasted into an ordinary course's configuration
c.Autograde.autograde_preprocessors = [
    "coursekit.preprocessors.InjectHiddenChecks",
    "coursekit.execute.GradingExecute",
    "coursekit.preprocessors.ScoreHiddenChecks",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.GradingExecute.timeout_after_timeout = 2
'''

ALLOWING = '''
# what this course needs, stated for coursekit grade (docs/grading.md, "Switching ...")
c.SandboxedKernelManager.readonly_paths = [%(shared)r]
c.SandboxedKernelManager.pass_environment = [%(variable)r]
c.SandboxedKernelManager.writable_submission = True
c.GradingExecute.timeout_after_timeout = 0
c.ScoreHiddenChecks.stderr_fails_cell = True
'''

#: The differences ``--compare`` must report on the course without the settings: student -> event.
EXPECTED_DIFFERENCES = {"reads_shared_data": "outside_sandbox", "reads_environment": "missing_environment",
                        "overwrites_own_file": "read_only_write", "slow_after_timeout": "shortened_timeout",
                        "stderr_in_test": "stderr_kept"}


def environment(shared: Path) -> dict:
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")),
               PYTHONPATH=os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p))
    env[VARIABLE] = str(shared)
    env.pop("JUPYTER_CONFIG_DIR", None)
    env.pop("COURSEKIT_SECRET", None)
    return env


def make_shared_data(base: Path) -> Path:
    """Course data outside the course folder (as /srv/course-data would be)."""
    shared = base / "shared-data"
    shared.mkdir(parents=True)
    (shared / "value.txt").write_text("42")
    os.chmod(base, 0o755)
    return shared


def course_config(shared: Path, allowing: bool) -> str:
    """The course's nbgrader_config.py, with or without the settings that allow each case."""
    return BASE_CONFIG + (ALLOWING % {"shared": str(shared), "variable": VARIABLE} if allowing else "")


def make_course(root: Path, shared: Path, allowing: bool) -> Path:
    """Write, release and fill the course (one submission per case) at ``root``."""
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(course_config(shared, allowing))
    source = notebook([
        code("import os"),
        solution("def answer():\n    ### BEGIN SOLUTION\n    return 42\n    ### END SOLUTION", "answer"),
        tests('"""answer() returns 42."""\nassert answer() == 42', "test_answer", points=1),
    ])
    nbformat.write(source, str(root / "source" / ASSIGNMENT / (NOTEBOOK + ".ipynb")))
    (root / "source" / ASSIGNMENT / "notes.txt").write_text("the student's notes\n")
    env = environment(shared)
    result = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=root,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    release = nbformat.read(str(root / "release" / ASSIGNMENT / (NOTEBOOK + ".ipynb")), as_version=4)
    for student, (answer, extra) in CASES.items():
        folder = root / "submitted" / student / ASSIGNMENT
        shutil.copytree(root / "release" / ASSIGNMENT, folder)
        nb = nbformat.reads(nbformat.writes(release), as_version=4)
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "answer":
                cell.source = answer % {"data": str(shared / "value.txt"), "variable": VARIABLE}
        if extra:
            index = next(i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade"))
            nb.cells.insert(index, nbformat.v4.new_code_cell(extra))
        nbformat.write(nb, str(folder / (NOTEBOOK + ".ipynb")))
    return root
