"""`coursekit data`: the splits rebuild bit for bit (real and synthetic), a fresh clone has them, the
build never overwrites a file it did not write, and the commands report errors in one line."""

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from coursekit.ecg import build, cli, dataset

CINC_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "cinc2017_sample"
CINC_POOL = CINC_SAMPLE.parent / "cinc2017"
ROOT = Path(__file__).resolve().parents[1]
needs_pool = pytest.mark.skipif(not (CINC_POOL / "REFERENCE.csv").is_file(), reason=f"no CinC pool at {CINC_POOL}")


def _run(argv):
    """Parse ``argv`` with only the data command group registered and run its handler."""
    parser = argparse.ArgumentParser(prog="coursekit")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def _paths(tmp_path):
    public, hidden = tmp_path / "source/05_af_cnn/data/af_train.npz", tmp_path / "reference/af_cnn/data/af_hidden.npz"
    return public, hidden, ["--out-public", str(public), "--out-hidden", str(hidden),
                            "--manifest", str(tmp_path / "manifest.json")]


@needs_pool
def test_real_build_reproduces_the_committed_splits(tmp_path, capsys):
    """`coursekit data build --pool CINC --check` rebuilds the committed real splits bit for bit:
    patient-disjoint, hidden windows nowhere in the public split, both under the size limit."""
    public, hidden, options = _paths(tmp_path)
    status = _run(["data", "build", "--pool", str(CINC_POOL), *options, "--check"])
    output = capsys.readouterr()
    assert status == 0, output.err[-2000:]
    assert "checksums match" in output.out
    expected = build.expected_checksums("cinc2017")["splits"]
    for name, path, committed in (("public", public, build.PUBLIC_PATH), ("hidden", hidden, build.HIDDEN_PATH)):
        assert dataset.content_sha256(path) == expected[name]["content_sha256"] == \
            dataset.content_sha256(ROOT / committed), name
    X_pub, y_pub, fs, id_pub = dataset.load_split(public)
    X_hid, y_hid, fs_hid, id_hid = dataset.load_split(hidden)
    assert fs == fs_hid == build.REAL_FS and X_pub.shape[1] == X_hid.shape[1] == 1500
    assert not set(id_pub) & set(id_hid), "a patient is in both splits"
    assert 0.2 <= y_pub.mean() <= 0.3 and 0.2 <= y_hid.mean() <= 0.3  # AF is the minority class, as in CinC
    public_windows = {row.tobytes() for row in np.round(X_pub * 1000).astype(np.int16)}
    assert not any(row.tobytes() in public_windows for row in np.round(X_hid * 1000).astype(np.int16))
    assert public.stat().st_size + hidden.stat().st_size < 30e6


def test_a_fresh_clone_has_the_release_data_and_its_data_cell_runs(tmp_path):
    """`git clone` of the repository: release/05_af_cnn/data/af_train.npz is there (not ignored), equal
    to the committed checksums, and the notebook's data cell runs on it (setup + the solution's
    load_af_data + load_the_data, in the released folder); `coursekit data build --check` there
    (no recordings) accepts the committed splits."""
    import nbformat

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True)
    released = clone / "release" / "05_af_cnn" / "data" / "af_train.npz"
    assert released.is_file(), "a fresh clone has no public split in release/"
    assert dataset.content_sha256(released) == build.expected_checksums("cinc2017")["splits"]["public"]["content_sha256"]
    assert (clone / build.HIDDEN_PATH).is_file() and (clone / build.MANIFEST_PATH).is_file()
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
             for c in nbformat.read(clone / "source" / "05_af_cnn" / "af_cnn.ipynb", as_version=4).cells}
    script = "\n".join([cells["setup"], cells["load_af_data"], cells["load_the_data"]])
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", script], cwd=released.parent.parent,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "windows of 1500 samples (10 s at 150 Hz)" in result.stdout, result.stdout
    check = subprocess.run([str(ROOT / ".venv" / "bin" / "coursekit"), "data", "build", "--check"], cwd=clone,
                           capture_output=True, text=True, timeout=120,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert check.returncode == 0 and "unchanged since" in check.stdout, check.stdout + check.stderr


@pytest.mark.slow
def test_default_synthetic_build_matches_committed_checksums(tmp_path, capsys):
    """`coursekit data build --source synthetic --check` rebuilds both simulated splits, equal
    (content and bytes) to checksums.json."""
    public, hidden, options = _paths(tmp_path)
    status = _run(["data", "build", "--source", "synthetic", *options, "--check"])
    output = capsys.readouterr()
    assert status == 0, output.err
    assert "checksums match" in output.out
    expected = build.expected_checksums("synthetic")["splits"]
    for name, path in (("public", public), ("hidden", hidden)):
        assert dataset.content_sha256(path) == expected[name]["content_sha256"], name
    # the properties the assignment relies on, on the real default files
    X_pub, y_pub, fs, id_pub = dataset.load_split(public)
    X_hid, y_hid, _, id_hid = dataset.load_split(hidden)
    assert fs == 300.0 and X_pub.shape[1] == X_hid.shape[1] == 3000
    assert not set(id_pub) & set(id_hid), "a patient is in both splits"
    assert 1500 <= y_pub.size <= 2500 and 800 <= y_hid.size <= 1500
    assert 0.40 <= y_pub.mean() <= 0.50 and 0.40 <= y_hid.mean() <= 0.50
    assert public.stat().st_size < 8e6, f"public split is {public.stat().st_size / 1e6:.1f} MB"


def test_check_reports_a_changed_file(tmp_path, monkeypatch):
    """check_checksums names the split whose content differs (so --check can fail)."""
    results = {"public": {"content_sha256": "0" * 64, "file_sha256": "0" * 64},
               "hidden": dict(build.expected_checksums()["splits"]["hidden"])}
    problems = build.check_checksums(results)
    assert problems and all(problem.startswith("public: ") for problem in problems), problems
    assert any("content sha256" in problem for problem in problems)


def test_default_paths_keep_the_hidden_split_away_from_students():
    """The hidden split lives under reference/, never under source/ or release/."""
    assert build.HIDDEN_PATH.parts[0] == "reference"
    assert build.PUBLIC_PATH.parts[:2] == ("source", "05_af_cnn")


def test_cli_registers_the_documented_subcommands():
    """`coursekit data` has build, card, import-cinc2017 and import-csv, each with a handler."""
    parser = argparse.ArgumentParser(prog="coursekit")
    cli.register(parser.add_subparsers(dest="command"))
    for argv in (["data", "build", "--seed", "3", "--check"], ["data", "card", "--retrain", "--jobs", "2"],
                 ["data", "build", "--source", "synthetic", "--force"],
                 ["data", "build", "--pool", "d", "--hidden-extra", "mine.npz", "--manifest", "m.json"],
                 ["data", "import-cinc2017", "d", "o.npz", "--window-s", "5"], ["data", "import-csv", "i", "o.npz"]):
        assert callable(parser.parse_args(argv).handler), argv
    args = parser.parse_args(["data", "build"])
    assert args.out_public == build.PUBLIC_PATH and args.out_hidden == build.HIDDEN_PATH
    assert args.seed == build.DEFAULT_SEED and args.source == "cinc2017" and args.manifest == build.MANIFEST_PATH


def test_cli_import_errors_are_one_line_and_exit_1(tmp_path, capsys):
    """A bad input file gives exit status 1 and a one-line message naming it, not a traceback."""
    bad = tmp_path / "bad.csv"
    bad.write_text("label,s0,s1\n7,0.1,0.2\n")
    assert _run(["data", "import-csv", str(bad), str(tmp_path / "o.npz")]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "unknown label" in err and "Traceback" not in err
    assert _run(["data", "import-csv", str(tmp_path / "missing.csv"), str(tmp_path / "o.npz")]) == 1
    assert "missing.csv" in capsys.readouterr().err


@pytest.mark.skipif(not (CINC_SAMPLE / "REFERENCE.csv").is_file(), reason=f"no CinC sample at {CINC_SAMPLE}")
def test_cli_import_cinc2017(tmp_path):
    """`coursekit data import-cinc2017 DIR OUT.npz` writes a loadable split."""
    out = tmp_path / "real.npz"
    assert _run(["data", "import-cinc2017", str(CINC_SAMPLE), str(out)]) == 0
    X, y, fs, patient_id = dataset.load_split(out)
    assert X.shape == (15, 3000) and int(np.sum(y)) == 9


@pytest.fixture
def tiny_synthetic(monkeypatch):
    """Synthetic splits of two patients each: a build in a fraction of a second."""
    monkeypatch.setattr(build, "SPECS", {"public": build.SplitSpec("train", 2), "hidden": build.SplitSpec("hidden", 2)})


def test_cli_build_with_another_seed_refuses_check(tmp_path, tiny_synthetic):
    """--check with a non-default seed is refused (the checksums are for the default seed only)."""
    _, _, options = _paths(tmp_path)
    status = _run(["data", "build", "--source", "synthetic", "--seed", "5", *options, "--check"])
    assert status == 1
    assert dataset.load_split(tmp_path / "source/05_af_cnn/data/af_train.npz")[0].shape[1] == 3000


def test_build_never_overwrites_a_file_it_did_not_write(tmp_path, tiny_synthetic, capsys):
    """An imported split where the build would write: refused, naming the file and `--force`; the file
    is untouched. Files the build wrote itself are rebuilt; `--force` replaces the foreign one."""
    public, hidden, options = _paths(tmp_path)
    assert _run(["data", "build", "--source", "synthetic", *options]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert set(manifest) == {public.as_posix(), hidden.as_posix()}
    assert _run(["data", "build", "--source", "synthetic", "--seed", "4", *options]) == 0  # its own files: fine
    capsys.readouterr()
    imported = dataset.save_split(public, np.zeros((2, 30)), [0, 1], 300.0, ["x", "y"])  # e.g. import-csv output
    before = imported.read_bytes()
    assert _run(["data", "build", "--source", "synthetic", *options]) == 1
    err = capsys.readouterr().err
    assert f"refusing to overwrite {public}" in err and "coursekit data build --force" in err, err
    assert str(hidden) not in err  # the build's own file is not complained about
    assert public.read_bytes() == before
    assert _run(["data", "build", "--source", "synthetic", "--force", *options]) == 0
    assert public.read_bytes() != before


def test_make_data_without_recordings_checks_the_splits_in_place(tmp_path, tiny_synthetic, capsys, monkeypatch):
    """`coursekit data build` with no pool (a fresh clone): the splits the build wrote pass, a changed
    or missing one fails with the file and the command that rebuilds it."""
    monkeypatch.delenv(build.POOL_ENVIRONMENT_VARIABLE, raising=False)
    public, hidden, options = _paths(tmp_path)
    assert _run(["data", "build", "--source", "synthetic", *options]) == 0
    capsys.readouterr()
    assert _run(["data", "build", *options]) == 0
    assert "unchanged since `coursekit data build` wrote them" in capsys.readouterr().out
    hidden.write_bytes(hidden.read_bytes()[:-10] + b"0123456789")
    assert _run(["data", "build", *options]) == 1
    assert f"refusing to overwrite {hidden}: it changed since" in capsys.readouterr().err
    hidden.unlink()
    assert _run(["data", "build", *options]) == 1
    assert "coursekit data build --pool DIR" in capsys.readouterr().err


def test_the_committed_splits_are_the_ones_the_build_wrote():
    """The manifest lists the committed real splits with their bytes, and checksums.json agrees."""
    for name, path in (("public", build.PUBLIC_PATH), ("hidden", build.HIDDEN_PATH)):
        entry = build.read_manifest(ROOT / build.MANIFEST_PATH)[path.as_posix()]
        assert entry["source"] == "cinc2017" and entry["file_sha256"] == dataset.file_sha256(ROOT / path)
        assert dataset.content_sha256(ROOT / path) == build.expected_checksums("cinc2017")["splits"][name][
            "content_sha256"]


@pytest.mark.skipif(not (CINC_SAMPLE / "REFERENCE.csv").is_file(), reason=f"no CinC sample at {CINC_SAMPLE}")
def test_bring_your_own_recordings_sequence(tmp_path, capsys):
    """docs/ecg-data.md's sequence, steps 1-2: an instructor's CSV of windows becomes the pool, their
    CinC-style recordings go to the hidden split only; patients stay disjoint; a clash is refused."""
    rng = np.random.default_rng(0)
    t = np.arange(3000) / 300.0
    rows = []
    for k in range(24):  # 12 patients, 2 windows each, 10 s at 300 Hz
        label = k // 2 % 2
        beat = np.sin(2 * np.pi * (1.0 + 0.5 * label * rng.random()) * t) ** 31
        rows.append(f"{label},patient{k // 2:02d}," + ",".join("%.3f" % v for v in beat + 0.01 * rng.normal(size=3000)))
    table = tmp_path / "mine.csv"
    table.write_text("label,patient_id," + ",".join(f"s{i}" for i in range(3000)) + "\n" + "\n".join(rows) + "\n")
    pool, extra = tmp_path / "my_pool.npz", tmp_path / "extra.npz"
    assert _run(["data", "import-csv", str(table), str(pool)]) == 0
    assert _run(["data", "import-cinc2017", str(CINC_SAMPLE), str(extra)]) == 0
    public, hidden, options = _paths(tmp_path)
    assert _run(["data", "build", "--pool", str(pool), "--hidden-extra", str(extra), *options]) == 0
    _, y_pub, fs, id_pub = dataset.load_split(public)
    X_hid, _, _, id_hid = dataset.load_split(hidden)
    assert fs == build.REAL_FS and X_hid.shape[1] == 1500
    assert {"A00001", "A00002", "A00004", "A00005"} <= set(id_hid) and not any(p.startswith("A0") for p in id_pub)
    assert not set(id_pub) & set(id_hid) and set(id_pub) | set(id_hid) >= {f"patient{k:02d}" for k in range(12)}
    capsys.readouterr()
    assert _run(["data", "build", "--pool", str(pool), "--hidden-extra", str(pool), *options]) == 1
    assert "also in the pool" in capsys.readouterr().err
