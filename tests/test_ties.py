"""Tests of the tie-model losses: derivatives, symmetries, limits, stability and
Davidson's (1970) chocolate-pudding example."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from scipy.special import expit

from sklearn_bt._loss import LogisticPairLoss
from sklearn_bt._ties import DavidsonPairLoss, RaoKupperPairLoss, has_ties

TIE_LOSSES = [DavidsonPairLoss(), RaoKupperPairLoss()]
LOSS_IDS = ["davidson", "rao-kupper"]


def _random_case(seed, n=7, delta_scale=3.0):
    rng = np.random.default_rng(seed)
    delta = rng.normal(scale=delta_scale, size=n)
    counts = rng.integers(0, 6, size=(n, 3)).astype(float)
    counts[0] = [0.0, 0.0, 0.0]  # a row with no comparison must be harmless
    counts[1, 1] += 1  # at least one tie
    extra = rng.normal(scale=1.0, size=1)
    return delta, counts, extra


def _central_difference(f, x, step):
    """Jacobian of f at x by central differences, shape f(x).shape + x.shape."""
    x = np.asarray(x, dtype=float)
    columns = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e.flat[k] = step
        columns.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * step))
    return np.stack(columns, axis=-1)


def _pieces(loss, delta, counts, extra):
    return dict(
        zip(
            ["loss", "grad", "hess", "grad_extra", "hess_extra", "hess_cross"],
            loss.loss_gradient_hessian(delta, counts, extra),
            strict=True,
        )
    )


# --- derivatives ------------------------------------------------------------


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("seed", range(4))
def test_derivatives_match_finite_differences(loss, seed):
    delta, counts, extra = _random_case(seed)
    got = _pieces(loss, delta, counts, extra)
    step = 1e-6

    assert_allclose(got["loss"], loss.loss(delta, counts, extra), rtol=1e-13)

    fd_grad = _central_difference(lambda d: loss.loss(d, counts, extra), delta, step)
    assert_allclose(got["grad"], fd_grad, rtol=1e-6, atol=1e-7)
    fd_grad_extra = _central_difference(
        lambda e: loss.loss(delta, counts, e), extra, step
    )
    assert_allclose(got["grad_extra"], fd_grad_extra, rtol=1e-6, atol=1e-7)

    # Second derivatives from the analytic first ones: the Jacobian of grad in
    # delta must be diagonal (the loss is a sum over rows) with hess on it.
    def grads(d, e):
        pieces = _pieces(loss, d, counts, e)
        return pieces["grad"], pieces["grad_extra"]

    jac_grad = _central_difference(lambda d: grads(d, extra)[0], delta, step)
    assert_allclose(jac_grad, np.diag(got["hess"]), rtol=1e-6, atol=1e-7)
    fd_hess_extra = _central_difference(lambda e: grads(delta, e)[1], extra, step)
    assert_allclose(
        got["hess_extra"],
        _solver_hess_extra(loss, fd_hess_extra, got["grad_extra"]),
        rtol=1e-6,
        atol=1e-7,
    )
    fd_cross = _central_difference(lambda e: grads(delta, e)[0], extra, step)
    assert_allclose(got["hess_cross"], fd_cross, rtol=1e-6, atol=1e-7)
    # ... and the same cross derivative taken the other way round.
    fd_cross_t = _central_difference(lambda d: grads(d, extra)[1], delta, step)
    assert_allclose(got["hess_cross"].T, fd_cross_t, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("extra", [-4.0, 2.5])
def test_derivatives_at_extreme_tie_parameters(loss, extra):
    # Rare ties (nu, tau ~ 0.02) and frequent ones (nu ~ 12, tau ~ 12).
    delta, counts, _ = _random_case(11)
    extra = np.array([extra])
    got = _pieces(loss, delta, counts, extra)
    fd_grad_extra = _central_difference(
        lambda e: loss.loss(delta, counts, e), extra, 1e-6
    )
    assert_allclose(got["grad_extra"], fd_grad_extra, rtol=1e-6, atol=1e-7)
    fd_hess_extra = _central_difference(
        lambda e: _pieces(loss, delta, counts, e)["grad_extra"], extra, 1e-6
    )
    assert_allclose(
        got["hess_extra"],
        _solver_hess_extra(loss, fd_hess_extra, got["grad_extra"]),
        rtol=1e-6,
        atol=1e-7,
    )


def _solver_hess_extra(loss, exact, grad_extra):
    """The ``hess_extra`` a loss returns given the exact one: Rao-Kupper's
    leaves out the chain rule's term ``tau dloss/dtau`` (its ``grad_extra``)
    where negative, so that the Hessian is positive semi-definite."""
    if isinstance(loss, RaoKupperPairLoss):
        return exact - np.minimum(grad_extra, 0.0)
    return exact


def test_rao_kupper_hessian_is_positive_semidefinite_everywhere():
    # Where ties are under-predicted (|delta| >> tau) the exact Hessian in
    # (delta, kappa) is indefinite; the solver's is not.
    loss = RaoKupperPairLoss()
    rng = np.random.default_rng(1)
    dropped = 0
    for _ in range(200):
        delta = rng.normal(scale=8.0, size=3)
        counts = rng.integers(0, 4, size=(3, 3)).astype(float)
        p = _pieces(loss, delta, counts, rng.normal(scale=1.5, size=1))
        h = np.block(
            [
                [np.diag(p["hess"]), p["hess_cross"]],
                [p["hess_cross"].T, p["hess_extra"]],
            ]
        )
        assert np.linalg.eigvalsh(h)[0] >= -1e-10 * np.abs(h).max()
        dropped += p["grad_extra"][0] < 0
    assert dropped > 20  # the modified case was exercised


def test_davidson_loss_is_jointly_convex():
    # Per row, the Hessian in (delta, log nu) is a covariance matrix, so PSD:
    # Newton needs no safeguard beyond the Bradley-Terry one.
    loss = DavidsonPairLoss()
    rng = np.random.default_rng(0)
    for _ in range(50):
        delta = rng.normal(scale=5.0, size=1)
        counts = rng.integers(0, 6, size=(1, 3)).astype(float)
        p = _pieces(loss, delta, counts, rng.normal(scale=2.0, size=1))
        cross = p["hess_cross"][0, 0]
        h = np.array([[p["hess"][0], cross], [cross, p["hess_extra"][0, 0]]])
        assert np.linalg.eigvalsh(h)[0] >= -1e-12 * np.abs(h).max()


# --- probabilities, symmetries and limits -----------------------------------


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
def test_probabilities_sum_to_one_and_match_the_loss(loss):
    delta, counts, extra = _random_case(3, n=25, delta_scale=5.0)
    proba = loss.predict_proba(delta, extra)
    assert proba.shape == (25, 3)
    assert np.all(proba > 0)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    # The loss is the multinomial negative log-likelihood of these probabilities.
    assert_allclose(loss.loss(delta, counts, extra), -np.sum(counts * np.log(proba)))


def test_davidson_probabilities_match_the_published_formula():
    # Davidson (1970) in strengths: pi_A / (pi_A + pi_B + nu sqrt(pi_A pi_B)).
    rng = np.random.default_rng(0)
    theta_a, theta_b = rng.normal(size=10), rng.normal(size=10)
    nu = 0.7
    pi_a, pi_b = np.exp(theta_a), np.exp(theta_b)
    denom = pi_a + pi_b + nu * np.sqrt(pi_a * pi_b)
    expected = np.column_stack([pi_b, nu * np.sqrt(pi_a * pi_b), pi_a]) / denom[:, None]
    got = DavidsonPairLoss().predict_proba(theta_a - theta_b, [np.log(nu)])
    assert_allclose(got, expected, rtol=1e-13)


def test_rao_kupper_probabilities_match_the_published_formula():
    # Rao and Kupper (1967): pi_A / (pi_A + theta pi_B), theta >= 1.
    rng = np.random.default_rng(1)
    theta_a, theta_b = rng.normal(size=10), rng.normal(size=10)
    threshold = 1.8
    pi_a, pi_b = np.exp(theta_a), np.exp(theta_b)
    p_a = pi_a / (pi_a + threshold * pi_b)
    p_b = pi_b / (threshold * pi_a + pi_b)
    expected = np.column_stack([p_b, 1 - p_a - p_b, p_a])
    kappa = np.log(np.log(threshold))
    got = RaoKupperPairLoss().predict_proba(theta_a - theta_b, [kappa])
    assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
def test_swapping_a_and_b(loss):
    delta, counts, extra = _random_case(5)
    swapped = counts[:, ::-1]
    p = _pieces(loss, delta, counts, extra)
    q = _pieces(loss, -delta, swapped, extra)
    assert_allclose(q["loss"], p["loss"], rtol=1e-13)
    assert_allclose(q["grad"], -p["grad"], rtol=1e-12, atol=1e-14)
    assert_allclose(q["hess"], p["hess"], rtol=1e-12)
    assert_allclose(q["grad_extra"], p["grad_extra"], rtol=1e-12, atol=1e-13)
    assert_allclose(q["hess_extra"], p["hess_extra"], rtol=1e-12)
    assert_allclose(q["hess_cross"], -p["hess_cross"], rtol=1e-12, atol=1e-14)
    assert_allclose(
        loss.predict_proba(-delta, extra),
        loss.predict_proba(delta, extra)[:, ::-1],
        rtol=1e-14,
    )


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("log_extra", [-np.inf, -40.0])
def test_no_tie_limit_is_the_bradley_terry_model(loss, log_extra):
    # nu -> 0 (Davidson) and log theta -> 0 (Rao-Kupper) give P(A) = expit(delta).
    delta, counts, _ = _random_case(7)
    counts[:, 1] = 0.0
    extra = np.array([log_extra])
    p = _pieces(loss, delta, counts, extra)
    ref = _pieces(LogisticPairLoss(), delta, counts, np.zeros(0))
    assert_allclose(p["loss"], ref["loss"], rtol=1e-12)
    assert_allclose(p["grad"], ref["grad"], rtol=1e-12, atol=1e-14)
    assert_allclose(p["hess"], ref["hess"], rtol=1e-12)
    assert_allclose(p["grad_extra"], 0.0, atol=1e-15)
    proba = loss.predict_proba(delta, extra)
    assert_allclose(proba[:, 2], expit(delta), rtol=1e-13)
    assert_allclose(proba[:, 0], expit(-delta), rtol=1e-13)
    assert_allclose(proba[:, 1], 0.0, atol=1e-16)


# --- numerical stability ----------------------------------------------------


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("big", [500.0, 1000.0])
def test_stable_for_large_delta(loss, big):
    delta = np.array([big, -big, big, -big])
    # B won against a far stronger A, a tie, A won, and all three.
    counts = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 1.0, 1.0]])
    extra = np.array([0.3])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        pieces = _pieces(loss, delta, counts, extra)
        proba = loss.predict_proba(delta, extra)
    for value in pieces.values():
        assert np.all(np.isfinite(value))
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(pieces["hess"] >= 0)
    # Losing as a +big favourite costs about big: the asymptote of either model
    # (Davidson: -log P(B) = delta/2 + log Z; Rao-Kupper: delta + tau).
    tau = np.exp(extra[0]) if isinstance(loss, RaoKupperPairLoss) else 0.0
    row_loss = loss.loss(delta[:1], counts[:1], extra)
    assert_allclose(row_loss, big + tau, rtol=1e-12)


def test_davidson_hessian_has_no_cancellation():
    # d2/d delta2 log(2 cosh(delta/2) + nu) = (1 + nu c / 2) / (2 c + nu)^2 with
    # c = cosh(delta / 2) (using c^2 - s^2 = 1): exact where the textbook
    # (p_A + p_B) / 4 - (p_A - p_B)^2 / 4 cancels to 0.
    delta = np.array([20.0, 40.0, 200.0, -200.0])
    counts = np.array([[1.0, 2.0, 3.0]] * 4)
    nu = 0.8
    hess = _pieces(DavidsonPairLoss(), delta, counts, [np.log(nu)])["hess"]
    c = np.cosh(delta / 2)
    assert_allclose(hess, 6 * (1 + nu * c / 2) / (2 * c + nu) ** 2, rtol=1e-12)


def test_rao_kupper_tie_probability_has_no_cancellation():
    # 1 - P(A) - P(B) would be 0 (or negative) here; the closed form
    # sinh(tau) / (cosh(tau) + cosh(delta)) is the reference.
    loss = RaoKupperPairLoss()
    delta = np.array([0.0, 5.0, 20.0, 35.0, -35.0, 300.0])
    for tau in [1e-9, 0.3, 4.0]:
        p_tie = loss.predict_proba(delta, [np.log(tau)])[:, 1]
        with np.errstate(over="ignore"):  # cosh(300) is inf: the reference is 0
            expected = np.sinh(tau) / (np.cosh(tau) + np.cosh(delta))
        assert_allclose(p_tie, expected, rtol=1e-12)
        assert np.all(p_tie[:-1] > 0)


# --- starting values and the no-tie boundary --------------------------------


def test_has_ties():
    assert not has_ties(np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 4.0]]))
    assert has_ties(np.array([[1.0, 0.0, 2.0], [0.0, 0.5, 4.0]]))
    with pytest.raises(ValueError, match="shape"):
        has_ties(np.ones((3, 2)))
    with pytest.raises(ValueError, match="non-negative"):
        has_ties(np.array([[1.0, -1.0, 2.0]]))


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
def test_initial_extra_is_the_mle_for_balanced_data(loss):
    # One pair with equal wins: the MLE is delta = 0 and the tie parameter that
    # reproduces the tie fraction, which is what initial_extra returns.
    counts = np.array([[3.0, 4.0, 3.0]])
    extra = loss.initial_extra(counts)
    p = _pieces(loss, np.zeros(1), counts, extra)
    assert_allclose(p["grad"], 0.0, atol=1e-12)
    assert_allclose(p["grad_extra"], 0.0, atol=1e-12)
    assert_allclose(loss.predict_proba(np.zeros(1), extra)[0, 1], 0.4)


@pytest.mark.parametrize("loss", TIE_LOSSES, ids=LOSS_IDS)
def test_initial_extra_refuses_boundary_data(loss):
    with pytest.raises(ValueError, match="No comparison is a tie.*has_ties"):
        loss.initial_extra(np.array([[2.0, 0.0, 1.0]]))
    with pytest.raises(ValueError, match="Every comparison is a tie"):
        loss.initial_extra(np.array([[0.0, 3.0, 0.0]]))


def test_tie_parameters_and_their_derivatives():
    nu, d_nu = DavidsonPairLoss().tie_parameter(np.array([np.log(0.75)]))
    assert_allclose([nu, d_nu[0]], [0.75, 0.75])
    kappa = np.array([np.log(np.log(1.8))])
    theta, d_theta = RaoKupperPairLoss().tie_parameter(kappa)
    assert_allclose(theta, 1.8)
    fd = _central_difference(
        lambda k: RaoKupperPairLoss().tie_parameter(k)[0], kappa, 1e-6
    )
    assert_allclose(d_theta, fd, rtol=1e-8)


# --- Davidson's (1970) chocolate pudding data -------------------------------


def _pudding(shared_data):
    data = pd.read_csv(shared_data / "pudding_davidson1970.csv")
    assert len(data) == 15
    assert_allclose(data.i_wins + data.j_wins + data.ties, data.n_ij)
    first = data.brand_i.to_numpy() - 1
    second = data.brand_j.to_numpy() - 1
    # Item A is brand_i: columns [B won, tie, A won].
    counts = data[["j_wins", "ties", "i_wins"]].to_numpy(dtype=float)
    return first, second, counts


def _one_hot_design(first, second, n_items=6):
    """delta = theta_i - theta_j, with brand 1 as the reference (theta_1 = 0)."""
    design = np.zeros((len(first), n_items))
    design[np.arange(len(first)), first] += 1.0
    design[np.arange(len(first)), second] -= 1.0
    return design[:, 1:]


def _newton_fit(loss, design, counts):
    """Plain Newton on (coefficients, extra) from the loss's own derivatives."""
    coef = np.zeros(design.shape[1])
    extra = loss.initial_extra(counts)
    for _ in range(50):
        _, grad, hess, grad_extra, hess_extra, hess_cross = loss.loss_gradient_hessian(
            design @ coef, counts, extra
        )
        gradient = np.concatenate([design.T @ grad, grad_extra])
        hessian = np.block(
            [
                [design.T @ (hess[:, None] * design), design.T @ hess_cross],
                [hess_cross.T @ design, hess_extra],
            ]
        )
        step = np.linalg.solve(hessian, gradient)
        coef, extra = coef - step[:-1], extra - step[-1:]
        if np.max(np.abs(step)) < 1e-12:
            return coef, extra, hessian
    raise AssertionError("Newton did not converge on the pudding data")


def _direct_davidson_fit(first, second, counts):
    """Maximise Davidson's likelihood written from the paper's formula alone."""
    j_wins, ties, i_wins = counts.T

    def neg_log_likelihood(params):
        pi = np.exp(np.concatenate([[0.0], params[:-1]]))  # brand 1: log pi = 0
        nu = np.exp(params[-1])
        pi_i, pi_j = pi[first], pi[second]
        denom = pi_i + pi_j + nu * np.sqrt(pi_i * pi_j)
        return -np.sum(
            i_wins * np.log(pi_i / denom)
            + j_wins * np.log(pi_j / denom)
            + ties * np.log(nu * np.sqrt(pi_i * pi_j) / denom)
        )

    result = minimize(
        neg_log_likelihood, np.zeros(6), method="BFGS", jac="3-point", tol=1e-10
    )
    return result.x[:-1], np.exp(result.x[-1]), result.fun


def _direct_rao_kupper_fit(first, second, counts):
    """Maximise Rao and Kupper's likelihood written from the paper's formula."""
    j_wins, ties, i_wins = counts.T

    def neg_log_likelihood(params):
        pi = np.exp(np.concatenate([[0.0], params[:-1]]))
        threshold = 1.0 + np.exp(params[-1])  # theta > 1
        pi_i, pi_j = pi[first], pi[second]
        p_i = pi_i / (pi_i + threshold * pi_j)
        p_j = pi_j / (threshold * pi_i + pi_j)
        return -np.sum(
            i_wins * np.log(p_i) + j_wins * np.log(p_j) + ties * np.log(1 - p_i - p_j)
        )

    result = minimize(
        neg_log_likelihood, np.zeros(6), method="BFGS", jac="3-point", tol=1e-10
    )
    return result.x[:-1], 1.0 + np.exp(result.x[-1])


def test_pudding_davidson_newton_matches_direct_maximisation(shared_data):
    first, second, counts = _pudding(shared_data)
    loss = DavidsonPairLoss()
    coef, extra, _ = _newton_fit(loss, _one_hot_design(first, second), counts)
    direct_coef, direct_nu, direct_nll = _direct_davidson_fit(first, second, counts)
    assert_allclose(coef, direct_coef, atol=1e-6)
    assert_allclose(np.exp(extra[0]), direct_nu, atol=1e-6)
    nll = loss.loss(_one_hot_design(first, second) @ coef, counts, extra)
    assert_allclose(nll, direct_nll, rtol=1e-12)


def test_pudding_davidson_matches_published_estimates(shared_data):
    # Davidson (1970, Example 2) as reproduced in the PlackettLuce vignette
    # ("Introduction to PlackettLuce", section "Pudding example (with ties)"):
    # worths normalised to sum to one, and the tie parameter nu.  The paper
    # stopped its iteration early (PlackettLuce needs maxit = 7 to reproduce
    # it), so the converged MLE agrees only at the printed 4 decimals.
    first, second, counts = _pudding(shared_data)
    design = _one_hot_design(first, second)
    loss = DavidsonPairLoss()
    coef, extra, hessian = _newton_fit(loss, design, counts)
    worth = np.exp(np.concatenate([[0.0], coef]))
    worth /= worth.sum()
    published_worth = [0.1388, 0.1730, 0.1617, 0.1654, 0.1587, 0.2024]
    assert_allclose(worth, published_worth, atol=5e-5)
    assert_allclose(np.exp(extra[0]), 0.7468, atol=5e-5)

    # PlackettLuce's summary of that (7-iteration) fit: log-worths relative to
    # brand 1 and log nu with standard errors, and the deviance -2 log L.  The
    # early stop moves the log-worths by up to 1.5e-4 (brand 4: 0.1753 printed,
    # 0.17514 converged), hence the looser tolerance on them alone.
    assert_allclose(coef, [0.2202, 0.1530, 0.1753, 0.1339, 0.3771], atol=2e-4)
    assert_allclose(extra[0], -0.2919, atol=5e-5)
    std_err = np.sqrt(np.diag(np.linalg.inv(hessian)))
    published_se = [0.1872, 0.1935, 0.1882, 0.1927, 0.1924, 0.0825]
    assert_allclose(std_err, published_se, atol=5e-5)
    assert_allclose(2 * loss.loss(design @ coef, counts, extra), 1619.4, atol=0.05)


def test_pudding_rao_kupper_newton_matches_direct_maximisation(shared_data):
    first, second, counts = _pudding(shared_data)
    coef, extra, _ = _newton_fit(
        RaoKupperPairLoss(), _one_hot_design(first, second), counts
    )
    direct_coef, direct_threshold = _direct_rao_kupper_fit(first, second, counts)
    assert_allclose(coef, direct_coef, atol=1e-6)
    threshold, _ = RaoKupperPairLoss().tie_parameter(extra)
    assert_allclose(threshold, direct_threshold, atol=1e-6)
