"""RR-interval series (seconds between successive R peaks) of real and synthetic subjects.

Real: PhysioNet/CinC Challenge 2017 single-lead ECG (300 Hz, 9-61 s, one recording per patient;
Clifford et al. 2017), read as WFDB ``.hea`` + ``.mat``. R peaks come from the kit's own
deliberately simple detector, :func:`coursekit.ecg.features.detect_r_peaks` (band-pass 5-20 Hz,
``find_peaks`` with a 250 ms refractory distance, refined to the largest |x| within 50 ms).
:func:`detector_agreement` measures it against wfdb's XQRS detector (``wfdb.processing``), the
usual reference when no cardiologist's annotations exist (CinC 2017 has none).

Synthetic: beat times of :mod:`coursekit.ecg.synth` (sinus rhythm from the ECGSYN RR tachogram
with premature atrial and ventricular beats, AF from the Corino et al. 2011 AV-node model),
drawn exactly as the capstone's patients are, without rendering any ECG.

Labels: 0 normal sinus rhythm ("N" in CinC), 1 atrial fibrillation ("A").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import io as scipy_io

from coursekit.ecg import features, synth

CINC_LABELS = {"N": 0, "A": 1}


@dataclass(frozen=True)
class Subject:
    """One subject's interval series: ``intervals`` in seconds (float64, (n,))."""

    subject: str
    source: str     # "cinc2017" or "synthetic"
    label: int      # 0 normal, 1 AF
    intervals: np.ndarray


def read_cinc_signal(header_path) -> tuple[np.ndarray, float]:
    """One CinC 2017 recording in mV and its rate, from its WFDB header (line 1: name, 1 signal,
    fs; line 2: file, format, ``gain[(baseline)]/mV``, ...) and ``.mat`` file. Ignores the header's
    'initial value' field (wrong in ~6 % of the original archive's headers; the signal is fine)."""
    lines = [line.split() for line in Path(header_path).read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    fs = float(lines[0][2].split("/")[0])
    gain_field = re.match(r"([0-9.eE+-]+)(?:\(([-0-9]+)\))?", lines[1][2])
    gain, baseline = float(gain_field.group(1)), float(gain_field.group(2) or 0)
    val = np.asarray(scipy_io.loadmat(Path(header_path).with_suffix(".mat"))["val"], dtype=np.float64)
    return (val[0] - baseline) / gain, fs


def read_labels(path) -> list[tuple[str, str]]:
    """``(record, label)`` pairs of a CinC ``REFERENCE.csv`` (no header row)."""
    with open(path, newline="") as handle:
        return [(row[0].strip(), row[1].strip()) for row in csv.reader(handle) if len(row) == 2]


def cinc_subjects(folder, min_intervals: int) -> list[Subject]:
    """RR series of every N and A recording of ``folder`` (REFERENCE.csv order) with at least
    ``min_intervals`` detected intervals; R peaks by the kit's detector."""
    folder = Path(folder)
    subjects = []
    for record, label in read_labels(folder / "REFERENCE.csv"):
        if label not in CINC_LABELS:
            continue
        x, fs = read_cinc_signal(folder / (record + ".hea"))
        rr = np.diff(features.detect_r_peaks(x, fs)) / fs
        if rr.size >= min_intervals:
            subjects.append(Subject(record, "cinc2017", CINC_LABELS[label], rr))
    return subjects


def synthetic_subjects(seed: int, split: str, n_subjects: int, af_fraction: float = 0.4,
                       duration_s: float = 60.0) -> list[Subject]:
    """``n_subjects`` simulated subjects (ids ``syn-<split>-NNNN``), beat times from
    :mod:`coursekit.ecg.synth` with the capstone's calibrated :class:`synth.Difficulty`.

    Subject i draws only from ``SeedSequence(seed, spawn_key=(split code, i))``: independent of the
    others and of the order of simulation, so every split is reproducible bit for bit.
    """
    code = {"public": 11, "hidden": 12}[split]
    n_af = int(round(af_fraction * n_subjects))
    order = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(code,)))
    labels = order.permutation(np.r_[np.zeros(n_subjects - n_af, int), np.ones(n_af, int)])
    subjects = []
    for i, label in enumerate(labels):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(code, i + 1)))
        patient = synth.draw_patient(rng, int(label), synth.Difficulty())
        beats = synth.sinus_beats if label == 0 else synth.av_node_beats
        times, _ = beats(rng, duration_s, patient.params)
        # round to the CinC sampling grid (300 Hz), as a detector on a real recording would
        rr = np.diff(np.round(np.asarray(times) * synth.FS)) / synth.FS
        subjects.append(Subject("syn-%s-%04d" % (split, i), "synthetic", int(label), rr))
    return subjects


def detector_agreement(folder, records: list[str], tolerance_s: float = 0.15) -> dict:
    """Beat-by-beat agreement of the kit's detector with wfdb's XQRS on ``records``.

    A detection within ``tolerance_s`` (150 ms, the ANSI/AAMI EC57 matching window) of an XQRS
    beat is a match. Returns summed counts and sensitivity = matched / XQRS beats, positive
    predictive value = matched / kit beats, plus the per-record mean absolute RR difference (ms)
    where both found the same number of beats.
    """
    from wfdb import processing

    folder = Path(folder)
    matched = kit_total = reference_total = 0
    rr_errors = []
    for record in records:
        x, fs = read_cinc_signal(folder / (record + ".hea"))
        kit = features.detect_r_peaks(x, fs)
        reference = np.asarray(processing.xqrs_detect(x, fs, verbose=False), dtype=np.int64)
        if reference.size == 0 or kit.size == 0:
            kit_total += kit.size
            reference_total += reference.size
            continue
        comparison = processing.compare_annotations(reference, kit, int(round(tolerance_s * fs)))
        matched += int(comparison.tp)
        kit_total += kit.size
        reference_total += reference.size
        if kit.size == reference.size:
            rr_errors.append(float(np.mean(np.abs(np.diff(kit) - np.diff(reference))) / fs * 1000))
    return {"records": len(records), "reference_beats": reference_total, "kit_beats": kit_total,
            "matched": matched, "sensitivity": matched / max(reference_total, 1),
            "ppv": matched / max(kit_total, 1),
            "median_abs_rr_difference_ms": float(np.median(rr_errors)) if rr_errors else float("nan"),
            "records_same_beat_count": len(rr_errors)}
