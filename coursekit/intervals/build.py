"""The interval data sets of ``06_sequences``, rebuilt bit for bit by ``python -m coursekit.intervals build``.

Files (CSV, one row per subject: ``subject,source,label,fs,beats`` with ``beats`` the space-separated
sample indices of the R peaks or heel strikes, so that students compute the intervals themselves):

- ``source/06_sequences/data/rr_public.csv``: AF (1) vs normal sinus rhythm (0), the public subjects;
- ``reference/sequences/data/rr_hidden.csv``: the hidden subjects, disjoint from the public ones
  (grader-only: the capstone-style check scores a model on their windows);
- ``source/06_sequences/data/gait_public.csv``: healthy (0) vs neurodegenerative disease (1) walkers
  (source = control, parkinson, huntington or als), heel strikes on a 1 kHz grid;
- ``reference/sequences/data/gait_hidden.csv``: other walkers of the same groups, drawn the same way
  from their own seeds (grader-only: the gait model is scored on them).

Real RR subjects: every AF recording of ``/work/shared/data/cinc2017`` with at least
``MIN_INTERVALS`` detected intervals and as many normal recordings, at most 1.5 per AF one, drawn
at random; 40 % of each class go to the hidden split. Synthetic RR subjects come from
:func:`coursekit.intervals.rr.synthetic_subjects`. Everything is seeded by ``SEED``.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from coursekit.intervals import gait, rr

SEED = 2026
MIN_INTERVALS = 17           # one window of 16 intervals needs 17 beats
HIDDEN_FRACTION = 0.4
NORMAL_PER_AF = 1.5
SYNTHETIC_SUBJECTS = {"public": 120, "hidden": 80}
SYNTHETIC_DURATION_S = 45.0
GAIT_SUBJECTS = {"control": 40, "parkinson": 14, "huntington": 13, "als": 13}
GAIT_STRIDES = 300           # about a 5-minute walk, as in gaitndd
GAIT_FS = 1000.0
DEFAULT_CINC = Path("/work/shared/data/cinc2017")

PUBLIC_RR = Path("source/06_sequences/data/rr_public.csv")
HIDDEN_RR = Path("reference/sequences/data/rr_hidden.csv")
PUBLIC_GAIT = Path("source/06_sequences/data/gait_public.csv")
HIDDEN_GAIT = Path("reference/sequences/data/gait_hidden.csv")
GAIT_SPLIT_KEYS = {"public": (22, 21), "hidden": (24, 23)}  # spawn keys: (group draw, walk)


def to_csv(rows) -> str:
    """rows of (subject, source, label, fs, beats int array) -> CSV text (deterministic)."""
    out = io.StringIO()
    out.write("subject,source,label,fs,beats\n")
    for subject, source, label, fs, beats in rows:
        out.write("%s,%s,%d,%g,%s\n" % (subject, source, label, fs, " ".join(str(int(b)) for b in beats)))
    return out.getvalue()


def _beats(intervals, fs):
    """Sample indices of beats from intervals (s), first beat at sample 0."""
    return np.r_[0, np.cumsum(np.round(np.asarray(intervals) * fs).astype(np.int64))]


def rr_splits(cinc_folder=DEFAULT_CINC, seed=SEED) -> dict[str, str]:
    """{"public": csv text, "hidden": csv text} of the RR data sets."""
    subjects = rr.cinc_subjects(cinc_folder, MIN_INTERVALS)
    rng = np.random.default_rng(seed)
    af = [s for s in subjects if s.label == 1]
    normal = [s for s in subjects if s.label == 0]
    keep = np.sort(rng.permutation(len(normal))[: int(round(NORMAL_PER_AF * len(af)))])
    normal = [normal[i] for i in keep]
    splits = {"public": [], "hidden": []}
    for group in (af, normal):
        order = rng.permutation(len(group))
        n_hidden = int(round(HIDDEN_FRACTION * len(group)))
        for rank, i in enumerate(order):
            splits["hidden" if rank < n_hidden else "public"].append(group[i])
    for split in splits:
        splits[split].sort(key=lambda s: s.subject)
        splits[split] += rr.synthetic_subjects(seed, split, SYNTHETIC_SUBJECTS[split],
                                               duration_s=SYNTHETIC_DURATION_S)
    # real intervals are whole samples at 300 Hz already: rounding recovers the detector's peaks exactly
    return {split: to_csv((s.subject, s.source, s.label, 300, _beats(s.intervals, 300)) for s in rows)
            for split, rows in splits.items()}


def gait_split(split="public", seed=SEED) -> str:
    """The synthetic walkers of one split: per group, stratified parameters (:func:`gait.draw_group`,
    group rng) and one walk per subject (its own rng, so a walk does not depend on the others). The
    hidden split draws from other spawn keys and names its walkers ``h-<group>-NN``."""
    group_key, walk_key = GAIT_SPLIT_KEYS[split]
    rows = []
    for code, (group, count) in enumerate(GAIT_SUBJECTS.items(), start=1):
        walkers = gait.draw_group(np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(group_key, code))),
                                  group, count, prefix=group if split == "public" else "h-" + group)
        for i, walker in enumerate(walkers):
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(walk_key, code, i)))
            strides = gait.stride_series(rng, walker, GAIT_STRIDES)
            rows.append((walker.subject, group, int(group != "control"), GAIT_FS, _beats(strides, GAIT_FS)))
    return to_csv(rows)


def build(root: Path, cinc_folder=DEFAULT_CINC, check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) the four files under ``root``; returns what differs."""
    rr_text = rr_splits(cinc_folder)
    wanted = {PUBLIC_RR: rr_text["public"], HIDDEN_RR: rr_text["hidden"], PUBLIC_GAIT: gait_split("public"),
              HIDDEN_GAIT: gait_split("hidden")}
    differs = []
    for relative, text in wanted.items():
        path = Path(root) / relative
        if check:
            if not path.is_file() or path.read_text() != text:
                differs.append(str(relative))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return differs
