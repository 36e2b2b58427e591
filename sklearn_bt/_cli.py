"""The ``sklearn-bt`` command: a leaderboard from a CSV file of comparisons.

``python -m sklearn_bt games.csv`` (or the ``sklearn-bt`` console script) reads
one comparison per row, fits a Bradley-Terry model with
:func:`sklearn_bt._leaderboard.leaderboard` and prints the leaderboard as a
table, CSV or JSON. Without a file it ranks the bundled international football
results of the last ten years.

Every problem with the command line or the data is reported as one line on
standard error (``sklearn-bt: error: ...``) with a non-zero exit status, and
library warnings as one ``sklearn-bt: warning: ...`` line each: a user of the
command should never see a traceback.
"""

import argparse
import datetime
import difflib
import math
import os
import re
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._words import plural

PROG = "sklearn-bt"

# Exit statuses: 1 for bad data or a failed fit, 2 for a bad command line (as
# argparse does), 130 when interrupted (the shell's convention for SIGINT).
_EXIT_DATA, _EXIT_USAGE, _EXIT_INTERRUPT = 1, 2, 130

# The bundled data ranked when no file is given, and its window.
_DEFAULT_YEARS = 10
_DEFAULT_TOP = 20
# A weak prior for the bundled data: a standard deviation of 1 / sqrt(0.1), about
# 550 rating points, barely moves teams with a hundred matches but keeps a team
# with a handful of matches against minnows from the top of the table.
_DEFAULT_ALPHA = 0.1

# How many offending values or lines an error message quotes.
_MAX_QUOTED = 5

# Spellings of a Boolean "A is at home" column.
_TRUE = {"1", "1.0", "true", "t", "yes", "y"}
_FALSE = {"0", "0.0", "false", "f", "no", "n"}

_DESCRIPTION = """\
Rank items from pairwise comparisons with a Bradley-Terry model and print a
leaderboard: Elo-scale ratings with confidence intervals, ranks and records.

FILE is a CSV file with one comparison per row: either a winner and a loser
column (the default: columns named "winner" and "loser"), or the two items and
an outcome for the first (--item-a, --item-b and --outcome, or --score-a and
--score-b). Use - to read standard input. Without FILE, the bundled
international football results of the last ten years are ranked, with home
advantage and draws modelled."""

_EPILOG = """\
examples:
  sklearn-bt
      rank national football teams over the ten years to the data's last match
  sklearn-bt games.csv
      a file with "winner" and "loser" columns
  sklearn-bt matches.csv --item-a home --item-b away --score-a hg --score-b ag \\
      --home is_home --ties davidson
      scores decide each match; draws modelled; home advantage fitted
  sklearn-bt battles.csv --item-a model_a --item-b model_b --outcome winner \\
      --interval bootstrap --seed 0 --anchor gpt-4 --anchor-rating 1200
      an LLM arena: outcome A / B / tie, bootstrap intervals, anchored scale
  sklearn-bt games.csv --format csv --output ratings.csv --plot ratings.png

outcomes (--outcome): 1 / 0.5 / 0 (A won / tie / B won), a signed score
difference (positive: A won), or the words A / B / tie (also win / loss / draw,
model_a / model_b). Ratings are on the Elo scale: a difference of --scale points
multiplies the odds of winning by --base."""


class CommandError(Exception):
    """A problem the user can fix, reported as one line on standard error.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    exit_code : int, default=1
        The exit status: 1 for bad data, 2 for a bad command line.
    """

    def __init__(self, message, exit_code=_EXIT_DATA):
        super().__init__(message)
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports errors in one line, without the usage."""

    def error(self, message):
        raise CommandError(f"{message} (see {PROG} --help)", exit_code=_EXIT_USAGE)


# ---------------------------------------------------------------------------
# Option types: each raises ArgumentTypeError, which argparse turns into
# "argument --name: <message>".
# ---------------------------------------------------------------------------


def _number(text, *, low=-math.inf, high=math.inf, closed=(True, True), what=""):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    above = value >= low if closed[0] else value > low
    below = value <= high if closed[1] else value < high
    if not (math.isfinite(value) and above and below):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
    return value


def _non_negative(text):
    return _number(text, low=0.0, what="a number >= 0")


def _positive(text):
    return _number(text, low=0.0, closed=(False, True), what="a number > 0")


def _finite(text):
    return _number(text, what="a finite number")


def _base(text):
    return _number(text, low=1.0, closed=(False, True), what="a number > 1")


def _probability(text):
    return _number(text, low=0.0, high=1.0, closed=(False, False), what="in (0, 1)")


# Above this, counts and worker numbers are typing mistakes (and overflow C
# longs downstream).
_LARGEST_WHOLE_NUMBER = 2**31 - 1


def _whole_number(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if abs(value) > _LARGEST_WHOLE_NUMBER:
        raise argparse.ArgumentTypeError(
            f"{text} is too large (at most {_LARGEST_WHOLE_NUMBER:,})"
        )
    return value


def _at_least(minimum):
    """An argparse type: a whole number >= ``minimum``."""

    def whole_number_at_least(text):
        value = _whole_number(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return whole_number_at_least


_count = _at_least(1)
_resamples = _at_least(2)  # intervals need two resamples (and the probes two)
# numpy's seeds are non-negative; its own message names no option.
_seed = _at_least(0)


def _n_jobs(text):
    value = _whole_number(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (-1 means all processors)")
    return value


def _date(text):
    """A date bound of any precision: 2020, 2020-06 or 2020-06-30."""
    try:
        value = np.datetime64(text.strip())
    except ValueError:
        value = np.datetime64("NaT")
    if np.isnat(value):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; use a year (2020), a month (2020-06) or a "
            "day (2020-06-30)"
        )
    return value


def _build_parser():
    parser = _Parser(
        prog=PROG,
        usage="%(prog)s [FILE] [options]",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="CSV file of comparisons (- for standard input); default: the "
        "bundled international football results of the last ten years",
    )

    columns = parser.add_argument_group(
        "columns", "Which columns of FILE hold what (names from its header line)."
    )
    columns.add_argument("--winner", metavar="COL", help='winner (default "winner")')
    columns.add_argument("--loser", metavar="COL", help='loser (default "loser")')
    columns.add_argument("--item-a", metavar="COL", help="first item of each row")
    columns.add_argument("--item-b", metavar="COL", help="second item of each row")
    columns.add_argument(
        "--outcome",
        metavar="COL",
        help="result for item A: 1 / 0.5 / 0, a signed score difference, or A / B "
        '/ tie (default "outcome" with --item-a/--item-b)',
    )
    columns.add_argument("--score-a", metavar="COL", help="score of item A")
    columns.add_argument(
        "--score-b", metavar="COL", help="score of item B (the higher score wins)"
    )
    columns.add_argument(
        "--weight", metavar="COL", help="count or weight of each row (>= 0)"
    )
    columns.add_argument(
        "--home",
        metavar="COL",
        help="1/0 or true/false: item A (the winner, with --winner) played at "
        "home (-1: item B did); fits a home advantage",
    )
    columns.add_argument(
        "--date",
        metavar="COL",
        help='date of each row, for --since/--until (default "date")',
    )
    columns.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="field separator (default: tab for .tsv files, else comma)",
    )

    selection = parser.add_argument_group("which rows")
    selection.add_argument(
        "--since",
        type=_date,
        metavar="DATE",
        help="keep rows on or after DATE (2020, 2020-06 or 2020-06-30)",
    )
    selection.add_argument(
        "--until", type=_date, metavar="DATE", help="keep rows up to DATE, included"
    )
    model = parser.add_argument_group("model")
    model.add_argument(
        "--ties",
        choices=["davidson", "rao-kupper", "half", "drop"],
        help="how to treat ties: Davidson's or Rao and Kupper's tie model, half a "
        "win each, or drop them (default: davidson when the data have ties)",
    )

    model.add_argument(
        "--alpha",
        type=_non_negative,
        metavar="X",
        help="L2 penalty on the strengths; > 0 gives finite ratings when an item "
        "never lost or never won (default 0: maximum likelihood; 0.1 for the "
        "bundled data)",
    )
    model.add_argument(
        "--restrict",
        choices=["none", "largest"],
        default=None,
        help="rank only the largest strongly connected component of the "
        "comparison graph, where maximum likelihood exists (default: none)",
    )

    intervals = parser.add_argument_group("intervals")
    intervals.add_argument(
        "--interval",
        choices=["wald", "wald-randomized", "bootstrap", "none"],
        default="wald",
        help="confidence intervals: from the Fisher information (default), the "
        "same with variances estimated from random probes (for tens of "
        "thousands of items), by bootstrap, or none",
    )
    intervals.add_argument(
        "--confidence",
        type=_probability,
        default=0.95,
        metavar="LEVEL",
        help="confidence level of the intervals (default 0.95)",
    )
    intervals.add_argument(
        "--n-bootstrap",
        type=_resamples,
        default=1000,
        metavar="N",
        help="bootstrap resamples (default 1000)",
    )
    intervals.add_argument(
        "--n-probes",
        type=_resamples,
        default=32,
        metavar="N",
        help="random probes of --interval wald-randomized (default 32)",
    )
    intervals.add_argument(
        "--seed",
        type=_seed,
        metavar="INT",
        help="random seed of the bootstrap or of the probes",
    )
    intervals.add_argument(
        "--n-jobs",
        type=_n_jobs,
        metavar="N",
        help="parallel bootstrap jobs (-1: all processors)",
    )

    scale = parser.add_argument_group(
        "rating scale",
        "rating = offset + scale * log_base(strength): a difference of SCALE\n"
        "points multiplies the odds of winning by BASE.",
    )
    scale.add_argument(
        "--scale", type=_positive, default=400.0, metavar="SCALE", help="default 400"
    )
    scale.add_argument(
        "--base", type=_base, default=10.0, metavar="BASE", help="default 10"
    )
    scale.add_argument(
        "--offset",
        type=_finite,
        metavar="RATING",
        default=1000.0,
        help="mean rating (default 1000)",
    )
    scale.add_argument(
        "--anchor", metavar="ITEM", help="give this item --anchor-rating instead"
    )
    scale.add_argument(
        "--anchor-rating",
        type=_finite,
        metavar="R",
        help="rating of the --anchor item (default: --offset)",
    )

    output = parser.add_argument_group("output")
    output.add_argument(
        "--top",
        type=_count,
        metavar="N",
        help="show the best N items (default: all; 20 for the bundled data)",
    )
    output.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="table for reading (default), csv or json for programs",
    )
    output.add_argument(
        "--output", "-o", metavar="FILE", help="write here instead of standard output"
    )
    output.add_argument(
        "--plot",
        metavar="PNG",
        help="also save a forest plot of the ratings (needs matplotlib)",
    )
    return parser


# ---------------------------------------------------------------------------
# Comparisons: from the bundled data or from a file.
# ---------------------------------------------------------------------------


@dataclass
class _Comparisons:
    """The comparisons to rank, ready for :func:`leaderboard`.

    ``outcome`` is None for winner/loser data (item A always won), else 1 / 0.5 /
    0 for each row; ``home`` is None without a home column.
    """

    item_a: np.ndarray
    item_b: np.ndarray
    outcome: np.ndarray | None
    weight: np.ndarray | None
    home: np.ndarray | None
    source: str
    noun: str = "comparisons"
    item_noun: str = "items"
    tie_noun: str = "ties"
    notes: list = field(default_factory=list)

    @property
    def n_ties(self):
        if self.outcome is None:
            return 0
        return int(np.sum(self.outcome == 0.5))

    def drop(self, keep):
        """Keep only the rows where ``keep`` is True."""
        self.item_a, self.item_b = self.item_a[keep], self.item_b[keep]
        for name in ("outcome", "weight", "home"):
            values = getattr(self, name)
            if values is not None:
                setattr(self, name, values[keep])


def _default_comparisons(args):
    """The bundled international football results, the last ten years by default."""
    from .datasets import load_international_football

    football = load_international_football()
    dates = football.dates
    if args.since is None and args.until is None:
        # Ten years back from the last match in the data, not from today, so that
        # the same version of the package always prints the same leaderboard.
        keep = dates > _years_before(dates.max(), _DEFAULT_YEARS)
    else:
        keep = _date_mask(dates, args.since, args.until, "the bundled data")
    data, target = football.data[keep], football.target[keep]
    kept = dates[keep]
    source = f"International football, {kept.min()} to {kept.max()}"
    return _Comparisons(
        item_a=data[:, 0],
        item_b=data[:, 2],
        outcome=target.astype(float),
        weight=None,
        home=data[:, 1].astype(bool),
        source=source,
        noun="matches",
        item_noun="teams",
        tie_noun="draws",
    )


def _years_before(day, years):
    """The same calendar day ``years`` years before ``day`` (28 Feb for 29 Feb)."""
    day = day.astype(datetime.date)
    try:
        earlier = day.replace(year=day.year - years)
    except ValueError:
        earlier = day.replace(year=day.year - years, day=28)
    return np.datetime64(earlier, "D")


def _date_mask(dates, since, until, where):
    """Rows dated from ``since`` to ``until``, both inclusive at their precision."""
    keep = np.ones(dates.shape, dtype=bool)
    if since is not None:
        keep &= dates >= since
    if until is not None:
        # One unit of the bound's own precision past it: --until 2020 keeps 2020.
        keep &= dates < until + 1
    if not keep.any():
        bounds = " and ".join(
            f"{flag} {bound}"
            for flag, bound in (("--since", since), ("--until", until))
            if bound is not None
        )
        raise CommandError(
            f"no rows of {where} are left with {bounds}: its dates run from "
            f"{dates.min().astype('datetime64[D]')} to "
            f"{dates.max().astype('datetime64[D]')}"
        )
    return keep


def _import_pandas():
    try:
        import pandas as pd
    except ImportError:
        raise CommandError(
            "reading a CSV file needs pandas, which is not installed: pip install "
            "pandas (or pip install 'sklearn-bt[pandas]')"
        ) from None
    return pd


def _read_csv(path, delimiter):
    """Read a CSV file as text columns, one row per non-blank line."""
    pd = _import_pandas()
    if delimiter is None:
        delimiter = "\t" if str(path).lower().endswith(".tsv") else ","
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if len(delimiter) != 1:
        raise CommandError(
            f"--delimiter must be one character, got {delimiter!r}",
            exit_code=_EXIT_USAGE,
        )
    name = "standard input" if path == "-" else path
    try:
        with warnings.catch_warnings():
            # A row with more fields than the header would lose data: an error.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = _read_text_columns(
                pd, sys.stdin if path == "-" else path, delimiter
            )
    except FileNotFoundError:
        raise CommandError(f"cannot read {name}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"cannot read {name}: it is a directory") from None
    except PermissionError:
        raise CommandError(f"cannot read {name}: permission denied") from None
    except UnicodeDecodeError:
        raise CommandError(f"cannot read {name}: it is not a UTF-8 text file") from None
    except pd.errors.EmptyDataError:
        raise CommandError(
            f"{name} is empty: expected a header line of column names, then one "
            "comparison per line"
        ) from None
    except pd.errors.ParserWarning:
        raise CommandError(
            f"cannot parse {name} as CSV: a row has more fields than the header "
            "line; check the --delimiter, or quote fields that contain it"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise CommandError(f"cannot parse {name} as CSV: {_one_line(exc)}") from None
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    _refuse_duplicate_columns(frame.columns, name)
    frame = frame.apply(lambda column: column.str.strip())
    frame = frame.replace("", np.nan)
    frame = frame.dropna(how="all")
    if frame.shape[0] == 0:
        raise CommandError(
            f"{name} has a header line ({', '.join(frame.columns)}) but no rows"
        )
    return frame, name


def _refuse_duplicate_columns(columns, name):
    """One column per name: pandas renames a repeated one 'x.1', and names
    that differ only by spaces are equal once stripped."""
    seen = set(columns)
    for column in columns:
        base, _, suffix = column.rpartition(".")
        repeated = column if list(columns).count(column) > 1 else None
        if repeated is None and suffix.isdigit() and base in seen:
            repeated = base
        if repeated is not None:
            raise CommandError(
                f"{name} has two columns named {repeated!r}; rename one of them"
            )


def _read_text_columns(pd, source, delimiter):
    return pd.read_csv(
        source,
        sep=delimiter,
        # Text, so that ids such as 007 keep their spelling; only empty fields
        # are missing (the defaults would read the team "NA" as missing).
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        # Never take the first column as the index when rows are longer than
        # the header (pandas' default): that would shift every column.
        index_col=False,
        # Keep blank lines so that row i is line i + 2 of the file in messages;
        # they are dropped after reading.
        skip_blank_lines=False,
        skipinitialspace=True,
    )


def _resolve_columns(args, columns, name):
    """Decide the file's layout and check that every named column exists.

    Returns
    -------
    layout : dict
        Option name (``winner``, ``loser``, ``item_a``, ``item_b``, ``outcome``,
        ``score_a``, ``score_b``, ``weight``, ``home``, ``date``) to column name,
        for the options in use.
    """
    pair_options = ("item_a", "item_b", "outcome", "score_a", "score_b")
    uses_pairs = any(getattr(args, option) for option in pair_options)
    uses_winner = args.winner or args.loser
    if uses_pairs and uses_winner:
        raise CommandError(
            "give either --winner/--loser or --item-a/--item-b with an outcome, not "
            "both",
            exit_code=_EXIT_USAGE,
        )
    present = set(columns)
    if not uses_pairs and not uses_winner:
        # Guess the layout from the header: winner/loser, else item_a/item_b.
        if {"winner", "loser"} <= present or not {"item_a", "item_b"} <= present:
            uses_winner = True
    if uses_winner:
        layout = {"winner": args.winner or "winner", "loser": args.loser or "loser"}
        if not set(layout.values()) <= present and not (args.winner or args.loser):
            raise CommandError(
                f"{name} has no 'winner' and 'loser' columns; name the columns with "
                "--winner and --loser, or with --item-a, --item-b and --outcome "
                f"({_available(columns)})"
            )
    else:
        layout = {"item_a": args.item_a or "item_a", "item_b": args.item_b or "item_b"}
        if args.score_a or args.score_b:
            if not (args.score_a and args.score_b) or args.outcome:
                raise CommandError(
                    "give both --score-a and --score-b, or --outcome alone",
                    exit_code=_EXIT_USAGE,
                )
            layout.update(score_a=args.score_a, score_b=args.score_b)
        elif args.outcome or "outcome" in present:
            layout["outcome"] = args.outcome or "outcome"
        else:
            raise CommandError(
                f"{name} has no 'outcome' column; name the result column with "
                "--outcome, or the score columns with --score-a and --score-b "
                f"({_available(columns)})"
            )
    for option in ("weight", "home", "date"):
        if getattr(args, option):
            layout[option] = getattr(args, option)
    if (args.since is not None or args.until is not None) and "date" not in layout:
        if "date" not in present:
            raise CommandError(
                f"--since and --until need a date column: name it with --date "
                f"({_available(columns)})",
                exit_code=_EXIT_USAGE,
            )
        layout["date"] = "date"
    for option, column in layout.items():
        if column not in present:
            flag = "--" + option.replace("_", "-")
            raise CommandError(
                f"column {column!r} ({flag}) is not in {name}; {_available(columns)}"
            )
    return layout


def _file_comparisons(args):
    """Read, check and convert the comparisons of the user's file."""
    frame, name = _read_csv(args.file, args.delimiter)
    layout = _resolve_columns(args, list(frame.columns), name)
    notes = []
    if "date" in layout:
        dates = _parse_dates(frame[layout["date"]], layout["date"])
        keep = _date_mask(dates, args.since, args.until, name)
        if not keep.all():
            n_out = int(np.sum(~keep))
            notes.append(f"{plural(n_out, 'row')} outside the dates left out")
        frame = frame[keep]
    if "winner" in layout:
        item_a = _ids(frame[layout["winner"]], layout["winner"])
        item_b = _ids(frame[layout["loser"]], layout["loser"])
        outcome = None
    else:
        item_a = _ids(frame[layout["item_a"]], layout["item_a"])
        item_b = _ids(frame[layout["item_b"]], layout["item_b"])
        if "outcome" in layout:
            outcome = _parse_outcome(frame[layout["outcome"]], layout["outcome"])
        else:
            score_a = _numbers(frame[layout["score_a"]], layout["score_a"], "a score")
            score_b = _numbers(frame[layout["score_b"]], layout["score_b"], "a score")
            outcome = 0.5 * (np.sign(score_a - score_b) + 1.0)
    same = item_a == item_b
    if same.any():
        raise CommandError(
            f"{_rows(frame.index[same])} compare an item with itself "
            f"({_quote(item_a[same][0])}); remove these rows"
        )
    weight = None
    if "weight" in layout:
        weight = _numbers(frame[layout["weight"]], layout["weight"], "a weight")
        negative = weight < 0
        if negative.any():
            raise CommandError(
                f"column {layout['weight']!r} has negative weights on "
                f"{_rows(frame.index[negative])}; weights are counts, >= 0"
            )
    home = (
        _parse_home(frame[layout["home"]], layout["home"]) if "home" in layout else None
    )
    return _Comparisons(
        item_a=item_a,
        item_b=item_b,
        outcome=outcome,
        weight=weight,
        home=home,
        source=name,
        notes=notes,
    )


def _ids(column, name):
    """Item ids as an object array of str; empty or missing ids are an error."""
    missing = column.isna().to_numpy()
    if missing.any():
        raise CommandError(
            f"column {name!r} has empty item ids on {_rows(column.index[missing])}; "
            "fill them in or remove those rows"
        )
    return column.to_numpy(dtype=object)


def _numbers(column, name, what):
    """A numeric column; any field that is not a finite number is an error."""
    pd = _import_pandas()
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        examples = _quote_all(column[bad].fillna("").unique()[:_MAX_QUOTED])
        raise CommandError(
            f"column {name!r} must hold numbers, as {what}, but has {examples} on "
            f"{_rows(column.index[bad])}"
        )
    return values


def _parse_outcome(column, name):
    """Outcome for item A as 1 / 0.5 / 0, from scores, signs or words."""
    pd = _import_pandas()
    # A copy: pandas may hand back a read-only view, and signs are set below.
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, copy=True)
    from ._outcomes import OUTCOME_WORDS  # the library loads only when needed

    words = column.str.strip().str.lower().map(OUTCOME_WORDS).to_numpy(dtype=float)
    is_number = np.isfinite(numbers)
    bad = ~is_number & np.isnan(words)
    if bad.any():
        examples = _quote_all(column[bad].fillna("").unique()[:_MAX_QUOTED])
        raise CommandError(
            f"column {name!r} has values that are not outcomes, {examples} on "
            f"{_rows(column.index[bad])}; use 1 / 0.5 / 0 (A won / tie / B won), a "
            "signed score difference, or A / B / tie"
        )
    if np.any(numbers[is_number] < 0):
        # A score difference: only its sign matters.
        numbers[is_number] = 0.5 * (np.sign(numbers[is_number]) + 1.0)
    odd = is_number & ~np.isin(numbers, [0.0, 0.5, 1.0])
    if odd.any():
        examples = _quote_all(column[odd].unique()[:_MAX_QUOTED])
        raise CommandError(
            f"column {name!r} has outcomes other than 1, 0.5 and 0, {examples} on "
            f"{_rows(column.index[odd])}; a score difference must have negative "
            "values where B won, and scores go in --score-a and --score-b"
        )
    return np.where(is_number, numbers, words)


def _parse_home(column, name):
    """Which side played at home: 1 (A), 0 (neutral) or -1 (B), from 1/0/-1,
    true/false or yes/no."""
    text = column.str.lower().str.strip()
    is_true, is_false = text.isin(_TRUE).to_numpy(), text.isin(_FALSE).to_numpy()
    is_b = text.isin(["-1", "-1.0"]).to_numpy()
    bad = ~(is_true | is_false | is_b)
    if bad.any():
        examples = _quote_all(column[bad].fillna("").unique()[:_MAX_QUOTED])
        raise CommandError(
            f"column {name!r} must say whether item A played at home with 1/0 or "
            f"true/false (or -1 where item B did), but has {examples} on "
            f"{_rows(column.index[bad])}"
        )
    return np.where(is_true, 1.0, np.where(is_b, -1.0, 0.0))


def _parse_dates(column, name):
    pd = _import_pandas()
    with warnings.catch_warnings():
        # pandas warns when it guesses a date format; a bad guess shows up as NaT.
        warnings.simplefilter("ignore", UserWarning)
        dates = pd.to_datetime(column, errors="coerce")
    bad = dates.isna().to_numpy()
    if bad.any():
        examples = _quote_all(column[bad].fillna("").unique()[:_MAX_QUOTED])
        raise CommandError(
            f"column {name!r} must hold dates such as 2020-06-30, but has "
            f"{examples} on {_rows(column.index[bad])}"
        )
    return dates.to_numpy(dtype="datetime64[ns]")


# ---------------------------------------------------------------------------
# Fitting.
# ---------------------------------------------------------------------------


def _leaderboard_function():
    # Imported when needed: it brings pandas, which --help does not need.
    from ._leaderboard import leaderboard

    return leaderboard


def _tie_choice(args, comparisons):
    """The ``ties`` argument for the fit, and the words that describe it.

    By default ties are modelled with Davidson's model when the data have any;
    ``--ties drop`` removes them; without ties in the data there is nothing to
    choose.
    """
    n_ties = comparisons.n_ties
    if n_ties == 0:
        return None, None
    if args.ties == "drop":
        comparisons.drop(comparisons.outcome != 0.5)
        if comparisons.item_a.shape[0] == 0:
            raise CommandError(
                "every comparison is a tie: nothing is left after --ties drop"
            )
        return None, f"{n_ties:,} {comparisons.tie_noun} dropped"
    if args.ties == "half":
        return "half", f"{comparisons.tie_noun} count half a win each"
    if args.ties == "rao-kupper":
        return "rao-kupper", f"{comparisons.tie_noun} by Rao and Kupper's model"
    return "davidson", f"{comparisons.tie_noun} by Davidson's model"


# The option that sets each parameter of leaderboard(), to name it in messages.
_OPTION_OF_PARAMETER = {
    "sample_weight": "--weight",
    "home_a": "--home",
    "alpha": "--alpha",
    "ties": "--ties",
    "interval": "--interval",
    "confidence": "--confidence",
    "n_bootstrap": "--n-bootstrap",
    "n_probes": "--n-probes",
    "scale": "--scale",
    "base": "--base",
    "offset": "--offset",
    "anchor": "--anchor",
    "anchor_rating": "--anchor-rating",
    "restrict": "--restrict",
    "random_state": "--seed",
    "n_jobs": "--n-jobs",
}


def _fit(args, comparisons, restrict):
    """Fit the leaderboard; return it with the library's warnings and notes."""
    leaderboard = _leaderboard_function()
    ties, tie_words = _tie_choice(args, comparisons)
    kwargs = dict(
        sample_weight=comparisons.weight,
        home_a=comparisons.home,
        alpha=args.alpha,
        interval=None if args.interval == "none" else args.interval,
        confidence=args.confidence,
        n_bootstrap=args.n_bootstrap,
        n_probes=args.n_probes,
        scale=args.scale,
        base=args.base,
        offset=args.offset,
        anchor=args.anchor,
        anchor_rating=args.anchor_rating,
        restrict=restrict,
        random_state=args.seed,
        n_jobs=args.n_jobs,
    )
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        # What the user can act on: the library's warnings (UserWarning and its
        # subclasses, such as MLEDoesNotExistWarning) and numerical trouble;
        # deprecations are for programmers, not for users of the command.
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", UserWarning)
        warnings.simplefilter("always", RuntimeWarning)
        try:
            board = leaderboard(
                comparisons.item_a,
                comparisons.item_b,
                comparisons.outcome,
                ties=ties,
                **kwargs,
            )
        except ValueError as exc:
            _raise_as_option_error(exc)
            raise
    if tie_words:
        notes.insert(0, tie_words)
    return board, _warning_lines(caught), notes


# scikit-learn's message for a parameter out of its range (validate_params).
_PARAMETER_MESSAGE = re.compile(r"The '(\w+)' parameter of \w+ (must be .*)", re.S)


def _raise_as_option_error(exc):
    """Say which option holds a value the library refuses, as argparse would.

    The options check what they can when they are parsed; a value the library
    refuses all the same (--n-bootstrap 1: it needs two resamples) must not be
    reported under its Python parameter name, which the user never typed.
    """
    match = _PARAMETER_MESSAGE.match(str(exc))
    if match is None or match[1] not in _OPTION_OF_PARAMETER:
        return
    option = _OPTION_OF_PARAMETER[match[1]]
    requirement = match[2].rstrip(".").replace(". Got ", ", got ")
    raise CommandError(
        f"argument {option}: {requirement} (see {PROG} --help)",
        exit_code=_EXIT_USAGE,
    ) from None


# The library's advice names its Python arguments; the command's user needs the
# options that set them.
_OPTION_WORDS = {
    "pass alpha > 0": "pass --alpha > 0",
    "set alpha > 0": "set --alpha > 0",
    "Set alpha > 0": "Set --alpha > 0",
    "restrict the data to the largest strongly connected component": (
        "restrict the data to the largest strongly connected component "
        "(--restrict largest)"
    ),
    "restrict='largest'": "--restrict largest",
    "Fit ties=": "Use ties=",
    "Leave home_a=None": "Drop --home",
    "fit a model without ties": "use --ties half (or --ties drop)",
}
# ... and any ties='<model>' is --ties <model>.
_TIES_ARGUMENT = re.compile(r"ties='([\w-]+)'")


def _in_option_words(message):
    """The library's message with its Python arguments as the command's options."""
    for words, option in _OPTION_WORDS.items():
        message = message.replace(words, option)
    return _TIES_ARGUMENT.sub(r"--ties \1", message)


def _warning_lines(caught):
    """One line per distinct warning, in the order they were raised."""
    lines = []
    for record in caught:
        line = _in_option_words(_one_line(record.message))
        if line not in lines:
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------
# Output.
# ---------------------------------------------------------------------------


def _header(comparisons, board, notes):
    """The line above the library's table: the data, and what the fit did with it.

    The library's own headline, printed next, gives the scale, the intervals and
    the tie model; this line says where the comparisons came from and what the
    command chose for the user.
    """
    n_items = np.unique(
        np.concatenate([comparisons.item_a, comparisons.item_b]).astype(str)
    ).shape[0]
    n_rows = comparisons.item_a.shape[0]
    counted = f"{n_rows:,} {comparisons.noun}"
    if comparisons.weight is not None:
        # The library's headline counts the weights: say which is which.
        total = float(comparisons.weight.sum())
        counted = f"{plural(n_rows, 'row')} (weights summing to {total:,.6g})"
    line = (
        f"{comparisons.source}: {counted} between {n_items:,} {comparisons.item_noun}."
    )
    details = []
    if comparisons.home is not None:
        details.append("home advantage fitted")
    details.extend(notes)
    details.extend(comparisons.notes)
    if details:
        text = "; ".join(details)
        line += " " + text[0].upper() + text[1:] + "."
    return line


def _render(args, comparisons, board, notes, top):
    """The output text in the chosen format."""
    shown = board if top is None else board.head(top)
    if args.format == "csv":
        return shown.to_csv()
    if args.format == "json":
        return shown.to_json() + "\n"
    lines = [_header(comparisons, board, notes), str(shown).rstrip("\n")]
    n_ranked = len(board)
    if top is not None and top < n_ranked:
        lines.append(
            f"Showing the top {top:,} of {n_ranked:,} {comparisons.item_noun}; "
            "--top N shows more."
        )
    return "\n".join(lines) + "\n"


def _save_plot(board, path, top):
    """Save a forest plot, drawn on a figure that needs no display."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CommandError(
            "--plot needs matplotlib, which is not installed: pip install "
            "matplotlib (or pip install 'sklearn-bt[plot]')"
        ) from None
    n_rows = board.table.shape[0] if top is None else min(top, board.table.shape[0])
    # The library's own size for a new figure: labels stay legible.
    figure = Figure(figsize=(7.0, max(2.5, 0.3 * n_rows + 1.3)), layout="constrained")
    board.plot(ax=figure.subplots(), top=top)
    try:
        figure.savefig(path)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CommandError(
            f"cannot save the plot as {path}: {_one_line(exc)}"
        ) from None


def _write(text, path):
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------
# Helpers for messages.
# ---------------------------------------------------------------------------


def _one_line(message):
    """A message on one line: its lines and runs of spaces joined by one space."""
    return " ".join(str(message).split())


def _available(columns):
    """'available columns: ...', with a hint when the delimiter looks wrong."""
    text = f"available columns: {_quote_all(columns)}"
    if len(columns) == 1:
        found = [mark for mark in (";", "\t", "|") if mark in columns[0]]
        if found:
            option = "tab" if found[0] == "\t" else repr(found[0])
            text += f"; is the file separated by {found[0]!r}? Use --delimiter {option}"
    return text


def _quote(value):
    return repr(str(value))


def _quote_all(values):
    return ", ".join(_quote(value) for value in values)


def _rows(index):
    """'line 3' or 'lines 3, 7, 9 and 4 more': file lines of frame rows.

    Row ``i`` of the frame is line ``i + 2`` of the file (after the header): blank
    lines are kept when reading, so the numbers match what an editor shows.
    """
    lines = [int(i) + 2 for i in index]
    shown = ", ".join(str(line) for line in lines[:_MAX_QUOTED])
    more = len(lines) - _MAX_QUOTED
    word = "line" if len(lines) == 1 else "lines"
    return f"{word} {shown}" + (f" and {more:,} more" if more > 0 else "")


def _error(message):
    sys.stderr.write(f"{PROG}: error: {_one_line(message)}\n")


# ---------------------------------------------------------------------------
# Entry point.
# ---------------------------------------------------------------------------


def _check_options(args):
    """Combinations of options that argparse cannot check on its own."""
    if args.file is None:
        used = [
            "--" + option.replace("_", "-")
            for option in (
                "winner",
                "loser",
                "item_a",
                "item_b",
                "outcome",
                "score_a",
                "score_b",
                "weight",
                "home",
                "date",
                "delimiter",
            )
            if getattr(args, option) is not None
        ]
        if used:
            raise CommandError(
                f"{', '.join(used)}: column options need a FILE, but no FILE was given",
                exit_code=_EXIT_USAGE,
            )
    if args.anchor_rating is not None and args.anchor is None:
        raise CommandError(
            "--anchor-rating needs --anchor ITEM (to shift all ratings, use --offset)",
            exit_code=_EXIT_USAGE,
        )
    if args.since is not None and args.until is not None and args.since > args.until:
        raise CommandError(
            f"--since {args.since} is after --until {args.until}",
            exit_code=_EXIT_USAGE,
        )
    if args.plot is not None:
        _check_plot_path(args.plot)


# Image formats matplotlib writes without extra packages.
_PLOT_FORMATS = ("eps", "jpeg", "jpg", "pdf", "png", "ps", "svg", "tif", "tiff", "webp")


def _check_plot_path(path):
    """Refuse a --plot path that would fail only after the fit."""
    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    if suffix and suffix not in _PLOT_FORMATS:
        raise CommandError(
            f"--plot {path}: .{suffix} is not an image format; use one of "
            f"{', '.join('.' + f for f in _PLOT_FORMATS)}",
            exit_code=_EXIT_USAGE,
        )
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise CommandError(
            f"--plot {path}: the folder {folder} does not exist", exit_code=_EXIT_USAGE
        )


def _run(args):
    _check_options(args)
    if args.file is None:
        comparisons = _default_comparisons(args)
        if args.alpha is None:
            args.alpha = _DEFAULT_ALPHA
            comparisons.notes.append(
                f"a weak prior (--alpha {_DEFAULT_ALPHA:g}) shrinks teams with few "
                "matches towards the average"
            )
        restrict = args.restrict or "none"
        top = _DEFAULT_TOP if args.top is None else args.top
    else:
        comparisons = _file_comparisons(args)
        args.alpha = 0.0 if args.alpha is None else args.alpha
        restrict = args.restrict or "none"
        top = args.top
    items = set(comparisons.item_a) | set(comparisons.item_b)
    if args.anchor is not None and args.anchor not in items:
        close = difflib.get_close_matches(
            args.anchor, [str(i) for i in items], n=5, cutoff=0.75
        )
        known = sorted(str(i) for i in items)[:_MAX_QUOTED]
        raise CommandError(
            f"--anchor {args.anchor!r} is not an item of the data; "
            + (
                f"did you mean {_quote_all(close)}?"
                if close
                else f"items are named like {_quote_all(known)}"
            )
        )
    board, warning_lines, notes = _fit(args, comparisons, restrict)
    for line in warning_lines:
        sys.stderr.write(f"{PROG}: warning: {line}\n")
    _write(_render(args, comparisons, board, notes, top), args.output)
    if args.plot is not None:
        _save_plot(board, args.plot, top)
    return 0


def main(argv=None):
    """Run the ``sklearn-bt`` command.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 for bad data or a failed fit, 2 for a bad command line.

    Examples
    --------
    >>> import contextlib, io
    >>> from sklearn_bt._cli import main
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     status = main(["--help"])
    >>> status, out.getvalue().splitlines()[0]
    (0, 'usage: sklearn-bt [FILE] [options]')
    """
    parser = _build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help
            return exc.code
        return _run(args)
    except CommandError as exc:
        _error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return _EXIT_INTERRUPT
    except BrokenPipeError:
        # The reader went away (sklearn-bt | head): stop quietly, and stop Python
        # from complaining when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _EXIT_DATA
    except (ValueError, ImportError, OSError) as exc:
        # The library's own checks (an unknown anchor, a restriction that leaves
        # nothing, a missing optional dependency) explain themselves, in the
        # command's options.
        _error(_in_option_words(str(exc)))
        return _EXIT_DATA
    except Exception as exc:
        # Still one line, but say that this one is ours to fix.
        _error(
            f"unexpected {type(exc).__name__}: {exc} (this is a bug in sklearn-bt; "
            "please report it with the command that caused it)"
        )
        return _EXIT_DATA
