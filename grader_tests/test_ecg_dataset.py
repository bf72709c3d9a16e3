"""The AF split format: round trip, bit-for-bit writing, and one clear error per kind of bad file."""

import io
import zipfile

import numpy as np
import pytest

from coursekit.ecg import dataset
from coursekit.ecg.dataset import DatasetError, load_split, save_split

#: int16 at 1000 adu/mV rounds to 1 uV: a round trip is exact to half of that.
ROUND_TRIP_TOLERANCE_MV = 0.5e-3 + 1e-7


def _arrays(n=6, length=50, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 0.5, (n, length))
    y = np.array([0, 1] * (n // 2), dtype=np.int8)
    patient_id = np.array([f"p{i // 2}" for i in range(n)])
    return X, y, 300.0, patient_id


def _write_raw(path, **arrays):
    """An .npz with exactly these fields, bypassing save_split's checks."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(value), allow_pickle=False)
            archive.writestr(f"{name}.npy", buffer.getvalue())
    return path


def _valid_fields():
    X, y, fs, patient_id = _arrays()
    return dict(X=np.round(X * 1000).astype(np.int16), gain=np.float64(1000), y=y, fs=np.float64(fs),
                patient_id=patient_id)


def test_round_trip_types_shapes_values(tmp_path):
    """load_split returns float32 mV, int64 labels, float fs and string ids equal to what was saved."""
    X, y, fs, patient_id = _arrays()
    path = save_split(tmp_path / "split.npz", X, y, fs, patient_id)
    X_loaded, y_loaded, fs_loaded, id_loaded = load_split(path)
    assert X_loaded.dtype == np.float32 and X_loaded.shape == X.shape
    assert y_loaded.dtype == np.int64 and fs_loaded == 300.0 and isinstance(fs_loaded, float)
    np.testing.assert_allclose(X_loaded, X, atol=ROUND_TRIP_TOLERANCE_MV, err_msg="X after int16 round trip")
    np.testing.assert_array_equal(y_loaded, y)
    np.testing.assert_array_equal(id_loaded, patient_id)
    with np.load(path) as raw:
        assert raw["X"].dtype == np.int16 and raw["y"].dtype == np.int8 and float(raw["gain"]) == 1000.0
        assert raw["fs"].shape == () and raw["gain"].shape == ()


def test_same_arrays_same_bytes_and_no_timestamp(tmp_path, monkeypatch):
    """Two writes of the same arrays, at different times, give identical bytes; other arrays do not."""
    X, y, fs, patient_id = _arrays()
    first = save_split(tmp_path / "a.npz", X, y, fs, patient_id).read_bytes()
    import time as time_module

    real_time = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real_time() + 86400 * 400)
    monkeypatch.setattr(time_module, "localtime", lambda *a: time_module.struct_time((2031, 5, 6, 7, 8, 9, 0, 1, 0)))
    second = save_split(tmp_path / "b.npz", X, y, fs, patient_id).read_bytes()
    assert first == second
    X[0, 0] += 0.01
    third = save_split(tmp_path / "c.npz", X, y, fs, patient_id).read_bytes()
    assert third != first
    with zipfile.ZipFile(tmp_path / "a.npz") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_content_hash_ignores_compression(tmp_path):
    """content_sha256 is equal for the same arrays written by savez_compressed; file hashes differ."""
    fields = _valid_fields()
    ours = tmp_path / "ours.npz"
    dataset.write_npz_deterministic(ours, fields)
    theirs = tmp_path / "theirs.npz"
    np.savez(theirs, **fields)
    assert dataset.content_sha256(ours) == dataset.content_sha256(theirs)
    assert dataset.file_sha256(ours) != dataset.file_sha256(theirs)


def test_float32_mv_files_load_too(tmp_path):
    """A file with float32 X in mV (and no gain) is accepted and returned unchanged."""
    X, y, fs, patient_id = _arrays()
    path = _write_raw(tmp_path / "f.npz", X=X.astype(np.float32), y=y, fs=np.float64(fs), patient_id=patient_id)
    X_loaded, *_ = load_split(path)
    np.testing.assert_array_equal(X_loaded, X.astype(np.float32))


def test_integer_patient_ids_become_strings(tmp_path):
    """Integer patient ids load as strings, so downstream code sees one type."""
    fields = _valid_fields()
    fields["patient_id"] = np.arange(6) // 2
    _, _, _, patient_id = load_split(_write_raw(tmp_path / "i.npz", **fields))
    assert patient_id.dtype.kind == "U" and list(patient_id[:3]) == ["0", "0", "1"]


def test_missing_file_is_file_not_found_naming_path(tmp_path):
    """A missing split raises FileNotFoundError with the path in the message."""
    path = tmp_path / "nope.npz"
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load_split(path)


BAD_FIELDS = {
    "missing_y": (lambda f: f.pop("y"), r"missing field\(s\) \['y'\]"),
    "missing_gain_for_int16": (lambda f: f.pop("gain"), "gain"),
    "X_1d": (lambda f: f.update(X=f["X"][0]), "X must be 2-D"),
    "X_3d": (lambda f: f.update(X=f["X"][:, None, :]), "X must be 2-D"),
    "X_nan": (lambda f: f.update(X=np.where(np.eye(6, 50) > 0, np.nan, 0.1).astype(np.float32), gain=None), "NaN"),
    "X_inf": (lambda f: f.update(X=np.full((6, 50), np.inf, np.float32), gain=None), "NaN or infinite"),
    "label_2": (lambda f: f.update(y=np.array([0, 1, 2, 0, 1, 0], np.int8)), r"unknown label\(s\) \[2\]"),
    "label_negative": (lambda f: f.update(y=np.array([0, 1, -1, 0, 1, 0], np.int8)), "unknown label"),
    "y_2d": (lambda f: f.update(y=f["y"][:, None]), "y must be 1-D"),
    "y_short": (lambda f: f.update(y=f["y"][:5]), "lengths differ"),
    "ids_long": (lambda f: f.update(patient_id=np.array(["a"] * 7)), "lengths differ"),
    "ids_empty_string": (lambda f: f.update(patient_id=np.array(["a", "", "b", "c", "d", "e"])), "empty"),
    "fs_zero": (lambda f: f.update(fs=np.float64(0.0)), "positive sampling rate"),
    "fs_negative": (lambda f: f.update(fs=np.float64(-300.0)), "positive sampling rate"),
    "fs_vector": (lambda f: f.update(fs=np.array([300.0, 300.0])), "scalar"),
    "gain_zero": (lambda f: f.update(gain=np.float64(0.0)), "gain must be a positive scalar"),
    "no_windows": (lambda f: f.update(X=np.zeros((0, 50), np.int16), y=np.zeros(0, np.int8),
                                      patient_id=np.array([], dtype="<U1")), "at least one window"),
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_bad_split_raises_value_error_naming_file_and_problem(tmp_path, case):
    """Each malformed split raises DatasetError (a ValueError) naming the file and the problem."""
    fields = _valid_fields()
    change, expected = BAD_FIELDS[case]
    change(fields)
    fields = {name: value for name, value in fields.items() if value is not None}
    path = _write_raw(tmp_path / f"{case}.npz", **fields)
    with pytest.raises(ValueError, match=expected) as raised:
        load_split(path)
    assert isinstance(raised.value, DatasetError)
    assert f"{case}.npz" in str(raised.value)


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken", b""])
def test_not_an_npz_raises_value_error_naming_file(tmp_path, content):
    """A file that is no .npz raises DatasetError naming it, not a zipfile or pickle error."""
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match="junk.npz.*not a readable .npz"):
        load_split(path)


def test_single_npy_is_not_a_split(tmp_path):
    """A plain .npy file renamed .npz is refused."""
    path = tmp_path / "single.npz"
    np.save(path.with_suffix(".npy"), np.zeros(3))
    path.with_suffix(".npy").rename(path)
    with pytest.raises(DatasetError, match="single.npz"):
        load_split(path)


def test_pickled_object_array_is_refused(tmp_path):
    """An object array (which would need pickle to load) is refused, never unpickled."""
    fields = _valid_fields()
    path = tmp_path / "objects.npz"
    np.savez(path, **{**fields, "patient_id": np.array([{"a": 1}] * 6, dtype=object)})
    with pytest.raises(DatasetError, match="objects.npz"):
        load_split(path)


def test_save_split_refuses_bad_input_and_overflow(tmp_path):
    """save_split validates like load_split and refuses X that does not fit int16 at the gain."""
    X, y, fs, patient_id = _arrays()
    with pytest.raises(DatasetError, match="unknown label"):
        save_split(tmp_path / "a.npz", X, y + 1, fs, patient_id)
    X[0, 0] = 40.0  # mV: 40 000 adu > 32 767
    with pytest.raises(DatasetError, match="does not fit int16"):
        save_split(tmp_path / "b.npz", X, y, fs, patient_id)
    assert not (tmp_path / "b.npz").exists()
