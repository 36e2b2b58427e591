"""Scoring: a log-loss scorer for winner/loser data, random swaps, and the
utilities of single items through a Pipeline."""

import copy
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils._metadata_requests import _routing_enabled
from sklearn.utils.metadata_routing import UNCHANGED, MetadataRequest
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from ._uncertainty import _unwrap


class _PairwiseLogLossScorer:
    """Negative mean log-loss of pairwise predictions, usable as ``scoring=``.

    scikit-learn's stock ``"neg_log_loss"`` scorer infers the labels from
    ``y_true``, so it fails on winner/loser data, where every outcome is "A
    won".  This scorer reads the labels from the fitted ``estimator.classes_``
    instead, so it works on folds with a single label.  Higher is better, as for
    every scorer.

    A model fitted with ``ties="half"`` knows two classes, yet its likelihood
    counts a tie as half a win for each side; a tie in ``y`` (0.5 next to
    outcome scores, 0 next to signs, or the middle of three labels seen in
    the fit) scores likewise, ``(log P(A won) + log P(B won)) / 2``, so that
    cross-validation scores the model by the likelihood it maximises.

    Parameters
    ----------
    estimator : fitted classifier or Pipeline with ``predict_proba`` and ``classes_``
        The model to score.
    X : {array-like, sparse matrix} of shape (n_pairs, n_features)
        Pair rows.
    y : array-like of shape (n_pairs,)
        Observed outcomes, labels from ``estimator.classes_``.
    sample_weight : array-like of shape (n_pairs,), default=None
        Frequency weights.

    Returns
    -------
    float
        Minus the (weighted) mean of ``-log P(observed outcome)``.

    Notes
    -----
    **Scores across tie models.**  On data with ties, the score of a
    ``ties="half"`` model is that of a quasi-likelihood and cannot be
    compared with the score of a tie model (``"davidson"``,
    ``"rao-kupper"``), which pays ``log P(tie)`` for a tie: a half-win tie
    scores about ``log(1/2)``, a modelled one typically less, so a search over
    ``ties`` that includes ``"half"`` would always pick it.  Compare the tie
    models with each other, or with ``"half"`` on the decided comparisons only.

    **Weights.**  With scikit-learn's metadata routing enabled
    (``sklearn.set_config(enable_metadata_routing=True)``),
    ``scoring=pairwise_log_loss_scorer.set_score_request(sample_weight=True)``
    makes ``cross_validate`` and the searches pass each test fold's weights,
    as for scikit-learn's own scorers (it returns a copy with the request:
    the module's scorer is shared, and stays unchanged).  Without routing,
    every test row weighs 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn_bt import BradleyTerryRanker, pairwise_log_loss_scorer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 4))
    >>> y = np.ones(60)  # winner/loser data
    >>> scores = cross_val_score(
    ...     BradleyTerryRanker(alpha=1.0), X, y, scoring=pairwise_log_loss_scorer, cv=3
    ... )
    >>> bool(np.all(scores < 0))
    True
    """

    def __init__(self):
        self._sample_weight_request = None  # not requested

    def __call__(self, estimator, X, y, sample_weight=None):
        return _pairwise_log_loss(estimator, X, y, sample_weight)

    def set_score_request(self, *, sample_weight=UNCHANGED):
        """Request ``sample_weight`` from metadata routing, as scikit-learn's scorers.

        Parameters
        ----------
        sample_weight : bool, None or str, default=UNCHANGED
            True: pass the test rows' weights; False or None: do not; a
            string: the name under which they are passed; ``UNCHANGED``
            (``sklearn.utils.metadata_routing.UNCHANGED``): keep the request.

        Returns
        -------
        scorer : a copy of this scorer with the request
            A copy, unlike scikit-learn's scorers: ``pairwise_log_loss_scorer``
            is one object shared by every user in the process.  Pass the
            returned scorer as ``scoring=``.
        """
        if not _routing_enabled():
            raise RuntimeError(
                "This method is only available when metadata routing is enabled. "
                "You can enable it using "
                "sklearn.set_config(enable_metadata_routing=True)."
            )
        scorer = copy.copy(self)
        if sample_weight is not UNCHANGED:
            scorer._sample_weight_request = sample_weight
        return scorer

    def get_metadata_routing(self):
        """The metadata this scorer takes: ``sample_weight`` when requested."""
        request = MetadataRequest(owner=type(self).__name__)
        request.score.add_request(
            param="sample_weight", alias=self._sample_weight_request
        )
        return request

    def __repr__(self):
        return "pairwise_log_loss_scorer"


pairwise_log_loss_scorer = _PairwiseLogLossScorer()


def _pairwise_log_loss(estimator, X, y, sample_weight=None):
    """The score; see :class:`_PairwiseLogLossScorer`."""
    check_is_fitted(estimator)
    y = column_or_1d(y, warn=True)
    check_consistent_length(X, y, sample_weight)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, y, ensure_non_negative=True)
    classes = np.asarray(estimator.classes_)
    column = np.searchsorted(classes, y)
    column = np.clip(column, 0, len(classes) - 1)
    known = classes[column] == y
    tied = ~known & _is_half_win_tie(estimator, y)
    if not np.all(known | tied):
        unknown = np.setdiff1d(np.unique(y[~(known | tied)]), classes)
        raise ValueError(
            f"y holds labels {unknown.tolist()} that the model does not know "
            f"(its classes_ are {classes.tolist()})."
        )
    log_proba = _log_proba(estimator, X)
    observed = log_proba[np.arange(len(y)), column]
    if tied.any():  # half a win for each side
        observed[tied] = 0.5 * (log_proba[tied, 0] + log_proba[tied, 1])
    return float(np.average(observed, weights=sample_weight))


def _is_half_win_tie(estimator, y):
    """Rows of ``y`` that are ties for a model fitted with ``ties="half"``."""
    while hasattr(estimator, "steps") or hasattr(estimator, "best_estimator_"):
        # A Pipeline's last step decides; a fitted search's best estimator.
        if hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        else:
            estimator = estimator.best_estimator_
    if not hasattr(estimator, "_half_win_ties"):  # not our ranker
        return np.zeros(len(y), dtype=bool)
    return estimator._half_win_ties(y)


def _log_proba(estimator, X):
    if hasattr(estimator, "predict_log_proba"):
        return estimator.predict_log_proba(X)
    with np.errstate(divide="ignore"):
        return np.log(estimator.predict_proba(X))


def swap_pairs(X, y, *, fraction=0.5, random_state=None):
    """Swap items A and B in a random subset of rows, and flip their outcomes.

    Winner/loser data has ``y`` all ones; after swapping half of the rows it has
    both labels, so stock scorers (``"neg_log_loss"``, ``"roc_auc"``) and
    stratified splitters work.  The data describe the same comparisons, so a
    model without intercept fits the same coefficients.

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} of shape (n_pairs, 2 * n_item_features)
        Pair rows ``[x_A | x_B]``.  Not modified.
    y : array-like of shape (n_pairs,)
        Outcomes: 0/1, booleans, -1/+1, outcome scores 1 / 0.5 / 0 (a tie
        stays a tie), or two labels of any type.
    fraction : float, default=0.5
        Fraction of rows to swap.
    random_state : int, RandomState instance or None, default=None
        Seed of the choice of rows.

    Returns
    -------
    X_swapped : same type as X (an ndarray for lists)
        A copy with the halves of the chosen rows exchanged.
    y_swapped : ndarray of shape (n_pairs,)
        A copy with the outcomes of the chosen rows flipped.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt import swap_pairs
    >>> X = np.array([[1, 2], [3, 4], [5, 6], [7, 8]])
    >>> X_s, y_s = swap_pairs(X, np.ones(4), random_state=0)
    >>> X_s.tolist(), y_s.tolist()
    ([[1, 2], [3, 4], [6, 5], [8, 7]], [1.0, 1.0, 0.0, 0.0])
    """
    y = column_or_1d(y, warn=True)
    if not (hasattr(X, "shape") and hasattr(X, "__getitem__")):
        X = np.asarray(X)
    check_consistent_length(X, y)
    if not (isinstance(fraction, Real) and 0 <= fraction <= 1):
        raise ValueError(f"fraction must be a number in [0, 1], got {fraction!r}.")
    n = len(y)
    rng = check_random_state(random_state)
    swap = np.zeros(n, dtype=bool)
    swap[rng.choice(n, size=round(fraction * n), replace=False)] = True
    return _swap_rows(X, swap), np.where(swap, _flip_outcomes(y), y)


def _swap_rows(X, swap):
    if not (hasattr(X, "shape") and hasattr(X, "__getitem__")):
        X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] % 2:
        raise ValueError(
            f"X has {X.shape[1] if X.ndim == 2 else 'no'} feature(s), but pair rows "
            "need a 2D array with an even number of columns: [x_A | x_B]."
        )
    d = X.shape[1] // 2
    order = np.r_[d : 2 * d, 0:d]
    if hasattr(X, "iloc"):
        # Column by column: the halves may have different dtypes (an int rank
        # for A, a float rank with NaN for B), which pandas then upcasts.
        swapped = X.copy()
        for target, source in enumerate(order):
            column = _with_categories_of(X.iloc[:, target], X.iloc[:, source])
            swapped.isetitem(target, column.where(~swap, X.iloc[:, source].to_numpy()))
        return swapped
    if sp.issparse(X):
        fmt = X.format
        X_csr = X.tocsr()
        keep = sp.diags_array((~swap).astype(X.dtype))
        flip = sp.diags_array(swap.astype(X.dtype))
        out = keep @ X_csr + flip @ X_csr[:, order]
        out = type(X)(out).asformat(fmt)
        return out
    X = np.asarray(X)
    swapped = X.copy()
    swapped[swap] = X[swap][:, order]
    return swapped


def _with_categories_of(column, other):
    """``column``, a categorical one extended by the categories (or values) of
    ``other``, so that it can take ``other``'s values: pandas refuses a value
    outside a categorical's categories."""
    if not hasattr(column, "cat"):
        return column
    values = other.cat.categories if hasattr(other, "cat") else other.dropna().unique()
    new = [value for value in values if value not in column.cat.categories]
    return column.cat.add_categories(new) if new else column


def _flip_outcomes(y):
    """The outcome for B: 1 <-> 0 (0.5 stays), True <-> False, +1 <-> -1."""
    if y.dtype == bool:
        return ~y
    labels = np.unique(y)
    if y.dtype.kind in "fiu":
        if np.isin(labels, [0, 0.5, 1]).all():
            return (1 - y).astype(y.dtype)
        if np.isin(labels, [-1, 0, 1]).all():
            return -y
    if len(labels) == 2:
        return np.where(y == labels[0], labels[1], labels[0])
    raise ValueError(
        f"Cannot flip outcomes with labels {labels.tolist()}: use 0/1, booleans, "
        "-1/+1, outcome scores 1 / 0.5 / 0, or exactly two labels."
    )


def score_items(model, X_items):
    """Strength (utility, reward) ``theta`` of single items, through a Pipeline.

    ``BradleyTerryRanker.score_items`` takes items in the features the ranker
    was fitted on; inside a Pipeline those are the output of the steps before
    it.  This function sends raw items through each step's
    ``transform_items`` (:class:`PairTransformer` has it) and scores them, so
    that a scaler or an encoder in the Pipeline is applied as in ``fit``.

    Parameters
    ----------
    model : BradleyTerryRanker, Pipeline or fitted search
        A fitted ranker, a fitted Pipeline whose steps before the ranker are
        :class:`PairTransformer` (or ``"passthrough"``), or a fitted search
        over one (its ``best_estimator_``).
    X_items : {array-like, sparse matrix, DataFrame} of shape \
            (n_items, n_item_features)
        Features of single items: one half of a pair row, before the
        Pipeline's steps.

    Returns
    -------
    theta : ndarray of shape (n_items,)
        The log-strength of each item; differences are log-odds (add
        ``intercept_`` for A's first-position or home advantage).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer, score_items
    >>> rng = np.random.default_rng(0)
    >>> items = rng.normal(10.0, 3.0, size=(40, 1))  # one feature, far from 0
    >>> a, b = rng.integers(0, 40, 200), rng.integers(0, 40, 200)
    >>> y = (items[a, 0] - items[b, 0] + rng.logistic(size=200) > 0).astype(int)
    >>> model = make_pipeline(PairTransformer(StandardScaler()), BradleyTerryRanker())
    >>> model = model.fit(np.hstack([items[a], items[b]]), y)
    >>> theta = score_items(model, [[13.0], [10.0]])
    >>> p = model.predict_proba([[13.0, 10.0]])[0, 1]
    >>> bool(np.isclose(p, 1 / (1 + np.exp(theta[1] - theta[0]))))
    True
    """
    ranker, prep = _unwrap(model)
    for name, step in [] if prep is None else prep.steps:
        if step is None or step == "passthrough":
            continue
        if not hasattr(step, "transform_items"):
            raise ValueError(
                f"The Pipeline's step {name!r} ({type(step).__name__}) transforms "
                "pair rows, and cannot say what it does to a single item. Put "
                "item-level transformers inside PairTransformer(...), which "
                "applies them to each item, or score transformed items with "
                "model[-1].score_items(...)."
            )
        X_items = step.transform_items(X_items)
    return ranker.score_items(X_items)
