"""The capstone's public and hidden splits: built from real recordings (default) or simulated.

Real (``--source cinc2017``, the default)
    ``build_real`` reads a pool of labelled recordings (a PhysioNet/CinC 2017 folder, or a kit
    ``.npz`` of windows such as ``coursekit data import-csv`` writes), resamples every recording to
    ``REAL_FS`` (150 Hz: the reference network's first layer halved 300 Hz anyway, and it halves the
    files), and assigns whole patients to one split: ``HIDDEN_FRACTION`` of the normal patients and
    of the AF patients (seeded permutation) go to the hidden split, the rest to the public one.
    Each recording gives at most ``MAX_WINDOWS_PER_RECORDING`` non-overlapping windows of
    ``WINDOW_S`` s (so a 60 s recording does not count twice as much as a 30 s one); public windows
    start at 0 s, hidden ones at a seeded offset (up to 1 s, within the recording), and hidden
    windows get a seeded augmentation (``augment.hidden_augmentation``) so they are not the
    archive's bytes. Optional extra recordings (``hidden_extra``, an instructor's own) go to the
    hidden split only. Everything is a function of the pool and the seed: bit-for-bit repeatable.

Synthetic (``--source synthetic``)
    ``build_synthetic`` simulates both splits from one seed (``coursekit.ecg.synth``), 300 Hz.

Never overwriting what it did not build
    ``write_splits`` records every file it writes, with its SHA-256, in a manifest
    (``MANIFEST_PATH``). It replaces an existing file only if the manifest lists it with its current
    bytes (a file it built); anything else (an import, a hand-made split) is refused with an
    ``OverwriteRefused`` naming the file and the command that replaces it on purpose (``--force``).

``checksums.json`` holds the hashes of the default builds (one per source); ``check_checksums``
compares a build with them.
"""

from __future__ import annotations

import json
import math
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import augment, dataset, importers, synth

DEFAULT_SEED = 2017
SOURCES = ("cinc2017", "synthetic")
DEFAULT_SOURCE = "cinc2017"
PUBLIC_PATH = Path("source/05_af_cnn/data/af_train.npz")
#: Grader-only files live in the capstone's unit (reference/af_cnn/, see docs/units.md).
HIDDEN_PATH = Path("reference/af_cnn/data/af_hidden.npz")
MANIFEST_PATH = Path("reference/af_cnn/data/af_build_manifest.json")
CHECKSUMS_PATH = Path(__file__).with_name("checksums.json")
#: Where `coursekit data build` looks for the CinC 2017 pool when --pool is not given.
POOL_ENVIRONMENT_VARIABLE = "COURSEKIT_CINC2017"

#: Real splits: sampling rate (Hz), window length (s), windows per recording, hidden share of patients.
REAL_FS = 150.0
WINDOW_S = 10.0
MAX_WINDOWS_PER_RECORDING = 3
HIDDEN_FRACTION = 0.3
#: Hidden windows start up to this many seconds into the recording (seeded), not on the 10 s grid.
MAX_HIDDEN_OFFSET_S = 1.0


class OverwriteRefused(RuntimeError):
    """A target file exists and ``coursekit data build`` did not write it (not in its manifest)."""


@dataclass(frozen=True)
class SplitSpec:
    """How many patients a synthetic split simulates and which seed stream it uses ('train' or 'hidden')."""

    stream: str
    n_patients: int
    af_fraction: float = 0.45


SPECS = {"public": SplitSpec("train", 330), "hidden": SplitSpec("hidden", 220)}


@dataclass
class Split:
    """One split in memory: X (n, L) mV, y (n,) 0/1, patient_id (n,) str, fs Hz."""

    X: np.ndarray
    y: np.ndarray
    patient_id: np.ndarray
    fs: float


# --------------------------------------------------------------------------- synthetic

def simulate(name: str, seed: int = DEFAULT_SEED) -> synth.SyntheticSplit:
    """Simulate the split ``name`` ('public' or 'hidden') of the default synthetic build, in memory."""
    spec = SPECS[name]
    return synth.simulate_split(seed, spec.stream, n_patients=spec.n_patients, af_fraction=spec.af_fraction)


def build_synthetic(seed: int = DEFAULT_SEED) -> dict[str, Split]:
    """Both synthetic splits (300 Hz, 10 s windows, 3-8 per patient, 45 % AF patients)."""
    splits = {}
    for name in ("public", "hidden"):
        sim = simulate(name, seed)
        splits[name] = Split(sim.X, sim.y, sim.patient_id, sim.fs)
    return splits


# --------------------------------------------------------------------------- real

def read_pool(pool, log=print) -> tuple[list[tuple[str, int, np.ndarray]], dict]:
    """Recordings ``(patient, label, mV at REAL_FS)`` of a CinC folder or a kit .npz of windows.

    A folder is read by ``importers.read_cinc2017_records`` (one log line per problem record); an
    .npz (the kit format: ``coursekit data import-csv`` or ``import-cinc2017`` output) gives one
    recording per window. Returns the recordings and the importer's counts (None for an .npz).
    """
    pool = Path(pool)
    if pool.is_dir():
        records, counts, _ = importers.read_cinc2017_records(pool, target_fs=REAL_FS, log=log)
        return records, counts
    X, y, fs, patient_id = dataset.load_split(pool)
    X = importers.resample(X, fs, REAL_FS)
    return [(str(p), int(label), x) for x, label, p in zip(X, y, patient_id)], None


def _windows(recording, rng=None):
    """Up to MAX_WINDOWS_PER_RECORDING windows (k, L) of one recording; offset 0, or seeded if ``rng``."""
    length = int(round(WINDOW_S * REAL_FS))
    spare = recording.size - length
    if spare < 0:
        return np.zeros((0, length))
    offset = 0 if rng is None else int(rng.integers(0, min(spare, int(MAX_HIDDEN_OFFSET_S * REAL_FS)) + 1))
    n = min((recording.size - offset) // length, MAX_WINDOWS_PER_RECORDING)
    return recording[offset:offset + n * length].reshape(n, length)


def _stack(parts) -> Split:
    X = np.concatenate([x for x, _, _ in parts])
    y = np.concatenate([np.full(len(x), label, dtype=np.int8) for x, label, _ in parts])
    ids = np.concatenate([np.full(len(x), patient) for x, _, patient in parts])
    return Split(X, y, ids, REAL_FS)


def build_real(pool, seed: int = DEFAULT_SEED, hidden_extra=None, log=print) -> dict[str, Split]:
    """Both real splits from ``pool`` (see the module docstring); ``hidden_extra``: more recordings, hidden only."""
    records, counts = read_pool(pool, log=log)
    by_patient: dict[str, list] = {}
    for patient, label, mv in records:
        by_patient.setdefault(patient, []).append((label, mv))
    patients = sorted(by_patient)
    # a patient's label: the majority of their recordings (a tie counts as AF, as split_by_patient does)
    labels = np.array([int(2 * sum(label for label, _ in by_patient[p]) >= len(by_patient[p])) for p in patients])
    rng = np.random.default_rng([seed, 11])
    hidden = np.zeros(len(patients), dtype=bool)
    for label in (0, 1):
        members = rng.permutation(np.flatnonzero(labels == label))
        hidden[members[:int(math.floor(HIDDEN_FRACTION * len(members) + 0.5))]] = True
    public_parts, hidden_parts = [], []
    offsets = np.random.default_rng([seed, 12])
    for patient, is_hidden in zip(patients, hidden):
        for label, mv in by_patient[patient]:
            windows = _windows(mv, offsets if is_hidden else None)
            if len(windows):
                (hidden_parts if is_hidden else public_parts).append((windows, label, patient))
    if hidden_extra is not None:
        extra, _ = read_pool(hidden_extra, log=log)
        clash = sorted({patient for patient, _, _ in extra} & set(patients))
        if clash:
            raise ValueError(f"{hidden_extra}: patient id(s) {clash[:5]} are also in the pool {pool}; "
                             "a patient must be in one split only")
        for patient, label, mv in extra:
            windows = _windows(mv, offsets)
            if len(windows):
                hidden_parts.append((windows, label, patient))
    if not public_parts or not hidden_parts:
        raise ValueError(f"{pool}: too few usable recordings for a public and a hidden split")
    public, hidden_split = _stack(public_parts), _stack(hidden_parts)
    hidden_split.X = augment.hidden_augmentation(hidden_split.X, hidden_split.fs, seed=seed)
    return {"public": public, "hidden": hidden_split}


# --------------------------------------------------------------------------- writing, manifest, checksums

def read_manifest(path=MANIFEST_PATH) -> dict:
    """{file path: {"file_sha256", "source", "seed"}} of what the build wrote ({} if none yet)."""
    path = Path(path)
    return json.loads(path.read_text())["files"] if path.is_file() else {}


def refusal(path, manifest=MANIFEST_PATH) -> str | None:
    """Why ``path`` must not be overwritten (None: absent, or the build wrote exactly these bytes)."""
    path = Path(path)
    if not path.exists():
        return None
    entry = read_manifest(manifest).get(_key(path))
    if entry is not None and entry["file_sha256"] == dataset.file_sha256(path):
        return None
    why = ("it changed since `coursekit data build` wrote it" if entry is not None
           else "`coursekit data build` did not write it (an imported or hand-made split?)")
    return (f"refusing to overwrite {path}: {why}. Move it away, or replace it on purpose with "
            f"`coursekit data build --force` (same options as this run)")


def _key(path) -> str:
    return Path(path).as_posix()


def write_splits(splits: dict[str, Split], paths: dict[str, Path], source: str, seed: int,
                 manifest=MANIFEST_PATH, force=False, log=print) -> dict:
    """Write each split to its path (refusing files the build did not write unless ``force``) and
    record them in the manifest; return {name: {path, n_windows, ..., file_sha256, content_sha256}}."""
    problems = [refusal(path, manifest) for path in paths.values()]
    problems = [problem for problem in problems if problem]
    if problems and not force:
        raise OverwriteRefused("\n".join(problems))
    entries = read_manifest(manifest)
    results = {}
    for name, split in splits.items():
        path = Path(paths[name])
        dataset.save_split(path, split.X, split.y, split.fs, split.patient_id)
        results[name] = summarise(name, path)
        entries[_key(path)] = {"file_sha256": results[name]["file_sha256"], "source": source, "seed": seed}
        log(f"{name}: {path} ({results[name]['n_windows']} windows, {results[name]['n_patients']} patients, "
            f"{results[name]['af_fraction']:.0%} AF, {results[name]['bytes'] / 1e6:.2f} MB)")
    Path(manifest).parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(manifest).with_name(Path(manifest).name + ".tmp")
    temporary.write_text(json.dumps({"about": "files written by `coursekit data build`; it overwrites only these",
                                     "files": entries}, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, manifest)
    return results


def summarise(name, path) -> dict:
    """Counts and hashes of one written split."""
    X, y, fs, patient_id = dataset.load_split(path)
    return {"path": str(path), "n_windows": int(y.size), "n_patients": int(np.unique(patient_id).size),
            "af_fraction": round(float(y.mean()), 4), "fs": fs, "window_length": int(X.shape[1]),
            "bytes": Path(path).stat().st_size, "file_sha256": dataset.file_sha256(path),
            "content_sha256": dataset.content_sha256(path)}


def build_splits(seed: int = DEFAULT_SEED, out_public=PUBLIC_PATH, out_hidden=HIDDEN_PATH, log=print, *,
                 source: str = "synthetic", pool=None, hidden_extra=None, manifest=MANIFEST_PATH,
                 force=False) -> dict:
    """Build both splits from ``source`` and write them (see ``write_splits``); return their summaries."""
    started = time.perf_counter()
    if source == "synthetic":
        splits = build_synthetic(seed)
    elif source == "cinc2017":
        if pool is None:
            raise ValueError("a real build needs the recordings: --pool DIR (a CinC 2017 folder) or --pool FILE.npz")
        splits = build_real(pool, seed, hidden_extra=hidden_extra, log=log)
    else:
        raise ValueError(f"unknown source {source!r}; expected one of {SOURCES}")
    results = write_splits(splits, {"public": Path(out_public), "hidden": Path(out_hidden)}, source, seed,
                           manifest=manifest, force=force, log=log)
    log(f"built from {source} in {time.perf_counter() - started:.1f} s")
    return results


def expected_checksums(source: str = DEFAULT_SOURCE) -> dict:
    """The committed checksums of the default build of ``source`` (seed, zlib version, per split hashes)."""
    return json.loads(CHECKSUMS_PATH.read_text())[source]


def write_checksums(results: dict, seed: int = DEFAULT_SEED, source: str = DEFAULT_SOURCE) -> None:
    """Record the hashes of a default build in ``checksums.json`` (run after a deliberate change)."""
    payload = json.loads(CHECKSUMS_PATH.read_text()) if CHECKSUMS_PATH.is_file() else {}
    payload = {key: value for key, value in payload.items() if key in SOURCES}
    payload[source] = {
        "seed": seed,
        "zlib_version": zlib.ZLIB_RUNTIME_VERSION,
        "splits": {name: {key: value for key, value in info.items() if key not in ("path", "bytes")}
                   for name, info in results.items()},
    }
    CHECKSUMS_PATH.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def check_checksums(results: dict, source: str = DEFAULT_SOURCE) -> list[str]:
    """Compare a default build with ``checksums.json``; return a list of problems (empty if all match).

    Decoded contents must always match. The file bytes must match too when this zlib is the one the
    checksums were made with; with another zlib a byte difference is reported only as a note.
    """
    expected = expected_checksums(source)
    problems = []
    same_zlib = expected["zlib_version"] == zlib.ZLIB_RUNTIME_VERSION
    for name, info in results.items():
        want = expected["splits"][name]
        if info["content_sha256"] != want["content_sha256"]:
            problems.append(f"{name}: content sha256 {info['content_sha256']} != committed {want['content_sha256']}")
        if info["file_sha256"] != want["file_sha256"] and same_zlib:
            problems.append(f"{name}: file sha256 {info['file_sha256']} != committed {want['file_sha256']} "
                            f"(same zlib {zlib.ZLIB_RUNTIME_VERSION})")
    return problems


def verify_existing(paths: dict[str, Path], source: str = DEFAULT_SOURCE) -> list[str]:
    """Check files already in place against ``checksums.json`` (what `make data` does without a pool)."""
    problems = []
    for name, path in paths.items():
        if not Path(path).is_file():
            problems.append(f"{name}: {path} is missing")
    if problems:
        return problems
    return check_checksums({name: summarise(name, path) for name, path in paths.items()}, source)
