"""Per-comparison losses of pairwise-comparison models, as pure functions.

Every model in this library scores a comparison through one scalar, the linear
predictor ``delta = eta + theta_A - theta_B`` (the log-odds that A beats B in the
plain model), and possibly a few global parameters shared by all comparisons
(``extra``: the tie parameter of Davidson's model, for instance).  A loss maps
``delta``, the observed outcome counts and ``extra`` to the negative
log-likelihood and its derivatives; the solvers combine them with the design by
the chain rule.  Keeping the loss scalar is what lets one Newton solver serve
dense features, sparse features and aggregated item ids alike.

Outcomes are counts (frequency weights) in an array of shape ``(n, 3)`` whose
columns are ``[B won, tie, A won]``: one raw comparison is a row with its weight
in one column; aggregated data puts several comparisons in one row.
"""

import numpy as np
from scipy.special import expit, log_expit

B_WON, TIE, A_WON = 0, 1, 2


# Rows per block of the loss evaluation (32k rows: a few 256 KiB arrays).
_BLOCK_ROWS = 1 << 15


def _logistic_terms(delta, a_won, b_won, total, grad, hess):
    """Loss of a block of rows; writes d loss / d delta and its derivative.

    One exp and one log1p per row (log_expit and two exps cost twice as
    much): with e = exp(-|delta|), -log p = max(-delta, 0) + log1p(e),
    -log q = max(delta, 0) + log1p(e), p = 1 / (1 + e) or e / (1 + e) by the
    sign of delta, and p q = e / (1 + e)^2.  Exact in both tails; the loss is
    summed from nonnegative terms and the gradient written in the smaller
    of p and q, so nothing cancels.

    The sign of delta picks terms by multiplying them with 0 or 1, which is
    exact, and not by masks: a masked subtraction or ``np.where`` on a
    random sign costs ten times an arithmetic pass (mispredicted branches),
    and was 40% of the loss.
    """
    e = np.abs(delta)
    np.negative(e, out=e)
    np.exp(e, out=e)
    nonnegative = np.greater_equal(delta, 0.0).astype(np.float64)
    # The wins that max(-delta, 0) and max(delta, 0) weigh: A's where delta
    # < 0, B's where delta >= 0 (a product with 0 or 1 is exact).
    a_where_negative = a_won * (1.0 - nonnegative)
    b_where_nonnegative = b_won * nonnegative
    loss = total @ np.log1p(e) - a_where_negative @ delta + b_where_nonnegative @ delta
    inv = 1.0 + e
    np.reciprocal(inv, out=inv)
    small = e * inv  # the smaller of p and q = 1 - p, exact in the tails
    # The gradient total p - a_won is b_won - total q where delta >= 0: the
    # form in the smaller probability, which does not cancel when a heavily
    # weighted side nearly always wins (total p - a_won did: a weight of
    # 1e20 stopped the fit 9 log-odds short, where p rounds to 1).  Both are
    # (total small - wins) times a sign, the wins being one of the two terms
    # above (the other is 0).
    np.multiply(total, small, out=grad)
    grad -= a_where_negative
    grad -= b_where_nonnegative
    nonnegative *= -2.0
    nonnegative += 1.0
    grad *= nonnegative
    np.multiply(small, inv, out=hess)
    hess *= total
    return loss


class LogisticPairLoss:
    """Negative log-likelihood of the Bradley-Terry model, P(A wins) = expit(delta).

    A tie, if the counts hold any, counts as half a win for each side (the
    "half-win" convention); the dedicated tie models live in ``_ties.py``.
    """

    n_extra = 0
    n_outcomes = 2

    def initial_extra(self, counts):
        return np.zeros(0)

    def loss(self, delta, counts, extra):
        a_won, b_won, _ = self._wins(counts)
        # log_expit is exact in both tails, where log(expit(.)) underflows to -inf.
        return -(a_won @ log_expit(delta) + b_won @ log_expit(-delta))

    def loss_gradient_hessian(self, delta, counts, extra):
        """Loss, its first and second derivatives in ``delta`` and in ``extra``.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n,)
            d loss / d delta_i.
        hess : ndarray of shape (n,)
            d2 loss / d delta_i^2 (the loss is separable in the rows).
        grad_extra : ndarray of shape (n_extra,)
        hess_extra : ndarray of shape (n_extra, n_extra)
        hess_cross : ndarray of shape (n, n_extra)
            d2 loss / d delta_i d extra_k.
        """
        a_won, b_won, total = self._wins(counts)
        n = len(delta)
        grad, hess = np.empty(n), np.empty(n)
        loss = 0.0
        # Block by block: the dozen temporaries of a block stay in the CPU
        # cache instead of streaming n-long arrays through memory (1.5x faster
        # on 1e6 rows).
        for start in range(0, n, _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            loss += _logistic_terms(
                delta[rows],
                a_won[rows],
                b_won[rows],
                total[rows],
                grad[rows],
                hess[rows],
            )
        empty = np.zeros(0)
        return loss, grad, hess, empty, np.zeros((0, 0)), np.zeros((len(delta), 0))

    def predict_proba(self, delta, extra):
        """Outcome probabilities, columns ``[B wins, A wins]``."""
        return np.column_stack([expit(-delta), expit(delta)])

    def _wins(self, counts):
        # The solver passes the same counts at every iteration: derive the
        # wins once.
        cached = getattr(self, "_cache", None)
        if cached is not None and cached[0] is counts:
            return cached[1]
        half_ties = 0.5 * counts[:, TIE]
        a_won, b_won = counts[:, A_WON] + half_ties, counts[:, B_WON] + half_ties
        wins = a_won, b_won, a_won + b_won
        self._cache = (counts, wins)
        return wins
