"""Win-count matrices: W[i, j] = weighted number of times item i beat item j.

Much published Bradley-Terry data comes as such a K x K matrix.  Because duplicate
comparisons are sufficient statistics, the matrix is also the compact form of any
winner/loser data set: :func:`win_matrix` aggregates rows into it and
:func:`pairs_from_win_matrix` turns it back into one weighted row per non-zero
count, ready for the estimators.
"""

import numpy as np
import scipy.sparse as sp

from ._graph import _encode, _is_missing, _validate_pairs
from ._ids import factorise_ids, is_pandas_native
from ._outcomes import label_positions, sorted_labels
from ._solvers import aggregate_id_pairs

__all__ = [
    "aggregate_pairs",
    "pairs_from_counts",
    "pairs_from_win_matrix",
    "win_matrix",
]


def win_matrix(winners, losers, *, sample_weight=None, items=None, sparse=False):
    """Aggregate winner/loser data into a matrix of win counts.

    Parameters
    ----------
    winners, losers : array-like of shape (n_comparisons,)
        Labels (ints, strings, ...) of the winner and the loser of each comparison.
    sample_weight : array-like of shape (n_comparisons,), default=None
        Non-negative count of each comparison.  Repeated pairs are summed.
    items : array-like of shape (n_items,), default=None
        Item labels giving the row and column order; it may hold items never
        compared.  Default: the sorted unique labels of winners and losers.
    sparse : bool, default=False
        Return a ``scipy.sparse.csr_array`` instead of a dense ndarray.  A dense
        matrix takes K * K numbers, which is too much past some 10,000 items.

    Returns
    -------
    W : ndarray or scipy.sparse.csr_array of shape (n_items, n_items)
        ``W[i, j]`` is the (weighted) number of times ``items[i]`` beat
        ``items[j]``.  Integer counts without ``sample_weight``, floats with it.
    items : ndarray of shape (n_items,)
        The item label of each row and column.

    See Also
    --------
    pairs_from_win_matrix : The inverse: one weighted row per non-zero count.

    Examples
    --------
    >>> from sklearn_bt._win_matrix import win_matrix
    >>> W, items = win_matrix(["a", "a", "b"], ["b", "b", "c"])
    >>> W
    array([[0, 2, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> items
    array(['a', 'b', 'c'], dtype='<U1')
    """
    winners, losers, _, weights = _validate_pairs(
        winners, losers, sample_weight=sample_weight
    )
    n_rows = winners.shape[0]
    items, codes = _encode(np.concatenate([winners, losers]), items)
    n_items = items.shape[0]
    keep = weights > 0
    rows, cols = codes[:n_rows][keep], codes[n_rows:][keep]
    counts = weights[keep]
    if sample_weight is None:
        counts = counts.astype(np.int64)
    if sparse:
        # tocsr sums repeated (row, col) entries, as the counts require.
        W = sp.coo_array((counts, (rows, cols)), shape=(n_items, n_items)).tocsr()
        return W, items
    flat = np.bincount(rows * n_items + cols, counts, minlength=n_items * n_items)
    return flat.astype(counts.dtype).reshape(n_items, n_items), items


def _is_dataframe(W):
    # Duck-typed so that pandas stays an optional dependency.
    return hasattr(W, "index") and hasattr(W, "columns") and hasattr(W, "to_numpy")


def _check_square(shape):
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(
            f"W must be a square K x K matrix of win counts; got shape {shape}."
        )


def _check_values(values, what):
    """Entries of W (dense, or the stored entries of a sparse W) as floats."""
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"W must hold numbers (win counts); {what}.") from exc
    if not np.isfinite(values).all():
        raise ValueError("W has NaN or infinite entries; win counts must be finite.")
    if (values < 0).any():
        raise ValueError(
            f"W has {(values < 0).sum()} negative entries; win counts must be >= 0."
        )
    return values


def _validate_win_matrix(W, items):
    """Return (W as float ndarray or canonical COO array, item labels)."""
    if _is_dataframe(W):
        if items is not None:
            raise ValueError(
                "items must be None for a DataFrame: its index gives the labels."
            )
        if not W.index.equals(W.columns):
            raise ValueError(
                "the DataFrame's index and columns must hold the same item labels "
                "in the same order (W.loc[i, j] = times i beat j); reindex the "
                "columns with W.reindex(columns=W.index)."
            )
        items = np.asarray(W.index)
        W = W.to_numpy()
    if sp.issparse(W):
        _check_square(W.shape)
        # A copy, so that summing duplicates never touches the caller's matrix.
        W = sp.coo_array(W, copy=True)
        W.sum_duplicates()
        W.data = _check_values(W.data, f"got dtype {W.dtype}")
        diagonal = W.diagonal()
    else:
        W = np.asarray(W)
        _check_square(W.shape)
        W = _check_values(W, f"got dtype {W.dtype}")
        diagonal = np.diagonal(W)
    n_items = W.shape[0]
    if items is None:
        items = np.arange(n_items)
    items = np.asarray(items)
    if items.shape != (n_items,):
        raise ValueError(
            f"items must have one label per row of W ({n_items}); "
            f"got shape {items.shape}."
        )
    if len(set(items.tolist())) != n_items:
        raise ValueError("items must be unique; it has repeated labels.")
    if (diagonal != 0).any():
        bad = items[diagonal != 0]
        raise ValueError(
            f"W has non-zero diagonal entries (items {bad[:5].tolist()}): an item "
            "cannot beat itself; set the diagonal to zero."
        )
    return W, items


def pairs_from_counts(item_a, item_b, wins_a, wins_b, ties=None, *, return_rows=False):
    """Pair rows, outcomes and weights from a table of counts per pair.

    R's BradleyTerry2 and many published tables give one row per pair with the
    counts of its outcomes (``home_wins``, ``away_wins``, maybe ``ties``).
    This gives the rows a :class:`BradleyTerryRanker` takes: one per non-zero
    count, with the count as its frequency weight.

    Parameters
    ----------
    item_a, item_b : array-like of shape (n_pairs,)
        The items of each row, A first (the home team, say: A's side is kept).
    wins_a, wins_b : array-like of shape (n_pairs,)
        How often A beat B, and B beat A: finite, non-negative counts.
    ties : array-like of shape (n_pairs,), default=None
        How often they tied (fit with ``ties=...``).
    return_rows : bool, default=False
        Also return which input row each output row comes from, to carry
        row-level columns along (``home[rows]``).

    Returns
    -------
    X : ndarray of shape (n_rows, 2)
        ``[item_a, item_b]`` for each non-zero count: A's wins, then the ties,
        then B's wins, row by row.
    y : ndarray of float of shape (n_rows,)
        1 (A won), 0.5 (tie) or 0 (B won).
    sample_weight : ndarray of float of shape (n_rows,)
        The count of each row.
    rows : ndarray of int of shape (n_rows,)
        With ``return_rows``: the input row of each output row.

    See Also
    --------
    pairs_from_win_matrix : The same from a K x K matrix of win counts.
    aggregate_pairs : The inverse: repeated comparisons into weighted rows.

    Examples
    --------
    >>> from sklearn_bt import pairs_from_counts
    >>> X, y, sample_weight = pairs_from_counts(
    ...     ["Boston", "Detroit"], ["Detroit", "Boston"], [4, 3], [2, 0]
    ... )
    >>> X.tolist(), y.tolist(), sample_weight.tolist()
    ([['Boston', 'Detroit'], ['Boston', 'Detroit'], ['Detroit', 'Boston']], \
[1.0, 0.0, 1.0], [4.0, 2.0, 3.0])
    """
    item_a, item_b = np.asarray(item_a), np.asarray(item_b)
    n = item_a.shape[0]
    if item_a.ndim != 1 or item_b.shape != item_a.shape:
        raise ValueError(
            f"item_a and item_b must be 1-D, one item per row, of the same length; "
            f"got shapes {item_a.shape} and {item_b.shape}."
        )
    columns = [("wins_a", wins_a, 1.0), ("ties", ties, 0.5), ("wins_b", wins_b, 0.0)]
    counts, scores = [], []
    for name, values, score in columns:
        if values is None:
            continue
        values = np.asarray(values, dtype=np.float64)
        if (
            values.shape != (n,)
            or not np.all(np.isfinite(values))
            or np.any(values < 0)
        ):
            raise ValueError(
                f"{name} must hold {n} finite, non-negative counts, one per row."
            )
        counts.append(values)
        scores.append(score)
    counts = np.column_stack(counts)
    rows, column = np.nonzero(counts > 0)  # row by row, outcomes in order
    X = np.column_stack([item_a[rows], item_b[rows]])
    y = np.asarray(scores)[column]
    sample_weight = counts[rows, column]
    if return_rows:
        return X, y, sample_weight, rows
    return X, y, sample_weight


def pairs_from_win_matrix(W, items=None):
    """One weighted winner/loser row per non-zero entry of a win-count matrix.

    Parameters
    ----------
    W : {array-like, sparse matrix, DataFrame} of shape (n_items, n_items)
        ``W[i, j]`` = number of times item i beat item j: finite, non-negative,
        with a zero diagonal.  A pandas DataFrame gives the labels in its index,
        which must equal its columns.
    items : array-like of shape (n_items,), default=None
        Unique label of each row and column.  Default: ``0, ..., n_items - 1``
        (or the DataFrame's index).

    Returns
    -------
    X : ndarray of shape (n_pairs, 2)
        ``[winner_label, loser_label]`` for each non-zero ``W[i, j]``, in row-major
        order of ``(i, j)``.
    sample_weight : ndarray of float of shape (n_pairs,)
        The count ``W[i, j]`` of each row.

    See Also
    --------
    win_matrix : The inverse: aggregate winner/loser rows into W.

    Notes
    -----
    With ``y = np.ones(len(X))`` (the first item won every row), the pipeline ::

        model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
        model.fit(X, np.ones(len(X)), bradleyterryranker__sample_weight=sample_weight)

    fits the textbook Bradley-Terry model: weights are frequency weights, so one
    row of weight ``W[i, j]`` is the same as ``W[i, j]`` repeated rows.  A Pipeline
    passes ``sample_weight`` to a step as ``<step name>__sample_weight``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt._win_matrix import pairs_from_win_matrix
    >>> W = np.array([[0, 3], [1, 0]])
    >>> X, sample_weight = pairs_from_win_matrix(W, items=["home", "away"])
    >>> X
    array([['home', 'away'],
           ['away', 'home']], dtype='<U4')
    >>> sample_weight
    array([3., 1.])
    """
    W, items = _validate_win_matrix(W, items)
    if sp.issparse(W):
        nonzero = W.data != 0
        rows, cols, counts = W.row[nonzero], W.col[nonzero], W.data[nonzero]
        order = np.lexsort((cols, rows))
        rows, cols, counts = rows[order], cols[order], counts[order]
    else:
        rows, cols = np.nonzero(W)
        counts = W[rows, cols]
    X = np.stack([items[rows], items[cols]], axis=1)
    return X, counts.astype(np.float64)


def aggregate_pairs(X, y, sample_weight=None):
    """Fold repeated comparisons of item ids into one row each, weighted by count.

    Duplicate comparisons are sufficient statistics: a row of weight 5 is the
    same as 5 identical rows to the likelihood.  On data with many repeats (an
    LLM arena: millions of battles among a few hundred models) fitting the
    aggregated rows gives the same model, exactly, far faster.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_comparisons, 2)
        Ids (ints or strings) of item A and item B.
    y : array-like of shape (n_comparisons,)
        Outcome labels, in any encoding the ranker takes (at most three
        distinct values).
    sample_weight : array-like of shape (n_comparisons,), default=None
        Frequency weights to sum (None: one per row).

    Returns
    -------
    X_unique : {ndarray, DataFrame} of shape (n_unique, 2)
        One row per distinct (A, B, outcome), sorted by the ids of A and B;
        a DataFrame keeps the input's columns.
    y_unique : ndarray of shape (n_unique,)
        The outcome of each row.
    sample_weight : ndarray of float of shape (n_unique,)
        Summed weight (the count) of each row.

    See Also
    --------
    win_matrix : The same counts as a K x K matrix.
    leaderboard : Aggregates this way before fitting.

    Notes
    -----
    Fit with the weights, e.g. in a Pipeline whose last step is the ranker::

        model.fit(X_unique, y_unique, bradleyterryranker__sample_weight=weight)

    Only the ids are compared, not features; for rows with item features,
    aggregate before adding them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt import aggregate_pairs
    >>> X = np.array([["ann", "bob"], ["bob", "cid"], ["ann", "bob"], ["ann", "bob"]])
    >>> X_unique, y_unique, weight = aggregate_pairs(X, [1, 1, 1, 0])
    >>> X_unique
    array([['ann', 'bob'],
           ['ann', 'bob'],
           ['bob', 'cid']], dtype='<U3')
    >>> y_unique, weight
    (array([0, 1, 1]), array([1., 2., 1.]))
    """
    columns = getattr(X, "columns", None)
    if columns is not None and len(columns) == 2 and _has_native_column(X):
        # Kept as pandas columns: factorised by pandas, never converted row
        # by row (categoricals, Arrow-backed strings).
        ids_a, ids_b = X.iloc[:, 0], X.iloc[:, 1]
    else:
        if sp.issparse(X):
            raise ValueError(
                f"X is a sparse matrix of shape {X.shape}; aggregate_pairs takes "
                "the ids themselves, two columns (A, B), before they are one-hot "
                "encoded: aggregate the ids, then encode them (PairTransformer)."
            )
        ids = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)
        if ids.ndim != 2 or ids.shape[1] != 2:
            raise ValueError(
                f"X must have two columns, the ids of item A and of item B; got "
                f"shape {ids.shape}. Aggregate the ids before adding item features."
            )
        ids_a, ids_b = ids[:, 0], ids[:, 1]
    n = len(ids_a)
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(
            f"y must have one outcome per row of X ({n}); got shape {y.shape}."
        )
    weight = None
    if sample_weight is not None:
        weight = np.asarray(sample_weight, dtype=np.float64)
        if (
            weight.shape != y.shape
            or not np.all(np.isfinite(weight))
            or (np.any(weight < 0))
        ):
            raise ValueError(
                "sample_weight must hold one finite, non-negative weight per row."
            )
    outcome, labels = _outcome_codes(y)
    aggregated = aggregate_id_pairs(ids_a, ids_b, outcome, weight)
    if aggregated is None:
        raise ValueError(
            "X has missing ids, or ids of mixed types; drop those rows or convert "
            "the ids to one type (for example with .astype(str))."
        )
    items, design, counts = aggregated
    row, column = np.nonzero(counts > 0)
    X_unique = np.column_stack([items[design.a[row]], items[design.b[row]]])
    if columns is not None:
        import pandas as pd

        X_unique = pd.DataFrame(X_unique, columns=columns).astype(X.dtypes.to_dict())
    return X_unique, labels[column], counts[row, column]


def _has_native_column(frame):
    return any(is_pandas_native(frame.iloc[:, j]) for j in range(frame.shape[1]))


def _refuse_missing(missing):
    if missing.any():
        raise ValueError(
            f"y has {int(missing.sum())} missing outcome(s), first at row "
            f"{int(np.flatnonzero(missing)[0])}; drop those rows."
        )


def _outcome_codes(y):
    """Codes 0..2 of the outcome labels (int8), and the labels."""
    if y.dtype.kind in "biuf":
        # One label (winner/loser data) or up to three: no sort of the rows.
        labels = sorted_labels(y)
        if y.dtype.kind == "f" and len(labels) and np.isnan(labels[-1]):
            _refuse_missing(np.isnan(y))
        if 0 < len(labels) <= 3:
            return label_positions(y, labels), labels
    else:
        _refuse_missing(_is_missing(y))
        if len(y) and not np.any(y != y[0]):  # one label (winner/loser data)
            return np.zeros(len(y), dtype=np.int8), y[:1]
    factorised = factorise_ids(y)
    if factorised is None:  # missing labels were refused above
        raise ValueError(
            "y has labels of mixed types (numbers next to strings, say); convert "
            "y to one type."
        )
    codes, labels = factorised
    if len(labels) > 3:
        raise ValueError(
            f"y has {len(labels)} distinct outcomes; a comparison has at most three "
            "(B won, tie, A won)."
        )
    return codes.astype(np.int8), labels
