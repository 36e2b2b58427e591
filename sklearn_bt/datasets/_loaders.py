"""Loaders of the bundled real data sets, in the style of ``sklearn.datasets``."""

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from ._base import (
    _DataFile,
    _date_bounds,
    _date_mask,
    _import_pandas,
    _pair_data,
    _read_columns,
    _to_array,
    _to_frame,
)
from ._descr import FOOTBALL_DESCR, NFL_DESCR

FOOTBALL = _DataFile(
    filename="international_football_results.csv.gz",
    sha256="459c180661639c57eacc7582371d7a791936c8645f5a552c68b36afd2bcd40fb",
    version="martj42/international_results@65d212a",
    columns={
        "date": "date",
        "home_team": "str",
        "away_team": "str",
        "home_score": "int",
        "away_score": "int",
        "tournament": "str",
        "city": "str",
        "country": "str",
        "neutral": "bool",
        "result": "str",
        "shootout_winner": "str",
    },
)

NFL = _DataFile(
    filename="nfl_games_1920_2020_538.csv.gz",
    sha256="82c669b87699a2ca1d30caf2ccb74f365b9a97ec7fea3f2e83945e52fd4ad35f",
    version="fivethirtyeight/nfl-elo-game@fbec1af",
    columns={
        "date": "date",
        "season": "int",
        "neutral": "bool",
        "playoff": "bool",
        "team1": "str",
        "team2": "str",
        "elo1": "float",
        "elo2": "float",
        "elo_prob1": "float",
        "score1": "int",
        "score2": "int",
        "result1": "float",
    },
)

FEATURE_NAMES = ["team_a", "home_a", "team_b", "home_b"]
# Names of the outcomes for team A, in the order of the target values 0, 0.5, 1.
TARGET_NAMES = np.array(["loss", "draw", "win"])
_FOOTBALL_RESULT = {"H": 1.0, "D": 0.5, "A": 0.0}

_PARAMS = {
    "as_frame": ["boolean"],
    "return_X_y": ["boolean"],
    # Checked by _date_bounds, which also accepts years and partial dates.
    "start": "no_validation",
    "end": "no_validation",
}


def _make_bunch(
    columns, pair, target, *, as_frame, return_X_y, descr, version, extra=None
):
    """Assemble the loader output from already filtered columns."""
    extra = {} if extra is None else extra
    if as_frame:
        pd = _import_pandas()
        data = _to_frame(pd, pair)
        target = pd.Series(target, name="result_a")
        frame = _to_frame(pd, columns)
    else:
        data = _to_array(pair)
        frame = None
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=list(FEATURE_NAMES),
        target_names=TARGET_NAMES.copy(),
        dates=columns["date"],
        DESCR=descr,
        data_version=version,
        **extra,
    )


def _filtered(columns, start, end):
    """The rows of every column whose date lies in [start, end]."""
    mask = _date_mask(columns["date"], start, end)
    return {name: values[mask] for name, values in columns.items()}


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def load_international_football(
    *, as_frame=False, return_X_y=False, start=None, end=None
):
    """Load the results of men's international football matches, 1872-2026.

    49,520 matches between 337 national teams, with home advantage (``neutral``
    venues flagged) and draws (about 23 % of matches). Public domain (CC0 1.0),
    from martj42/international_results; see ``DESCR`` for the columns and caveats.

    =================   ==============================
    Matches             49,520
    Teams               337
    Features            4 (pair layout, see below)
    Target              1.0 won, 0.5 drawn, 0.0 lost
    =================   ==============================

    Parameters
    ----------
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series and
        ``frame`` the full table; this needs pandas. If False, ``data`` is a
        numpy object array and ``frame`` is None; pandas is not needed.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    start, end : int, str or datetime.date, default=None
        Keep only the matches played from ``start`` to ``end``, both inclusive.
        A year (``1990`` or ``"1990"``) means the whole year, ``"1990-06"`` the
        whole month, ``"1990-06-30"`` that day. None means no bound.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : {ndarray, DataFrame} of shape (n_matches, 4)
            The pair layout ``[team_a, home_a, team_b, home_b]``: team A is the
            home (first-listed) team, ``home_a`` is 1 when A played at home and 0
            at a neutral venue, team B is the away team and ``home_b`` is 0.
            The ndarray has dtype object (team names are strings).
        target : {ndarray, Series} of shape (n_matches,)
            Result for team A after extra time: 1.0 won, 0.5 drawn, 0.0 lost.
        frame : DataFrame of shape (n_matches, 11) or None
            All columns of the source file, dates parsed; only when
            ``as_frame=True``.
        feature_names : list of str
            ``['team_a', 'home_a', 'team_b', 'home_b']``.
        target_names : ndarray of shape (3,)
            ``['loss', 'draw', 'win']``, for the target values 0.0, 0.5, 1.0.
        dates : ndarray of shape (n_matches,), dtype datetime64[D]
            Match dates, in increasing order (for time-ordered splits).
        DESCR : str
            Description: source, licence, columns, caveats.
        data_version : str
            Upstream repository and commit of the data.

    (data, target) : tuple if ``return_X_y`` is True
        The ``data`` and ``target`` described above.

    Raises
    ------
    OSError
        If the bundled file does not match its recorded SHA-256 checksum.
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    See Also
    --------
    load_nfl_games : NFL games 1920-2020 with a baseline Elo forecast.

    Notes
    -----
    Scores include extra time but not penalty shoot-outs, so a match decided
    on penalties is a draw; the frame's ``shootout_winner`` names the shoot-out
    winner. The comparison graph is not strongly connected over all years, so an
    unpenalised Bradley-Terry fit on the whole history does not exist.

    Examples
    --------
    >>> from sklearn_bt.datasets import load_international_football
    >>> football = load_international_football(start=2010, end=2019)
    >>> football.data.shape
    (9787, 4)
    >>> football.feature_names
    ['team_a', 'home_a', 'team_b', 'home_b']
    >>> football.data[0]
    array(['Iran', 0, 'North Korea', 0], dtype=object)
    >>> import numpy as np
    >>> np.unique(football.target)
    array([0. , 0.5, 1. ])
    """
    # Check the arguments before the parsing work.
    _date_bounds(start, end)
    if as_frame:
        _import_pandas()
    columns = _filtered(_read_columns(FOOTBALL), start, end)
    pair = _pair_data(columns["home_team"], columns["away_team"], columns["neutral"])
    target = np.array([_FOOTBALL_RESULT[r] for r in columns["result"]])
    return _make_bunch(
        columns,
        pair,
        target,
        as_frame=as_frame,
        return_X_y=return_X_y,
        descr=FOOTBALL_DESCR,
        version=FOOTBALL.version,
    )


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def load_nfl_games(*, as_frame=False, return_X_y=False, start=None, end=None):
    """Load every NFL game of the 1920-2020 seasons, with FiveThirtyEight's Elo.

    16,810 games, with home advantage (``neutral`` sites flagged), 316 ties and
    FiveThirtyEight's pre-game Elo win probability as a baseline forecast. MIT
    licence, from fivethirtyeight/nfl-elo-game; see ``DESCR`` for the columns and
    caveats.

    =================   ==============================
    Games               16,810
    Team codes          123
    Features            4 (pair layout, see below)
    Target              1.0 won, 0.5 tied, 0.0 lost
    =================   ==============================

    Parameters
    ----------
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series and
        ``frame`` the full table; this needs pandas. If False, ``data`` is a
        numpy object array and ``frame`` is None; pandas is not needed.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    start, end : int, str or datetime.date, default=None
        Keep only the games played from ``start`` to ``end``, both inclusive.
        A year (``1990`` or ``"1990"``) means the whole calendar year,
        ``"1990-06"`` the whole month, ``"1990-06-30"`` that day. None means no
        bound. This filters by game date, not by season: playoff games of a
        season are played in January and February of the next year; to select
        seasons, use ``frame["season"]``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : {ndarray, DataFrame} of shape (n_games, 4)
            The pair layout ``[team_a, home_a, team_b, home_b]``: team A is
            ``team1`` (the home team unless the site was neutral), ``home_a`` is 1
            when team1 played at home and 0 at a neutral site, team B is
            ``team2`` and ``home_b`` is 0. The ndarray has dtype object.
        target : {ndarray, Series} of shape (n_games,)
            Result for team A: 1.0 won, 0.5 tied, 0.0 lost.
        frame : DataFrame of shape (n_games, 12) or None
            All columns of the source file, including the pre-game Elo ratings
            ``elo1``, ``elo2`` and ``elo_prob1``, dates parsed; only when
            ``as_frame=True``.
        feature_names : list of str
            ``['team_a', 'home_a', 'team_b', 'home_b']``.
        target_names : ndarray of shape (3,)
            ``['loss', 'draw', 'win']``, for the target values 0.0, 0.5, 1.0.
        elo_prob1 : ndarray of shape (n_games,)
            FiveThirtyEight's pre-game probability that team A wins: a baseline
            forecast that uses only earlier games.
        dates : ndarray of shape (n_games,), dtype datetime64[D]
            Game dates, in increasing order (for time-ordered splits).
        DESCR : str
            Description: source, licence, columns, caveats.
        data_version : str
            Upstream repository and commit of the data.

    (data, target) : tuple if ``return_X_y`` is True
        The ``data`` and ``target`` described above.

    Raises
    ------
    OSError
        If the bundled file does not match its recorded SHA-256 checksum.
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    See Also
    --------
    load_international_football : International football results since 1872.

    Examples
    --------
    >>> from sklearn_bt.datasets import load_nfl_games
    >>> nfl = load_nfl_games(start="2019-09", end="2020-02")
    >>> nfl.data.shape
    (267, 4)
    >>> nfl.data[0]
    array(['CHI', 1, 'GB', 0], dtype=object)
    >>> round(float(nfl.elo_prob1.mean()), 3)
    0.588
    """
    # Check the arguments before the parsing work.
    _date_bounds(start, end)
    if as_frame:
        _import_pandas()
    columns = _filtered(_read_columns(NFL), start, end)
    pair = _pair_data(columns["team1"], columns["team2"], columns["neutral"])
    return _make_bunch(
        columns,
        pair,
        columns["result1"].copy(),
        as_frame=as_frame,
        return_X_y=return_X_y,
        descr=NFL_DESCR,
        version=NFL.version,
        extra={"elo_prob1": columns["elo_prob1"].copy()},
    )
