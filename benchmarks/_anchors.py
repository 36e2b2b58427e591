"""The entries of the benchmark: ours, the anchors, the reference and the floor.

Each entry's ``fit`` is what gets timed, and it starts from the data as a user
holds it (``wl.winners``/``wl.losers`` ids, or ``wl.X``/``wl.y``): every
conversion the user must do (id encoding, list of tuples, count matrix, ±1
design, aggregation, differencing) happens inside it. ``params`` runs after
the timing and maps the output to the workload's canonical parameters (theta
in sorted-id order, or ``w``) for the shared log-likelihood.

``wl.contiguous_ids`` tells an entry that integer ids are exactly ``0..K-1``
and may be used as indices without encoding (what a user who knows that does).

``wl.ties`` marks draws (None: every row is decided, winner first). Every
entry counts a draw as half a win for each side: ours by ``ties="half"``,
evalica by ``Winner.Draw``, the others by splitting the draw into two wins of
weight 0.5 (``ordered_pair_weights``). The entries that take a list of
(winner, loser) pairs, which has no weights, do not apply then.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from _exact import floor_gradient, pair_differences, reference_features, reference_items
from _workloads import ordered_pair_weights


@dataclass
class Entry:
    """One competitor: a timed ``fit`` and an untimed ``params`` extraction."""

    name: str
    role: str  # "ours", "anchor", "reference" or "floor"
    kind: str  # "items" or "features"
    fit: Callable[[Any], Any]
    params: Callable[[Any, Any], Any] | None
    modules: tuple[str, ...] = ()  # imported before the timing starts
    not_applicable: Callable[[Any], str | None] = lambda wl: None
    predict_seconds: Callable[[Any], float] | None = None


# --------------------------------------------------------------------------
# Conversions a user must do (all run inside the timing)
# --------------------------------------------------------------------------
def encode_ids(wl):
    """Integer indices for winner/loser ids; returns (w_idx, l_idx, item_ids).

    Hash-based ``pandas.factorize`` (O(N)), not sort-based ``np.unique``:
    on 6e6 Python strings the latter takes ~5 s, which would be charged to the
    anchors for a choice of idiom rather than for their algorithm.
    """
    if wl.contiguous_ids:
        n_items = int(max(wl.winners.max(), wl.losers.max())) + 1
        return wl.winners, wl.losers, np.arange(n_items)
    import pandas as pd

    if isinstance(wl.winners, np.ndarray):
        both = np.concatenate([wl.winners, wl.losers])
    else:  # pandas columns: factorised by pandas (categorical codes, Arrow hashing)
        both = pd.concat([wl.winners, wl.losers], ignore_index=True)
    codes, items = pd.factorize(both)
    n = len(wl.winners)
    return codes[:n], codes[n:], np.asarray(items)


def _choix_data(wl):
    w, los, items = encode_ids(wl)
    # choix's documented input: a sequence of (winner, loser) Python int pairs.
    return list(zip(w.tolist(), los.tolist(), strict=True)), items


def _alternate_signs(n):
    """+1, -1, +1, ...: flipping every other row gives both labels."""
    return np.where(np.arange(n) % 2 == 0, 1.0, -1.0)


def _pm_design(pos, neg, sign, n_items):
    """Sparse rows with ``sign`` at column ``pos`` and ``-sign`` at ``neg``."""
    n = len(pos)
    data = np.column_stack([sign, -sign]).ravel()
    indices = np.column_stack([pos, neg]).ravel()
    return sp.csr_matrix(
        (data, indices, np.arange(0, 2 * n + 1, 2)), shape=(n, n_items)
    )


def _to_canonical(wl, ids, values):
    """Reorder per-item ``values`` (aligned with ``ids``) to ``wl.items``."""
    import pandas as pd

    values = np.asarray(values, dtype=np.float64)
    pos = pd.Index(ids).get_indexer(wl.items)
    out = np.where(pos >= 0, values[pos], np.nan)
    return out - np.nanmean(out)


# --------------------------------------------------------------------------
# Items: anchors
# --------------------------------------------------------------------------
def _choix_ilsr(wl):
    import choix

    data, items = _choix_data(wl)
    return items, choix.ilsr_pairwise(len(items), data)


def _choix_ilsr_dense(wl):
    import choix

    w, los, items = encode_ids(wl)
    w, los, weight = ordered_pair_weights(w, los, wl.ties)
    counts = np.zeros((len(items), len(items)))
    np.add.at(counts, (w, los), weight)
    return items, choix.ilsr_pairwise_dense(counts)


def _choix_mm(wl):
    import choix

    data, items = _choix_data(wl)
    return items, choix.mm_pairwise(len(items), data)


def _choix_opt(wl):
    import choix

    data, items = _choix_data(wl)
    return items, choix.opt_pairwise(len(items), data)


def _evalica(wl):
    import evalica

    n = len(wl.winners)
    if wl.ties is None:
        outcomes = [evalica.Winner.X] * n
    else:  # evalica's documented input: a list of Winner values
        outcomes = np.where(wl.ties, evalica.Winner.Draw, evalica.Winner.X).tolist()
    return evalica.bradley_terry(wl.winners, wl.losers, outcomes)


def _evalica_params(wl, result):
    notes = []
    if result.iterations >= result.limit:
        notes.append(f"evalica stopped at limit={result.limit} iterations")
    theta = _to_canonical(wl, result.scores.index, np.log(result.scores.to_numpy()))
    return theta, notes


def _lr_items():
    from sklearn.linear_model import LogisticRegression

    # The Chatbot Arena settings: no intercept, no penalty, tol=1e-6.
    # (penalty=None is deprecated in scikit-learn 1.8+; C=inf is its spelling.)
    return LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-6)


def _lr_rows(wl):
    w, los, items = encode_ids(wl)
    w, los, weight = ordered_pair_weights(w, los, wl.ties)
    sign = _alternate_signs(len(w))
    X = _pm_design(w, los, sign, len(items))
    # Without draws every weight is 1: fitted without sample_weight, as a
    # user would.
    weight = None if wl.ties is None else weight
    return items, _lr_items().fit(X, (sign > 0).astype(np.int64), sample_weight=weight)


def _lr_aggregated(wl):
    w, los, items = encode_ids(wl)
    w, los, weight = ordered_pair_weights(w, los, wl.ties)
    k = len(items)
    lo, hi = np.minimum(w, los), np.maximum(w, los)
    # One row per (unordered pair, outcome) with its count as sample weight.
    key, position = np.unique((lo * k + hi) * 2 + (w == lo), return_inverse=True)
    count = np.bincount(position, weight, len(key))
    pair, label = key // 2, key % 2
    X = _pm_design(pair // k, pair % k, np.ones(len(key)), k)
    return items, _lr_items().fit(X, label, sample_weight=count)


def _lr_items_params(wl, out):
    items, model = out
    return _to_canonical(wl, items, model.coef_.ravel())


def _bt_loss_and_grad(ratings, matchups, outcomes, weights):
    """Chatbot Arena's objective on aggregated matchups (natural-log scale)."""
    from scipy.special import expit

    probs = expit(ratings[matchups[:, 0]] - ratings[matchups[:, 1]])
    loss = -(
        (np.log(probs) * outcomes + np.log(1.0 - probs) * (1.0 - outcomes)) * weights
    ).sum()
    pair_grad = -(outcomes - probs) * weights
    grad = np.zeros_like(ratings)
    np.add.at(grad, matchups, pair_grad[:, None] * np.array([1.0, -1.0]))
    return loss, grad


def _scipy_lbfgs(wl):
    from scipy.optimize import minimize

    w, los, items = encode_ids(wl)
    k = len(items)
    key, count = _ordered_pair_counts(w, los, wl.ties, k)
    matchups = np.column_stack([key // k, key % k])
    outcomes = np.ones(len(key))
    result = minimize(
        _bt_loss_and_grad,
        np.zeros(k),
        args=(matchups, outcomes, count),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 100, "gtol": 1e-6},
    )
    if not result.success:
        warnings.warn(f"L-BFGS-B: {result.message}", RuntimeWarning, stacklevel=1)
    return items, result.x


def _ordered_pair_counts(w, los, ties, n_items):
    """Unique ``winner * K + loser`` keys and their summed weights (draws: 0.5)."""
    w, los, weight = ordered_pair_weights(w, los, ties)
    key, position = np.unique(w * n_items + los, return_inverse=True)
    return key, np.bincount(position, weight, len(key))


def _pairs_params(wl, out):
    items, theta = out
    return _to_canonical(wl, items, theta)


# --------------------------------------------------------------------------
# Items: ours, reference, floor
# --------------------------------------------------------------------------
def _id_pairs(wl):
    """The ids as a Pipeline takes them: an (n, 2) array, or the pandas DataFrame."""
    if isinstance(wl.winners, np.ndarray):
        return np.column_stack([wl.winners, wl.losers])
    import pandas as pd

    return pd.concat([wl.winners, wl.losers], axis=1)


def _ours_items(wl):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from sklearn_bt import PairTransformer

    X_ids = _id_pairs(wl)
    pipe = make_pipeline(PairTransformer(OneHotEncoder()), _ours_ranker(wl))
    return pipe.fit(X_ids, _ours_outcomes(wl))


def _ours_ranker(wl):
    from sklearn_bt import BradleyTerryRanker

    return BradleyTerryRanker(alpha=0.0, ties=None if wl.ties is None else "half")


def _ours_outcomes(wl):
    """y: 1 for every row (winner first), 0.5 for a draw.

    Without draws it is made inside the timing, as a user with winner/loser
    columns makes it; with draws it is the user's own outcome column.
    """
    return np.ones(len(wl.winners)) if wl.ties is None else wl.outcomes


def _ours_items_params(wl, pipe):
    return _to_canonical(wl, pipe[0].transformer_.categories_[0], pipe[-1].coef_)


def _ours_aggregated(wl):
    """The Pipeline after ``aggregate_pairs``: repeated comparisons as weights."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from sklearn_bt import PairTransformer, aggregate_pairs

    X_ids = _id_pairs(wl)
    X_unique, y_unique, counts = aggregate_pairs(X_ids, _ours_outcomes(wl))
    pipe = make_pipeline(PairTransformer(OneHotEncoder()), _ours_ranker(wl))
    return pipe.fit(X_unique, y_unique, bradleyterryranker__sample_weight=counts)


def _ours_leaderboard(wl):
    """The one-call path of a leaderboard user: ids in, ratings with Wald intervals out.

    It does more than a fit (standard errors of every item, ranks), and
    aggregates duplicate comparisons before fitting.
    """
    from sklearn_bt import leaderboard

    if wl.ties is None:
        return leaderboard(wl.winners, wl.losers)
    return leaderboard(wl.winners, wl.losers, wl.outcomes, ties="half")


def _ours_leaderboard_randomized(wl):
    """``leaderboard()`` with Wald intervals from randomized variance estimates.

    What a user with tens of thousands of items runs: the exact diagonal of
    the inverse Hessian is cubic in the items.
    """
    from sklearn_bt import leaderboard

    kwargs = dict(interval="wald-randomized", random_state=0)
    if wl.ties is None:
        return leaderboard(wl.winners, wl.losers, **kwargs)
    return leaderboard(wl.winners, wl.losers, wl.outcomes, ties="half", **kwargs)


def _ours_leaderboard_params(wl, board):
    return _ours_items_params(wl, board.model)


def _reference_items(wl):
    w, los, items = encode_ids(wl)
    k = len(items)
    key, count = _ordered_pair_counts(w, los, wl.ties, k)
    return items, reference_items(key // k, key % k, count, k)


def _floor(wl):
    n_params = wl.n_items if wl.kind == "items" else wl.n_features
    return floor_gradient(wl, np.zeros(n_params))


# --------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------
def _differences_and_labels(wl):
    """``x_A - x_B`` and y; with one label, flip every other row's sign."""
    D, y = pair_differences(wl.X), wl.y
    if np.all(y == y[0]):
        sign = _alternate_signs(len(y))
        D = sp.diags(sign) @ D if sp.issparse(D) else D * sign[:, None]
        y = np.where(sign > 0, y, 1.0 - y)
    return D, y


def _C(alpha):
    return np.inf if alpha == 0 else 1.0 / alpha


def _lr_features(solver):
    def fit(wl):
        from sklearn.linear_model import LogisticRegression

        D, y = _differences_and_labels(wl)
        model = LogisticRegression(fit_intercept=False, C=_C(wl.alpha), solver=solver)
        return model.fit(D, y)

    return fit


def _statsmodels_logit(wl):
    import statsmodels.api as sm

    D, y = _differences_and_labels(wl)
    return sm.Logit(y, D).fit(disp=0)


def _statsmodels_not_applicable(wl):
    if wl.alpha != 0:
        return "n/a: Logit has no L2 penalty"
    if sp.issparse(wl.X):
        return "n/a: Logit needs a dense design"
    return None


def _ours_features(wl):
    from sklearn_bt import BradleyTerryRanker

    return BradleyTerryRanker(alpha=wl.alpha).fit(wl.X, wl.y)


def _coef(wl, model):
    return np.ravel(model.coef_)


# --------------------------------------------------------------------------
# Up-front time predictions for the pure-Python choix solvers (seconds on
# one core, measured on this project's 2-core machine; deliberately rough):
# a per-comparison Python loop per iteration, plus a dense K x K LU per
# I-LSR iteration.
# --------------------------------------------------------------------------
def _lu_seconds(k):
    return 2e-2 * (k / 1000) ** 3


def _wins_only(wl):
    """Why a list-of-pairs choix entry cannot take ``wl``, or None if it can."""
    if wl.ties is not None:
        return "n/a: takes (winner, loser) pairs, no draws or weights"
    return None


def _predict_ilsr(wl):
    return 10 * (6e-7 * wl.n_comparisons + _lu_seconds(wl.n_items))


def _predict_ilsr_dense(wl):
    return 2e-6 * wl.n_comparisons + 10 * (
        _lu_seconds(wl.n_items) + 3e-8 * wl.n_items**2
    )


def _predict_mm(wl):
    return 8e-5 * wl.n_comparisons


def _predict_opt(wl):
    return 1e-4 * wl.n_comparisons + 10 * 1e-8 * wl.n_items**2


ENTRIES = [
    # items
    Entry("ours", "ours", "items", _ours_items, _ours_items_params, ("sklearn_bt",)),
    Entry(
        "ours aggregate_pairs + pipeline",
        "ours",
        "items",
        _ours_aggregated,
        _ours_items_params,
        ("sklearn_bt",),
    ),
    Entry(
        "ours leaderboard() with intervals",
        "ours",
        "items",
        _ours_leaderboard,
        _ours_leaderboard_params,
        ("sklearn_bt",),
    ),
    Entry(
        "ours leaderboard() randomized intervals",
        "ours",
        "items",
        _ours_leaderboard_randomized,
        _ours_leaderboard_params,
        ("sklearn_bt",),
    ),
    Entry(
        "choix.ilsr_pairwise",
        "anchor",
        "items",
        _choix_ilsr,
        _pairs_params,
        ("choix", "pandas"),
        not_applicable=_wins_only,
        predict_seconds=_predict_ilsr,
    ),
    Entry(
        "choix.ilsr_pairwise_dense",
        "anchor",
        "items",
        _choix_ilsr_dense,
        _pairs_params,
        ("choix", "pandas"),
        predict_seconds=_predict_ilsr_dense,
    ),
    Entry(
        "choix.mm_pairwise",
        "anchor",
        "items",
        _choix_mm,
        _pairs_params,
        ("choix", "pandas"),
        not_applicable=_wins_only,
        predict_seconds=_predict_mm,
    ),
    Entry(
        "choix.opt_pairwise",
        "anchor",
        "items",
        _choix_opt,
        _pairs_params,
        ("choix", "pandas"),
        not_applicable=_wins_only,
        predict_seconds=_predict_opt,
    ),
    Entry(
        "evalica.bradley_terry",
        "anchor",
        "items",
        _evalica,
        _evalica_params,
        ("evalica", "pandas"),
    ),
    Entry(
        "LogisticRegression ±1 rows",
        "anchor",
        "items",
        _lr_rows,
        _lr_items_params,
        ("sklearn.linear_model", "pandas"),
    ),
    Entry(
        "LogisticRegression ±1 aggregated",
        "anchor",
        "items",
        _lr_aggregated,
        _lr_items_params,
        ("sklearn.linear_model", "pandas"),
    ),
    Entry(
        "scipy L-BFGS-B aggregated",
        "anchor",
        "items",
        _scipy_lbfgs,
        _pairs_params,
        ("scipy.optimize", "pandas"),
    ),
    Entry(
        "reference Newton",
        "reference",
        "items",
        _reference_items,
        _pairs_params,
        ("pandas",),
    ),
    Entry("floor (1 gradient pass)", "floor", "items", _floor, None),
    # features
    Entry("ours", "ours", "features", _ours_features, _coef, ("sklearn_bt",)),
    Entry(
        "LogisticRegression lbfgs (diff)",
        "anchor",
        "features",
        _lr_features("lbfgs"),
        _coef,
        ("sklearn.linear_model",),
    ),
    Entry(
        "LogisticRegression newton-cholesky (diff)",
        "anchor",
        "features",
        _lr_features("newton-cholesky"),
        _coef,
        ("sklearn.linear_model",),
    ),
    Entry(
        "statsmodels Logit (diff)",
        "anchor",
        "features",
        _statsmodels_logit,
        lambda wl, res: np.asarray(res.params),
        ("statsmodels.api",),
        not_applicable=_statsmodels_not_applicable,
    ),
    Entry(
        "reference Newton",
        "reference",
        "features",
        lambda wl: reference_features(wl.X, wl.y, wl.alpha),
        lambda wl, w: w,
    ),
    Entry("floor (1 gradient pass)", "floor", "features", _floor, None),
]


def entries_for(kind, names=None):
    """Entries for a workload kind, optionally only those named in ``names``."""
    chosen = [e for e in ENTRIES if e.kind == kind]
    if names:
        chosen = [e for e in chosen if e.name in names or e.role in ("floor",)]
    return chosen


def get_entry(kind, name):
    for entry in ENTRIES:
        if entry.kind == kind and entry.name == name:
            return entry
    raise KeyError(f"no {kind} entry named {name!r}")
