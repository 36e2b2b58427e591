"""BradleyTerryRanker: the Bradley-Terry model as a scikit-learn classifier."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import cg
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._exceptions import MLEDoesNotExistWarning, user_stacklevel
from ._graph import _edge_matrix, comparison_graph, pair_count_components
from ._loss import A_WON, B_WON, TIE, LogisticPairLoss
from ._outcomes import TIE_MODELS, _python, encode_outcomes
from ._pair_names import (
    check_item_columns,
    check_same_column_order,
    item_feature_names,
)
from ._solvers import (
    ITEM_DENSE_SOLVE_MAX_PARAMS,
    ItemDesign,
    MatrixDesign,
    aggregate_cells,
    aggregate_item_pairs,
    count_cells,
    counts_in_cells,
    equilibrated,
    item_incidence,
    item_limit_solve,
    matrix_limit_solve,
    newton_solve,
    score_outer_products,
    solve_semidefinite,
)
from ._threads import one_blas_thread
from ._ties import DavidsonPairLoss, RaoKupperPairLoss, _log_expm1

_TIE_LOSSES = {"davidson": DavidsonPairLoss, "rao-kupper": RaoKupperPairLoss}
# Tie parameter on the boundary of its range, where ties have probability 0:
# Davidson's nu = 0, Rao and Kupper's theta = 1.
_NO_TIE_PARAMETER = {"davidson": ("nu", 0.0), "rao-kupper": ("theta", 1.0)}
# Null directions of a feature design checked for being exact dependencies
# (see _warn_if_nearly_collinear): at most this many (each costs a product
# with the design), and exact when the differences cancel to this share of
# their scale (rounding leaves some 1e-16; the solver's cut takes up to 1e-6).
_COLLINEAR_CHECK_MAX_DIRECTIONS = 20
_EXACT_DEPENDENCE_RTOL = 1e-10


# A tie model whose two equal items would decide their comparison with at most
# this probability has (numerically) an infinite tie parameter: nu > 2e10 for
# Davidson, tau > 23 for Rao-Kupper.  Data that support such a value have no
# finite maximum-likelihood estimate.
_DECISIVE_PROBABILITY_MIN = 1e-10

# Dense pair rows with at most this many features per item get a
# column-major difference design (see _difference), written in blocks of this
# many rows at 8 features (fewer rows for more features: 512 KiB a block).
_COLUMN_MAJOR_MAX_FEATURES = 32
_DIFFERENCE_BLOCK_ROWS = 8192
# The largest difference of item features accepted: the Hessian sums their
# squares, times the comparisons' weights (1e200 x 1e9 rows is still finite).
_DIFFERENCE_MAX = 1e100


def _ties_certain(loss, extra):
    """Whether ``loss``'s tie parameter at ``extra`` makes ties (nearly) certain."""
    if not hasattr(loss, "decisive_probability_of_equals"):
        return False
    return loss.decisive_probability_of_equals(extra) < _DECISIVE_PROBABILITY_MIN


class BradleyTerryRanker(ClassifierMixin, BaseEstimator):
    """Bradley-Terry model for pairwise comparisons, with or without ties.

    Each row of ``X`` describes one comparison: the first half of the columns
    holds the features of item A, the second half those of item B (the same
    features, in the same order).  The model is

        P(A beats B) = expit(intercept + theta_A - theta_B),  theta = coef . x,

    the logistic form of the Bradley-Terry model with item strengths
    ``pi = exp(theta)``.  With one-hot item ids as features (see
    :class:`PairTransformer`) ``coef_`` holds one strength per item: the classic
    model.  With descriptive features, ``theta`` is a linear reward model that
    also scores items never compared.  With ``ties="davidson"`` or
    ``ties="rao-kupper"`` a comparison has three outcomes (B won, tie, A won)
    and a tie parameter is fitted jointly with the strengths.

    The fit minimises the *sum* over comparisons of ``sample_weight`` times the
    negative log-likelihood plus ``alpha / 2 * ||coef_||^2``, by Newton's
    method, to the optimum's machine precision.

    Parameters
    ----------
    alpha : float, default=0.0
        Precision of a Gaussian prior on ``coef_`` (L2 penalty ``alpha / 2 *
        ||coef_||^2``; the intercept and the tie parameter are not penalised).
        It is ``1 / C`` of :class:`~sklearn.linear_model.LogisticRegression`,
        and twice the ``alpha`` of ``choix.opt_pairwise`` (which penalises
        ``alpha * ||theta||^2``, despite its docstring).  The default, 0, is
        the maximum-likelihood estimate, the textbook Bradley-Terry fit that
        published estimates use; a warning says when it does not exist (an
        item that never lost, a comparison graph that is not strongly
        connected, separable features), and any ``alpha > 0`` then gives a
        finite, unique answer.
    fit_intercept : bool, default=False
        Whether to fit ``intercept_``, an advantage of the first-listed item
        (home advantage, the position bias of an LLM judge) that applies to
        every comparison.  With it off the model is antisymmetric: swapping A
        and B swaps the probabilities of "A won" and "B won".  An advantage
        that applies only to some rows (home games next to neutral venues) is
        an item feature instead: see Notes.  It needs items on both sides: a
        fit whose sides or features explain it (every item always A, or a
        feature that is 1 for A in every row) warns that ``intercept_`` is not
        identifiable.
    ties : {"davidson", "rao-kupper", "half"} or None, default=None
        How to model ties (draws) in ``y``.

        - ``None``: ``y`` must be binary; a tie label is an error.
        - ``"davidson"``: Davidson's (1970) model, ``P(A won) : P(tie) :
          P(B won) = pi_A : nu sqrt(pi_A pi_B) : pi_B``, with the tie
          parameter ``nu >= 0`` fitted by maximum likelihood; two equal items
          tie with probability ``nu / (2 + nu)``.
        - ``"rao-kupper"``: Rao and Kupper's (1967) threshold model, ``P(A
          won) = pi_A / (pi_A + theta pi_B)``, with ``theta >= 1`` fitted.
        - ``"half"``: a tie counts as half a win for each side (Chatbot
          Arena's convention); no tie parameter, and ``classes_`` holds only
          the two decided outcomes.

        With a tie model ``y`` may hold outcome scores 1 / 0.5 / 0, signs
        1 / 0 / -1 (the sign of a score difference), or any three ordered
        labels whose middle one is the tie; see Notes.
    tol : float, default=1e-8
        Convergence tolerance: the fit takes a last Newton step and stops
        when the Newton decrement (twice the predicted decrease of the
        objective, in log-likelihood units whatever the units of ``X``) is
        below ``tol ** 2``, or the largest step below ``tol`` times the
        largest parameter.  Newton's method converges quadratically, so the
        result is then exact to far below ``tol``.
    max_iter : int, default=100
        Maximum number of Newton iterations (a well-posed fit takes about 5-15).

    Attributes
    ----------
    coef_ : ndarray of shape (n_item_features,)
        Weight of each item feature in the strength ``theta = coef_ . x``.
    intercept_ : float
        Advantage of item A (0.0 when ``fit_intercept=False``).
    classes_ : ndarray of shape (n_classes,)
        The labels in the order of the columns of :meth:`predict_proba`.
        Without a tie model: ``[B won, A won]``; winner/loser data (a single
        label 1 or True) gives ``[0, 1]`` or ``[False, True]``.  With a tie
        model: ``[B won, tie, A won]``, always all three for the standard
        encodings (``[0., 0.5, 1.]`` or ``[-1, 0, 1]``) even when ``y`` lacks
        one of them; two labels outside those sets give two classes (no tie
        can be predicted then).
    tie_parameter_ : float
        Only with ``ties="davidson"`` (``nu``) or ``ties="rao-kupper"``
        (``theta``).  When ``y`` holds no tie, the estimate is on the boundary
        (``nu = 0``, ``theta = 1``: ties have probability 0) and a warning says
        so.
    tie_parameter_se_ : float
        Standard error of ``tie_parameter_`` by the delta method from
        ``hessian_``; NaN on the boundary, where no asymptotic standard error
        exists.  For confidence intervals prefer the internal scale (see
        ``hessian_``), where the likelihood is closer to quadratic.
    n_iter_ : int
        Number of Newton iterations run on all comparisons.  Dense pair
        features start Newton from a cheaper estimate where a Newton step is
        costly: a fit on every k-th comparison with at least 1000 comparisons
        per parameter (and 262,144 in all), then, from 32 item features (96
        after a subsample fit; and 100,000 values of ``x_A - x_B``) on, a few
        L-BFGS steps on all comparisons.  Neither is counted here; the Newton
        phase still runs to ``tol``, and typically needs 1-3 steps instead of
        5-7.
    n_features_in_ : int
        Number of columns of ``X`` (twice the number of item features).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X``, when it is a DataFrame with string column names.
    hessian_ : ndarray or sparse array
        Observed Fisher information (the penalised Hessian of the negative
        log-likelihood) at the solution, over ``coef_``, then ``intercept_``
        when fitted, then the tie parameter on its internal scale when a tie
        model is fitted with ties in ``y``: ``log(nu)`` for Davidson,
        ``log(log(theta))`` for Rao-Kupper.  Its (pseudo-)inverse is the
        asymptotic covariance of the estimates.  A scipy sparse array for
        one-hot item ids (the weighted graph Laplacian, bordered by the other
        parameters), a dense array otherwise.  For dense pair features with
        at least 32 item features (and 100,000 values of ``x_A - x_B``) and
        no tie parameter, it may be the Hessian at the last Newton iterate,
        one tiny step before the solution, when that step changed no
        comparison's weight by more than a relative 1e-5: it then differs
        from the one at the solution by at most that share, and the standard
        errors by half of it.  This saves the fit's costliest pass over the
        data (a ``d x d`` Gram matrix).  For item ids without an MLE it is
        the Hessian at the limit the fit returns (see Notes): comparisons
        between strongly connected components carry no curvature there.

    See Also
    --------
    PairTransformer : Apply an item-level transformer to both halves of a pair.
    outcomes_from_scores : Outcomes for ``y`` from the two sides' scores.
    outcomes_from_winner_loser : Outcomes for ``y`` from winner/loser rows.
    sklearn.linear_model.LogisticRegression : The same model (without ties)
        when fitted on ``x_A - x_B`` without intercept, at a looser default
        tolerance.

    Notes
    -----
    **Labels.**  Without a tie model the larger of two labels means "A won".
    Labels that name the sides (``"model_a"`` / ``"model_b"``, ``"A"`` /
    ``"B"``) are refused: sorted, the one naming B would mean "A won".
    On winner/loser data (``y`` all ones) stock scorers that need both labels
    in ``y_true`` fail; use :func:`pairwise_log_loss_scorer` or
    :func:`swap_pairs`.

    **Ties.**  With a tie model, :meth:`predict_proba` has one column per
    class, ``[P(B won), P(tie), P(A won)]``, :meth:`predict` returns the most
    probable outcome, and :meth:`decision_function` follows scikit-learn's
    multiclass convention: an array of shape (n_pairs, 3), here the
    log-probabilities (with two classes it is the log-odds, as without ties).
    The label sets ``{0, 0.5, 1}`` and ``{-1, 0, 1}`` are always read as
    three classes, so that a training fold without ties still predicts all
    three.  ``{0, 1}`` reads as outcome scores.  Other encodings (``0 / 1 /
    2``, strings) are read from the labels present, so every training fold
    needs all three of them.  scikit-learn's metrics take
    0 / 0.5 / 1 for a continuous target and refuse it: for
    ``cross_val_score`` or ``GridSearchCV`` with the stock ``"accuracy"`` or
    ``"neg_log_loss"`` scorers, encode ``y`` as signs 1 / 0 / -1 (e.g.
    ``np.sign(y - 0.5).astype(int)``, or ``encoding="sign"`` in
    :func:`outcomes_from_scores`), or score with
    :func:`pairwise_log_loss_scorer`, which also works on test folds that lack
    one of the outcomes.  :meth:`score`, a search's default scoring, takes
    every encoding (with ``ties="half"`` a tie counts as half right).

    **Order effects.**  ``fit_intercept=True`` is an advantage of A in every
    row.  A home advantage that applies to some rows only (neutral venues) is
    an item feature "plays at home": with pair rows ``[team_a, home_a,
    team_b, home_b]`` (the layout of
    :func:`sklearn_bt.datasets.load_international_football`), fit ::

        make_pipeline(
            PairTransformer(ColumnTransformer([
                ("team", OneHotEncoder(), ["team"]),
                ("home", "passthrough", ["home"]),
            ])),
            BradleyTerryRanker(ties="davidson"),
        )

    on the DataFrame; :class:`PairTransformer` names the item-level columns
    ``team`` and ``home``.  The last coefficient, that of ``home``, is the
    home advantage on the log-odds scale; when item A plays at home in every
    row it equals the intercept of a fit with ``fit_intercept=True``.

    **float32.**  ``X`` may be float32 (embeddings often are): the fit
    differences the halves into float64, so it is as exact as on float64
    input, at little more memory than ``X`` itself.  :meth:`predict_proba`
    and :meth:`decision_function` compute in the dtype of ``X``, so float32
    input gives probabilities within about 1e-7 of float64 input's.

    **Identifiability.**  Without penalty, item strengths are defined up to a
    constant (per connected part of the comparison graph): the fit returns
    the strengths of minimum norm, i.e. strengths centred to sum to zero.
    With sparse one-hot item ids (as ``PairTransformer(OneHotEncoder())``
    makes them) and ``alpha=0`` the comparison graph is checked before the
    fit (ties count in both directions), and a
    :class:`MLEDoesNotExistWarning` names the items that make the
    maximum-likelihood estimate fail to exist.  The fit then returns the point
    the likelihood tends to: the MLE of the comparisons within the strongly
    connected components (``intercept_`` and a tie parameter are shared by
    all of them; without them the largest component's strengths, centred,
    are exactly those of the fit restricted to it), and the components set
    at least 40 apart (more with a tie model), so that every comparison
    between them is fitted as certain to double precision.

    References
    ----------
    .. [1] R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block
       designs: I. The method of paired comparisons", Biometrika 39, 1952.
    .. [2] R. R. Davidson, "On extending the Bradley-Terry model to accommodate
       ties in paired comparison experiments", JASA 65, 1970.
    .. [3] P. V. Rao and L. L. Kupper, "Ties in paired-comparison experiments:
       a generalization of the Bradley-Terry model", JASA 62, 1967.
    .. [4] A. Agresti, "Categorical Data Analysis", 2nd ed., Wiley, 2002,
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

    With ties, as outcome scores (1 won, 0.5 tie, 0 lost):

    >>> X = np.vstack([X, [[2.0, 0.0]]])
    >>> y_ties = np.array([1, 0.5, 1, 0, 0.5, 0.5])
    >>> davidson = BradleyTerryRanker(ties="davidson").fit(X, y_ties)
    >>> davidson.classes_
    array([0. , 0.5, 1. ])
    >>> round(davidson.tie_parameter_, 3), round(davidson.tie_parameter_se_, 3)
    (2.813, 2.773)
    >>> davidson.predict_proba([[2.0, 0.0]]).round(3)  # P(B won), P(tie), P(A won)
    array([[0.042, 0.424, 0.534]])
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "ties": [StrOptions({"half", *TIE_MODELS}), None],
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
            Outcome for item A.  Without ties: 1 / True when A won, 0 / False
            when B won (or any two labels, the larger meaning "A won"); a
            single label 1 or True (winner/loser data) is allowed.  With
            ``ties``: also outcome scores 1 / 0.5 / 0, signs 1 / 0 / -1, or
            three ordered labels whose middle one is the tie.
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
            # Values are checked in _make_design: one-hot ids need no pass of
            # their own (values of 1 are finite; 6e6 of them: 6 ms), and dense
            # ones are checked through their difference, half as many values
            # (1e6 x 20: 15 ms a check of X).
            ensure_all_finite=False,
        )
        n_item_features = _check_pair_width(X.shape[1])
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            check_same_column_order(
                list(names[:n_item_features]), list(names[n_item_features:])
            )
        if sample_weight is not None:
            # Without weights the item path counts rows as they are; an array
            # of ones would only cost memory (the matrix path makes its own).
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        self.classes_, outcome, self._half_win_tie = encode_outcomes(
            y, self.ties, self.fit_intercept
        )
        design, counts = _make_design(
            X, outcome, sample_weight, n_item_features, self.fit_intercept
        )
        with one_blas_thread():  # many small BLAS calls: see _threads.py
            return self._fit_design(design, counts)

    def _fit_design(self, design, counts):
        """Solve on the built design and set the fitted attributes."""
        loss = self._make_loss(counts)

        warned = False
        mle_known_to_exist = False
        result = incidence = None
        if self.alpha == 0 and isinstance(design, ItemDesign):
            warned = self._warn_if_graph_not_strongly_connected(design, counts)
            # Zermelo/Ford: a strongly connected graph has a finite MLE.
            mle_known_to_exist = not warned and not self.fit_intercept
        elif (
            self.alpha == 0
            and isinstance(design, MatrixDesign)
            and (design.is_sparse or design.D.size <= _DENSE_INCIDENCE_MAX_ENTRIES)
        ):
            # Item ids with features (a home flag): their graph decides too.
            incidence = design.incidence = item_incidence(design.D)
            if incidence is not None:
                id_columns, a, b = incidence
                warned = self._warn_if_graph_not_strongly_connected(
                    ItemDesign(a, b, len(id_columns) + 1), counts, id_columns
                )
        if warned and incidence is not None:
            # None when the features separate the comparisons within components.
            result = matrix_limit_solve(
                design,
                loss,
                counts,
                incidence,
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
            )
        elif warned:  # the point the likelihood tends to, directly
            result = item_limit_solve(
                design,
                loss,
                counts,
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
            )
        if result is None:
            result = newton_solve(
                design,
                loss,
                counts,
                alpha=self.alpha,
                fit_intercept=self.fit_intercept,
                tol=self.tol,
                max_iter=self.max_iter,
                detect_divergence=not mle_known_to_exist,
            )
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        # The columns that are item ids, where the fit found them among
        # features: their standard errors need to know (the strengths' shifts).
        self._item_columns = None if incidence is None else incidence[0]
        # Without an MLE, the graph's weakly connected parts: the limit's
        # Hessian links only items of one strongly connected component.
        self._limit_parts = result.limit_parts
        self.n_iter_ = result.n_iter
        self.hessian_ = result.hessian
        self._half_win_meat = self._sandwich_params = None
        # The sandwich needs the residuals at a finite MLE: where an item's
        # strength diverges, its comparisons' residuals vanish and with them
        # its variance (intervals of width 0).  Items keep it for the largest
        # strongly connected component, whose strengths do converge.
        mle_exists = not (warned or result.diverging)
        if not warned:  # else set by the graph check
            self._mle_exists = mle_exists
        half_win_ties = self.ties == "half" and counts[:, TIE].sum() > 0
        # The limit of ids with features: finite residuals within components.
        at_limit = result.limit_parts is not None
        if half_win_ties and (mle_exists or at_limit or isinstance(design, ItemDesign)):
            self._half_win_meat = _half_win_meat(
                design, counts, result, self.fit_intercept
            )
            # Where cov_type="auto" takes the sandwich (see _sandwich_params).
            # Groups never compared with each other, each strongly connected,
            # have their MLE within each group (self._mle_exists).
            self._sandwich_params = _sandwich_params(
                design, counts, result, self.fit_intercept, self._mle_exists, incidence
            ) & (self.alpha == 0)
        if self.ties in TIE_MODELS:
            self._set_tie_parameter(loss, result, design)
        else:  # a refit without a tie model leaves no stale tie parameter
            for name in ("tie_parameter_", "tie_parameter_se_", "_tie_extra"):
                self.__dict__.pop(name, None)
        self._warn_if_not_converged(result, loss, design)
        if self.fit_intercept and self.alpha == 0 and mle_exists:
            self._warn_if_intercept_not_identifiable(design, counts)
        if self.alpha == 0 and isinstance(design, MatrixDesign) and mle_exists:
            # Without an MLE the Hessian's null space also holds the directions
            # the fit ran off along: no dependence of the features.
            self._warn_if_nearly_collinear(design, counts)
        return self

    def _warn_if_nearly_collinear(self, design, counts):
        """Warn when a direction the solver took for a linear dependence of
        the features is not one: their differences only nearly cancel.

        Exactly collinear features (a duplicated column, a full set of one-hot
        columns) leave ``D n`` at rounding, some 1e-16 of its scale; the
        solver's cut (see ``_NULL_EIGVAL_RTOL``) also takes directions up to
        1e-6 of it, whose coefficients it then does not estimate.
        """
        null = design._null_basis
        if null is not None and isinstance(design, MatrixDesign):
            # The shifts of the ids' parts are exact, by construction.
            null = null[:, design.exact_null_columns :]
        if null is None or not 0 < null.shape[1] <= _COLLINEAR_CHECK_MAX_DIRECTIONS:
            return
        # In the rows' weights, as the solver's Gram matrix sees them: a row
        # of weight 0 does not count.
        D, weight = design.D, counts.sum(axis=1)
        moved = np.asarray(D @ null).reshape(D.shape[0], -1)
        moved_norm2 = weight @ moved**2
        squares = D.multiply(D) if sp.issparse(D) else D**2
        column_norm2 = np.asarray(squares.T @ weight).ravel()
        scale2 = column_norm2 @ null**2
        with np.errstate(invalid="ignore", divide="ignore"):
            residual = np.sqrt(moved_norm2 / scale2)
        near = np.flatnonzero(residual > _EXACT_DEPENDENCE_RTOL)
        if not len(near):
            return
        weight = np.abs(null[:, near]).max(axis=1)
        involved = np.flatnonzero(weight > 0.1 * weight.max())
        names = getattr(self, "feature_names_in_", None)
        d = design.n_params
        names = item_feature_names(names, d) if names is not None else None
        shown = ", ".join(
            repr(str(names[j])) if names is not None else f"column {j}"
            for j in involved[:6]
        )
        more = f" and {len(involved) - 6} more" if len(involved) > 6 else ""
        where = "" if names is not None else " of the item half of X"
        warnings.warn(
            f"The features {shown}{more}{where} are nearly collinear: a "
            f"combination of their differences x_A - x_B cancels to "
            f"{residual[near].max():.1g} of its scale, which the fit treats as an "
            "exact linear dependence (like R's aliased coefficients). Along it the "
            "coefficients are the minimum-norm ones, not estimated from the data, "
            "and the log-likelihood may fall short of its maximum. Drop or combine "
            "the near-duplicate features; if their small difference is what "
            "matters, give it a feature of its own.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _warn_if_intercept_not_identifiable(self, design, counts):
        if isinstance(design, ItemDesign):
            if not _sides_explain_the_intercept(design, counts):
                return
            cause = (
                "every item plays on one side only, or the sides follow the items "
                "(each comparison is between an item and one a level below it)"
            )
        else:
            if not _intercept_in_feature_span(
                self.hessian_, design.n_params, design._null_basis
            ):
                return
            cause = (
                "the features' differences x_A - x_B combine into a constant (a "
                "home flag that is 1 for A in every row, say)"
            )
        warnings.warn(
            f"intercept_ (the first-position or home advantage) is not "
            f"identifiable: {cause}, so a shift of intercept_ and of the "
            "coefficients fits the data equally well. intercept_ is arbitrary. Put "
            "items on both sides (see swap_pairs), set fit_intercept=False, or set "
            "alpha > 0 to shrink the coefficients.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _make_loss(self, counts):
        """The loss to fit; a tie model without ties in y is fitted on its boundary."""
        if self.ties not in TIE_MODELS:
            return LogisticPairLoss()
        if counts[:, TIE].sum() > 0:
            return _TIE_LOSSES[self.ties]()
        name, value = _NO_TIE_PARAMETER[self.ties]
        warnings.warn(
            f"No comparison in y is a tie (or every tie has weight 0), so the "
            f"maximum-likelihood tie parameter of ties={self.ties!r} is on its "
            f"boundary, {name} = {value:g}, where ties have probability 0: the "
            "model is the plain Bradley-Terry model and is fitted as such. "
            f"tie_parameter_ is {value:g}, and tie_parameter_se_ is NaN (no "
            "standard error exists on the boundary). If y does hold ties, encode "
            "them as 0.5 (outcome scores 1 / 0.5 / 0), 0 (signs 1 / 0 / -1) or the "
            "middle of three ordered labels.",
            UserWarning,
            # warn -> this method -> fit -> sklearn's _fit_context wrapper -> caller
            stacklevel=user_stacklevel(),
        )
        return LogisticPairLoss()

    def _set_tie_parameter(self, loss, result, design):
        """``tie_parameter_`` and its delta-method standard error."""
        if isinstance(loss, LogisticPairLoss):  # fitted on the boundary
            self.tie_parameter_ = _NO_TIE_PARAMETER[self.ties][1]
            self.tie_parameter_se_ = float("nan")
            self._tie_extra = np.array([-np.inf])
            return
        value, derivative = loss.tie_parameter(result.extra)
        hessian, null = self.hessian_, None
        if self.alpha == 0:
            hessian, design = _informed_block(hessian, design)
            p = design.n_params
            # Cached by the solver; slicing keeps a sparse Laplacian sparse.
            null = design.null_basis(hessian[:p, :p])
        covariance = _trailing_covariance(hessian, len(result.extra), null)
        self.tie_parameter_ = value
        self.tie_parameter_se_ = float(np.sqrt(derivative @ covariance @ derivative))
        self._tie_extra = result.extra

    def _warn_if_graph_not_strongly_connected(self, design, counts, columns=None):
        """Warn, before the fit, when the item-id MLE does not exist; return
        whether it warned.

        ``columns``: where the items are in the item half of X, if not its
        first ``design.n_params`` columns (ids among features).

        Edges run from loser to winner; a tie draws one each way (for the
        half-win model too: it is half a win for each side).  Items in no
        comparison (unused one-hot columns) are left out: nothing fixes their
        strength, which the fit sets to 0, but they do not make it diverge.
        """
        n_items = design.n_params
        used = _strongly_connected_items(design, counts)
        if used is not None:
            design.assume_connected(used)  # the solver needs no graph search
            return False
        rows = design.a != design.b  # an item against itself carries no signal
        a, b, counts = design.a[rows], design.b[rows], counts[rows]
        codes_a, codes_b = np.tile(a, 3), np.tile(b, 3)
        weights = np.concatenate([counts[:, A_WON], counts[:, B_WON], counts[:, TIE]])
        n = len(a)
        a_won = np.repeat([True, False, True], n)
        tied = np.repeat([False, False, True], n)
        used = np.bincount(codes_a, weights, n_items) > 0
        used |= np.bincount(codes_b, weights, n_items) > 0

        if columns is None:
            columns = np.arange(n_items)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = columns
            described = (
                "Items are named by their column in the item half of X (in a "
                "Pipeline, get_feature_names_out() of the steps before the ranker "
                "gives their names)."
            )
        else:
            names = names[columns]
            described = "Items are named by their column in item A's half of X."
        if len(names) < n_items:  # ids among features: the dropped category
            names = np.append(names.astype(object), "(the category dropped)")
        keep = weights > 0
        winners = np.where(a_won, codes_a, codes_b)[keep]
        losers = np.where(a_won, codes_b, codes_a)[keep]
        graph = comparison_graph(
            names[winners],
            names[losers],
            ties=tied[keep],
            sample_weight=weights[keep],
            items=names[used],
        )
        # Groups never compared with each other, each strongly connected:
        # finite strengths within each group, on scales that are not comparable.
        self._mle_exists = graph.n_components == graph.n_weak_components
        warnings.warn(
            f"{graph.message()} {described} The fit returns the point the "
            "likelihood tends to: the MLE of the comparisons within strongly "
            "connected components, which are then set apart by at least 40 (more "
            "with a tie model) so "
            "that the comparisons between them are fitted as certain. How far "
            "apart is arbitrary.",
            MLEDoesNotExistWarning,
            stacklevel=user_stacklevel(),
        )
        return True

    def _warn_if_not_converged(self, result, loss, design):
        if _ties_certain(loss, result.extra):
            # Not covered by the graph check: it holds for the strengths of
            # the plain model, not for a tie parameter.
            decisive = loss.decisive_probability_of_equals(result.extra)
            warnings.warn(
                f"The maximum-likelihood estimate does not exist: the likelihood of "
                f"ties={self.ties!r} keeps growing as its tie parameter goes to "
                "infinity (two items of equal strength would now tie with "
                f"probability 1 - {decisive:.1e}), with strengths spread so that "
                "the few decisive outcomes stay likely. Ties are too frequent, "
                "relative to the decisive outcomes between the same items, for "
                "this model. The estimates returned are finite but arbitrary. Fit "
                "ties='half' (a tie as half a win for each side), or collect more "
                "decisive comparisons.",
                MLEDoesNotExistWarning,
                stacklevel=user_stacklevel(),
            )
        elif result.diverging:
            warnings.warn(
                "The maximum-likelihood estimate does not exist: the outcomes are "
                "separable (for item ids: some item never lost or never won, or the "
                "comparison graph is not strongly connected), so the likelihood keeps "
                "growing as coefficients go to infinity. The coefficients returned "
                f"are finite but arbitrary{self._diverging_features(design, result)}"
                ". Set alpha > 0 (a Gaussian prior), or restrict the data to the "
                "comparisons that do not separate (for item ids, the largest "
                "strongly connected component).",
                MLEDoesNotExistWarning,
                stacklevel=user_stacklevel(),
            )
        elif not result.converged:
            warnings.warn(
                f"Newton's method did not converge in max_iter={self.max_iter} "
                "iterations. Increase max_iter, or set alpha > 0 if the data are "
                "nearly separable.",
                ConvergenceWarning,
                stacklevel=user_stacklevel(),
            )

    def _diverging_features(self, design, result):
        """``"; the comparisons fitted as certain owe it most to ..."``: the
        features that carry them, or '' (items, or none found)."""
        if not isinstance(design, MatrixDesign):
            return ""
        delta = design.matvec(result.coef) + result.intercept
        certain = np.flatnonzero(np.abs(delta) > 15)[:1000]
        if not len(certain):
            return ""
        D = design.D[certain]
        D = np.abs(D.toarray() if sp.issparse(D) else D)
        weight = (D * np.abs(result.coef)).max(axis=0)
        top = np.argsort(-weight)[:3]
        top = top[weight[top] > 0.1 * weight.max()]
        names = getattr(self, "feature_names_in_", None)
        d = len(result.coef)
        names = item_feature_names(names, d) if names is not None else None
        shown = ", ".join(
            repr(str(names[j])) if names is not None else f"column {j}" for j in top
        )
        where = "" if names is not None else " of the item half of X"
        return (
            f"; the comparisons fitted as certain owe it most to the "
            f"feature(s) {shown}{where} (coefficients "
            f"{', '.join(f'{result.coef[j]:.3g}' for j in top)})"
        )

    def _delta(self, X):
        """``intercept_ + theta_A - theta_B``, after validating ``X``."""
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

    def _has_tie_class(self):
        return len(self.classes_) == 3

    def decision_function(self, X):
        """Log-odds that item A beats item B; log-probabilities with ties.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs,) or (n_pairs, 3)
            With two classes: ``intercept_ + theta_A - theta_B``, positive when
            A is favoured (with Davidson's model, the log-odds that A won given
            that the comparison was decided).  With a tie class, scikit-learn's
            multiclass convention: one column per class, here
            :meth:`predict_log_proba`, whose arg-max is :meth:`predict`.
        """
        if self._has_tie_class_fitted():
            return self.predict_log_proba(X)
        return self._delta(X)

    def _has_tie_class_fitted(self):
        check_is_fitted(self)
        return self._has_tie_class()

    def predict_proba(self, X):
        """Probability of each outcome.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs, n_classes)
            In the order of ``classes_``: ``[P(B won), P(A won)]``, or with a
            tie model ``[P(B won), P(tie), P(A won)]``.
        """
        delta = self._delta(X)
        if self._has_tie_class():
            return _TIE_LOSSES[self.ties]().predict_proba(delta, self._tie_extra)
        return np.column_stack([expit(-delta), expit(delta)])

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, exact in the tails.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        delta = self._delta(X)
        if self._has_tie_class():
            return _tie_log_proba(self.ties, delta, self._tie_extra)
        return np.column_stack([log_expit(-delta), log_expit(delta)])

    def predict(self, X):
        """Most probable outcome.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_pairs,)
            The predicted label of each pair: ``classes_[1]`` (A won) when A is
            favoured; with a tie model the label of the largest probability.
            At even odds (two items of equal strength, such as two unseen
            with ``OneHotEncoder(handle_unknown="ignore")``) it is
            ``classes_[0]``, as scikit-learn's classifiers break ties: on
            winner/loser data, where A always won, accuracy counts such rows
            wrong.  Log-loss (:func:`pairwise_log_loss_scorer`) scores them
            fairly.
        """
        if self._has_tie_class_fitted():
            return self.classes_[np.argmax(self.predict_log_proba(X), axis=1)]
        favoured = self._delta(X) > 0
        return self.classes_[favoured.astype(int)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of :meth:`predict` on ``(X, y)``.

        The fraction of outcomes predicted right, for every label encoding
        the fit takes: scikit-learn's ``accuracy_score`` reads outcome scores
        1 / 0.5 / 0 as a continuous target and refuses them.  With
        ``ties="half"`` the model has the two classes "B won" and "A won",
        and a tie in ``y`` (the tie label of the fit: 0.5 next to outcome
        scores, 0 next to signs, the middle of three labels) counts as half
        right whatever is predicted: it is half a win for each side, as in
        the fit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pairs of items, as in :meth:`fit`.
        y : array-like of shape (n_pairs,)
            Observed outcomes.
        sample_weight : array-like of shape (n_pairs,), default=None
            Frequency weights.

        Returns
        -------
        float
            The (weighted) fraction of outcomes predicted right.
        """
        check_is_fitted(self)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y, sample_weight)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, y, ensure_non_negative=True
            )
        tied = self._half_win_ties(y)
        unknown = ~(np.isin(y, self.classes_) | tied)
        if unknown.any():
            # Another encoding (0 / 0.5 / 1 against signs, where 0 changes
            # meaning) or type (strings against numbers) would be scored as
            # wrong predictions, silently.
            raise ValueError(
                f"y holds {int(unknown.sum())} label(s) the model does not know, "
                f"such as {_python(y[unknown][0])!r}; its classes_ are "
                f"{self.classes_.tolist()}. Encode y as in fit."
            )
        right = (self.predict(X) == y).astype(np.float64)
        right[tied] = 0.5
        return float(np.average(right, weights=sample_weight))

    def _half_win_ties(self, y):
        """Mask of the ties in ``y`` for a model fitted with ``ties="half"``.

        Its classes are the two wins, so a tie is no class; none for other
        models, whose ties (if any) are a class.
        """
        tie = getattr(self, "_half_win_tie", None)
        if tie is None:
            return np.zeros(len(y), dtype=bool)
        return np.asarray(y == tie, dtype=bool)

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

        See Also
        --------
        sklearn_bt.score_items : The same through a Pipeline's steps (inside
            one, this method takes items as the steps before it output them).
        """
        check_is_fitted(self)
        X_items = self._check_item_columns(X_items)
        X_items = _validate_items(X_items, self.n_features_in_ // 2)
        return np.asarray(X_items @ self.coef_, dtype=np.float64).ravel()

    def _check_item_columns(self, X_items):
        """``X_items`` with its DataFrame columns checked against the fit's."""
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return X_items
        d = len(names) // 2
        return check_item_columns(X_items, item_feature_names(names, d), names[:d])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # Three outcomes (B won, tie, A won) only with a tie model.
        tags.classifier_tags.multi_class = self.ties in TIE_MODELS
        return tags


def _tie_log_proba(ties, delta, extra):
    """Log-probabilities ``[B won, tie, A won]`` of a tie model, exact in the tails."""
    log_extra = float(np.asarray(extra, dtype=float)[0])
    if ties == "davidson":
        # Outcome scores (-delta/2, log nu, delta/2) minus their log-sum-exp.
        scores = np.column_stack(
            [-0.5 * delta, np.full_like(delta, log_extra), 0.5 * delta]
        )
        log_z = np.logaddexp(np.logaddexp(scores[:, 0], scores[:, 2]), log_extra)
        return scores - log_z[:, None]
    tau = np.exp(log_extra)
    log_a, log_b = log_expit(delta - tau), log_expit(-delta - tau)
    return np.column_stack([log_b, _log_expm1(2 * tau) + log_a + log_b, log_a])


def _dense(matrix):
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


# Dense designs are searched for item ids up to this size (8 MB): beyond, they
# hold dense features, whose scan would only cost time.
_DENSE_INCIDENCE_MAX_ENTRIES = 1 << 20


def _informed_block(hessian, design):
    """The Hessian without the coefficients no comparison informs, and a
    design of that size for its null space (``design`` if none is dropped).

    Without an MLE, at the limit, items alone in their strongly connected
    component (and features of comparisons between components only) carry no
    curvature: rows and columns of zeros, which leave the Schur complement
    of the other parameters as it is, but would each take a null direction
    (10,000 items in 6,000 components: a minute of dense factorisations).
    """
    p = design.n_params
    informed = np.asarray(hessian.diagonal()[:p]) > 0
    if informed.all():
        return hessian, design
    keep = np.r_[np.flatnonzero(informed), np.arange(p, hessian.shape[0])]
    if sp.issparse(hessian):
        hessian = sp.csr_array(hessian)[keep][:, keep]
    else:
        hessian = np.asarray(hessian)[np.ix_(keep, keep)]
    m = int(informed.sum())
    if isinstance(design, ItemDesign):
        return hessian, ItemDesign(np.zeros(0, np.intp), np.zeros(0, np.intp), m)
    block = MatrixDesign(sp.csr_array((0, m)))
    # The limit's fit within components found it already, on these columns.
    if design.informed_null is not None:
        used, null = design.informed_null
        if np.array_equal(used, keep[:m]):
            block._null_basis = null
    return hessian, block


def _trailing_covariance(hessian, k, null):
    """Asymptotic covariance of the last ``k`` parameters from the Hessian.

    The inverse of the Schur complement ``C - B' A^+ B`` of the leading block
    ``A`` (coef and intercept).  Without penalty ``A`` is singular along the
    null space of the design (strengths of items are defined up to a
    constant); the trailing parameters are orthogonal to it, so adding the
    projector on that null space to ``A`` changes nothing they depend on and
    makes ``A`` positive definite.
    """
    p = hessian.shape[0] - k
    if sp.issparse(hessian) and p > ITEM_DENSE_SOLVE_MAX_PARAMS:
        # Many items: never densify the K x K Laplacian. B is orthogonal to
        # its null space (B = D' h_cross), so conjugate gradients on the
        # singular but consistent system converge.
        H = sp.csr_array(hessian)
        A, B, C = H[:p, :p], H[:p, p:].toarray(), H[p:, p:].toarray()
        solved = np.column_stack(
            [cg(A, column, rtol=1e-12, atol=0.0, maxiter=10 * p)[0] for column in B.T]
        )
    else:
        H = _dense(hessian)
        A, B, C = H[:p, :p].copy(), H[:p, p:], H[p:, p:]
        if null is not None and null.shape[1]:
            m = null.shape[0]
            N = null.toarray() if sp.issparse(null) else null
            A[:m, :m] += N @ N.T
        try:
            solved = scipy.linalg.cho_solve(scipy.linalg.cho_factor(A), B)
        except np.linalg.LinAlgError:
            solved = scipy.linalg.lstsq(A, B)[0]
    schur = C - B.T @ solved
    try:
        covariance = np.linalg.inv(schur)
    except np.linalg.LinAlgError:
        covariance = np.full_like(schur, np.nan)
    # Not positive: the fit is not at a proper optimum (the MLE does not
    # exist, and the fit has warned): no standard error.
    if not np.all(np.diag(covariance) > 0):
        covariance = np.full_like(schur, np.nan)
    return covariance


def _check_pair_width(n_features):
    """Number of item features, or a ValueError for an odd column count."""
    if n_features % 2:
        raise ValueError(
            f"X has {n_features} feature(s), but a pair row needs an even number: "
            "the first half describes item A and the second half item B, with the "
            "same features in the same order. Build pair rows as [x_A | x_B]; for "
            "item ids use PairTransformer(OneHotEncoder()) on [[id_A, id_B], ...]. "
            "(A meta-estimator that draws a subset of the columns, such as "
            "BaggingClassifier(max_features < 1.0), breaks the pairing.)"
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


def _outcome_counts(outcome, sample_weight):
    """Counts ``[B won, tie, A won]`` of shape (n, 3) for raw comparisons."""
    counts = np.zeros((len(outcome), 3))
    # One flat index a row, 3 i + outcome: indexing by (row, column) pairs
    # took longer (1e6 rows: 12 against 9.5 ms).
    flat_index = np.arange(0, counts.size, 3)
    flat_index += outcome
    counts.ravel()[flat_index] = 1.0 if sample_weight is None else sample_weight
    return counts


def _difference(half_a, half_b):
    """``half_a - half_b`` in float64, and whether its values are all usable.

    Float32 halves are subtracted in float64 without a full-width copy.  A
    thin difference is stored column by column (Fortran order): numpy's
    products with a few long columns stream at memory speed, where a few
    values a row do not (d = 10, 1e6 rows: ``D @ w`` 16 -> 8 ms, ``D.T @ g``
    15 -> 7 ms, the Gram matrix 41 -> 32 ms, the fit 0.70 -> 0.59 s).  Wider
    rows gain little, and the transposing copy costs more the wider they
    are.  It is written block by block of rows, and each block's extremes
    taken while it is in the CPU cache: numpy's strided write at once took
    twice as long.  Usable means finite and at most ``_DIFFERENCE_MAX`` in
    magnitude (see :func:`_check_difference`).
    """
    n_rows, n_features = half_a.shape
    column_major = n_features <= _COLUMN_MAJOR_MAX_FEATURES
    D = np.empty((n_rows, n_features), order="F" if column_major else "C")
    block_rows = max(_DIFFERENCE_BLOCK_ROWS * 8 // max(n_features, 1), 1)
    usable = True
    # Non-finite values and overflows are reported by _check_difference.
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, n_rows, block_rows):
            rows = slice(start, start + block_rows)
            block = np.subtract(
                half_a[rows], half_b[rows], out=D[rows], dtype=np.float64
            )
            usable &= _usable(block)
    return D, usable


def _usable(differences):
    """Whether ``differences`` are finite and at most ``_DIFFERENCE_MAX`` in size."""
    if not differences.size:
        return True
    low, high = differences.min(), differences.max()  # NaN if any is
    return bool(-_DIFFERENCE_MAX <= low <= high <= _DIFFERENCE_MAX)


def _make_design(X, outcome, sample_weight, n_item_features, fit_intercept):
    """The solver's design and outcome counts.

    One-hot item ids are recognised and aggregated to unique pairs, whose
    counts are sufficient statistics; other designs keep one row per pair.
    """
    if sp.issparse(X):
        if X.format != "csr" and X.nnz == 2 * X.shape[0]:
            X = sp.csr_array(X)  # maybe one-hot ids in CSC or COO
        # Without intercept the model is antisymmetric, so (j, i) folds onto
        # (i, j) with its outcome reversed.
        aggregated = _two_hot_pairs(
            X, n_item_features, outcome, sample_weight, fold=not fit_intercept
        )
        if aggregated is not None:
            return aggregated
    if sp.issparse(X) and X.shape[0] * X.shape[1] * 8 <= 2 * X.nnz * 12:
        # Dense data stored sparse: as a dense array it takes at most twice
        # the memory (8 bytes a value against 12 with its index), and its Gram
        # matrix runs in BLAS (3e5 x 40 at full density: 4.2 s sparse against
        # 0.2 s dense).
        X = X.toarray()
    if sp.issparse(X):
        # In float64 before the subtraction, which float32 can overflow.
        X = sp.csr_array(X, dtype=np.float64)
        D = sp.csr_array(X[:, :n_item_features] - X[:, n_item_features:])
        if not _usable(D.data):
            _check_difference(X, D)
        design = MatrixDesign(D)
    else:
        D, usable = _difference(X[:, :n_item_features], X[:, n_item_features:])
        if not usable:
            _check_difference(X, D)
        design = MatrixDesign(D)
    return design, _outcome_counts(outcome, sample_weight)


def _check_difference(X, D):
    """scikit-learn's error for a non-finite ``X``; ours for too large a ``D``.

    ``X`` is checked here, through its difference: a difference is finite
    only if both of its values are, and its extremes are a pass over half the
    values (dense ones while each block is in the CPU cache).  Only a
    difference beyond ``_DIFFERENCE_MAX`` (or NaN) comes here.
    """
    assert_all_finite(X, input_name="X", estimator_name="BradleyTerryRanker")
    with np.errstate(over="ignore", invalid="ignore"):
        largest = np.max(np.abs(D.data if sp.issparse(D) else D))
    size = "more than float64 can hold" if np.isinf(largest) else f"{largest:.3g}"
    raise ValueError(
        f"X's item features differ by up to {size} between item A and item B, "
        f"beyond the {_DIFFERENCE_MAX:.0e} this model accepts: its curvature "
        "sums the squares of these differences, which would overflow float64. "
        "Rescale the item features, e.g. with PairTransformer(StandardScaler()) "
        "in a Pipeline."
    )


def _half_win_meat(design, counts, result, fit_intercept):
    """Sum of the outer products of the comparisons' scores, for ``ties="half"``.

    Counting a tie as half a win for each side maximises a quasi-likelihood:
    a tie's outcome, one half, varies less than a win or a loss, so the
    inverse Hessian overstates the variance (by some 20% in standard error
    with a quarter of ties).  The sandwich ``H^-1 J H^-1`` with this ``J``
    (the empirical variance of the scores, as statsmodels' ``HC0``) does not.
    """
    p_a = expit(design.matvec(result.coef) + result.intercept)
    squared_residuals = (
        counts[:, A_WON] * (1.0 - p_a) ** 2
        + counts[:, TIE] * (0.5 - p_a) ** 2
        + counts[:, B_WON] * p_a**2
    )
    return score_outer_products(design, squared_residuals, fit_intercept)


def _sandwich_params(design, counts, result, fit_intercept, mle_exists, incidence=None):
    """Which parameters' variances the half-win sandwich estimates soundly.

    It needs residuals that vary: a parameter informed by ties alone (an item
    compared in ties only, a group linked to the rest by ties only) gets a
    sandwich variance from the ties' small residuals alone, near 0.  For item
    ids this is decided item by item: in each group of items that the
    comparisons link, those linked by wins and losses to the largest such
    subgroup keep it (and, without an MLE, only those of the largest strongly
    connected component).  For features, all parameters or none (at the
    limit, ``incidence`` gives their items' comparisons, as for item ids).
    """
    n = design.n_params + int(fit_intercept)
    items = (
        (design.a, design.b, design.n_params)
        if isinstance(design, ItemDesign)
        else None
    )
    if incidence is not None:  # and item len(columns), a dropped category
        items = (incidence[1], incidence[2], len(incidence[0]) + 1)
    if not mle_exists and items is not None:
        # At the limit the fit returns, comparisons between strongly connected
        # components are certain: they inform nothing, and link nothing.
        a, b, n_items = items
        _, strong, _ = pair_count_components(a, b, counts, n_items)
        counts = counts * (strong[a] == strong[b])[:, None]
    decisive = counts[:, A_WON] + counts[:, B_WON] > 0
    if not isinstance(design, ItemDesign):
        sound = (mle_exists or incidence is not None) and _decisively_informed(
            design, counts, result, fit_intercept
        )
        return np.full(n, sound)
    compared = counts.sum(axis=1) > 0
    used = _informed_parameters(design, compared)
    linked = _linked_labels(design, compared)
    linked_decisively = _linked_labels(design, decisive)
    # Per group of linked items, its largest decisively linked subgroup.
    code = linked * (design.n_params + 1) + linked_decisively
    codes, sizes = np.unique(code[used], return_counts=True)
    group = codes // (design.n_params + 1)
    # Largest subgroup first within each group, then the first of each group.
    order = np.lexsort((-sizes, group))
    first = np.r_[True, group[order][1:] != group[order][:-1]]
    sound = used & np.isin(code, codes[order][first])
    if not mle_exists:
        sound &= strong == 0  # the largest strongly connected component
    if fit_intercept:
        sound = np.append(sound, decisive.any())
    return sound


def _linked_labels(design, rows):
    """Labels of the groups of items that the comparisons of ``rows`` link."""
    rows = rows & (design.a != design.b)
    graph = _edge_matrix(design.a[rows], design.b[rows], design.n_params)
    return connected_components(graph, directed=False)[1]


def _decisively_informed(design, counts, result, fit_intercept):
    """Whether the wins and losses alone inform every direction of a matrix
    design's parameters that the comparisons inform: whether the decisive
    rows' Fisher information has the rank of the whole Hessian's."""
    decisive = counts[:, A_WON] + counts[:, B_WON] > 0
    compared = counts.sum(axis=1) > 0
    if not np.array_equal(
        _informed_parameters(design, decisive), _informed_parameters(design, compared)
    ):
        return False
    n = design.n_params + int(fit_intercept)
    if n > _DECISIVE_RANK_MAX_PARAMS:
        return True  # each parameter informed: the check above only
    p_a = expit(design.matvec(result.coef) + result.intercept)
    weights = p_a * (1.0 - p_a)
    ranks = [
        _numerical_rank(score_outer_products(design, weights * rows, fit_intercept))
        for rows in (decisive, compared)
    ]
    return ranks[0] == ranks[1]


# Above this many parameters the rank comparison (two eigendecompositions)
# is skipped for the column check alone.
_DECISIVE_RANK_MAX_PARAMS = 1000


def _numerical_rank(gram):
    """Rank of a symmetric positive semi-definite matrix, in equilibrated units."""
    gram = gram.toarray() if sp.issparse(gram) else np.asarray(gram)
    scaled, _ = equilibrated(gram)
    eigval = scipy.linalg.eigvalsh(scaled)
    return int(np.sum(eigval > 1e-10 * max(eigval[-1], np.finfo(float).tiny)))


def _informed_parameters(design, rows):
    """Which parameters have a non-zero design entry in some of ``rows``."""
    if isinstance(design, ItemDesign):
        rows = rows & (design.a != design.b)  # an item against itself: no entry
        informed = np.zeros(design.n_params, dtype=bool)
        informed[design.a[rows]] = True
        informed[design.b[rows]] = True
        return informed
    D, weights = design.D, rows.astype(float)
    if sp.issparse(D):
        squares = np.asarray(D.multiply(D).T @ weights).ravel()
    else:  # no copy of D's rows
        squares = np.einsum("ij,ij,i->j", D, D, weights)
    return squares > 0


# Above this many features, the check of the intercept's identifiability
# solves with the Hessian by conjugate gradients (at most
# _INTERCEPT_CHECK_CG_ITERATIONS, else it is skipped) instead of a dense
# least-squares solve, which would cost a noticeable share of a fit.
_INTERCEPT_CHECK_MAX_DENSE_FEATURES = 500
_INTERCEPT_CHECK_CG_ITERATIONS = 1000


def _intercept_in_feature_span(hessian, n_coef, null):
    """Whether the intercept's column is a combination of the features' in the
    weighted design: its Schur complement in the Hessian vanishes.

    ``null`` is the null basis of the features' block (None: none).
    """
    H = hessian if sp.issparse(hessian) else np.asarray(hessian)
    c = float(H[n_coef, n_coef])
    if not c > 0:
        return False
    if n_coef > _INTERCEPT_CHECK_MAX_DENSE_FEATURES:
        H = sp.csr_array(H)
        b = H[:n_coef, [n_coef]].toarray().ravel()
        # Conjugate gradients minimise the energy of the error, so b'x comes
        # out low by its square: the complement, if zero, by some 1e-16 of c.
        x, info = solve_semidefinite(
            H[:n_coef, :n_coef], b, null, 1e-8, _INTERCEPT_CHECK_CG_ITERATIONS
        )
        return info == 0 and bool(c - b @ x <= 1e-9 * c)
    H = H.toarray() if sp.issparse(H) else H
    H_cc, b = H[:n_coef, :n_coef], H[:n_coef, n_coef]
    # In equilibrated units, so that the features' scales do not matter.
    scaled, scale = equilibrated(H_cc)
    solution = np.linalg.lstsq(scaled, b * scale, rcond=None)[0]
    return bool(c - (b * scale) @ solution <= 1e-9 * c)


def _sides_explain_the_intercept(design, counts):
    """Whether levels ``phi`` of the items exist with ``phi_A - phi_B = 1`` in
    every comparison: then the intercept and the strengths trade off exactly.
    """
    rows = (counts.sum(axis=1) > 0) & (design.a != design.b)
    a, b, n = design.a[rows], design.b[rows], design.n_params
    if not len(a):
        return False
    # Levels that fail on some rows fail on all: a spread-out sample of a few
    # rows per item (cycles in plenty) settles most data sets cheaply.
    stride = len(a) // (4 * n)
    if stride > 1 and not _levels_exist(a[::stride], b[::stride], n):
        return False
    return _levels_exist(a, b, n)


def _levels_exist(a, b, n):
    """``phi_a - phi_b = 1`` on every row, for some ``phi``: levels are set
    along a breadth-first spanning forest, then checked on every row."""
    # Edge a -> b carries -1 (phi_b = phi_a - 1), b -> a +1.
    step = sp.csr_array(
        (np.r_[-np.ones(len(a)), np.ones(len(a))], (np.r_[a, b], np.r_[b, a])),
        shape=(n, n),
    )
    step.sum_duplicates()
    if np.any(step.data == 0):  # a pair in both orientations
        return False
    step.data = np.sign(step.data)
    level = np.full(n, np.nan)
    for start in np.unique(a):
        if not np.isnan(level[start]):
            continue
        order, parents = breadth_first_order(step, start, directed=False)
        children = order[1:]
        signs = np.asarray(step[parents[children], children]).ravel()
        # Parents come before their children in breadth-first order.
        levels = {int(start): 0.0}
        for child, parent, sign in zip(
            children.tolist(), parents[children].tolist(), signs.tolist(), strict=True
        ):
            levels[child] = levels[parent] + sign
        level[list(levels)] = list(levels.values())
    return bool(np.all(level[a] - level[b] == 1.0))


def _strongly_connected_items(design, counts):
    """Mask of the items in some comparison if they are strongly connected, else None.

    The common case, checked lean on the aggregated pairs: one edge per
    direction that saw a win (a tie counts both ways).
    """
    _, labels, used = pair_count_components(design.a, design.b, counts, design.n_params)
    labels = labels[used]
    if len(labels) and np.any(labels != labels[0]):
        return None
    return used


def _two_hot_pairs(X, d, outcome, sample_weight, fold):
    """Design and counts of the item pairs if X is one-hot in each half, else None.

    ``X`` is sparse, in CSR if it has two entries a row.  Few items are
    counted into their K x K cells straight from ``X``'s arrays, block by
    block: the checks that each row is two-hot, the pair keys and the
    counting run on one block while it is in the CPU cache, and no n-long
    array of codes is made (3e6 arena battles, in a fresh process: 52 -> 46
    ms, as a 12 MB array of B's codes is not written).
    """
    n = X.shape[0]
    if X.format != "csr" or X.nnz != 2 * n:
        return None
    if counts_in_cells(d, n):
        planes = count_cells(_two_hot_keys(X, d), outcome, sample_weight, d)
        return None if planes is None else aggregate_cells(planes, d, fold=fold)
    codes = _two_hot_codes(X, d)
    if codes is None:
        return None
    return aggregate_item_pairs(*codes, outcome, sample_weight, d, fold=fold)


def _two_hot_keys(X, d):
    """``rows -> a * d + b`` of a CSR ``X`` of two entries a row (see count_cells).

    None for rows that are not a 1 in A's half and a 1 in B's half.
    """
    indices, indptr, data = X.indices, X.indptr, X.data
    sorted_rows = X.has_sorted_indices
    # In int32 when the keys of three outcome planes fit: numpy's arithmetic
    # on the strided columns is then not cast element by element (3e6 rows:
    # 17 -> 13 ms).
    key_dtype = np.int32 if indices.dtype == np.int32 and 3 * d * d < 2**31 else np.intp
    steps = np.zeros(0, dtype=indptr.dtype)  # 0, 2, 4, ... for a block's indptr

    def keys(rows):
        nonlocal steps
        start, stop = rows.start, rows.stop
        if len(steps) <= stop - start:  # the first block is the longest
            steps = np.arange(0, 2 * (stop - start) + 1, 2, dtype=indptr.dtype)
        pairs = indices[2 * start : 2 * stop].reshape(-1, 2)
        if not sorted_rows:
            pairs = np.sort(pairs, axis=1)
        a, b = pairs[:, 0], pairs[:, 1]
        # A's 1 in A's half, B's in B's half.
        if (
            not _two_ones_in_rows(indptr, data, start, stop, steps)
            or a.max(initial=0) >= d
            or b.min(initial=d) < d
        ):
            return None
        keys = np.multiply(a, d, dtype=key_dtype)
        keys += b
        keys -= d
        return keys

    return keys


def _two_hot_codes(X, d):
    """Item index of A and B per row when CSR X is one-hot in each half, else None."""
    n = X.shape[0]
    pairs = X.indices.reshape(n, 2)
    if not X.has_sorted_indices:
        pairs = np.sort(pairs, axis=1)
    a = pairs[:, 0]
    if not _two_ones_a_row(X.indptr, X.data) or a.max(initial=0) >= d:
        return None
    # B's codes are made anyway: checking them, contiguous, is cheaper than
    # checking the strided column before (3e6 rows: 5.0 ms against 6.5).
    b = pairs[:, 1] - d
    if b.min(initial=0) < 0:
        return None
    return a, b


# Rows checked per block in _two_ones_a_row.
_TWO_ONES_BLOCK_ROWS = 1 << 16


def _two_ones_a_row(indptr, data):
    """Whether every row of a CSR matrix holds two entries, both of value 1.

    Checked block by block, so no n-long temporaries are made (3e6 rows: a
    12 MB ``arange`` to compare ``indptr`` with and a 6 MB mask of the
    values, which a fresh process pays for in page faults).
    """
    n = len(indptr) - 1
    return all(
        _two_ones_in_rows(indptr, data, start, min(start + _TWO_ONES_BLOCK_ROWS, n))
        for start in range(0, n, _TWO_ONES_BLOCK_ROWS)
    )


def _two_ones_in_rows(indptr, data, start, stop, steps=None):
    """Whether rows ``start:stop`` of a CSR matrix hold two entries of value 1 each.

    ``steps``, if given, is ``0, 2, 4, ...`` at least ``stop - start + 1`` long.
    """
    # Two entries a row: indptr is 0, 2, 4, ...
    offsets = indptr[start : stop + 1] - 2 * start
    if steps is None:
        steps = np.arange(0, 2 * (stop - start) + 1, 2, dtype=offsets.dtype)
    steps = steps[: stop - start + 1]
    ones = not np.any(data[2 * start : 2 * stop] != 1)
    return ones and np.array_equal(offsets, steps)
