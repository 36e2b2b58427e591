"""Tests of the bundled data sets and their loaders."""

import datetime
import functools
import gzip
import hashlib
import sys

import numpy as np
import pytest
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from sklearn_bt.datasets import (
    _base,
    _loaders,
    load_international_football,
    load_nfl_games,
)

pd = pytest.importorskip("pandas")

LOADERS = [load_international_football, load_nfl_games]
FILES = {load_international_football: _loaders.FOOTBALL, load_nfl_games: _loaders.NFL}
N_ROWS = {load_international_football: 49_520, load_nfl_games: 16_810}
SOURCES = {
    load_international_football: "international_football_results.csv",
    load_nfl_games: "nfl_games_1920_2020_538.csv",
}
# Columns of the frame that hold team A's and team B's names and scores.
KEYS = {
    load_international_football: ("home_team", "away_team", "home_score", "away_score"),
    load_nfl_games: ("team1", "team2", "score1", "score2"),
}


@functools.cache
def _cached(loader, as_frame=False):
    """Parsing takes a few tenths of a second: load each variant once (read only)."""
    return loader(as_frame=as_frame)


@pytest.fixture(params=LOADERS, ids=["football", "nfl"])
def loaded(request):
    loader = request.param
    return loader, _cached(loader), _cached(loader, as_frame=True)


@pytest.mark.parametrize("loader", LOADERS)
def test_bundled_file_matches_recorded_checksum(loader):
    data_file = FILES[loader]
    raw = (_base._DATA_DIR / data_file.filename).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == data_file.sha256


def test_row_counts_and_layout(loaded):
    loader, bunch, framed = loaded
    n_rows = N_ROWS[loader]
    assert bunch.data.shape == (n_rows, 4)
    assert bunch.data.dtype == object
    assert bunch.target.shape == bunch.dates.shape == (n_rows,)
    assert bunch.feature_names == ["team_a", "home_a", "team_b", "home_b"]
    assert list(bunch.target_names) == ["loss", "draw", "win"]
    assert bunch.frame is None
    assert framed.frame.shape == (n_rows, len(FILES[loader].columns))
    assert list(framed.frame.columns) == list(FILES[loader].columns)
    assert bunch.data_version == FILES[loader].version
    assert FILES[loader].version.split("@")[1] in bunch.DESCR
    assert "Licence" in bunch.DESCR
    assert f"{n_rows:,}" in bunch.DESCR


def test_target_agrees_with_scores(loaded):
    loader, bunch, framed = loaded
    a_score, b_score = (framed.frame[key].to_numpy() for key in KEYS[loader][2:])
    # Independent of the source's result column: the sign of the score difference.
    expected = (np.sign(a_score - b_score) + 1) / 2
    np.testing.assert_array_equal(bunch.target, expected)
    assert set(np.unique(bunch.target)) == {0.0, 0.5, 1.0}


def test_teams_and_home_flags(loaded):
    loader, bunch, framed = loaded
    frame = framed.frame
    team_a, team_b = KEYS[loader][:2]
    np.testing.assert_array_equal(bunch.data[:, 0], frame[team_a].to_numpy())
    np.testing.assert_array_equal(bunch.data[:, 2], frame[team_b].to_numpy())
    neutral = frame["neutral"].to_numpy()
    home_a = bunch.data[:, 1].astype(int)
    assert np.all(home_a[neutral] == 0)
    assert np.all(home_a[~neutral] == 1)
    assert np.all(bunch.data[:, 3] == 0)


def test_football_draw_and_win_fractions():
    target = _cached(load_international_football).target
    assert np.mean(target == 0.5) == pytest.approx(0.227, abs=0.005)
    assert np.mean(target == 1.0) == pytest.approx(0.490, abs=0.005)


def test_football_shootout_winners_played_the_match():
    frame = _cached(load_international_football, as_frame=True).frame
    winner = frame["shootout_winner"]
    assert winner.notna().sum() == 682
    played = winner.notna()
    in_match = (winner[played] == frame.loc[played, "home_team"]) | (
        winner[played] == frame.loc[played, "away_team"]
    )
    assert in_match.all()


def test_nfl_elo_prob1_follows_from_the_elo_columns():
    nfl = _cached(load_nfl_games, as_frame=True)
    frame = nfl.frame
    home_a = nfl.data["home_a"].to_numpy()
    # FiveThirtyEight's formula: logistic in base 10, 400 points, 65 for home.
    diff = frame["elo1"] - frame["elo2"] + 65 * home_a
    expected = 1 / (1 + 10 ** (-diff.to_numpy() / 400))
    np.testing.assert_allclose(nfl.elo_prob1, expected, rtol=1e-12)
    np.testing.assert_array_equal(nfl.elo_prob1, frame["elo_prob1"].to_numpy())
    assert np.sum(nfl.target == 0.5) == 316


@pytest.mark.parametrize(
    "loader, n_components, largest, one_sided",
    [(load_international_football, 21, 316, 18), (load_nfl_games, 31, 92, 28)],
)
def test_descr_connectivity_caveat(loader, n_components, largest, one_sided):
    # DESCR warns that the win graph is not strongly connected; check its numbers.
    bunch = _cached(loader)
    teams, codes = np.unique(bunch.data[:, [0, 2]].astype(str), return_inverse=True)
    codes = codes.reshape(-1, 2)
    a_not_lost, b_not_lost = bunch.target > 0, bunch.target < 1
    # An edge from loser to winner; a draw links both ways.
    loser = np.r_[codes[a_not_lost, 1], codes[b_not_lost, 0]]
    winner = np.r_[codes[a_not_lost, 0], codes[b_not_lost, 1]]
    graph = coo_array(
        (np.ones(loser.size), (loser, winner)), shape=(teams.size, teams.size)
    )
    n_found, labels = connected_components(graph, connection="strong")
    assert n_found == n_components
    assert np.bincount(labels).max() == largest
    descr = " ".join(bunch.DESCR.split())
    assert (
        f"has {n_components} strongly connected components (one of {largest}" in descr
    )
    # Teams that only won or only lost (a draw is both), as DESCR counts them.
    played = np.bincount(codes.ravel(), minlength=teams.size) > 0
    won = np.bincount(winner, minlength=teams.size) > 0
    lost = np.bincount(loser, minlength=teams.size) > 0
    assert np.sum(played & (won != lost)) == one_sided
    assert f"{one_sided} that only won or only lost" in descr


def test_array_and_frame_agree(loaded):
    _, bunch, framed = loaded
    assert list(framed.data.columns) == bunch.feature_names
    np.testing.assert_array_equal(framed.data.to_numpy(dtype=object), bunch.data)
    np.testing.assert_array_equal(framed.target.to_numpy(), bunch.target)
    np.testing.assert_array_equal(
        framed.frame["date"].to_numpy().astype("datetime64[D]"), bunch.dates
    )
    assert framed.data["home_a"].dtype == np.int64


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("as_frame", [False, True])
def test_return_X_y(loader, as_frame):
    X, y = loader(return_X_y=True, as_frame=as_frame, start=2000, end=2000)
    bunch = loader(as_frame=as_frame, start=2000, end=2000)
    assert type(X) is type(bunch.data)
    assert type(y) is type(bunch.target)
    np.testing.assert_array_equal(np.asarray(X), np.asarray(bunch.data))
    np.testing.assert_array_equal(np.asarray(y), np.asarray(bunch.target))


def _expected_rows(dates, first, last):
    """Number of dates in [first, last], both ISO day strings."""
    return int(np.sum((dates >= np.datetime64(first)) & (dates <= np.datetime64(last))))


@pytest.mark.parametrize(
    "start, end, first, last",
    [
        (2010, 2019, "2010-01-01", "2019-12-31"),
        ("1990-11", "1990-12", "1990-11-01", "1990-12-31"),
        ("1990-11-11", "1990-12-16", "1990-11-11", "1990-12-16"),
        (datetime.date(1990, 11, 11), "1990-12-16", "1990-11-11", "1990-12-16"),
        (None, 1925, "1800-01-01", "1925-12-31"),
        ("2020", None, "2020-01-01", "2100-01-01"),
    ],
)
def test_date_filter_is_inclusive(loaded, start, end, first, last):
    loader, bunch, _ = loaded
    subset = loader(start=start, end=end)
    n_expected = _expected_rows(bunch.dates, first, last)
    assert n_expected > 0
    assert subset.data.shape == (n_expected, 4)
    assert subset.dates.min() >= np.datetime64(first)
    assert subset.dates.max() <= np.datetime64(last)
    # The rows kept are the same rows, in the same order.
    mask = (bunch.dates >= np.datetime64(first)) & (bunch.dates <= np.datetime64(last))
    np.testing.assert_array_equal(subset.data, bunch.data[mask])
    np.testing.assert_array_equal(subset.target, bunch.target[mask])


def test_date_filter_single_day():
    # 11 games were played on Sunday 1990-12-16: both bounds are inclusive.
    nfl = load_nfl_games(start="1990-12-16", end="1990-12-16")
    assert nfl.data.shape == (11, 4)
    assert np.all(nfl.dates == np.datetime64("1990-12-16"))


def test_date_filter_frame_is_renumbered():
    framed = load_international_football(as_frame=True, start="2018-06-14", end=2018)
    assert framed.frame["date"].min() == pd.Timestamp("2018-06-14")
    assert list(framed.frame.index) == list(range(len(framed.frame)))
    assert framed.data.index.equals(framed.frame.index)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"start": "1990/06/01"}, "start='1990/06/01' is not a date"),
        ({"end": ""}, "end='' is not a date"),
        ({"end": True}, "end=True is not a date"),
        ({"start": 1990.5}, "start=1990.5 is not a date"),
        # NumPy reads eight digits as a year, and a negative year BC.
        ({"start": "20190101"}, "start='20190101' reads as the year 20190101"),
        ({"start": -5}, "start=-5 reads as the year -5"),
        ({"start": 2001, "end": 2000}, "start=2001 is after end=2000"),
        ({"start": 2100}, "No matches between start=2100"),
    ],
)
def test_bad_dates_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_international_football(**kwargs)


def test_bad_flag_raises():
    with pytest.raises(ValueError, match="as_frame"):
        load_nfl_games(as_frame="yes")


def test_corrupted_file_raises(tmp_path, monkeypatch):
    original = (_base._DATA_DIR / _loaders.NFL.filename).read_bytes()
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0xFF
    path = tmp_path / _loaders.NFL.filename
    path.write_bytes(bytes(damaged))
    with pytest.raises(OSError, match="checksum .* corrupted"):
        _base._read_columns(_loaders.NFL, path)
    # The public loader reads from the data folder: point it at the damaged copy.
    monkeypatch.setattr(_base, "_DATA_DIR", tmp_path)
    with pytest.raises(OSError, match="Reinstall"):
        load_nfl_games()


def test_works_without_pandas(monkeypatch):
    # A None entry in sys.modules makes ``import pandas`` raise ImportError.
    monkeypatch.setitem(sys.modules, "pandas", None)
    X, y = load_nfl_games(return_X_y=True, start=2020)
    assert X.shape == (280, 4)
    with pytest.raises(ImportError, match="as_frame=True requires pandas"):
        load_nfl_games(as_frame=True)


def test_parsed_columns_are_not_shared_between_calls():
    first = _base._read_columns(_loaders.NFL)
    first["team1"][:] = "XXX"
    first["elo1"][:] = -1.0
    second = _base._read_columns(_loaders.NFL)
    assert "XXX" not in set(second["team1"])
    assert np.all(second["elo1"] > 0)


def test_results_are_independent_copies():
    first = load_nfl_games(start=2020)
    first.data[:, 0] = "XXX"
    first.target[:] = -1
    first.elo_prob1[:] = -1
    first.dates[:] = np.datetime64("1900-01-01")
    second = load_nfl_games(start=2020)
    assert second.dates.min() >= np.datetime64("2020-01-01")
    assert "XXX" not in set(second.data[:, 0])
    assert np.all(second.target >= 0)
    assert np.all(second.elo_prob1 > 0)


@pytest.mark.parametrize("loader", LOADERS)
def test_bundled_copy_equals_shared_data(loader, shared_data):
    source = shared_data / SOURCES[loader]
    bundled = _base._DATA_DIR / FILES[loader].filename
    # Byte for byte: the bundled file is a lossless copy of the source CSV.
    assert gzip.decompress(bundled.read_bytes()) == source.read_bytes()
    # Row for row on the key columns, through an independent parser (pandas).
    original = pd.read_csv(source, keep_default_na=False)
    bunch = loader()
    team_a, team_b, _, _ = KEYS[loader]
    assert len(original) == N_ROWS[loader]
    np.testing.assert_array_equal(bunch.data[:, 0], original[team_a].to_numpy())
    np.testing.assert_array_equal(bunch.data[:, 2], original[team_b].to_numpy())
    np.testing.assert_array_equal(
        bunch.dates, pd.to_datetime(original["date"]).to_numpy().astype("<M8[D]")
    )
    neutral = original["neutral"].astype(bool).to_numpy()
    np.testing.assert_array_equal(bunch.data[:, 1].astype(int), (~neutral).astype(int))
    if loader is load_nfl_games:
        expected = original["result1"].to_numpy()
        np.testing.assert_array_equal(bunch.elo_prob1, original["elo_prob1"])
    else:
        expected = original["result"].map({"H": 1.0, "D": 0.5, "A": 0.0}).to_numpy()
    np.testing.assert_array_equal(bunch.target, expected)
