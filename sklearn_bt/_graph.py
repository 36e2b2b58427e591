"""The comparison graph, and whether the Bradley-Terry MLE of item strengths exists.

Each comparison with a positive weight draws an edge from the loser to the winner;
a tie (a draw) draws one in each direction.  Zermelo (1929) and Ford (1957) showed
that the unpenalised maximum-likelihood strengths exist, and are unique up to a
constant, exactly when this directed graph is strongly connected: for every split
of the items into two groups, some item of each group beat some item of the other.
An item that never lost would otherwise have an infinite strength, and one that
never won an infinitely negative one.

The graph work is done by :func:`scipy.sparse.csgraph.connected_components` on a
sparse adjacency matrix, built by sorting the edges: it costs a sort of the
comparisons and O(n_comparisons + n_items) besides.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

from ._exceptions import user_stacklevel
from ._ids import (
    as_id_array,
    csr_pattern,
    distinct_keys,
    factorise_ids,
    pair_keys,
    positions_in,
)
from ._loss import A_WON, B_WON, TIE
from ._words import plural

__all__ = ["ComparisonGraph", "comparison_graph", "restrict_to_largest_component"]

# How many item labels a message spells out before it says "and N more".
_MAX_NAMED = 5


# ---------------------------------------------------------------------------
# Integer-code core, shared with the estimator.
# ---------------------------------------------------------------------------


def _adjacency(losers, winners, n_items, both_ways):
    """Sparse loser -> winner adjacency; rows in ``both_ways`` also get winner -> loser.

    Only the structure matters to the component search.  ``both_ways=None``
    means none.
    """
    rows, cols = losers, winners
    if both_ways is not None and both_ways.any():
        rows = np.concatenate([losers, winners[both_ways]])
        cols = np.concatenate([winners, losers[both_ways]])
    return _edge_matrix(rows, cols, n_items)


def _edge_matrix(rows, cols, n_items):
    """CSR matrix of float64 ones at every ``(row, col)``, repeated edges merged.

    Built from the sorted edge keys ``row * n_items + col``: numpy's
    vectorised sort of integers beats scipy's conversion from COO, which sorts
    each row's columns apart (1e6 edges among 1e4 items: 12 ms against 30).
    Repeats must be merged, not kept: scipy's strong-component search (1.17)
    never returns on a CSR matrix with a repeated entry.  The values are
    float64 because scipy's graph routines work in float64 (other dtypes are
    copied).
    """
    return _edge_matrix_of_keys(pair_keys(rows, cols, n_items), n_items)


def _edge_matrix_of_keys(keys, n_items):
    """:func:`_edge_matrix` of the keys ``row * n_items + col`` (may sort them in
    place)."""
    indptr, cols = csr_pattern(distinct_keys(keys, n_items * n_items), n_items)
    matrix = csr_matrix((np.ones(len(cols)), cols, indptr), shape=(n_items, n_items))
    matrix.has_canonical_format = True  # sorted by (row, col), no repeats
    return matrix


def _canonical_labels(labels, n_components):
    """Renumber components by decreasing size, ties broken by their smallest item.

    scipy numbers components in an order that depends on its traversal; renumbering
    makes label 0 the largest component and every label reproducible.
    """
    sizes = np.bincount(labels, minlength=n_components)
    # labels take every value 0..n_components-1, so each has a first item.
    _, first_item = np.unique(labels, return_index=True)
    order = np.lexsort((first_item, -sizes))
    new_label = np.empty(n_components, dtype=np.intp)
    new_label[order] = np.arange(n_components)
    return new_label[labels]


def _strong_components(
    codes_a, codes_b, n_items, weights=None, *, a_won=None, ties=None
):
    """Strongly connected components of the comparison graph, on integer item codes.

    Parameters
    ----------
    codes_a, codes_b : ndarray of int of shape (n_rows,)
        Item index, in ``range(n_items)``, of the two sides of each comparison.
        By default item A won.
    n_items : int
        Number of items; items that appear in no row form components of their own.
    weights : ndarray of shape (n_rows,), default=None
        Rows with a weight of zero (or less) draw no edge.  None means all ones.
    a_won : ndarray of bool of shape (n_rows,), default=None
        Whether A won each comparison; False reverses the row.  None means all True.
    ties : ndarray of bool of shape (n_rows,), default=None
        Rows that were draws: they draw an edge in both directions, and ``a_won``
        does not matter for them.

    Returns
    -------
    n_components : int
        Number of strongly connected components; 1 means the MLE exists.
    labels : ndarray of int of shape (n_items,)
        Component of each item.  Components are numbered by decreasing size, ties
        broken by their smallest item code, so the largest is component 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt._graph import _strong_components
    >>> a, b = np.array([0, 1, 2]), np.array([1, 2, 0])
    >>> _strong_components(a, b, 3)
    (1, array([0, 0, 0]))
    >>> _strong_components(a, b, 3, np.array([1.0, 1.0, 0.0]))
    (3, array([0, 1, 2]))
    """
    codes_a = np.asarray(codes_a, dtype=np.intp)
    codes_b = np.asarray(codes_b, dtype=np.intp)
    winners, losers = codes_a, codes_b
    if a_won is not None:
        a_won = np.asarray(a_won, dtype=bool)
        winners = np.where(a_won, codes_a, codes_b)
        losers = np.where(a_won, codes_b, codes_a)
    both_ways = None if ties is None else np.asarray(ties, dtype=bool)
    if weights is not None:
        keep = np.asarray(weights) > 0
        winners, losers = winners[keep], losers[keep]
        both_ways = None if both_ways is None else both_ways[keep]
    adjacency = _adjacency(losers, winners, n_items, both_ways)
    n_components, labels = connected_components(
        adjacency, directed=True, connection="strong"
    )
    return n_components, _canonical_labels(labels, n_components)


def pair_count_components(a, b, counts, n_items):
    """Strong components of aggregated pairs with ``[B won, tie, A won]`` counts.

    Each pair draws an edge to every side that won or tied it at least once;
    an item against itself draws none.  Returns ``(n_components, labels,
    used)``: the labels as :func:`_strong_components` numbers them (the
    largest component is 0), and which items are in some edge.

    The edges' keys are made from the pairs in two passes, one a direction,
    and each edge's ends are not gathered apart (1e6 pairs among 1e4 items:
    85-113 -> 59-76 ms; most of it is now the sort and the selection of
    the edges).
    """
    informative = a != b
    ties = counts[:, TIE]
    beats_b = informative & (counts[:, A_WON] + ties > 0)
    beats_a = informative & (counts[:, B_WON] + ties > 0)
    # Edges loser -> winner: B -> A where A won or tied, A -> B where B did.
    b_to_a, a_to_b = pair_keys(b, a, n_items), pair_keys(a, b, n_items)
    adjacency = _edge_matrix_of_keys(
        np.concatenate([b_to_a[beats_b], a_to_b[beats_a]]), n_items
    )
    n_components, labels = connected_components(
        adjacency, directed=True, connection="strong"
    )
    # An item is in some edge if it has an edge out (a row) or in (a column).
    used = np.diff(adjacency.indptr) > 0
    used |= np.bincount(adjacency.indices, minlength=n_items) > 0
    return n_components, _canonical_labels(labels, n_components), used


def longest_path_depths(n_nodes, sources, targets, lengths):
    """Depth of every node of a directed acyclic graph: its longest path from a source.

    ``depth[t] = max(0, max(depth[s] + length))`` over the edges ``s -> t``.
    Kahn's topological sweep, one layer of ready nodes at a time: each edge is
    relaxed once, when its source's depth is final, so the work is linear in
    the edges plus a few numpy calls per layer.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt._graph import longest_path_depths
    >>> longest_path_depths(4, np.array([0, 1, 0]), np.array([1, 2, 2]),
    ...                     np.array([1.0, 1.0, 5.0]))
    array([0., 1., 5., 0.])
    """
    order = np.argsort(sources, kind="stable")
    targets, lengths = targets[order], lengths[order]
    indptr = np.zeros(n_nodes + 1, dtype=np.intp)
    np.cumsum(np.bincount(sources, minlength=n_nodes), out=indptr[1:])
    waiting = np.bincount(targets, minlength=n_nodes)  # unrelaxed in-edges
    depth = np.zeros(n_nodes)
    ready = np.flatnonzero(waiting == 0)
    while ready.size:
        starts, stops = indptr[ready], indptr[ready + 1]
        out_degree = stops - starts
        # The out-edges of every ready node, as positions in the sorted edges.
        edges = np.repeat(starts - np.cumsum(out_degree) + out_degree, out_degree)
        edges += np.arange(len(edges))
        heads = targets[edges]
        np.maximum.at(
            depth, heads, np.repeat(depth[ready], out_degree) + lengths[edges]
        )
        np.subtract.at(waiting, heads, 1)
        heads = np.unique(heads)
        ready = heads[waiting[heads] == 0]
    if waiting.any():
        raise ValueError("The graph has a cycle: its nodes have no depth.")
    return depth


# ---------------------------------------------------------------------------
# Validation and label encoding.
# ---------------------------------------------------------------------------


def _is_missing(values):
    """Boolean mask of missing labels (None, NaN, pandas.NA, NaT)."""
    if values.dtype.kind in "fc":
        return np.isnan(values)
    if values.dtype.kind in "mM":
        return np.isnat(values)
    if values.dtype.kind != "O":
        return np.zeros(values.shape[0], dtype=bool)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is an optional dependency
        return np.fromiter(
            (v is None or (isinstance(v, float) and v != v) for v in values),
            dtype=bool,
            count=values.shape[0],
        )
    return np.asarray(pd.isna(values), dtype=bool)


def _as_labels(values, name):
    """1-D ndarray of item labels, or a ValueError naming ``name``."""
    values = as_id_array(values)
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one item label per comparison); "
            f"got an array of shape {values.shape}."
        )
    missing = _is_missing(values)
    if missing.any():
        raise ValueError(
            f"{name} has {missing.sum()} missing label(s), first at row "
            f"{np.flatnonzero(missing)[0]}; drop those comparisons first."
        )
    return values


def _label_family(dtype):
    """Coarse kind of a label dtype, to refuse silently mixing ints with strings."""
    if dtype.kind in "biuf":
        return "number"
    if dtype.kind in "USO":
        return "string or object"
    return dtype.kind


def _as_mask(values, n_rows, name):
    """Optional boolean mask of length ``n_rows`` (0/1 numbers are accepted)."""
    if values is None:
        return np.zeros(n_rows, dtype=bool)
    values = np.asarray(values)
    if values.shape != (n_rows,):
        raise ValueError(
            f"{name} must be a boolean mask of shape ({n_rows},), one entry per "
            f"comparison; got shape {values.shape}."
        )
    if values.dtype != bool:
        if values.dtype.kind not in "iuf" or not np.isin(values, (0, 1)).all():
            raise ValueError(f"{name} must hold only True/False (or 1/0) values.")
        values = values.astype(bool)
    return values


def _as_weights(sample_weight, n_rows):
    """Float frequency weights of shape (n_rows,); None means all ones.

    All-zero and empty weights are allowed here (they give a graph with no edge),
    unlike in sklearn's ``_check_sample_weight``.
    """
    if sample_weight is None:
        return np.ones(n_rows)
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError("sample_weight must hold numbers.") from exc
    if weights.shape != (n_rows,):
        raise ValueError(
            f"sample_weight must have shape ({n_rows},), one weight per "
            f"comparison; got shape {weights.shape}."
        )
    if not np.isfinite(weights).all():
        raise ValueError("sample_weight has NaN or infinite values.")
    if (weights < 0).any():
        raise ValueError(
            "sample_weight has negative values; weights are counts and must be >= 0."
        )
    return weights


def _validate_pairs(winners, losers, ties=None, sample_weight=None):
    """Check winner/loser data; return labels, tie mask and float weights."""
    winners = _as_labels(winners, "winners")
    losers = _as_labels(losers, "losers")
    if winners.shape != losers.shape:
        raise ValueError(
            f"winners and losers must have the same length; got {winners.shape[0]} "
            f"and {losers.shape[0]}."
        )
    if _label_family(winners.dtype) != _label_family(losers.dtype):
        raise ValueError(
            f"winners ({winners.dtype}) and losers ({losers.dtype}) hold labels of "
            "different kinds; convert both to the same type so that equal items "
            "get equal labels."
        )
    ties = _as_mask(ties, winners.shape[0], "ties")
    weights = _as_weights(sample_weight, winners.shape[0])
    same = winners == losers
    if same.any():
        first = np.flatnonzero(same)[0]
        raise ValueError(
            f"winners and losers are equal in {same.sum()} row(s), first at row "
            f"{first} (item {winners.tolist()[first]!r}); an item cannot be "
            "compared with itself: drop those rows."
        )
    return winners, losers, ties, weights


def _encode(labels, items=None):
    """Item labels and the integer code of each label.

    Without ``items`` the labels are the sorted unique values.  ``np.unique`` sorts;
    for millions of string labels ``pandas.factorize`` is faster, and encoding once
    with it and passing the integer codes gives the same graph.
    """
    if items is None:
        factorised = factorise_ids(labels)  # linear time: counting or hashing
        if factorised is not None:
            codes, uniques = factorised
            return uniques, codes
        try:
            return np.unique(labels, return_inverse=True)
        except TypeError as exc:
            raise ValueError(
                "item labels of mixed types cannot be sorted; convert them to one "
                "type first, for example with .astype(str)."
            ) from exc
    items = np.array(items)  # a copy: the result must not alias the caller's array
    if items.ndim != 1:
        raise ValueError(f"items must be 1-D; got an array of shape {items.shape}.")
    if len(set(items.tolist())) != items.shape[0]:
        raise ValueError("items must be unique; it has repeated labels.")
    if items.shape[0] == 0:
        unknown = np.ones(labels.shape[0], dtype=bool)
        codes = np.zeros(labels.shape[0], dtype=np.intp)
    else:
        codes = positions_in(labels, items)
        unknown = codes < 0
    if unknown.any():
        names = _format_labels(np.unique(labels[unknown]))
        raise ValueError(
            f"labels not in items: {names}; add them to items or drop those rows."
        )
    return items, codes


def _format_labels(labels, limit=_MAX_NAMED):
    """'a, b, c' or 'a, b, c, d, e and 7 more'."""
    labels = [str(label) for label in np.asarray(labels).tolist()]
    if len(labels) <= limit:
        return ", ".join(labels)
    return f"{', '.join(labels[:limit])} and {len(labels) - limit} more"


# ---------------------------------------------------------------------------
# Public API.
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class ComparisonGraph:
    """Connectivity summary of winner/loser data, returned by :func:`comparison_graph`.

    Attributes
    ----------
    items : ndarray of shape (n_items,)
        Item labels; the per-item arrays below follow this order.
    n_items : int
        Number of items.
    n_comparisons : float
        Total weight of the comparisons (their number when unweighted).
    is_connected : bool
        Whether the graph is weakly connected: every item is linked to every other
        by a chain of comparisons, whatever their outcomes.
    n_weak_components : int
        Number of groups of items never compared with each other.
    is_strongly_connected : bool
        Whether every item can reach every other along loser -> winner edges.
    n_components : int
        Number of strongly connected components.
    component_labels : ndarray of int of shape (n_items,)
        Strongly connected component of each item, numbered by decreasing size
        (ties broken by the first item in ``items``): component 0 is the largest.
    largest_component : ndarray
        Labels of the items in component 0.
    never_lost : ndarray
        Items that won but never lost nor drew.
    never_won : ndarray
        Items that lost but never won nor drew.
    isolated : ndarray
        Items in no comparison of positive weight.
    wins, losses, ties, comparisons : ndarray of float of shape (n_items,)
        Weighted decisive wins, decisive losses, draws, and their sum, per item.
    """

    items: np.ndarray
    n_comparisons: float
    is_connected: bool
    n_weak_components: int
    n_components: int
    component_labels: np.ndarray
    wins: np.ndarray
    losses: np.ndarray
    ties: np.ndarray
    # Groups of more than one item that never lost to an item outside the group:
    # named by the message when no single item explains the disconnection.
    _unbeaten_groups: tuple = field(default=())
    # Per item, where its maximum-likelihood strength lies against the largest
    # component's: +inf above it, -inf below, 0 in it, NaN neither (None when
    # strongly connected).
    _limit_against_largest: np.ndarray | None = field(default=None)

    @property
    def n_items(self):
        """Number of items."""
        return self.items.shape[0]

    @property
    def comparisons(self):
        """Weighted number of comparisons of each item."""
        return self.wins + self.losses + self.ties

    @property
    def is_strongly_connected(self):
        """Whether the loser -> winner graph is strongly connected."""
        return self.n_components == 1

    @property
    def mle_exists(self):
        """Whether the unpenalised maximum-likelihood strengths are finite and unique.

        True exactly when the graph is strongly connected (Zermelo, Ford).
        """
        return self.is_strongly_connected

    @property
    def largest_component(self):
        """Labels of the items in the largest strongly connected component."""
        return self.items[self.component_labels == 0]

    @property
    def never_lost(self):
        """Items that won at least once and never lost nor drew."""
        return self.items[(self.wins > 0) & (self.losses == 0) & (self.ties == 0)]

    @property
    def never_won(self):
        """Items that lost at least once and never won nor drew."""
        return self.items[(self.losses > 0) & (self.wins == 0) & (self.ties == 0)]

    @property
    def isolated(self):
        """Items that took part in no comparison of positive weight."""
        return self.items[self.comparisons == 0]

    def message(self):
        """A sentence saying whether the MLE exists and, if not, why and what to do.

        Returns
        -------
        message : str
        """
        if self.mle_exists:
            return (
                f"The comparison graph of {plural(self.n_items, 'item')} is "
                "strongly connected: the maximum-likelihood strengths exist."
            )
        largest = int(np.sum(self.component_labels == 0))
        parts = [
            "The maximum-likelihood strengths do not exist: the comparison graph of "
            f"{plural(self.n_items, 'item')} is not strongly connected "
            f"({self.n_components:,} strongly connected components; the largest "
            f"has {plural(largest, 'item')})."
        ]
        if not self.is_connected:
            parts.append(
                f"The items fall into {self.n_weak_components} groups that were never "
                "compared with each other, so their strengths cannot be put on one "
                "scale."
            )
        for labels, what in [
            (self.never_lost, "never lost, so {} would be +infinity"),
            (self.never_won, "never won, so {} would be -infinity"),
            (self.isolated, "took part in no comparison, so nothing fixes {}"),
        ]:
            if labels.shape[0]:
                one = labels.shape[0] == 1
                whose = "its strength" if one else "their strengths"
                if "fixes" in what:
                    whose = "it" if one else "them"
                parts.append(
                    f"{plural(labels.shape[0], 'item')} {what.format(whose)}: "
                    f"{_format_labels(labels)}."
                )
        if self._unbeaten_groups:
            groups = "; ".join(
                f"{{{_format_labels(g)}}}" for g in self._unbeaten_groups[:3]
            )
            parts.append(
                f"{plural(len(self._unbeaten_groups), 'group')} of items never lost "
                "to an "
                f"item outside the group: {groups}."
            )
        parts.append(
            "Either set alpha > 0 (a Gaussian prior always gives finite strengths), "
            "or keep only the largest strongly connected component with "
            "restrict_to_largest_component(winners, losers)."
        )
        return " ".join(parts)

    def __repr__(self):
        return (
            f"ComparisonGraph(n_items={self.n_items}, "
            f"n_comparisons={self.n_comparisons:g}, "
            f"is_strongly_connected={self.is_strongly_connected}, "
            f"n_components={self.n_components}, "
            f"largest_component={int(np.sum(self.component_labels == 0))} items, "
            f"never_lost={self.never_lost.shape[0]}, "
            f"never_won={self.never_won.shape[0]}, "
            f"isolated={self.isolated.shape[0]})"
        )


def _unbeaten_groups(items, labels, n_components, losers, winners, both_ways):
    """Groups (components of 2+ items) that beat outsiders but never lost to one.

    ``losers``, ``winners`` and ``both_ways`` describe the positive-weight edges in
    integer codes.  A draw across two components counts as a loss for both.
    """
    if n_components == 1:
        return ()
    cross = labels[losers] != labels[winners]
    lost_outside = np.zeros(n_components, dtype=bool)
    lost_outside[labels[losers[cross]]] = True
    lost_outside[labels[winners[cross & both_ways]]] = True
    won_outside = np.zeros(n_components, dtype=bool)
    won_outside[labels[winners[cross]]] = True
    sizes = np.bincount(labels, minlength=n_components)
    # A group with no comparison across its border is reported as never compared
    # with the rest; this names only the groups that beat outsiders and never lost.
    top = ~lost_outside & won_outside & (sizes > 1)
    return tuple(items[labels == c] for c in np.flatnonzero(top))


def comparison_graph(winners, losers, *, ties=None, sample_weight=None, items=None):
    """Connectivity of winner/loser data, and whether the Bradley-Terry MLE exists.

    Each comparison of positive weight draws an edge from the loser to the winner
    (both ways for a draw).  The unpenalised maximum-likelihood strengths exist
    exactly when this graph is strongly connected (Zermelo 1929, Ford 1957).

    Parameters
    ----------
    winners, losers : array-like of shape (n_comparisons,)
        Labels (any hashable, sortable values: ints, strings, ...) of the winner
        and the loser of each comparison.  For a draw, the order does not matter.
    ties : array-like of bool of shape (n_comparisons,), default=None
        True where the comparison was a draw; it then counts in both directions.
    sample_weight : array-like of shape (n_comparisons,), default=None
        Non-negative count of each comparison.  Rows of weight zero draw no edge
        (their items are still listed, as isolated if they appear nowhere else).
    items : array-like of shape (n_items,), default=None
        All item labels, in the order of the per-item outputs; it may hold items
        never compared.  Default: the sorted unique labels of winners and losers.

    Returns
    -------
    graph : ComparisonGraph
        See :class:`ComparisonGraph` for its attributes; ``graph.mle_exists`` and
        ``graph.message()`` are the quick answers.

    See Also
    --------
    restrict_to_largest_component : Keep the comparisons inside the largest
        strongly connected component.

    Notes
    -----
    Labels are encoded with ``np.unique(..., return_inverse=True)``.  For millions
    of string labels ``pandas.factorize`` is faster: encode once with it and pass
    the integer codes (and ``items=np.arange(n_items)``).

    References
    ----------
    E. Zermelo, "Die Berechnung der Turnier-Ergebnisse als ein Maximumproblem der
    Wahrscheinlichkeitsrechnung", Math. Z. 29 (1929).
    L. R. Ford, "Solution of a ranking problem from binary comparisons",
    Amer. Math. Monthly 64 (1957).

    Examples
    --------
    >>> from sklearn_bt._graph import comparison_graph
    >>> graph = comparison_graph(["a", "b", "c"], ["b", "c", "a"])
    >>> graph.mle_exists
    True
    >>> graph = comparison_graph(["a", "b"], ["b", "c"])
    >>> graph.n_components, graph.never_lost, graph.never_won
    (3, array(['a'], dtype='<U1'), array(['c'], dtype='<U1'))
    >>> comparison_graph(["a", "b"], ["b", "c"], ties=[False, True]).n_components
    2
    """
    winners, losers, ties, weights = _validate_pairs(
        winners, losers, ties, sample_weight
    )
    n_rows = winners.shape[0]
    items, codes = _encode(np.concatenate([winners, losers]), items)
    if items.shape[0] == 0:
        raise ValueError("no items: winners and losers are empty and items is empty.")
    n_items = items.shape[0]
    win_codes, loss_codes = codes[:n_rows], codes[n_rows:]

    keep = weights > 0
    win_codes, loss_codes = win_codes[keep], loss_codes[keep]
    ties, weights = ties[keep], weights[keep]

    decisive = ~ties
    wins = np.bincount(win_codes[decisive], weights[decisive], minlength=n_items)
    losses = np.bincount(loss_codes[decisive], weights[decisive], minlength=n_items)
    draws = np.bincount(win_codes[ties], weights[ties], minlength=n_items)
    draws += np.bincount(loss_codes[ties], weights[ties], minlength=n_items)

    adjacency = _adjacency(loss_codes, win_codes, n_items, ties)
    n_weak, _ = connected_components(adjacency, directed=True, connection="weak")
    n_strong, labels = connected_components(
        adjacency, directed=True, connection="strong"
    )
    labels = _canonical_labels(labels, n_strong)
    return ComparisonGraph(
        items=items,
        n_comparisons=float(weights.sum()),
        is_connected=bool(n_weak == 1),
        n_weak_components=int(n_weak),
        n_components=int(n_strong),
        component_labels=labels,
        wins=wins,
        losses=losses,
        ties=draws,
        _unbeaten_groups=_unbeaten_groups(
            items, labels, n_strong, loss_codes, win_codes, ties
        ),
        _limit_against_largest=(
            None if n_strong == 1 else _limit_against_largest(adjacency, labels)
        ),
    )


def _limit_against_largest(adjacency, labels):
    """+inf for the items above the largest component, -inf below, 0 in it, NaN
    for the others.

    Edges run from loser to winner: an item reachable from the largest
    component beat (a chain of items that beat) it, and its strength goes to
    +inf against it as the likelihood grows; one that reaches it, -inf.  An
    item that neither reaches it nor is reached has no limit against it.
    """
    start = int(np.flatnonzero(labels == 0)[0])
    above = breadth_first_order(adjacency, start, directed=True)[0]
    below = breadth_first_order(adjacency.T.tocsr(), start, directed=True)[0]
    limit = np.full(labels.shape[0], np.nan)
    limit[above] = np.inf
    limit[below] = -np.inf
    limit[labels == 0] = 0.0
    return limit


def restrict_to_largest_component(winners, losers, *, ties=None, sample_weight=None):
    """Row mask of the comparisons inside the largest strongly connected component.

    Parameters
    ----------
    winners, losers : array-like of shape (n_comparisons,)
        Labels of the winner and the loser of each comparison.
    ties : array-like of bool of shape (n_comparisons,), default=None
        True where the comparison was a draw (an edge in both directions).
    sample_weight : array-like of shape (n_comparisons,), default=None
        Non-negative count of each comparison; rows of weight zero draw no edge.

    Returns
    -------
    mask : ndarray of bool of shape (n_comparisons,)
        True for the comparisons whose two items are both in the largest strongly
        connected component (ties between components of equal size are broken as
        in :func:`comparison_graph`).

    Notes
    -----
    One pass is enough: the rows kept include every edge between two items of the
    component, and a path between two items of a strongly connected component never
    leaves it (each item on the path reaches, and is reached by, both ends).  So the
    kept comparisons form a strongly connected graph on exactly those items, and
    the unpenalised MLE exists on them.

    Examples
    --------
    >>> from sklearn_bt._graph import restrict_to_largest_component
    >>> winners = ["a", "b", "c", "c"]
    >>> losers = ["b", "c", "a", "d"]
    >>> restrict_to_largest_component(winners, losers)
    array([ True,  True,  True, False])
    """
    winners, losers, ties, weights = _validate_pairs(
        winners, losers, ties, sample_weight
    )
    n_rows = winners.shape[0]
    if n_rows == 0:
        raise ValueError("no comparisons: winners and losers are empty.")
    items, codes = _encode(np.concatenate([winners, losers]))
    _, labels = _strong_components(
        codes[:n_rows], codes[n_rows:], items.shape[0], weights, ties=ties
    )
    _warn_if_several_largest(labels, items)
    return (labels[codes[:n_rows]] == 0) & (labels[codes[n_rows:]] == 0)


def _warn_if_several_largest(labels, items):
    """Say so when the largest strongly connected component is not unique."""
    sizes = np.bincount(labels)
    n_largest = int(np.sum(sizes == sizes[0]))
    if n_largest < 2 or sizes[0] < 2:  # single items: nothing is kept anyway
        return
    warnings.warn(
        f"{n_largest} strongly connected components share the largest size "
        f"({plural(sizes[0], 'item')} each); the one kept holds "
        f"{_format_labels(items[labels == 0])}, the first by its smallest label. "
        "Their ratings cannot be put on one scale: rate each component on its "
        "own, or set alpha > 0 and keep them all.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
