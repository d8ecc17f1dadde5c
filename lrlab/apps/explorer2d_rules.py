"""The rules of the 2-D explorer, and their runs: one batched call where rules share one.

Every rule runs at all the explorer's learning rates (``lr`` times each
factor) in one batched :func:`lrlab.train` call; GD and momentum, the same
``sgd`` with momentum 0 and ``momentum``, share one call when both are shown.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..problem import Problem
from ..rules import Rule, sgd
from ..trainer import train

__all__ = ["HEAVY_BALL", "RULES", "available_rules", "train_rules"]


def _rules_module_rule(name: str) -> Callable[..., Rule] | None:
    from .. import rules

    return getattr(rules, name, None)


def _gd(lr, momentum):
    return sgd(lr)


def _momentum(lr, momentum):
    return sgd(lr, momentum=momentum)


def _nesterov(lr, momentum):
    return sgd(lr, momentum=max(momentum, 1e-3), nesterov=True)


def _adaptive(name: str) -> Callable[..., Rule]:
    def make(lr, momentum):
        return _rules_module_rule(name)(lr)
    make.__name__ = name
    return make


#: Rule name -> ``make(lr, momentum) -> Rule``. ``lr`` is an array (one run per entry).
RULES: dict[str, Callable[..., Rule]] = {
    "GD": _gd,
    "momentum": _momentum,
    "Nesterov": _nesterov,
    "Adagrad": _adaptive("adagrad"),
    "RMSprop": _adaptive("rmsprop"),
    "Adam": _adaptive("adam"),
}


#: Rules that are one ``sgd`` with a momentum of their own: trained as one batch.
HEAVY_BALL = {"GD": 0.0, "momentum": None}  # None: the momentum slider's value


def train_rules(problem: Problem, names: list[str], lrs: np.ndarray, momentum: float,
                num_steps: int, x0: np.ndarray) -> dict:
    """Rule name -> History of its runs at the learning rates ``lrs`` (one per factor).

    GD and momentum are one rule, ``sgd`` with momentum 0 or ``momentum``: when both
    are asked for they are trained in one batched call (one loop, not two), each
    run equal to its own call to float rounding.

    >>> from lrlab.surfaces import ill_conditioned
    >>> runs = train_rules(ill_conditioned(), ["GD", "momentum"], np.array([0.5]), 0.8, 20,
    ...                    np.array([1.0, 1.0]))
    >>> sorted(runs), runs["GD"].params.shape
    (['GD', 'momentum'], (21, 1, 2))
    """
    out = {}
    heavy = [n for n in names if n in HEAVY_BALL]
    if len(heavy) > 1:
        n_lr = len(lrs)
        mus = [momentum if HEAVY_BALL[n] is None else HEAVY_BALL[n] for n in heavy]
        batch = train(problem, sgd(np.tile(lrs, len(heavy)), momentum=np.repeat(mus, n_lr)),
                      num_steps, x0=x0, record_params=True)
        out = {n: batch[i * n_lr:(i + 1) * n_lr] for i, n in enumerate(heavy)}
    for name in names:
        if name not in out:
            out[name] = train(problem, RULES[name](lrs, momentum), num_steps, x0=x0,
                              record_params=True)
    return {name: out[name] for name in names}


def available_rules() -> list[str]:
    """Names in :data:`RULES` whose rule exists in this lrlab."""
    basic = ["GD", "momentum", "Nesterov"]
    return basic + [n for n in RULES if n not in basic and _rules_module_rule(n.lower())]


