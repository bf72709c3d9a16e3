"""``coursekit questions ...`` (the bank) and ``coursekit midterm ...`` (the exam).

    coursekit questions list [--topic T]
    coursekit questions render ID [--seed S] [--answer]
    coursekit questions check [--seeds N] [--question ID|TOPIC]
    coursekit midterm sync [--check]                 regenerate the source notebook and the practice bank
    coursekit midterm build --students FILE|IDS      personalised exam notebooks
    coursekit midterm key --student ID               a student's variants with answers (for the grader)
    coursekit midterm analyse                        item analysis of the graded exam
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .bank import QUESTIONS
from .topics import TOPICS, load_all


def _questions_list(args) -> int:
    load_all()
    rows = [q for q in QUESTIONS.values() if not args.topic or q.topic == args.topic]
    if not rows:
        print("no question for topic %r; topics: %s" % (args.topic, ", ".join(t for t, _ in TOPICS)), file=sys.stderr)
        return 1
    width = max(len(q.id) for q in rows)
    for name, heading in TOPICS:
        chosen = [q for q in rows if q.topic == name]
        if not chosen:
            continue
        print("%s (%d)" % (heading, len(chosen)))
        for q in chosen:
            kind = q.generate(0).answer.kind
            # Choice questions declare theirs through tagged options: count what variants use.
            names = {m.name for seed in range(20) for m in q.generate(seed).mistakes}
            print("  %-*s  %-15s  %2d misconceptions  %s" % (width, q.id, kind, len(names), q.title))
    print("%d questions in %d topics" % (len(rows), len({q.topic for q in rows})))
    return 0


def _questions_render(args) -> int:
    load_all()
    if args.id not in QUESTIONS:
        print("unknown question %r (coursekit questions list)" % args.id, file=sys.stderr)
        return 1
    variant = QUESTIONS[args.id].generate(args.seed)
    print(variant.markdown("### %s (%s, seed %s)" % (variant.question.title, variant.id, args.seed)))
    if args.answer:
        print("\n---\nAnswer: %s\n\nExplanation: %s\n\nMisconceptions that apply to this variant:" % (
            variant.answer.show(), variant.explanation))
        for mistake in variant.mistakes:
            print("- %s: %r earns %.2f. %s" % (mistake.name, mistake.response, mistake.score, mistake.message))
    return 0


def _questions_check(args) -> int:
    from . import selftest

    start = time.perf_counter()
    reports = selftest.check_all(args.seeds, only=args.question)
    if not reports:
        print("nothing matches %r" % args.question, file=sys.stderr)
        return 1
    failed = 0
    for report in reports:
        status = "ok  " if report.ok else "FAIL"
        print("%s %-45s %5d seeds %5d distinct variants  misconceptions applied: %s" % (
            status, report.question, report.seeds, selftest.variety(report),
            ", ".join("%s %d%%" % (k, round(100 * v / max(report.seeds, 1))) for k, v in sorted(report.applied.items()))
            or "(choice distractors only)" if report.ok else ""))
        for problem in report.problems:
            print("       " + problem)
        failed += not report.ok
    print("%d questions, %d seeds each: %d failed (%.1f s)" % (len(reports), args.seeds, failed,
                                                              time.perf_counter() - start))
    return 1 if failed else 0


def _midterm_sync(args) -> int:
    from .generated import sync

    changed = sync(Path(args.root), check=args.check)
    for path in changed:
        print(("out of date: %s" if args.check else "wrote %s") % path)
    if args.check and changed:
        print("run `coursekit midterm sync` (then `coursekit release midterm midterm_practice`)", file=sys.stderr)
        return 1
    if not changed:
        print("generated files are up to date")
    return 0


def _midterm_build(args) -> int:
    from coursekit.registry import midterm_exam

    from .exam import build, read_students

    try:
        students = read_students(args.students)
    except ValueError as error:
        print("coursekit midterm build: %s" % error, file=sys.stderr)
        return 2
    if not students:
        print("coursekit midterm build: no student ids in %r" % args.students, file=sys.stderr)
        return 2
    paths = build(Path(args.root), students, Path(args.out) if args.out else None, release=not args.no_release,
                  exam=midterm_exam(Path(args.root)))
    for path in paths:
        print("wrote %s" % path)
    print("%d personalised notebooks. Give each student their own folder (it is an assignment folder: "
          "`nbgrader submit` works from it); see docs/midterm.md." % len(paths))
    return 0


def _midterm_key(args) -> int:
    from coursekit.registry import midterm_exam

    exam = midterm_exam(Path(args.root))
    for slot in exam.slots:
        variant = exam.variant(slot, args.student)
        print(variant.markdown("## %s (%s) · %s" % (slot.key, _points(slot.points), slot.question)))
        print("\n**Answer:** %s\n\n**Explanation:** %s\n" % (variant.answer.show(), variant.explanation))
    return 0


def _midterm_analyse(args) -> int:
    from .analysis import analyse_course, write_report
    from coursekit.registry import midterm_exam

    root = Path(args.root)
    exam = midterm_exam(root)
    try:
        analysis = analyse_course(root, exam, args.db, with_answers=not args.no_answers)
    except (ValueError, LookupError) as error:
        print("coursekit midterm analyse: %s" % error, file=sys.stderr)
        return 1
    report, figure = write_report(analysis, Path(args.out) if args.out else root / "reports" / exam.assignment)
    print("wrote %s and %s: %d students, %d of %d items flagged" % (
        report, figure, len(analysis.students), len(analysis.flagged), len(analysis.items)))
    for item in analysis.flagged:
        print("  %s (%s): %s" % (item.key, item.question, "; ".join(item.flags)))
    return 0


def _points(points: float) -> str:
    text = str(int(points)) if points == int(points) else str(points)
    return "%s point%s" % (text, "" if points == 1 else "s")


def register(subparsers) -> None:
    questions = subparsers.add_parser("questions", help="the midterm question bank: list, render, self-test")
    sub = questions.add_subparsers(dest="questions_command", metavar="COMMAND")
    p = sub.add_parser("list", help="every question, by topic")
    p.add_argument("--topic", help="only this topic")
    p.set_defaults(handler=_questions_list)
    p = sub.add_parser("render", help="show one variant of a question")
    p.add_argument("id", help="question id, e.g. convolution.output_length")
    p.add_argument("--seed", default=0, type=int, help="which variant (default 0)")
    p.add_argument("--answer", action="store_true", help="also show the answer, explanation and misconceptions")
    p.set_defaults(handler=_questions_render)
    p = sub.add_parser("check", help="self-test: key scores 1, misconceptions their credit, malformed 0")
    p.add_argument("--seeds", type=int, default=1000, help="seeds per question (default 1000)")
    p.add_argument("--question", help="only this question id or topic")
    p.set_defaults(handler=_questions_check)
    questions.set_defaults(handler=lambda args: questions.print_help() or 2)

    midterm = subparsers.add_parser("midterm", help="the midterm: personalised notebooks, answer keys, item analysis")
    sub = midterm.add_subparsers(dest="midterm_command", metavar="COMMAND")
    p = sub.add_parser("sync", help="regenerate source/midterm/midterm.ipynb and the practice bank from the bank")
    p.add_argument("--root", default=".", help="course root (default: current directory)")
    p.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1 if any)")
    p.set_defaults(handler=_midterm_sync)
    p = sub.add_parser("build", help="write a personalised exam notebook per student")
    p.add_argument("--students", required=True, help="a file with one student id per line, or ids separated by commas")
    p.add_argument("--root", default=".", help="course root (default: current directory)")
    p.add_argument("--out", help="output folder (default: <root>/personalised)")
    p.add_argument("--no-release", action="store_true", help="use release/midterm as it is (no generate_assignment)")
    p.set_defaults(handler=_midterm_build)
    p = sub.add_parser("key", help="a student's questions with their answers and explanations (grader only)")
    p.add_argument("--student", required=True)
    p.add_argument("--root", default=".", help="course root (default: current directory)")
    p.set_defaults(handler=_midterm_key)
    p = sub.add_parser("analyse", help="item analysis of the graded exam (markdown report and figure)")
    p.add_argument("--root", default=".", help="course root (default: current directory)")
    p.add_argument("--db", help="gradebook URL (default: sqlite:///<root>/gradebook.db)")
    p.add_argument("--out", help="output folder (default: <root>/reports/midterm)")
    p.add_argument("--no-answers", action="store_true", help="scores only; do not re-read answers from autograded/")
    p.set_defaults(handler=_midterm_analyse)
    midterm.set_defaults(handler=lambda args: midterm.print_help() or 2)
