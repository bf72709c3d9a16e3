"""`coursekit data`: the default splits rebuild bit for bit, and the commands report errors in one line."""

import argparse
from pathlib import Path

import numpy as np
import pytest

from coursekit.ecg import build, cli, dataset

CINC_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "cinc2017_sample"


def _run(argv):
    """Parse ``argv`` with only the data command group registered and run its handler."""
    parser = argparse.ArgumentParser(prog="coursekit")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.mark.slow
def test_default_build_matches_committed_checksums(tmp_path, capsys):
    """`coursekit data build --check` rebuilds both splits, equal (content and bytes) to checksums.json."""
    public, hidden = tmp_path / "source/05_af_cnn/data/af_train.npz", tmp_path / "reference/data/af_hidden.npz"
    status = _run(["data", "build", "--out-public", str(public), "--out-hidden", str(hidden), "--check"])
    output = capsys.readouterr()
    assert status == 0, output.err
    assert "checksums match" in output.out
    expected = build.expected_checksums()["splits"]
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
    for argv in (["data", "build", "--seed", "3", "--check"], ["data", "card", "--seeds", "2"],
                 ["data", "import-cinc2017", "d", "o.npz", "--window-s", "5"], ["data", "import-csv", "i", "o.npz"]):
        assert callable(parser.parse_args(argv).handler), argv
    args = parser.parse_args(["data", "build"])
    assert args.out_public == build.PUBLIC_PATH and args.out_hidden == build.HIDDEN_PATH
    assert args.seed == build.DEFAULT_SEED


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


def test_cli_build_with_another_seed_refuses_check(tmp_path, monkeypatch):
    """--check with a non-default seed is refused (the checksums are for the default seed only)."""
    monkeypatch.setattr(build, "SPECS", {"public": build.SplitSpec("train", 2), "hidden": build.SplitSpec("hidden", 2)})
    status = _run(["data", "build", "--seed", "5", "--out-public", str(tmp_path / "p.npz"),
                   "--out-hidden", str(tmp_path / "h.npz"), "--check"])
    assert status == 1
    assert dataset.load_split(tmp_path / "p.npz")[0].shape[1] == 3000
