"""Tests of the Newton solver and its designs (``_solvers.py``) against explicit
matrices and independently written objectives minimised by scipy."""

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from sklearn_bt import _solvers
from sklearn_bt._loss import A_WON, B_WON, TIE, LogisticPairLoss
from sklearn_bt._solvers import ItemDesign, MatrixDesign, newton_solve
from sklearn_bt._ties import DavidsonPairLoss


def _item_case(seed, n_items=5, n_rows=40):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n_items, n_rows)
    b = (a + rng.integers(1, n_items, n_rows)) % n_items
    counts = rng.integers(0, 4, size=(n_rows, 3)).astype(float)
    counts[:, A_WON] += 1  # every pair decided at least once each way:
    counts[:, B_WON] += 1  # the MLE exists
    return a, b, counts


def _explicit_difference_matrix(a, b, n_items):
    D = np.zeros((len(a), n_items))
    np.add.at(D, (np.arange(len(a)), a), 1.0)
    np.add.at(D, (np.arange(len(a)), b), -1.0)
    return D


def _logistic_nll(delta, counts, extra):
    """Bradley-Terry negative log-likelihood written out (ties: half a win)."""
    a_won = counts[:, A_WON] + 0.5 * counts[:, TIE]
    b_won = counts[:, B_WON] + 0.5 * counts[:, TIE]
    return np.sum(a_won * np.logaddexp(0, -delta) + b_won * np.logaddexp(0, delta))


def _davidson_nll(delta, counts, extra):
    """Davidson (1970) written with strengths: pi_A / (pi_A + pi_B + nu sqrt(..))."""
    pi_a, pi_b, nu = np.exp(delta), 1.0, np.exp(extra[0])
    z = pi_a + pi_b + nu * np.sqrt(pi_a * pi_b)
    return -np.sum(
        counts[:, A_WON] * np.log(pi_a / z)
        + counts[:, B_WON] * np.log(pi_b / z)
        + counts[:, TIE] * np.log(nu * np.sqrt(pi_a * pi_b) / z)
    )


def _objective(nll, D, counts, alpha, n_params, fit_intercept):
    def f(params):
        coef = params[:n_params]
        intercept = params[n_params] if fit_intercept else 0.0
        extra = params[n_params + int(fit_intercept) :]
        return nll(D @ coef + intercept, counts, extra) + 0.5 * alpha * coef @ coef

    return f


def _fd_gradient(f, x, step=1e-5):
    g = np.empty_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = step
        g[k] = (f(x + e) - f(x - e)) / (2 * step)
    return g


def _fd_hessian(f, x, step=1e-3):
    """Second differences of ``f`` itself: accurate to about ``step ** 2``."""
    n = x.size
    H = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = step * np.eye(n)[i], step * np.eye(n)[j]
            H[i, j] = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4 * step**2)
    return H


# ---------------------------------------------------------------- designs


def test_item_design_products_equal_explicit_matrix():
    a, b, _ = _item_case(0)
    a = np.r_[a, 2]  # a self-pair: a zero row of D
    b = np.r_[b, 2]
    D = _explicit_difference_matrix(a, b, 5)
    design = ItemDesign(a, b, 5)
    rng = np.random.default_rng(1)
    theta, g = rng.normal(size=5), rng.normal(size=len(a))
    assert_allclose(design.matvec(theta), D @ theta)
    assert_allclose(design.rmatvec(g), D.T @ g)
    hc = rng.normal(size=(len(a), 2))
    assert_allclose(design.cross(hc), D.T @ hc)


@pytest.mark.parametrize(
    "n_items, read_off_dense",
    [(30, True), (30, False), (400, False)],  # dense; cells marked; keys sorted
)
def test_assembled_laplacian_of_a_sparse_graph(n_items, read_off_dense):
    # 60 pairs among 400 items have far more cells than keys: the pattern is
    # found by sorting the keys, not by marking the cells.  Up to the dense
    # solve's size the nonzeros are read off the dense Laplacian instead.
    rng = np.random.default_rng(8)
    a, b = rng.integers(0, n_items, 60), rng.integers(0, n_items, 60)
    a[0] = b[0]  # an item against itself
    a[1], b[1] = b[2], a[2]  # a pair in both orders
    h = rng.uniform(0.1, 2.0, 60)
    design = ItemDesign(a, b, n_items)
    if not read_off_dense:
        design.dense_solve_max_params = 0
    assert (n_items <= design.dense_solve_max_params) == read_off_dense
    gram = design.gram(h)
    assert isinstance(gram, sp.csr_array) and gram.has_canonical_format
    assert_allclose(gram.toarray(), design.gram(h, dense=True), atol=1e-12)
    # Stored cells only for items compared with another one (as a sum of
    # sparse arrays, no stored zeros: the self-comparison adds none).
    other = a != b
    compared = np.bincount(np.r_[a[other], b[other]], minlength=n_items) > 0
    assert np.all(gram.data != 0)
    assert np.all((np.diff(gram.indptr) > 0) == compared)
    # The caller owns the arrays: editing one Laplacian leaves the next intact.
    gram.indices[:] = 0
    assert_allclose(design.gram(h).toarray(), design.gram(h, dense=True), atol=1e-12)


@pytest.mark.parametrize("assembled", [True, False])
@pytest.mark.parametrize("sums_by", ["bincount", "sparse product"])
def test_item_design_gram_is_weighted_laplacian(monkeypatch, sums_by, assembled):
    if sums_by == "sparse product":  # the route of large designs
        monkeypatch.setattr(_solvers, "_SPARSE_SUMS_MIN_PAIRS", 0)
    if not assembled:  # many pairs: an unassembled operator for products
        monkeypatch.setattr(_solvers, "_ASSEMBLED_LAPLACIAN_MAX_PAIRS", 0)
    # Unsorted pairs, repeated, in both directions, and one item against itself.
    a, b, _ = _item_case(2)
    a[0] = b[0] = 3
    D = _explicit_difference_matrix(a, b, 5)
    h = np.random.default_rng(3).uniform(0.1, 2.0, size=len(a))
    design = ItemDesign(a, b, 5)
    gram = design.gram(h)
    assert isinstance(gram, sp.csr_array) and gram.has_canonical_format
    assert_allclose(gram.toarray(), D.T @ np.diag(h) @ D, atol=1e-12)
    assert_allclose(design.gram(h, dense=True), D.T @ np.diag(h) @ D, atol=1e-12)
    laplacian = design.laplacian_operator(h)
    assert sp.issparse(laplacian) == assembled
    v = np.random.default_rng(4).normal(size=5)
    assert_allclose(laplacian @ v, D.T @ (h * (D @ v)), atol=1e-12)
    # The pattern is found once: a second assembly with new weights is right.
    assert_allclose(design.gram(2 * h).toarray(), 2 * D.T @ np.diag(h) @ D, atol=1e-12)
    assert_allclose(design.rmatvec(h), D.T @ h, atol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
def test_matrix_design_gram_equals_explicit(sparse):
    rng = np.random.default_rng(4)
    D = rng.normal(size=(30, 4))
    D[rng.random(D.shape) < 0.5] = 0.0
    h = rng.uniform(0.1, 2.0, size=30)
    design = MatrixDesign(sp.csr_array(D) if sparse else D)
    gram = design.gram(h)
    assert sp.issparse(gram) == sparse
    dense = gram.toarray() if sparse else gram
    assert_allclose(dense, D.T @ np.diag(h) @ D, atol=1e-12)
    assert_allclose(design.cross(h[:, None]), D.T @ h[:, None])


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_matrix_design_blocked_gram_and_gradient(monkeypatch, order, sign):
    # Blocks of 8 rows: the pass over D ends on a partial block.
    monkeypatch.setattr(_solvers, "_GRAM_BLOCK_BYTES", 8 * 4 * 8)
    rng = np.random.default_rng(5)
    D = np.asarray(rng.normal(size=(30, 4)), order=order)
    h = rng.uniform(0.0, 2.0, size=30)
    h[3] *= sign  # a negative weight takes the D' (h D) branch
    g = rng.normal(size=30)
    design = MatrixDesign(D)
    rmatvec_g, gram = design.rmatvec_gram(g, h)
    assert_allclose(gram, D.T @ np.diag(h) @ D, atol=1e-12)
    assert_allclose(rmatvec_g, D.T @ g, atol=1e-12)
    assert_allclose(design.gram(h), gram, atol=1e-14)


# ------------------------------------------------- solves against scipy


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize(
    "loss, nll",
    [(LogisticPairLoss(), _logistic_nll), (DavidsonPairLoss(), _davidson_nll)],
)
@pytest.mark.parametrize("design_kind", ["item", "matrix"])
def test_newton_solve_agrees_with_scipy(fit_intercept, loss, nll, design_kind):
    a, b, counts = _item_case(5)
    counts[::3, TIE] += 1  # ties, so that Davidson's nu is interior
    D = _explicit_difference_matrix(a, b, 5)
    design = ItemDesign(a, b, 5) if design_kind == "item" else MatrixDesign(D)
    alpha = 0.3
    result = newton_solve(
        design, loss, counts, alpha=alpha, fit_intercept=fit_intercept, tol=1e-10
    )
    assert result.converged and not result.diverging

    f = _objective(nll, D, counts, alpha, 5, fit_intercept)
    n_params = 5 + int(fit_intercept) + loss.n_extra
    ours = np.concatenate(
        [result.coef, [result.intercept] if fit_intercept else [], result.extra]
    )
    assert ours.shape == (n_params,)
    # Independent optimality: the gradient of the written-out objective vanishes
    # (the objective is strongly convex, so this pins the optimum) ...
    assert np.max(np.abs(_fd_gradient(f, ours))) < 1e-7
    # ... and a generic scipy minimiser lands on the same point.
    reference = minimize(
        f, np.zeros(n_params), method="BFGS", options={"gtol": 1e-9, "maxiter": 2000}
    )
    assert_allclose(ours, reference.x, atol=2e-5)
    assert f(ours) <= reference.fun + 1e-10
    assert result.objective == pytest.approx(f(ours), rel=1e-12)
    # hessian: the penalised observed information in [coef, intercept, extra].
    hessian = (
        result.hessian.toarray() if sp.issparse(result.hessian) else result.hessian
    )
    assert_allclose(hessian, _fd_hessian(f, ours), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "laplacian", ["assembled", "operator", "operator with sparse sums"]
)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_conjugate_gradient_path_equals_dense_solve(
    monkeypatch, fit_intercept, laplacian
):
    a, b, counts = _item_case(6, n_items=7, n_rows=60)
    counts[::4, TIE] += 1
    dense = newton_solve(
        ItemDesign(a, b, 7), DavidsonPairLoss(), counts, fit_intercept=fit_intercept
    )
    monkeypatch.setattr(_solvers, "ITEM_DENSE_SOLVE_MAX_PARAMS", 0)
    if laplacian != "assembled":  # unassembled, as for many pairs
        monkeypatch.setattr(_solvers, "_ASSEMBLED_LAPLACIAN_MAX_PAIRS", 0)
    if laplacian == "operator with sparse sums":  # sums by item as sparse products
        monkeypatch.setattr(_solvers, "_SPARSE_SUMS_MIN_PAIRS", 0)
    iterative = newton_solve(
        ItemDesign(a, b, 7), DavidsonPairLoss(), counts, fit_intercept=fit_intercept
    )
    assert iterative.converged
    assert_allclose(iterative.coef, dense.coef, atol=1e-8)
    assert_allclose(iterative.extra, dense.extra, atol=1e-8)
    assert iterative.intercept == pytest.approx(dense.intercept, abs=1e-8)
    assert_allclose(
        iterative.hessian.toarray(), dense.hessian.toarray(), rtol=1e-7, atol=1e-9
    )


# ------------------------------------------------------------ null space


def _two_groups():
    """Items 0-2 and 3-5 never meet: strengths are defined up to a constant each."""
    a = np.array([0, 1, 2, 0, 3, 4, 5, 3])
    b = np.array([1, 2, 0, 2, 4, 5, 3, 5])
    counts = np.zeros((8, 3))
    counts[:, A_WON] = [3, 2, 1, 2, 5, 1, 2, 1]
    counts[:, B_WON] = [1, 1, 2, 2, 1, 3, 2, 4]
    return a, b, counts


@pytest.mark.parametrize("design_kind", ["item", "matrix", "sparse matrix"])
def test_null_space_gives_sum_to_zero_strengths_per_connected_part(design_kind):
    a, b, counts = _two_groups()
    D = _explicit_difference_matrix(a, b, 6)
    design = {
        "item": ItemDesign(a, b, 6),
        "matrix": MatrixDesign(D),
        "sparse matrix": MatrixDesign(sp.csr_array(D)),
    }[design_kind]
    result = newton_solve(design, LogisticPairLoss(), counts)
    assert result.converged and not result.diverging
    assert abs(result.coef[:3].sum()) < 1e-12
    assert abs(result.coef[3:].sum()) < 1e-12
    # Each group alone, fitted by a generic minimiser and centred.
    for group in (slice(0, 3), slice(3, 6)):
        rows = np.isin(a, np.arange(6)[group])
        f = _objective(_logistic_nll, D[rows][:, group], counts[rows], 0.0, 3, False)
        reference = minimize(f, np.zeros(3), method="BFGS", options={"gtol": 1e-10})
        assert_allclose(result.coef[group], reference.x - reference.x.mean(), atol=1e-6)


def test_assumed_connected_parts_give_the_null_space_the_graph_search_finds():
    # Items 0..4 compared (one part), items 5 and 6 in no comparison: what the
    # ranker records after its connectivity check must span what the solver's
    # own search of the Laplacian finds.
    a, b, counts = _item_case(3)
    n_items = 7
    h = counts.sum(axis=1)
    searched = ItemDesign(a, b, n_items)
    searched_basis = searched.null_basis(searched.gram(h, dense=True))
    assumed = ItemDesign(a, b, n_items)
    used = np.isin(np.arange(n_items), np.concatenate([a, b]))
    assumed.assume_connected(used)
    assumed_basis = assumed.null_basis(None)
    assert assumed_basis.shape == (n_items, 3)
    assert_allclose(assumed_basis.T @ assumed_basis, np.eye(3), atol=1e-15)
    assert_allclose(
        assumed_basis @ assumed_basis.T, searched_basis @ searched_basis.T, atol=1e-15
    )


def test_conjugate_gradients_continue_from_an_earlier_solution():
    # Newton's last step, solved loosely, is solved again to 1e-12 from the
    # loose solution: the iterations left are those of the residual's further
    # reduction, and the step is the one solved from zero.
    rng = np.random.default_rng(11)
    n_items = 300
    a, b = rng.integers(0, n_items, (2, 6000))
    keep = a != b
    design = ItemDesign(a[keep], b[keep], n_items)
    h = rng.uniform(0.05, 0.25, keep.sum())
    H = design.laplacian_operator(h)
    null = np.full((n_items, 1), 1 / np.sqrt(n_items))
    grad = rng.normal(size=n_items)
    grad -= grad.mean()  # a shift-invariant loss's gradient

    def solve(rtol, maxiter=None, x0=None):
        return _solvers._solve_cg(
            H, None, None, grad, null, n_items, 0, rtol, maxiter, x0
        )

    loose, info = solve(1e-6)
    assert info == 0
    from_zero, info = solve(1e-12)
    assert info == 0
    iterations = 0

    def count(_):
        nonlocal iterations
        iterations += 1

    original_cg = _solvers.cg
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            _solvers, "cg", lambda *args, **kw: original_cg(*args, callback=count, **kw)
        )
        solve(1e-12)
        from_scratch, iterations = iterations, 0
        continued, info = solve(1e-12, x0=loose)
    assert info == 0
    assert iterations < from_scratch
    assert_allclose(
        continued, from_zero, rtol=1e-9, atol=1e-12 * np.abs(from_zero).max()
    )


def test_dense_newton_system_falls_back_to_least_squares_when_not_definite():
    # An indefinite Hessian (rounding can make a saturated one so): the
    # Cholesky solve fails, and the step is the least-squares solution.
    H = np.array([[2.0, 0.0], [0.0, -1.0]])
    grad = np.array([1.0, 1.0])
    design = MatrixDesign(np.eye(2))
    step = _solvers._solve_newton_system(design, H, None, None, grad, None)
    assert_allclose(step, -np.linalg.lstsq(H, grad, rcond=None)[0])
    assert_allclose(H, [[2.0, 0.0], [0.0, -1.0]])  # the caller's array is intact


def test_null_space_of_collinear_features_gives_minimum_norm():
    # A duplicated feature: only the sum of its two weights is identified; the
    # minimum-norm answer splits it evenly.
    rng = np.random.default_rng(7)
    x = rng.normal(size=(50, 2))
    counts = np.zeros((50, 3))
    counts[np.arange(50), np.where(rng.random(50) < 0.6, A_WON, B_WON)] = 1.0
    single = newton_solve(MatrixDesign(x), LogisticPairLoss(), counts)
    duplicated = newton_solve(
        MatrixDesign(np.column_stack([x, x[:, 0]])), LogisticPairLoss(), counts
    )
    assert duplicated.converged
    w = single.coef
    assert_allclose(duplicated.coef, [w[0] / 2, w[1], w[0] / 2], atol=1e-10)


@pytest.mark.parametrize(
    "smallest, definite",
    [
        (1.0, True),
        (1e-4, True),
        (1e-8, False),
        (1e-11, False),
        (1e-14, False),
        (0.0, False),
    ],
)
def test_only_a_clearly_definite_gram_matrix_skips_the_eigendecomposition(
    monkeypatch, smallest, definite
):
    # A Gram matrix with eigenvalues 1 .. smallest: the Cholesky test lets
    # through only those far from the null-space cut (1e-12 of the largest);
    # a pivoted Cholesky finds the null direction below the cut, and the
    # eigendecomposition decides the ones in between (no null direction).
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    G = (q * np.array([1.0, 0.8, 0.5, 0.3, 0.1, smallest])) @ q.T
    G = (G + G.T) / 2
    assert _solvers._clearly_positive_definite(G) is definite
    eigh = _solvers.scipy.linalg.eigh
    calls = []
    monkeypatch.setattr(
        _solvers.scipy.linalg, "eigh", lambda A: calls.append(1) or eigh(A)
    )
    basis = MatrixDesign(np.zeros((1, 6))).null_basis(G)
    assert len(calls) == (0 if definite or smallest <= 1e-13 else 1)
    if smallest <= 1e-13:
        assert basis.shape == (6, 1)
        assert_allclose(np.abs(basis[:, 0]), np.abs(q[:, 5]), atol=1e-6)
    else:
        assert basis.shape == (6, 0)


# ------------------------------------------------------ subsample start


def _many_rows_case(seed, n_rows=30_000, n_features=3, tie_every=None):
    rng = np.random.default_rng(seed)
    D = rng.normal(size=(n_rows, n_features))
    p_a = 1 / (1 + np.exp(-(D @ np.linspace(1.0, -0.5, n_features) + 0.3)))
    counts = np.zeros((n_rows, 3))
    counts[np.arange(n_rows), np.where(rng.random(n_rows) < p_a, A_WON, B_WON)] = 1
    if tie_every is not None:
        counts[tie_every::97] = [0.0, 1.0, 0.0]
    return D, counts


@pytest.fixture
def small_subsamples(monkeypatch):
    """Thresholds low enough for a test-sized problem to start from a subsample;
    returns the list of starts ``_subsample_start`` returned (the last one is
    the full fit's: the subsample's own fit asks first)."""
    monkeypatch.setattr(_solvers, "_SUBSAMPLE_MIN_ROWS", 100)
    monkeypatch.setattr(_solvers, "_SUBSAMPLE_ROWS_PER_PARAM", 300)
    starts = []
    original = _solvers._subsample_start

    def recording(*args):
        starts.append(original(*args))
        return starts[-1]

    monkeypatch.setattr(_solvers, "_subsample_start", recording)
    return starts


def _cold_newton(monkeypatch, *args, **kwargs):
    """The solve from zero: neither start used."""
    with monkeypatch.context() as patch:
        patch.setattr(_solvers, "_QUASI_NEWTON_MIN_PARAMS", np.inf)
        patch.setattr(_solvers, "_SUBSAMPLE_MIN_STRIDE", np.inf)
        return newton_solve(*args, **kwargs)


# Losses and settings both starts are checked on: [B won, tie, A won] counts
# with or without ties, with or without intercept and penalty.
_START_CASES = pytest.mark.parametrize(
    "loss, fit_intercept, alpha, tie_every",
    [
        (LogisticPairLoss(), False, 0.0, None),
        (LogisticPairLoss(), True, 0.0, None),
        (LogisticPairLoss(), False, 300.0, None),
        (DavidsonPairLoss(), True, 5.0, 0),
    ],
)


def _assert_same_optimum(warm, cold):
    """A started solve against the one from zero: same point, fewer steps."""
    assert warm.converged and warm.n_iter < cold.n_iter
    assert_allclose(warm.coef, cold.coef, rtol=1e-9, atol=1e-12)
    assert warm.intercept == pytest.approx(cold.intercept, rel=1e-9, abs=1e-12)
    assert_allclose(warm.extra, cold.extra, rtol=1e-9)
    assert warm.objective == pytest.approx(cold.objective, rel=1e-14)
    # The Hessian may be the last iterate's (see test_hessian_reuse_...).
    _assert_hessian_within(warm.hessian, cold.hessian, _solvers._HESSIAN_REUSE_RTOL)


def _assert_hessian_within(hessian, exact, rtol):
    """``(1 - rtol) exact <= hessian <= (1 + rtol) exact`` (Loewner order)."""
    ratios = scipy.linalg.eigvalsh(hessian, exact)
    assert np.all(np.abs(ratios - 1) <= rtol), np.abs(ratios - 1).max()


@_START_CASES
def test_subsample_start_reaches_the_same_optimum_in_fewer_passes(
    monkeypatch, small_subsamples, loss, fit_intercept, alpha, tie_every
):
    D, counts = _many_rows_case(0, tie_every=tie_every)
    args = (MatrixDesign(D), loss, counts)
    kwargs = dict(alpha=alpha, fit_intercept=fit_intercept)
    cold = _cold_newton(monkeypatch, *args, **kwargs)
    warm = newton_solve(*args, **kwargs)
    assert small_subsamples[-1] is not None  # the start was used
    _assert_same_optimum(warm, cold)
    # The start was fitted with the penalty scaled to the subsample's weight:
    # close to the full optimum, as a fit with the unscaled penalty is not.
    start_coef = small_subsamples[-1][0]
    assert np.max(np.abs(start_coef - cold.coef)) < 0.15 * np.max(np.abs(cold.coef))


def _exact_hessian_at(result, design, loss, counts, alpha, fit_intercept):
    """The penalised Hessian recomputed at the solver's returned point."""
    delta = design.matvec(result.coef) + result.intercept
    terms = loss.loss_gradient_hessian(delta, counts, result.extra)
    return _solvers._bordered(
        *_solvers._assemble_hessian(design, terms, alpha, fit_intercept)
    )


@pytest.mark.parametrize("fit_intercept, alpha", [(False, 0.0), (True, 2.0)])
def test_hessian_reuse_stays_within_its_bound_and_is_exact_without_it(
    monkeypatch, lbfgs_runs, fit_intercept, alpha
):
    # 40 features, 30,000 rows: L-BFGS, then one Newton step that converges;
    # its Gram matrix, at the point before that step, is the returned Hessian.
    D, counts = _many_rows_case(4, n_features=40)
    monkeypatch.setattr(_solvers, "_QUASI_NEWTON_MIN_ENTRIES", 0)
    args = (MatrixDesign(D), LogisticPairLoss(), counts)
    kwargs = dict(alpha=alpha, fit_intercept=fit_intercept)
    reused = newton_solve(*args, **kwargs)
    assert lbfgs_runs and reused.n_iter == 1 and reused.converged
    exact = _exact_hessian_at(reused, *args, alpha, fit_intercept)
    rtol = _solvers._HESSIAN_REUSE_RTOL
    _assert_hessian_within(reused.hessian, exact, rtol)
    assert not np.array_equal(reused.hessian, exact)  # it was reused
    monkeypatch.setattr(_solvers, "_HESSIAN_REUSE_RTOL", 0.0)
    recomputed = newton_solve(*args, **kwargs)
    assert_allclose(recomputed.coef, reused.coef, rtol=1e-12)
    _assert_hessian_within(recomputed.hessian, exact, 1e-12)  # rounding only


def _terms_with_curvature(h, n_extra=0):
    """Loss terms as ``_curvature_barely_moved`` reads them: ``h`` and ``h_extra``."""
    return (None, None, np.asarray(h, float), None, np.ones((n_extra, n_extra)), None)


def test_hessian_is_reused_only_when_every_weight_barely_moved():
    before = np.array([0.25, 0.2, 0.0])
    moved = _terms_with_curvature(before * [1, 1 + 2e-5, 1])  # the zero stays 0
    assert not _solvers._curvature_barely_moved(before, moved, 1e-5)
    assert _solvers._curvature_barely_moved(before, moved, 1e-4)
    # A weight leaving 0 is an infinite relative change.
    from_zero = _terms_with_curvature(before + [0, 0, 1e-9])
    assert not _solvers._curvature_barely_moved(before, from_zero, 1.0)
    # A tie parameter enters the Hessian otherwise: never reused.
    tie_model = _terms_with_curvature(before, n_extra=1)
    assert not _solvers._curvature_barely_moved(before, tie_model, 1.0)


def test_subsample_start_is_skipped_when_the_subsample_has_no_mle(
    monkeypatch, small_subsamples
):
    D, counts = _many_rows_case(1)
    # Every 33rd row (the subsample's stride) is won by the side with the
    # larger first feature: separable there, though not in the full data.
    stride = len(D) // (300 * 3)
    sub = slice(None, None, stride)
    counts[sub] = 0.0
    counts[sub][D[sub, 0] > 0, A_WON] = 1.0
    counts[sub][D[sub, 0] <= 0, B_WON] = 1.0
    warm = newton_solve(MatrixDesign(D), LogisticPairLoss(), counts)
    assert small_subsamples[-1] is None
    cold = _cold_newton(monkeypatch, MatrixDesign(D), LogisticPairLoss(), counts)
    assert warm.converged and not warm.diverging
    assert_allclose(warm.coef, cold.coef, rtol=1e-12)


def test_subsample_start_is_skipped_when_the_subsample_misses_the_ties(
    monkeypatch, small_subsamples
):
    D, counts = _many_rows_case(2)
    stride = len(D) // (300 * 3)  # the subsample: rows 0, 33, 66, ...
    counts[1::stride] = [0.0, 1.0, 0.0]  # ties: rows 1, 34, 67, ...
    assert not counts[::stride, TIE].any() and counts[:, TIE].any()
    warm = newton_solve(MatrixDesign(D), DavidsonPairLoss(), counts)
    assert small_subsamples[-1] is None
    assert warm.converged
    cold = _cold_newton(monkeypatch, MatrixDesign(D), DavidsonPairLoss(), counts)
    assert_allclose(warm.extra, cold.extra, rtol=1e-12)


def test_subsample_start_keeps_the_minimum_norm_optimum(monkeypatch, small_subsamples):
    D, counts = _many_rows_case(3, n_features=2)
    duplicated = MatrixDesign(np.column_stack([D, D[:, 0]]))
    warm = newton_solve(duplicated, LogisticPairLoss(), counts)
    assert small_subsamples[-1] is not None
    w = _cold_newton(monkeypatch, MatrixDesign(D), LogisticPairLoss(), counts).coef
    assert_allclose(warm.coef, [w[0] / 2, w[1], w[0] / 2], rtol=1e-9)


# --------------------------------------------------- quasi-Newton start


@pytest.fixture
def lbfgs_runs(monkeypatch):
    """The results of every L-BFGS run of the solver, in order."""
    runs = []
    minimize = _solvers.scipy.optimize.minimize

    def recording(*args, **kwargs):
        runs.append(minimize(*args, **kwargs))
        return runs[-1]

    monkeypatch.setattr(_solvers.scipy.optimize, "minimize", recording)
    return runs


def _subsample_rows_for_40_features(monkeypatch):
    """30,000 rows that start from a subsample (with ``small_subsamples``)."""
    monkeypatch.setattr(_solvers, "_SUBSAMPLE_ROWS_PER_PARAM", 20)
    return 30_000


@pytest.mark.parametrize("with_subsample", [False, True])
@_START_CASES
def test_quasi_newton_start_reaches_the_same_optimum_in_fewer_passes(
    monkeypatch,
    small_subsamples,
    lbfgs_runs,
    loss,
    fit_intercept,
    alpha,
    tie_every,
    with_subsample,
):
    # 40 coefficients: above _QUASI_NEWTON_MIN_PARAMS, so L-BFGS steps come
    # first (after the subsample's fit, where that applies too).
    n_rows = 3000
    if with_subsample:
        n_rows = _subsample_rows_for_40_features(monkeypatch)
        monkeypatch.setattr(_solvers, "_QUASI_NEWTON_MIN_PARAMS_AFTER_SUBSAMPLE", 32)
    D, counts = _many_rows_case(4, n_rows=n_rows, n_features=40, tie_every=tie_every)
    args = (MatrixDesign(D), loss, counts)
    kwargs = dict(alpha=alpha, fit_intercept=fit_intercept)
    warm = newton_solve(*args, **kwargs)
    assert lbfgs_runs and (small_subsamples[-1] is not None) == with_subsample
    cold = _cold_newton(monkeypatch, *args, **kwargs)
    _assert_same_optimum(warm, cold)


def _spectral_case(seed, n_items=12, n_rows=600, spread=1.5):
    """Strongly connected comparisons of items 0..n_items-2 (the last item is
    in none), with ties, repeats in both orders and a self-comparison."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, spread, n_items - 1)
    a = rng.integers(0, n_items - 1, n_rows)
    b = (a + rng.integers(1, n_items - 1, n_rows)) % (n_items - 1)
    p = 1.0 / (1.0 + np.exp(theta[b] - theta[a]))
    outcome = np.where(rng.random(n_rows) < p, A_WON, B_WON)
    outcome[rng.random(n_rows) < 0.1] = TIE
    a[0] = b[0] = 3
    return a, b, outcome


def _lsr_by_choix(choix, a, b, outcome, n_items):
    """choix's LSR of the decisive comparisons, each given twice, and of the
    ties, one win each way: the same rates as half a win, doubled."""
    data = []
    for i, j, o in zip(a.tolist(), b.tolist(), outcome.tolist(), strict=True):
        if i == j:
            continue
        if o == TIE:
            data += [(i, j), (j, i)]
        else:
            data += [(i, j)] * 2 if o == A_WON else [(j, i)] * 2
    return choix.lsr_pairwise(n_items, data)


@pytest.mark.parametrize("route", ["dense", "iterative", "iterative by pairs"])
def test_spectral_start_is_luce_spectral_ranking(monkeypatch, route):
    # Iterative: on the generator assembled on the Laplacian's pattern, or (by
    # pairs, for many pairs) with the two arrays of the pairs' wins.
    choix = pytest.importorskip("choix")
    if route == "iterative by pairs":
        monkeypatch.setattr(_solvers, "_ASSEMBLED_LAPLACIAN_MAX_PAIRS", 0)
    n_items = 12
    a, b, outcome = _spectral_case(0, n_items)
    design, counts = _solvers.aggregate_item_pairs(
        a, b, outcome, None, n_items, fold=True
    )
    assert _solvers._spectral_start(design, counts) is None  # graph not checked
    used = np.arange(n_items) < n_items - 1
    design.assume_connected(used)
    expected = _lsr_by_choix(choix, a, b, outcome, n_items - 1)
    if route != "dense":
        design.dense_solve_max_params = 0
        # At a start's precision, then solved to rounding.
        start = _solvers._spectral_start(design, counts)
        assert_allclose(start[:-1], expected, atol=0.05)
        monkeypatch.setattr(_solvers, "_SPECTRAL_RTOL", 1e-13)
    start = _solvers._spectral_start(design, counts)
    # The item in no comparison starts at 0, the others as choix's LSR (both
    # centred).
    assert start[-1] == 0.0
    assert_allclose(start[:-1], expected, atol=1e-10)


@pytest.mark.parametrize("route", ["dense", "iterative"])
@pytest.mark.parametrize("loss", [LogisticPairLoss(), DavidsonPairLoss()])
def test_spectral_start_reaches_the_same_optimum_in_fewer_steps(
    monkeypatch, route, loss
):
    n_items = 40
    a, b, outcome = _spectral_case(1, n_items, n_rows=4000, spread=2.5)
    design, counts = _solvers.aggregate_item_pairs(
        a, b, outcome, None, n_items, fold=True
    )

    def solve(start):
        fresh = ItemDesign(design.a, design.b, n_items)
        fresh.assume_connected(np.arange(n_items) < n_items - 1)
        if route == "iterative":
            fresh.dense_solve_max_params = 0
        with monkeypatch.context() as patch:
            if not start:
                patch.setattr(_solvers, "_spectral_start", lambda *args: None)
            return newton_solve(fresh, loss, counts, detect_divergence=False)

    warm, cold = solve(start=True), solve(start=False)
    assert warm.converged and cold.converged
    assert warm.n_iter < cold.n_iter
    assert_allclose(warm.coef, cold.coef, atol=1e-9)
    assert_allclose(warm.extra, cold.extra, atol=1e-9)
    assert warm.coef[-1] == cold.coef[-1] == 0.0  # the item in no comparison


@pytest.mark.parametrize("loss", [LogisticPairLoss(), DavidsonPairLoss()])
def test_newton_abandons_a_spectral_start_whose_steps_it_must_cut(monkeypatch, loss):
    # A start with a few items far out (as Luce spectral ranking puts weak
    # items with few comparisons, on the ATP data): their comparisons
    # saturate, Newton's model is poor there and the line search cuts the
    # steps.  Newton then starts again at zero: the same optimum, at most
    # _SPECTRAL_TRIAL_STEPS steps more than from zero, where keeping the
    # start costs more.
    n_items = 40
    a, b, outcome = _spectral_case(1, n_items, n_rows=4000, spread=2.5)
    design, counts = _solvers.aggregate_item_pairs(
        a, b, outcome, None, n_items, fold=True
    )
    far_out = np.zeros(n_items)
    far_out[:3] = [-40.0, 40.0, -40.0]

    def solve(start, min_step=_solvers._SPECTRAL_MIN_STEP):
        fresh = ItemDesign(design.a, design.b, n_items)
        fresh.assume_connected(np.arange(n_items) < n_items - 1)
        with monkeypatch.context() as patch:
            patch.setattr(_solvers, "_spectral_start", lambda *args: start)
            patch.setattr(_solvers, "_SPECTRAL_MIN_STEP", min_step)
            return newton_solve(fresh, loss, counts)

    restarted, cold = solve(far_out), solve(None)
    kept = solve(far_out, min_step=0.0)
    assert restarted.converged and cold.converged
    assert_allclose(restarted.coef, cold.coef, atol=1e-9)
    assert_allclose(restarted.extra, cold.extra, atol=1e-9)
    assert restarted.n_iter <= cold.n_iter + _solvers._SPECTRAL_TRIAL_STEPS
    assert kept.n_iter > restarted.n_iter


def test_spectral_start_skips_sparse_graphs_above_the_dense_solve():
    # A ladder (each item against the next, won both ways): strongly
    # connected, but with fewer than _SPECTRAL_MIN_PAIRS_PER_ITEM pairs an
    # item, where the chain mixes too slowly for the start to pay.
    n_items = 30
    a = np.repeat(np.arange(n_items - 1), 20)  # 40 comparisons an item
    b = a + 1
    outcome = np.tile([A_WON, B_WON], 10 * (n_items - 1))
    design, counts = _solvers.aggregate_item_pairs(
        a, b, outcome, None, n_items, fold=True
    )
    design.assume_connected(np.ones(n_items, dtype=bool))
    assert _solvers._spectral_start(design, counts) is not None  # dense: solved
    design.dense_solve_max_params = 0
    assert _solvers._spectral_start(design, counts) is None


@pytest.mark.parametrize("n_rows, enough", [(400, False), (600, True)])
def test_spectral_start_needs_enough_comparisons_an_item(n_rows, enough):
    # With fewer than _SPECTRAL_MIN_MEDIAN_COMPARISONS for the median item,
    # spectral ranking is too rough a start (heavy-tailed tournaments): zero.
    a, b, outcome = _spectral_case(3, 31, n_rows=n_rows)
    design, counts = _solvers.aggregate_item_pairs(a, b, outcome, None, 31, fold=True)
    design.assume_connected(np.arange(31) < 30)
    median = np.median(np.bincount(np.r_[a, b], minlength=31)[:30])
    assert (median >= _solvers._SPECTRAL_MIN_MEDIAN_COMPARISONS) == enough
    assert (_solvers._spectral_start(design, counts) is not None) == enough


def test_spectral_start_falls_back_to_zero_when_its_solve_fails(monkeypatch):
    a, b, outcome = _spectral_case(2, 30)
    design, counts = _solvers.aggregate_item_pairs(a, b, outcome, None, 30, fold=True)
    design.assume_connected(np.arange(30) < 29)
    design.dense_solve_max_params = 0
    assert _solvers._spectral_start(design, counts) is not None
    monkeypatch.setattr(
        _solvers, "bicgstab", lambda A, rhs, **kwargs: (np.ones(len(rhs)), 1)
    )
    assert _solvers._spectral_start(design, counts) is None
    # A solution with a negative entry (rounding, for tiny strengths) too.
    monkeypatch.setattr(
        _solvers, "bicgstab", lambda A, rhs, **kwargs: (-np.ones(len(rhs)), 0)
    )
    assert _solvers._spectral_start(design, counts) is None


def test_a_sparse_design_of_many_values_a_row_starts_from_lbfgs(
    monkeypatch, lbfgs_runs
):
    # 40 stored values a row: scipy's Gram matrix makes 40 products per value
    # where a gradient makes 2, so L-BFGS steps come first, as for dense.
    D, counts = _many_rows_case(4, n_rows=3000, n_features=40)
    design = MatrixDesign(sp.csr_array(D))
    assert _solvers._gram_is_costly(design)
    warm = newton_solve(design, LogisticPairLoss(), counts)
    assert lbfgs_runs
    cold = _cold_newton(
        monkeypatch, MatrixDesign(sp.csr_array(D)), LogisticPairLoss(), counts
    )
    _assert_same_optimum(warm, cold)
    # A few values a row (one-hot ids with a feature) keep the cheap product.
    few = sp.csr_array(D * (np.random.default_rng(1).random(D.shape) < 0.05))
    assert not _solvers._gram_is_costly(MatrixDesign(few))


@_START_CASES
def test_newton_on_sparse_rows_of_many_values_needs_no_formed_hessian(
    monkeypatch, loss, fit_intercept, alpha, tie_every
):
    # Newton's systems solved by CG on products with D (a _GramOperator)
    # against the formed Gram matrix; a duplicated column adds a null space.
    D, counts = _many_rows_case(6, n_rows=3000, n_features=40, tie_every=tie_every)
    D = sp.csr_array(np.column_stack([D, D[:, 0]]))
    kwargs = dict(alpha=alpha, fit_intercept=fit_intercept)
    free = MatrixDesign(D)
    products = newton_solve(free, loss, counts, **kwargs)
    assert free._matrix_free
    monkeypatch.setattr(_solvers, "_SPARSE_GRAM_COSTLY_PAIRS", np.inf)
    formed = MatrixDesign(D)
    expected = newton_solve(formed, loss, counts, **kwargs)
    assert not formed._matrix_free
    assert products.converged and expected.converged
    assert_allclose(products.coef, expected.coef, rtol=1e-9, atol=1e-12)
    assert products.intercept == pytest.approx(expected.intercept, abs=1e-10)
    assert_allclose(products.extra, expected.extra, rtol=1e-9)
    hessians = [
        h.toarray() if sp.issparse(h) else h
        for h in (products.hessian, expected.hessian)
    ]
    assert_allclose(*hessians, rtol=1e-7, atol=1e-9)


def test_after_a_subsample_start_lbfgs_needs_more_coefficients(
    monkeypatch, small_subsamples, lbfgs_runs
):
    # A subsample start leaves Newton few steps: L-BFGS from 96 coefficients.
    n_rows = _subsample_rows_for_40_features(monkeypatch)
    D, counts = _many_rows_case(4, n_rows=n_rows, n_features=40)
    newton_solve(MatrixDesign(D), LogisticPairLoss(), counts)
    assert small_subsamples[-1] is not None and not lbfgs_runs
    monkeypatch.setattr(_solvers, "_QUASI_NEWTON_MIN_PARAMS_AFTER_SUBSAMPLE", 40)
    newton_solve(MatrixDesign(D), LogisticPairLoss(), counts)
    assert lbfgs_runs


def test_quasi_newton_start_keeps_the_minimum_norm_optimum(monkeypatch, lbfgs_runs):
    # L-BFGS steps are combinations of gradients, which lie in D's row space:
    # the start adds nothing along the null space (a duplicated feature).
    D, counts = _many_rows_case(7, n_rows=3000, n_features=40)
    duplicated = np.column_stack([D, D[:, 0]])
    warm = newton_solve(MatrixDesign(duplicated), LogisticPairLoss(), counts)
    assert lbfgs_runs  # the start was used
    w = _cold_newton(monkeypatch, MatrixDesign(D), LogisticPairLoss(), counts).coef
    assert_allclose(
        warm.coef, np.concatenate([[w[0] / 2], w[1:], [w[0] / 2]]), rtol=1e-9
    )


def test_quasi_newton_start_keeps_separation_detected(monkeypatch, lbfgs_runs):
    D, _ = _many_rows_case(5, n_rows=3000, n_features=40)
    counts = np.zeros((len(D), 3))
    counts[:, A_WON] = D[:, 0] > 0  # the first feature decides every comparison
    counts[:, B_WON] = D[:, 0] <= 0
    warm = newton_solve(MatrixDesign(D), LogisticPairLoss(), counts)
    assert lbfgs_runs  # the start was used
    cold = _cold_newton(monkeypatch, MatrixDesign(D), LogisticPairLoss(), counts)
    assert cold.diverging and warm.diverging


def test_quasi_newton_start_falls_back_when_lbfgs_leaves_the_finite_range(
    monkeypatch,
):
    from scipy.optimize import OptimizeResult

    D, counts = _many_rows_case(6, n_rows=500, n_features=40)
    start = (np.full(40, 0.1), 0.0, np.zeros(0))
    monkeypatch.setattr(
        _solvers.scipy.optimize,
        "minimize",
        lambda *args, **kwargs: OptimizeResult(x=np.full(40, np.nan), fun=np.nan),
    )
    kept = _solvers._quasi_newton_start(
        MatrixDesign(D), LogisticPairLoss(), counts, 0.0, False, start
    )
    assert kept is start


def _aggregate_by_dict(a, b, outcome, weight, fold):
    """Reference aggregation: a dict of ordered pairs, one row at a time."""
    table = {}
    for i, j, o, w in zip(a, b, outcome, weight, strict=True):
        if fold and i > j:
            i, j, o = j, i, 2 - o
        table.setdefault((i, j), np.zeros(3))[o] += w
    return table


@pytest.mark.parametrize("fold", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize(
    "n_items, n_rows, single_outcome",
    [
        (6, 400, None),  # few cells: counted in a K x K x 3 array
        (6, 400, A_WON),  # winner/loser data: one plane of cells
        (6, 400, B_WON),
        (6, 400, TIE),  # all ties
        (6, 3000, None),  # counted in blocks of 432 rows: the last one short
        (6, 3000, A_WON),  # blocks of 144 rows
        (3000, 200, None),  # many cells: sorted unique pairs
        (300, 2000, None),  # sorted, with repeated pairs and outcomes
        (300, 2000, A_WON),
    ],
)
def test_aggregate_item_pairs_matches_a_dictionary(
    monkeypatch, n_items, n_rows, single_outcome, weighted, fold
):
    # Blocks of 4 x (number of cells) rows: several blocks for 3000 rows.
    monkeypatch.setattr(_solvers, "_COUNT_BLOCK_ROWS", 1)
    rng = np.random.default_rng(1)
    a = rng.integers(0, n_items, n_rows)
    b = rng.integers(0, n_items, n_rows)
    a[:3], b[:3] = 2, 2  # self-comparisons stay on the diagonal
    if single_outcome is None:
        outcome = rng.integers(0, 3, n_rows)
    else:
        outcome = np.full(n_rows, single_outcome)
    weight = rng.uniform(0.5, 2.0, n_rows) if weighted else None
    design, counts = _solvers.aggregate_item_pairs(
        a, b, outcome.astype(np.int8), weight, n_items, fold=fold
    )
    expected = _aggregate_by_dict(
        a, b, outcome, np.ones(n_rows) if weight is None else weight, fold
    )
    assert sorted(expected) == list(
        zip(design.a.tolist(), design.b.tolist(), strict=True)
    )
    assert_allclose(counts, np.array([expected[key] for key in sorted(expected)]))


@pytest.mark.parametrize(
    "make_ids",
    [
        lambda ids: ids,  # 0..K-1, every id present
        lambda ids: ids * 3 + 1000,  # counted in its range, gaps dropped
        lambda ids: ids.astype(np.uint16) * 2,
        lambda ids: ids * 10**6,  # too wide a range: factorised first
        lambda ids: np.array([f"m{i:02d}" for i in ids], dtype=object),
    ],
)
def test_aggregate_id_pairs_codes_index_the_present_ids(make_ids):
    rng = np.random.default_rng(3)
    raw_a, raw_b = rng.integers(0, 12, 500), rng.integers(0, 12, 500)
    outcome = rng.integers(0, 3, 500).astype(np.int8)
    weight = rng.uniform(0.5, 2.0, 500)
    ids_a, ids_b = make_ids(raw_a), make_ids(raw_b)
    items, design, counts = _solvers.aggregate_id_pairs(ids_a, ids_b, outcome, weight)
    assert items.dtype == ids_a.dtype
    assert list(items) == sorted(set(ids_a.tolist()) | set(ids_b.tolist()))
    expected = _aggregate_by_dict(
        ids_a.tolist(), ids_b.tolist(), outcome, weight, False
    )
    assert sorted(expected) == list(
        zip(items[design.a].tolist(), items[design.b].tolist(), strict=True)
    )
    assert_allclose(counts, np.array([expected[key] for key in sorted(expected)]))
    assert design.n_params == len(items)


# ------------------------------------------------------------- separation


def _steep_case(n=400, seed=11, slope=10.0):
    """Outcomes of a steep but finite model: overlapping, the MLE exists."""
    rng = np.random.default_rng(seed)
    D = rng.normal(size=(n, 2)) - rng.normal(size=(n, 2))
    p_a = 1 / (1 + np.exp(-slope * D @ [1.0, -0.5]))
    a_won = rng.random(n) < p_a
    return D, _counts(a_won)


def _counts(a_won, tie=None):
    counts = np.zeros((len(a_won), 3))
    counts[a_won, A_WON] = 1.0
    counts[~a_won, B_WON] = 1.0
    if tie is not None:
        counts[tie] = [0.0, 1.0, 0.0]
    return counts


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_separable_decides_whether_the_mle_exists(fit_intercept):
    D, counts = _steep_case()
    overlapping = MatrixDesign(D)
    assert not _solvers._separable(overlapping, counts, fit_intercept, None, None)
    separated = _counts(D @ [1.0, -0.5] > 0)
    assert _solvers._separable(MatrixDesign(D), separated, fit_intercept, None, None)
    # Quasi-complete: separated except rows on the boundary w.x = 0 that go
    # both ways (a tie, or two rows of opposite outcomes with one x).
    D_quasi = np.vstack([D, [[1.0, 2.0]], [[2.0, 4.0]]])
    tie = np.zeros(len(D_quasi), dtype=bool)
    tie[-2:] = True
    quasi = _counts(np.r_[D @ [1.0, -0.5] > 0, False, False], tie)
    assert _solvers._separable(MatrixDesign(D_quasi), quasi, fit_intercept, None, None)
    # Columns in wildly different units change nothing.
    scaled = MatrixDesign(D * [1e6, 1e-6])
    assert not _solvers._separable(scaled, counts, fit_intercept, None, None)
    # A sparse design is checked the same way.
    assert not _solvers._separable(
        MatrixDesign(sp.csr_array(D)), counts, False, None, None
    )


def test_steep_but_overlapping_outcomes_are_not_flagged_as_separated():
    # |delta| reaches 47: it looked separated (R's glm would say "fitted
    # probabilities numerically 0 or 1"), but the MLE exists.
    D, counts = _steep_case()
    result = newton_solve(MatrixDesign(D), LogisticPairLoss(), counts)
    assert result.converged and not result.diverging
    assert np.max(np.abs(D @ result.coef)) > 30


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_large_designs_look_for_separation_where_the_hessian_lost_rank(
    monkeypatch, fit_intercept
):
    # Above the size of the full linear programme (30 s and GBs at 1e7
    # values, where a cap had left a false warning), the programme runs on
    # the directions the fit's Hessian lost: none for overlapping data.
    monkeypatch.setattr(_solvers, "_SEPARATION_LP_MAX_ENTRIES", 0)
    D, counts = _steep_case()
    kwargs = dict(fit_intercept=fit_intercept)
    steep = newton_solve(MatrixDesign(D), LogisticPairLoss(), counts, **kwargs)
    assert steep.converged and not steep.diverging
    # A separated subset (rows won by the side with the larger first
    # feature, plus overlapping rows on which that feature is equal):
    # quasi-complete separation along the first feature.
    rng = np.random.default_rng(5)
    equal_first = np.column_stack([np.zeros(300), rng.normal(size=300)])
    D_quasi = np.vstack([D, equal_first])
    quasi = _counts(
        np.r_[D[:, 0] > 0, rng.random(300) < 1 / (1 + np.exp(-equal_first[:, 1]))]
    )
    result = newton_solve(MatrixDesign(D_quasi), LogisticPairLoss(), quasi, **kwargs)
    assert result.diverging
    # Complete separation, fitted to the end without the flat-step check: the
    # Hessian lost every direction, and the programme finds the separation.
    separated = _counts(D @ [1.0, -0.5] > 0)
    design = MatrixDesign(D)
    end = newton_solve(
        design, LogisticPairLoss(), separated, detect_divergence=False, **kwargs
    )
    null = design.null_basis(D.T @ D)
    assert _solvers._separable(design, separated, fit_intercept, end.hessian, null)
    assert not _solvers._separable(design, counts, fit_intercept, steep.hessian, null)


@pytest.mark.parametrize("case", ["item_feature", "duplicates", "kahan"])
def test_the_pivoted_cholesky_null_space_is_the_eigendecompositions(case):
    # Its directions span what the eigenvalue cut finds, or it declines (the
    # Kahan matrix: a pivoted Cholesky's known failure to reveal the rank).
    rng = np.random.default_rng(38)
    if case == "item_feature":
        # One-hot ids of 40 items and a feature of the items (their height):
        # two null directions, the constant and the feature.
        a, b = rng.integers(0, 40, (2, 2000))
        keep = a != b
        a, b = a[keep], b[keep]
        height = rng.normal(size=40)
        D = np.zeros((len(a), 41))
        D[np.arange(len(a)), a] += 1.0
        D[np.arange(len(a)), b] -= 1.0
        D[:, 40] = height[a] - height[b]
        G = D.T @ D
    elif case == "duplicates":
        X = rng.normal(size=(500, 6))
        D = np.column_stack([X, X[:, 0] + X[:, 1], 3.0 * X[:, 2]])
        G = D.T @ D
    else:
        n, c = 60, 0.3  # its smallest eigenvalue: 1e-17 of the largest
        s = np.sqrt(1 - c**2)
        R = np.triu(-c * np.ones((n, n)), 1) + np.eye(n)
        R = np.diag(s ** np.arange(n)) @ R
        G = R.T @ R
    G, _ = _solvers.equilibrated(G)
    eigval, eigvec = scipy.linalg.eigh(G)
    expected = eigvec[:, eigval <= _solvers._NULL_EIGVAL_RTOL * eigval[-1]]
    found = _solvers._null_by_pivoted_cholesky(G)
    if case == "kahan" and found is None:
        return
    assert found.shape == expected.shape == (G.shape[0], 1 if case == "kahan" else 2)
    assert scipy.linalg.subspace_angles(found, expected).max() < 1e-8


def test_an_item_null_basis_of_many_parts_is_sparse_and_the_same():
    labels = np.repeat(np.arange(3000), 2)  # 3,000 parts of two items
    basis = _solvers._part_indicators(labels)
    assert sp.issparse(basis) and basis.shape == (6000, 3000)
    small = _solvers._part_indicators(labels[:400])
    assert not sp.issparse(small)
    assert_allclose(basis[:400, :200].toarray(), small, atol=0)
    assert_allclose(small, np.kron(np.eye(200), np.full((2, 1), np.sqrt(0.5))))


def _ids_with_features(a, b, n_columns, features):
    """Sparse difference design: ids of ``n_columns`` items (an item numbered
    ``n_columns`` has no column: a dropped category), then ``features``."""
    n = len(a)
    rows, values = np.r_[np.arange(n), np.arange(n)], np.r_[np.ones(n), -np.ones(n)]
    columns = np.r_[a, b]
    has_column = columns < n_columns
    ids = sp.csr_array(
        (values[has_column], (rows[has_column], columns[has_column])),
        shape=(n, n_columns),
    )
    return sp.csr_array(sp.hstack([ids, sp.csr_array(features)]))


def _null_case(case, rng):
    if case == "chain":  # CG stalls: the solves take the sparse LU
        k = 700
        a = np.repeat(np.arange(k - 1), 2)
        b = a + 1
    else:
        k = 60
        a = rng.integers(0, k, 1500)
        b = (a + rng.integers(1, k, 1500)) % k
    features = rng.normal(size=(len(a), 2))
    if case == "parts":
        # Three groups of 20 never compared with each other; the first also
        # against item k, a dropped category, which fixes its strengths.
        a, b = a % 20 + 20 * (b // 20), b % 20 + 20 * (b // 20)
        a[:30], b[:30] = a[:30] % 20, k
        a = np.where(a == b, (a + 1) % 20 + 20 * (a // 20), a)
    if case in ("height", "chain"):
        height = rng.normal(size=k + 1)
        features[:, 0] = height[a] - height[b]  # what the ids reproduce
    if case == "zero feature":
        features[:, 1] = 0.0
    return a, b, k, features


@pytest.mark.parametrize("case", ["parts", "height", "chain", "zero feature"])
def test_incidence_null_basis_spans_the_null_space_of_the_design(case):
    rng = np.random.default_rng(7)
    a, b, k, features = _null_case(case, rng)
    D = _ids_with_features(a, b, k, features)
    h = rng.uniform(0.1, 0.25, D.shape[0])
    G = sp.csr_array(D.T @ sp.diags_array(h) @ D)
    found, n_shifts = _solvers._incidence_null_basis(G, _solvers.item_incidence(D))
    found = found.toarray() if sp.issparse(found) else found
    assert n_shifts == (2 if case == "parts" else 1)
    assert np.abs(D @ found[:, :n_shifts]).max() == 0.0
    expected = scipy.linalg.null_space(D.toarray())
    assert found.shape == expected.shape
    assert (
        expected.shape[1]
        == {"parts": 2, "height": 2, "chain": 2, "zero feature": 2}[case]
    )
    assert_allclose(found.T @ found, np.eye(found.shape[1]), atol=1e-12)
    assert scipy.linalg.subspace_angles(found, expected).max() < 1e-8


def test_incidence_null_basis_reads_the_parts_of_rows_of_positive_weight():
    # Rows of weight 0 link nothing: the only comparison between the two
    # triangles, and the only ones of item 6, against the dropped category
    # (item 7, no column).  Expected: the null space of the rows that weigh.
    a = np.array([0, 1, 2, 0, 3, 4, 5, 3, 0, 6, 6, 1])
    b = np.array([1, 2, 0, 2, 4, 5, 3, 5, 3, 7, 7, 7])
    h = np.r_[np.ones(8), 0.0, 0.0, 0.0, 1.0]
    features = np.random.default_rng(2).normal(size=(len(a), 1))
    D = _ids_with_features(a, b, 7, features)
    G = sp.csr_array(D.T @ sp.diags_array(h) @ D)
    G.eliminate_zeros()
    found, n_shifts = _solvers._incidence_null_basis(G, _solvers.item_incidence(D))
    expected = scipy.linalg.null_space(D.toarray()[h > 0])
    # The second triangle's shift and item 6 alone (the first triangle is
    # tied to item 7 by the last row).
    assert n_shifts == 2 and found.shape == expected.shape == (8, 2)
    assert scipy.linalg.subspace_angles(found, expected).max() < 1e-8
