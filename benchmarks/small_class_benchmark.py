"""Benchmark: one or two submissions, plain ``nbgrader autograde`` against ``coursekit grade``, side by side.

A class this small cannot pay for a Dask cluster's start, so ``coursekit grade`` grades a
single submission in its own process and starts workers only for more (never more than
there are submissions). This script checks the promise "no slower than plain nbgrader"
(issue 15). Run it by hand on an otherwise idle machine::

    .venv/bin/python benchmarks/small_class_benchmark.py --repeats 5

For 1 and 2 submissions of the grading-test assignment and of the trivial one-cell
assignment (``grading_benchmark.py`` builds both), it times, alternating the order per repeat,

- ``nbgrader``: ``nbgrader autograde --force`` with nbgrader's own ``Execute`` (no sandbox);
- ``coursekit``: ``coursekit grade --force`` with its default choice of workers;
- ``coursekit-2-workers``: ``coursekit grade --force --workers 2`` (a two-process Dask
  cluster, what it did before for any class), to show what a cluster costs here;

and prints the medians and the ratio to plain nbgrader (above 1: coursekit is faster).

Wall time on a shared machine mostly measures the other work on it. Where cgroup v1's
``cpuacct`` controller is writable (root), each run also goes into a cgroup of its own
and the script reports the processor time of every process it started, sandboxed kernels
included: a figure the machine's load hardly changes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading_benchmark import BIN, ROOT, build_course, environment, fresh_copy  # noqa: E402

MODES = ("nbgrader", "coursekit", "coursekit-2-workers")
CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def run(command: list[str], cwd: Path) -> tuple[float, float | None]:
    """Wall seconds, and processor seconds of the whole process tree (None without cpuacct)."""
    group = CPUACCT / ("coursekit-benchmark-%d" % os.getpid())
    try:
        group.mkdir()
    except OSError:
        group = None

    def enter_group():
        if group is not None:
            (group / "cgroup.procs").write_text(str(os.getpid()))

    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True,
                            preexec_fn=enter_group)
    seconds = time.perf_counter() - started
    cpu = None
    if group is not None:
        for _ in range(100):  # killed kernels leave the group a moment later
            if not (group / "cgroup.procs").read_text().strip():
                break
            time.sleep(0.05)
        cpu = int((group / "cpuacct.usage").read_text()) / 1e9
        group.rmdir()
    if result.returncode != 0:
        raise RuntimeError("%s failed:\n%s\n%s" % (" ".join(command), result.stdout[-2000:], result.stderr[-4000:]))
    return seconds, cpu


def grade(mode: str, pristine: Path, base: Path, assignment: str) -> tuple[float, float | None]:
    root = fresh_copy(pristine, base, "run-" + mode, stock_execute=(mode == "nbgrader"))
    if mode == "nbgrader":
        return run([str(BIN / "nbgrader"), "autograde", assignment, "--force"], root)
    command = [sys.executable, "-m", "coursekit.cli", "grade", assignment, "--root", str(root), "--force",
               "--no-progress"] + (["--workers", "2"] if mode == "coursekit-2-workers" else [])
    return run(command, ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--assignments", nargs="+", default=["fixture", "trivial"], choices=["fixture", "trivial"])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="coursekit-small-benchmark-"))
    times: dict[tuple, list[float]] = {}
    cpu: dict[tuple, list[float]] = {}
    try:
        for size in args.sizes:
            pristine = build_course(base / ("class-%d" % size), size)
            for repeat in range(args.repeats):
                order = args.modes if repeat % 2 == 0 else list(reversed(args.modes))
                for assignment in args.assignments:
                    for mode in order:
                        seconds, processor = grade(mode, pristine, base, assignment)
                        times.setdefault((size, assignment, mode), []).append(seconds)
                        if processor is not None:
                            cpu.setdefault((size, assignment, mode), []).append(processor)
                        print("  %d submission(s) repeat %d %-8s %-20s %6.2f s wall %s"
                              % (size, repeat + 1, assignment, mode, seconds,
                                 "" if processor is None else "%6.2f s processor" % processor), flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("\nmedians of %d repeats on %d cores (load average at the end: %.1f):"
          % (args.repeats, os.cpu_count(), os.getloadavg()[0]))
    print("  %-12s %-9s %10s %10s %14s %14s" % ("submissions", "assignment", "nbgrader", "coursekit",
                                                 "nbgrader/ck", "2 workers"))
    for size in args.sizes:
        for assignment in args.assignments:
            plain, ours, cluster = (statistics.median(times.get((size, assignment, m), [float("nan")])) for m in MODES)
            print("  %-12d %-9s %9.2fs %9.2fs %13.2fx %13.2fs" % (size, assignment, plain, ours, plain / ours,
                                                                  cluster))
    if cpu:
        print("processor time of all processes (sandboxed kernels included), medians:")
        for size in args.sizes:
            for assignment in args.assignments:
                plain, ours, cluster = (statistics.median(cpu.get((size, assignment, m), [float("nan")]))
                                        for m in MODES)
                print("  %-12d %-9s %9.2fs %9.2fs %13.2fx %13.2fs" % (size, assignment, plain, ours, plain / ours,
                                                                      cluster))
    return 0


if __name__ == "__main__":
    sys.exit(main())
