"""Decaying schedules: constant, 1/t, 1/sqrt(t), polynomial, step, exponential, linear, cosine.

Each factory validates its arguments and returns a frozen :class:`Schedule`;
see :mod:`lrlab.schedules` for the conventions (0-based ``t``, array base
rates, vectorised steps) and the table of PyTorch counterparts.
"""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._schedule_base import Schedule, check_rate
from ._validation import check_int, check_real, fail

__all__ = [
    "Constant", "Cosine", "Exponential", "InverseSqrt", "InverseTime", "Linear", "MultiStep",
    "Polynomial", "Step", "constant", "cosine", "exponential", "inverse_sqrt", "inverse_time",
    "linear", "multistep", "polynomial", "step",
]


def _set(obj: Schedule, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True, eq=False, repr=False)
class Constant(Schedule):
    """The same rate at every step; see :func:`constant`."""

    lr: Any
    name = "constant"

    def _validate(self):
        _set(self, "lr", check_rate(self.lr, "lr", self.name))

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
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "decay_rate", check_real(self.decay_rate, "decay_rate", self.name, low=0))
        _set(self, "decay_steps", check_real(self.decay_steps, "decay_steps", self.name, low=0,
                                             low_open=True))

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
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "decay_steps", check_real(self.decay_steps, "decay_steps", self.name, low=0,
                                             low_open=True))

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
class Polynomial(Schedule):
    """Polynomial decay to ``final_lr`` in ``total_steps``; see :func:`polynomial`."""

    lr: Any
    total_steps: int
    power: float = 1.0
    final_lr: Any = 0.0
    name = "polynomial"

    def _validate(self):
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "total_steps", check_int(self.total_steps, "total_steps", self.name, low=1))
        _set(self, "power", check_real(self.power, "power", self.name, low=0, low_open=True))
        _set(self, "final_lr", check_rate(self.final_lr, "final_lr", self.name, positive=False))

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
class Step(Schedule):
    """Multiply by ``gamma`` every ``step_size`` steps; see :func:`step`."""

    lr: Any
    step_size: int
    gamma: float = 0.1
    name = "step"

    def _validate(self):
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "step_size", check_int(self.step_size, "step_size", self.name, low=1))
        _set(self, "gamma", check_real(self.gamma, "gamma", self.name, low=0, low_open=True))

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
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "milestones", _check_increasing(self.milestones, "milestones", self.name,
                                                   low=0))
        _set(self, "gamma", check_real(self.gamma, "gamma", self.name, low=0, low_open=True))

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


def _check_increasing(values: Any, name: str, owner: str, *, low: int) -> tuple:
    allowed = f"a strictly increasing sequence of ints >= {low}"
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        fail(owner, name, allowed, values, TypeError)
    items = list(values.tolist() if isinstance(values, np.ndarray) else values)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)
               for v in items):
        fail(owner, name, allowed, values, TypeError)
    items = [int(v) for v in items]
    if any(v < low for v in items) or any(b <= a for a, b in itertools.pairwise(items)):
        fail(owner, name, allowed, values)
    return tuple(items)


@dataclass(frozen=True, eq=False, repr=False)
class Exponential(Schedule):
    """Multiply by ``gamma`` every step; see :func:`exponential`."""

    lr: Any
    gamma: float
    name = "exponential"

    def _validate(self):
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "gamma", check_real(self.gamma, "gamma", self.name, low=0, low_open=True))

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


@dataclass(frozen=True, eq=False, repr=False)
class Linear(Schedule):
    """Linear change of a factor of ``lr``; see :func:`linear`."""

    lr: Any
    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_steps: int = 5
    name = "linear"

    def _validate(self):
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "start_factor", check_real(self.start_factor, "start_factor", self.name,
                                              low=0))
        _set(self, "end_factor", check_real(self.end_factor, "end_factor", self.name, low=0))
        _set(self, "total_steps", check_int(self.total_steps, "total_steps", self.name, low=1))

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
        _set(self, "lr", check_rate(self.lr, "lr", self.name))
        _set(self, "total_steps", check_int(self.total_steps, "total_steps", self.name, low=1))
        _set(self, "final_lr", check_rate(self.final_lr, "final_lr", self.name, positive=False))

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
