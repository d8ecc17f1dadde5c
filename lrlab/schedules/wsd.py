r"""Warmup-stable-decay (WSD, "trapezoidal"): ramp up, hold the peak, cool down at the end.

A cosine or a 1/t schedule starts decaying from step 0, so it must know the
length of the run in advance, and a run cannot be extended without redoing
it. WSD holds the peak rate for most of the run and decays only in a short
final phase (the *cool-down*): a run can be continued from any checkpoint
of the stable phase, and the cool-down alone buys most of what a full decay
buys. See :mod:`lrlab.schedules` for the conventions (0-based ``t``, array
base rates, vectorised steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_choice, check_int, check_real, fail
from .base import Schedule, check_rate

__all__ = ["DECAY_SHAPES", "WSD", "wsd"]

#: The cool-down shapes :func:`wsd` knows, as the LaTeX of ``d(q)`` (``q`` runs 0 -> 1).
DECAY_SHAPES = {
    "linear": r"1 - q",
    "cosine": r"\tfrac12(1 + \cos \pi q)",
    "sqrt": r"1 - \sqrt{q}",
}


@dataclass(frozen=True, eq=False, repr=False)
class WSD(Schedule):
    """Warm-up, stable phase at ``lr``, cool-down to ``final_lr``; see :func:`wsd`."""

    lr: Any
    total_steps: int
    warmup_steps: int = 0
    decay_steps: int = 1
    final_lr: Any = 0.0
    decay: str = "linear"
    start_factor: float | None = None
    name = "wsd"

    def _validate(self):
        o = self.name
        self._check("lr", check_rate)
        self._check("total_steps", check_int, low=1)
        self._check("warmup_steps", check_int, low=0, high=self.total_steps - 1)
        self._check("decay_steps", check_int, low=1)
        room = self.total_steps - self.warmup_steps
        if self.decay_steps > room:
            fail(self.decay_steps, "decay_steps", o,
                 allowed=f"an int in [1, total_steps - warmup_steps] = [1, {room}] (the "
                         f"cool-down must fit after the warm-up; total_steps="
                         f"{self.total_steps}, warmup_steps={self.warmup_steps})")
        self._check("final_lr", check_rate, positive=False)
        check_choice(self.decay, "decay", o, tuple(DECAY_SHAPES))
        if self.start_factor is not None:
            self._check("start_factor", check_real, low=0, high=1)

    def _rates(self):
        return (self.lr, self.final_lr)

    @property
    def stable_steps(self) -> int:
        """Steps at the peak rate: ``total_steps - warmup_steps - decay_steps``."""
        return self.total_steps - self.warmup_steps - self.decay_steps

    @property
    def decay_start(self) -> int:
        """The first step of the cool-down, ``total_steps - decay_steps``."""
        return self.total_steps - self.decay_steps

    @property
    def factor0(self) -> float:
        """The warm-up's factor at ``t = 0``: ``start_factor``, or ``1 / (warmup_steps + 1)``."""
        if self.start_factor is not None:
            return self.start_factor
        return 1.0 / (self.warmup_steps + 1)

    def _cooldown(self, q):
        if self.decay == "linear":
            return 1.0 - q
        if self.decay == "cosine":
            return 0.5 * (1.0 + np.cos(np.pi * q))
        return 1.0 - np.sqrt(q)

    def _eval(self, t):
        W, a = self.warmup_steps, self.factor0
        q = np.clip((t - self.decay_start) / self.decay_steps, 0.0, 1.0)
        after = self.final_lr + (self.lr - self.final_lr) * self._cooldown(q)
        if W == 0:
            return after
        ramp = self.lr * (a + (1.0 - a) * np.minimum(t, W) / W)
        return np.where(t < W, ramp, after)

    @property
    def formula(self):
        ramp = (r"\eta\left(a + (1 - a)\,\frac{t}{W}\right) & t < W \\ "
                r"\eta & W \le t < T - D \\ " if self.warmup_steps else r"\eta & t < T - D \\ ")
        return (r"\eta_t = \begin{cases} " + ramp +
                r"\eta_T + (\eta - \eta_T)\, d\!\left(\frac{\min(t, T) - (T - D)}{D}\right) "
                r"& t \ge T - D \end{cases},\quad d(q) = " + DECAY_SHAPES[self.decay])

    @property
    def torch(self):
        return ("no torch.optim scheduler: LambdaLR(opt, lambda t: wsd(1.0, ...)(t)) gives the "
                "same values; equal to Hugging Face transformers' get_wsd_schedule(opt, "
                "num_warmup_steps=W, num_decay_steps=D, num_stable_steps=T-W-D, "
                f"decay_type='{self.decay}', min_lr_ratio=final_lr/lr) when start_factor=0 "
                "(its warm-up starts at min_lr_ratio * lr, at 0 when final_lr=0)")

    def _symbols(self):
        ramp = (("W", self.warmup_steps), ("a", self.factor0)) if self.warmup_steps else ()
        return ((r"\eta", self.lr), ("T", self.total_steps), *ramp, ("D", self.decay_steps),
                (r"\eta_T", self.final_lr))


def wsd(lr: Any, total_steps: int, *, decay_steps: int, warmup_steps: int = 0,
        final_lr: Any = 0.0, decay: str = "linear", start_factor: float | None = None) -> WSD:
    r"""Warmup-stable-decay: a linear warm-up, the peak rate held, a cool-down at the end.

    Parameters
    ----------
    lr : float or array
        :math:`\eta`, the peak rate of the stable phase.
    total_steps : int >= 1
        :math:`T`: the cool-down reaches ``final_lr`` at step :math:`T` (the
        run's length, as for :func:`~lrlab.schedules.cosine`).
    decay_steps : int in [1, total_steps - warmup_steps]
        :math:`D`, length of the cool-down; it starts at step :math:`T - D`.
        Hägele et al. (2024) find 10-20 % of the run enough to match a cosine.
    warmup_steps : int in [0, total_steps - 1]
        :math:`W`, length of the linear warm-up (0: none).
    final_lr : float or array >= 0
        :math:`\eta_T`, reached at :math:`T` and held afterwards.
    decay : {'linear', 'cosine', 'sqrt'}
        Shape :math:`d(q)` of the cool-down, :math:`q` going from 0 to 1:
        ``'linear'`` :math:`1 - q` (the linear cool-down of Zhai et al.
        2022 and Hägele et al.), ``'cosine'`` :math:`\tfrac12(1 + \cos\pi q)`,
        ``'sqrt'`` :math:`1 - \sqrt q` (Hägele et al.'s "1-sqrt", their best).
    start_factor : float in [0, 1], optional
        :math:`a`, the warm-up's first factor, as for
        :func:`~lrlab.schedules.warmup`: default ``1 / (W + 1)`` (nanoGPT's
        ramp :math:`\eta\,(t+1)/(W+1)`); ``0`` starts from zero (Hugging Face).

    Returns
    -------
    WSD
        With ``stable_steps`` (:math:`T - W - D`) and ``decay_start`` (:math:`T - D`).

    Notes
    -----
    .. math::
        \eta_t = \begin{cases}
            \eta\left(a + (1 - a)\,\frac{t}{W}\right) & t < W \\
            \eta & W \le t < T - D \\
            \eta_T + (\eta - \eta_T)\, d\!\left(\frac{\min(t, T) - (T - D)}{D}\right)
                & t \ge T - D
        \end{cases}

    The warm-up climbs to :math:`\eta` at step :math:`W` with no jump, the
    cool-down leaves :math:`\eta` at :math:`T - D` with no jump, and every
    shape ends at :math:`d(1) = 0`, so :math:`\eta_t = \eta_T` for
    :math:`t \ge T`. PyTorch has no WSD scheduler (``LambdaLR`` with this
    function gives the same values); Hugging Face transformers'
    ``get_wsd_schedule`` computes the same formula, with the warm-up from
    ``min_lr_ratio * lr`` (``start_factor=0`` and ``final_lr=0`` here: equal
    values, tested against its definition).

    Why it works as well as a cosine: at a constant rate the loss sits on the
    noise floor of that rate (notebook 03); the cool-down removes the floor
    quickly, because the iterate only has to settle into the region it
    already reached, not travel. The long stable phase does the travelling.

    Examples
    --------
    >>> lr = wsd(1.0, total_steps=10, warmup_steps=2, decay_steps=4, start_factor=0.0)
    >>> [round(lr(t), 4) for t in range(12)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    >>> lr.stable_steps, lr.decay_start
    (4, 6)
    >>> wsd(1.0, 4, decay_steps=4, decay="sqrt")(1)
    0.5

    References
    ----------
    Zhai, Kolesnikov, Houlsby & Beyer (2022), "Scaling vision transformers", CVPR
    (a long phase without a fixed horizon, then a linear cool-down).
    Hu et al. (2024), "MiniCPM: unveiling the potential of small language models
    with scalable training strategies" (who named it WSD).
    Hägele, Bakouch, Kosson, Ben Allal, Von Werra & Jaggi (2024), "Scaling laws
    and compute-optimal training beyond fixed training durations", NeurIPS.
    """
    return WSD(lr, total_steps, warmup_steps, decay_steps, final_lr, decay, start_factor)
