"""BradleyTerryRanker with ties (Davidson, Rao-Kupper) and order effects."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_bt import (
    BradleyTerryRanker,
    MLEDoesNotExistWarning,
    PairTransformer,
    _ranker,
    outcomes_from_scores,
    outcomes_from_winner_loser,
    pairwise_log_loss_scorer,
)
from sklearn_bt._ties import DavidsonPairLoss, RaoKupperPairLoss

TIE_MODELS = ["davidson", "rao-kupper"]
LOSSES = {"davidson": DavidsonPairLoss(), "rao-kupper": RaoKupperPairLoss()}


# --- synthetic data ---------------------------------------------------------


def _dense(matrix):
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


def _simulate(ties, theta, extra, a, b, rng, offset=0.0):
    """Outcome scores 0 / 0.5 / 1 drawn from the tie model's probabilities."""
    delta = theta[a] - theta[b] + offset
    proba = LOSSES[ties].predict_proba(delta, [extra])
    u = rng.random(len(a))[:, None]
    return 0.5 * (u > np.cumsum(proba, axis=1)[:, :2]).sum(axis=1)


def _item_pairs(n_items, n_pairs, rng):
    a = rng.integers(0, n_items, n_pairs)
    b = (a + rng.integers(1, n_items, n_pairs)) % n_items
    return a, b


def _two_hot(a, b, n_items):
    n = len(a)
    X = np.zeros((n, 2 * n_items))
    X[np.arange(n), a] = 1.0
    X[np.arange(n), n_items + b] = 1.0
    return X


def _item_data(ties="davidson", n_items=6, n_pairs=400, seed=0):
    """Two-hot pair rows of item ids and outcome scores with ties."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n_items)
    a, b = _item_pairs(n_items, n_pairs, rng)
    extra = np.log(0.8) if ties == "davidson" else np.log(0.5)
    return _two_hot(a, b, n_items), _simulate(ties, theta, extra, a, b, rng)


def _feature_data(ties="davidson", n_pairs=300, n_features=3, seed=0):
    """Dense pair rows of item features and outcome scores with ties."""
    rng = np.random.default_rng(seed)
    items = rng.normal(size=(2 * n_pairs, n_features))
    coef = np.linspace(1.0, -0.5, n_features)
    theta = items @ coef
    a, b = np.arange(n_pairs), np.arange(n_pairs, 2 * n_pairs)
    extra = np.log(0.8) if ties == "davidson" else np.log(0.5)
    X = np.hstack([items[a], items[b]])
    return X, _simulate(ties, theta, extra, a, b, rng)


def _fit_quietly(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would be a test failure
        return model.fit(X, y, **fit_params)


# --- probabilities, symmetry, the no-tie limit ------------------------------


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_probabilities_are_consistent(ties):
    X, y = _feature_data(ties)
    model = _fit_quietly(BradleyTerryRanker(ties=ties), X, y)
    assert_array_equal(model.classes_, [0.0, 0.5, 1.0])
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 3)
    assert np.all(proba > 0)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-12)
    # scikit-learn's multiclass convention: one decision column per class.
    assert_allclose(model.decision_function(X), model.predict_log_proba(X))
    assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    # The columns are the loss's outcome probabilities at delta = x . coef.
    d = X.shape[1] // 2
    delta = (X[:, :d] - X[:, d:]) @ model.coef_
    extra = (
        np.log([model.tie_parameter_])
        if ties == "davidson"
        else np.log(np.log([model.tie_parameter_]))
    )
    assert_allclose(proba, LOSSES[ties].predict_proba(delta, extra), rtol=1e-10)


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_swapping_a_and_b_swaps_the_outcomes(ties):
    X, y = _feature_data(ties, seed=1)
    d = X.shape[1] // 2
    X_swapped = np.hstack([X[:, d:], X[:, :d]])
    model = _fit_quietly(BradleyTerryRanker(ties=ties), X, y)
    assert_allclose(
        model.predict_proba(X_swapped), model.predict_proba(X)[:, ::-1], rtol=1e-12
    )
    # Fitting the swapped comparisons (outcomes flipped) gives the same model.
    swapped = _fit_quietly(BradleyTerryRanker(ties=ties), X_swapped, 1.0 - y)
    assert_allclose(swapped.coef_, model.coef_, rtol=1e-9)
    assert_allclose(swapped.tie_parameter_, model.tie_parameter_, rtol=1e-9)


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_vanishing_ties_give_the_plain_model(ties):
    # As the weight of the only tie goes to 0, so does the tie probability,
    # and the strengths tend to those of the plain Bradley-Terry model.
    X, y = _feature_data(ties, seed=2)
    y = np.where(y == 0.5, 1.0, y)
    y[0] = 0.5
    plain = _fit_quietly(BradleyTerryRanker(), X[1:], y[1:])
    weight = np.ones(len(y))
    weight[0] = 1e-7
    model = _fit_quietly(BradleyTerryRanker(ties=ties), X, y, sample_weight=weight)
    assert_allclose(model.coef_, plain.coef_, rtol=1e-5)
    boundary = {"davidson": 0.0, "rao-kupper": 1.0}[ties]
    assert abs(model.tie_parameter_ - boundary) < 1e-5
    assert np.max(model.predict_proba(X)[:, 1]) < 1e-5


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_no_ties_fits_the_plain_model_on_the_boundary(ties):
    X, y = _feature_data(ties, seed=3)
    y = np.where(y == 0.5, 0.0, y)
    plain = _fit_quietly(BradleyTerryRanker(), X, y)
    with pytest.warns(UserWarning, match="No comparison in y is a tie"):
        model = BradleyTerryRanker(ties=ties).fit(X, y)
    assert_allclose(model.coef_, plain.coef_, rtol=1e-12)
    assert model.tie_parameter_ == {"davidson": 0.0, "rao-kupper": 1.0}[ties]
    assert np.isnan(model.tie_parameter_se_)
    # Still three classes (a fold without ties), with P(tie) exactly 0.
    assert_array_equal(model.classes_, [0.0, 0.5, 1.0])
    proba = model.predict_proba(X)
    assert_array_equal(proba[:, 1], 0.0)
    assert_allclose(proba[:, [0, 2]], plain.predict_proba(X), rtol=1e-12)
    assert np.all(model.predict_log_proba(X)[:, 1] == -np.inf)
    assert set(model.predict(X)) <= {0.0, 1.0}


def test_every_comparison_a_tie_is_an_error():
    X, _ = _feature_data()
    with pytest.raises(ValueError, match="Every comparison is a tie"):
        BradleyTerryRanker(ties="davidson").fit(X, np.full(len(X), 0.5))


# --- Davidson's (1970) pudding data -----------------------------------------


def _pudding_rows(shared_data):
    """One row per (pair, outcome) with its count as weight: A = brand_i."""
    data = pd.read_csv(shared_data / "pudding_davidson1970.csv")
    outcomes = [("i_wins", 1.0), ("ties", 0.5), ("j_wins", 0.0)]
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "brand_a": data.brand_i,
                    "brand_b": data.brand_j,
                    "y": value,
                    "count": data[column],
                }
            )
            for column, value in outcomes
        ],
        ignore_index=True,
    )
    return rows[["brand_a", "brand_b"]].to_numpy(), rows.y.to_numpy(), rows["count"]


def _direct_fit(ties, X_ids, y, weight):
    """Maximise the tie model's likelihood written from the papers' formulas.

    Strengths pi with brand 1 as the reference, and the tie parameter (nu for
    Davidson, theta > 1 for Rao and Kupper), by BFGS.
    """
    first, second = X_ids[:, 0] - 1, X_ids[:, 1] - 1
    won = weight * (y == 1.0)
    tied = weight * (y == 0.5)
    lost = weight * (y == 0.0)

    def neg_log_likelihood(params):
        pi = np.exp(np.concatenate([[0.0], params[:-1]]))
        pi_i, pi_j = pi[first], pi[second]
        if ties == "davidson":
            nu = np.exp(params[-1])
            denom = pi_i + pi_j + nu * np.sqrt(pi_i * pi_j)
            p_i, p_j, p_tie = pi_i / denom, pi_j / denom, nu * np.sqrt(pi_i * pi_j)
            p_tie = p_tie / denom
        else:
            threshold = 1.0 + np.exp(params[-1])
            p_i = pi_i / (pi_i + threshold * pi_j)
            p_j = pi_j / (threshold * pi_i + pi_j)
            p_tie = 1.0 - p_i - p_j
        return -np.sum(won * np.log(p_i) + lost * np.log(p_j) + tied * np.log(p_tie))

    result = minimize(
        neg_log_likelihood, np.zeros(6), method="BFGS", jac="3-point", tol=1e-10
    )
    if ties == "davidson":
        return result.x[:-1], np.exp(result.x[-1])
    return result.x[:-1], 1.0 + np.exp(result.x[-1])


def _pudding_model(ties, **params):
    return make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties=ties, **params)
    )


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_pudding_matches_direct_maximisation(shared_data, ties):
    X, y, count = _pudding_rows(shared_data)
    model = _fit_quietly(
        _pudding_model(ties), X, y, bradleyterryranker__sample_weight=count
    )
    ranker = model[-1]
    coef, tie_parameter = _direct_fit(ties, X, y, count.to_numpy())
    assert_allclose(ranker.coef_[1:] - ranker.coef_[0], coef, atol=1e-5)
    assert_allclose(ranker.tie_parameter_, tie_parameter, atol=1e-5)


def test_pudding_matches_published_davidson_estimates(shared_data):
    # Davidson (1970, Example 2) through the PlackettLuce vignette, as in
    # test_ties.py: worths summing to one, nu, and the standard errors of the
    # log-worths (relative to brand 1) and of log nu.
    X, y, count = _pudding_rows(shared_data)
    model = _fit_quietly(
        _pudding_model("davidson"), X, y, bradleyterryranker__sample_weight=count
    )
    ranker = model[-1]
    worth = np.exp(ranker.coef_) / np.exp(ranker.coef_).sum()
    assert_allclose(worth, [0.1388, 0.1730, 0.1617, 0.1654, 0.1587, 0.2024], atol=5e-5)
    assert_allclose(ranker.tie_parameter_, 0.7468, atol=5e-5)
    # se(nu) = nu * se(log nu), the delta method.
    assert_allclose(ranker.tie_parameter_se_ / ranker.tie_parameter_, 0.0825, atol=5e-5)
    # hessian_ is over [coef_ (six brands), log nu]; contrasts with brand 1 are
    # estimable, so the pseudo-inverse gives their variances.
    contrasts = np.hstack([-np.ones((5, 1)), np.eye(5), np.zeros((5, 1))])
    covariance = np.linalg.pinv(_dense(ranker.hessian_), rtol=1e-10)
    std_err = np.sqrt(np.diag(contrasts @ covariance @ contrasts.T))
    assert_allclose(std_err, [0.1872, 0.1935, 0.1882, 0.1927, 0.1924], atol=5e-5)


# --- paths: sparse, dense, one-hot fast path, weights -----------------------


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_sparse_equals_dense(ties):
    X, y = _feature_data(ties, seed=4)
    X[np.abs(X) < 0.7] = 0.0  # a genuinely sparse design
    dense = _fit_quietly(BradleyTerryRanker(ties=ties), X, y)
    sparse = _fit_quietly(BradleyTerryRanker(ties=ties), sp.csr_array(X), y)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(sparse.tie_parameter_, dense.tie_parameter_, rtol=1e-9)
    assert_allclose(sparse.tie_parameter_se_, dense.tie_parameter_se_, rtol=1e-8)
    assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-9)


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_weights_equal_repeated_rows(ties):
    X, y = _feature_data(ties, n_pairs=120, seed=5)
    weight = np.random.default_rng(5).integers(0, 4, len(y))
    weighted = _fit_quietly(BradleyTerryRanker(ties=ties), X, y, sample_weight=weight)
    repeated = _fit_quietly(
        BradleyTerryRanker(ties=ties),
        np.repeat(X, weight, axis=0),
        np.repeat(y, weight),
    )
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9)
    assert_allclose(weighted.tie_parameter_, repeated.tie_parameter_, rtol=1e-9)
    assert_allclose(weighted.hessian_, repeated.hessian_, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("ties", TIE_MODELS)
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_one_hot_fast_path_equals_dense_path(ties, fit_intercept, alpha, monkeypatch):
    # Sparse two-hot rows take the aggregated item path (with (j, i) folded
    # onto (i, j) without intercept); dense rows the generic matrix path.
    X, y = _item_data(ties, seed=6)
    model = BradleyTerryRanker(ties=ties, fit_intercept=fit_intercept, alpha=alpha)
    dense = _fit_quietly(clone(model), X, y)
    aggregated = []

    def spy(*args, **kwargs):
        design, counts = two_hot_pairs(*args, **kwargs)
        aggregated.append(len(counts))
        return design, counts

    two_hot_pairs = _ranker._two_hot_pairs
    monkeypatch.setattr(_ranker, "_two_hot_pairs", spy)
    fast = _fit_quietly(clone(model), sp.csr_array(X), y)
    assert len(aggregated) == 1 and aggregated[0] < len(y)  # the fast path ran
    assert_allclose(fast.coef_, dense.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(fast.intercept_, dense.intercept_, rtol=1e-8, atol=1e-10)
    assert_allclose(fast.tie_parameter_, dense.tie_parameter_, rtol=1e-8)
    assert_allclose(fast.tie_parameter_se_, dense.tie_parameter_se_, rtol=1e-7)
    assert_allclose(fast.predict_proba(X), dense.predict_proba(X), rtol=1e-8)


# --- encodings of y ---------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "classes"),
    [
        (lambda s: s, [0.0, 0.5, 1.0]),
        (lambda s: (2 * s - 1).astype(int), [-1, 0, 1]),
        (lambda s: np.take(["away", "draw", "home"], (2 * s).astype(int)), None),
        (lambda s: np.take([10, 20, 30], (2 * s).astype(int)), None),
    ],
    ids=["scores", "signs", "strings", "three-ints"],
)
def test_encodings_give_the_same_model(encode, classes):
    X, y = _feature_data("davidson", seed=7)
    reference = _fit_quietly(BradleyTerryRanker(ties="davidson"), X, y)
    y_encoded = encode(y)
    model = _fit_quietly(BradleyTerryRanker(ties="davidson"), X, y_encoded)
    assert_allclose(model.coef_, reference.coef_, rtol=1e-12)
    assert_allclose(model.tie_parameter_, reference.tie_parameter_, rtol=1e-12)
    if classes is not None:
        assert_array_equal(model.classes_, classes)
    assert_array_equal(model.classes_, np.unique(y_encoded))
    # predict returns labels of y's own encoding.
    order = np.searchsorted([0.0, 0.5, 1.0], reference.predict(X))
    assert_array_equal(model.predict(X), model.classes_[order])


@pytest.mark.parametrize(
    ("y_fold", "classes"),
    [
        ([0.0, 1.0], [0.0, 0.5, 1.0]),
        ([0.5, 1.0], [0.0, 0.5, 1.0]),
        ([-1, 1], [-1, 0, 1]),
        ([0, 1], [0.0, 0.5, 1.0]),  # {0, 1} reads as outcome scores
        ([-1, 0], [-1, 0, 1]),
    ],
)
def test_standard_labels_always_give_three_classes(y_fold, classes):
    X, _ = _feature_data(n_pairs=40, seed=8)
    y = np.resize(np.array(y_fold), len(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no tie: boundary
        model = BradleyTerryRanker(ties="davidson", alpha=1.0).fit(X, y)
    assert_array_equal(model.classes_, classes)
    assert model.predict_proba(X).shape == (len(X), 3)


def test_two_other_labels_give_two_classes():
    # Nothing marks a tie: the model is fitted on its boundary and predicts
    # the two decided outcomes, as a binary classifier.
    X, y = _feature_data(seed=9)
    labels = np.where(y >= 0.5, "won", "lost")
    with pytest.warns(UserWarning, match="No comparison in y is a tie"):
        model = BradleyTerryRanker(ties="davidson").fit(X, labels)
    assert_array_equal(model.classes_, ["lost", "won"])
    assert model.predict_proba(X).shape == (len(X), 2)
    assert model.decision_function(X).shape == (len(X),)


def test_winner_loser_rows_with_a_tie_flag():
    # Winner/loser rows: A is the winner, or either side of a tie.
    X, y = _feature_data(seed=10)
    d = X.shape[1] // 2
    b_won = y == 0.0
    X_wl = np.where(b_won[:, None], np.hstack([X[:, d:], X[:, :d]]), X)
    y_wl = outcomes_from_winner_loser(y == 0.5)
    assert set(y_wl) == {0.5, 1.0}
    reference = _fit_quietly(BradleyTerryRanker(ties="davidson"), X, y)
    model = _fit_quietly(BradleyTerryRanker(ties="davidson"), X_wl, y_wl)
    assert_array_equal(model.classes_, [0.0, 0.5, 1.0])
    assert_allclose(model.coef_, reference.coef_, rtol=1e-10)
    assert_allclose(model.tie_parameter_, reference.tie_parameter_, rtol=1e-10)


def test_outcome_helpers():
    score_a = np.array([3, 1, 0, 2, 2])
    score_b = np.array([1, 1, 2, 2, 0])
    assert_array_equal(outcomes_from_scores(score_a, score_b), [1, 0.5, 0, 0.5, 1])
    signs = outcomes_from_scores(pd.Series(score_a), score_b, encoding="sign")
    assert_array_equal(signs, np.sign(score_a - score_b))
    assert signs.dtype.kind == "i"
    assert_array_equal(outcomes_from_winner_loser([0, 1, 1]), [1.0, 0.5, 0.5])
    assert_array_equal(
        outcomes_from_winner_loser(np.array([True, False]), encoding="sign"), [0, 1]
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: outcomes_from_scores([1, 2], [1]), "same length"),
        (lambda: outcomes_from_scores([1.0, np.nan], [1, 2]), "missing score"),
        (lambda: outcomes_from_scores(["a"], ["b"]), "must hold numbers"),
        (lambda: outcomes_from_scores([[1]], [[2]]), "must be 1-D"),
        (lambda: outcomes_from_scores([1], [2], encoding="halves"), "encoding must"),
        (lambda: outcomes_from_winner_loser([0, 2]), "True/False"),
        (lambda: outcomes_from_winner_loser([[True]]), "must be 1-D"),
    ],
)
def test_outcome_helpers_refuse_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    ("y", "ties", "match"),
    [
        ([0.0, 0.5, 1.0] * 4, None, "ties='davidson'.*ties='half'"),
        ([-1, 0, 1] * 4, None, "ties='davidson'.*ties='half'"),
        (["lost", "tie", "won"] * 4, None, "Only binary.*middle label 'tie' is a"),
        (["model_a", "model_b", "tie"] * 4, "half", "'model_a' / 'model_b' name the"),
        ([0, 1, 2, 3] * 3, "davidson", "multiclass target with 4 labels"),
        ([0.1, 0.2, 0.3, 0.7] * 3, "rao-kupper", "continuous"),
        (["x"] * 12, "davidson", "single label 'x'"),
        (["win", "draw", "loss"] * 4, "davidson", "'draw' .* not the middle"),
        (["1", "X", "2"] * 4, "half", "'X' .* not the middle"),  # 1X2 betting
        (["won", "drew", "lost"] * 4, "half", "'drew' .* not the middle"),
        # Football's H/D/A results without a home win (or an away win):
        # sorted, the draw would be a win or a loss.
        (["A", "D"] * 6, "davidson", "'D' looks like a tie.*count as 'A won'"),
        (["D", "H"] * 6, None, "'D' looks like a tie.*count as 'B won'"),
        (["draw", "win"] * 6, "half", "'draw' looks like a tie"),
    ],
)
def test_bad_encodings_are_clear_errors(y, ties, match):
    X, _ = _feature_data(n_pairs=len(y))
    with pytest.raises(ValueError, match=match):
        BradleyTerryRanker(ties=ties).fit(X, np.array(y))


def test_true_and_false_as_t_and_f_are_outcomes_not_ties():
    X, y = _feature_data(n_pairs=40)
    labels = np.where(y == 1, "T", "F")
    model = BradleyTerryRanker().fit(X, labels)
    assert_array_equal(model.classes_, ["F", "T"])


@pytest.mark.parametrize(
    "labels", [(0.0, 0.5, 1.0), (-1, 0, 1), ("lose", "tie", "win")]
)
def test_score_of_the_half_win_model_counts_a_tie_as_half_right(labels):
    X, y = _feature_data("davidson", n_pairs=200)
    codes = np.searchsorted([0.0, 0.5, 1.0], y)  # B won, tie, A won: 0, 1, 2
    y = np.array(labels, dtype=object)[codes].astype(type(labels[0]))
    model = BradleyTerryRanker(ties="half").fit(X, y)
    weight = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    a_favoured = model.decision_function(X) > 0
    right = np.where(codes == 1, 0.5, (codes == 2) == a_favoured)
    assert model.score(X, y) == pytest.approx(right.mean())
    assert model.score(X, y, sample_weight=weight) == pytest.approx(
        np.average(right, weights=weight)
    )
    decided = codes != 1  # without ties: scikit-learn's accuracy
    assert model.score(X[decided], y[decided]) == pytest.approx(right[decided].mean())
    # The default scoring of a search is this score: no NaN from the ties.
    search = GridSearchCV(model, {"alpha": [0.1, 1.0]}, cv=3, error_score="raise")
    assert np.all(np.isfinite(search.fit(X, y).cv_results_["mean_test_score"]))


@pytest.mark.parametrize("ties", ["davidson", "rao-kupper"])
def test_score_of_a_tie_model_on_outcome_scores_is_its_accuracy(ties):
    # scikit-learn's accuracy_score reads 1 / 0.5 / 0 as a continuous target
    # and refuses it; score (and so a search's default scoring) must not.
    X, y = _feature_data(ties, n_pairs=200)
    model = BradleyTerryRanker(ties=ties).fit(X, y)
    assert model.score(X, y) == pytest.approx(np.mean(model.predict(X) == y))
    search = GridSearchCV(model, {"alpha": [0.1, 1.0]}, cv=3, error_score="raise")
    assert np.all(np.isfinite(search.fit(X, y).cv_results_["mean_test_score"]))
    with pytest.raises(ValueError, match="2 label.*the model does not know"):
        model.score(X[:2], np.array(["won", "lost"]))
    # Another encoding: as signs, 0 is a tie, not a loss; the 0.5 gives it away.
    signs = np.sign(y - 0.5).astype(int)
    sign_model = BradleyTerryRanker(ties=ties).fit(X, signs)
    with pytest.raises(ValueError, match="such as 0.5; its classes_ are"):
        sign_model.score(X, y)


def test_single_outcome_with_intercept_is_an_error():
    X, _ = _feature_data(n_pairs=20)
    with pytest.raises(ValueError, match="intercept would diverge"):
        BradleyTerryRanker(ties="davidson", fit_intercept=True).fit(X, np.ones(20))


@pytest.mark.parametrize(
    ("ties", "multi_class"),
    [(None, False), ("half", False), ("davidson", True), ("rao-kupper", True)],
)
def test_multi_class_tag(ties, multi_class):
    tags = BradleyTerryRanker(ties=ties).__sklearn_tags__()
    assert tags.classifier_tags.multi_class is multi_class


# --- model selection with stock scorers -------------------------------------


def _id_pipeline(**params):
    return make_pipeline(
        PairTransformer(OneHotEncoder(handle_unknown="ignore")),
        BradleyTerryRanker(ties="davidson", **params),
    )


def test_cross_validation_with_stock_scorers():
    # Signs -1 / 0 / 1 are a multiclass target for scikit-learn, so stratified
    # folds, "accuracy" and "neg_log_loss" work as for any classifier.
    rng = np.random.default_rng(11)
    a, b = _item_pairs(8, 600, rng)
    theta = np.linspace(-1.5, 1.5, 8)
    y = _simulate("davidson", theta, np.log(1.0), a, b, rng)
    X = np.column_stack([a, b])
    y_signs = np.sign(y - 0.5).astype(int)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    log_loss = cross_val_score(
        _id_pipeline(alpha=0.1), X, y_signs, scoring="neg_log_loss", cv=cv
    )
    prior = cross_val_score(
        DummyClassifier(), X, y_signs, scoring="neg_log_loss", cv=cv
    )
    assert np.all(np.isfinite(log_loss))
    assert log_loss.mean() > prior.mean() + 0.05  # the strengths carry signal
    # The scorer that reads the labels from classes_ agrees with the stock one.
    ours = cross_val_score(
        _id_pipeline(alpha=0.1), X, y_signs, scoring=pairwise_log_loss_scorer, cv=cv
    )
    assert_allclose(ours, log_loss, rtol=1e-10)
    accuracy = cross_val_score(
        _id_pipeline(alpha=0.1), X, y_signs, scoring="accuracy", cv=cv
    )
    assert np.all((accuracy > 0.4) & (accuracy <= 1.0))

    search = GridSearchCV(
        _id_pipeline(),
        {"bradleyterryranker__alpha": [0.1, 1.0]},
        scoring="neg_log_loss",
    ).fit(X, y_signs)
    assert search.best_estimator_[-1].classes_.tolist() == [-1, 0, 1]
    assert np.isfinite(search.best_score_)


def test_pairwise_scorer_takes_outcome_scores_and_folds_without_ties():
    # scikit-learn calls 0 / 0.5 / 1 continuous and its stock scorers refuse
    # it; pairwise_log_loss_scorer reads the labels from classes_.
    X, y = _item_data(seed=12)
    model = _fit_quietly(BradleyTerryRanker(ties="davidson"), X, y)
    decided = y != 0.5
    score = pairwise_log_loss_scorer(model, X[decided], y[decided])
    proba = model.predict_proba(X[decided])
    observed = proba[np.arange(decided.sum()), (2 * y[decided]).astype(int)]
    assert_allclose(score, np.mean(np.log(observed)), rtol=1e-12)


# --- comparison graph on the item path --------------------------------------


def _never_lost_data():
    """Items 0-2 in a cycle; item 3 beat 0 and 1 and never lost nor tied."""
    X = np.array([[0, 1], [1, 2], [2, 0], [1, 0], [3, 0], [3, 1], [2, 1]])
    return X, np.ones(len(X))


def test_graph_not_strongly_connected_warns_up_front():
    X, y = _never_lost_data()
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties="davidson")
    )
    y = y.copy()
    y[-1] = 0.5  # a tie inside the cycle
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    messages = [str(w.message) for w in caught if w.category is MLEDoesNotExistWarning]
    assert len(messages) == 1  # once, up front, not again after the fit
    assert "never lost" in messages[0] and ": 3." in messages[0]
    assert "alpha > 0" in messages[0] and "restrict_to_largest_component" in messages[0]
    assert model[-1].n_iter_ <= 25


def test_a_tie_connects_the_graph():
    # Ties count as edges both ways: one tie of item 3 makes the MLE exist.
    X, y = _never_lost_data()
    y = y.copy()
    y[4] = 0.5
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties="davidson")
    )
    _fit_quietly(model, X, y)
    assert model[-1].n_iter_ < 25


def test_graph_warning_names_items_by_feature_name():
    # A DataFrame of sparse columns is sparse for the estimator: the item path,
    # with feature names.
    X, y = _never_lost_data()
    X_onehot = pd.DataFrame.sparse.from_spmatrix(
        sp.csr_matrix(_two_hot(X[:, 0], X[:, 1], 4)),
        columns=[f"{side}_{name}" for side in "ab" for name in ["w", "x", "y", "z"]],
    )
    y = y.copy()
    y[-1] = 0.5
    with pytest.warns(MLEDoesNotExistWarning, match="never lost.*: a_z"):
        BradleyTerryRanker(ties="davidson").fit(X_onehot, y)


def test_alpha_silences_the_graph_check():
    X, y = _never_lost_data()
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties="half", alpha=0.5)
    )
    _fit_quietly(model, X, y)


# --- order effects: intercept and home advantage ----------------------------


def _home_pipeline(**params):
    columns = ColumnTransformer(
        [("team", OneHotEncoder(), ["team"]), ("home", "passthrough", ["home"])]
    )
    return make_pipeline(PairTransformer(columns), BradleyTerryRanker(**params))


def _games(n_teams=10, n_games=3000, home=0.4, nu=0.6, neutral=0.3, seed=13):
    """Davidson games with a home advantage that neutral venues do not have."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(scale=0.7, size=n_teams)
    a, b = _item_pairs(n_teams, n_games, rng)
    home_a = (rng.random(n_games) >= neutral).astype(float)
    y = _simulate("davidson", theta, np.log(nu), a, b, rng, offset=home * home_a)
    names = np.array([f"team{i:02d}" for i in range(n_teams)])
    X = pd.DataFrame(
        {
            "team_a": names[a],
            "home_a": home_a,
            "team_b": names[b],
            "home_b": np.zeros(n_games),
        }
    )
    return X, y, theta


@pytest.mark.parametrize("ties", [None, "davidson", "rao-kupper"])
def test_home_coefficient_equals_intercept_when_every_row_has_a_home_team(ties):
    X, y, _ = _games(neutral=0.0, seed=14)
    if ties is None:
        y = np.where(y == 0.5, 1.0, y)
    home = _fit_quietly(_home_pipeline(ties=ties), X, y)[-1]
    ids = make_pipeline(
        PairTransformer(OneHotEncoder()),
        BradleyTerryRanker(ties=ties, fit_intercept=True),
    )
    intercept = _fit_quietly(ids, X[["team_a", "team_b"]], y)[-1]
    assert_allclose(home.coef_[-1], intercept.intercept_, rtol=1e-8)
    assert_allclose(home.coef_[:-1], intercept.coef_, atol=1e-8)
    if ties is not None:
        assert_allclose(home.tie_parameter_, intercept.tie_parameter_, rtol=1e-8)


def test_home_coefficient_matches_statsmodels_logit():
    sm = pytest.importorskip("statsmodels.api")
    X, y, _ = _games(seed=15)
    y = np.where(y == 0.5, 1.0, y)  # binary outcomes for the logit
    ranker = _fit_quietly(_home_pipeline(), X, y)[-1]
    # The difference design, team00 as the reference, fitted independently.
    teams = np.unique(X.team_a)
    design = (X.team_a.to_numpy()[:, None] == teams).astype(float)
    design -= X.team_b.to_numpy()[:, None] == teams
    design = np.column_stack([design[:, 1:], X.home_a - X.home_b])
    logit = sm.Logit(y, design).fit(disp=0, method="newton", tol=1e-12)
    assert_allclose(ranker.coef_[-1], logit.params[-1], rtol=1e-7)
    assert_allclose(ranker.coef_[1:-1] - ranker.coef_[0], logit.params[:-1], atol=1e-7)
    # The standard error of the home effect from hessian_ (pseudo-inverse:
    # team strengths are defined up to a constant).
    hessian = ranker.hessian_
    hessian = hessian.toarray() if sp.issparse(hessian) else hessian
    se_home = np.sqrt(np.linalg.pinv(hessian, rtol=1e-10)[-1, -1])
    assert_allclose(se_home, logit.bse[-1], rtol=1e-6)


@pytest.mark.parametrize("ties", TIE_MODELS)
def test_ties_and_home_advantage_recovered_jointly(ties):
    home, truth = 0.4, {"davidson": 0.6, "rao-kupper": 1.5}[ties]
    extra = np.log(truth) if ties == "davidson" else np.log(np.log(truth))
    rng = np.random.default_rng(16)
    X, _, theta = _games(n_games=4000, seed=16)
    codes = [np.searchsorted(np.unique(X.team_a), X[c]) for c in ["team_a", "team_b"]]
    offset = home * X.home_a.to_numpy()
    y = _simulate(ties, theta, extra, *codes, rng, offset=offset)
    ranker = _fit_quietly(_home_pipeline(ties=ties), X, y)[-1]
    covariance = np.linalg.pinv(_dense(ranker.hessian_), rtol=1e-10)
    se_home = np.sqrt(covariance[-2, -2])
    assert abs(ranker.coef_[-1] - home) < 4 * se_home
    assert abs(ranker.tie_parameter_ - truth) < 4 * ranker.tie_parameter_se_
    strengths = ranker.coef_[:-1] - ranker.coef_[:-1].mean()
    se_strength = np.sqrt(np.diag(covariance)[:-2])
    assert np.all(np.abs(strengths - (theta - theta.mean())) < 4 * se_strength)
    # The standard errors are those of a real fit: not vanishing, not huge.
    assert 0.01 < se_home < 0.1


def test_tie_parameter_standard_error_matches_the_observed_information():
    # Profile the log-likelihood in log nu by refitting the strengths with
    # log nu fixed; its curvature at the optimum is 1 / var(log nu).
    X, y = _item_data("davidson", n_items=5, n_pairs=600, seed=17)
    model = _fit_quietly(BradleyTerryRanker(ties="davidson"), X, y)
    log_nu = np.log(model.tie_parameter_)
    d = X.shape[1] // 2
    D = X[:, :d] - X[:, d:]
    counts = np.column_stack([y == 0.0, y == 0.5, y == 1.0]).astype(float)
    loss = DavidsonPairLoss()

    def profile(value):
        result = minimize(
            lambda c: loss.loss(D @ c, counts, [value]),
            model.coef_,
            jac=lambda c: D.T @ loss.loss_gradient_hessian(D @ c, counts, [value])[1],
            method="BFGS",
            tol=1e-12,
        )
        return result.fun

    step = 1e-3
    curvature = profile(log_nu + step) - 2 * profile(log_nu) + profile(log_nu - step)
    curvature /= step**2
    se_log_nu = model.tie_parameter_se_ / model.tie_parameter_
    assert_allclose(se_log_nu, 1 / np.sqrt(curvature), rtol=1e-3)


def test_half_win_equals_the_weighted_binary_expansion():
    # ties="half" on 0 / 0.5 / 1 equals the binary model on the half-win
    # expansion: each tie as a win and a loss of weight 1/2.
    X, y = _feature_data(seed=18)
    half = _fit_quietly(BradleyTerryRanker(ties="half"), X, y)
    tie = y == 0.5
    X2 = np.vstack([X[~tie], X[tie], X[tie]])
    y2 = np.concatenate([y[~tie], np.ones(tie.sum()), np.zeros(tie.sum())])
    w2 = np.concatenate([np.ones((~tie).sum()), np.full(2 * tie.sum(), 0.5)])
    binary = _fit_quietly(BradleyTerryRanker(), X2, y2, sample_weight=w2)
    assert_allclose(half.coef_, binary.coef_, rtol=1e-10)
    assert_array_equal(half.classes_, [0.0, 1.0])
    assert_allclose(half.predict_proba(X)[:, 1], expit(half.decision_function(X)))


def test_rao_kupper_converges_with_rare_ties_between_unequal_items():
    # Away from the optimum, Rao-Kupper's Hessian in kappa = log tau can be
    # indefinite where ties are under-predicted: rare ties, some of them
    # between far-apart items.  Newton's method must still reach the optimum,
    # as a quasi-Newton fit of the same likelihood confirms.
    rng = np.random.default_rng(19)
    n_items = 8
    theta = np.linspace(-3.0, 3.0, n_items)
    a, b = _item_pairs(n_items, 1500, rng)
    y = _simulate("rao-kupper", theta, np.log(0.05), a, b, rng)
    far = np.flatnonzero(np.abs(theta[a] - theta[b]) > 4)
    y[rng.choice(far, 3, replace=False)] = 0.5
    assert 3 < np.sum(y == 0.5) < 40
    X = sp.csr_array(_two_hot(a, b, n_items))
    model = _fit_quietly(BradleyTerryRanker(ties="rao-kupper"), X, y)
    assert model.n_iter_ < 30

    D = _two_hot(a, b, n_items)
    D = (D[:, :n_items] - D[:, n_items:])[:, 1:]  # item 0 as the reference
    counts = np.column_stack([y == 0.0, y == 0.5, y == 1.0]).astype(float)
    loss = RaoKupperPairLoss()

    def objective(params):
        return loss.loss(D @ params[:-1], counts, params[-1:])

    direct = minimize(objective, np.zeros(n_items), method="BFGS", tol=1e-10)
    ours = np.concatenate(
        [model.coef_[1:] - model.coef_[0], [np.log(np.log(model.tie_parameter_))]]
    )
    assert objective(ours) <= direct.fun + 1e-9
    assert_allclose(ours, direct.x, atol=1e-4)


# Nearly all ties: the tie parameter's likelihood keeps growing, so the MLE
# does not exist although the graph (ties both ways) is strongly connected.
_NEARLY_ALL_TIES = {
    # c beat a once, everything else tied: Rao-Kupper's supremum, 2.2493 (a
    # Nelder-Mead search), is approached as a < b < c spread apart.
    "rao-kupper": (list("abc") * 4, list("bca") * 4, [0.5] * 11 + [1.0]),
    "davidson": (list("abcc"), list("bcaa"), [0.5, 0.5, 0.5, 1.0]),
}


@pytest.mark.parametrize("ties", ["rao-kupper", "davidson"])
def test_nearly_all_ties_warn_that_the_mle_does_not_exist(ties):
    winner, loser, y = _NEARLY_ALL_TIES[ties]
    X = np.column_stack([winner, loser])
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(ties=ties)
    )
    with pytest.warns(MLEDoesNotExistWarning, match="tie parameter goes to infinity"):
        model.fit(X, y)
    # Fitted towards the supremum, not stopped at a point with a large
    # gradient: before, Rao-Kupper reported convergence at -log L = 40.0 with
    # c, the only winner, ranked last.
    proba = model.predict_proba(X)
    observed = np.searchsorted(model[-1].classes_, y)
    neg_log_likelihood = -np.sum(np.log(proba[np.arange(len(y)), observed]))
    if ties == "rao-kupper":
        assert neg_log_likelihood < 2.2494
    strengths = model[-1].coef_
    assert strengths[2] > strengths[1] > strengths[0]  # c > b > a


def test_refit_without_a_tie_model_drops_the_tie_parameter():
    X, y = _feature_data("davidson", n_pairs=120)
    model = BradleyTerryRanker(ties="davidson").fit(X, y)
    assert hasattr(model, "tie_parameter_")
    model.set_params(ties=None).fit(X, (y >= 0.5).astype(int))
    assert not hasattr(model, "tie_parameter_")
    assert not hasattr(model, "tie_parameter_se_")
