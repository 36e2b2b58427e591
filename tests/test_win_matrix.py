"""Tests of win-count matrices and their conversion to weighted pairs."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_bt import BradleyTerryRanker, PairTransformer, aggregate_pairs
from sklearn_bt._win_matrix import pairs_from_win_matrix, win_matrix


def _loop_win_matrix(winners, losers, weights, items):
    """Reference: accumulate W[i, j] one comparison at a time."""
    index = {item: k for k, item in enumerate(items)}
    W = np.zeros((len(items), len(items)))
    for w, lo, weight in zip(winners, losers, weights, strict=True):
        W[index[w], index[lo]] += weight
    return W


def test_hand_example():
    W, items = win_matrix(["b", "a", "a", "c", "b"], ["a", "b", "b", "a", "c"])
    np.testing.assert_array_equal(items, ["a", "b", "c"])
    np.testing.assert_array_equal(W, [[0, 2, 0], [1, 0, 1], [1, 0, 0]])
    assert W.dtype == np.int64


def test_weights_duplicates_and_zero_rows():
    winners, losers = [1, 1, 2, 3], [2, 2, 1, 1]
    W, items = win_matrix(winners, losers, sample_weight=[0.5, 2.0, 1.0, 0.0])
    np.testing.assert_array_equal(items, [1, 2, 3])
    np.testing.assert_array_equal(W, [[0, 2.5, 0], [1, 0, 0], [0, 0, 0]])
    assert W.dtype == np.float64
    S, _ = win_matrix(winners, losers, sample_weight=[0.5, 2.0, 1.0, 0.0], sparse=True)
    # The zero-weight row stores no entry.
    assert S.nnz == 2


def test_items_order_and_unseen_items():
    W, items = win_matrix(["x", "y"], ["y", "x"], items=["z", "y", "x"])
    np.testing.assert_array_equal(items, ["z", "y", "x"])
    np.testing.assert_array_equal(W, [[0, 0, 0], [0, 0, 1], [0, 1, 0]])
    with pytest.raises(ValueError, match="not in items: y"):
        win_matrix(["x"], ["y"], items=["x"])


@pytest.mark.parametrize("seed", range(10))
def test_random_against_loop_and_sparse(seed):
    rng = np.random.default_rng(seed)
    n_items, n_rows = 7, 60
    labels = np.array([f"item{k}" for k in range(n_items)])
    winners = rng.integers(0, n_items, n_rows)
    losers = (winners + rng.integers(1, n_items, n_rows)) % n_items
    weights = rng.choice([0.0, 1.0, 2.5], size=n_rows)
    W, items = win_matrix(labels[winners], labels[losers], sample_weight=weights)
    expected = _loop_win_matrix(labels[winners], labels[losers], weights, items)
    np.testing.assert_allclose(W, expected)
    S, sparse_items = win_matrix(
        labels[winners], labels[losers], sample_weight=weights, sparse=True
    )
    assert isinstance(S, sp.csr_array)
    np.testing.assert_array_equal(sparse_items, items)
    np.testing.assert_allclose(S.toarray(), W)

    # Round trip: the pairs re-aggregate to the same counts, from dense or sparse.
    for matrix in (W, S, sp.csr_matrix(W), sp.coo_array(W)):
        X, sample_weight = pairs_from_win_matrix(matrix, items=items)
        assert X.shape == (np.count_nonzero(W), 2)
        again, again_items = win_matrix(
            X[:, 0], X[:, 1], sample_weight=sample_weight, items=items
        )
        np.testing.assert_allclose(again, W)
    X_dense, w_dense = pairs_from_win_matrix(W, items=items)
    X_sparse, w_sparse = pairs_from_win_matrix(S, items=items)
    np.testing.assert_array_equal(X_dense, X_sparse)
    np.testing.assert_array_equal(w_dense, w_sparse)


def test_pairs_hand_example_and_order():
    W = np.array([[0, 2, 0], [0, 0, 5], [1, 0, 0]])
    X, sample_weight = pairs_from_win_matrix(W)
    np.testing.assert_array_equal(X, [[0, 1], [1, 2], [2, 0]])
    np.testing.assert_array_equal(sample_weight, [2.0, 5.0, 1.0])
    assert sample_weight.dtype == np.float64
    # A sparse input with unsorted, duplicated entries gives the same rows.
    coo = sp.coo_array(([5, 1, 1, 1], ([1, 2, 0, 0], [2, 0, 1, 1])), shape=(3, 3))
    X_sparse, w_sparse = pairs_from_win_matrix(coo)
    np.testing.assert_array_equal(X_sparse, X)
    np.testing.assert_array_equal(w_sparse, sample_weight)


def test_sparse_explicit_zeros_are_skipped():
    S = sp.csr_array(([0.0, 3.0], ([0, 1], [1, 0])), shape=(2, 2))
    assert S.nnz == 2
    X, sample_weight = pairs_from_win_matrix(S, items=["a", "b"])
    np.testing.assert_array_equal(X, [["b", "a"]])
    np.testing.assert_array_equal(sample_weight, [3.0])


def test_dataframe_input():
    pd = pytest.importorskip("pandas")
    labels = ["ann", "bob", "cy"]
    frame = pd.DataFrame(
        [[0, 2, 1], [3, 0, 0], [0, 4, 0]], index=labels, columns=labels
    )
    X, sample_weight = pairs_from_win_matrix(frame)
    np.testing.assert_array_equal(
        X, [["ann", "bob"], ["ann", "cy"], ["bob", "ann"], ["cy", "bob"]]
    )
    np.testing.assert_array_equal(sample_weight, [2, 1, 3, 4])
    W, items = win_matrix(X[:, 0], X[:, 1], sample_weight=sample_weight)
    np.testing.assert_array_equal(W, frame.to_numpy())
    np.testing.assert_array_equal(items, labels)

    with pytest.raises(ValueError, match="index and columns"):
        pairs_from_win_matrix(frame[["bob", "ann", "cy"]])
    with pytest.raises(ValueError, match="items must be None"):
        pairs_from_win_matrix(frame, items=labels)


def test_sushi_pairwise_counts_round_trip(shared_data):
    # Kamishima's sushi data: counts of "row preferred to column" for 10 sushi.
    pd = pytest.importorskip("pandas")
    counts = pd.read_csv(shared_data / "sushi10_pairwise_counts.csv")
    W, items = win_matrix(counts.winner, counts.loser, sample_weight=counts["count"])
    assert W.shape == (10, 10)
    # Every pair (i, j) of the 90 rows lands in its own cell.
    assert np.count_nonzero(W) == len(counts) == 90
    index = {item: k for k, item in enumerate(items)}
    rows = zip(counts.winner, counts.loser, counts["count"], strict=True)
    for winner, loser, count in rows:
        assert W[index[winner], index[loser]] == count
    X, sample_weight = pairs_from_win_matrix(W, items=items)
    assert sample_weight.sum() == counts["count"].sum()
    again, _ = win_matrix(X[:, 0], X[:, 1], sample_weight=sample_weight, items=items)
    np.testing.assert_array_equal(again, W)


def test_inputs_not_mutated():
    W = np.array([[0.0, 1.0], [2.0, 0.0]])
    before = W.copy()
    pairs_from_win_matrix(W)
    np.testing.assert_array_equal(W, before)
    S = sp.coo_array(([1.0, 1.0], ([0, 0], [1, 1])), shape=(2, 2))
    pairs_from_win_matrix(S)
    assert S.nnz == 2  # duplicates were summed on a copy


@pytest.mark.parametrize(
    "W, items, match",
    [
        (np.zeros((2, 3)), None, "square"),
        (np.zeros(4), None, "square"),
        (np.array([[0, -1], [1, 0]]), None, "negative"),
        (np.array([[0, np.nan], [1, 0]]), None, "finite"),
        (np.array([[0, np.inf], [1, 0]]), None, "finite"),
        (np.array([[1, 1], [1, 0]]), ["a", "b"], r"diagonal .*\['a'\]"),
        (np.array([["0", "x"], ["1", "0"]]), None, "numbers"),
        (np.zeros((2, 2)), ["a"], "one label per row"),
        (np.zeros((2, 2)), ["a", "a"], "unique"),
        (sp.csr_array(np.array([[0.0, -2.0], [1.0, 0.0]])), None, "negative"),
        (sp.csr_array(np.array([[3.0, 0.0], [1.0, 0.0]])), None, "diagonal"),
        (sp.csr_array(np.zeros((2, 3))), None, "square"),
    ],
)
def test_bad_matrix_raises(W, items, match):
    with pytest.raises(ValueError, match=match):
        pairs_from_win_matrix(W, items=items)


# ---------------------------------------------------------------------------
# aggregate_pairs
# ---------------------------------------------------------------------------


def _arena(n_rows=3000, seed=0):
    rng = np.random.default_rng(seed)
    names = np.array(["gpt", "claude", "gemini", "llama", "mistral"], dtype=object)
    a = rng.integers(0, 5, n_rows)
    b = (a + rng.integers(1, 5, n_rows)) % 5
    y = rng.choice([0.0, 0.5, 1.0], size=n_rows, p=[0.4, 0.2, 0.4])
    return np.column_stack([names[a], names[b]]), y


@pytest.mark.parametrize("ties", [None, "davidson"])
@pytest.mark.parametrize("as_frame", [False, True])
def test_aggregate_pairs_gives_the_model_of_the_raw_rows(ties, as_frame):
    X, y = _arena()
    if ties is None:
        X, y = X[y != 0.5], y[y != 0.5]
    weight = np.random.default_rng(1).integers(1, 4, len(y)).astype(float)
    if as_frame:
        X = pd.DataFrame(X, columns=["model_a", "model_b"])
    X_unique, y_unique, counts = aggregate_pairs(X, y, sample_weight=weight)
    assert len(y_unique) <= 4 * 5 * 3 < len(y)  # ordered pairs x outcomes
    assert counts.sum() == pytest.approx(weight.sum())
    if as_frame:
        assert list(X_unique.columns) == ["model_a", "model_b"]

    def fit(X, y, w):
        model = make_pipeline(
            PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties=ties)
        )
        return model.fit(X, y, bradleyterryranker__sample_weight=w)[-1]

    raw, aggregated = fit(X, y, weight), fit(X_unique, y_unique, counts)
    np.testing.assert_allclose(aggregated.coef_, raw.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(aggregated.classes_, raw.classes_)
    if ties:
        assert aggregated.tie_parameter_ == pytest.approx(raw.tie_parameter_)


def test_aggregate_pairs_of_winner_loser_rows_counts_each_pair():
    X = np.array([[3, 1], [1, 3], [3, 1], [2, 3]])
    X_unique, y_unique, counts = aggregate_pairs(X, np.ones(4))
    np.testing.assert_array_equal(X_unique, [[1, 3], [2, 3], [3, 1]])
    np.testing.assert_array_equal(y_unique, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(counts, [1.0, 1.0, 2.0])


@pytest.mark.parametrize(
    "X, y, sample_weight, match",
    [
        (np.zeros((3, 3)), np.ones(3), None, "two columns"),
        (np.zeros((3, 2)), np.ones(2), None, "one outcome per row"),
        (np.zeros((3, 2)), [0, 1, 1], [1, -1, 1], "non-negative"),
        (np.array([[0, 1]] * 4), [0, 1, 2, 3], None, "4 distinct outcomes"),
        (np.array([[0.0, np.nan], [1.0, 0.0]]), [1, 1], None, "missing ids"),
        (sp.csr_array(np.eye(4)[[0, 1]]), [1, 1], None, r"sparse matrix of shape"),
    ],
)
def test_aggregate_pairs_rejects_bad_input(X, y, sample_weight, match):
    with pytest.raises(ValueError, match=match):
        aggregate_pairs(X, y, sample_weight=sample_weight)


def test_aggregate_pairs_of_categorical_columns_keeps_ids_and_dtypes():
    X, y = _arena()
    frame = pd.DataFrame(X, columns=["model_a", "model_b"]).astype(object)
    categorical = frame.astype("category")
    expected = aggregate_pairs(frame, y)
    X_unique, y_unique, counts = aggregate_pairs(categorical, y)
    assert X_unique.dtypes.tolist() == categorical.dtypes.tolist()
    np.testing.assert_array_equal(X_unique.astype(object), expected[0])
    np.testing.assert_array_equal(y_unique, expected[1])
    np.testing.assert_array_equal(counts, expected[2])


@pytest.mark.parametrize(
    "y",
    [
        np.array([True, False, True, True, False, True]),
        np.array([1, 0, -1, 1, 1, 0]),
        np.array([1.0, 0.5, 0.0, 1.0, 1.0, 0.5]),
        np.array([2, 5, 1, 2, 2, 5], dtype=np.uint8),
        np.array(["won", "drew", "lost", "won", "won", "drew"], dtype=object),
    ],
)
def test_aggregate_pairs_counts_every_encoding_of_the_outcome(y):
    X = np.array([[1, 2], [1, 2], [1, 2], [1, 2], [2, 1], [2, 1]])
    X_unique, y_unique, counts = aggregate_pairs(X, y)
    rows = list(zip(X[:, 0].tolist(), X[:, 1].tolist(), y.tolist(), strict=True))
    expected = {row: rows.count(row) for row in rows}
    got = zip(
        X_unique[:, 0].tolist(),
        X_unique[:, 1].tolist(),
        y_unique.tolist(),
        counts.tolist(),
        strict=True,
    )
    assert {(a, b, label): count for a, b, label, count in got} == expected
    assert y_unique.dtype == y.dtype


def test_aggregate_pairs_names_missing_and_mixed_outcomes():
    X = np.array([["a", "b"], ["b", "c"], ["c", "a"], ["a", "c"]])
    missing = pd.Series(["won", "lost", "won", None], dtype="string")
    with pytest.raises(ValueError, match="1 missing outcome.*row 3"):
        aggregate_pairs(X, missing)
    with pytest.raises(ValueError, match="1 missing outcome.*row 1"):
        aggregate_pairs(X, np.array([1.0, np.nan, 1.0, 0.0]))
    with pytest.raises(ValueError, match="labels of mixed types"):
        aggregate_pairs(X, np.array([1, "1", 1, 1], dtype=object))
