"""Losses of the paired-comparison models with ties, as pure functions.

Both models follow the interface of :class:`sklearn_bt._loss.LogisticPairLoss`:
a comparison is scored by the scalar linear predictor
``delta = eta + theta_A - theta_B`` and one global tie parameter ``extra``,
shared by all comparisons; outcomes are counts of shape ``(n, 3)`` with
columns ``[B won, tie, A won]``.

- :class:`DavidsonPairLoss` (Davidson, 1970) adds ties to the Bradley-Terry
  model with a tie weight ``nu``; ``extra = [log nu]``.
- :class:`RaoKupperPairLoss` (Rao and Kupper, 1967) is a threshold model: A
  wins when its advantage exceeds ``log(theta_RK)``; ``extra = [kappa]`` with
  ``log(theta_RK) = exp(kappa)``.

The "half-win" convention (a tie is half a win for each side) needs no extra
parameter: it is :class:`~sklearn_bt._loss.LogisticPairLoss`.

When the data hold no tie, the maximum-likelihood tie parameter is on the
boundary (``nu = 0``, ``log(theta_RK) = 0``), where both models reduce to the
plain Bradley-Terry model.  ``initial_extra`` then raises a ``ValueError``;
callers test :func:`has_ties` first and fit ``LogisticPairLoss`` instead.
"""

import numpy as np
from scipy.special import expit, log_expit

from ._loss import A_WON, B_WON, TIE


def has_ties(counts):
    """Whether any comparison in ``counts`` ended in a tie.

    Without a tie the maximum-likelihood tie parameter of both tie models is
    on the boundary of its range (no tie probability at all), where both
    models are the plain Bradley-Terry model: fit
    :class:`~sklearn_bt._loss.LogisticPairLoss` instead and report the tie
    parameter at its boundary value.

    Parameters
    ----------
    counts : array-like of shape (n, 3)
        Outcome counts, columns ``[B won, tie, A won]``.

    Returns
    -------
    bool

    Examples
    --------
    >>> from sklearn_bt._ties import has_ties
    >>> has_ties([[3, 0, 5], [1, 0, 0]])
    False
    >>> has_ties([[3, 1, 5]])
    True
    """
    return bool(_tie_fraction(_check_counts(counts)) > 0)


class DavidsonPairLoss:
    """Negative log-likelihood of Davidson's (1970) model with ties.

    With strengths ``pi = exp(theta)`` and tie weight ``nu >= 0``::

        P(A wins) = pi_A / (pi_A + pi_B + nu * sqrt(pi_A * pi_B))
        P(tie)    = nu * sqrt(pi_A * pi_B) / (...)
        P(B wins) = pi_B / (...)

    In the linear predictor ``delta = theta_A - theta_B``: ``P(A wins) =
    exp(delta / 2) / Z``, ``P(B wins) = exp(-delta / 2) / Z``, ``P(tie) = nu / Z``
    with ``Z = 2 cosh(delta / 2) + nu``.  ``delta`` keeps its Bradley-Terry
    meaning: the log-odds that A beats B given that the comparison was decided.
    Two equal items tie with probability ``nu / (2 + nu)``.

    The single extra parameter is ``extra = [log nu]``, unconstrained.  The
    outcome log-probabilities are linear in ``(delta / 2, -delta / 2, log nu)``
    minus ``log Z``, a log-sum-exp, so the loss is jointly convex in
    ``(delta, log nu)``: Newton's method needs no safeguard beyond the usual
    one for the Bradley-Terry model.
    """

    n_extra = 1
    n_outcomes = 3

    def initial_extra(self, counts):
        """``log nu`` whose tie probability ``nu / (2 + nu)`` at ``delta = 0``
        equals the observed tie fraction ``f``: ``nu = 2 f / (1 - f)``.

        Raises
        ------
        ValueError
            If no comparison is a tie (the MLE is ``nu = 0``: fit the plain
            model) or every comparison is a tie (the MLE ``nu`` is infinite).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_bt._ties import DavidsonPairLoss
        >>> counts = np.array([[3, 2, 5]])  # one tie in five
        >>> nu = np.exp(DavidsonPairLoss().initial_extra(counts))
        >>> round(float(nu[0] / (2 + nu[0])), 12)
        0.2
        """
        f = _interior_tie_fraction(counts)
        return np.array([np.log(2 * f) - np.log1p(-f)])

    def loss(self, delta, counts, extra):
        """Negative log-likelihood, summed over the rows."""
        delta, (b_won, tie, a_won), log_nu = _unpack(delta, counts, extra)
        log_z = self._log_z(delta, log_nu)
        return float(
            (a_won + b_won + tie) @ log_z
            - 0.5 * (a_won - b_won) @ delta
            - _times(tie.sum(), log_nu)
        )

    def loss_gradient_hessian(self, delta, counts, extra):
        """Loss and its first and second derivatives in ``delta`` and ``extra``.

        ``log Z`` is the log-partition function of the outcome scores
        ``s = (delta / 2, -delta / 2, log nu)``, so its derivatives are the mean
        and the (co)variance of the score derivatives under the model.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n,)
            d loss / d delta_i.
        hess : ndarray of shape (n,)
            d2 loss / d delta_i^2.
        grad_extra : ndarray of shape (1,)
            d loss / d log nu.
        hess_extra : ndarray of shape (1, 1)
        hess_cross : ndarray of shape (n, 1)
            d2 loss / d delta_i d log nu.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_bt._ties import DavidsonPairLoss
        >>> counts = np.array([[1.0, 2.0, 1.0]])
        >>> loss, grad, hess, *_ = DavidsonPairLoss().loss_gradient_hessian(
        ...     np.array([0.0]), counts, np.array([0.0]))
        >>> round(loss, 6)  # 4 * log 3: each outcome has probability 1/3
        4.394449
        >>> grad, hess  # symmetric, so no gradient; 4 * Var(+-1/2) = 4 / 6
        (array([0.]), array([0.66666667]))
        """
        delta, (b_won, tie, a_won), log_nu = _unpack(delta, counts, extra)
        total = a_won + b_won + tie
        log_z = self._log_z(delta, log_nu)
        p_b, p_tie, p_a = self._proba(delta, log_nu, log_z)
        half_diff = 0.5 * (p_a - p_b)
        loss = float(
            total @ log_z - 0.5 * (a_won - b_won) @ delta - _times(tie.sum(), log_nu)
        )
        grad = total * half_diff - 0.5 * (a_won - b_won)
        # Var(d s / d delta) = (p_a + p_b) / 4 - (p_a - p_b)^2 / 4, rewritten
        # without the cancellation that loses it for large |delta|.
        hess = total * (0.25 * p_tie * (1.0 - p_tie) + p_a * p_b)
        grad_extra = np.array([total @ p_tie - tie.sum()])
        hess_extra = np.array([[total @ (p_tie * (1.0 - p_tie))]])
        hess_cross = (-total * p_tie * half_diff)[:, None]
        return loss, grad, hess, grad_extra, hess_extra, hess_cross

    def predict_proba(self, delta, extra):
        """Outcome probabilities, columns ``[B wins, tie, A wins]``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_bt._ties import DavidsonPairLoss
        >>> DavidsonPairLoss().predict_proba(np.array([0.0]), np.array([0.0]))
        array([[0.333..., 0.333..., 0.333...]])
        """
        delta = np.asarray(delta, dtype=float)
        log_nu = float(np.asarray(extra, dtype=float)[0])
        p_b, p_tie, p_a = self._proba(delta, log_nu, self._log_z(delta, log_nu))
        return np.column_stack([p_b, p_tie, p_a])

    def tie_parameter(self, extra):
        """``nu`` and its derivative in ``extra``, for the delta method.

        The standard error of ``nu`` is ``nu * se(log nu)``; a confidence
        interval is better built on the ``log nu`` scale and exponentiated.

        Returns
        -------
        value : float
        derivative : ndarray of shape (1,)
            d nu / d extra.
        """
        nu = float(np.exp(np.asarray(extra, dtype=float)[0]))
        return nu, np.array([nu])

    def decisive_probability_of_equals(self, extra):
        """Probability that two items of equal strength do not tie, ``2 / (2 + nu)``."""
        return float(expit(np.log(2.0) - np.asarray(extra, dtype=float)[0]))

    @staticmethod
    def _log_z(delta, log_nu):
        # log(2 cosh(delta / 2) + nu) without overflow for large |delta|.
        return np.logaddexp(np.logaddexp(0.5 * delta, -0.5 * delta), log_nu)

    @staticmethod
    def _proba(delta, log_nu, log_z):
        return (
            np.exp(-0.5 * delta - log_z),
            np.exp(log_nu - log_z),
            np.exp(0.5 * delta - log_z),
        )


class RaoKupperPairLoss:
    """Negative log-likelihood of Rao and Kupper's (1967) threshold model.

    With strengths ``pi = exp(theta)`` and threshold ``theta_RK >= 1``::

        P(A wins) = pi_A / (pi_A + theta_RK * pi_B) = expit(delta - tau)
        P(B wins) = pi_B / (theta_RK * pi_A + pi_B) = expit(-delta - tau)
        P(tie)    = 1 - P(A wins) - P(B wins)
                  = expm1(2 tau) * P(A wins) * P(B wins)
                  = sinh(tau) / (cosh(tau) + cosh(delta))

    with ``tau = log(theta_RK) >= 0``: A wins when its advantage ``delta`` plus
    logistic noise exceeds ``tau``.  Two equal items tie with probability
    ``tanh(tau / 2)``.

    The extra parameter is ``extra = [kappa]`` with ``tau = exp(kappa)``.  It is
    unconstrained, and for rare ties ``P(tie) ~ tau`` is linear in ``kappa`` on
    the log scale, as Davidson's is in ``log nu``: the boundary (no ties,
    ``kappa -> -inf``) is met and handled the same way in both models.  A
    softplus would behave the same near the boundary and only add algebra.
    The price: the loss is jointly convex in ``(delta, tau)`` but not in
    ``(delta, kappa)`` everywhere.  The chain rule adds ``tau * dloss/dtau`` to
    ``hess_extra``, negative where ties are under-predicted (rows with ties
    and ``|delta|`` much larger than ``tau``), so the Hessian can be
    indefinite.  At the optimum that term sums to zero; away from it,
    ``hess_extra`` leaves it out when it is negative, so that Newton's steps
    are always descent directions.
    """

    n_extra = 1
    n_outcomes = 3

    def initial_extra(self, counts):
        """``kappa`` whose tie probability ``tanh(tau / 2)`` at ``delta = 0``
        equals the observed tie fraction ``f``: ``tau = 2 artanh(f)``.

        Raises
        ------
        ValueError
            If no comparison is a tie (the MLE is ``tau = 0``: fit the plain
            model) or every comparison is a tie (the MLE ``tau`` is infinite).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_bt._ties import RaoKupperPairLoss
        >>> counts = np.array([[3, 2, 5]])  # one tie in five
        >>> tau = np.exp(RaoKupperPairLoss().initial_extra(counts))
        >>> round(float(np.tanh(tau[0] / 2)), 12)
        0.2
        """
        f = _interior_tie_fraction(counts)
        return np.array([np.log(2 * np.arctanh(f))])

    def loss(self, delta, counts, extra):
        """Negative log-likelihood, summed over the rows."""
        delta, (b_won, tie, a_won), kappa = _unpack(delta, counts, extra)
        tau = np.exp(kappa)
        # A tie has probability expm1(2 tau) * P(A wins) * P(B wins): ties add
        # to both win terms, plus a term in tau alone.
        return float(
            -(a_won + tie) @ log_expit(delta - tau)
            - (b_won + tie) @ log_expit(-delta - tau)
            - _times(tie.sum(), _log_expm1(2 * tau))
        )

    def loss_gradient_hessian(self, delta, counts, extra):
        """Loss and its first and second derivatives in ``delta`` and ``extra``.

        Computed in ``tau`` and carried to ``kappa = log tau`` by the chain
        rule: ``d/d kappa = tau d/d tau`` and
        ``d2/d kappa2 = tau^2 d2/d tau2 + tau d/d tau``.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n,)
            d loss / d delta_i.
        hess : ndarray of shape (n,)
            d2 loss / d delta_i^2.
        grad_extra : ndarray of shape (1,)
            d loss / d kappa.
        hess_extra : ndarray of shape (1, 1)
        hess_cross : ndarray of shape (n, 1)
            d2 loss / d delta_i d kappa.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_bt._ties import RaoKupperPairLoss
        >>> counts = np.array([[1.0, 2.0, 1.0]])
        >>> loss, grad, hess, *_ = RaoKupperPairLoss().loss_gradient_hessian(
        ...     np.array([0.0]), counts, np.array([0.0]))
        >>> grad  # symmetric, so no gradient
        array([0.])
        """
        delta, (b_won, tie, a_won), kappa = _unpack(delta, counts, extra)
        tau = np.exp(kappa)
        n_ties = tie.sum()
        a_side, b_side = a_won + tie, b_won + tie
        u, v = delta - tau, -delta - tau
        loss = float(
            -a_side @ log_expit(u)
            - b_side @ log_expit(v)
            - _times(n_ties, _log_expm1(2 * tau))
        )
        # d log expit(x) / dx = expit(-x); d2 = -expit(x) expit(-x).
        da, db = a_side * expit(-u), b_side * expit(-v)
        ca, cb = a_side * expit(u) * expit(-u), b_side * expit(v) * expit(-v)
        grad = db - da
        hess = ca + cb
        # d log expm1(2 tau) / d tau = 1 + coth(tau); its derivative is
        # -1 / sinh(tau)^2.  Both written with expm1(-2 tau), finite for large
        # tau; only evaluated when there are ties, so tau = 0 is allowed.
        if n_ties > 0:
            em = np.expm1(-2 * tau)
            dtie, d2tie = -2.0 / em, -4.0 * np.exp(-2 * tau) / em**2
        else:
            dtie = d2tie = 0.0
        grad_tau = da.sum() + db.sum() - n_ties * dtie
        hess_tau = hess.sum() - n_ties * d2tie
        grad_extra = np.array([tau * grad_tau])
        # The chain rule's first-order term tau * dloss/dtau can make the
        # Hessian indefinite away from the optimum, and a Newton step on it
        # an ascent direction (on nearly all-tie data the fit then stopped at
        # a point with a large gradient, as if converged).  Dropping it when
        # negative leaves tau^2 times the (delta, tau) Hessian, positive
        # semi-definite since the loss is convex in (delta, tau); at the
        # optimum the term sums to the gradient, zero, so hessian_ is exact.
        hess_extra = np.array([[tau**2 * hess_tau + max(tau * grad_tau, 0.0)]])
        hess_cross = (tau * (cb - ca))[:, None]
        return loss, grad, hess, grad_extra, hess_extra, hess_cross

    def predict_proba(self, delta, extra):
        """Outcome probabilities, columns ``[B wins, tie, A wins]``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_bt._ties import RaoKupperPairLoss
        >>> tau = 2 * np.arctanh(0.5)  # equal items tie half the time
        >>> RaoKupperPairLoss().predict_proba(np.array([0.0]), [np.log(tau)])
        array([[0.25, 0.5 , 0.25]])
        """
        delta = np.asarray(delta, dtype=float)
        tau = float(np.exp(np.asarray(extra, dtype=float)[0]))
        log_p_a, log_p_b = log_expit(delta - tau), log_expit(-delta - tau)
        # Not 1 - P(A) - P(B): that cancels to zero (log(0) downstream) as soon
        # as tau is small or |delta| is large.
        p_tie = np.exp(_log_expm1(2 * tau) + log_p_a + log_p_b)
        return np.column_stack([np.exp(log_p_b), p_tie, np.exp(log_p_a)])

    def tie_parameter(self, extra):
        """Rao and Kupper's ``theta_RK = exp(tau) = exp(exp(kappa))`` and its
        derivative in ``extra``, for the delta method.

        The standard error of ``theta_RK`` is ``theta_RK * tau * se(kappa)``;
        a confidence interval is better built on the ``kappa`` scale and
        transformed.

        Returns
        -------
        value : float
        derivative : ndarray of shape (1,)
            d theta_RK / d extra.
        """
        tau = float(np.exp(np.asarray(extra, dtype=float)[0]))
        theta = float(np.exp(tau))
        return theta, np.array([theta * tau])

    def decisive_probability_of_equals(self, extra):
        """Probability that two items of equal strength do not tie,
        ``1 - tanh(tau / 2) = 2 expit(-tau)``."""
        return float(2.0 * expit(-np.exp(np.asarray(extra, dtype=float)[0])))


def _check_counts(counts):
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2 or counts.shape[1] != 3:
        raise ValueError(
            f"counts must have shape (n, 3) with columns [B won, tie, A won]; "
            f"got shape {counts.shape}."
        )
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("counts must be finite and non-negative.")
    return counts


def _tie_fraction(counts):
    total = counts.sum()
    if total <= 0:
        raise ValueError("counts hold no comparison (their sum is 0).")
    return counts[:, TIE].sum() / total


def _interior_tie_fraction(counts):
    """Observed tie fraction, refused where the MLE tie parameter is infinite."""
    f = _tie_fraction(_check_counts(counts))
    if f == 0:
        raise ValueError(
            "No comparison is a tie, so the maximum-likelihood tie parameter is "
            "0 (its boundary) and the tie model is the plain Bradley-Terry "
            "model: check has_ties(counts) first and fit LogisticPairLoss."
        )
    if f == 1:
        raise ValueError(
            "Every comparison is a tie, so the maximum-likelihood tie parameter "
            "is infinite and the strengths are not identified: add decided "
            "comparisons or fit a model without ties."
        )
    return f


def _unpack(delta, counts, extra):
    counts = np.asarray(counts, dtype=float)
    extra = float(np.asarray(extra, dtype=float)[0])
    columns = counts[:, B_WON], counts[:, TIE], counts[:, A_WON]
    return np.asarray(delta, dtype=float), columns, extra


def _times(count, log_value):
    # 0 * log(0) is 0 here: no tie observed contributes nothing, even on the
    # boundary where the tie parameter is 0 and its log is -inf.
    return count * log_value if count > 0 else 0.0


def _log_expm1(x):
    """log(exp(x) - 1) for scalar x >= 0, without overflow for large x."""
    if x > 1.0:
        return x + np.log1p(-np.exp(-x))
    with np.errstate(divide="ignore"):  # log(0) = -inf at x = 0 is intended
        return np.log(np.expm1(x))
