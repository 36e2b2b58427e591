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
time in several Python threads share them, and the first to start restores
them when it ends, so the others may finish with the pools' own thread counts.
That costs speed, never correctness.

Small calls gain nothing from threads, so a fit runs with one BLAS thread per
pool (:func:`one_blas_thread`, with the user's settings restored on exit), and
the one large BLAS operation of a fit, the Gram matrix of a dense design, gets
the pools' own thread counts back (:func:`blas_threads_as_before`).

threadpoolctl, which does the switching, is a dependency of scikit-learn.
"""

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
# The limiter of the outermost one_blas_thread() in progress: it knows the
# thread counts to restore.
_limiter = None


@contextmanager
def one_blas_thread():
    """Run the block with one thread in every BLAS pool; restore them after.

    Nested uses (a fit inside a bootstrap, say) leave the outermost in charge.
    """
    global _limiter
    controller = _controller
    if controller is None or _limiter is not None:
        yield
        return
    with controller.limit(limits=1, user_api="blas") as limiter:
        _limiter = limiter
        try:
            yield
        finally:
            _limiter = None


@contextmanager
def blas_threads_as_before():
    """Within :func:`one_blas_thread`, give the BLAS pools their own thread counts.

    For one large operation, which threads do speed up; outside
    :func:`one_blas_thread` it changes nothing.
    """
    limiter = _limiter
    if limiter is None:
        yield
        return
    limiter.restore_original_limits()
    try:
        yield
    finally:
        # Applied at once; the outermost one_blas_thread() restores on exit.
        _controller.limit(limits=1, user_api="blas")
