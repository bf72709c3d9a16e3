"""ECG augmentation: the student helper's transforms and the hidden split's seeded augmentation.

All functions take windows ``X`` (n, L) in mV at ``fs`` Hz and return a new float32 array; the
input is never modified. Transforms (each a common nuisance of single-lead recordings):

- gain: X * g, g log-uniform in [1/max_gain, max_gain] (electrode contact, amplifier);
- noise: + N(0, sigma^2), sigma uniform in [0, noise_mv] (muscle, electronics);
- baseline wander: + a sin(2 pi f t + phi), a uniform in [0, wander_mv], f uniform in
  [0.05, 0.5] Hz (breathing, movement);
- polarity: -X with probability flip_p (a device held the other way round);
- time shift: circular roll by a uniform number of samples (where a beat falls in the window).

``hidden_augmentation`` applies gain, noise and wander only, mildly, with a fixed seed: the hidden
windows stop being the archive's bytes without changing what a cardiologist would read in them.
"""

from __future__ import annotations

import numpy as np

#: The hidden split's augmentation: at most +-25 % gain, 0.02 mV noise, 0.1 mV baseline wander.
HIDDEN = dict(max_gain=1.25, noise_mv=0.02, wander_mv=0.1, flip_p=0.0, shift=False)


def augment(X, fs, rng, *, max_gain=1.25, noise_mv=0.05, wander_mv=0.2, flip_p=0.5, shift=True):
    """Randomly transformed copies of the windows X (n, L) mV (see the module docstring); float32."""
    X = np.array(X, dtype=np.float64, copy=True)
    n, length = X.shape
    t = np.arange(length) / float(fs)
    gain = np.exp(rng.uniform(-np.log(max_gain), np.log(max_gain), size=(n, 1)))
    X *= gain
    X += rng.normal(size=(n, length)) * rng.uniform(0.0, noise_mv, size=(n, 1))
    amplitude = rng.uniform(0.0, wander_mv, size=(n, 1))
    frequency = rng.uniform(0.05, 0.5, size=(n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
    X += amplitude * np.sin(2 * np.pi * frequency * t + phase)
    X *= np.where(rng.random(size=(n, 1)) < flip_p, -1.0, 1.0)
    if shift:
        shifts = rng.integers(0, length, size=n)
        rows = np.arange(n)[:, None]
        X = X[rows, (np.arange(length)[None, :] - shifts[:, None]) % length]
    return X.astype(np.float32)


def hidden_augmentation(X, fs, seed):
    """The hidden split's seeded augmentation (``HIDDEN``), float64 mV (the split is then stored as int16)."""
    rng = np.random.default_rng([seed, 13])
    return augment(X, fs, rng, **HIDDEN).astype(np.float64)
