"""Benchmark workloads: synthetic data with fixed seeds and the real data sets.

A workload is either an *items* problem (winner and loser ids, classic
Bradley-Terry) or a *features* problem (``X = [x_A | x_B]`` and ``y``, with
``theta = w . x``). Everything that the exactness check needs (canonical item
order, integer indices, aggregated pair counts) is computed here, outside any
timing; the entries in ``_anchors.py`` only see the raw user-facing data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

# Repository parent / shared / data, as in tests/conftest.py.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"


class DataUnavailable(Exception):
    """Raised by a real-data workload when its CSV file is absent."""


@dataclass
class Workload:
    """One benchmark problem, with the raw data an entry receives.

    Items workloads fill ``winners``, ``losers`` (the user's ids, int or str)
    and the derived ``items``/``w_idx``/``l_idx``/``pair_*`` fields; with
    ``ties`` (a boolean mask) the two items of a marked row drew, which counts
    as half a win for each (Chatbot Arena's convention). Features workloads
    fill ``X`` (dense or CSR, ``[x_A | x_B]``) and ``y``.
    """

    name: str
    kind: str  # "items" or "features"
    description: str
    alpha: float = 0.0
    winners: np.ndarray | None = None
    losers: np.ndarray | None = None
    contiguous_ids: bool = False  # ids are exactly 0..K-1 (usable as indices)
    ties: np.ndarray | None = None  # True where the row is a draw (items only)
    outcomes: np.ndarray | None = None  # items: 1 (first-listed won) or 0.5 (draw)
    X: np.ndarray | sp.csr_matrix | None = None
    y: np.ndarray | None = None
    # Derived, for the exactness check and the floor (never used by anchors).
    items: np.ndarray | None = None
    w_idx: np.ndarray | None = None
    l_idx: np.ndarray | None = None
    pair_w: np.ndarray | None = None
    pair_l: np.ndarray | None = None
    pair_count: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_comparisons(self):
        return len(self.winners) if self.kind == "items" else self.X.shape[0]

    @property
    def n_items(self):
        return len(self.items) if self.kind == "items" else None

    @property
    def n_features(self):
        """Number of item features d (columns of one half of X)."""
        return None if self.kind == "items" else self.X.shape[1] // 2

    @property
    def id_type(self):
        """``int`` or ``str`` ids in arrays, ``category`` or ``arrow`` columns."""
        if self.kind != "items":
            return ""
        if not isinstance(self.winners, np.ndarray):  # pandas columns
            return "category" if str(self.winners.dtype) == "category" else "arrow"
        return "int" if np.issubdtype(self.winners.dtype, np.integer) else "str"


def make_items_workload(
    name, winners, losers, *, contiguous_ids, description, ties=None
):
    """Build an items workload and derive the canonical order and pair counts."""
    items, inverse = np.unique(np.concatenate([winners, losers]), return_inverse=True)
    n = len(winners)
    w_idx, l_idx = inverse[:n].astype(np.int64), inverse[n:].astype(np.int64)
    # Duplicate comparisons are sufficient statistics: aggregate ordered pairs
    # (a draw is half a win each way).
    pw, pl, weight = ordered_pair_weights(w_idx, l_idx, ties)
    key, position = np.unique(pw * len(items) + pl, return_inverse=True)
    count = np.bincount(position, weight, len(key))
    return Workload(
        name=name,
        kind="items",
        description=description,
        winners=winners,
        losers=losers,
        contiguous_ids=contiguous_ids,
        ties=ties,
        outcomes=np.ones(n) if ties is None else np.where(ties, 0.5, 1.0),
        items=items,
        w_idx=w_idx,
        l_idx=l_idx,
        pair_w=key // len(items),
        pair_l=key % len(items),
        pair_count=count,
    )


def ordered_pair_weights(winners, losers, ties):
    """``(winners, losers, weight)`` with each draw split into two half wins.

    Decisive rows keep weight 1; a draw becomes a win of each side with weight
    0.5. This is how ties enter every entry that has no tie model of its own.
    """
    weight = np.ones(len(winners))
    if ties is None or not ties.any():
        return winners, losers, weight
    weight[ties] = 0.5
    return (
        np.concatenate([winners, losers[ties]]),
        np.concatenate([losers, winners[ties]]),
        np.concatenate([weight, np.full(np.count_nonzero(ties), 0.5)]),
    )


# --------------------------------------------------------------------------
# Synthetic items
# --------------------------------------------------------------------------
def _simulate_items(n_items, n_comparisons, seed, *, arena, tie_nu=None):
    rng = np.random.default_rng(seed)
    if arena:
        # LLM-arena-like: strengths spread over ~600 Elo points (sd 0.8 in
        # log-odds), and popular models are drawn far more often, so the
        # ~11k possible pairs repeat hundreds of times each.
        theta = rng.normal(0.0, 0.8, n_items)
        popularity = rng.lognormal(0.0, 1.0, n_items)
        p = popularity / popularity.sum()
        a = rng.choice(n_items, n_comparisons, p=p)
        b = rng.choice(n_items, n_comparisons, p=p)
        same = a == b
        while same.any():
            b[same] = rng.choice(n_items, same.sum(), p=p)
            same = a == b
    else:
        theta = rng.normal(0.0, 1.0, n_items)
        a = rng.integers(0, n_items, n_comparisons)
        b = (a + rng.integers(1, n_items, n_comparisons)) % n_items
    if tie_nu is None:
        a_wins = rng.random(n_comparisons) < expit(theta[a] - theta[b])
        return np.where(a_wins, a, b), np.where(a_wins, b, a), None
    # Davidson's model: P(A won) : P(draw) : P(B won) = pi_A : nu sqrt(pi_A
    # pi_B) : pi_B. The entries fit draws as half wins, a different model:
    # the data only need draws, at a realistic rate.
    half = 0.5 * (theta[a] - theta[b])
    p_a, p_tie = np.exp(half), np.full(n_comparisons, tie_nu)
    total = p_a + p_tie + 1.0 / p_a
    u = rng.random(n_comparisons) * total
    a_wins, tie = u < p_a, (u >= p_a) & (u < p_a + p_tie)
    a_first = a_wins | tie  # a draw keeps the drawn order
    return np.where(a_first, a, b), np.where(a_first, b, a), tie


# Davidson's tie parameter of the workloads with draws: two equal items draw
# with probability nu / (2 + nu), 29%; Chatbot Arena's votes are some 30% ties.
_TIE_NU = 0.8


def synthetic_items(
    n_items, n_comparisons, *, ids="int", arena=False, ties=False, seed=0
):
    """Winner/loser comparisons simulated from a Bradley-Terry model.

    Integer ids are ``0..K-1`` (the most favourable case for the anchors: they
    can use them as indices). String ids are a NumPy object array of Python
    ``str``, which is what ``df[cols].to_numpy()`` hands a pandas user; its
    K names are K objects, each referenced by every row that names it, as
    pandas' C parser gives them (object or Python-backed strings; Arrow
    strings converted by ``to_numpy()`` are one object a row, the slower
    case for every entry, see benchmarks/README.md).
    ``ids="category"`` and ``ids="arrow"`` keep the string ids in the two
    columns of a pandas DataFrame, as its user holds them (see
    :func:`_pandas_columns`); entries then get the columns as Series.
    With ``ties`` about a quarter of the comparisons are draws (see
    ``_TIE_NU``), and ``wl.ties`` marks them.
    """
    w, los, tie = _simulate_items(
        n_items, n_comparisons, seed, arena=arena, tie_nu=_TIE_NU if ties else None
    )
    name = _items_name(n_items, n_comparisons, ids, arena) + ("-ties" if ties else "")
    if ids != "int":
        label = "model" if arena else "item"
        names = np.array([f"{label}-{i:05d}" for i in range(n_items)], dtype=object)
        w, los = names[w], names[los]
    if ids in ("category", "arrow"):
        w, los = _pandas_columns(names, w, los, ids)
    kind = "arena-like (popularity-skewed pairs)" if arena else "uniform random pairs"
    desc = f"synthetic items, K={n_items}, N={n_comparisons:,}, {ids} ids, {kind}"
    if ties:
        desc += f", {tie.mean():.0%} draws (half a win each)"
    return make_items_workload(
        name, w, los, contiguous_ids=(ids == "int"), description=desc, ties=tie
    )


def _pandas_columns(names, winners, losers, ids):
    """Winner and loser columns of a DataFrame, categorical or Arrow strings.

    The categorical columns share one dtype whose categories are all the
    names (what ``astype(pd.CategoricalDtype(names))`` or a Parquet file
    written from one gives); Arrow-backed strings are pandas' default string
    dtype when pyarrow is installed, what ``read_csv`` then returns.
    """
    import pandas as pd

    if ids == "category":
        dtype = pd.CategoricalDtype(names)
    else:
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise DataUnavailable(
                "pyarrow is not installed; Arrow-string workload skipped"
            ) from exc
        dtype = pd.StringDtype("pyarrow")
    frame = pd.DataFrame({"winner": winners, "loser": losers}).astype(dtype)
    return frame["winner"], frame["loser"]


# --------------------------------------------------------------------------
# Synthetic features
# --------------------------------------------------------------------------
def synthetic_features(n_features, n_comparisons, *, seed=0):
    """Dense item features, ``y`` drawn from the model (both labels occur)."""
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 1.0 / np.sqrt(n_features), n_features)
    xa = rng.normal(size=(n_comparisons, n_features))
    xb = rng.normal(size=(n_comparisons, n_features))
    y = (rng.random(n_comparisons) < expit((xa - xb) @ w)).astype(np.float64)
    name = f"features-d{n_features}-N{n_comparisons:.0e}".replace("+0", "")
    return Workload(
        name=name,
        kind="features",
        description=f"synthetic dense features, d={n_features}, N={n_comparisons:,}",
        X=np.hstack([xa, xb]),
        y=y,
    )


def _one_hot_pairs(a_idx, b_idx, dense_a, dense_b, n_items):
    """CSR ``[onehot(A), dense_A | onehot(B), dense_B]``."""
    n, p = dense_a.shape
    width = n_items + p
    rows = np.repeat(np.arange(n), 2 * (p + 1))
    cols = np.hstack(
        [
            a_idx[:, None],
            n_items + np.arange(p)[None, :].repeat(n, 0),
            width + b_idx[:, None],
            width + n_items + np.arange(p)[None, :].repeat(n, 0),
        ]
    ).ravel()
    vals = np.hstack([np.ones((n, 1)), dense_a, np.ones((n, 1)), dense_b]).ravel()
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, 2 * width))


def synthetic_ids_features(n_items, n_dense, n_comparisons, *, alpha=1.0, seed=0):
    """One-hot item ids plus a few match-level dense features, sparse CSR."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.0, n_items)
    w_dense = rng.normal(0.0, 0.5, n_dense)
    a = rng.integers(0, n_items, n_comparisons)
    b = (a + rng.integers(1, n_items, n_comparisons)) % n_items
    fa = rng.normal(size=(n_comparisons, n_dense))
    fb = rng.normal(size=(n_comparisons, n_dense))
    z = theta[a] - theta[b] + (fa - fb) @ w_dense
    y = (rng.random(n_comparisons) < expit(z)).astype(np.float64)
    name = f"ids+features-K{n_items}-p{n_dense}-N{n_comparisons:.0e}".replace("+0", "")
    wl = Workload(
        name=name,
        kind="features",
        description=(
            f"synthetic one-hot ids (K={n_items}) + {n_dense} dense match-level "
            f"features, sparse CSR, N={n_comparisons:,}, alpha={alpha}"
        ),
        alpha=alpha,
        X=_one_hot_pairs(a, b, fa, fb, n_items),
        y=y,
    )
    wl.notes.append("alpha > 0: the id columns have a shift null space")
    return wl


# --------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------
def _csv(data_dir, filename):
    path = Path(data_dir) / filename
    if not path.is_file():
        raise DataUnavailable(f"{path} not found; real-data workload skipped")
    import pandas as pd

    return pd.read_csv(path)


def _largest_strong_component(winners, losers, ties=None):
    """Mask of comparisons inside the largest strongly connected component.

    The unpenalised MLE exists only on a strongly connected win graph; the
    real data sets are not, so the items workloads keep the largest component.
    A draw is an edge each way (half a win for each side).
    """
    from scipy.sparse.csgraph import connected_components

    items, inv = np.unique(np.concatenate([winners, losers]), return_inverse=True)
    n = len(winners)
    w, los, _ = ordered_pair_weights(inv[:n], inv[n:], ties)
    # tocsr sums repeated edges (scipy's strong components can hang on them).
    graph = sp.coo_matrix(
        (np.ones(len(w)), (los, w)), shape=(len(items), len(items))
    ).tocsr()
    _, labels = connected_components(graph, directed=True, connection="strong")
    big = np.bincount(labels).argmax()
    keep_item = labels == big
    return keep_item[inv[:n]] & keep_item[inv[n:]], int(keep_item.sum()), len(items)


def _restrict_to_component(name, winners, losers, description, ties=None):
    mask, k_kept, k_all = _largest_strong_component(winners, losers, ties)
    wl = make_items_workload(
        name,
        winners[mask],
        losers[mask],
        contiguous_ids=False,
        description=description,
        ties=None if ties is None else ties[mask],
    )
    wl.notes.append(
        f"kept the largest strongly connected component: {k_kept} of {k_all} items, "
        f"{mask.sum():,} of {len(mask):,} comparisons (the MLE does not exist on all)"
    )
    return wl


def tennis_ids(data_dir=DEFAULT_DATA_DIR):
    """ATP matches 2000-2024, walkovers dropped, player ids (ints)."""
    df = _csv(data_dir, "atp_matches_2000_2024.csv")
    df = df[df["outcome_type"] != "walkover"]
    return _restrict_to_component(
        "tennis-ids",
        df["winner_id"].to_numpy(np.int64),
        df["loser_id"].to_numpy(np.int64),
        "ATP 2000-2024, walkovers dropped, winner_id/loser_id (int ids)",
    )


def tennis_ids_features(data_dir=DEFAULT_DATA_DIR, alpha=1.0):
    """ATP matches: one-hot player ids plus log-rank, age and height.

    Missing values: an unranked player gets rank = (largest observed rank + 1),
    i.e. ranked below everyone; missing age and height get the median over all
    player appearances. The three dense columns are then standardised with the
    mean and std of the stacked winner and loser rows (the same transform on
    both halves, so an item still ties with itself). ``y`` is all ones.
    """
    df = _csv(data_dir, "atp_matches_2000_2024.csv")
    df = df[df["outcome_type"] != "walkover"]
    ids, inv = np.unique(
        np.concatenate([df["winner_id"].to_numpy(), df["loser_id"].to_numpy()]),
        return_inverse=True,
    )
    n = len(df)

    def stacked(col):
        return np.concatenate(
            [df[f"winner_{col}"].to_numpy(float), df[f"loser_{col}"].to_numpy(float)]
        )

    rank, age, height = stacked("rank"), stacked("age"), stacked("ht")
    rank = np.where(np.isnan(rank), np.nanmax(rank) + 1, rank)
    age = np.where(np.isnan(age), np.nanmedian(age), age)
    height = np.where(np.isnan(height), np.nanmedian(height), height)
    dense = np.column_stack([np.log(rank), age, height])
    dense = (dense - dense.mean(0)) / dense.std(0)
    wl = Workload(
        name="tennis-ids+features",
        kind="features",
        description=(
            f"ATP 2000-2024, walkovers dropped, one-hot player ids (K={len(ids)}) + "
            f"log rank, age, height; y all ones; alpha={alpha}"
        ),
        alpha=alpha,
        X=_one_hot_pairs(inv[:n], inv[n:], dense[:n], dense[n:], len(ids)),
        y=np.ones(n),
    )
    wl.notes.append(
        "missing rank -> max rank + 1; missing age/height -> median; "
        "dense columns standardised on stacked rows; alpha > 0 because the "
        "per-player MLE does not exist (not strongly connected)"
    )
    return wl


def football_ids(data_dir=DEFAULT_DATA_DIR, draws=False):
    """International football: home vs away team names (str).

    Draws are dropped, or with ``draws`` kept as half a win for each side.
    """
    df = _csv(data_dir, "international_football_results.csv")
    if not draws:
        df = df[df["result"] != "D"]
    home = df["home_team"].to_numpy(dtype=object)
    away = df["away_team"].to_numpy(dtype=object)
    home_first = (df["result"] != "A").to_numpy()  # home won, or a draw
    drawn = (df["result"] == "D").to_numpy() if draws else None
    kept = "draws as half wins" if draws else "draws dropped"
    return _restrict_to_component(
        "football-ids-draws" if draws else "football-ids",
        np.where(home_first, home, away),
        np.where(home_first, away, home),
        f"international football 1872-2026, {kept}, team names (str ids), "
        "home advantage ignored",
        ties=drawn,
    )


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------
def registry(data_dir=DEFAULT_DATA_DIR):
    """Ordered mapping ``name -> (factory, quick)`` of every workload.

    ``quick`` marks the workloads that ``--quick`` runs by default.
    """
    reg = {}
    for k, n, arena, quick in [
        (100, 10_000, False, True),
        (1000, 100_000, False, True),
        (1000, 1_000_000, False, False),
        (10_000, 1_000_000, False, False),
        (150, 3_000_000, True, False),
    ]:
        for ids in ("int", "str") + (("category", "arrow") if arena else ()):
            reg[_items_name(k, n, ids, arena)] = (
                partial(synthetic_items, k, n, ids=ids, arena=arena),
                quick,
            )
        if arena:  # an LLM arena's votes: some are ties
            for ids in ("int", "str"):
                reg[_items_name(k, n, ids, arena) + "-ties"] = (
                    partial(synthetic_items, k, n, ids=ids, arena=arena, ties=True),
                    quick,
                )
    reg["features-d10-N1e6"] = (lambda: synthetic_features(10, 1_000_000), False)
    reg["features-d100-N1e5"] = (lambda: synthetic_features(100, 100_000), True)
    # A reward model on text embeddings: many features, few rows per feature.
    reg["features-d768-N2e4"] = (lambda: synthetic_features(768, 20_000), False)
    reg["ids+features-K1000-p3-N1e5"] = (
        lambda: synthetic_ids_features(1000, 3, 100_000),
        True,
    )
    reg["tennis-ids"] = (lambda: tennis_ids(data_dir), True)
    reg["tennis-ids+features"] = (lambda: tennis_ids_features(data_dir), True)
    reg["football-ids"] = (lambda: football_ids(data_dir), True)
    reg["football-ids-draws"] = (lambda: football_ids(data_dir, draws=True), True)
    # Not in the default set: for the smoke test and for trying the harness.
    reg["tiny-items"] = (lambda: synthetic_items(12, 400, ids="str", seed=1), False)
    reg["tiny-items-category"] = (
        lambda: synthetic_items(12, 400, ids="category", seed=1),
        False,
    )
    reg["tiny-items-ties"] = (
        lambda: synthetic_items(12, 400, ids="str", ties=True, seed=1),
        False,
    )
    reg["tiny-features"] = (lambda: synthetic_features(3, 500, seed=1), False)
    return reg


def _items_name(n_items, n_comparisons, ids, arena):
    prefix = "arena" if arena else "items"
    return f"{prefix}-K{n_items}-N{n_comparisons:.0e}-{ids}".replace("+0", "")


DEFAULT_EXCLUDED = {
    "tiny-items",
    "tiny-items-category",
    "tiny-items-ties",
    "tiny-features",
}
