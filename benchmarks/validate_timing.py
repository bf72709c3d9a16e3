"""Benchmark: what Validate costs a student, cell by cell, with nbgrader's default settings.

nbgrader's Validate (the toolbar button, ``nbgrader validate``) re-runs the notebook in a fresh
kernel with ``NBGRADER_EXECUTION=validate`` and, unless configured, stops any cell after 30 s.
A student whose JupyterLab starts outside the assignment folder has no configuration, so every
cell must fit 30 s. This script takes ``release/<id>/`` as handed out, pastes the source's
solutions into the answer cells (what a correct student submits), and

1. runs the notebook with nbclient in Validate's environment and nbgrader's 30 s limit, printing
   the wall-clock seconds of every cell that takes more than 0.5 s, the slowest cell and its
   margin to 30 s, and the kernel's processor seconds (load-independent);
2. runs ``nbgrader validate`` from the folder ABOVE the assignment with a fresh HOME (no
   ``nbgrader_config.py`` read: the usual exchange layout) and prints its verdict and wall time.

    python benchmarks/validate_timing.py [05_af_cnn] [--repeat 1]

The load average is printed next to each figure: other work on the machine slows wall time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NBGRADER_DEFAULT_TIMEOUT_S = 30
DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def correct_student_notebook(assignment: str, folder: Path) -> Path:
    """``release/<assignment>/`` copied into ``folder`` with the source's solutions pasted in."""
    target = folder / assignment
    shutil.copytree(ROOT / "release" / assignment, target, ignore=shutil.ignore_patterns("nbgrader_config.py"))
    (path,) = sorted(target.glob("*.ipynb"))
    source = nbformat.read(ROOT / "source" / assignment / path.name, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata["nbgrader"].get("solution"):
            cell.source = "\n".join(line for line in answers[grade_id].splitlines() if not DELIMITER.match(line))
    nbformat.write(nb, path)
    return path


def student_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "NBGRADER_", "COURSEKIT_"))}
    env.update(HOME=str(home), PATH="%s:%s" % (BIN, env.get("PATH", "/usr/bin:/bin")))
    return env


def time_cells(path: Path) -> None:
    """Run ``path`` as Validate does (its environment, 30 s per cell) and print per-cell figures."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in ("NBGRADER_EXECUTION", "NBGRADER_VALIDATING")}
    os.environ.update(NBGRADER_EXECUTION="validate", NBGRADER_VALIDATING="1")
    client = NotebookClient(nb, timeout=NBGRADER_DEFAULT_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}, allow_errors=True)
    load, started = os.getloadavg()[0], time.perf_counter()
    try:
        with client.setup_kernel():
            import psutil

            kernel = psutil.Process(client.km.provisioner.process.pid)
            for index, cell in enumerate(nb.cells):
                began = time.perf_counter()
                client.execute_cell(cell, index)
                cell.metadata["seconds"] = time.perf_counter() - began
            cpu = kernel.cpu_times()
            processor_s = cpu.user + cpu.system
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    total = time.perf_counter() - started
    errors = [(c.metadata.get("nbgrader", {}).get("grade_id"), o.get("ename")) for c in nb.cells
              if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    slowest = max(code, key=lambda c: c.metadata["seconds"])
    print("%s under Validate's settings (NBGRADER_EXECUTION=validate, %d s per cell), load average %.1f:"
          % (path.name, NBGRADER_DEFAULT_TIMEOUT_S, load))
    for cell in code:
        if cell.metadata["seconds"] > 0.5:
            print("  %-28s %6.1f s" % (cell.metadata.get("nbgrader", {}).get("grade_id", "?"), cell.metadata["seconds"]))
    print("  slowest cell %s: %.1f s, margin %.1f s to the %d s limit (%.1fx)" % (
        slowest.metadata.get("nbgrader", {}).get("grade_id"), slowest.metadata["seconds"],
        NBGRADER_DEFAULT_TIMEOUT_S - slowest.metadata["seconds"], NBGRADER_DEFAULT_TIMEOUT_S,
        NBGRADER_DEFAULT_TIMEOUT_S / slowest.metadata["seconds"]))
    print("  whole notebook %.1f s wall, kernel processor time %.1f s; errors: %s" % (total, processor_s, errors or "none"))
    for cell in code:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if "VALIDATE RUN" in line or line.startswith("trained "):
                    print("  says: " + line.strip()[:160] + (" ..." if len(line.strip()) > 160 else ""))


def cli_validate(path: Path, folder: Path) -> None:
    """``nbgrader validate <id>/<notebook>`` from the folder above, fresh HOME: default settings."""
    home = folder / "home"
    home.mkdir(exist_ok=True)
    relative = path.relative_to(folder)
    load, started = os.getloadavg()[0], time.perf_counter()
    result = subprocess.run([str(BIN / "nbgrader"), "validate", str(relative)], cwd=folder, env=student_env(home),
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    verdict = "passes" if "Success! Your notebook passes all the tests." in result.stdout else "FAILS"
    print("nbgrader validate %s from %s (no nbgrader_config.py, default 30 s per cell): %s, %.1f s wall, "
          "load average %.1f" % (relative, folder, verdict, seconds, load))
    if verdict == "FAILS":
        print(result.stdout[-3000:], result.stderr[-3000:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", nargs="?", default="05_af_cnn")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="validate-timing-") as tmp:
        folder = Path(tmp)
        path = correct_student_notebook(args.assignment, folder)
        for _ in range(args.repeat):
            time_cells(path)
            cli_validate(path, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
