"""Tests of the id factorisation (``_ids.py``)."""

import importlib.util
import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_bt import _ids
from sklearn_bt._ids import factorise_pair_ids


def _reference(column_a, column_b):
    uniques, codes = np.unique(
        np.concatenate([column_a, column_b]), return_inverse=True
    )
    n = len(column_a)
    return codes[:n], codes[n:], uniques


@pytest.mark.parametrize(
    "make_ids",
    [
        lambda ids: ids,  # 0..K-1: the ids are their own codes
        lambda ids: ids + 1000,  # offset small range
        lambda ids: ids * 7 - 50,  # gaps and negative ids
        lambda ids: ids.astype(np.int32) * 10**9,  # a range too wide to count
        lambda ids: ids.astype(np.uint16),
        lambda ids: ids.astype(np.uint64) + np.uint64(2**63),  # beyond float64
        lambda ids: ids * 0.5,  # float ids
        lambda ids: np.array([f"item-{i:03d}" for i in ids]),  # numpy str
        lambda ids: np.array([f"m{i}" for i in ids], dtype=object),  # Python str
    ],
)
def test_codes_index_the_sorted_unique_ids(make_ids):
    rng = np.random.default_rng(0)
    ids_a, ids_b = rng.integers(0, 40, 300), rng.integers(0, 40, 300)
    ids_a[0], ids_b[0] = 0, 39  # both ends present
    column_a, column_b = make_ids(ids_a), make_ids(ids_b)
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    expected_a, expected_b, expected_uniques = _reference(column_a, column_b)
    assert_array_equal(uniques, expected_uniques)
    assert_array_equal(codes_a, expected_a)
    assert_array_equal(codes_b, expected_b)
    assert uniques.dtype == np.concatenate([column_a, column_b]).dtype


@pytest.mark.parametrize(
    "column_a, column_b",
    [
        (np.array([5, 5]), np.array([9, 7])),
        # strings: B's new ids are factorised apart, then all are renumbered
        (np.array(["e", "e"], dtype=object), np.array(["i", "g"], dtype=object)),
        (np.array(["e", "e"]), np.array(["iii", "g"])),  # wider str dtype in B
    ],
)
def test_ids_missing_from_one_side_are_still_coded(column_a, column_b):
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    assert_array_equal(uniques, np.unique(np.concatenate([column_a, column_b])))
    assert uniques.dtype == np.concatenate([column_a, column_b]).dtype
    assert_array_equal(codes_a, [0, 0])
    assert_array_equal(codes_b, [2, 1])


def test_string_ids_without_pandas_give_the_same_codes(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    column_a = np.array(["b", "a", "d"], dtype=object)
    column_b = np.array(["c", "b", "a"], dtype=object)
    with_pandas = factorise_pair_ids(column_a, column_b)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    assert_array_equal(uniques, with_pandas[1])
    assert_array_equal(codes_a, with_pandas[0][0])
    assert_array_equal(codes_b, with_pandas[0][1])


@pytest.mark.parametrize(
    "column_a, column_b",
    [
        (np.array([1.0, np.nan]), np.array([2.0, 3.0])),  # missing float id
        (np.array(["a", None], dtype=object), np.array(["b", "c"], dtype=object)),
        (np.array(["a", 1], dtype=object), np.array(["b", 2], dtype=object)),  # mixed
        # only on B's side, which is looked up, not factorised with A
        (np.array(["a", "b"], dtype=object), np.array(["b", None], dtype=object)),
        (np.array(["a", "b"], dtype=object), np.array(["b", np.nan], dtype=object)),
        (np.array(["a", "b"], dtype=object), np.array(["b", 3], dtype=object)),
        (np.array([("a",), "b"], dtype=object), np.array(["b", "c"], dtype=object)),
    ],
)
def test_ids_that_need_the_encoders_rules_give_none(column_a, column_b):
    assert factorise_pair_ids(column_a, column_b) is None


@pytest.mark.parametrize("offset", [0, 7, -3])
def test_columns_of_one_array_are_scanned_together_with_the_same_codes(offset):
    rng = np.random.default_rng(2)
    X = rng.integers(0, 30, size=(500, 2)) + offset
    X[0] = [offset + 40, offset + 45]  # ids 31..44 never appear: gaps
    assert _ids.parent_pairs(X[:, 0], X[:, 1]) is not None
    assert _ids.parent_pairs(X[:, 1], X[:, 0]) is None  # swapped: not the layout
    (codes_a, codes_b), uniques = factorise_pair_ids(X[:, 0], X[:, 1])
    expected_a, expected_b, expected_uniques = _reference(X[:, 0], X[:, 1])
    assert_array_equal(uniques, expected_uniques)
    assert_array_equal(codes_a, expected_a)
    assert_array_equal(codes_b, expected_b)


@pytest.mark.parametrize("block", [4, 16, 1 << 16])
@pytest.mark.parametrize("layout", ["one array", "two columns"])
@pytest.mark.parametrize("last_id", ["in the last block of B", "missing"])
def test_ids_present_are_found_block_by_block(monkeypatch, block, layout, last_id):
    # The search for the ids present stops once every id in the range is seen
    # (few ids: an arena); an id seen only at the very end, or never, must
    # still come out right, with blocks narrower and wider than the range.
    monkeypatch.setattr(_ids, "_PRESENCE_BLOCK", block)
    rng = np.random.default_rng(5)
    X = rng.integers(0, 9, size=(200, 2))
    X[X == 4] = 5  # id 4 is nowhere yet
    X[0, 0], X[0, 1] = 0, 9  # the range is 0..9
    if last_id == "in the last block of B":
        X[-1, 1] = 4
    column_a, column_b = X[:, 0], X[:, 1]
    if layout == "two columns":
        column_a, column_b = column_a.copy(), column_b.copy()
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    expected_a, expected_b, expected_uniques = _reference(column_a, column_b)
    assert_array_equal(uniques, expected_uniques)
    assert_array_equal(codes_a, expected_a)
    assert_array_equal(codes_b, expected_b)


@pytest.mark.parametrize(
    "values, items",
    [
        (np.array([5, 7, 9, 3, 5]), np.array([-2, 5, 9])),  # small range: a table
        (np.array([5, 7, 9], dtype=np.uint8), np.array([-2, 5, 9])),  # mixed kinds
        (np.array([5, 10**15, 9]), np.array([5, 9])),  # too wide: binary search
        (np.array([0.5, 2.0, 1.0]), np.array([1.0, 2.0])),
        (np.array(["b", "z", "a"], dtype=object), np.array(["a", "b"], dtype=object)),
    ],
)
def test_positions_in_finds_each_value_or_minus_one(values, items):
    where = {item: i for i, item in enumerate(items.tolist())}
    expected = [where.get(value, -1) for value in values.tolist()]
    assert_array_equal(_ids.positions_in(values, items), expected)


# ------------------------------------------------------ pandas-native columns

pd = pytest.importorskip("pandas")
_needs_pyarrow = pytest.mark.skipif(
    importlib.util.find_spec("pyarrow") is None, reason="pyarrow is not installed"
)


def _shuffled_categorical(ids):
    """A Categorical whose categories are in reverse order, one of them unused."""
    names = sorted({i for i in ids if i is not None}, reverse=True)
    return pd.Categorical(ids, categories=["zz-unused", *names])


NATIVE = [
    pytest.param(lambda ids: pd.Series(ids, dtype="category"), id="categorical"),
    pytest.param(_shuffled_categorical, id="unsorted categories, one unused"),
    pytest.param(lambda ids: pd.Categorical(ids), id="Categorical"),
    pytest.param(
        lambda ids: pd.Series(ids, dtype=pd.StringDtype("pyarrow")),
        id="Arrow strings",
        marks=_needs_pyarrow,
    ),
    pytest.param(
        lambda ids: pd.Series(ids, dtype="string[pyarrow]").astype(
            pd.ArrowDtype(__import__("pyarrow").string())
        ),
        id="ArrowDtype",
        marks=_needs_pyarrow,
    ),
]


@pytest.fixture
def no_conversion_by_row(monkeypatch):
    """Fail on converting a pandas object of 50 or more values to NumPy.

    The few unique ids of a column may be converted; its rows may not.
    """

    def guard(cls, name):
        convert = getattr(cls, name)

        def checked(self, *args, **kwargs):
            if len(self) >= 50:
                raise AssertionError("a pandas-native column was converted row by row")
            return convert(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, checked)

    for cls in (pd.Series, pd.Categorical, pd.Index):
        guard(cls, "__array__")
    guard(pd.Series, "to_numpy")


def _string_ids(seed, n=300, k=25):
    rng = np.random.default_rng(seed)
    names = np.array([f"model-{i:02d}" for i in range(k)], dtype=object)
    return names[rng.integers(0, k, n)], names[rng.integers(0, k - 3, n)]


@pytest.mark.parametrize("make_column", NATIVE)
def test_native_columns_are_factorised_without_conversion(make_column, request):
    ids_a, ids_b = _string_ids(0)
    expected = factorise_pair_ids(ids_a, ids_b)
    column_a, column_b = make_column(ids_a), make_column(ids_b)
    assert _ids.is_pandas_native(column_a)
    request.getfixturevalue("no_conversion_by_row")
    for pair in [(column_a, column_b), (column_a, ids_b), (ids_a, column_b)]:
        (codes_a, codes_b), uniques = factorise_pair_ids(*pair)
        assert_array_equal(uniques, expected[1])
        assert uniques.dtype == object
        assert_array_equal(codes_a, expected[0][0])
        assert_array_equal(codes_b, expected[0][1])


def test_categorical_integer_ids_keep_their_dtype():
    column_a = pd.Series([30, 10, 30], dtype="category")
    column_b = pd.Series(pd.Categorical([20, 10, 10], categories=[10, 20, 99]))
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    assert_array_equal(uniques, [10, 20, 30])  # 99 is no id: it is in no row
    assert uniques.dtype == np.asarray(column_a).dtype
    assert_array_equal(codes_a, [2, 0, 2])
    assert_array_equal(codes_b, [1, 0, 0])


def test_columns_of_one_categorical_dtype_keep_their_own_codes():
    ids_a, ids_b = _string_ids(1)
    ids_b = np.concatenate([ids_b, ids_a])  # every id on both sides
    ids_a = np.concatenate([ids_a, ids_b[: len(ids_a)]])
    dtype = pd.CategoricalDtype(sorted(set(ids_a) | set(ids_b)))
    column_a, column_b = pd.Series(ids_a, dtype=dtype), pd.Series(ids_b, dtype=dtype)
    before = column_a.cat.codes.to_numpy().copy(), column_b.cat.codes.to_numpy().copy()
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    expected = factorise_pair_ids(ids_a, ids_b)
    assert_array_equal(uniques, expected[1])
    assert_array_equal(codes_a, expected[0][0])
    assert_array_equal(codes_b, expected[0][1])
    # No n-long array was made: the codes are the categorical's, read-only.
    assert np.shares_memory(codes_a, column_a.array.codes)
    assert np.shares_memory(codes_b, column_b.array.codes)
    assert not codes_a.flags.writeable
    assert_array_equal(column_a.cat.codes, before[0])
    assert_array_equal(column_b.cat.codes, before[1])


@_needs_pyarrow
@pytest.mark.parametrize("arrow_type", ["string", "large_string"])
def test_arrow_string_columns_are_encoded_in_one_table(arrow_type):
    import pyarrow as pa

    ids_a, ids_b = _string_ids(2)
    ids_b[:7] = "only-lost"  # an id that only B has
    expected = factorise_pair_ids(ids_a, ids_b)
    dtype = pd.ArrowDtype(getattr(pa, arrow_type)())

    def chunked(ids):  # a column of several Arrow chunks, as pd.concat makes
        parts = [pd.Series(part, dtype=dtype) for part in np.array_split(ids, 3)]
        return pd.concat(parts, ignore_index=True)

    column_a, column_b = chunked(ids_a), chunked(ids_b)
    assert pa.chunked_array(column_a).num_chunks == 3
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    assert codes_a.dtype == np.int32  # pyarrow's codes, not two pandas.factorize
    assert_array_equal(uniques, expected[1])
    assert uniques.dtype == object
    assert_array_equal(codes_a, expected[0][0])
    assert_array_equal(codes_b, expected[0][1])
    assert_array_equal(column_a.to_numpy(), ids_a)  # the columns are unchanged


@_needs_pyarrow
def test_arrow_dictionary_columns_leave_out_their_unused_values():
    # An Arrow dictionary may hold values that no row uses; pandas.factorize
    # keeps them, but they are no ids (an encoder fitted on the rows has no
    # such category).
    import pyarrow as pa

    def column(indices, dictionary):
        encoded = pa.DictionaryArray.from_arrays(
            pa.array(indices, pa.int32()), pa.array(dictionary)
        )
        return pd.Series(pd.arrays.ArrowExtensionArray(encoded))

    column_a = column([0, 2, 0, 3], ["a", "unused", "c", "d"])
    column_b = column([1, 0, 1, 1], ["c", "a", "unused too"])
    expected = factorise_pair_ids(column_a.to_numpy(), column_b.to_numpy())
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    assert_array_equal(uniques, ["a", "c", "d"])
    assert_array_equal(uniques, expected[1])
    assert_array_equal(codes_a, expected[0][0])
    assert_array_equal(codes_b, expected[0][1])


@_needs_pyarrow
def test_arrow_columns_of_two_arrow_types_are_factorised_side_by_side():
    import pyarrow as pa

    ids_a, ids_b = _string_ids(3)
    column_a = pd.Series(ids_a, dtype=pd.ArrowDtype(pa.string()))
    column_b = pd.Series(ids_b, dtype=pd.ArrowDtype(pa.large_string()))
    expected = factorise_pair_ids(ids_a, ids_b)
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    assert_array_equal(uniques, expected[1])
    assert_array_equal(codes_a, expected[0][0])
    assert_array_equal(codes_b, expected[0][1])


@_needs_pyarrow
@pytest.mark.parametrize("side", ["A", "B"])
def test_arrow_columns_with_a_missing_id_give_none(side):
    ids = [["a", "b", "c"], ["b", "c", "a"]]
    ids[side == "B"][1] = None
    columns = [pd.Series(i, dtype="string[pyarrow]") for i in ids]
    assert factorise_pair_ids(*columns) is None


def test_renumbered_codes_are_written_in_place_only_when_ours():
    position = np.array([2, 0, 1])
    ours = np.array([0, 1, 2, 2, 0], dtype=np.intp)
    renumbered = _ids._renumbered(ours, position)
    assert renumbered is ours
    assert_array_equal(renumbered, [2, 0, 1, 1, 2])

    theirs = np.array([0, 1, 2, 2, 0], dtype=np.intp)
    theirs.flags.writeable = False
    renumbered = _ids._renumbered(theirs, position)
    assert_array_equal(renumbered, [2, 0, 1, 1, 2])
    assert_array_equal(theirs, [0, 1, 2, 2, 0])

    small = np.array([0, 1, 2], dtype=np.int8)  # a categorical's codes
    assert_array_equal(_ids._renumbered(small, position), [2, 0, 1])
    assert_array_equal(small, [0, 1, 2])
    assert _ids._renumbered(small, np.arange(3)) is small


@pytest.mark.parametrize(
    "column_a, column_b",
    [
        (pd.Series(["a", None], dtype="category"), pd.Series(["b", "a"])),
        (pd.Series(["a", "b"], dtype="category"), np.array(["b", None], dtype=object)),
        (pd.Series(["a", "b"], dtype="category"), pd.Series([1, 2], dtype="category")),
    ],
    ids=["missing in A", "missing in B", "mixed types"],
)
def test_native_ids_that_need_the_encoders_rules_give_none(column_a, column_b):
    assert factorise_pair_ids(column_a, column_b) is None


@pytest.mark.parametrize("make_column", NATIVE)
def test_positions_in_looks_up_native_columns(make_column, request):
    values = make_column(["b", "z", None, "a", "b"] * 20)
    request.getfixturevalue("no_conversion_by_row")
    items = np.array(["a", "b", "c"], dtype=object)
    assert_array_equal(_ids.positions_in(values, items), [1, -1, -1, 0, 1] * 20)


@pytest.mark.parametrize("make_column", NATIVE)
@pytest.mark.parametrize("missing", [False, True])
def test_as_id_array_equals_numpys_conversion(make_column, missing):
    ids = ["b", "a", "b", "c"] + ([None] if missing else [])
    column = make_column(ids)
    out = _ids.as_id_array(column)
    expected = np.asarray(column)
    assert out.dtype == expected.dtype
    missing_rows = pd.isna(expected)
    assert pd.isna(out).tolist() == missing_rows.tolist()
    assert out[~missing_rows].tolist() == ["b", "a", "b", "c"]  # NaN != NaN


@pytest.mark.parametrize(
    "column, native",
    [
        (pd.Series(["a", "b"], dtype=object), False),
        (pd.Series(["a", "b"], dtype=pd.StringDtype("python")), False),
        (pd.Series([1, 2]), False),
        (np.array(["a", "b"], dtype=object), False),
        (pd.DataFrame({"x": pd.Categorical(["a"])}), False),  # not one column
        (pd.Series(["a", "b"], dtype="category"), True),
        (pd.CategoricalIndex(["a", "b"]), True),
    ],
)
def test_which_columns_are_native(column, native):
    assert _ids.is_pandas_native(column) is native


def test_other_libraries_columns_are_converted_by_numpy():
    class Column:  # a column of another library: its own dtype object
        dtype = object()
        ndim = 1

        def __array__(self, dtype=None, copy=None):
            return np.array(["b", "a"], dtype=object)

    assert not _ids.is_pandas_native(Column())
    (codes_a, codes_b), uniques = factorise_pair_ids(Column(), Column())
    assert_array_equal(uniques, ["a", "b"])
    assert_array_equal(codes_a, [1, 0])


@pytest.mark.parametrize("dtype", [np.intp, np.int32, np.int64])
@pytest.mark.parametrize("divisor", [1, 3, 7, 10_000])
def test_quotient_and_remainder_is_numpys_divmod(dtype, divisor):
    values = np.random.default_rng(3).integers(-50_000, 50_000, 1000).astype(dtype)
    quotient, remainder = _ids.quotient_and_remainder(values, divisor)
    expected_quotient, expected_remainder = np.divmod(values, divisor)
    assert quotient.dtype == expected_quotient.dtype
    assert remainder.dtype == expected_remainder.dtype
    assert_array_equal(quotient, expected_quotient)
    assert_array_equal(remainder, expected_remainder)


@pytest.mark.parametrize("n_cells", [50, 10**6])  # marked; sorted (few keys)
def test_distinct_keys_are_the_sorted_unique_keys(n_cells):
    keys = np.random.default_rng(6).integers(0, 50, 200) * (n_cells // 50)
    expected = np.unique(keys)
    assert_array_equal(_ids.distinct_keys(keys.copy(), n_cells), expected)
    assert_array_equal(_ids.distinct_keys(keys[:0].copy(), n_cells), expected[:0])


@pytest.mark.parametrize("n_cells", [50, 10**6])  # marked; sorted (few keys)
def test_key_slots_index_the_sorted_distinct_keys(n_cells):
    keys = np.random.default_rng(5).integers(0, 50, 200) * (n_cells // 50)
    slot, distinct = _ids.key_slots(keys, n_cells)
    assert_array_equal(distinct, np.unique(keys))
    assert_array_equal(distinct[slot], keys)


# ------------------------------------------------ ids that repeat a few objects


def _repeated_names(n, k=12, seed=0):
    """``n`` ids picking among ``k`` string objects: each name is one object."""
    names = np.array([f"player-{i:02d}" for i in range(k)], dtype=object)
    return names[np.random.default_rng(seed).integers(0, k, n)], names


def _copies(values):
    """Equal strings in new objects (the same values, other addresses)."""
    return np.array(["".join(value) for value in values], dtype=object)


@pytest.mark.parametrize("block", [4, 1 << 16])
@pytest.mark.parametrize(
    "variant", ["repeated", "equal values in distinct objects", "missing ids"]
)
def test_repeated_objects_factorise_as_pandas_does(monkeypatch, block, variant):
    # The addresses are factorised first and each object once by value: codes
    # and uniques must be pandas' own, whichever object an id is.
    monkeypatch.setattr(_ids, "_PRESENCE_BLOCK", block)
    values, _ = _repeated_names(6000)
    if variant == "equal values in distinct objects":
        values[5000:] = _copies(values[5000:])  # 1,000 more objects: still few
    elif variant == "missing ids":
        values[[5, 2500]] = None
        values[5700] = np.nan
    factorised = _ids._factorise_by_identity(values)
    assert factorised is not None  # the few objects were recognised
    address_codes, codes, uniques = factorised
    expected_codes, expected_uniques = pd.factorize(values, use_na_sentinel=True)
    assert_array_equal(codes[address_codes], expected_codes)
    assert uniques.tolist() == list(expected_uniques)


def test_distinct_objects_are_left_to_hashing():
    values, _ = _repeated_names(3000)
    assert _ids._distinct_objects(_copies(values)) is None
    assert _ids._distinct_objects(np.array(["a", "b"])) is None  # not objects
    assert _ids._distinct_objects(values.astype(str)) is None


def test_addresses_keep_the_objects_alive_and_uncounted():
    values, names = _repeated_names(5000, k=3)
    before = [sys.getrefcount(name) for name in names]
    address_codes, objects = _ids._distinct_objects(values)
    assert [id(o) for o in objects] == [id(v) for v in dict.fromkeys(values)]
    del objects
    assert [sys.getrefcount(name) for name in names] == before
    view = _ids._object_addresses(values)
    assert view.base is not None and view.base.values is values
    assert view[0] == id(values[0])
    assert not view.flags.writeable


@pytest.mark.parametrize("layout", ["one array", "two columns"])
@pytest.mark.parametrize("b_only", [False, True])
def test_pair_ids_of_repeated_objects_match_the_reference(layout, b_only):
    ids, names = _repeated_names(2 * 3000)
    X = ids.reshape(-1, 2)
    X[2500:, 1] = _copies(X[2500:, 1])  # the same names in other objects
    if b_only:
        X[X[:, 0] == names[0], 0] = names[1]  # names[0] only ever on B's side
        X[-1, 1] = "only-lost"
    column_a, column_b = X[:, 0], X[:, 1]
    if layout == "two columns":
        column_a, column_b = column_a.copy(), column_b.copy()
    for ids in (X.reshape(-1), column_a, column_b):
        assert _ids._distinct_objects(ids) is not None  # the few objects found
    (codes_a, codes_b), uniques = factorise_pair_ids(column_a, column_b)
    expected_a, expected_b, expected_uniques = _reference(column_a, column_b)
    assert uniques.tolist() == expected_uniques.tolist()
    assert uniques.dtype == object
    assert_array_equal(codes_a, expected_a)
    assert_array_equal(codes_b, expected_b)
    (sorted_codes, sorted_uniques) = _ids.factorise_ids(column_a)
    reference_uniques, reference_codes = np.unique(column_a, return_inverse=True)
    assert_array_equal(sorted_codes, reference_codes)
    assert sorted_uniques.tolist() == reference_uniques.tolist()


@pytest.mark.parametrize("layout", ["one array", "two columns"])
@pytest.mark.parametrize("bad", [None, np.nan, 3])
@pytest.mark.parametrize("side", [0, 1])
def test_repeated_objects_that_need_the_encoders_rules_give_none(layout, bad, side):
    X = _repeated_names(2 * 2000)[0].reshape(-1, 2)
    X[1500, side] = bad
    column_a, column_b = X[:, 0], X[:, 1]
    if layout == "two columns":
        column_a, column_b = column_a.copy(), column_b.copy()
    assert factorise_pair_ids(column_a, column_b) is None
    assert _ids.factorise_ids(X[:, side].copy()) is None


@pytest.mark.parametrize("strided", [False, True])
def test_positions_in_looks_up_repeated_objects_once_each(strided):
    values, names = _repeated_names(6000)
    values[7] = None
    values[5000:] = _copies(values[5000:])
    if strided:  # a column of an (n, 2) array
        values = np.column_stack([values, values[::-1]])[:, 0]
    items = np.array([names[3], None, "absent", names[0]], dtype=object)
    where = {item: i for i, item in enumerate(items.tolist())}
    expected = [where.get(value, -1) for value in values.tolist()]
    assert _ids._distinct_objects(values) is not None
    assert_array_equal(_ids.positions_in(values, items), expected)
