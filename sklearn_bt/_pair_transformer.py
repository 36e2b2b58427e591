"""PairTransformer: one item-level transformer applied to both halves of a pair."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_consistent_length,
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from ._ids import factorise_pair_ids, is_pandas_native, parent_pairs, positions_in
from ._pair_names import check_item_columns, item_feature_names
from ._ranker import _check_pair_width


class PairTransformer(TransformerMixin, BaseEstimator):
    """Apply one item-level transformer to both halves of pair rows.

    Pair rows are ``[features of item A | features of item B]``.  A transformer
    fitted on those columns directly learns separate parameters for each half:
    a ``StandardScaler`` then scales A and B differently, so that an item no
    longer ties with itself, and on winner/loser data it removes the whole
    signal.  ``PairTransformer`` instead fits the inner transformer once on the
    item rows of both halves stacked, and transforms each half with it, so A
    and B share one set of parameters.

    With ``OneHotEncoder`` inside it turns item ids into the classic
    Bradley-Terry model (one strength per item), sparse all the way; with a
    ``ColumnTransformer`` inside it combines ids and features.

    Parameters
    ----------
    transformer : estimator object or "passthrough", default="passthrough"
        The item-level transformer, with ``fit`` and ``transform``.  It sees
        item rows: ``n_features_in_ / 2`` columns.  When ``X`` is a DataFrame
        it sees DataFrames whose columns carry the item-level names (see
        Notes).

    Attributes
    ----------
    transformer_ : estimator object
        The inner transformer, fitted on the stacked item rows.
    n_features_in_ : int
        Number of columns of the pair rows.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X`` when it is a DataFrame.
    item_feature_names_in_ : ndarray of shape (n_features_in_ / 2,)
        Column names of the item rows given to the inner transformer.

    See Also
    --------
    BradleyTerryRanker : The model these features feed.

    Notes
    -----
    The two halves of a DataFrame usually carry names such as ``team_a`` /
    ``team_b`` or ``winner_rank`` / ``loser_rank``.  The item-level name of each
    column is what the two names share once the part that differs, the tag, is
    removed (``team``, ``rank``), provided that:

    - the tag is made of whole words: words are separated by ``_``, ``-``,
      ``.`` or a space (``a_team``, ``winner_rank``, ``stat_a_mean`` ->
      ``stat_mean``), and, when no such tag fits, also split where lower case
      turns to upper case or letters to digits (``teamA``, ``team1``);
    - the tag is the same for every column (``a`` / ``b``, ``winner`` /
      ``loser``), and what is left is a word, different for every column.

    Otherwise the names of the A half are used: ``winner`` / ``loser`` share
    only a fragment, ``er``, so their item-level name is ``winner``.  Refer to
    columns by these names inside a ``ColumnTransformer``.

    Pair rows are split by position, so the B half must list its columns in
    the order of the A half.  When it has the same columns in another order
    (``length_a, helpful_a, helpful_b, length_b``), ``fit`` raises a
    ValueError with the column selection that puts them in order.

    The output has the inner transformer's features for A, then for B; its
    feature names are prefixed ``A__`` and ``B__``.

    An item unseen in fit, with ``OneHotEncoder(handle_unknown="ignore")``,
    gets an all-zero row: a strength of 0, which for centred item strengths
    (``alpha=0``) is the average item's.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer
    >>> X = np.array([["ann", "bob"], ["bob", "cid"], ["cid", "ann"], ["ann", "cid"]])
    >>> y = np.ones(len(X))  # winner/loser data: A always won
    >>> model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    >>> model.fit(X, y)[-1].coef_.round(3) + 0.0  # strengths of ann, bob, cid
    array([ 0.42,  0.  , -0.42])
    >>> model.predict_proba([["ann", "bob"]]).round(3)
    array([[0.397, 0.603]])
    """

    _parameter_constraints: dict = {
        "transformer": [HasMethods(["fit", "transform"]), StrOptions({"passthrough"})],
    }

    def __init__(self, transformer="passthrough"):
        self.transformer = transformer

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **fit_params):
        """Fit the inner transformer on the item rows of both halves.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pair rows ``[x_A | x_B]``.
        y : None
            Ignored.
        **fit_params : dict
            Parameters of the inner transformer's ``fit``; one value per pair
            (``sample_weight``) is given to both items of the pair.  With
            metadata routing enabled, those the inner transformer requests;
            otherwise only ``sample_weight``, for an inner transformer whose
            ``fit`` takes it.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._fit(X, fit_params)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y=None, **fit_params):
        """Fit on the stacked item rows, then transform both halves.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pair rows ``[x_A | x_B]``.
        y : None
            Ignored.
        **fit_params : dict
            Parameters of the inner transformer's ``fit``, as in :meth:`fit`.

        Returns
        -------
        {ndarray, sparse matrix, DataFrame} of shape (n_pairs, 2 * n_output_features)
            Transformed features of A, then of B.
        """
        fitted = self._fit(X, fit_params)
        if isinstance(fitted, _ItemCodes):
            return _two_hot(fitted, self.transformer_)
        return self._transform_halves(*fitted)

    def get_metadata_routing(self):
        """Metadata routing: what the inner transformer's ``fit`` requests.

        Returns
        -------
        MetadataRouter
        """
        router = MetadataRouter(owner=self)
        if self.transformer != "passthrough":
            router.add(
                transformer=self.transformer,
                method_mapping=MethodMapping()
                .add(caller="fit", callee="fit")
                .add(caller="fit_transform", callee="fit"),
            )
        return router

    def _fit(self, X, fit_params):
        X = self._validate(X, reset=True)
        d = _check_pair_width(X.shape[1])
        half_a, half_b = _split_halves(X, d, self.item_feature_names_in_)
        inner = (
            _Identity()
            if self.transformer == "passthrough"
            else clone(self.transformer)
        )
        n_pairs = X.shape[0]
        if fit_params.get("sample_weight") is not None:
            check_consistent_length(X, fit_params["sample_weight"])
        inner_params = _per_item(self._inner_fit_params(inner, fit_params), n_pairs)
        # The fast path fits on the unique ids: no per-row parameters there.
        ids = None if inner_params else _fast_item_ids(inner, half_a, half_b)
        if ids is None:
            self.transformer_ = inner.fit(_stack(half_a, half_b), **inner_params)
            return half_a, half_b
        # Item ids: factorise once and fit the encoder on the unique ids only,
        # which gives it the same categories at a fraction of the cost.
        codes, uniques = ids
        self.transformer_ = inner.fit(_like_item_column(uniques, half_a))
        return codes

    def _inner_fit_params(self, inner, fit_params):
        """The inner ``fit``'s parameters: routed, or ``sample_weight`` passed on."""
        if _routing_enabled():
            return dict(process_routing(self, "fit", **fit_params).transformer.fit)
        unknown = sorted(set(fit_params) - {"sample_weight"})
        if unknown:
            raise ValueError(
                f"PairTransformer.fit got {unknown}: without metadata routing it "
                "passes only sample_weight to its inner transformer. Call "
                "sklearn.set_config(enable_metadata_routing=True) and request them "
                "on the inner transformer (set_fit_request)."
            )
        if fit_params.get("sample_weight") is None:
            return {}
        if not has_fit_parameter(inner, "sample_weight"):
            raise ValueError(
                "sample_weight was given to PairTransformer, but its inner "
                f"{type(inner).__name__}.fit takes no sample_weight. Give the "
                "weights to the ranker only (in a Pipeline: "
                "bradleyterryranker__sample_weight=...)."
            )
        return {"sample_weight": fit_params["sample_weight"]}

    def transform(self, X):
        """Transform both halves with the shared inner transformer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pair rows ``[x_A | x_B]``.

        Returns
        -------
        {ndarray, sparse matrix, DataFrame} of shape (n_pairs, 2 * n_output_features)
            Transformed features of A, then of B.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        d = _check_pair_width(X.shape[1])
        return self._transform_halves(*_split_halves(X, d, self.item_feature_names_in_))

    def transform_items(self, X_items):
        """Transform single items (one half of a pair row) as each half is.

        Parameters
        ----------
        X_items : {array-like, sparse matrix, DataFrame} of shape \
                (n_items, n_item_features)
            Features of single items; a DataFrame's columns are the item
            features' names (``item_feature_names_in_``) or the A half's.

        Returns
        -------
        {ndarray, sparse matrix, DataFrame} of shape (n_items, n_output_features)
            What the ranker's ``score_items`` takes.
        """
        check_is_fitted(self)
        names = list(self.item_feature_names_in_)
        pair_names = getattr(self, "feature_names_in_", None)
        a_names = names if pair_names is None else pair_names[: len(names)]
        X_items = check_item_columns(X_items, names, a_names)
        if not hasattr(X_items, "columns") and not sp.issparse(X_items):
            X_items = np.asarray(X_items)
            if X_items.ndim == 1:
                X_items = X_items.reshape(-1, 1) if len(names) == 1 else X_items
        if X_items.ndim != 2 or X_items.shape[1] != len(names):
            raise ValueError(
                f"X_items has shape {X_items.shape}, but items have {len(names)} "
                f"feature(s) here ({names}): one row per item, the columns of one "
                "half of a pair row."
            )
        out = self.transformer_.transform(X_items)
        self._check_one_row_per_item(out, X_items.shape[0])
        return out

    def _transform_halves(self, half_a, half_b):
        codes = _known_item_codes(self.transformer_, half_a, half_b)
        if codes is not None:
            return _two_hot(codes, self.transformer_)
        out_a = self.transformer_.transform(half_a)
        out_b = self.transformer_.transform(half_b)
        self._check_one_row_per_item(out_a, half_a.shape[0])
        if sp.issparse(out_a) or sp.issparse(out_b):
            return sp.hstack([out_a, out_b], format="csr")
        if hasattr(out_a, "columns"):  # the inner transformer outputs DataFrames
            import pandas as pd

            names = [str(c) for c in out_a.columns]
            out_a = out_a.set_axis([f"A__{n}" for n in names], axis=1)
            out_b = out_b.set_axis([f"B__{n}" for n in names], axis=1)
            return pd.concat([out_a, out_b.set_axis(out_a.index, axis=0)], axis=1)
        return np.hstack([np.asarray(out_a), np.asarray(out_b)])

    def _check_one_row_per_item(self, out, n_items):
        """Refuse an inner transformer that did not give one row per item.

        Text vectorizers take a 1-D column of documents: given a 2-D half
        they read its column names as the documents, and return one row.
        """
        n_out = out.shape[0]  # arrays, sparse matrices and DataFrames
        if n_out == n_items:
            return
        name = type(self.transformer_).__name__
        columns = list(self.item_feature_names_in_)
        raise ValueError(
            f"{name} returned {n_out} row(s) for {n_items} items: it does not "
            "take a 2-D table of item features (text vectorizers take a 1-D "
            "column of documents). Give it one item column, by name, inside the "
            f'pair transformer: PairTransformer(ColumnTransformer([("{name.lower()}", '
            f"{name}(), {columns[0]!r})])). The item columns are {columns}."
        )

    def _validate(self, X, *, reset):
        """Record or check width and names; the inner transformer checks values."""
        if sp.issparse(X) and not hasattr(X, "__getitem__"):
            X = X.tocsr()  # DIA and the like: split by columns as CSR
        if not (hasattr(X, "shape") and hasattr(X, "__getitem__")) or isinstance(
            X, (list, tuple)
        ):
            X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"Expected a 2D array of pair rows, got an array of shape {X.shape}. "
                "Reshape your data so that each row is [x_A | x_B]."
            )
        for axis, what in ((0, "sample"), (1, "feature")):
            if X.shape[axis] == 0:
                raise ValueError(
                    f"Found array with 0 {what}(s) (shape={X.shape}) while a minimum "
                    "of 1 is required."
                )
        validate_data(self, X, reset=reset, skip_check_array=True)
        if reset:
            d = _check_pair_width(X.shape[1])
            self.item_feature_names_in_ = item_feature_names(
                getattr(self, "feature_names_in_", None), d
            )
        return X

    def get_feature_names_out(self, input_features=None):
        """Output feature names: the inner transformer's, prefixed ``A__`` and ``B__``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored beyond validation; the names come from the fit.

        Returns
        -------
        ndarray of str
            Names of the output columns.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features)
        inner = self.transformer_.get_feature_names_out(self.item_feature_names_in_)
        return np.asarray(
            [f"A__{n}" for n in inner] + [f"B__{n}" for n in inner], dtype=object
        )

    def get_item_feature_names_out(self):
        """Names of the item features that ``BradleyTerryRanker.coef_`` weighs.

        Returns
        -------
        ndarray of str
            The inner transformer's output names (one per entry of ``coef_``).
        """
        check_is_fitted(self)
        return np.asarray(
            self.transformer_.get_feature_names_out(self.item_feature_names_in_),
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags


class _Identity(TransformerMixin, BaseEstimator):
    """The "passthrough" inner transformer."""

    def fit(self, X, y=None):
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        return X

    def get_feature_names_out(self, input_features=None):
        if input_features is None:
            return np.asarray([f"x{i}" for i in range(self.n_features_in_)], object)
        return np.asarray(input_features, dtype=object)


def _per_item(params, n_pairs):
    """Parameters with one value per pair, repeated for the stacked item rows
    of A and B; other parameters as they are."""
    out = {}
    for name, value in params.items():
        if value is not None and not np.isscalar(value) and len(value) == n_pairs:
            value = np.concatenate([np.asarray(value), np.asarray(value)])
        out[name] = value
    return out


def _split_halves(X, d, item_names):
    """Columns of item A and of item B, with the item-level names for DataFrames."""
    if hasattr(X, "iloc"):
        half_a, half_b = X.iloc[:, :d], X.iloc[:, d:]
        return (
            half_a.set_axis(list(item_names), axis=1),
            half_b.set_axis(list(item_names), axis=1),
        )
    if sp.issparse(X):
        X = sp.csr_array(X) if isinstance(X, sp.sparray) else sp.csr_matrix(X)
    return X[:, :d], X[:, d:]


def _stack(half_a, half_b):
    if hasattr(half_a, "iloc"):
        import pandas as pd

        return pd.concat([half_a, half_b], axis=0, ignore_index=True)
    if sp.issparse(half_a):
        return sp.vstack([half_a, half_b], format="csr")
    return np.concatenate([half_a, half_b], axis=0)


class _ItemCodes(tuple):
    """Integer codes of items A and B, indices into the encoder's categories."""


def _simple_one_hot(encoder, half):
    """Whether ``encoder`` is a default-like OneHotEncoder on one id column.

    Only then is the output a plain indicator of the sorted unique ids, which
    the fast path below reproduces exactly.
    """
    if type(encoder) is not OneHotEncoder or half.shape[1] != 1 or sp.issparse(half):
        return False
    params = encoder.get_params()
    return (
        (
            isinstance(params["categories"], str)
            or _sorted_unique_categories(params["categories"]) is not None
        )
        and params["drop"] is None
        and params["min_frequency"] is None
        and params["max_categories"] is None
        and params["sparse_output"]
        and params["feature_name_combiner"] == "concat"
    )


def _sorted_unique_categories(categories):
    """The one column's explicit categories if sorted and unique, else None.

    Then the encoder's columns are in the order of ``np.unique`` of the ids,
    which the fast path reproduces.
    """
    if isinstance(categories, str) or len(categories) != 1:
        return None
    values = np.asarray(categories[0])
    if values.ndim != 1 or len(values) == 0:
        return None
    try:
        increasing = bool(np.all(values[1:] > values[:-1]))
    except TypeError:  # unorderable mixed types
        return None
    return values if increasing else None


def _id_column(half):
    """The one id column of ``half``; a pandas-native column stays a Series.

    Categoricals and Arrow-backed strings are factorised by pandas without a
    conversion row by row (see ``_ids.is_pandas_native``).
    """
    if not hasattr(half, "iloc"):
        return np.asarray(half)[:, 0]
    column = half.iloc[:, 0]
    return column if is_pandas_native(column) else column.to_numpy()


def _fast_item_ids(encoder, half_a, half_b):
    """Codes of A and B and the sorted unique ids, or None to use the encoder."""
    if not _simple_one_hot(encoder, half_a):
        return None
    categories = _sorted_unique_categories(encoder.categories)
    if categories is not None:  # given categories: look the ids up in them
        codes = _codes_in(categories, half_a, half_b)
        return None if codes is None else (codes, categories)
    factorised = factorise_pair_ids(_id_column(half_a), _id_column(half_b))
    if factorised is None:
        return None
    codes, uniques = factorised
    return _ItemCodes(codes), uniques


def _like_item_column(uniques, half):
    """The unique ids as one item column of the same kind as ``half``."""
    if hasattr(half, "iloc"):
        import pandas as pd

        return pd.DataFrame({half.columns[0]: uniques})
    return uniques.reshape(-1, 1)


def _known_item_codes(encoder, half_a, half_b):
    """Codes of ids already among the fitted encoder's categories, else None."""
    if not _simple_one_hot(encoder, half_a):
        return None
    return _codes_in(encoder.categories_[0], half_a, half_b)


def _codes_in(categories, half_a, half_b):
    """Positions of the ids of A and B in ``categories``, or None.

    None when some id is not there (or is missing, or of a kind a lookup
    cannot compare): the encoder's own rules (``handle_unknown``) apply.
    """
    if categories.dtype.kind not in "iuOUS":
        return None
    codes = []
    for half in (half_a, half_b):
        values = _id_column(half)
        if values.dtype.kind not in "iuOUS":
            return None
        try:
            position = positions_in(values, categories)
        except TypeError:
            return None
        if (position < 0).any():
            return None
        codes.append(position)
    return _ItemCodes(codes)


def _two_hot(codes, encoder):
    """``[one-hot(A) | one-hot(B)]`` as CSR, built directly from the codes."""
    codes_a, codes_b = codes
    n_items = len(encoder.categories_[0])
    n = len(codes_a)
    index_dtype = np.int32 if 2 * n_items < 2**31 and 2 * n < 2**31 else np.int64
    parent = parent_pairs(codes_a, codes_b)
    if parent is not None:
        # The codes are the columns of one (n, 2) array (integer ids 0..K-1
        # are their own codes): one contiguous conversion (6e6 codes: 2.9 ms
        # against 4.7 for two strided copies).
        indices = parent.astype(index_dtype)
    else:
        indices = np.empty(2 * n, dtype=index_dtype)
        indices[0::2] = codes_a
        indices[1::2] = codes_b
    indices[1::2] += n_items
    indptr = np.arange(0, 2 * n + 1, 2, dtype=index_dtype)
    data = np.ones(2 * n, dtype=encoder.dtype)
    two_hot = sp.csr_matrix((data, indices, indptr), shape=(n, 2 * n_items))
    # A < n_items <= n_items + B in every row: sorted, no duplicates.  Saying
    # so spares consumers (the ranker) a pass over the indices to find out.
    two_hot.has_canonical_format = True
    return two_hot
