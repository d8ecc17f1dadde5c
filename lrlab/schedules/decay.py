"""Decays without an end: constant, 1/t, 1/sqrt(t), step, multi-step, exponential.

Each factory validates its arguments and returns a frozen :class:`Schedule`;
see :mod:`lrlab.schedules` for the conventions (0-based ``t``, array base
rates, vectorised steps) and the table of PyTorch counterparts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_int, check_real
from .base import Schedule, check_increasing, check_rate

__all__ = [
    "Constant", "Exponential", "InverseSqrt", "InverseTime", "MultiStep", "Step", "constant",
    "exponential", "inverse_sqrt", "inverse_time", "multistep", "step",
]


@dataclass(frozen=True, eq=False, repr=False)
class Constant(Schedule):
    """The same rate at every step; see :func:`constant`."""

    lr: Any
    name = "constant"

    def _validate(self):
        self._check("lr", check_rate)

    def _rates(self):
        return (self.lr,)

    def _eval(self, t):
        return self.lr + 0.0 * t

    formula = r"\eta_t = \eta_0"
    torch = "no scheduler (a fixed lr), or LambdaLR(opt, lambda t: 1.0): same values"

    def _symbols(self):
        return ((r"\eta_0", self.lr),)


def constant(lr: Any) -> Constant:
    r"""A constant learning rate, as a schedule.

    Parameters
    ----------
    lr : float or array
        The rate :math:`\eta_0 > 0`; an array gives one run per entry.

    Returns
    -------
    Constant

    Notes
    -----
    .. math:: \eta_t = \eta_0

    PyTorch: no scheduler at all. Useful as a piece of :func:`join`.

    Examples
    --------
    >>> constant(0.1)(1000)
    0.1
    >>> constant([0.1, 0.2])(np.arange(3)).shape
    (3, 2)
    """
    return Constant(lr)


@dataclass(frozen=True, eq=False, repr=False)
class InverseTime(Schedule):
    """``lr / (1 + decay_rate * t / decay_steps)``; see :func:`inverse_time`."""

    lr: Any
    decay_rate: float = 1.0
    decay_steps: float = 1.0
    name = "inverse_time"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("decay_rate", check_real, low=0)
        self._check("decay_steps", check_real, low=0, low_open=True)

    def _rates(self):
        return (self.lr,)

    def _eval(self, t):
        return self.lr / (1.0 + self.decay_rate * t / self.decay_steps)

    formula = r"\eta_t = \frac{\eta_0}{1 + k\, t / s}"
    torch = ("no class; LambdaLR(opt, lambda t: 1 / (1 + decay_rate * t / decay_steps)) gives "
             "the same values (Keras: InverseTimeDecay)")

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("k", self.decay_rate), ("s", self.decay_steps))


def inverse_time(lr: Any, decay_rate: float = 1.0, decay_steps: float = 1.0) -> InverseTime:
    r"""Inverse-time decay :math:`\eta_0 / (1 + k t / s)`: the classical 1/t rate.

    Parameters
    ----------
    lr : float or array
        Rate at ``t = 0``.
    decay_rate : float >= 0
        :math:`k`; the rate has halved after ``decay_steps / decay_rate`` steps.
    decay_steps : float > 0
        :math:`s`, the time unit of the decay.

    Returns
    -------
    InverseTime

    Notes
    -----
    .. math:: \eta_t = \frac{\eta_0}{1 + k\, t / s}

    Same formula as Keras' ``InverseTimeDecay`` (without ``staircase``);
    PyTorch has no class for it (use ``LambdaLR``). With ``k = s = 1`` it is
    :math:`\eta_0/(t+1)`: the harmonic sequence, whose sum diverges while the
    sum of its squares converges, the two conditions of Robbins & Monro under
    which SGD converges despite gradient noise.

    Examples
    --------
    >>> lr = inverse_time(1.0, decay_rate=1.0, decay_steps=10)
    >>> lr(0), lr(10), lr(30)
    (1.0, 0.5, 0.25)

    References
    ----------
    Robbins & Monro (1951), "A stochastic approximation method".
    """
    return InverseTime(lr, decay_rate, decay_steps)


@dataclass(frozen=True, eq=False, repr=False)
class InverseSqrt(Schedule):
    """``lr / sqrt(1 + t / decay_steps)``; see :func:`inverse_sqrt`."""

    lr: Any
    decay_steps: float = 1.0
    name = "inverse_sqrt"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("decay_steps", check_real, low=0, low_open=True)

    def _rates(self):
        return (self.lr,)

    def _eval(self, t):
        return self.lr / np.sqrt(1.0 + t / self.decay_steps)

    formula = r"\eta_t = \frac{\eta_0}{\sqrt{1 + t / s}}"
    torch = "no class; LambdaLR(opt, lambda t: (1 + t / decay_steps) ** -0.5) gives the same values"

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("s", self.decay_steps))


def inverse_sqrt(lr: Any, decay_steps: float = 1.0) -> InverseSqrt:
    r"""Inverse square-root decay :math:`\eta_0 / \sqrt{1 + t/s}`.

    Parameters
    ----------
    lr : float or array
        Rate at ``t = 0`` (the :math:`\alpha` of the rule of thumb).
    decay_steps : float > 0
        :math:`s`; the rate has halved after ``3 * decay_steps`` steps.

    Returns
    -------
    InverseSqrt

    Notes
    -----
    .. math:: \eta_t = \frac{\eta_0}{\sqrt{1 + t / s}}

    The rule of thumb :math:`\alpha/\sqrt{t}` counts steps from 1; lrlab
    counts from 0, so with ``decay_steps = 1`` this is the *same sequence*
    :math:`\alpha/\sqrt{t+1}` = :math:`\alpha, \alpha/\sqrt2, \alpha/\sqrt3, \dots`
    (and :math:`t = 0` needs no special case). It decays more slowly than
    :math:`1/t`: the sum of the squares diverges, so it does not meet Robbins
    & Monro's conditions, but it is the rate with the best worst-case
    guarantee for convex Lipschitz losses and online learning (Zinkevich 2003),
    usually with averaged iterates. PyTorch has no class for it.

    Examples
    --------
    >>> lr = inverse_sqrt(1.0)
    >>> lr(0), lr(3), lr(99)
    (1.0, 0.5, 0.1)

    References
    ----------
    Robbins & Monro (1951), "A stochastic approximation method".
    Zinkevich (2003), "Online convex programming and generalized infinitesimal
    gradient ascent".
    """
    return InverseSqrt(lr, decay_steps)


@dataclass(frozen=True, eq=False, repr=False)
class Step(Schedule):
    """Multiply by ``gamma`` every ``step_size`` steps; see :func:`step`."""

    lr: Any
    step_size: int
    gamma: float = 0.1
    name = "step"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("step_size", check_int, low=1)
        self._check("gamma", check_real, low=0, low_open=True)

    def _rates(self):
        return (self.lr,)

    def _eval(self, t):
        return self.lr * np.float64(self.gamma) ** (t // self.step_size)

    formula = r"\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}"
    torch = "StepLR(opt, step_size, gamma=0.1): same values, same default gamma"

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("s", self.step_size), (r"\gamma", self.gamma))


def step(lr: Any, step_size: int, gamma: float = 0.1) -> Step:
    r"""Step decay: multiply the rate by ``gamma`` every ``step_size`` steps.

    Parameters
    ----------
    lr : float or array
        Rate for the first ``step_size`` steps.
    step_size : int >= 1
        :math:`s`, steps between two drops.
    gamma : float > 0
        Factor applied at each drop (PyTorch's default 0.1).

    Returns
    -------
    Step

    Notes
    -----
    .. math:: \eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}

    Equal to ``torch.optim.lr_scheduler.StepLR(opt, step_size, gamma)``
    stepped once per step (torch multiplies recursively; the values agree to
    rounding).

    Examples
    --------
    >>> lr = step(1.0, step_size=3, gamma=0.5)
    >>> [lr(t) for t in range(7)]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    """
    return Step(lr, step_size, gamma)


@dataclass(frozen=True, eq=False, repr=False)
class MultiStep(Schedule):
    """Multiply by ``gamma`` at each milestone; see :func:`multistep`."""

    lr: Any
    milestones: tuple
    gamma: float = 0.1
    name = "multistep"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("milestones", check_increasing, low=0)
        self._check("gamma", check_real, low=0, low_open=True)

    def _rates(self):
        return (self.lr,)

    def _eval(self, t):
        passed = np.searchsorted(np.asarray(self.milestones, dtype=np.int64), t, side="right")
        return self.lr * np.float64(self.gamma) ** passed

    formula = r"\eta_t = \eta_0\, \gamma^{\,\#\{i\,:\, m_i \le t\}}"
    torch = "MultiStepLR(opt, milestones, gamma=0.1): same values, same default gamma"

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("m", self.milestones), (r"\gamma", self.gamma))


def multistep(lr: Any, milestones: Any, gamma: float = 0.1) -> MultiStep:
    r"""Multi-step decay: multiply the rate by ``gamma`` at each milestone step.

    Parameters
    ----------
    lr : float or array
        Rate before the first milestone.
    milestones : sequence of int
        Strictly increasing steps :math:`m_i \ge 0` at which the rate drops
        (from that step on).
    gamma : float > 0
        Factor applied at each milestone (PyTorch's default 0.1).

    Returns
    -------
    MultiStep

    Notes
    -----
    .. math:: \eta_t = \eta_0\, \gamma^{\,\#\{i \,:\, m_i \le t\}}

    Equal to ``torch.optim.lr_scheduler.MultiStepLR`` stepped once per step.
    The classic ImageNet recipe (Goyal et al. 2017) drops by 10 at epochs 30,
    60 and 80. lrlab asks for strictly increasing milestones (torch also
    accepts repeats, which multiply ``gamma`` several times).

    Examples
    --------
    >>> lr = multistep(1.0, milestones=[2, 5])
    >>> [lr(t) for t in range(7)]
    [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01]

    References
    ----------
    Goyal et al. (2017), "Accurate, large minibatch SGD: training ImageNet in 1 hour".
    """
    return MultiStep(lr, milestones, gamma)


@dataclass(frozen=True, eq=False, repr=False)
class Exponential(Schedule):
    """Multiply by ``gamma`` every step; see :func:`exponential`."""

    lr: Any
    gamma: float
    name = "exponential"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("gamma", check_real, low=0, low_open=True)

    def _rates(self):
        return (self.lr,)

    def _eval(self, t):
        return self.lr * np.float64(self.gamma) ** t

    formula = r"\eta_t = \eta_0\, \gamma^{t}"
    torch = "ExponentialLR(opt, gamma): same values"

    def _symbols(self):
        return ((r"\eta_0", self.lr), (r"\gamma", self.gamma))


def exponential(lr: Any, gamma: float) -> Exponential:
    r"""Exponential decay (or growth): multiply the rate by ``gamma`` every step.

    Parameters
    ----------
    lr : float or array
        Rate at ``t = 0``.
    gamma : float > 0
        Factor per step; ``gamma > 1`` grows the rate, as the LR range test does.

    Returns
    -------
    Exponential

    Notes
    -----
    .. math:: \eta_t = \eta_0\, \gamma^{t}

    Equal to ``torch.optim.lr_scheduler.ExponentialLR(opt, gamma)`` stepped
    once per step. A rate that overflows is ``inf`` (no warning); the trainer
    then records the run as diverged.

    Examples
    --------
    >>> lr = exponential(1.0, gamma=0.5)
    >>> lr(np.arange(4))
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    return Exponential(lr, gamma)
