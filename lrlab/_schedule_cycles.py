"""Schedules that go up as well as down: warm restarts, cyclical rates, the 1cycle policy.

See :mod:`lrlab.schedules` for the conventions (0-based ``t``, array base
rates, vectorised steps).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._schedule_base import Schedule, check_rate, run_shape_of
from ._validation import check_choice, check_int, check_real, fail

__all__ = ["CosineRestarts", "Cyclic", "OneCycle", "cosine_restarts", "cyclic", "one_cycle"]



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
        run_shape_of(self.base_lr, self.max_lr)
        if np.any(np.asarray(self.max_lr) < np.asarray(self.base_lr)):
            fail(self.name, "max_lr", "a rate >= base_lr (elementwise)", self.max_lr)
        self._check("step_size_up", check_int, low=1)
        self._check("step_size_down", check_int, low=1, allow_none=True)
        check_choice(self.mode, "mode", self.name, ("triangular", "triangular2", "exp_range"))
        self._check("gamma", check_real, low=0, low_open=True, high=1)
        if self.mode != "exp_range" and self.gamma != 1.0:
            fail(self.name, "gamma", "1.0 unless mode='exp_range' (it is used by no other "
                 "mode)", self.gamma)

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


@dataclass(frozen=True, eq=False, repr=False)
class OneCycle(Schedule):
    """The 1cycle policy (warm-up to ``max_lr``, anneal far below); see :func:`one_cycle`."""

    max_lr: Any
    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    name = "one_cycle"

    def _validate(self):
        o = self.name
        self._check("max_lr", check_rate)
        self._check("total_steps", check_int, low=2)
        self._check("pct_start", check_real, low=0, high=1)
        check_choice(self.anneal_strategy, "anneal_strategy", o, ("cos", "linear"))
        self._check("div_factor", check_real, low=0, low_open=True)
        self._check("final_div_factor", check_real, low=0, low_open=True)
        if not isinstance(self.three_phase, bool | np.bool_):
            fail(o, "three_phase", "a bool", self.three_phase, TypeError)
        ends = [e for e, _, _ in self.phases()]
        if not (ends[0] > 0 and all(b > a for a, b in itertools.pairwise(ends))):
            limit = ("(total_steps + 1) / (2 * total_steps)" if self.three_phase else "1")
            fail(o, "pct_start", f"such that pct_start * total_steps > 1 and pct_start < "
                 f"{limit} (every phase of positive length; torch divides by zero or "
                 f"skips its warm-up otherwise); total_steps={self.total_steps}",
                 self.pct_start)

    def _rates(self):
        return (self.max_lr,)

    @property
    def initial_lr(self) -> Any:
        """Rate at ``t = 0``: ``max_lr / div_factor``."""
        return self.max_lr / self.div_factor

    @property
    def min_lr(self) -> Any:
        """Rate at the last step: ``initial_lr / final_div_factor``."""
        return self.initial_lr / self.final_div_factor

    def phases(self) -> list[tuple[float, Any, Any]]:
        """``(end_step, start_lr, end_lr)`` of each phase, exactly as torch's ``OneCycleLR``.

        A phase runs from the previous ``end_step`` (0 for the first) to its
        own. The ends are ``pct_start * total_steps - 1`` (where ``max_lr`` is
        reached), then ``2 * pct_start * total_steps - 2`` in the three-phase
        variant, then ``total_steps - 1``: the last step that torch lets an
        optimiser use reaches ``min_lr`` exactly.

        >>> [e for e, _, _ in one_cycle(1.0, 100).phases()]
        [29.0, 99]
        """
        T, p = self.total_steps, self.pct_start
        lo, hi, end = self.initial_lr, self.max_lr, self.min_lr
        if self.three_phase:
            return [(float(p * T) - 1, lo, hi), (float(2 * p * T) - 2, hi, lo),
                    (T - 1, lo, end)]
        return [(float(p * T) - 1, lo, hi), (T - 1, hi, end)]

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)
        return (end - start) * pct + start

    def _eval(self, t):
        t = np.minimum(t, self.total_steps - 1)
        phases = self.phases()
        conditions, values = [], []
        start_step = 0.0
        for i, (end_step, start_lr, end_lr) in enumerate(phases):
            last = i == len(phases) - 1
            conditions.append(np.ones(np.shape(t), bool) if last else t <= end_step)
            pct = (t - start_step) / (end_step - start_step)
            values.append(self._anneal(start_lr, end_lr, pct))
            start_step = end_step
        shape = np.broadcast_shapes(np.shape(t), self.run_shape)
        return np.select([np.broadcast_to(c, shape) for c in conditions],
                         [np.broadcast_to(v, shape) for v in values])

    @property
    def formula(self):
        anneal = (r"\mathrm{anneal}(a, b, q) = b + \tfrac12(a - b)(1 + \cos\pi q)"
                  if self.anneal_strategy == "cos" else
                  r"\mathrm{anneal}(a, b, q) = a + (b - a)\,q")
        if self.three_phase:
            cases = (r"\mathrm{anneal}(\eta_{\max}/\delta,\ \eta_{\max},\ t/e_1) & t \le e_1 \\ "
                     r"\mathrm{anneal}(\eta_{\max},\ \eta_{\max}/\delta,\ \frac{t-e_1}{e_2-e_1}) "
                     r"& e_1 < t \le e_2 \\ "
                     r"\mathrm{anneal}(\eta_{\max}/\delta,\ \eta_{\max}/(\delta\phi),\ "
                     r"\frac{\min(t, T-1)-e_2}{T-1-e_2}) & t > e_2")
            ends = r"e_1 = pT - 1,\ e_2 = 2pT - 2"
        else:
            cases = (r"\mathrm{anneal}(\eta_{\max}/\delta,\ \eta_{\max},\ t/e_1) & t \le e_1 \\ "
                     r"\mathrm{anneal}(\eta_{\max},\ \eta_{\max}/(\delta\phi),\ "
                     r"\frac{\min(t, T-1)-e_1}{T-1-e_1}) & t > e_1")
            ends = r"e_1 = pT - 1"
        return (r"\eta_t = \begin{cases} " + cases + r" \end{cases},\quad " + ends
                + r",\quad " + anneal)

    torch = ("OneCycleLR(opt, max_lr, total_steps, pct_start=0.3, anneal_strategy='cos', "
             "div_factor=25.0, final_div_factor=1e4, three_phase=False): same phase "
             "boundaries and values for t < total_steps, same defaults; torch raises after "
             "total_steps, lrlab holds min_lr; lrlab leaves momentum alone (torch's "
             "cycle_momentum=True also cycles it)")

    def _symbols(self):
        return ((r"\eta_{\max}", self.max_lr), ("T", self.total_steps), ("p", self.pct_start),
                (r"\delta", self.div_factor), (r"\phi", self.final_div_factor))


def one_cycle(max_lr: Any, total_steps: int, pct_start: float = 0.3,
              anneal_strategy: str = "cos", div_factor: float = 25.0,
              final_div_factor: float = 1e4, three_phase: bool = False) -> OneCycle:
    r"""The 1cycle policy: warm up to ``max_lr``, then anneal far below the start.

    Parameters
    ----------
    max_lr : float or array
        Peak rate :math:`\eta_{\max}` (choose it with an LR range test).
    total_steps : int >= 2
        :math:`T`, the number of steps of the cycle (the run's length).
    pct_start : float in [0, 1]
        :math:`p`, fraction of the steps spent warming up (PyTorch's default 0.3).
    anneal_strategy : {'cos', 'linear'}
        Shape of every phase.
    div_factor : float > 0
        :math:`\delta`: the first rate is :math:`\eta_{\max}/\delta` (default 25).
    final_div_factor : float > 0
        :math:`\phi`: the last rate is :math:`\eta_{\max}/(\delta\phi)` (default 1e4).
    three_phase : bool
        ``False`` (torch's and fastai's default): up, then down to the minimum.
        ``True`` (Smith's paper): up, back down to the start symmetrically, then
        a short annihilation phase to the minimum.

    Returns
    -------
    OneCycle

    Notes
    -----
    Two-phase form, with :math:`e_1 = pT - 1` and
    :math:`\mathrm{anneal}(a, b, q) = b + \tfrac12(a - b)(1 + \cos \pi q)`
    (or :math:`a + (b - a) q` for ``'linear'``):

    .. math::
        \eta_t = \begin{cases}
            \mathrm{anneal}(\eta_{\max}/\delta,\ \eta_{\max},\ t / e_1) & t \le e_1 \\
            \mathrm{anneal}(\eta_{\max},\ \eta_{\max}/(\delta\phi),\
                \frac{t - e_1}{T - 1 - e_1}) & t > e_1
        \end{cases}

    The phase ends are torch's, off-by-ones included: ``max_lr`` is reached
    at step :math:`pT - 1` (step 29 of 100 by default, not 30), the three-phase
    variant comes back down at :math:`2pT - 2`, and ``min_lr`` is reached at
    :math:`T - 1`, the last step torch lets an optimiser take. When
    :math:`pT` is not an integer the ends are fractional, as in torch. The
    code is torch's ``OneCycleLR.get_lr`` with ``last_epoch = t``; values are
    equal for :math:`t < T` (tested: cos, linear, three-phase). Beyond the
    cycle, torch extrapolates at :math:`t = T` and raises after; lrlab holds
    the final rate. lrlab requires :math:`pT > 1` and increasing phase ends
    (torch divides by zero at :math:`pT = 1`). Only the rate is scheduled;
    torch's ``cycle_momentum`` (momentum 0.95 -> 0.85 -> 0.95) is not.

    Examples
    --------
    >>> lr = one_cycle(1.0, total_steps=10, pct_start=0.3, anneal_strategy="linear")
    >>> [round(lr(t), 4) for t in range(10)]
    [0.04, 0.52, 1.0, 0.8571, 0.7143, 0.5714, 0.4286, 0.2857, 0.1429, 0.0]
    >>> lr(0), lr.min_lr
    (0.04, 4e-06)

    References
    ----------
    Smith & Topin (2019), "Super-convergence: very fast training of neural
    networks using large learning rates".
    Smith (2018), "A disciplined approach to neural network hyper-parameters:
    part 1".
    """
    return OneCycle(max_lr, total_steps, pct_start, anneal_strategy, div_factor,
                    final_div_factor, three_phase)
