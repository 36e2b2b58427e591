"""Newton solvers for pairwise-comparison likelihoods.

The objective is ``sum_i loss(delta_i) + alpha / 2 * ||coef||^2`` where
``delta = D @ coef + intercept`` and ``D = X_A - X_B`` is the difference design.
It is convex and smooth, so a damped Newton method reaches the optimum to
machine precision in a handful of iterations; the work per iteration is one
pass over the data and one solve with the ``p x p`` Hessian.  For a dense
design that pass costs ``p`` times a gradient's flops, so Newton starts from a
cheaper estimate there (a fit on a subsample, a few L-BFGS steps; see
:func:`_starting_point`) and needs only one or two steps of its own.

Two designs share the solver:

* :class:`MatrixDesign` holds ``D`` as a dense array or a sparse matrix (item
  features, or one-hot ids mixed with features);
* :class:`ItemDesign` holds only the item index of A and B for every unique
  pair (one-hot ids), so that ``D @ theta`` is ``theta[a] - theta[b]`` and the
  Hessian is a weighted graph Laplacian, assembled in ``O(pairs)``.

Strengths of items are defined up to a constant per connected part of the
comparison graph (more generally: ``coef`` is defined up to the null space of
``D``).  The solver keeps every step orthogonal to that null space, so with
``alpha = 0`` it returns the minimum-norm optimum (for item ids: strengths that
sum to zero in each connected part), deterministically.
"""

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, bicgstab, cg, splu

from ._graph import _edge_matrix, longest_path_depths, pair_count_components
from ._ids import (
    csr_pattern,
    factorise_pair_ids,
    first_of_runs,
    is_pandas_native,
    key_slots,
    pair_keys,
    quotient_and_remainder,
    small_int_range,
)
from ._incidence import (
    IncidenceGram,
    item_incidence,
    restricted_incidence,
)
from ._loss import A_WON, B_WON, TIE
from ._threads import blas_threads_as_before

# MatrixDesign.incidence before item_incidence was run.
_NOT_SEARCHED = "not searched"
# Above this many parameters the Newton system is solved by conjugate gradients
# on the (sparse) Hessian instead of a dense Cholesky factorisation.  Each
# design sets its own threshold: a dense design's Gram matrix is dense anyway,
# while a graph Laplacian is sparse, and Jacobi-preconditioned CG on it beats
# a K^3 factorisation from a few hundred items on (measured: K = 1000, 1e5
# comparisons, 28 ms against 109 ms per fit; the ATP tennis players, K = 2,640,
# 20 ms against 0.9 s).
DENSE_SOLVE_MAX_PARAMS = 3000
# From this many item pairs on, sums of per-pair values by item are products
# of the pairs' CSR array with ones: a product streams the pairs once, where
# a weighted bincount makes three passes (its bounds, then the counts); 1e6
# pairs among 1e4 items: 1 ms against 5 ms.  Below it, the CSR's fixed cost
# shows.
_SPARSE_SUMS_MIN_PAIRS = 1 << 15
# Below this many item pairs the Laplacian is assembled at each Newton step,
# on a pattern of cells found once, and conjugate gradients make one sparse
# product a step, not two: scipy's fixed cost of a product is then most of
# its time.
_ASSEMBLED_LAPLACIAN_MAX_PAIRS = 1 << 15
ITEM_DENSE_SOLVE_MAX_PARAMS = 200
# Jacobi-preconditioned CG solves an item Newton system in 1-100 iterations
# on random graphs and tournaments (K = 10,000 random: 11 at most; ATP
# tennis: 95), but needs about K / 2 on a chain: a ladder competition, or
# each model checkpoint compared with the one before (K = 20,000: 7.7 s).
# Past this many iterations the design's Newton systems are factorised
# instead, by a sparse LU, whose factors stay sparse on such graphs.
_NEWTON_CG_MAX_ITERATIONS = 500
# A factorised Newton step with a larger backward error is refused (conjugate
# gradients take that step; all later ones after _LU_REFUSALS_MAX refusals in a
# row): a stable solve leaves some 1e-16.
_LU_BACKWARD_ERROR_MAX = 1e-10
_LU_REFUSALS_MAX = 3
# Conjugate gradients solve a Newton step to this relative residual at most
# (and the last step to it).
_CG_FINAL_RTOL = 1e-12
# A sparse design with this many stored values or more, of item ids and at
# most _INCIDENCE_GRAM_MAX_FEATURES other columns, builds its Gram matrix from
# the ids' graph (see IncidenceGram): 1e5 comparisons of 1,000 items with
# three features, 2.5 ms a call against 13.  Below, finding the ids and the
# pattern (8 ms at 2e4 comparisons) costs what the Newton steps save.
_INCIDENCE_GRAM_MIN_STORED = 1 << 18
_INCIDENCE_GRAM_MAX_FEATURES = 256
# An item design's null basis (one column per part of its graph) is stored
# sparse beyond this many entries (8 MB dense).
_DENSE_NULL_MAX_ENTRIES = 1 << 20
SPARSE_DENSE_SOLVE_MAX_PARAMS = 1000

# A design's null space: the eigenvectors of its (equilibrated) Gram matrix
# whose eigenvalue is at most this share of the largest.  An exact linear
# dependence leaves eigenvalues of 1e-17 to 1e-15 (rounding); features with a
# condition number of 1e5 (1e10 for the Gram matrix) are merely
# ill-conditioned, and 1e-9 projected out their smallest directions: the fit
# lost 2 to 7 log-likelihood units, silently.  A Gram matrix whose estimated
# reciprocal condition number exceeds _CLEARLY_DEFINITE_RCOND has none.
_NULL_EIGVAL_RTOL = 1e-12
_CLEARLY_DEFINITE_RCOND = 1e-6
# Bytes of a dense design per block of rows in its Gram pass: a block and its
# scaled copy should stay in the CPU cache between the two, yet be large enough
# for the per-block overhead not to show (measured, D^T g with the Gram of
# 1e6 x 10: 32 KiB blocks 25.8 ms, 256 KiB 18.2, 1 MiB 16.3, 4 MiB 16.9; one
# unblocked pass 21.8; 1e5 x 100: 46.9, 31.9, 31.3, 31.8 against 33.5).
_GRAM_BLOCK_BYTES = 1 << 20
# Comparisons per block when counting pairs into cells (see count_cells).
_COUNT_BLOCK_ROWS = 1 << 16
# A dense design with many rows per parameter starts Newton from a fit on every
# k-th row, at least this many rows per parameter (and _SUBSAMPLE_MIN_ROWS),
# when that is at most 1 / _SUBSAMPLE_MIN_STRIDE of the rows: the full fit then
# needs 3 passes instead of 5 (1e6 x 10: the solve went from 199 to 157 ms).
# With fewer rows per parameter the subsample's estimate is too rough to save a
# pass (1e5 x 100: none saved).
_SUBSAMPLE_ROWS_PER_PARAM = 1000
_SUBSAMPLE_MIN_ROWS = 1 << 15
_SUBSAMPLE_MIN_STRIDE = 8
# From this many coefficients on, a dense design's Gram matrix costs several
# gradient passes, and Newton starts where a few L-BFGS steps (gradient passes
# only) got: the Newton phase then typically needs one step, so the fit costs
# two Gram matrices instead of six or seven (fits went, for N x d = 1e5 x 100,
# from 250 to 166 ms; 3e4 x 300: from 500 to 218 ms; 2e4 x 768: from 2.9 to
# 1.05 s).  Below 32 the gain shrinks (1e5 rows, d = 24: from 43 to 38 ms;
# d = 16: from 30 to 27 ms; d = 8: from 25 to 26 ms) while an ill-conditioned
# problem, where L-BFGS spends its whole budget, costs relatively more.
_QUASI_NEWTON_MIN_PARAMS = 32
# After a subsample start, which already leaves Newton 3 steps, L-BFGS steps
# pay only from more coefficients (1e6 rows: d = 64 went from 1.01 to 1.17 s
# with them, d = 100 from 3.3 to 2.9 s; d = 40, 4e5 rows: 292 and 284 ms).
_QUASI_NEWTON_MIN_PARAMS_AFTER_SUBSAMPLE = 96
# ... and this many entries in the design: below, scipy's per-call overhead
# outweighs what it saves (300 x 40: a fit went from 1.1 to 1.5 ms).
_QUASI_NEWTON_MIN_ENTRIES = 100_000
# A sparse design's Gram matrix is costly from this many products per stored
# value (the mean number of values in a value's row): scipy's sparse product
# makes each one at some 5 ns, where a gradient pass costs two per value
# (1e5 rows of 40 values among 3,000 features: 1.1 s a Gram matrix, 10 ms a
# pass).
_SPARSE_GRAM_COSTLY_PAIRS = 16
# L-BFGS's budget, and its stop: an iteration gaining less than this share of
# the objective (1e-10 left a second Newton step at d = 300 and 768; 1e-14
# cost 13 more gradient passes at d = 100).
_QUASI_NEWTON_MAX_EVALUATIONS = 20
_QUASI_NEWTON_FTOL = 1e-12
# The spectral start's iterative solve (see _spectral_start): a start only,
# and LSR itself is some 0.1 from the MLE, so 1e-2 of the residual is enough
# (1e-6 saved no Newton step on any benchmark or stress case, and took
# football 20 iterations instead of 7).
_SPECTRAL_RTOL = 1e-2
# ... within this many iterations (the benchmarks' graphs take 7 or fewer),
# and only on graphs of this many pairs an item at least: on a sparse graph
# the chain mixes slowly, and the solve can take longer than the Newton steps
# it saves, or lose the tiny pi of weak items to rounding (a ladder of 300
# items, each compared with the next: 84 iterations, 90 items at pi <= 0,
# 16 ms of a 43 ms fit lost).
_SPECTRAL_MAX_ITERATIONS = 30
_SPECTRAL_MIN_PAIRS_PER_ITEM = 4
# Newton abandons a spectral start when the line search cuts one of its
# first two steps to this length or less (two halvings): the benchmarks'
# synthetic graphs take them whole, football halves its first step once, and
# the ATP tennis data halved the second four times, then 102 times (and
# damped it), where the start cost 3 more steps and 2.9 times the fit's time
# (tennis now starts at zero by the median rule below; this is the net for
# graphs that rule lets through).
_SPECTRAL_TRIAL_STEPS = 2
_SPECTRAL_MIN_STEP = 0.25
# ... and only where the median item is in this many comparisons at least:
# with fewer, spectral ranking puts the items of few comparisons and a
# lopsided record far out, and Newton takes more steps from it than from
# zero.  Newton steps from the spectral start against zero: ATP tennis
# (median 16 matches a player) 9 against 7, four Zipf-drawn graphs (median
# 14-26) 11, 14, 11, 8 against 7, 8, 9, 7, and WTA (18) wasted the start
# (6% of the fit: a few weak players' pi <= 0 at the solve's tolerance);
# NFL (52) 5 against 7, ice hockey (38) 4 against 5, football (209) 7
# against 8, the benchmarks' synthetic graphs (200) and arena 2-3 fewer.
_SPECTRAL_MIN_MEDIAN_COMPARISONS = 32
# Where a Gram matrix is costly (see _gram_is_costly), the Hessian at the
# point before the last Newton step stands for the one at the solution when
# that step changed no comparison's curvature weight by more than this share:
# the Hessian then changed by at most as much in the Loewner order, the
# standard errors by half of it, far below their own sampling error.  On the
# benchmarks the last step changes the weights by 2e-8 (d = 100) to 1.1e-6
# (d = 768).
_HESSIAN_REUSE_RTOL = 1e-5
# Levenberg-Marquardt damping (times the Hessian's diagonal) tried, in order,
# when a Newton step admits no decrease far from the optimum.
_DAMPING = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e2, 1e4, 1e6)
# A fit that looks separated (see _looks_separated) is confirmed by a linear
# programme (_separable) over all directions up to this many values of the
# design (0.1-0.2 s there; 30 s at 1e7 values); its margin counts as positive
# above this share of the largest possible.  Larger designs, up to this many
# parameters, get it over the directions along which the Hessian's average
# comparison weight (see _lost_directions) is at most _SEPARATION_EIGVAL_RTOL:
# a separated comparison's weight is at most e^-30 (|delta| > 30).
_SEPARATION_LP_MAX_ENTRIES = 200_000
_SEPARATION_LP_ATOL = 1e-7
_SEPARATION_EIGEN_MAX_PARAMS = 3000
_SEPARATION_EIGVAL_RTOL = 1e-9
# Without an MLE for item strengths, comparisons between the graph's strongly
# connected components are fitted with at least this margin in delta, doubled
# while a tie model still leaves them uncertain (see item_limit_solve,
# _certain_margin): the observed outcome's
# probability is then 1 - 4e-18, which is 1 in double precision (the spacing
# of doubles below 1 is 1.1e-16), so the log-likelihood is its supremum to
# rounding.
_LIMIT_MARGIN = 40.0
_LIMIT_MARGIN_DOUBLINGS = 12


class MatrixDesign:
    """Difference design ``D`` as a dense array or a scipy sparse matrix.

    ``incidence``, if known, is :func:`item_incidence` of ``D`` (None: no
    item ids); else it is searched for when first needed.
    """

    def __init__(self, D, incidence=_NOT_SEARCHED):
        self.D = D
        self.n_params = D.shape[1]
        self.is_sparse = sp.issparse(D)
        self.dense_solve_max_params = (
            SPARSE_DENSE_SOLVE_MAX_PARAMS if self.is_sparse else DENSE_SOLVE_MAX_PARAMS
        )
        self.incidence = incidence
        self._null_basis = None
        # Leading columns of the null basis known to be exact: the shifts of
        # the ids' parts (D maps them to 0 in any arithmetic).
        self.exact_null_columns = 0
        self._sparse_parts = None
        self._incidence_gram = None
        self._matrix_free = None  # whether Newton steps use a _GramOperator
        self._squares = None
        # (columns, null basis of their Gram matrix), set by a limit solve.
        self.informed_null = None
        # Directions known to be null (shifts of the items of a strongly
        # connected component), tried before a factorisation finds them.
        self.null_candidates = None

    def matvec(self, coef):
        if not np.any(coef):  # the zero start: no pass over D
            return np.zeros(self.D.shape[0])
        return np.asarray(self.D @ coef).ravel()

    def rmatvec(self, g):
        return np.asarray(self.D.T @ g).ravel()

    def gram(self, h, dense=False):
        """``D.T @ diag(h) @ D`` (sparse for a sparse design unless ``dense``)."""
        if self.is_sparse:
            G = self._sparse_gram(h)
            return G.toarray() if dense else G
        return self._dense_gram_rmatvec(h)[0]

    def squared_rmatvec(self, h):
        """``(D * D).T @ h``: the diagonal of ``D.T @ diag(h) @ D``."""
        if self._squares is None:
            D = sp.csr_array(self.D) if self.is_sparse else self.D
            self._squares = D.multiply(D) if self.is_sparse else D**2
        return np.asarray(self._squares.T @ h).ravel()

    def item_incidence(self):
        """:func:`item_incidence` of ``D``, searched for once."""
        if self.incidence is _NOT_SEARCHED:
            self.incidence = item_incidence(self.D)
        return self.incidence

    def _sparse_gram(self, h):
        """``D.T @ diag(h) @ D`` for a sparse ``D``, with the fixed parts kept.

        Item ids with a few features, in many rows, get an
        :class:`IncidenceGram`.  Otherwise ``D.T`` in CSR and the row of every
        stored value are computed once; each call then only scales the values
        row by row (no broadcasting multiply, no format conversion) before
        the one sparse product.
        """
        if self._sparse_gram_is_cheap():
            return self._incidence_gram(h)
        if self._sparse_parts is None:
            D = sp.csr_array(self.D)
            D.sum_duplicates()
            row_of_value = np.repeat(np.arange(D.shape[0]), np.diff(D.indptr))
            self._sparse_parts = D, D.T.tocsr(), row_of_value
        D, D_T, row_of_value = self._sparse_parts
        scaled = sp.csr_array(
            (D.data * h[row_of_value], D.indices, D.indptr), shape=D.shape
        )
        return (D_T @ scaled).tocsr()

    def _sparse_gram_is_cheap(self):
        """Whether the sparse Gram matrix comes from the ids' graph."""
        if self._incidence_gram is None:
            self._incidence_gram = self._make_incidence_gram()
        return bool(self._incidence_gram)

    def _make_incidence_gram(self):
        """An :class:`IncidenceGram` of ``D`` where one pays, else False."""
        if self.D.nnz < _INCIDENCE_GRAM_MIN_STORED:
            return False
        incidence = self.item_incidence()
        if incidence is None:
            return False
        if self.n_params - len(incidence[0]) > _INCIDENCE_GRAM_MAX_FEATURES:
            return False
        return IncidenceGram(self.D, incidence)

    def rmatvec_gram(self, g, h, dense=False):
        """``(D.T @ g, D.T @ diag(h) @ D)``: for a dense ``D``, in one pass over it.

        A sparse ``D`` whose Gram matrix is costly gives it as a
        :class:`_GramOperator`: Newton's systems are then solved by
        conjugate gradients on its products, whatever the size.
        """
        if self.is_sparse:
            if _gram_is_costly(self):
                return self.rmatvec(g), _GramOperator(self, h)
            return self.rmatvec(g), self.gram(h, dense=dense)
        return self._dense_gram_rmatvec(h, g)[::-1]

    def _dense_gram_rmatvec(self, h, g=None):
        """The Gram matrix of a dense ``D`` (and ``D.T @ g``), block of rows by block.

        Both are memory-bound for a few features: scaling all of ``D`` first
        would write an n x p array and read it back.  A block of rows and its
        scaled copy stay in the CPU cache between the scaling and the
        product, so ``D`` is read once, and no n x p buffer is needed.
        """
        D = self.D
        n, p = D.shape
        nonnegative = bool(np.all(h >= 0))
        # With h >= 0, (D sqrt(h))' (D sqrt(h)): numpy sees A.T @ A and calls
        # syrk, half the flops of D' (h D), and the result is exactly symmetric.
        weight = np.sqrt(h) if nonnegative else h
        # At least 2p rows: each block's p x p product is a new array added
        # into the sum, which with many features outweighed the block's own
        # flops (2e4 x 768: 1 MiB blocks of 170 rows 390 ms, 2p rows 250 ms).
        rows = max(1, _GRAM_BLOCK_BYTES // (8 * max(p, 1)), 2 * p)
        buffer = np.empty(
            (min(rows, n), p),
            dtype=np.result_type(D, weight),
            # The layout of D: a column-major block is copied column by column.
            order="F" if D.flags.f_contiguous else "C",
        )
        gram = np.zeros((p, p), dtype=buffer.dtype)
        rmatvec_g = None if g is None else np.zeros(p)
        # The fit's one large BLAS operation: threads pay here.
        with blas_threads_as_before():
            for start in range(0, n, rows):
                block = D[start : start + rows]
                scaled = np.multiply(
                    block, weight[start : start + rows, None], out=buffer[: len(block)]
                )
                gram += scaled.T @ scaled if nonnegative else block.T @ scaled
                if g is not None:
                    rmatvec_g += block.T @ g[start : start + rows]
        return gram, rmatvec_g

    def cross(self, hc):
        """``D.T @ hc`` for the Hessian block between coef and other parameters."""
        return np.asarray(self.D.T @ hc).reshape(self.n_params, -1)

    def null_basis(self, gram):
        """Orthonormal basis of the null space of ``D``, from its Gram matrix.

        Computed once: ``D.T W D`` has the null space of ``D`` for any positive
        weights ``W``.  The directions are the eigenvectors of eigenvalues at
        most ``_NULL_EIGVAL_RTOL`` times the largest; a Gram matrix that is
        clearly positive definite has none, and its eigendecomposition (82 ms
        at d = 768, against 5.6 ms for the Cholesky test) is skipped.
        """
        if isinstance(gram, _GramOperator):
            gram = self.gram(gram.h)
        if self._null_basis is None and sp.issparse(gram):
            # Item ids among many columns: from their graph (see
            # _incidence_null_basis), where a dense search is cubic.
            incidence = self.item_incidence()
            if incidence is not None:
                found = _incidence_null_basis(gram, incidence)
                if found is not None:
                    self._null_basis, self.exact_null_columns = found
        if self._null_basis is None:
            G = gram.toarray() if sp.issparse(gram) else gram
            G, scale = equilibrated(G)
            null = None
            candidates = self.null_candidates
            if candidates is not None and candidates.shape[1]:
                # Known to be singular: no test of definiteness first.
                null = _null_from_candidates(G, candidates / scale[:, None])
            elif _clearly_positive_definite(G):
                self._null_basis = np.zeros((G.shape[0], 0))
                return self._null_basis
            if null is None:
                null = _null_by_pivoted_cholesky(G)
            if null is None:
                eigval, eigvec = scipy.linalg.eigh(G)
                null = eigvec[:, eigval <= _NULL_EIGVAL_RTOL * max(eigval[-1], 1e-300)]
            self._null_basis = null_of_equilibrated(null, scale)
        return self._null_basis


def _null_by_pivoted_cholesky(G):
    """The null space of the equilibrated ``G`` by a pivoted Cholesky
    factorisation, or None where it cannot be trusted.

    LAPACK's ``dpstrf`` stops where the largest pivot left is at most
    ``_NULL_EIGVAL_RTOL``: ``G[P, P] = R' R`` with ``R = [R11 R12]`` of rank
    ``r``, and the null directions are ``P [-R11^-1 R12; I]``.  A pivoted
    Cholesky reveals the rank of most matrices but not all, so the result is
    checked: the directions must be null to the eigenvalue cut, and ``G``
    clearly definite once they are shifted away; then they span what the
    eigendecomposition would find, at a tenth of its cost or less (2,645
    one-hot ids and features: 0.3 s against 9.4 s).
    """
    p = G.shape[0]
    factor, piv, rank, info = scipy.linalg.lapack.dpstrf(G, tol=_NULL_EIGVAL_RTOL)
    if info < 0 or rank == p or rank == 0:
        return None
    piv = piv - 1  # 1-based
    solved = scipy.linalg.solve_triangular(
        factor[:rank, :rank], factor[:rank, rank:], check_finite=False
    )
    null = np.zeros((p, p - rank))
    null[piv[:rank]] = -solved
    null[piv[rank:], np.arange(p - rank)] = 1.0
    null = np.linalg.qr(null)[0]
    largest = np.abs(G).sum(axis=0).max()  # bounds the largest eigenvalue
    curvature = np.linalg.eigvalsh(null.T @ G @ null)
    if curvature.max() > _NULL_EIGVAL_RTOL * largest:
        return None
    # No other null direction: the reciprocal condition of what is left is
    # clearly above the cut (1e3 times: LAPACK's estimate can be optimistic).
    if not _clearly_positive_definite(
        G + null @ null.T, rcond_min=1e3 * _NULL_EIGVAL_RTOL
    ):
        return None
    return null


def _incidence_null_basis(G, incidence):
    """The null space of a sparse Gram matrix of item ids and features, from
    the ids' graph (``incidence``, see :func:`item_incidence`): an
    orthonormal basis and how many of its leading columns are the parts'
    shifts; None where it cannot tell.

    Its directions are the shifts of the items of each connected part of
    the comparison graph (but a part compared with a dropped category, fixed
    at 0), and the combinations of features that differences of ids
    reproduce (a feature constant per item, such as a player's height).  With one item
    of each part held fixed, the ids' block ``L`` is definite, and the rest
    of the null space is that of the features' Schur complement
    ``C - B' L^-1 B``: a few solves with ``L``, where the dense search of the
    whole Gram matrix is cubic in the items (20,000 players with three
    features: 190 s and 16 GB).  Its eigenvalues are cut as the dense
    search cuts those of the whole matrix.
    """
    id_columns = incidence[0]
    p = G.shape[0]
    G = sp.csr_array(G)
    # The parts of the Gram matrix's own graph: a comparison of weight 0
    # links nothing (an id seen only in such rows is a part of its own).
    id_block = G[id_columns][:, id_columns]
    labels = connected_components(id_block, directed=False)[1]
    # A part's row sums in the ids' block add up the weight of its
    # comparisons with the dropped category (rows with one id), which fix
    # its strengths; without any, they cancel to rounding, and its shift is
    # null.
    tied = np.bincount(labels, np.asarray(id_block.sum(axis=1)).ravel())
    trace = np.bincount(labels, id_block.diagonal())
    free = (np.abs(tied) <= _NULL_EIGVAL_RTOL * trace)[labels]
    part_of = np.unique(labels[free], return_inverse=True)[1]
    members = id_columns[free]
    sizes = np.bincount(part_of)
    shifts = sp.csc_array(
        (1.0 / np.sqrt(sizes[part_of]), (members, part_of)), shape=(p, len(sizes))
    )
    # Each part's item of largest curvature is held fixed.
    diagonal = G.diagonal()
    by_part = np.lexsort((-diagonal[members], part_of))
    fixed = members[by_part[first_of_runs(part_of[by_part])]]
    extra = _reproduced_features(
        G, np.setdiff1d(id_columns, fixed), np.setdiff1d(np.arange(p), id_columns)
    )
    if extra is None:
        return None
    if extra.shape[1]:
        extra -= shifts @ (shifts.T @ extra)
        extra = np.linalg.qr(extra)[0]
    if p * (shifts.shape[1] + extra.shape[1]) <= _DENSE_NULL_MAX_ENTRIES:
        return np.hstack([shifts.toarray(), extra]), shifts.shape[1]
    return sp.hstack([shifts, sp.csc_array(extra)], format="csc"), shifts.shape[1]


def _reproduced_features(G, ids, features):
    """Null directions of ``G`` on ``ids`` and ``features`` (columns of a
    Gram matrix whose ``ids`` block is definite): ``p x e``, or None.

    In equilibrated units: ``Y = L^-1 B`` by conjugate gradients (a sparse
    LU where they stall, on chains), then the Schur complement in its
    symmetric form ``C - Y'B - B'Y + Y'LY``, whose error is quadratic in
    ``Y``'s.
    """
    scale = equilibration_scale(G)
    Ge = sp.csr_array(sp.diags_array(scale) @ G @ sp.diags_array(scale))
    L = Ge[ids][:, ids]
    B = Ge[ids][:, features].toarray()
    C = Ge[features][:, features].toarray()
    Y = _solve_definite(L, B)
    if Y is None:
        return None
    S = C - Y.T @ B - B.T @ Y + Y.T @ (L @ Y)
    eigval, eigvec = np.linalg.eigh((S + S.T) / 2)
    largest = abs(Ge).sum(axis=0).max()
    z = eigvec[:, eigval <= _NULL_EIGVAL_RTOL * largest]
    null = np.zeros((G.shape[0], z.shape[1]))
    null[features] = z
    null[ids] = -Y @ z
    return scale[:, None] * null


def _solve_definite(L, B):
    """``L^-1 B`` for a sparse definite ``L`` with unit diagonal, or None."""
    Y = np.empty_like(B)
    for j, column in enumerate(B.T):
        Y[:, j], info = cg(
            L, column, rtol=1e-10, atol=0.0, maxiter=_NEWTON_CG_MAX_ITERATIONS
        )
        if info:
            break
    else:
        return Y
    try:
        Y = splu(sp.csc_array(L), permc_spec="MMD_AT_PLUS_A").solve(B)
    except RuntimeError:  # singular
        return None
    residual = np.abs(L @ Y - B).max(initial=0.0)
    if not residual <= 1e-8 * max(np.abs(B).max(initial=0.0), 1e-300):
        return None
    return Y


def _null_from_candidates(G, candidates):
    """``candidates`` (columns of disjoint support) made orthonormal, if they
    span the null space of the equilibrated ``G``; else None.

    The checks of :func:`_null_by_pivoted_cholesky`, without its
    factorisation: the directions are null to the eigenvalue cut, and ``G``
    is clearly definite once they are shifted away.
    """
    null = candidates / np.linalg.norm(candidates, axis=0)
    largest = np.abs(G).sum(axis=0).max()
    # Sparse products: thousands of small components would make N N' and
    # N' G N cost p^2 per column.
    sparse_null = sp.csc_array(null)
    curvature = np.linalg.eigvalsh(np.asarray(sparse_null.T @ (sparse_null.T @ G).T))
    if curvature.max(initial=0.0) > _NULL_EIGVAL_RTOL * largest:
        return None
    shifted = G.copy()
    outer = sp.coo_array(sparse_null @ sparse_null.T)
    np.add.at(shifted, (outer.row, outer.col), outer.data)
    if not _clearly_positive_definite(shifted, rcond_min=1e3 * _NULL_EIGVAL_RTOL):
        return None
    return null


def equilibrated(G):
    """``(S G S, s)`` with ``S = diag(s)`` scaling ``G``'s diagonal to ones.

    A relative threshold on the eigenvalues (or condition number) of a Gram
    matrix is only meaningful in units where its columns are comparable: a
    feature in characters next to one in [0, 1] differs by 1e10 in scale,
    which read as a null direction.  Zero columns keep ``s = 1``.
    """
    scale = equilibration_scale(G)
    return G * scale[:, None] * scale[None, :], scale


def equilibration_scale(G):
    """``1 / sqrt(diag(G))``, 1 where the diagonal is not positive."""
    diag = G.diagonal() if sp.issparse(G) else np.diagonal(G)
    scale = np.ones(len(diag))
    positive = diag > 0
    scale[positive] = 1.0 / np.sqrt(diag[positive])
    return scale


def null_of_equilibrated(null, scale):
    """Orthonormal basis of the null space of ``G`` from that of ``S G S``.

    ``G x = 0`` exactly when ``(S G S) S^-1 x = 0``, so the directions are
    ``S v``, made orthonormal again.
    """
    if not null.shape[1]:
        return null
    return np.linalg.qr(scale[:, None] * null)[0]


def _clearly_positive_definite(G, rcond_min=None):
    """Whether the symmetric ``G`` is positive definite with room to spare.

    A Cholesky factorisation and LAPACK's estimate of its reciprocal condition
    number in the 1-norm.  The estimate can be optimistic, by a factor of a
    few, and the 1-norm condition bounds the 2-norm one from above, so the
    threshold sits three orders above the null-space cut of the eigenvalues:
    only matrices that the eigendecomposition would give no null direction
    pass.
    """
    if G.shape[0] == 0:
        return True
    factor, info = scipy.linalg.lapack.dpotrf(G, lower=False, clean=False)
    if info != 0:
        return False
    norm = np.abs(G).sum(axis=0).max()
    rcond, info = scipy.linalg.lapack.dpocon(factor, norm)
    if rcond_min is None:
        rcond_min = _CLEARLY_DEFINITE_RCOND
    return info == 0 and rcond > rcond_min


class ItemDesign:
    """Design of one-hot item ids: ``delta = theta[a] - theta[b]`` per unique pair."""

    def __init__(self, a, b, n_items):
        self.a = a
        self.b = b
        self.n_params = n_items
        self.dense_solve_max_params = ITEM_DENSE_SOLVE_MAX_PARAMS
        self._null_basis = None
        self._upper_pattern = None
        self._laplacian_pattern = None
        # How Newton systems beyond the dense solve are solved: CG capped at
        # _NEWTON_CG_MAX_ITERATIONS; a sparse LU once that proved too few on
        # this graph; CG uncapped once LU steps were imprecise
        # _LU_REFUSALS_MAX times in a row.
        self.solver = "capped cg"
        self.lu_refusals = 0  # factorised steps refused in a row
        # The items in some comparison, where they are known to be strongly
        # connected (see assume_connected); None where not known.
        self.connected_items = None

    def matvec(self, theta):
        return theta[self.a] - theta[self.b]

    def rmatvec(self, g):
        side_a, side_b = self._sums_by_item(g)
        return side_a - side_b

    def gram(self, h, dense=False):
        """The weighted graph Laplacian ``D.T @ diag(h) @ D``.

        Dense, it is one ``bincount`` over the K x K cells; sparse, for few
        pairs, one ``bincount`` into the cells of a pattern found once (see
        :meth:`laplacian_operator`); for many, it is assembled from its
        unassembled form, ``U + U.T + diag(degree)``: the sum of CSR arrays
        merges sorted rows in linear time, where finding the pattern sorts
        the cells.
        """
        k = self.n_params
        if dense:
            degree = np.bincount(self.a, h, k) + np.bincount(self.b, h, k)
            off = self._dense_pairs_array(h)
            H = -(off + off.T)
            H.ravel()[:: k + 1] += degree  # the diagonal, a view of the new array
            return H
        if k <= self.dense_solve_max_params:
            # Where Newton's systems are dense, so are the Laplacians: its
            # nonzeros read off the dense one cost less than finding the
            # pattern of the pairs (K = 100, 4,295 pairs: 0.5 -> 0.15 ms).
            return _csr_of_dense(self.gram(h, dense=True))
        if len(h) < _ASSEMBLED_LAPLACIAN_MAX_PAIRS:
            return self._assembled_laplacian(h)
        laplacian = self.laplacian_operator(h)
        upper = sp.csr_array(laplacian.upper)
        diagonal = sp.diags_array(laplacian.diagonal, format="csr")
        laplacian = upper + upper.T.tocsr() + diagonal
        laplacian.sum_duplicates()  # sorted, as a CSR built from cells would be
        return laplacian

    def rmatvec_gram(self, g, h, dense=False):
        """``(D.T @ g, D.T @ diag(h) @ D)``; the Laplacian unassembled unless ``dense``.

        Conjugate gradients only need products with it.
        """
        laplacian = self.gram(h, dense=True) if dense else self.laplacian_operator(h)
        return self.rmatvec(g), laplacian

    def laplacian_operator(self, h):
        """The Laplacian ``D.T @ diag(h) @ D`` for products with it.

        A :class:`_LaplacianOperator`, or for fewer than
        ``_ASSEMBLED_LAPLACIAN_MAX_PAIRS`` pairs the assembled CSR array: there
        a product's fixed cost is what shows, and the assembled Laplacian is
        one product where the operator is two.
        """
        if len(h) < _ASSEMBLED_LAPLACIAN_MAX_PAIRS:
            return self._assembled_laplacian(h)
        negated = -h
        upper = self._pairs_array(negated)
        side_a, side_b = self._sums_by_item(negated, upper)
        return _LaplacianOperator(upper, -(side_a + side_b))

    def _assembled_laplacian(self, h):
        """The Laplacian as a canonical CSR array, on a pattern found once."""
        # Each pair adds -h at (a, b) and (b, a), and h to the diagonal at
        # (a, a) and (b, b).
        return self._on_laplacian_pattern(-h, -h, h, h)

    def _on_laplacian_pattern(self, at_ab, at_ba, at_aa, at_bb):
        """K x K canonical CSR array with each pair's values at (a, b), (b, a),
        (a, a) and (b, b), on the Laplacian's pattern (found once); repeated
        cells (a self-comparison, or a pair in both orders) add up."""
        if self._laplacian_pattern is None:
            self._laplacian_pattern = self._find_laplacian_pattern()
        indptr, indices, positions = self._laplacian_pattern
        values = np.concatenate([at_ab, at_ba, at_aa, at_bb])
        data = np.bincount(positions, values, len(indices))
        # The pattern is copied, as IncidenceGram's: the caller owns the
        # array (hessian_ is one), and scipy edits a pattern in place.
        matrix = sp.csr_array(
            (data, indices.copy(), indptr.copy()), shape=(self.n_params,) * 2
        )
        matrix.has_canonical_format = True  # sorted unique cells: no check
        if not data.all():  # as a sum of sparse arrays: no stored zeros
            matrix.eliminate_zeros()
        return matrix

    def _find_laplacian_pattern(self):
        """``(indptr, indices, positions)`` of the Laplacian's cells.

        ``positions`` holds the index into the CSR data of (a, b), (b, a),
        (a, a) and (b, b) for every pair, in that order.
        """
        k = self.n_params
        rows = np.concatenate([self.a, self.b, self.a, self.b])
        cols = np.concatenate([self.b, self.a, self.a, self.b])
        positions, cells = key_slots(pair_keys(rows, cols, k), k * k)
        indptr, indices = csr_pattern(cells, k)
        # In the index type scipy would pick, or it converts them every time.
        index_dtype = sp.get_index_dtype(maxval=max(k, len(cells)))
        return indptr.astype(index_dtype), indices.astype(index_dtype), positions

    def _sums_by_item(self, values, pairs=None):
        """Sums of per-pair ``values`` by item: over A's side, over B's side.

        ``pairs``, if given, is ``self._pairs_array(values)``, already built.
        """
        k = self.n_params
        if len(values) < _SPARSE_SUMS_MIN_PAIRS:
            # (Without pairs, bincount's zeros are integers.)
            return (
                np.bincount(self.a, values, k).astype(float, copy=False),
                np.bincount(self.b, values, k).astype(float, copy=False),
            )
        if pairs is None:
            pairs = self._pairs_array(values)
        ones = np.ones(k)
        return pairs @ ones, pairs.T @ ones  # row sums, column sums

    def _dense_pairs_array(self, values):
        """K x K array with ``values`` at (a, b) of each pair (repeats add up)."""
        k = self.n_params
        return np.bincount(pair_keys(self.a, self.b, k), values, k * k).reshape(k, k)

    def _pairs_array(self, values):
        """K x K CSR array with ``values`` at (a, b) of each pair (repeats add up)."""
        k = self.n_params
        if self._upper_pattern is None:
            # Pairs from aggregate_item_pairs are sorted by (a, b): CSR order.
            order = None if np.all(np.diff(self.a) >= 0) else np.argsort(self.a)
            rows = self.a if order is None else self.a[order]
            cols = self.b if order is None else self.b[order]
            indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=k))])
            self._upper_pattern = order, cols, indptr
        order, cols, indptr = self._upper_pattern
        data = values if order is None else values[order]
        return sp.csr_matrix((data, cols, indptr), shape=(k, k))

    def cross(self, hc):
        return np.column_stack([self.rmatvec(c) for c in hc.T]).reshape(
            self.n_params, -1
        )

    def assume_connected(self, used):
        """Record that the items in ``used`` are strongly connected.

        The other items are in no comparison, each a part of its own.  A
        caller that has checked the graph (the ranker, for the existence of
        the MLE) spares :meth:`null_basis` its own search (on a K = 100 fit a
        fifth of the solver's time; it needs the parts only), and lets Newton
        start from the spectral estimate, which needs strong connectivity
        (see :func:`_spectral_start`).
        """
        labels = np.cumsum(~used) * ~used  # the used items 0, the others 1, 2, ...
        if not used.any():
            labels -= 1
        self._null_basis = _part_indicators(labels)
        self.connected_items = used

    def null_basis(self, gram):
        """Indicator of each connected part of the comparison graph, normalised."""
        if self._null_basis is None:
            k = self.n_params
            if isinstance(gram, _LaplacianOperator):
                gram = gram.upper  # the pairs: the same graph
            # Sparse, every nonzero an edge: scipy reads a dense matrix's
            # entries below 1e-8 as no edge (pairs of tiny weights).
            _, labels = connected_components(sp.csr_array(gram), directed=False)
            self._null_basis = _part_indicators(labels[:k])
        return self._null_basis


def _part_indicators(labels):
    """Orthonormal indicators of the parts ``0, 1, ...`` of ``labels``.

    Dense, as the solvers' products with it are fastest, unless that takes
    more than ``_DENSE_NULL_MAX_ENTRIES``: a graph of thousands of parts
    (items alone, pairs of separate experiments) then gets a sparse one.
    """
    sizes = np.bincount(labels)
    k = len(labels)
    values = 1.0 / np.sqrt(sizes[labels])
    if k * len(sizes) <= _DENSE_NULL_MAX_ENTRIES:
        basis = np.zeros((k, len(sizes)))
        basis[np.arange(k), labels] = values
        return basis
    return sp.csc_array((values, (np.arange(k), labels)), shape=(k, len(sizes)))


class _LaplacianOperator:
    """The weighted Laplacian ``diag(degree) + U + U.T`` of the item pairs, unassembled.

    ``U`` holds ``-h`` at (a, b) for every pair, in the pairs' own CSR order,
    so building it is free; a product reads each pair twice, as one with the
    assembled Laplacian does, and assembling it (a pass over four entries a
    pair) is what it saves at every Newton step.  That holds for many pairs;
    below ``_ASSEMBLED_LAPLACIAN_MAX_PAIRS`` the assembled one is used, whose
    products cost one call into scipy, not two.
    """

    def __init__(self, upper, degree):
        self.upper = upper
        self.diagonal = degree
        # U.T is a CSC view of U's arrays; made once, not at every product
        # (conjugate gradients make dozens, where its set-up would show).
        self._lower = upper.T

    def add_to_diagonal(self, value):
        return _LaplacianOperator(self.upper, self.diagonal + value)

    def __matmul__(self, v):
        return self.diagonal * v + self.upper @ v + self._lower @ v


class _GramOperator:
    """``D.T @ diag(h) @ D + diag(shift)`` of a sparse design, never formed.

    A product is two passes over ``D``: for a design with many values a row
    it costs a hundredth of forming the matrix (see :func:`_gram_is_costly`),
    and conjugate gradients need some 10-30 of them per Newton step.
    """

    def __init__(self, design, h, shift=0.0):
        self.design, self.h, self.shift = design, h, shift
        self.diagonal = design.squared_rmatvec(h) + shift

    def add_to_diagonal(self, value):
        return _GramOperator(self.design, self.h, self.shift + value)

    def __matmul__(self, v):
        design = self.design
        return design.rmatvec(self.h * design.matvec(v)) + self.shift * v


# The Hessian blocks that are products only (no matrix to factorise).
_OPERATORS = (_LaplacianOperator, _GramOperator)


@dataclass
class NewtonResult:
    coef: np.ndarray
    intercept: float
    extra: np.ndarray
    n_iter: int
    converged: bool
    diverging: bool
    objective: float
    hessian: object  # penalised Hessian at the solution, in [coef, intercept?, extra]
    # item_limit_solve: the weakly connected part of the graph each item is in
    limit_parts: np.ndarray = None


def _penalty(alpha, coef):
    return 0.5 * alpha * (coef @ coef)


def _gradient(rmatvec_g, loss_terms, coef, alpha, fit_intercept):
    """The objective's gradient in [coef, intercept?, extra] order.

    ``rmatvec_g`` is ``D.T @ g`` for the loss's gradient ``g`` in ``delta``
    (``loss_terms[1]``).
    """
    g = loss_terms[1]
    return np.concatenate(
        [rmatvec_g + alpha * coef, [g.sum()] if fit_intercept else [], loss_terms[3]]
    )


def _dense_hessian(design, loss_terms, fit_intercept):
    """Whether the Newton system is small enough for a dense factorisation."""
    n_all = design.n_params + int(fit_intercept) + loss_terms[4].shape[0]
    return n_all <= design.dense_solve_max_params


def _assemble_hessian(design, loss_terms, alpha, fit_intercept, dense=None, gram=None):
    """Penalised Hessian blocks in the parameter order [coef, intercept?, extra].

    ``gram``, if given, is ``design.gram(h, dense)``, already computed.
    Returns ``(H_cc, B, C)``: the coef block, the coef-vs-others block and the
    block of the other parameters (``None`` when there are none).
    """
    _, _, h, _, h_extra, h_cross = loss_terms
    p = design.n_params
    if dense is None:
        dense = _dense_hessian(design, loss_terms, fit_intercept)
    H_cc = design.gram(h, dense=dense) if gram is None else gram
    if alpha:
        if isinstance(H_cc, _OPERATORS):
            H_cc = H_cc.add_to_diagonal(alpha)
        elif sp.issparse(H_cc):
            H_cc = (H_cc + alpha * sp.eye_array(p, format="csr")).tocsr()
        else:
            H_cc[np.diag_indices(p)] += alpha
    other_cross = []
    other_block = []
    if fit_intercept:
        other_cross.append(design.rmatvec(h)[:, None])
        other_block.append(np.concatenate([[h.sum()], h_cross.sum(axis=0)]))
    if h_extra.shape[0]:
        other_cross.append(design.cross(h_cross))
        if fit_intercept:
            other_block.append(np.column_stack([h_cross.sum(axis=0)[:, None], h_extra]))
        else:
            other_block.append(h_extra)
    if not other_cross:
        return H_cc, None, None
    B = np.hstack(other_cross)
    C = np.vstack([np.atleast_2d(row) for row in other_block])
    return H_cc, B, C


def _solve_newton_system(design, H_cc, B, C, grad, null, cg_rtol=1e-12, x0=None):
    """Solve ``[[H_cc, B], [B.T, C]] step = -grad`` with steps orthogonal to ``null``.

    Adding ``N N^T`` (N the null basis of the design) to ``H_cc`` makes it
    positive definite without changing the solution orthogonal to N.  The
    solution is returned before that projection (the caller makes it).
    ``x0``, an earlier solution of the same system, starts conjugate
    gradients where they are used.
    """
    p = design.n_params
    n_other = 0 if B is None else B.shape[1]
    if not sp.issparse(H_cc) and not isinstance(H_cc, _OPERATORS):
        # LAPACK's Cholesky solve in one call: at K = 100 the wrappers of
        # cho_factor and cho_solve cost more than the factorisation.  The
        # system is symmetric, so its transpose is the Fortran-ordered array
        # LAPACK works in place on, without a copy.
        H = _dense_system(H_cc, B, C, null)
        _, solution, info = scipy.linalg.lapack.dposv(H.T, grad, overwrite_a=True)
        if info == 0:
            return -solution
        # Not positive definite to rounding (e.g. saturated probabilities): a
        # least-squares step is still a descent direction for a positive
        # semi-definite Hessian, which every loss provides.
        H = _dense_system(H_cc, B, C, null)  # dposv overwrote the first
        return -scipy.linalg.lstsq(H, grad, check_finite=False)[0]
    if not isinstance(design, ItemDesign):
        # Features (sparse with ids, or dense beyond DENSE_SOLVE_MAX_PARAMS):
        # their Hessians fill in (ATP ids with three features: a sparse LU
        # made a fit slower, 0.43 -> 0.64 s).
        return _solve_cg(H_cc, B, C, grad, null, p, n_other, cg_rtol, x0=x0)[0]
    if design.solver == "capped cg":
        step, info = _solve_cg(
            H_cc,
            B,
            C,
            grad,
            null,
            p,
            n_other,
            cg_rtol,
            _NEWTON_CG_MAX_ITERATIONS,
            x0=x0,
        )
        if info == 0:
            return step
        design.solver = "lu"  # slow here, slow at every step: factorise
    if design.solver == "lu":
        step = _solve_reduced_lu(H_cc, B, C, grad, null)
        if step is not None:
            design.lu_refusals = 0
            return step
        # Singular, or imprecise (weights spanning many orders of magnitude
        # cancel in the elimination): CG for this step, and from now on once
        # it happens at _LU_REFUSALS_MAX steps in a row (one refusal on the
        # way, where the iterate passes through extreme weights, is no reason
        # to give up a factorisation that CG cannot replace).
        design.lu_refusals += 1
        if design.lu_refusals >= _LU_REFUSALS_MAX:
            design.solver = "cg"
    return _solve_cg(H_cc, B, C, grad, null, p, n_other, cg_rtol, x0=x0)[0]


def _solve_reduced_lu(H_cc, B, C, grad, null):
    """The Newton step by a sparse LU factorisation, or None if singular.

    For item ids the null space is one constant per connected part: the
    system without one item of each part (its step set to 0) is definite,
    and its solution differs from the one orthogonal to the null space by a
    constant per part, which the caller projects out.  (With a damped
    Hessian the step is the damped model's minimum over those items: still
    a descent direction with the same decrement after the projection.)
    """
    if isinstance(H_cc, _LaplacianOperator):
        upper = sp.csr_array(H_cc.upper)
        H_cc = upper + upper.T.tocsr() + sp.diags_array(H_cc.diagonal, format="csr")
    p = H_cc.shape[0]
    drop = (
        _first_rows(null)
        if null is not None and null.shape[1]
        else np.zeros(0, dtype=np.intp)
    )
    keep = np.setdiff1d(np.arange(p), drop)
    system = sp.csr_array(H_cc)[keep][:, keep]
    n_other = 0 if B is None else B.shape[1]
    if n_other:
        border = sp.csr_array(B[keep])
        system = sp.block_array([[system, border], [border.T, sp.csr_array(C)]])
    rows = np.concatenate([keep, p + np.arange(n_other)])
    try:
        # A symmetric fill-reducing ordering suits the Laplacian.
        lu = splu(sp.csc_array(system), permc_spec="MMD_AT_PLUS_A")
    except RuntimeError:  # exactly singular
        return None
    rhs = -grad[rows]
    solution = lu.solve(rhs)
    # One step of iterative refinement, then a check: the elimination of a
    # Laplacian whose weights span many orders of magnitude can cancel its
    # pivots away.
    residual = rhs - system @ solution
    solution += lu.solve(residual)
    residual = rhs - system @ solution
    # Its normwise backward error: the smallest relative change of the system
    # that the solution solves exactly.
    scale = abs(system).sum(axis=1).max() * np.abs(solution).max() + np.abs(rhs).max()
    if not (
        np.all(np.isfinite(solution))
        and np.abs(residual).max() <= _LU_BACKWARD_ERROR_MAX * scale
    ):
        return None
    step = np.zeros(len(grad))
    step[rows] = solution
    return step


def _first_rows(null):
    """The first row on which each column of ``null`` is not zero."""
    if sp.issparse(null):
        null = sp.csc_array(null)
        null.sort_indices()
        return null.indices[null.indptr[:-1]]
    return np.argmax(null != 0, axis=0)


def _csr_of_dense(H):
    """The square ``H`` as a canonical CSR array of its nonzeros."""
    k = H.shape[0]
    cells = np.flatnonzero(H)
    indptr, indices = csr_pattern(cells, k)
    index_dtype = sp.get_index_dtype(maxval=max(k, len(cells)))
    matrix = sp.csr_array(
        (H.ravel()[cells], indices.astype(index_dtype), indptr.astype(index_dtype)),
        shape=H.shape,
    )
    matrix.has_canonical_format = True  # row-major order: sorted, no repeats
    return matrix


def _null_shift_scale(diagonal):
    """The scale of ``N N^T`` added to the Hessian: its own (any positive one
    gives the same solution orthogonal to N, but a unit shift on a Hessian of
    weights 1e-20 would drown it in rounding)."""
    positive = diagonal[diagonal > 0]
    # (ndarray.mean's wrappers cost more than the sum at K = 100.)
    return float(np.add.reduce(positive)) / len(positive) if len(positive) else 1.0


def null_shift(null, diagonal):
    """``S = diag(H) N`` with each column ``n`` scaled by ``1 / sqrt(n' diag(H) n)``
    (rows of zero diagonal take the mean diagonal's scale).

    ``H + S S'`` is definite, and its inverse a generalised inverse of ``H``;
    in the Jacobi preconditioner's metric the null directions get eigenvalue
    one (see ``_uncertainty._shifted_operator``).
    """
    weights = np.where(diagonal > 0, diagonal, _null_shift_scale(diagonal))
    if sp.issparse(null):
        null = sp.csc_array(null)
        norms = np.sqrt(np.asarray(null.multiply(null).T @ weights).ravel())
        return sp.csc_array(null.multiply(weights[:, None]) / norms[None, :])
    norms = np.sqrt(weights @ null**2)
    return null * weights[:, None] / norms[None, :]


def _dense_system(H_cc, B, C, null):
    """``[[H_cc + s N N^T, B], [B.T, C]]`` as a new dense array."""
    H = np.array(H_cc)
    if null is not None and null.shape[1]:
        N = null.toarray() if sp.issparse(null) else null
        shifted = _null_shift_scale(np.diag(H)) * N
        # One part's outer product by broadcasting: matmul's is a slow path
        # when the inner dimension is 1 (K = 100: 32 against 11 us).
        H += shifted * N.T if N.shape[1] == 1 else shifted @ N.T
    if B is not None and B.shape[1]:
        H = np.block([[H, B], [B.T, C]])
    return H


def solve_semidefinite(H, rhs, null, rtol, maxiter):
    """``(x, info)``: ``H x = rhs`` for a positive semi-definite sparse ``H``
    whose null space ``null`` spans (None: definite), ``x`` orthogonal to it,
    by Jacobi-preconditioned CG (``info > 0``: ``maxiter`` ran out)."""
    x, info = _solve_cg(H, None, None, -rhs, null, H.shape[0], 0, rtol, maxiter)
    return _orthogonal_to(null, x, H.shape[0]), info


def _solve_cg(H_cc, B, C, grad, null, p, n_other, rtol, maxiter=None, x0=None):
    """Jacobi-preconditioned conjugate gradients on the block Hessian:
    ``(step, info)``, ``info > 0`` when ``maxiter`` (default ``10 n``) ran out.
    ``x0`` starts the iteration (default zero)."""
    if isinstance(H_cc, _OPERATORS):
        diag = H_cc.diagonal
    else:
        H_cc = sp.csr_array(H_cc)
        diag = H_cc.diagonal()
    shifted = null is not None and null.shape[1]
    if shifted:
        # H + S S' with S = diag(H) N, each column scaled to n' diag(H) n: in
        # the Jacobi preconditioner's metric the null directions get
        # eigenvalue one, where H's other eigenvalues are (for a Laplacian,
        # the normalised one's).  Any S with N'S non-singular solves
        # (H + S S') x = b with H x = b; the caller projects x onto N's
        # complement.  A shift of H's mean diagonal along N instead left the
        # ATP graph's CG steps inexact enough for 14 Newton steps, not 9.
        S = null_shift(null, diag)
        squares = S.multiply(S) if sp.issparse(S) else S**2
        diag = diag + np.asarray(squares.sum(axis=1)).ravel()
    if n_other:
        diag = np.concatenate([diag, np.diag(C)])

    def matvec(v):
        v = np.ravel(v)
        top = H_cc @ v[:p]
        if shifted:
            top += S @ (S.T @ v[:p])
        if not n_other:
            return top
        top += B @ v[p:]
        return np.concatenate([top, B.T @ v[:p] + C @ v[p:]])

    n = p + n_other
    op = LinearOperator((n, n), matvec=matvec, dtype=float)
    step, info = cg(
        op,
        -grad,
        x0=x0,
        rtol=rtol,
        atol=0.0,
        maxiter=maxiter or 10 * n,
        M=_jacobi(diag),
    )
    return step, info


def _orthogonal_to(null, solution, p):
    """``solution`` with the component of its first ``p`` entries along the
    orthonormal columns of ``null`` removed (a new array; ``solution`` itself
    without a null space)."""
    if null is None or not null.shape[1]:
        return solution
    step = solution.copy()
    step[:p] -= null @ (null.T @ step[:p])
    return step


def _jacobi(diagonal):
    """The Jacobi preconditioner of a matrix with this diagonal (no zeros)."""
    n = len(diagonal)
    return LinearOperator((n, n), matvec=lambda v: np.ravel(v) / diagonal, dtype=float)


def newton_solve(
    design,
    loss,
    counts,
    *,
    alpha=0.0,
    fit_intercept=False,
    coef0=None,
    intercept0=0.0,
    extra0=None,
    tol=1e-8,
    max_iter=100,
    detect_divergence=True,
):
    """Minimise the penalised pairwise loss by damped Newton steps.

    Parameters
    ----------
    design : MatrixDesign or ItemDesign
    loss : object with ``loss`` and ``loss_gradient_hessian`` (see ``_loss.py``)
    counts : ndarray of shape (n_rows, 3)
        Outcome counts ``[B won, tie, A won]`` per row of the design.
    alpha : float
        L2 penalty on ``coef`` (not on the intercept or the extra parameters).
    tol : float
        Stop when the Newton decrement is below ``tol ** 2`` or the largest
        step below ``tol`` times the largest parameter.
    detect_divergence : bool
        Flag a fit whose MLE looks infinite (unpenalised only).  The caller
        turns it off when it knows the MLE exists (a strongly connected
        comparison graph), where the heuristics could only be wrong.
    coef0, intercept0, extra0
        Starting point.  Without ``coef0`` and ``extra0``, a dense design
        starts from a cheaper estimate where it has one (see
        :func:`_starting_point`), other designs from zero.

    Returns
    -------
    NewtonResult
    """
    p = design.n_params
    spectral_start = False
    if coef0 is None and extra0 is None:
        start = _starting_point(design, loss, counts, alpha, fit_intercept, tol)
        spectral_start = start is not None and isinstance(design, ItemDesign)
        coef0, intercept0, extra0 = start or (None, intercept0, None)
    # Otherwise start at zero: for item ids the first step is then the
    # least-squares fit of the Laplacian, which is safe; a start from each
    # pair's log-odds saved 1-3 iterations on synthetic data but overshot
    # into saturated pairs on the ATP data, where the Hessian becomes
    # numerically singular.  (The spectral start of strongly connected item
    # designs, see _spectral_start, is an estimate of the strengths, not of
    # the pairs.)
    coef = np.zeros(p) if coef0 is None else np.array(coef0, dtype=float)
    intercept = float(intercept0) if fit_intercept else 0.0
    extra = loss.initial_extra(counts) if extra0 is None else np.array(extra0, float)
    null = first_grad_norm = hessian_params = None
    flat_steps = 0
    # The absolute thresholds below are in log-likelihood units of weight-one
    # comparisons: with weights of 1e-8 each, every step "gained nothing" and
    # the fit stopped at once (or called the data separable).  Weights below
    # one scale them down; counts leave them as they are.
    unit = min(1.0, float(counts.sum()) / max(counts.shape[0], 1)) or 1.0
    converged = diverging = stepped = False

    def unpack(params):
        return _unpack(params, p, fit_intercept)

    def search(step, step_delta, decrement):
        """Backtracking line search (Armijo) along ``step`` from ``params``.

        Returns ``(params, delta, terms, objective, t)`` at the accepted
        point (its loss terms serve the next step) and step length ``t``, or
        None when no step length decreases the objective beyond rounding.
        The full step is almost always taken.
        """
        t = 1.0
        while True:
            trial = params + t * step
            trial_delta = delta + t * step_delta
            trial_terms = loss.loss_gradient_hessian(
                trial_delta, counts, unpack(trial)[2]
            )
            f_t = trial_terms[0] + _penalty(alpha, trial[:p])
            if f_t <= objective - 1e-4 * t * decrement or t < 1e-10:
                break
            t *= 0.5
        if not f_t <= objective + 1e-12 * abs(objective):
            return None
        return trial, trial_delta, trial_terms, f_t, t

    def begin(coef, intercept, extra):
        """``(params, delta, terms, objective)`` at a starting point."""
        params = np.concatenate([coef, [intercept] if fit_intercept else [], extra])
        delta = design.matvec(coef) + intercept
        terms = loss.loss_gradient_hessian(delta, counts, extra)
        return params, delta, terms, terms[0] + _penalty(alpha, coef)

    params, delta, terms, objective = begin(coef, intercept, extra)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        coef = params[:p]
        g = terms[1]
        dense = _dense_hessian(design, terms, fit_intercept)
        rmatvec_g, gram = design.rmatvec_gram(g, terms[2], dense=dense)
        grad = _gradient(rmatvec_g, terms, coef, alpha, fit_intercept)
        H_cc, B, C = _assemble_hessian(design, terms, alpha, fit_intercept, dense, gram)
        hessian_params, hessian_weights = params, terms[2]
        if alpha == 0 and null is None:
            null = design.null_basis(H_cc)
        # Inexact Newton (Eisenstat-Walker): far from the optimum an iterative
        # solve need not be accurate; near it, it must be, to keep the fast
        # local convergence.
        grad_norm = np.linalg.norm(grad)
        if first_grad_norm is None:
            first_grad_norm = grad_norm
        cg_rtol = min(
            max(grad_norm / max(first_grad_norm, 1e-300), _CG_FINAL_RTOL), 0.1
        )
        solution = _solve_newton_system(design, H_cc, B, C, grad, null, cg_rtol)
        step = _orthogonal_to(null, solution, p)

        # The Newton decrement lambda^2 = -slope predicts twice the decrease of
        # the objective: in log-likelihood units, whatever the units of X.
        decrement = -(grad @ step)
        step_coef, step_intercept, _ = unpack(step)
        step_delta = design.matvec(step_coef) + step_intercept
        # A solve that lost all precision (a nearly singular Hessian) can
        # return a step that is no descent direction: never convergence.
        descent = bool(decrement >= 0)
        if descent and (
            decrement <= tol**2 * unit
            or np.max(np.abs(step)) <= tol * np.max(np.abs(params))
            or decrement <= 1e-13 * abs(objective)
        ):
            # Newton converges quadratically: after this step the error is of
            # order decrement^2, and a step this small is below what a line
            # search can see (the objective's rounding).  That holds for an
            # exact step: one that conjugate gradients solved loosely enough
            # to leave an error above 1e-12 of the parameters (from a start
            # near the optimum the gradient fell little) is solved again.
            loose = cg_rtol * np.max(np.abs(step)) > _CG_FINAL_RTOL * np.max(
                np.abs(params), initial=1e-300
            )
            if loose and (sp.issparse(H_cc) or isinstance(H_cc, _OPERATORS)):
                # From the loose solution: conjugate gradients then only
                # reduce its residual further (K = 10,000 with 1e6 pairs,
                # an expander: 7 iterations instead of 12).
                solution = _solve_newton_system(
                    design, H_cc, B, C, grad, null, _CG_FINAL_RTOL, x0=solution
                )
                step = _orthogonal_to(null, solution, p)
                step_coef, step_intercept, _ = unpack(step)
                step_delta = design.matvec(step_coef) + step_intercept
            params = params + step
            delta = delta + step_delta
            converged = stepped = True
            break
        flat = descent and decrement < 1e-6 * unit and np.max(np.abs(step_delta)) > 1
        flat_steps = flat_steps + 1 if flat else 0
        if detect_divergence and alpha == 0 and flat_steps >= 3:
            # Large moves that gain (almost) nothing, step after step: the
            # likelihood is flat towards infinity, the MLE does not exist.  (One
            # such step also happens on an ill-conditioned problem whose MLE
            # exists; Newton's steps then shrink at once.)
            diverging = True
            break

        found = search(step, step_delta, decrement) if descent else None
        if found is None and not abs(decrement) <= 1e-8 * max(unit, abs(objective)):
            # Far from the optimum a nearly singular Hessian (saturated
            # comparisons of large weight) can give a Newton step that no
            # line search can use: damp it towards a scaled gradient step
            # (Levenberg-Marquardt) until one decreases the objective.
            for mu in _DAMPING:
                damped = _solve_newton_system(
                    design, *_damped(H_cc, B, C, mu), grad, null, cg_rtol
                )
                damped = _orthogonal_to(null, damped, p)
                damped_decrement = -(grad @ damped)
                if not damped_decrement > 0:
                    continue
                damped_coef, damped_intercept, _ = unpack(damped)
                damped_delta = design.matvec(damped_coef) + damped_intercept
                found = search(damped, damped_delta, damped_decrement)
                if found is not None:
                    break
        if found is None:
            # No decrease possible at working precision: we are at the optimum,
            # if the step was a descent direction (a clearly negative decrement
            # is an ascent direction from an indefinite Hessian: not converged).
            converged = abs(decrement) <= 1e-8 * max(unit, abs(objective))
            break
        params, delta, terms, objective, step_length = found
        if (
            spectral_start
            and n_iter <= _SPECTRAL_TRIAL_STEPS
            and step_length <= _SPECTRAL_MIN_STEP
        ):
            # The spectral start put weak items far out, where their few
            # comparisons saturate and the Newton model is poor (ATP tennis,
            # before the median rule: the third step was 636 log-odds long;
            # 110 halvings and a damped step in all, 10 steps and 2.9x the
            # time of a start at zero).
            # Start again at zero, where every comparison has curvature 1/4.
            params, delta, terms, objective = begin(
                np.zeros(p), intercept, loss.initial_extra(counts)
            )
            first_grad_norm = None
            flat_steps = 0

    # The result at params.  delta, the loss terms and the Hessian cost a pass
    # over the data each, so what the loop left at params is reused: delta
    # always, the terms unless a last step was taken without a line search,
    # the Hessian if params did not move since (the loop stopped on no
    # decrease or divergence) or, where its Gram matrix is the fit's costliest
    # pass (d = 768: 0.26 of 0.68 s), if the last step barely moved it (see
    # _curvature_barely_moved).
    coef, intercept, extra = unpack(params)
    # Drop the loop's per-row arrays first: they are the largest live ones,
    # and the recomputations below would otherwise peak on top of them (1e6
    # item pairs: 244 -> 200 MB).
    g = gram = step_delta = found = damped_delta = None
    if stepped:
        terms = None
        terms = loss.loss_gradient_hessian(delta, counts, extra)
    # The item Laplacian is stored sparse: K x K dense would not scale.
    items = isinstance(design, ItemDesign)
    if (
        stepped
        and _gram_is_costly(design)
        and _curvature_barely_moved(hessian_weights, terms, _HESSIAN_REUSE_RTOL)
    ):
        hessian_params = params
    if (
        hessian_params is not params
        or (items and not sp.issparse(H_cc))
        or isinstance(H_cc, _GramOperator)
    ):
        H_cc = B = C = None
        H_cc, B, C = _assemble_hessian(
            design, terms, alpha, fit_intercept, dense=False if items else None
        )
    hessian = _bordered(H_cc, B, C)
    if detect_divergence and alpha == 0 and not diverging:
        diverging = _looks_separated(delta) and _separable(
            design, counts, fit_intercept, hessian, null
        )
    return NewtonResult(
        coef=coef,
        intercept=float(intercept),
        extra=extra,
        n_iter=n_iter,
        converged=converged,
        diverging=diverging,
        objective=terms[0] + _penalty(alpha, coef),
        hessian=hessian,
    )


def item_limit_solve(
    design, loss, counts, *, fit_intercept=False, tol=1e-8, max_iter=100
):
    """The point the likelihood tends to when item strengths have no MLE.

    Where the comparison graph is not strongly connected, the likelihood
    approaches its supremum only as its strongly connected components move
    apart without bound, each above the components it beat: the comparisons
    between components become certain, and the strengths within each
    component tend to the MLE of that component's own comparisons, which
    exists (the component is strongly connected).  This returns that limit
    directly:

    * the strengths within components (and the intercept and tie parameter)
      are one Newton fit to the comparisons within components;
    * each component is then shifted so that every comparison between
      components is fitted with a margin of at least ``_LIMIT_MARGIN`` (a
      certainty to double precision), as closely as their order allows:
      longest paths in the graph of components;
    * each weakly connected part of the graph is centred on its largest
      component, whose strengths are then those of a fit restricted to it.

    Newton on all comparisons approaches the same point by about one unit of
    margin per iteration, each with a worse conditioned Hessian (the ATP
    tennis players, K = 2,639: 25 iterations took 23 s and left margins of
    about 17).
    """
    k = design.n_params
    a, b = design.a, design.b
    n_components, labels, _ = pair_count_components(a, b, counts, k)
    within = labels[a] == labels[b]
    n_within = int(np.count_nonzero(within))
    members, inverse = np.unique(
        np.concatenate([a[within], b[within]]), return_inverse=True
    )
    coef = np.zeros(k)
    # The tie parameter starts from all the comparisons: those within
    # components may all be ties.
    extra = loss.initial_extra(counts)
    intercept = 0.0
    n_iter, converged, diverging = 0, True, False
    if n_within:
        part = newton_solve(
            ItemDesign(inverse[:n_within], inverse[n_within:], len(members)),
            loss,
            counts[within],
            fit_intercept=fit_intercept,
            extra0=extra,
            tol=tol,
            max_iter=max_iter,
            # Strongly connected components have their MLE; an intercept
            # may still be separated by the comparisons within them.
            detect_divergence=fit_intercept,
        )
        coef[members] = part.coef
        intercept, extra = part.intercept, part.extra
        n_iter, converged, diverging = part.n_iter, part.converged, part.diverging
    shifts, parts = _component_shifts(
        a,
        b,
        counts,
        labels,
        design.matvec(coef) + intercept,
        _certain_margin(loss, extra),
    )
    coef -= shifts
    inside = ItemDesign(a[within].astype(np.intp), b[within].astype(np.intp), k)
    return _at_the_limit(
        design,
        inside,
        within,
        loss,
        counts,
        (coef, intercept, extra),
        fit_intercept,
        dense=False,
        n_iter=n_iter,
        converged=converged,
        diverging=diverging,
        limit_parts=parts[labels],
    )


def _at_the_limit(
    design, inside, within, loss, counts, params, fit_intercept, dense, **fields
):
    """The :class:`NewtonResult` at a limit point ``params``.

    Its objective is the loss of all comparisons; its Hessian that of the
    comparisons ``within`` components (``inside``, the design of those rows):
    between components they carry no curvature (at the returned point some
    1e-18 each, enough to make the Hessian numerically singular, not to
    inform anything).
    """
    coef, intercept, extra = params
    delta = design.matvec(coef) + intercept
    terms = loss.loss_gradient_hessian(delta, counts, extra)
    hessian = _bordered(
        *_assemble_hessian(
            inside,
            loss.loss_gradient_hessian(delta[within], counts[within], extra),
            0.0,
            fit_intercept,
            dense=dense,
        )
    )
    return NewtonResult(
        coef=coef,
        intercept=float(intercept),
        extra=extra,
        objective=terms[0],
        hessian=hessian,
        **fields,
    )


def matrix_limit_solve(
    design, loss, counts, incidence, *, fit_intercept=False, tol=1e-8, max_iter=100
):
    """:func:`item_limit_solve` for item ids with features; None if it cannot.

    ``incidence`` is :func:`item_incidence` of the design.  Where its
    comparison graph is not strongly connected, the likelihood tends to its
    supremum as the strongly connected components move apart, the features'
    coefficients finite: the limit is one Newton fit to the comparisons
    within components (ids and features), then the components set apart by
    longest paths so that every comparison between them, features included,
    has at least the certain margin.  Returns None when the fit within
    components has no MLE either (the features separate those comparisons):
    the caller then takes the general path.
    """
    id_columns, a, b = incidence
    p = design.n_params
    k = len(id_columns)  # and item k, a dropped category, if some row has it
    n_components, labels, _ = pair_count_components(a, b, counts, k + 1)
    within = labels[a] == labels[b]
    D = sp.csr_array(design.D)
    inside = D[within]
    # Columns no comparison within components uses (the items alone in their
    # component, a feature of those comparisons only) are left at 0, out of
    # the fit: each would be a null direction of its own.
    used = np.flatnonzero(np.diff(inside.tocsc().indptr))
    coef = np.zeros(p)
    extra = loss.initial_extra(counts)
    intercept = 0.0
    n_iter, converged = 0, True
    if len(used):
        informed = MatrixDesign(
            inside[:, used], restricted_incidence(incidence, within, used)
        )
        if len(used) <= informed.dense_solve_max_params:
            # Tried by the dense search; beyond, the ids' graph gives the
            # null space (and K x components dense indicators would not fit).
            informed.null_candidates = _component_indicators(
                labels, np.searchsorted(used, id_columns), len(used)
            )
        part = newton_solve(
            informed,
            loss,
            counts[within],
            fit_intercept=fit_intercept,
            extra0=extra,
            tol=tol,
            max_iter=max_iter,
        )
        if part.diverging:
            return None
        coef[used] = part.coef
        intercept, extra = part.intercept, part.extra
        n_iter, converged = part.n_iter, part.converged
        # The null space of the columns the limit's Hessian informs, for the
        # tie parameter's standard error (see the ranker's _informed_block).
        design.informed_null = (used, informed._null_basis)
    shifts, parts = _component_shifts(
        a,
        b,
        counts,
        labels,
        design.matvec(coef) + intercept,
        _certain_margin(loss, extra),
    )
    # The dropped category stays at 0: its weakly connected part moves with it.
    part_of = parts[labels]
    shifts -= np.where(part_of == part_of[k], shifts[k], 0.0)
    coef[id_columns] -= shifts[:k]
    limit_parts = np.full(p, -1)
    limit_parts[id_columns] = part_of[:k]
    return _at_the_limit(
        design,
        MatrixDesign(inside, restricted_incidence(incidence, within, np.arange(p))),
        within,
        loss,
        counts,
        (coef, intercept, extra),
        fit_intercept,
        dense=None,
        n_iter=n_iter,
        converged=converged,
        diverging=False,
        limit_parts=limit_parts,
    )


def _component_indicators(labels, positions, n_columns):
    """One column per strongly connected component of two or more items:
    1 at the positions of its items (a shift of their strengths).

    ``labels`` has one more item than ``positions``: the dropped category,
    whose strength is fixed, so its component has no shift.
    """
    sizes = np.bincount(labels)
    shared = sizes[labels] > 1
    shared[labels == labels[-1]] = False
    labels, shared = labels[:-1], shared[:-1]
    groups, column = np.unique(labels[shared], return_inverse=True)
    indicators = np.zeros((n_columns, len(groups)))
    indicators[positions[shared], column] = 1.0
    return indicators


def _certain_margin(loss, extra):
    """The least margin, from ``_LIMIT_MARGIN`` up by doubling, at which a
    decisive outcome is certain in double precision under ``loss``: its
    negative log-probability below 2^-55.  A tie model needs more, the more
    likely ties are (Davidson's decides with probability about
    ``1 - nu exp(-margin / 2)``)."""
    won = np.array([[0.0, 0.0, 1.0]])
    margin = _LIMIT_MARGIN
    for _ in range(_LIMIT_MARGIN_DOUBLINGS):
        with np.errstate(over="ignore"):
            if loss.loss(np.array([margin]), won, extra) <= 2.0**-55:
                break
        margin *= 2.0
    return margin


def _component_shifts(a, b, counts, labels, delta, margin):
    """How far below its place each item's component goes (see
    :func:`item_limit_solve`), per item; and the weakly connected part of
    each component.

    ``a`` and ``b`` are the items of each row, ``delta`` its fitted
    difference before the shift.
    """
    n_components = labels.max(initial=-1) + 1
    between = (labels[a] != labels[b]) & (counts.sum(axis=1) > 0)
    a, b = a[between], b[between]
    # Between components every comparison went one way: one side won all.
    a_won = counts[between, A_WON] > 0
    fitted = np.where(a_won, 1.0, -1.0) * delta[between]
    winners = labels[np.where(a_won, a, b)]
    losers = labels[np.where(a_won, b, a)]
    depth = longest_path_depths(n_components, winners, losers, margin - fitted)
    # Centre each weakly connected part on its largest component (the lowest
    # label: components are numbered by decreasing size).
    _, part = connected_components(
        _edge_matrix(winners, losers, n_components), directed=False
    )
    largest = np.full(part.max(initial=0) + 1, n_components)
    np.minimum.at(largest, part, np.arange(n_components))
    return (depth - depth[largest[part]])[labels], part


def _damped(H_cc, B, C, mu):
    """The Hessian blocks with ``mu`` times their diagonal added (Marquardt)."""
    diagonal = H_cc.diagonal if isinstance(H_cc, _OPERATORS) else H_cc.diagonal()
    # An unused parameter's zero diagonal would stay singular.
    shift = mu * np.maximum(diagonal, 1e-12 * max(diagonal.max(initial=0.0), 1e-300))
    if isinstance(H_cc, _OPERATORS):
        H_cc = H_cc.add_to_diagonal(shift)
    elif sp.issparse(H_cc):
        H_cc = (H_cc + sp.diags_array(shift)).tocsr()
    else:
        H_cc = H_cc + np.diag(shift)
    if C is not None:
        C = C + mu * np.diag(np.abs(np.diag(C)))
    return H_cc, B, C


def _curvature_barely_moved(before, after, rtol):
    """Whether the Hessian with the loss terms ``after`` is the one ``before``
    within a relative ``rtol``.

    The Hessian of a loss without extra parameters is ``[D, 1]' diag(h)
    [D, 1]`` (plus the constant penalty), so if every weight ``h_i`` changed
    by a relative ``r <= rtol`` the Hessian lies between ``(1 - r)`` and
    ``(1 + r)`` times the one before.  A tie model's extra parameters enter
    the Hessian otherwise, and are not covered.
    """
    h_after, h_extra = after[2], after[4]
    if h_extra.shape[0]:
        return False
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.abs(h_after - before) / before
    # A weight that was 0 (a row of weight 0) stays 0.
    return bool(np.all((change <= rtol) | (before == h_after)))


def _bordered(H_cc, B, C):
    """``[[H_cc, B], [B.T, C]]``, sparse when ``H_cc`` is; ``H_cc`` without ``B``."""
    if B is None:
        return H_cc
    if sp.issparse(H_cc):
        return sp.block_array([[H_cc, B], [B.T, C]], format="csr")
    return np.block([[H_cc, B], [B.T, C]])


def score_outer_products(design, weights, fit_intercept):
    """``sum_i weights_i x_i x_i'`` over the rows ``x_i`` of the design.

    ``x_i`` is the row's ``[d_i, 1 if fit_intercept]``, so with ``weights``
    the squared residuals this is the "meat" of a sandwich covariance, in the
    parameter order and storage of ``hessian_`` (sparse for item ids).
    """
    no_extra = (np.zeros((0, 0)), np.zeros((len(weights), 0)))
    terms = (None, None, weights, None, *no_extra)
    items = isinstance(design, ItemDesign)
    return _bordered(
        *_assemble_hessian(
            design, terms, 0.0, fit_intercept, dense=False if items else None
        )
    )


def _unpack(params, n_coef, fit_intercept):
    """``(coef, intercept, extra)`` from the solver's flat parameter vector."""
    return (
        params[:n_coef],
        (params[n_coef] if fit_intercept else 0.0),
        params[n_coef + int(fit_intercept) :],
    )


def _starting_point(design, loss, counts, alpha, fit_intercept, tol):
    """``(coef, intercept, extra)`` to start Newton from, or None for zero.

    A dense design with many rows per coefficient starts from a fit on a
    subsample; one whose Gram matrix is costly (see :func:`_gram_is_costly`),
    dense or sparse, from a few L-BFGS steps: there a Newton step costs many
    gradient passes, and cheaper passes can replace most Newton steps.
    (One-hot ids with a few features have a cheap one: L-BFGS steps made
    them slower, from 94 to 117 ms for 1e5 rows and 1003 coefficients.)  The
    Newton phase still runs to ``tol`` from the start, so the optimum is the
    same.
    """
    if isinstance(design, ItemDesign):
        coef = _spectral_start(design, counts)
        return None if coef is None else (coef, 0.0, loss.initial_extra(counts))
    if not isinstance(design, MatrixDesign):
        return None
    start = None
    if not design.is_sparse:
        start = _subsample_start(design, loss, counts, alpha, fit_intercept, tol)
    min_params = (
        _QUASI_NEWTON_MIN_PARAMS
        if start is None
        else _QUASI_NEWTON_MIN_PARAMS_AFTER_SUBSAMPLE
    )
    if design.n_params >= min_params and _gram_is_costly(design):
        start = _quasi_newton_start(design, loss, counts, alpha, fit_intercept, start)
    return start


def _spectral_start(design, counts):
    """Strengths from Luce spectral ranking, or None where it does not apply.

    The stationary distribution ``pi`` of a Markov chain on the items that
    moves from each comparison's loser to its winner at the rate of the wins
    (a tie half a win each way) is the first iterate of I-LSR (Maystre and
    Grossglauser, 2015), whose fixed point is the MLE; ``log pi`` starts
    Newton closer to it than zero does, for one linear solve: K = 100 and the
    arena took 4 and 3 steps instead of 6 and 5, K = 1000 and 10,000 with 1e6
    comparisons 4 instead of 7.  Only where the items in a comparison are
    known to be strongly connected (see :meth:`ItemDesign.assume_connected`):
    then the chain is irreducible on them and ``pi`` positive; only where
    the median item is in ``_SPECTRAL_MIN_MEDIAN_COMPARISONS`` comparisons
    or more (on heavy-tailed graphs the start is worse than zero); and,
    above the dense solve's size, only on graphs of
    ``_SPECTRAL_MIN_PAIRS_PER_ITEM`` pairs an item or more.  Items in no
    comparison start, and stay, at 0.
    """
    used = design.connected_items
    if used is None or np.count_nonzero(used) < 2:
        return None
    dense = design.n_params <= design.dense_solve_max_params
    if not dense and (
        len(design.a) < _SPECTRAL_MIN_PAIRS_PER_ITEM * np.count_nonzero(used)
    ):
        return None
    won_a = counts[:, A_WON] + 0.5 * counts[:, TIE]
    won_b = counts[:, B_WON] + 0.5 * counts[:, TIE]
    on_a, on_b = design._sums_by_item(won_a + won_b)
    if np.median((on_a + on_b)[used]) < _SPECTRAL_MIN_MEDIAN_COMPARISONS:
        return None
    if dense:
        items, pi = _dense_stationary(design, won_a, won_b, used)
    else:
        items, pi = _iterative_stationary(design, won_a, won_b, used)
    if pi is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(pi)  # NaN where rounding left a tiny pi negative
    if not np.all(np.isfinite(theta)):
        return None
    coef = np.zeros(design.n_params)
    coef[items] = theta - theta.mean()  # orthogonal to the null space, as steps
    return coef


def _dense_stationary(design, won_a, won_b, used):
    """``(items, pi)``: the used items and the chain's stationary distribution
    on them, by one dense LU solve (``pi`` None if singular)."""
    # rate[j, i]: the wins of i over j; a self-comparison's rate cancels in
    # the generator's diagonal.
    rate = design._dense_pairs_array(won_b)
    rate += design._dense_pairs_array(won_a).T
    items = np.flatnonzero(used)
    if len(items) < len(used):
        rate = rate[np.ix_(items, items)]
    # pi Q = 0 with the generator Q = rate - diag(rate 1), and sum(pi) = 1 in
    # place of the last (redundant) balance equation: Q.T pi = e_last.  Q is
    # built in place and its last column made ones; its transpose is then the
    # system in the Fortran order LAPACK takes without a copy.
    rate.ravel()[:: len(items) + 1] -= rate.sum(axis=1)
    rate[:, -1] = 1.0
    rhs = np.zeros(len(items))
    rhs[-1] = 1.0
    _, _, pi, info = scipy.linalg.lapack.dgesv(rate.T, rhs, overwrite_a=True)
    return items, (pi if info == 0 else None)


def _iterative_stationary(design, won_a, won_b, used):
    """``(items, pi)`` as :func:`_dense_stationary`, by BiCGSTAB on the balance
    equations with one item's ``pi`` fixed at 1 (``pi`` None if it failed).

    Products with the chain's generator assembled on the Laplacian's
    pattern, or beyond ``_ASSEMBLED_LAPLACIAN_MAX_PAIRS`` pairs with the
    pairs' sparse arrays: the patterns the Newton steps use too.  To a
    start's precision, ``_SPECTRAL_RTOL``.
    """
    if len(design.a) < _ASSEMBLED_LAPLACIAN_MAX_PAIRS:
        # The generator on the Laplacian's pattern, which the Newton steps
        # assemble on after it (found here once for both): one product an
        # application instead of two (football fits 3-4% faster).  Item a
        # gains pi_b won_a and loses pi_a won_b; a self-comparison cancels.
        generator = design._on_laplacian_pattern(won_a, won_b, -won_b, -won_a)
        losses = -generator.diagonal()
        flow = generator.dot
    else:
        wins_of_a = design._pairs_array(won_a)  # at (a, b)
        wins_of_b = design._pairs_array(won_b)
        ones = np.ones(design.n_params)
        losses = wins_of_b @ ones + wins_of_a.T @ ones  # A's by row, B's by column

        def flow(v):
            return wins_of_a @ v + wins_of_b.T @ v - losses * v

    anchor = int(np.argmax(losses))
    fixed = ~used
    fixed[anchor] = True

    def balance(v, rows_of_fixed=True):
        # Inflow from the losers minus outflow to the winners, per item; the
        # fixed items' rows say v = 0 there.
        v = np.ravel(v)
        out = flow(v)
        if rows_of_fixed:
            out[fixed] = v[fixed]
        return out

    # pi = e_anchor + x with x = 0 on the fixed items.  (With the anchor's 1
    # on the right-hand side instead, BiCGSTAB's shadow residual is zero on
    # every later residual: a breakdown.)
    n = design.n_params
    anchor_vector = np.zeros(n)
    anchor_vector[anchor] = 1.0
    rhs = -balance(anchor_vector, rows_of_fixed=False)
    rhs[fixed] = 0.0
    x, info = bicgstab(
        LinearOperator((n, n), matvec=balance, dtype=float),
        rhs,
        rtol=_SPECTRAL_RTOL,
        maxiter=_SPECTRAL_MAX_ITERATIONS,
        M=_jacobi(np.where(fixed, 1.0, -losses)),
    )
    pi = x + anchor_vector
    items = np.flatnonzero(used)
    return items, (pi[items] if info == 0 else None)


def _gram_is_costly(design):
    """Whether a Gram matrix of ``design`` costs many gradient passes.

    A dense design with many coefficients and entries; a sparse one whose
    rows hold many stored values each (bag-of-words features, say), as
    scipy's product multiplies every pair of a row's values, unless it is
    item ids with a few features (see :class:`IncidenceGram`).
    """
    if not isinstance(design, MatrixDesign) or design.n_params < (
        _QUASI_NEWTON_MIN_PARAMS
    ):
        return False
    if not design.is_sparse:
        return design.D.size >= _QUASI_NEWTON_MIN_ENTRIES
    if design._matrix_free is None:  # decided once per design
        design._matrix_free = _sparse_gram_is_costly(design)
    return design._matrix_free


def _sparse_gram_is_costly(design):
    if design.D.nnz < _QUASI_NEWTON_MIN_ENTRIES:
        return False
    per_row = np.diff(sp.csr_array(design.D).indptr)
    pairs_per_value = float(per_row @ per_row) / design.D.nnz
    return pairs_per_value >= _SPARSE_GRAM_COSTLY_PAIRS and not (
        design._sparse_gram_is_cheap()
    )


def _quasi_newton_start(design, loss, counts, alpha, fit_intercept, start):
    """Improve ``start`` (None: zero) by a few L-BFGS steps on the full objective.

    Returns ``start`` unchanged if L-BFGS left the finite range (an extra
    parameter overflowing, say): Newton's line search handles what L-BFGS's
    could not.
    """
    p = design.n_params
    if start is None:
        start = (np.zeros(p), 0.0, loss.initial_extra(counts))
    coef, intercept, extra = start
    params0 = np.concatenate([coef, [intercept] if fit_intercept else [], extra])

    def objective_and_gradient(params):
        coef, intercept, extra = _unpack(params, p, fit_intercept)
        terms = loss.loss_gradient_hessian(
            design.matvec(coef) + intercept, counts, extra
        )
        gradient = _gradient(
            design.rmatvec(terms[1]), terms, coef, alpha, fit_intercept
        )
        return terms[0] + _penalty(alpha, coef), gradient

    with np.errstate(over="ignore", invalid="ignore"):
        result = scipy.optimize.minimize(
            objective_and_gradient,
            params0,
            jac=True,
            method="L-BFGS-B",
            # A start only: stop once progress slows to a relative 1e-12 of
            # the objective (gtol=0: the gradient's units are the data's), or
            # on the budget.
            options={
                "maxfun": _QUASI_NEWTON_MAX_EVALUATIONS,
                "maxiter": _QUASI_NEWTON_MAX_EVALUATIONS,
                "ftol": _QUASI_NEWTON_FTOL,
                "gtol": 0.0,
            },
        )
    if not (np.isfinite(result.fun) and np.all(np.isfinite(result.x))):
        return start
    return _unpack(result.x, p, fit_intercept)


def _subsample_start(design, loss, counts, alpha, fit_intercept, tol):
    """``(coef, intercept, extra)`` fitted on every k-th row, or None.

    Only for a dense design with many rows per parameter (see
    ``_SUBSAMPLE_ROWS_PER_PARAM``), and only if the subsample's fit converged
    to a finite optimum: it is just a starting point, the full fit still runs
    to ``tol``.  The penalty is scaled with the subsample's share of the
    weight, so that both objectives have the same optimum in expectation.
    """
    n_rows = design.D.shape[0]
    n_sub = max(_SUBSAMPLE_MIN_ROWS, _SUBSAMPLE_ROWS_PER_PARAM * design.n_params)
    stride = n_rows // n_sub
    if stride < _SUBSAMPLE_MIN_STRIDE:
        return None
    sub_counts = counts[::stride]
    # Column sums as a product: numpy's sum(axis=0) of an (n, 3) array
    # strides through it (18 ms for 1e6 rows, against 2 ms).
    totals = np.ones(n_rows) @ counts
    sub_totals = sub_counts.sum(axis=0)
    if np.any((sub_totals > 0) != (totals > 0)):
        # Rare ties missed by the subsample: its tie parameter would run off
        # to its boundary and start the full fit there.
        return None
    share = sub_totals.sum() / max(totals.sum(), 1e-300)
    sub = newton_solve(
        MatrixDesign(np.ascontiguousarray(design.D[::stride])),
        loss,
        sub_counts,
        alpha=alpha * share,
        fit_intercept=fit_intercept,
        # The subsample's own sampling error is far larger than this.
        tol=max(tol, 1e-4),
        max_iter=20,
    )
    if not sub.converged or sub.diverging:
        return None
    return sub.coef, sub.intercept, sub.extra


def _separable(design, counts, fit_intercept, hessian, null):
    """Whether some direction makes every comparison's outcome likelier
    (the MLE does not exist); True where it cannot tell.

    Albert and Anderson (1984): the MLE exists unless some ``w`` with
    ``D w != 0`` has ``D_i w >= 0`` on every row that A won, ``<= 0`` on
    every row that B won, and ``= 0`` on rows with both outcomes or a tie
    (Konis's safeBinaryRegression solves the same linear programme).  A
    small design gets the programme over all of ``w``.  A larger one, where
    it would take seconds to minutes, gets it over the directions the fit's
    Hessian (nearly) lost: along a separating direction every comparison
    that moves is saturated, its weight some 1e-13, so a separation shows as
    a near-null direction of the Hessian that the design does not have.
    Without such a direction the fit is a finite optimum.  Item designs
    (decided exactly by their comparison graph) and very large Hessians are
    not checked.
    """
    if not isinstance(design, MatrixDesign):
        return True
    if design.D.size <= _SEPARATION_LP_MAX_ENTRIES:  # .size: stored values
        D = sp.csr_array(design.D)  # HiGHS takes sparse constraints
        if fit_intercept:
            D = sp.hstack([D, np.ones((D.shape[0], 1))], format="csr")
        unit_columns = D @ sp.diags_array(_unit_column_scale(D))
        return _has_separating_direction(unit_columns, counts)
    if design.n_params + fit_intercept > _SEPARATION_EIGEN_MAX_PARAMS:
        return True
    directions = _lost_directions(design, fit_intercept, counts, hessian, null)
    if directions is None:
        return True
    if not directions.shape[1]:
        return False
    p = design.n_params
    moves = np.asarray(design.D @ directions[:p]).reshape(-1, directions.shape[1])
    if fit_intercept:
        moves = moves + directions[p]
    return _has_separating_direction(moves, counts)


def _lost_directions(design, fit_intercept, counts, hessian, null):
    """Orthonormal directions along which the fit's Hessian lost (nearly) all
    the curvature the design has, or None when that cannot be told.

    The generalised eigenvalues of the Hessian against the design's Gram
    matrix (each comparison weighted by its count) are average comparison
    weights ``p (1 - p)`` along each direction: 0.1-0.25 where comparisons
    overlap, 1e-13 where they are all saturated.  The design's own null
    space gets eigenvalue 1.
    """
    n = design.n_params + int(fit_intercept)
    G = score_outer_products(design, counts.sum(axis=1), fit_intercept)
    G = G.toarray() if sp.issparse(G) else np.array(G)
    H = hessian[:n, :n]
    H = H.toarray() if sp.issparse(H) else np.array(H)
    scale = equilibration_scale(G)
    H *= scale[:, None] * scale[None, :]
    G *= scale[:, None] * scale[None, :]
    if null is not None and null.shape[1]:
        # The null space in equilibrated units: S^-1 N.
        basis = np.zeros((n, null.shape[1]))
        basis[: null.shape[0]] = null
        basis = np.linalg.qr(basis / scale[:, None])[0]
        shift = basis @ basis.T
        H += shift
        G += shift
    # None lost when H - rtol G is definite: one Cholesky factorisation, a
    # tenth of the eigendecomposition's time or less (3,000 sparse features:
    # 0.3 s against 5 s).
    _, info = scipy.linalg.lapack.dpotrf(H - _SEPARATION_EIGVAL_RTOL * G, clean=0)
    if info == 0:
        return np.zeros((n, 0))
    try:
        eigval, eigvec = scipy.linalg.eigh(H, G)
    except np.linalg.LinAlgError:
        return None
    lost = eigval <= _SEPARATION_EIGVAL_RTOL
    if not lost.any():
        return np.zeros((n, 0))
    return np.linalg.qr(scale[:, None] * eigvec[:, lost])[0]


def _has_separating_direction(M, counts):
    """Albert and Anderson's linear programme on the rows of ``M`` (``D`` or
    ``D`` times candidate directions): whether some ``w`` with ``|w| <= 1``
    keeps every one-way row's margin >= 0, two-way rows at 0, and some
    margin positive."""
    a_won, b_won = counts[:, A_WON] > 0, counts[:, B_WON] > 0
    one_way = (a_won != b_won) & ~(counts[:, TIE] > 0)
    both_ways = ~one_way & (counts.sum(axis=1) > 0)
    sign = np.where(a_won, 1.0, -1.0)[one_way]
    # Rows as margins to keep >= 0: A's wins as they are, B's negated.
    if sp.issparse(M):
        signed = sp.diags_array(sign) @ M[one_way]
    else:
        signed = sign[:, None] * M[one_way]
    total_margin = np.asarray(signed.sum(axis=0)).ravel()
    equal = {}
    if both_ways.any():
        equal = {"A_eq": M[both_ways], "b_eq": np.zeros(int(both_ways.sum()))}
    result = scipy.optimize.linprog(
        -total_margin,
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        bounds=(-1.0, 1.0),
        method="highs",
        **equal,
    )
    if result.status != 0:
        return True  # undecided: keep the heuristic's verdict
    return -result.fun > _SEPARATION_LP_ATOL * max(1.0, np.abs(total_margin).sum())


def _unit_column_scale(D):
    """``1 / ||column||`` for every column of the sparse ``D`` (0 for a zero one)."""
    norms = np.sqrt(np.asarray(D.multiply(D).sum(axis=0)).ravel())
    return np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)


def _looks_separated(delta):
    """Whether some comparisons are fitted as (numerically) certain outcomes.

    R's ``glm`` warns on the same sign ("fitted probabilities numerically 0 or
    1 occurred"): without a penalty, it is how separation shows at the end of
    a fit, whatever the units of the features.  The bound is a probability of
    3e-7: a diverging coefficient stops where its comparisons' gradient (about
    ``exp(-|delta|)`` each) no longer moves the objective's last digits, which
    for four separated comparisons among 30,000 was |delta| = 18 (a bound of
    30 missed it).  Above it, the exact test decides (:func:`_separable`).
    """
    return bool(np.max(np.abs(delta), initial=0.0) > 15)


def aggregate_item_pairs(a, b, outcome, weight, n_items, *, fold):
    """Sum the outcome counts of identical item pairs: sufficient statistics.

    Parameters
    ----------
    a, b : ndarray of int of shape (n,)
        Item index of A and of B for every comparison.
    outcome : ndarray of int of shape (n,)
        ``B_WON`` (0), ``TIE`` (1) or ``A_WON`` (2).
    weight : ndarray of shape (n,) or None
        Frequency weights (None: one each).
    n_items : int
    fold : bool
        Fold (j, i) onto (i, j) with the outcome reversed; right only for an
        antisymmetric model (no intercept), where it halves the pairs to solve.

    Returns
    -------
    design : ItemDesign
        One row per unique (ordered) pair.
    counts : ndarray of shape (n_unique, 3)
        Summed ``[B won, tie, A won]`` per unique pair.
    """
    a, b, outcome = np.asarray(a), np.asarray(b), np.asarray(outcome)
    if counts_in_cells(n_items, len(a)):
        # Few items (an arena): count straight into the K x K cells in one
        # linear pass, no sort, and fold there (K^2 work, not n).
        planes = count_cells(_code_keys(a, b, n_items), outcome, weight, n_items)
        return aggregate_cells(planes, n_items, fold=fold)
    if fold:
        swap = a > b
        a, b = np.minimum(a, b), np.maximum(a, b)
        # 2 - outcome where swapped, by arithmetic: np.where on a random
        # mask mispredicts its branches (1e6 rows: 6 against 0.3 ms).
        change = 2 - 2 * outcome
        change *= swap
        outcome = outcome + change
    keys = pair_keys(a, b, n_items)
    if weight is None:
        unique_keys, counts = _count_sorted_pairs(keys, outcome)
    else:
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        inverse *= 3
        inverse += outcome
        counts = np.bincount(
            inverse, weights=weight, minlength=3 * len(unique_keys)
        ).reshape(-1, 3)
    return _pairs_design(unique_keys, counts, n_items)


def counts_in_cells(n_items, n_rows):
    """Whether ``n_rows`` comparisons among ``n_items`` are counted in K x K cells.

    At most one cell per comparison: the 3 x K x K counts then stay within a
    few times the size of the ids.
    """
    return n_items * n_items <= max(n_rows, 1 << 16)


def aggregate_cells(planes, n_items, *, fold):
    """:func:`aggregate_item_pairs` from the planes of :func:`count_cells`."""
    if fold:
        unique_keys, counts = _fold_cells(planes, n_items)
    else:
        in_use = np.logical_or.reduce([p != 0 for p in planes if p is not None])
        unique_keys = np.flatnonzero(in_use)
        counts = np.zeros((len(unique_keys), 3))
        for column, plane in enumerate(planes):
            if plane is not None:
                counts[:, column] = plane.take(unique_keys)
    return _pairs_design(unique_keys, counts, n_items)


def _pairs_design(unique_keys, counts, n_items):
    """The :class:`ItemDesign` of the pairs ``a * K + b`` and their counts."""
    counts = counts.astype(np.float64, copy=False)  # bincount counts in int
    ua, ub = quotient_and_remainder(unique_keys, n_items)
    return ItemDesign(ua.astype(np.intp), ub.astype(np.intp), n_items), counts


def aggregate_id_pairs(ids_a, ids_b, outcome, weight):
    """Outcome counts per distinct ordered pair of raw ids (none folded).

    Returns ``(items, design, counts)``: the sorted unique ids, an
    :class:`ItemDesign` whose codes index them, and the ``[B won, tie, A
    won]`` counts of each pair; None when the ids need an encoder's rules
    (missing or mixed-type ids).  Integer ids in a range of at most
    ``sqrt(n)`` values (an arena's few models) are counted straight into
    their cells, without factorising them first: the ids present are read off
    the pairs, so the ids are scanned once less.  Categorical and Arrow-backed
    pandas columns are factorised by pandas (see ``_ids.is_pandas_native``).
    """
    small = None
    if not (is_pandas_native(ids_a) or is_pandas_native(ids_b)):
        ids_a, ids_b = np.asarray(ids_a), np.asarray(ids_b)
        max_span = math.isqrt(max(len(ids_a), 1 << 16))
        small = small_int_range(ids_a, ids_b, max_span)
    if small is None:
        factorised = factorise_pair_ids(ids_a, ids_b)
        if factorised is None:
            return None
        (codes_a, codes_b), items = factorised
        design, counts = aggregate_item_pairs(
            codes_a, codes_b, outcome, weight, len(items), fold=False
        )
        return items, design, counts
    low, span = small
    if low != 0:
        ids_a, ids_b = ids_a - low, ids_b - low
    design, counts = aggregate_item_pairs(
        ids_a, ids_b, outcome, weight, span, fold=False
    )
    present = np.zeros(span, dtype=bool)
    present[design.a] = True
    present[design.b] = True
    items = (np.flatnonzero(present) + low).astype(ids_a.dtype, copy=False)
    if len(items) < span:
        code = np.cumsum(present) - 1
        design = ItemDesign(code[design.a], code[design.b], len(items))
    return items, design, counts


def _count_sorted_pairs(keys, outcome):
    """Sorted unique pair ``keys`` and the ``[B won, tie, A won]`` count of each.

    Unweighted comparisons need no inverse index: the keys with their outcome
    folded in (``3 key + outcome``) are sorted by value, and each run of equal
    values is one cell's count.  numpy's vectorised sort of integers is several
    times faster than the argsort behind ``np.unique(return_inverse=True)``
    (1e6 comparisons among 1e4 items: 16 ms against 27 for the whole count).
    """
    coded = np.multiply(keys, 3, dtype=np.intp)
    coded += outcome
    coded.sort()
    starts = np.flatnonzero(first_of_runs(coded))
    run_length = np.diff(starts, append=len(coded))
    run_key, run_outcome = quotient_and_remainder(coded[starts], 3)
    new_pair = first_of_runs(run_key)
    counts = np.zeros((np.count_nonzero(new_pair), 3))
    counts[np.cumsum(new_pair) - 1, run_outcome] = run_length
    return run_key[new_pair], counts


def _code_keys(a, b, n_items):
    """``rows -> a * K + b`` of the item codes ``a`` and ``b`` (see count_cells)."""
    return lambda rows: pair_keys(a[rows], b[rows], n_items)


def count_cells(keys_of_rows, outcome, weight, n_items):
    """Counts of every ordered pair, one K x K plane (flat) per outcome.

    ``keys_of_rows(rows)`` gives the pair keys ``a * K + b`` of a slice of
    the rows, as a new integer array that holds ``3 K^2``, or None if those
    rows are no item pairs (one-hot rows that turn out not to be): then None
    is returned.

    Returns the planes of ``[B won, tie, A won]``, None for an outcome that no
    comparison has: winner/loser data count one plane, not three (at K = 1000
    the two empty ones were 16 MB of the fit's peak).

    Counted block by block: a block's keys stay in the CPU cache, and no
    n-long key array is made.  On this kind of machine a fresh 24 MB array
    (the keys of 3e6 battles) costs more in page faults than the counting: in
    a fresh process, an arena's counting went from 13 to 7 ms.
    """
    n_cells = n_items * n_items
    one_outcome = len(outcome) > 0 and not np.any(outcome != outcome[0])
    n_bins = n_cells if one_outcome else 3 * n_cells
    counts = np.zeros(n_bins, dtype=np.intp if weight is None else np.float64)
    # Each block adds n_bins counts: blocks of 4 n_bins rows keep that a
    # quarter of the counting at most.
    block = max(_COUNT_BLOCK_ROWS, 4 * n_bins)
    for start in range(0, len(outcome), block):
        rows = slice(start, min(start + block, len(outcome)))
        keys = keys_of_rows(rows)
        if keys is None:
            return None
        if not one_outcome:
            keys += np.multiply(outcome[rows], n_cells, dtype=keys.dtype)
        counts += np.bincount(
            keys, weights=None if weight is None else weight[rows], minlength=n_bins
        )
    if not one_outcome:
        return list(counts.reshape(3, -1))
    # One outcome for all (winner/loser data): the pairs were counted alone.
    planes = [None, None, None]
    planes[outcome[0]] = counts
    return planes


def _fold_cells(planes, n_items):
    """Pairs (i, j), i <= j, in use, with (j, i) moved onto them, outcome reversed.

    ``planes`` as :func:`count_cells` returns them.  Returns the keys
    ``i * K + j`` in increasing order and their counts.
    """
    k = n_items
    present = [plane for plane in planes if plane is not None]
    in_use = (present[0] if len(present) == 1 else sum(present)).reshape(k, k)
    in_use = in_use + in_use.T
    keys = np.flatnonzero(np.triu(in_use))  # row-major: sorted by (i, j)
    a, b = quotient_and_remainder(keys, k)
    mirrored = b * k + a
    counts = np.zeros((len(keys), 3))
    for outcome in range(3):
        # B won (j, i) is A won (i, j); a tie stays a tie.
        if planes[outcome] is not None:
            counts[:, outcome] += planes[outcome].take(keys)
        if planes[2 - outcome] is not None:
            counts[:, outcome] += planes[2 - outcome].take(mirrored)
    self_pairs = np.flatnonzero(a == b)  # counted once, not folded onto themselves
    for outcome, plane in enumerate(planes):
        own = 0.0 if plane is None else plane.take(keys[self_pairs])
        counts[self_pairs, outcome] = own
    return keys, counts
