"""Tests of the Bradley-Terry loss (``_loss.py``) against independent formulas and
finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit

from sklearn_bt._loss import A_WON, B_WON, TIE, LogisticPairLoss


def _case(seed, n=9, with_ties=True):
    rng = np.random.default_rng(seed)
    delta = rng.normal(scale=2.0, size=n)
    counts = rng.integers(0, 5, size=(n, 3)).astype(float)
    if not with_ties:
        counts[:, TIE] = 0.0
    counts[0] = 0.0  # a row without any comparison contributes nothing
    return delta, counts


def _reference_loss(delta, counts):
    """Negative log-likelihood written out: a tie is half a win for each side."""
    a_won = counts[:, A_WON] + 0.5 * counts[:, TIE]
    b_won = counts[:, B_WON] + 0.5 * counts[:, TIE]
    p = 1.0 / (1.0 + np.exp(-delta))
    return -np.sum(a_won * np.log(p) + b_won * np.log(1.0 - p))


def _central_difference(f, x, step):
    """Jacobian of ``f`` at ``x`` by central differences (last axis: x)."""
    columns = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = step
        columns.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * step))
    return np.stack(columns, axis=-1)


def test_outcome_columns_are_b_won_tie_a_won():
    assert (B_WON, TIE, A_WON) == (0, 1, 2)


@pytest.mark.parametrize("with_ties", [False, True])
def test_loss_equals_written_out_likelihood(with_ties):
    delta, counts = _case(0, with_ties=with_ties)
    loss = LogisticPairLoss()
    assert_allclose(loss.loss(delta, counts, None), _reference_loss(delta, counts))
    full = loss.loss_gradient_hessian(delta, counts, np.zeros(0))[0]
    assert_allclose(full, _reference_loss(delta, counts), rtol=1e-13)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_and_hessian_match_finite_differences(seed):
    delta, counts = _case(seed)
    loss = LogisticPairLoss()
    _, grad, hess, grad_extra, hess_extra, hess_cross = loss.loss_gradient_hessian(
        delta, counts, np.zeros(0)
    )
    fd_grad = _central_difference(
        lambda d: _reference_loss(d, counts), delta, step=1e-5
    )
    assert_allclose(grad, fd_grad, rtol=1e-7, atol=1e-8)
    # The loss is separable in the rows: the Hessian is diagonal.
    fd_hess = _central_difference(
        lambda d: loss.loss_gradient_hessian(d, counts, np.zeros(0))[1],
        delta,
        step=1e-6,
    )
    assert_allclose(np.diag(hess), fd_hess, rtol=1e-7, atol=1e-8)
    assert grad_extra.shape == (0,)
    assert hess_extra.shape == (0, 0)
    assert hess_cross.shape == (len(delta), 0)


def test_gradient_closed_form():
    # d/d delta of the loss: (wins_A + wins_B) * p - wins_A, with ties as halves.
    delta = np.array([-1.0, 0.0, 2.0])
    counts = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 4.0], [5.0, 0.0, 0.0]])
    _, grad, hess, *_ = LogisticPairLoss().loss_gradient_hessian(
        delta, counts, np.zeros(0)
    )
    p = expit(delta)
    assert_allclose(grad, [6 * p[0] - 4.0, 4 * p[1] - 4.0, 5 * p[2]])
    assert_allclose(hess, [6, 4, 5] * p * (1 - p))


def test_loss_is_exact_in_the_tails():
    # log(expit(-800)) underflows to -inf; the loss must stay exact: 800 per loss.
    delta = np.array([800.0, -800.0])
    counts = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    loss, grad, hess, *_ = LogisticPairLoss().loss_gradient_hessian(
        delta, counts, np.zeros(0)
    )
    assert loss == pytest.approx(800.0 + 2 * 800.0, rel=1e-15)
    assert_allclose(grad, [1.0, -2.0])
    assert np.all(np.isfinite(hess)) and np.all(hess >= 0)


def test_predict_proba_columns():
    delta = np.array([-3.0, 0.0, 0.7])
    proba = LogisticPairLoss().predict_proba(delta, np.zeros(0))
    assert_allclose(proba[:, 1], 1 / (1 + np.exp(-delta)))
    assert_allclose(proba.sum(axis=1), 1.0)


def test_zero_counts_contribute_nothing():
    delta, counts = _case(3)
    loss = LogisticPairLoss()
    padded_delta = np.r_[delta, 5.0]
    padded_counts = np.vstack([counts, np.zeros(3)])
    terms = loss.loss_gradient_hessian(padded_delta, padded_counts, np.zeros(0))
    assert terms[0] == pytest.approx(loss.loss(delta, counts, None))
    assert terms[1][-1] == 0.0 and terms[2][-1] == 0.0


def test_gradient_does_not_cancel_for_heavily_weighted_certain_wins():
    # A side with weight 1e20 that nearly always wins: p rounds to 1, and the
    # gradient total * p - a_won cancelled to 0 (the fit stopped 9 log-odds
    # short).  Written in the smaller probability it is exact.
    delta = np.array([40.0, -40.0, 3.0, -3.0])
    counts = np.array(
        [[1.0, 0.0, 1e20], [1e20, 0.0, 1.0], [2.0, 0.0, 5.0], [5.0, 0.0, 2.0]]
    )  # [B won, tie, A won]
    _, grad, *_ = LogisticPairLoss().loss_gradient_hessian(delta, counts, None)
    b_won, a_won = counts[:, 0], counts[:, 2]
    expected = b_won * expit(delta) - a_won * expit(-delta)
    np.testing.assert_allclose(grad, expected, rtol=1e-12)
