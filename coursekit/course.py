"""The course on disk: its assignments, nbgrader run in its root, and ``release``.

The command line for these lives in :mod:`coursekit.assignment_cli` (this module imports no
command, so the midterm and the demo can use it without an import cycle).

``release`` regenerates ``release/`` from ``source/`` with nbgrader's own
``generate_assignment`` (one call per assignment, in the course root), so the released
stubs never drift from their solutions. The output is deterministic: the kit's tests
regenerate it and compare bytes with what is committed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def assignments(root: Path) -> list[str]:
    """Assignment folders under ``source/`` that hold at least one notebook, in order."""
    source = root / "source"
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")) and not p.name.startswith("."))


def tool_env() -> dict:
    """This environment with the interpreter's folder first on PATH: nbgrader shells out to
    ``alembic`` and ``jupyter``, found beside this interpreter even when the virtual environment
    is not activated."""
    return dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


def nbgrader(root: Path, *args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root with this interpreter's nbgrader."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    if quiet:
        cmd.append("--log-level=WARN")
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=tool_env())


#: Runs ``generate_assignment`` for every name on the command line in ONE process (course root
#: as working directory, the course's nbgrader_config.py): importing nbgrader costs 3 s of
#: processor time, once per assignment with one command each (3.5 minutes for eight on a
#: loaded two-core machine, most of `make demo`). One JSON line per assignment.
_GENERATE = r"""
import json, sys
from nbgrader.apps import NbGraderAPI
from nbgrader.apps.baseapp import NbGrader
app = NbGrader()
app.load_config_file()
api = NbGraderAPI(config=app.config)
for name in sys.argv[1:]:
    result = api.generate_assignment(name, force=True)
    print(json.dumps({"name": name, "success": bool(result["success"]),
                      "log": (result.get("log") or "") + (result.get("error") or "")}), flush=True)
"""


def _generate(root: Path, names: list[str]) -> dict[str, tuple[bool, str]]:
    result = subprocess.run([sys.executable, "-c", _GENERATE, *names], cwd=root, capture_output=True,
                            text=True, env=tool_env())
    outcome = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            outcome[entry["name"]] = (entry["success"], entry["log"])
    for name in names:  # the process died before reaching it
        outcome.setdefault(name, (False, (result.stdout + result.stderr)[-3000:]))
    return outcome


#: What nbgrader says when a release would change the cells of a notebook that has submissions.
_CELLS_LOCKED = "Cannot add or remove cells"


def _explain(name: str, log: str) -> str:
    """nbgrader's log of a failed release, shortened, with what the instructor can do."""
    locked = [line.strip() for line in log.splitlines() if _CELLS_LOCKED in line]
    text = "coursekit release: %s FAILED; release/%s/ was left as it was before.\n%s" % (
        name, name, locked[-1] if locked else log[-3000:])
    if locked:
        text += ("\nThe gradebook holds submissions of %s, and nbgrader refuses to add or remove graded cells\n"
                 "once students have submitted (their scores would no longer match the notebook). Change the\n"
                 "cells' text only, or release the changed notebook as a new assignment." % name)
    return text


def release(root: Path, names: list[str] | None = None) -> int:
    """Regenerate ``release/<name>/`` for every name (every assignment by default); 1 if any failed.

    nbgrader's ``generate_assignment --force`` deletes the old release folder before it
    converts, and a failed conversion (for example cells changed after students submitted)
    would leave none at all: each old folder is kept aside and put back when its release fails.
    """
    names = names or assignments(root)
    failed = 0
    with tempfile.TemporaryDirectory(prefix=".release-backup-", dir=root) as backup:
        for name in names:
            if (root / "release" / name).is_dir():
                shutil.copytree(root / "release" / name, Path(backup) / name, symlinks=True)
        outcome = _generate(root, names)
        for name in names:
            success, log = outcome[name]
            if not success:
                failed += 1
                target = root / "release" / name
                if (Path(backup) / name).is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                    shutil.move(str(Path(backup) / name), str(target))
                print(_explain(name, log), file=sys.stderr)
            else:
                # Validate's settings travel with the assignment (coursekit/validate_settings.py).
                from coursekit import validate_settings
                validate_settings.write(root, name)
                print("released %-20s -> release/%s/" % (name, name))
    return 1 if failed else 0
