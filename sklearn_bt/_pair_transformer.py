"""PairTransformer: one item-level transformer applied to both halves of a pair."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

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
    column is what the two names share once the part that differs is removed
    (``team``, ``rank``), provided that part is the same for every column
    (``a`` / ``b``, ``winner`` / ``loser``); otherwise the names of the A half
    are used.  Refer to columns by these names inside a ``ColumnTransformer``.

    The output has the inner transformer's features for A, then for B; its
    feature names are prefixed ``A__`` and ``B__``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer
    >>> X = np.array([["ann", "bob"], ["bob", "cid"], ["cid", "ann"], ["ann", "cid"]])
    >>> y = np.ones(len(X))  # winner/loser data: A always won
    >>> model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    >>> model.fit(X, y)[-1].coef_.round(3)  # strengths of ann, bob, cid
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
    def fit(self, X, y=None):
        """Fit the inner transformer on the item rows of both halves.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pair rows ``[x_A | x_B]``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y=None):
        """Fit on the stacked item rows, then transform both halves.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_pairs, 2 * n_item_features)
            Pair rows ``[x_A | x_B]``.
        y : None
            Ignored.

        Returns
        -------
        {ndarray, sparse matrix, DataFrame} of shape (n_pairs, 2 * n_output_features)
            Transformed features of A, then of B.
        """
        half_a, half_b = self._fit(X)
        return self._transform_halves(half_a, half_b)

    def _fit(self, X):
        X = self._validate(X, reset=True)
        d = _check_pair_width(X.shape[1])
        half_a, half_b = _split_halves(X, d, self.item_feature_names_in_)
        inner = (
            _Identity()
            if self.transformer == "passthrough"
            else clone(self.transformer)
        )
        self.transformer_ = inner.fit(_stack(half_a, half_b))
        return half_a, half_b

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

    def _transform_halves(self, half_a, half_b):
        out_a = self.transformer_.transform(half_a)
        out_b = self.transformer_.transform(half_b)
        if sp.issparse(out_a) or sp.issparse(out_b):
            return sp.hstack([out_a, out_b], format="csr")
        if hasattr(out_a, "columns"):  # the inner transformer outputs DataFrames
            import pandas as pd

            names = [str(c) for c in out_a.columns]
            out_a = out_a.set_axis([f"A__{n}" for n in names], axis=1)
            out_b = out_b.set_axis([f"B__{n}" for n in names], axis=1)
            return pd.concat([out_a, out_b.set_axis(out_a.index, axis=0)], axis=1)
        return np.hstack([np.asarray(out_a), np.asarray(out_b)])

    def _validate(self, X, *, reset):
        """Record or check width and names; the inner transformer checks values."""
        if not (hasattr(X, "shape") and hasattr(X, "__getitem__")) or isinstance(
            X, (list, tuple)
        ):
            X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"Expected a 2D array of pair rows, got an array of shape {X.shape}. "
                "Reshape your data so that each row is [x_A | x_B]."
            )
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
                "is required."
            )
        validate_data(self, X, reset=reset, skip_check_array=True)
        if reset:
            d = _check_pair_width(X.shape[1])
            self.item_feature_names_in_ = _item_feature_names(
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


def _item_feature_names(pair_names, d):
    """Item-level column names from the names of the two halves (see Notes)."""
    if pair_names is None:
        return np.asarray([f"x{i}" for i in range(d)], dtype=object)
    names_a, names_b = (
        [str(n) for n in pair_names[:d]],
        [str(n) for n in pair_names[d:]],
    )
    stems, tags = [], set()
    for name_a, name_b in zip(names_a, names_b, strict=True):
        prefix = _common_prefix(name_a, name_b)
        suffix = _common_prefix(
            name_a[len(prefix) :][::-1], name_b[len(prefix) :][::-1]
        )
        end_a = len(name_a) - len(suffix)
        end_b = len(name_b) - len(suffix)
        tags.add((name_a[len(prefix) : end_a], name_b[len(prefix) : end_b]))
        stems.append((prefix + suffix[::-1]).strip("_-. "))
    if len(tags) == 1 and all(stems) and len(set(stems)) == d:
        return np.asarray(stems, dtype=object)
    return np.asarray(names_a, dtype=object)


def _common_prefix(s, t):
    n = 0
    for ch_s, ch_t in zip(s, t, strict=False):
        if ch_s != ch_t:
            break
        n += 1
    return s[:n]
