"""Outcome encodings: from scores and winner/loser tables to ``y``, and back.

A comparison has three possible outcomes for item A: it lost, it tied, it won.
The estimator reads them from ``y`` in any of the common encodings:

* outcome scores ``0 / 0.5 / 1`` (chess, Chatbot Arena, the NFL's ``result1``
  and the bundled data sets);
* the sign of a score difference, ``-1 / 0 / 1``;
* any three ordered labels, the middle one meaning a tie (``0 / 1 / 2``,
  strings, ...).

scikit-learn's classification metrics treat ``0 / 0.5 / 1`` as a *continuous*
target and refuse it (``accuracy``, ``neg_log_loss``, stratified splits), so
model selection with stock scorers needs labels of a discrete type: the signs
``-1 / 0 / 1`` are the simplest (``encoding="sign"`` below).  This module
turns raw data into either encoding, and maps any accepted ``y`` to the
outcome codes ``[B won, tie, A won]`` of the losses.
"""

import re
from numbers import Integral, Real

import numpy as np
from sklearn.utils.multiclass import type_of_target

from ._ids import factorise_ids
from ._loss import A_WON, B_WON, TIE

__all__ = ["outcomes_from_scores", "outcomes_from_winner_loser"]

# The tie models, whose classes_ hold a tie label.
TIE_MODELS = ("davidson", "rao-kupper")

_SCORE_LABELS = (0.0, 0.5, 1.0)
_SIGN_LABELS = (-1, 0, 1)
_ENCODINGS = ("score", "sign")

_MULTICLASS_MESSAGE = (
    "Only binary classification is supported. The type of the target is {}."
)
_TIE_OPTIONS = (
    "Set ties='davidson' (Davidson's model: a tie parameter fitted jointly with "
    "the strengths), ties='rao-kupper' (Rao and Kupper's threshold model), or "
    "ties='half' (a tie counts as half a win for each side)."
)
_ACCEPTED = (
    "outcome scores 1 / 0.5 / 0, signs 1 / 0 / -1, or three ordered labels whose "
    "middle one is the tie (A won / tie / B won)"
)


# ---------------------------------------------------------------------------
# Public helpers.
# ---------------------------------------------------------------------------


# Outcome words, for data that name the result instead of scoring it (Chatbot
# Arena's "winner" column holds model_a / model_b / tie / tie (bothbad)), as
# outcome scores for item A.  Read lower-cased, without surrounding spaces.
OUTCOME_WORDS = {
    "a": 1.0,
    "model_a": 1.0,
    "win": 1.0,
    "won": 1.0,
    "b": 0.0,
    "model_b": 0.0,
    "loss": 0.0,
    "lost": 0.0,
    "tie": 0.5,
    "tie (bothbad)": 0.5,
    "draw": 0.5,
    "drawn": 0.5,
}


def _word_score(word):
    """The outcome score a word names, NaN if none: an outcome word, or a
    number 1 / 0.5 / 0 written out (read from text)."""
    text = str(word).strip().lower()
    if text in OUTCOME_WORDS:
        return OUTCOME_WORDS[text]
    try:
        number = float(text)
    except ValueError:
        return np.nan
    return number if number in (0.0, 0.5, 1.0) else np.nan


def scores_from_words(values, name):
    """Outcome scores 1 / 0.5 / 0 for item A from ``OUTCOME_WORDS``.

    Each distinct word is looked up once (the ids' factorisation: hashing, not
    a sort of millions of strings).
    """
    factorised = factorise_ids(values)
    if factorised is None:
        raise ValueError(
            f"{name} holds missing values or values of mixed types; use 1 / 0.5 / 0 "
            "(A won / tie / B won) or the words model_a / model_b / tie."
        )
    codes, words = factorised
    scores = np.array([_word_score(w) for w in words])
    unknown = np.isnan(scores)
    if unknown.any():
        raise ValueError(
            f"{name} has values that are not outcomes: {words[unknown][:5].tolist()}. "
            "Use 1 / 0.5 / 0 for A won / tie / B won, or the words "
            f"{sorted(OUTCOME_WORDS)}."
        )
    return scores[codes]


def outcomes_from_scores(score_a, score_b, *, encoding="score"):
    """Outcome of each comparison for item A, from the two sides' scores.

    Parameters
    ----------
    score_a, score_b : array-like of shape (n_pairs,)
        Points, goals or ratings of item A and of item B in each comparison.
        Equal scores are a tie.  Scores must be finite: a missing (NaN) or
        infinite score is an error.
    encoding : {"score", "sign"}, default="score"
        ``"score"``: floats 1.0 (A won), 0.5 (tie), 0.0 (B won), the outcome
        scores of chess and Chatbot Arena.  ``"sign"``: integers 1 / 0 / -1,
        the sign of ``score_a - score_b``.  Prefer ``"sign"`` for model
        selection with scikit-learn's stock scorers (``"accuracy"``,
        ``"neg_log_loss"``) and stratified splits: they take 0 / 0.5 / 1 for a
        continuous target and refuse it.

    Returns
    -------
    y : ndarray of shape (n_pairs,)
        The outcome for A, ready to be the ``y`` of
        :class:`BradleyTerryRanker` with ``ties`` set.

    See Also
    --------
    outcomes_from_winner_loser : The same for winner/loser rows with a tie flag.

    Examples
    --------
    >>> from sklearn_bt import outcomes_from_scores
    >>> outcomes_from_scores([2, 1, 0], [0, 1, 3])
    array([1. , 0.5, 0. ])
    >>> outcomes_from_scores([2, 1, 0], [0, 1, 3], encoding="sign")
    array([ 1,  0, -1])
    """
    _check_encoding(encoding)
    score_a = _as_scores(score_a, "score_a")
    score_b = _as_scores(score_b, "score_b")
    if score_a.shape != score_b.shape:
        raise ValueError(
            f"score_a and score_b must have the same length, one score per "
            f"comparison; got {score_a.shape[0]} and {score_b.shape[0]}."
        )
    # Compared, not subtracted: a difference of large integers can wrap around.
    sign = np.greater(score_a, score_b).astype(np.int64) - np.less(score_a, score_b)
    return _encode(sign, encoding)


def outcomes_from_winner_loser(tie, *, encoding="score"):
    """Outcome for item A of winner/loser rows (A = winner) with a tie flag.

    Winner/loser data list the winner as item A and the loser as item B, so
    every decided comparison is "A won"; a drawn comparison lists its two
    items in either order.

    Parameters
    ----------
    tie : array-like of bool of shape (n_pairs,)
        True (or 1) where the comparison was a tie.
    encoding : {"score", "sign"}, default="score"
        ``"score"``: 1.0 (A won) and 0.5 (tie); ``"sign"``: 1 and 0.  See
        :func:`outcomes_from_scores`.

    Returns
    -------
    y : ndarray of shape (n_pairs,)
        The outcome for A.  Fit it with ``BradleyTerryRanker(ties=...)``; the
        model still knows all three outcomes (``classes_``).  Stock scorers
        need every label in each test fold: :func:`swap_pairs` turns half of
        the wins into losses of B.

    See Also
    --------
    outcomes_from_scores : Outcomes from the two sides' scores.
    swap_pairs : Swap A and B in a random half of the rows.

    Examples
    --------
    >>> from sklearn_bt import outcomes_from_winner_loser
    >>> outcomes_from_winner_loser([False, True, False])
    array([1. , 0.5, 1. ])
    >>> outcomes_from_winner_loser([0, 1, 0], encoding="sign")
    array([1, 0, 1])
    """
    _check_encoding(encoding)
    tie = np.asarray(tie)
    if tie.ndim != 1:
        raise ValueError(
            f"tie must be 1-D, one flag per comparison; got shape {tie.shape}."
        )
    if tie.dtype != bool:
        if tie.dtype.kind not in "iuf" or not np.isin(tie, (0, 1)).all():
            raise ValueError(
                "tie must hold only True/False (or 1/0) values: True where the "
                "comparison was a tie."
            )
        tie = tie.astype(bool)
    return _encode(np.where(tie, 0, 1).astype(np.int64), encoding)


def _check_encoding(encoding):
    if encoding not in _ENCODINGS:
        raise ValueError(
            f"encoding must be 'score' (1 / 0.5 / 0) or 'sign' (1 / 0 / -1); "
            f"got {encoding!r}."
        )


def _as_scores(values, name):
    values = np.asarray(values)
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one score per comparison; got shape {values.shape}."
        )
    if values.dtype.kind not in "biuf":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must hold numbers.") from exc
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        _refuse_non_finite(values, name)
    return values.astype(np.float64) if values.dtype.kind == "b" else values


def _refuse_non_finite(values, name):
    """Raise for NaN (missing) scores first, then for infinite ones."""
    for bad, what, fix in (
        (np.isnan(values), "missing", "drop those comparisons first"),
        # inf against inf has no winner: rather than guess which infinite
        # scores compare, every one is refused.
        (np.isinf(values), "infinite", "scores must be finite: fix or drop them"),
    ):
        if bad.any():
            raise ValueError(
                f"{name} has {int(bad.sum())} {what} score(s), first at row "
                f"{int(np.flatnonzero(bad)[0])}; {fix}."
            )


def _encode(sign, encoding):
    if encoding == "sign":
        return sign
    return 0.5 * (sign + 1.0)


# ---------------------------------------------------------------------------
# y -> classes_ and outcome codes, for the estimator.
# ---------------------------------------------------------------------------


def encode_outcomes(y, ties, fit_intercept):
    """``classes_`` and the outcome code (``B_WON``, ``TIE``, ``A_WON``) of each row.

    Parameters
    ----------
    y : ndarray of shape (n_pairs,)
    ties : {None, "half", "davidson", "rao-kupper"}
    fit_intercept : bool
        With an intercept, data whose outcomes are all "A won" (or all "B
        won") make it diverge: that is refused here with the way out.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        ``[B won, A won]`` for the binary and half-win models; for the tie
        models ``[B won, tie, A won]``, or two labels when ``y`` has two
        labels outside the standard sets (then no tie is possible).
    outcome : ndarray of int of shape (n_pairs,)
    tie_label : object or None
        With ``ties="half"``, the label that means a tie (half a win each),
        also when ``y`` holds none: 0.5 next to outcome scores, 0 next to
        signs, the middle one of three other labels.  None otherwise, and
        when two other labels leave it unknown.
    """
    labels = sorted_labels(y)
    _check_labels_do_not_name_sides(labels)
    _check_two_labels_hold_no_tie(labels, ties)
    tie_label = None
    if ties in TIE_MODELS:
        classes, outcome = _encode_tie_model(y, labels, ties)
    elif ties == "half":
        classes, outcome, tie_label = _encode_half_win(y, labels)
    else:
        classes, outcome = _encode_binary(y, labels)
    if fit_intercept and outcome[0] != TIE and np.all(outcome == outcome[0]):
        raise ValueError(
            "y has a single label (one class: winner/loser data), so the "
            "first-position advantage is not identifiable: the intercept would "
            "diverge to infinity. Set fit_intercept=False, or give both labels by "
            "randomly swapping A and B in half of the rows (see swap_pairs)."
        )
    return classes, outcome, tie_label


def sorted_labels(y):
    """The sorted distinct values of the 1-D ``y``, as ``np.unique(y)``.

    Numeric ``y`` with at most three values (outcome labels) takes a few
    linear passes instead of a sort of every row: on 3e6 rows, 3-4 ms against
    10-40 ms.  NaN, if any, goes to ``np.unique``.
    """
    if y.dtype.kind not in "biuf" or not len(y):
        try:
            return np.unique(y)
        except TypeError as exc:  # unorderable: numbers next to strings, say
            types = sorted({type(v).__name__ for v in y.tolist()})
            raise ValueError(
                f"y mixes labels of types {types}, which have no order (the larger "
                "label means 'A won'). Encode y as one type, e.g. 1 when A won and "
                "0 when B won."
            ) from exc
    low, high = y.min(), y.max()
    if low == high:
        return y[:1].copy()
    if y.dtype.kind == "f" and (np.isnan(low) or np.isnan(high)):
        return np.unique(y)
    inner = y[(y != low) & (y != high)]
    if not len(inner):
        return np.array([low, high], dtype=y.dtype)
    if np.all(inner == inner[0]):
        return np.array([low, inner[0], high], dtype=y.dtype)
    return np.unique(y)


def label_positions(y, labels):
    """Position of each value of ``y`` in the sorted ``labels`` (int8).

    Every value of ``y`` is one of at most three ``labels``.
    """
    if len(labels) == 1:
        return np.zeros(len(y), dtype=np.int8)
    if labels.dtype.kind not in "biuf":
        return np.searchsorted(labels, y).astype(np.int8)
    # Comparisons, on 1 byte per row: some 20 times faster than a search (or
    # nested np.where) over millions of rows, and twice as fast as arithmetic
    # on float temporaries.
    positions = (y > labels[0]).astype(np.int8)
    for label in labels[1:-1]:
        positions += y > label
    return positions


def _is_numeric(labels):
    # Booleans are excluded: True / False never encode a tie.
    return labels.dtype.kind in "iuf"


def _standard_tie_classes(labels):
    """The full ``[B won, tie, A won]`` classes when ``labels`` are a subset of
    the outcome scores 0 / 0.5 / 1 or of the signs -1 / 0 / 1, else None.

    ``{0, 1}`` and its subsets read as outcome scores (no tie observed).
    """
    if not _is_numeric(labels):
        return None
    if np.isin(labels, _SCORE_LABELS).all():
        return np.array(_SCORE_LABELS)
    if np.isin(labels, _SIGN_LABELS).all():
        return np.array(_SIGN_LABELS, dtype=labels.dtype)
    return None


def _codes(y, classes):
    """Outcome code (int8) of each row for classes ``[B, tie, A]`` or ``[B, A]``.

    Every value of ``y`` is one of ``classes``.
    """
    if len(classes) == 3:  # B_WON, TIE, A_WON are 0, 1, 2
        return label_positions(y, classes)
    return _won_codes(y == classes[1])


def _won_codes(a_won):
    """``A_WON`` where ``a_won`` is True, else ``B_WON`` (int8).

    A product (``B_WON`` is 0), not ``np.where``: its choice between two
    values mispredicts its branches on random outcomes (1e6 rows: 9 against
    0.6 ms).
    """
    return np.multiply(a_won.view(np.int8), np.int8(A_WON))


def _encode_tie_model(y, labels, ties):
    classes = _standard_tie_classes(labels)
    if classes is not None:
        return classes, _codes(y, classes)
    if len(labels) == 3:
        _check_tie_in_the_middle(labels, ties)
        return labels, _codes(y, labels)
    if len(labels) == 2:
        # Two labels outside the standard sets: nothing marks a tie, so the
        # model is fitted at the boundary (no ties) and knows two classes.
        return labels, _codes(y, labels)
    if len(labels) == 1:
        classes = _single_label_classes(labels[0])
        return classes, _codes(y, classes)
    raise ValueError(
        f"With ties={ties!r}, y must hold {_ACCEPTED}; got a {_target_type(y)} "
        f"target with {len(labels)} labels {_show(labels)}." + _proportions_hint(labels)
    )


def _encode_half_win(y, labels):
    """``ties='half'``: classes ``[B won, A won]``, codes, and the tie label.

    The tie label is half of each class.
    """
    if _is_numeric(labels) and np.isin(labels, _SIGN_LABELS).all() and -1 in labels:
        classes, tie = np.array([-1, 1], dtype=labels.dtype), 0
    elif _is_numeric(labels) and np.isin(labels, _SCORE_LABELS).all():
        classes, tie = np.array([0, 1], dtype=labels.dtype), 0.5
    elif len(labels) == 3:
        _check_tie_in_the_middle(labels, "half")
        classes, tie = labels[[0, 2]], labels[1]
    elif len(labels) <= 2:
        return (*_encode_binary(y, labels), None)
    else:
        raise ValueError(
            f"With ties='half', y must hold {_ACCEPTED}; got a {_target_type(y)} "
            f"target with {len(labels)} labels {_show(labels)}."
            + _proportions_hint(labels)
        )
    # B won, tie, A won: codes 0, 1, 2
    return classes, _codes(y, np.array([classes[0], tie, classes[1]])), tie


# Labels that name a tie.  Three labels are sorted, and the middle one is the
# tie: "win" / "draw" / "loss" sort as draw < loss < win and would silently make
# "loss" the tie, so a tie word elsewhere than in the middle is refused.
_TIE_WORDS = frozenset(
    {"d", "draw", "drawn", "draws", "drew", "t", "tie", "tied", "ties", "x"}
)


def _check_labels_do_not_name_sides(labels):
    """Refuse labels that name the winning side, such as ``"model_a"`` /
    ``"model_b"`` (Chatbot Arena's) or ``"A"`` / ``"B"``.

    Labels are read by their sort order: the larger outer one means "A won"
    (and the middle of three a tie).  Two labels that differ only by an ``a``
    where the other has a ``b`` name the sides, and sorted, the one naming B
    would mean "A won": every strength would come out negated.
    """
    if labels.dtype.kind not in "OUS" or len(labels) < 2:
        return
    names = [str(label) for label in labels.tolist()]
    if all(_VERDICT.match(name) for name in names) or (
        {name.strip().lower() for name in names} <= _VOTE_WORDS
    ):
        raise ValueError(
            f"y holds verdicts written as comparisons or votes, {names}, but "
            "labels are read by their sort order (the larger outer one means 'A "
            "won', the middle of three a tie), not by what they say. Encode y as "
            "1 when A won, 0.5 for a tie and 0 when B won, e.g. np.select([y == "
            "<A's win>, y == <B's win>], [1.0, 0.0], 0.5), and fit with "
            "ties='half' or a tie model if there are ties."
        )
    for i, low in enumerate(names):
        for high in names[i + 1 :]:
            if _differ_by_a_for_b(low, high) or _differ_by_side_words(low, high):
                raise ValueError(
                    f"y has the labels {names}, and {low!r} / {high!r} name the "
                    "sides; but labels are read by their sort order (the larger "
                    "outer one means 'A won'), so every strength would come out "
                    f"negated. Encode y as 1 when A won and 0 when B won, e.g. "
                    f"(y == {low!r}).astype(int); with ties, 0.5 for a tie, e.g. "
                    f"np.select([y == {low!r}, y == {high!r}], [1.0, 0.0], 0.5), "
                    "fitted with ties='half' or a tie model."
                )


# Words that name the first and the second side, sorted as they are named:
# the one naming B sorts last, so it would mean "A won".
_SIDE_WORD_PAIRS = {("1", "2"), ("first", "second"), ("left", "right")}
# With a stem only (response_0 / response_1): bare 0 / 1 are outcomes.
_STEMMED_SIDE_WORD_PAIRS = {("0", "1")}


# A verdict written as a comparison: "A>B", "B >> A", "A=B", "1<2",
# "model_a>model_b"; and chess results from White's side: "1-0", "1/2-1/2".
_VERDICT = re.compile(
    r"^\s*(\w+)\s*(>>|<<|>|<|==|=)\s*(\w+)\s*$|^\s*(1|0|1/2|½)\s*-\s*(1|0|1/2|½)\s*$",
    re.IGNORECASE,
)
# Chatbot Arena's raw vote types: "leftvote" is the left answer's (A's) win.
_VOTE_WORDS = {"leftvote", "rightvote", "tievote", "bothbad_vote"}


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _differ_by_side_words(low, high):
    """Whether two names differ only by one word that names a side in each
    (``model_1`` / ``model_2``, ``first`` / ``second``, ``left`` / ``right``,
    ``1st`` / ``2nd``), or are verdicts written as comparisons (``A>B`` /
    ``B>A``)."""
    if _VERDICT.match(low) and _VERDICT.match(high):
        return True
    if _is_number(low) and _is_number(high):
        return False  # "0.0" / "1.0": numbers as text, read in their order
    ordinals = {"1st": "first", "2nd": "second"}
    words_low = [
        ordinals.get(w, w) for w in re.findall(r"\d+(?:st|nd)|[a-z]+|\d+", low.lower())
    ]
    words_high = [
        ordinals.get(w, w) for w in re.findall(r"\d+(?:st|nd)|[a-z]+|\d+", high.lower())
    ]
    if len(words_low) != len(words_high):
        return False
    differing = [(x, y) for x, y in zip(words_low, words_high, strict=True) if x != y]
    if len(differing) != 1:
        return False
    stemmed = len(words_low) > 1 and differing[0] in _STEMMED_SIDE_WORD_PAIRS
    return differing[0] in _SIDE_WORD_PAIRS or stemmed


def _differ_by_a_for_b(low, high):
    """Whether two names differ only by a letter ``a`` standing alone (a word,
    or a capital after lower case: ``model_a``, ``A``, ``modelA``) that is a
    ``b`` in the other."""
    if len(low) != len(high):
        return False
    differing = [i for i, (x, y) in enumerate(zip(low, high, strict=True)) if x != y]
    if len(differing) != 1:
        return False
    i = differing[0]
    if low[i].lower() != "a" or high[i].lower() != "b":
        return False
    alone_before = i == 0 or not low[i - 1].isalpha() or low[i].isupper()
    alone_after = i == len(low) - 1 or not low[i + 1].isalpha() or low[i + 1].isupper()
    return alone_before and alone_after


def _check_two_labels_hold_no_tie(labels, ties):
    """Refuse two labels one of which names a tie (``"A"`` / ``"D"`` from
    football's H/D/A results without a home win, ``"draw"`` / ``"win"``):
    two labels are read as B won / A won by their sort order, so the ties
    would silently count as wins or losses.  (``"t"`` is left out: ``"F"`` /
    ``"T"`` are false and true.)"""
    if labels.dtype.kind not in "OUS" or len(labels) != 2:
        return
    names = [str(label) for label in labels.tolist()]
    tied = [name for name in names if name.strip().lower() in _TIE_WORDS - {"t"}]
    if len(tied) != 1:
        return
    (tie,) = tied
    (other,) = [name for name in names if name != tie]
    means = "A won" if tie == names[1] else "B won"
    raise ValueError(
        f"y has the labels {names}, and {tie!r} looks like a tie; but two labels "
        f"are read by their sort order as B won / A won, so every {tie!r} would "
        f"count as '{means}'. Encode the outcome for A as 1 / 0.5 / 0: "
        f"np.where(y == {tie!r}, 0.5, 1.0) if {other!r} means A won, "
        f"np.where(y == {tie!r}, 0.5, 0.0) if it means B won; and fit with "
        f"ties={ties if ties else 'half'!r} (or a tie model)."
    )


def _check_tie_in_the_middle(labels, ties):
    if labels.dtype.kind not in "OUS":
        return
    labels = labels.tolist()
    words = [str(label).strip().lower() for label in labels]
    for position in (0, 2):
        if words[position] in _TIE_WORDS and words[1] not in _TIE_WORDS:
            raise ValueError(
                f"y has the labels {labels}: sorted, the middle one, "
                f"{labels[1]!r}, would be the tie, but {labels[position]!r} looks "
                "like the tie label and is not the middle one. Encode the outcome "
                "for A as 1 / 0.5 / 0 or 1 / 0 / -1 (outcomes_from_scores helps), "
                f"then fit with ties={ties!r}."
            )


def _encode_binary(y, labels):
    """``ties=None``: two labels, the larger meaning "A won"; a tie is an error."""
    if _is_numeric(labels) and np.isin(labels, _SCORE_LABELS).all() and 0.5 in labels:
        raise ValueError(
            "y contains 0.5, which reads as a tie (outcome scores 1 / 0.5 / 0), but "
            f"ties=None fits the model without ties. {_TIE_OPTIONS}"
        )
    if _is_numeric(labels) and np.array_equal(labels, _SIGN_LABELS):
        raise ValueError(
            "y holds -1 / 0 / 1, which reads as signs of score differences with 0 "
            f"a tie, but ties=None fits the model without ties. {_TIE_OPTIONS}"
        )
    # The type of the unique labels is the type of y, at a fraction of the cost.
    y_type = _labels_type(labels)
    if y_type not in ("binary", "unknown") or len(labels) > 2:
        message = _MULTICLASS_MESSAGE.format(y_type) + _proportions_hint(labels)
        if len(labels) == 3:
            message += (
                f" If the middle label {labels.tolist()[1]!r} is a tie: {_TIE_OPTIONS}"
            )
        raise ValueError(message)
    # int8 codes: an eighth of the memory of int64 over millions of rows.
    if len(labels) == 1:  # winner/loser data: every row has the one outcome
        single = labels[0]
        labels = _single_label_classes(single)
        return labels, np.full(len(y), A_WON if single == labels[1] else B_WON, np.int8)
    return labels, _won_codes(y == labels[1])


def _single_label_classes(label):
    """``classes_`` for one-label (winner/loser) data: the label must be 0/1."""
    if isinstance(label, (bool, np.bool_)):
        return np.array([False, True])
    if isinstance(label, (Integral, Real, np.number)) and label in (0, 1):
        return np.array([0, 1], dtype=np.asarray(label).dtype)
    raise ValueError(
        f"y has a single label {_python(label)!r}. Winner/loser data must be coded "
        "1 (or True) for 'A won'; with other labels, y needs both of them."
    )


def _python(value):
    return value.item() if isinstance(value, np.generic) else value


def _proportions_hint(labels):
    """A hint for ``y`` that looks like proportions of wins, else ''."""
    if not _is_numeric(labels) or len(labels) <= 3:
        return ""
    if not (labels.min() >= 0 and labels.max() <= 1):
        return ""
    # R's glm(cbind(wins, losses) ~ ...) habit: a share of wins per row.
    return (
        " y looks like proportions of wins: give one row per outcome instead, "
        "the pair with y = 1 and sample_weight = its wins, and the same pair "
        "with y = 0 and sample_weight = its losses."
    )


def _labels_type(labels):
    """scikit-learn's ``type_of_target`` of the sorted unique labels.

    One or two whole numbers (winner/loser ones, 0 / 1, -1 / 1, booleans) are
    "binary" without asking it: its checks cost 0.23 ms a fit, two thirds of
    the outcomes' encoding at 1e4 rows.
    """
    kind = labels.dtype.kind
    if len(labels) <= 2 and (
        kind in "biu"
        or kind == "f"
        and np.all(np.abs(labels) <= 2.0**53)  # whole as int64 too; not NaN
        and np.all(labels == np.trunc(labels))
    ):
        return "binary"
    return type_of_target(labels, input_name="y")


def _target_type(y):
    # "continuous" is the word scikit-learn's checks look for in the message.
    return type_of_target(y, input_name="y")


def _show(labels, limit=6):
    shown = labels[:limit].tolist()
    return f"{shown}" if len(labels) <= limit else f"{shown[:-1]} ... ({len(labels)})"
