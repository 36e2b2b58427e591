"""Descriptions (the ``DESCR`` field) of the bundled data sets."""

FOOTBALL_DESCR = """\
.. _international_football_dataset:

International football results
------------------------------

Results of men's full international football matches, from the first official
match (Scotland - England, 1872-11-30) to 2026-07-19.

**Data set characteristics**

:Number of matches: 49,520
:Number of teams: 337
:Outcomes for the first-listed team: won 49.0 %, drawn 22.7 %, lost 28.3 %
:Neutral venues: 13,156 matches (26.6 %)
:Source: martj42/international_results on GitHub at commit 65d212a: the
    columns of ``results.csv``, plus ``result`` (derived from the scores) and
    ``shootout_winner`` (from ``shootouts.csv``)
:Licence: CC0 1.0 Universal (public domain dedication); see
    ``sklearn_bt/datasets/data/LICENSE_international_football.txt``

**Pair layout** (``data``, ``feature_names``)

- ``team_a``: the home (first-listed) team, ``home_team`` in the frame.
- ``home_a``: 1 when team A played at home, 0 at a neutral venue.
- ``team_b``: the away (second-listed) team, ``away_team`` in the frame.
- ``home_b``: always 0.

With an item feature "is at home" built from ``home_a``/``home_b``, its
coefficient is the home advantage.

**Target**: the result for team A, 1.0 (won), 0.5 (drawn) or 0.0 (lost), from
the score after extra time; ``target_names`` are ``["loss", "draw", "win"]``.

**Columns of** ``frame``

- ``date``: match date (``datetime64``).
- ``home_team``, ``away_team``: team names.
- ``home_score``, ``away_score``: goals, including extra time, not including
  penalty shoot-outs.
- ``tournament``: e.g. "Friendly" (37 % of matches), "FIFA World Cup".
- ``city``, ``country``: where the match was played.
- ``neutral``: True when neither team was at home (``bool``).
- ``result``: "H", "D" or "A" from the scores.
- ``shootout_winner``: winner of a penalty shoot-out, missing when there was none.

**Caveats**

- Scores include extra time but not shoot-outs: a match won on penalties is a
  draw here (``target == 0.5``); ``shootout_winner`` names who won the
  shoot-out (682 matches; 37 of them were not drawn, e.g. the second leg of a
  two-legged tie).
- ``home_team`` is only really at home when ``neutral`` is False; at neutral
  venues it is just the team listed first.
- Teams are named by their *current* name (a successor team keeps its
  predecessor's history), while ``country`` is the name at the time.
- Friendlies and competitive matches are mixed; team strength drifts over
  150 years, so a single strength per team fits a window of years better than
  the whole history (use ``start`` and ``end``).
- The comparison graph is not strongly connected over all years: it has 21
  strongly connected components (one of 316 teams, one of 2, and 19 single
  teams: 18 that only won or only lost, and Mapuche, whose win and loss came
  against different teams), and is not even connected (Aymara, Mapuche and
  Maule Sur only played one another, in 2022). An unpenalised maximum-likelihood
  Bradley-Terry fit does not exist on the full data; use a penalty or restrict
  to one component. Date filters change the graph.
"""

NFL_DESCR = """\
.. _nfl_games_dataset:

NFL games 1920-2020 with FiveThirtyEight's Elo forecasts
--------------------------------------------------------

Every NFL game (regular season and playoffs) from the 1920 to the 2020 season,
with FiveThirtyEight's pre-game Elo ratings and win probabilities.

**Data set characteristics**

:Number of games: 16,810 (2021-02-07 is the last; 590 are playoff games)
:Number of team codes: 123 (franchises and defunct early teams)
:Outcomes for team1: won 56.9 %, tied 1.9 % (316 games), lost 41.2 %
:Neutral venues: 92 games (55 Super Bowls and 37 regular-season games, such as
    games played abroad)
:Source: fivethirtyeight/nfl-elo-game on GitHub, file ``data/nfl_games.csv`` at
    commit fbec1af
:Licence: MIT, Copyright (c) 2018 ABC News Internet Ventures; see
    ``sklearn_bt/datasets/data/LICENSE_nfl_games.txt``

**Pair layout** (``data``, ``feature_names``)

- ``team_a``: ``team1``, the home team unless the game was at a neutral site.
- ``home_a``: 1 when team1 played at home, 0 at a neutral site.
- ``team_b``: ``team2``.
- ``home_b``: always 0.

With an item feature "is at home" built from ``home_a``/``home_b``, its
coefficient is the home advantage.

**Target**: ``result1``, the result for team1: 1.0 (won), 0.5 (tied) or 0.0
(lost); ``target_names`` are ``["loss", "draw", "win"]``.

**Baseline forecast**: ``elo_prob1`` (a Bunch field and a frame column) is
FiveThirtyEight's pre-game probability that team1 wins. In this file it equals
``1 / (1 + 10 ** (-(elo1 - elo2 + 65 * home_a) / 400))``: 65 Elo points of
home-field advantage. Each rating uses only earlier games, so compare it with
models trained on earlier games (forward chaining), not with a model fitted to
the same games.

**Columns of** ``frame``

- ``date``: game date (``datetime64``).
- ``season``: season year; playoff games in January and February belong to the
  previous year's season.
- ``neutral``, ``playoff``: ``bool`` (0/1 in the source file).
- ``team1``, ``team2``: FiveThirtyEight team codes.
- ``elo1``, ``elo2``: pre-game Elo ratings of team1 and team2.
- ``elo_prob1``: pre-game Elo probability that team1 wins.
- ``score1``, ``score2``: points, including overtime.
- ``result1``: 1, 0.5 or 0 for team1.

**Caveats**

- ``start`` and ``end`` filter by game date, not by season; to select seasons,
  filter ``frame["season"]``.
- The comparison graph is not strongly connected over all years: it has 31
  strongly connected components (one of 92 team codes, one of 2, and 29 single
  early teams: 28 that only won or only lost, and CCL, whose win came against a
  team it did not lose to). An unpenalised maximum-likelihood
  Bradley-Terry fit does not exist on the full data; use a penalty or a window
  of seasons.
- Team strength changes from season to season; one strength per team over a
  century is a poor model.
"""
