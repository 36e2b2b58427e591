"""Warnings raised by sklearn_bt, and where they point."""

import os
import sys

import sklearn
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


def user_stacklevel():
    """``stacklevel`` for ``warnings.warn`` that points at the user's line.

    Called inside the function that warns; counts the frames of sklearn_bt
    and scikit-learn above it (a fit runs inside scikit-learn's wrappers, a
    Pipeline's steps inside the Pipeline), whose depth varies with the call
    path and with scikit-learn's version.
    """
    frame = sys._getframe(1)  # the function that warns: stacklevel 1
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame = frame.f_back
        level += 1
    return level


# Frames in these directories are not the user's.
_INTERNAL = (
    os.path.dirname(sklearn.__file__) + os.sep,
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
)
