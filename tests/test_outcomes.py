"""Tests of the outcome-label helpers in ``sklearn_bt._outcomes``."""

import warnings

import numpy as np
import pytest
from sklearn.utils.multiclass import type_of_target

from sklearn_bt import _outcomes
from sklearn_bt._outcomes import (
    encode_outcomes,
    label_positions,
    outcomes_from_scores,
    sorted_labels,
)

_rng = np.random.default_rng(0)


def _draw(values, dtype, n=500):
    return _rng.choice(np.array(values, dtype=object), n).astype(dtype)


LABEL_SETS = [
    ([0.0, 0.5, 1.0], np.float64),  # outcome scores
    ([-1, 0, 1], np.int64),  # signs
    ([0, 1, 2], np.uint8),
    ([0.1, 0.2, 0.3], np.float64),  # equally spaced on paper, not in floats
    ([1, 2, 5], np.int32),  # not equally spaced
    ([0.25, 0.5, 0.75], np.float32),
    ([False, True], np.bool_),
    ([3, 7], np.int64),
    ([1.0], np.float64),
    (["lost", "drew", "won"], object),
    (["B", "tie", "A"], "<U3"),
]


@pytest.mark.parametrize("values, dtype", LABEL_SETS)
def test_sorted_labels_and_positions_equal_numpys_unique(values, dtype):
    y = _draw(values, dtype)
    expected, inverse = np.unique(y, return_inverse=True)
    labels = sorted_labels(y)
    assert labels.dtype == y.dtype
    np.testing.assert_array_equal(labels, expected)
    positions = label_positions(y, labels)
    assert positions.dtype == np.int8
    np.testing.assert_array_equal(positions, inverse)


@pytest.mark.parametrize(
    "y",
    [
        np.array([0.0, 1.0, 2.0, 3.0]),  # more than three labels: np.unique decides
        np.array([0.0, np.nan, 1.0, np.nan]),
        np.array([np.nan, np.nan]),
        np.array([], dtype=float),
        np.array([-0.0, 0.0, 1.0]),
    ],
)
def test_sorted_labels_falls_back_to_numpy_where_its_shortcut_does_not_apply(y):
    np.testing.assert_array_equal(sorted_labels(y), np.unique(y))


def test_scores_must_be_finite():
    with pytest.raises(ValueError, match=r"score_a has 2 infinite score\(s\), first"):
        outcomes_from_scores([np.inf, np.inf], [np.inf, 1.0])
    with pytest.raises(ValueError, match=r"score_b has 1 infinite score\(s\), first"):
        outcomes_from_scores([1.0, 2.0], [1.0, -np.inf])
    # NaN stays a missing score, and is reported first.
    with pytest.raises(ValueError, match=r"1 missing score\(s\), first at row 1"):
        outcomes_from_scores([np.inf, np.nan], [1.0, 1.0])


def test_outcomes_of_extreme_integer_scores_do_not_wrap_around():
    # 2**63 - 1 minus -1 overflows int64: the scores are compared, not subtracted.
    big = np.iinfo(np.int64).max
    score_a = np.array([big, -1, 5], dtype=np.int64)
    score_b = np.array([-1, big, 5], dtype=np.int64)
    np.testing.assert_array_equal(
        outcomes_from_scores(score_a, score_b, encoding="sign"), [1, -1, 0]
    )


@pytest.mark.parametrize(
    "y, ties",
    [
        (["model_a", "model_b", "model_a"], None),  # Chatbot Arena's winner column
        (["A", "B", "B"], None),
        (["b_won", "a_won", "a_won"], "half"),
        (["modelA", "modelB", "modelA"], "davidson"),
        (["model_a", "tie", "model_b"], "half"),  # the tie last when sorted
        (["first", "second", "first"], None),
        (["left", "right"], "davidson"),
        (["winner_model_1", "winner_model_2"], None),
        (["Left won", "tie", "Right won"], "half"),
        (["1st", "2nd"], None),
        (["response_0", "response_1"], None),
    ],
)
def test_labels_that_name_the_sides_are_refused(y, ties):
    # Read by sort order, "model_b" (the larger) would mean "A won": every
    # strength negated, silently.
    with pytest.raises(ValueError, match="name the sides"):
        encode_outcomes(np.array(y, dtype=object), ties, False)


@pytest.mark.parametrize(
    "y",
    [
        ["win", "loss"],
        ["laa", "lab"],
        ["Alpha", "Blpha"],
        ["1", "0"],
        ["x1", "y2"],
        ["1.0", "0.0"],  # numbers as text: "0.0" / "1.0" are not side words
        ["1.0", "2.0"],
    ],
)
def test_labels_that_only_contain_a_and_b_are_read_by_their_order(y):
    classes, outcome, _ = encode_outcomes(np.array(y, dtype=object), None, False)
    assert classes.tolist() == sorted(y)
    assert outcome.tolist() == [2 if label == max(y) else 0 for label in y]


def test_labels_of_mixed_types_are_a_clear_error():
    y = np.array([1, "0", 1, "0"], dtype=object)
    with pytest.raises(ValueError, match=r"mixes labels of types \['int', 'str'\]"):
        encode_outcomes(y, None, False)


@pytest.mark.parametrize("ties", [None, "half", "davidson"])
def test_proportions_of_wins_get_the_rows_and_weights_to_give_instead(ties):
    proportions = np.array([0.2, 0.25, 0.4, 0.5, 0.75, 1.0])
    with pytest.raises(ValueError, match="proportions of wins.*sample_weight = its"):
        encode_outcomes(proportions, ties, False)
    # Four labels that are not shares of wins get no such hint.
    with pytest.raises(ValueError) as error:
        encode_outcomes(np.array([1.0, 2.0, 3.0, 4.0]), ties, False)
    assert "proportions" not in str(error.value)


@pytest.mark.parametrize(
    "y",
    [
        ["A>B", "A=B", "B>A"],
        ["a >> b", "b >> a"],
        ["1>2", "2>1"],
        ["model_a>model_b", "model_b>model_a"],
        ["1-0", "0-1", "1/2-1/2"],  # chess, White's side: "1-0" sorts last
        ["leftvote", "rightvote", "tievote"],  # Chatbot Arena's raw votes
    ],
)
def test_verdicts_written_as_comparisons_get_the_encoding_to_use(y):
    # Sorted, "A=B" < "A>B" < "B>A": "A>B" read as the tie, "B>A" as A's win.
    with pytest.raises(ValueError, match="verdicts written as comparisons"):
        encode_outcomes(np.array(y, dtype=object), "half", False)


@pytest.mark.parametrize(
    "labels",
    [
        [1],
        [0, 1],
        [-1, 1],
        [True],
        [False, True],
        [np.uint8(4)],
        [1.0, 2.0],
        [-5.0],
        [np.float32(1.0)],
        [2.0**53],
        [2.0**60],  # beyond int64's whole floats: scikit-learn's own answer
        [1e300],
        [0.5],
        [0.0, 0.5],
        [-np.inf, 1.0],
        [1, 2, 3],
        ["a", "b"],
    ],
)
def test_labels_type_is_scikit_learns_type_of_target(labels):
    # Whole numbers skip type_of_target's checks; the answer (or the error,
    # for infinity) is its own.
    def answer(type_of):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # its cast of 1e300
            try:
                return type_of(np.array(labels))
            except ValueError as exc:
                return str(exc)

    expected = answer(lambda values: type_of_target(values, input_name="y"))
    assert answer(_outcomes._labels_type) == expected
