"""The kit's single file format for ECG windows, shared by every split and every importer.

A split is a zip archive readable by ``numpy.load`` (an ``.npz``) holding five arrays:

=============  ==========  =================================================================
field          dtype       meaning
=============  ==========  =================================================================
``X``          int16       (n, L) windows in analogue-to-digital units (adu)
``gain``       float64     scalar, adu per mV (1000, as in PhysioNet/CinC 2017): mV = X / gain
``y``          int8        (n,) labels: 0 = normal sinus rhythm, 1 = atrial fibrillation
``fs``         float64     scalar sampling rate in Hz (300 for the kit's own data)
``patient_id`` unicode     (n,) patient (or record) identifier, a non-empty string;
                           windows of one patient share it, and no id is in two splits
=============  ==========  =================================================================

``X`` may instead be float32 in mV, in which case ``gain`` must be absent; ``load_split`` accepts
both and always returns float32 mV. Integer patient ids are accepted on load and turned into
strings, so downstream code sees one type.

Bit-for-bit reproducibility: ``numpy.savez_compressed`` stamps every zip entry with the current
time. ``save_split`` instead writes the zip itself: sorted entries, a fixed 1980-01-01 timestamp,
fixed permissions, C-ordered arrays, deflate at level 6. The bytes then depend only on the arrays
and on the zlib build: zlib 1.2.x/1.3.x give identical streams, zlib-ng (some newer distributions)
may not, which is why ``content_sha256`` hashes the decoded arrays too. bzip2 and lzma were tried:
20-25 % smaller files, but ``np.load`` took 1.5 s (bzip2) per 3 MB, and lzma took 6 s to write
3 MB, against 0.04 s and 0.4 s for deflate.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import numpy as np

#: adu per mV written by ``save_split`` (PhysioNet/CinC 2017 AliveCor records use 1000).
DEFAULT_GAIN = 1000.0
#: Label values and their meaning.
LABELS = {0: "normal sinus rhythm", 1: "atrial fibrillation"}
REQUIRED_FIELDS = ("X", "y", "fs", "patient_id")
#: A fixed timestamp makes the zip bytes independent of when the file was written.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_INT16_LIMIT_MV = np.iinfo(np.int16).max / DEFAULT_GAIN


class DatasetError(ValueError):
    """A split file or the arrays given to ``save_split`` break the format; the message names the file."""


def _fail(path, problem: str):
    raise DatasetError(f"{path}: {problem}")


def validate_arrays(X, y, fs, patient_id, *, where="arrays") -> None:
    """Check the arrays of one split (X in mV or adu, any real dtype) and raise DatasetError naming ``where``.

    Checks: X is 2-D with n >= 1 windows of L >= 1 samples and finite values; y is 1-D integer (or
    bool) with values in {0, 1}; patient_id is 1-D of non-empty strings or integers; len(y) ==
    len(patient_id) == n; fs is a finite positive scalar.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        _fail(where, f"X must be 2-D (n_windows, n_samples), got ndim={X.ndim} shape={X.shape}")
    if X.shape[0] < 1 or X.shape[1] < 1:
        _fail(where, f"X must hold at least one window of at least one sample, got shape {X.shape}")
    if not (np.issubdtype(X.dtype, np.integer) or np.issubdtype(X.dtype, np.floating)):
        _fail(where, f"X must be numeric, got dtype {X.dtype}")
    if np.issubdtype(X.dtype, np.floating) and not np.all(np.isfinite(X)):
        bad = int(np.count_nonzero(~np.isfinite(X)))
        _fail(where, f"X holds {bad} NaN or infinite sample(s)")
    y = np.asarray(y)
    if y.ndim != 1:
        _fail(where, f"y must be 1-D (n_windows,), got ndim={y.ndim} shape={y.shape}")
    if not (np.issubdtype(y.dtype, np.integer) or y.dtype == bool):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            pass  # whole-number floats, e.g. from a CSV, are fine if the values are valid labels
        else:
            _fail(where, f"y must hold integer labels, got dtype {y.dtype}")
    unknown = sorted(set(np.unique(y).tolist()) - set(LABELS))
    if unknown:
        _fail(where, f"y holds unknown label(s) {unknown[:5]}; allowed: 0 (normal), 1 (AF)")
    patient_id = np.asarray(patient_id)
    if patient_id.ndim != 1:
        _fail(where, f"patient_id must be 1-D (n_windows,), got shape {patient_id.shape}")
    if patient_id.dtype.kind not in "Uiu":
        _fail(where, f"patient_id must hold strings or integers, got dtype {patient_id.dtype}")
    if patient_id.dtype.kind == "U" and np.any(np.char.str_len(patient_id) == 0):
        _fail(where, "patient_id holds empty string(s)")
    if not (len(y) == len(patient_id) == X.shape[0]):
        _fail(where, f"lengths differ: X has {X.shape[0]} windows, y {len(y)}, patient_id {len(patient_id)}")
    fs_array = np.asarray(fs)
    if fs_array.ndim != 0 or not np.issubdtype(fs_array.dtype, np.number):
        _fail(where, f"fs must be a numeric scalar, got {fs!r}")
    if not (np.isfinite(fs_array) and float(fs_array) > 0):
        _fail(where, f"fs must be a positive sampling rate in Hz, got {float(fs_array)}")


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    # C order always (a Fortran-ordered copy of the same values would give other bytes);
    # np.asarray keeps 0-d scalars 0-d, unlike np.ascontiguousarray
    np.lib.format.write_array(buffer, np.asarray(array, order="C"), allow_pickle=False)
    return buffer.getvalue()


def write_npz_deterministic(path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an .npz whose bytes depend only on the arrays (sorted names, fixed zip metadata)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temporary, "w") as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # "Unix", whatever system writes it
            archive.writestr(info, _npy_bytes(arrays[name]), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    os.replace(temporary, path)


def content_sha256(path) -> str:
    """SHA-256 over the decoded arrays of an .npz (name, dtype, shape and C-order bytes, sorted by name).

    Equal for two files holding the same arrays, whatever compressor wrote them.
    """
    digest = hashlib.sha256()
    with np.load(path, allow_pickle=False) as archive:
        for name in sorted(archive.files):
            array = np.asarray(archive[name], order="C")
            digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
            digest.update(array.tobytes())
    return digest.hexdigest()


def file_sha256(path) -> str:
    """SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_split(path, X_mv, y, fs, patient_id, *, gain: float = DEFAULT_GAIN) -> Path:
    """Save one split: X_mv (n, L) in mV is rounded to int16 adu at ``gain`` adu/mV.

    ``y`` (n,) labels in {0, 1} become int8; ``patient_id`` (n,) becomes unicode strings.
    Raises DatasetError if the arrays are invalid or X_mv does not fit int16 at this gain
    (|X_mv| > 32.767 mV at the default gain). Returns the path written.
    """
    validate_arrays(X_mv, y, fs, patient_id, where=f"save_split({path})")
    X_adu = np.round(np.asarray(X_mv, dtype=np.float64) * gain)
    limit = np.iinfo(np.int16).max
    if np.any(np.abs(X_adu) > limit):
        _fail(path, f"X does not fit int16 at gain {gain} adu/mV (max |X| = {np.abs(X_mv).max():.3f} mV)")
    arrays = {
        "X": X_adu.astype(np.int16),
        "gain": np.float64(gain),
        "y": np.asarray(y).astype(np.int8),
        "fs": np.float64(fs),
        "patient_id": np.asarray(patient_id).astype(str),
    }
    write_npz_deterministic(path, arrays)
    return Path(path)


def load_split(path):
    """Load and validate one split.

    Returns ``(X, y, fs, patient_id)``: X float32 (n, L) in mV, y int64 (n,) in {0, 1},
    fs float (Hz), patient_id (n,) unicode strings. Raises FileNotFoundError (naming the path)
    if the file is missing and DatasetError (a ValueError) naming the file for anything else.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such split file (build it with `coursekit data build`)")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        _fail(path, f"not a readable .npz archive ({type(error).__name__}: {error})")
    if not isinstance(archive, np.lib.npyio.NpzFile):
        _fail(path, "not an .npz archive (it holds a single .npy array)")
    with archive:
        missing = [name for name in REQUIRED_FIELDS if name not in archive.files]
        if missing:
            _fail(path, f"missing field(s) {missing}; a split needs {list(REQUIRED_FIELDS)} (+ gain for int16 X)")
        try:
            arrays = {name: archive[name] for name in archive.files}
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
            _fail(path, f"a field cannot be read ({type(error).__name__}: {error})")
    X, y, fs, patient_id = (arrays[name] for name in REQUIRED_FIELDS)
    validate_arrays(X, y, fs, patient_id, where=path)
    if np.issubdtype(X.dtype, np.integer):
        if "gain" not in arrays:
            _fail(path, f"X is {X.dtype} (adu) but the 'gain' field (adu per mV) is missing")
        gain = np.asarray(arrays["gain"])
        if gain.ndim != 0 or not np.issubdtype(gain.dtype, np.number) or not (np.isfinite(gain) and gain > 0):
            _fail(path, f"gain must be a positive scalar (adu per mV), got {gain!r}")
        X_mv = (X.astype(np.float64) / float(gain)).astype(np.float32)
    else:
        if "gain" in arrays:
            _fail(path, f"X is {X.dtype} (taken as mV) but a 'gain' field is present; store int16 X with gain, or mV without")
        X_mv = X.astype(np.float32)
    return X_mv, y.astype(np.int64), float(fs), patient_id.astype(str)
