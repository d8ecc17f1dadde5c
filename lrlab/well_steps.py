"""The 1-D double well's gradient without temporaries, and one run of it in plain floats.

:func:`lrlab.basins.final_points` steps thousands of gradient-descent runs on
the double well at once (a basin map), or one run (the app's chosen pair).
The double well's gradient (:meth:`lrlab.surfaces.DoubleWell._grad`) is a
rational function of some twenty array operations: for thousands of runs,
each allocates a temporary; for one run, each costs a numpy call (~1 us)
for one number. Here is the same arithmetic, operation for operation (so
the same floating-point results, bit for bit: tested), done

* in place in arrays kept between steps (:class:`InPlaceGradient`), or
* in Python floats for a single run (:func:`one_run`).

Only for the 1-D :class:`~lrlab.surfaces.DoubleWell` itself (:func:`is_double_well`).

Examples
--------
>>> import numpy as np
>>> from lrlab.surfaces import double_well
>>> well = double_well()
>>> x = np.array([[-1.5], [0.3], [2.0]])
>>> bool(np.array_equal(InPlaceGradient(well)(x), well._grad(x, None)))
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .surfaces.wells import _FLAT_AT, _SHARP_AT, DoubleWell

__all__ = ["InPlaceGradient", "is_double_well", "one_run"]


def is_double_well(problem: Any) -> bool:
    """Is ``problem`` the 1-D double well itself (not a subclass that may differ)?"""
    return type(problem) is DoubleWell and problem.dim == 1


class InPlaceGradient:
    """``problem._grad(x, None)`` for ``x`` of shape ``(n, 1)``, in arrays it keeps.

    The result is one of its arrays, overwritten by the next call.
    """

    def __init__(self, problem: DoubleWell):
        self.ks, self.kf = problem.sharp_curvature, problem.flat_curvature
        self.K = 0.5 * self.ks * self.kf  # as DoubleWell._well
        self._n = -1

    def _buffers(self, n: int) -> None:
        if n != self._n:
            self._n = n
            self._b = [np.empty(n) for _ in range(6)]
            self._out = np.empty((n, 1))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        self._buffers(n)
        u, v, N, D, dN, t = self._b
        g = self._out[:, 0]
        ks, kf, sq, mul = self.ks, self.kf, np.square, np.multiply
        x = x[:, 0]
        np.subtract(x, _SHARP_AT, out=u)
        np.subtract(x, _FLAT_AT, out=v)
        mul(u, v, out=t)
        sq(t, out=N)  # N = (u v)^2
        sq(u, out=D)
        mul(ks, D, out=D)
        sq(v, out=t)
        mul(kf, t, out=t)
        np.add(D, t, out=D)  # D = ks u^2 + kf v^2
        mul(2.0, u, out=dN)
        mul(dN, v, out=dN)
        np.add(u, v, out=t)
        mul(dN, t, out=dN)  # dN = 2 u v (u + v)
        mul(ks, u, out=u)
        mul(kf, v, out=v)
        np.add(u, v, out=u)
        mul(2.0, u, out=u)  # dD = 2 (ks u + kf v), in u
        mul(dN, D, out=g)
        mul(N, u, out=N)
        np.subtract(g, N, out=g)
        mul(self.K, g, out=g)
        sq(D, out=D)
        np.divide(g, D, out=g)  # K (dN D - N dD) / D^2
        return self._out


def one_run(problem: DoubleWell, x0: float, lr: float, num_steps: int, noise: float,
            draws: np.ndarray | None, escape: float, wanted: set) -> tuple[float, dict]:
    """One run of :func:`lrlab.basins._iterate`'s loop in Python floats: its end and path.

    ``draws``: the run's noise, shape ``(num_steps,)`` (None without noise).
    Equal to the array loop bit for bit (a run that leaves the ``escape`` ball
    is NaN from there on, as there).
    """
    ks, kf = problem.sharp_curvature, problem.flat_curvature
    K = 0.5 * ks * kf
    z = draws.tolist() if draws is not None else None
    x, path = float(x0), {}
    for step in range(1, num_steps + 1):
        if x != x:  # NaN stays NaN
            if step in wanted:
                path[step] = x
            continue
        u, v = x - _SHARP_AT, x - _FLAT_AT
        t = u * v
        N = t * t
        D = ks * (u * u) + kf * (v * v)
        dN = 2.0 * u * v * (u + v)
        dD = 2.0 * (ks * u + kf * v)
        g = K * (dN * D - N * dD) / (D * D)
        if z is not None:
            g = g + noise * z[step - 1]
        new = x - lr * g
        x = new if abs(new) < escape else math.nan
        if step in wanted:
            path[step] = x
    return x, path
