"""The data card's baseline instruments: the simple R-peak detector and the RR-irregularity features."""

import numpy as np
import pytest

from coursekit.ecg import features, synth

FS = 300.0
#: Detected peaks may sit a sample or two off the Gaussian R centre after rounding.
PEAK_TOLERANCE_SAMPLES = 2


def _window(beat_times, seconds=10.0, noise_mv=0.0, seed=0):
    """QRS-only test window: Q, R, S Gaussians at ``beat_times`` (s), plus optional white noise."""
    times = np.asarray(beat_times, dtype=float)
    centres = np.concatenate([times - 0.025, times, times + 0.025])
    amplitudes = np.concatenate([np.full(times.size, -0.1), np.full(times.size, 1.0), np.full(times.size, -0.3)])
    widths = np.concatenate([np.full(times.size, 0.008), np.full(times.size, 0.011), np.full(times.size, 0.01)])
    x = synth.render_gaussians(centres, amplitudes, widths, int(seconds * FS), FS)
    return x + np.random.default_rng(seed).normal(0.0, noise_mv, x.size)


def test_detector_finds_every_beat_upright_and_inverted():
    """Beats at known times are found (within 2 samples) whether the lead is upright or inverted."""
    beat_times = np.cumsum(np.r_[0.3, np.random.default_rng(1).uniform(0.45, 1.1, 12)])
    beat_times = beat_times[beat_times < 9.8]
    x = _window(beat_times, noise_mv=0.02)
    expected = np.round(beat_times * FS).astype(int)
    for sign in (1, -1):
        found = features.detect_r_peaks(sign * x, FS)
        assert found.size == expected.size, f"sign {sign}: found {found.size} peaks, expected {expected.size}"
        np.testing.assert_allclose(found, expected, atol=PEAK_TOLERANCE_SAMPLES, err_msg=f"sign {sign}")


def test_regular_rhythm_has_zero_irregularity_and_right_rate():
    """Beats every 0.8 s: nRMSSD, CV, mad_diff, pnn_rel are ~0 and the heart rate is 75 bpm."""
    row = features.rr_features(_window(np.arange(0.4, 9.9, 0.8)), FS)
    for name in features.FEATURE_NAMES:
        assert row[name] == pytest.approx(0.0, abs=0.01), name
    assert row["heart_rate"] == pytest.approx(75.0, abs=0.5)


def test_alternating_rhythm_has_the_expected_nrmssd():
    """RR alternating 0.6/1.0 s: successive differences are all 0.4 s, so nRMSSD = 0.4 / 0.8 = 0.5."""
    times = np.cumsum(np.r_[0.3, np.tile([0.6, 1.0], 6)])
    row = features.rr_features(_window(times[times < 9.9]), FS)
    assert row["nrmssd"] == pytest.approx(0.5, abs=0.02)
    assert row["pnn_rel"] == pytest.approx(1.0)


def test_flat_or_beatless_windows_give_nan_not_errors():
    """A flat line or a single beat yields NaN features (too few intervals), never an exception."""
    for x in (np.zeros(3000), _window([5.0])):
        row = features.rr_features(x, FS)
        assert all(np.isnan(row[name]) for name in features.FEATURE_NAMES + ("heart_rate",))
