"""``coursekit data``: build, check and describe the AF splits, and import real recordings.

Paths are relative to the course root, the current directory.

- ``coursekit data build [--source cinc2017|synthetic] [--pool DIR|FILE.npz] [--hidden-extra DIR|FILE.npz]
  [--seed S] [--out-public PATH] [--out-hidden PATH] [--manifest PATH] [--force] [--check]``
- ``coursekit data card [--retrain] [--jobs N] [--seed S]``
- ``coursekit data import-cinc2017 DIR OUT.npz [--window-s 10] [--fs HZ]``
- ``coursekit data import-csv IN OUT.npz [--fs HZ]`` (CSV or NPZ of labelled windows)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from . import build


def _pool(args):
    """--pool, else $COURSEKIT_CINC2017, else None (no recordings here)."""
    if args.pool is not None:
        return args.pool
    value = os.environ.get(build.POOL_ENVIRONMENT_VARIABLE)
    return Path(value) if value else None


def _build(args) -> int:
    started = time.perf_counter()
    paths = {"public": args.out_public, "hidden": args.out_hidden}
    pool = _pool(args)
    if args.source == "cinc2017" and pool is None:
        # Nothing to rebuild from (a fresh clone has the built splits, not the 2,360 recordings):
        # check what is in place instead.
        problems = [build.refusal(path, args.manifest) for path in paths.values() if Path(path).exists()]
        problems += build.verify_existing(paths) if args.check else []
        for problem in filter(None, problems):
            print(problem, file=sys.stderr)
        missing = [str(path) for path in paths.values() if not Path(path).exists()]
        if missing:
            print(f"missing {', '.join(missing)}: rebuild with `coursekit data build --pool DIR` (DIR: the "
                  f"PhysioNet/CinC 2017 recordings, or ${build.POOL_ENVIRONMENT_VARIABLE}), or "
                  "`coursekit data build --source synthetic`", file=sys.stderr)
        if any(problems) or missing:
            return 1
        print("real splits in place and unchanged since `coursekit data build` wrote them"
              + (" (checksums match coursekit/ecg/checksums.json)" if args.check else "")
              + f"; rebuild from the recordings with --pool DIR or ${build.POOL_ENVIRONMENT_VARIABLE}")
        return 0
    try:
        results = build.build_splits(args.seed, args.out_public, args.out_hidden, source=args.source, pool=pool,
                                     hidden_extra=args.hidden_extra, manifest=args.manifest, force=args.force)
    except build.OverwriteRefused as refused:
        print(str(refused), file=sys.stderr)
        return 1
    print(f"built in {time.perf_counter() - started:.1f} s")
    if args.write_checksums:
        build.write_checksums(results, args.seed, args.source)
        print(f"wrote {build.CHECKSUMS_PATH}")
    if args.check:
        if args.seed != build.DEFAULT_SEED or args.hidden_extra is not None:
            print(f"--check compares the default build (seed {build.DEFAULT_SEED}, no --hidden-extra) only",
                  file=sys.stderr)
            return 1
        problems = build.check_checksums(results, args.source)
        for problem in problems:
            print(f"checksum mismatch: {problem}", file=sys.stderr)
        if problems:
            return 1
        print("checksums match coursekit/ecg/checksums.json")
    return 0


def _card(args) -> int:
    from . import card

    try:
        measurements = card.make_card(seed=args.seed, retrain=args.retrain, jobs=args.jobs)
    except RuntimeError as error:  # the stored reference was measured on other data
        print(f"coursekit data card: {error}", file=sys.stderr)
        return 1
    print("goals met (median reference AUC >= %.2f, every seed at full credit)" % card.GOAL_MEDIAN_AUC
          if measurements["goals_met"] else "goals NOT met: see the card")
    return 0 if measurements["goals_met"] else 1


def _import_cinc(args) -> int:
    from . import importers

    importers.import_cinc2017(args.folder, args.out, window_s=args.window_s, expected_fs=args.fs)
    return 0


def _import_table(args) -> int:
    from . import importers

    importers.import_table(args.input, args.out, fs=args.fs)
    return 0


def _guarded(handler):
    """Report data errors as one line naming the file, exit status 1, no traceback."""

    def run(args):
        try:
            return handler(args)
        except (FileNotFoundError, ValueError) as error:
            print(f"coursekit data: {error}", file=sys.stderr)
            return 1

    return run


def register(subparsers) -> None:
    """Add the ``data`` command group to the main ``coursekit`` parser."""
    data = subparsers.add_parser("data", help="build, check and import the AF capstone ECG data")
    commands = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    data.set_defaults(handler=lambda args: data.print_help() or 2)

    p = commands.add_parser("build", help="build the public and hidden splits (real recordings by default)")
    p.add_argument("--source", choices=build.SOURCES, default=build.DEFAULT_SOURCE,
                   help="cinc2017: real recordings from --pool (default); synthetic: simulated ECG")
    p.add_argument("--pool", type=Path, default=None,
                   help="the recordings: a PhysioNet/CinC 2017 folder or a kit .npz (import-csv output); default "
                        f"${build.POOL_ENVIRONMENT_VARIABLE}; without one, the splits in place are checked")
    p.add_argument("--hidden-extra", type=Path, default=None, metavar="FILE_OR_DIR",
                   help="your own recordings (CinC folder or kit .npz) added to the hidden split only")
    p.add_argument("--seed", type=int, default=build.DEFAULT_SEED, help="split and augmentation seed (default %(default)s)")
    p.add_argument("--out-public", type=Path, default=build.PUBLIC_PATH, help="default %(default)s")
    p.add_argument("--out-hidden", type=Path, default=build.HIDDEN_PATH, help="default %(default)s")
    p.add_argument("--manifest", type=Path, default=build.MANIFEST_PATH,
                   help="record of the files this command wrote (default %(default)s)")
    p.add_argument("--force", action="store_true", help="overwrite target files this command did not write")
    p.add_argument("--check", action="store_true", help="compare with coursekit/ecg/checksums.json")
    p.add_argument("--write-checksums", action="store_true",
                   help="record this build's hashes in checksums.json (after a deliberate change)")
    p.set_defaults(handler=_guarded(_build))

    p = commands.add_parser("card", help="real and synthetic data side by side: write reference/af_cnn/card/CARD.md")
    p.add_argument("--seed", type=int, default=build.DEFAULT_SEED, help="seed of the synthetic splits")
    p.add_argument("--retrain", action="store_true",
                   help="train the sim-to-real runs again even if measurements.json has them for these data")
    p.add_argument("--jobs", type=int, default=1, help="sim-to-real seeds trained at once (default %(default)s)")
    p.set_defaults(handler=_guarded(_card))

    p = commands.add_parser("import-cinc2017", help="import PhysioNet/CinC 2017 records (N and A kept)")
    p.add_argument("folder", type=Path, metavar="DIR", help="folder with *.hea, *.mat and REFERENCE.csv")
    p.add_argument("out", type=Path, metavar="OUT.npz")
    p.add_argument("--window-s", type=float, default=10.0, help="window length in s (default %(default)s)")
    p.add_argument("--fs", type=float, default=None, help="expected sampling rate; a header saying otherwise is an error")
    p.set_defaults(handler=_guarded(_import_cinc))

    p = commands.add_parser("import-csv", help="import a CSV or NPZ of labelled windows")
    p.add_argument("input", type=Path, metavar="IN", help="CSV (label, [patient_id], samples...) or NPZ (X, y, ...)")
    p.add_argument("out", type=Path, metavar="OUT.npz")
    p.add_argument("--fs", type=float, default=None, help="sampling rate of IN if the file does not say (default 300)")
    p.set_defaults(handler=_guarded(_import_table))
