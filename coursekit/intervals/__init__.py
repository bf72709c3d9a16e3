"""Interval series for assignment 06_sequences: RR intervals of the heart and stride intervals of gait.

- :mod:`coursekit.intervals.rr`: RR series from real CinC 2017 ECG (R peaks found by the kit's
  detector, :func:`coursekit.ecg.features.detect_r_peaks`, measured against wfdb's XQRS) and from
  the kit's own beat-timing models (:mod:`coursekit.ecg.synth`: ECGSYN tachogram, ectopy, AV node).
- :mod:`coursekit.intervals.gait`: PhysioNet Gait in Neurodegenerative Disease ``.ts`` importer,
  detrended fluctuation analysis, and a synthetic stride-interval generator from published figures.
- :mod:`coursekit.intervals.build`: the subject-disjoint public and hidden splits, bit for bit
  (``python -m coursekit.intervals build``); their data card is the unit's (``python -m reference.sequences.card``).
"""
