"""coursekit.intervals: the gait ``.ts`` importer on hand-written fixtures, DFA, the stride generator,
the RR sources, and the 06_sequences data rebuilt bit for bit from their sources."""

from pathlib import Path

import numpy as np
import pytest

from coursekit.intervals import build, gait, rr
from kit import ROOT

FIXTURES = ROOT / "grader_tests" / "fixtures" / "gait"


def test_read_ts_reads_the_thirteen_gaitndd_columns():
    walk = gait.read_ts(FIXTURES / "control-hand.ts")
    assert tuple(walk) == gait.TS_COLUMNS and len(gait.TS_COLUMNS) == 13
    np.testing.assert_allclose(walk["elapsed_s"], [1.3, 2.4167, 3.54, 4.6533])
    np.testing.assert_allclose(walk["left_stride_s"], [1.12, 1.1167, 1.1233, 1.1133])
    np.testing.assert_allclose(walk["double_support_pct"][-1], 25.15)
    # swing + stance = stride, in the fixture as in the real files
    np.testing.assert_allclose(walk["left_swing_s"] + walk["left_stance_s"], walk["left_stride_s"], atol=2e-4)


def test_read_ts_accepts_what_write_ts_writes(tmp_path):
    strides = gait.stride_series(np.random.default_rng(1), gait.draw_walker(np.random.default_rng(1), "x", "als"), 50)
    gait.write_ts(tmp_path / "als.ts", strides, np.random.default_rng(2))
    walk = gait.read_ts(tmp_path / "als.ts")
    np.testing.assert_allclose(walk["left_stride_s"], strides, atol=5e-5)
    np.testing.assert_allclose(walk["elapsed_s"], np.cumsum(strides), atol=5e-4)


@pytest.mark.parametrize("content, message", [
    ("1.0\t1.1\t1.1\n", "line 1: expected 13 tab-separated numbers, got 3"),
    ("1.0" + "\t1.1" * 12 + "\n2.0" + "\tx" * 12 + "\n", "line 2: not a number"),
    ("2.0" + "\t1.1" * 12 + "\n1.0" + "\t1.1" * 12 + "\n", "elapsed time does not increase at stride 2"),
    ("\n\n", "no strides"),
])
def test_read_ts_names_the_file_line_and_problem(tmp_path, content, message):
    path = tmp_path / "broken.ts"
    path.write_text(content)
    with pytest.raises(gait.GaitFormatError, match=message) as error:
        gait.read_ts(path)
    assert "broken.ts" in str(error.value)


def test_dfa_alpha_of_white_and_correlated_noise():
    rng = np.random.default_rng(0)
    white = np.mean([gait.dfa_alpha(rng.normal(size=1000)) for _ in range(10)])
    assert 0.45 < white < 0.58
    for alpha in (0.6, 0.9):
        measured = np.mean([gait.dfa_alpha(gait.correlated_noise(rng, 1000, alpha)) for _ in range(10)])
        assert abs(measured - alpha) < 0.06, (alpha, measured)
    with pytest.raises(ValueError):
        gait.dfa_alpha(np.ones(5))


def test_generated_groups_keep_their_published_order():
    """Controls: least variable, most correlated; Huntington's: most variable; ALS: slowest."""
    rng = np.random.default_rng(3)
    stats = {}
    for group in gait.GROUPS:
        walks = [gait.stride_series(rng, gait.draw_walker(rng, group, group), 600) for _ in range(30)]
        stats[group] = (np.mean([w.mean() for w in walks]), np.median([w.std() / w.mean() for w in walks]),
                        np.mean([gait.dfa_alpha(w) for w in walks]))
    assert stats["als"][0] == max(s[0] for s in stats.values())
    assert stats["huntington"][1] == max(s[1] for s in stats.values())
    assert stats["control"][1] == min(s[1] for s in stats.values())
    assert stats["control"][2] == max(s[2] for s in stats.values())


def test_stratified_groups_average_their_published_figures():
    """draw_group: a group's mean stride is its target, its CV within 2 %; a walk's own mean and CV
    are its walker's (the series is scaled to them), so the data card measures the targets."""
    rng = np.random.default_rng(5)
    for group, (mean, _, cv, _, alpha, _) in gait.GROUPS.items():
        walkers = gait.draw_group(rng, group, 13)
        assert [w.subject for w in walkers] == ["%s-%02d" % (group, i) for i in range(13)]
        assert abs(np.mean([w.mean_s for w in walkers]) - mean) < 1e-9
        assert abs(np.mean([w.cv_pct for w in walkers]) / cv - 1) < 0.02
        assert abs(np.mean([w.alpha for w in walkers]) - alpha) < 1e-9
        walk = gait.stride_series(rng, walkers[0], 300)
        assert abs(walk.mean() - walkers[0].mean_s) < 1e-4
        assert abs(100 * walk.std() / walk.mean() - walkers[0].cv_pct) < 0.01


def test_synthetic_rr_subjects_are_reproducible_and_independent_of_count():
    five = rr.synthetic_subjects(7, "public", 5)
    again = rr.synthetic_subjects(7, "public", 5)
    assert [s.subject for s in five] == ["syn-public-%04d" % i for i in range(5)]
    for a, b in zip(five, again):
        np.testing.assert_array_equal(a.intervals, b.intervals)
    af = [s for s in five if s.label == 1]
    normal = [s for s in five if s.label == 0]
    assert af and normal
    assert min(np.std(np.diff(s.intervals)) for s in af) > 0 and all(s.intervals.min() > 0.2 for s in five)


def test_cinc_reader_and_the_kits_detector_on_a_real_recording():
    folder = Path("/work/shared/data/cinc2017_sample")
    if not folder.is_dir():
        pytest.skip("the CinC 2017 sample is not on this machine")
    header = sorted(folder.glob("*.hea"))[0]
    x, fs = rr.read_cinc_signal(header)
    assert fs == 300 and x.ndim == 1 and 0.05 < np.percentile(np.abs(x), 99) < 10
    agreement = rr.detector_agreement(folder, [header.stem])
    assert agreement["sensitivity"] > 0.9 and agreement["ppv"] > 0.8, agreement


def test_committed_data_are_rebuilt_bit_for_bit():
    if not build.DEFAULT_CINC.is_dir():
        pytest.skip("the CinC 2017 recordings are not on this machine")
    assert build.build(ROOT, check=True) == []


def test_splits_are_subject_disjoint():
    def subjects(path):
        return {line.split(",")[0] for line in (ROOT / path).read_text().splitlines()[1:]}
    public, hidden = subjects(build.PUBLIC_RR), subjects(build.HIDDEN_RR)
    assert len(public) == 780 and len(hidden) == 520 and not public & hidden
