"""``coursekit grade``, ``coursekit export`` and ``coursekit report``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(subparsers) -> None:
    grade = subparsers.add_parser(
        "grade", help="autograde every submission of an assignment: sandboxed, in parallel, resumable",
        description="Autograde submitted/*/ASSIGNMENT with nbgrader, each submission in its own bubblewrap "
                    "sandbox, in parallel Dask workers; scores go to nbgrader's gradebook. Unchanged "
                    "submissions already graded are skipped (use --force to regrade).")
    grade.add_argument("assignment")
    grade.add_argument("--root", default=None, help="course folder (default: as nbgrader finds it: CourseDirectory.root from the "
                            "configuration, else the current folder)")
    grade.add_argument("--student", action="append", dest="students", metavar="ID",
                       help="grade only this student (repeatable)")
    grade.add_argument("--workers", type=int, default=None,
                       help="local worker processes (default: one per core; 0: grade in this process)")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="use a running Dask scheduler (tcp://host:8786) instead of local workers")
    grade.add_argument("--force", action="store_true", help="regrade submissions graded before")
    grade.add_argument("--feedback", action="store_true", help="also generate feedback HTML (nbgrader "
                                                                "generate_feedback) for the graded students")
    grade.add_argument("--unsandboxed", action="store_true",
                       help="run student code WITHOUT isolation when bubblewrap is unavailable (student code "
                            "then has the grader's rights)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--compare", action="store_true",
                       help="grade in two scratch copies, with plain nbgrader autograde and with coursekit grade, "
                            "and list every test cell whose score differs, with the reason (the course is only "
                            "read; plain nbgrader runs student code unsandboxed, as it always did)")
    grade.add_argument("--keep-scratch", action="store_true", help="with --compare: keep the scratch copies")
    grade.add_argument("--reuse-nbgrader", metavar="DIR", type=Path,
                       help="with --compare: take plain nbgrader's results from DIR (the nbgrader folder of a kept "
                            "scratch copy) instead of running it again, e.g. after changing sandbox settings")
    grade.set_defaults(handler=_grade)

    export = subparsers.add_parser("export", help="write grades for nbgrader, Moodle and Canvas",
                                   description="Write grades.csv (nbgrader's format), moodle.csv and canvas.csv "
                                               "from the gradebook.")
    export.add_argument("--root", default=None, help="course folder (default: as nbgrader finds it: CourseDirectory.root from the "
                            "configuration, else the current folder)")
    export.add_argument("--assignment", action="append", dest="assignments", metavar="NAME",
                        help="export only this assignment (repeatable; default: all)")
    export.add_argument("--format", choices=("all", "nbgrader", "moodle", "canvas"), default="all")
    export.add_argument("--out", default="exports", help="output folder (default: ROOT/exports)")
    export.add_argument("--moodle-identifier", choices=("username", "idnumber", "email"), default="username",
                        help="what the nbgrader student id is in Moodle (default: username)")
    export.add_argument("--canvas-roster", metavar="CSV",
                        help="a gradebook exported from Canvas, to copy its Student/ID/SIS columns")
    export.set_defaults(handler=_export)

    report = subparsers.add_parser("report", help="instructor report on a graded assignment (HTML, PNG)")
    report.add_argument("assignment")
    report.add_argument("--root", default=None, help="course folder (default: as nbgrader finds it: CourseDirectory.root from the "
                            "configuration, else the current folder)")
    report.add_argument("--out", help="HTML file to write (default: ROOT/reports/ASSIGNMENT.html)")
    report.add_argument("--png", action="store_true", help="also render a PNG next to it with headless Chromium")
    report.set_defaults(handler=_report)


def _grade(args) -> int:
    from coursekit.grading.parallel import GradingError, grade_assignment
    from coursekit.sandbox import SandboxUnavailable

    if args.unsandboxed:
        print("coursekit grade: WARNING: --unsandboxed: student code runs with your rights, without isolation",
              file=sys.stderr)
    _say_ignored_config(args.root, "grade")
    if args.compare:
        return _compare(args)
    try:
        summary = grade_assignment(args.root, args.assignment, students=args.students, workers=args.workers,
                                   scheduler=args.scheduler, force=args.force, unsandboxed=args.unsandboxed,
                                   feedback=args.feedback, progress=not args.no_progress and sys.stderr.isatty())
    except SandboxUnavailable as error:
        print("coursekit grade: %s" % error, file=sys.stderr)
        print("coursekit grade: pass --unsandboxed to grade anyway, without isolation", file=sys.stderr)
        return 2
    except GradingError as error:
        print("coursekit grade: %s" % error, file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 1 if summary.failed or summary.feedback_failed else 0


def _say_ignored_config(root, command: str) -> None:
    """nbgrader ignores a course root's own config when run from elsewhere; so do we, but we say so."""
    from coursekit.grading.settings import Course

    course = Course.load(root)
    if course.ignored_config is not None:
        print("coursekit %s: note: %s is not read (nbgrader reads nbgrader_config.py from Jupyter's config folders "
              "and from the folder it runs in, not from CourseDirectory.root); run from %s to use it"
              % (command, course.ignored_config, course.root), file=sys.stderr)


def _compare(args) -> int:
    from coursekit.grading.compare import compare
    from coursekit.grading.parallel import GradingError
    from coursekit.grading.settings import CourseError
    from coursekit.sandbox import SandboxUnavailable

    if args.reuse_nbgrader is None:
        print("coursekit grade --compare: note: the plain nbgrader half runs student code unsandboxed, with your "
              "rights, as nbgrader always did (in a scratch copy; the course is only read)", file=sys.stderr)
    try:
        result = compare(args.root, args.assignment, students=args.students, workers=args.workers,
                         keep=args.keep_scratch, unsandboxed=args.unsandboxed, reuse_nbgrader=args.reuse_nbgrader,
                         progress=not args.no_progress and sys.stderr.isatty())
    except (GradingError, CourseError, SandboxUnavailable) as error:
        print("coursekit grade --compare: %s" % error, file=sys.stderr)
        return 2
    print("\n".join(result.lines()))
    return 1 if result.differences or result.nbgrader_failed or result.coursekit_failed else 0


def _export(args) -> int:
    from coursekit.grading import exports
    from coursekit.grading.settings import Course, CourseError

    course = Course.load(args.root)
    try:
        course.require_gradebook()
    except CourseError as error:
        print("coursekit export: %s" % error, file=sys.stderr)
        return 2
    out = Path(args.out) if os.path.isabs(args.out) else course.root / args.out
    out.mkdir(parents=True, exist_ok=True)
    try:
        table = exports.collect(course.db_url, course.course_id, args.assignments)
    except KeyError as error:
        print("coursekit export: %s" % error.args[0], file=sys.stderr)
        return 2
    written = []
    if args.format in ("all", "nbgrader"):
        written.append(exports.write_nbgrader_csv(course.db_url, course.course_id, out / "grades.csv",
                                                  table.assignments))
    if args.format in ("all", "moodle"):
        written.append(exports.write_moodle(table, out / "moodle.csv", args.moodle_identifier))
    if args.format in ("all", "canvas"):
        roster = exports.read_canvas_roster(Path(args.canvas_roster)) if args.canvas_roster else None
        path, unmatched = exports.write_canvas(table, out / "canvas.csv", roster)
        written.append(path)
        if unmatched:
            print("coursekit export: not in the Canvas roster (left out of canvas.csv): %s"
                  % ", ".join(unmatched), file=sys.stderr)
    if table.needs_manual_grade:
        print("coursekit export: WARNING: %d submission(s) still need manual grading; their points are incomplete: %s"
              % (len(table.needs_manual_grade), ", ".join("%s/%s" % pair for pair in table.needs_manual_grade[:10])),
              file=sys.stderr)
    if table.skipped:
        print("coursekit export: no column for %s (name it with --assignment to export it anyway)"
              % ", ".join("%s (%s)" % pair for pair in sorted(table.skipped.items())), file=sys.stderr)
    for path in written:
        print("wrote %s" % path)
    return 0


def _report(args) -> int:
    from nbgrader.api import MissingEntry

    from coursekit.grading.report import render_png, write_report
    from coursekit.grading.settings import CourseError

    try:
        path = write_report(args.root, args.assignment, Path(args.out) if args.out else None)
    except CourseError as error:
        print("coursekit report: %s" % error, file=sys.stderr)
        return 2
    except MissingEntry:
        print("coursekit report: assignment %r is not in the gradebook" % args.assignment, file=sys.stderr)
        return 2
    print("wrote %s" % path)
    if args.png:
        try:
            png = render_png(path, path.with_suffix(".png"))
        except (FileNotFoundError, OSError) as error:
            print("coursekit report: no PNG: %s" % error, file=sys.stderr)
            return 1
        print("wrote %s" % png)
    return 0
