"""Warnings raised by sklearn_bt."""

from sklearn.exceptions import ConvergenceWarning


class MLEDoesNotExistWarning(ConvergenceWarning):
    """The maximum-likelihood estimate does not exist (it lies at infinity).

    Raised by an unpenalised fit (``alpha=0``) when the data are separable: an
    item that never lost or never won, a comparison graph that is not strongly
    connected, or features that perfectly predict the outcomes.  The returned
    coefficients are finite but arbitrary along the diverging direction.  Set
    ``alpha > 0`` (a Gaussian prior always has a finite optimum) or restrict the
    data to the largest strongly connected component of the comparison graph.
    """
