"""Tests of the comparison graph: strong connectivity, never-lost/never-won items.

The reference is a brute-force transitive closure (repeated boolean matrix
products), which shares no code with scipy's component search.
"""

import warnings

import numpy as np
import pytest

from sklearn_bt._graph import (
    ComparisonGraph,
    _edge_matrix,
    _strong_components,
    comparison_graph,
    longest_path_depths,
    pair_count_components,
    restrict_to_largest_component,
)
from sklearn_bt._words import plural

# ---------------------------------------------------------------------------
# Independent reference
# ---------------------------------------------------------------------------


def _closure(adjacency):
    """Reflexive-transitive closure of a boolean adjacency matrix."""
    reach = adjacency | np.eye(adjacency.shape[0], dtype=bool)
    while True:
        # float32 products are exact here: entries are path counts <= K, then clamped.
        step = (reach.astype(np.float32) @ reach.astype(np.float32)) > 0
        if np.array_equal(step, reach):
            return reach
        reach = step


def _reference(winners, losers, ties, weights, n_items):
    """Mutual reachability, weak connectivity and per-item counts, by brute force."""
    adjacency = np.zeros((n_items, n_items), dtype=bool)
    wins, losses, draws = np.zeros(n_items), np.zeros(n_items), np.zeros(n_items)
    for w, lo, tie, weight in zip(winners, losers, ties, weights, strict=True):
        if weight <= 0:
            continue
        adjacency[lo, w] = True
        if tie:
            adjacency[w, lo] = True
            draws[w] += weight
            draws[lo] += weight
        else:
            wins[w] += weight
            losses[lo] += weight
    reach = _closure(adjacency)
    mutual = reach & reach.T
    weakly = _closure(adjacency | adjacency.T)
    return mutual, bool(weakly.all()), wins, losses, draws


def _same_partition(labels, mutual):
    return np.array_equal(labels[:, None] == labels[None, :], mutual)


def _random_comparisons(rng, n_items, n_rows):
    winners = rng.integers(0, n_items, n_rows)
    # A shift in 1..K-1 keeps the loser different from the winner.
    losers = (winners + rng.integers(1, max(n_items, 2), n_rows)) % n_items
    ties = rng.random(n_rows) < 0.15
    weights = rng.choice([0.0, 0.5, 1.0, 3.0], size=n_rows, p=[0.2, 0.2, 0.4, 0.2])
    return winners, losers, ties, weights


# ---------------------------------------------------------------------------
# Small synthetic graphs
# ---------------------------------------------------------------------------


def test_three_cycle_is_strongly_connected():
    graph = comparison_graph(["a", "b", "c"], ["b", "c", "a"])
    assert graph.is_strongly_connected and graph.is_connected and graph.mle_exists
    assert graph.n_components == 1
    assert graph.n_items == 3 and graph.n_comparisons == 3.0
    assert list(graph.largest_component) == ["a", "b", "c"]
    assert graph.never_lost.size == graph.never_won.size == graph.isolated.size == 0
    assert "exist" in graph.message() and "not" not in graph.message()


def test_chain_is_not_strongly_connected():
    graph = comparison_graph(["a", "b"], ["b", "c"])
    assert graph.is_connected and not graph.is_strongly_connected
    assert not graph.mle_exists
    assert graph.n_components == 3
    assert list(graph.never_lost) == ["a"]
    assert list(graph.never_won) == ["c"]
    # b won once and lost once: it is neither, though it is a component of its own.
    np.testing.assert_array_equal(graph.wins, [1, 1, 0])
    np.testing.assert_array_equal(graph.losses, [0, 1, 1])
    np.testing.assert_array_equal(graph.comparisons, [1, 2, 1])
    # All components have one item: the tie goes to the first item.
    assert list(graph.largest_component) == ["a"]
    message = graph.message()
    assert "do not exist" in message and "never lost" in message
    assert "alpha > 0" in message and "restrict_to_largest_component" in message


def test_tie_connects_both_ways():
    winners, losers = ["a", "b", "b"], ["b", "a", "c"]
    assert not comparison_graph(winners, losers).is_strongly_connected
    graph = comparison_graph(winners, losers, ties=[False, False, True])
    assert graph.is_strongly_connected
    np.testing.assert_array_equal(graph.ties, [0, 1, 1])
    np.testing.assert_array_equal(graph.wins, [1, 1, 0])
    # c only drew: it neither never-won nor never-lost.
    assert graph.never_lost.size == graph.never_won.size == 0
    # A single tie between two items is already strongly connected.
    assert comparison_graph([1], [2], ties=[True]).mle_exists
    # 0/1 integers are accepted as a tie mask.
    assert comparison_graph(winners, losers, ties=[0, 0, 1]).is_strongly_connected


def test_two_disjoint_cycles():
    graph = comparison_graph([1, 2, 3, 4, 5, 6], [2, 3, 1, 5, 6, 4])
    assert graph.n_components == 2
    assert not graph.is_connected and graph.n_weak_components == 2
    assert graph.never_lost.size == graph.never_won.size == graph.isolated.size == 0
    # Equal sizes: the component holding the first item is the largest.
    np.testing.assert_array_equal(graph.component_labels, [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(graph.largest_component, [1, 2, 3])
    message = graph.message()
    assert "never compared" in message
    assert "never lost" not in message and "never won" not in message


def test_unbeaten_group_is_named():
    # Two cycles; the first beat the second once and never lost to it.
    graph = comparison_graph([1, 2, 3, 4, 5, 6, 1], [2, 3, 1, 5, 6, 4, 4])
    assert graph.is_connected and graph.n_components == 2
    assert graph.never_lost.size == graph.never_won.size == 0
    assert "1 group of items never lost to an item outside the group: {1, 2, 3}" in (
        graph.message()
    )


def test_zero_weight_drops_an_edge():
    winners, losers = ["a", "b", "c"], ["b", "c", "a"]
    graph = comparison_graph(winners, losers, sample_weight=[2.0, 1.0, 0.0])
    assert graph.n_components == 3
    assert graph.n_comparisons == 3.0
    np.testing.assert_array_equal(graph.wins, [2, 1, 0])
    assert list(graph.never_lost) == ["a"] and list(graph.never_won) == ["c"]
    # An item seen only in zero-weight rows is listed, and isolated.
    graph = comparison_graph(
        ["a", "b", "c", "d"], ["b", "c", "a", "a"], sample_weight=[1, 1, 1, 0]
    )
    assert list(graph.isolated) == ["d"] and graph.n_components == 2
    assert "took part in no comparison" in graph.message()


def test_string_and_int_labels_agree():
    ints = comparison_graph([10, 20, 30, 30], [20, 10, 20, 40])
    strings = comparison_graph(["10", "20", "30", "30"], ["20", "10", "20", "40"])
    np.testing.assert_array_equal(ints.component_labels, strings.component_labels)
    assert list(ints.never_lost) == [30] and list(strings.never_lost) == ["30"]
    assert list(ints.never_won) == [40] and list(strings.never_won) == ["40"]
    np.testing.assert_array_equal(ints.largest_component, [10, 20])


def test_pandas_and_object_labels():
    pd = pytest.importorskip("pandas")
    winners = pd.Series(["x", "y", "z"], dtype="string")
    losers = pd.Series(["y", "z", "x"], dtype="category")
    assert comparison_graph(winners, losers).mle_exists


def test_items_order_and_unseen_items():
    graph = comparison_graph(["b", "a"], ["a", "b"], items=["c", "b", "a"])
    np.testing.assert_array_equal(graph.items, ["c", "b", "a"])
    np.testing.assert_array_equal(graph.wins, [0, 1, 1])
    assert list(graph.isolated) == ["c"]
    np.testing.assert_array_equal(graph.component_labels, [1, 0, 0])


def test_component_labels_sorted_by_size():
    # Components: {0, 1} (2 items), {2, 3, 4} (3 items), {5} alone.
    graph = comparison_graph([0, 1, 2, 3, 4, 4], [1, 0, 3, 4, 2, 5])
    np.testing.assert_array_equal(graph.component_labels, [1, 1, 0, 0, 0, 2])
    np.testing.assert_array_equal(graph.largest_component, [2, 3, 4])


def test_message_truncates_long_lists():
    # A star: item 0 beat 1..20, all of which never won.
    losers = np.arange(1, 21)
    graph = comparison_graph(np.zeros(20, dtype=int), losers)
    message = graph.message()
    assert "20 items never won" in message
    assert "1, 2, 3, 4, 5 and 15 more" in message


def test_repr():
    text = repr(comparison_graph(["a", "b"], ["b", "c"]))
    assert text.startswith("ComparisonGraph(n_items=3,")
    assert "n_components=3" in text and "never_lost=1" in text
    assert isinstance(comparison_graph([1], [2]), ComparisonGraph)


def test_inputs_not_mutated():
    winners, losers = np.array([1, 2, 3]), np.array([2, 3, 1])
    weights, ties = np.array([1.0, 0.0, 2.0]), np.array([False, True, False])
    copies = [a.copy() for a in (winners, losers, weights, ties)]
    comparison_graph(winners, losers, ties=ties, sample_weight=weights)
    restrict_to_largest_component(winners, losers, ties=ties, sample_weight=weights)
    for before, after in zip(copies, (winners, losers, weights, ties), strict=True):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"winners": [1, 2], "losers": [2]}, "same length"),
        ({"winners": [1, 2], "losers": [2, 2]}, "compared with itself"),
        ({"winners": [[1, 2]], "losers": [[2, 1]]}, "must be 1-D"),
        ({"winners": [1.0, np.nan], "losers": [2.0, 1.0]}, "missing label"),
        ({"winners": ["a", None], "losers": ["b", "a"]}, "missing label"),
        ({"winners": [1, 2], "losers": ["2", "1"]}, "different kinds"),
        ({"winners": [1, 2], "losers": [2, 1], "sample_weight": [1, -1]}, "negative"),
        ({"winners": [1, 2], "losers": [2, 1], "sample_weight": [1]}, "shape"),
        ({"winners": [1], "losers": [2], "sample_weight": [np.inf]}, "infinite"),
        ({"winners": [1, 2], "losers": [2, 1], "ties": [True]}, "ties must be"),
        ({"winners": [1, 2], "losers": [2, 1], "ties": [2, 0]}, "True/False"),
        ({"winners": [1, 2], "losers": [2, 1], "items": [1]}, "not in items: 2"),
        ({"winners": [1, 2], "losers": [2, 1], "items": [1, 2, 2]}, "unique"),
        ({"winners": [], "losers": []}, "no items"),
    ],
)
def test_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        comparison_graph(**kwargs)


def test_mixed_type_object_labels_raise():
    labels = np.array([1, "a"], dtype=object)
    with pytest.raises(ValueError, match="mixed types"):
        comparison_graph(labels, labels[::-1])


# ---------------------------------------------------------------------------
# Against the brute-force reference
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(300))
def test_random_graphs_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_items = int(rng.integers(1, 9))
    n_rows = 0 if n_items == 1 else int(rng.integers(0, 3 * n_items))
    winners, losers, ties, weights = _random_comparisons(rng, n_items, n_rows)
    graph = comparison_graph(
        winners, losers, ties=ties, sample_weight=weights, items=np.arange(n_items)
    )
    mutual, weakly, wins, losses, draws = _reference(
        winners, losers, ties, weights, n_items
    )
    assert _same_partition(graph.component_labels, mutual)
    assert graph.n_components == len({row.tobytes() for row in mutual})
    assert graph.is_connected == weakly
    np.testing.assert_allclose(graph.wins, wins)
    np.testing.assert_allclose(graph.losses, losses)
    np.testing.assert_allclose(graph.ties, draws)
    np.testing.assert_array_equal(
        graph.never_lost, np.flatnonzero((wins > 0) & (losses == 0) & (draws == 0))
    )
    np.testing.assert_array_equal(
        graph.never_won, np.flatnonzero((losses > 0) & (wins == 0) & (draws == 0))
    )
    # Component 0 is a largest one, and sizes never increase with the label.
    sizes = np.bincount(graph.component_labels)
    assert np.all(np.diff(sizes) <= 0)
    assert sizes[0] == mutual.sum(axis=1).max()

    # The private helper, fed (A, B, A won) instead of (winner, loser), agrees.
    a_won = rng.random(n_rows) < 0.5
    codes_a = np.where(a_won, winners, losers)
    codes_b = np.where(a_won, losers, winners)
    n_components, labels = _strong_components(
        codes_a, codes_b, n_items, weights, a_won=a_won, ties=ties
    )
    assert n_components == graph.n_components
    np.testing.assert_array_equal(labels, graph.component_labels)


@pytest.mark.filterwarnings("ignore:.*share the largest size")
@pytest.mark.parametrize("seed", range(100))
def test_restriction_is_strongly_connected(seed):
    rng = np.random.default_rng(1000 + seed)
    n_items = int(rng.integers(2, 10))
    winners, losers, ties, weights = _random_comparisons(rng, n_items, 2 * n_items)
    mask = restrict_to_largest_component(
        winners, losers, ties=ties, sample_weight=weights
    )
    full = comparison_graph(winners, losers, ties=ties, sample_weight=weights)
    kept_items = np.union1d(winners[mask], losers[mask])
    if full.largest_component.size == 1:
        # A one-item component holds no comparison (self-comparisons are refused).
        assert not mask.any()
        return
    # One pass suffices: the kept rows are strongly connected on exactly the
    # largest component's items, and restricting again changes nothing.
    np.testing.assert_array_equal(kept_items, full.largest_component)
    sub = comparison_graph(
        winners[mask], losers[mask], ties=ties[mask], sample_weight=weights[mask]
    )
    assert sub.is_strongly_connected
    np.testing.assert_array_equal(
        np.setdiff1d(kept_items, sub.isolated), full.largest_component
    )
    again = restrict_to_largest_component(
        winners[mask], losers[mask], ties=ties[mask], sample_weight=weights[mask]
    )
    assert again.all()


def test_restriction_example():
    # Cycle a-b-c plus d, who only lost to c: d is dropped, the cycle kept.
    mask = restrict_to_largest_component(["a", "b", "c", "c"], ["b", "c", "a", "d"])
    np.testing.assert_array_equal(mask, [True, True, True, False])


# ---------------------------------------------------------------------------
# Real data: ATP tennis 2000-2024
# ---------------------------------------------------------------------------


@pytest.fixture
def atp(shared_data):
    pd = pytest.importorskip("pandas")
    return pd.read_csv(
        shared_data / "atp_matches_2000_2024.csv",
        usecols=["winner_id", "loser_id", "outcome_type"],
    )


def test_atp_full_set_matches_readme(atp):
    # The data README counts over every row, walkovers included.
    graph = comparison_graph(atp.winner_id, atp.loser_id)
    assert graph.never_lost.size == 97
    assert graph.never_won.size == 876
    assert graph.n_items == 2640


def test_atp_without_walkovers(atp):
    matches = atp[atp.outcome_type != "walkover"]
    graph = comparison_graph(matches.winner_id, matches.loser_id)

    # Independent pandas computation of who only won / only lost.
    winners, losers = set(matches.winner_id), set(matches.loser_id)
    np.testing.assert_array_equal(graph.never_lost, sorted(winners - losers))
    np.testing.assert_array_equal(graph.never_won, sorted(losers - winners))
    wins = matches.winner_id.value_counts().reindex(graph.items, fill_value=0)
    np.testing.assert_array_equal(graph.wins, wins.to_numpy())
    assert graph.n_comparisons == len(matches)

    assert not graph.mle_exists
    message = graph.message()
    assert f"{plural(graph.never_lost.size, 'item')} never lost" in message
    assert f"{plural(graph.never_won.size, 'item')} never won" in message

    mask = restrict_to_largest_component(matches.winner_id, matches.loser_id)
    sub = comparison_graph(matches.winner_id[mask], matches.loser_id[mask])
    assert sub.is_strongly_connected and sub.mle_exists
    np.testing.assert_array_equal(sub.items, graph.largest_component)


def test_atp_components_match_brute_force(atp):
    matches = atp[atp.outcome_type != "walkover"]
    graph = comparison_graph(matches.winner_id, matches.loser_id)
    codes = {item: k for k, item in enumerate(graph.items)}
    winners = matches.winner_id.map(codes).to_numpy()
    losers = matches.loser_id.map(codes).to_numpy()
    n_rows = winners.shape[0]
    mutual, weakly, *_ = _reference(
        winners, losers, np.zeros(n_rows, bool), np.ones(n_rows), graph.n_items
    )
    assert _same_partition(graph.component_labels, mutual)
    assert graph.is_connected == weakly


def test_edge_matrix_merges_repeated_edges_into_canonical_csr():
    # scipy's strong-component search never returns on a CSR matrix with a
    # repeated entry, so the adjacency must hold each edge once.
    rng = np.random.default_rng(4)
    rows, cols = rng.integers(0, 6, 80), rng.integers(0, 6, 80)
    matrix = _edge_matrix(rows, cols, 6)
    expected = np.zeros((6, 6), dtype=bool)
    expected[rows, cols] = True
    np.testing.assert_array_equal(matrix.toarray(), expected.astype(float))
    assert matrix.nnz == expected.sum()  # no repeats stored
    assert matrix.has_canonical_format
    assert np.all(np.diff(matrix.indptr) >= 0)
    for start, stop in zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True):
        assert np.all(np.diff(matrix.indices[start:stop]) > 0)  # sorted, distinct


def test_repeated_comparisons_keep_one_strong_component():
    # A 3-cycle whose first edge is repeated: one strongly connected component.
    winners, losers = np.array([1, 1, 2, 0]), np.array([0, 0, 1, 2])
    n_components, labels = _strong_components(winners, losers, 3)
    assert n_components == 1
    np.testing.assert_array_equal(labels, [0, 0, 0])


@pytest.mark.parametrize("seed", range(5))
def test_pair_count_components_match_the_brute_force_closure(seed):
    # Aggregated pairs with [B won, tie, A won] counts (zeros included, and
    # self-pairs): an edge to each side that won or tied, as raw comparisons.
    rng = np.random.default_rng(seed)
    n_items, n_pairs = 7, 9
    a, b = rng.integers(0, n_items, n_pairs), rng.integers(0, n_items, n_pairs)
    counts = rng.choice([0.0, 0.0, 1.0, 2.5], size=(n_pairs, 3))
    winners = np.concatenate([a, b, a])
    losers = np.concatenate([b, a, b])
    ties = np.repeat([False, False, True], n_pairs)
    weights = np.concatenate([counts[:, 2], counts[:, 0], counts[:, 1]])
    weights[np.tile(a == b, 3)] = 0.0  # an item against itself draws no edge
    mutual, *_ = _reference(winners, losers, ties, weights, n_items)
    n_components, labels, used = pair_count_components(a, b, counts, n_items)
    assert _same_partition(labels, mutual)
    assert n_components == len(set(labels.tolist()))
    sizes = np.bincount(labels)
    assert np.all(sizes[:-1] >= sizes[1:])  # numbered by decreasing size
    expected_used = np.zeros(n_items, dtype=bool)
    expected_used[winners[weights > 0]] = True
    expected_used[losers[weights > 0]] = True
    np.testing.assert_array_equal(used, expected_used)


def test_results_do_not_alias_the_callers_items():
    items = np.array(["a", "b", "c"])
    graph = comparison_graph(["a", "b", "c"], ["b", "c", "a"], items=items)
    graph.items[0] = "z"
    assert items[0] == "a"


def test_restricting_to_one_of_several_largest_components_says_so():
    winners, losers = ["c", "d", "a", "b", "e"], ["d", "c", "b", "a", "a"]
    with pytest.warns(UserWarning, match="2 strongly connected components share"):
        mask = restrict_to_largest_component(winners, losers)
    np.testing.assert_array_equal(mask, [False, False, True, True, False])
    with warnings.catch_warnings():  # one largest: nothing to say
        warnings.simplefilter("error")
        restrict_to_largest_component(winners + ["c", "a"], losers + ["a", "c"])


def test_longest_path_depths_against_a_brute_force_search():
    rng = np.random.default_rng(5)
    n = 30
    # A random DAG: edges only from lower to higher nodes, in shuffled order.
    sources, targets = np.triu_indices(n, 1)
    keep = rng.random(len(sources)) < 0.15
    sources, targets = sources[keep], targets[keep]
    lengths = rng.normal(size=len(sources)) + 1
    order = rng.permutation(len(sources))
    depth = longest_path_depths(n, sources[order], targets[order], lengths[order])
    expected = np.zeros(n)
    for t in range(n):  # nodes in topological order
        into = targets == t
        expected[t] = max([0.0, *(expected[sources[into]] + lengths[into])])
    np.testing.assert_allclose(depth, expected)


def test_longest_path_depths_refuse_a_cycle():
    with pytest.raises(ValueError, match="cycle"):
        longest_path_depths(3, np.array([0, 1, 2]), np.array([1, 2, 0]), np.ones(3))
