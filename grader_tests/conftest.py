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


def pytest_runtest_teardown(item):
    """Fail loudly where a test leaves torch's process-wide default dtype changed: the leak
    otherwise breaks whichever file the same worker runs next (this happened in CI)."""
    torch = __import__("sys").modules.get("torch")
    if torch is None or torch.get_default_dtype() == torch.float32:
        return
    if "_float64_default" in getattr(item, "fixturenames", ()):
        return  # a module-scoped fixture restores it after the module's last test
    leaked = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    raise AssertionError("%s left torch's default dtype at %s" % (item.nodeid, leaked))
