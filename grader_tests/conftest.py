"""Suite-wide settings for the kit's tests."""

import os

import pytest

# Each pytest-xdist worker gets one BLAS/torch thread: with three workers on two cores,
# more threads only fight each other (a tiny F.conv1d took 13 ms instead of 10 us).
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def pytest_configure(config):
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a pinned dependency
        return
    torch.set_num_threads(1)


def pytest_runtest_teardown(item):
    """Fail loudly where a test leaves torch's process-wide default dtype changed: the leak
    otherwise breaks whichever file the same worker runs next (this happened in CI)."""
    torch = __import__("sys").modules.get("torch")
    if torch is None or torch.get_default_dtype() == torch.float32:
        return
    if "_float64_default" in getattr(item, "fixturenames", ()):
        return  # a module-scoped fixture restores it after the module's last test
    leaked = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    raise AssertionError("%s left torch's default dtype at %s" % (item.nodeid, leaked))


# --------------------------------------------------------------------------- scheduling under xdist
# `make test` runs `pytest -n 3 --dist loadfile`. xdist hands each worker one work unit at a time,
# in the order below, and the tail decides the wall time: the worker that starts a 4-minute file
# last keeps the other one idle for minutes. xdist's own order is "most tests first" (the thousand
# cheap cases of test_units.py first, one-test end-to-end files last), so the kit's scheduler
# (pytest_xdist_make_scheduler below, used for --dist loadfile) changes two things:
#   - a file stays one unit (module- and class-scoped fixtures such as a graded class shared by a
#     file's tests are built once), except the files in SPREAD_OVER_WORKERS, whose tests share
#     nothing costly: they are dealt out test by test;
#   - units go out in collection order, which pytest_collection_modifyitems sorts heaviest first
#     (longest-processing-time-first scheduling) from HEAVIEST_FIRST; an unlisted file comes after
#     them (slow-marked files first), so a stale list costs balance, never coverage.
# (--dist loadgroup with xdist_group marks would say the same, but xdist 3.8 renames node ids
# through an attribute pytest 9 no longer reads, so its groups are silently ignored.)

#: Files whose tests are independent: each costly enough to be worth a worker of its own (one
#: JupyterLab + chromium per assignment), or 1,300 small cases (~185 s in all, none over 5 s)
#: that fill the workers evenly at the end.
SPREAD_OVER_WORKERS = frozenset({"test_browser_student.py", "test_units.py"})

#: Heaviest first, from the per-file sums of `pytest --durations=0` (stop 11, load 2-3; the browser
#: and capstone figures at load 1-5). Re-measure with benchmarks/suite_schedule.py when a file
#: changes much: the order only decides how evenly the workers finish.
HEAVIEST_FIRST = (
    "test_af_cnn_notebook.py",      # the capstone's graded class (trainings) and Validate
    "test_sequences_notebook.py",   # 06_sequences' graded class and Validate
    "test_browser_student.py",      # 180 s: one JupyterLab + chromium per assignment (spread)
    "test_units_notebooks.py",      # 81 s wall, 3 nbgrader processes at once: more processor time
    "test_browser_capstone.py",     # ~100 s: the capstone in the browser
    "test_grading_compare.py",      # 75 s: plain nbgrader beside coursekit on three courses
    "test_midterm_course.py",       # 53 s: a class of 30 autograded in one run
    "test_grading_adversarial.py",  # 52 s: 54 hostile submissions
    "test_grading_parallel.py",     # 27 s
    "test_cheating.py",             # 17 s
    "test_scaffold.py",             # 16 s
    "test_grading_postgres.py",     # 16 s
    "test_grading_adoption.py",     # 7 s
    "test_grading_adversarial_browser.py",
    "test_ecg_importers.py",
    "test_browser_formgrader.py",
    "test_grading_execute.py",
    "test_released_stubs.py",
    "test_ecg_build.py",
    "test_browser_practice.py",
    "test_grading_exports.py",
    "test_af_cnn_checks.py",
)


def _schedule_rank(item) -> tuple:
    name = item.path.name
    listed = HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else len(HEAVIEST_FIRST)
    slow = item.get_closest_marker("slow") is not None
    # an unlisted cheap spread file (test_units.py) fills the tail
    return (listed, not slow, name in SPREAD_OVER_WORKERS)


def pytest_collection_modifyitems(config, items):
    items.sort(key=_schedule_rank)  # stable: each file's own order is kept, files stay contiguous


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist; absent under -p no:xdist
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class KitScheduling(LoadFileScheduling):
        """--dist loadfile, in collection order, with SPREAD_OVER_WORKERS dealt out per test."""

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path.rsplit("/", 1)[-1] in SPREAD_OVER_WORKERS else path

    config.option.loadscopereorder = False  # keep the heaviest-first collection order
    return KitScheduling(config, log)
