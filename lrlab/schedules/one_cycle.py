"""The 1cycle policy: warm up once to ``max_lr``, then anneal far below the start.

See :mod:`lrlab.schedules` for the conventions (0-based ``t``, array base
rates, vectorised steps).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_bool, check_choice, check_int, check_real, fail
from .base import Schedule, check_rate

__all__ = ["OneCycle", "one_cycle"]


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
        check_bool(self.three_phase, "three_phase", o)
        ends = [e for e, _, _ in self.phases()]
        if not (ends[0] > 0 and all(b > a for a, b in itertools.pairwise(ends))):
            limit = ("(total_steps + 1) / (2 * total_steps)" if self.three_phase else "1")
            fail(self.pct_start, "pct_start", o,
                 allowed=f"such that pct_start * total_steps > 1 and pct_start < "
                 f"{limit} (every phase of positive length; torch divides by zero or "
                 f"skips its warm-up otherwise); total_steps={self.total_steps}")

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
