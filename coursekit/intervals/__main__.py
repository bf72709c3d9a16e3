"""``python -m coursekit.intervals build [--check]``: the 06_sequences data sets.

Their card reads the hidden split, so it lives in the unit: ``python -m reference.sequences.card``.
"""

import argparse
import sys
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.intervals")
    parser.add_argument("command", choices=("build",))
    parser.add_argument("--root", default=".", help="course root (default: current directory)")
    parser.add_argument("--cinc", default=None, help="folder of the CinC 2017 recordings")
    parser.add_argument("--check", action="store_true", help="build: compare with the files instead of writing")
    args = parser.parse_args(argv)
    from coursekit.intervals import build
    cinc = Path(args.cinc) if args.cinc else build.DEFAULT_CINC
    differs = build.build(Path(args.root), cinc, check=args.check)
    if differs:
        print("differ from a fresh build: %s" % ", ".join(differs), file=sys.stderr)
        return 1
    print("06_sequences data %s" % ("match a fresh build" if args.check else "written"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
