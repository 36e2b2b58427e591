"""Tests of the pairwise scorer and of swap_pairs."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, log_expit
from sklearn.exceptions import NotFittedError
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_bt import (
    BradleyTerryRanker,
    PairTransformer,
    pairwise_log_loss_scorer,
    swap_pairs,
)


def _pairs(seed=0, n=120, d=3):
    rng = np.random.default_rng(seed)
    x_a, x_b = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    y = (rng.random(n) < expit((x_a - x_b) @ np.linspace(1.0, -0.5, d))).astype(int)
    return np.hstack([x_a, x_b]), y


def _winner_loser(X, y):
    """Rows ordered winner first, so that y is all ones."""
    d = X.shape[1] // 2
    swapped = np.hstack([X[:, d:], X[:, :d]])
    return np.where(y[:, None] == 1, X, swapped), np.ones(len(y), dtype=int)


# ------------------------------------------------------------------ scorer


def test_scorer_equals_negative_log_loss_on_two_labels():
    X, y = _pairs(0)
    model = BradleyTerryRanker(alpha=0.5).fit(X[:80], y[:80])
    expected = -log_loss(y[80:], model.predict_proba(X[80:]), labels=[0, 1])
    assert pairwise_log_loss_scorer(model, X[80:], y[80:]) == pytest.approx(
        expected, rel=1e-12
    )
    weights = np.random.default_rng(0).uniform(0.5, 3.0, 40)
    weighted = -log_loss(
        y[80:], model.predict_proba(X[80:]), labels=[0, 1], sample_weight=weights
    )
    assert pairwise_log_loss_scorer(
        model, X[80:], y[80:], sample_weight=weights
    ) == pytest.approx(weighted, rel=1e-12)


def test_scorer_on_winner_loser_data():
    X, y = _winner_loser(*_pairs(1))
    model = BradleyTerryRanker(alpha=0.5).fit(X, y)
    expected = np.mean(log_expit(model.decision_function(X)))
    assert pairwise_log_loss_scorer(model, X, y) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="y_true contains only one label"):
        log_loss(y, model.predict_proba(X))  # the stock metric cannot


def test_scorer_with_string_labels_and_a_pipeline():
    rng = np.random.default_rng(2)
    names = np.array(["ann", "bob", "cid", "dee"])
    pairs = names[rng.integers(0, 4, size=(60, 2))]
    y = np.where(rng.random(60) < 0.6, "won", "lost")
    model = make_pipeline(
        PairTransformer(OneHotEncoder()), BradleyTerryRanker(alpha=1.0)
    ).fit(pairs, y)
    expected = -log_loss(y, model.predict_proba(pairs), labels=["lost", "won"])
    assert pairwise_log_loss_scorer(model, pairs, y) == pytest.approx(expected)


def test_scorer_is_exact_for_confident_mistakes():
    model = BradleyTerryRanker(alpha=1.0).fit([[1.0, 0.0], [0.0, 1.0]], [1, 0])
    model.coef_ = np.array([800.0])  # P(A won) = 1 - expit(-800): a sure thing
    assert pairwise_log_loss_scorer(model, [[0.0, 1.0]], [1]) == pytest.approx(-800.0)


def test_scorer_rejects_unknown_labels():
    X, y = _pairs(3)
    model = BradleyTerryRanker().fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[2\] that the model does not know"):
        pairwise_log_loss_scorer(model, X[:3], np.array([0, 1, 2]))


def _half_win_mean_log_likelihood(model, X, is_a_win, is_tie):
    log_a = log_expit(model.decision_function(X))
    log_b = log_expit(-model.decision_function(X))
    return np.mean(
        np.where(is_tie, 0.5 * (log_a + log_b), np.where(is_a_win, log_a, log_b))
    )


@pytest.mark.parametrize(
    "labels",
    [(0.0, 0.5, 1.0), (-1, 0, 1), ("lose", "tie", "win")],
    ids=["scores", "signs", "words"],
)
def test_scorer_scores_a_tie_as_half_a_win_for_the_half_win_model(labels):
    X, y = _pairs(5, n=150)
    outcome = np.where(np.random.default_rng(5).random(150) < 0.25, 1, 2 * y)
    y = np.array(labels, dtype=object)[outcome].astype(type(labels[0]))
    model = make_pipeline(
        "passthrough", BradleyTerryRanker(alpha=0.1, ties="half")
    ).fit(X[:100], y[:100])
    assert len(model.classes_) == 2
    expected = _half_win_mean_log_likelihood(
        model, X[100:], outcome[100:] == 2, outcome[100:] == 1
    )
    got = pairwise_log_loss_scorer(model, X[100:], y[100:])
    assert got == pytest.approx(expected, rel=1e-12)
    # The fit maximises this likelihood: its optimum scores best on the
    # training rows.
    ranker = model[-1]
    best = pairwise_log_loss_scorer(model, X[:100], y[:100])
    ranker.coef_ = ranker.coef_ * 1.05
    assert pairwise_log_loss_scorer(model, X[:100], y[:100]) < best


def test_scorer_knows_the_tie_of_outcome_scores_from_a_fold_without_ties():
    X, y = _pairs(6)
    model = BradleyTerryRanker(alpha=0.1, ties="half").fit(X, y.astype(float))
    y_test = np.array([0.5, 1.0, 0.5])
    expected = _half_win_mean_log_likelihood(model, X[:3], y_test == 1.0, y_test == 0.5)
    assert pairwise_log_loss_scorer(model, X[:3], y_test) == pytest.approx(expected)
    # Without ties="half" a tie is no label the model knows.
    plain = BradleyTerryRanker(alpha=0.1).fit(X, y.astype(float))
    with pytest.raises(ValueError, match=r"labels \[0.5\] that the model"):
        pairwise_log_loss_scorer(plain, X[:3], y_test)


def test_scorer_reads_the_tie_of_a_fitted_search_over_a_pipeline():
    X, y = _pairs(8, n=150)
    y = np.where(np.random.default_rng(8).random(150) < 0.3, 0.5, y)
    search = GridSearchCV(
        make_pipeline("passthrough", BradleyTerryRanker(ties="half")),
        {"bradleyterryranker__alpha": [0.1, 1.0]},
        scoring=pairwise_log_loss_scorer,
        cv=KFold(3),
        error_score="raise",
    ).fit(X, y)
    expected = pairwise_log_loss_scorer(search.best_estimator_, X, y)
    assert pairwise_log_loss_scorer(search, X, y) == expected


def test_cross_val_score_of_the_half_win_model_on_data_with_ties():
    X, y = _pairs(7, n=150)
    y = np.where(np.random.default_rng(7).random(150) < 0.3, 0.5, y)
    scores = cross_val_score(
        BradleyTerryRanker(ties="half"),
        X,
        y,
        scoring=pairwise_log_loss_scorer,
        cv=KFold(3),
        error_score="raise",
    )
    assert np.all(np.isfinite(scores)) and np.all(scores < 0)


def test_cross_val_score_on_one_label_folds():
    X, y = _winner_loser(*_pairs(4, n=90))
    cv = KFold(3)
    scores = cross_val_score(
        BradleyTerryRanker(alpha=0.1), X, y, scoring=pairwise_log_loss_scorer, cv=cv
    )
    expected = []
    for train, test in cv.split(X):
        model = BradleyTerryRanker(alpha=0.1).fit(X[train], y[train])
        expected.append(np.mean(log_expit(model.decision_function(X[test]))))
    assert_allclose(scores, expected, rtol=1e-12)


def test_grid_search_picks_alpha_on_winner_loser_data():
    # Few comparisons, many features: some shrinkage predicts better.
    X, y = _winner_loser(*_pairs(5, n=60, d=12))
    alphas = [0.01, 1.0, 10.0, 1000.0]
    cv = KFold(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search = GridSearchCV(
            BradleyTerryRanker(),
            {"alpha": alphas},
            scoring=pairwise_log_loss_scorer,
            cv=cv,
        ).fit(X, y)
    manual = [
        np.mean(
            [
                pairwise_log_loss_scorer(
                    BradleyTerryRanker(alpha=a).fit(X[tr], y[tr]), X[te], y[te]
                )
                for tr, te in cv.split(X)
            ]
        )
        for a in alphas
    ]
    assert_allclose(search.cv_results_["mean_test_score"], manual, rtol=1e-12)
    assert search.best_params_["alpha"] == alphas[int(np.argmax(manual))]
    assert search.best_params_["alpha"] not in (alphas[0], alphas[-1])


# -------------------------------------------------------------- swap_pairs


def _expected_swap(X, swapped_rows):
    d = X.shape[1] // 2
    out = np.array(X, copy=True)
    out[swapped_rows] = np.hstack([X[swapped_rows, d:], X[swapped_rows, :d]])
    return out


def test_swap_pairs_on_arrays():
    X = np.arange(40.0).reshape(10, 4)
    X_copy = X.copy()
    y = np.ones(10)
    X_s, y_s = swap_pairs(X, y, random_state=0)
    swapped = y_s == 0
    assert swapped.sum() == 5
    assert_array_equal(X_s, _expected_swap(X, swapped))
    assert_array_equal(X, X_copy)
    assert_array_equal(y, np.ones(10))


@pytest.mark.parametrize(
    "y, flipped",
    [
        (np.array([1, 0, 1, 1, 0, 1]), np.array([0, 1, 0, 0, 1, 0])),
        (np.array([True, False] * 3), np.array([False, True] * 3)),
        (np.array([1, -1, 1, 1, -1, 1]), np.array([-1, 1, -1, -1, 1, -1])),
        (np.array([1.0, 0.5, 0.0] * 2), np.array([0.0, 0.5, 1.0] * 2)),
        (np.array(["won", "lost"] * 3), np.array(["lost", "won"] * 3)),
        (np.array([-1, 0, 1] * 2), np.array([1, 0, -1] * 2)),
    ],
    ids=["0/1", "bool", "-1/+1", "scores", "strings", "signs"],
)
def test_swap_pairs_flips_every_encoding(y, flipped):
    X = np.arange(24).reshape(6, 4)
    y_copy = y.copy()
    X_s, y_s = swap_pairs(X, y, fraction=0.5, random_state=1)
    swapped = np.any(X_s != X, axis=1)
    assert swapped.sum() == 3
    assert_array_equal(y_s, np.where(swapped, flipped, y))
    assert y_s.dtype == y.dtype
    assert_array_equal(y, y_copy)


@pytest.mark.parametrize("to_sparse", [sp.csr_matrix, sp.csr_array])
def test_swap_pairs_on_sparse(to_sparse):
    X = np.arange(40.0).reshape(10, 4)
    X[X % 3 == 0] = 0.0
    X_sparse = to_sparse(X)
    X_s, y_s = swap_pairs(X_sparse, np.ones(10), random_state=2)
    assert type(X_s) is type(X_sparse)
    assert_array_equal(X_s.toarray(), _expected_swap(X, y_s == 0))
    assert_array_equal(X_sparse.toarray(), X)


@pytest.mark.parametrize("to_sparse", [sp.csc_matrix, sp.csc_array])
def test_swap_pairs_keeps_the_sparse_format(to_sparse):
    X = to_sparse(np.arange(40.0).reshape(10, 4))
    X_s, _ = swap_pairs(X, np.ones(10), random_state=2)
    assert type(X_s) is type(X)


def test_swap_pairs_on_dataframes():
    df = pd.DataFrame(
        {
            "team_a": list("abcdef"),
            "rating_a": np.arange(6.0),
            "team_b": list("uvwxyz"),
            "rating_b": np.arange(6.0) + 0.5,
        },
        index=np.arange(10, 16),
    )
    original = df.copy()
    X_s, y_s = swap_pairs(df, np.ones(6), random_state=3)
    pd.testing.assert_frame_equal(df, original)
    assert isinstance(X_s, pd.DataFrame)
    assert list(X_s.columns) == list(df.columns)
    assert_array_equal(X_s.index, df.index)
    swapped = y_s == 0
    expected = _expected_swap(df.to_numpy(dtype=object), swapped)
    assert_array_equal(X_s.to_numpy(dtype=object), expected)


def test_swap_pairs_on_dataframes_with_mixed_dtypes():
    df = pd.DataFrame({"rank_a": [1, 2, 3, 4], "rank_b": [1.5, np.nan, 3.5, 4.5]})
    X_s, y_s = swap_pairs(df, np.ones(4), random_state=0)
    swapped = y_s == 0
    assert_allclose(X_s["rank_a"], np.where(swapped, df["rank_b"], df["rank_a"]))


@pytest.mark.parametrize("b_is_categorical", [True, False])
def test_swap_pairs_on_categorical_columns_with_different_categories(
    b_is_categorical,
):
    # pandas refuses a value outside a categorical's categories: each column
    # takes the other's categories first.
    a, b = ["x", "y", "x", "z", "y"], ["y", "w", "z", "x", "v"]
    df = pd.DataFrame(
        {"a": pd.Categorical(a), "b": pd.Categorical(b) if b_is_categorical else b}
    )
    X_s, y_s = swap_pairs(df, np.ones(5), random_state=0)
    swapped = y_s == 0
    assert swapped.any() and not swapped.all()
    assert_array_equal(X_s["a"].astype(str), np.where(swapped, b, a))
    assert_array_equal(X_s["b"].astype(str), np.where(swapped, a, b))
    assert isinstance(X_s["a"].dtype, pd.CategoricalDtype)
    assert df["a"].cat.categories.tolist() == ["x", "y", "z"]  # not modified


def test_swap_pairs_on_lists():
    X_s, y_s = swap_pairs([[1, 2], [3, 4]], [1, 1], fraction=1.0, random_state=0)
    assert_array_equal(X_s, [[2, 1], [4, 3]])


def test_swap_pairs_is_deterministic_with_a_seed():
    X = np.arange(200.0).reshape(50, 4)
    first = swap_pairs(X, np.ones(50), random_state=7)
    second = swap_pairs(X, np.ones(50), random_state=7)
    other = swap_pairs(X, np.ones(50), random_state=8)
    assert_array_equal(first[0], second[0])
    assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize("fraction, n_swapped", [(0.0, 0), (0.3, 3), (1.0, 10)])
def test_swap_pairs_fraction(fraction, n_swapped):
    _, y_s = swap_pairs(np.zeros((10, 2)), np.ones(10), fraction=fraction)
    assert (y_s == 0).sum() == n_swapped


def test_swap_pairs_errors():
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\)"):
        swap_pairs(np.zeros((4, 3)), np.ones(4))
    with pytest.raises(ValueError, match="fraction must be a number in"):
        swap_pairs(np.zeros((4, 2)), np.ones(4), fraction=1.5)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        swap_pairs(np.zeros((4, 2)), np.ones(3))
    with pytest.raises(ValueError, match="Cannot flip outcomes"):
        swap_pairs(np.zeros((3, 2)), np.array([1, 2, 3]))


def test_scorer_and_score_check_their_inputs_as_scikit_learn_does():
    X, y = _pairs(5, n=40)
    model = BradleyTerryRanker().fit(X, y)
    # A column vector is raveled with scikit-learn's warning: it broadcast
    # into an n x n matrix before, and the score was wrong.
    with pytest.warns(UserWarning, match="column-vector y"):
        column = pairwise_log_loss_scorer(model, X, y[:, None])
    assert column == pytest.approx(pairwise_log_loss_scorer(model, X, y))
    with pytest.raises(NotFittedError):
        pairwise_log_loss_scorer(BradleyTerryRanker(), X, y)
    bad_weights = {
        "zeros": (np.zeros(len(y)), "at least one non-zero"),
        "nan": (np.full(len(y), np.nan), "NaN"),
        "negative": (np.r_[-1.0, np.ones(len(y) - 1)], "Negative values"),
        "length": (np.ones(3), "inconsistent numbers of samples"),
    }
    for weights, message in bad_weights.values():
        with pytest.raises(ValueError, match=message):
            pairwise_log_loss_scorer(model, X, y, sample_weight=weights)
        with pytest.raises(ValueError, match=message):
            model.score(X, y, sample_weight=weights)


def test_swap_pairs_checks_y_and_fraction():
    X, y = _pairs(6, n=30)
    with pytest.warns(UserWarning, match="column-vector y"):
        _, swapped = swap_pairs(X, y[:, None], random_state=0)
    assert swapped.shape == (30,)
    with pytest.raises(ValueError, match=r"fraction must be a number in \[0, 1\]"):
        swap_pairs(X, y, fraction=None)


def test_score_items_applies_the_pipelines_steps_to_raw_items():
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    from sklearn_bt import score_items

    rng = np.random.default_rng(0)
    items = pd.DataFrame(
        {"size": rng.normal(10.0, 3.0, 30), "kind": rng.choice(["x", "y", "z"], 30)}
    )
    a, b = rng.integers(0, 30, 400), rng.integers(0, 30, 400)
    utility = items["size"].to_numpy() + (items["kind"] == "x").to_numpy()
    y = (utility[a] - utility[b] + rng.logistic(size=400) > 0).astype(int)
    X = pd.concat(
        [items.iloc[a].add_suffix("_a").reset_index(drop=True),
         items.iloc[b].add_suffix("_b").reset_index(drop=True)],
        axis=1,
    )  # fmt: skip
    inner = ColumnTransformer(
        [("num", StandardScaler(), ["size"]), ("cat", OneHotEncoder(), ["kind"])]
    )
    model = make_pipeline(PairTransformer(inner), BradleyTerryRanker(alpha=0.1))
    model.fit(X, y)
    theta = score_items(model, items)
    logits = np.log(model.predict_proba(X)[:, 1] / model.predict_proba(X)[:, 0])
    np.testing.assert_allclose(theta[a] - theta[b], logits, atol=1e-10)
    search = GridSearchCV(model, {"bradleyterryranker__alpha": [0.1, 1.0]}, cv=2)
    np.testing.assert_allclose(
        score_items(search.fit(X, y), items),
        score_items(search.best_estimator_, items),
    )
    with pytest.raises(ValueError, match=r"the columns \['size', 'kind'\]"):
        score_items(model, items[["kind", "size"]])
    pair_step = make_pipeline(
        FunctionTransformer(lambda Z: Z), BradleyTerryRanker()
    ).fit(np.hstack([utility[a, None], utility[b, None]]), y)
    with pytest.raises(ValueError, match="transforms pair rows"):
        score_items(pair_step, utility[:, None])


def test_the_scorer_takes_routed_weights_when_it_requests_them():
    import copy

    import sklearn
    from sklearn.model_selection import cross_validate

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = X[:, :2].sum(axis=1) - X[:, 2:].sum(axis=1) + rng.logistic(size=300) > 0
    weight = rng.choice([1.0, 5.0], 300)
    cv = KFold(3)
    with pytest.raises(RuntimeError, match="metadata routing is enabled"):
        copy.deepcopy(pairwise_log_loss_scorer).set_score_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = pairwise_log_loss_scorer.set_score_request(sample_weight=True)
        # A copy: the module's shared scorer keeps its (empty) request.
        assert scorer is not pairwise_log_loss_scorer
        assert pairwise_log_loss_scorer.get_metadata_routing().score.requests == {
            "sample_weight": None
        }
        model = BradleyTerryRanker(alpha=1.0).set_fit_request(sample_weight=True)
        scores = cross_validate(
            model, X, y, scoring=scorer, cv=cv, params={"sample_weight": weight}
        )["test_score"]
        model.set_fit_request(sample_weight=None)
    # The reference: each fold scored by hand with its test weights.
    for score, (train, test) in zip(scores, cv.split(X), strict=True):
        fitted = BradleyTerryRanker(alpha=1.0).fit(
            X[train], y[train], sample_weight=weight[train]
        )
        expected = pairwise_log_loss_scorer(
            fitted, X[test], y[test], sample_weight=weight[test]
        )
        assert score == pytest.approx(expected, rel=1e-12)
        assert score != pytest.approx(
            pairwise_log_loss_scorer(fitted, X[test], y[test])
        )
    assert repr(pairwise_log_loss_scorer) == "pairwise_log_loss_scorer"
