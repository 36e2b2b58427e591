"""Correctness of BradleyTerryRanker against independent references: scikit-learn's
LogisticRegression, statsmodels, scipy's trust-region solver, choix, and the
published estimates of Agresti (2002) and Stigler (1994)."""

import pickle
import warnings

import choix
import numpy as np
import pandas as pd
import pytest
import scipy.linalg
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import sklearn_bt._ranker as ranker_module
import sklearn_bt._solvers as solvers_module
from sklearn_bt import (
    BradleyTerryRanker,
    MLEDoesNotExistWarning,
    PairTransformer,
    restrict_to_largest_component,
    swap_pairs,
)
from sklearn_bt._graph import _strong_components

SPARSE_FORMATS = [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array]


# ------------------------------------------------------------------ data


def _features(seed=0, n=200, d=3, fit_intercept=False):
    """Pair rows [x_A | x_B] and outcomes drawn from a known reward model."""
    rng = np.random.default_rng(seed)
    x_a, x_b = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    w = np.linspace(1.0, -0.5, d)
    logit = (x_a - x_b) @ w + (0.4 if fit_intercept else 0.0)
    y = (rng.random(n) < expit(logit)).astype(int)
    return np.hstack([x_a, x_b]), y


def _matches(seed=0, n_items=6, n=300):
    """Winner and loser index of random matches; every item wins and loses."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n_items)
    a = rng.integers(0, n_items, n)
    b = (a + rng.integers(1, n_items, n)) % n_items
    a_won = rng.random(n) < expit(theta[a] - theta[b])
    winner, loser = np.where(a_won, a, b), np.where(a_won, b, a)
    assert set(winner) == set(loser) == set(range(n_items))
    return winner, loser


def _two_hot(a, b, n_items):
    """Sparse one-hot pair rows: column a for item A, n_items + b for item B."""
    n = len(a)
    rows = np.repeat(np.arange(n), 2)
    cols = np.column_stack([a, n_items + np.asarray(b)]).ravel()
    return sp.csr_array((np.ones(2 * n), (rows, cols)), shape=(n, 2 * n_items))


def _difference(X):
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    d = X.shape[1] // 2
    return X[:, :d] - X[:, d:]


def _reference_fit(D, y, sample_weight=None, alpha=0.0, fit_intercept=False):
    """Penalised logistic MLE on D by scipy's exact trust-region Newton method,
    with the objective, gradient and Hessian written out here."""
    D = np.asarray(D, dtype=float)
    if fit_intercept:
        D = np.column_stack([D, np.ones(len(D))])
    w = np.ones(len(D)) if sample_weight is None else np.asarray(sample_weight, float)
    sign = 2.0 * np.asarray(y) - 1.0
    penalty = np.full(D.shape[1], alpha)
    if fit_intercept:
        penalty[-1] = 0.0

    def fun(beta):
        return w @ np.logaddexp(0.0, -sign * (D @ beta)) + 0.5 * beta @ (penalty * beta)

    def jac(beta):
        return D.T @ (w * (expit(D @ beta) - y)) + penalty * beta

    def hess(beta):
        p = expit(D @ beta)
        return D.T @ (D * (w * p * (1 - p))[:, None]) + np.diag(penalty)

    result = minimize(
        fun, np.zeros(D.shape[1]), jac=jac, hess=hess, method="trust-exact",
        options={"gtol": 1e-10},
    )  # fmt: skip
    # trust-exact stops ("bad approximation") once the objective's decrease is
    # below rounding; plain Newton steps on the gradient finish the job.
    beta = result.x
    for _ in range(3):
        beta = beta - np.linalg.solve(hess(beta), jac(beta))
    assert np.max(np.abs(jac(beta))) < 1e-10
    if fit_intercept:
        return beta[:-1], beta[-1]
    return beta, 0.0


def _fit_quietly(estimator, *args, **kwargs):
    """Fit with every warning turned into an error: well-posed fits are silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return estimator.fit(*args, **kwargs)


# ------------------------------------------- agreement with other libraries


@pytest.mark.parametrize("C", [np.inf, 10.0, 1.0, 0.1])
def test_equals_logistic_regression_on_differences(C):
    X, y = _features()
    model = _fit_quietly(BradleyTerryRanker(alpha=1 / C), X, y)
    reference = LogisticRegression(
        C=C, fit_intercept=False, solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(_difference(X), y)
    assert_allclose(model.coef_, reference.coef_.ravel(), rtol=0, atol=1e-8)
    assert model.intercept_ == 0.0
    assert_allclose(
        model.predict_proba(X), reference.predict_proba(_difference(X)), atol=1e-9
    )


@pytest.mark.parametrize("C", [np.inf, 1.0])
def test_equals_logistic_regression_with_intercept(C):
    X, y = _features(1, fit_intercept=True)
    model = _fit_quietly(BradleyTerryRanker(alpha=1 / C, fit_intercept=True), X, y)
    reference = LogisticRegression(
        C=C, fit_intercept=True, solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(_difference(X), y)
    assert_allclose(model.coef_, reference.coef_.ravel(), rtol=0, atol=1e-8)
    assert model.intercept_ == pytest.approx(reference.intercept_[0], abs=1e-8)


def _assert_same_hessian_up_to_reuse(hessian, other):
    """Equal in the Loewner order within twice the bound of a reused Hessian
    (the last Newton iterate's; each is within the bound of the exact one)."""
    ratios = scipy.linalg.eigvalsh(hessian, other)
    assert np.all(np.abs(ratios - 1) <= 2 * solvers_module._HESSIAN_REUSE_RTOL)


def test_many_rows_start_from_a_subsample_and_reach_the_same_optimum(monkeypatch):
    # 300k rows of 2 features: enough for the real thresholds to fit every
    # k-th row first.  Compared with scikit-learn and with the cold start.
    X, y = _features(4, n=300_000, d=2)
    model = _fit_quietly(BradleyTerryRanker(), X, y)
    reference = LogisticRegression(
        C=np.inf, fit_intercept=False, solver="newton-cholesky", tol=1e-12
    ).fit(_difference(X), y)
    assert_allclose(model.coef_, reference.coef_.ravel(), rtol=1e-9)
    monkeypatch.setattr(solvers_module, "_SUBSAMPLE_MIN_STRIDE", np.inf)
    cold = _fit_quietly(BradleyTerryRanker(), X, y)
    assert model.n_iter_ < cold.n_iter_
    assert_allclose(model.coef_, cold.coef_, rtol=1e-12)
    assert_allclose(model.hessian_, cold.hessian_, rtol=1e-10)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_many_features_start_from_lbfgs_and_reach_the_same_optimum(
    monkeypatch, fit_intercept
):
    # 40 item features: L-BFGS steps come before Newton's.  Compared with
    # scikit-learn and with the plain Newton fit from zero.
    X, y = _features(5, n=4000, d=40, fit_intercept=fit_intercept)
    model = _fit_quietly(BradleyTerryRanker(fit_intercept=fit_intercept), X, y)
    reference = LogisticRegression(
        C=np.inf, fit_intercept=fit_intercept, solver="newton-cholesky", tol=1e-12
    ).fit(_difference(X), y)
    assert_allclose(model.coef_, reference.coef_.ravel(), rtol=1e-9)
    assert model.intercept_ == pytest.approx(
        reference.intercept_[0] if fit_intercept else 0.0, abs=1e-10
    )
    monkeypatch.setattr(solvers_module, "_QUASI_NEWTON_MIN_PARAMS", np.inf)
    cold = _fit_quietly(BradleyTerryRanker(fit_intercept=fit_intercept), X, y)
    assert model.n_iter_ < cold.n_iter_
    assert_allclose(model.coef_, cold.coef_, rtol=1e-12)
    _assert_same_hessian_up_to_reuse(model.hessian_, cold.hessian_)


@pytest.mark.parametrize("units", [1e5, 1e-5])
def test_features_in_very_different_units_are_fitted_exactly(units):
    # Response length in characters next to a score in [0, 1] (or a tiny
    # feature next to a unit one): the Gram matrix's eigenvalues span 1e10,
    # and the small feature was taken for a null direction and set to 0.
    X, y = _features(6, n=2000, d=2)
    reference, _ = _reference_fit(_difference(X), y)  # in the original units
    model = _fit_quietly(BradleyTerryRanker(), X * np.tile([units, 1.0], 2), y)
    assert_allclose(model.coef_, reference / [units, 1.0], rtol=1e-8)
    assert abs(model.coef_[1]) > 0.3


def test_steep_overlapping_outcomes_do_not_warn_that_the_mle_does_not_exist():
    # Strong features (|x_A - x_B| w reaches 47) whose outcomes still overlap:
    # the MLE exists (statsmodels agrees), so the fit is silent.
    rng = np.random.default_rng(11)
    X = rng.normal(size=(400, 4))
    y = (rng.random(400) < expit(10 * _difference(X) @ [1.0, -0.5])).astype(int)
    model = _fit_quietly(BradleyTerryRanker(), X, y)
    reference = sm.Logit(y, _difference(X)).fit(method="newton", tol=1e-14, disp=0)
    assert np.max(np.abs(_difference(X) @ model.coef_)) > 30
    assert_allclose(model.coef_, reference.params, rtol=1e-9)


def test_lbfgs_logistic_regression_agrees_to_its_tolerance():
    # The default LogisticRegression solver, as the issue asks: tight tol, many
    # iterations; L-BFGS stops near 1e-7 where Newton reaches machine precision.
    X, y = _features(2)
    model = _fit_quietly(BradleyTerryRanker(), X, y)
    reference = LogisticRegression(
        C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000
    ).fit(_difference(X), y)
    assert_allclose(model.coef_, reference.coef_.ravel(), rtol=0, atol=1e-6)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_equals_statsmodels_logit(fit_intercept):
    X, y = _features(3, fit_intercept=fit_intercept)
    D = _difference(X)
    model = _fit_quietly(BradleyTerryRanker(fit_intercept=fit_intercept), X, y)
    exog = np.column_stack([D, np.ones(len(D))]) if fit_intercept else D
    reference = sm.Logit(y, exog).fit(method="newton", tol=1e-14, disp=0)
    params = np.r_[model.coef_, model.intercept_] if fit_intercept else model.coef_
    assert_allclose(params, reference.params, rtol=0, atol=1e-9)
    # hessian_ is the observed information: the inverse of the covariance.
    assert_allclose(model.hessian_, np.linalg.inv(reference.cov_params()), rtol=1e-8)


@pytest.mark.parametrize(
    "case",
    ["features", "features, alpha and intercept", "item ids", "item ids, intercept"],
)
def test_converges_to_the_mle_without_warning(case):
    alpha = 0.5 if "alpha" in case else 0.0
    fit_intercept = "intercept" in case
    if case.startswith("features"):
        X, y = _features(4, fit_intercept=fit_intercept)
        D = _difference(X)
    else:
        winner, loser = _matches(4)
        X, y = swap_pairs(
            _two_hot(winner, loser, 6), np.ones(len(winner)), random_state=0
        )
        # Fix the last strength at 0 so that the reference problem is identified.
        D = _difference(X)[:, :-1]
    model = _fit_quietly(
        BradleyTerryRanker(alpha=alpha, fit_intercept=fit_intercept), X, y
    )
    coef, intercept = _reference_fit(D, y, alpha=alpha, fit_intercept=fit_intercept)
    if not case.startswith("features"):
        coef = np.r_[coef, 0.0]
        coef -= coef.mean()
    assert_allclose(model.coef_, coef, rtol=0, atol=1e-8)
    assert model.intercept_ == pytest.approx(intercept, abs=1e-8)
    assert model.n_iter_ < 20


# --------------------------------------------- equivalent ways to give data


def test_winner_loser_fit_equals_two_label_fit():
    X, _ = _features(5)
    winner_loser = _fit_quietly(BradleyTerryRanker(), X, np.ones(len(X)))
    X_swapped, y_swapped = swap_pairs(X, np.ones(len(X)), random_state=0)
    assert set(y_swapped) == {0.0, 1.0}
    two_labels = _fit_quietly(BradleyTerryRanker(), X_swapped, y_swapped)
    assert_allclose(two_labels.coef_, winner_loser.coef_, atol=1e-12)


def test_winner_loser_item_fit_equals_two_label_fit():
    winner, loser = _matches(5)
    X = _two_hot(winner, loser, 6)
    winner_loser = _fit_quietly(BradleyTerryRanker(), X, np.ones(len(winner)))
    two_labels = _fit_quietly(
        BradleyTerryRanker(), *swap_pairs(X, np.ones(len(winner)), random_state=1)
    )
    assert_allclose(two_labels.coef_, winner_loser.coef_, atol=1e-12)


@pytest.mark.parametrize("lost", [0, 0.0, False])
def test_loser_winner_data_with_the_single_label_zero(lost):
    # Every row "A lost" (y all 0): the same comparisons as winner/loser rows.
    winner, loser = _matches(5)
    winner_loser = BradleyTerryRanker().fit(_two_hot(winner, loser, 6), np.ones(300))
    y = np.full(300, lost)
    loser_winner = BradleyTerryRanker().fit(_two_hot(loser, winner, 6), y)
    assert_allclose(loser_winner.coef_, winner_loser.coef_, atol=1e-12)
    classes = [False, True] if lost is False else [0, 1]
    assert_array_equal(loser_winner.classes_, classes)
    # P(B won) of the swapped rows is P(A won) of the original ones.
    assert_allclose(
        loser_winner.predict_proba(_two_hot(loser, winner, 6))[:, 0],
        winner_loser.predict_proba(_two_hot(winner, loser, 6))[:, 1],
        atol=1e-12,
    )


@pytest.mark.parametrize("kind", ["features", "item ids"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_duplicated_rows_equal_integer_weights(kind, fit_intercept):
    if kind == "features":
        X, y = _features(6)
    else:
        X, y = swap_pairs(_two_hot(*_matches(6), 6), np.ones(300), random_state=0)
    weights = np.random.default_rng(0).integers(0, 4, len(y))
    repeat = np.repeat(np.arange(len(y)), weights)
    X_repeated = X[repeat] if not sp.issparse(X) else sp.csr_array(X)[repeat]
    model = BradleyTerryRanker(fit_intercept=fit_intercept)
    weighted = _fit_quietly(clone(model), X, y, sample_weight=weights)
    repeated = _fit_quietly(clone(model), X_repeated, y[repeat])
    assert_allclose(weighted.coef_, repeated.coef_, atol=1e-10)
    assert weighted.intercept_ == pytest.approx(repeated.intercept_, abs=1e-10)


@pytest.mark.parametrize("to_sparse", SPARSE_FORMATS)
def test_sparse_features_equal_dense(to_sparse):
    X, y = _features(7)
    X[np.abs(X) < 0.5] = 0.0
    dense = _fit_quietly(BradleyTerryRanker(fit_intercept=True), X, y)
    sparse = _fit_quietly(BradleyTerryRanker(fit_intercept=True), to_sparse(X), y)
    assert_allclose(sparse.coef_, dense.coef_, atol=1e-12)
    assert sparse.intercept_ == pytest.approx(dense.intercept_, abs=1e-12)
    assert_allclose(sparse.predict_proba(to_sparse(X)), dense.predict_proba(X))


@pytest.mark.parametrize("to_sparse", SPARSE_FORMATS)
def test_sparse_item_ids_in_every_format_take_the_same_fit(to_sparse):
    winner, loser = _matches(8)
    X = _two_hot(winner, loser, 6)
    reference = _fit_quietly(BradleyTerryRanker(), X.toarray(), np.ones(300))
    model = _fit_quietly(BradleyTerryRanker(), to_sparse(X), np.ones(300))
    assert_allclose(model.coef_, reference.coef_, atol=1e-12)


def test_unsorted_sparse_indices_are_read_correctly_and_left_alone():
    winner, loser = np.array([0, 1, 2, 0]), np.array([1, 2, 0, 2])
    # Each row lists item B's column before item A's.
    indices = np.column_stack([3 + loser, winner]).ravel()
    X = sp.csr_matrix((np.ones(8), indices, np.arange(0, 9, 2)), shape=(4, 6))
    assert not X.has_sorted_indices
    before = X.indices.copy()
    model = _fit_quietly(BradleyTerryRanker(), X, np.ones(4))
    assert_array_equal(X.indices, before)
    reference = _fit_quietly(BradleyTerryRanker(), X.toarray(), np.ones(4))
    assert_allclose(model.coef_, reference.coef_, atol=1e-12)


def _spoil_value(X):
    X.data[-1] = 2.0


def _spoil_row_lengths(X):
    X.indptr[-2] += 1  # the last but one row: three entries, the last: one


def _spoil_a_column(X):
    X.indices[-2] = X.indices[-1]  # item A's column in B's half


def _spoil_b_column(X):
    X.indices[-1] = X.indices[-2]  # item B's column in A's half


@pytest.mark.parametrize("route", ["codes", "cells"])
@pytest.mark.parametrize(
    "spoil", [_spoil_value, _spoil_row_lengths, _spoil_a_column, _spoil_b_column]
)
def test_two_hot_rows_are_checked_in_every_block(monkeypatch, spoil, route):
    # Rows are checked block by block, whether they become item codes (many
    # items: blocks of 7 rows here) or are counted into their cells straight
    # from X (few items: blocks of 4 x 36 cells = 144 rows): a row that is
    # not two-hot in the last block is found before anything is used, and
    # the rows are fitted as general features instead.
    monkeypatch.setattr(ranker_module, "_TWO_ONES_BLOCK_ROWS", 7)
    monkeypatch.setattr(solvers_module, "_COUNT_BLOCK_ROWS", 1)
    winner, loser = _matches(9, n=400)
    X = sp.csr_matrix(_two_hot(winner, loser, 6))
    outcome = np.full(400, 2, dtype=np.int8)

    def read(X):
        if route == "codes":
            return ranker_module._two_hot_codes(X, 6)
        return ranker_module._two_hot_pairs(X, 6, outcome, None, fold=True)

    found = read(X)
    if route == "codes":
        assert_array_equal(found[0], winner)
        assert_array_equal(found[1], loser)
    else:
        assert found[1].sum() == 400  # every comparison counted once
    spoil(X)
    assert read(X) is None


@pytest.mark.parametrize("fold", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_items", [6, 40])  # counted in cells; sorted pairs
def test_two_hot_pairs_equal_the_pairs_of_their_codes(
    monkeypatch, n_items, weighted, fold
):
    monkeypatch.setattr(solvers_module, "_COUNT_BLOCK_ROWS", 1)
    rng = np.random.default_rng(4)
    a, b = rng.integers(0, n_items, 500), rng.integers(0, n_items, 500)
    outcome = rng.integers(0, 3, 500).astype(np.int8)
    weight = rng.uniform(0.5, 2.0, 500) if weighted else None
    # B's column listed before A's in every other row: unsorted indices.
    first, second = n_items + b, a.copy()
    first[::2], second[::2] = a[::2], n_items + b[::2]
    indices = np.column_stack([first, second]).ravel()
    X = sp.csr_matrix(
        (np.ones(1000), indices, np.arange(0, 1001, 2)), shape=(500, 2 * n_items)
    )
    assert not X.has_sorted_indices
    design, counts = ranker_module._two_hot_pairs(X, n_items, outcome, weight, fold)
    expected_design, expected = solvers_module.aggregate_item_pairs(
        a, b, outcome, weight, n_items, fold=fold
    )
    assert_array_equal(design.a, expected_design.a)
    assert_array_equal(design.b, expected_design.b)
    assert_allclose(counts, expected, rtol=1e-15)
    assert_array_equal(X.indices, indices)  # left alone


def test_float32_input_fits_like_its_float64_values():
    X, y = _features(9)
    X32 = X.astype(np.float32)
    model = _fit_quietly(BradleyTerryRanker(), X32, y)
    reference = _fit_quietly(BradleyTerryRanker(), X32.astype(np.float64), y)
    assert model.coef_.dtype == np.float64
    assert_allclose(model.coef_, reference.coef_, atol=1e-12)
    assert_allclose(model.predict_proba(X32), reference.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_features", [3, 40])
def test_difference_design_is_exact_and_column_major_when_thin(
    monkeypatch, dtype, n_features
):
    # More rows than a block, so that the blockwise copy covers a ragged end.
    monkeypatch.setattr(ranker_module, "_DIFFERENCE_BLOCK_ROWS", 64)
    X = np.random.default_rng(2).normal(size=(1000, 2 * n_features)).astype(dtype)
    D, usable = ranker_module._difference(X[:, :n_features], X[:, n_features:])
    assert usable
    assert D.dtype == np.float64
    thin = n_features <= ranker_module._COLUMN_MAJOR_MAX_FEATURES
    assert D.flags.f_contiguous == thin and D.flags.c_contiguous != thin
    expected = X[:, :n_features].astype(np.float64) - X[:, n_features:]
    assert_array_equal(D, expected)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_features", [2, 40])
@pytest.mark.parametrize(
    "a_value, b_value, message",
    [
        (np.nan, 0.0, "Input X contains NaN"),
        (np.inf, np.inf, "Input X contains infinity"),
        (0.0, -np.inf, "Input X contains infinity"),
        # Finite values whose difference overflows, or whose square would.
        (1e308, -1e308, "differ by up to more than float64 can hold"),
        (1e200, 0.0, "differ by up to 1e\\+200 between item A and item B"),
    ],
)
def test_values_are_checked_through_their_difference(
    n_features, a_value, b_value, message, sparse
):
    # X is checked for NaN and infinity through its difference, with
    # scikit-learn's messages, and a difference that overflows is named.
    X, y = _features(14, n=100, d=n_features)
    if sparse:  # sparse enough to be fitted sparse
        X[np.abs(X) < 1.2] = 0.0
    X[7, 1] = a_value
    X[7, n_features + 1] = b_value
    if sparse:
        X = sp.csr_array(X)
        assert 3 * X.nnz < X.shape[0] * X.shape[1]
    original = X.copy()
    with pytest.raises(ValueError, match=message):
        BradleyTerryRanker().fit(X, y)
    if sparse:
        X, original = X.toarray(), original.toarray()
    assert_array_equal(X, original)


def test_large_features_with_small_differences_are_usable():
    # Features near the float64 limit on both sides: only their differences
    # enter the model, and these are small.
    X, y = _features(15, n=100, d=2)
    X[:, 0] += 1e300
    X[:, 2] += 1e300
    D, usable = ranker_module._difference(X[:, :2], X[:, 2:])
    assert usable
    model = _fit_quietly(BradleyTerryRanker(), X, y)
    assert np.all(np.isfinite(model.coef_))
    # Sparse, a column that is zero but for one huge value on both sides.
    X_sparse = np.zeros((100, 8))
    X_sparse[:, [0, 4]] = X[:, [1, 3]]
    X_sparse[5, [2, 6]] = 1e300
    sparse_model = _fit_quietly(BradleyTerryRanker(), sp.csr_array(X_sparse), y)
    reference = _fit_quietly(BradleyTerryRanker(), X[:, [1, 3]], y)
    assert_allclose(sparse_model.coef_[0], reference.coef_[0], rtol=1e-10)


def test_thin_column_major_design_fits_like_a_row_major_one(monkeypatch):
    # Both layouts go through the same products: the estimates agree to
    # rounding, the standard errors too.
    X, y = _features(13, n=3000, d=4)
    model = _fit_quietly(BradleyTerryRanker(), X, y)
    monkeypatch.setattr(ranker_module, "_COLUMN_MAJOR_MAX_FEATURES", 0)
    row_major = _fit_quietly(BradleyTerryRanker(), X, y)
    assert_allclose(model.coef_, row_major.coef_, rtol=1e-12)
    assert_allclose(model.hessian_, row_major.hessian_, rtol=1e-12)


def test_dataframe_input_and_feature_names():
    X, y = _features(10, d=2)
    columns = ["rating_a", "age_a", "rating_b", "age_b"]
    df = pd.DataFrame(X, columns=columns)
    model = _fit_quietly(BradleyTerryRanker(), df, pd.Series(y))
    reference = _fit_quietly(BradleyTerryRanker(), X, y)
    assert_array_equal(model.feature_names_in_, columns)
    assert_allclose(model.coef_, reference.coef_, atol=1e-12)
    assert_allclose(model.predict_proba(df), reference.predict_proba(X))
    assert not hasattr(reference, "feature_names_in_")


def test_pickle_and_clone():
    X, y = _features(11)
    model = BradleyTerryRanker(alpha=0.3, fit_intercept=True).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert_array_equal(restored.coef_, model.coef_)
    fresh = clone(model)
    assert fresh.get_params() == model.get_params()
    assert not hasattr(fresh, "coef_")
    assert_array_equal(fresh.fit(X, y).coef_, model.coef_)


def test_pickle_of_an_item_fit_with_sparse_hessian():
    model = BradleyTerryRanker().fit(_two_hot(*_matches(12), 6), np.ones(300))
    assert sp.issparse(model.hessian_)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.hessian_.toarray(), model.hessian_.toarray())


def test_inputs_are_not_mutated():
    X, y = _features(13)
    weights = np.linspace(0.5, 2.0, len(y))
    copies = X.copy(), y.copy(), weights.copy()
    BradleyTerryRanker(fit_intercept=True).fit(X, y, sample_weight=weights)
    assert_array_equal(X, copies[0])
    assert_array_equal(y, copies[1])
    assert_array_equal(weights, copies[2])

    X_sparse = _two_hot(*_matches(13), 6)
    sparse_copy = X_sparse.copy()
    BradleyTerryRanker().fit(X_sparse, np.ones(300))
    assert (X_sparse != sparse_copy).nnz == 0

    df = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
    df_copy = df.copy()
    model = BradleyTerryRanker().fit(df, y)
    model.predict_proba(df)
    pd.testing.assert_frame_equal(df, df_copy)


def test_fit_is_deterministic():
    X, y = swap_pairs(_two_hot(*_matches(14), 6), np.ones(300), random_state=0)
    first = BradleyTerryRanker(fit_intercept=True).fit(X, y)
    second = BradleyTerryRanker(fit_intercept=True).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert first.intercept_ == second.intercept_


# ------------------------------------------------------------------ labels


@pytest.mark.parametrize(
    "labels", [[0, 1], [-1, 1], [False, True], ["lost", "won"], [0.0, 1.0]]
)
def test_any_two_labels_give_the_same_fit(labels):
    X, y = _features(15)
    labels = np.asarray(labels)
    model = _fit_quietly(BradleyTerryRanker(), X, labels[y])
    reference = _fit_quietly(BradleyTerryRanker(), X, y)
    assert_array_equal(model.classes_, labels)
    assert_allclose(model.coef_, reference.coef_, atol=1e-12)
    assert_array_equal(model.predict(X), labels[reference.predict(X)])


@pytest.mark.parametrize(
    "y_value, classes",
    [(1, [0, 1]), (1.0, [0.0, 1.0]), (True, [False, True]), (0, [0, 1])],
)
def test_single_label_winner_loser_classes(y_value, classes):
    X, _ = _features(16)
    model = _fit_quietly(BradleyTerryRanker(), X, np.full(len(X), y_value))
    assert_array_equal(model.classes_, classes)
    assert model.classes_.dtype == np.asarray(classes).dtype


def test_all_zeros_is_the_mirror_of_all_ones():
    X, _ = _features(17)
    ones = _fit_quietly(BradleyTerryRanker(), X, np.ones(len(X), dtype=int))
    zeros = _fit_quietly(BradleyTerryRanker(), X, np.zeros(len(X), dtype=int))
    assert_allclose(zeros.coef_, -ones.coef_, atol=1e-12)


def test_single_label_with_intercept_is_a_clear_error():
    X, _ = _features(18)
    with pytest.raises(ValueError, match="single label.*intercept would diverge"):
        BradleyTerryRanker(fit_intercept=True).fit(X, np.ones(len(X)))


def test_single_label_with_intercept_is_an_error_with_half_ties_too():
    X, _ = _features(18)
    with pytest.raises(ValueError, match="single label"):
        BradleyTerryRanker(fit_intercept=True, ties="half").fit(X, np.ones(len(X)))


@pytest.mark.parametrize("label", [2, -1, "won"])
def test_single_label_other_than_zero_or_one_is_a_clear_error(label):
    X, _ = _features(19)
    with pytest.raises(ValueError, match="single label"):
        BradleyTerryRanker().fit(X, np.full(len(X), label))


# ------------------------------------------------------------ predictions


def test_swapping_a_and_b_gives_one_minus_p():
    X, y = _features(20)
    model = BradleyTerryRanker(alpha=0.1).fit(X, y)
    d = X.shape[1] // 2
    X_swapped = np.hstack([X[:, d:], X[:, :d]])
    assert_allclose(
        model.predict_proba(X_swapped)[:, 1], model.predict_proba(X)[:, 0], atol=1e-15
    )
    assert_allclose(model.decision_function(X_swapped), -model.decision_function(X))


def test_predictions_from_coefficients():
    X, y = _features(21, fit_intercept=True)
    model = BradleyTerryRanker(fit_intercept=True).fit(X, y)
    d = X.shape[1] // 2
    theta_a, theta_b = model.score_items(X[:, :d]), model.score_items(X[:, d:])
    assert_allclose(theta_a, X[:, :d] @ model.coef_)
    delta = model.intercept_ + theta_a - theta_b
    assert_allclose(model.decision_function(X), delta)
    assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-delta)))
    assert_allclose(model.predict_log_proba(X), np.log(model.predict_proba(X)))
    assert_array_equal(model.predict(X), (delta > 0).astype(int))


def test_log_proba_is_exact_in_the_tails():
    model = BradleyTerryRanker(alpha=1.0).fit([[1.0, 0.0], [0.0, 1.0]], [1, 0])
    model.coef_ = np.array([800.0])  # fixed by hand: P(B beats A) = expit(-800)
    log_proba = model.predict_log_proba([[1.0, 0.0]])
    assert_allclose(log_proba, [[-800.0, 0.0]])


# ----------------------------------------------------- item ids, fast path


class _RecordingItemDesign(ranker_module.ItemDesign):
    created = 0

    def __init__(self, *args, **kwargs):
        type(self).created += 1
        super().__init__(*args, **kwargs)


@pytest.fixture
def item_path_spy(monkeypatch):
    """Counts the fits that go through the aggregated one-hot fast path."""
    _RecordingItemDesign.created = 0
    monkeypatch.setattr(solvers_module, "ItemDesign", _RecordingItemDesign)
    return _RecordingItemDesign


@pytest.mark.parametrize("alpha", [0.0, 0.5, 4.0])
def test_item_fast_path_equals_general_path_and_choix(item_path_spy, alpha):
    winner, loser = _matches(22, n_items=8, n=400)
    X = _two_hot(winner, loser, 8)
    fast = _fit_quietly(BradleyTerryRanker(alpha=alpha), X, np.ones(400))
    assert item_path_spy.created == 1
    general = _fit_quietly(BradleyTerryRanker(alpha=alpha), X.toarray(), np.ones(400))
    assert item_path_spy.created == 1  # the dense copy went through MatrixDesign
    assert_allclose(fast.coef_, general.coef_, atol=1e-10)
    assert_allclose(fast.hessian_.toarray(), general.hessian_, atol=1e-10)
    # Strengths sum to zero: the minimum-norm MLE, and the stationarity of the
    # penalised fit (the Laplacian's gradient sums to zero).
    assert abs(fast.coef_.sum()) < 1e-10

    data = list(zip(winner.tolist(), loser.tolist(), strict=True))
    if alpha == 0:
        reference = choix.ilsr_pairwise(8, data, alpha=0.0, tol=1e-12, max_iter=1000)
        reference -= reference.mean()
    else:
        # choix.opt_pairwise minimises nll + alpha_choix * ||theta||^2: its alpha
        # is half our prior precision (ours: nll + alpha / 2 * ||theta||^2).
        reference = choix.opt_pairwise(8, data, alpha=alpha / 2, tol=1e-12)
    assert_allclose(fast.coef_, reference, atol=1e-8)


def test_item_fast_path_with_intercept_equals_general_path(item_path_spy):
    winner, loser = _matches(23)
    X, y = swap_pairs(_two_hot(winner, loser, 6), np.ones(300), random_state=2)
    fast = _fit_quietly(BradleyTerryRanker(fit_intercept=True), X, y)
    assert item_path_spy.created == 1
    general = _fit_quietly(BradleyTerryRanker(fit_intercept=True), X.toarray(), y)
    assert_allclose(fast.coef_, general.coef_, atol=1e-10)
    assert fast.intercept_ == pytest.approx(general.intercept_, abs=1e-10)
    assert_allclose(fast.hessian_.toarray(), general.hessian_, atol=1e-10)


def test_item_fast_path_with_unused_columns_reuses_the_connectivity_check(
    item_path_spy, monkeypatch
):
    # Items 6 and 7 have columns but no comparison.  The ranker's strong
    # connectivity check already found the parts of the graph, so the solver
    # must not search it again; the fit is the dense general path's, with the
    # unused items at 0 and the others summing to 0, as choix has them.
    winner, loser = _matches(25, n_items=6, n=300)
    X = _two_hot(winner, loser, 8)

    def no_search(*args, **kwargs):
        raise AssertionError("the solver searched the graph again")

    monkeypatch.setattr(solvers_module, "connected_components", no_search)
    fast = BradleyTerryRanker().fit(X, np.ones(300))
    assert item_path_spy.created == 1
    general = BradleyTerryRanker().fit(X.toarray(), np.ones(300))
    assert_allclose(fast.coef_, general.coef_, atol=1e-10)
    assert_array_equal(fast.coef_[6:], 0.0)
    assert abs(fast.coef_.sum()) < 1e-10
    data = list(zip(winner.tolist(), loser.tolist(), strict=True))
    reference = choix.ilsr_pairwise(6, data, alpha=0.0, tol=1e-12, max_iter=1000)
    assert_allclose(fast.coef_[:6], reference - reference.mean(), atol=1e-8)


def test_item_fast_path_with_zero_weights_equals_dropping_rows():
    winner, loser = _matches(24)
    weights = np.random.default_rng(0).integers(0, 3, 300).astype(float)
    X = _two_hot(winner, loser, 6)
    weighted = BradleyTerryRanker().fit(X, np.ones(300), sample_weight=weights)
    kept = weights > 0
    dropped = BradleyTerryRanker().fit(
        X[kept], np.ones(kept.sum()), sample_weight=weights[kept]
    )
    assert_allclose(weighted.coef_, dropped.coef_, atol=1e-12)


# ------------------------------------------------- collinear features


def _collinear_pairs(noise, seed=36, n=2000):
    """Features [x0, x1, x0 + noise]: a duplicate, or a near one."""
    rng = np.random.default_rng(seed)
    halves = []
    for _ in range(2):
        x = rng.normal(size=(n, 2))
        halves.append(np.column_stack([x, x[:, 0] + noise * rng.normal(size=n)]))
    x_a, x_b = halves
    d = x_a - x_b
    y = rng.random(n) < expit(d[:, 0] + 0.5 * d[:, 1])
    names = ["age_a", "rank_a", "age2_a", "age_b", "rank_b", "age2_b"]
    return pd.DataFrame(np.hstack([x_a, x_b]), columns=names), y


def test_nearly_collinear_features_are_named():
    X, y = _collinear_pairs(noise=1e-7)
    with pytest.warns(UserWarning, match=r"'age', 'age2' are nearly collinear"):
        BradleyTerryRanker().fit(X, y)


@pytest.mark.parametrize("noise", [0.0, 1e-3])
def test_exactly_collinear_or_distinct_features_fit_silently(noise):
    X, y = _collinear_pairs(noise=noise)
    model = _fit_quietly(BradleyTerryRanker(), X, y)
    if noise == 0:  # the minimum-norm split of a duplicate
        assert model.coef_[0] == pytest.approx(model.coef_[2], rel=1e-10)


def test_a_full_set_of_one_hot_features_fits_silently():
    # Every category's column: their differences sum to zero in each row.
    rng = np.random.default_rng(37)
    n = 500
    cat_a, cat_b = rng.integers(0, 3, (2, n))
    X = np.hstack([np.eye(3)[cat_a], np.eye(3)[cat_b]])
    y = rng.random(n) < expit(cat_a - cat_b)
    _fit_quietly(BradleyTerryRanker(), X, y)


# ------------------------------------------- graphs where CG is slow


def _ladder(n_items):
    """Each item beat the next three times and lost to it once: a chain, on
    which conjugate gradients need about n_items / 2 iterations."""
    a = np.arange(n_items - 1)
    winner = np.concatenate([a, a, a, a + 1])
    loser = np.concatenate([a + 1, a + 1, a + 1, a])
    return winner, loser


def test_a_ladder_is_solved_exactly():
    # On a tree the likelihood splits by edge: each neighbour 3:1, log 3 apart.
    winner, loser = _ladder(3000)
    model = _fit_quietly(
        BradleyTerryRanker(), _two_hot(winner, loser, 3000), np.ones(len(winner))
    )
    assert_allclose(np.diff(model.coef_), -np.log(3.0), rtol=1e-10)
    assert abs(model.coef_.sum()) < 1e-8


def test_a_ladder_of_uneven_matches_is_solved_exactly():
    # Each neighbour's wins and losses in a ratio between 1:100 and 100:1:
    # conjugate gradients could not solve these Newton systems (Laplacians
    # conditioned some 1e9), and the fit stopped after 100 steps, 29 log
    # units off; the factorised steps converge in about 20.
    rng = np.random.default_rng(39)
    n_items = 1200
    ratio = 10 ** rng.uniform(-2, 2, n_items - 1)
    edge = np.arange(n_items - 1)
    a = np.concatenate([edge, edge])
    b = a + 1
    y = np.r_[np.ones(n_items - 1), np.zeros(n_items - 1)]
    weight = np.r_[ratio, np.ones(n_items - 1)]
    model = _fit_quietly(
        BradleyTerryRanker(), _two_hot(a, b, n_items), y, sample_weight=weight
    )
    assert_allclose(-np.diff(model.coef_), np.log(ratio), atol=1e-7)


@pytest.mark.parametrize("assembled", [True, False])
@pytest.mark.parametrize(
    "params", [{"fit_intercept": True}, {"alpha": 1e-6}, {"ties": "davidson"}]
)
def test_factorised_and_iterative_newton_steps_agree(params, assembled, monkeypatch):
    if not assembled:  # the Laplacian unassembled, as for many pairs
        monkeypatch.setattr(solvers_module, "_ASSEMBLED_LAPLACIAN_MAX_PAIRS", 0)
    winner, loser = _ladder(1500)
    rng = np.random.default_rng(35)
    swap = rng.random(len(winner)) < 0.3
    a, b = np.where(swap, loser, winner), np.where(swap, winner, loser)
    y = (~swap).astype(float)
    y[::7] = 0.5 if "ties" in params else y[::7]
    X = _two_hot(a, b, 1500)
    factorised = _fit_quietly(BradleyTerryRanker(**params), X, y)
    monkeypatch.setattr(solvers_module, "_NEWTON_CG_MAX_ITERATIONS", 10**6)
    iterative = _fit_quietly(BradleyTerryRanker(**params), X, y)
    assert_allclose(factorised.coef_, iterative.coef_, atol=1e-7)
    assert_allclose(factorised.intercept_, iterative.intercept_, atol=1e-8)


# ------------------------------------------------- MLE that does not exist


def test_item_that_never_lost_warns_and_stays_finite():
    winner, loser = _matches(25)
    # Item 6 beats three others and never loses.
    winner, loser = np.r_[winner, 6, 6, 6], np.r_[loser, 0, 1, 2]
    X = _two_hot(winner, loser, 7)
    with pytest.warns(MLEDoesNotExistWarning, match="do(es)? not exist"):
        model = BradleyTerryRanker().fit(X, np.ones(len(winner)))
    assert np.all(np.isfinite(model.coef_))
    assert model.coef_[6] == model.coef_.max()
    penalised = _fit_quietly(BradleyTerryRanker(alpha=0.1), X, np.ones(len(winner)))
    assert np.all(np.isfinite(penalised.coef_))
    assert np.abs(penalised.coef_).max() < 5


def test_item_that_never_won_warns():
    winner, loser = _matches(26)
    winner, loser = np.r_[winner, 0, 1, 2], np.r_[loser, 6, 6, 6]
    with pytest.warns(MLEDoesNotExistWarning):
        model = BradleyTerryRanker().fit(_two_hot(winner, loser, 7), np.ones(303))
    assert np.all(np.isfinite(model.coef_))
    assert model.coef_[6] == model.coef_.min()


def _group_always_wins():
    """Items 0-2 and 3-5 each form a cycle; group 0-2 won every match between them."""
    winner = np.array([0, 1, 2, 3, 4, 5, 0, 1])
    loser = np.array([1, 2, 0, 4, 5, 3, 3, 4])
    return _two_hot(winner, loser, 6), np.ones(8)


def test_group_that_always_wins_warns_on_the_item_path():
    X, y = _group_always_wins()
    with pytest.warns(MLEDoesNotExistWarning):
        model = BradleyTerryRanker().fit(X, y)
    assert np.all(np.isfinite(model.coef_))
    assert model.coef_[:3].min() > model.coef_[3:].max()


def test_group_that_always_wins_warns_on_the_general_path():
    X, y = _group_always_wins()
    with pytest.warns(MLEDoesNotExistWarning):
        BradleyTerryRanker().fit(X.toarray(), y)


def _four_components():
    """Winner and loser codes with four strongly connected components.

    Items 0-3 play random matches (the largest component), 4 and 5 split
    theirs 2-1; 6 beat 0 and 1 and never lost; 7 lost to 4 and 2 and never
    won; 0 and 3 beat 4 and 5.
    """
    winner, loser = _matches(31, n_items=4, n=60)
    winner = np.r_[winner, 4, 4, 5, 6, 6, 4, 2, 0, 3]
    loser = np.r_[loser, 5, 5, 4, 0, 1, 7, 7, 4, 5]
    return winner, loser


def _log_likelihood(coef, winner, loser):
    return -np.logaddexp(0.0, coef[loser] - coef[winner]).sum()


def test_without_an_mle_the_fit_is_the_likelihoods_limit():
    winner, loser = _four_components()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BradleyTerryRanker().fit(_two_hot(winner, loser, 8), np.ones(69))
    assert {w.category for w in caught} == {MLEDoesNotExistWarning}
    coef = model.coef_
    # The largest component: its own MLE, summing to zero (choix, on its
    # comparisons alone).
    own = np.isin(winner, range(4)) & np.isin(loser, range(4))
    data = list(zip(winner[own], loser[own], strict=True))
    assert_allclose(coef[:4], choix.ilsr_pairwise(4, data, tol=1e-13), atol=1e-9)
    # The 2-1 pair: log 2 apart.
    assert_allclose(coef[4] - coef[5], np.log(2.0), rtol=1e-12)
    # Every comparison between components fitted as certain, to double precision.
    between = ~own & ~(np.isin(winner, [4, 5]) & np.isin(loser, [4, 5]))
    assert np.all(expit(coef[winner[between]] - coef[loser[between]]) == 1.0)
    # So the log-likelihood is the supremum: that of the components' own fits.
    supremum = _log_likelihood(coef, winner[~between], loser[~between])
    assert_allclose(_log_likelihood(coef, winner, loser), supremum, rtol=1e-14)


def test_without_an_mle_the_home_advantage_is_that_within_components():
    winner, loser = _four_components()
    rng = np.random.default_rng(32)
    a_won = rng.random(len(winner)) < 0.6
    a, b = np.where(a_won, winner, loser), np.where(a_won, loser, winner)
    X = _two_hot(a, b, 8)
    with pytest.warns(MLEDoesNotExistWarning):
        model = BradleyTerryRanker(fit_intercept=True).fit(X, a_won)
    # Reference: the comparisons within components, one item of each dropped
    # (its strength is 0), by a Newton method written out in the tests.
    within = np.isin(winner, range(4)) & np.isin(loser, range(4))
    within |= np.isin(winner, [4, 5]) & np.isin(loser, [4, 5])
    D = _difference(X)[within][:, [1, 2, 3, 5]]
    beta, intercept = _reference_fit(D, a_won[within], fit_intercept=True)
    assert_allclose(model.intercept_, intercept, atol=1e-8)
    theta = np.r_[0.0, beta[:3]]
    assert_allclose(model.coef_[:4], theta - theta.mean(), atol=1e-8)
    assert_allclose(model.coef_[4] - model.coef_[5], -beta[3], atol=1e-8)


def _with_home_flag(a, b, n_items, home):
    """``[one-hot a, home | one-hot b, 0]``: ids with a home flag for item A."""
    X = _two_hot(a, b, n_items).toarray()
    n = len(a)
    return sp.csr_array(
        np.column_stack([X[:, :n_items], home, X[:, n_items:], np.zeros(n)])
    )


def _four_components_at_home(seed):
    """:func:`_four_components` in random order (A won or not) with a random
    home flag: ``(winner, loser, a, b, a_won, home)``."""
    winner, loser = _four_components()
    rng = np.random.default_rng(seed)
    a_won = rng.random(len(winner)) < 0.6
    a, b = np.where(a_won, winner, loser), np.where(a_won, loser, winner)
    home = rng.choice([-1.0, 0.0, 1.0], len(a))
    return winner, loser, a, b, a_won, home


def test_without_an_mle_ids_with_a_home_flag_are_fitted_at_the_limit():
    winner, loser, a, b, a_won, home = _four_components_at_home(35)
    home[(a == 6) | (b == 6)] = 1.0  # an item whose every match has the flag
    X = _with_home_flag(a, b, 8, home)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BradleyTerryRanker().fit(X, a_won)
    # One warning, from the comparison graph, before the fit; no Newton run
    # towards infinity (18 steps here, each on a worse conditioned Hessian).
    assert [w.category for w in caught] == [MLEDoesNotExistWarning]
    assert "not strongly connected" in str(caught[0].message)
    assert model.n_iter_ <= 8  # the fit within components only
    # Reference: the comparisons within components, one item of each dropped
    # (its strength is 0), home flag included.
    within = np.isin(winner, range(4)) & np.isin(loser, range(4))
    within |= np.isin(winner, [4, 5]) & np.isin(loser, [4, 5])
    D = _difference(X)[within][:, [1, 2, 3, 5, 8]]
    beta, _ = _reference_fit(D, a_won[within])
    assert_allclose(model.coef_[8], beta[4], atol=1e-8)
    theta = np.r_[0.0, beta[:3]]
    assert_allclose(model.coef_[:4], theta - theta.mean(), atol=1e-8)
    assert_allclose(model.coef_[4] - model.coef_[5], -beta[3], atol=1e-8)
    # Every comparison between components certain, home flag included: the
    # log-likelihood is the supremum.
    delta = _difference(X) @ model.coef_
    sign = np.where(a_won, 1.0, -1.0)
    assert np.all(expit(sign[~within] * delta[~within]) == 1.0)
    supremum = -np.logaddexp(0.0, -sign[within] * delta[within]).sum()
    log_likelihood = -np.logaddexp(0.0, -sign * delta).sum()
    assert_allclose(log_likelihood, supremum, rtol=1e-14)


@pytest.mark.parametrize("ties", ["davidson", "rao-kupper"])
def test_without_an_mle_ids_with_a_home_flag_and_a_tie_model_warn_once(ties):
    # The tie parameter's Hessian covers the full design: at the limit its
    # null space holds the directions the components ran off along, which
    # the collinearity check took for nearly collinear features.
    winner, loser = _four_components()
    rng = np.random.default_rng(37)
    y = np.where(rng.random(len(winner)) < 0.2, 0.5, 1.0)
    X = _with_home_flag(winner, loser, 8, rng.choice([-1.0, 0.0, 1.0], len(winner)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BradleyTerryRanker(ties=ties).fit(X, y)
    assert [w.category for w in caught] == [MLEDoesNotExistWarning]
    assert np.isfinite(model.tie_parameter_)


def test_without_an_mle_a_feature_copying_an_id_gets_the_minimum_norm_split():
    # A feature equal to item 1's id column adds a null direction to those
    # the components' shifts give: the fit must find it, not stop at those.
    _, _, a, b, a_won, home = _four_components_at_home(38)
    X = _with_home_flag(a, b, 8, home).toarray()
    copy = np.column_stack([X[:, 1], X[:, 10]])  # item 1 in each half
    X_copy = np.column_stack([X[:, :9], copy[:, 0], X[:, 9:], copy[:, 1]])
    with pytest.warns(MLEDoesNotExistWarning):
        plain = BradleyTerryRanker().fit(sp.csr_array(X), a_won)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BradleyTerryRanker().fit(sp.csr_array(X_copy), a_won)
    assert [w.category for w in caught] == [MLEDoesNotExistWarning]
    assert_allclose(model.predict_proba(X_copy), plain.predict_proba(X), atol=1e-9)
    # The minimum-norm split of item 1's strength between its two columns.
    assert_allclose(model.coef_[1], model.coef_[9], atol=1e-9)


def test_without_an_mle_pooled_ids_with_a_home_flag_are_fitted_at_the_limit(
    long_tail_tournament, monkeypatch
):
    # Players with fewer than three matches pooled into one category: a match
    # between two of them compares that category with itself, a row without
    # ids, which the limit path takes as such.
    winner, loser = long_tail_tournament(40)
    home = np.random.default_rng(40).choice([-1.0, 0.0, 1.0], len(winner))
    X = np.column_stack([winner, home, loser, np.zeros(len(winner))])
    model = make_pipeline(
        PairTransformer(
            ColumnTransformer(
                [
                    ("id", OneHotEncoder(min_frequency=3), [0]),
                    ("home", "passthrough", [1]),
                ]
            )
        ),
        BradleyTerryRanker(),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, np.ones(len(X)))
    assert [w.category for w in caught] == [MLEDoesNotExistWarning]
    assert "not strongly connected" in str(caught[0].message)
    # The supremum: above where Newton on all comparisons stopped.
    monkeypatch.setattr(ranker_module, "item_incidence", lambda D: None)
    with pytest.warns(MLEDoesNotExistWarning):
        general = clone(model).fit(X, np.ones(len(X)))
    ours = np.log(model.predict_proba(X)[:, 1]).sum()
    assert ours >= np.log(general.predict_proba(X)[:, 1]).sum()
    assert model[-1].n_iter_ < general[-1].n_iter_


def test_many_ids_with_features_take_their_graph_not_a_dense_search(monkeypatch):
    # 1,100 players, a home flag and a height (constant per player: the ids
    # reproduce it, a null direction).  Beyond 1,000 parameters the Gram
    # matrix is built from the ids' graph and its null space found on the
    # features alone; both must give the dense search's fit.
    rng = np.random.default_rng(11)
    k, n = 1100, 15_000
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k
    theta, height, home = rng.normal(0, 0.5, k), rng.normal(size=k), rng.random(n) < 0.5
    y = rng.random(n) < expit(theta[a] - theta[b] + 0.3 * home)

    def side(items, flag):
        ids = sp.csr_array((np.ones(n), (np.arange(n), items)), shape=(n, k))
        return sp.hstack([ids, sp.csr_array(np.c_[flag, height[items]])])

    X = sp.csr_array(sp.hstack([side(a, home), side(b, 0.0 * home)]))
    monkeypatch.setattr(solvers_module, "_INCIDENCE_GRAM_MIN_STORED", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = BradleyTerryRanker().fit(X, y)
    monkeypatch.setattr(solvers_module, "_INCIDENCE_GRAM_MIN_STORED", np.inf)
    monkeypatch.setattr(solvers_module, "_incidence_null_basis", lambda G, inc: None)
    dense = BradleyTerryRanker().fit(X, y)
    assert_allclose(graph.coef_, dense.coef_, atol=1e-8)
    assert_allclose(graph.predict_proba(X), dense.predict_proba(X), atol=1e-12)
    assert 0.2 < graph.coef_[k] < 0.4  # the home advantage


def test_without_an_mle_ids_with_a_dropped_category_are_fitted_at_the_limit():
    # drop="first": the first item has no column, and its matches leave rows
    # with one id.  The model is the same: so are its probabilities.
    winner, loser = _four_components()
    rng = np.random.default_rng(41)
    home = rng.choice([-1.0, 0.0, 1.0], len(winner))
    X = np.column_stack([winner, home, loser, np.zeros(len(winner))])

    def model(**encoder):
        return make_pipeline(
            PairTransformer(
                ColumnTransformer(
                    [
                        ("id", OneHotEncoder(**encoder), [0]),
                        ("home", "passthrough", [1]),
                    ]
                )
            ),
            BradleyTerryRanker(),
        )

    with pytest.warns(MLEDoesNotExistWarning):
        full = model().fit(X, np.ones(len(X)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dropped = model(drop="first").fit(X, np.ones(len(X)))
    assert [w.category for w in caught] == [MLEDoesNotExistWarning]
    assert "not strongly connected" in str(caught[0].message)
    assert dropped[-1].n_iter_ == full[-1].n_iter_
    assert_allclose(dropped[-1].coef_[-1], full[-1].coef_[-1], atol=1e-10)
    assert_allclose(dropped.predict_proba(X), full.predict_proba(X), atol=1e-10)


def test_without_an_mle_ids_with_separating_features_take_the_general_path():
    # Within the cycle {0, 1, 2} a feature of A decides every match.
    a = np.array([0, 1, 2, 1, 2, 0, 3])
    b = np.array([1, 2, 0, 0, 1, 2, 0])
    feature = np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0, 0.5])
    y = feature > 0
    y[-1] = True  # 3 beat 0: not strongly connected
    X = _with_home_flag(a, b, 4, feature)
    with pytest.warns(MLEDoesNotExistWarning) as caught:
        model = BradleyTerryRanker().fit(X, y)
    assert any("separable" in str(w.message) for w in caught)
    assert model.coef_[4] > 10  # on its way to infinity


def test_without_an_mle_the_tie_parameter_is_that_within_components():
    winner, loser = _four_components()
    y = np.ones(len(winner))
    y[[0, 5, 9]] = 0.5  # ties in the largest component
    own = np.isin(winner, range(4)) & np.isin(loser, range(4))
    keep = own | np.isin(winner, [6]) | np.isin(loser, [7])
    X, y = _two_hot(winner[keep], loser[keep], 8), y[keep]
    with pytest.warns(MLEDoesNotExistWarning):
        model = BradleyTerryRanker(ties="davidson").fit(X, y)
    reference = _fit_quietly(
        BradleyTerryRanker(ties="davidson"),
        _two_hot(winner[own], loser[own], 4),
        y[own[keep]],
    )
    assert_allclose(model.tie_parameter_, reference.tie_parameter_, rtol=1e-9)
    assert_allclose(model.tie_parameter_se_, reference.tie_parameter_se_, rtol=1e-9)
    assert_allclose(model.coef_[:4], reference.coef_, atol=1e-9)


def test_without_an_mle_many_components_are_set_apart(long_tail_tournament):
    # Hundreds of components, most single items that only won or only lost,
    # some deep in the order.
    winner, loser = long_tail_tournament(33)
    n_items = 400
    with pytest.warns(MLEDoesNotExistWarning):
        model = BradleyTerryRanker().fit(
            _two_hot(winner, loser, n_items), np.ones(len(winner))
        )
    keep = restrict_to_largest_component(winner, loser)
    members = np.unique(winner[keep])
    restricted = _fit_quietly(
        BradleyTerryRanker(),
        _two_hot(
            np.searchsorted(members, winner[keep]),
            np.searchsorted(members, loser[keep]),
            len(members),
        ),
        np.ones(keep.sum()),
    )
    assert_allclose(model.coef_[members], restricted.coef_, atol=1e-10)
    labels = _strong_components(winner, loser, n_items)[1]
    between = labels[winner] != labels[loser]
    assert between.sum() > 100
    assert np.all(
        expit(model.coef_[winner[between]] - model.coef_[loser[between]]) == 1
    )


@pytest.mark.parametrize("ties", ["davidson", "rao-kupper"])
def test_without_an_mle_components_linked_by_draws_only(ties):
    # a and b only drew; c beat both: within components there are ties alone.
    X = np.array([["a", "b"], ["c", "a"], ["c", "b"]])
    y = np.array([0.5, 1.0, 1.0])
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties=ties)
    )
    with pytest.warns(MLEDoesNotExistWarning):
        model.fit(X, y)
    # The tie parameter runs off (ties are all a and b did), and c's wins
    # stay certain however likely ties are.
    proba = model.predict_proba(X[1:])
    assert_array_equal(proba[:, -1], 1.0)


def test_without_an_mle_wins_between_components_stay_certain_with_frequent_ties():
    # Davidson's nu of some 1e7 within {a, b}: a decisive outcome between
    # components needs a margin of about 2 * (37 + log nu) to be certain.
    X = np.array([["a", "b"], ["b", "a"], ["a", "b"], ["c", "a"], ["c", "b"]])
    y = np.array([0.5, 1.0, 1.0, 1.0, 1.0])
    weight = np.array([1e7, 1.0, 1.0, 1.0, 1.0])
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties="davidson")
    )
    with pytest.warns(MLEDoesNotExistWarning):
        model.fit(X, y, bradleyterryranker__sample_weight=weight)
    assert model[-1].tie_parameter_ > 1e6
    assert_array_equal(model.predict_proba(X[3:])[:, -1], 1.0)


def test_without_an_mle_tiny_weights_keep_their_information():
    # Two 3-cycles linked only by comparisons of weight 3e-9 (0 beat 3) and
    # 1e-9 (3 beat 0): log 3 apart.  Item 6 only lost, so there is no MLE.
    a = np.array([0, 1, 2, 3, 4, 5, 0, 3, 0])
    b = np.array([1, 2, 0, 4, 5, 3, 3, 0, 6])
    weight = np.r_[np.ones(6), 3e-9, 1e-9, 1.0]
    with pytest.warns(MLEDoesNotExistWarning):
        model = BradleyTerryRanker().fit(
            _two_hot(a, b, 7), np.ones(len(a)), sample_weight=weight
        )
    # (To the fit's tolerance: the gap's information is 1e-9 of the rest.)
    assert_allclose(model.coef_[:3] - model.coef_[3:6], np.log(3.0), rtol=1e-4)


def test_without_an_mle_all_single_item_components_fit_silently_otherwise():
    # a beat b and c, b beat c: a strict order, every component one item.
    X = np.array([["a", "b"], ["b", "c"], ["a", "c"]])
    model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, np.ones(3))
    assert {w.category for w in caught} == {MLEDoesNotExistWarning}
    assert np.all(np.diff(model[-1].coef_) <= -40)


def test_separable_features_warn_and_penalty_fixes_it():
    rng = np.random.default_rng(27)
    x_a, x_b = rng.normal(size=(60, 2)), rng.normal(size=(60, 2))
    y = ((x_a - x_b)[:, 0] > 0).astype(int)
    X = np.hstack([x_a, x_b])
    with pytest.warns(MLEDoesNotExistWarning):
        model = BradleyTerryRanker().fit(X, y)
    assert np.all(np.isfinite(model.coef_))
    penalised = _fit_quietly(BradleyTerryRanker(alpha=1.0), X, y)
    coef, _ = _reference_fit(_difference(X), y, alpha=1.0)
    assert_allclose(penalised.coef_, coef, atol=1e-8)


@pytest.mark.parametrize("unit", [1e-4, 1e6])
def test_feature_units_do_not_change_the_fit(unit):
    X, y = _features(28)
    reference = _fit_quietly(BradleyTerryRanker(), X, y)
    model = _fit_quietly(BradleyTerryRanker(), X * unit, y)
    assert_allclose(model.coef_ * unit, reference.coef_, rtol=1e-9)


@pytest.mark.parametrize("unit", [1e-2, 1e2])
def test_moderate_feature_units_do_not_change_the_fit(unit):
    X, y = _features(28)
    reference = _fit_quietly(BradleyTerryRanker(), X, y)
    model = _fit_quietly(BradleyTerryRanker(), X * unit, y)
    assert_allclose(model.coef_ * unit, reference.coef_, rtol=1e-9)


# --------------------------------------------------------- item-id pipelines


@pytest.mark.parametrize("ids", ["strings", "ints"])
def test_item_id_pipeline_equals_one_hot_fit(ids):
    winner, loser = _matches(29)
    names = np.array(["ann", "bob", "cid", "dee", "eve", "fay"])
    labels = names if ids == "strings" else np.arange(6) * 10 + 7
    pairs = np.column_stack([labels[winner], labels[loser]])
    pipeline = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    _fit_quietly(pipeline, pairs, np.ones(300))
    direct = _fit_quietly(
        BradleyTerryRanker(), _two_hot(winner, loser, 6), np.ones(300)
    )
    # OneHotEncoder sorts the categories, as labels already are.
    assert_allclose(pipeline[-1].coef_, direct.coef_, atol=1e-12)
    assert_allclose(
        pipeline.predict_proba(pairs[:5]),
        direct.predict_proba(_two_hot(winner[:5], loser[:5], 6)),
    )


def test_unseen_items_score_as_strength_zero():
    winner, loser = _matches(30)
    names = np.array(["ann", "bob", "cid", "dee", "eve", "fay"])
    pipeline = make_pipeline(
        PairTransformer(OneHotEncoder(handle_unknown="ignore")), BradleyTerryRanker()
    )
    pipeline.fit(np.column_stack([names[winner], names[loser]]), np.ones(300))
    coef = pipeline[-1].coef_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "unknown categories"
        delta = pipeline.decision_function(
            [["bob", "new1"], ["new1", "bob"], ["new1", "new2"]]
        )
    assert_allclose(delta, [coef[1], -coef[1], 0.0], atol=1e-15)


# ------------------------------------------------------- published numbers


def _baseball(shared_data):
    games = pd.read_csv(shared_data / "bt2_baseball.csv")
    pairs = pd.concat([games[["home_team", "away_team"]]] * 2, ignore_index=True)
    y = np.r_[np.ones(len(games)), np.zeros(len(games))]
    wins = np.r_[games["home_wins"], games["away_wins"]]
    return pairs, y, wins


def _strengths(pipeline):
    names = [n.split("_", 1)[1] for n in pipeline[0].get_item_feature_names_out()]
    return pd.Series(pipeline[-1].coef_, index=names)


def test_baseball_abilities_agresti_table_10_11(shared_data):
    pairs, y, wins = _baseball(shared_data)
    pipeline = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    _fit_quietly(pipeline, pairs, y, bradleyterryranker__sample_weight=wins)
    theta = _strengths(pipeline)
    relative = (theta - theta["Baltimore"]).drop("Baltimore").sort_values()
    assert_array_equal(relative.round(2), [0.68, 1.11, 1.25, 1.29, 1.44, 1.58])


def test_baseball_home_advantage_agresti_table_10_11(shared_data):
    pairs, y, wins = _baseball(shared_data)
    pipeline = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(fit_intercept=True)
    )
    _fit_quietly(pipeline, pairs, y, bradleyterryranker__sample_weight=wins)
    assert round(pipeline[-1].intercept_, 3) == 0.302
    share = np.sort(np.exp(pipeline[-1].coef_) / np.exp(pipeline[-1].coef_).sum())
    assert_array_equal(
        share.round(3), [0.044, 0.088, 0.137, 0.157, 0.164, 0.190, 0.220]
    )


def test_citations_stigler_1994(shared_data):
    citations = pd.read_csv(shared_data / "bt2_citations.csv")
    pipeline = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    _fit_quietly(
        pipeline,
        citations[["winner", "loser"]],
        np.ones(len(citations)),
        bradleyterryranker__sample_weight=citations["count"],
    )
    theta = _strengths(pipeline)
    relative = theta - theta["Biometrika"]
    assert round(relative["Comm Statist"], 3) == -2.949
    assert round(relative["JASA"], 3) == -0.480
    assert round(relative["JRSS-B"], 3) == 0.269


# --------------------------------------------------------------- bad input


def _two_hot_with(value):
    """One-hot ids of three comparisons among two items, one value replaced."""
    X = sp.csr_array(np.array([[1.0, 0, 0, 1], [0, 1, 1, 0], [1, 0, 0, 1]]))
    X.data[0] = value
    return X


def _bad_fit_cases():
    X, y = _features(31, n=10, d=2)
    X_nan, X_inf = X.copy(), X.copy()
    X_nan[0, 0], X_inf[0, 0] = np.nan, np.inf
    ties = y.astype(float)
    ties[0] = 0.5
    return [
        ("nan", (X_nan, y), {}, "Input X contains NaN"),
        ("inf", (X_inf, y), {}, "Input X contains infinity"),
        # Sparse values are checked after the search for one-hot ids.
        ("sparse nan", (sp.csr_array(X_nan), y), {}, "Input X contains NaN"),
        ("sparse inf", (sp.csc_array(X_inf), y), {}, "Input X contains infinity"),
        ("two-hot nan", (_two_hot_with(np.nan), np.ones(3)), {}, "contains NaN"),
        ("odd width", (X[:, :3], y), {}, r"X has 3 feature\(s\)"),
        ("odd sparse", (sp.csr_array(X[:, :3]), y), {}, r"X has 3 feature\(s\)"),
        (
            "three classes",
            (X, np.arange(10) % 3),
            {},
            "Only binary classification is supported. The type of the target is "
            "multiclass",
        ),
        ("tie without ties option", (X, ties), {}, "ties='half'"),
        (
            "negative weight",
            (X, y),
            {"sample_weight": -np.ones(10)},
            "Negative values in data passed to `sample_weight`",
        ),
        ("length of y", (X, y[:9]), {}, "inconsistent numbers of samples"),
        (
            "length of weights",
            (X, y),
            {"sample_weight": np.ones(9)},
            r"sample_weight.shape == \(9,\), expected \(10,\)",
        ),
        ("empty", (X[:0], y[:0]), {}, "0 sample"),
    ]


@pytest.mark.parametrize(
    "args, kwargs, message",
    [case[1:] for case in _bad_fit_cases()],
    ids=[case[0] for case in _bad_fit_cases()],
)
def test_bad_fit_input_is_a_clear_error(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        BradleyTerryRanker().fit(*args, **kwargs)


def test_wrong_width_at_predict_time():
    X, y = _features(32, d=2)
    model = BradleyTerryRanker().fit(X, y)
    with pytest.raises(ValueError, match="X has 6 features, but BradleyTerryRanker"):
        model.predict(np.hstack([X, X[:, :2]]))
    with pytest.raises(ValueError, match="expecting 4 features"):
        model.predict_proba(X[:, :2])


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_unfitted_use_raises_not_fitted(method):
    X, _ = _features(33, n=5)
    with pytest.raises(NotFittedError):
        getattr(BradleyTerryRanker(), method)(X)


def test_score_items_checks_fit_and_width():
    X, y = _features(34, d=2)
    with pytest.raises(NotFittedError):
        BradleyTerryRanker().score_items(X[:, :2])
    model = BradleyTerryRanker().fit(X, y)
    with pytest.raises(
        ValueError, match="X_items has 4 features.*describes items by 2"
    ):
        model.score_items(X)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"alpha": -1.0}, "'alpha' parameter"),
        ({"ties": "davidsn"}, "'ties' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
        ({"tol": 0.0}, "'tol' parameter"),
    ],
)
def test_invalid_parameters(params, message):
    X, y = _features(35, n=10)
    with pytest.raises(ValueError, match=message):
        BradleyTerryRanker(**params).fit(X, y)


def test_atp_largest_component_fits_exactly_without_warning(shared_data):
    # Real, ill-conditioned data (1,528 players, strengths far apart): the
    # MLE exists on the largest strongly connected component, so the fit
    # must reach it (zero gradient) without any warning.  A log-odds start
    # once overshot here into a numerically singular Hessian.
    matches = pd.read_csv(
        shared_data / "atp_matches_2000_2024.csv",
        usecols=["winner_id", "loser_id", "outcome_type"],
    )
    matches = matches[matches.outcome_type != "walkover"]
    winners, losers = matches.winner_id.to_numpy(), matches.loser_id.to_numpy()
    keep = restrict_to_largest_component(winners, losers)
    X = np.column_stack([winners[keep], losers[keep]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
        model.fit(X, np.ones(len(X)))
    players = model[0].transformer_.categories_[0]
    theta = model[-1].coef_
    w = np.searchsorted(players, X[:, 0])
    lo = np.searchsorted(players, X[:, 1])
    p_upset = expit(theta[lo] - theta[w])
    gradient = np.bincount(lo, p_upset, len(players)) - np.bincount(
        w, p_upset, len(players)
    )
    assert np.abs(gradient).max() < 1e-6


def test_dataframe_with_the_b_half_in_another_order_is_a_clear_error():
    # Pair rows are split by position: length_a would face helpful_b.
    X, y = _features(7, n=50, d=2)
    frame = pd.DataFrame(X, columns=["length_a", "helpful_a", "helpful_b", "length_b"])
    with pytest.raises(ValueError, match="same columns as the A half but in a"):
        BradleyTerryRanker().fit(frame, y)
    ordered = frame[["length_a", "helpful_a", "length_b", "helpful_b"]]
    assert BradleyTerryRanker().fit(ordered, y).coef_.shape == (2,)


def test_score_items_checks_the_columns_of_a_dataframe():
    X, y = _features(8, n=60, d=2)
    frame = pd.DataFrame(X, columns=["length_a", "helpful_a", "length_b", "helpful_b"])
    model = BradleyTerryRanker().fit(frame, y)
    items = pd.DataFrame(X[:5, :2], columns=["length", "helpful"])
    expected = X[:5, :2] @ model.coef_
    assert_allclose(model.score_items(items), expected)
    assert_allclose(model.score_items(items.add_suffix("_a")), expected)
    with pytest.raises(ValueError, match=r"in this order.*\['length', 'helpful'\]"):
        model.score_items(items[["helpful", "length"]])  # scored by position
    with pytest.raises(ValueError, match="X_items has the columns"):
        model.score_items(items.set_axis(["chars", "score"], axis=1))
    assert_allclose(model.score_items(X[:5, :2]), expected)  # arrays: by position


def test_warnings_point_at_the_callers_line():
    # Through scikit-learn's fit wrappers and a Pipeline alike.
    X, y = _features(9, n=40, d=2)
    with pytest.warns(ConvergenceWarning) as record:
        BradleyTerryRanker(max_iter=1).fit(X, y)
    assert record[0].filename == __file__
    winner, loser = _matches(4)
    # Item 6 wins its one comparison: no finite MLE.
    ids = np.vstack([np.column_stack([winner, loser]), [[6, 0]]])
    pipeline = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    with pytest.warns(MLEDoesNotExistWarning) as record:
        pipeline.fit(ids, np.ones(len(ids)))
    assert {w.filename for w in record} == {__file__}


@pytest.mark.parametrize("condition", [1e5, 1e6])
def test_ill_conditioned_features_are_not_taken_for_a_null_space(condition):
    # Features whose covariance has condition number condition^2 (1e10, 1e12):
    # ill-conditioned, not rank deficient, and the MLE exists.  A null-space
    # cut at 1e-9 projected out their smallest directions: 2 to 7
    # log-likelihood units lost, silently.
    rng = np.random.default_rng(0)
    d, n = 40, 3000
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    mix = q * np.logspace(0, -np.log10(condition), d)
    x_a, x_b = rng.normal(size=(n, d)) @ mix.T, rng.normal(size=(n, d)) @ mix.T
    y = (rng.random(n) < expit((x_a - x_b) @ rng.normal(size=d) / 10)).astype(int)
    model = _fit_quietly(BradleyTerryRanker(), np.hstack([x_a, x_b]), y)
    D = x_a - x_b
    gradient = D.T @ (expit(D @ model.coef_) - y)
    # The optimum of a convex objective: a zero gradient (it was 5e-4).
    assert np.max(np.abs(gradient)) < 1e-8


def _weights_over_twelve_decades(n_items, seed):
    """Every pair of a connected graph won both ways, weights 1e-6 .. 1e6."""
    rng = np.random.default_rng(seed)
    a = np.arange(n_items)
    b = (a + 1) % n_items
    extra_a, extra_b = rng.integers(0, n_items, (2, 2 * n_items))
    keep = extra_a != extra_b
    a, b = np.r_[a, extra_a[keep]], np.r_[b, extra_b[keep]]
    n = len(a)
    weight = 10 ** rng.uniform(-6, 6, 2 * n)
    a, b, y = np.r_[a, a], np.r_[b, b], np.r_[np.ones(n), np.zeros(n)]
    return a, b, y, weight


@pytest.mark.parametrize("n_items, seed", [(8, 22), (40, 6), (40, 14)])
def test_weights_over_twelve_decades_reach_the_optimum(n_items, seed):
    # Saturated pairs of large weight make the Hessian nearly singular far
    # from the optimum: Newton steps of 1e14 that no line search can use, or
    # solves so imprecise that the step is no descent direction.  The fit
    # stopped with a log-likelihood 0.02-0.9% short (once as "converged").
    a, b, y, weight = _weights_over_twelve_decades(n_items, seed)
    rows = np.arange(len(a))
    X = sp.csr_array(
        (np.ones(2 * len(a)), (np.r_[rows, rows], np.r_[a, b + n_items])),
        shape=(len(a), 2 * n_items),
    )
    model = _fit_quietly(BradleyTerryRanker(max_iter=200), X, y, sample_weight=weight)

    def objective(theta):
        z = theta[a] - theta[b]
        return weight @ np.where(y == 1, np.logaddexp(0, -z), np.logaddexp(0, z))

    # Newton steps with a pseudo-inverse from our solution gain nothing.
    theta = model.coef_.copy()
    for _ in range(10):
        z = theta[a] - theta[b]
        r, h = weight * (expit(z) - y), weight * expit(z) * expit(-z)
        grad = np.bincount(a, r, n_items) - np.bincount(b, r, n_items)
        H = np.zeros((n_items, n_items))
        np.add.at(H, (a, a), h)
        np.add.at(H, (b, b), h)
        np.add.at(H, (a, b), -h)
        np.add.at(H, (b, a), -h)
        step = -np.linalg.lstsq(H, grad, rcond=None)[0]
        if objective(theta + step) < objective(theta):
            theta = theta + step
    assert objective(model.coef_) <= objective(theta) * (1 + 1e-12)


@pytest.mark.parametrize(
    "pairs, identified",
    [
        ([["m1", "base"], ["m2", "base"], ["m3", "base"]], False),  # sides fixed
        ([["b", "a"], ["c", "b"], ["d", "c"]], False),  # a ladder: levels 0-3
        ([["m1", "base"], ["base", "m2"], ["m1", "m2"]], True),
        ([["a", "b"], ["b", "a"]], True),  # both orientations
    ],
)
def test_an_intercept_the_sides_explain_is_said_not_identifiable(pairs, identified):
    rng = np.random.default_rng(0)
    X = np.array(pairs * 60)
    y = (rng.random(len(X)) < 0.6).astype(float)
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(fit_intercept=True)
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    said = any("intercept_" in str(w.message) for w in caught)
    assert said != identified
    if not identified:  # and with a prior, the strengths shrink: nothing said
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.set_params(bradleyterryranker__alpha=1.0).fit(X, y)


def test_an_intercept_the_features_explain_is_said_not_identifiable():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 2))
    home = np.ones((200, 1))  # A is at home in every row: the intercept again
    X = np.hstack([features[:100], home[:100], features[100:], 0 * home[100:]])
    y = rng.random(100) < 0.6
    with pytest.warns(UserWarning, match="differences x_A - x_B combine"):
        BradleyTerryRanker(fit_intercept=True).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BradleyTerryRanker(fit_intercept=True).fit(X[:, [0, 1, 3, 4]], y)
        BradleyTerryRanker(fit_intercept=False).fit(X, y)


def test_an_intercept_many_ids_with_a_home_flag_explain_is_said_not_identifiable():
    # 1,100 players: beyond the dense check, conjugate gradients on the
    # Hessian with the ids' null space decide.  A home flag that is 1 for A
    # in every row is the intercept again; one drawn at random is not.
    rng = np.random.default_rng(0)
    k, n = 1100, 20_000
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k
    y = rng.random(n) < expit(rng.normal(0, 0.5, k)[a] - rng.normal(0, 0.5, k)[b])

    def pairs(flag):
        def side(items, f):
            ids = sp.csr_array((np.ones(n), (np.arange(n), items)), shape=(n, k))
            return sp.hstack([ids, sp.csr_array(f[:, None])])

        return sp.csr_array(sp.hstack([side(a, flag), side(b, 0.0 * flag)]))

    with pytest.warns(UserWarning, match="differences x_A - x_B combine"):
        BradleyTerryRanker(fit_intercept=True).fit(pairs(np.ones(n)), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BradleyTerryRanker(fit_intercept=True).fit(pairs(rng.integers(-1, 2, n)), y)


def test_dense_data_stored_sparse_is_solved_dense_and_ids_in_any_format_as_items():
    from sklearn_bt._solvers import ItemDesign, MatrixDesign

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8))
    outcome = np.full(300, 2, dtype=np.int8)
    for fmt in ("csr", "csc", "coo"):
        design, _ = ranker_module._make_design(
            sp.csr_array(X).asformat(fmt), outcome, None, 4, False
        )
        assert isinstance(design, MatrixDesign) and not design.is_sparse
        np.testing.assert_array_equal(design.D, X[:, :4] - X[:, 4:])
    X[rng.random(X.shape) < 0.9] = 0.0  # a tenth of the values: sparse stays
    design, _ = ranker_module._make_design(sp.csr_array(X), outcome, None, 4, False)
    assert design.is_sparse
    ids = rng.integers(0, 5, size=(300, 2))
    two_hot = PairTransformer(OneHotEncoder()).fit_transform(ids)
    for fmt in ("csc", "coo"):
        design, _ = ranker_module._make_design(
            two_hot.asformat(fmt), outcome, None, 5, False
        )
        assert isinstance(design, ItemDesign)


@pytest.mark.parametrize("order", [["rp", "hand"], ["hand", "rp"]])
def test_separation_by_a_rare_category_is_warned_whatever_the_column_order(order):
    # Four comparisons of a hand "U", all lost: its coefficient diverges.  The
    # fit stopped at |delta| = 24 in one order, under the old bound of 30 for
    # checking separation: no warning there.
    from sklearn.compose import ColumnTransformer

    rng = np.random.default_rng(0)
    n = 30000
    rp_a, rp_b = rng.normal(size=n), rng.normal(size=n)
    hand_a, hand_b = rng.choice(["L", "R"], n), rng.choice(["L", "R"], n)
    y = (rng.random(n) < expit(0.7 * (rp_a - rp_b))).astype(int)
    hand_a[np.flatnonzero(y == 0)[:4]] = "U"
    X = pd.DataFrame({"rp_a": rp_a, "hand_a": hand_a, "rp_b": rp_b, "hand_b": hand_b})
    steps = {
        "rp": ("n", "passthrough", ["rp"]),
        "hand": ("h", OneHotEncoder(), ["hand"]),
    }
    inner = ColumnTransformer([steps[name] for name in order])
    with pytest.warns(MLEDoesNotExistWarning):
        make_pipeline(PairTransformer(inner), BradleyTerryRanker()).fit(X, y)


def test_separation_by_a_feature_names_the_feature():
    rng = np.random.default_rng(0)
    n = 3000
    rank_a, rank_b = rng.normal(size=n), rng.normal(size=n)
    flag_a = np.zeros(n)
    y = (rng.random(n) < expit(0.7 * (rank_a - rank_b))).astype(int)
    flag_a[np.flatnonzero(y == 0)[:4]] = 1.0  # four comparisons, all lost
    X = pd.DataFrame(
        {"rank_a": rank_a, "odd_a": flag_a, "rank_b": rank_b, "odd_b": np.zeros(n)}
    )
    with pytest.warns(MLEDoesNotExistWarning, match=r"feature\(s\) 'odd' \("):
        BradleyTerryRanker().fit(X, y)
    with pytest.warns(MLEDoesNotExistWarning, match="column 1 of the item half"):
        BradleyTerryRanker().fit(X.to_numpy(), y)


@pytest.mark.parametrize("weight", [1e-8, 1e-20, 1e-300])
def test_equal_weights_however_small_give_the_same_fit(weight):
    # Thresholds in units of weight-one comparisons stopped these fits at once
    # (items, 0.5-1.4 off), or called the features separable (0.25 off).
    rng = np.random.default_rng(10)
    n = 200
    ids = np.column_stack([rng.integers(0, 10, n), rng.integers(0, 10, n)])
    ids = ids[ids[:, 0] != ids[:, 1]]
    y_ids = rng.random(len(ids)) < 0.6
    F = rng.normal(size=(n, 6))
    y = (rng.random(n) < expit((F[:, :3] - F[:, 3:]) @ [1, -1, 0.5])).astype(float)
    items = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    reference_ids = clone(items).fit(ids, y_ids)[-1].coef_
    reference = BradleyTerryRanker().fit(F, y).coef_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        weights = np.full(len(ids), weight)
        fitted = items.fit(ids, y_ids, bradleyterryranker__sample_weight=weights)
        features = BradleyTerryRanker().fit(F, y, sample_weight=np.full(n, weight))
    assert_allclose(fitted[-1].coef_, reference_ids, atol=1e-10)
    assert_allclose(features.coef_, reference, atol=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_a_checked_strongly_connected_graph_starts_from_the_spectral_estimate(
    monkeypatch, alpha
):
    # The graph check of an unpenalised fit tells the solver the items are
    # strongly connected, which the spectral start needs; a penalised fit
    # checks no graph, and starts at zero.
    starts = []
    original = solvers_module._spectral_start

    def spy(design, counts):
        starts.append(original(design, counts))
        return starts[-1]

    monkeypatch.setattr(solvers_module, "_spectral_start", spy)
    rng = np.random.default_rng(3)
    winners = rng.integers(0, 6, 300)
    losers = (winners + rng.integers(1, 6, 300)) % 6
    ranker = BradleyTerryRanker(alpha=alpha)
    model = make_pipeline(PairTransformer(OneHotEncoder()), ranker)
    model.fit(np.column_stack([winners, losers]), np.ones(300))
    assert len(starts) == 1
    assert (starts[0] is not None) == (alpha == 0)
    if alpha == 0:
        expected = choix.lsr_pairwise(6, list(zip(winners, losers, strict=True)))
        assert_allclose(starts[0], expected, atol=1e-10)
