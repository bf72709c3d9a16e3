"""Real recordings into the kit format: the PhysioNet/CinC 2017 importer (on six real records) and the CSV/NPZ one."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from coursekit.ecg import importers
from coursekit.ecg.dataset import DatasetError, load_split

CINC_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "cinc2017_sample"
needs_sample = pytest.mark.skipif(
    not (CINC_SAMPLE / "REFERENCE.csv").is_file(),
    reason=f"CinC 2017 sample records not found at {CINC_SAMPLE} (shared/ beside the repository)",
)
#: A00001.hea: "A00001.mat 16+24 1000/mV 16 0 -127 0 0 ECG"; sample values are exact multiples of 1 uV.
EXACT_MV = 1e-6


@pytest.fixture
def sample_copy(tmp_path):
    """A private copy of the six records, safe to break."""
    folder = tmp_path / "cinc"
    shutil.copytree(CINC_SAMPLE, folder)
    return folder


@needs_sample
def test_cinc_import_labels_windows_and_ids(tmp_path):
    """N -> 0, A -> 1, O and ~ dropped; 30 s -> 3 and 60 s -> 6 windows of 3000; ids are record names."""
    out = tmp_path / "cinc.npz"
    counts = importers.import_cinc2017(CINC_SAMPLE, out, log=lambda *_: None)
    X, y, fs, patient_id = load_split(out)
    assert fs == 300.0 and X.shape == (15, 3000)
    expected_ids = ["A00001"] * 3 + ["A00002"] * 3 + ["A00004"] * 3 + ["A00005"] * 6
    assert list(patient_id) == expected_ids
    np.testing.assert_array_equal(y, [0] * 6 + [1] * 9)
    assert "A00008" not in patient_id and "A00022" not in patient_id
    assert counts == {"N": 2, "A": 2, "O": 1, "~": 1, "too_short": 0, "windows": 15}


@needs_sample
def test_cinc_import_converts_adu_to_mv_exactly(tmp_path):
    """Window 0 of A00001 equals (val - baseline 0) / 1000 for the first 3000 samples of the .mat."""
    from scipy.io import loadmat

    out = tmp_path / "cinc.npz"
    importers.import_cinc2017(CINC_SAMPLE, out, log=lambda *_: None)
    X, *_ = load_split(out)
    val = loadmat(CINC_SAMPLE / "A00001.mat")["val"][0]
    np.testing.assert_allclose(X[0], val[:3000] / 1000.0, atol=EXACT_MV, err_msg="A00001 window 0 in mV")
    np.testing.assert_allclose(X[2], val[6000:9000] / 1000.0, atol=EXACT_MV, err_msg="A00001 window 2 in mV")


@needs_sample
def test_cinc_import_window_length_and_resampling(tmp_path):
    """--window-s 20 gives 1 window per 30 s record and 3 per 60 s; a 150 Hz kit rate halves the samples."""
    out = tmp_path / "w20.npz"
    importers.import_cinc2017(CINC_SAMPLE, out, window_s=20.0, log=lambda *_: None)
    X, _, _, patient_id = load_split(out)
    assert X.shape == (1 + 1 + 1 + 3, 6000)
    assert list(patient_id).count("A00005") == 3
    out = tmp_path / "r150.npz"
    importers.import_cinc2017(CINC_SAMPLE, out, target_fs=150.0, log=lambda *_: None)
    X, _, fs, _ = load_split(out)
    assert fs == 150.0 and X.shape == (15, 1500)


def test_parse_header_fields(tmp_path):
    """The WFDB header parser reads fs, length, gain, baseline (explicit or adc_zero) and the byte offset."""
    path = tmp_path / "R1.hea"
    path.write_text("R1 1 250 5000 2014-05-08 05:05:15\nR1.mat 16+24 200(12)/mV 16 3 -5 0 0 ECG\n")
    header = importers.parse_wfdb_header(path)
    assert (header["fs"], header["n_samples"], header["gain"], header["baseline"]) == (250.0, 5000, 200.0, 12)
    assert header["byte_offset"] == 24 and header["initial"] == -5 and header["units"] == "mV"
    path.write_text("R1 1 250 5000\nR1.mat 16+24 200/mV 16 3 -5 0 0 ECG\n")
    assert importers.parse_wfdb_header(path)["baseline"] == 3  # WFDB: baseline defaults to adc_zero


@needs_sample
def test_missing_mat_names_the_header_and_the_file(sample_copy, tmp_path):
    """A header whose .mat is gone gives an error naming both."""
    (sample_copy / "A00004.mat").unlink()
    with pytest.raises(DatasetError, match=r"A00004\.hea.*A00004\.mat.*missing"):
        importers.import_cinc2017(sample_copy, tmp_path / "out.npz", log=lambda *_: None)
    assert not (tmp_path / "out.npz").exists()


@needs_sample
def test_label_file_naming_unknown_records(sample_copy, tmp_path):
    """REFERENCE.csv naming records without a header is an error naming the label file and the records."""
    with open(sample_copy / "REFERENCE.csv", "a") as handle:
        handle.write("B99999,N\n")
    with pytest.raises(ValueError, match=r"REFERENCE\.csv.*B99999"):
        importers.import_cinc2017(sample_copy, tmp_path / "out.npz", log=lambda *_: None)


@needs_sample
def test_unknown_label_letter(sample_copy, tmp_path):
    """A label other than N, A, O, ~ is an error naming the file, the line and the label."""
    text = (sample_copy / "REFERENCE.csv").read_text().replace("A00001,N", "A00001,X")
    (sample_copy / "REFERENCE.csv").write_text(text)
    with pytest.raises(ValueError, match=r"REFERENCE\.csv: line 1: unknown label 'X'"):
        importers.import_cinc2017(sample_copy, tmp_path / "out.npz", log=lambda *_: None)


@needs_sample
def test_expected_fs_contradicted_by_header(sample_copy, tmp_path):
    """--fs 500 against headers saying 300 Hz is an error naming the header and both rates."""
    with pytest.raises(ValueError, match=r"A00001\.hea: header says fs = 300 Hz but 500 Hz"):
        importers.import_cinc2017(sample_copy, tmp_path / "out.npz", expected_fs=500.0, log=lambda *_: None)


@needs_sample
def test_signal_length_contradicting_header(sample_copy, tmp_path):
    """A header claiming 18000 samples for a 9000-sample .mat is an error naming the .mat and both lengths."""
    header = sample_copy / "A00002.hea"
    header.write_text(header.read_text().replace(" 9000 ", " 18000 ", 1))
    with pytest.raises(ValueError, match=r"A00002\.mat: holds 9000 samples but A00002\.hea says 18000"):
        importers.import_cinc2017(sample_copy, tmp_path / "out.npz", log=lambda *_: None)


@needs_sample
def test_header_and_signal_from_different_records(sample_copy, tmp_path):
    """A .mat swapped with another record's (same length) fails the header's first-sample check."""
    shutil.copy(sample_copy / "A00004.mat", sample_copy / "A00001.mat")
    with pytest.raises(ValueError, match=r"A00001\.mat: first sample is 519 but A00001\.hea says -127"):
        importers.import_cinc2017(sample_copy, tmp_path / "out.npz", log=lambda *_: None)


@pytest.mark.parametrize("text, problem", [
    ("A1 1 300\nA1.mat 16+24 1000/mV 16 0 0 0 0 ECG\n", "malformed record line"),
    ("A1 1 fast 9000\nA1.mat 16+24 1000/mV 16 0 0 0 0 ECG\n", "must be numbers"),
    ("A1 2 300 9000\nA1.mat 16+24 1000/mV 16 0 0 0 0 ECG\n", "single-lead"),
    ("A1 1 300 9000\n", "expected a record line and a signal line"),
    ("A1 1 300 9000\nA1.mat 16+24 lots/mV 16 0 0 0 0 ECG\n", "cannot read format"),
    ("A1 1 0 9000\nA1.mat 16+24 1000/mV 16 0 0 0 0 ECG\n", "must be positive"),
])
def test_malformed_headers(tmp_path, text, problem):
    """Each malformed header raises a ValueError naming the .hea file and what is wrong."""
    path = tmp_path / "A1.hea"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"A1\.hea.*{problem}"):
        importers.parse_wfdb_header(path)


def test_missing_folder_or_label_file(tmp_path):
    """A missing folder or REFERENCE.csv is a FileNotFoundError naming the path."""
    with pytest.raises(FileNotFoundError, match="nowhere"):
        importers.import_cinc2017(tmp_path / "nowhere", tmp_path / "o.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="REFERENCE.csv"):
        importers.import_cinc2017(tmp_path / "empty", tmp_path / "o.npz")


# ---------------------------------------------------------------- CSV / NPZ

def _csv(path, rows, header="label,patient_id," + ",".join(f"s{i}" for i in range(6))):
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_csv_import_round_trip(tmp_path):
    """CSV rows (label, patient_id, samples in mV) become a kit split; N/A letters are accepted too."""
    path = _csv(tmp_path / "w.csv", ["0,p1,0.1,0.2,0.3,0.4,0.5,0.6", "A,p2,-1,0,1,0,-1,0"])
    n = importers.import_table(path, tmp_path / "w.npz", log=lambda *_: None)
    X, y, fs, patient_id = load_split(tmp_path / "w.npz")
    assert n == 2 and fs == 300.0
    np.testing.assert_allclose(X[0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], atol=1e-6)
    assert list(y) == [0, 1] and list(patient_id) == ["p1", "p2"]


def test_csv_without_ids_and_with_resampling(tmp_path):
    """Without a patient_id column each row is its own patient; --fs 150 input doubles to 300 Hz."""
    rows = ["1," + ",".join(str(v) for v in np.sin(np.arange(6)))]
    path = _csv(tmp_path / "r.csv", rows, header="label," + ",".join(f"s{i}" for i in range(6)))
    importers.import_table(path, tmp_path / "r.npz", fs=150.0, log=lambda *_: None)
    X, y, fs, patient_id = load_split(tmp_path / "r.npz")
    assert X.shape == (1, 12) and fs == 300.0 and list(patient_id) == ["row-00001"]


@pytest.mark.parametrize("rows, header, problem", [
    (["2,p1,0,0,0,0,0,0"], None, "row 2: unknown label '2'"),
    (["0,p1,0,0,oops,0,0,0"], None, "not a number"),
    (["0,p1,0,0,0"], None, "row 2 has 5 columns"),
    (["0,p1,nan,0,0,0,0,0"], None, "NaN"),
    (["0,p1,0,0,0,0,0,0"], "patient_id," + ",".join(f"s{i}" for i in range(7)), "'label' column"),
    ([], None, "header row and at least one window"),
])
def test_csv_errors_name_the_file(tmp_path, rows, header, problem):
    """Bad CSVs raise ValueError naming the file and the problem."""
    kwargs = {"header": header} if header else {}
    path = _csv(tmp_path / "bad.csv", rows, **kwargs)
    with pytest.raises(ValueError, match=rf"bad\.csv.*{problem}"):
        importers.import_table(path, tmp_path / "o.npz", log=lambda *_: None)


def test_npz_import_with_gain_and_fs_check(tmp_path):
    """An NPZ of int16 windows with gain imports; an fs contradicting --fs is an error naming the file."""
    X = (np.random.default_rng(0).normal(0, 0.3, (4, 3000)) * 200).astype(np.int16)
    path = tmp_path / "in.npz"
    np.savez(path, X=X, gain=200.0, y=np.array([0, 1, 1, 0]), fs=300.0)
    importers.import_table(path, tmp_path / "o.npz", log=lambda *_: None)
    X_mv, y, _, patient_id = load_split(tmp_path / "o.npz")
    np.testing.assert_allclose(X_mv, X / 200.0, atol=1e-3)
    assert list(patient_id) == ["row-00001", "row-00002", "row-00003", "row-00004"]
    with pytest.raises(ValueError, match=r"in\.npz: file says fs = 300 Hz but 250 Hz"):
        importers.import_table(path, tmp_path / "o2.npz", fs=250.0, log=lambda *_: None)
    np.savez(path, X=X, y=np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match=r"in\.npz: X is integer but there is no 'gain'"):
        importers.import_table(path, tmp_path / "o3.npz", log=lambda *_: None)
