"""Item ids among the columns of a difference design, and what they make cheap.

A design of one-hot item ids with features (a home flag, match features, a
reward model with per-model offsets) is a general sparse matrix to the
solver, but on its id columns every row is ``e_a - e_b``: the comparisons
form a graph.  :func:`item_incidence` finds those columns;
:class:`IncidenceGram` builds the Gram matrix from the graph by sums over
pairs and items instead of a general sparse product.
"""

import numpy as np
import scipy.sparse as sp

from ._ids import key_slots, quotient_and_remainder

# The +-1 features (home flags) told apart from item ids, at most.
_INCIDENCE_MAX_FEATURES = 64


def item_incidence(D):
    """The columns of a sparse difference design that are item ids, if any.

    Returns ``(columns, a, b)`` when, on ``columns``, every row of ``D`` is
    ``e_a - e_b`` (one-hot ids of item A minus those of item B; a row of
    zeros there is an item against itself, ``a = b = 0``; a row with one id
    compares it with the dropped category, item ``len(columns)``), else
    None.  The other columns are features.

    The candidates are the columns whose every value is +-1.  A row with
    more than two of them holds features as well (a home flag rides on a
    row's two ids): the candidate in most such rows is dropped, until no row
    has more than two.  Any columns that pass the final check will do: on
    them the comparisons form a graph, and where it is not strongly
    connected the MLE does not exist.
    """
    D = sp.csr_array(D)
    n, p = D.shape
    stored = D.data != 0
    in_column = D.indices if stored.all() else D.indices[stored]
    candidate = np.bincount(in_column, minlength=p) > 0
    not_unit = stored & (np.abs(D.data) != 1)
    candidate &= np.bincount(D.indices[not_unit], minlength=p) == 0
    # The rest reads the candidates' values only (two a row, for ids with a
    # few features): a column slice, in scipy's C.
    candidates = np.flatnonzero(candidate)
    C = D[:, candidates]
    C.eliminate_zeros()
    data, columns = C.data, candidates[C.indices]
    rows = np.repeat(np.arange(n), np.diff(C.indptr))
    on = np.ones(len(data), dtype=bool)
    per_row = np.diff(C.indptr)
    # A row of three or more candidates holds features besides its two ids:
    # drop the candidate in most such rows (of equal counts, the later
    # column: features follow the ids in leaderboard's design and in most
    # ColumnTransformers), until none is left.
    for _ in range(_INCIDENCE_MAX_FEATURES + 1):
        crowded = on & (per_row >= 3)[rows]
        if not crowded.any():
            break
        in_crowded = np.bincount(columns[crowded], minlength=p)
        column = p - 1 - np.argmax(in_crowded[::-1])
        candidate[column] = False
        dropped = on & (columns == column)
        per_row -= np.bincount(rows[dropped], minlength=n)
        on &= ~dropped
    else:
        return None  # more +-1 features than ids take: two one-hot groups
    ids = candidate
    id_columns = np.flatnonzero(ids)
    k = len(id_columns)
    position = np.zeros(p, dtype=np.intp)
    position[id_columns] = np.arange(k)
    if on.all() and np.all(per_row == 2):
        # Every row compares two items (ids with features that are not +-1):
        # its two values, first and second, are one +1 and one -1.
        first, second = data[0::2], data[1::2]
        if k and np.all(first == -second):
            first_won = first > 0
            where_first = position[columns[0::2]]
            where_second = position[columns[1::2]]
            a = np.where(first_won, where_first, where_second)
            b = np.where(first_won, where_second, where_first)
            return id_columns, a, b
    plus, minus = on & (data > 0), on & (data < 0)
    n_plus = np.bincount(rows[plus], minlength=n)
    n_minus = np.bincount(rows[minus], minlength=n)
    # A row without ids compares an item with itself (two players pooled
    # into one "infrequent" category, say): no edge, features only.  A row
    # with one id compares that item with the category the encoder dropped
    # (drop="first"): an item of its own, after the columns, fixed at 0.
    if not (np.all(n_plus <= 1) and np.all(n_minus <= 1)):
        return None
    if 2 * np.count_nonzero((n_plus == 1) & (n_minus == 1)) < n:
        # Most rows do not compare two ids: +-1 features (flags), not ids.
        return None
    if not k:
        return None
    itself = (n_plus == 0) & (n_minus == 0)
    a = np.where(itself, 0, k).astype(np.intp)
    b = a.copy()
    a[rows[plus]] = position[columns[plus]]
    b[rows[minus]] = position[columns[minus]]
    return id_columns, a, b


def restricted_incidence(incidence, rows, columns):
    """:func:`item_incidence` of ``D[rows][:, columns]`` from that of ``D``.

    ``columns`` (sorted) must keep the id columns of every row in ``rows``
    that compares two items; a row against itself stays one.
    """
    id_columns, a, b = incidence
    kept = np.isin(id_columns, columns)
    k = int(kept.sum())
    new_item = np.append(np.where(kept, np.cumsum(kept) - 1, 0), k)
    positions = np.searchsorted(columns, id_columns[kept])
    return positions, new_item[a[rows]], new_item[b[rows]]


def _sums(positions, values, n):
    """Sums of ``values`` by ``positions`` in ``range(n)``, as floats (bincount
    gives integer zeros when there are no values)."""
    return np.bincount(positions, values, n).astype(float, copy=False)


class IncidenceGram:
    """``D.T @ diag(h) @ D`` of a sparse design of item ids and features.

    On the id columns every row of ``D`` is ``e_a - e_b``, so their block is
    the weighted Laplacian of the comparison graph: sums of ``h`` by pair
    and by item.  The block of ids by features sums each feature's weighted
    values by item A and by item B, and the features' own block is a small
    dense Gram matrix.  Each is a ``bincount`` over positions found once,
    written into one CSR pattern, where scipy's sparse product multiplies
    every pair of a row's stored values and finds the output's pattern anew
    at each call (1e6 comparisons of 1,000 items with three features: 20 ms
    a call against 217).

    Parameters
    ----------
    D : sparse matrix of shape (n, p)
    incidence : tuple
        :func:`item_incidence` of ``D``.
    """

    def __init__(self, D, incidence):
        D = sp.csr_array(D)
        D.sum_duplicates()
        n, p = D.shape
        id_columns, a, b = incidence
        k = len(id_columns)
        is_id = np.zeros(p, dtype=bool)
        is_id[id_columns] = True
        features = np.flatnonzero(~is_id)
        m = len(features)
        self.shape, self._k, self._m = (p, p), k, m
        # Rows against themselves have no ids' part; a side equal to k is the
        # dropped category, which has no column.
        edge = a != b
        self._edges = None if edge.all() else np.flatnonzero(edge)
        if self._edges is not None:
            a, b = a[edge], b[edge]
        self._a, self._b = a, b
        both = (a < k) & (b < k)
        self._both = None if both.all() else np.flatnonzero(both)
        lo, hi = (a, b) if self._both is None else (a[both], b[both])
        pair_keys = np.multiply(np.minimum(lo, hi), k, dtype=np.intp)
        pair_keys += np.maximum(lo, hi)
        self._pair_slot, pairs = key_slots(pair_keys, k * k)
        self._n_pairs = len(pairs)
        pair_lo, pair_hi = quotient_and_remainder(pairs, k)

        # The side items of each row (k: none), for the ids-by-features block.
        side_a, side_b = np.full(n, k), np.full(n, k)
        with_ids = slice(None) if self._edges is None else self._edges
        side_a[with_ids], side_b[with_ids] = a, b
        F = D[:, features]
        if F.nnz * 2 >= n * m:
            # Dense features (a flag, a rating gap): one row per feature, each
            # summed by item with bincount; every cell of the block is kept.
            self._F = np.ascontiguousarray(F.T.toarray())
            self._side_a, self._side_b = side_a, side_b
            border_item, border_feature = np.divmod(np.arange(k * m), max(m, 1))
        else:
            self._F = F
            f_rows = np.repeat(np.arange(n), np.diff(F.indptr))
            self._f_rows = f_rows
            f_a, f_b = side_a[f_rows], side_b[f_rows]
            on_a, on_b = f_a < k, f_b < k
            keys = np.concatenate(
                [f_a[on_a] * m + F.indices[on_a], f_b[on_b] * m + F.indices[on_b]]
            )
            slots, cells = key_slots(keys, k * m)
            n_on_a = int(on_a.sum())
            self._slot_a, self._slot_b = slots[:n_on_a], slots[n_on_a:]
            self._on_a = None if on_a.all() else np.flatnonzero(on_a)
            self._on_b = None if on_b.all() else np.flatnonzero(on_b)
            border_item, border_feature = np.divmod(cells, max(m, 1))
        self._n_border = len(border_item)

        ids, feats = id_columns, features
        grid_rows, grid_cols = np.meshgrid(feats, feats, indexing="ij")
        rows = np.concatenate(
            [
                ids,
                ids[pair_lo],
                ids[pair_hi],
                ids[border_item],
                feats[border_feature],
                grid_rows.ravel(),
            ]
        )
        cols = np.concatenate(
            [
                ids,
                ids[pair_hi],
                ids[pair_lo],
                feats[border_feature],
                ids[border_item],
                grid_cols.ravel(),
            ]
        )
        cells = np.multiply(rows, p, dtype=np.intp)
        cells += cols
        self._order = np.argsort(cells)  # distinct: CSR order
        self._indices = cols[self._order].astype(np.int32)
        self._indptr = np.concatenate(
            [[0], np.cumsum(np.bincount(rows, minlength=p))]
        ).astype(np.int32)

    def __call__(self, h):
        """The Gram matrix for row weights ``h``, as a CSR array."""
        k = self._k
        h_edges = h if self._edges is None else h[self._edges]
        degree = _sums(self._a, h_edges, k + 1)[:k]
        degree += _sums(self._b, h_edges, k + 1)[:k]
        h_pairs = h_edges if self._both is None else h_edges[self._both]
        pair = -_sums(self._pair_slot, h_pairs, self._n_pairs)
        border, block = self._feature_blocks(h)
        values = np.concatenate([degree, pair, pair, border, border, block.ravel()])
        # The pattern is copied: the caller owns the array, and scipy edits
        # a pattern in place (eliminate_zeros, sort_indices).
        gram = sp.csr_array(
            (values[self._order], self._indices.copy(), self._indptr.copy()),
            shape=self.shape,
        )
        if not values.all():  # as scipy's product: no stored zeros
            gram.eliminate_zeros()
        return gram

    def _feature_blocks(self, h):
        """The ids-by-features block's stored values and the features' block."""
        k, F = self._k, self._F
        if not sp.issparse(F):
            weighted = F * h  # one row per feature
            border = np.empty((k, self._m))
            for j, row in enumerate(weighted):
                border[:, j] = _sums(self._side_a, row, k + 1)[:k]
                border[:, j] -= _sums(self._side_b, row, k + 1)[:k]
            return border.ravel(), F @ weighted.T
        weighted = F.data * h[self._f_rows]
        on_a = weighted if self._on_a is None else weighted[self._on_a]
        on_b = weighted if self._on_b is None else weighted[self._on_b]
        border = _sums(self._slot_a, on_a, self._n_border)
        border -= _sums(self._slot_b, on_b, self._n_border)
        scaled = sp.csr_array((weighted, F.indices, F.indptr), shape=F.shape)
        return border, (F.T @ scaled).toarray()
