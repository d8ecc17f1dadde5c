r"""Landmarks of the edge of stability in a sharpness trace: :func:`edge_events`.

Full-batch gradient descent at a constant rate :math:`\eta` on a network often
goes through the same sequence (Cohen et al. 2021): the sharpness :math:`S`
rises; it passes :math:`2/\eta` (*crossing*) while the loss still falls for a
while; the loss then spikes and the sharpness is pushed back down (a
catapult-like *spike*, Lewkowycz et al. 2020); afterwards :math:`S` stays near
:math:`2/\eta` (*onset* of the edge-of-stability regime) and the loss keeps
falling, non-monotonically (*oscillation*: it rises at least once every few
steps). :func:`edge_events` finds these from a trace, by the rules its
docstring states, so a plot can mark them where they are computed, not where
someone placed them. Re-exported by :mod:`lrlab.sharpness`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_int, check_real, fail

__all__ = ["EdgeEvents", "edge_events"]


@dataclass(frozen=True)
class EdgeEvents:
    """The landmarks :func:`edge_events` found (None: not found in this run).

    Attributes
    ----------
    limit : float
        :math:`2/\\eta` (of the last measurement).
    crossing : int or None
        First measured step whose sharpness exceeds ``limit``.
    peak_step, peak : int or None, float
        Where the measured sharpness is largest (from the crossing on), and its value.
    spike : (int, int, int) or None
        The first rise of the loss after the crossing: ``(start, top, end)``, the step
        the loss starts to rise from, the step where it is highest, and the first step
        after it where the loss is back below its level at ``start``.
    onset : int or None
        First measured step from which every measurement lies within ``tol`` (relative)
        of ``limit``, to the end of the trace: the edge-of-stability regime.
    oscillation : int or None
        First step from which the loss rises at least once in every ``window``
        consecutive steps, to the end of the run (after the spike).
    """

    limit: float
    crossing: int | None
    peak_step: int | None
    peak: float
    spike: tuple[int, int, int] | None
    onset: int | None
    oscillation: int | None


def edge_events(trace: Any, *, tol: float = 0.05, window: int = 4) -> EdgeEvents:
    r"""Find the crossing, peak, spike, onset and oscillation of a run at constant rate.

    With :math:`S_k` the sharpness measured at step :math:`s_k`, :math:`\ell_t` the
    loss at every step and :math:`c = 2/\eta`:

    * crossing: the first :math:`s_k` with :math:`S_k > c`;
    * peak: the largest :math:`S_k` from the crossing on;
    * spike: ``start`` is the first :math:`t \ge` crossing with
      :math:`\ell_{t+1} > \ell_t`; ``top`` the step after the last of the rises that
      follow it without a break; ``end`` the first :math:`t >` top with
      :math:`\ell_t < \ell_{\text{start}}`;
    * onset: the first :math:`s_k` from which :math:`|S_j/c - 1| \le \text{tol}` for
      every :math:`j \ge k` (a period-2 oscillation makes single measurements scatter
      around :math:`c`: keep ``tol`` above that scatter);
    * oscillation: the first rise :math:`t` after the spike from which every
      ``window`` consecutive steps contain a rise, up to the last step.

    Parameters
    ----------
    trace : SharpnessTrace
        From :func:`~lrlab.sharpness.track_sharpness` or
        :func:`~lrlab.sharpness.edge_of_stability` (``steps``, ``sharpness``, ``limit``
        and ``history.loss`` are read).
    tol : float in (0, 1)
        Relative band around :math:`2/\eta` for the onset.
    window : int >= 2
        Longest stretch of steps without a rise of the loss that still counts as
        oscillating.

    Returns
    -------
    EdgeEvents

    Examples
    --------
    A hand-made trace: sharpness 4, 6, 8, then 5.1, 4.9, 5.0 at 2/lr = 5; the loss falls,
    rises at steps 3-5, then zigzags down.

    >>> from types import SimpleNamespace as NS
    >>> loss = np.array([9, 8, 7, 6, 7, 8, 5, 3, 4, 2, 3, 1, 2, 0.5], dtype=float)
    >>> trace = NS(steps=np.array([0, 2, 3, 6, 9, 12]),
    ...            sharpness=np.array([4, 6, 8, 5.1, 4.9, 5.0]), limit=np.full(6, 5.0),
    ...            history=NS(loss=loss))
    >>> e = edge_events(trace)
    >>> e.crossing, e.peak_step, e.spike, e.onset, e.oscillation
    (2, 3, (3, 5, 6), 6, 7)
    """
    owner = "edge_events"
    tol = check_real(tol, "tol", owner, low=0, high=1, low_open=True, high_open=True)
    window = check_int(window, "window", owner, low=2)
    if not all(hasattr(trace, a) for a in ("steps", "sharpness", "limit", "history")):
        fail(trace, "trace", owner, allowed="a SharpnessTrace (from track_sharpness)",
             exc=TypeError)
    steps = np.asarray(trace.steps, dtype=int)
    s = np.asarray(trace.sharpness, dtype=float)
    limit = np.asarray(trace.limit, dtype=float)
    loss = np.asarray(trace.history.loss, dtype=float)
    c = float(limit[-1])
    above = np.flatnonzero(s > limit)
    crossing = int(steps[above[0]]) if above.size else None
    if crossing is None:
        peak_step, peak = None, float(np.max(s))
    else:
        k = int(above[0] + np.argmax(s[above[0]:]))
        peak_step, peak = int(steps[k]), float(s[k])
    inside = np.abs(s / limit - 1.0) <= tol
    outside = np.flatnonzero(~inside)
    first = 0 if not outside.size else int(outside[-1]) + 1
    onset = int(steps[first]) if first < len(steps) else None
    spike, after = None, crossing
    rises = np.flatnonzero(np.diff(loss) > 0)           # t with loss[t+1] > loss[t]
    if crossing is not None:
        later = rises[rises >= crossing]
        if later.size:
            start = int(later[0])
            top = start + 1
            while top < len(loss) - 1 and loss[top + 1] > loss[top]:
                top += 1
            back = np.flatnonzero(loss[top + 1:] < loss[start])
            if back.size:
                spike = (start, top, int(top + 1 + back[0]))
                after = spike[2]
    oscillation = None
    if after is not None:
        r = rises[rises >= after]
        last = len(loss) - 1
        if r.size and last - r[-1] <= window:
            gaps = np.diff(r)
            wide = np.flatnonzero(gaps > window)
            oscillation = int(r[wide[-1] + 1] if wide.size else r[0])
    return EdgeEvents(c, crossing, peak_step, peak, spike, onset, oscillation)
