"""Shared fixtures: the real data sets in ``../shared/data``, skipped when absent."""

from pathlib import Path

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
