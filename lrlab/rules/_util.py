"""Small private helpers shared by the adaptive rules.

They exist so that every rule validates its hyperparameters the same way and
reproduces PyTorch's floating-point arithmetic operation by operation (so
that trajectories agree with ``torch.optim`` to the last few bits).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import check_bool, check_real
from .base import per_coord

__all__ = ["check_flag", "check_weight_decay", "fpow", "hyper", "lerp", "nan_like"]


def fpow(base: Any, exponent: Any) -> Any:
    """``base ** exponent`` with C's ``pow`` for floats *and* arrays.

    Python floats (and PyTorch's bias corrections) use C's ``pow``; numpy's
    array power takes other paths that can differ in the last bit (0.9**3 is
    0.7290000000000001 in Python and 0.729 in numpy). Using one ``pow`` keeps
    a batched run (array betas) bit-identical to the separate runs.

    >>> fpow(0.9, 3.0) == 0.9**3.0, bool(fpow(np.array([0.9]), 3.0)[0] == 0.9**3.0)
    (True, True)
    """
    if isinstance(base, np.ndarray) or isinstance(exponent, np.ndarray):
        return np.asarray(np.frompyfunc(_pow, 2, 1)(base, exponent), dtype=float)
    return _pow(base, exponent)


def _pow(base: float, exponent: float) -> float:
    """C's ``pow``, with an overflow as ``inf`` (as numpy gives) rather than an OverflowError:
    a rule whose weights overflow (``schedule_free_sgd(1e160)``) diverges, it does not crash."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return math.inf


def hyper(value: Any, name: str, owner: str, **interval: Any) -> Any:
    """Validate a real hyperparameter (float or run-shaped array) and lift it per coordinate.

    Returns ``(raw, lifted)``: the checked value (float or array, for
    :func:`~lrlab.rules.run_shape` and the rule's ``hyperparams``) and the
    same value shaped to broadcast against ``theta`` of shape ``(..., dim)``.
    """
    checked = check_real(value, name, owner, allow_array=True, **interval)
    return checked, per_coord(checked)


def check_weight_decay(value: Any, owner: str) -> tuple[Any, Any, bool]:
    """Validate a weight decay :math:`\\lambda \\ge 0` (float or run-shaped array).

    Returns ``(raw, lifted, used)`` as :func:`hyper` does, plus ``used``:
    False when every entry is 0, so that the update can skip the decay (and
    stay bit-identical to PyTorch, which skips it too).

    >>> check_weight_decay(0.0, "adam")[2], check_weight_decay([0.0, 0.1], "adam")[2]
    (False, True)
    """
    raw, lifted = hyper(value, "weight_decay", owner, low=0)
    return raw, lifted, bool(np.any(np.asarray(raw) != 0))


#: The rules' name for :func:`lrlab._validation.check_bool`.
check_flag = check_bool


def lerp(start: Any, end: Any, weight: Any) -> Any:
    """``torch.lerp`` on the CPU, operation by operation.

    PyTorch computes ``start + w * (end - start)`` when ``|w| < 0.5`` and
    ``end - (end - start) * (1 - w)`` otherwise; Adam's first moment and
    centred RMSprop's mean gradient are updated with it.

    >>> float(lerp(1.0, 3.0, 0.25)), float(lerp(1.0, 3.0, 0.75))
    (1.5, 2.5)
    """
    if isinstance(weight, np.ndarray):
        low = np.abs(weight) < 0.5
        return np.where(low, start + weight * (end - start), end - (end - start) * (1 - weight))
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def nan_like(theta: Any, *values: Any) -> np.ndarray:
    """An all-NaN array shaped like ``theta`` broadcast with run-shaped ``values``.

    The ``rate`` field of a state before its first step: the per-coordinate
    rate is only defined once a gradient has been seen.
    """
    shape = np.broadcast_shapes(np.shape(theta), *(np.shape(v) for v in values))
    return np.full(shape, np.nan)
