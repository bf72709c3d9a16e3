"""A deliberately simple R-peak detector and RR-irregularity features: the data card's honest baseline.

The detector is what a careful student would write in an afternoon, not a tuned QRS detector:
band-pass 5-20 Hz (2nd-order Butterworth, zero phase), take |x| so inverted leads work, and
``scipy.signal.find_peaks`` with a 250 ms refractory distance (at most 240 bpm) and a height
threshold of 35 % of the window's 99th percentile. Each peak is then moved to the largest |x|
of the unfiltered (baseline-removed) signal within +-50 ms.

Features (RR in seconds, n >= 3 intervals; NaN otherwise):

- ``nrmssd``: sqrt(mean(diff(RR)^2)) / mean(RR)           normalised RMSSD
- ``cv``: std(RR) / mean(RR)                                 coefficient of variation
- ``mad_diff``: median(|diff(RR)|) / median(RR)               robust successive-difference measure
- ``pnn_rel``: fraction of |diff(RR)| > 8 % of mean RR        relative pNN
- ``heart_rate``: 60 / mean(RR)                              beats per minute
"""

from __future__ import annotations

import numpy as np
from scipy import signal

FEATURE_NAMES = ("nrmssd", "cv", "mad_diff", "pnn_rel")


def detect_r_peaks(x_mv, fs):
    """R-peak sample indices (int64, increasing) in one window ``x_mv`` (L,) sampled at ``fs`` Hz."""
    x = np.asarray(x_mv, dtype=np.float64)
    b, a = signal.butter(2, [5.0 / (fs / 2), 20.0 / (fs / 2)], "bandpass")
    energy = np.abs(signal.filtfilt(b, a, x))
    threshold = 0.35 * np.percentile(energy, 99)
    if not threshold > 0:
        return np.zeros(0, dtype=np.int64)
    peaks, _ = signal.find_peaks(energy, height=threshold, distance=max(1, int(0.25 * fs)))
    b_high, a_high = signal.butter(2, 0.7 / (fs / 2), "highpass")
    centred = np.abs(signal.filtfilt(b_high, a_high, x))
    half = int(0.05 * fs)
    refined = [max(0, p - half) + int(np.argmax(centred[max(0, p - half):p + half + 1])) for p in peaks]
    return np.unique(np.asarray(refined, dtype=np.int64))


def rr_features(x_mv, fs):
    """Dict of the features above for one window."""
    peaks = detect_r_peaks(x_mv, fs)
    rr = np.diff(peaks) / fs
    if rr.size < 3:
        return {name: np.nan for name in FEATURE_NAMES + ("heart_rate",)}
    diff = np.diff(rr)
    mean_rr = rr.mean()
    return {
        "nrmssd": float(np.sqrt(np.mean(diff ** 2)) / mean_rr),
        "cv": float(rr.std() / mean_rr),
        "mad_diff": float(np.median(np.abs(diff)) / np.median(rr)),
        "pnn_rel": float(np.mean(np.abs(diff) > 0.08 * mean_rr)),
        "heart_rate": float(60.0 / mean_rr),
    }


def feature_table(X_mv, fs):
    """Features of every window: dict name -> float64 array (n,); NaN where too few beats were found."""
    rows = [rr_features(x, fs) for x in X_mv]
    return {name: np.array([row[name] for row in rows]) for name in FEATURE_NAMES + ("heart_rate",)}
