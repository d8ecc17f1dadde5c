r"""Analytic problems: closed-form losses with exact gradients and Hessians.

Every surface is a :class:`~lrlab.problem.Problem` (``theta`` of shape
``(..., dim)``, so one call evaluates many runs) that knows its minima,
its minimum value ``f_star`` and, where they exist, its global smoothness
``L`` and strong convexity ``mu``. Every factory takes ``x0=None`` (the
default start) and ``noise=0.0``: with ``noise > 0`` the gradient gets
seeded Gaussian noise of standard deviation ``noise / sqrt(batch_size)``,
which mimics minibatch SGD.

========================  ======  ==================================================
factory                   dim     what it teaches
========================  ======  ==================================================
:func:`parabola`          1       the stability limit ``lr < 2 / curvature``
:func:`quadratic`         n       eigenvalues set the rates; ``L``, ``mu``
:func:`ill_conditioned`   n       condition number ``kappa``: zig-zag and crawl
:func:`curve_1d`          1       curvature changes away from the minimum
:func:`double_well`       1 / 2   a large rate escapes the sharp minimum
:func:`rosenbrock`        2       a curved valley; no global ``L``
:func:`beale`             2       plateaus and ridges: the gradient varies 10^5x
:func:`himmelblau`        2       four minima: the rate decides which one
:func:`rastrigin`         n       many local minima; a global ``L``
:func:`saddle`            2       slow escape from a saddle point
========================  ======  ==================================================

``SURFACES`` maps each name to its factory and :func:`get` builds one by
name (for dropdowns).

>>> from lrlab import surfaces
>>> f = surfaces.get("rosenbrock")
>>> f.loss([[1.0, 1.0], [0.0, 0.0]])
array([0., 1.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._validation import check_choice
from .base import Surface
from .classic import (
    Beale,
    Himmelblau,
    Rastrigin,
    Rosenbrock,
    beale,
    himmelblau,
    rastrigin,
    rosenbrock,
)
from .quadratic import Quadratic, ill_conditioned, parabola, quadratic
from .wells import Curve1D, DoubleWell, Saddle, curve_1d, double_well, saddle

__all__ = [
    "SURFACES", "Beale", "Curve1D", "DoubleWell", "Himmelblau", "Quadratic", "Rastrigin",
    "Rosenbrock", "Saddle", "Surface", "beale", "curve_1d", "double_well", "get", "himmelblau",
    "ill_conditioned", "parabola", "quadratic", "rastrigin", "rosenbrock", "saddle",
]


#: Every surface factory by name (each callable with no arguments).
SURFACES: dict[str, Callable[..., Surface]] = {
    "parabola": parabola,
    "quadratic": quadratic,
    "ill_conditioned": ill_conditioned,
    "curve_1d": curve_1d,
    "double_well": double_well,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "rastrigin": rastrigin,
    "saddle": saddle,
}


def get(name: str, **kwargs: Any) -> Surface:
    """Build the surface called ``name`` (a key of :data:`SURFACES`) with ``kwargs``.

    Parameters
    ----------
    name : str
        A key of :data:`SURFACES`.
    **kwargs
        Passed to the factory (``x0``, ``noise``, ...).

    Returns
    -------
    Surface

    Examples
    --------
    >>> get("himmelblau").minima.shape
    (4, 2)
    >>> get("banana")
    Traceback (most recent call last):
    ...
    ValueError: The 'name' parameter of lrlab.surfaces.get must be one of 'parabola', 'quadratic', 'ill_conditioned', 'curve_1d', 'double_well', 'rosenbrock', 'beale', 'himmelblau', 'rastrigin', 'saddle'. Got 'banana' instead.
    """  # noqa: E501
    check_choice(name, "name", "lrlab.surfaces.get", SURFACES)
    return SURFACES[name](**kwargs)
