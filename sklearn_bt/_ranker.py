"""BradleyTerryRanker: the Bradley-Terry model as a scikit-learn classifier."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._exceptions import MLEDoesNotExistWarning
from ._loss import A_WON, B_WON, TIE, LogisticPairLoss
from ._solvers import ItemDesign, MatrixDesign, newton_solve

_MULTICLASS_MESSAGE = (
    "Only binary classification is supported. The type of the target is {}."
)


class BradleyTerryRanker(ClassifierMixin, BaseEstimator):
    """Bradley-Terry model for pairwise comparisons, as a binary classifier.

    Each row of ``X`` describes one comparison: the first half of the columns
    holds the features of item A, the second half those of item B (the same
    features, in the same order).  The model is

        P(A beats B) = expit(intercept + theta_A - theta_B),  theta = coef . x,

    the logistic form of the Bradley-Terry model with item strengths
    ``pi = exp(theta)``.  With one-hot item ids as features (see
    :class:`PairTransformer`) ``coef_`` holds one strength per item: the classic
    model.  With descriptive features, ``theta`` is a linear reward model that
    also scores items never compared.

    The fit minimises the *sum* over comparisons of ``sample_weight`` times the
    log-loss plus ``alpha / 2 * ||coef_||^2``, by Newton's method, to the
    optimum's machine precision.

    Parameters
    ----------
    alpha : float, default=0.0
        Precision of a Gaussian prior on ``coef_`` (L2 penalty ``alpha / 2 *
        ||coef_||^2``; the intercept is not penalised).  It has the meaning of
        choix's ``alpha`` and of ``1 / C`` in
        :class:`~sklearn.linear_model.LogisticRegression`.  The default, 0, is
        the maximum-likelihood estimate, the textbook Bradley-Terry fit that
        published estimates use; a warning says when it does not exist (an
        item that never lost, a comparison graph that is not strongly
        connected, separable features), and any ``alpha > 0`` then gives a
        finite, unique answer.
    fit_intercept : bool, default=False
        Whether to fit ``intercept_``, an advantage of the first-listed item
        (home advantage, position bias) that applies to every comparison.  With
        it off the model is antisymmetric: swapping A and B gives ``1 - p``.
        An advantage that applies only to some rows (home games next to
        neutral venues) is an item feature instead: see the README.
    ties : {"half"} or None, default=None
        How to read ties in ``y``.  ``None``: ``y`` must be binary, and a tie
        label is an error.  ``"half"``: a tie counts as half a win for each
        side (Chatbot Arena's convention); ``y`` may then hold ``0.5`` (with
        0/1 outcomes) or ``0`` (with -1/+1 outcomes).
    tol : float, default=1e-8
        Convergence tolerance: the fit stops when the largest Newton step is
        below ``tol`` times the largest parameter (at least 1).  Newton's
        method converges quadratically, so the result is then exact to about
        ``tol ** 2``.
    max_iter : int, default=100
        Maximum number of Newton iterations (a well-posed fit takes about 5-15).

    Attributes
    ----------
    coef_ : ndarray of shape (n_item_features,)
        Weight of each item feature in the strength ``theta = coef_ . x``.
    intercept_ : float
        Advantage of item A (0.0 when ``fit_intercept=False``).
    classes_ : ndarray of shape (2,)
        The labels: ``classes_[1]`` means "A won".  Winner/loser data (a single
        label 1 or True) gives ``[0, 1]`` or ``[False, True]``.
    n_iter_ : int
        Number of Newton iterations run.
    n_features_in_ : int
        Number of columns of ``X`` (twice the number of item features).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X``, when it is a DataFrame with string column names.
    hessian_ : ndarray or sparse array
        Observed Fisher information (the penalised Hessian of the objective) at
        the solution, over ``coef_`` and then ``intercept_`` when fitted.

    See Also
    --------
    PairTransformer : Apply an item-level transformer to both halves of a pair.
    sklearn.linear_model.LogisticRegression : The same model when fitted on
        ``x_A - x_B`` without intercept, at a looser default tolerance.

    Notes
    -----
    Labels follow scikit-learn: the larger of two labels means "A won".  On
    winner/loser data (``y`` all ones) stock scorers that need both labels in
    ``y_true`` fail; use :func:`pairwise_log_loss_scorer` or
    :func:`swap_pairs`.

    Without penalty, item strengths are defined up to a constant (per
    connected part of the comparison graph): the fit returns the strengths of
    minimum norm, i.e. strengths centred to sum to zero.

    References
    ----------
    .. [1] R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block
       designs: I. The method of paired comparisons", Biometrika 39, 1952.
    .. [2] A. Agresti, "Categorical Data Analysis", 2nd ed., Wiley, 2002,
       section 10.6.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt import BradleyTerryRanker
    >>> # one feature per item; each row is [x_A, x_B]; y = 1 when A won
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [1.0, 2.0], [0.0, 2.0]])
    >>> y = np.array([1, 0, 1, 1, 0])
    >>> model = BradleyTerryRanker().fit(X, y)
    >>> model.coef_.round(3)
    array([1.295])
    >>> model.predict_proba([[2.0, 0.0]]).round(3)
    array([[0.07, 0.93]])
    >>> model.score_items([[0.0], [1.0], [2.0]]).round(3)
    array([0.   , 1.295, 2.589])
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "ties": [StrOptions({"half"}), None],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self, *, alpha=0.0, fit_intercept=False, ties=None, tol=1e-8, max_iter=100
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.ties = ties
        self.tol = tol
        self.max_iter = max_iter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to comparisons.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Features of item A, then features of item B, for every comparison.
        y : array-like of shape (n_pairs,)
            Outcome for item A: 1 / True when A won, 0 / False when B won (or
            any two labels, the larger meaning "A won").  A single label 1 or
            True (winner/loser data) is allowed.
        sample_weight : array-like of shape (n_pairs,), default=None
            Frequency weights: a weight of 2 counts the comparison twice.

        Returns
        -------
        self : object
            The fitted model.
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            y_numeric=False,
        )
        n_item_features = _check_pair_width(X.shape[1])
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        self.classes_, outcome = self._encode_outcomes(y)
        counts = _outcome_counts(outcome, sample_weight)
        design, counts = _make_design(X, counts, n_item_features, self.fit_intercept)

        result = newton_solve(
            design,
            LogisticPairLoss(),
            counts,
            alpha=self.alpha,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        self.n_iter_ = result.n_iter
        self.hessian_ = result.hessian
        self._warn_if_not_converged(result)
        return self

    def _encode_outcomes(self, y):
        """Map the labels to ``classes_`` and an outcome code per row."""
        labels = np.unique(y)
        if self.ties == "half":
            return _encode_half_win(y, labels)
        y_type = type_of_target(y, input_name="y")
        if _looks_like_ties(labels):
            raise ValueError(
                "y contains 0.5, which reads as a tie (outcome scores 1 / 0.5 / 0), "
                "but the model has no tie option. Set ties='half' to count a tie "
                "as half a win for each side."
            )
        if y_type not in ("binary", "unknown") or len(labels) > 2:
            raise ValueError(_MULTICLASS_MESSAGE.format(y_type))
        if len(labels) == 1:
            labels = _single_label_classes(labels[0])
            if self.fit_intercept:
                raise ValueError(
                    "y has a single label (one class: winner/loser data), so the "
                    "first-position advantage is not identifiable: the intercept would "
                    "diverge to infinity. Set fit_intercept=False, or give both labels "
                    "by randomly swapping A and B in half of the rows (see swap_pairs)."
                )
        outcome = np.where(y == labels[1], A_WON, B_WON)
        return labels, outcome

    def _warn_if_not_converged(self, result):
        if result.diverging:
            warnings.warn(
                "The maximum-likelihood estimate does not exist: the outcomes are "
                "separable (for item ids: some item never lost or never won, or the "
                "comparison graph is not strongly connected), so the likelihood keeps "
                "growing as coefficients go to infinity. The coefficients returned "
                "are finite but arbitrary. Set alpha > 0 (a Gaussian prior), or "
                "restrict the data to the largest strongly connected component.",
                MLEDoesNotExistWarning,
                stacklevel=3,
            )
        elif not result.converged:
            warnings.warn(
                f"Newton's method did not converge in max_iter={self.max_iter} "
                "iterations. Increase max_iter, or set alpha > 0 if the data are "
                "nearly separable.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def decision_function(self, X):
        """Log-odds that item A beats item B.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs,)
            ``intercept_ + theta_A - theta_B``; positive when A is favoured.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            reset=False,
        )
        d = _check_pair_width(X.shape[1])
        coef = self.coef_.astype(X.dtype, copy=False)
        delta = X[:, :d] @ coef - X[:, d:] @ coef
        return np.asarray(delta, dtype=np.float64).ravel() + self.intercept_

    def predict_proba(self, X):
        """Probability of each outcome.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs, 2)
            Column 0: P(B beats A), column 1: P(A beats B), in the order of
            ``classes_``.
        """
        delta = self.decision_function(X)
        return np.column_stack([expit(-delta), expit(delta)])

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, exact in the tails.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs, 2)
            Log-probabilities in the order of ``classes_``.
        """
        delta = self.decision_function(X)
        return np.column_stack([log_expit(-delta), log_expit(delta)])

    def predict(self, X):
        """Predicted outcome: ``classes_[1]`` when A is favoured.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs,)
            The predicted label of each pair.
        """
        favoured = self.decision_function(X) > 0
        return self.classes_[favoured.astype(int)]

    def score_items(self, X_items):
        """Strength (utility, reward) ``theta = coef_ . x`` of each item.

        Parameters
        ----------
        X_items : {array-like, sparse matrix} of shape (n_items, n_item_features)
            Features of single items (one half of a pair row).

        Returns
        -------
        ndarray of shape (n_items,)
            The log-strength of each item; differences are log-odds.
        """
        check_is_fitted(self)
        X_items = _validate_items(X_items, self.n_features_in_ // 2)
        return np.asarray(X_items @ self.coef_, dtype=np.float64).ravel()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = False
        return tags


def _check_pair_width(n_features):
    """Number of item features, or a ValueError for an odd column count."""
    if n_features % 2:
        raise ValueError(
            f"X has {n_features} feature(s), but a pair row needs an even number: "
            "the first half describes item A and the second half item B, with the "
            "same features in the same order. Build pair rows as [x_A | x_B]; for "
            "item ids use PairTransformer(OneHotEncoder()) on [[id_A, id_B], ...]."
        )
    return n_features // 2


def _validate_items(X_items, n_item_features):
    from sklearn.utils import check_array

    X_items = check_array(
        X_items,
        accept_sparse=["csr", "csc"],
        dtype=[np.float64, np.float32],
        input_name="X_items",
    )
    if X_items.shape[1] != n_item_features:
        raise ValueError(
            f"X_items has {X_items.shape[1]} features, but the model describes items "
            f"by {n_item_features} (half the width of the pair rows it was fitted on)."
        )
    return X_items


def _looks_like_ties(labels):
    return (
        labels.dtype.kind in "fiub"
        and np.isin(labels, [0.0, 0.5, 1.0]).all()
        and 0.5 in labels
    )


def _single_label_classes(label):
    """``classes_`` for one-label (winner/loser) data: the label must be 0/1."""
    if isinstance(label, (bool, np.bool_)):
        return np.array([False, True])
    if isinstance(label, (Integral, Real, np.number)) and label in (0, 1):
        return np.array([0, 1], dtype=np.asarray(label).dtype)
    raise ValueError(
        f"y has a single label {label!r}. Winner/loser data must be coded 1 (or "
        "True) for 'A won'; with other labels, y needs both of them."
    )


def _encode_half_win(y, labels):
    """Outcomes for ``ties='half'``: a loss, a tie and a win label."""
    if (
        labels.dtype.kind in "fiub"
        and np.isin(labels, [-1, 0, 1]).all()
        and (-1 in labels)
    ):
        classes, tie = np.array([-1, 1], dtype=labels.dtype), 0
    elif labels.dtype.kind in "fiub" and np.isin(labels, [0, 0.5, 1]).all():
        classes, tie = np.array([0, 1], dtype=labels.dtype), 0.5
    else:
        raise ValueError(
            f"With ties='half', y must hold outcome scores 1 / 0.5 / 0 or signs "
            f"1 / 0 / -1 (A won / tie / B won); got labels {labels.tolist()}."
        )
    outcome = np.where(y == classes[1], A_WON, np.where(y == tie, TIE, B_WON))
    return classes, outcome


def _outcome_counts(outcome, sample_weight):
    """Counts ``[B won, tie, A won]`` of shape (n, 3) for raw comparisons."""
    counts = np.zeros((len(outcome), 3))
    counts[np.arange(len(outcome)), outcome] = sample_weight
    return counts


def _make_design(X, counts, n_item_features, fit_intercept):
    """The solver's design, aggregated to unique pairs for one-hot item ids."""
    if sp.issparse(X):
        codes = _two_hot_codes(X, n_item_features)
        if codes is not None:
            return _aggregate_items(*codes, counts, n_item_features, fit_intercept)
        X = sp.csr_array(X, dtype=np.float64)
        D = X[:, :n_item_features] - X[:, n_item_features:]
        return MatrixDesign(D.tocsr()), counts
    X = np.asarray(X, dtype=np.float64)
    return MatrixDesign(X[:, :n_item_features] - X[:, n_item_features:]), counts


def _two_hot_codes(X, d):
    """Item index of A and B per row when X is one-hot in each half, else None."""
    X = sp.csr_array(X)
    n = X.shape[0]
    if X.nnz != 2 * n or not np.all(np.diff(X.indptr) == 2):
        return None
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    if not np.all(X.data == 1):
        return None
    pairs = X.indices.reshape(n, 2)
    a, b = pairs[:, 0], pairs[:, 1] - d
    if np.any(a >= d) or np.any(b < 0):
        return None
    return a.astype(np.intp), b.astype(np.intp)


def _aggregate_items(a, b, counts, n_items, fit_intercept):
    """Sum the outcome counts of identical pairs: they are sufficient statistics.

    Without intercept the model is antisymmetric, so (j, i) is folded onto
    (i, j) with its outcomes reversed, halving the pairs to solve over.
    """
    if not fit_intercept:
        swap = a > b
        a, b = np.where(swap, b, a), np.where(swap, a, b)
        counts = np.where(swap[:, None], counts[:, ::-1], counts)
    keys = a.astype(np.int64) * n_items + b
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    summed = np.column_stack(
        [np.bincount(inverse, counts[:, k], len(unique_keys)) for k in range(3)]
    )
    ua, ub = np.divmod(unique_keys, n_items)
    return ItemDesign(ua.astype(np.intp), ub.astype(np.intp), n_items), summed
