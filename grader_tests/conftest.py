"""Suite-wide settings for the kit's tests."""

import os

# Each pytest-xdist worker gets one BLAS/torch thread: with two workers on two cores,
# more threads only fight each other (a tiny F.conv1d took 13 ms instead of 10 us).
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def pytest_configure(config):
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a pinned dependency
        return
    torch.set_num_threads(1)
