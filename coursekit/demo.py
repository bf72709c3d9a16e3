"""``coursekit demo``: a simulated class, released, submitted, graded and exported.

The class is built from what the kit already knows, so it grows with the course:

- ``correct``: the source notebook's solutions (delimiters removed), written answers included;
- ``partly wrong``: one to three wrong implementations from the mutant catalogues
  (``reference/<topic>/wrong.py``), the mistakes students really make;
- ``untouched stub``: the released notebook as downloaded;
- ``noisy but correct``: correct, but prints warnings to stderr (costs nothing);
- ``cheater``: delegates to ``reference/`` or fakes a result (earns no hidden points).

Roles are drawn per student and assignment from a fixed seed, so the demo is repeatable.
Students are called ``demo-<name>``; ``make clean`` removes them.

Time (``make demo`` under 5 minutes on two cores; ``coursekit demo --full`` grades everything in full):

- an assignment whose grading trains a network (a locked cell with its own limit in
  ``GradingExecute.locked_cell_timeouts``: the capstone, 06's K-fold) gets one student per
  distinct role (:data:`EXPENSIVE_ROLES`), not the whole class: each capstone submission trains
  for about a minute of processor time, and the whole class took 15-20 minutes;
- there, only the correct and noisy students train their final model in full: the partly wrong
  student and the cheater chose a one-epoch final training (their notebooks say ``epochs=1``;
  their grades are what grading that notebook gives, nothing is faked);
- assignments are graded side by side (:data:`PARALLEL` ``coursekit grade`` runs at once, the
  longest first), feedback is written by the grading workers (``coursekit grade --feedback``)
  and the instructor reports in this process while the others grade.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np

from coursekit.course import assignments, tool_env
from coursekit.preprocessors import directives

NAMES = ["ada", "alan", "barbara", "claude", "dorothy", "edsger", "frances", "grace", "hedy", "john",
         "katherine", "ken", "margaret", "niklaus", "radia", "shafi", "tim", "yoshua"]
ROLES = ["correct", "partly wrong", "partly wrong", "untouched stub", "noisy but correct", "cheater"]
#: One student per distinct role on an assignment that trains networks (unless ``full``); the
#: two who train in full come first, so that ``coursekit grade`` (which takes submissions in name
#: order) starts the long gradings first and the short ones fill in behind them.
EXPENSIVE_ROLES = ["correct", "noisy but correct", "partly wrong", "untouched stub", "cheater"]
#: Roles that train their final model in full on such an assignment; the others train one epoch.
TRAIN_IN_FULL = ("correct", "noisy but correct")
#: ``coursekit grade`` runs at once: the capstone's training is single-threaded, and a second
#: grading keeps the other core busy meanwhile (each run uses up to one worker per core).
PARALLEL = 2
#: A final configuration's epochs in an answer cell (``epochs=16,``, ``dict(epochs=25, ...)``).
_EPOCHS = re.compile(r"\bepochs=\d+")

CHEATS = {
    # Delegates to the reference solution: works on the grader's disk, not in the sandbox.
    "imports_reference": (
        "def {fn}(*args, **kwargs):\n"
        "    import importlib, sys\n"
        "    for up in ('.', '..', '../..', '../../..', '/work/main', '/course'):\n"
        "        sys.path.insert(0, up)\n"
        "    return getattr(importlib.import_module('reference.{topic}.solution'), '{fn}')(*args, **kwargs)\n"),
    # Prints what a passing grade looks like and patches the test helpers.
    "fakes_results": (
        "import numpy.testing\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "numpy.testing.assert_array_equal = lambda *a, **k: None\n"
        "def {fn}(*args, **kwargs):\n"
        "    print('All hidden tests passed: 100%')\n"
        "    return 0\n"),
}


def _strip_solution(source: str) -> str:
    lines = [l for l in source.splitlines() if "### BEGIN SOLUTION" not in l and "### END SOLUTION" not in l]
    return "\n".join(lines)


def _strip_mark_scheme(source: str) -> str:
    return re.sub(r"### BEGIN MARK SCHEME.*?### END MARK SCHEME\n?", "", source, flags=re.S).strip()


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _answer_cells(nb) -> dict[str, nbformat.NotebookNode]:
    return {_meta(c)["grade_id"]: c for c in nb.cells if _meta(c).get("solution")}


def _function_cell(nb, function: str) -> str | None:
    for cell in nb.cells:
        if _meta(cell).get("solution") and cell.cell_type == "code" and ("def %s(" % function) in cell.source:
            return _meta(cell)["grade_id"]
    return None


def _mutants_for(root: Path, source_nb) -> list:
    """Catalogued mutants (each unit's ``wrong.py``) whose check this notebook runs."""
    from coursekit.registry import units, use_course

    check_ids = {cid for c in source_nb.cells for cid in directives(c.source)}
    topics = {cid.split(".")[0] for cid in check_ids}
    use_course(root)
    found = []
    for unit in units():
        if unit.topic in topics:
            found += [m for m in unit.load_wrong() if m.check in check_ids]
    return found


def build_submission(role: str, release_nb, source_nb, rng: np.random.Generator, root: Path):
    """A student's notebook for ``role`` (see the module docstring)."""
    nb = copy.deepcopy(release_nb)
    if role == "untouched stub":
        return nb, "submitted the released notebook untouched"
    solutions = _answer_cells(source_nb)
    for grade_id, cell in _answer_cells(nb).items():
        if grade_id in solutions:
            answer = solutions[grade_id].source
            cell.source = _strip_solution(answer) if cell.cell_type == "code" else _strip_mark_scheme(answer)
    note = "completed every answer"
    if role == "noisy but correct":
        for cell in nb.cells:
            if _meta(cell).get("solution") and cell.cell_type == "code":
                cell.source = "import warnings\nwarnings.warn('demo: a harmless warning on stderr')\n" + cell.source
                break
        note = "correct, with warnings on stderr"
    elif role in ("partly wrong", "cheater"):
        from coursekit.registry import get_check
        mutants = _mutants_for(root, source_nb)
        if role == "partly wrong" and mutants:
            picked = [mutants[i] for i in rng.choice(len(mutants), size=min(len(mutants), int(rng.integers(1, 4))),
                                                     replace=False)]
            applied = []
            for mutant in picked:
                cell_id = _function_cell(nb, get_check(mutant.check).function)
                if cell_id:
                    _answer_cells(nb)[cell_id].source = mutant.source.strip()
                    applied.append(mutant.name)
            note = "mistakes: " + ", ".join(applied) if applied else note
        elif role == "cheater":
            check_ids = [cid for c in source_nb.cells for cid in directives(c.source)]
            check = get_check(check_ids[int(rng.integers(len(check_ids)))]) if check_ids else None
            cell_id = _function_cell(nb, check.function) if check else None
            if cell_id:
                kind = sorted(CHEATS)[int(rng.integers(len(CHEATS)))]
                _answer_cells(nb)[cell_id].source = CHEATS[kind].format(fn=check.function,
                                                                          topic=check.id.split(".")[0])
                note = "cheats on %s(): %s" % (check.function, kind)
    return nb, note


def short_final_training(nb) -> bool:
    """Set the final training of ``nb`` to one epoch (``epochs=N`` -> ``epochs=1`` in answer cells
    whose grade_id names the final model); True if some cell said ``epochs=``."""
    changed = False
    for cell in nb.cells:
        meta = _meta(cell)
        if meta.get("solution") and cell.cell_type == "code" and "final" in meta.get("grade_id", "") \
                and _EPOCHS.search(cell.source):
            cell.source = _EPOCHS.sub("epochs=1", cell.source)
            changed = True
    return changed


def trains_networks(root: Path, assignment: str) -> bool:
    """Whether grading ``assignment`` trains a network: one of its locked cells has its own,
    longer limit in the course's ``GradingExecute.locked_cell_timeouts``."""
    from coursekit.validate_settings import grader_limits

    _, special = grader_limits(root)
    return any(_meta(c).get("grade_id") in special for p in sorted((root / "release" / assignment).glob("*.ipynb"))
               for c in nbformat.read(p, as_version=4).cells)


def simulate_class(root: Path, students: int, seed: int = 2026,
                   full: bool = False) -> list[tuple[str, str, str, str]]:
    """Write submissions into ``submitted/``; returns (student, assignment, role, note) rows.

    An assignment that trains networks gets the first ``len(EXPENSIVE_ROLES)`` students (one per
    distinct role), and only the roles in ``TRAIN_IN_FULL`` train their final model in full there,
    unless ``full``."""
    rng = np.random.default_rng(seed)
    names = ["demo-%s" % n for n in NAMES[:students]] + ["demo-student%02d" % i for i in range(len(NAMES), students)]
    rows = []
    for assignment in assignments(root):
        if assignment.startswith("midterm"):
            continue  # per-student exam notebooks: simulated in grader_tests/test_midterm_course.py
        release_dir = root / "release" / assignment
        notebooks = sorted(release_dir.glob("*.ipynb"))
        if not notebooks or not any(_meta(c).get("grade") for p in notebooks
                                    for c in nbformat.read(p, as_version=4).cells):
            continue  # nothing to grade (e.g. the practice notebook)
        expensive = not full and trains_networks(root, assignment)
        roles = EXPENSIVE_ROLES if expensive else ROLES
        for i, student in enumerate(names[:len(roles)] if expensive else names):
            # The first students cover every role once, the rest are drawn at random.
            role = roles[i] if i < len(roles) else ROLES[int(rng.integers(len(ROLES)))]
            folder = root / "submitted" / student / assignment
            if folder.exists():
                shutil.rmtree(folder)
            shutil.copytree(release_dir, folder)
            notes = []
            for path in notebooks:
                source_nb = nbformat.read(root / "source" / assignment / path.name, as_version=4)
                nb, note = build_submission(role, nbformat.read(path, as_version=4), source_nb, rng, root)
                if expensive and role not in TRAIN_IN_FULL and role != "untouched stub" and short_final_training(nb):
                    note += "; final model trained for 1 epoch"
                nbformat.write(nb, folder / path.name)
                notes.append(note)
            rows.append((student, assignment, role, "; ".join(notes)))
    return rows


def _grading_commands(root: Path, assignment: str, grader: str) -> list[list[str]]:
    """The commands that grade ``assignment`` and write its feedback, run one after the other."""
    if grader == "coursekit":
        # --feedback: the grading workers write each student's feedback (no second pass later)
        return [[sys.executable, "-m", "coursekit.cli", "grade", assignment, "--feedback", "--no-progress"]]
    nbgrader_cmd = [sys.executable, "-m", "nbgrader"]
    return [nbgrader_cmd + ["autograde", assignment, "--force", "--log-level=WARN"],
            nbgrader_cmd + ["generate_feedback", assignment, "--force", "--log-level=WARN"]]


class _Grading:
    """One assignment's grading (and feedback) as a background process; output to its log,
    ``.coursekit/demo/grade-<assignment>.log``."""

    def __init__(self, root: Path, assignment: str, grader: str):
        self.root, self.assignment, self.started = root, assignment, time.perf_counter()
        self.commands = _grading_commands(root, assignment, grader)
        self.log = root / ".coursekit" / "demo" / ("grade-%s.log" % assignment)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.log.open("w")
        self.process, self.failed = None, False
        self._next()

    def _next(self) -> None:
        command = self.commands.pop(0)
        self.handle.write("$ %s\n" % " ".join(command))
        self.handle.flush()
        self.process = subprocess.Popen(command, cwd=self.root, stdout=self.handle, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=tool_env())

    def done(self) -> bool:
        """True once every command has finished (the next one starts when one ends)."""
        code = self.process.poll()
        if code is None:
            return False
        self.failed = self.failed or code != 0
        if self.commands:
            self._next()
            return False
        self.handle.close()
        self.seconds = time.perf_counter() - self.started
        return True


def _grade_all(root: Path, order: list[str], grader: str, parallel: int, finished) -> list[str]:
    """Grade ``order`` with up to ``parallel`` gradings at once, starting them in that order;
    ``finished(grading)`` runs here as each one ends. Returns the assignments whose grading failed."""
    waiting, running, failed = list(order), [], []
    while waiting or running:
        while waiting and len(running) < parallel:
            running.append(_Grading(root, waiting.pop(0), grader))
        for grading in [g for g in running if g.done()]:
            running.remove(grading)
            if grading.failed:
                failed.append(grading.assignment)
            finished(grading)
        time.sleep(0.2)
    return failed


class _Progress:
    """One line per step: ``[3/9] grading 02_conv_shapes (12 submissions) ... 14 s``."""

    def __init__(self, steps: int):
        self.steps, self.done, self.started = steps, 0, time.perf_counter()

    def line(self, text: str) -> None:
        self.done += 1
        print("[%d/%d] %s" % (self.done, self.steps, text), flush=True)

    def __call__(self, what: str, action):
        self.done += 1
        print("[%d/%d] %s ..." % (self.done, self.steps, what), end="", flush=True)
        began = time.perf_counter()
        result = action()
        print(" %.0f s" % (time.perf_counter() - began), flush=True)
        return result


def forget_previous_demo(root: Path) -> int:
    """Remove an earlier demo's students (``demo-*``) from the gradebook, ``submitted/``,
    ``autograded/`` and ``feedback/``; returns how many. nbgrader refuses to release a notebook
    whose cells changed while submissions of it are in the gradebook (``coursekit release`` then
    keeps the previous release), so a second ``make demo`` after editing a notebook needs this.
    Other students are never touched."""
    removed = set()
    database = root / "gradebook.db"
    if database.exists():
        from nbgrader.api import Gradebook

        with Gradebook("sqlite:///%s" % database) as gradebook:
            for student in [s.id for s in gradebook.students if s.id.startswith("demo-")]:
                gradebook.remove_student(student)
                removed.add(student)
    for folder in ("submitted", "autograded", "feedback"):
        for path in sorted((root / folder).glob("demo-*")):
            shutil.rmtree(path)
            removed.add(path.name)
    return len(removed)


def _release(root: Path) -> int:
    """``coursekit release`` of every assignment, its output shown only when it fails."""
    import contextlib
    import io

    from coursekit.course import release

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = release(root)
    if code:
        print(out.getvalue(), file=sys.stderr)
    return code


def _write_report(root: Path, assignment: str):
    """The instructor report, in this process (one matplotlib import for all); None or the error."""
    from coursekit.grading.report import write_report

    try:
        write_report(root, assignment)
        return None
    except Exception as error:  # one broken report must not stop the demo
        return "%s: %s" % (type(error).__name__, error)


def run(root: Path, students: int = 12, grader: str = "coursekit", full: bool = False, verbose: bool = False) -> int:
    if students < 10:
        print("coursekit demo: a demo class has at least 10 students", file=sys.stderr)
        return 2
    started = time.perf_counter()
    graded_names = [a for a in assignments(root) if not a.startswith("midterm")]
    step = _Progress(len(graded_names) + 5)
    forgotten = step("forgetting the previous demo's students", lambda: forget_previous_demo(root))
    if forgotten:
        print("      (%d removed from the gradebook, submitted/, autograded/ and feedback/)" % forgotten)
    if step("releasing every assignment (coursekit release)", lambda: _release(root)):
        return 1
    rows = step("simulating a class of %d students" % students, lambda: simulate_class(root, students, full=full))
    if verbose:
        for student, assignment, role, note in rows:
            print("  %-18s %-16s %-18s %s" % (student, assignment, role, note))
    graded = sorted({r[1] for r in rows})
    step.steps = len(graded) + 5
    # The longest first (those that train networks), so that the short ones fill the gaps.
    order = sorted(graded, key=lambda a: (not trains_networks(root, a), a))
    parallel = PARALLEL if grader == "coursekit" else 1  # plain nbgrader: one gradebook writer at a time
    print("      grading %d assignments, %d at a time, with feedback and an instructor report each "
          "(logs: %s):" % (len(order), parallel, root / ".coursekit" / "demo"), flush=True)
    report_problems = {}

    def finished(grading: _Grading) -> None:
        count = sum(1 for r in rows if r[1] == grading.assignment)
        smaller = "" if count == students else "; one per role: `coursekit demo --full` grades the whole class"
        problem = _write_report(root, grading.assignment)
        if problem:
            report_problems[grading.assignment] = problem
        step.line("graded %s (%d submissions%s), feedback and report written ... %.0f s%s" % (
            grading.assignment, count, smaller, grading.seconds,
            " (PROBLEMS: see %s)" % grading.log if grading.failed or problem else ""))

    failed = _grade_all(root, order, grader, parallel, finished)
    export = step("exporting grades (grades.csv, exports/)", lambda: _export(root))
    step.line("reading the gradebook")
    print_grade_table(root)
    print("\nDone in %.0f s. Where to look:" % (time.perf_counter() - started))
    print("  grades:    %s (nbgrader), %s/{moodle,canvas}.csv (LMS imports)" % (root / "grades.csv", root / "exports"))
    print("  feedback:  %s/<student>/<assignment>/*.html" % (root / "feedback"))
    print("  reports:   %s/<assignment>.html (instructor report per assignment)" % (root / "reports"))
    print("  graded:    %s/<student>/<assignment>/" % (root / "autograded"))
    print("  log:       %s/<assignment>/log.jsonl (what the grader noted per submission)"
          % (root / ".coursekit" / "grading"))
    print("  formgrader: run `jupyter lab` here, then Nbgrader -> Formgrader")
    for assignment in failed:
        print("grading %s reported problems: %s" % (assignment, root / ".coursekit" / "demo" /
                                                    ("grade-%s.log" % assignment)), file=sys.stderr)
    for assignment, problem in report_problems.items():
        print("report of %s failed: %s" % (assignment, problem), file=sys.stderr)
    problems = [r for r in export if r.returncode != 0]
    for r in problems:
        print(r.stdout[-2000:], r.stderr[-2000:], file=sys.stderr)
    return 1 if problems or failed or report_problems else 0


def _export(root: Path) -> list[subprocess.CompletedProcess]:
    """nbgrader's grades.csv and coursekit's exports/ (grades, Moodle, Canvas), side by side."""
    commands = [[sys.executable, "-m", "nbgrader", "export", "--log-level=WARN"],
                [sys.executable, "-m", "coursekit.cli", "export"]]
    processes = [subprocess.Popen(c, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  stdin=subprocess.DEVNULL, env=tool_env()) for c in commands]
    results = []
    for command, process in zip(commands, processes):
        out, err = process.communicate()
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


def print_grade_table(root: Path) -> None:
    """Points per demo student and assignment, out of each assignment's maximum.

    Written answers wait for a human in formgrader, so the table also says how many of each
    maximum are graded by hand: a correct submission scores the rest.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook("sqlite:///%s" % (root / "gradebook.db")) as gradebook:
        students = sorted(s.id for s in gradebook.students if s.id.startswith("demo-"))
        graded = []
        for assignment in gradebook.assignments:
            if any(s.student.id in students for s in assignment.submissions):
                manual = sum(float(c.max_score) for n in assignment.notebooks for c in n.grade_cells
                             if c.cell_type == "markdown")
                graded.append((assignment.name, float(assignment.max_score), manual))
        print("\n%-18s" % "student" + "".join("%16s" % name[:15] for name, _, _ in graded) + "%10s" % "total")
        for student in students:
            cells, total = [], 0.0
            for name, _, _ in graded:
                try:
                    submission = gradebook.find_submission(name, student)
                    cells.append("%7.1f / %-6g" % (submission.score, submission.max_score))
                    total += submission.score
                except MissingEntry:
                    cells.append("%16s" % "-")
            print("%-18s" % student + "".join("%16s" % c for c in cells) + "%10.1f" % total)
        print("%-18s" % "graded by hand" + "".join("%16s" % ("%g of %g" % (manual, top)) for _, top, manual in graded))
        print("Written answers (graded by hand) wait for formgrader, so a correct submission scores "
              "the maximum minus those points.")
