"""Two class gradings at once (the demo grades two assignments side by side) print no library noise.

Dask's scheduler starts an HTTP server (health and metrics routes) even without a dashboard, on
port 8787 unless told otherwise; the second grading on one machine then warned "Port 8787 is
already in use ... Hosting the HTTP server on port N instead" into the grader's terminal.
"""

import operator
import warnings

from coursekit.grading.parallel import _executor


def test_two_local_clusters_at_once_start_without_a_port_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _executor(1, None) as first, _executor(1, None) as second:
            futures = [first.submit(operator.add, 40, 2), second.submit(operator.mul, 6, 7)]
            results = [next(iter(pool.as_completed([future]))) for pool, future in zip((first, second), futures)]
    assert results == [42, 42]
    noisy = [str(w.message) for w in caught if "already in use" in str(w.message) or "dashboard" in str(w.message)]
    assert not noisy, noisy
