"""Fast factorisation of item ids into integer codes.

Item ids arrive as ints or strings, one column for side A and one for side B.
Everything downstream (one-hot encoding, aggregation into pair counts, the
comparison graph) works on integer codes ``0..K-1`` into the sorted unique ids,
so this is done once, in linear time where possible: a ``bincount`` for
integer ids in a small range, a hash-based ``pandas.factorize`` for strings
(sorting millions of strings is what makes ``np.unique`` slow), and
``np.unique`` otherwise.

pandas columns that do not hold a NumPy array (categoricals, and Arrow-backed
strings: pandas' default string dtype when pyarrow is installed) are
factorised from their own codes, or by pandas or pyarrow hashing their
buffers, without ``to_numpy()``, which would build one Python object per row
(see :func:`is_pandas_native`).
"""

import sys

import numpy as np


def factorise_pair_ids(column_a, column_b):
    """Integer codes of the ids of A and B, into their sorted unique ids.

    Parameters
    ----------
    column_a, column_b : ndarray of shape (n,)
        Ids of the two sides of each comparison.

    Returns
    -------
    ((codes_a, codes_b), uniques) or None
        None when the ids need a general encoder's rules: missing values
        (NaN or None) or unorderable mixed types.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bt._ids import factorise_pair_ids
    >>> (codes_a, codes_b), uniques = factorise_pair_ids(
    ...     np.array(["cid", "ann"]), np.array(["bob", "cid"])
    ... )
    >>> codes_a, codes_b, uniques
    (array([2, 0]), array([1, 2]), array(['ann', 'bob', 'cid'], dtype='<U3'))
    """
    if is_pandas_native(column_a) or is_pandas_native(column_b):
        return _factorise_sides(column_a, column_b)
    column_a, column_b = np.asarray(column_a), np.asarray(column_b)
    factorised = _factorise_small_ints(column_a, column_b)
    if factorised is not None:
        return factorised
    if column_a.dtype.kind in "OUS" and column_b.dtype.kind in "OUS":
        factorised = _factorise_pair_strings(column_a, column_b)
        if factorised is not _NO_HASHING:
            return factorised
    factorised = factorise_ids(np.concatenate([column_a, column_b]))
    if factorised is None:
        return None
    codes, uniques = factorised
    n = len(column_a)
    return (codes[:n], codes[n:]), uniques


def is_pandas_native(column):
    """Whether ``column`` is a 1-D pandas column whose ids pandas encodes natively.

    That is a categorical (it holds codes) or a column of Arrow-backed
    strings (pandas' default string dtype when pyarrow is installed).
    ``to_numpy()`` builds a Python object per row from either, where
    ``pandas.factorize`` reads the codes or hashes the Arrow buffers (3e6
    rows of 150 ids: 130 ms against 46 ms for Arrow strings, 140 ms against
    7 ms for a categorical).  Other columns, NumPy-backed ones included
    (pandas' Python-backed strings hold an object array already), are left
    to the NumPy paths.
    """
    dtype = getattr(column, "dtype", None)
    if dtype is None or isinstance(dtype, np.dtype) or getattr(column, "ndim", 0) != 1:
        return False
    if not type(column).__module__.startswith("pandas"):
        return False  # another library's column (polars, say): NumPy converts it
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        return True
    # "pyarrow", or "pyarrow_numpy" (pandas 2.x's inferred strings)
    storage = str(getattr(dtype, "storage", ""))
    return getattr(dtype, "kind", "") in tuple("OSU") and storage.startswith("pyarrow")


def _native_codes(column):
    """``(codes, uniques)`` of a pandas-native column; code -1 marks a missing id.

    ``uniques`` is a NumPy array of the distinct ids, of the dtype
    ``to_numpy()`` would give (object for strings); when no id is missing,
    each is in some row (a categorical's unused categories are dropped, and
    so are the unused values of an Arrow dictionary, which
    ``pandas.factorize`` keeps).
    """
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        return _categorical_codes(getattr(column, "array", column))
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    uniques = np.asarray(uniques)
    if _is_arrow_dictionary(column):
        return _without_unused(codes, uniques)
    return codes, uniques


def _is_arrow_dictionary(column):
    """Whether ``column`` holds Arrow dictionary-encoded values (such as
    ``pandas.read_parquet(..., dtype_backend="pyarrow")`` may give)."""
    arrow_type = getattr(column.dtype, "pyarrow_dtype", None)
    if arrow_type is None:
        return False
    import pyarrow as pa

    return pa.types.is_dictionary(arrow_type)


def _categorical_codes(categorical):
    """``_native_codes`` of a ``pandas.Categorical``: its own codes, if it can.

    ``pandas.factorize`` would hash the codes again to number the categories
    by first appearance (3e6 rows: 8 ms); the codes are kept as they are when
    every category is in some row, which the search for the ids present
    usually finds in its first block (see :func:`_mark_present`).
    """
    codes = np.asarray(categorical.codes).view()
    # pandas hands its codes out read-only; say so here too, as callers may
    # renumber writeable codes in place (see _renumbered).
    codes.flags.writeable = False
    return _without_unused(codes, np.asarray(categorical.categories))


def _without_unused(codes, uniques):
    """``(codes, uniques)`` without the uniques that no code refers to, the
    others renumbered; as they are with a missing id (code -1: the callers
    check the codes)."""
    if len(codes) == 0:
        return codes, uniques[:0]
    if codes.min() < 0:
        return codes, uniques
    present = _mark_present((codes,), len(uniques))
    if present.all():
        return codes, uniques
    return (np.cumsum(present) - 1)[codes], uniques[present]


def _factorise_sides(column_a, column_b):
    """``factorise_pair_ids`` of two columns factorised one by one, then merged.

    Only the few unique ids of each side are merged and sorted, so a
    pandas-native side is never converted row by row.  Two columns of Arrow
    strings are first encoded together, in one table
    (:func:`_factorise_arrow_strings`), and need no merge.
    """
    if _is_arrow_strings(column_a) and _is_arrow_strings(column_b):
        factorised = _factorise_arrow_strings(column_a, column_b)
        if factorised is not _NOT_ENCODED:
            return factorised
    sides = []
    for column in (column_a, column_b):
        if is_pandas_native(column):
            codes, uniques = _native_codes(column)
            if len(codes) and codes.min() < 0:
                return None  # missing ids: the encoder's own rules apply
        else:
            factorised = factorise_ids(np.asarray(column))
            if factorised is None:
                return None
            codes, uniques = factorised
        sides.append((codes, uniques))
    (codes_a, uniques_a), (codes_b, uniques_b) = sides
    merged = factorise_ids(np.concatenate([uniques_a, uniques_b]))
    if merged is None:
        return None  # mixed types: an encoder would order them its own way
    position, uniques = merged
    k = len(uniques_a)
    codes = _renumbered(codes_a, position[:k]), _renumbered(codes_b, position[k:])
    return codes, uniques


def _is_arrow_strings(column):
    """Whether ``column`` is a pandas column of Arrow-backed strings, not
    dictionary-encoded ones (whose dictionaries may hold unused values)."""
    import pandas as pd

    categorical = isinstance(getattr(column, "dtype", None), pd.CategoricalDtype)
    return (
        is_pandas_native(column)
        and not categorical
        and not _is_arrow_dictionary(column)
    )


_NOT_ENCODED = object()  # pyarrow could not encode the columns: use pandas


def _factorise_arrow_strings(column_a, column_b):
    """``factorise_pair_ids`` of two columns of Arrow strings, in one hash table.

    pyarrow's dictionary encoding of both columns' chunks at once (no copy:
    the chunks are the columns' own) numbers the ids of both sides alike, so
    only the K-long dictionary is sorted, each code is renumbered once, and
    the codes stay int32: half the memory of a ``pandas.factorize`` of each
    side and their merge, in about its time (3e6 arena battles a side: 171
    against 187 ms, 248 against 275 in a slower hour; the hashing is most of
    it).  None for a missing id (the encoder's rules apply); ``_NOT_ENCODED``
    if pyarrow cannot encode the two columns together (two different Arrow
    types, say).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        sides = [pa.chunked_array(column) for column in (column_a, column_b)]
        encoded = pc.dictionary_encode(
            pa.chunked_array(sides[0].chunks + sides[1].chunks, type=sides[0].type)
        )
    except (TypeError, ValueError, pa.ArrowException):
        return _NOT_ENCODED
    if encoded.null_count:
        return None  # missing ids: the encoder's own rules apply
    chunks = encoded.chunks
    if not chunks or any(not c.dictionary.equals(chunks[0].dictionary) for c in chunks):
        return _NOT_ENCODED  # no chunk at all, or not one shared dictionary
    renumbered = _sorted_renumbering(
        chunks[0].dictionary.to_numpy(zero_copy_only=False).astype(object)
    )
    if renumbered is None:
        return _NOT_ENCODED
    rank, uniques = renumbered
    rank = rank.astype(np.int32)
    n_chunks_a = sides[0].num_chunks
    codes = [
        _concatenated([rank[c.indices.to_numpy()] for c in part])
        for part in (chunks[:n_chunks_a], chunks[n_chunks_a:])
    ]
    return tuple(codes), uniques


def _concatenated(arrays):
    """``np.concatenate(arrays)``, without a copy of a single array."""
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)


def _renumbered(codes, position):
    """``position[codes]``, without a new n-long array where it can.

    Codes that number the merged ids already (a categorical side whose
    categories are all the ids: two columns of one categorical dtype) are
    returned as they are, read-only and of the categorical's small integer
    dtype.  Codes that are ours (writeable ``intp``: pandas' and
    :func:`factorise_ids`' fresh arrays; a categorical's own codes are
    read-only) are renumbered in place.  3e6 codes: 8.5 ms for the gather
    into a new array, 3.5 in place, none for the identity.
    """
    if np.array_equal(position, np.arange(len(position))):
        return codes
    if codes.dtype == np.intp and codes.flags.writeable:
        # mode="clip" (the codes are in range) lets np.take write into its
        # own indices; its default mode buffers the output instead.
        return np.take(position, codes, out=codes, mode="clip")
    return position[codes]


def as_id_array(column):
    """The ids of a 1-D ``column`` as a NumPy array, like ``np.asarray(column)``.

    A pandas-native column (see :func:`is_pandas_native`) is rebuilt from its
    codes and its few unique ids instead of being converted row by row; every
    row then refers to one of those id objects.  Columns with missing ids go
    through pandas' own conversion, which keeps its missing-value markers.
    """
    if not is_pandas_native(column):
        return np.asarray(column)
    codes, uniques = _native_codes(column)
    if len(codes) and codes.min() < 0:
        return np.asarray(column)
    return uniques[codes]


def _object_index(values):
    """``values`` as a pandas Index of dtype object, without copying an object array.

    With ``dtype=object`` pandas does not infer a string dtype: with pyarrow
    installed it would convert every value to Arrow first (a lookup of 3e6
    strings among 150: 340 ms against 60).
    """
    import pandas as pd

    return pd.Index(values, dtype=object, copy=False)


def _table_size_limit(n_ids):
    """The largest range of integer ids worth a table indexed by id (or a
    ``bincount``): a few times the number of ids, so it costs about as much as
    reading them."""
    return 4 * n_ids + 1024


def small_int_range(column_a, column_b, max_span):
    """``(low, span)`` of integer ids within ``max_span`` consecutive values, else None.

    When the two columns are the columns of one C-ordered ``(n, 2)`` array
    (the usual ``X``), the scans run over that contiguous array: reducing
    strided columns costs numpy a copy of each.
    """
    if column_a.dtype.kind not in "iu" or column_b.dtype != column_a.dtype:
        return None
    if len(column_a) == 0:
        return None
    both = parent_pairs(column_a, column_b)
    scans = (both,) if both is not None else (column_a, column_b)
    low = min(values.min() for values in scans)
    high = max(values.max() for values in scans)
    span = int(high) - int(low) + 1
    return (low, span) if span <= max_span else None


def _factorise_small_ints(column_a, column_b):
    """Linear-time factorisation of integer ids in a small range, else None.

    No concatenated copy is made, and ids that are already 0..K-1 are their
    own codes.
    """
    small = small_int_range(
        column_a, column_b, max_span=_table_size_limit(len(column_a) + len(column_b))
    )
    if small is None:
        return None
    low, span = small
    both = parent_pairs(column_a, column_b)
    scans = (both,) if both is not None else (column_a, column_b)
    if low != 0:
        column_a, column_b = column_a - low, column_b - low
        scans = (column_a, column_b)
    present = _mark_present(scans, span)
    # In the ids' own dtype: int64 offsets plus a uint64 low would make
    # float64, which merges ids above 2**53.
    uniques = np.flatnonzero(present).astype(column_a.dtype) + low
    if present.all():
        return (column_a, column_b), uniques
    lookup = np.cumsum(present) - 1
    return (lookup[column_a], lookup[column_b]), uniques


# Ids marked per block when looking for the ids present (see _mark_present).
_PRESENCE_BLOCK = 1 << 16


def _mark_present(scans, span):
    """Which of the ids ``0..span-1`` occur in the arrays of ``scans``.

    Marking beats counting (a bincount makes a pass for the bounds, then one
    of int64 adds; 6e6 ids: 4.7 ms against 6.2).  When there are fewer possible
    ids than a block holds, the marking goes block by block and stops once
    every id is seen: the min and max already bound the ids, so an arena's
    few models are all found in its first block (3e6 battles: 4.7 ms ->
    0.05 ms).  Checking costs ``span`` per block, so wider ranges are marked in
    one pass.
    """
    present = np.zeros(span, dtype=bool)
    if span > _PRESENCE_BLOCK:
        for values in scans:
            present[values] = True
        return present
    for values in scans:
        for start in range(0, len(values), _PRESENCE_BLOCK):
            present[values[start : start + _PRESENCE_BLOCK]] = True
            if present.all():
                return present
    return present


_NO_HASHING = object()  # pandas is not installed: hashing is not available


def _factorise_pair_strings(column_a, column_b):
    """Hash factorisation of string (or object) ids without concatenating them.

    Object columns whose ids repeat a few Python objects are factorised by
    the objects' addresses (see :func:`_pair_codes_by_identity`).  Otherwise
    A's ids are factorised, and B's looked up among A's unique ids: a hash
    probe into a table of K ids costs less than an insertion into a table
    being built, and no 2n-long object array is copied (every element of
    which costs a reference count).  B's ids that A never had (items that
    only ever lost, in winner/loser data) are factorised apart.  The codes
    are then renumbered into the sorted unique ids.
    """
    try:
        import pandas as pd
    except ImportError:
        return _NO_HASHING
    try:
        by_identity = _pair_codes_by_identity(column_a, column_b)
        if by_identity is not _NOT_BY_IDENTITY:
            return by_identity
        codes_a, uniques = pd.factorize(column_a, use_na_sentinel=True)
        codes_b = _object_index(uniques).get_indexer(_object_index(column_b))
        new_in_b = codes_b < 0
        if new_in_b.any():
            codes_new, more = pd.factorize(column_b[new_in_b], use_na_sentinel=True)
            codes_b[new_in_b] = np.where(codes_new < 0, -1, codes_new + len(uniques))
            uniques = np.concatenate([np.asarray(uniques), np.asarray(more)])
        if (codes_a < 0).any() or (codes_b < 0).any():
            return None  # missing ids: the encoder's own rules apply
        renumbered = _sorted_renumbering(uniques)
    except TypeError:  # unhashable or unorderable ids: let the encoder explain
        return None
    if renumbered is None:
        return None
    rank, uniques = renumbered
    dtype = np.result_type(column_a.dtype, column_b.dtype)
    return (rank[codes_a], rank[codes_b]), uniques.astype(dtype, copy=False)


def _sorted_renumbering(uniques):
    """``(rank, sorted uniques)``: code ``k`` becomes ``rank[k]``; None for
    ids of mixed types (an encoder would order them its own way)."""
    if len({type(u) for u in uniques}) > 1:
        return None
    uniques = np.asarray(uniques)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return rank, uniques[order]


_NOT_BY_IDENTITY = object()  # the ids are not a few objects repeated


def _pair_codes_by_identity(column_a, column_b):
    """``factorise_pair_ids`` of object columns that repeat a few objects.

    Returns ``_NOT_BY_IDENTITY`` when they do not (see
    :func:`_distinct_objects`).  The columns of one ``(n, 2)`` array (the
    usual ``X``) are factorised together, and their codes are then the
    columns of one ``(n, 2)`` array too; other columns side by side
    (:func:`_factorise_sides`, each by :func:`factorise_ids`), their few
    unique ids merged.
    """
    both = parent_pairs(column_a, column_b)
    if both is None:
        if not (_repeats_few_objects(column_a) and _repeats_few_objects(column_b)):
            return _NOT_BY_IDENTITY
        return _factorise_sides(column_a, column_b)
    factorised = _sorted_codes_by_identity(both)
    if factorised is None or factorised is _NOT_BY_IDENTITY:
        return factorised
    codes, uniques = factorised
    pairs = codes.reshape(-1, 2)
    dtype = np.result_type(column_a.dtype, column_b.dtype)
    return (pairs[:, 0], pairs[:, 1]), uniques.astype(dtype, copy=False)


# Rows whose objects are counted to decide whether a column repeats a few
# objects (see _repeats_few_objects): 4096 rows held 3,400 of 10,000 items'
# objects, where 65,536 (0.5 ms to count) hold all of them.
_IDENTITY_SAMPLE = 1 << 16


def _factorise_by_identity(values):
    """``(address_codes, codes, uniques)`` of ids that repeat a few objects.

    The ids' codes into ``uniques`` are ``codes[address_codes]``, those of
    ``pandas.factorize(values, use_na_sentinel=True)``; None where
    :func:`_distinct_objects` is.
    """
    distinct = _distinct_objects(values)
    if distinct is None:
        return None
    import pandas as pd

    address_codes, objects = distinct
    codes, uniques = pd.factorize(objects, use_na_sentinel=True)
    return address_codes, codes, np.asarray(uniques, dtype=object)


def _distinct_objects(values):
    """``(address_codes, objects)`` of ids that repeat a few objects, else None.

    ``objects[address_codes]`` is ``values``, object for object, each object
    once in ``objects``, in order of first appearance.  None for arrays not
    of objects, and for columns whose first ``_IDENTITY_SAMPLE`` rows hold
    more than a quarter as many objects (the addresses would only add a
    pass; 10,000 items in 1e6 pairs hold 0.15).

    Ids read from a CSV file by pandas (its parser reuses one string object
    for a repeated value, unless the strings are Arrow-backed) or picked by
    index from an array of names are a few Python objects referenced many
    times.  pandas hashes a Python object at some 90 ns a row (a call to its
    hash, then a comparison); its address is an integer, hashed in some
    7-15 ns (3e6 rows of 150 names: 21-44 ms against 280).  So the
    addresses are factorised, and only the few objects are then hashed by
    value.
    """
    values = np.asarray(values)
    if not _repeats_few_objects(values):
        return None
    import pandas as pd

    address_codes, unique_addresses = pd.factorize(_object_addresses(values))
    return address_codes, values[_first_rows(address_codes, len(unique_addresses))]


def _repeats_few_objects(values):
    """Whether ``values`` is a 1-D object array whose first
    ``_IDENTITY_SAMPLE`` rows hold at most a quarter as many objects."""
    values = np.asarray(values)
    if values.dtype != object or values.ndim != 1:
        return False
    if sys.implementation.name != "cpython":  # addresses are CPython's objects
        return False
    import pandas as pd

    sample = _object_addresses(values[:_IDENTITY_SAMPLE])
    return 4 * len(pd.unique(sample)) <= len(sample)


class _AddressView:
    """An object array's buffer described as unsigned integers (see below).

    Holding the array keeps its objects, hence their addresses, alive for as
    long as the view.
    """

    def __init__(self, values):
        self.values = values
        interface = values.__array_interface__
        self.__array_interface__ = dict(
            interface,
            # Read-only: a write would replace an object without its counts.
            data=(interface["data"][0], True),
            typestr=np.dtype(np.uintp).str,
            descr=[("", np.dtype(np.uintp).str)],
        )


def _object_addresses(values):
    """The addresses of the objects of a 1-D object array, as a ``uintp`` view.

    The array stores one pointer per element: read as integers, no object is
    touched, where reading the elements would write every object's reference
    count.
    """
    return np.asarray(_AddressView(values))


def _first_rows(codes, n_codes):
    """The row of each code's first appearance, for codes numbered by it.

    Block by block, stopping once every code is found (a few hundred ids
    all appear in the first rows).  Numbered by first appearance, code ``k``
    first appears where the running maximum of the codes first reaches ``k``.
    """
    first = np.empty(n_codes, dtype=np.intp)
    found = 0
    for start in range(0, len(codes), _PRESENCE_BLOCK):
        running = np.maximum.accumulate(codes[start : start + _PRESENCE_BLOCK])
        top = int(running[-1]) + 1
        if top > found:
            first[found:top] = start + np.searchsorted(running, np.arange(found, top))
            found = top
        if found == n_codes:
            break
    return first


def parent_pairs(column_a, column_b):
    """The flat contiguous ``(n, 2)`` array whose columns these are, or None."""
    base = column_a.base
    n = len(column_a)
    if (
        base is None
        or base is not column_b.base
        or not isinstance(base, np.ndarray)
        or base.dtype != column_a.dtype
        or base.size != 2 * n
        or not base.flags.c_contiguous
    ):
        return None
    start = base.__array_interface__["data"][0]
    step = base.itemsize
    if (
        column_a.__array_interface__["data"][0] != start
        or column_b.__array_interface__["data"][0] != start + step
        or column_a.strides != (2 * step,)
        or column_b.strides != (2 * step,)
    ):
        return None
    return base.reshape(-1)


def factorise_ids(values):
    """``(codes, sorted uniques)`` of ids, or None when the encoder must decide."""
    kind = values.dtype.kind
    if kind in "iu":
        low, high = values.min(), values.max()
        if int(high) - int(low) < _table_size_limit(len(values)):
            # Dense small ints: a bincount is a linear-time factorisation.
            offset = values - low
            present = np.bincount(offset, minlength=int(high - low) + 1) > 0
            lookup = np.cumsum(present) - 1
            return lookup[offset], (np.flatnonzero(present) + low).astype(values.dtype)
        uniques, codes = np.unique(values, return_inverse=True)
        return codes, uniques
    if kind == "f":
        if np.isnan(values).any():
            return None  # missing ids: the encoder's own rules apply
        uniques, codes = np.unique(values, return_inverse=True)
        return codes, uniques
    if kind in "OUS":
        try:
            import pandas as pd
        except ImportError:
            pd = None
        try:
            if pd is not None:
                by_identity = _sorted_codes_by_identity(values)
                if by_identity is not _NOT_BY_IDENTITY:
                    return by_identity
                # Hashing beats sorting millions of strings.
                codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
                if (codes < 0).any():
                    return None
                if len({type(u) for u in uniques}) > 1:
                    return None  # mixed types: pandas would order them its way
                return codes, np.asarray(uniques, dtype=values.dtype)
            uniques, codes = np.unique(values, return_inverse=True)
            return codes, uniques
        except TypeError:  # unorderable mixed types: let the encoder explain
            return None
    return None


def _sorted_codes_by_identity(values):
    """``factorise_ids`` of object ids that repeat a few objects.

    ``_NOT_BY_IDENTITY`` when they do not (see :func:`_factorise_by_identity`);
    None for missing ids or ids of mixed types.
    """
    factorised = _factorise_by_identity(values)
    if factorised is None:
        return _NOT_BY_IDENTITY
    address_codes, codes, uniques = factorised
    if (codes < 0).any():
        return None
    renumbered = _sorted_renumbering(uniques)
    if renumbered is None:
        return None
    rank, uniques = renumbered
    return rank[codes][address_codes], uniques.astype(values.dtype, copy=False)


def positions_in(values, items):
    """Index of each value in the unique ``items``, -1 where it is not there.

    A hash lookup (``pandas.Index.get_indexer``) for strings and other
    objects, where ``np.searchsorted`` would compare Python objects
    ``log K`` times per value; a table for integers in a small range; a
    binary search otherwise.
    """
    if is_pandas_native(values):
        # Look up the column's few unique ids, not its rows; a missing id's
        # code, -1, picks the -1 appended.
        codes, uniques = _native_codes(values)
        return np.append(positions_in(uniques, items), -1)[codes]
    values, items = np.asarray(values), np.asarray(items)
    if len(items) == 0:
        return np.full(len(values), -1, dtype=np.intp)
    if values.dtype.kind in "OUS" or items.dtype.kind in "OUS":
        try:
            distinct = _distinct_objects(values)
            if distinct is not None:  # look up the few objects, not the rows
                address_codes, objects = distinct
                found = _object_index(items).get_indexer(_object_index(objects))
                return found[address_codes]
            return _object_index(items).get_indexer(_object_index(values))
        except ImportError:
            pass
    if values.dtype.kind in "iu" and items.dtype.kind in "iu" and len(values):
        found = _positions_in_small_range(values, items)
        if found is not None:
            return found
    sorter = np.argsort(items, kind="stable")
    position = sorter[
        np.minimum(np.searchsorted(items, values, sorter=sorter), len(items) - 1)
    ]
    return np.where(items[position] == values, position, -1)


def _positions_in_small_range(values, items):
    """``positions_in`` for integer ids in a small range: one table lookup each.

    None when the ids span too wide a range for a table (then a binary search
    is used).
    """
    low = min(int(values.min()), int(items.min()))
    high = max(int(values.max()), int(items.max()))
    span = high - low + 1
    if span > _table_size_limit(len(values) + len(items)) or max(-low, high) >= 2**62:
        return None
    table = np.full(span, -1, dtype=np.intp)
    table[np.subtract(items, low, dtype=np.intp, casting="unsafe")] = np.arange(
        len(items)
    )
    return table[np.subtract(values, low, dtype=np.intp, casting="unsafe")]


def first_of_runs(sorted_values):
    """Mask of the first element of every run of equal values."""
    first = np.empty(len(sorted_values), dtype=bool)
    first[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=first[1:])
    return first


def pair_keys(a, b, n_items):
    """``a * n_items + b`` in one intp array (what ``bincount`` and ``unique`` take)."""
    keys = np.multiply(a, n_items, dtype=np.intp)
    keys += b
    return keys


def quotient_and_remainder(values, divisor):
    """``np.divmod(values, divisor)`` of an integer array by an integer scalar.

    numpy divides by a scalar with libdivide's multiply-and-shift in
    ``floor_divide``, but not in ``divmod`` or ``remainder``: the remainder
    as ``values - quotient * divisor`` is the same, and 1e6 keys took 9 ms
    against 23.
    """
    quotient = np.floor_divide(values, divisor)
    remainder = np.multiply(quotient, divisor)
    np.subtract(values, remainder, out=remainder)
    return quotient, remainder


# Positions of keys among at most this many cells, or their distinct values,
# are found by marking the cells (two passes over the keys and one over the
# cells), and only while the cells are at most _MARKED_CELLS_PER_KEY a key;
# beyond, by sorting the keys.
_SLOT_CELLS_MAX = 1 << 22
_MARKED_CELLS_PER_KEY = 16


def key_slots(keys, n_cells):
    """``(slot, distinct)``: the sorted distinct ``keys`` (in ``0..n_cells-1``)
    and each key's index among them.

    Few cells a key are marked instead of sorting the keys (an item Laplacian
    of K = 100 with 4,295 pairs: 0.9 -> 0.3 ms).
    """
    if _few_cells(len(keys), n_cells):
        seen = _marked(keys, n_cells)
        slot_of_cell = np.cumsum(seen, dtype=np.intp) - 1
        return slot_of_cell[keys], np.flatnonzero(seen)
    distinct, slot = np.unique(keys, return_inverse=True)
    return slot, distinct


def distinct_keys(keys, n_cells):
    """The sorted distinct ``keys`` (in ``0..n_cells-1``); sorts ``keys`` in place
    unless their cells are few, where they are marked (as in :func:`key_slots`:
    the K = 100 comparison graph's 8,590 edge keys, 0.25 -> 0.05 ms)."""
    if _few_cells(len(keys), n_cells):
        return np.flatnonzero(_marked(keys, n_cells))
    keys.sort()
    return keys[first_of_runs(keys)]


def _few_cells(n_keys, n_cells):
    """Whether marking ``n_cells`` cells beats sorting ``n_keys`` keys."""
    return n_cells <= min(_SLOT_CELLS_MAX, _MARKED_CELLS_PER_KEY * n_keys + (1 << 16))


def _marked(keys, n_cells):
    seen = np.zeros(n_cells, dtype=bool)
    seen[keys] = True
    return seen


def csr_pattern(cells, n_items):
    """``(indptr, indices)`` of the sorted distinct cells ``row * n_items + col``.

    The row pointers are found by searching the cells for each row's first
    one, and the columns are the cells' remainders: one integer division of
    every cell (``divmod``) cost more than a sort (1e6 edges: 18 ms).
    """
    row_starts = np.arange(0, (n_items + 1) * n_items, n_items, dtype=np.intp)
    indptr = np.searchsorted(cells, row_starts)
    return indptr, cells - np.repeat(row_starts[:-1], np.diff(indptr))
