"""The ``coursekit`` command line.

Each topic keeps its own sub-commands in its own module, which exposes
``register(subparsers)``; this file only lists those modules. Add a module to
``COMMAND_MODULES`` to add a command group.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that contribute sub-commands, in the order ``coursekit --help`` lists them.
COMMAND_MODULES = (
    "coursekit.course",         # release, demo
    "coursekit.grading.cli",    # grade (sandboxed, parallel), export, report
    "coursekit.ecg.cli",        # data build / card / import
    "coursekit.midterm.cli",    # questions list / render / check, exam, item analysis
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursekit",
        description="Instructor tooling for the deep-learning course kit.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
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
    parser = build_parser()
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
