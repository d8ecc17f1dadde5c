r"""The capstone's answer: a validated choice of optimizer, learning rate, schedule and epochs.

A :class:`Choice` is what a student submits (a few numbers, never weights, no seed);
:func:`validate_choice` makes one from a dict with a clear error for every wrong field.

>>> Choice("sgd", lr=0.3).rule().name
'SGD'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import check_choice, check_int, check_real, fail

__all__ = ["MAX_EPOCHS", "OPTIMIZERS", "SCHEDULES", "TRAIN_SIZE", "Choice", "validate_choice"]

#: Training images of every partition the course uses (student split and grading split).
TRAIN_SIZE = 1077
#: Longest training a choice may ask for.
MAX_EPOCHS = 5
#: Optimizers a choice may name: lrlab rules with PyTorch's defaults.
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
#: Schedules a choice may name -> (required parameters, optional parameters), in steps.
SCHEDULES = {
    "constant": ((), ()),
    "step": (("step_size",), ("gamma",)),
    "multistep": (("milestones",), ("gamma",)),
    "exponential": (("gamma",), ()),
    "cosine": (("total_steps",), ("final_lr",)),
    "warmup_cosine": (("warmup_steps", "total_steps"), ("final_lr",)),
    "wsd": (("total_steps", "decay_steps"), ("warmup_steps", "final_lr")),
    "one_cycle": (("total_steps",), ("pct_start", "div_factor", "final_div_factor")),
}
_WITH_MOMENTUM = ("sgd", "rmsprop")
_OWNER = "Choice"
_KEYS = ("optimizer", "lr", "momentum", "schedule", "schedule_params", "epochs", "batch_size")


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(_freeze(v) for v in np.asarray(value).tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class Choice:
    """A submission: optimizer, learning rate, schedule, epochs and batch size (no seed).

    Parameters
    ----------
    optimizer : {'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'}
        The lrlab rule (``lrlab.rules.sgd``, ...), with PyTorch's defaults.
    lr : float in (0, 10]
        The learning rate; with a schedule, its peak (``lr`` of the schedule,
        ``max_lr`` of ``one_cycle``).
    momentum : float in [0, 0.99]
        Heavy-ball momentum, for ``'sgd'`` and ``'rmsprop'`` only.
    schedule : str
        One of :data:`SCHEDULES`: ``'constant'``, ``'step'``, ``'multistep'``,
        ``'exponential'``, ``'cosine'``, ``'warmup_cosine'``, ``'wsd'``, ``'one_cycle'``.
    schedule_params : dict
        The schedule's parameters as :mod:`lrlab.schedules` names them, counted
        in **steps** (one epoch is ``ceil(1077 / batch_size)`` steps: 34 at 32),
        e.g. ``{"total_steps": 170}`` for a cosine over 5 epochs.
        ``'warmup_cosine'`` is ``warmup(cosine(lr, total_steps - warmup_steps,
        final_lr), warmup_steps)``: it ends at ``total_steps``.
    epochs : int in [1, 5]
        Passes over the 1077 training images.
    batch_size : int in [16, 256]
        Images per step.

    Examples
    --------
    >>> c = Choice("sgd", lr=0.5, schedule="cosine", schedule_params={"total_steps": 170})
    >>> c.total_steps, c.rule().name
    (170, 'SGD')
    """

    optimizer: str
    lr: float
    momentum: float = 0.0
    schedule: str = "constant"
    schedule_params: Any = field(default_factory=dict)
    epochs: int = MAX_EPOCHS
    batch_size: int = 32

    def __post_init__(self) -> None:
        optimizer = self.optimizer
        if isinstance(optimizer, str) and optimizer.lower() == "momentum":
            fail(optimizer, "optimizer", _OWNER, allowed="one of " + ", ".join(
                map(repr, OPTIMIZERS)) + " (heavy-ball momentum is optimizer='sgd' with "
                "momentum=0.9)")
        check_choice(optimizer, "optimizer", _OWNER, OPTIMIZERS)
        lr = check_real(self.lr, "lr", _OWNER, low=0.0, high=10.0, low_open=True)
        momentum = check_real(self.momentum, "momentum", _OWNER, low=0.0, high=0.99)
        if momentum and optimizer not in _WITH_MOMENTUM:
            fail(momentum, "momentum", _OWNER, allowed=f"0 for optimizer={optimizer!r} (momentum "
                 f"applies to 'sgd' and 'rmsprop'; Adam's betas stay at (0.9, 0.999))")
        check_choice(self.schedule, "schedule", _OWNER, tuple(SCHEDULES))
        epochs = check_int(self.epochs, "epochs", _OWNER, low=1, high=MAX_EPOCHS)
        batch = check_int(self.batch_size, "batch_size", _OWNER, low=16, high=256)
        params = self.schedule_params
        if isinstance(params, tuple):
            params = dict(params)
        if not isinstance(params, dict):
            fail(params, "schedule_params", _OWNER, allowed="a dict of the schedule's parameters",
                 exc=TypeError)
        required, optional = SCHEDULES[self.schedule]
        unknown = sorted(set(params) - set(required) - set(optional))
        missing = [p for p in required if p not in params]
        if unknown or missing:
            fail(params, "schedule_params", _OWNER,
                 allowed=f"a dict with the keys {list(required)}" + (
                     f" and optionally {list(optional)}" if optional else "")
                 + f" for schedule={self.schedule!r} (counted in steps)")
        for name, value in (("lr", lr), ("momentum", momentum), ("epochs", epochs),
                            ("batch_size", batch)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "schedule_params",
                           tuple(sorted((k, _freeze(v)) for k, v in params.items())))
        self.schedule_fn()   # the schedule's own factory checks the values

    @property
    def params(self) -> dict:
        """``schedule_params`` as a dict."""
        return dict(self.schedule_params)

    @property
    def steps_per_epoch(self) -> int:
        """``ceil(1077 / batch_size)``."""
        return math.ceil(TRAIN_SIZE / self.batch_size)

    @property
    def total_steps(self) -> int:
        """Steps of the whole run: ``epochs * steps_per_epoch``."""
        return self.epochs * self.steps_per_epoch

    def schedule_fn(self):
        """The :mod:`lrlab.schedules` schedule this choice trains with."""
        from .. import schedules as S

        p = self.params
        try:
            if self.schedule == "constant":
                return S.constant(self.lr)
            if self.schedule == "warmup_cosine":
                warm = p["warmup_steps"]
                if not isinstance(warm, int) or not 0 < warm < p["total_steps"]:
                    fail(warm, "warmup_steps", "warmup_cosine",
                         allowed="an int in [1, total_steps - 1]")
                inner = S.cosine(self.lr, p["total_steps"] - warm, p.get("final_lr", 0.0))
                return S.warmup(inner, warm)
            return getattr(S, self.schedule)(self.lr, **p)
        except (TypeError, ValueError) as err:
            raise type(err)(f"Choice(schedule={self.schedule!r}, schedule_params="
                            f"{self.params}): {err}") from None

    def rule(self):
        """The lrlab rule: e.g. ``lrlab.rules.sgd(schedule, momentum=0.9)``."""
        from .. import rules

        lr = self.schedule_fn()
        if self.optimizer in _WITH_MOMENTUM:
            return getattr(rules, self.optimizer)(lr, momentum=self.momentum)
        return getattr(rules, self.optimizer)(lr)

    def as_dict(self) -> dict:
        """The choice as a plain dict (``Choice(**c.as_dict()) == c``)."""
        return {"optimizer": self.optimizer, "lr": self.lr, "momentum": self.momentum,
                "schedule": self.schedule, "schedule_params": self.params,
                "epochs": self.epochs, "batch_size": self.batch_size}

    def __repr__(self) -> str:
        parts = [repr(self.optimizer), f"lr={self.lr:g}"]
        if self.momentum:
            parts.append(f"momentum={self.momentum:g}")
        if self.schedule != "constant":
            parts += [f"schedule={self.schedule!r}", f"schedule_params={self.params}"]
        if self.epochs != MAX_EPOCHS:
            parts.append(f"epochs={self.epochs}")
        if self.batch_size != 32:
            parts.append(f"batch_size={self.batch_size}")
        return f"Choice({', '.join(parts)})"


def validate_choice(choice: Any) -> Choice:
    """A :class:`Choice` from a ``Choice`` or a dict with its keys; a clear error otherwise.

    >>> validate_choice({"optimizer": "adam", "lr": 3e-3})
    Choice('adam', lr=0.003)
    >>> validate_choice({"optimizer": "adam", "learning_rate": 3e-3})
    Traceback (most recent call last):
    ...
    ValueError: The 'choice' parameter of validate_choice must be a Choice or a dict with the
    keys 'optimizer', 'lr', 'momentum', 'schedule', 'schedule_params', 'epochs', 'batch_size'
    ('optimizer' and 'lr' required); unknown: 'learning_rate'. Got {'optimizer': 'adam',
    'learning_rate': 0.003} instead.
    """
    if isinstance(choice, Choice):
        return choice
    allowed = ("a Choice or a dict with the keys " + ", ".join(map(repr, _KEYS))
               + " ('optimizer' and 'lr' required)")
    if not isinstance(choice, dict):
        fail(choice, "choice", "validate_choice", allowed=allowed, exc=TypeError)
    unknown = [k for k in choice if k not in _KEYS]
    if unknown or "optimizer" not in choice or "lr" not in choice:
        extra = f"; unknown: {', '.join(map(repr, unknown))}" if unknown else ""
        fail(choice, "choice", "validate_choice", allowed=allowed + extra)
    return Choice(**choice)
