"""Commands on assignments: ``coursekit release`` and ``coursekit demo`` (``coursekit new``: :mod:`coursekit.scaffold`).

Kept apart from :mod:`coursekit.course` (the library they call) so that library modules,
which the course's units import, never import the demo or the registry back.
"""

from __future__ import annotations

from pathlib import Path

from coursekit.course import release


def _release_cmd(args) -> int:
    return release(Path(args.root).resolve(), args.assignments)


def _demo_cmd(args) -> int:
    from coursekit import demo
    return demo.run(Path(args.root).resolve(), students=args.students, grader=args.grader,
                    full=getattr(args, "full", False), verbose=getattr(args, "verbose", False))


def register(subparsers) -> None:
    p = subparsers.add_parser("release", help="regenerate release/ from source/ (nbgrader generate_assignment)")
    p.add_argument("assignments", nargs="*", help="assignment names (default: every folder in source/)")
    p.add_argument("--root", default=".", help="course root (default: current directory)")
    p.set_defaults(handler=_release_cmd)

    p = subparsers.add_parser("demo", help="release, simulate a class, grade it, export grades and feedback")
    p.add_argument("--root", default=".", help="course root (default: current directory)")
    p.add_argument("--students", type=int, default=12, help="size of the simulated class (>= 10)")
    p.add_argument("--grader", choices=("coursekit", "nbgrader"), default="coursekit",
                   help="grade with `coursekit grade` (parallel, sandboxed) or plain `nbgrader autograde`")
    p.add_argument("--full", action="store_true",
                   help="grade the whole class on assignments that train networks too (the capstone: "
                        "about a minute of training per student); default: one student per role there")
    p.add_argument("--verbose", action="store_true", help="list every simulated submission and its role")
    p.set_defaults(handler=_demo_cmd)
