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
