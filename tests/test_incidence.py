"""Tests of the item ids found among a design's columns (``_incidence.py``):
the search against designs built from known comparisons, the Gram matrix
against the product written out."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_bt._incidence import (
    IncidenceGram,
    item_incidence,
    restricted_incidence,
)


def _ids_and(columns_a, columns_b, features):
    """Difference design: one-hot ids of A minus those of B, then ``features``."""
    n, k = len(columns_a), 1 + max(max(columns_a), max(columns_b))
    ids = np.zeros((n, k))
    ids[np.arange(n), columns_a] += 1.0
    ids[np.arange(n), columns_b] -= 1.0
    return sp.csr_array(np.column_stack([ids, features]))


def test_item_incidence_finds_ids_beside_a_home_flag():
    a, b = [0, 1, 2, 3, 0], [1, 2, 0, 0, 3]
    # Items 0 and 3 played with the flag in every match: their columns, like
    # the flag's, only occur in rows with three +-1 values.
    home = [[1.0], [0.0], [-1.0], [1.0], [-1.0]]
    columns, got_a, got_b = item_incidence(_ids_and(a, b, home))
    np.testing.assert_array_equal(columns, [0, 1, 2, 3])
    np.testing.assert_array_equal(got_a, a)
    np.testing.assert_array_equal(got_b, b)
    # Continuous features are never ids.
    features = np.random.default_rng(0).normal(size=(5, 2))
    columns, _, _ = item_incidence(_ids_and(a, b, features))
    np.testing.assert_array_equal(columns, [0, 1, 2, 3])


def test_item_incidence_takes_rows_with_one_id_or_none():
    a, b = [0, 1, 2], [1, 2, 0]
    ids = _ids_and(a, b, np.zeros((3, 0))).toarray()
    assert item_incidence(sp.csr_array(ids)) is not None
    # An item against itself: no id in its row, one item on either side.
    ids[2] = 0.0
    _, a_got, b_got = item_incidence(sp.csr_array(ids))
    np.testing.assert_array_equal(a_got, [0, 1, 0])
    np.testing.assert_array_equal(b_got, [1, 2, 0])
    # A row with one id: against the category an encoder dropped, item 3.
    ids[2, 0] = 1.0
    _, a_got, b_got = item_incidence(sp.csr_array(ids))
    np.testing.assert_array_equal(a_got, [0, 1, 0])
    np.testing.assert_array_equal(b_got, [1, 2, 3])
    # Two ids of one sign: none.
    ids[2, 1] = 1.0
    assert item_incidence(sp.csr_array(ids)) is None


def _random_design(rng, flag=True):
    """A difference design of ids (maybe without a dropped category's column,
    with rows against themselves), a home flag and features; its ``a, b``,
    the item dropped (None if none), and where the ids' columns start."""
    n, k = rng.integers(3, 60), rng.integers(2, 8)
    a, b = rng.integers(0, k + 1, n), rng.integers(0, k + 1, n)
    ids = np.zeros((n, k + 1))
    ids[np.arange(n), a] += 1.0
    ids[np.arange(n), b] -= 1.0  # a == b: a row of zeros
    dropped = rng.random() < 0.5
    if dropped:  # item k has no column: rows with one id
        ids = ids[:, :k]
    m = rng.integers(0, 4)
    features = rng.normal(size=(n, m)) * (rng.random((n, m)) < rng.random())
    # A +-1 flag can look like one more item's id: then either reading holds.
    home = (rng.random((n, int(flag))) < 0.5) * rng.choice([-1.0, 1.0], (n, 1))
    ids_first = rng.random() < 0.5
    columns = [ids, home, features] if ids_first else [features, ids]
    offset = 0 if ids_first else m  # of item 0's column
    return sp.csr_array(np.hstack(columns)), a, b, k if dropped else None, offset


@pytest.mark.parametrize("seed", range(20))
def test_item_incidence_returns_the_comparisons_the_design_was_built_from(seed):
    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(50):
        D, a, b, dropped, offset = _random_design(rng, flag=False)
        incidence = item_incidence(D)
        if incidence is None:
            continue
        columns, got_a, got_b = incidence
        # Items are numbered in the order of their columns, the dropped
        # category after them; a row against itself is (0, 0).
        item = np.searchsorted(columns, offset + np.arange(max(a.max(), b.max()) + 1))
        if dropped is not None and dropped < len(item):
            item[dropped] = len(columns)
        proper = a != b
        assert_array_equal(got_a[proper], item[a[proper]])
        assert_array_equal(got_b[proper], item[b[proper]])
        assert np.all(got_a[~proper] == got_b[~proper])
        checked += 1
    assert checked > 10


def _gram_written_out(D, h):
    dense = D.toarray()
    return dense.T @ (h[:, None] * dense)


@pytest.mark.parametrize("seed", range(20))
def test_incidence_gram_is_the_weighted_product(seed):
    rng = np.random.default_rng(seed)
    for _ in range(30):
        D, *_ = _random_design(rng)
        incidence = item_incidence(D)
        if incidence is None:
            continue
        gram = IncidenceGram(D, incidence)
        # Called twice, the first time with rows of weight 0: a later call
        # must not see an earlier one's pattern (scipy edits it in place).
        for h in (
            rng.random(D.shape[0]) * (rng.random(D.shape[0]) < 0.7),
            rng.random(D.shape[0]),
        ):
            got = gram(h)
            assert got.has_canonical_format
            assert np.all(got.data != 0)
            assert_allclose(got.toarray(), _gram_written_out(D, h), atol=1e-12)


def test_incidence_gram_of_many_rows_with_dense_and_sparse_features():
    rng = np.random.default_rng(3)
    n, k = 5000, 40
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k
    ids = sp.csr_array(
        (
            np.r_[np.ones(n), -np.ones(n)],
            (np.r_[np.arange(n), np.arange(n)], np.r_[a, b]),
        ),
        shape=(n, k),
    )
    dense = rng.normal(size=(n, 3))
    rare = sp.random_array((n, 5), density=0.05, rng=rng)
    for features in (dense, rare):
        D = sp.csr_array(sp.hstack([ids, sp.csr_array(features)]))
        incidence = item_incidence(D)
        assert_array_equal(incidence[0], np.arange(k))
        h = rng.random(n)
        assert_allclose(
            IncidenceGram(D, incidence)(h).toarray(), _gram_written_out(D, h), atol=1e-9
        )


def test_restricted_incidence_is_the_incidence_of_the_restricted_design():
    rng = np.random.default_rng(4)
    for _ in range(100):
        D, *_ = _random_design(rng)
        incidence = item_incidence(D)
        if incidence is None:
            continue
        rows = rng.random(D.shape[0]) < 0.6
        restricted = D[rows]
        used = np.flatnonzero(np.diff(restricted.tocsc().indptr))
        expected = item_incidence(restricted[:, used])
        if expected is None:
            continue
        got = restricted_incidence(incidence, rows, used)
        assert_array_equal(got[0], expected[0])
        proper = expected[1] != expected[2]
        assert_array_equal(got[1][proper], expected[1][proper])
        assert_array_equal(got[2][proper], expected[2][proper])
        assert np.all(got[1][~proper] == got[2][~proper])
