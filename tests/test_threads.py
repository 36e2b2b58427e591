"""Tests of the BLAS thread settings during a fit (``_threads.py``)."""

from contextlib import contextmanager

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_bt import BradleyTerryRanker, _ranker, _solvers, _threads
from sklearn_bt._threads import blas_threads_as_before, one_blas_thread


def _blas_threads():
    """The thread count of every BLAS pool loaded, as a sorted list."""
    return sorted(
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
    )


@pytest.fixture
def two_blas_threads():
    """Every BLAS pool set to two threads (what a 2-core machine has by default)."""
    if _threads._controller is None or not _blas_threads():
        pytest.skip("no BLAS thread pool that threadpoolctl can control")
    with threadpool_limits(limits=2, user_api="blas"):
        yield [2] * len(_blas_threads())


def test_one_blas_thread_and_back(two_blas_threads):
    with one_blas_thread():
        assert _blas_threads() == [1] * len(two_blas_threads)
        with blas_threads_as_before():
            assert _blas_threads() == two_blas_threads
        assert _blas_threads() == [1] * len(two_blas_threads)
        with one_blas_thread():  # nested: the outermost one restores
            pass
        assert _blas_threads() == [1] * len(two_blas_threads)
    assert _blas_threads() == two_blas_threads
    with blas_threads_as_before():  # outside a fit: no change
        assert _blas_threads() == two_blas_threads


def test_fit_solves_on_one_thread_and_builds_the_gram_matrix_on_all(
    monkeypatch, two_blas_threads
):
    seen = {"solve": [], "gram": []}
    newton_solve = _ranker.newton_solve

    def spy_solve(*args, **kwargs):
        seen["solve"].append(_blas_threads())
        return newton_solve(*args, **kwargs)

    def spy_gram():
        with blas_threads_as_before():
            seen["gram"].append(_blas_threads())
            yield

    monkeypatch.setattr(_ranker, "newton_solve", spy_solve)
    monkeypatch.setattr(_solvers, "blas_threads_as_before", contextmanager(spy_gram))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    y = rng.random(300) < 0.5
    BradleyTerryRanker().fit(X, y)
    assert seen["solve"] == [[1] * len(two_blas_threads)]
    assert seen["gram"] and all(t == two_blas_threads for t in seen["gram"])
    assert _blas_threads() == two_blas_threads


def test_fits_in_several_threads_restore_the_users_thread_counts(two_blas_threads):
    import threading

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 6))
    y = X[:, :3].sum(axis=1) - X[:, 3:].sum(axis=1) > rng.logistic(size=2000)
    # Interleave the threads' entries and exits on purpose: each thread's
    # block starts while the other's is in progress, and ends first or last.
    barrier = threading.Barrier(2)

    def fit_many():
        for _ in range(10):
            barrier.wait()
            BradleyTerryRanker().fit(X, y)

    threads = [threading.Thread(target=fit_many) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _blas_threads() == two_blas_threads


def test_concurrent_blocks_restore_when_the_last_one_ends(two_blas_threads):
    # One block ends while another is in progress (as in another thread).
    first, second = one_blas_thread(), one_blas_thread()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert _blas_threads() == [1] * len(two_blas_threads)
    with blas_threads_as_before():
        second.__exit__(None, None, None)  # the last ends inside the Gram block
    assert _blas_threads() == two_blas_threads
