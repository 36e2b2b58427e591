"""BLAS threads during a fit: one per pool, except for the dense Gram matrix.

The NumPy and SciPy wheels each bundle an OpenBLAS with a pool of threads of
its own, and a pool's threads keep spinning for a while after each call.  A
fit makes many small BLAS calls, alternately into both pools (dot products
over a block of rows in NumPy, Cholesky factorisations of a few hundred
parameters in SciPy), so that the spinning threads of one pool take the cores
the other pool's threads wait for.  On a 2-core machine with the default
thread counts this made fits up to 3x slower than single-threaded ones; with
the settings below, 3e6 arena battles went from 120 to 50 ms, a leaderboard of
1,000 players from 130 to 64 ms and d = 100 features from 375 to 147 ms
(single-threaded: 51, 65 and 164 ms).

The settings are process-wide, as BLAS pools are: fits running at the same
time in several Python threads share them.  The first to start records the
user's thread counts and the last to end restores them (a lock and a count of
the fits in progress), so that concurrent fits never leave the process with
one thread.

Small calls gain nothing from threads, so a fit runs with one BLAS thread per
pool (:func:`one_blas_thread`, with the user's settings restored on exit), and
the one large BLAS operation of a fit, the Gram matrix of a dense design, gets
the pools' own thread counts back (:func:`blas_threads_as_before`).

threadpoolctl, which does the switching, is a dependency of scikit-learn.
"""

import threading
from contextlib import contextmanager

# Loaded before the controller is made, which sees only the BLAS libraries
# loaded by then (this package imports both anyway).
import numpy  # noqa: F401
import scipy.linalg  # noqa: F401


def _make_controller():
    """The process's thread-pool controller, or None without threadpoolctl.

    Made at import: it costs a few milliseconds (9 ms here, reading the
    process's loaded libraries), which would otherwise fall on the first fit.
    """
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    except Exception:  # pragma: no cover - no threadpoolctl, or no /proc to read
        return None


_controller = _make_controller()
# Guards the two below: fits may run in several Python threads at once.
_lock = threading.Lock()
# The limiter made by the first one_blas_thread() in progress: it knows the
# user's thread counts, to restore when the last one ends.
_limiter = None
# How many one_blas_thread() blocks are in progress, in all threads.
_in_progress = 0


@contextmanager
def one_blas_thread():
    """Run the block with one thread in every BLAS pool; restore them after.

    Nested or concurrent uses (a fit inside a bootstrap, fits in several
    threads) share the setting; the last to end restores the user's.
    """
    global _limiter, _in_progress
    if _controller is None:
        yield
        return
    with _lock:
        if _in_progress == 0:
            _limiter = _controller.limit(limits=1, user_api="blas")
        _in_progress += 1
    try:
        yield
    finally:
        with _lock:
            _in_progress -= 1
            if _in_progress == 0:
                _limiter.restore_original_limits()
                _limiter = None


@contextmanager
def blas_threads_as_before():
    """Within :func:`one_blas_thread`, give the BLAS pools their own thread counts.

    For one large operation, which threads do speed up; outside
    :func:`one_blas_thread` it changes nothing.
    """
    with _lock:
        limiter = _limiter
        if limiter is not None:
            limiter.restore_original_limits()
    if limiter is None:
        yield
        return
    try:
        yield
    finally:
        with _lock:
            # Unless the last one_blas_thread() ended meanwhile (in another
            # thread) and restored the user's counts, which must then stay.
            if _in_progress:
                _controller.limit(limits=1, user_api="blas")
