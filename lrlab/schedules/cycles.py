"""Schedules that repeat: cosine annealing with warm restarts and cyclical rates.

The 1cycle policy, which goes up once and down once, is in
:mod:`lrlab.schedules.one_cycle`.

See :mod:`lrlab.schedules` for the conventions (0-based ``t``, array base
rates, vectorised steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_choice, check_int, check_real, fail, run_shape
from .base import Schedule, check_rate

__all__ = ["CosineRestarts", "Cyclic", "cosine_restarts", "cyclic"]


@dataclass(frozen=True, eq=False, repr=False)
class CosineRestarts(Schedule):
    """Cosine annealing restarted every period (SGDR); see :func:`cosine_restarts`."""

    lr: Any
    period: int
    mult: int = 1
    final_lr: Any = 0.0
    name = "cosine_restarts"

    def _validate(self):
        self._check("lr", check_rate)
        self._check("period", check_int, low=1)
        self._check("mult", check_int, low=1)
        self._check("final_lr", check_rate, positive=False)

    def _rates(self):
        return (self.lr, self.final_lr)

    def position(self, t: Any) -> tuple[Any, Any]:
        """``(t_cur, T_i)``: steps since the last restart and the current period length.

        Exact integer arithmetic (torch's ``step(epoch)`` uses a logarithm,
        which can round the wrong way at a restart; stepping it once per step,
        as here, is exact).

        >>> cosine_restarts(1.0, period=2, mult=2).position(np.arange(8))
        (array([0, 1, 0, 1, 2, 3, 0, 1]), array([2, 2, 4, 4, 4, 4, 8, 8]))
        """
        t = np.asarray(t, dtype=np.int64)
        if self.mult == 1:
            return t % self.period, np.full_like(t, self.period)
        start = np.zeros_like(t)
        length = np.full_like(t, self.period)
        while True:  # one pass per completed period: log_mult(t / period) passes
            over = t >= start + length
            if not over.any():
                return t - start, length
            start = np.where(over, start + length, start)
            length = np.where(over, length * self.mult, length)

    def _eval(self, t):
        t_cur, t_i = self.position(t)
        return self.final_lr + (self.lr - self.final_lr) * (
            1.0 + np.cos(np.pi * t_cur / t_i)) / 2.0

    formula = (r"\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})"
               r"\left(1 + \cos\frac{\pi\, t_{\mathrm{cur}}}{T_i}\right),\quad "
               r"T_i = T_0 m^i,\quad t_{\mathrm{cur}} = t - T_0\,(1 + m + \dots + m^{i-1})"
               r" \in [0, T_i)")
    torch = ("CosineAnnealingWarmRestarts(opt, T_0=period, T_mult=mult, eta_min=final_lr): "
             "same values when stepped once per step")

    def _symbols(self):
        return ((r"\eta_0", self.lr), ("T_0", self.period), ("m", self.mult),
                (r"\eta_{\min}", self.final_lr))


def cosine_restarts(lr: Any, period: int, mult: int = 1, final_lr: Any = 0.0) -> CosineRestarts:
    r"""Cosine annealing with warm restarts (SGDR).

    Parameters
    ----------
    lr : float or array
        Rate at every restart (:math:`\eta_{\max}`).
    period : int >= 1
        :math:`T_0`, length of the first period (torch's ``T_0``).
    mult : int >= 1
        :math:`m`: each period is ``mult`` times longer than the previous one
        (torch's ``T_mult``; an int, as in torch, so periods stay whole steps).
    final_lr : float or array >= 0
        :math:`\eta_{\min}` (torch's ``eta_min``).

    Returns
    -------
    CosineRestarts

    Notes
    -----
    .. math::
        \eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})
        \left(1 + \cos\frac{\pi\, t_{\mathrm{cur}}}{T_i}\right)

    where period :math:`i` has length :math:`T_i = T_0 m^i` and
    :math:`t_{\mathrm{cur}} \in [0, T_i)` counts the steps since it began.
    Equal to ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``
    stepped once per step. As in torch, :math:`t_{\mathrm{cur}}` never reaches
    :math:`T_i` (the restart happens first), so the lowest rate of a period is
    the one at :math:`t_{\mathrm{cur}} = T_i - 1`, slightly above
    :math:`\eta_{\min}`.

    Examples
    --------
    >>> lr = cosine_restarts(1.0, period=2, mult=2)
    >>> [round(lr(t), 6) for t in range(8)]
    [1.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 1.0, 0.96194]

    References
    ----------
    Loshchilov & Hutter (2017), "SGDR: stochastic gradient descent with warm restarts".
    """
    return CosineRestarts(lr, period, mult, final_lr)


@dataclass(frozen=True, eq=False, repr=False)
class Cyclic(Schedule):
    """Triangular cycles between ``base_lr`` and ``max_lr``; see :func:`cyclic`."""

    base_lr: Any
    max_lr: Any
    step_size_up: int = 2000
    step_size_down: int | None = None
    mode: str = "triangular"
    gamma: float = 1.0
    name = "cyclic"

    def _validate(self):
        self._check("base_lr", check_rate, positive=False)
        self._check("max_lr", check_rate)
        run_shape(self.base_lr, self.max_lr, owner=self.name)
        if np.any(np.asarray(self.max_lr) < np.asarray(self.base_lr)):
            fail(self.max_lr, "max_lr", self.name, allowed="a rate >= base_lr (elementwise)")
        self._check("step_size_up", check_int, low=1)
        self._check("step_size_down", check_int, low=1, allow_none=True)
        check_choice(self.mode, "mode", self.name, ("triangular", "triangular2", "exp_range"))
        self._check("gamma", check_real, low=0, low_open=True, high=1)
        if self.mode != "exp_range" and self.gamma != 1.0:
            fail(self.gamma, "gamma", self.name,
                 allowed="1.0 unless mode='exp_range' (it is used by no other "
                         "mode)")

    def _rates(self):
        return (self.base_lr, self.max_lr)

    def _eval(self, t):
        # The same float operations as torch's CyclicLR.get_lr, with t = last_epoch.
        up = float(self.step_size_up)
        down = float(self.step_size_down) if self.step_size_down is not None else up
        total = up + down
        ratio = up / total
        cycle = np.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        height = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1 / (2.0 ** (cycle - 1))
        else:
            scale = np.float64(self.gamma) ** t
        return self.base_lr + (self.max_lr - self.base_lr) * height * scale

    @property
    def formula(self):
        scale = {"triangular": "1", "triangular2": r"2^{1-c}",
                 "exp_range": r"\gamma^{t}"}[self.mode]
        return (r"\eta_t = \eta_{\mathrm{base}} + (\eta_{\max} - \eta_{\mathrm{base}})\,h\,"
                + scale + r",\quad c = \left\lfloor 1 + \frac{t}{u + d}\right\rfloor,\ "
                r"x = 1 + \frac{t}{u + d} - c,\ "
                r"h = \begin{cases} \frac{x(u+d)}{u} & x \le \frac{u}{u+d} \\ "
                r"\frac{(1 - x)(u+d)}{d} & \text{otherwise} \end{cases}")

    torch = ("CyclicLR(opt, base_lr, max_lr, step_size_up=2000, step_size_down=None, "
             "mode='triangular', gamma=1.0): same values, same defaults (lrlab leaves "
             "momentum alone: torch's cycle_momentum=True also cycles it)")

    def _symbols(self):
        down = self.step_size_up if self.step_size_down is None else self.step_size_down
        out = [(r"\eta_{\mathrm{base}}", self.base_lr), (r"\eta_{\max}", self.max_lr),
               ("u", self.step_size_up), ("d", down)]
        if self.mode == "exp_range":
            out.append((r"\gamma", self.gamma))
        return tuple(out)


def cyclic(base_lr: Any, max_lr: Any, step_size_up: int = 2000, step_size_down: int | None = None,
           mode: str = "triangular", gamma: float = 1.0) -> Cyclic:
    r"""Cyclical learning rate (CLR): triangles between ``base_lr`` and ``max_lr``.

    Parameters
    ----------
    base_lr : float or array >= 0
        Bottom of every cycle (the rate at ``t = 0``).
    max_lr : float or array >= base_lr
        Top of the first cycle.
    step_size_up : int >= 1
        :math:`u`, steps from bottom to top (PyTorch's default 2000).
    step_size_down : int >= 1, optional
        :math:`d`, steps from top to bottom; ``None`` means ``step_size_up``.
    mode : {'triangular', 'triangular2', 'exp_range'}
        Amplitude scale: constant; halved every cycle (:math:`2^{1-c}` in
        cycle :math:`c = 1, 2, \dots`); or :math:`\gamma^{t}` per step.
    gamma : float in (0, 1]
        Decay of ``exp_range``; any other mode requires the default 1.0
        (torch silently ignores it there).

    Returns
    -------
    Cyclic

    Notes
    -----
    .. math::
        \eta_t = \eta_{\mathrm{base}} + (\eta_{\max} - \eta_{\mathrm{base}})\,h_t\,s_t

    where :math:`h_t \in [0, 1]` rises linearly for :math:`u` steps and falls
    for :math:`d` steps, and :math:`s_t` is the mode's scale. The code is
    torch's ``CyclicLR.get_lr`` with ``last_epoch = t``, so values are equal
    (tested for all three modes). Smith's "LR range test" chooses the two
    bounds; he suggests :math:`u` of 2 to 10 epochs of steps.

    Examples
    --------
    >>> lr = cyclic(0.1, 0.5, step_size_up=2)
    >>> [round(lr(t), 6) for t in range(6)]
    [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    >>> lr2 = cyclic(0.1, 0.5, step_size_up=2, mode="triangular2")
    >>> round(lr2(6), 6)  # top of the second cycle: half the amplitude
    0.3

    References
    ----------
    Smith (2017), "Cyclical learning rates for training neural networks", WACV.
    """
    return Cyclic(base_lr, max_lr, step_size_up, step_size_down, mode, gamma)
