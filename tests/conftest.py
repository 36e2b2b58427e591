"""Shared fixtures: the real data sets in ``../shared/data``, skipped when absent."""

from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

# One BLAS thread: on small shared machines a multi-threaded OpenBLAS fights
# the other processes and turns a millisecond Cholesky into a fraction of a
# second. The test command then behaves the same with or without
# OPENBLAS_NUM_THREADS=1 in the environment.
threadpool_limits(1)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data():
    """Folder of the real comparison data sets; skip the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def long_tail_tournament():
    """``make(seed) -> (winner, loser)``: 900 matches among 400 players drawn
    with Zipf popularity, so the comparison graph has hundreds of strongly
    connected components, most of them single players who only won or only
    lost, some deep in the order (no MLE)."""

    def make(seed, n_items=400, n=900):
        rng = np.random.default_rng(seed)
        popularity = 1.0 / np.arange(1, n_items + 1)
        a, b = rng.choice(n_items, (2, n), p=popularity / popularity.sum())
        a, b = a[a != b], b[a != b]
        strength = 2 * rng.normal(size=n_items)
        a_won = rng.random(len(a)) < 1 / (1 + np.exp(-strength[a]))
        return np.where(a_won, a, b), np.where(a_won, b, a)

    return make
