"""Leaderboards from winner/loser records: ratings with intervals, on the Elo scale.

:func:`leaderboard` is the one-call path from comparison records (players,
teams, LLMs in an arena, products in an A/B test) to a ranked table: it checks
that the strengths exist, fits the Bradley-Terry model through the ordinary
Pipeline, puts the strengths on the Elo scale, and adds Wald or bootstrap
intervals and a rank that respects them.
"""

import csv
import io
import json
import math
import os
import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.stats import norm
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._exceptions import MLEDoesNotExistWarning, user_stacklevel
from ._graph import (
    _is_missing,
    _label_family,
    comparison_graph,
    restrict_to_largest_component,
)
from ._ids import factorise_pair_ids, is_pandas_native, positions_in
from ._loss import A_WON
from ._outcomes import scores_from_words, sorted_labels
from ._pair_transformer import PairTransformer
from ._ranker import BradleyTerryRanker
from ._solvers import aggregate_id_pairs, aggregate_item_pairs
from ._uncertainty import (
    BOOTSTRAP_SEPARATION_ALPHA,
    _BootstrapProblem,
    _estimable,
    _ginverse,
    _loss_of,
    _parameter_vector,
    _parameterisation,
    _Probes,
    _run_bootstrap,
    _structure,
    _variances,
    centre_on_bounded_items,
    sandwich_params,
    warn_if_exact_is_slow,
    warn_if_imprecise,
)
from ._win_matrix import _validate_win_matrix, pairs_from_win_matrix
from ._words import plural

__all__ = ["Leaderboard", "elo_ratings", "leaderboard", "leaderboard_from_win_matrix"]

# Columns of Leaderboard.table, in order; the interval columns only with one.
_COLUMNS = [
    "item",
    "strength",
    "rating",
    "se",
    "lower",
    "upper",
    "rank",
    "rank_lower",
    "comparisons",
    "wins",
    "losses",
    "ties",
]
# The tie parameter from its internal scale in hessian_ (both increasing).
_TIE_SCALE = {"davidson": np.exp, "rao-kupper": lambda x: np.exp(np.exp(x))}


class Estimate(NamedTuple):
    """A fitted quantity with its confidence interval (``None`` without one)."""

    value: float
    lower: float | None
    upper: float | None


def _pandas():
    """The pandas module, or None: pandas is an optional dependency."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


# ---------------------------------------------------------------------------
# The Elo scale.
# ---------------------------------------------------------------------------


def _elo_factor(scale, base):
    return scale / math.log(base)


def elo_ratings(
    strengths,
    *,
    items=None,
    scale=400.0,
    base=10.0,
    offset=1000.0,
    anchor=None,
    anchor_rating=None,
):
    """Put Bradley-Terry strengths on the Elo scale.

    ``rating = offset + scale * theta / ln(base)``: a difference of ``scale``
    points means odds of ``base`` to 1 (the chess convention: 400 points, 10
    to 1).  Optionally the scale is anchored so that one item has a given
    rating (Chatbot Arena anchors one model at a fixed score).

    Parameters
    ----------
    strengths : array-like of shape (n_items,) or (n_samples, n_items)
        Log-strengths ``theta`` (for example centred to sum to zero); a 2-D
        array is converted row by row (bootstrap samples, say).
    items : array-like of shape (n_items,), default=None
        Item labels, one per strength, needed only to name the ``anchor``.
    scale : float, default=400.0
        Rating points per factor ``base`` in the odds.
    base : float, default=10.0
        Odds ratio that ``scale`` points stand for.
    offset : float, default=1000.0
        Rating of ``theta = 0`` (the average item, for centred strengths).
    anchor : item label, default=None
        If given, the ratings are shifted so that this item has
        ``anchor_rating`` (in every row of a 2-D array).
    anchor_rating : float, default=None
        Rating of the anchor; default ``offset``.

    Returns
    -------
    ratings : ndarray of the shape of ``strengths``

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt import elo_ratings
    >>> theta = np.array([np.log(10), 0.0, -np.log(10)])
    >>> elo_ratings(theta).round(1)
    array([1400., 1000.,  600.])
    >>> elo_ratings(theta, items=["a", "b", "c"], anchor="c", anchor_rating=1500)
    array([2300., 1900., 1500.])
    """
    if hasattr(strengths, "fit"):
        raise TypeError(
            "elo_ratings takes log-strengths, not a model: pass estimates(model) "
            "(the centred strengths of a fitted ranker or Pipeline), or use "
            "leaderboard(), which reports Elo ratings with intervals."
        )
    strengths = np.asarray(strengths, dtype=float)
    if strengths.ndim not in (1, 2):
        raise ValueError(
            f"strengths must be 1-D or 2-D; got an array of shape {strengths.shape}."
        )
    if not np.isfinite(strengths).all():
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(strengths))[0])
        raise ValueError(
            f"strengths must be finite; position {first} holds "
            f"{strengths[first]}. A missing or unbounded strength has no rating: "
            "drop it first (a leaderboard() of the data says which items lack one)."
        )
    _check_elo_scale(scale, base, offset, anchor_rating)
    if items is not None:
        items = _check_items(items, strengths.shape[-1])
    factor = _elo_factor(scale, base)
    if anchor is None:
        if anchor_rating is not None:
            raise ValueError(
                "anchor_rating is set but anchor is None; name the item that should "
                "have this rating with anchor=..., or use offset=... to shift all "
                "ratings."
            )
        return offset + factor * strengths
    if items is None:
        raise ValueError("anchor needs items: the label of each strength.")
    position = _position_of(items, anchor, "anchor")
    target = offset if anchor_rating is None else float(anchor_rating)
    shift = strengths[..., position : position + 1]
    return target + factor * (strengths - shift)


def _check_elo_scale(scale, base, offset, anchor_rating):
    """Refuse a scale whose ratings would be NaN, infinite or constant."""
    # ``not x > 0`` is also true of NaN; an infinite base would make every
    # rating equal to the offset.
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a finite number > 0; got {scale}.")
    if not (math.isfinite(base) and base > 1):
        raise ValueError(f"base must be a finite number > 1; got {base}.")
    for name, value in (("offset", offset), ("anchor_rating", anchor_rating)):
        if value is not None and not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number (a rating); got {value}.")


def _check_items(items, n_strengths):
    """The labels of the strengths, one per strength."""
    items = np.asarray(items)
    if items.ndim != 1 or len(items) != n_strengths:
        raise ValueError(
            f"items must hold one label per strength: strengths has {n_strengths} "
            f"per row, but items has shape {items.shape}."
        )
    return items


def _position_of(items, label, what):
    matches = [i for i, item in enumerate(items.tolist()) if item == label]
    if not matches:
        matches = [
            i for i, item in enumerate(items.tolist()) if str(item) == str(label)
        ]
    if len(matches) > 1:
        raise ValueError(
            f"{what} {label!r} is item {matches[0]} and item {matches[1]} of the "
            "items: each item needs a label of its own."
        )
    if not matches:
        shown = ", ".join(str(i) for i in items[:5].tolist())
        raise ValueError(
            f"{what} {label!r} is not one of the items ({shown}"
            f"{' ...' if len(items) > 5 else ''})."
        )
    return matches[0]


# ---------------------------------------------------------------------------
# Input checks and aggregation.
# ---------------------------------------------------------------------------


def _labels(values, name):
    converted = np.asarray(values)
    if converted.dtype.kind == "U" and not isinstance(values, np.ndarray):
        # NumPy turns None and NaN in a list of strings into "None" and "nan":
        # read such a list as objects, so that missing ids stay missing.
        as_objects = np.asarray(values, dtype=object)
        if _is_missing(as_objects).any():
            converted = as_objects
    values = converted
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one item id per comparison; got shape {values.shape}."
        )
    return values


def _check_outcome(outcome, n, ties):
    if outcome is None:
        return np.ones(n)
    outcome = np.asarray(outcome)
    if outcome.shape != (n,):
        raise ValueError(
            f"outcome must have one value per comparison ({n}); got shape "
            f"{outcome.shape}."
        )
    if outcome.dtype.kind in "OUS":
        try:  # numbers written as text: scores, or signs with -1
            outcome = outcome.astype(float)
        except (TypeError, ValueError):
            # Words such as Chatbot Arena's winner column: model_a / model_b / tie.
            outcome = scores_from_words(outcome, "outcome")
    try:
        outcome = outcome.astype(float, copy=False)  # read, never written
    except (TypeError, ValueError) as exc:
        raise ValueError("outcome must hold numbers: 1, 0.5 or 0 for item A.") from exc
    labels = sorted_labels(outcome)  # a few passes, no sort of the rows
    if -1 in labels and np.isin(labels, [-1.0, 0.0, 1.0]).all():
        # Signs of score differences, as the ranker takes them: 0 is a tie.
        outcome = (outcome + 1.0) / 2.0
        labels = (labels + 1.0) / 2.0
    if not np.isin(labels, [0.0, 0.5, 1.0]).all():
        bad = ~np.isin(outcome, [0.0, 0.5, 1.0])
        raise ValueError(
            f"outcome must be 1 (A won), 0.5 (tie) or 0 (B won), or signs 1 / 0 / "
            f"-1; row {np.flatnonzero(bad)[0]} has {float(outcome[bad][0])!r}."
        )
    if 0.5 in labels and ties is None:
        n_ties = int(np.sum(outcome == 0.5))
        raise ValueError(
            f"outcome has {n_ties} tie(s) (0.5) but ties=None. Pass ties='half' to "
            "count a tie as half a win for each side (Chatbot Arena's convention), "
            "or ties='davidson' to fit Davidson's tie model."
        )
    return outcome


def _check_weights(sample_weight, n):
    if sample_weight is None:
        return np.ones(n)
    weights = np.asarray(sample_weight, dtype=float)
    if weights.shape != (n,):
        raise ValueError(
            f"sample_weight must have one weight per comparison ({n}); got shape "
            f"{weights.shape}."
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("sample_weight must hold finite counts >= 0.")
    return weights


def _check_home(home_a, n):
    if home_a is None:
        return None
    home = np.asarray(home_a)
    if home.shape != (n,):
        raise ValueError(
            f"home_a must have one 0/1 value per comparison ({n}); got shape "
            f"{home.shape}."
        )
    message = (
        "home_a must hold 1 (A played at home), 0 (neutral venue) or -1 (B played "
        "at home)."
    )
    try:
        # Object arrays of 0/1 (a column of a mixed table) are fine too.
        home = home.astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(message) from exc
    if not np.isin(home, (-1.0, 0.0, 1.0)).all():
        raise ValueError(message)
    if not home.any():
        raise ValueError(
            "home_a is 0 in every row: with no home games there is no home advantage "
            "to estimate. Leave home_a=None."
        )
    return home


class _Records:
    """Validated comparison rows: A, B, outcome for A, weight, home flag of A.

    After :func:`_compress`, a row stands for all the comparisons with the same
    (A, B, home, outcome): ``weight`` is their summed weight.
    """

    def __init__(self, a, b, outcome, weight, home):
        self.a, self.b, self.outcome, self.weight, self.home = (
            a,
            b,
            outcome,
            weight,
            home,
        )

    def subset(self, mask):
        home = None if self.home is None else self.home[mask]
        return _Records(
            self.a[mask], self.b[mask], self.outcome[mask], self.weight[mask], home
        )

    @property
    def winners(self):
        return np.where(self.outcome >= 0.5, self.a, self.b)

    @property
    def losers(self):
        return np.where(self.outcome >= 0.5, self.b, self.a)

    @property
    def is_tie(self):
        return self.outcome == 0.5

    def graph(self, items=None):
        return comparison_graph(
            self.winners,
            self.losers,
            ties=self.is_tie,
            sample_weight=self.weight,
            items=items,
        )


def _records(item_a, item_b, outcome, sample_weight, home_a, ties):
    a, b, labels = _ids_or_codes(item_a, item_b)
    if a.shape != b.shape:
        raise ValueError(
            f"item_a and item_b must have the same length; got {len(a)} and {len(b)}."
        )
    if len(a) == 0:
        raise ValueError("no comparisons: item_a and item_b are empty.")
    n = len(a)
    # None stays None (A won / weight one everywhere) until it is needed: on
    # millions of rows, arrays of ones cost as much as the counting.
    outcome = None if outcome is None else _check_outcome(outcome, n, ties)
    weight = None if sample_weight is None else _check_weights(sample_weight, n)
    home = _check_home(home_a, n)
    # The input rows, kept for messages: the records are compressed or filtered.
    input_rows = _InputRows(a, b, labels)
    if home is not None and (home < 0).any():
        # B at home: the same comparison with the sides swapped, A at home.
        away = home < 0
        a, b = np.where(away, b, a), np.where(away, a, b)
        outcome = np.ones(n) if outcome is None else outcome
        outcome = np.where(away, 1.0 - outcome, outcome)
        home = np.abs(home)
    if weight is not None:
        keep = weight > 0
        if not keep.any():
            raise ValueError(
                "every comparison has a weight of zero: nothing to rank. Weights "
                "count comparisons; give the ones to rank a positive weight."
            )
        if not keep.all():
            input_rows.kept = keep
            _warn_weighed_out(a, b, keep, labels)
            a, b, weight = a[keep], b[keep], weight[keep]
            outcome = None if outcome is None else outcome[keep]
            home = None if home is None else home[keep]
    records = _compress(a, b, outcome, weight, home)
    if records is None:
        n = len(a)
        records = _Records(
            a,
            b,
            np.ones(n) if outcome is None else outcome,
            np.ones(n) if weight is None else weight,
            home,
        )
        # Only uncompressed records can hold missing ids: compression refuses them.
        input_rows.check_missing(records)
    input_rows.check_self_comparisons(records)
    if labels is not None:  # the rows hold codes into labels
        records.a, records.b = labels[records.a], labels[records.b]
    return records


class _InputRows:
    """The ids as given, to name the input rows in messages about them.

    The checks look at the records (after compression, one row per distinct
    pair: cheap on millions of comparisons); only when one fails are the
    input rows searched, for the count and first row that the user can find.
    ``kept`` marks the rows of positive weight (None: all of them), the only
    ones that are checked.
    """

    def __init__(self, a, b, labels):
        self.a, self.b, self.labels, self.kept = a, b, labels, None

    def _among_kept(self, mask):
        rows = np.flatnonzero(mask if self.kept is None else mask & self.kept)
        return len(rows), rows[0]

    def check_missing(self, records):
        """Refuse missing ids, naming the argument and the first input row."""
        for name, ids, kept_ids in (
            ("item_a", self.a, records.a),
            ("item_b", self.b, records.b),
        ):
            if _is_missing(kept_ids).any():
                count, first = self._among_kept(_is_missing(ids))
                raise ValueError(
                    f"{name} has {count} missing id(s), first at row {first}; drop "
                    "those comparisons first."
                )

    def check_self_comparisons(self, records):
        """Refuse rows that compare an item with itself, naming the first one."""
        if not np.any(records.a == records.b):
            return
        count, first = self._among_kept(self.a == self.b)
        item = self.a[first] if self.labels is None else self.labels[self.a[first]]
        raise ValueError(
            f"item_a and item_b are equal in {count} row(s), first at row {first} "
            f"(item {_plain(item)!r}); an item cannot be compared with itself: drop "
            "those rows."
        )


def _warn_weighed_out(a, b, keep, labels):
    """Warn about items whose every comparison has weight zero: they vanish."""
    kept = set(a[keep].tolist()) | set(b[keep].tolist())
    gone = (set(a[~keep].tolist()) | set(b[~keep].tolist())) - kept
    if not gone:
        return
    names = [labels[v] if labels is not None else v for v in gone]
    names = sorted(names, key=str)
    shown = ", ".join(str(v) for v in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    warnings.warn(
        f"{plural(len(names), 'item')} took part only in comparisons of weight 0 "
        f"({shown}{more}): nothing rates them, so the leaderboard leaves them "
        "out.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _ids_or_codes(item_a, item_b):
    """``(a, b, None)``: the ids as arrays; or ``(codes_a, codes_b, labels)``.

    Codes (into the sorted unique ids, ``labels``) are returned for pandas
    columns whose ids pandas encodes natively (categoricals, Arrow-backed
    strings): their rows are then never converted to Python objects one by
    one, and the records are relabelled once compressed.
    """
    if is_pandas_native(item_a) or is_pandas_native(item_b):
        factorised = factorise_pair_ids(item_a, item_b)
        if factorised is not None:
            (codes_a, codes_b), labels = factorised
            return codes_a, codes_b, labels
    a, b = _labels(item_a, "item_a"), _labels(item_b, "item_b")
    if _label_family(a.dtype) != _label_family(b.dtype):
        raise ValueError(
            f"item_a ({a.dtype}) and item_b ({b.dtype}) hold ids of different "
            "kinds (numbers against strings, say); convert both to the same type "
            "so that equal items get equal ids."
        )
    return a, b, None


def _compress(a, b, outcome, weight, home):
    """Records with one row per distinct (A, B, home of A, outcome), weights summed.

    Counts are sufficient statistics: the graph, the fit, the intervals and
    the bootstrap give the same answers on them, at a cost set by the number
    of distinct pairs instead of the number of comparisons (an arena has
    millions of battles among a few hundred models).  None when the ids need
    the general path (missing or mixed-type ids, which the graph explains).
    """
    if outcome is None:  # A won every comparison
        column = np.broadcast_to(np.int8(A_WON), a.shape)
    else:
        column = (2 * outcome).astype(np.int8)  # B won 0, tie 1, A won 2
    if weight is not None and not np.any(weight != 1):
        weight = None
    if home is None and weight is None:  # one count per pair: the ids as they are
        aggregated = aggregate_id_pairs(a, b, column, None)
        if aggregated is None:
            return None
        items, design, counts = aggregated
        a, b, at_home = design.a, design.b, None
    else:
        factorised = factorise_pair_ids(a, b)
        if factorised is None:
            return None
        (codes_a, codes_b), items = factorised
        a, b, at_home, counts = _count_pairs(
            codes_a, codes_b, home, column, weight, len(items)
        )
    pair, outcome = np.nonzero(counts > 0)
    return _Records(
        items[a[pair]],
        items[b[pair]],
        np.array([0.0, 0.5, 1.0])[outcome],
        counts[pair, outcome],
        None if home is None else at_home[pair].astype(float),
    )


def _count_pairs(codes_a, codes_b, home, column, weight, n_items):
    """Distinct (A, B, home) rows, sorted, and their counts ``[B won, tie, A won]``.

    Returns the codes of A and of B, the home flag of A (zeros without
    ``home``) and the counts, one row each.
    """
    if home is None:
        design, counts = aggregate_item_pairs(
            codes_a, codes_b, column, weight, n_items, fold=False
        )
        return design.a, design.b, np.zeros_like(design.b), counts
    # (B, home) as one code keeps the rows in (A, B, home) order.
    design, counts = aggregate_item_pairs(
        codes_a,
        2 * codes_b + home.astype(np.intp),
        column,
        weight,
        2 * n_items,
        fold=False,
    )
    return design.a, design.b // 2, design.b % 2, counts


def _aggregate(records, items):
    """Unique (A, B, home) rows, sorted, with outcome counts ``[B won, tie, A won]``."""
    a, b, home, counts = _count_pairs(
        positions_in(records.a, items),
        positions_in(records.b, items),
        records.home,
        (2 * records.outcome).astype(np.int8),  # B won 0, tie 1, A won 2
        records.weight,
        len(items),
    )
    return np.column_stack([a, b, home]), counts


# ---------------------------------------------------------------------------
# The model.
# ---------------------------------------------------------------------------


def _pair_rows(items, unique, counts, with_home):
    """One weighted pair row per (unique pair, outcome) with a positive count."""
    rows, outcome = np.nonzero(counts > 0)
    y = np.array([0.0, 0.5, 1.0])[outcome]  # counts are [B won, tie, A won]
    weight = counts[rows, outcome]
    item_a, item_b = items[unique[rows, 0]], items[unique[rows, 1]]
    if not with_home:
        return np.column_stack([item_a, item_b]), y, weight
    home_a = unique[rows, 2].astype(float)
    pd = _pandas()
    if pd is None:
        X = np.empty((len(rows), 4), dtype=object)
        X[:, 0], X[:, 1], X[:, 2], X[:, 3] = item_a, home_a, item_b, 0.0
        return X, y, weight
    X = pd.DataFrame(
        {"item_a": item_a, "home_a": home_a, "item_b": item_b, "home_b": 0.0}
    )
    return X, y, weight


def _make_model(items, alpha, ties, with_home, pandas_input):
    encoder = OneHotEncoder(categories=[items])
    if not with_home:
        inner = encoder
    else:
        item_col, home_col = (["item"], ["home"]) if pandas_input else ([0], [1])
        inner = ColumnTransformer(
            [("item", encoder, item_col), ("home", "passthrough", home_col)]
        )
    return make_pipeline(
        PairTransformer(inner), BradleyTerryRanker(alpha=alpha, ties=ties)
    )


def _fit_model(model, X, y, weight, *, quiet):
    with warnings.catch_warnings():
        if quiet:
            # leaderboard() has already said why, naming the items.
            warnings.simplefilter("ignore", MLEDoesNotExistWarning)
        model.fit(X, y, bradleyterryranker__sample_weight=weight)
    return model


def _design_matrix(unique, n_items, with_home):
    """Difference design ``e_a - e_b`` (and the home flag) of the unique rows."""
    n = len(unique)
    rows = np.repeat(np.arange(n), 2)
    cols = unique[:, :2].ravel()
    vals = np.tile([1.0, -1.0], n)
    if with_home:
        at_home = np.flatnonzero(unique[:, 2])
        rows = np.concatenate([rows, at_home])
        cols = np.concatenate([cols, np.full(len(at_home), n_items)])
        vals = np.concatenate([vals, np.ones(len(at_home))])
    width = n_items + int(with_home)
    return sp.csr_array((vals, (rows, cols)), shape=(n, width))


def _bootstrap_problem(model, structure, unique, counts, with_home):
    """The refits' problem, on the aggregated rows and their item codes."""
    ranker = model[-1]
    n_items = structure.n_coef - int(with_home)
    # A strongly connected resample leaves only the constant of the items free.
    null = np.zeros((structure.n_coef, 1))
    null[:n_items] = 1.0 / np.sqrt(n_items)
    return _BootstrapProblem(
        loss=_loss_of(ranker, structure.n_extra),
        counts=counts,
        params0=_parameter_vector(structure),
        alpha=ranker.alpha,
        fit_intercept=False,
        tol=ranker.tol,
        max_iter=ranker.max_iter,
        D=_design_matrix(unique, n_items, with_home) if with_home else None,
        item_a=unique[:, 0].astype(np.intp),
        item_b=unique[:, 1].astype(np.intp),
        n_items=n_items,
        null=null,
    )


# ---------------------------------------------------------------------------
# Ranks.
# ---------------------------------------------------------------------------


def _ranks(ratings, limit_order=None):
    """Competition ranks: 1 + the number of items rated higher.

    Ratings within a relative 1e-9 are equal (rounding, such as the 8e-17
    of two items that only drew with each other, splits no rank).  An item
    without a rating (NaN) is ranked after all the others.  Items rated
    ``inf`` (or ``-inf``) are ranked among themselves by ``limit_order``, if
    given: the fit's values at the limit, which order a beaten item below its
    winner (a strict order a > b > c is ranked 1, 2, 3, not 1, 2, 2).
    """
    ranks = _competition_ranks(ratings)
    if limit_order is not None:
        for side in (np.inf, -np.inf):
            same = ratings == side
            ranks[same] += _competition_ranks(limit_order[same]) - 1
    return ranks


def _competition_ranks(ratings):
    finite = np.isfinite(ratings)
    tolerance = 1e-9 * max(np.abs(ratings[finite]).max(initial=0.0), 1e-300)
    ordered = np.sort(np.where(np.isnan(ratings), -np.inf, ratings))
    n = len(ratings)
    # Items rated at least rating + tolerance; for +-inf, those rated above.
    ranks = np.where(
        finite,
        1 + n - np.searchsorted(ordered, ratings + tolerance, side="left"),
        1 + n - np.searchsorted(ordered, ratings, side="right"),
    )
    return np.where(np.isnan(ratings), 1 + np.sum(~np.isnan(ratings)), ranks)


def _interval_ranks(lower, upper):
    """1 + the number of items whose lower bound is above this item's upper bound.

    A rank that respects the intervals (Chatbot Arena's "rank (UB)"): an item
    is ranked below another only when their intervals do not overlap.
    """
    sorted_lower = np.sort(lower)
    return 1 + len(lower) - np.searchsorted(sorted_lower, upper, side="right")


# ---------------------------------------------------------------------------
# The result.
# ---------------------------------------------------------------------------


class Leaderboard:
    """Ratings of items with their intervals: the result of :func:`leaderboard`.

    Built by :func:`leaderboard` and :func:`leaderboard_from_win_matrix`, not
    directly.  ``print(board)`` shows a terminal table; ``board.plot()`` a
    forest plot; ``board.to_csv()`` and ``board.to_json()`` export it.

    Attributes
    ----------
    table : pandas.DataFrame or dict of ndarray
        One row per item, sorted by rating (best first), with columns:

        - ``item``: the item label;
        - ``strength``: the log-strength ``theta``, centred to sum to zero;
        - ``rating``: the strength on the Elo scale;
        - ``se``: standard error of the rating (Wald; the standard deviation
          of the bootstrap ratings with ``interval="bootstrap"``);
        - ``lower``, ``upper``: the confidence interval of the rating;
        - ``rank``: 1 + the number of items rated higher (items rated
          ``inf`` or ``-inf`` without an MLE: among themselves, as the fit
          places them);
        - ``rank_lower``: 1 + the number of items whose lower bound is above
          this item's upper bound (a rank that respects the intervals);
        - ``comparisons``, ``wins``, ``losses``, ``ties``: weighted counts.

        ``se``, ``lower``, ``upper`` and ``rank_lower`` are left out when
        ``interval=None``.  A dict of NumPy arrays (same columns) when pandas
        is not installed.
    model : Pipeline
        The fitted ``PairTransformer`` + ``BradleyTerryRanker`` pipeline.  It
        takes pair rows ``[[item_a, item_b], ...]``; with a home advantage, a
        DataFrame with columns ``item_a, home_a, item_b, home_b`` (without
        pandas: an object array with the columns in that order).
    graph : ComparisonGraph
        Connectivity of all the comparisons given (before ``restrict``).
    dropped : ndarray
        Items left out by ``restrict="largest"`` (empty otherwise).
    home_advantage : Estimate or None
        ``(value, lower, upper)`` of the home advantage in rating points
        (``None`` without ``home_a``).
    tie_parameter : Estimate or None
        ``(value, lower, upper)`` of the tie parameter: Davidson's ``nu`` (two
        equal items tie with probability ``nu / (2 + nu)``) or Rao and
        Kupper's ``theta``; the interval is built on the internal scale of
        ``hessian_`` (``log nu``, ``log log theta``).  ``None`` without a tie
        model, or when the data hold no tie.
    bootstrap_ratings : ndarray of shape (n_bootstrap, n_items) or None
        The bootstrap ratings, columns in the order of ``table``.
    bootstrap_unbounded : ndarray of shape (n_items,) or None
        Per item, the number of resamples in which it had no finite strength
        (only wins or only losses, or outside the largest strongly connected
        component of the resample).
    settings : dict
        The settings of the fit: interval, confidence, scale, anchor, ...
    """

    def __init__(
        self,
        columns,
        *,
        model,
        graph,
        dropped,
        home_advantage,
        tie_parameter,
        bootstrap_ratings,
        bootstrap_unbounded,
        settings,
    ):
        self._columns = columns
        self.model = model
        self.graph = graph
        self.dropped = dropped
        self.home_advantage = home_advantage
        self.tie_parameter = tie_parameter
        self.bootstrap_ratings = bootstrap_ratings
        self.bootstrap_unbounded = bootstrap_unbounded
        self.settings = settings
        pd = _pandas()
        if pd is None:
            self.table = {name: values.copy() for name, values in columns.items()}
        else:
            self.table = pd.DataFrame(columns)

    @property
    def n_items(self):
        """Number of items in the table."""
        return len(self._columns["item"])

    def to_frame(self):
        """The table as a new pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
        """
        pd = _pandas()
        if pd is None:
            raise ImportError(
                "to_frame needs pandas, which is not installed: pip install pandas. "
                "Without it, Leaderboard.table is a dict of NumPy arrays."
            )
        return pd.DataFrame({name: v.copy() for name, v in self._columns.items()})

    def to_csv(self, path_or_buf=None):
        """Write the table as CSV (a header, then one line per item).

        Parameters
        ----------
        path_or_buf : str, path or file-like, default=None
            Where to write; ``None`` returns the text.

        Returns
        -------
        str or None
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        names = list(self._columns)
        writer.writerow(names)
        for i in range(self.n_items):
            writer.writerow([_plain(self._columns[name][i]) for name in names])
        return _write_text(out.getvalue(), path_or_buf)

    def to_json(self, path_or_buf=None):
        """The table and the settings as JSON.

        Infinite bounds (an unidentified item) are written as ``null``.

        Parameters
        ----------
        path_or_buf : str, path or file-like, default=None
            Where to write; ``None`` returns the text.

        Returns
        -------
        str or None
        """
        names = list(self._columns)
        document = {
            "settings": {k: _plain(v) for k, v in self.settings.items()},
            "home_advantage": _estimate_json(self.home_advantage),
            "tie_parameter": _estimate_json(self.tie_parameter),
            "dropped": [_plain(v) for v in self.dropped.tolist()],
            "items": [
                {name: _json_value(self._columns[name][i]) for name in names}
                for i in range(self.n_items)
            ],
        }
        # Ids JSON has no type for (dates, say) are written as text.
        return _write_text(json.dumps(document, indent=2, default=str), path_or_buf)

    def head(self, n=10):
        """The leaderboard of the ``n`` best-rated items.

        Parameters
        ----------
        n : int, default=10

        Returns
        -------
        Leaderboard
            Same model and settings, the first ``n`` rows of the table (all of
            them if ``n`` is larger).
        """
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
            raise ValueError(f"n must be a whole number >= 0, got {n!r}.")
        columns = {name: v[:n] for name, v in self._columns.items()}
        boot = None if self.bootstrap_ratings is None else self.bootstrap_ratings[:, :n]
        unbounded = (
            None if self.bootstrap_unbounded is None else self.bootstrap_unbounded[:n]
        )
        return Leaderboard(
            columns,
            model=self.model,
            graph=self.graph,
            dropped=self.dropped,
            home_advantage=self.home_advantage,
            tie_parameter=self.tie_parameter,
            bootstrap_ratings=boot,
            bootstrap_unbounded=unbounded,
            settings=dict(self.settings),
        )

    def plot(self, ax=None, top=None):
        """Forest plot of the ratings and their intervals (needs matplotlib).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure sized to the number of items if None.
        top : int, default=None
            Plot only the ``top`` best-rated items.

        Returns
        -------
        ax : matplotlib Axes
        """
        from ._plotting import plot_leaderboard

        return plot_leaderboard(self, ax=ax, top=top)

    def __len__(self):
        return self.n_items

    def __str__(self):
        return _format(self)

    def __repr__(self):
        return _format(self)


def _plain(value):
    """A Python scalar for CSV and JSON."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _json_value(value):
    value = _plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _estimate_json(estimate):
    if estimate is None:
        return None
    return {k: _json_value(v) for k, v in estimate._asdict().items()}


def _fmt(value, digits=1):
    if value is None:
        return ""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:,.{digits}f}"


def _count(value):
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _format(lb):
    """A plain-text table for the terminal (no pandas needed)."""
    cols, s = lb._columns, lb.settings
    has_interval = "lower" in cols
    lines = [_headline(lb)]
    header = ["rank", "item", "rating"]
    if has_interval:
        pct = f"{100 * s['confidence']:g}%"
        header += [f"{pct} interval", "rank_lower"]
    header += ["comparisons", "W-L-T"]
    rows = []
    for i in range(lb.n_items):
        name = str(cols["item"][i])
        if len(name) > 40:
            name = name[:39] + "…"
        row = [str(cols["rank"][i]), name, _fmt(cols["rating"][i])]
        if has_interval:
            row += [
                f"[{_fmt(cols['lower'][i])}, {_fmt(cols['upper'][i])}]",
                str(cols["rank_lower"][i]),
            ]
        row += [
            _count(cols["comparisons"][i]),
            "-".join(_count(cols[k][i]) for k in ("wins", "losses", "ties")),
        ]
        rows.append(row)
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    left = {1}  # item names align left, numbers right
    for r in [header, *rows]:
        lines.append(
            "  ".join(
                r[j].ljust(widths[j]) if j in left else r[j].rjust(widths[j])
                for j in range(len(r))
            ).rstrip()
        )
    for label, estimate, unit in [
        ("Home advantage", lb.home_advantage, " rating points"),
        ("Tie parameter", lb.tie_parameter, ""),
    ]:
        if estimate is not None:
            text = f"{label}: {_fmt(estimate.value, 3 if not unit else 1)}{unit}"
            if estimate.lower is not None:
                digits = 3 if not unit else 1
                text += (
                    f" [{_fmt(estimate.lower, digits)}, {_fmt(estimate.upper, digits)}]"
                )
            lines.append(text)
    if len(lb.dropped):
        shown = ", ".join(str(v) for v in lb.dropped[:5].tolist())
        more = f" and {len(lb.dropped) - 5} more" if len(lb.dropped) > 5 else ""
        lines.append(
            f"Left out (outside the largest strongly connected component): "
            f"{shown}{more}."
        )
    return "\n".join(lines)


def _headline(lb):
    s = lb.settings
    text = (
        f"Leaderboard of {plural(s['n_items'], 'item')} from "
        f"{plural(s['n_comparisons'], 'comparison')}"
    )
    if s["ties"] == "half":
        text += " (ties count as half a win)"
    elif s["ties"] in ("davidson", "rao-kupper"):
        text += f" ({s['ties']} tie model)"
    if s["alpha"]:
        text += f", alpha={s['alpha']:g}"
    scale = f"{s['scale']:g} points = {s['base']:g}:1 odds"
    if s["anchor"] is not None:
        scale += f", {s['anchor']} = {s['anchor_rating']:g}"
    else:
        scale += f", average = {s['offset']:g}"
    text += f". Elo scale: {scale}."
    if s["interval"] == "bootstrap":
        text += (
            f" {100 * s['confidence']:g}% bootstrap intervals "
            f"({s['n_bootstrap']:,} resamples)."
        )
    elif s["interval"] in _WALD:
        kind = ""
        sandwich = s.get("sandwich")
        if sandwich and sandwich[0]:  # older boards held a bool
            kind = " (sandwich)"
            if sandwich[1]:
                kind = (
                    f" (sandwich; the inverse Hessian for "
                    f"{plural(sandwich[1], 'item')} linked to the others by ties "
                    "only, or without a finite rating)"
                )
        if s["interval"] == "wald-randomized":
            kind += f" (variances estimated from {s['n_probes']} random probes)"
        text += f" {100 * s['confidence']:g}% Wald intervals{kind}."
    return text


# ---------------------------------------------------------------------------
# The public functions.
# ---------------------------------------------------------------------------


def _warn_no_mle(graph):
    why = graph.message().split(" Either set alpha")[0]
    warnings.warn(
        f"{why} Two ways out: pass alpha > 0 (a Gaussian prior: finite ratings for "
        "every item, shrunk towards the average), or restrict='largest' (rate only "
        "the largest strongly connected component).",
        MLEDoesNotExistWarning,
        # leaderboard() is wrapped by validate_params: one more frame.
        stacklevel=user_stacklevel(),
    )


@validate_params(
    {
        "item_a": ["array-like"],
        "item_b": ["array-like"],
        "outcome": ["array-like", None],
        "sample_weight": ["array-like", None],
        "home_a": ["array-like", None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "ties": [StrOptions({"half", "davidson", "rao-kupper"}), None],
        "interval": [
            StrOptions({"wald", "wald-randomized", "bootstrap", "none"}),
            None,
        ],
        "cov_type": [StrOptions({"auto", "model", "sandwich"})],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "n_bootstrap": [Interval(Integral, 2, None, closed="left")],
        "n_probes": [Interval(Integral, 2, None, closed="left")],
        "scale": [Interval(Real, 0, None, closed="neither")],
        "base": [Interval(Real, 1, None, closed="neither")],
        # (-inf, inf) leaves out NaN and infinities: they would be in every rating.
        "offset": [Interval(Real, None, None, closed="neither")],
        "anchor": "no_validation",
        "anchor_rating": [Interval(Real, None, None, closed="neither"), None],
        "restrict": [StrOptions({"none", "largest"})],
        "random_state": "no_validation",
        "n_jobs": [Integral, None],
        "progress": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def leaderboard(
    item_a,
    item_b,
    outcome=None,
    *,
    sample_weight=None,
    home_a=None,
    alpha=0.0,
    ties=None,
    interval="wald",
    cov_type="auto",
    confidence=0.95,
    n_bootstrap=1000,
    n_probes=32,
    scale=400.0,
    base=10.0,
    offset=1000.0,
    anchor=None,
    anchor_rating=None,
    restrict="none",
    random_state=None,
    n_jobs=None,
    progress=False,
):
    """Rate items from pairwise comparisons: a leaderboard with intervals.

    Fits the Bradley-Terry model ``P(A beats B) = expit(theta_A - theta_B)``
    (plus a home advantage with ``home_a``, and a tie model with ``ties``)
    to the comparisons (after checking that the strengths exist), and reports
    each item's strength on the Elo scale ``rating = offset + scale * theta /
    ln(base)`` with a confidence interval.

    Parameters
    ----------
    item_a, item_b : array-like of shape (n_comparisons,)
        Ids (ints or strings) of the two sides of each comparison: the winner
        and the loser when ``outcome`` is None.
    outcome : array-like of shape (n_comparisons,), default=None
        Result for A: 1 (A won), 0.5 (tie), 0 (B won), or signs 1 / 0 / -1 (as
        the ranker takes them).  None: A won every row.  Words are read too, in
        any case: ``"model_a"``, ``"a"``, ``"win"``, ``"won"`` (A won),
        ``"tie"``, ``"tie (bothbad)"``, ``"draw"``, ``"drawn"`` (tie),
        ``"model_b"``, ``"b"``, ``"loss"``, ``"lost"`` (B won): Chatbot Arena's
        ``winner`` column works as it is.
    sample_weight : array-like of shape (n_comparisons,), default=None
        Count of each comparison (frequency weights; a fraction counts as that
        share of a comparison, in the fit, the Wald intervals and the bootstrap
        alike).
    home_a : array-like of shape (n_comparisons,), default=None
        1 where A played at home, 0 at a neutral venue, -1 where B played at
        home.  Adds a home advantage, estimated with the ratings.  For an LLM
        judge, 1 in every row (A is the answer shown first) makes it the
        judge's position bias; it needs each model on both sides (see
        :func:`swap_pairs`), or it is not identifiable.
    alpha : float, default=0.0
        L2 penalty (precision of a Gaussian prior on the strengths).  0 is the
        maximum-likelihood fit; any ``alpha > 0`` gives finite ratings to every
        item, also those that never lost or never won.
    ties : {"half", "davidson", "rao-kupper"} or None, default=None
        How to treat ties (``outcome == 0.5``): None makes them an error;
        "half" counts a tie as half a win for each side (Chatbot Arena's
        convention); "davidson" and "rao-kupper" fit a tie model with its own
        parameter (see :class:`BradleyTerryRanker`), reported in
        ``Leaderboard.tie_parameter``.  With "half", Wald intervals come
        from the sandwich covariance where it is sound: see ``cov_type``.
    interval : {"wald", "wald-randomized", "bootstrap", "none"} or None, \
            default="wald"
        Intervals from the observed information, from percentiles of
        ``n_bootstrap`` refits on resampled comparisons, or none (None or
        ``"none"``, as the command line's ``--interval none``).  Wald
        intervals need the diagonal of the inverse Hessian, whose cost grows as
        K^3 for K items, and one K x K array (milliseconds for hundreds of
        items; about 15 s on one core and 1.4 GB of memory for 10,000, whose
        fit takes under a second; out of reach for 100,000).
        ``"wald-randomized"`` estimates that diagonal from ``n_probes``
        random probes instead (:func:`standard_errors` with
        ``method="randomized"``): about a second for 10,000 items, 10-15 s
        for 100,000, with standard errors to a percent or so; it warns where an
        estimate is less precise.  The home advantage and the tie parameter
        stay exact.
    cov_type : {"auto", "model", "sandwich"}, default="auto"
        The covariance behind Wald intervals, as in :func:`standard_errors`:
        the inverse Hessian (``"model"``), or for ``ties="half"`` with ties
        the sandwich (``"sandwich"``); ``"auto"`` takes the sandwich for the
        items where it is sound (``alpha=0``; not for an item compared through
        ties only, or without a finite rating).  The headline says which.
    confidence : float, default=0.95
        Coverage of the intervals.
    n_bootstrap : int, default=1000
        Number of resamples with ``interval="bootstrap"``.
    n_probes : int, default=32
        Number of random probes with ``interval="wald-randomized"``.
    scale, base, offset : float, default=400.0, 10.0, 1000.0
        The Elo scale: ``scale`` points mean odds of ``base`` to 1, and the
        average item (or the anchor) is at ``offset``.  All three finite.
    anchor : item id, default=None
        Shift the ratings so that this item has ``anchor_rating``; intervals
        are then relative to it (its own has width zero), and so is
        ``rank_lower``, which compares them: it can differ from the
        unanchored table's.
    anchor_rating : float, default=None
        Rating of the anchor (default ``offset``).
    restrict : {"none", "largest"}, default="none"
        "largest" rates only the items of the largest strongly connected
        component of the comparison graph, where the maximum-likelihood
        ratings exist; the others are listed in ``Leaderboard.dropped``.
    random_state : int, numpy Generator or None, default=None
        Seed of the bootstrap, or of the probes of ``"wald-randomized"``.
    n_jobs : int, default=None
        Processes for the bootstrap refits (joblib).
    progress : bool, default=False
        Report the bootstrap's progress on stderr.

    Returns
    -------
    Leaderboard
        ``.table`` (sorted by rating), ``.model``, ``.graph``,
        ``.home_advantage``, ``.tie_parameter``; ``print`` it for a terminal
        table, ``.plot()`` for a forest plot, ``.to_csv()`` / ``.to_json()``.

    Warns
    -----
    MLEDoesNotExistWarning
        With ``alpha=0`` and ``restrict="none"``, when the comparison graph is
        not strongly connected: the message names the items that never lost
        or never won, whose ratings are then meaningless.  The ratings are
        then centred on the largest strongly connected component (the fit's
        finite values of the other items are arbitrary and would move every
        rating), and the other items are rated at their limit: ``inf`` above
        it, ``-inf`` below, ``nan`` when never compared with it, with
        intervals ``[-inf, inf]``.  Items rated ``inf`` (or ``-inf``) are
        ranked among themselves as the fit places them: an item that lost to
        another ranks below it.

    See Also
    --------
    leaderboard_from_win_matrix : The same from a K x K matrix of win counts.
    standard_errors : Standard errors of any fitted model.
    bootstrap : Bootstrap samples of any fitted model.

    Notes
    -----
    Wald intervals are ``rating +- z * se`` with ``se`` from the inverse of
    the observed Fisher information: of the sum-to-zero strengths, or of the
    differences to the anchor.  Bootstrap intervals are percentiles of the
    ratings refitted on resampled comparisons: the resample is drawn as
    multinomial counts over the distinct (pair, home, outcome) cells, and each
    refit starts from the full-data solution, so a thousand resamples of
    arena-sized data take seconds to tens of seconds (150 models and 3e6
    battles: some 9 s; 300 models: some 20 s, on one core).  A resample in
    which some item has only wins or only losses has no finite
    maximum-likelihood ratings: with
    ``alpha=0`` it is refitted with ``alpha=1e-3``, which leaves the other
    items in place and gives that item a far-out rating, and
    ``bootstrap_unbounded`` counts such resamples per item; an item for which
    this happens often has a meaningless interval -- use ``alpha > 0``.

    Examples
    --------
    >>> from sklearn_bt import leaderboard
    >>> winners = ["ann", "ann", "bob", "cid", "ann", "bob", "cid", "bob"]
    >>> losers = ["bob", "cid", "cid", "ann", "bob", "ann", "bob", "cid"]
    >>> board = leaderboard(winners, losers)
    >>> print(board)  # doctest: +NORMALIZE_WHITESPACE
    Leaderboard of 3 items from 8 comparisons. Elo scale: 400 points = 10:1 odds,
    average = 1000. 95% Wald intervals.
    rank  item   rating      95% interval  rank_lower  comparisons  W-L-T
       1  ann   1,050.6  [841.3, 1,259.9]           1            5  3-2-0
       2  bob   1,000.0  [812.7, 1,187.3]           1            6  3-3-0
       3  cid     949.4  [740.1, 1,158.7]           1            5  2-3-0
    """
    interval = None if interval == "none" else interval
    records = _records(item_a, item_b, outcome, sample_weight, home_a, ties)
    full_graph = records.graph()
    records, graph, dropped = _restrict(records, full_graph, restrict)
    items = graph.items
    no_mle = alpha == 0 and not graph.mle_exists
    if no_mle:
        _warn_no_mle(graph)
    if anchor is not None:
        anchor = items[_position_of(items, anchor, "anchor")]
        anchor_rating = offset if anchor_rating is None else float(anchor_rating)
    elif anchor_rating is not None:
        raise ValueError(
            "anchor_rating is set but anchor is None; name the item that should have "
            "this rating with anchor=..., or shift every rating with offset=...."
        )

    unique, counts = _aggregate(records, items)
    with_home = records.home is not None
    X, y, weight = _pair_rows(items, unique, counts, with_home)
    model = _make_model(items, alpha, ties, with_home, hasattr(X, "iloc"))
    _fit_model(model, X, y, weight, quiet=no_mle)
    # Without an MLE only the largest strongly connected component's
    # strengths are bounded.
    bounded = np.isin(items, graph.largest_component) if no_mle else None
    if bounded is not None and anchor is not None and not bounded[items == anchor][0]:
        raise ValueError(
            f"anchor {_plain(anchor)!r} is outside the largest strongly connected "
            "component "
            "of the comparison graph: without a finite maximum-likelihood estimate "
            "its rating against the others is infinite or undefined, and cannot "
            f"anchor them. Anchor an item of that component (such as "
            f"{_plain(graph.largest_component[0])!r}), pass restrict='largest', or set "
            "alpha > 0."
        )
    fit = _Fit(model, anchor, _elo_factor(scale, base), with_home, bounded)
    ratings = (offset if anchor is None else anchor_rating) + fit.factor * fit.items
    strengths = fit.centred[: fit.k]
    limit_order = None
    if bounded is not None:
        # The fit's finite values of the others are arbitrary: their
        # maximum-likelihood ratings are +-inf, or have no limit (NaN).  They
        # only order the items that share an infinite rating.
        limit = graph._limit_against_largest
        limit_order = np.where(np.isinf(limit), ratings, 0.0)
        ratings = np.where(bounded, ratings, limit)
        strengths = np.where(bounded, strengths, limit)

    columns = {"item": items, "strength": strengths, "rating": ratings}
    boot_ratings = boot_unbounded = None
    if interval in _WALD:
        probes = None
        if interval == "wald-randomized":
            probes = _Probes(n_probes, random_state)
        intervals = _wald_intervals(fit, confidence, cov_type, probes, items)
    elif interval == "bootstrap":
        problem = _bootstrap_problem(model, fit.structure, unique, counts, with_home)
        samples, flags = _run_bootstrap(
            problem, n_bootstrap, random_state, n_jobs, progress
        )
        samples = fit.param.apply(samples)
        if anchor is None:
            centre_on_bounded_items(samples[:, : fit.k], fit.items, flags)
        intervals = _bootstrap_intervals(fit, samples, confidence)
        boot_ratings = ratings + intervals.pop("shifts")
        boot_unbounded = flags.sum(axis=0)
        if alpha == 0:
            _warn_unbounded(boot_unbounded, items, n_bootstrap, confidence)
    else:
        intervals = {"home": fit.home_estimate(), "tie": fit.tie_estimate(ties)}
    home, tie = intervals.pop("home"), intervals.pop("tie")
    if with_home and alpha == 0 and not _home_identified(fit, interval, home):
        warnings.warn(
            "The home advantage is not identifiable from these comparisons (its "
            "interval is infinite): the sides follow the items, e.g. every item "
            "plays only at home or only away (an LLM judge shown each model on "
            "one side only), so the advantage and the ratings trade off exactly. "
            "The ratings and the advantage are arbitrary. Put items on both sides "
            "(see swap_pairs), leave home_a out, or set alpha > 0.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if interval is not None:
        columns["se"] = intervals["se"]
        with np.errstate(invalid="ignore"):  # inf - inf: set just below
            columns["lower"] = ratings + intervals["lower"]
            columns["upper"] = ratings + intervals["upper"]
        if bounded is not None:
            # Their maximum-likelihood ratings are infinite: so are the bounds.
            for name, value in (("se", np.inf), ("lower", -np.inf), ("upper", np.inf)):
                columns[name] = np.where(bounded, columns[name], value)
        columns["rank_lower"] = _interval_ranks(columns["lower"], columns["upper"])
    columns["rank"] = _ranks(ratings, limit_order)
    columns.update(
        comparisons=graph.comparisons,
        wins=graph.wins,
        losses=graph.losses,
        ties=graph.ties,
    )

    names = np.asarray([str(v) for v in items.tolist()])
    if limit_order is None:
        order = np.lexsort((names, -ratings))
    else:
        order = np.lexsort((names, -limit_order, -ratings))
    columns = {name: columns[name][order] for name in _COLUMNS if name in columns}
    if boot_ratings is not None:
        boot_ratings, boot_unbounded = boot_ratings[:, order], boot_unbounded[order]
    settings = {
        "n_items": fit.k,
        "n_comparisons": float(graph.n_comparisons),
        "alpha": float(alpha),
        "ties": ties,
        "interval": interval,
        # How many ratings take the sandwich variance, and how many not.
        "sandwich": _sandwich_counts(fit, cov_type, interval),
        "confidence": float(confidence),
        "n_bootstrap": int(n_bootstrap) if interval == "bootstrap" else None,
        "n_probes": int(n_probes) if interval == "wald-randomized" else None,
        "scale": float(scale),
        "base": float(base),
        "offset": float(offset),
        "anchor": _plain(anchor),
        "anchor_rating": anchor_rating,
        "restrict": restrict,
    }
    return Leaderboard(
        columns,
        model=model,
        graph=full_graph,
        dropped=dropped,
        home_advantage=home,
        tie_parameter=tie,
        bootstrap_ratings=boot_ratings,
        bootstrap_unbounded=boot_unbounded,
        settings=settings,
    )


def _restrict(records, full_graph, restrict):
    """The records to rate, their graph, and the items left out."""
    if restrict == "none":
        return records, full_graph, full_graph.items[:0]
    mask = restrict_to_largest_component(
        records.winners,
        records.losers,
        ties=records.is_tie,
        sample_weight=records.weight,
    )
    if not mask.any():
        raise ValueError(
            "restrict='largest' leaves no comparison: no two items beat each other "
            "in a cycle (every strongly connected component is a single item). Use "
            "alpha > 0 instead."
        )
    kept = set(full_graph.largest_component.tolist())
    dropped = np.asarray(
        [item for item in full_graph.items.tolist() if item not in kept],
        dtype=full_graph.items.dtype,
    )
    records = records.subset(mask)
    return records, records.graph(), dropped


class _Fit:
    """The fitted parameters in the leaderboard's parameterisation.

    ``values`` are the parameters with item strengths relative to the anchor
    (or centred): the item block first, then the home advantage, then the tie
    parameter on its internal scale.
    """

    def __init__(self, model, anchor, factor, with_home, bounded=None):
        self.structure = _structure(model)
        # Item strengths come first; the home advantage is the next coefficient.
        self.k = self.structure.n_coef - int(with_home)
        raw = _parameter_vector(self.structure)
        # Without an MLE, centre on the items whose strengths are bounded: the
        # others' finite values are arbitrary, and would move every rating.
        centre_on = None
        if bounded is not None:
            centre_on = np.zeros(self.structure.n_params, dtype=bool)
            centre_on[: self.k] = bounded
        self.param = _parameterisation(self.structure, anchor, centre_on)
        self.values = self.param.apply(raw)
        self.centred = _parameterisation(self.structure, None, centre_on).apply(raw)
        self.factor = factor
        self.with_home = with_home
        self.bounded = bounded

    @property
    def items(self):
        return self.values[: self.k]

    def home_estimate(self, lower=None, upper=None):
        """The home advantage in rating points (bounds as offsets in logits)."""
        if not self.with_home:
            return None
        value = self.values[self.k]
        bounds = [None, None] if lower is None else [lower, upper]
        return Estimate(
            float(self.factor * value),
            *(None if b is None else float(self.factor * b) for b in bounds),
        )

    def tie_estimate(self, ties, lower=None, upper=None):
        """The tie parameter on its natural scale (bounds on the internal one)."""
        if not self.structure.n_extra:
            return None
        natural = _TIE_SCALE[ties]
        bounds = [None, None] if lower is None else [lower, upper]
        return Estimate(
            float(natural(self.values[-1])),
            *(None if b is None else float(natural(b)) for b in bounds),
        )


def _home_identified(fit, interval, home):
    """Whether the home advantage has a finite variance (from the Wald
    interval when there is one, else from one solve with the Hessian)."""
    if interval in _WALD:
        return bool(np.isfinite(home.upper))
    param = fit.param
    position = np.array([fit.k])
    ginv = _ginverse(fit.structure, param, "model", position)
    return bool(_estimable(ginv, param, position)[0])


def _sandwich_counts(fit, cov_type, interval):
    """``[sandwich, model-based]`` counts of the items' Wald intervals, or None."""
    if interval not in _WALD:
        return None
    sound = sandwich_params(fit.structure.ranker, cov_type)
    if sound.any():
        sound = fit.param.contrasts_sound(np.arange(fit.k), sound)
    if not sound.any():
        return None
    return [int(sound.sum()), int(fit.k - sound.sum())]


_WALD = ("wald", "wald-randomized")


def _wald_intervals(fit, confidence, cov_type, probes=None, items=None):
    """Standard errors and interval offsets of the ratings, from the Hessian
    (the items' variances randomized estimates with ``probes``; ``items``
    names them in its warning)."""
    z = norm.ppf(0.5 + confidence / 2)
    if probes is None:
        warn_if_exact_is_slow(fit.structure.ranker, 'interval="wald-randomized"')
    var, estimable = _variances(fit.structure, fit.param, cov_type, probes)
    if probes is not None:
        rated = np.zeros(len(var), dtype=bool)
        rated[: fit.k] = True
        if fit.bounded is not None:
            rated[: fit.k] = fit.bounded  # the others' intervals are infinite
        names = np.concatenate(
            [np.asarray(items, dtype=object), fit.structure.names[fit.k :]]
        )
        warn_if_imprecise(probes, names, estimable & rated, 'interval="wald"')
    se = np.sqrt(var)
    k, ties = fit.k, fit.structure.ranker.ties
    home = tie = None
    if fit.with_home:
        h, half = fit.values[k], z * se[k]
        home = fit.home_estimate(h - half, h + half)
    if fit.structure.n_extra:
        x, half = fit.values[-1], z * se[-1]
        tie = fit.tie_estimate(ties, x - half, x + half)
    rating_se = fit.factor * se[:k]
    return {
        "se": rating_se,
        "lower": -z * rating_se,
        "upper": z * rating_se,
        "home": home,
        "tie": tie,
    }


def _bootstrap_intervals(fit, samples, confidence):
    """Percentile intervals (as offsets from the ratings) from bootstrap samples."""
    k, ties = fit.k, fit.structure.ranker.ties
    lo, hi = 50 * (1 - confidence), 50 * (1 + confidence)
    shifts = fit.factor * (samples[:, :k] - fit.items)
    lower, upper = np.percentile(shifts, [lo, hi], axis=0)
    home = tie = None
    if fit.with_home:
        home = fit.home_estimate(*np.percentile(samples[:, k], [lo, hi]))
    if fit.structure.n_extra:
        tie = fit.tie_estimate(ties, *np.percentile(samples[:, -1], [lo, hi]))
    return {
        "se": shifts.std(axis=0, ddof=1),
        "lower": lower,
        "upper": upper,
        "home": home,
        "tie": tie,
        "shifts": shifts,
    }


def _warn_unbounded(unbounded, items, n_bootstrap, confidence):
    """Warn about items whose interval rests on resamples without a finite MLE."""
    tail = (1 - confidence) / 2
    frequent = unbounded > tail * n_bootstrap
    if frequent.any():
        shown = np.flatnonzero(frequent)[:5]
        names = ", ".join(
            f"{items[i]} in {100 * unbounded[i] / n_bootstrap:.3g}%" for i in shown
        )
        more = f" and {frequent.sum() - 5} more" if frequent.sum() > 5 else ""
        warnings.warn(
            f"{plural(frequent.sum(), 'item')} fell outside the largest strongly "
            f"connected part of the comparison graph (only wins or only losses, "
            f"or no comparison drawn) in more than {100 * tail:g}% of the "
            f"resamples ({names}{more}): their bootstrap intervals reach the "
            f"far-out ratings of refits with alpha={BOOTSTRAP_SEPARATION_ALPHA:g} "
            "and mean little. They have too few comparisons; pass alpha > 0 to "
            "shrink them towards the average.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def leaderboard_from_win_matrix(W, items=None, **kwargs):
    """A leaderboard from a K x K matrix of win counts.

    ``W[i, j]`` is the number of times item i beat item j, the textbook form
    of paired-comparison data.  The result equals :func:`leaderboard` on one
    winner/loser row per non-zero count, weighted by the count.

    Parameters
    ----------
    W : {array-like, sparse matrix, DataFrame} of shape (n_items, n_items)
        Win counts: finite, non-negative, zero diagonal.  A DataFrame gives
        the item labels in its index (equal to its columns).
    items : array-like of shape (n_items,), default=None
        Item labels; default ``0, ..., n_items - 1`` (or the DataFrame's
        index).
    **kwargs
        Any keyword argument of :func:`leaderboard` except ``outcome``,
        ``sample_weight`` and ``home_a`` (a win matrix has no ties or venues).

    Returns
    -------
    Leaderboard

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt import leaderboard_from_win_matrix
    >>> W = np.array([[0, 7, 6], [3, 0, 5], [4, 5, 0]])
    >>> board = leaderboard_from_win_matrix(W, items=["ann", "bob", "cid"])
    >>> board.to_frame()[["item", "rating", "wins", "losses"]].round(1)
      item  rating  wins  losses
    0  ann  1071.8  13.0     7.0
    1  cid   976.1   9.0    11.0
    2  bob   952.2   8.0    12.0
    """
    for name in ("outcome", "sample_weight", "home_a"):
        if name in kwargs:
            raise ValueError(
                f"{name} cannot be combined with a win matrix: W already holds the "
                "counts of every (winner, loser) pair. Use leaderboard() on the "
                "comparison rows instead."
            )
    X, weights = pairs_from_win_matrix(W, items)
    if len(X) == 0:
        raise ValueError("W holds no win: every count is zero.")
    _warn_unplayed(_validate_win_matrix(W, items)[1], X)
    return leaderboard(X[:, 0], X[:, 1], sample_weight=weights, **kwargs)


def _warn_unplayed(items, X):
    """Say which items of a win matrix have no comparison: they are not ranked."""
    unplayed = items[~np.isin(items, X.ravel())]
    if len(unplayed):
        shown = ", ".join(str(v) for v in unplayed[:5].tolist())
        more = f" and {len(unplayed) - 5} more" if len(unplayed) > 5 else ""
        warnings.warn(
            f"{plural(len(unplayed), 'item')} of W without a comparison (no win, "
            f"no loss: {shown}{more}): nothing estimates their rating, so the "
            "leaderboard leaves them out.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _write_text(text, path_or_buf):
    """Return ``text`` (``path_or_buf=None``), or write it to a file or a path."""
    if path_or_buf is None:
        return text
    if hasattr(path_or_buf, "write"):
        path_or_buf.write(text)
    elif isinstance(path_or_buf, str | os.PathLike):
        with open(path_or_buf, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    else:
        # open() takes an int as a file descriptor, and closes it afterwards:
        # to_csv(1) closed the caller's stdout.
        raise TypeError(
            f"path_or_buf must be a path (str or os.PathLike), an object with a "
            f"write method, or None; got {type(path_or_buf).__name__}."
        )
    return None
