"""Benchmark: how `make test`'s workers would finish, from one `pytest --durations=0` log.

`make test` runs `pytest -n 3 --dist loadfile`: each worker takes one work unit at a time (a whole
test file, or one test of the files in ``SPREAD_OVER_WORKERS``) and gets the next when at most two
of its tests are left, as pytest-xdist's LoadFile scheduling does. The wall time is the later of
the workers' finishing times. This script replays that on the per-test durations of a log and
prints, side by side:

- xdist's own order (files with the most tests first: what `--dist loadfile` did before the kit's
  scheduler in grader_tests/conftest.py), and
- the kit's order (``HEAVIEST_FIRST``, spread files dealt out per test),

with the per-file sums, heaviest first, so that ``HEAVIEST_FIRST`` can be re-measured:

    .venv/bin/python -m pytest -p no:xdist -q --durations=0 grader_tests > durations.log
    .venv/bin/python benchmarks/suite_schedule.py durations.log [--top 25]

Durations from a loaded machine are inflated but their ratios still order the files. A test that
timed out or failed costs what it cost in the log: read the figures with the log's failures in mind.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^([0-9.]+)s (setup|call|teardown) +(\S+)")


def read_durations(path: Path) -> dict[str, float]:
    """{test node id: setup + call + teardown seconds}, in the log's order."""
    durations: dict[str, float] = {}
    for line in path.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if match:
            nodeid = match.group(3)
            durations[nodeid] = durations.get(nodeid, 0.0) + float(match.group(1))
    return durations


def kit_schedule():
    """HEAVIEST_FIRST and SPREAD_OVER_WORKERS as grader_tests/conftest.py states them."""
    spec = importlib.util.spec_from_file_location("kit_conftest", ROOT / "grader_tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.HEAVIEST_FIRST, module.SPREAD_OVER_WORKERS


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def replay(units: list[list[str]], durations: dict[str, float], workers: int = 2) -> list[float]:
    """Finishing time of each worker: a unit goes to a worker when at most 2 of its tests are left."""
    queue = list(units)
    state = [[0.0, []] for _ in range(workers)]  # [clock, pending tests]
    for worker in state:
        if queue:
            worker[1].extend(queue.pop(0))
    for worker in state:
        if queue and len(worker[1]) <= 2:
            worker[1].extend(queue.pop(0))
    while any(worker[1] for worker in state):
        worker = min((w for w in state if w[1]), key=lambda w: w[0])
        worker[0] += durations[worker[1].pop(0)]
        if queue and len(worker[1]) <= 2:
            worker[1].extend(queue.pop(0))
    return [worker[0] for worker in state]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="output of pytest --durations=0")
    parser.add_argument("--top", type=int, default=25, help="files to list (heaviest first)")
    parser.add_argument("--workers", type=int, default=3, help="xdist workers to replay (make test: 3)")
    args = parser.parse_args(argv)
    durations = read_durations(args.log)
    if not durations:
        print("no '--durations=0' lines in %s" % args.log, file=sys.stderr)
        return 2
    heaviest, spread = kit_schedule()
    by_file: dict[str, list[str]] = collections.OrderedDict()
    for nodeid in sorted(durations, key=file_of):  # collection order: files alphabetically
        by_file.setdefault(file_of(nodeid), []).append(nodeid)

    sums = sorted(((sum(durations[t] for t in tests), name, len(tests)) for name, tests in by_file.items()),
                  reverse=True)
    total = sum(durations.values())
    print("%d tests, %.0f s in all (%.0f s per worker if perfectly balanced)"
          % (len(durations), total, total / args.workers))
    print("\nper file, heaviest first (seconds, tests, position in HEAVIEST_FIRST):")
    for seconds, name, count in sums[:args.top]:
        base = name.rsplit("/", 1)[-1]
        where = heaviest.index(base) + 1 if base in heaviest else "-"
        print("  %7.1f  %5d  %3s  %s%s" % (seconds, count, where, name, "  (spread)" if base in spread else ""))

    xdist_order = sorted(by_file.values(), key=lambda tests: -len(tests))  # xdist: most tests first
    def rank(name):
        base = name.rsplit("/", 1)[-1]
        return (heaviest.index(base) if base in heaviest else len(heaviest), base in spread)
    kit_units = []
    for name in sorted(by_file, key=rank):
        tests = by_file[name]
        kit_units.extend([[t] for t in tests] if name.rsplit("/", 1)[-1] in spread else [tests])
    print("\nreplayed on %d workers (finishing times, s):" % args.workers)
    for label, units in (("xdist order, files whole", xdist_order), ("kit order, spread files per test", kit_units)):
        ends = replay(units, durations, args.workers)
        print("  %-34s %s   wall %7.0f" % (label, " ".join("%7.0f" % end for end in ends), max(ends)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
