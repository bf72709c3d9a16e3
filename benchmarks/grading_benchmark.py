"""Benchmark: grading one class with plain ``nbgrader autograde`` and with ``coursekit grade``.

Not a test: run it by hand (it takes minutes) on an otherwise idle machine::

    .venv/bin/python benchmarks/grading_benchmark.py --students 40 --repeats 3

It builds a throw-away course from the grading-test assignment
(``grader_tests/fixtures/grading_course``: three small functions with hidden tests and a
data file) and a *trivial* assignment (one function, one test), with ``--students``
submissions each (a quarter of them with a wrong answer), then grades the same class,
side by side in each repeat (the order alternates), with

- ``nbgrader``: plain ``nbgrader autograde --force``, with nbgrader's own ``Execute``
  (no sandbox, one submission after the other), the kit's other preprocessors unchanged;
- ``nbgrader+sandbox``: ``nbgrader autograde --force`` with the kit's configuration
  (``GradingExecute``, sandboxed kernels), still one submission after the other;
- ``coursekit``: ``coursekit grade --force``: sandboxed, one Dask worker per core.

It prints the median wall time of each, the ratios, the per-submission overhead of the
trivial assignment, and the time a sandboxed kernel needs to start and to import torch.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "grader_tests"))

import nbformat  # noqa: E402

from adversarial.course import CORRECT, FIXTURE, SECRET, answered  # noqa: E402
from coursekit.authoring import notebook, solution, tests  # noqa: E402

BIN = Path(sys.executable).parent
WRONG = {"relu": 'def relu(x):\n    """Wrong."""\n    return x * 0 + 7.0'}
STOCK_EXECUTE = '''
# benchmark: nbgrader's own Execute (no sandbox), everything else as configured above
c.Autograde.autograde_preprocessors = [p if p != "coursekit.execute.GradingExecute"
                                       else "nbgrader.preprocessors.Execute"
                                       for p in c.Autograde.autograde_preprocessors]
'''


def environment() -> dict:
    env = dict(os.environ, COURSEKIT_SECRET=SECRET, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")),
               PYTHONPATH=str(ROOT))
    env.pop("JUPYTER_CONFIG_DIR", None)
    return env


def run(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError("%s failed:\n%s\n%s" % (" ".join(command), result.stdout[-2000:], result.stderr[-4000:]))
    return seconds


def build_course(base: Path, students: int) -> Path:
    root = base / "pristine"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", "fixture_config.py"))
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text()
                                             + '\nc.CourseDirectory.course_id = "benchmark"\n')
    trivial = notebook([
        solution('def answer():\n    """The answer."""\n    ### BEGIN SOLUTION\n    return 42\n    ### END SOLUTION',
                 "answer"),
        tests('"""answer() returns 42."""\nassert answer() == 42', "test_answer", points=1),
    ])
    (root / "source" / "trivial").mkdir(parents=True)
    nbformat.write(trivial, str(root / "source" / "trivial" / "trivial.ipynb"))
    for assignment in ("fixture", "trivial"):
        run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], root)
    release = nbformat.read(str(root / "release" / "fixture" / "functions.ipynb"), as_version=4)
    trivial_release = nbformat.read(str(root / "release" / "trivial" / "trivial.ipynb"), as_version=4)
    for i in range(students):
        student = "student%03d" % i
        folder = root / "submitted" / student / "fixture"
        shutil.copytree(root / "release" / "fixture", folder)
        nbformat.write(answered(release, **(WRONG if i % 4 == 3 else {})), str(folder / "functions.ipynb"))
        folder = root / "submitted" / student / "trivial"
        folder.mkdir(parents=True)
        for cell in trivial_release.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer":
                cell.source = 'def answer():\n    return 42'
        nbformat.write(trivial_release, str(folder / "trivial.ipynb"))
    return root


def fresh_copy(pristine: Path, base: Path, name: str, stock_execute: bool = False) -> Path:
    root = base / name
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(pristine, root, symlinks=True)
    if stock_execute:
        with open(root / "nbgrader_config.py", "a") as handle:
            handle.write(STOCK_EXECUTE)
    return root


def grade(mode: str, pristine: Path, base: Path, assignment: str, workers: int | None) -> float:
    root = fresh_copy(pristine, base, "run-" + mode, stock_execute=(mode == "nbgrader"))
    if mode in ("nbgrader", "nbgrader+sandbox"):
        return run([str(BIN / "nbgrader"), "autograde", assignment, "--force"], root)
    command = [sys.executable, "-m", "coursekit.cli", "grade", assignment, "--root", str(root), "--force",
               "--no-progress"]
    if workers is not None:
        command += ["--workers", str(workers)]
    return run(command, ROOT)


async def _kernel_times(sandboxed: bool) -> tuple[float, float]:
    from jupyter_client.manager import AsyncKernelManager

    from coursekit.sandbox import SandboxedKernelManager
    manager = (SandboxedKernelManager if sandboxed else AsyncKernelManager)(kernel_name="python3")
    workdir = tempfile.mkdtemp()
    os.chmod(workdir, 0o755)
    started = time.perf_counter()
    await manager.start_kernel(cwd=workdir)
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=120)
    ready = time.perf_counter() - started
    seconds = []
    reply = await client.execute_interactive(
        "import time as _t; _s = _t.perf_counter(); import torch; print(_t.perf_counter() - _s)",
        timeout=300, output_hook=lambda msg: seconds.append(msg["content"].get("text", ""))
        if msg["msg_type"] == "stream" else None)
    client.stop_channels()
    await manager.shutdown_kernel(now=True)
    shutil.rmtree(workdir, ignore_errors=True)
    assert reply["content"]["status"] == "ok", reply
    return ready, float("".join(seconds).strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="coursekit grade workers (default: cores)")
    parser.add_argument("--skip-sandboxed-nbgrader", action="store_true",
                        help="leave out the nbgrader+sandbox baseline (saves a third of the time)")
    parser.add_argument("--json", help="also write the raw timings here")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="coursekit-benchmark-"))
    times: dict[str, list[float]] = {}
    try:
        print("building a class of %d submissions per assignment in %s ..." % (args.students, base), flush=True)
        pristine = build_course(base, args.students)
        modes = ["nbgrader", "coursekit"] + ([] if args.skip_sandboxed_nbgrader else ["nbgrader+sandbox"])
        for repeat in range(args.repeats):
            order = modes if repeat % 2 == 0 else list(reversed(modes))
            for assignment in ("fixture", "trivial"):
                for mode in order:
                    seconds = grade(mode, pristine, base, assignment, args.workers)
                    times.setdefault("%s/%s" % (assignment, mode), []).append(seconds)
                    print("  repeat %d %-8s %-17s %6.1f s" % (repeat + 1, assignment, mode, seconds), flush=True)
        kernel = {"sandboxed": [], "plain": []}
        for _ in range(max(3, args.repeats)):
            for kind in ("sandboxed", "plain"):
                kernel[kind].append(asyncio.run(_kernel_times(kind == "sandboxed")))
    finally:
        shutil.rmtree(base, ignore_errors=True)

    median = {key: statistics.median(values) for key, values in times.items()}
    print("\nmedians over %d repeats, %d submissions, %d cores:" % (args.repeats, args.students, os.cpu_count()))
    for key in sorted(median):
        print("  %-28s %7.1f s  (%.2f s per submission)" % (key, median[key], median[key] / args.students))
    for assignment in ("fixture", "trivial"):
        plain, ours = median["%s/nbgrader" % assignment], median["%s/coursekit" % assignment]
        line = "  %s: coursekit grade is %.2fx faster than plain nbgrader autograde" % (assignment, plain / ours)
        if "%s/nbgrader+sandbox" % assignment in median:
            line += ", %.2fx faster than nbgrader with the kit's sandbox" % (
                median["%s/nbgrader+sandbox" % assignment] / ours)
        print(line)
    print("  per-submission overhead, trivial notebook, coursekit grade: %.2f s"
          % (median["trivial/coursekit"] / args.students))
    for kind in ("sandboxed", "plain"):
        ready = statistics.median(t[0] for t in kernel[kind])
        torch = statistics.median(t[1] for t in kernel[kind])
        print("  %-9s kernel: ready in %.2f s, `import torch` %.2f s (medians of %d)"
              % (kind, ready, torch, len(kernel[kind])))
    if args.json:
        Path(args.json).write_text(json.dumps({"times": times, "kernel": kernel, "students": args.students,
                                               "cores": os.cpu_count()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
