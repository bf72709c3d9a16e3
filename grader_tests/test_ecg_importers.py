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


CINC_POOL = CINC_SAMPLE.parent / "cinc2017"
needs_pool = pytest.mark.skipif(not (CINC_POOL / "REFERENCE.csv").is_file(),
                                reason=f"CinC 2017 pool not found at {CINC_POOL}")
QUIET = dict(log=lambda *_: None)


@needs_sample
def test_cinc_import_labels_windows_and_ids(tmp_path):
    """N -> 0, A -> 1, O and ~ dropped; 30 s -> 3 and 60 s -> 6 windows of 3000; ids are record names."""
    out = tmp_path / "cinc.npz"
    counts = importers.import_cinc2017(CINC_SAMPLE, out, **QUIET)
    X, y, fs, patient_id = load_split(out)
    assert fs == 300.0 and X.shape == (15, 3000)
    expected_ids = ["A00001"] * 3 + ["A00002"] * 3 + ["A00004"] * 3 + ["A00005"] * 6
    assert list(patient_id) == expected_ids
    np.testing.assert_array_equal(y, [0] * 6 + [1] * 9)
    assert "A00008" not in patient_id and "A00022" not in patient_id
    assert {k: counts[k] for k in ("N", "A", "O", "~", "too_short", "windows", "records_used")} == \
        {"N": 2, "A": 2, "O": 1, "~": 1, "too_short": 0, "windows": 15, "records_used": 4}
    # the sample's headers carry an ISO date, which wfdb rejects: read anyway, with a warning each
    assert counts["header_date"] == 4 and sum(counts[k] for k in importers.SKIPS) == 0


@needs_sample
def test_cinc_import_converts_adu_to_mv_exactly(tmp_path):
    """Window 0 of A00001 equals (val - baseline 0) / 1000 for the first 3000 samples of the .mat."""
    from scipy.io import loadmat

    out = tmp_path / "cinc.npz"
    importers.import_cinc2017(CINC_SAMPLE, out, **QUIET)
    X, *_ = load_split(out)
    val = loadmat(CINC_SAMPLE / "A00001.mat")["val"][0]
    np.testing.assert_allclose(X[0], val[:3000] / 1000.0, atol=EXACT_MV, err_msg="A00001 window 0 in mV")
    np.testing.assert_allclose(X[2], val[6000:9000] / 1000.0, atol=EXACT_MV, err_msg="A00001 window 2 in mV")


@needs_sample
def test_cinc_import_window_length_and_resampling(tmp_path):
    """--window-s 20 gives 1 window per 30 s record and 3 per 60 s; a 150 Hz kit rate halves the samples."""
    out = tmp_path / "w20.npz"
    importers.import_cinc2017(CINC_SAMPLE, out, window_s=20.0, **QUIET)
    X, _, _, patient_id = load_split(out)
    assert X.shape == (1 + 1 + 1 + 3, 6000)
    assert list(patient_id).count("A00005") == 3
    out = tmp_path / "r150.npz"
    importers.import_cinc2017(CINC_SAMPLE, out, target_fs=150.0, **QUIET)
    X, _, fs, _ = load_split(out)
    assert fs == 150.0 and X.shape == (15, 1500)


@needs_pool
def test_the_whole_real_pool_imports_with_its_quirks(tmp_path):
    """All 2,360 recordings: the ~6 % with the header's initial-value quirk are kept with a warning
    each, the 6 records under 10 s skipped, nothing else; one log line per problem."""
    lines = []
    out = tmp_path / "pool.npz"
    counts = importers.import_cinc2017(CINC_POOL, out, log=lines.append)
    assert {k: counts[k] for k in ("N", "A", "O", "~")} == {"N": 1500, "A": 480, "O": 300, "~": 80}
    assert counts["initial_value"] == 103 and counts["too_short"] == 6
    assert sum(counts[k] for k in importers.SKIPS) == 6 and counts["records_used"] == 1974
    assert counts["windows"] == 6073 and load_split(out)[0].shape == (6073, 3000)
    problems = [line for line in lines if line.startswith(("WARNING", "SKIP"))]
    assert len(problems) == 103 + 6 and all(len(line.splitlines()) == 1 for line in problems)
    assert any(line.startswith("WARNING A0") and "initial value" in line for line in problems)
    assert "103 initial_value, 6 too_short" in lines[-1]


def _import(folder, tmp_path, **kwargs):
    lines = []
    out = tmp_path / "out.npz"
    counts = importers.import_cinc2017(folder, out, log=lines.append, **kwargs)
    return counts, lines, load_split(out)


def _one(lines, record):
    """The one log line about ``record`` (besides the sample's header-date warnings)."""
    mine = [line for line in lines if line.split(":")[0].split()[-1] == record and "base date" not in line]
    assert len(mine) == 1, (record, lines)
    return mine[0]


@needs_sample
def test_header_initial_value_quirk_keeps_the_record(sample_copy, tmp_path):
    """A header whose initial value is not the first sample (the CinC archive quirk): warning, record kept as is."""
    header = sample_copy / "A00001.hea"
    header.write_text(header.read_text().replace(" -127 0 0 ECG", " 55 0 0 ECG"))
    counts, lines, (X, _, _, patient_id) = _import(sample_copy, tmp_path)
    assert counts["initial_value"] == 1 and list(patient_id).count("A00001") == 3
    assert _one(lines, "A00001").startswith("WARNING A00001: header initial value 55 != first sample -127")
    from scipy.io import loadmat
    np.testing.assert_allclose(X[0], loadmat(sample_copy / "A00001.mat")["val"][0][:3000] / 1000.0, atol=EXACT_MV)


@pytest.mark.parametrize("damage, kind, words", [
    ("truncate", "unreadable", "wfdb cannot read it"),
    ("garbage", "unreadable", "wfdb cannot read it"),
    ("delete_mat", "unreadable", "file missing: A00004.mat"),
    ("delete_hea", "missing_header", "no header A00004.hea"),
    ("longer_header", "unreadable", "A00004"),
])
@needs_sample
def test_a_broken_record_is_skipped_and_the_batch_continues(sample_copy, tmp_path, damage, kind, words):
    """One broken record: one SKIP line naming it and why, the others imported as usual."""
    mat, hea = sample_copy / "A00004.mat", sample_copy / "A00004.hea"
    if damage == "truncate":
        mat.write_bytes(mat.read_bytes()[:5000])
    elif damage == "garbage":
        mat.write_bytes(b"not a MATLAB file" * 100)
    elif damage == "delete_mat":
        mat.unlink()
    elif damage == "delete_hea":
        hea.unlink()
    else:
        hea.write_text(hea.read_text().replace(" 9000 ", " 18000 ", 1))
    counts, lines, (X, y, _, patient_id) = _import(sample_copy, tmp_path)
    assert counts[kind] == 1 and sum(counts[k] for k in importers.SKIPS) == 1, counts
    line = _one(lines, "A00004")
    assert line.startswith("SKIP A00004: ") and words in line, line
    assert "A00004" not in patient_id and X.shape == (12, 3000)
    assert "1 record(s) skipped" in lines[-1] and kind in lines[-1]


@needs_sample
def test_label_file_problems_are_skips_not_errors(sample_copy, tmp_path):
    """A header row, an unknown label, a record labelled twice and a label without a recording:
    each one line, the rest imported."""
    text = (sample_copy / "REFERENCE.csv").read_text()
    text = "Record,Label\n" + text.replace("A00002,N", "A00002,X") + "A00001,A\nB99999,N\n"
    (sample_copy / "REFERENCE.csv").write_text(text)
    counts, lines, (_, _, _, patient_id) = _import(sample_copy, tmp_path)
    assert (counts["label_header"], counts["unknown_label"], counts["duplicate"], counts["missing_header"]) == \
        (1, 1, 1, 1)
    assert "unknown label 'X'" in _one(lines, "A00002") and "line 3" in _one(lines, "A00002")
    assert "labelled a second time" in _one(lines, "A00001") and "no header B99999.hea" in _one(lines, "B99999")
    assert any(line.startswith("WARNING REFERENCE.csv line 1: header row") for line in lines)
    assert sorted(set(patient_id)) == ["A00001", "A00004", "A00005"]


@needs_sample
def test_unexpected_rate_is_skipped(sample_copy, tmp_path):
    """--fs 300 and one header saying 250 Hz: that record skipped, naming both rates."""
    header = sample_copy / "A00002.hea"
    header.write_text(header.read_text().replace("A00002 1 300 ", "A00002 1 250 ", 1))
    counts, lines, (_, _, _, patient_id) = _import(sample_copy, tmp_path, expected_fs=300.0)
    assert counts["wrong_rate"] == 1 and "A00002" not in patient_id
    assert "fs = 250 Hz but 300 Hz was expected" in _one(lines, "A00002")


@needs_sample
def test_an_unusable_folder_is_an_error_and_writes_nothing(sample_copy, tmp_path):
    """Every N/A record unreadable: an error naming the folder, no output file (not even half of one)."""
    for mat in sample_copy.glob("*.mat"):
        mat.write_bytes(b"")
    out = tmp_path / "out.npz"
    with pytest.raises(ValueError, match=r"no N or A record could be read"):
        importers.import_cinc2017(sample_copy, out, **QUIET)
    assert list(tmp_path.iterdir()) == [sample_copy]
    with pytest.raises(ValueError, match=r"no N or A record"):
        importers.import_cinc2017(sample_copy, out, expected_fs=500.0, **QUIET)


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
