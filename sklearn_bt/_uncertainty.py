"""Standard errors, covariances and bootstrap samples of fitted Bradley-Terry models.

The fitted ranker stores ``hessian_``, the observed Fisher information at the
optimum over ``[coef_, intercept_ (if fitted), extra parameters]``.  Its inverse
is the asymptotic covariance of the estimates, with one catch: item strengths
(one-hot item ids) are defined up to a constant per connected part of the
comparison graph, so without penalty the Hessian is singular along those
directions and only *contrasts* of strengths have a variance.  Two
parameterisations name a contrast per item:

* sum-to-zero (``reference=None``): ``theta_j - mean(theta)`` over the item's
  connected part, the strengths the solver returns;
* relative to a reference item (``reference="Baltimore"``, as R's
  BradleyTerry2 reports them): ``theta_j - theta_ref``, zero for the reference.

Both are computed from one generalised inverse ``G`` of the Hessian: for every
estimable contrast ``c``, ``Var(c . beta) = c' G c`` whatever generalised
inverse is used.  When the null space is known (one-hot items: one direction per
connected part), ``G`` drops one item per part and inverts the rest -- the
reduced graph Laplacian, positive definite -- or, for conjugate gradients,
inverts the Laplacian shifted along its null space.  Only what is asked for is
computed: for a few items (``covariance(model, items=[...])``) a few
conjugate-gradient solves with the sparse Laplacian; for every standard error
the diagonal of the inverse, from a dense Cholesky factor up to 12,000
parameters, and beyond by block conjugate gradients when they converge fast
(random comparison graphs) or else a sparse LU factorisation.  When the
reduced matrix is singular after all (descriptive features that are not
identified), the pseudo-inverse comes from an eigendecomposition.  For tens of
thousands of items, ``method="randomized"`` estimates the diagonal from
random probes instead (see :func:`_randomized_variances`).
"""

import math
import sys
import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from ._exceptions import MLEDoesNotExistWarning, user_stacklevel
from ._graph import pair_count_components
from ._ids import quotient_and_remainder
from ._loss import A_WON, B_WON, TIE, LogisticPairLoss
from ._ranker import BradleyTerryRanker, _dense
from ._solvers import (
    _NULL_EIGVAL_RTOL,
    ItemDesign,
    MatrixDesign,
    _gradient,
    _unpack,
    equilibrated,
    equilibration_scale,
    newton_solve,
    null_of_equilibrated,
    null_shift,
)
from ._words import plural

__all__ = [
    "bootstrap",
    "covariance",
    "estimates",
    "parameter_names",
    "standard_errors",
]

# Up to this many parameters a sparse Hessian is factorised densely right
# away (Cholesky, O(K^3) but fast BLAS); beyond, only what is asked for is
# computed: a few columns by conjugate gradients, the diagonal as below.
_EAGER_DENSE_MAX_PARAMS = 500
# The diagonal of the inverse (all standard errors), or many of its columns,
# is computed densely up to this many parameters: one K x K array, 1.15 GB at
# most (800 MB and some 12 s on one core for K = 10,000).  It beat the sparse
# routes on every graph measured: a random graph (K = 10,000, 1e6
# comparisons) fills its LU factors in (280 s) and needs 40 s of block CG;
# tournaments (ATP, K = 2,600, 6% fill) solve slower by LU than densely.
# Beyond, CG when a first block converges fast, else sparse LU.
_DENSE_INVERSE_MAX_PARAMS = 12_000
# Eigenvalues below this fraction of the largest (equilibrated) span the null
# space: the solver's threshold for the directions it projects out.
_NULL_RTOL = _NULL_EIGVAL_RTOL
# A contrast whose projection on the null space exceeds this is not estimable.
_ESTIMABLE_ATOL = 1e-6
# Right-hand sides per block of CG or LU solves (and rows per block of the
# dense route's loops).
_SOLVE_BLOCK = 128
# Up to this many columns of the inverse, conjugate gradients beat a
# factorisation (whose fill is large on random comparison graphs).
_CG_MAX_COLUMNS = 16
# CG serves the diagonal of a model too large for the dense route when a first
# block of unit vectors converges within this many iterations (some eight on
# random graphs); else the sparse LU factorisation does.
_CG_MAX_ITERATIONS = 40
# CG stops a solve at this residual, relative to the right-hand side, and a
# quadratic form b' A^-1 b when a step adds this fraction: the remainder is
# below the step once the terms fall geometrically.
_CG_RTOL = 1e-12
_CG_QUAD_RTOL = 1e-13
# Largest covariance matrix (q x q) returned without an explicit ``items``.
_MAX_FULL_COVARIANCE = 10_000
# Penalty of the bootstrap refits whose resample has no finite MLE (see
# ``bootstrap``): small enough not to move identified strengths, large enough
# to keep an item with only wins at a finite (large) strength.
BOOTSTRAP_SEPARATION_ALPHA = 1e-3


# ---------------------------------------------------------------------------
# The model's parameters: names, one-hot item groups, null space.
# ---------------------------------------------------------------------------


@dataclass
class _Group:
    """Parameters that one-hot encode one categorical item feature."""

    indices: np.ndarray  # positions in the parameter vector
    categories: np.ndarray  # item label of each position


@dataclass
class _Structure:
    ranker: BradleyTerryRanker
    names: np.ndarray  # one per parameter, in the order of hessian_
    groups: list
    n_coef: int

    @property
    def n_params(self):
        return len(self.names)

    @property
    def n_extra(self):
        return self.n_params - self.n_coef - int(self.ranker.fit_intercept)


def _unwrap(model):
    """The fitted ranker and the steps before it (or None)."""
    # A fitted search (GridSearchCV, ...) stands for its refitted best model.
    model = getattr(model, "best_estimator_", model)
    if isinstance(model, Pipeline):
        ranker, prep = model.steps[-1][1], model[:-1]
    else:
        ranker, prep = model, None
    if not isinstance(ranker, BradleyTerryRanker):
        raise ValueError(
            "model must be a fitted BradleyTerryRanker, a Pipeline ending in one, "
            f"or a fitted search over one; got {type(ranker).__name__}."
        )
    check_is_fitted(ranker)
    if not hasattr(ranker, "hessian_"):
        raise ValueError(
            "the fitted ranker has no hessian_ (the observed Fisher information); "
            "refit it with this version of sklearn_bt."
        )
    return ranker, prep


def _item_feature_names(ranker, prep):
    """Names of the item features weighed by ``coef_``."""
    n_coef = len(ranker.coef_)
    if prep is not None:
        last = prep.steps[-1][1]
        # A step without get_feature_names_out (a FunctionTransformer without
        # feature_names_out, a custom transformer) leaves the names generic.
        try:
            if hasattr(last, "get_item_feature_names_out"):
                names = np.asarray(last.get_item_feature_names_out(), dtype=object)
                if len(names) == n_coef:
                    return names
            names = np.asarray(prep.get_feature_names_out(), dtype=object)
        except (AttributeError, ValueError, TypeError):
            names = None
        if names is not None and len(names) == 2 * n_coef:
            return np.asarray([str(n).removeprefix("A__") for n in names[:n_coef]])
    names_in = getattr(ranker, "feature_names_in_", None)
    if names_in is not None:
        return np.asarray(names_in[:n_coef], dtype=object)
    return np.asarray([f"x{i}" for i in range(n_coef)], dtype=object)


def _encoder_groups(encoder, offset):
    """One group per input feature of a fitted OneHotEncoder (None if it drops)."""
    if getattr(encoder, "drop_idx_", None) is not None or getattr(
        encoder, "_infrequent_enabled", False
    ):
        # A dropped or merged category already fixes the constant: no null space.
        return []
    groups = []
    for categories in encoder.categories_:
        n = len(categories)
        groups.append(_Group(np.arange(offset, offset + n), np.asarray(categories)))
        offset += n
    return groups


def _one_hot_groups(ranker, prep):
    """The one-hot item groups among the coefficients, from the preprocessing."""
    n_coef = len(ranker.coef_)
    if prep is not None:
        inner = getattr(prep.steps[-1][1], "transformer_", None)
        if isinstance(inner, OneHotEncoder):
            return _encoder_groups(inner, 0)
        if isinstance(inner, ColumnTransformer):
            groups = []
            for name, transformer, _ in inner.transformers_:
                if isinstance(transformer, OneHotEncoder):
                    start = inner.output_indices_[name].start
                    groups += _encoder_groups(transformer, start)
            return groups
        return []
    # A bare ranker fitted on one-hot ids: the coefficients' block of its
    # Hessian is a graph Laplacian (plus alpha on the diagonal), whose rows
    # sum to alpha, with or without an intercept or a tie parameter
    # bordering it.  With features, the block of the id columns the fit
    # found among them (without an MLE's penalty only) is.
    columns = getattr(ranker, "_item_columns", None)
    if columns is None:
        columns = np.arange(n_coef)
    H = ranker.hessian_
    H = (H.tocsr() if sp.issparse(H) else np.asarray(H))[columns][:, columns]
    row_sums = np.asarray(H.sum(axis=1)).ravel() - ranker.alpha
    # Relative to the diagonal only: weights of 1e-12 make every entry tiny.
    if len(columns) and np.all(np.abs(row_sums) <= 1e-9 * np.abs(H.diagonal())):
        return [_Group(np.asarray(columns), np.asarray(columns))]
    return []


def _extra_names(ranker, n_extra):
    known = {"davidson": ["log_nu"], "rao-kupper": ["log_log_theta"]}
    names = known.get(ranker.ties, [])
    if len(names) == n_extra:
        return names
    return [f"extra{i}" for i in range(n_extra)]


def _structure(model):
    ranker, prep = _unwrap(model)
    item_names = _item_feature_names(ranker, prep)
    n_coef = len(ranker.coef_)
    n_params = ranker.hessian_.shape[0]
    n_extra = n_params - n_coef - int(ranker.fit_intercept)
    names = list(item_names)
    if ranker.fit_intercept:
        names.append("intercept")
    names += _extra_names(ranker, n_extra)
    groups = _one_hot_groups(ranker, prep)
    if sum(len(g.indices) for g in groups) > n_coef:  # pragma: no cover - defensive
        groups = []
    return _Structure(ranker, np.asarray(names, dtype=object), groups, n_coef)


def _extra_values(ranker, n_extra):
    """Fitted extra parameters on the scale of ``hessian_`` (e.g. ``log nu``)."""
    if n_extra == 0:
        return np.zeros(0)
    value = getattr(ranker, "_tie_extra", None)
    if value is None and hasattr(ranker, "tie_parameter_"):
        # hessian_ holds log(nu) (Davidson) or log(log(theta)) (Rao-Kupper).
        to_internal = {"davidson": np.log, "rao-kupper": lambda t: np.log(np.log(t))}
        if ranker.ties in to_internal:
            value = to_internal[ranker.ties](ranker.tie_parameter_)
    value = None if value is None else np.atleast_1d(np.asarray(value, dtype=float))
    if value is None or len(value) != n_extra or not np.isfinite(value).all():
        raise ValueError(
            f"the ranker has {n_extra} extra parameter(s) in hessian_ but no finite "
            "fitted value for them (tie_parameter_)."
        )
    return value


def _parameter_vector(structure):
    ranker = structure.ranker
    parts = [np.asarray(ranker.coef_, dtype=float)]
    if ranker.fit_intercept:
        parts.append([float(ranker.intercept_)])
    parts.append(_extra_values(ranker, structure.n_extra))
    return np.concatenate(parts)


def parameter_names(model):
    """Names of the fitted parameters, in the order of ``hessian_``.

    Parameters
    ----------
    model : BradleyTerryRanker or Pipeline
        A fitted ranker, or a fitted Pipeline ending in one.

    Returns
    -------
    names : ndarray of str of shape (n_params,)
        The item feature names (``x0_Alice`` for item ids through
        ``PairTransformer(OneHotEncoder())``), then ``"intercept"`` when
        fitted, then the names of extra parameters such as ``"log_nu"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer, parameter_names
    >>> X = np.array([["ann", "bob"], ["bob", "cid"], ["cid", "ann"], ["ann", "cid"]])
    >>> model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    >>> parameter_names(model.fit(X, np.ones(4)))
    array(['x0_ann', 'x0_bob', 'x0_cid'], dtype=object)
    """
    return _structure(model).names.copy()


# ---------------------------------------------------------------------------
# Parameterisation: which contrast each reported parameter is.
# ---------------------------------------------------------------------------


def _components(H, indices):
    """Connected parts of the comparison graph of one item group (index arrays)."""
    if sp.issparse(H):
        block = sp.csr_array(H)[indices, :][:, indices]
    else:
        block = sp.csr_array(np.asarray(H)[np.ix_(indices, indices)])
    block = sp.csr_array(block)
    block.setdiag(0)
    block.eliminate_zeros()
    n_parts, labels = connected_components(block, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_parts + 1))
    return [indices[order[bounds[i] : bounds[i + 1]]] for i in range(n_parts)]


def _find_item(structure, label):
    """Position of an item in the parameter vector, by feature name or item label."""
    names = structure.names.tolist()
    matches = [i for i, name in enumerate(names) if name == label]
    if not matches:
        for exact in (True, False):
            for group in structure.groups:
                for position, category in zip(
                    group.indices, group.categories.tolist(), strict=True
                ):
                    same = category == label if exact else str(category) == str(label)
                    if same:
                        matches.append(int(position))
            if matches:
                break
    if len(matches) > 1:
        raise ValueError(
            f"{label!r} names {len(matches)} parameters "
            f"({', '.join(names[i] for i in matches)}); give the feature name."
        )
    if not matches:
        shown = ", ".join(str(n) for n in names[:5])
        raise ValueError(
            f"{label!r} is not an item of the model (its parameters are {shown}"
            f"{' ...' if len(names) > 5 else ''}); give an item label or a feature "
            "name from parameter_names(model)."
        )
    return matches[0]


@dataclass
class _Parameterisation:
    """Each reported parameter is ``beta_j - v_j . beta`` with ``v_j`` a column of V.

    ``which[j] = -1`` means no offset (``beta_j`` itself).  The columns of V are
    the averaging vectors of the connected parts (sum-to-zero) and, with a
    reference item, its unit vector.
    """

    # Sparse when large: the columns of V and of null live on disjoint sets
    # of items, so a graph of thousands of parts costs no n_params x n_parts
    # array (see _sparse_columns).
    V: np.ndarray | sp.csc_array  # (n_params, n_offsets)
    which: np.ndarray  # (n_params,) column of V, or -1
    null: np.ndarray | sp.csc_array  # (n_params, n_null) orthonormal basis
    drop: np.ndarray  # one item per null direction: dropped by the g-inverse
    reference: int | None
    # Parameters no comparison informs: dropped too, never estimable.
    unidentified: np.ndarray = None
    # Orthonormal indicators of every connected part of each item group (the
    # null basis without alpha and without the uninformed items).
    parts: np.ndarray | sp.csc_array = None

    def contrasts(self, positions):
        """The contrast vectors of the given parameters, as columns."""
        C = np.zeros((self.V.shape[0], len(positions)))
        C[positions, np.arange(len(positions))] = 1.0
        has = self.which[positions] >= 0
        C[:, has] -= _dense(self.V[:, self.which[positions][has]])
        return C

    def contrasts_sound(self, positions, sound):
        """Whether ``sound`` holds for every parameter that the contrast of
        each of ``positions`` involves (without building the contrasts)."""
        # Per column of V: whether it averages over some unsound parameter.
        averages_unsound = (abs(self.V).T @ (~sound).astype(float)) > 0
        which = self.which[positions]
        out = sound[positions].copy()
        has = which >= 0
        out[has] &= ~averages_unsound[which[has]]
        # A contrast of zero (the reference's own, an item alone in its
        # part) involves nothing.
        out[self.zero_contrasts(positions)] = True
        return out

    def zero_contrasts(self, positions):
        """Whether the contrast of each of ``positions`` is zero: ``v_j`` is
        the unit vector of the parameter itself."""
        which = self.which[positions]
        has = which >= 0
        out = np.zeros(len(positions), dtype=bool)
        w = which[has]
        V = self.V
        if not sp.issparse(V):
            single = np.count_nonzero(V, axis=0)[w] == 1
            out[has] = single & (V[np.asarray(positions)[has], w] == 1.0)
            return out
        single = np.diff(V.indptr)[w] == 1
        first = np.minimum(V.indptr[w], max(len(V.indices) - 1, 0))
        out[has] = (
            single
            & (V.indices[first] == np.asarray(positions)[has])
            & (V.data[first] == 1.0)
        )
        return out

    def apply(self, params):
        """Reported parameters from raw ones; ``params`` may be (n_samples, p)."""
        params = np.asarray(params, dtype=float)
        offsets = (self.V.T @ params.T).T
        out = params.copy()
        has = self.which >= 0
        out[..., has] -= offsets[..., self.which[has]]
        return out


def _parameterisation(structure, reference, centre_on=None):
    """Item strengths relative to ``reference``, or centred per connected part:
    on the items of ``centre_on`` (a mask over the parameters) it holds, or
    on all the part's items."""
    H = structure.ranker.hessian_
    p = structure.n_params
    ref = None if reference is None else _find_item(structure, reference)
    columns, which = [], np.full(p, -1)
    # The columns of V (averages) and of the null basis, as (rows, values):
    # see _sparse_columns.
    null_columns, drop, part_columns = [], [], []
    ref_group = None
    # A one-hot column that no comparison informs (an item never compared, a
    # match-level category copied into both halves): centred alone it would
    # be 0 +- 0.  Left uncentred, it is what the data say: not identified
    # (alpha = 0), or its prior (alpha > 0).
    alpha = structure.ranker.alpha
    uninformed = np.asarray(H.diagonal()).ravel() <= alpha * (1 + 1e-12)
    # Parameters no comparison informs (a zero row of the Hessian): with
    # alpha = 0 each is a null direction of its own, dropped by the
    # g-inverse and not estimable; known here rather than found by an
    # eigendecomposition (1,000 such items among 2,639: 6 s), and kept out of
    # the null basis, which would otherwise take a column of n_params each.
    unidentified = np.zeros(p, dtype=bool)
    for group in structure.groups:
        if ref is not None and ref in group.indices:
            ref_group = group
        parts = _components(H, group.indices)
        for part in parts:
            part_columns.append((part, np.full(len(part), 1.0 / np.sqrt(len(part)))))
            if len(part) == 1 and uninformed[part[0]] and part[0] != ref:
                unidentified[part[0]] = True
                drop.append(int(part[0]))
                continue
            null_columns.append(part_columns[-1])
            drop.append(ref if ref is not None and ref in part else int(part[0]))
        if ref_group is group:
            continue
        for part in _centring_parts(structure.ranker, group.indices, parts):
            if len(part) == 1 and uninformed[part[0]]:
                continue  # centred alone it would be 0 +- 0: left as it is
            which[part] = len(columns)
            centre = part
            if centre_on is not None and centre_on[part].any():
                centre = part[centre_on[part]]
            columns.append((centre, np.full(len(centre), 1.0 / len(centre))))
    if ref is not None:
        if ref_group is None:
            raise ValueError(
                f"reference {reference!r} is not an item (a one-hot encoded id); "
                "strengths can be made relative to items only."
            )
        which[ref_group.indices] = len(columns)
        columns.append((np.array([ref]), np.ones(1)))
    V = _sparse_columns(columns, p)
    null = _sparse_columns(null_columns, p)
    if structure.ranker.alpha > 0:
        null, drop, unidentified = _sparse_columns([], p), [], np.zeros(p, dtype=bool)
    return _Parameterisation(
        V,
        which,
        null,
        np.asarray(drop, dtype=np.intp),
        ref,
        unidentified,
        _sparse_columns(part_columns, p),
    )


_DENSE_COLUMNS_MAX_ENTRIES = 1 << 18


def _sparse_columns(columns, n_rows):
    """A matrix from its columns, each ``(row indices, values)``: dense up to
    ``_DENSE_COLUMNS_MAX_ENTRIES`` (sparse products cost more on small
    boards), else CSC."""
    if len(columns) * n_rows <= _DENSE_COLUMNS_MAX_ENTRIES:
        out = np.zeros((n_rows, len(columns)))
        for j, (rows, values) in enumerate(columns):
            out[rows, j] = values
        return out
    rows = np.concatenate([np.asarray(r, dtype=np.intp) for r, _ in columns])
    values = np.concatenate([v for _, v in columns])
    indptr = np.zeros(len(columns) + 1, dtype=np.intp)
    np.cumsum([len(r) for r, _ in columns], out=indptr[1:])
    out = sp.csc_array((values, rows, indptr), shape=(n_rows, len(columns)))
    out.sort_indices()
    return out


def _centring_parts(ranker, indices, hessian_parts):
    """The parts of an item group whose strengths are centred together.

    The connected parts of the comparison graph.  Without an MLE the
    Hessian (at the limit the fit returns) links only the items of one
    strongly connected component, and its parts are those components; the
    fit records the graph's own parts, over which its strengths stay
    comparable (every item set apart from the largest component as far as
    the fit put it).
    """
    labels = getattr(ranker, "_limit_parts", None)
    if labels is None:
        return hessian_parts
    labels = labels[indices]
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(indices[order], bounds)


# ---------------------------------------------------------------------------
# A generalised inverse of the Hessian.
# ---------------------------------------------------------------------------


class _GInverse:
    """``G`` with ``c' G c = Var(c . beta)`` for every estimable contrast ``c``.

    Which generalised inverse ``G`` is depends on the route, chosen on first
    use and then kept, so that the diagonal and the solves of one object (the
    two halves of a sum-to-zero variance) come from the same ``G``:

    * ``"dense"``: the inverse of the *reduced* Hessian (the rows and columns
      in ``drop`` removed; zero there), by a dense Cholesky factorisation
      turned in place into a triangular ``F`` with ``G = F' F``.  Its
      diagonal is the column norms of ``F``: ``2 m^3 / 3`` flops of fast
      BLAS and one ``m x m`` array, no full inverse.
    * ``"pinv"``: the Moore-Penrose pseudo-inverse, when the reduced matrix
      is singular after all (``null`` then comes from its eigenvectors).
    * ``"cg"``: the inverse of the full Hessian shifted along its null space
      (:func:`_shifted_operator`), by Jacobi-preconditioned conjugate
      gradients on blocks of right-hand sides.  It serves a few columns of a
      large model, and the diagonal of models too large for the dense route
      when a first block converges fast: on random comparison graphs
      (expanders) any factorisation fills in, but CG needs some eight
      iterations, in ``O(nnz + m * block)`` memory.
    * ``"lu"``: the inverse of the reduced Hessian by a sparse LU
      factorisation: large graphs on which CG is slow (sparse, clustered
      ones, whose factors stay sparse).
    """

    def __init__(self, H, drop, null):
        self.p = H.shape[0]
        self.null = null
        self.keep = np.setdiff1d(np.arange(self.p), drop)
        self._H = H
        self._route = None
        self._factor = self._inverse = self._lu = self._shifted = None
        self._blocks = None  # index sets of the diagonal blocks (False: one)
        self._M = (H.tocsr() if sp.issparse(H) else np.asarray(H, dtype=float))[
            self.keep, :
        ][:, self.keep]
        if not sp.issparse(H) or len(self.keep) <= _EAGER_DENSE_MAX_PARAMS:
            # Dense anyway, or small: factorise now, which also detects a
            # Hessian singular beyond the known null space.
            self._use_dense()

    def _dense_size(self):
        """The order of a dense matrix of as many entries as the dense
        factors of the reduced Hessian's diagonal blocks would take."""
        if self._blocks is None:
            self._blocks = _diagonal_blocks(self._M)
        if self._blocks is False:
            return len(self.keep)
        return math.sqrt(sum(len(block) ** 2 for block in self._blocks))

    def _use_dense(self):
        M, self._M = self._M, None  # overwritten by its factor
        try:
            if self._blocks is None:
                self._blocks = _diagonal_blocks(M)
            blocks = self._blocks or None
            if blocks is None:
                self._factor = _inverse_factor(M.toarray() if sp.issparse(M) else M)
            else:
                self._factor = _BlockFactor(M, blocks)
            self._route = "dense"
        except np.linalg.LinAlgError as exc:
            # Singular beyond the known null space (an unidentified feature,
            # collinear columns): fall back to the pseudo-inverse, if dense
            # is affordable (the blocks' factors may have been, p x p not).
            if self.p > _DENSE_INVERSE_MAX_PARAMS:
                raise ValueError(_singular_message(self.p)) from exc
            H = self._H.toarray() if sp.issparse(self._H) else np.asarray(self._H)
            self._pseudo_inverse(H)

    def _pseudo_inverse(self, dense):
        # In equilibrated units (see equilibrated): G = S pinv(S H S) S is a
        # generalised inverse of H, which every estimable contrast may use.
        scaled, scale = equilibrated(dense)
        eigval, eigvec = scipy.linalg.eigh(scaled)
        null = eigval <= _NULL_RTOL * max(eigval[-1], np.finfo(float).tiny)
        self.null = null_of_equilibrated(eigvec[:, null], scale)
        kept = eigvec[:, ~null] * scale[:, None]
        self._inverse = (kept / eigval[~null]) @ kept.T
        self.keep = np.arange(self.p)
        self._route = "pinv"

    def _use_direct(self):
        """The dense route up to ``_DENSE_INVERSE_MAX_PARAMS``, else sparse LU."""
        if self._dense_size() <= _DENSE_INVERSE_MAX_PARAMS:
            self._use_dense()
            return
        try:
            # A symmetric fill-reducing ordering suits the Laplacian.
            self._lu = splu(sp.csc_array(self._M), permc_spec="MMD_AT_PLUS_A")
        except RuntimeError as exc:
            raise ValueError(_singular_message(self.p)) from exc
        self._route = "lu"

    def _try_cg(self, R, quadratic, max_iter, rtol=_CG_RTOL):
        """CG on a first block; on success the route is CG from now on.

        Returns the block's result (see :func:`_block_cg`), or None with the
        route still open.
        """
        if self._shifted is None:
            self._shifted = _shifted_operator(self._H, self.null)
        if not np.all(self._shifted[1] > 0):  # no Jacobi step: not definite
            return None
        result = _block_cg(
            *self._shifted, R, quadratic=quadratic, max_iter=max_iter, rtol=rtol
        )
        if result is not None:
            self._route = "cg"
            self.keep = np.arange(self.p)
        return result

    def _cg(self, R, quadratic=False):
        """``G R``, or with ``quadratic`` the diagonal of ``G``, by blocks of CG.

        The route was chosen because CG converged: a block that does not
        (within ``10 p`` iterations) means the matrix is singular.
        """
        n = self.p if quadratic else R.shape[1]
        parts = []
        for start in range(0, n, _SOLVE_BLOCK):
            stop = min(start + _SOLVE_BLOCK, n)
            rhs = _unit_vectors(self.p, start, stop) if quadratic else R[:, start:stop]
            result = _block_cg(
                *self._shifted, rhs, quadratic=quadratic, max_iter=10 * self.p
            )
            if result is None:
                raise ValueError(_singular_message(self.p))
            parts.append(result)
        return np.concatenate(parts, axis=-1)

    def _choose_route(self, probe, quadratic):
        """Fix the route for a diagonal or many columns of ``G``.

        Dense up to ``_DENSE_INVERSE_MAX_PARAMS`` parameters (counted as the
        entries of the diagonal blocks' factors: each is factorised alone);
        beyond, CG when
        ``probe`` (a first block of right-hand sides) converges within
        ``_CG_MAX_ITERATIONS``, else sparse LU.
        """
        if self._dense_size() > _DENSE_INVERSE_MAX_PARAMS:
            self._try_cg(probe, quadratic=quadratic, max_iter=_CG_MAX_ITERATIONS)
        if self._route is None:
            self._use_direct()

    def solve(self, M):
        """``G @ M`` for a dense ``M`` of shape (p, q)."""
        q = M.shape[1]
        if not q:
            return np.zeros((self.p, 0))
        if self._route is None and q <= _CG_MAX_COLUMNS:
            # A few columns: CG, however many iterations they take.
            solved = self._try_cg(M, quadratic=False, max_iter=10 * self.p)
            if solved is not None:
                return solved
        if self._route is None:
            self._choose_route(M[:, :_SOLVE_BLOCK], quadratic=False)
        if self._route == "cg":
            return self._cg(M)
        out = np.zeros((self.p, q))
        kept = M[self.keep]
        if self._route == "dense":
            out[self.keep] = _factor_solve(self._factor, kept)
        elif self._route == "pinv":
            out[self.keep] = self._inverse @ kept
        else:
            out[self.keep] = self._lu.solve(np.asfortranarray(kept))
        return out

    def diag(self):
        """The diagonal of ``G``."""
        if self._route is None:
            probe = _unit_vectors(self.p, 0, min(_SOLVE_BLOCK, self.p))
            self._choose_route(probe, quadratic=True)
        if self._route == "cg":
            return self._cg(None, quadratic=True)
        out = np.zeros(self.p)
        if self._route == "dense":
            out[self.keep] = _column_norms2(self._factor)
        elif self._route == "pinv":
            out[self.keep] = np.diagonal(self._inverse)
        else:
            out[self.keep] = self._lu_diag()
        return out

    def _lu_diag(self):
        m = len(self.keep)
        out = np.empty(m)
        for start in range(0, m, _SOLVE_BLOCK):
            stop = min(start + _SOLVE_BLOCK, m)
            block = self._lu.solve(np.asfortranarray(_unit_vectors(m, start, stop)))
            out[start:stop] = block[np.arange(start, stop), np.arange(stop - start)]
        return out


def _singular_message(p):
    return (
        f"the Hessian of {p:,} parameters is singular beyond the item constants "
        "known to it (an unidentified feature, or, for a ranker passed without "
        "its Pipeline, item strengths whose constant nothing fixes); pass the "
        "fitted Pipeline, whose encoder names the items, or set alpha > 0."
    )


def _diagonal_blocks(M):
    """The index sets of the diagonal blocks of a sparse ``M``, or False for one.

    The Hessian of a comparison graph of many parts (thousands of separate
    experiments, each a pair) is block diagonal once an item of each part is
    dropped: each block is factorised alone, in the cube of its own size.
    """
    if not sp.issparse(M) or M.shape[0] < 2:
        return False
    n_blocks, labels = connected_components(sp.csr_array(M), directed=False)
    if n_blocks == 1:
        return False
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, bounds)


class _BlockFactor:
    """:func:`_inverse_factor` of each diagonal block of a block-diagonal ``M``.

    Blocks of one parameter (the common case: a part of two items, one of
    them dropped) are inverted together, without a LAPACK call each.
    """

    def __init__(self, M, blocks):
        M = sp.csr_array(M)
        single = [block for block in blocks if len(block) == 1]
        self.single = np.concatenate(single) if single else np.zeros(0, np.intp)
        diagonal = M.diagonal()[self.single]
        if not np.all(diagonal > 0):
            raise np.linalg.LinAlgError("the Hessian is singular")
        self.single_factor = 1.0 / np.sqrt(diagonal)
        self.blocks = [block for block in blocks if len(block) > 1]
        self.factors = [
            _inverse_factor(M[block][:, block].toarray()) for block in self.blocks
        ]
        self.size = M.shape[0]

    def column_norms2(self):
        out = np.empty(self.size)
        out[self.single] = self.single_factor**2
        for block, F in zip(self.blocks, self.factors, strict=True):
            out[block] = _column_norms2(F)
        return out

    def solve(self, R):
        out = np.empty(R.shape)
        out[self.single] = self.single_factor[:, None] ** 2 * R[self.single]
        for block, F in zip(self.blocks, self.factors, strict=True):
            out[block] = _factor_solve(F, R[block])
        return out


def _unit_vectors(n, start, stop):
    """The columns ``start`` to ``stop`` of the n x n identity."""
    out = np.zeros((n, stop - start))
    out[np.arange(start, stop), np.arange(stop - start)] = 1.0
    return out


def _equilibrate_in_place(M):
    """Scale ``M``'s rows and columns to a unit diagonal, in place; return the scale."""
    scale = equilibration_scale(M)
    M *= scale[:, None]
    M *= scale[None, :]
    return scale


def _inverse_factor(M):
    """Lower-triangular ``F`` with ``M^-1 = F' F``, computed in the memory of ``M``.

    ``M`` (symmetric positive definite, C-ordered) is overwritten: its
    transpose is the same matrix in the Fortran order LAPACK works in, so the
    Cholesky factor ``M = U' U`` (``potrf``) and its inverse ``U^-1``
    (``trtri``) need no copy.  ``U^-1`` is LAPACK's upper triangle, hence our
    lower one, transposed: ``F = U^-T`` and ``M^-1 = U^-1 U^-T = F' F``.
    Raises LinAlgError if ``M`` is not positive definite, or singular to
    working precision: in equilibrated units (diagonal scaled to ones, see
    :func:`equilibrated`), a reciprocal condition number below
    ``_NULL_RTOL``.  (A Cholesky factorisation of a singular matrix can
    succeed on rounding errors and give variances of 1e12, or negative ones.)
    """
    m = M.shape[0]
    if m == 0:
        return M
    scale = _equilibrate_in_place(M)
    # The 1-norm (M is symmetric: its row sums), by row blocks: np.abs(M)
    # would be a second m x m array (800 MB at 10,000 items).
    norm = max(
        np.abs(M[start : start + _SOLVE_BLOCK]).sum(axis=1).max()
        for start in range(0, m, _SOLVE_BLOCK)
    )
    lapack = scipy.linalg.lapack
    factor, info = lapack.dpotrf(M.T, lower=0, clean=0, overwrite_a=1)
    if info == 0:
        rcond, info = lapack.dpocon(factor, norm)
        if info == 0 and not rcond > _NULL_RTOL:
            info = -1
    if info == 0:
        factor, info = lapack.dtrtri(factor, lower=0, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError("the Hessian is singular")
    F = factor.T
    # (S M S)^-1 = F' F, so M^-1 = (F S)' (F S).
    F *= scale[None, :]
    # LAPACK left the other triangle as it was: clear it, by row blocks.
    for start in range(0, m, _SOLVE_BLOCK):
        stop = min(start + _SOLVE_BLOCK, m)
        F[start:stop, stop:] = 0.0
        F[start:stop, start:stop] = np.tril(F[start:stop, start:stop])
    return F


def _factor_solve(F, R):
    """``F' F R`` for the factor of :func:`_inverse_factor`, by two ``trmm``.

    ``F' = W`` (LAPACK's upper-triangular ``U^-1``), so ``F' F R = W (W' R)``:
    triangular products, half the flops of general ones.
    """
    if isinstance(F, _BlockFactor):
        return F.solve(R)
    if not F.size:
        return np.zeros_like(R, dtype=float)
    W = F.T
    trmm = scipy.linalg.blas.dtrmm
    return trmm(1.0, W, trmm(1.0, W, np.asfortranarray(R), trans_a=1), overwrite_b=1)


def _column_norms2(F):
    """Squared column norms of ``F``, by row blocks (no temporary of its size)."""
    if isinstance(F, _BlockFactor):
        return F.column_norms2()
    out = np.zeros(F.shape[1])
    for start in range(0, F.shape[0], _SOLVE_BLOCK):
        rows = F[start : start + _SOLVE_BLOCK]
        out += np.einsum("ij,ij->j", rows, rows)
    return out


def _shifted_operator(H, null):
    """``A = H + C C'``, whose inverse is a generalised inverse of ``H``; and diag(A).

    One column of ``C`` per null direction ``n`` of ``H``: ``D n`` scaled
    to ``n' C = sqrt(n' D n)``, with ``D`` the diagonal of ``H``.  Any ``C``
    with ``N' C`` non-singular makes ``H (H + C C')^-1 H = H`` (apply ``N'``
    to ``(H + C C') x = H y``: ``C' x = 0``, so ``H x = H y``).  This one
    also keeps the Jacobi-preconditioned spectrum tight: on a connected
    Laplacian, ``D^-1/2 A D^-1/2`` is the normalised Laplacian with its zero
    eigenvalue moved to one.  Dropping an item instead (the reduced matrix)
    leaves an eigenvalue near ``1 / K``, which stalls CG for a few iterations.
    """
    H = sp.csr_array(H)
    d = H.diagonal()
    if not null.shape[1]:
        return (lambda P: H @ P), d
    # Each column of null lives on one connected part: C stays sparse.
    C = sp.csr_array(null_shift(sp.csc_array(null), d))
    diag = d + np.asarray(C.multiply(C).sum(axis=1)).ravel()
    return (lambda P: H @ P + C @ (C.T @ P)), diag


def _column_dots(A, B):
    """``sum_i A_ij B_ij`` per column, sparse or dense."""
    if sp.issparse(A) or sp.issparse(B):
        product = A.multiply(B) if sp.issparse(A) else B.multiply(A)
        return np.asarray(product.sum(axis=0)).ravel()
    return np.einsum("ij,ij->j", A, B)


def _block_cg(apply, diag, B, *, quadratic, max_iter, rtol=_CG_RTOL):
    """Jacobi-preconditioned conjugate gradients on every column of ``B`` at once.

    Parameters
    ----------
    apply : callable
        ``A @ P`` for a block ``P``; ``A`` symmetric positive definite.
    diag : ndarray of shape (n,)
        The diagonal of ``A`` (the preconditioner).
    B : ndarray of shape (n, q)
        Right-hand sides.
    quadratic : bool
        Return the quadratic forms ``b' A^-1 b`` only: each CG step adds
        ``alpha r' z`` to ``b' x`` (``x_0 = 0``), the remainder ``||x* -
        x||_A^2`` shrinks with the square of the error, and a column stops
        when its step adds less than ``_CG_QUAD_RTOL`` of its sum.  Otherwise
        return the solutions, each stopped at a residual ``rtol`` times
        its right-hand side.
    max_iter : int
    rtol : float

    Returns
    -------
    values : ndarray of shape (q,) or (n, q), or None
        None when a column did not converge (or ``A`` is not positive
        definite along it).
    """
    n, q = B.shape
    out = np.zeros(q) if quadratic else np.zeros((n, q))
    active = np.flatnonzero(np.any(B != 0, axis=0))  # zero columns: zero
    R = B[:, active].copy()
    X = None if quadratic else np.zeros_like(R)
    Z = R / diag[:, None]
    P = Z.copy()
    rz = np.einsum("ij,ij->j", R, Z)
    quad = np.zeros(len(active))
    target = rtol * np.linalg.norm(R, axis=0)
    for _ in range(max_iter):
        if not len(active):
            return out
        Q = apply(P)
        pq = np.einsum("ij,ij->j", P, Q)
        if not np.all(pq > 0):
            return None
        alpha = rz / pq
        R -= alpha * Q
        Z = R / diag[:, None]
        rz_new = np.einsum("ij,ij->j", R, Z)
        if quadratic:
            step = alpha * rz
            quad += step
            done = (step <= _CG_QUAD_RTOL * quad) | (rz_new == 0)
            out[active[done]] = quad[done]
        else:
            X += alpha * P
            done = np.linalg.norm(R, axis=0) <= target
            out[:, active[done]] = X[:, done]
        if done.any():
            # Converged columns leave the block.
            left = ~done
            active, quad, target = active[left], quad[left], target[left]
            rz, rz_new = rz[left], rz_new[left]
            R, Z, P = R[:, left], Z[:, left], P[:, left]
            X = None if X is None else X[:, left]
        P = Z + (rz_new / rz) * P
        rz = rz_new
    return out if not len(active) else None


_COV_TYPES = ("auto", "model", "sandwich")


def _check_cov_type(cov_type):
    if not (isinstance(cov_type, str) and cov_type in _COV_TYPES):
        raise ValueError(
            f"cov_type must be one of {list(_COV_TYPES)}; got {cov_type!r}."
        )


def _ginverse(structure, param, cov_type="auto", positions=None):
    """The covariance to use, as an operator: the inverse Hessian, or the
    sandwich (``cov_type``; see :func:`standard_errors`).  With "auto", the
    sandwich if it is sound for every parameter that the contrasts of
    ``positions`` (None: all) involve.
    """
    ginv = _GInverse(structure.ranker.hessian_, param.drop, param.null)
    ranker = structure.ranker
    if cov_type == "sandwich" and getattr(ranker, "_half_win_meat", None) is None:
        raise ValueError(
            "cov_type='sandwich' needs a fit with ties='half' and ties in y (for "
            "features, with a finite maximum-likelihood estimate): only there does "
            "the fit keep the scores' outer products. Other fits maximise their "
            "likelihood, whose covariance is the inverse Hessian: use "
            "cov_type='model' or 'auto'."
        )
    sound = sandwich_params(ranker, cov_type)
    if positions is not None:
        sound = param.contrasts_sound(positions, sound)
    if len(sound) and sound.all():
        return _Sandwich(ginv, ranker._half_win_meat)
    return ginv


def sandwich_params(ranker, cov_type):
    """Which parameters ``cov_type`` gives the sandwich variance (a mask in
    the order of ``hessian_``)."""
    n = ranker.hessian_.shape[0]
    meat = getattr(ranker, "_half_win_meat", None)
    if meat is None or cov_type == "model":
        return np.zeros(n, dtype=bool)
    if cov_type == "sandwich":
        return np.ones(n, dtype=bool)
    sound = getattr(ranker, "_sandwich_params", None)
    if sound is None:  # pickled before: the sandwich whenever kept
        return np.ones(n, dtype=bool)
    return np.asarray(sound, dtype=bool)


class _Sandwich:
    """``S = G J G``: the sandwich covariance of a ``ties="half"`` fit.

    ``G`` is a generalised inverse of the Hessian (:class:`_GInverse`) and
    ``J`` the sum of the outer products of the comparisons' scores.  For an
    estimable contrast ``c``, ``c' S c`` does not depend on which generalised
    inverse ``G`` is (``J`` has the null space of the design).  The diagonal
    takes one solve per parameter: ``S_kk = (G e_k)' J (G e_k)``.
    """

    def __init__(self, ginv, meat):
        self._ginv = ginv
        self._meat = meat

    @property
    def null(self):
        return self._ginv.null  # the route may refine it on first use

    def solve(self, M):
        """``S @ M`` for a dense ``M`` of shape (p, q)."""
        return self._ginv.solve(np.asarray(self._meat @ self._ginv.solve(M)))

    def diag(self):
        p = self._ginv.p
        out = np.empty(p)
        for start in range(0, p, _SOLVE_BLOCK):
            stop = min(start + _SOLVE_BLOCK, p)
            X = self._ginv.solve(_unit_vectors(p, start, stop))
            out[start:stop] = np.einsum("ij,ij->j", X, np.asarray(self._meat @ X))
        return out


def _estimable(ginv, param, positions):
    """Which reported parameters are contrasts in the row space of the design.

    ``N' (e_j - v_j)`` is read off the null basis ``N`` without building the
    contrast vectors (each has norm between 1 and 2).
    """
    N = ginv.null
    estimable = np.ones(len(positions), dtype=bool)
    which = param.which[positions]
    has = which >= 0
    if param.unidentified is not None and param.unidentified.any():
        # A contrast that involves one: the parameter itself, or an average
        # over a part it is in.
        estimable &= ~param.unidentified[positions]
        estimable &= param.contrasts_sound(positions, ~param.unidentified)
    if N.shape[1] == 0:
        return estimable
    # Rows of N, and of N' V for the averages: sparse when N is (the
    # structural basis), dense after an eigendecomposition found it.
    N = sp.csr_array(N) if sp.issparse(N) else np.asarray(N)
    projection = N[positions]
    averages = sp.csr_array(param.V.T @ N) if sp.issparse(N) else param.V.T @ N
    offsets = averages[which[has]]
    if sp.issparse(N):
        projection = sp.csr_array(projection)
        moved = sp.csr_array(projection[has] - offsets)
        largest = np.zeros(len(positions))
        largest[~has] = _row_max_abs(projection[~has])
        largest[has] = _row_max_abs(moved)
    else:
        projection = projection.copy()
        projection[has] -= offsets
        largest = np.abs(projection).max(axis=1, initial=0.0)
    return estimable & (largest <= _ESTIMABLE_ATOL)


def _row_max_abs(M):
    """The largest absolute value of each row of a sparse ``M`` (0 if empty)."""
    if M.shape[0] == 0:
        return np.zeros(0)
    return abs(M).max(axis=1).toarray().ravel()


def _warn_if_no_mle(ranker):
    """Standard errors of a fit whose MLE does not exist: say so, each time."""
    if getattr(ranker, "_mle_exists", True):
        return
    warnings.warn(
        "The maximum-likelihood estimate does not exist (the fit warned with "
        "MLEDoesNotExistWarning): the coefficients run off to infinity, and the "
        "standard errors at the point where the fit stopped are meaningless (huge "
        "or infinite) wherever they involve a diverging coefficient. Set alpha > "
        "0, or fit on the largest strongly connected component "
        "(restrict_to_largest_component, or leaderboard(restrict='largest')).",
        MLEDoesNotExistWarning,
        stacklevel=user_stacklevel(),
    )


def _warn_not_estimable(names, ranker):
    if not getattr(ranker, "_mle_exists", True):
        return  # said by _warn_if_no_mle: the divergence explains it
    shown = ", ".join(str(n) for n in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    warnings.warn(
        f"{plural(len(names), 'parameter')} are not identifiable from the data "
        f"({shown}{more}): their standard error is infinite. Items in different "
        "parts of the comparison graph cannot be put on one scale; a feature that "
        "never differs within a pair has no effect, and features that are linear "
        "combinations of each other cannot be told apart. Set alpha > 0, restrict "
        "the data to one connected part, or drop the redundant features.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _averages_solved(ginv, V, rows, columns):
    """``(G V)[rows, columns]`` and ``v' G v`` for every column ``v`` of V.

    By blocks of V's columns: ``G V`` whole would be n_params x n_parts.
    """
    cross = np.zeros(len(rows))
    vGv = np.zeros(V.shape[1])
    for start in range(0, V.shape[1], _SOLVE_BLOCK):
        stop = min(start + _SOLVE_BLOCK, V.shape[1])
        columns_here = V[:, start:stop]
        solved = ginv.solve(_dense(columns_here))
        vGv[start:stop] = _column_dots(columns_here, solved)
        here = (columns >= start) & (columns < stop)
        cross[here] = solved[rows[here], columns[here] - start]
    return cross, vGv


def _variances(structure, param, cov_type="auto", probes=None):
    """Variance of every reported parameter (inf when not estimable).

    With "auto", each reported parameter (a contrast such as ``theta_j`` minus
    the reference's, or minus its part's mean) takes the sandwich when it is
    sound for every parameter the contrast involves, and the inverse Hessian
    otherwise (one involving an item compared in ties only, say).

    With ``probes`` (a :class:`_Probes`), the items' variances are randomized
    estimates (see :func:`_randomized_variances`), and the probes record
    their relative standard errors.
    """
    sound = sandwich_params(structure.ranker, cov_type)
    if sound.any() and not sound.all():
        var_model, estimable = _variances(structure, param, "model", probes)
        model_rse = None if probes is None else probes.rse
        var_sandwich, _ = _variances(structure, param, "sandwich", probes)
        sound = param.contrasts_sound(np.arange(structure.n_params), sound)
        if probes is not None:
            probes.rse = np.where(sound, probes.rse, model_rse)
        return np.where(sound, var_sandwich, var_model), estimable
    ginv = _ginverse(structure, param, cov_type)
    if probes is not None:
        var = _randomized_variances(structure, param, ginv, probes)
        return _finish_variances(var, structure, param, ginv)
    d = ginv.diag()
    has = np.flatnonzero(param.which >= 0)
    w = param.which[has]
    cross, vGv = _averages_solved(ginv, param.V, has, w)
    var = d.copy()
    var[has] = d[has] - 2.0 * cross + vGv[w]
    return _finish_variances(var, structure, param, ginv)


def _finish_variances(var, structure, param, ginv):
    """``(var, estimable)``: zero contrasts at 0, no negative rounding, inf
    where not estimable."""
    # The reference's own contrast (or an item alone in its part) is zero:
    # rounding must leave it neither negative nor a little positive.
    var[param.zero_contrasts(np.arange(structure.n_params))] = 0.0
    var = np.maximum(var, 0.0)
    estimable = _estimable(ginv, param, np.arange(structure.n_params))
    var[~estimable] = np.inf
    return var, estimable


# ---------------------------------------------------------------------------
# Randomized variances: many items.
# ---------------------------------------------------------------------------

# CG iterations a block of probes may take before the exact factorisation is
# used instead (random comparison graphs need some eight; see _CG_MAX_ITERATIONS).
_RANDOMIZED_CG_MAX_ITERATIONS = 300
# The probes' solves stop at this relative residual: their errors are then far
# below the estimate's own (a percent or so; at 3,000 items, 1e-4 left the
# estimates as they were at 1e-8, in two thirds of the time).
_RANDOMIZED_CG_RTOL = 1e-6
# Non-item parameters (features, home advantage, tie parameter) up to this
# many get their exact variance (one solve each) rather than an estimate.
_RANDOMIZED_EXACT_MAX = _SOLVE_BLOCK
# When more than this share of the first estimates are imprecise, the few
# directions that dominate the covariance are deflated (see _hutchinson).
_DEFLATE_IMPRECISE_SHARE = 0.05
# Up to this many times n_probes of the least precise estimates are replaced
# by exact variances (one solve each, only where an estimate is imprecise:
# on random graphs, a handful among 100,000 items).
_RANDOMIZED_REFINE_PER_PROBE = 8
# A variance estimate whose relative standard error exceeds this is computed
# exactly (within the budget above) or reported as imprecise: its standard
# error is then uncertain by more than 5% (one standard deviation; on the
# football and tennis graphs the errors are calibrated, so a few items among
# thousands are off by three times that).
_RANDOMIZED_RSE_MAX = 0.1


@dataclass
class _Probes:
    """Settings of a randomized estimate, and its relative standard errors."""

    n_probes: int
    random_state: object
    rse: np.ndarray = None  # per parameter, after the estimate


class _Centred:
    """``B = P G P``, with ``P`` the projection that centres each connected part.

    ``P = I - U U'``, ``U`` the orthonormal indicators of the parts of each
    item group.  Every contrast of items within a part (an item against its
    part's mean or against a reference in its part) is orthogonal to ``U``,
    so its variance ``c' G c = c' B c``.  ``B``'s off-diagonal entries are
    small (the covariances of centred strengths), which is what a randomized
    estimate of its diagonal needs (:func:`_randomized_variances`); ``G``'s
    are not, with ``alpha > 0`` (the prior's constant) or a reference.
    """

    def __init__(self, ginv, U):
        self._ginv = ginv
        self._U = U

    def project(self, M):
        return M - self._U @ np.asarray(self._U.T @ M)

    def solve(self, M):
        return self.project(self._ginv.solve(self.project(M)))


def _prefer_cg(ginv, R):
    """``G R`` by CG if it converges within ``_RANDOMIZED_CG_MAX_ITERATIONS``
    (the route is then CG), else by ``ginv``'s own route (a factorisation)."""
    inner = ginv._ginv if isinstance(ginv, _Sandwich) else ginv
    if inner._route is None and sp.issparse(inner._H):
        solved = inner._try_cg(
            R,
            quadratic=False,
            max_iter=_RANDOMIZED_CG_MAX_ITERATIONS,
            rtol=_RANDOMIZED_CG_RTOL,
        )
        if solved is not None and ginv is inner:
            return solved
    return ginv.solve(R)


def _randomized_variances(structure, param, ginv, probes):
    """Estimates of the variances ``c_j' G c_j`` of the reported parameters.

    Hutchinson's estimator of a diagonal (Bekas, Kokiopoulou and Saad,
    2007): for random signs ``z``, ``E[z_j (B z)_j] = B_jj``, with a variance
    of ``sum_{k != j} B_jk^2`` per probe.  It is applied to the centred
    covariance ``B`` (:class:`_Centred`), whose off-diagonal entries are the
    small covariances between items, so that ``n_probes`` solves give each
    variance to a relative standard error of about ``1 / sqrt(d n_probes)``
    on a graph where an item meets ``d`` others.  The rest is exact: the
    parts of a contrast that involve an average or a reference (one solve
    per column of ``V``), the variances of the few non-item parameters, and
    those of the least precise estimates (within a budget).  ``probes.rse``
    gets each estimate's relative standard error, from the spread of the
    probes (0 where exact).
    """
    p = structure.n_params
    rng = check_random_state(probes.random_state)
    B = _Centred(ginv, param.parts)
    d, spread = _hutchinson(B, ginv, p, probes.n_probes, rng)
    in_items = np.zeros(p, dtype=bool)
    for group in structure.groups:
        in_items[group.indices] = True
    others = np.flatnonzero(~in_items)
    if len(others) <= _RANDOMIZED_EXACT_MAX:
        d[others] = _unit_quadratics(B, p, others)
        spread[others] = 0.0
    has = np.flatnonzero(param.which >= 0)
    w = param.which[has]
    cross, vBv = _averages_solved(B, param.V, has, w)

    def assemble(d):
        var = d.copy()
        var[has] = d[has] - 2.0 * cross + vBv[w]
        return var

    var = assemble(d)
    # The least precise estimates (items tied closely to many others: a
    # cluster of players that meets the rest rarely) are computed exactly,
    # one solve each, within a budget.
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where(spread > 0, spread / np.abs(var), 0.0)
    budget = _RANDOMIZED_REFINE_PER_PROBE * probes.n_probes
    worst = np.argsort(-rse, kind="stable")[:budget]
    worst = np.sort(worst[rse[worst] > _RANDOMIZED_RSE_MAX])
    if len(worst):
        d[worst] = _unit_quadratics(B, p, worst)
        spread[worst] = 0.0
        var = assemble(d)
    if not isinstance(ginv, _Sandwich):
        # An estimate below the variance's lower bound (at worst negative) is
        # raised to it: c' G c >= (c' e_j)^2 / H_jj for an estimable contrast
        # c = H t of parameter j (Cauchy-Schwarz in the inner product of H).
        own = np.ones(p)
        own[has] -= _dense(param.V[has, w]).ravel()
        with np.errstate(divide="ignore"):
            bound = own**2 / np.asarray(structure.ranker.hessian_.diagonal()).ravel()
        estimated = spread > 0
        var[estimated] = np.maximum(var[estimated], bound[estimated])
    # Contrasts across parts (a reference in another part, with alpha > 0)
    # are not orthogonal to U: exactly, with G itself.
    across = _contrasts_across_parts(param)
    if len(across):
        C = param.contrasts(across)
        var[across] = _column_dots(C, ginv.solve(C))
        spread[across] = 0.0
    spread[param.zero_contrasts(np.arange(p))] = 0.0  # exactly zero: set later
    with np.errstate(divide="ignore", invalid="ignore"):
        probes.rse = np.where(spread > 0, spread / np.abs(var), 0.0)
    return var


def _hutchinson(B, ginv, p, n_probes, rng):
    """``(d, spread)``: Hutchinson's estimate of ``diag(B)`` and its standard errors.

    Where the probes leave many estimates imprecise (over
    ``_DEFLATE_IMPRECISE_SHARE`` of them), the strengths of many items move
    together (clusters that meet each other rarely: the regions of
    international football), and ``B`` is dominated by a few directions.
    Those are then found from ``n_probes / 2`` more random vectors (a range
    finder with one power iteration), their part of the diagonal, ``diag(Q Q'
    B)``, is computed exactly, and the probes estimate the rest, ``diag((I -
    Q Q') B)``, whose off-diagonal entries are much smaller (Diag++, Baston
    and Nakatsukasa, 2022; ``Q`` is independent of the probes, so the
    estimate stays unbiased).  Four clusters of 100 items joined by three
    comparisons each: a median error of the standard errors of 0.1% instead
    of 64%; the football teams: 4.5% instead of 19% (32 probes).
    """

    def solve(M):
        return B.project(_prefer_cg(ginv, B.project(M)))

    Z = _signs(rng, p, n_probes)
    # The first solve with G settles its route: CG if it converges fast.
    BZ = solve(Z)
    samples = Z * BZ
    d = samples.mean(axis=1)
    spread = samples.std(axis=1, ddof=1) / np.sqrt(n_probes)
    with np.errstate(divide="ignore", invalid="ignore"):
        imprecise = np.mean(spread > _RANDOMIZED_RSE_MAX * np.abs(d))
    n_range = min(n_probes // 2, p - 1)
    if imprecise <= _DEFLATE_IMPRECISE_SHARE or n_range < 1:
        return d, spread
    Y = solve(_signs(rng, p, n_range))
    Q = np.linalg.qr(solve(np.linalg.qr(Y)[0]))[0]  # one power iteration
    BQ = solve(Q)
    samples = Z * (BZ - Q @ (Q.T @ BZ))
    d = np.einsum("ij,ij->i", Q, BQ) + samples.mean(axis=1)
    return d, samples.std(axis=1, ddof=1) / np.sqrt(n_probes)


def _signs(rng, p, m):
    """A ``p x m`` matrix of random signs."""
    return rng.choice(np.array([-1.0, 1.0]), size=(p, m))


def _unit_quadratics(B, p, positions):
    """``B_jj`` for the given positions, exactly: one solve each."""
    if not len(positions):
        return np.zeros(0)
    E = np.zeros((p, len(positions)))
    E[positions, np.arange(len(positions))] = 1.0
    return B.solve(E)[positions, np.arange(len(positions))]


def _contrasts_across_parts(param):
    """Positions whose contrast vector is not orthogonal to the parts' basis."""
    U = param.parts
    if not U.shape[1]:
        return np.zeros(0, dtype=np.intp)
    has = np.flatnonzero(param.which >= 0)
    # U' (e_j - v_j) = U[j] - (V' U)[which_j]: sparse rows (U has one nonzero
    # per item, V' U one per part that an average or reference touches).
    U = sp.csr_array(U)
    VU = sp.csr_array(sp.csr_array(param.V).T @ U)
    rows = sp.csr_array(U[has] - VU[param.which[has]])
    return has[_row_max_abs(rows) > _ESTIMABLE_ATOL]


# ---------------------------------------------------------------------------
# Public functions.
# ---------------------------------------------------------------------------


def estimates(model, *, reference=None):
    """Fitted parameters, with item strengths centred or relative to a reference.

    Parameters
    ----------
    model : BradleyTerryRanker or Pipeline
        A fitted ranker, or a fitted Pipeline ending in one.
    reference : item label or feature name, default=None
        ``None``: item strengths that sum to zero over each connected part of
        the comparison graph.  An item (its label such as ``"Baltimore"``, or
        its feature name such as ``"x0_Baltimore"``): strengths relative to it,
        ``theta_j - theta_ref`` (zero for the reference), as R's BradleyTerry2
        reports them.

    Returns
    -------
    values : ndarray of shape (n_params,)
        In the order of :func:`parameter_names`: ``coef_`` (item strengths in
        the chosen parameterisation; other features as fitted), then
        ``intercept_`` and the extra parameters when present.

    See Also
    --------
    standard_errors : Their standard errors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer, estimates
    >>> X = np.array([["a", "b"], ["a", "c"], ["b", "c"], ["c", "a"], ["b", "a"]])
    >>> X = np.vstack([X, [["a", "b"]]])  # six comparisons, A won each
    >>> model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    >>> model.fit(X, np.ones(6))  # doctest: +ELLIPSIS
    Pipeline(...)
    >>> estimates(model).round(3)
    array([ 0.314,  0.128, -0.442])
    >>> estimates(model, reference="c").round(3)
    array([0.756, 0.571, 0.   ])
    """
    structure = _structure(model)
    param = _parameterisation(structure, reference)
    return param.apply(_parameter_vector(structure))


def standard_errors(
    model,
    *,
    reference=None,
    cov_type="auto",
    method="exact",
    n_probes=32,
    random_state=None,
):
    """Standard errors of the fitted parameters, from the observed information.

    The covariance of the estimates is the inverse of ``hessian_`` (the
    penalised observed Fisher information, so with ``alpha > 0`` these are the
    posterior standard deviations of the Laplace approximation), or for a
    ``ties="half"`` fit the sandwich (see ``cov_type``).  Item strengths are
    defined up to a constant, so their standard errors depend on the
    parameterisation: see ``reference``.

    Parameters
    ----------
    model : BradleyTerryRanker or Pipeline
        A fitted ranker, or a fitted Pipeline ending in one.
    reference : item label or feature name, default=None
        ``None``: standard errors of the sum-to-zero strengths (each item
        against the average of its connected part).  An item: standard errors
        of ``theta_j - theta_ref`` (zero for the reference), as in R's
        BradleyTerry2.
    cov_type : {"auto", "model", "sandwich"}, default="auto"
        ``"model"``: the inverse Hessian (model-based, as R's BradleyTerry2
        and a binomial GLM report them, also when ties count as half wins).
        ``"sandwich"``: ``H^-1 J H^-1`` (statsmodels' ``HC0``), for a
        ``ties="half"`` fit with ties in ``y`` and a finite MLE (see Notes).
        ``"auto"``: the sandwich where it is sound, the inverse Hessian
        elsewhere (see Notes), parameter by parameter for item ids.
    method : {"exact", "randomized"}, default="exact"
        ``"randomized"`` estimates the items' variances from ``n_probes``
        solves with random signs instead of the diagonal of the inverse
        (see Notes): seconds where the exact diagonal takes minutes or does
        not fit in memory (tens of thousands of items), to about a percent.
        The other parameters' (features, home advantage, tie parameter) stay
        exact.  It warns when some estimate is imprecise.
    n_probes : int, default=32
        Number of random probes of ``method="randomized"``: the error falls
        as ``1 / sqrt(n_probes)``, the time grows in proportion.
    random_state : int, RandomState instance or None, default=None
        Seed of the probes of ``method="randomized"``.

    Returns
    -------
    se : ndarray of shape (n_params,)
        In the order of :func:`parameter_names`.  A parameter that the data do
        not identify (an item in another connected part than the reference,
        with ``alpha=0``) has ``inf``, with a warning.

    See Also
    --------
    covariance : The full covariance matrix, or a block of it.
    estimates : The parameters in the same parameterisation.

    Notes
    -----
    For one-hot items the diagonal of the inverse graph Laplacian (one item
    dropped per connected part) is needed.  Up to 12,000 parameters it comes
    from a dense Cholesky factor, inverted in place (``O(K^3)`` time, one
    ``K x K`` array: some 14 s and 800 MB for 10,000 items on one core;
    20,000 items would need 3.2 GB).
    Beyond, by conjugate gradients on blocks of unit vectors, when a first
    block converges within 40 iterations (random comparison graphs: some
    eight), in ``O(nnz + 128 K)`` memory; else by a sparse LU factorisation
    (clustered graphs such as sports leagues, whose factors stay sparse).  A
    sum-to-zero variance is then ``G_jj - 2 (G u)_j + u' G u`` with ``u`` the
    averaging vector, one more solve.  For a few items only,
    :func:`covariance` with ``items`` is much cheaper on large models: it runs
    conjugate gradients on the sparse Laplacian, one solve per item.  Beyond
    the dense route a ``UserWarning`` says so before the work starts, and
    points to ``method="randomized"``.

    With ``ties="half"`` and ties in ``y`` the fit maximises a
    quasi-likelihood, and the inverse Hessian would overstate the variance: a
    tie's outcome (one half) varies less than a win or a loss with the same
    probabilities (with 26% ties: 0.050 against an empirical 0.041).  The
    covariance is then the sandwich ``H^-1 J H^-1``, with ``J`` the sum of the
    outer products of the comparisons' scores (statsmodels' ``HC0``); its
    diagonal takes one solve per parameter.  ``cov_type="auto"`` uses it
    except where it is unsound: with ``alpha > 0`` (the inverse Hessian is then
    the posterior covariance), for a parameter informed by ties alone (an item
    whose only comparisons are ties, or a group of items linked to the rest by
    ties only), whose sandwich variance comes from the ties' small residuals
    alone (0 for one tie between two items), and, without a finite MLE, for
    the items outside the largest strongly connected component.  For item ids
    it decides item by item, and each reported contrast (an item against the
    reference, or against its part's mean) takes the sandwich when it is
    sound for every item involved; for features, for all parameters at once;
    :func:`covariance` takes it when it is sound for every parameter its
    contrasts involve.  Like any ``HC0`` it is noisy for items with few
    comparisons.

    ``method="randomized"`` applies Hutchinson's estimator of a diagonal
    (Bekas, Kokiopoulou and Saad, 2007) to the covariance of the centred
    strengths ``B``: for random signs ``z``, ``z_j (B z)_j`` has mean
    ``B_jj`` and variance ``sum_{k != j} B_jk^2``.  The covariances between
    centred strengths are small, so each variance comes to a relative
    standard error of about ``1 / sqrt(d * n_probes)`` for an item compared
    with ``d`` others (the standard error to half that): 0.5% for 10,000
    items with 200 opponents each and 32 probes.  Items whose strengths move
    together with many others' (a cluster of players that meets the rest
    rarely, as the regions of international football do) have larger errors:
    each estimate's own error is measured from the spread of the probes, the
    least precise ones (up to ``8 * n_probes``) are computed exactly, one
    solve each, and a ``UserWarning`` names the items whose standard error
    is still uncertain by more than 5%.  No estimate is left below the lower
    bound ``(1 - v_j)^2 / H_jj`` of its variance (``v_j`` the item's own
    weight in the average or reference it is measured against).  The solves
    run by conjugate gradients when they converge fast (memory
    ``O(nnz + K n_probes)``), else with the exact route's factorisation.  The
    time is that of ``n_probes`` solves, plus the exact ones (10,000 items
    and 1e6 comparisons: about a second, against 15-20 s for the exact
    diagonal); below a few thousand items the exact diagonal is faster.
    When many estimates are imprecise, the few directions that dominate the
    covariance are deflated first (see ``_hutchinson``).  Measured against
    the exact standard errors (32 probes): a median error of 0.8% on a random
    graph of 3,000 items, 1.4% on the ATP players (1,528, clustered; 411 of
    them named in the warning, none with 128 probes).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer, standard_errors
    >>> X = np.array([["a", "b"], ["a", "c"], ["b", "c"], ["c", "a"], ["b", "a"]])
    >>> X = np.vstack([X, [["a", "b"]]])  # six comparisons, A won each
    >>> model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    >>> model.fit(X, np.ones(6))  # doctest: +ELLIPSIS
    Pipeline(...)
    >>> standard_errors(model, reference="c").round(3)
    array([1.279, 1.407, 0.   ])
    >>> standard_errors(model).round(3)  # of the sum-to-zero strengths
    array([0.626, 0.712, 0.824])
    """
    _check_cov_type(cov_type)
    probes = _check_method(method, n_probes, random_state)
    structure = _structure(model)
    _warn_if_no_mle(structure.ranker)
    if probes is None:
        warn_if_exact_is_slow(structure.ranker, 'method="randomized"')
    param = _parameterisation(structure, reference)
    var, estimable = _variances(structure, param, cov_type, probes)
    if not estimable.all():
        _warn_not_estimable(structure.names[~estimable], structure.ranker)
    if probes is not None:
        warn_if_imprecise(probes, structure.names, estimable)
    return np.sqrt(var)


_METHODS = ("exact", "randomized")


def _check_method(method, n_probes, random_state):
    """The :class:`_Probes` of ``method="randomized"``, None for "exact"."""
    if not (isinstance(method, str) and method in _METHODS):
        raise ValueError(f"method must be one of {list(_METHODS)}; got {method!r}.")
    if isinstance(n_probes, bool) or not isinstance(n_probes, Integral) or n_probes < 2:
        raise ValueError(
            f"n_probes must be an integer of at least 2 (the estimate's own error "
            f"is measured from their spread); got {n_probes!r}."
        )
    if method == "exact":
        return None
    return _Probes(int(n_probes), random_state)


def warn_if_exact_is_slow(ranker, remedy):
    """Say before it starts that the exact diagonal will take long, and what
    estimates it in seconds (``remedy``).

    Beyond ``_DENSE_INVERSE_MAX_PARAMS`` (counted over the Hessian's diagonal
    blocks, each factorised alone) the diagonal takes one solve per
    parameter: 280 s for 20,000 items with features.
    """
    H = ranker.hessian_
    if H.shape[0] <= _DENSE_INVERSE_MAX_PARAMS or not sp.issparse(H):
        return
    _, labels = connected_components(sp.csr_array(H), directed=False)
    sizes = np.bincount(labels).astype(float)
    if math.sqrt(np.sum(sizes**2)) <= _DENSE_INVERSE_MAX_PARAMS:
        return
    warnings.warn(
        f"The exact standard errors of {H.shape[0]:,} parameters need the diagonal "
        "of the inverse Hessian, one solve per parameter: this may take many "
        f"minutes. {remedy} estimates them in seconds, to about a percent.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def warn_if_imprecise(probes, names, estimable, exact='the method="exact"'):
    """Warn when some randomized variance leaves its standard error uncertain
    by more than ``_RANDOMIZED_RSE_MAX / 2``; ``exact`` names the exact option."""
    # A standard error's relative error is half its variance's.
    imprecise = estimable & (probes.rse > _RANDOMIZED_RSE_MAX)
    if not imprecise.any():
        return
    shown = ", ".join(str(n) for n in names[imprecise][:5])
    more = f" and {imprecise.sum() - 5} more" if imprecise.sum() > 5 else ""
    warnings.warn(
        f"The randomized standard errors of {plural(imprecise.sum(), 'parameter')} "
        f"({shown}{more}) are uncertain by more than "
        f"{50 * _RANDOMIZED_RSE_MAX:g}% (largest: "
        f"{50 * probes.rse[imprecise].max():.3g}%, from {probes.n_probes} probes): "
        "they are closely tied to a few others (few opponents, a chain of "
        f"comparisons). Increase n_probes (the error falls as 1 / sqrt(n_probes)) "
        f"or use {exact}.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def covariance(model, *, reference=None, items=None, cov_type="auto"):
    """Covariance matrix of the fitted parameters (or of some of them).

    Parameters
    ----------
    model : BradleyTerryRanker or Pipeline
        A fitted ranker, or a fitted Pipeline ending in one.
    reference : item label or feature name, default=None
        Parameterisation of the item strengths, as in :func:`standard_errors`.
    items : array-like of item labels or parameter names, default=None
        The parameters to include (item labels such as ``"Alice"``, or names
        from :func:`parameter_names` such as ``"intercept"``), in this order.
        Default: all parameters.  For many items ask for the few you need:
        only those columns of the inverse are computed.
    cov_type : {"auto", "model", "sandwich"}, default="auto"
        The inverse Hessian or the sandwich, as in :func:`standard_errors`.
        With "auto" the whole matrix takes the sandwich when it is sound for
        every parameter the requested contrasts involve, so that where it is
        not for some, the diagonal can differ from :func:`standard_errors`,
        which decides parameter by parameter.

    Returns
    -------
    cov : ndarray of shape (n_selected, n_selected)
        Rows and columns of parameters that the data do not identify are
        ``inf`` (with a warning).

    See Also
    --------
    standard_errors : The square roots of its diagonal, computed faster.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer, covariance
    >>> X = np.array([["a", "b"], ["a", "c"], ["b", "c"], ["c", "a"], ["b", "a"]])
    >>> X = np.vstack([X, [["a", "b"]]])  # six comparisons, A won each
    >>> model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    >>> model.fit(X, np.ones(6))  # doctest: +ELLIPSIS
    Pipeline(...)
    >>> covariance(model, items=["a", "b"]).round(3)
    array([[ 0.392, -0.11 ],
           [-0.11 ,  0.507]])
    """
    _check_cov_type(cov_type)
    structure = _structure(model)
    _warn_if_no_mle(structure.ranker)
    param = _parameterisation(structure, reference)
    if items is None:
        positions = np.arange(structure.n_params)
        if len(positions) > _MAX_FULL_COVARIANCE:
            raise ValueError(
                f"the model has {len(positions):,} parameters: a full covariance "
                "matrix would not fit in memory. Pass items=[...] with the "
                "parameters you need, or use standard_errors(model)."
            )
    else:
        labels = np.atleast_1d(np.asarray(items, dtype=object))
        if not len(labels):
            raise ValueError(
                "items is empty: pass the labels of the parameters you need, or "
                "items=None for all of them."
            )
        positions = np.asarray([_find_item(structure, lab) for lab in labels])
    ginv = _ginverse(structure, param, cov_type, positions)
    C = param.contrasts(positions)
    cov = C.T @ ginv.solve(C)
    cov = 0.5 * (cov + cov.T)
    estimable = _estimable(ginv, param, positions)
    if not estimable.all():
        cov[~estimable, :] = np.inf
        cov[:, ~estimable] = np.inf
        _warn_not_estimable(structure.names[positions[~estimable]], structure.ranker)
    return cov


# ---------------------------------------------------------------------------
# Bootstrap.
# ---------------------------------------------------------------------------


class _KnownNullItemDesign(ItemDesign):
    """An item design whose null space is known (strongly connected resample)."""

    def __init__(self, a, b, n_items, null):
        super().__init__(a, b, n_items)
        self._known_null = null

    def null_basis(self, gram):
        if self._known_null is not None:
            return self._known_null
        return super().null_basis(gram)


class _KnownNullMatrixDesign(MatrixDesign):
    """A matrix design whose null space is known (spares an eigendecomposition)."""

    def __init__(self, D, null):
        super().__init__(D)
        self._known_null = null

    def null_basis(self, gram):
        if self._known_null is not None:
            return self._known_null
        return super().null_basis(gram)


@dataclass
class _BootstrapProblem:
    """What every refit needs; small and picklable, sent once to each worker.

    ``counts`` (n_rows, 3) are the outcome counts ``[B won, tie, A won]`` of the
    design rows.  ``item_a`` / ``item_b`` (item codes per row) let a resample
    be checked for strong connectivity before its refit; ``null`` is then the
    null basis of a connected resample.
    """

    loss: object
    counts: np.ndarray
    params0: np.ndarray
    alpha: float
    fit_intercept: bool
    tol: float
    max_iter: int
    D: object = None  # MatrixDesign rows, or None for an item design
    item_a: np.ndarray = None
    item_b: np.ndarray = None
    n_items: int = 0
    null: np.ndarray = None

    @property
    def n_coef(self):
        return self.D.shape[1] if self.D is not None else self.n_items

    def cells(self):
        """The non-empty (row, outcome) cells and their weights."""
        rows, cols = np.nonzero(self.counts > 0)
        return rows, cols, self.counts[rows, cols]


def _resample_counts(problem, rng, cells, n_draws, scale):
    rows, cols, weights = cells
    draws = rng.multinomial(n_draws, weights / weights.sum())
    counts = np.zeros_like(problem.counts)
    counts[rows, cols] = draws * scale
    return counts


def _unbounded_items(problem, counts):
    """Items outside the largest strongly connected component of a resample."""
    n_parts, labels, _ = pair_count_components(
        problem.item_a, problem.item_b, counts, problem.n_items
    )
    if n_parts == 1:
        return np.zeros(problem.n_items, dtype=bool)
    if not np.sum(labels == 0) > 1:
        # Every component a single item: none is bounded against another
        # (the first would otherwise stand still, an interval of width 0).
        return np.ones(problem.n_items, dtype=bool)
    return labels != 0  # components are numbered by decreasing size


def _design(problem, null):
    """The solver's design over all rows (empty rows in a resample weigh nothing)."""
    if problem.D is None:
        return _KnownNullItemDesign(
            problem.item_a, problem.item_b, problem.n_items, null
        )
    return _KnownNullMatrixDesign(problem.D, null)


# The model's estimates are taken for the optimum of bootstrap()'s X, y when
# the gradient there is at most this share of the total weight: at a fit's
# optimum it is some 1e-9 of it, on other data (the rows reversed, the weights
# forgotten) of order 0.1 to 1.
_FITTED_GRADIENT_RTOL = 1e-4


def _warn_if_not_fitted_on(problem):
    """Warn when the model's estimates are not the optimum of the given data.

    A bootstrap resamples the data around the model's estimates, and starts
    every refit from them: on other data its intervals describe neither.
    """
    p = problem.n_coef
    design = _design(problem, problem.null)
    coef, intercept, extra = _unpack(problem.params0, p, problem.fit_intercept)
    delta = design.matvec(coef) + intercept
    terms = problem.loss.loss_gradient_hessian(delta, problem.counts, extra)
    gradient = _gradient(
        design.rmatvec(terms[1]), terms, coef, problem.alpha, problem.fit_intercept
    )
    largest = np.max(np.abs(gradient), initial=0.0)
    if largest > _FITTED_GRADIENT_RTOL * problem.counts.sum():
        warnings.warn(
            "The model's estimates are not the maximum-likelihood estimates of "
            f"this X, y (the log-likelihood's gradient reaches {largest:.3g} there): "
            "it was fitted on other data, other weights, or did not converge. The "
            "bootstrap resamples X, y around those estimates; pass the X, y and "
            "sample_weight the model was fitted on.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _refit(problem, design, counts, alpha):
    p = problem.n_coef
    start = problem.params0
    result = newton_solve(
        design,
        problem.loss,
        counts,
        alpha=alpha,
        fit_intercept=problem.fit_intercept,
        coef0=start[:p],
        intercept0=start[p] if problem.fit_intercept else 0.0,
        extra0=start[p + int(problem.fit_intercept) :],
        tol=problem.tol,
        max_iter=problem.max_iter,
    )
    params = np.concatenate(
        [
            result.coef,
            [result.intercept] if problem.fit_intercept else [],
            result.extra,
        ]
    )
    return params, result.diverging or not result.converged


def _refit_chunk(problem, seeds, n_draws, scale):
    """Refit the model on one resample per seed; return parameters and flags.

    With item codes, a resample is first checked for strong connectivity: a
    connected one has the full data's null space (so the design, and its
    cached sparsity pattern, serve every replicate), and one that is not gets
    the small penalty straight away.  Without them, a refit that fails is
    redone with the penalty.
    """
    cells = problem.cells()
    n_flags = max(problem.n_items, 1)
    params = np.empty((len(seeds), len(problem.params0)))
    flags = np.zeros((len(seeds), n_flags), dtype=bool)
    shared = _design(problem, problem.null) if problem.null is not None else None
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        counts = _resample_counts(problem, rng, cells, n_draws, scale)
        alpha = problem.alpha
        if problem.item_a is not None and alpha == 0:
            # (With the user's alpha > 0 every strength is bounded: no flag.)
            flags[i] = _unbounded_items(problem, counts)
            if flags[i].any():
                alpha = BOOTSTRAP_SEPARATION_ALPHA
        # Without a known null space, a fresh design finds this resample's own.
        design = shared if shared is not None else _design(problem, None)
        params[i], failed = _refit(problem, design, counts, alpha)
        if failed and alpha == 0:
            # No finite MLE on this resample (separated features): refit it
            # with the small penalty, and flag it.
            params[i], _ = _refit(problem, design, counts, BOOTSTRAP_SEPARATION_ALPHA)
            flags[i] = True
    return params, flags


def _seed_sequence(random_state):
    """A SeedSequence from an int, None, a SeedSequence or a numpy generator."""
    if random_state is None or isinstance(random_state, (Integral, np.integer)):
        return np.random.SeedSequence(random_state)
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(2**31 - 1)))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63 - 1)))
    raise ValueError(
        "random_state must be None, an int, a numpy SeedSequence, RandomState or "
        f"Generator; got {type(random_state).__name__}."
    )


class _Progress:
    """Replicates done so far, on stderr (through tqdm when it is installed)."""

    def __init__(self, total, enabled, description="bootstrap"):
        self.total, self.done, self.enabled = total, 0, enabled
        self.description, self._bar = description, None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=description, file=sys.stderr)

    def update(self, n):
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.enabled:
            print(
                f"\r{self.description}: {self.done}/{self.total} resamples",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def close(self):
        if self._bar is not None:
            self._bar.close()
        elif self.enabled:
            print(file=sys.stderr, flush=True)


# The most comparisons numpy's multinomial draws in one resample (a C long).
_MAX_DRAWS = np.iinfo(np.int64).max


def _draw_size(counts):
    """How many comparisons a resample draws, and the weight each one carries.

    Weights count comparisons (frequency weights), as in the fit and in Wald
    intervals: a resample draws as many comparisons as they total, so that
    both kinds of interval measure the same amount of data.  Fractional
    weights (a vote of three annotators weighing 1/3 each) draw their total
    rounded, each draw carrying the total's share.
    """
    total = counts.sum()
    if np.allclose(counts, np.round(counts)):
        if total > _MAX_DRAWS:
            raise ValueError(
                f"A bootstrap resample draws as many comparisons as the whole-number "
                f"weights count, {total:,.0f}: more than the {_MAX_DRAWS:,} numpy "
                "can draw at once. Use Wald intervals (with this many comparisons "
                "both are as narrow), or, if the weights are relative rather than "
                "counts, divide them by a constant so that they total less."
            )
        return int(round(total)), 1.0
    n_draws = max(int(round(total)), 1)
    return n_draws, total / n_draws


def _run_bootstrap(problem, n_bootstrap, random_state, n_jobs, progress):
    """Parameters of ``n_bootstrap`` refits (rows) and per-item unbounded flags.

    Each replicate has its own child seed of one SeedSequence, so the result
    does not depend on how the replicates are split among workers.
    """
    seeds = _seed_sequence(random_state).spawn(n_bootstrap)
    n_draws, scale = _draw_size(problem.counts)
    n_chunks = min(n_bootstrap, 20 if progress else 8)
    chunks = np.array_split(np.arange(n_bootstrap), n_chunks)
    tasks = (
        delayed(_refit_chunk)(problem, [seeds[i] for i in chunk], n_draws, scale)
        for chunk in chunks
    )
    bar = _Progress(n_bootstrap, progress)
    params, flags = [], []
    try:
        for chunk_params, chunk_flags in Parallel(n_jobs=n_jobs, return_as="generator")(
            tasks
        ):
            params.append(chunk_params)
            flags.append(chunk_flags)
            bar.update(len(chunk_params))
    finally:
        bar.close()
    return np.vstack(params), np.vstack(flags)


def _loss_of(ranker, n_extra):
    """The loss the ranker minimised (half-win ties: the logistic one)."""
    if ranker.ties in (None, "half") or n_extra == 0:
        # A tie model fitted without ties in y is the plain model (no extra).
        return LogisticPairLoss()
    from . import _ties

    losses = {"davidson": "DavidsonPairLoss", "rao-kupper": "RaoKupperPairLoss"}
    if ranker.ties in losses:
        return getattr(_ties, losses[ranker.ties])()
    raise ValueError(f"no bootstrap for ties={ranker.ties!r}.")


def _item_codes(D):
    """Item of A and of B per row when every row of D is ``e_a - e_b``, else None."""
    if sp.issparse(D):
        D = sp.csr_array(D)
        if not np.all(np.diff(D.indptr) == 2):
            return None
        values = D.data.reshape(-1, 2)
        columns = D.indices.reshape(-1, 2)
    else:
        D = np.asarray(D)
        nonzero = D != 0
        if not np.all(nonzero.sum(axis=1) == 2):
            return None
        columns = np.nonzero(nonzero)[1].reshape(-1, 2)
        values = np.take_along_axis(D, columns, axis=1)
    if not np.all(np.sort(values, axis=1) == [-1.0, 1.0]):
        return None
    a_first = values[:, 0] > 0
    a = np.where(a_first, columns[:, 0], columns[:, 1])
    b = np.where(a_first, columns[:, 1], columns[:, 0])
    return a.astype(np.intp), b.astype(np.intp)


def _use_item_design(problem, structure, param):
    """Switch a pure item-id problem to the item design, checked per resample.

    With one-hot ids only (no intercept), every design row is ``e_a - e_b``:
    the refits then use the graph-Laplacian design, each resample is checked
    for strong connectivity first, and a connected one reuses the null basis.
    """
    groups = structure.groups
    if (
        problem.fit_intercept
        or len(groups) != 1
        or len(groups[0].indices) != structure.n_coef
    ):
        return
    codes = _item_codes(problem.D)
    if codes is None:
        return
    k = structure.n_coef
    # The item design takes unique pairs: identical rows are summed into one.
    keys = codes[0].astype(np.int64) * k + codes[1]
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    problem.counts = np.column_stack(
        [np.bincount(inverse, problem.counts[:, j], len(unique_keys)) for j in range(3)]
    )
    a, b = quotient_and_remainder(unique_keys, k)
    problem.item_a, problem.item_b = a.astype(np.intp), b.astype(np.intp)
    problem.n_items = k
    problem.D = None
    problem.null = np.full((k, 1), 1.0 / np.sqrt(k))


def _outcome_codes(ranker, y):
    """Outcome of each row as B_WON / TIE / A_WON, as the ranker read it."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {y.shape}.")
    # classes_ is [B won, A won], or [B won, tie, A won] with a tie model.
    classes = ranker.classes_
    a_won = y == classes[-1]
    b_won = y == classes[0]
    codes = np.where(a_won, A_WON, np.where(b_won, B_WON, TIE))
    if ranker.ties is None and not (a_won | b_won).all():
        raise ValueError(
            f"y holds labels other than the model's classes {classes.tolist()}."
        )
    return codes


def bootstrap(
    model,
    X,
    y,
    *,
    sample_weight=None,
    reference=None,
    n_bootstrap=1000,
    random_state=None,
    n_jobs=None,
    progress=False,
):
    """Bootstrap samples of the fitted parameters, by fast warm-started refits.

    Each replicate resamples the comparisons with replacement and refits the
    model.  Identical comparisons are sufficient statistics, so the resample
    is drawn as multinomial counts over the distinct (pair, outcome) cells,
    and each refit starts from the full-data solution: Newton's method then
    needs two or three iterations.

    Parameters
    ----------
    model : BradleyTerryRanker or Pipeline
        A ranker, or a Pipeline ending in one, fitted on ``X``, ``y``; its
        settings (``alpha``, ``fit_intercept``, ``ties``, ``tol``) are kept.
    X : {array-like, sparse matrix, DataFrame} of shape (n_pairs, n_columns)
        The data the model was fitted on (what its first step takes).
    y : array-like of shape (n_pairs,)
        The outcomes it was fitted on.
    sample_weight : array-like of shape (n_pairs,), default=None
        The frequency weights it was fitted with.  Weights count comparisons:
        a resample draws as many comparisons as their total (rounded, for
        fractional weights), as Wald intervals count them.
    reference : item label or feature name, default=None
        Parameterisation of item strengths, as in :func:`estimates`.
    n_bootstrap : int, default=1000
        Number of resamples.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed.  Each replicate has its own child seed, so the result depends on
        the seed only, not on ``n_jobs``.
    n_jobs : int, default=None
        Number of processes for the refits (joblib; ``None`` means one unless
        in a ``joblib.parallel_config`` context).
    progress : bool, default=False
        Print the number of resamples done to stderr (a tqdm bar when tqdm is
        installed).

    Returns
    -------
    samples : ndarray of shape (n_bootstrap, n_params)
        One row of parameters per resample, in the order and parameterisation
        of :func:`estimates`.  Percentiles of the columns are percentile
        confidence intervals.

    See Also
    --------
    leaderboard : Bootstrap intervals of ratings from winner/loser records.

    Notes
    -----
    A resample may hold no finite maximum-likelihood estimate although the
    full data do: an item drawn with only wins or only losses (a source of
    wild bootstrap outliers, ComparIA issue 470), or separable features.
    Without penalty, such replicates are refitted with a small penalty
    ``alpha = 1e-3`` (``BOOTSTRAP_SEPARATION_ALPHA``): identified strengths
    barely move, and the unbounded item gets a large but finite strength, so
    its percentile interval reaches far out -- the honest answer when the
    data cannot bound it.  A warning says how many replicates needed it; fit
    with ``alpha > 0`` to avoid it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn_bt import BradleyTerryRanker, PairTransformer, bootstrap
    >>> X = np.array([["a", "b"], ["b", "c"], ["c", "a"], ["b", "a"], ["c", "b"]])
    >>> X = np.repeat(X, [8, 6, 4, 5, 3], axis=0)
    >>> model = make_pipeline(PairTransformer(OneHotEncoder()), BradleyTerryRanker())
    >>> y = np.ones(len(X))
    >>> samples = bootstrap(model.fit(X, y), X, y, n_bootstrap=200, random_state=0)
    >>> samples.shape
    (200, 3)
    >>> np.percentile(samples[:, 0], [5, 95]).round(1)  # 90% interval for "a"
    array([-0.7,  0.7])
    """
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, Integral):
        raise ValueError(f"n_bootstrap must be a whole number, got {n_bootstrap!r}.")
    if n_bootstrap < 2:
        raise ValueError(
            f"n_bootstrap must be at least 2 (resamples make the intervals), got "
            f"{n_bootstrap}."
        )
    check_consistent_length(X, y, sample_weight)
    structure = _structure(model)
    ranker, prep = _unwrap(model)
    param = _parameterisation(structure, reference)
    Xt = prep.transform(X) if prep is not None else X
    if hasattr(Xt, "iloc"):
        Xt = Xt.to_numpy()
    Xt = sp.csr_array(Xt) if sp.issparse(Xt) else np.asarray(Xt, dtype=float)
    d = structure.n_coef
    if Xt.shape[1] != 2 * d:
        raise ValueError(
            f"X gives {Xt.shape[1]} pair columns, but the model was fitted on {2 * d}."
        )
    D = Xt[:, :d] - Xt[:, d:]
    n = D.shape[0]
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    if weights.shape != (n,) or not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(
            f"sample_weight must hold {n} finite non-negative weights, one per row."
        )
    if not weights.sum() > 0:
        raise ValueError(
            "sample_weight is zero in every row: there is nothing to resample. "
            "Give the comparisons a positive weight."
        )
    counts = np.zeros((n, 3))
    counts[np.arange(n), _outcome_codes(ranker, y)] = weights
    problem = _BootstrapProblem(
        loss=_loss_of(ranker, structure.n_extra),
        counts=counts,
        params0=_parameter_vector(structure),
        alpha=ranker.alpha,
        fit_intercept=ranker.fit_intercept,
        tol=ranker.tol,
        max_iter=ranker.max_iter,
        D=D,
    )
    _use_item_design(problem, structure, param)
    _warn_if_not_fitted_on(problem)
    samples, flags = _run_bootstrap(
        problem, n_bootstrap, random_state, n_jobs, progress
    )
    n_flagged = int(flags.any(axis=1).sum())
    if n_flagged:
        warnings.warn(
            f"In {n_flagged} of {n_bootstrap} resamples the maximum-likelihood "
            "estimate did not exist (separated outcomes); they were refitted with "
            f"alpha={BOOTSTRAP_SEPARATION_ALPHA:g}. Their outlying values widen the "
            "percentile intervals; fit with alpha > 0 to avoid it.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    samples = param.apply(samples)
    if reference is None and problem.item_a is not None:
        k = structure.n_coef
        point = param.apply(problem.params0)[:k]
        centre_on_bounded_items(samples[:, :k], point, flags)
    return samples


def centre_on_bounded_items(strengths, point, unbounded):
    """Shift each resample's strengths so that the items it bounds keep the
    point estimate's mean, in place.

    Centred strengths sum to zero over all items, so one item's far-out
    refit (only wins in a resample) would shift every other item's rating
    and widen every interval; its ``unbounded`` flag leaves it out of the
    mean instead.  Without flags this changes nothing: both sums are zero.
    """
    bounded = ~unbounded[:, : strengths.shape[1]]
    n_bounded = np.maximum(bounded.sum(axis=1), 1)
    shift = ((strengths - point) * bounded).sum(axis=1) / n_bounded
    strengths -= shift[:, None]
