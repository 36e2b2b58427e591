"""Exactness: one log-likelihood for every entry, a high-precision reference
solve, and the "floor" (one vectorised gradient pass over the comparisons).

Items: ``theta`` is indexed in the workload's canonical order (sorted unique
ids). Features: ``w`` has one weight per column of one half of ``X``.
The objective is the log-likelihood summed over comparisons minus
``alpha / 2 * ||w||^2`` (the sum convention of ``LogisticRegression(C=1/alpha)``).
"""

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg
from scipy.special import expit, log_expit


def pair_differences(X):
    """``x_A - x_B`` for ``X = [x_A | x_B]``, dense or sparse."""
    d = X.shape[1] // 2
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        return sp.csr_matrix(X[:, :d] - X[:, d:])
    return X[:, :d] - X[:, d:]


def log_likelihood(wl, params):
    """Penalised log-likelihood of ``params`` on workload ``wl``.

    Items use the aggregated pair counts (the same value as the sum over the
    raw comparisons, because duplicates are sufficient statistics).
    """
    params = np.asarray(params, dtype=np.float64)
    if not np.all(np.isfinite(params)):
        return np.nan
    if wl.kind == "items":
        margin = params[wl.pair_w] - params[wl.pair_l]
        return float(wl.pair_count @ log_expit(margin))
    z = wl.X @ np.concatenate([params, -params])
    ll = wl.y @ log_expit(z) + (1.0 - wl.y) @ log_expit(-z)
    return float(ll - 0.5 * wl.alpha * params @ params)


def relative_gap(ll_reference, ll_fit):
    """``(ll_ref - ll_fit) / |ll_ref|``: 0 at the optimum, > 0 when worse."""
    if ll_fit is None or not np.isfinite(ll_fit):
        return np.nan
    return (ll_reference - ll_fit) / abs(ll_reference)


# --------------------------------------------------------------------------
# Reference solves (Newton to a gradient at rounding level)
# --------------------------------------------------------------------------
def _items_grad_hess(theta, pw, pl, count, n_items):
    p_loss = expit(theta[pl] - theta[pw])  # P(the recorded loser wins)
    g_pair = count * p_loss
    grad = np.bincount(pw, g_pair, n_items) - np.bincount(pl, g_pair, n_items)
    h = count * p_loss * (1.0 - p_loss)
    return grad, h


def _laplacian(h, pw, pl, n_items):
    rows = np.concatenate([pw, pl, pw, pl])
    cols = np.concatenate([pl, pw, pw, pl])
    vals = np.concatenate([-h, -h, h, h])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n_items, n_items))


def _items_ll(theta, pw, pl, count):
    return count @ log_expit(theta[pw] - theta[pl])


def _features_obj(w, D, y, alpha):
    z = D @ w
    return y @ log_expit(z) + (1.0 - y) @ log_expit(-z) - 0.5 * alpha * w @ w


def _damped(objective, x, step):
    """Full Newton step unless it lowers the objective; then halve it."""
    current = objective(x)
    for _ in range(30):
        if objective(x + step) >= current - 1e-12 * abs(current):
            return x + step
        step = step / 2
    return x


def reference_items(pair_w, pair_l, pair_count, n_items, *, gtol=1e-12, max_iter=60):
    """Newton's method on aggregated pair counts; returns centred ``theta``.

    The Hessian is a weighted graph Laplacian, singular along the all-ones
    direction. The gradient is orthogonal to that direction, so solving
    ``(L + 11^T) d = g`` (dense, small K) or running CG on ``L d = g`` (large K)
    gives the step orthogonal to it. Stops when the largest gradient entry is
    below ``gtol`` times the mean number of comparisons per item (rounding
    level for sums of that many terms), or when it stops decreasing.
    """
    theta = np.zeros(n_items)
    scale = max(1.0, 2.0 * pair_count.sum() / n_items)
    best = np.inf
    for _ in range(max_iter):
        grad, h = _items_grad_hess(theta, pair_w, pair_l, pair_count, n_items)
        gnorm = np.abs(grad).max()
        if gnorm <= gtol * scale or (gnorm >= best and gnorm < 1e-6 * scale):
            break  # converged, or stalled at rounding level
        best = gnorm
        lap = _laplacian(h, pair_w, pair_l, n_items)
        if n_items <= 3000:
            step = scipy.linalg.solve(lap.toarray() + 1.0, grad, assume_a="pos")
        else:
            diag = lap.diagonal()
            precond = sp.diags(1.0 / np.where(diag > 0, diag, 1.0))
            step, _ = scipy.sparse.linalg.cg(
                lap, grad, rtol=1e-13, maxiter=2000, M=precond
            )
        theta = _damped(lambda t: _items_ll(t, pair_w, pair_l, pair_count), theta, step)
        theta -= theta.mean()
    return theta


def reference_features(X, y, alpha=0.0, *, gtol=1e-12, max_iter=60):
    """Newton's method on the pair differences; returns ``w``."""
    D = pair_differences(X)
    w = np.zeros(D.shape[1])
    scale = max(1.0, D.shape[0])
    best = np.inf
    for _ in range(max_iter):
        p = expit(D @ w)
        grad = D.T @ (y - p) - alpha * w
        gnorm = np.abs(grad).max()
        if gnorm <= gtol * scale or (gnorm >= best and gnorm < 1e-6 * scale):
            break  # converged, or stalled at rounding level
        best = gnorm
        h = p * (1.0 - p)
        if sp.issparse(D):
            hess = (D.T @ D.multiply(h[:, None])).toarray()
        else:
            hess = D.T @ (D * h[:, None])
        hess[np.diag_indices_from(hess)] += alpha
        step = scipy.linalg.solve(hess, grad, assume_a="pos")
        w = _damped(lambda v: _features_obj(v, D, y, alpha), w, step)
    return w


def reference(wl):
    """High-precision optimum of workload ``wl`` (``theta`` or ``w``)."""
    if wl.kind == "items":
        return reference_items(wl.pair_w, wl.pair_l, wl.pair_count, wl.n_items)
    return reference_features(wl.X, wl.y, wl.alpha)


# --------------------------------------------------------------------------
# Floor: the cost of touching every comparison once
# --------------------------------------------------------------------------
def floor_gradient(wl, params):
    """One vectorised pass: the log-likelihood gradient over all N rows.

    Items work on the pre-encoded integer indices (no id encoding counted);
    features on ``X`` as given, with a single product each way.
    """
    if wl.kind == "items":
        n_items = wl.n_items
        # Outcome minus P(first-listed won): P(the other won) without draws.
        if wl.ties is None:
            residual = expit(params[wl.l_idx] - params[wl.w_idx])
        else:
            residual = wl.outcomes - expit(params[wl.w_idx] - params[wl.l_idx])
        return np.bincount(wl.w_idx, residual, n_items) - np.bincount(
            wl.l_idx, residual, n_items
        )
    d = wl.n_features
    residual = wl.y - expit(wl.X @ np.concatenate([params, -params]))
    full = wl.X.T @ residual
    return full[:d] - full[d:]
