"""Stride intervals: PhysioNet's gait ``.ts`` format, detrended fluctuation analysis, a generator.

**Format** (PhysioNet "Gait in Neurodegenerative Disease Database", ``gaitndd``; Hausdorff et al.
2000): one ``.ts`` text file per walk, one line per stride, 13 tab-separated numbers, no header:

    0 elapsed time (s)            1 left stride interval (s)    2 right stride interval (s)
    3 left swing interval (s)     4 right swing interval (s)    5 left swing (% of stride)
    6 right swing (% of stride)   7 left stance interval (s)    8 right stance interval (s)
    9 left stance (% of stride)  10 right stance (% of stride) 11 double support interval (s)
   12 double support (% of stride)

**Physiology the generator reproduces** (group means; subjects vary around them):

- Hausdorff, Peng, Ladin, Wei & Goldberger 1995, "Is walking a random walk? Evidence for
  long-range correlations in stride interval of human gait", J Appl Physiol 78(1):349-358:
  healthy stride intervals of about 1.1 s fluctuate by a few per cent with long-range
  correlations, DFA exponent alpha about 0.76-0.9 (not 0.5, which uncorrelated noise would give).
- Hausdorff, Mitchell, Firtion, Peng, Cudkowicz, Wei & Goldberger 1997, "Altered fractal dynamics
  of gait: reduced stride-interval correlations with aging and Huntington's disease", J Appl
  Physiol 82(1):262-269: alpha falls with age and further in Huntington's disease (towards 0.5-0.6),
  and the variability (coefficient of variation) is higher in Huntington's disease.
- Hausdorff, Lertratanakul, Cudkowicz, Peterson, Kaliton & Goldberger 2000, "Dynamic markers of
  altered gait rhythm in amyotrophic lateral sclerosis", J Appl Physiol 88(6):2045-2053 (the
  ``gaitndd`` data): ALS patients walk with longer (slower) strides and more variability than
  controls; Parkinson's and Huntington's patients are more variable than controls, Huntington's most.

The figures below are rounded readings of those papers (means only, not their exact tables),
chosen so that groups overlap as they do in the papers: the task is hard, not impossible (see
:mod:`reference.sequences.card`). With the real ``gaitndd`` files, :func:`read_ts` reads them.

Model: one subject's stride series is fractional Gaussian-like noise with DFA exponent alpha,
made by spectral synthesis (power spectrum proportional to f^-(2 alpha - 1), random phases),
standardised, scaled to the subject's standard deviation CV x mean and shifted to the mean, so a
walk's own mean and CV are exactly the subject's. The subjects of a group are drawn *stratified*
(:func:`draw_group`: one normal quantile per subject, shuffled), so that a group's averages are
its published figures, not figures off by the luck of 13 draws. No stumbles or turns: the papers
computed mean and CV after removing them, and extra outliers only inflated the CV (the previous
generator's ALS walkers measured 4.9 % against 3.5 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

TS_COLUMNS = ("elapsed_s", "left_stride_s", "right_stride_s", "left_swing_s", "right_swing_s",
              "left_swing_pct", "right_swing_pct", "left_stance_s", "right_stance_s", "left_stance_pct",
              "right_stance_pct", "double_support_s", "double_support_pct")

#: group -> (mean stride s, spread of subject means s, CV %, spread of subject CV (log-sd), DFA alpha, spread).
GROUPS = {
    "control": (1.10, 0.08, 2.0, 0.30, 0.85, 0.10),
    "parkinson": (1.12, 0.10, 2.6, 0.35, 0.75, 0.12),
    "huntington": (1.15, 0.15, 4.5, 0.40, 0.62, 0.14),
    "als": (1.35, 0.18, 3.5, 0.40, 0.70, 0.12),
}


class GaitFormatError(ValueError):
    """A ``.ts`` file that is not in the gaitndd format; the message names file, line and problem."""


def read_ts(path) -> dict[str, np.ndarray]:
    """Read one ``.ts`` file: dict column name -> float64 array (one value per stride).

    Raises :class:`GaitFormatError` naming the line for a row without exactly 13 numbers, a
    non-numeric value, elapsed time that goes backwards, or a file without any stride.
    """
    path = Path(path)
    rows = []
    with open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            fields = line.strip().split("\t") if "\t" in line else line.split()
            if len(fields) != len(TS_COLUMNS):
                raise GaitFormatError("%s, line %d: expected 13 tab-separated numbers, got %d fields"
                                      % (path.name, number, len(fields)))
            try:
                rows.append([float(value) for value in fields])
            except ValueError:
                raise GaitFormatError("%s, line %d: not a number in %r" % (path.name, number, line.strip())) from None
    if not rows:
        raise GaitFormatError("%s: no strides in the file" % path.name)
    table = np.asarray(rows)
    if np.any(np.diff(table[:, 0]) <= 0):
        bad = int(np.argmax(np.diff(table[:, 0]) <= 0)) + 2
        raise GaitFormatError("%s: elapsed time does not increase at stride %d" % (path.name, bad))
    return {name: table[:, i] for i, name in enumerate(TS_COLUMNS)}


def write_ts(path, strides: np.ndarray, rng: np.random.Generator) -> None:
    """Write a synthetic walk in the ``.ts`` format (left strides ``strides``; the other columns
    are plausible companions: right stride = left + small noise, swing 36-40 % of the stride)."""
    left = np.asarray(strides, dtype=float)
    right = left + rng.normal(0, 0.01, left.size)
    swing_pct = rng.uniform(36, 40, (2, left.size))
    swing = swing_pct / 100 * np.vstack([left, right])
    stance = np.vstack([left, right]) - swing
    double = np.maximum(stance[0] - swing[1], 0.05)
    elapsed = np.cumsum(left)
    columns = [elapsed, left, right, swing[0], swing[1], swing_pct[0], swing_pct[1], stance[0], stance[1],
               100 * stance[0] / left, 100 * stance[1] / right, double, 100 * double / left]
    with open(path, "w") as handle:
        for row in np.column_stack(columns):
            handle.write("\t".join("%.4f" % v for v in row) + "\n")


def dfa_alpha(series, scales=None) -> float:
    """Detrended fluctuation analysis exponent (Peng et al. 1995, as used by Hausdorff et al.).

    Profile y = cumsum(x - mean x); for each box size n (default: 4 to N/4, log-spaced) cut y into
    boxes of n, remove each box's least-squares line, F(n) = RMS of the residual; alpha is the
    slope of log F(n) against log n. White noise gives 0.5, 1/f noise 1.0.
    """
    x = np.asarray(series, dtype=float)
    if x.ndim != 1 or x.size < 16:
        raise ValueError("dfa_alpha needs a 1-D series of at least 16 values, got shape %s" % (x.shape,))
    profile = np.cumsum(x - x.mean())
    if scales is None:
        scales = np.unique(np.round(np.geomspace(4, x.size // 4, 12)).astype(int))
    fluctuation = []
    for n in scales:
        boxes = profile[: (x.size // n) * n].reshape(-1, n)
        t = np.arange(n)
        slope, intercept = np.polyfit(t, boxes.T, 1)
        residual = boxes - (slope[:, None] * t + intercept[:, None])
        fluctuation.append(np.sqrt(np.mean(residual ** 2)))
    return float(np.polyfit(np.log(scales), np.log(fluctuation), 1)[0])


def correlated_noise(rng, n: int, alpha: float) -> np.ndarray:
    """Zero-mean, unit-variance noise of length n with DFA exponent about ``alpha`` (0.3-1.1;
    below 0.5 anti-correlated):
    spectral synthesis with power ~ f^-(2 alpha - 1)."""
    size = int(2 ** np.ceil(np.log2(2 * n)))
    frequency = np.fft.rfftfreq(size)
    amplitude = np.zeros_like(frequency)
    amplitude[1:] = frequency[1:] ** (-(2 * alpha - 1) / 2)
    phase = rng.uniform(0, 2 * np.pi, frequency.size)
    series = np.fft.irfft(amplitude * np.exp(1j * phase), size)[:n]
    return (series - series.mean()) / series.std()


@dataclass(frozen=True)
class Walker:
    subject: str
    group: str
    mean_s: float
    cv_pct: float
    alpha: float


def _walker(subject: str, group: str, z_mean: float, z_cv: float, z_alpha: float) -> Walker:
    """The walker at standard-normal scores z of its group: mean ~ N(mean, spread), CV log-normal
    with its *mean* at the group's CV (hence the - spread^2 / 2), alpha ~ N(alpha, spread)
    clipped to [0.3, 1.1] (below 0.5: anti-correlated strides, wide enough for every group's quantiles)."""
    mean, mean_spread, cv, cv_spread, alpha, alpha_spread = GROUPS[group]
    return Walker(subject, group, float(np.clip(mean + mean_spread * z_mean, 0.8, 2.0)),
                  float(cv * np.exp(cv_spread * z_cv - cv_spread ** 2 / 2)),
                  float(np.clip(alpha + alpha_spread * z_alpha, 0.3, 1.1)))


def draw_walker(rng, subject: str, group: str) -> Walker:
    """One walker of ``group`` drawn at random (independent scores)."""
    return _walker(subject, group, *rng.normal(size=3))


def draw_group(rng, group: str, count: int, prefix: str | None = None) -> list[Walker]:
    """``count`` walkers of ``group``, stratified: each of mean, CV and alpha takes the normal
    quantiles (i + 1/2) / count, i = 0..count-1, in an order shuffled independently per parameter.
    The group's averages then equal its published figures up to the quantile grid (exactly for
    the mean stride; the CV's log-normal mean within about 1 %); subjects named prefix-00, -01, ..."""
    from statistics import NormalDist

    quantiles = np.array([NormalDist().inv_cdf((i + 0.5) / count) for i in range(count)])
    scores = [rng.permutation(quantiles) for _ in range(3)]
    return [_walker("%s-%02d" % (prefix or group, i), group, scores[0][i], scores[1][i], scores[2][i])
            for i in range(count)]


def stride_series(rng, walker: Walker, n_strides: int) -> np.ndarray:
    """Stride intervals (s) of one walk: mean_s x (1 + CV/100 x correlated noise of exponent alpha),
    so the walk's mean is mean_s and its CV is cv_pct (before rounding to the files' 4 decimals)."""
    x = walker.mean_s * (1 + walker.cv_pct / 100 * correlated_noise(rng, n_strides, walker.alpha))
    return np.round(x, 4)  # the gaitndd files hold 4 decimals
