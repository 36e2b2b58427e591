"""Tests of PairTransformer: one item-level transformer shared by both halves."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn import config_context
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_bt import BradleyTerryRanker, PairTransformer, _pair_transformer

TRUE_WEIGHTS = np.array([1.5, -1.0, 0.5])


def _reward_model_pairs(seed=0, n=4000):
    """Winner/loser rows from a linear reward model theta = w . x.

    The features have non-zero means and different scales, as real ones do.
    Rows are [x_winner | x_loser], y all ones.
    """
    rng = np.random.default_rng(seed)
    mean, scale = np.array([5.0, -2.0, 10.0]), np.array([2.0, 0.5, 3.0])
    x_a = mean + scale * rng.normal(size=(n, 3))
    x_b = mean + scale * rng.normal(size=(n, 3))
    a_won = rng.random(n) < expit((x_a - x_b) @ TRUE_WEIGHTS)
    winner = np.where(a_won[:, None], x_a, x_b)
    loser = np.where(a_won[:, None], x_b, x_a)
    return np.hstack([winner, loser]), np.ones(n)


def _fit_quietly(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return estimator.fit(*args, **kwargs)


# -------------------------------------------------- scaling inside a pair


def test_scaled_pipeline_is_antisymmetric():
    X, _ = _reward_model_pairs(1, n=300)
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, len(X))
    model = make_pipeline(PairTransformer(StandardScaler()), BradleyTerryRanker())
    model.fit(X, y)
    X_swapped = np.hstack([X[:, 3:], X[:, :3]])
    assert_allclose(
        model.predict_proba(X_swapped)[:, 1], model.predict_proba(X)[:, 0], atol=1e-14
    )
    # An item ties with itself.
    X_self = np.hstack([X[:, :3], X[:, :3]])
    assert_allclose(model.predict_proba(X_self), 0.5, atol=1e-14)


def test_scaled_pipeline_recovers_the_true_reward_weights():
    X, y = _reward_model_pairs(2)
    model = make_pipeline(PairTransformer(StandardScaler()), BradleyTerryRanker())
    _fit_quietly(model, X, y)
    scaler = model[0].transformer_
    weights = model[-1].coef_ / scaler.scale_  # back on the raw feature scale
    # Centring cancels in x_A - x_B and scaling is linear: exactly the raw fit.
    raw = _fit_quietly(BradleyTerryRanker(), X, y)
    assert_allclose(weights, raw.coef_, rtol=1e-10)
    # And close to the truth: within 4 standard errors, from the observed
    # information of the raw fit.
    standard_errors = np.sqrt(np.diag(np.linalg.inv(raw.hessian_)))
    assert np.all(standard_errors < 0.1)
    assert np.all(np.abs(weights - TRUE_WEIGHTS) < 4 * standard_errors)


def test_bare_scaler_on_pair_columns_removes_the_signal():
    # The pitfall PairTransformer exists for: centring each half separately on
    # winner/loser data makes the differences sum to zero, so the MLE is 0.
    X, y = _reward_model_pairs(3)
    bare = make_pipeline(StandardScaler(), BradleyTerryRanker())
    _fit_quietly(bare, X, y)
    assert_allclose(bare[-1].coef_, 0.0, atol=1e-10)
    paired = make_pipeline(PairTransformer(StandardScaler()), BradleyTerryRanker())
    _fit_quietly(paired, X, y)
    assert np.min(np.abs(paired[-1].coef_)) > 0.3


def test_inner_scaler_is_fitted_on_the_stacked_item_rows():
    X, _ = _reward_model_pairs(4, n=200)
    transformer = PairTransformer(StandardScaler()).fit(X)
    items = np.vstack([X[:, :3], X[:, 3:]])
    assert_allclose(transformer.transformer_.mean_, items.mean(axis=0))
    assert_allclose(transformer.transformer_.scale_, items.std(axis=0))
    out = transformer.transform(X)
    assert_allclose(out[:, :3], (X[:, :3] - items.mean(0)) / items.std(0))
    assert_allclose(out[:, 3:], (X[:, 3:] - items.mean(0)) / items.std(0))


def test_passthrough_is_the_identity():
    X, _ = _reward_model_pairs(5, n=20)
    out = PairTransformer().fit_transform(X)
    assert_array_equal(out, X)


# ------------------------------------------------------------ item ids


def test_one_hot_inside_is_sparse_with_categories_of_both_halves():
    pairs = np.array([["ann", "bob"], ["bob", "cid"], ["ann", "dee"]])
    transformer = PairTransformer(OneHotEncoder()).fit(pairs)
    # "cid" and "dee" appear only as item B, "ann" only as item A.
    assert_array_equal(
        transformer.transformer_.categories_[0], ["ann", "bob", "cid", "dee"]
    )
    out = transformer.transform(pairs)
    assert sp.issparse(out)
    expected = np.array(
        [[1, 0, 0, 0, 0, 1, 0, 0], [0, 1, 0, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0, 0, 0, 1]]
    )
    assert_array_equal(out.toarray(), expected)


def test_feature_names():
    pairs = pd.DataFrame({"player_a": ["ann", "bob"], "player_b": ["bob", "cid"]})
    transformer = PairTransformer(OneHotEncoder()).fit(pairs)
    assert_array_equal(transformer.item_feature_names_in_, ["player"])
    assert_array_equal(
        transformer.get_item_feature_names_out(),
        ["player_ann", "player_bob", "player_cid"],
    )
    assert_array_equal(
        transformer.get_feature_names_out(),
        [
            "A__player_ann",
            "A__player_bob",
            "A__player_cid",
            "B__player_ann",
            "B__player_bob",
            "B__player_cid",
        ],
    )
    plain = PairTransformer(StandardScaler()).fit(np.ones((3, 4)))
    assert_array_equal(plain.get_item_feature_names_out(), ["x0", "x1"])
    assert_array_equal(
        plain.get_feature_names_out(), ["A__x0", "A__x1", "B__x0", "B__x1"]
    )


@pytest.mark.parametrize(
    "columns, item_names",
    [
        (["team_a", "rating_a", "team_b", "rating_b"], ["team", "rating"]),
        (["home_team", "home_elo", "away_team", "away_elo"], ["team", "elo"]),
        (["team1", "elo1", "team2", "elo2"], ["team", "elo"]),
        (["a_team", "a_elo", "b_team", "b_elo"], ["team", "elo"]),
        (["teamA", "eloA", "teamB", "eloB"], ["team", "elo"]),
        (["feat1_a", "feat2_a", "feat1_b", "feat2_b"], ["feat1", "feat2"]),
        (["x_A", "len_A", "x_B", "len_B"], ["x", "len"]),
        (
            ["player1_score", "player1_age", "player2_score", "player2_age"],
            ["score", "age"],
        ),
        (["x", "y", "u", "v"], ["x", "y"]),  # nothing shared: the names of A
    ],
)
def test_item_level_names_from_pair_column_names(columns, item_names):
    df = pd.DataFrame(np.zeros((2, len(columns))), columns=columns)
    assert_array_equal(PairTransformer().fit(df).item_feature_names_in_, item_names)


@pytest.mark.parametrize(
    "columns, item_names",
    [
        (["winner", "loser"], ["winner"]),  # not "er"
        (["left", "right"], ["left"]),  # not "t"
        (["winner", "winner_elo", "loser", "loser_elo"], ["winner", "winner_elo"]),
        (["team_a", "teams_b"], ["team_a"]),  # not "team"
        (["Winner", "Loser"], ["Winner"]),
    ],
)
def test_names_sharing_only_a_fragment_fall_back_to_the_a_half(columns, item_names):
    df = pd.DataFrame(np.zeros((2, len(columns))), columns=columns)
    assert_array_equal(PairTransformer().fit(df).item_feature_names_in_, item_names)


def test_column_transformer_refers_to_winner_loser_columns_by_the_a_half_name():
    df = pd.DataFrame({"winner": ["ann", "bob", "cid"], "loser": ["bob", "cid", "ann"]})
    inner = ColumnTransformer([("ids", OneHotEncoder(), ["winner"])])
    transformer = PairTransformer(inner).fit(df)
    assert_array_equal(
        transformer.get_item_feature_names_out(),
        ["ids__winner_ann", "ids__winner_bob", "ids__winner_cid"],
    )


@pytest.mark.parametrize(
    "columns, matching_order",
    [
        (
            ["length_a", "helpful_a", "helpful_b", "length_b"],
            ["length_a", "helpful_a", "length_b", "helpful_b"],
        ),
        (
            ["a_len", "a_help", "b_help", "b_len"],
            ["a_len", "a_help", "b_len", "b_help"],
        ),
        (["team1", "elo1", "elo2", "team2"], ["team1", "elo1", "team2", "elo2"]),
    ],
)
def test_b_half_in_a_different_order_is_a_clear_error(columns, matching_order):
    # Pair rows are split by position: without the check, length_a would be
    # compared with helpful_b.
    df = pd.DataFrame(np.zeros((2, 4)), columns=columns)
    with pytest.raises(ValueError, match="different order") as error:
        PairTransformer().fit(df)
    message = str(error.value)
    assert f"{columns[0]!r} with {columns[2]!r}" in message
    assert f"X[{matching_order!r}]" in message  # the fix, ready to paste
    assert len(PairTransformer().fit(df[matching_order]).item_feature_names_in_) == 2


@pytest.mark.parametrize(
    "columns, fix",
    [
        (["age_a", "age_b", "ht_a", "ht_b"], ["age_a", "ht_a", "age_b", "ht_b"]),
        (
            ["winner_age", "loser_age", "winner_ht", "loser_ht"],
            ["winner_age", "winner_ht", "loser_age", "loser_ht"],
        ),
        (
            ["chosen_len", "rejected_len", "chosen_score", "rejected_score"],
            ["chosen_len", "chosen_score", "rejected_len", "rejected_score"],
        ),
        (
            ["age_home", "age_visitor", "ht_home", "ht_visitor"],
            ["age_home", "ht_home", "age_visitor", "ht_visitor"],
        ),
    ],
)
def test_interleaved_columns_are_a_clear_error_with_the_order_to_select(columns, fix):
    # Split by position, age_a / age_b would be item A's features: the age of
    # A compared with its own height, and P(A beats B) + P(B beats A) != 1.
    df = pd.DataFrame(np.ones((3, 4)), columns=columns)
    with pytest.raises(ValueError, match="look interleaved") as error:
        PairTransformer().fit(df)
    assert f"X[{fix!r}]" in str(error.value)
    with pytest.raises(ValueError, match="look interleaved"):
        BradleyTerryRanker().fit(df, [1, 0, 1])
    assert len(PairTransformer().fit(df[fix]).item_feature_names_in_) == 2


def test_halves_with_different_features_are_a_clear_error():
    df = pd.DataFrame(
        np.ones((3, 4)), columns=["winner_age", "winner_ht", "loser_age", "loser_rank"]
    )
    with pytest.raises(ValueError, match=r"\['winner_ht', 'loser_rank'\] have no"):
        PairTransformer().fit(df)


@pytest.mark.parametrize(
    "columns",
    [
        ["score_1_a", "score_2_a", "score_1_b", "score_2_b"],  # features 1 and 2
        ["f1", "f2", "f3", "f4"],
        ["home_team", "home_goals", "away_team", "away_goals"],
        ["vitamin_a", "vitamin_b", "vitamin_a_2", "vitamin_b_2"],
        # Halves marked by a tag, features with side-like words: as they are.
        ["player1_first_serve", "player1_second_serve"]
        + ["player2_first_serve", "player2_second_serve"],
        ["p1_w", "p1_l", "p2_w", "p2_l"],
        ["teamA_w", "teamA_l", "teamB_w", "teamB_l"],
        ["red_left_reach", "red_right_reach", "blue_left_reach", "blue_right_reach"],
        ["p_first_pick", "p_second_pick", "q_first_pick", "q_second_pick"],
        ["player_set1", "player_set2", "opponent_set1", "opponent_set2"],
        ["team_q1", "team_q2", "opp_q1", "opp_q2"],
        ["fav_grade_a", "fav_grade_b", "dog_grade_a", "dog_grade_b"],
        ["x1", "x2", "y1", "y2"],  # numbers name features as often as sides
    ],
)
def test_side_words_that_agree_with_the_halves_are_accepted(columns):
    df = pd.DataFrame(np.ones((3, 4)), columns=columns)
    assert len(PairTransformer().fit(df).item_feature_names_in_) == 2


def test_winner_loser_column_names_give_the_documented_item_names():
    df = pd.DataFrame(
        np.zeros((2, 4)),
        columns=["winner_rank", "winner_age", "loser_rank", "loser_age"],
    )
    assert_array_equal(
        PairTransformer().fit(df).item_feature_names_in_, ["rank", "age"]
    )


# -------------------------------------------- ids and features together


def _ids_and_ratings(seed=6, n=600):
    rng = np.random.default_rng(seed)
    teams = np.array(["ant", "bee", "cat", "dog", "eel"])
    strength = np.array([0.5, -0.2, 0.0, 0.8, -1.1])
    a = rng.integers(0, 5, n)
    b = (a + rng.integers(1, 5, n)) % 5
    rating_a, rating_b = rng.normal(size=n), rng.normal(size=n)
    logit = strength[a] + 0.7 * rating_a - strength[b] - 0.7 * rating_b
    y = (rng.random(n) < expit(logit)).astype(int)
    df = pd.DataFrame(
        {
            "team_a": teams[a],
            "rating_a": rating_a,
            "team_b": teams[b],
            "rating_b": rating_b,
        }
    )
    # The explicit difference design: one column per team, then the rating.
    D = np.zeros((n, 6))
    np.add.at(D, (np.arange(n), a), 1.0)
    np.add.at(D, (np.arange(n), b), -1.0)
    D[:, 5] = rating_a - rating_b
    return df, y, D


@pytest.mark.parametrize("sparse_threshold", [0.0, 1.0])
def test_column_transformer_inside_combines_ids_and_features(sparse_threshold):
    df, y, D = _ids_and_ratings()
    original = df.copy()
    inner = ColumnTransformer(
        [("id", OneHotEncoder(), ["team"]), ("num", "passthrough", ["rating"])],
        sparse_threshold=sparse_threshold,
    )
    model = make_pipeline(PairTransformer(inner), BradleyTerryRanker(alpha=1.0))
    _fit_quietly(model, df, y)
    pd.testing.assert_frame_equal(df, original)
    assert sp.issparse(model[0].transform(df)) == (sparse_threshold == 1.0)
    assert_array_equal(model[0].item_feature_names_in_, ["team", "rating"])
    assert_array_equal(
        model[0].get_item_feature_names_out(),
        [f"id__team_{t}" for t in ["ant", "bee", "cat", "dog", "eel"]]
        + ["num__rating"],
    )
    reference = LogisticRegression(
        C=1.0, fit_intercept=False, solver="newton-cholesky", tol=1e-12
    ).fit(D, y)
    assert_allclose(model[-1].coef_, reference.coef_.ravel(), atol=1e-8)
    # theta = strength_team + w * rating, item by item.
    items = pd.DataFrame({"team": ["dog", "ant"], "rating": [0.3, -1.0]})
    theta = model[-1].score_items(model[0].transformer_.transform(items))
    coef = reference.coef_.ravel()
    assert_allclose(
        theta, [coef[3] + 0.3 * coef[5], coef[0] - 1.0 * coef[5]], atol=1e-8
    )


# ---------------------------------------------------------- output forms


def test_set_output_pandas():
    X, _ = _reward_model_pairs(7, n=50)
    df = pd.DataFrame(X, columns=["a_l", "b_l", "c_l", "a_r", "b_r", "c_r"])
    df.index = np.arange(100, 150)
    transformer = PairTransformer(StandardScaler()).set_output(transform="pandas")
    out = transformer.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["A__a", "A__b", "A__c", "B__a", "B__b", "B__c"]
    assert_array_equal(out.index, df.index)
    dense = PairTransformer(StandardScaler()).fit_transform(X)
    assert_allclose(out.to_numpy(), dense)


@pytest.mark.parametrize(
    "inner",
    [StandardScaler(), OneHotEncoder(), OneHotEncoder(sparse_output=False)],
    ids=["scaler", "one-hot sparse", "one-hot dense"],
)
def test_fit_transform_equals_fit_then_transform(inner):
    rng = np.random.default_rng(8)
    X = rng.integers(0, 4, size=(30, 4)).astype(float)
    one_step = PairTransformer(inner).fit_transform(X)
    two_steps = PairTransformer(inner).fit(X).transform(X)
    if sp.issparse(one_step):
        one_step, two_steps = one_step.toarray(), two_steps.toarray()
    assert_allclose(one_step, two_steps)


def test_sparse_input_is_split_by_columns():
    X, _ = _reward_model_pairs(9, n=40)
    X[np.abs(X) < 5] = 0.0
    for to_sparse in (sp.csr_matrix, sp.csc_array):
        out = PairTransformer().fit_transform(to_sparse(X))
        assert sp.issparse(out)
        assert_allclose(out.toarray(), X)


def test_input_is_not_mutated():
    X, _ = _reward_model_pairs(10, n=40)
    X_copy = X.copy()
    PairTransformer(StandardScaler()).fit(X).transform(X)
    assert_array_equal(X, X_copy)


# --------------------------------------------------------------- errors


def test_odd_width_is_a_clear_error():
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\)"):
        PairTransformer(StandardScaler()).fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\)"):
        PairTransformer(OneHotEncoder()).fit_transform(np.ones((4, 3)))


def test_wrong_width_at_transform_time():
    transformer = PairTransformer(StandardScaler()).fit(np.ones((4, 4)))
    with pytest.raises(ValueError, match="X has 2 features, but PairTransformer"):
        transformer.transform(np.ones((4, 2)))


def test_empty_and_one_dimensional_input():
    with pytest.raises(ValueError, match="0 sample"):
        PairTransformer().fit(np.ones((0, 4)))
    with pytest.raises(ValueError, match="2D array of pair rows"):
        PairTransformer().fit(np.ones(4))


@pytest.fixture
def fast_path_outputs(monkeypatch):
    """A list that grows by one with every output the one-hot fast path builds."""
    built = []
    two_hot = _pair_transformer._two_hot
    monkeypatch.setattr(
        _pair_transformer,
        "_two_hot",
        lambda *args: built.append(1) or two_hot(*args),
    )
    return built


def test_explicit_sorted_categories_take_the_fast_path_with_the_same_output(
    fast_path_outputs,
):
    # leaderboard() encodes with OneHotEncoder(categories=[items]): ids are then
    # looked up in the given categories, and the output is the encoder's own.
    built = fast_path_outputs
    rng = np.random.default_rng(0)
    names = np.array([f"p{i:02d}" for i in range(12)], dtype=object)
    X = names[rng.integers(0, 12, size=(200, 2))]
    encoder = OneHotEncoder(categories=[names])
    fast = PairTransformer(encoder).fit(X)
    expected = np.hstack(
        [
            encoder.fit(X[:, :1]).transform(X[:, :1]).toarray(),
            encoder.transform(X[:, 1:]).toarray(),
        ]
    )
    np.testing.assert_array_equal(fast.transform(X).toarray(), expected)
    np.testing.assert_array_equal(fast.fit_transform(X).toarray(), expected)
    assert len(built) == 2  # both outputs came from the fast path
    # Unsorted categories keep the encoder's own path (and its column order).
    shuffled = OneHotEncoder(categories=[names[::-1]])
    assert _pair_transformer._sorted_unique_categories(shuffled.categories) is None
    out = PairTransformer(shuffled).fit_transform(X).toarray()
    np.testing.assert_array_equal(out[:, :12], expected[:, :12][:, ::-1])
    assert len(built) == 2


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("low", [0, 5])
def test_integer_ids_take_the_fast_path_with_the_encoders_output(order, low):
    # Ids 0..K-1 in one C-ordered (n, 2) array are their own codes, converted
    # in one pass; other layouts and ranges are copied column by column.  The
    # output is the encoder's own either way.
    rng = np.random.default_rng(1)
    X = np.asarray(rng.integers(low, low + 9, size=(300, 2)), order=order)
    X[:9, 0] = np.arange(low, low + 9)  # every id present
    encoder = OneHotEncoder().fit(np.concatenate([X[:, 0], X[:, 1]])[:, None])
    expected = np.hstack(
        [encoder.transform(X[:, :1]).toarray(), encoder.transform(X[:, 1:]).toarray()]
    )
    X_copy = X.copy()
    out = PairTransformer(OneHotEncoder()).fit_transform(X)
    assert out.has_canonical_format
    np.testing.assert_array_equal(out.toarray(), expected)
    np.testing.assert_array_equal(X, X_copy)  # the ids are not shifted in place


def _pyarrow_strings():
    pytest.importorskip("pyarrow")
    return pd.StringDtype("pyarrow")


def _pyarrow_dictionary():
    pa = pytest.importorskip("pyarrow")
    return pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))


def test_columns_of_one_categorical_dtype_fit_as_their_ids(fast_path_outputs):
    # Both columns share one categorical dtype holding every id: their own
    # codes (read-only, int8) become the one-hot rows, and the ranker fitted
    # on them is the one fitted on the same ids as objects.
    rng = np.random.default_rng(5)
    names = np.array([f"p{i:02d}" for i in range(12)], dtype=object)
    team_a, team_b = names[rng.integers(0, 12, 400)], names[rng.integers(0, 12, 400)]
    team_a[:12], team_b[-12:] = names, names  # every id on both sides
    y = (rng.random(400) < 0.6).astype(float)
    as_objects = pd.DataFrame({"team_a": team_a, "team_b": team_b})
    categorical = as_objects.astype(pd.CategoricalDtype(sorted(names)))
    codes_before = categorical["team_a"].cat.codes.to_numpy().copy()

    def fitted(X):
        return make_pipeline(
            PairTransformer(OneHotEncoder()), BradleyTerryRanker()
        ).fit(X, y)

    expected, model = fitted(as_objects), fitted(categorical)
    assert len(fast_path_outputs) == 2
    assert_allclose(model[-1].coef_, expected[-1].coef_, rtol=1e-12, atol=1e-12)
    assert_array_equal(
        model[0].transform(categorical).toarray(),
        expected[0].transform(as_objects).toarray(),
    )
    assert_array_equal(categorical["team_a"].cat.codes, codes_before)


@pytest.mark.parametrize(
    "dtype",
    [
        lambda: "category",  # a categorical: its codes are the factorisation
        _pyarrow_strings,  # pandas' default strings when pyarrow is installed
        _pyarrow_dictionary,  # as read_parquet(dtype_backend="pyarrow") may give
        lambda: pd.StringDtype("python"),
        lambda: object,
    ],
    ids=[
        "categorical",
        "Arrow strings",
        "Arrow dictionary",
        "Python strings",
        "object",
    ],
)
def test_dataframe_ids_take_the_fast_path_with_the_encoders_output(
    fast_path_outputs, dtype
):
    # Id columns of a DataFrame, whatever pandas stores them as, give what
    # the encoder gives on the stacked item column: the same one-hot rows and
    # the same categories_, values and dtype.
    built = fast_path_outputs
    rng = np.random.default_rng(4)
    names = np.array([f"p{i:02d}" for i in range(12)], dtype=object)
    team_a, team_b = names[rng.integers(0, 12, 300)], names[rng.integers(2, 9, 300)]
    df = pd.DataFrame({"team_a": team_a, "team_b": team_b}).astype(dtype())
    encoder = OneHotEncoder().fit(
        pd.concat([df["team_a"], df["team_b"]], ignore_index=True).to_frame("team")
    )
    expected = np.hstack(
        [
            encoder.transform(df[["team_a"]].set_axis(["team"], axis=1)).toarray(),
            encoder.transform(df[["team_b"]].set_axis(["team"], axis=1)).toarray(),
        ]
    )
    transformer = PairTransformer(OneHotEncoder())
    assert_array_equal(transformer.fit_transform(df).toarray(), expected)
    assert_array_equal(transformer.transform(df[::-1]).toarray(), expected[::-1])
    assert len(built) == 2  # both outputs came from the fast path
    fitted = transformer.transformer_.categories_[0]
    assert_array_equal(fitted, encoder.categories_[0])
    assert fitted.dtype == encoder.categories_[0].dtype


def test_a_text_vectorizer_on_a_two_dimensional_half_is_a_clear_error():
    # Given a DataFrame, a text vectorizer reads the column names as its
    # documents and returns one row: silently wrong, were it not refused.
    pytest.importorskip("pandas")
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = np.array(
        ["good answer", "bad answer", "a long answer", "wrong"], dtype=object
    )
    X = pd.DataFrame({"text_a": docs[[0, 1, 2, 3, 0]], "text_b": docs[[1, 2, 3, 0, 2]]})
    with pytest.raises(ValueError, match=r"returned 1 row\(s\) for 5 items.*'text'"):
        PairTransformer(TfidfVectorizer()).fit_transform(X)
    # The fix the message gives works.
    fixed = PairTransformer(
        ColumnTransformer([("tfidfvectorizer", TfidfVectorizer(), "text")])
    ).fit_transform(X)
    assert fixed.shape[0] == 5


def _weighted_pairs(seed=3, n=120):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1.0, 5.0, 1.0, 5.0] + [0.0, 3.0, 0.0, 3.0]
    y = (rng.random(n) < expit(X[:, 0] - X[:, 2])).astype(int)
    weight = rng.integers(1, 4, n)
    return X, y, weight


def _repeated_fit(X, y, weight):
    rows = np.repeat(np.arange(len(y)), weight)
    model = make_pipeline(PairTransformer(StandardScaler()), BradleyTerryRanker())
    return model.fit(X[rows], y[rows])


def test_sample_weight_reaches_the_inner_transformer_as_repeated_rows():
    # Each pair's weight counts for both of its items in the inner fit.
    X, y, weight = _weighted_pairs()
    reference = _repeated_fit(X, y, weight)
    model = make_pipeline(PairTransformer(StandardScaler()), BradleyTerryRanker())
    model.fit(
        X,
        y,
        pairtransformer__sample_weight=weight,
        bradleyterryranker__sample_weight=weight,
    )
    assert_allclose(model[0].transformer_.mean_, reference[0].transformer_.mean_)
    assert_allclose(model[-1].coef_, reference[-1].coef_, rtol=1e-10)
    # An inner transformer that takes no weights: an error, not a silent drop.
    with pytest.raises(ValueError, match="OneHotEncoder.fit takes no sample_weight"):
        PairTransformer(OneHotEncoder()).fit(X.round(), sample_weight=weight)


def test_metadata_routing_passes_requested_weights_to_the_inner_transformer():
    X, y, weight = _weighted_pairs()
    reference = _repeated_fit(X, y, weight)
    with config_context(enable_metadata_routing=True):
        model = make_pipeline(
            PairTransformer(StandardScaler().set_fit_request(sample_weight=True)),
            BradleyTerryRanker().set_fit_request(sample_weight=True),
        ).fit(X, y, sample_weight=weight)
        assert_allclose(model[0].transformer_.mean_, reference[0].transformer_.mean_)
        assert_allclose(model[-1].coef_, reference[-1].coef_, rtol=1e-10)
        # Not requested by the inner transformer: not passed to it.
        unweighted = make_pipeline(
            PairTransformer(StandardScaler().set_fit_request(sample_weight=False)),
            BradleyTerryRanker().set_fit_request(sample_weight=True),
        ).fit(X, y, sample_weight=weight)
        plain = StandardScaler().fit(np.vstack([X[:, :2], X[:, 2:]]))
        assert_allclose(unweighted[0].transformer_.mean_, plain.mean_)


def test_input_checks_as_scikit_learn_makes_them():
    X = np.arange(24.0).reshape(6, 4)
    # Sparse formats without indexing (DIA) are split as CSR.
    dia = PairTransformer(StandardScaler(with_mean=False)).fit_transform(
        sp.dia_matrix(X)
    )
    expected = PairTransformer(StandardScaler(with_mean=False)).fit_transform(X)
    assert_allclose(dia.toarray() if sp.issparse(dia) else dia, expected)
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(5, 0\)\)"):
        PairTransformer().fit(np.zeros((5, 0)))
    fitted = PairTransformer(StandardScaler()).fit(X)
    with pytest.raises(ValueError, match="input_features"):
        fitted.get_feature_names_out(["nonsense"])
    assert list(fitted.get_feature_names_out(["x0", "x1", "x2", "x3"])) == [
        "A__x0",
        "A__x1",
        "B__x0",
        "B__x1",
    ]


def test_sample_weight_of_the_wrong_length_counts_pairs():
    # The inner fit sees twice as many item rows: the message must not.
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 2\]"):
        PairTransformer(StandardScaler()).fit(np.ones((3, 4)), sample_weight=[1, 2])


def test_readme_style_control_is_a_logistic_regression_with_the_covariate():
    # The README's recipe: a per-comparison covariate is the difference for A
    # and 0 for B.  The reference: a logistic regression on the +-1 model
    # columns and the length difference, unpenalised.
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    n, k = 3000, 5
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k
    length = rng.normal(size=n)
    strength = np.linspace(-1, 1, k)
    y = rng.random(n) < 1 / (1 + np.exp(-(strength[a] - strength[b] + 0.5 * length)))
    names = np.array([f"m{i}" for i in range(k)])
    X = pd.DataFrame(
        {"model_a": names[a], "length_a": length, "model_b": names[b], "length_b": 0.0}
    )
    inner = ColumnTransformer(
        [("model", OneHotEncoder(), ["model"]), ("style", "passthrough", ["length"])]
    )
    model = make_pipeline(PairTransformer(inner), BradleyTerryRanker()).fit(X, y)
    design = np.zeros((n, k))
    design[np.arange(n), a] += 1.0
    design[np.arange(n), b] -= 1.0
    design = np.column_stack([design[:, 1:], length])  # m0 as the reference
    reference = LogisticRegression(
        C=np.inf, fit_intercept=False, tol=1e-12, max_iter=1000
    )
    reference.fit(design, y)
    coef = model[-1].coef_
    np.testing.assert_allclose(coef[-1], reference.coef_[0, -1], rtol=1e-6)
    np.testing.assert_allclose(coef[1:k] - coef[0], reference.coef_[0, :-1], rtol=1e-6)
