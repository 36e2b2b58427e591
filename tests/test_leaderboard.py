"""Tests of leaderboard(): Elo scale, intervals, ranks, win matrices, real data."""

import contextlib
import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from scipy.stats import norm
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_bt import (
    BradleyTerryRanker,
    Leaderboard,
    MLEDoesNotExistWarning,
    PairTransformer,
    _leaderboard,
    elo_ratings,
    leaderboard,
    leaderboard_from_win_matrix,
    restrict_to_largest_component,
    standard_errors,
    win_matrix,
)
from sklearn_bt._leaderboard import _interval_ranks, _ranks

ELO = 400 / np.log(10)


def _battles(n_items=6, n_rows=600, seed=0, ties=0.0):
    """Random battles with known strengths; a share of them ties."""
    rng = np.random.default_rng(seed)
    theta = np.linspace(-1, 1, n_items)
    a = rng.integers(n_items, size=n_rows)
    b = (a + rng.integers(1, n_items, size=n_rows)) % n_items
    p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
    outcome = (rng.random(n_rows) < p).astype(float)
    outcome[rng.random(n_rows) < ties] = 0.5
    names = np.array([f"m{k:02d}" for k in range(n_items)])
    return names[a], names[b], outcome


def _by_item(board, column):
    return dict(zip(board.table["item"], board.table[column], strict=True))


# ---------------------------------------------------------------------------
# The Elo scale
# ---------------------------------------------------------------------------


def test_elo_ratings_formula_and_anchor():
    theta = np.array([0.5, 0.0, -0.5])
    np.testing.assert_allclose(elo_ratings(theta), 1000 + ELO * theta)
    np.testing.assert_allclose(
        elo_ratings(theta, scale=173.7178, base=np.e, offset=1500),
        1500 + 173.7178 * theta,
    )
    anchored = elo_ratings(theta, items=["a", "b", "c"], anchor="c", anchor_rating=1114)
    assert anchored[2] == 1114
    np.testing.assert_allclose(np.diff(anchored), np.diff(elo_ratings(theta)))
    # 2-D: each row anchored on its own.
    rows = elo_ratings(np.vstack([theta, theta + 1]), items=["a", "b", "c"], anchor="b")
    np.testing.assert_allclose(rows[:, 1], 1000)
    with pytest.raises(ValueError, match="anchor_rating is set but anchor is None"):
        elo_ratings(theta, anchor_rating=1200)
    with pytest.raises(ValueError, match="'zz' is not one of the items"):
        elo_ratings(theta, items=["a", "b", "c"], anchor="zz")
    with pytest.raises(TypeError, match=r"not a model: pass estimates\(model\)"):
        elo_ratings(BradleyTerryRanker())


def test_elo_ratings_refuses_items_of_the_wrong_length():
    theta = np.array([0.5, 0.0, -0.5])
    with pytest.raises(ValueError, match=r"strengths has 3 per row, but items has"):
        elo_ratings(theta, items=["a", "b"])
    with pytest.raises(ValueError, match=r"items has shape \(4,\)"):
        elo_ratings(np.vstack([theta, theta]), items=list("abcd"), anchor="a")


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(offset=np.nan), "offset"),
        (dict(offset=-np.inf), "offset"),
        (dict(anchor="a", anchor_rating=np.nan), "anchor_rating"),
        (dict(anchor="a", anchor_rating=np.inf), "anchor_rating"),
        (dict(scale=np.inf), "scale"),
        (dict(base=np.inf), "base"),
    ],
)
def test_non_finite_rating_scale_is_refused(kwargs, name):
    # NaN or infinite ratings would fill the table (and print as "-inf").
    with pytest.raises(ValueError, match=f"{name} must be a finite number"):
        elo_ratings(np.array([0.5, -0.5]), items=["a", "b"], **kwargs)
    with pytest.raises(ValueError, match=f"'{name}' parameter of leaderboard"):
        leaderboard(["a", "b", "a"], ["b", "a", "b"], **kwargs)


def test_printed_numbers_show_nan_as_nan():
    assert _leaderboard._fmt(np.nan) == "nan"
    assert _leaderboard._fmt(np.inf) == "inf"
    assert _leaderboard._fmt(-np.inf) == "-inf"
    assert _leaderboard._fmt(-1234.56) == "-1,234.6"


def test_leaderboard_is_the_model_on_the_elo_scale():
    a, b, outcome = _battles(seed=1)
    board = leaderboard(a, b, outcome)
    model = board.model
    # The same fit as the pipeline written by hand.
    X = np.column_stack([a, b])
    by_hand = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker()).fit(
        X, outcome
    )
    items = by_hand[0].transformer_.categories_[0]
    theta = dict(zip(items, by_hand[-1].coef_, strict=True))
    se = dict(zip(items, standard_errors(by_hand), strict=True))
    for item, rating, strength, error in zip(
        board.table["item"],
        board.table["rating"],
        board.table["strength"],
        board.table["se"],
        strict=True,
    ):
        assert strength == pytest.approx(theta[item], abs=1e-8)
        assert rating == pytest.approx(1000 + ELO * theta[item], abs=1e-6)
        assert error == pytest.approx(ELO * se[item], rel=1e-8)
    z = norm.ppf(0.975)
    np.testing.assert_allclose(
        board.table["upper"] - board.table["lower"], 2 * z * board.table["se"]
    )
    assert np.all(np.diff(board.table["rating"]) <= 0)
    assert model.predict_proba([["m05", "m00"]])[0, 1] > 0.5


def test_anchor_pins_one_rating_and_keeps_differences():
    a, b, outcome = _battles(seed=2)
    free = leaderboard(a, b, outcome, scale=100, base=2, offset=0)
    pinned = leaderboard(
        a, b, outcome, scale=100, base=2, offset=0, anchor="m02", anchor_rating=1114
    )
    assert _by_item(pinned, "rating")["m02"] == pytest.approx(1114)
    assert _by_item(pinned, "se")["m02"] == 0
    assert _by_item(pinned, "lower")["m02"] == _by_item(pinned, "upper")["m02"]
    free_r, pinned_r = _by_item(free, "rating"), _by_item(pinned, "rating")
    for item in free_r:
        assert pinned_r[item] - pinned_r["m02"] == pytest.approx(
            free_r[item] - free_r["m02"]
        )
    # Anchored standard errors are those of the differences to the anchor.
    se_ref = dict(
        zip(
            [f"m{k:02d}" for k in range(6)],
            standard_errors(pinned.model, reference="m02"),
            strict=True,
        )
    )
    for item, se in _by_item(pinned, "se").items():
        assert se == pytest.approx(100 / np.log(2) * se_ref[item])
    # Anchoring without a rating puts the anchor at the offset.
    assert _by_item(leaderboard(a, b, outcome, anchor="m04"), "rating")[
        "m04"
    ] == pytest.approx(1000)


# ---------------------------------------------------------------------------
# Ranks
# ---------------------------------------------------------------------------


def test_rank_lower_counts_items_surely_better():
    lower = np.array([10.0, 8.0, 7.0, 1.0, 0.0, 0.0])
    upper = np.array([12.0, 11.0, 9.5, 9.0, 2.0, 0.5])
    # Brute force, from the definition.
    expected = [1 + np.sum(lower > u) for u in upper]
    np.testing.assert_array_equal(_interval_ranks(lower, upper), expected)
    np.testing.assert_array_equal(_interval_ranks(lower, upper), [1, 1, 2, 2, 4, 5])
    # Competition ranks: equal ratings share a rank.
    np.testing.assert_array_equal(_ranks(np.array([3.0, 5.0, 3.0, 1.0])), [2, 1, 2, 4])


def test_rank_lower_in_a_leaderboard():
    a, b, outcome = _battles(n_items=8, n_rows=400, seed=3)
    board = leaderboard(a, b, outcome, confidence=0.9)
    t = board.table
    for i in range(len(t)):
        assert t["rank_lower"][i] == 1 + np.sum(t["lower"] > t["upper"][i])
        assert t["rank_lower"][i] <= t["rank"][i]
    assert list(t["rank"]) == sorted(t["rank"])


# ---------------------------------------------------------------------------
# Ties, weights and win matrices
# ---------------------------------------------------------------------------


def test_ties_need_a_tie_model():
    a, b, outcome = _battles(seed=4, ties=0.2)
    with pytest.raises(ValueError, match="ties='half'"):
        leaderboard(a, b, outcome)
    board = leaderboard(a, b, outcome, ties="half")
    ranker = BradleyTerryRanker(ties="half").fit(
        PairTransformer(OneHotEncoder()).fit_transform(np.column_stack([a, b])),
        outcome,
    )
    np.testing.assert_allclose(
        np.sort(board.table["strength"]), np.sort(ranker.coef_), atol=1e-8
    )
    n_ties = pd.Series(np.concatenate([a, b])[np.tile(outcome == 0.5, 2)])
    assert _by_item(board, "ties") == pytest.approx(n_ties.value_counts().to_dict())
    assert board.tie_parameter is None
    with pytest.raises(ValueError, match=r"1 \(A won\), 0.5 \(tie\) or 0"):
        leaderboard(a, b, np.where(outcome == 0.5, 2, outcome), ties="half")


def test_davidson_ties_are_passed_to_the_ranker():
    options = BradleyTerryRanker._parameter_constraints["ties"][0].options
    if "davidson" not in options:
        pytest.skip("the ranker has no Davidson tie model yet")
    a, b, outcome = _battles(n_rows=1000, seed=5, ties=0.2)
    board = leaderboard(a, b, outcome, ties="davidson")
    ranker = board.model[-1]
    nu = board.tie_parameter
    assert nu.value == pytest.approx(ranker.tie_parameter_)
    # The Wald interval is exp(log nu +- z se(log nu)); by the delta method
    # se(nu) = nu se(log nu), which the ranker computes its own way.
    se_log_nu = np.log(nu.upper / nu.lower) / (2 * norm.ppf(0.975))
    assert nu.value * se_log_nu == pytest.approx(ranker.tie_parameter_se_, rel=1e-6)
    # 20% ties at random, mostly between unequal items: nu / (2 + nu) > 0.2.
    assert 0.5 < nu.value < 1.0
    assert "tie model" in str(board) and "Tie parameter: " in str(board)

    boot = leaderboard(
        a,
        b,
        outcome,
        ties="davidson",
        interval="bootstrap",
        n_bootstrap=100,
        random_state=0,
    )
    assert boot.tie_parameter.value == pytest.approx(nu.value)
    assert boot.tie_parameter.upper - boot.tie_parameter.lower == pytest.approx(
        nu.upper - nu.lower, rel=0.3
    )


def test_weights_are_counts():
    a, b, outcome = _battles(n_rows=200, seed=6)
    weights = np.random.default_rng(0).integers(1, 4, size=len(a))
    weighted = leaderboard(a, b, outcome, sample_weight=weights)
    repeated = leaderboard(
        np.repeat(a, weights), np.repeat(b, weights), np.repeat(outcome, weights)
    )
    for column in ("rating", "se", "comparisons", "wins", "losses"):
        np.testing.assert_allclose(
            weighted.table[column], repeated.table[column], rtol=1e-9
        )


@pytest.mark.parametrize("home", [False, True])
@pytest.mark.parametrize("interval", ["wald", "bootstrap"])
def test_compressed_records_give_the_leaderboard_of_the_raw_rows(
    monkeypatch, home, interval
):
    # leaderboard() folds duplicate comparisons into counts before anything
    # else; with the fast factorisation switched off it works on raw rows.
    a, b, outcome = _battles(n_rows=300, seed=8, ties=0.1)
    rng = np.random.default_rng(3)
    weights = rng.uniform(0.5, 2.0, size=len(a))  # not counts: draws per row
    kwargs = dict(
        sample_weight=weights,
        home_a=(rng.random(len(a)) < 0.5).astype(float) if home else None,
        ties="davidson",
        interval=interval,
        n_bootstrap=40,
        random_state=0,
    )
    compressed = leaderboard(a, b, outcome, **kwargs)
    monkeypatch.setattr(_leaderboard, "factorise_pair_ids", lambda *args: None)
    raw = leaderboard(a, b, outcome, **kwargs)
    for column in ("item", "rating", "lower", "upper", "comparisons", "ties"):
        if column == "item":
            assert list(compressed.table[column]) == list(raw.table[column])
        else:
            np.testing.assert_allclose(
                compressed.table[column], raw.table[column], rtol=1e-9
            )
    if home:
        assert compressed.home_advantage == pytest.approx(raw.home_advantage)


def test_win_matrix_gives_the_same_leaderboard():
    a, b, outcome = _battles(n_items=5, n_rows=300, seed=7)
    winners, losers = np.where(outcome == 1, a, b), np.where(outcome == 1, b, a)
    W, items = win_matrix(winners, losers)
    from_matrix = leaderboard_from_win_matrix(W, items=items, anchor="m01")
    from_rows = leaderboard(winners, losers, anchor="m01")
    pd.testing.assert_frame_equal(from_matrix.table, from_rows.table, rtol=1e-9)
    frame = pd.DataFrame(W, index=items, columns=items)
    pd.testing.assert_frame_equal(
        leaderboard_from_win_matrix(frame, anchor="m01").table,
        from_rows.table,
        rtol=1e-9,
    )
    with pytest.raises(ValueError, match="cannot be combined with a win matrix"):
        leaderboard_from_win_matrix(W, items=items, sample_weight=np.ones(3))


# ---------------------------------------------------------------------------
# Published numbers: the home advantage in baseball
# ---------------------------------------------------------------------------


def test_home_advantage_reproduces_agresti(shared_data):
    data = pd.read_csv(shared_data / "bt2_baseball.csv")
    n = len(data)
    home = np.concatenate([data["home_team"], data["home_team"]])
    away = np.concatenate([data["away_team"], data["away_team"]])
    outcome = np.concatenate([np.ones(n), np.zeros(n)])
    counts = np.concatenate([data["home_wins"], data["away_wins"]])
    board = leaderboard(
        home, away, outcome, sample_weight=counts, home_a=np.ones(2 * n)
    )
    # Agresti (2002): home advantage 0.302 (SE about 0.13) in log-odds.
    value, lower, upper = board.home_advantage
    assert value / ELO == pytest.approx(0.3023, abs=5e-4)
    assert (upper - lower) / (2 * norm.ppf(0.975) * ELO) == pytest.approx(
        0.131, abs=0.002
    )
    pi = np.exp(board.table["strength"])
    np.testing.assert_allclose(
        np.sort(pi / pi.sum()),
        [0.044, 0.088, 0.137, 0.157, 0.164, 0.190, 0.220],
        atol=6e-4,
    )
    # The model takes the documented DataFrame layout.
    frame = pd.DataFrame(
        {"item_a": ["Boston"], "home_a": [1.0], "item_b": ["Boston"], "home_b": [0.0]}
    )
    assert board.model.decision_function(frame)[0] == pytest.approx(value / ELO)
    assert "Home advantage: " in str(board)

    boot = leaderboard(
        home,
        away,
        outcome,
        sample_weight=counts,
        home_a=np.ones(2 * n),
        interval="bootstrap",
        n_bootstrap=300,
        random_state=0,
    )
    b_value, b_lower, b_upper = boot.home_advantage
    assert b_value == pytest.approx(value)
    assert b_upper - b_lower == pytest.approx(upper - lower, rel=0.2)


# ---------------------------------------------------------------------------
# Bootstrap intervals
# ---------------------------------------------------------------------------


def test_bootstrap_leaderboard_is_reproducible_and_agrees_with_wald():
    a, b, outcome = _battles(n_items=6, n_rows=1500, seed=8, ties=0.1)
    kwargs = dict(ties="half", interval="bootstrap", n_bootstrap=200, anchor="m03")
    first = leaderboard(a, b, outcome, random_state=3, **kwargs)
    again = leaderboard(a, b, outcome, random_state=3, **kwargs)
    with parallel_config(backend="threading"):
        parallel = leaderboard(a, b, outcome, random_state=3, n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(first.table, again.table)
    pd.testing.assert_frame_equal(first.table, parallel.table)
    assert first.bootstrap_ratings.shape == (200, 6)
    assert _by_item(first, "lower")["m03"] == _by_item(first, "upper")["m03"] == 1000
    wald = leaderboard(a, b, outcome, ties="half", anchor="m03")
    np.testing.assert_allclose(first.table["rating"], wald.table["rating"])
    others = first.table["item"] != "m03"
    np.testing.assert_allclose(
        first.table["se"][others], wald.table["se"][others], rtol=0.2
    )
    lo, hi = np.percentile(first.bootstrap_ratings, [2.5, 97.5], axis=0)
    np.testing.assert_allclose(first.table["lower"], lo)
    np.testing.assert_allclose(first.table["upper"], hi)
    assert first.bootstrap_unbounded.sum() == 0


def test_bootstrap_refuses_counts_beyond_what_a_resample_draws():
    # Whole-number weights are counts: each resample would draw 1e19 of them,
    # more than numpy's multinomial can (an OverflowError deep in numpy).
    a, b, outcome = _battles(n_items=3, n_rows=30, seed=12)
    weight = np.full(len(a), 1e19 / len(a)).round()
    with pytest.raises(ValueError, match="more than the 9,223,372,036,854,775,807"):
        leaderboard(a, b, outcome, sample_weight=weight, interval="bootstrap")
    # The Wald interval needs no draws.
    assert len(leaderboard(a, b, outcome, sample_weight=weight)) == 3


def test_bootstrap_progress_goes_to_stderr(capsys):
    a, b, outcome = _battles(n_items=4, n_rows=100, seed=11)
    leaderboard(a, b, outcome, interval="bootstrap", n_bootstrap=20, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "20/20" in captured.err


def test_bootstrap_reports_items_with_only_wins_in_resamples():
    # x, y and z beat each other both ways; "new" won 4 of its 5 comparisons,
    # so a third of the resamples hold no loss of it.
    a = np.array(["x", "y", "z", "y", "z", "x"] * 10 + ["new"] * 5)
    b = np.array(["y", "z", "x", "x", "y", "z"] * 10 + ["x", "y", "z", "x", "y"])
    outcome = np.concatenate([np.ones(60), [1, 1, 1, 1, 0]])
    with pytest.warns(UserWarning, match=r"only wins or only losses.*\(new in ") as w:
        board = leaderboard(
            a, b, outcome, interval="bootstrap", n_bootstrap=200, random_state=0
        )
    unbounded = _by_item(board, "rating")
    counts = dict(zip(board.table["item"], board.bootstrap_unbounded, strict=True))
    assert 30 < counts["new"] < 110  # about 200 * 0.8**5 = 66
    # The warning says how often, not just "more than 2.5%".
    assert f"(new in {100 * counts['new'] / 200:.3g}%)" in str(w[0].message)
    assert np.isfinite(board.bootstrap_ratings).all()
    assert _by_item(board, "upper")["new"] > unbounded["new"] + 500
    # With a prior, no refit needs rescuing and nothing is said.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        leaderboard(
            a,
            b,
            outcome,
            alpha=1.0,
            interval="bootstrap",
            n_bootstrap=50,
            random_state=0,
        )


# ---------------------------------------------------------------------------
# Existence of the MLE: the tennis data
# ---------------------------------------------------------------------------


@pytest.fixture
def atp_2024(shared_data):
    data = pd.read_csv(
        shared_data / "atp_matches_2000_2024.csv",
        usecols=["date", "winner_name", "loser_name", "outcome_type"],
    )
    keep = data["date"].str.startswith("2024") & (data["outcome_type"] != "walkover")
    return data[keep]


def test_tennis_warns_names_and_offers_two_ways_out(atp_2024):
    winners, losers = atp_2024["winner_name"], atp_2024["loser_name"]
    with pytest.warns(MLEDoesNotExistWarning) as record:
        board = leaderboard(winners, losers)
    message = str(record[0].message)
    assert "alpha > 0" in message and "restrict='largest'" in message
    never_lost = board.graph.never_lost
    assert len(never_lost) > 5
    assert str(never_lost[0]) in message and "never lost" in message
    # Only our warning, not the ranker's as well.
    assert len(record) == 1

    largest = leaderboard(winners, losers, restrict="largest")
    assert set(largest.table["item"]) == set(board.graph.largest_component)
    assert len(largest.dropped) == board.graph.n_items - largest.n_items
    assert np.isfinite(largest.table["se"]).all()
    assert largest.table["item"][0] == "Jannik Sinner"

    with warnings.catch_warnings():
        warnings.simplefilter("error", MLEDoesNotExistWarning)
        shrunk = leaderboard(winners, losers, alpha=1.0)
    assert shrunk.n_items == board.graph.n_items
    assert np.isfinite(shrunk.table["upper"]).all()
    assert shrunk.table["item"][0] == "Jannik Sinner"
    # Strengths are centred; the prior pulls them towards zero.
    assert abs(np.sum(shrunk.table["strength"])) < 1e-8
    assert np.ptp(shrunk.table["strength"]) < np.ptp(largest.table["strength"])


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def test_outputs_agree_with_the_table(tmp_path):
    a, b, outcome = _battles(n_items=4, n_rows=200, seed=9)
    board = leaderboard(a, b, outcome)
    assert isinstance(board, Leaderboard) and len(board) == 4
    assert list(board.table.columns) == [
        "item", "strength", "rating", "se", "lower", "upper", "rank",
        "rank_lower", "comparisons", "wins", "losses", "ties",
    ]  # fmt: skip
    pd.testing.assert_frame_equal(
        pd.read_csv(io.StringIO(board.to_csv())), board.table, check_dtype=False
    )
    board.to_csv(tmp_path / "board.csv")
    assert (tmp_path / "board.csv").read_text() == board.to_csv()
    document = json.loads(board.to_json())
    assert [row["item"] for row in document["items"]] == list(board.table["item"])
    assert document["settings"]["interval"] == "wald"
    text = str(board)
    assert text.splitlines()[1].split()[:3] == ["rank", "item", "rating"]
    assert all(item in text for item in board.table["item"])
    top = board.head(2)
    assert len(top) == 2 and list(top.table["item"]) == list(board.table["item"][:2])
    frame = board.to_frame()
    frame.loc[0, "rating"] = -1.0
    assert board.table["rating"][0] != -1.0

    plain = leaderboard(a, b, outcome, interval=None)
    assert "lower" not in plain.table and "rank_lower" not in plain.table
    assert "interval" not in str(plain).splitlines()[1]
    assert str(leaderboard(a, b, outcome, interval="none")) == str(
        plain
    )  # as --interval none


def test_works_without_pandas(monkeypatch):
    a, b, outcome = _battles(n_items=4, n_rows=200, seed=12)
    home = (np.arange(len(a)) % 3 == 0).astype(int)
    expected = leaderboard(a, b, outcome, home_a=home)
    monkeypatch.setattr(_leaderboard, "_pandas", lambda: None)
    board = leaderboard(a, b, outcome, home_a=home)
    assert isinstance(board.table, dict)
    np.testing.assert_allclose(board.table["rating"], expected.table["rating"])
    assert board.home_advantage == pytest.approx(expected.home_advantage)
    assert str(board) == str(expected)
    assert board.to_csv() == expected.to_csv()
    with pytest.raises(ImportError, match="pip install pandas"):
        board.to_frame()
    # The model takes plain arrays [item_a, home_a, item_b, home_b].
    row = np.array([["m03", 1.0, "m03", 0.0]], dtype=object)
    assert board.model.decision_function(row)[0] == pytest.approx(
        board.home_advantage.value / ELO
    )


def test_bad_input_is_a_clear_error():
    a, b, outcome = _battles(n_items=3, n_rows=30, seed=10)
    with pytest.raises(ValueError, match="same length"):
        leaderboard(a, b[:-1])
    with pytest.raises(ValueError, match="anchor 'zz' is not one of the items"):
        leaderboard(a, b, outcome, anchor="zz")
    with pytest.raises(ValueError, match="anchor_rating is set but anchor is None"):
        leaderboard(a, b, outcome, anchor_rating=1200)
    with pytest.raises(ValueError, match="home_a must hold 1"):
        leaderboard(a, b, outcome, home_a=np.full(len(a), 2))
    with pytest.raises(ValueError, match="compared with itself"):
        leaderboard(["a", "b"], ["a", "c"])
    with pytest.raises(InvalidParameterError, match="interval"):
        leaderboard(a, b, outcome, interval="profile")
    with pytest.raises(InvalidParameterError, match="restrict"):
        leaderboard(a, b, outcome, restrict="all")


def _pyarrow_strings():
    pytest.importorskip("pyarrow")
    return pd.StringDtype("pyarrow")


@pytest.mark.parametrize(
    "dtype", [lambda: "category", _pyarrow_strings], ids=["categorical", "Arrow"]
)
@pytest.mark.parametrize("home", [False, True])
def test_pandas_native_id_columns_give_the_leaderboard_of_arrays(dtype, home):
    # Categorical and Arrow-backed id columns are factorised by pandas, and
    # the compressed records relabelled: the same leaderboard as plain arrays,
    # zero-weight rows dropped alike.
    a, b, outcome = _battles(n_rows=300, seed=5, ties=0.1)
    rng = np.random.default_rng(6)
    kwargs = dict(
        sample_weight=rng.integers(0, 3, len(a)).astype(float),
        home_a=(rng.random(len(a)) < 0.5).astype(float) if home else None,
        ties="davidson",
    )
    expected = leaderboard(a.astype(object), b.astype(object), outcome, **kwargs)
    column_a, column_b = pd.Series(a).astype(dtype()), pd.Series(b).astype(dtype())
    board = leaderboard(column_a, column_b, outcome, **kwargs)
    assert board.table["item"].tolist() == expected.table["item"].tolist()
    for column in ("rating", "lower", "upper", "comparisons", "ties"):
        np.testing.assert_allclose(
            board.table[column], expected.table[column], rtol=1e-12
        )


def test_missing_ids_in_a_categorical_column_are_refused_like_in_an_array():
    a = np.array(["x", None, "y", "x"], dtype=object)
    b = np.array(["y", "x", "x", "y"], dtype=object)
    with pytest.raises(ValueError, match="missing") as from_array:
        leaderboard(a, b)
    with pytest.raises(ValueError, match="missing") as from_categorical:
        leaderboard(pd.Series(a, dtype="category"), pd.Series(b, dtype="category"))
    assert str(from_categorical.value) == str(from_array.value)


ROW_CASES = {
    # A self-comparison behind rows that aggregation merges.
    "aggregated": (
        dict(
            item_a=["x", "y", "z", "x", "q", "z"], item_b=["y", "z", "x", "x", "x", "q"]
        ),
        "item_a and item_b are equal in 1 row(s), first at row 3 (item 'x')",
    ),
    # Zero-weight rows are dropped before the checks, but still counted.
    "zero weights": (
        dict(
            item_a=np.array(["x", "y", "z", "x", None], dtype=object),
            item_b=["y", "z", "x", "z", "x"],
            sample_weight=[0, 0, 1, 1, 1],
        ),
        "item_a has 1 missing id(s), first at row 4",
    ),
    # With B the winner, the missing id is among the winners; the argument is B's.
    "missing in item_b": (
        dict(
            item_a=["x", "y", "z", "x"],
            item_b=np.array(["y", "z", "x", None], dtype=object),
            outcome=[1.0, 1.0, 0.0, 0.0],
        ),
        "item_b has 1 missing id(s), first at row 3",
    ),
    "zero weights, self-comparison": (
        dict(
            item_a=["x", "x", "y", "z", "y"],
            item_b=["x", "y", "z", "x", "y"],
            sample_weight=[0, 1, 1, 1, 2],
        ),
        "item_a and item_b are equal in 1 row(s), first at row 4 (item 'y')",
    ),
}


@pytest.mark.filterwarnings("ignore:.*only in comparisons of weight 0")
@pytest.mark.parametrize("case", ROW_CASES)
def test_bad_id_messages_name_the_input_row_and_argument(case):
    kwargs, message = ROW_CASES[case]
    with pytest.raises(ValueError) as error:
        leaderboard(**kwargs)
    assert message in str(error.value)


def test_self_comparison_count_is_of_the_input_rows():
    # Arena-like rows, some with model_a == model_b: aggregated into a few
    # pairs, but the message counts and locates the rows the user has.
    a, b, outcome = _battles(n_items=6, n_rows=500, seed=13)
    rng = np.random.default_rng(14)
    same = rng.random(len(a)) < 0.15
    b = np.where(same, a, b)
    first = np.flatnonzero(same)[0]
    with pytest.raises(ValueError) as error:
        leaderboard(a, b, outcome)
    assert (
        f"equal in {same.sum()} row(s), first at row {first} (item '{a[first]}')"
        in str(error.value)
    )
    with pytest.raises(ValueError) as categorical:
        leaderboard(pd.Series(a, dtype="category"), pd.Series(b, dtype="category"))
    assert f"equal in {same.sum()} row(s), first at row {first}" in str(
        categorical.value
    )


def test_readme_leaderboard_example_prints_what_the_readme_shows():
    # The README's "Leaderboards in Python" example: its code block, run, must
    # print the output block that follows it (the numbers drift otherwise).
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Leaderboards in Python", 1)[1]
    code, shown = re.search(
        r"```python\n(.*?)```\n```\n(.*?)```", section, re.S
    ).groups()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    assert printed.getvalue() == shown


def test_half_win_intervals_without_an_mle_are_unbounded_as_without_ties():
    # a and b beat c and d, which never beat them back: no finite MLE.  The
    # half-win sandwich gave intervals of some 400 points here (the diverging
    # comparisons' residuals vanish); they must be as wide as without ties.
    winners, losers = list("abacdca"), list("babdcdc")
    outcome = [1, 1, 0.5, 1, 1, 0.5, 1]
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(winners, losers, outcome, ties="half")
    widths = _by_item(board, "upper")
    widths = {k: v - _by_item(board, "lower")[k] for k, v in widths.items()}
    # c and d sit below a and b at an infinite distance: unbounded.  The
    # ratings are centred on a and b, whose difference is bounded.
    assert np.isinf(widths["c"]) and np.isinf(widths["d"])
    assert 100 < widths["a"] < 1e4
    assert widths["a"] == pytest.approx(widths["b"])
    ratings = _by_item(board, "rating")
    assert ratings["a"] + ratings["b"] == pytest.approx(2000)


def test_without_an_mle_the_bounded_items_are_rated_as_if_alone():
    # "newbie" won its three battles: its MLE is infinite.  Its arbitrary
    # finite value moved every other rating (centred on all items) and widened
    # every interval; the others are now centred among themselves, and
    # newbie's interval is unbounded.
    a, b, outcome = _battles(n_items=5, n_rows=500)
    plain = leaderboard(a, b, outcome)
    a = np.append(a, ["newbie"] * 3)
    b = np.append(b, ["m00", "m01", "m02"])
    outcome = np.append(outcome, [1.0, 1.0, 1.0])
    with pytest.warns(MLEDoesNotExistWarning, match="newbie"):
        board = leaderboard(a, b, outcome)
    assert _by_item(board, "lower")["newbie"] == -np.inf
    assert _by_item(board, "upper")["newbie"] == np.inf
    others = plain.table["item"]
    for column in ("rating", "lower", "upper"):
        got = np.array([_by_item(board, column)[k] for k in others])
        # Not equal: newbie's three wins still weigh a little at the point
        # where the fit stops.
        np.testing.assert_allclose(got, plain.table[column], atol=5.0)


def test_an_unbounded_item_leaves_the_other_bootstrap_intervals_in_place():
    # "rare" has two battles, so in most resamples it only won or only lost.
    # Centring every resample on all items let its far-out refits move every
    # other rating: g4's interval was 2.6 times as wide as its Wald interval.
    rng = np.random.default_rng(1)
    strength = {"g4": 1.0, "c3": 0.0, "l2": -1.0}
    names = np.array(list(strength))
    a = rng.integers(0, 3, 300)
    b = (a + rng.integers(1, 3, 300)) % 3
    p = 1 / (
        1
        + np.exp(
            -(np.take(list(strength.values()), a) - np.take(list(strength.values()), b))
        )
    )
    won = rng.random(300) < p
    winners = np.r_[np.where(won, names[a], names[b]), ["rare", "g4"]]
    losers = np.r_[np.where(won, names[b], names[a]), ["l2", "rare"]]
    with pytest.warns(UserWarning, match="only wins or only losses"):
        boot = leaderboard(
            winners, losers, interval="bootstrap", n_bootstrap=200, random_state=0
        )
    wald = leaderboard(winners, losers)
    width = {
        board: (t["upper"] - t["lower"]).set_axis(t["item"])
        for board, t in (("boot", boot.table), ("wald", wald.table))
    }
    assert boot.bootstrap_unbounded[list(boot.table["item"]).index("rare")] > 50
    for item in strength:
        assert width["boot"][item] < 1.2 * width["wald"][item]


def test_outcome_words_as_in_chatbot_arena():
    # Arena's winner column: model_a / model_b / tie / tie (bothbad).
    a, b = list("abcab") * 3, list("bcaca") * 3
    words = ["model_a", "tie", "model_b", "tie (bothbad)", "Model_A "] * 3
    scores = [1.0, 0.5, 0.0, 0.5, 1.0] * 3
    from_words = leaderboard(a, b, np.array(words, dtype=object), ties="half")
    from_scores = leaderboard(a, b, scores, ties="half")
    pd.testing.assert_frame_equal(from_words.table, from_scores.table)
    with pytest.raises(ValueError, match=r"not outcomes: \['bogus'\].*model_a"):
        leaderboard(a[:2], b[:2], ["model_a", "bogus"])
    with pytest.raises(ValueError, match="outcome has 1 tie"):
        leaderboard(a[:2], b[:2], ["model_a", "tie"])  # ties=None


def test_win_matrix_items_without_comparisons_are_named_in_a_warning():
    W = np.array([[0, 3, 1, 0], [2, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    with pytest.warns(
        UserWarning, match=r"1 item of W without a comparison \(no win, no loss: d\)"
    ):
        board = leaderboard_from_win_matrix(W, items=list("abcd"))
    assert sorted(board.table["item"]) == ["a", "b", "c"]


def test_ids_of_different_kinds_are_refused():
    # Numbers against strings were turned into strings, silently: 1 and "1"
    # would have been one item.
    with pytest.raises(ValueError, match=r"item_a \(int64\) and item_b \(<U1\)"):
        leaderboard([1, 2, 3], ["a", "b", "c"])


def test_nan_in_a_list_of_string_ids_is_missing_not_the_string_nan():
    # np.asarray(["a", nan]) holds the string "nan": an item of that name.
    with pytest.raises(ValueError, match="item_a has 1 missing id"):
        leaderboard(["a", "b", np.nan], ["b", "a", "a"])


def test_leaderboard_warnings_point_at_the_callers_line():
    with pytest.warns(MLEDoesNotExistWarning) as record:
        leaderboard(["a", "b", "c"], ["b", "a", "a"])  # c only wins
    assert {w.filename for w in record} == {__file__}


def test_output_and_rating_helpers_refuse_what_they_cannot_handle(tmp_path):
    board = leaderboard(["a", "b", "c"], ["b", "c", "a"])
    # open(1) is stdout's file descriptor, which writing a file would close.
    with pytest.raises(TypeError, match="path_or_buf must be a path"):
        board.to_csv(1)
    with pytest.raises(ValueError, match="n must be a whole number"):
        board.head(2.5)
    with pytest.raises(ValueError, match=r"strengths must be finite; position \(0,\)"):
        elo_ratings([np.nan, 0.0])
    # Ids without a JSON type (dates) are written as text.
    dates = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"])
    rotated = dates[[1, 2, 0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = json.loads(leaderboard(dates, rotated).to_json())
    assert {row["item"] for row in document["items"]} == {str(d) for d in dates}


def test_elo_anchor_among_duplicate_labels_is_named():
    with pytest.raises(ValueError, match="'x' is item 0 and item 1"):
        elo_ratings([0.1, -0.1], items=["x", "x"], anchor="x")


def test_signs_and_numbers_written_as_text_are_outcomes_too():
    a, b, outcome = _battles(n_items=4, n_rows=300, ties=0.2)
    reference = leaderboard(a, b, outcome, ties="davidson").table
    signs = 2 * outcome - 1
    for encoded in (signs, outcome.astype(str), signs.astype(int).astype(str)):
        table = leaderboard(a, b, encoded, ties="davidson").table
        np.testing.assert_array_equal(table["rating"], reference["rating"])
    with pytest.raises(ValueError, match="or signs 1 / 0 / -1; row 1 has 2.0"):
        leaderboard(["a", "b", "c"], ["b", "c", "a"], [1, 2, 0], ties="davidson")


def test_half_win_wald_intervals_follow_cov_type_and_say_which():
    a, b, outcome = _battles(ties=0.25)
    auto = leaderboard(a, b, outcome, ties="half")
    model = leaderboard(a, b, outcome, ties="half", cov_type="model")
    assert "Wald intervals (sandwich)." in str(auto)
    assert "Wald intervals." in str(model)
    se = standard_errors(auto.model, cov_type="model")
    factor = 400 / np.log(10)
    np.testing.assert_allclose(
        np.sort(model.table["upper"] - model.table["rating"]),
        np.sort(norm.ppf(0.975) * factor * se),
        rtol=1e-9,
    )
    assert np.all(
        auto.table["upper"] - auto.table["rating"]
        < model.table["upper"] - model.table["rating"]
    )
    # A prior: the posterior's covariance, with no "(sandwich)".
    assert "(sandwich)" not in str(leaderboard(a, b, outcome, ties="half", alpha=1.0))


def test_items_with_only_zero_weight_comparisons_are_named_when_left_out():
    a, b, outcome = _battles(n_items=4, n_rows=200)
    a = np.append(a, ["late", "m00"])
    b = np.append(b, ["m01", "late"])
    outcome = np.append(outcome, [1.0, 0.0])
    weight = np.append(np.ones(200), [0.0, 0.0])
    with pytest.warns(UserWarning, match=r"1 item took part only .* \(late\)"):
        board = leaderboard(a, b, outcome, sample_weight=weight)
    assert "late" not in list(board.table["item"])


def test_b_at_home_is_the_swapped_comparison_with_a_at_home():
    rng = np.random.default_rng(3)
    a, b, outcome = _battles(n_items=5, n_rows=400, ties=0.1)
    home = rng.choice([0.0, 1.0], len(a))
    swapped = rng.random(len(a)) < 0.5  # present half the rows from B's side
    a2, b2 = np.where(swapped, b, a), np.where(swapped, a, b)
    outcome2 = np.where(swapped, 1.0 - outcome, outcome)
    home2 = np.where(swapped, -home, home)
    kwargs = {"ties": "davidson"}
    reference = leaderboard(a, b, outcome, home_a=home, **kwargs)
    board = leaderboard(a2, b2, outcome2, home_a=home2, **kwargs)
    np.testing.assert_allclose(board.table["rating"], reference.table["rating"])
    np.testing.assert_allclose(board.table["upper"], reference.table["upper"])
    assert board.home_advantage.value == pytest.approx(reference.home_advantage.value)
    with pytest.raises(ValueError, match=r"or -1 \(B played at home\)"):
        leaderboard(a, b, outcome, home_a=np.full(len(a), 2.0), **kwargs)


def test_without_an_mle_items_outside_the_largest_component_rate_at_their_limit():
    # x beat the cycle {a, b, c}, z lost to it, and the pair {p, q} never met
    # any of them: +inf, -inf and no limit (NaN).
    winners = ["a", "b", "c", "x", "c", "p", "q"]
    losers = ["b", "c", "a", "a", "z", "q", "p"]
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(winners, losers)
    rating = _by_item(board, "rating")
    assert rating["x"] == np.inf and rating["z"] == -np.inf
    assert np.isnan(rating["p"]) and np.isnan(rating["q"])
    assert np.mean([rating[k] for k in "abc"]) == pytest.approx(1000.0)
    rank = _by_item(board, "rank")
    assert rank["x"] == 1 and rank["a"] == rank["b"] == rank["c"] == 2
    assert rank["z"] == 5 and rank["p"] == rank["q"] == 6
    assert list(board.table["item"][:1]) == ["x"]
    assert all(_by_item(board, "upper")[k] == np.inf for k in "xzpq")
    assert all(_by_item(board, "lower")[k] == -np.inf for k in "xzpq")


def test_without_an_mle_the_largest_component_is_rated_as_on_its_own(
    long_tail_tournament,
):
    # Hundreds of players outside the largest strongly connected component,
    # most of whom only won or only lost.  Their comparisons say nothing
    # about the component's ratings, so the full board and the board
    # restricted to it agree.
    winners, losers = long_tail_tournament(34)
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(winners, losers)
    largest = leaderboard(winners, losers, restrict="largest")
    assert board.n_items - largest.n_items > 150
    full = board.table.set_index("item").loc[largest.table["item"]]
    for column in ("rating", "se", "lower", "upper"):
        np.testing.assert_allclose(
            full[column], largest.table[column], rtol=1e-12, err_msg=column
        )


def test_without_an_mle_a_home_advantage_is_fitted_at_the_limit(
    long_tail_tournament,
):
    # The same tournament with a home flag in the matches of the largest
    # strongly connected component, where it is fitted: ids with a feature,
    # whose limit (like that of ids alone) leaves the component as on its
    # own.  Newton on all matches took some 25 steps towards infinity, and on
    # all ATP matches 44 s.
    winners, losers = long_tail_tournament(36)
    inside = restrict_to_largest_component(winners, losers)
    flag = np.random.default_rng(36).choice([-1.0, 1.0], len(inside))
    home = np.where(inside, flag, 0.0)
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(winners, losers, home_a=home)
    largest = leaderboard(winners[inside], losers[inside], home_a=home[inside])
    assert board.n_items - largest.n_items > 150
    np.testing.assert_allclose(board.home_advantage, largest.home_advantage, rtol=1e-9)
    full = board.table.set_index("item").loc[largest.table["item"]]
    for column in ("rating", "se", "lower", "upper"):
        np.testing.assert_allclose(
            full[column], largest.table[column], rtol=1e-9, err_msg=column
        )


def test_without_an_mle_items_rated_infinite_are_ranked_as_they_beat_each_other():
    # A strict order (every component one item): a > b > c > d, and e lost
    # to a only.  All but a are rated -inf; b beat c, who beat d, so the
    # ranks follow; e, never compared with b, c or d, is placed as b is.
    winners = ["a", "b", "a", "c", "a"]
    losers = ["b", "c", "c", "d", "e"]
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(winners, losers)
    assert list(board.table["item"]) == ["a", "b", "e", "c", "d"]
    assert list(board.table["rank"]) == [1, 2, 2, 4, 5]
    assert np.all(board.table["rating"][1:] == -np.inf)
    # Above the largest component too: q beat p, who beat the cycle.
    winners = ["a", "b", "c", "p", "q"]
    losers = ["b", "c", "a", "a", "p"]
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(winners, losers)
    assert list(board.table["item"][:2]) == ["q", "p"]
    assert list(board.table["rank"]) == [1, 2, 3, 3, 3]


def test_without_an_mle_a_home_flag_only_between_components_is_not_estimated():
    # D's one match, at home, is the only one with the flag: D beat A, so
    # the flag and D's strength both only ride on a certain win.  The flag
    # is then not estimated (it was half of D's margin: +1,175 points).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        board = leaderboard(
            ["A", "B", "C", "B", "D"], ["B", "C", "A", "A", "A"], home_a=[0, 0, 0, 0, 1]
        )
    assert any("not identifiable" in str(w.message) for w in caught)
    assert board.home_advantage.value == 0.0
    assert board.home_advantage.lower == -np.inf
    assert board.home_advantage.upper == np.inf
    assert _by_item(board, "rating")["D"] == np.inf


def test_ranks_do_not_split_ratings_equal_up_to_rounding():
    ratings = np.array([1000.0, 1000.0 + 1e-10, 999.0, np.inf, np.nan])
    np.testing.assert_array_equal(_ranks(ratings), [2, 2, 4, 1, 5])


def test_without_an_mle_an_anchor_outside_the_largest_component_is_refused():
    winners, losers = ["a", "b", "c", "w", "w"], ["b", "c", "a", "a", "b"]
    with pytest.warns(MLEDoesNotExistWarning):
        with pytest.raises(ValueError, match="anchor 'w' is outside the largest"):
            leaderboard(winners, losers, anchor="w", anchor_rating=1500)
    with pytest.warns(MLEDoesNotExistWarning):
        board = leaderboard(winners, losers, anchor="a", anchor_rating=1500)
    assert _by_item(board, "rating")["a"] == 1500
    assert _by_item(board, "rating")["w"] == np.inf


def test_a_newcomer_without_a_rating_leaves_the_boards_half_win_intervals():
    # Arena-style: a newcomer with 5 wins has no finite rating; the others,
    # centred among themselves, keep their sandwich intervals (all of them
    # switched to the inverse Hessian, some 15% wider).
    a, b, outcome = _battles(n_items=6, n_rows=3000, ties=0.25)
    base = leaderboard(a, b, outcome, ties="half")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MLEDoesNotExistWarning)
        board = leaderboard(
            np.append(a, ["rocket"] * 5),
            np.append(b, ["m00"] * 5),
            np.append(outcome, [1.0] * 5),
            ties="half",
        )
    assert "Wald intervals (sandwich; the inverse Hessian for 1 item" in str(board)
    for column in ("lower", "upper"):
        got = _by_item(board, column)
        np.testing.assert_allclose(
            [got[k] for k in base.table["item"]], base.table[column], rtol=1e-6
        )
    # A newcomer compared in ties only is in every item's average: the board
    # takes the inverse Hessian, whose intervals are sound for all.
    tiny = leaderboard(
        np.append(a, ["tiny"] * 2),
        np.append(b, ["m00", "m01"]),
        np.append(outcome, [0.5, 0.5]),
        ties="half",
    )
    model_based = leaderboard(
        np.append(a, ["tiny"] * 2),
        np.append(b, ["m00", "m01"]),
        np.append(outcome, [0.5, 0.5]),
        ties="half",
        cov_type="model",
    )
    np.testing.assert_allclose(tiny.table["upper"], model_based.table["upper"])
    assert "(sandwich" not in str(tiny)


def test_bootstrap_of_two_items_gives_both_the_same_interval():
    # Resamples of two comparisons often hold one direction only: every item
    # is then unbounded, and the first one no longer stands still (width 0).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        board = leaderboard(
            ["a", "b"],
            ["b", "a"],
            interval="bootstrap",
            n_bootstrap=200,
            random_state=0,
        )
    lower, upper = _by_item(board, "lower"), _by_item(board, "upper")
    assert upper["a"] - lower["a"] > 100
    assert lower["a"] == pytest.approx(lower["b"]) and upper["a"] == pytest.approx(
        upper["b"]
    )


def test_a_home_advantage_the_sides_explain_is_said_not_identifiable():
    rng = np.random.default_rng(0)
    a, b = rng.choice(["gpt", "claude"], 200), rng.choice(["llama", "mistral"], 200)
    for interval in ("wald", "bootstrap", None):
        with pytest.warns(UserWarning, match="home advantage is not identifiable"):
            leaderboard(
                a, b, rng.integers(0, 2, 200), home_a=np.ones(200), interval=interval,
                n_bootstrap=20, random_state=0,
            )  # fmt: skip
    a2, b2, outcome = _battles(n_items=4, n_rows=300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        leaderboard(a2, b2, outcome, home_a=np.ones(len(a2)))
