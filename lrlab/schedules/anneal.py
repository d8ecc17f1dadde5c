"""Annealing over a horizon: polynomial, linear and cosine schedules that end at a final rate.

Each reaches its final rate at ``total_steps`` and holds it afterwards. See
:mod:`lrlab.schedules` for the conventions (0-based ``t``, array base rates,
vectorised steps) and the table of PyTorch counterparts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_int, check_real
from .base import Schedule, check_rate

__all__ = ["Cosine", "Linear", "Polynomial", "cosine", "linear", "polynomial"]


@dataclass(frozen=True, eq=False, repr=False)
class Polynomial(Schedule):
    """Polynomial decay to ``final_lr`` in ``total_steps``; see :func:`polynomial`."""

    lr: Any
    total_steps: int
    power: float = 1.0
    final_lr: Any = 0.0
    name = "polynomial"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("total_steps", check_int, low=1)
        self._check("power", check_real, low=0, low_open=True)
        self._check("final_lr", check_rate, positive=False)

    def _rates(self):
        return (self.lr, self.final_lr)

    def _eval(self, t):
        T = self.total_steps
        frac = (1.0 - np.minimum(t, T) / T) ** self.power
        return self.final_lr + (self.lr - self.final_lr) * frac

    formula = (r"\eta_t = \eta_T + (\eta_0 - \eta_T)"
               r"\left(1 - \frac{\min(t, T)}{T}\right)^{p}")
    torch = ("PolynomialLR(opt, total_iters=total_steps, power=power): equal when final_lr=0 "
             "(torch has no floor; TF PolynomialDecay and optax polynomial_schedule have it)")

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("T", self.total_steps), ("p", self.power),
                (r"\eta_T", self.final_lr))


def polynomial(lr: Any, total_steps: int, power: float = 1.0, final_lr: Any = 0.0) -> Polynomial:
    r"""Polynomial decay from ``lr`` to ``final_lr`` over ``total_steps`` steps, then flat.

    Parameters
    ----------
    lr : float or array
        Rate at ``t = 0``.
    total_steps : int >= 1
        :math:`T`: the step at which ``final_lr`` is reached.
    power : float > 0
        :math:`p`; 1 is a straight line, 2 drops fast then flattens, 0.5 the reverse.
    final_lr : float or array >= 0
        :math:`\eta_T`, the floor held for every :math:`t \ge T`.

    Returns
    -------
    Polynomial

    Notes
    -----
    .. math::
        \eta_t = \eta_T + (\eta_0 - \eta_T)\left(1 - \frac{\min(t, T)}{T}\right)^{p}

    With ``final_lr = 0`` this is ``torch.optim.lr_scheduler.PolynomialLR``
    (``total_iters = total_steps``, same ``power``), values equal to 1e-10
    (tested against torch's recursive form). ``final_lr`` interpolates rather
    than clips, as TensorFlow's ``PolynomialDecay`` and optax's
    ``polynomial_schedule`` do.

    Examples
    --------
    >>> lr = polynomial(1.0, total_steps=4, power=2.0)
    >>> [lr(t) for t in range(6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    >>> polynomial(1.0, 4, final_lr=0.2)(2)
    0.6

    References
    ----------
    Robbins & Monro (1951), "A stochastic approximation method".
    """
    return Polynomial(lr, total_steps, power, final_lr)


@dataclass(frozen=True, eq=False, repr=False)
class Linear(Schedule):
    """Linear change of a factor of ``lr``; see :func:`linear`."""

    lr: Any
    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_steps: int = 5
    name = "linear"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("start_factor", check_real, low=0)
        self._check("end_factor", check_real, low=0)
        self._check("total_steps", check_int, low=1)

    def _rates(self):
        return (self.lr,)

    def _eval(self, t):
        a, b, T = self.start_factor, self.end_factor, self.total_steps
        return self.lr * (a + (b - a) * np.minimum(t, T) / T)

    formula = r"\eta_t = \eta_0\left(a + (b - a)\,\frac{\min(t, T)}{T}\right)"
    torch = ("LinearLR(opt, start_factor=1/3, end_factor=1.0, total_iters=5): same values, "
             "same defaults (torch restricts the factors to [0, 1]; lrlab allows factors > 1)")

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("a", self.start_factor), ("b", self.end_factor),
                ("T", self.total_steps))


def linear(lr: Any, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
           total_steps: int = 5) -> Linear:
    r"""Linear schedule: the factor of ``lr`` moves from ``start_factor`` to ``end_factor``.

    Parameters
    ----------
    lr : float or array
        The rate the factors multiply.
    start_factor : float >= 0
        :math:`a`, factor at ``t = 0`` (PyTorch's default 1/3).
    end_factor : float >= 0
        :math:`b`, factor from ``t = total_steps`` on (PyTorch's default 1).
    total_steps : int >= 1
        :math:`T`, length of the ramp (PyTorch's default 5).

    Returns
    -------
    Linear

    Notes
    -----
    .. math:: \eta_t = \eta_0\left(a + (b - a)\,\frac{\min(t, T)}{T}\right)

    Equal to ``torch.optim.lr_scheduler.LinearLR`` (defaults included)
    stepped once per step; torch computes it recursively and agrees to 1e-10.
    Torch only accepts ``0 < start_factor <= 1`` and ``0 <= end_factor <= 1``
    because its recursive form divides by the previous factor; the closed
    form has no such limit, so lrlab accepts any factors >= 0 (a warm-up from
    :math:`\eta` to :math:`k\eta`, as in Goyal et al., has ``b = k > 1``).
    ``linear(lr, 1.0, 0.0, T)`` is the linear decay to zero.

    Examples
    --------
    >>> lr = linear(0.3)          # torch's defaults: 1/3 -> 1 in 5 steps
    >>> [round(lr(t), 6) for t in range(7)]
    [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3]

    References
    ----------
    Goyal et al. (2017), "Accurate, large minibatch SGD: training ImageNet in 1 hour".
    """
    return Linear(lr, start_factor, end_factor, total_steps)


@dataclass(frozen=True, eq=False, repr=False)
class Cosine(Schedule):
    """Half a cosine from ``lr`` to ``final_lr``, then flat; see :func:`cosine`."""

    lr: Any
    total_steps: int
    final_lr: Any = 0.0
    name = "cosine"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("total_steps", check_int, low=1)
        self._check("final_lr", check_rate, positive=False)

    def _rates(self):
        return (self.lr, self.final_lr)

    def _eval(self, t):
        T = self.total_steps
        return self.final_lr + (self.lr - self.final_lr) * (
            1.0 + np.cos(np.pi * np.minimum(t, T) / T)) / 2.0

    formula = (r"\eta_t = \eta_T + \tfrac12(\eta_0 - \eta_T)"
               r"\left(1 + \cos\frac{\pi \min(t, T)}{T}\right)")
    torch = ("CosineAnnealingLR(opt, T_max=total_steps, eta_min=final_lr): equal for "
             "t <= T_max; afterwards torch's cosine climbs back up (period 2 T_max), "
             "lrlab stays at final_lr")

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("T", self.total_steps), (r"\eta_T", self.final_lr))


def cosine(lr: Any, total_steps: int, final_lr: Any = 0.0) -> Cosine:
    r"""Cosine annealing from ``lr`` to ``final_lr`` in ``total_steps`` steps, then flat.

    Parameters
    ----------
    lr : float or array
        Rate at ``t = 0`` (:math:`\eta_{\max}` in SGDR).
    total_steps : int >= 1
        :math:`T` (torch's ``T_max``): the step at which ``final_lr`` is reached.
    final_lr : float or array >= 0
        :math:`\eta_T` (torch's ``eta_min``), held for every :math:`t \ge T`.

    Returns
    -------
    Cosine

    Notes
    -----
    .. math::
        \eta_t = \eta_T + \tfrac12(\eta_0 - \eta_T)\left(1 + \cos\frac{\pi \min(t, T)}{T}\right)

    For :math:`t \le T` this is the closed form of
    ``torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min)``, and
    it equals (to 1e-10, tested) the values torch's recursive form produces
    when stepped once per step.

    **After** :math:`T` **lrlab differs on purpose.** Torch's formula has no
    ``min``: both its closed and its recursive form keep following the
    cosine, so the rate climbs back to ``lr`` at :math:`2T` and oscillates
    with period :math:`2T`. lrlab clamps at ``final_lr``, as nanoGPT's
    ``get_lr``, optax's ``cosine_decay_schedule`` and Keras' ``CosineDecay``
    do: a run that outlasts its schedule keeps its smallest rate instead of
    silently restarting a warm climb to the largest one (if restarts are what
    you want, say so with :func:`cosine_restarts`).

    Examples
    --------
    >>> lr = cosine(1.0, total_steps=4)
    >>> [round(lr(t), 6) for t in range(6)]
    [1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]

    References
    ----------
    Loshchilov & Hutter (2017), "SGDR: stochastic gradient descent with warm restarts".
    """
    return Cosine(lr, total_steps, final_lr)
