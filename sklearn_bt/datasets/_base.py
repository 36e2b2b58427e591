"""Reading, verifying and filtering the bundled data files.

The loaders in :mod:`sklearn_bt.datasets._loaders` describe each data set with a
:class:`_DataFile` and use the helpers here; nothing in this module knows about
football or the NFL.
"""

import csv
import datetime
import functools
import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_DATA_DIR = Path(__file__).resolve().parent / "data"

# Booleans are spelled True/False in the football file and 1/0 in the NFL file.
_BOOLS = {"True": True, "False": False, "1": True, "0": False}


@dataclass(frozen=True)
class _DataFile:
    """A bundled gzip-compressed CSV file and what is known about it.

    ``sha256`` is the checksum of the compressed file as shipped; ``columns`` maps
    each CSV column, in order, to its kind: "date", "int", "float", "bool" or "str"
    (for "str" an empty field means missing).
    """

    filename: str
    sha256: str
    version: str
    columns: dict


def _read_columns(data_file, path=None):
    """Read a bundled CSV file into typed numpy columns after checking its checksum.

    Parameters
    ----------
    data_file : _DataFile
        Description of the file.
    path : path-like, default=None
        Where to read the file from; defaults to the bundled copy. Tests use it to
        point the reader at a damaged copy.

    Returns
    -------
    columns : dict of str to ndarray
        One 1-D array per CSV column: ``datetime64[D]`` for dates, ``int64``,
        ``float64``, ``bool``, and ``object`` arrays of ``str`` (``None`` where a
        text field is empty).
    """
    path = _DATA_DIR / data_file.filename if path is None else Path(path)
    raw = path.read_bytes()
    checksum = hashlib.sha256(raw).hexdigest()
    if checksum != data_file.sha256:
        raise OSError(
            f"{path} has SHA-256 checksum {checksum}, expected {data_file.sha256}: "
            "the bundled data file is corrupted or was modified. Reinstall "
            "sklearn-bt to restore it."
        )
    columns = _parse_csv(raw, tuple(data_file.columns.items()))
    # Copies, so that a caller who modifies a result cannot change the cache.
    return {name: values.copy() for name, values in columns.items()}


@functools.lru_cache(maxsize=4)
def _parse_csv(raw, kinds):
    """Parse verified gzip-compressed CSV bytes into typed columns (cached).

    ``kinds`` holds the (name, kind) pairs of the columns, as in ``_DataFile``.

    Parsing is most of a loader's run time; the cache makes repeated loads cheap.
    Its key is the file content itself, so a changed file is parsed again.
    """
    with gzip.open(io.BytesIO(raw), "rt", encoding="utf-8", newline="") as text:
        reader = csv.reader(text)
        header = next(reader)
        fields = list(zip(*reader, strict=True))
    # The checksum already guarantees the content; this only guards the code
    # against a _DataFile whose column list does not match its file.
    names = [name for name, _ in kinds]
    if header != names:
        raise ValueError(f"The file has columns {header}, expected {names}.")
    return {
        name: _parse(values, kind)
        for (name, kind), values in zip(kinds, fields, strict=True)
    }


def _parse(values, kind):
    """Convert a tuple of CSV fields to a numpy array of the given kind."""
    if kind == "date":
        return np.array(values, dtype="datetime64[D]")
    if kind == "int":
        return np.array(values).astype(np.int64)
    if kind == "float":
        return np.array(values).astype(np.float64)
    if kind == "bool":
        return np.array([_BOOLS[v] for v in values], dtype=bool)
    # Object arrays keep Python strings of any length (no fixed-width truncation)
    # and let a missing entry be None rather than an empty string.
    return np.array([v if v else None for v in values], dtype=object)


def _as_bound(value, name):
    """Turn a ``start``/``end`` argument into a ``numpy.datetime64`` (or None)."""
    if value is None:
        return None
    hint = (
        f"Pass a year such as 1990, an ISO date string such as '1990-06-30' "
        f"(or '1990', '1990-06'), or a datetime.date for {name}."
    )
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name}={value!r} is not a date. {hint}")
    given = value
    if isinstance(value, int | np.integer):
        value = f"{int(value):04d}"
    if not isinstance(value, str | datetime.date | np.datetime64):
        raise ValueError(f"{name}={value!r} is not a date. {hint}")
    try:
        bound = np.datetime64(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not a date. {hint}") from exc
    if np.isnat(bound):
        raise ValueError(f"{name}={value!r} is not a date. {hint}")
    year = int(bound.astype("datetime64[Y]").astype(np.int64)) + 1970
    if not 1 <= year <= 9999:
        # NumPy reads "20190101" as the year 20,190,101, and -5 as 5 BC.
        raise ValueError(
            f"{name}={given!r} reads as the year {year}, not a date of the data. {hint}"
        )
    return bound


def _date_bounds(start=None, end=None):
    """Check ``start`` and ``end`` and return them as ``[lower, upper)`` bounds.

    A bound is inclusive at its own precision: ``end=1990`` or ``end="1990"`` keeps
    all of 1990, ``end="1990-06"`` all of June 1990. None means no bound.
    """
    lower = _as_bound(start, "start")
    upper = _as_bound(end, "end")
    # One step of the bound's own unit past ``end`` makes the bound inclusive
    # whatever its precision (year, month, day or finer).
    upper_exclusive = None if upper is None else upper + 1
    if lower is not None and upper is not None and lower >= upper_exclusive:
        raise ValueError(
            f"start={start!r} is after end={end!r}; swap them or drop one bound."
        )
    return lower, upper_exclusive


def _date_mask(dates, start=None, end=None):
    """Boolean mask of the ``dates`` between ``start`` and ``end``, both inclusive.

    See :func:`_date_bounds` for the accepted bounds.
    """
    lower, upper_exclusive = _date_bounds(start, end)
    mask = np.ones(dates.shape, dtype=bool)
    if lower is not None:
        mask &= dates >= lower
    if upper_exclusive is not None:
        mask &= dates < upper_exclusive
    if not mask.any():
        raise ValueError(
            f"No matches between start={start!r} and end={end!r}; the data cover "
            f"{dates.min()} to {dates.max()}."
        )
    return mask


def _import_pandas():
    """Import pandas, with an error that says how to do without it."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            "as_frame=True requires pandas, which is not installed. Install it "
            "(pip install pandas, or pip install 'sklearn-bt[pandas]') or pass "
            "as_frame=False to get numpy arrays."
        ) from exc
    return pd


def _pair_data(team_a, team_b, neutral):
    """The library's pair layout ``[team_a, home_a, team_b, home_b]``.

    Team A is the first-listed team; ``home_a`` is 1 only when A really played at
    home, and ``home_b`` is always 0, so the coefficient of an item feature "is at
    home" is the home advantage.
    """
    home_a = (~neutral).astype(np.int64)
    return {
        "team_a": team_a,
        "home_a": home_a,
        "team_b": team_b,
        "home_b": np.zeros_like(home_a),
    }


def _to_array(columns):
    """Stack a dict of equal-length 1-D columns into a 2-D object array."""
    names = list(columns)
    n_rows = len(columns[names[0]])
    array = np.empty((n_rows, len(names)), dtype=object)
    for j, name in enumerate(names):
        array[:, j] = columns[name]
    return array


def _to_frame(pd, columns):
    """A DataFrame from a dict of numpy columns, missing text as missing values."""
    return pd.DataFrame(
        {name: pd.Series(values, name=name) for name, values in columns.items()}
    )
