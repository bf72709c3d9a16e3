"""The course on disk: its assignments, nbgrader run in its root, and ``release``.

The command line for these lives in :mod:`coursekit.assignment_cli` (this module imports no
command, so the midterm and the demo can use it without an import cycle).

``release`` regenerates ``release/`` from ``source/`` with nbgrader's own
``generate_assignment`` (one call per assignment, in the course root), so the released
stubs never drift from their solutions. The output is deterministic: the kit's tests
regenerate it and compare bytes with what is committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def assignments(root: Path) -> list[str]:
    """Assignment folders under ``source/`` that hold at least one notebook, in order."""
    source = root / "source"
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")) and not p.name.startswith("."))


def nbgrader(root: Path, *args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course root with this interpreter's nbgrader."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    if quiet:
        cmd.append("--log-level=WARN")
    # nbgrader shells out to `alembic` and `jupyter`: find them beside this interpreter even
    # when the virtual environment is not activated.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)


def release(root: Path, names: list[str] | None = None) -> int:
    names = names or assignments(root)
    failed = 0
    for name in names:
        result = nbgrader(root, "generate_assignment", name, "--force")
        if result.returncode != 0:
            failed += 1
            print("coursekit release: %s FAILED\n%s" % (name, (result.stdout + result.stderr)[-3000:]),
                  file=sys.stderr)
        else:
            # Validate's settings travel with the assignment (coursekit/validate_settings.py).
            from coursekit import validate_settings
            validate_settings.write(root, name)
            print("released %-20s -> release/%s/" % (name, name))
    return 1 if failed else 0
