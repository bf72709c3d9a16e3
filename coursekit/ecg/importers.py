"""Real recordings into the kit's split format (``coursekit.ecg.dataset``).

PhysioNet/CinC Challenge 2017 (``import_cinc2017``)
    A folder of WFDB records (``NAME.hea`` header + ``NAME.mat`` MATLAB v4 file with one int16
    array ``val`` of shape (1, n)) and a ``REFERENCE.csv`` of ``record,label`` lines without a
    header. Labels N (normal, 0) and A (AF, 1) are kept; O (other rhythm) and ~ (noisy) are
    dropped. Each record is converted to mV, mV = (adu - baseline) / gain, resampled to ``fs``
    if its rate differs (``scipy.signal.resample_poly``), and cut into non-overlapping windows of
    ``window_s`` seconds (the remainder is dropped). ``patient_id`` = record name (CinC 2017 has
    one record per patient as far as the organisers could ensure).

    The header is parsed here (WFDB "header" format, one signal):
    record line   ``NAME n_signals fs[/counter] n_samples [date time]``
    signal line   ``FILE format[+offset] gain[(baseline)][/units] adc_res adc_zero init checksum block description``
    The baseline defaults to adc_zero when not in parentheses (WFDB spec). Checked against the
    .mat: the number of samples and the first sample (the header's initial value).

Generic (``import_table``)
    For whatever an instructor brings:

    - CSV with a header row. Columns: ``label`` (0/1, or N/A), optional ``patient_id``, then one
      column per sample (any names), values in mV, one window per row. Windows without a
      ``patient_id`` get ``row-00001``, ... (each row its own patient).
    - NPZ with ``X`` (n, L) (float mV, or integers with a scalar ``gain`` in adu/mV), ``y`` (n,),
      and optional ``fs`` and ``patient_id``.

    ``fs`` (argument) is the sampling rate of the input when the file does not say; windows are
    resampled to ``target_fs`` (300 Hz, the kit's rate) when it differs.

Every error raises ``ImportError_`` (a ``DatasetError``, so a ``ValueError``) naming the file.
"""

from __future__ import annotations

import csv
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy import io as scipy_io
from scipy import signal

from .dataset import DatasetError, save_split, validate_arrays

KIT_FS = 300.0
CINC_LABELS = {"N": 0, "A": 1}
CINC_DROPPED = {"O", "~"}


class ImportError_(DatasetError):
    """Real data that cannot be imported; the message names the file and the problem."""


def _fail(path, problem):
    raise ImportError_(f"{path}: {problem}")


def parse_wfdb_header(path) -> dict:
    """Parse a single-signal WFDB header; return name, fs, n_samples, file, fmt, byte_offset, gain, baseline, units, initial."""
    path = Path(path)
    lines = [line.strip() for line in path.read_text().splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if len(lines) < 2:
        _fail(path, f"malformed WFDB header: expected a record line and a signal line, got {len(lines)} line(s)")
    record = lines[0].split()
    if len(record) < 4:
        _fail(path, f"malformed record line {lines[0]!r}: expected 'NAME n_signals fs n_samples'")
    try:
        n_signals = int(record[1])
        fs = float(record[2].split("/")[0])
        n_samples = int(record[3])
    except ValueError:
        _fail(path, f"malformed record line {lines[0]!r}: n_signals, fs and n_samples must be numbers")
    if n_signals != 1:
        _fail(path, f"expected a single-lead record (1 signal), header says {n_signals}")
    if not (math.isfinite(fs) and fs > 0) or n_samples <= 0:
        _fail(path, f"header gives fs={fs} and n_samples={n_samples}; both must be positive")
    fields = lines[1].split()
    if len(fields) < 3:
        _fail(path, f"malformed signal line {lines[1]!r}: expected 'FILE format gain ...'")
    fmt = re.fullmatch(r"(\d+)(?:x\d+)?(?::\d+)?(?:\+(\d+))?", fields[1])
    gain = re.fullmatch(r"([-+0-9.eE]+)(?:\(([-+0-9]+)\))?(?:/(\S+))?", fields[2])
    if not fmt or not gain:
        _fail(path, f"malformed signal line {lines[1]!r}: cannot read format {fields[1]!r} or gain {fields[2]!r}")
    try:
        adc_zero = int(fields[4]) if len(fields) > 4 else 0
        initial = int(fields[5]) if len(fields) > 5 else None
        gain_value = float(gain.group(1))
    except ValueError:
        _fail(path, f"malformed signal line {lines[1]!r}: adc_zero, initial value and gain must be numbers")
    if not (math.isfinite(gain_value) and gain_value != 0):
        gain_value = 200.0  # WFDB: a gain of 0 means "uncalibrated", with the nominal 200 adu/mV
    return {
        "name": record[0], "fs": fs, "n_samples": n_samples, "file": fields[0], "format": int(fmt.group(1)),
        "byte_offset": int(fmt.group(2) or 0), "gain": gain_value,
        "baseline": int(gain.group(2)) if gain.group(2) is not None else adc_zero,
        "units": gain.group(3) or "mV", "initial": initial,
    }


def read_cinc_record(header_path, expected_fs=None) -> tuple[np.ndarray, float]:
    """One CinC 2017 record in mV (float64 (n,)) and its sampling rate; checks .mat against header."""
    header_path = Path(header_path)
    header = parse_wfdb_header(header_path)
    if expected_fs is not None and not math.isclose(header["fs"], expected_fs):
        _fail(header_path, f"header says fs = {header['fs']:g} Hz but {expected_fs:g} Hz was expected (--fs)")
    if header["units"] not in ("mV", "uV"):
        _fail(header_path, f"unsupported units {header['units']!r} (expected mV or uV)")
    mat_path = header_path.with_name(header["file"])
    if mat_path.suffix != ".mat":
        mat_path = header_path.with_suffix(".mat")
    if not mat_path.is_file():
        _fail(header_path, f"signal file {mat_path.name} named by this header is missing (looked for {mat_path})")
    try:
        contents = scipy_io.loadmat(mat_path)
    except Exception as error:  # scipy raises several types for a corrupt file
        _fail(mat_path, f"not a readable MATLAB file ({type(error).__name__}: {error})")
    if "val" not in contents:
        _fail(mat_path, f"no 'val' array (found {sorted(k for k in contents if not k.startswith('__'))})")
    val = np.asarray(contents["val"])
    if val.ndim != 2 or val.shape[0] != 1:
        _fail(mat_path, f"'val' must have shape (1, n_samples), got {val.shape}")
    if val.shape[1] != header["n_samples"]:
        _fail(mat_path, f"holds {val.shape[1]} samples but {header_path.name} says {header['n_samples']} "
                        f"(at {header['fs']:g} Hz: {val.shape[1] / header['fs']:.2f} s vs "
                        f"{header['n_samples'] / header['fs']:.2f} s)")
    if header["initial"] is not None and int(val[0, 0]) != header["initial"]:
        _fail(mat_path, f"first sample is {int(val[0, 0])} but {header_path.name} says {header['initial']}: "
                        "header and signal do not belong together")
    mv = (val[0].astype(np.float64) - header["baseline"]) / header["gain"]
    if header["units"] == "uV":
        mv /= 1000.0
    return mv, header["fs"]


def resample(x, fs_in, fs_out):
    """Resample the last axis from ``fs_in`` to ``fs_out`` with a polyphase filter (identity if equal)."""
    if math.isclose(fs_in, fs_out):
        return np.asarray(x, dtype=np.float64)
    ratio = Fraction(fs_out / fs_in).limit_denominator(1000)
    return signal.resample_poly(np.asarray(x, dtype=np.float64), ratio.numerator, ratio.denominator, axis=-1)


def read_cinc_reference(path) -> list[tuple[str, str]]:
    """``(record, label)`` pairs of a CinC REFERENCE.csv (no header row)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: label file REFERENCE.csv not found")
    pairs = []
    with open(path, newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) != 2:
                _fail(path, f"line {number}: expected 'record,label', got {row!r}")
            record, label = row[0].strip(), row[1].strip()
            if label not in CINC_LABELS and label not in CINC_DROPPED:
                _fail(path, f"line {number}: unknown label {label!r} for {record} (expected N, A, O or ~)")
            pairs.append((record, label))
    return pairs


def import_cinc2017(folder, out_path, window_s=10.0, target_fs=KIT_FS, expected_fs=None, log=print) -> dict:
    """Import a CinC 2017 folder into ``out_path``; return counts per label and windows written."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    reference = folder / "REFERENCE.csv"
    pairs = read_cinc_reference(reference)
    unknown = [record for record, _ in pairs if not (folder / f"{record}.hea").is_file()]
    if unknown:
        _fail(reference, f"names {len(unknown)} record(s) with no header in {folder}: {unknown[:5]}")
    length = int(round(window_s * target_fs))
    if length < 1:
        raise ValueError(f"window_s must give at least one sample, got {window_s}")
    windows, labels, ids = [], [], []
    counts = {"N": 0, "A": 0, "O": 0, "~": 0, "too_short": 0}
    for record, label in pairs:
        counts[label] += 1
        if label in CINC_DROPPED:
            continue
        mv, fs = read_cinc_record(folder / f"{record}.hea", expected_fs)
        mv = resample(mv, fs, target_fs)
        n_windows = mv.size // length
        if n_windows == 0:
            counts["too_short"] += 1
            continue
        windows.append(mv[:n_windows * length].reshape(n_windows, length))
        labels += [CINC_LABELS[label]] * n_windows
        ids += [record] * n_windows
    if not windows:
        _fail(reference, "no N or A record long enough for one window: nothing to write")
    X = np.concatenate(windows)
    save_split(out_path, X, np.asarray(labels, dtype=np.int8), target_fs, np.asarray(ids))
    counts["windows"] = int(X.shape[0])
    log(f"{out_path}: {X.shape[0]} windows of {window_s:g} s from {counts['N']} N and {counts['A']} A records "
        f"({counts['O']} O and {counts['~']} ~ dropped, {counts['too_short']} too short)")
    return counts


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
