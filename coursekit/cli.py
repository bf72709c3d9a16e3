"""The ``coursekit`` command line.

Each topic keeps its own sub-commands in its own module, which exposes
``register(subparsers)``; this file only lists those modules. Add a module to
``COMMAND_MODULES``, with the commands it registers, to add a command group.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that contribute sub-commands, in the order ``coursekit --help`` lists them,
#: with the commands each one registers (so that a command imports only its own module:
#: the midterm bank or torch need not load to release an assignment).
COMMAND_MODULES = {
    "coursekit.scaffold": ("new",),
    "coursekit.assignment_cli": ("release", "demo"),
    "coursekit.grading.cli": ("grade", "export", "report"),
    "coursekit.ecg.cli": ("data",),
    "coursekit.midterm.cli": ("questions", "midterm"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only the module that registers it is imported."""
    parser = argparse.ArgumentParser(
        prog="coursekit",
        description="Instructor tooling for the deep-learning course kit.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, commands in COMMAND_MODULES.items():
        if command is not None and command not in commands:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            # A command group still being written must not break the others.
            if error.name and name.startswith(error.name):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    known = {c for commands in COMMAND_MODULES.values() for c in commands}
    parser = build_parser(argv[0] if argv and argv[0] in known else None)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("coursekit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
