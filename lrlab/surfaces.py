"""Analytic test surfaces (minimal placeholder; being extended)."""

from __future__ import annotations

import numpy as np

from ._validation import check_array
from .problem import Problem

__all__ = ["Quadratic", "quadratic"]


class Quadratic(Problem):
    r"""``f(theta) = 1/2 (theta - c)^T A (theta - c)`` with ``A`` symmetric positive definite."""

    def __init__(self, A, center=None, x0=None, name="quadratic"):
        self.A = np.asarray(A, dtype=float)
        self.dim = self.A.shape[0]
        self.center = np.zeros(self.dim) if center is None else np.asarray(center, float)
        self.x0 = np.ones(self.dim) if x0 is None else np.asarray(x0, float)
        eig = np.linalg.eigvalsh(self.A)
        self.smoothness = float(eig[-1])
        self.strong_convexity = float(eig[0])
        self.minima = self.center[None, :]
        self.f_star = 0.0
        self.name = name

    def _loss(self, theta, batch):
        d = theta - self.center
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.A, d)

    def _grad(self, theta, batch):
        return (theta - self.center) @ self.A

    def _hessian(self, theta):
        return np.broadcast_to(self.A, (*theta.shape[:-1], self.dim, self.dim))


def quadratic(eigenvalues, x0=None) -> Quadratic:
    """A diagonal quadratic bowl with the given eigenvalues."""
    eig = check_array(eigenvalues, "eigenvalues", "quadratic", ndim=1)
    return Quadratic(np.diag(eig), x0=x0)
