"""Tests of the command line, ``python -m sklearn_bt`` (sklearn_bt/_cli.py).

A handful of cases run the command as a user does, in a subprocess (about a
second of start-up each); the rest call ``main`` directly. Numbers are checked
against a direct call of :func:`leaderboard` on the same data and, for a small
file, against choix's maximum-likelihood strengths.
"""

import io
import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_bt import MLEDoesNotExistWarning
from sklearn_bt._cli import main
from sklearn_bt._leaderboard import leaderboard

ELO = 400.0 / np.log(10.0)

# Four players: every pair met at least twice, and every player won and lost,
# so the maximum-likelihood strengths exist.
GAMES = [
    ("Ann", "Bob"), ("Ann", "Cat"), ("Ann", "Dan"), ("Bob", "Ann"),
    ("Bob", "Cat"), ("Bob", "Dan"), ("Cat", "Dan"), ("Cat", "Ann"),
    ("Dan", "Bob"), ("Ann", "Bob"), ("Bob", "Dan"), ("Cat", "Dan"),
    ("Ann", "Dan"), ("Dan", "Cat"),
]  # fmt: skip

# Matches with scores, draws, a home flag and dates.
MATCHES = """\
home_team,away_team,home_goals,away_goals,at_home,day
Lions,Tigers,2,1,1,2021-03-01
Tigers,Bears,0,0,1,2021-04-11
Bears,Wolves,3,1,true,2021-06-20
Wolves,Lions,1,1,false,2022-01-05
Lions,Bears,0,2,1,2022-02-14
Tigers,Wolves,2,0,0,2022-05-30
Bears,Lions,1,1,1,2023-03-03
Wolves,Tigers,2,1,1,2023-07-07
Lions,Wolves,3,0,1,2023-09-09
Tigers,Lions,1,2,1,2024-01-20
Bears,Tigers,1,0,0,2024-04-04
Wolves,Bears,3,2,1,2024-08-08
"""


def run(*args, cwd=None):
    """Run ``python -m sklearn_bt`` in a subprocess, as a user does."""
    return subprocess.run(
        [sys.executable, "-m", "sklearn_bt", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def call(capsys, *args):
    """Run ``main`` in this process; return (status, stdout, stderr)."""
    status = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def games_csv(tmp_path):
    path = tmp_path / "games.csv"
    path.write_text(
        "winner,loser\n" + "".join(f"{w},{lo}\n" for w, lo in GAMES),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def matches_csv(tmp_path):
    path = tmp_path / "matches.csv"
    path.write_text(MATCHES, encoding="utf-8")
    return path


@pytest.fixture
def matches():
    frame = pd.read_csv(io.StringIO(MATCHES))
    frame["outcome"] = 0.5 * (np.sign(frame.home_goals - frame.away_goals) + 1)
    frame["at_home"] = frame.at_home.astype(str).str.lower().isin(["1", "true"])
    return frame


MATCH_COLUMNS = [
    "--item-a", "home_team", "--item-b", "away_team",
    "--score-a", "home_goals", "--score-b", "away_goals",
]  # fmt: skip


def games_reference(**kwargs):
    winners, losers = zip(*GAMES, strict=True)
    return leaderboard(np.array(winners), np.array(losers), **kwargs)


def ratings(table):
    return dict(zip(table["item"], table["rating"], strict=True))


def read_csv_output(text):
    return pd.read_csv(io.StringIO(text))


# ---------------------------------------------------------------------------
# As a user runs it.
# ---------------------------------------------------------------------------


def test_winner_loser_file_matches_library_and_choix(games_csv):
    result = run(games_csv)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"{games_csv}: 14 comparisons between 4 items."
    assert lines[2].split()[:3] == ["rank", "item", "rating"]
    printed = [line.split()[:3] for line in lines[3:7]]

    # The rows are the library's, in its order, with its ratings.
    reference = games_reference().table
    assert [row[1] for row in printed] == list(reference["item"])
    assert [row[0] for row in printed] == [str(rank) for rank in reference["rank"]]
    assert [row[2] for row in printed] == [f"{r:,.1f}" for r in reference["rating"]]

    # And they are choix's maximum-likelihood strengths on the Elo scale.
    choix = pytest.importorskip("choix")
    names = sorted({name for game in GAMES for name in game})
    index = {name: i for i, name in enumerate(names)}
    theta = choix.opt_pairwise(
        len(names), [(index[w], index[lo]) for w, lo in GAMES], alpha=0.0
    )
    expected = dict(zip(names, 1000.0 + ELO * (theta - theta.mean()), strict=True))
    for _, item, rating in printed:
        assert float(rating.replace(",", "")) == pytest.approx(expected[item], abs=0.06)


def test_csv_and_json_outputs_parse_and_agree(capsys, matches_csv, matches, tmp_path):
    # Ties are modelled by Davidson's model by default; the CSV on stdout and the
    # JSON file hold the same leaderboard as the library's.
    csv_result = run(matches_csv, *MATCH_COLUMNS, "--format", "csv")
    assert csv_result.returncode == 0, csv_result.stderr
    json_path = tmp_path / "board.json"
    status, out, err = call(
        capsys, matches_csv, *MATCH_COLUMNS, "--format", "json", "--output", json_path
    )
    assert (status, out, err) == (0, "", "")

    from_csv = read_csv_output(csv_result.stdout)
    document = json.loads(json_path.read_text(encoding="utf-8"))
    from_json = pd.DataFrame(document["items"])
    pd.testing.assert_frame_equal(from_csv, from_json, check_dtype=False)

    reference = leaderboard(
        matches.home_team.to_numpy(),
        matches.away_team.to_numpy(),
        matches.outcome.to_numpy(),
        ties="davidson",
    )
    assert list(from_csv.columns) == list(reference.table.columns)
    assert list(from_csv["item"]) == list(reference.table["item"])
    for column in ("rating", "lower", "upper", "wins", "ties"):
        np.testing.assert_allclose(from_csv[column], reference.table[column], rtol=1e-9)
    nu = document["tie_parameter"]["value"]
    assert nu == pytest.approx(reference.tie_parameter.value, rel=1e-9)
    assert document["settings"]["ties"] == "davidson"


def test_bad_input_in_a_subprocess_is_one_line(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = run(empty)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("sklearn-bt: error: ")
    assert "empty" in result.stderr


def test_default_run_ranks_recent_football():
    # The README's main-job command: it must stay a matter of seconds.
    result = run()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("International football, 2016-")
    assert lines[0].split(":")[0].endswith("to 2026-07-19")
    assert "Home advantage fitted; draws by Davidson's model" in lines[0]
    assert any(line.startswith("Home advantage: ") for line in lines)
    assert lines[-1].startswith("Showing the top 20 of ")
    assert result.stderr == ""


# ---------------------------------------------------------------------------
# Direct calls of main.
# ---------------------------------------------------------------------------


def test_help_reads_well(capsys):
    status, out, _ = call(capsys, "--help")
    assert status == 0
    assert out.startswith("usage: sklearn-bt")
    for section in ("columns:", "model:", "intervals:", "rating scale:", "output:"):
        assert section in out
    assert "examples:" in out
    assert "sklearn-bt games.csv" in out


def test_default_data_window_is_ten_years_from_the_last_match(capsys):
    status, out, err = call(capsys, "--top", "3", "--interval", "none")
    assert status == 0, err
    from sklearn_bt.datasets import load_international_football

    # Ten years to the last match, 2026-07-19: from 2016-07-20 on.
    football = load_international_football(start="2016-07-20")
    data = football.data
    reference = leaderboard(
        data[:, 0],
        data[:, 2],
        football.target,
        home_a=data[:, 1].astype(bool),
        ties="davidson",
        alpha=0.1,
        interval=None,
    )
    first_line = out.splitlines()[0]
    assert f"{football.dates.min()} to {football.dates.max()}" in first_line
    assert f"{data.shape[0]:,} matches" in first_line
    rows = out.splitlines()[3:6]
    expected = reference.table.head(3)
    assert [row.split()[:3] for row in rows] == [
        [str(rank), item, f"{rating:,.1f}"]
        for rank, item, rating in zip(
            expected["rank"], expected["item"], expected["rating"], strict=True
        )
    ]
    value = reference.home_advantage.value
    assert f"Home advantage: {value:,.1f} rating points" in out


def _home_reference(matches):
    """The library's leaderboard of the matches, with home advantage."""
    return leaderboard(
        matches.home_team.to_numpy(),
        matches.away_team.to_numpy(),
        matches.outcome.to_numpy(),
        home_a=matches.at_home.to_numpy(),
        ties="davidson",
    )


def test_scores_ties_and_home_match_the_library(capsys, matches_csv, matches):
    status, out, err = call(
        capsys, matches_csv, *MATCH_COLUMNS, "--home", "at_home", "--format", "csv"
    )
    assert status == 0, err
    reference = _home_reference(matches)
    got = read_csv_output(out)
    assert list(got["item"]) == list(reference.table["item"])
    np.testing.assert_allclose(got["rating"], reference.table["rating"], rtol=1e-9)

    status, out, err = call(capsys, matches_csv, *MATCH_COLUMNS, "--home", "at_home")
    assert status == 0, err
    value = reference.home_advantage.value
    assert f"Home advantage: {value:,.1f} rating points" in out


def test_outcome_column_as_score_sign_or_words(capsys, tmp_path, matches):
    difference = matches.home_goals - matches.away_goals
    words = np.select([difference > 0, difference < 0], ["A", "B"], "tie")
    frame = pd.DataFrame(
        {
            "a": matches.home_team,
            "b": matches.away_team,
            "margin": difference,
            "result": words,
            "score": matches.outcome,
        }
    )
    path = tmp_path / "outcomes.csv"
    frame.to_csv(path, index=False)
    outputs = []
    for column in ("margin", "result", "score"):
        status, out, err = call(
            capsys, path, "--item-a", "a", "--item-b", "b", "--outcome", column,
            "--format", "csv",
        )  # fmt: skip
        assert status == 0, err
        outputs.append(read_csv_output(out))
    for other in outputs[1:]:
        pd.testing.assert_frame_equal(outputs[0], other)


def test_ties_options(capsys, matches_csv, matches):
    status, out, err = call(
        capsys, matches_csv, *MATCH_COLUMNS, "--ties", "half", "--format", "csv"
    )
    assert status == 0, err
    half = leaderboard(
        matches.home_team.to_numpy(),
        matches.away_team.to_numpy(),
        matches.outcome.to_numpy(),
        ties="half",
    ).table
    np.testing.assert_allclose(read_csv_output(out)["rating"], half["rating"])

    status, out, err = call(capsys, matches_csv, *MATCH_COLUMNS, "--ties", "drop")
    assert status == 0, err
    assert "3 ties dropped" in out
    decisive = matches[matches.outcome != 0.5]
    dropped = leaderboard(
        decisive.home_team.to_numpy(),
        decisive.away_team.to_numpy(),
        decisive.outcome.to_numpy(),
    ).table
    top = dropped.iloc[0]
    assert f"{top['rating']:,.1f}" in out


def test_rao_kupper_ties(capsys, matches_csv, matches):
    status, out, err = call(
        capsys, matches_csv, *MATCH_COLUMNS, "--ties", "rao-kupper", "--format", "csv"
    )
    assert status == 0, err
    reference = leaderboard(
        matches.home_team.to_numpy(),
        matches.away_team.to_numpy(),
        matches.outcome.to_numpy(),
        ties="rao-kupper",
    ).table
    np.testing.assert_allclose(read_csv_output(out)["rating"], reference["rating"])


def test_interval_options(capsys, games_csv):
    status, out, err = call(
        capsys, games_csv, "--interval", "bootstrap", "--n-bootstrap", "40",
        "--seed", "3", "--confidence", "0.8", "--alpha", "0.5", "--format", "csv",
    )  # fmt: skip
    assert (status, err) == (0, "")
    reference = games_reference(
        interval="bootstrap", n_bootstrap=40, random_state=3, confidence=0.8, alpha=0.5
    ).table
    got = read_csv_output(out)
    np.testing.assert_allclose(got["lower"], reference["lower"])
    np.testing.assert_allclose(got["upper"], reference["upper"])

    status, out, err = call(capsys, games_csv, "--interval", "none")
    assert status == 0, err
    assert "% interval" not in out
    assert "Wald" not in out

    status, out, err = call(
        capsys, games_csv, "--interval", "wald-randomized", "--n-probes", "50",
        "--seed", "2", "--format", "csv",
    )  # fmt: skip
    assert status == 0, err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a few teams: imprecise
        reference = games_reference(
            interval="wald-randomized", n_probes=50, random_state=2
        ).table
    got = read_csv_output(out)
    np.testing.assert_allclose(got["lower"], reference["lower"])
    assert not np.allclose(got["lower"], games_reference().table["lower"])


def test_standard_input(capsys, monkeypatch):
    text = "winner,loser\n" + "".join(f"{w},{lo}\n" for w, lo in GAMES)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    status, out, err = call(capsys, "-", "--format", "csv")
    assert status == 0, err
    got = read_csv_output(out)
    reference = games_reference().table
    np.testing.assert_allclose(got["rating"], reference["rating"])


def test_dates_weights_and_delimiter(capsys, tmp_path, matches):
    # Tab-separated, with a weight column: weight 2 counts a row twice.
    frame = matches.assign(n=1)
    frame.loc[[0, 4], "n"] = 2
    path = tmp_path / "matches.tsv"
    frame.to_csv(path, sep="\t", index=False)
    status, out, err = call(
        capsys, path, "--item-a", "home_team", "--item-b", "away_team",
        "--outcome", "outcome", "--weight", "n", "--date", "day",
        "--since", "2022", "--until", "2023-07", "--format", "csv",
    )  # fmt: skip
    assert status == 0, err
    dates = pd.to_datetime(frame.day)
    kept = frame[(dates >= "2022-01-01") & (dates <= "2023-07-31")]
    repeated = kept.loc[kept.index.repeat(kept.n)]
    reference = leaderboard(
        repeated.home_team.to_numpy(),
        repeated.away_team.to_numpy(),
        repeated.outcome.to_numpy(),
        ties="davidson",
    ).table
    got = read_csv_output(out)
    assert list(got["item"]) == list(reference["item"])
    np.testing.assert_allclose(got["rating"], reference["rating"], rtol=1e-7)


def test_scale_anchor_top_and_output_file(capsys, games_csv, tmp_path):
    output = tmp_path / "out.csv"
    status, out, err = call(
        capsys, games_csv, "--scale", "100", "--base", "2", "--anchor", "Dan",
        "--anchor-rating", "1500", "--top", "2", "--format", "csv",
        "--output", output,
    )  # fmt: skip
    assert status == 0, err
    assert out == ""
    got = read_csv_output(output.read_text(encoding="utf-8"))
    default = ratings(games_reference().table)
    # Ratings move by 100 / ln 2 per unit of strength instead of 400 / ln 10.
    expected = {
        item: 1500.0 + (rating - default["Dan"]) / ELO * 100.0 / np.log(2.0)
        for item, rating in default.items()
    }
    assert got.shape[0] == 2
    for item, rating in zip(got["item"], got["rating"], strict=True):
        assert rating == pytest.approx(expected[item], abs=1e-6)


def test_library_warning_is_one_readable_line(capsys, tmp_path):
    path = tmp_path / "unbeaten.csv"
    path.write_text("winner,loser\nA,B\nB,C\nC,B\nA,C\n", encoding="utf-8")
    with pytest.warns(MLEDoesNotExistWarning):
        # The reference fit warns too: the CLI's warning is the library's.
        leaderboard(["A", "B", "C", "A"], ["B", "C", "B", "C"])
    status, out, err = call(capsys, path)
    assert status == 0
    (line,) = err.splitlines()
    assert line.startswith("sklearn-bt: warning: The maximum-likelihood strengths")
    assert "never lost, so its strength would be +infinity: A." in line
    # The advice names the command's options, not the library's arguments.
    assert "pass --alpha > 0" in line
    assert "--restrict largest" in line

    # Restricting to the largest strongly connected component removes A.
    status, out, err = call(capsys, path, "--restrict", "largest", "--format", "csv")
    assert status == 0, err
    assert set(read_csv_output(out)["item"]) == {"B", "C"}


def test_plot_writes_a_png(capsys, games_csv, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "forest.png"
    status, _, err = call(capsys, games_csv, "--plot", path)
    assert status == 0, err
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_is_one_line(capsys, monkeypatch, games_csv, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    status, _, err = call(capsys, games_csv, "--plot", tmp_path / "x.png")
    assert status == 1
    assert err == (
        "sklearn-bt: error: --plot needs matplotlib, which is not installed: pip "
        "install matplotlib (or pip install 'sklearn-bt[plot]')\n"
    )


BAD_FILES = {
    "missing column": (
        "team,opponent\nA,B\n",
        [],
        "has no 'winner' and 'loser' columns",
    ),
    "named column missing": (
        "winner,loser\nA,B\nB,A\n",
        ["--weight", "count"],
        "column 'count' (--weight) is not in",
    ),
    "empty file": ("", [], "is empty"),
    "header only": ("winner,loser\n", [], "has a header line (winner, loser) but no"),
    "empty id": ("winner,loser\nA,B\n,B\nB,A\n", [], "empty item ids on line 3"),
    "NaN-like blank id": ("winner,loser\nA,B\nB, \n", [], "empty item ids on line 3"),
    "text weight": (
        "winner,loser,w\nA,B,1\nB,A,two\n",
        ["--weight", "w"],
        "column 'w' must hold numbers, as a weight, but has 'two' on line 3",
    ),
    "negative weight": (
        "winner,loser,w\nA,B,1\nB,A,-1\n",
        ["--weight", "w"],
        "negative weights on line 3",
    ),
    "bad outcome": (
        "item_a,item_b,outcome\nA,B,1\nB,A,maybe\n",
        [],
        "values that are not outcomes, 'maybe' on line 3",
    ),
    "fractional outcome": (
        "item_a,item_b,outcome\nA,B,1\nB,A,0.25\n",
        [],
        "outcomes other than 1, 0.5 and 0",
    ),
    "bad home": (
        "winner,loser,h\nA,B,1\nB,A,away\n",
        ["--home", "h"],
        "has 'away' on line 3",
    ),
    "bad date": (
        "winner,loser,d\nA,B,2020-01-01\nB,A,someday\n",
        ["--date", "d", "--since", "2020"],
        "must hold dates",
    ),
    "self comparison": ("winner,loser\nA,B\nA,A\n", [], "compare an item with itself"),
    "unknown anchor": (
        "winner,loser\nA,B\nB,A\n",
        ["--anchor", "Z"],
        "'Z' is not an item of the data; items are named like 'A', 'B'",
    ),
    "misspelt anchor": (
        "winner,loser\nBrazil,Chile\nChile,Brazil\n",
        ["--anchor", "Brazl"],
        "did you mean 'Brazil'?",
    ),
    "no rows in dates": (
        "winner,loser,date\nA,B,2020-01-01\nB,A,2020-02-01\n",
        ["--since", "2021"],
        "no rows of",
    ),
    "not UTF-8": (b"winner,loser\n\xff\xfe,B\n", [], "not a UTF-8 text file"),
    # pandas would silently take the first field as the index and shift the rest.
    "too many fields": ("winner,loser\nA,B,C\n", [], "more fields than the header"),
    "too few fields": ("winner,loser\nA,B\nB\n", [], "empty item ids on line 3"),
    "wrong delimiter": (
        "winner;loser\nA;B\n",
        [],
        "available columns: 'winner;loser'; is the file separated by ';'? Use "
        "--delimiter ';'",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file_is_one_error_line(capsys, tmp_path, case):
    content, options, message = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    status, out, err = call(capsys, path, *options)
    assert status == 1
    assert out == ""
    assert err.startswith("sklearn-bt: error: ")
    assert err.count("\n") == 1
    assert message in err


BAD_OPTIONS = {
    "ties": (["--ties", "sometimes"], "argument --ties: invalid choice"),
    "confidence": (["--confidence", "95"], "argument --confidence: must be in (0, 1)"),
    "alpha": (["--alpha", "-1"], "argument --alpha: must be a number >= 0"),
    "top": (["--top", "0"], "argument --top: must be at least 1"),
    "n-bootstrap": (["--n-bootstrap", "many"], "'many' is not a whole number"),
    # Refused by leaderboard(), not argparse: still named as the user typed it.
    "huge worker count": (
        ["--n-jobs", "99999999999999"],
        "argument --n-jobs: 99999999999999 is too large",
    ),
    "n-probes below 2": (
        ["FILE", "--n-probes", "1"],
        "argument --n-probes: must be at least 2, got 1",
    ),
    "n-bootstrap below 2": (
        ["FILE", "--n-bootstrap", "1"],
        "argument --n-bootstrap: must be at least 2, got 1",
    ),
    "negative seed": (
        ["FILE", "--seed", "-1", "--interval", "bootstrap"],
        "argument --seed: must be at least 0, got -1",
    ),
    "base": (["--base", "1"], "argument --base: must be a number > 1"),
    "since": (["--since", "yesterday"], "'yesterday' is not a date"),
    "unknown": (["--colour"], "unrecognized arguments: --colour"),
    "columns without file": (["--winner", "w"], "column options need a FILE"),
    "anchor rating alone": (["--anchor-rating", "1200"], "needs --anchor"),
    "both layouts": (
        ["FILE", "--winner", "w", "--item-a", "a"],
        "either --winner/--loser or --item-a/--item-b",
    ),
    "delimiter": (["FILE", "--delimiter", ";;"], "one character"),
}


@pytest.mark.parametrize("case", BAD_OPTIONS)
def test_bad_option_is_one_error_line(capsys, games_csv, case):
    options, message = BAD_OPTIONS[case]
    options = [games_csv if option == "FILE" else option for option in options]
    status, out, err = call(capsys, *options)
    assert status == 2
    assert out == ""
    assert err.startswith("sklearn-bt: error: ")
    assert err.count("\n") == 1
    assert message in err


@pytest.mark.parametrize("target", ["missing", "directory"])
def test_unreadable_file_is_one_error_line(capsys, tmp_path, target):
    path = tmp_path / "nothing.csv" if target == "missing" else tmp_path
    status, out, err = call(capsys, path)
    assert status == 1
    assert err.count("\n") == 1
    assert err.startswith(f"sklearn-bt: error: cannot read {path}: ")


def test_unwritable_output_is_one_error_line(capsys, games_csv, tmp_path):
    status, _, err = call(capsys, games_csv, "--output", tmp_path / "no" / "out.txt")
    assert status == 1
    assert err.count("\n") == 1
    assert "cannot write" in err


def test_missing_pandas_is_one_error_line(capsys, monkeypatch, games_csv):
    monkeypatch.setitem(sys.modules, "pandas", None)
    status, _, err = call(capsys, games_csv)
    assert status == 1
    assert "needs pandas, which is not installed" in err
    assert err.count("\n") == 1


def test_library_advice_names_the_command_options(capsys, tmp_path):
    # The library's messages name its Python arguments; the command's user
    # typed options.
    no_home = tmp_path / "no_home.csv"
    no_home.write_text("winner,loser,h\na,b,0\nb,a,0\n")
    status, _, err = call(capsys, no_home, "--home", "h")
    assert status == 1
    assert "Drop --home." in err and "home_a=None" not in err
    all_ties = tmp_path / "all_ties.csv"
    all_ties.write_text("a,b,outcome\nx,y,tie\ny,z,tie\nz,x,tie\n")
    status, _, err = call(capsys, all_ties, "--item-a", "a", "--item-b", "b")
    assert status == 1
    assert "use --ties half (or --ties drop)" in err


def test_signed_decimal_differences_and_duplicate_columns(capsys, tmp_path):
    differences = tmp_path / "differences.csv"
    differences.write_text("item_a,item_b,outcome\nA,B,1.5\nB,C,-2.5\nC,A,0\nA,C,2\n")
    status, out, err = call(capsys, differences, "--ties", "half")
    assert status == 0, err  # pandas' read-only array made this fail
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("winner,loser,winner \nA,B,C\nB,C,A\n")
    status, _, err = call(capsys, repeated)
    assert status == 1
    assert "two columns named 'winner'; rename one" in err


@pytest.mark.parametrize(
    "plot, message",
    [
        ("ratings.xyz", ".xyz is not an image format"),
        ("no/where.png", "does not exist"),
    ],
)
def test_a_bad_plot_path_is_refused_before_the_fit(capsys, games_csv, plot, message):
    status, out, err = call(capsys, games_csv, "--plot", plot)
    assert status == 2 and out == ""
    assert message in err


def test_the_header_tells_rows_from_weighted_comparisons(capsys, tmp_path):
    path = tmp_path / "weighted.csv"
    path.write_text("winner,loser,n\na,b,3\nb,c,2.5\nc,a,1\na,c,1\n")
    status, out, err = call(capsys, path, "--weight", "n")
    assert status == 0, err
    assert "4 rows (weights summing to 7.5) between 3 items." in out
    assert "from 7.5 comparisons" in out  # the library's headline: the weights


def test_home_column_may_say_b_played_at_home(capsys, tmp_path, matches):
    # The same matches with the teams swapped: the home team is now B (-1).
    swapped = matches.rename(
        columns={
            "home_team": "away_team",
            "away_team": "home_team",
            "home_goals": "away_goals",
            "away_goals": "home_goals",
        }
    ).assign(at_home=np.where(matches.at_home, -1, 0))
    path = tmp_path / "swapped.csv"
    swapped.to_csv(path, index=False)
    status, out, err = call(
        capsys, path, *MATCH_COLUMNS, "--home", "at_home", "--format", "csv"
    )
    assert status == 0, err
    reference = _home_reference(matches)
    got = read_csv_output(out)
    assert list(got["item"]) == list(reference.table["item"])
    np.testing.assert_allclose(got["rating"], reference.table["rating"], rtol=1e-9)
