"""ECG data for the atrial-fibrillation capstone (``source/05_af_cnn``).

Modules, one concern each:

- ``synth``: simulated patients and their single-lead ECG windows (published physiological models).
- ``dataset``: the one ``.npz`` format every split uses, with validation and bit-for-bit writing.
- ``importers``: real recordings (PhysioNet/CinC 2017 WFDB records, generic CSV/NPZ) into that format.
- ``features``: a simple R-peak detector and RR-irregularity features (baseline for the data card).
- ``build``: the default public and hidden splits, with their committed checksums.
- ``card``: the data set card proving the difficulty calibration.
- ``cli``: the ``coursekit data`` command group.
"""
