r"""Sharpness: the top Hessian eigenvalue, the stability limit 2 / sharpness, and its history.

For gradient descent on a quadratic with Hessian :math:`H`, the error along
an eigenvector with eigenvalue :math:`\lambda` is multiplied by
:math:`1 - \eta\lambda` every step, so the run is stable exactly when
:math:`\eta < 2 / \lambda_{\max}`. The *sharpness*
:math:`\lambda_{\max}(\nabla^2 f(\theta))` therefore sets the largest usable
learning rate near :math:`\theta`. Cohen et al. (2021) found, named and
measured "the edge of stability": full-batch gradient descent on neural
networks drives the sharpness *up* until it reaches :math:`2/\eta` and then
hovers there. :func:`edge_of_stability` reproduces it on a small MLP and
:func:`edge_events` finds its landmarks in a trace (the crossing, the
catapult-like spike that follows, the start of the regime).

The eigenvalue comes from Hessian-vector products only (never the full
Hessian unless it is tiny): Lanczos through ``scipy.sparse.linalg.eigsh`` on
a ``LinearOperator``, with power iteration as fallback.
"""

from .edge import EdgeEvents, edge_events
from .eigen import DENSE_MAX_DIM, _eigsh, _hvp_of, _lobpcg_top, _power, sharpness
from .tracking import SharpnessTrace, edge_of_stability, track_sharpness

__all__ = ["DENSE_MAX_DIM", "EdgeEvents", "SharpnessTrace", "edge_events", "edge_of_stability",
           "sharpness", "track_sharpness"]

# used by lrlab.torch.curvature and the tests
_PRIVATE = (_eigsh, _hvp_of, _lobpcg_top, _power)
