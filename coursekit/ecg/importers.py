"""Real recordings into the kit's split format (``coursekit.ecg.dataset``).

PhysioNet/CinC Challenge 2017 (``read_cinc2017``, ``import_cinc2017``)
    A folder of WFDB records (``NAME.hea`` header + ``NAME.mat`` MATLAB v4 file with one int16
    array ``val`` of shape (1, n)) and a ``REFERENCE.csv`` of ``record,label`` lines. Records are
    read with the ``wfdb`` package (the field's standard reader). Labels N (normal, 0) and A (AF, 1)
    are kept; O (other rhythm) and ~ (noisy) are dropped. Each record is converted to mV,
    mV = (adu - baseline) / gain, resampled to ``target_fs`` if its rate differs
    (``scipy.signal.resample_poly``), and cut into non-overlapping windows of ``window_s`` seconds
    (the remainder is dropped). ``patient_id`` = record name (CinC 2017 has one record per patient
    as far as the organisers could ensure).

    A problem with one record never stops the import. Each gives one log line and a count:

    ===================  ========  ======================================================
    count                outcome   cause
    ===================  ========  ======================================================
    ``initial_value``    WARNING   header "initial value" != first sample (a known quirk of
                                   6-7 % of the original archive; the signal is fine): kept
    ``header_date``      WARNING   the header's base date is not WFDB's dd/mm/yyyy (ISO, say),
                                   which wfdb rejects: read without it, signal kept
    ``label_header``     WARNING   REFERENCE.csv starts with a header row: that row ignored
    ``missing_header``   SKIP      a labelled record without ``NAME.hea``
    ``unreadable``       SKIP      wfdb cannot read the record (truncated or corrupt .mat,
                                   missing .mat, malformed header, several signals)
    ``wrong_rate``       SKIP      ``expected_fs`` given and the header says another rate
    ``unknown_label``    SKIP      a label other than N, A, O, ~ (or a malformed line)
    ``duplicate``        SKIP      a record labelled twice (the first label is used)
    ``too_short``        SKIP      shorter than one window
    ===================  ========  ======================================================

    Only an unusable folder is an error: no folder, no REFERENCE.csv, or not one N/A window.
    The output is written only after every record was read (to a temporary file, then renamed),
    so an error never leaves a half-written file.

Generic (``import_table``)
    For whatever an instructor brings:

    - CSV with a header row. Columns: ``label`` (0/1, or N/A), optional ``patient_id``, then one
      column per sample (any names), values in mV, one window per row. Windows without a
      ``patient_id`` get ``row-00001``, ... (each row its own patient).
    - NPZ with ``X`` (n, L) (float mV, or integers with a scalar ``gain`` in adu/mV), ``y`` (n,),
      and optional ``fs`` and ``patient_id``.

    ``fs`` (argument) is the sampling rate of the input when the file does not say; windows are
    resampled to ``target_fs`` (300 Hz, the kit's rate) when it differs. These files hold one
    table each, so any problem is an error naming the file (``ImportError_``, a ``ValueError``).
"""

from __future__ import annotations

import csv
import math
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy import signal

from .dataset import DatasetError, save_split, validate_arrays

KIT_FS = 300.0
CINC_LABELS = {"N": 0, "A": 1}
CINC_DROPPED = {"O", "~"}
#: Problems counted per record: warnings keep the record, skips drop it (see the module docstring).
WARNINGS = ("initial_value", "header_date", "label_header")
SKIPS = ("missing_header", "unreadable", "wrong_rate", "unknown_label", "duplicate", "too_short")


class ImportError_(DatasetError):
    """Real data that cannot be imported; the message names the file and the problem."""


def _fail(path, problem):
    raise ImportError_(f"{path}: {problem}")


@dataclass
class CincPool:
    """What ``read_cinc2017`` read: windows (n, L) in mV at ``fs``, labels, record ids, counts, log lines."""

    X: np.ndarray
    y: np.ndarray
    patient_id: np.ndarray
    fs: float
    counts: dict
    lines: list = field(default_factory=list)


def resample(x, fs_in, fs_out):
    """Resample the last axis from ``fs_in`` to ``fs_out`` with a polyphase filter (identity if equal)."""
    if math.isclose(fs_in, fs_out):
        return np.asarray(x, dtype=np.float64)
    ratio = Fraction(fs_out / fs_in).limit_denominator(1000)
    return signal.resample_poly(np.asarray(x, dtype=np.float64), ratio.numerator, ratio.denominator, axis=-1)


def read_cinc_reference(path, note=print) -> list[tuple[int, str, str]]:
    """``(line number, record, label)`` of a CinC REFERENCE.csv; a first line ``record,label`` (a
    header row, absent from the original archive) is reported through ``note`` and ignored."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: label file REFERENCE.csv not found")
    rows = []
    with open(path, newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not "".join(row).strip():
                continue
            cells = [cell.strip() for cell in row]
            if not rows and number == 1 and len(cells) == 2 and cells[1].lower() in ("label", "labels", "class",
                                                                                   "rhythm"):
                note(f"WARNING {path.name} line 1: header row {row!r} ignored (the CinC format has none)")
                continue
            rows.append((number, cells[0], cells[1] if len(cells) == 2 else ",".join(cells[1:])))
    return rows


def _rdrecord(folder, record):
    import wfdb

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wfdb warns about the header quirk itself, in its own words
        return wfdb.rdrecord(str(Path(folder) / record), physical=False)


def _rdrecord_without_date(folder, record):
    """Read a record whose header's base date/time wfdb rejects (e.g. ISO 2014-05-08 instead of
    WFDB's dd/mm/yyyy): the record line is cut after the sample count, in a temporary copy of the
    header beside a link to the signal file. The signal is untouched."""
    import tempfile

    header = (Path(folder) / f"{record}.hea").read_text().splitlines()
    fields = header[0].split()
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / f"{record}.hea").write_text("\n".join([" ".join(fields[:4]), *header[1:]]) + "\n")
        for line in header[1:]:
            name = line.split()[0] if line.strip() and not line.startswith("#") else None
            if name and (Path(folder) / name).is_file() and not (Path(scratch) / name).exists():
                (Path(scratch) / name).symlink_to((Path(folder) / name).resolve())
        return _rdrecord(scratch, record)


def read_cinc_record(folder, record, expected_fs=None):
    """One record with wfdb: ``(mV float64 (n,), fs, [warnings])``; raises ValueError(reason) to skip it."""
    notes = []
    try:
        try:
            rec = _rdrecord(folder, record)
        except ValueError as error:
            if "unconverted data remains" not in str(error) and "does not match format" not in str(error):
                raise
            rec = _rdrecord_without_date(folder, record)
            notes.append(("header_date", "header's base date/time is not WFDB's dd/mm/yyyy (ignored; "
                                         "the signal is read as usual)"))
    except FileNotFoundError as error:
        raise ValueError(f"file missing: {Path(error.filename).name if error.filename else error}") from None
    except Exception as error:  # wfdb raises ValueError, TypeError, IndexError... for a broken record
        raise ValueError(f"wfdb cannot read it ({type(error).__name__}: {error}); "
                         "truncated or corrupt .mat, or malformed header?") from None
    if rec.n_sig != 1:
        raise ValueError(f"{rec.n_sig} signals; a single-lead record was expected")
    fs = float(rec.fs)
    if expected_fs is not None and not math.isclose(fs, expected_fs):
        raise ValueError(f"header says fs = {fs:g} Hz but {expected_fs:g} Hz was expected (--fs)")
    samples = np.asarray(rec.d_signal)[:, 0]
    if samples.size != rec.sig_len:
        raise ValueError(f"holds {samples.size} samples but the header says {rec.sig_len} (truncated?)")
    gain = float(rec.adc_gain[0]) or 200.0  # WFDB: a gain of 0 means "uncalibrated", nominal 200 adu/mV
    units = (rec.units[0] or "mV") if rec.units else "mV"
    if units not in ("mV", "uV"):
        raise ValueError(f"unsupported units {units!r} (expected mV or uV)")
    mv = (samples.astype(np.float64) - float(rec.baseline[0])) / gain
    if units == "uV":
        mv /= 1000.0
    initial = rec.init_value[0] if rec.init_value else None
    if initial is not None and samples.size and int(samples[0]) != int(initial):
        notes.append(("initial_value", f"header initial value {int(initial)} != first sample {int(samples[0])} "
                                       "(known quirk of the CinC 2017 archive; the signal is kept)"))
    return mv, fs, notes


def read_cinc2017_records(folder, target_fs=KIT_FS, expected_fs=None, log=print):
    """Every labelled N/A record of a CinC 2017 folder, whole: ``(records, counts, lines)``.

    ``records``: list of ``(record name, label 0/1, mV float64 (n,) at target_fs)`` in label-file
    order; ``counts``: one entry per label (records labelled so), per warning and skip kind
    (``WARNINGS``, ``SKIPS``, except ``too_short``, decided by the caller) and ``records_used``;
    ``lines``: the log lines, also passed to ``log`` one by one. Raises FileNotFoundError for a
    missing folder or label file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    counts = dict.fromkeys(["N", "A", "O", "~", *WARNINGS, *SKIPS, "records_used", "windows"], 0)
    lines = []

    def note(kind, line):
        if kind:
            counts[kind] += 1
        lines.append(line)
        log(line)

    rows = read_cinc_reference(folder / "REFERENCE.csv", note=lambda line: note("label_header", line))
    records, seen = [], set()
    for number, record, label in rows:
        if label not in CINC_LABELS and label not in CINC_DROPPED:
            note("unknown_label", f"SKIP {record}: REFERENCE.csv line {number}: unknown label {label!r} "
                                  "(expected N, A, O or ~)")
            continue
        if record in seen:
            note("duplicate", f"SKIP {record}: REFERENCE.csv line {number}: labelled a second time ({label!r}); "
                              "the first label is kept")
            continue
        seen.add(record)
        counts[label] += 1
        if label in CINC_DROPPED:
            continue
        if not (folder / f"{record}.hea").is_file():
            note("missing_header", f"SKIP {record}: no header {record}.hea in {folder}")
            continue
        try:
            mv, fs, warnings_ = read_cinc_record(folder, record, expected_fs)
        except ValueError as error:
            note("wrong_rate" if "was expected (--fs)" in str(error) else "unreadable", f"SKIP {record}: {error}")
            continue
        for kind, warning in warnings_:
            note(kind, f"WARNING {record}: {warning}")
        records.append((record, CINC_LABELS[label], resample(mv, fs, target_fs)))
    return records, counts, lines


def read_cinc2017(folder, window_s=10.0, target_fs=KIT_FS, expected_fs=None, log=print) -> CincPool:
    """Read every labelled N/A record of a CinC 2017 folder into windows; one log line per problem.

    Returns a ``CincPool`` (counts as in ``read_cinc2017_records`` plus ``too_short``, ``windows``).
    Raises FileNotFoundError for a missing folder or label file, ImportError_ if no window could be read.
    """
    length = int(round(window_s * target_fs))
    if length < 1:
        raise ValueError(f"window_s must give at least one sample, got {window_s}")
    records, counts, lines = read_cinc2017_records(folder, target_fs, expected_fs, log)
    windows, labels, ids = [], [], []
    for record, label, mv in records:
        n_windows = mv.size // length
        if n_windows == 0:
            counts["too_short"] += 1
            line = f"SKIP {record}: {mv.size / target_fs:.1f} s is shorter than one {window_s:g} s window"
            lines.append(line)
            log(line)
            continue
        windows.append(mv[:n_windows * length].reshape(n_windows, length))
        labels += [label] * n_windows
        ids += [record] * n_windows
        counts["records_used"] += 1
    if not windows:
        _fail(folder, "no N or A record could be read into a window: nothing to write "
                      f"({sum(counts[k] for k in SKIPS)} record(s) skipped, see the lines above)")
    X = np.concatenate(windows)
    counts["windows"] = int(X.shape[0])
    return CincPool(X, np.asarray(labels, dtype=np.int8), np.asarray(ids), float(target_fs), counts, lines)


def summary(pool: CincPool, window_s: float) -> str:
    """The one-line summary of an import (windows, labels, problems by kind)."""
    c = pool.counts
    problems = ", ".join(f"{c[key]} {key}" for key in (*WARNINGS, *SKIPS) if c[key])
    return (f"{c['windows']} windows of {window_s:g} s from {c['N']} N and {c['A']} A records "
            f"({c['O']} O and {c['~']} ~ dropped, {c['too_short']} too short); "
            f"{sum(c[k] for k in WARNINGS)} warning(s), {sum(c[k] for k in SKIPS)} record(s) skipped"
            + (f" [{problems}]" if problems else ""))


def import_cinc2017(folder, out_path, window_s=10.0, target_fs=KIT_FS, expected_fs=None, log=print) -> dict:
    """Import a CinC 2017 folder into ``out_path`` (written only once everything was read); return the counts."""
    pool = read_cinc2017(folder, window_s, target_fs, expected_fs, log=log)
    save_split(out_path, pool.X, pool.y, pool.fs, pool.patient_id)
    log(f"{out_path}: {summary(pool, window_s)}")
    return pool.counts


def _labels_from_text(values, path):
    mapping = {"0": 0, "1": 1, "N": 0, "A": 1, "0.0": 0, "1.0": 1}
    labels = []
    for row, value in enumerate(values, start=2):
        if value.strip() not in mapping:
            _fail(path, f"row {row}: unknown label {value!r} (expected 0/1 or N/A)")
        labels.append(mapping[value.strip()])
    return np.asarray(labels, dtype=np.int8)


def _read_csv(path):
    with open(path, newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    if len(rows) < 2:
        _fail(path, "expected a header row and at least one window row")
    header = [name.strip() for name in rows[0]]
    if "label" not in header:
        _fail(path, f"header must have a 'label' column, got {header[:5]}...")
    label_column = header.index("label")
    id_column = header.index("patient_id") if "patient_id" in header else None
    sample_columns = [i for i in range(len(header)) if i not in (label_column, id_column)]
    if not sample_columns:
        _fail(path, "no sample columns besides label/patient_id")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            _fail(path, f"row {number} has {len(row)} columns, the header {len(header)}")
    try:
        X = np.array([[float(row[i]) for i in sample_columns] for row in rows[1:]])
    except ValueError as error:
        _fail(path, f"a sample is not a number ({error})")
    y = _labels_from_text([row[label_column] for row in rows[1:]], path)
    ids = (np.array([row[id_column].strip() for row in rows[1:]]) if id_column is not None
           else np.array([f"row-{i:05d}" for i in range(1, len(rows))]))
    return X, y, None, ids


def _read_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:
        _fail(path, f"not a readable .npz ({type(error).__name__}: {error})")
    with archive:
        missing = [name for name in ("X", "y") if name not in archive.files]
        if missing:
            _fail(path, f"missing field(s) {missing}; a windows .npz needs X and y (fs, gain, patient_id optional)")
        X, y = archive["X"], archive["y"]
        if np.issubdtype(X.dtype, np.integer):
            if "gain" not in archive.files:
                _fail(path, "X is integer but there is no 'gain' (adu per mV) field")
            X = X / float(archive["gain"])
        fs = float(archive["fs"]) if "fs" in archive.files else None
        ids = archive["patient_id"] if "patient_id" in archive.files else np.array(
            [f"row-{i:05d}" for i in range(1, len(y) + 1)])
    return X, y, fs, ids


def import_table(in_path, out_path, fs=None, target_fs=KIT_FS, log=print) -> int:
    """Import a CSV or NPZ of labelled windows (layouts in the module docstring); return windows written."""
    in_path = Path(in_path)
    if not in_path.is_file():
        raise FileNotFoundError(f"{in_path}: no such file")
    X, y, file_fs, ids = _read_npz(in_path) if in_path.suffix == ".npz" else _read_csv(in_path)
    if file_fs is not None and fs is not None and not math.isclose(file_fs, fs):
        _fail(in_path, f"file says fs = {file_fs:g} Hz but {fs:g} Hz was given")
    fs = file_fs if file_fs is not None else (fs if fs is not None else target_fs)
    validate_arrays(X, y, fs, np.asarray(ids), where=in_path)
    X = resample(np.asarray(X, dtype=np.float64), fs, target_fs)
    save_split(out_path, X, y, target_fs, np.asarray(ids).astype(str))
    log(f"{out_path}: {X.shape[0]} windows of {X.shape[1]} samples at {target_fs:g} Hz from {in_path}")
    return int(X.shape[0])
