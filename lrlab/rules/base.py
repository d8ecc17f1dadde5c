"""The Rule abstraction: a step-size rule is a pair of pure functions.

A rule (optax's idea, with numpy bodies) is::

    init(theta) -> state
    update(grad, state, theta, *, t, loss=None, loss_fn=None) -> (step, state)
    theta_next = theta + step

``state`` is an immutable :class:`typing.NamedTuple` of arrays, so a
:class:`~lrlab.History` can keep it and a widget can show it. By convention a
state has a field ``lr`` holding the (global) learning rate the rule used at
its last step, shape = the run shape; the trainer records it.

States are immutable, and the trainer relies on it: it writes ``state.lr``
only when the ``lr`` *object* changes (a constant rate is written once and
forward-filled, which keeps the hot loop cheap). A rule that mutated one lr
array in place would be recorded with its first value; return a new array.

Learning rates are "a float, an array (one per run) or a schedule". An
array of shape ``(R,)`` gives ``R`` runs at once: the trainer broadcasts the
parameters to shape ``(R, dim)`` (see :attr:`Rule.batch_shape`).

Rules compose with :func:`chain`: each link maps a gradient-like array to a
new one, and the last link returns the step. ``sgd`` with weight decay and
momentum is ``chain(add_decayed_weights(wd), trace(momentum),
scale_by_lr(lr))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_lr, fmt, run_shape
from ..schedules import Constant

__all__ = [
    "ChainState",
    "EmptyState",
    "Rule",
    "as_schedule",
    "chain",
    "lr_value",
    "per_coord",
    "require_input",
    "run_shape",
]


class EmptyState(NamedTuple):
    """State of a stateless rule link."""


@dataclass(frozen=True, eq=False, kw_only=True)
class Rule:
    """A step-size rule: ``init`` and ``update`` plus what a learner needs to see.

    Every field is passed by keyword: ``Rule(init=..., update=..., name=..., ...)``.

    Parameters
    ----------
    init : callable
        ``init(theta) -> state``.
    update : callable
        ``update(grad, state, theta, *, t, loss=None, loss_fn=None) -> (step, state)``;
        ``t`` is the 0-based step count.
    name : str
        Display name, e.g. ``"Adam"``.
    formula : str
        The update as LaTeX (a ``aligned`` block without ``$``), written from
        the code that runs.
    hyperparams : dict
        The arguments of the factory call that built the rule, by name.
    factory : str or None
        The name of that factory (``"adam"``): ``repr(rule)`` is the call
        ``factory(**hyperparams)``, which rebuilds the rule. ``None``: ``name``.
    torch : str or None
        The PyTorch counterpart and how this rule relates to it.
    needs : frozenset of str
        Extra keyword inputs the rule requires: ``"loss"`` and/or ``"loss_fn"``.
    batch_shape : tuple of int
        Run shape implied by array hyperparameters (``()`` for scalars).
    evaluate_at : callable or None
        ``evaluate_at(state, theta) -> point``: where the model is *evaluated*
        when it differs from where gradients are taken. Schedule-free SGD takes
        gradients at an interpolation and is evaluated at its average, the
        state's ``x``; :func:`lrlab.train` measures ``eval_loss`` there (and
        :func:`~lrlab.trainer.epochs.train_epochs` its losses and final
        parameters). ``None`` (every other rule): at ``theta``.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]
    name: str
    formula: str = ""
    hyperparams: dict = field(default_factory=dict)
    factory: str | None = None
    torch: str | None = None
    needs: frozenset = frozenset()
    batch_shape: tuple = ()
    evaluate_at: Callable[[Any, np.ndarray], np.ndarray] | None = None

    def __repr__(self) -> str:
        """The factory call that rebuilds the rule: ``adam(lr=0.001, ...)``, ``chain(...)``."""
        if self.factory is None and set(self.hyperparams) == {"rules"}:  # built by chain()
            links = self.hyperparams["rules"]
            args = [repr(r) for r in links]
            if self.name != " → ".join(r.name for r in links):
                args.append(f"name={self.name!r}")
            return f"chain({', '.join(args)})"
        args = ", ".join(f"{k}={fmt(v)}" for k, v in self.hyperparams.items())
        return f"{self.factory or self.name}({args})"

    def _repr_latex_(self) -> str:
        """The name in bold and the formula, as inline math (what Jupyter renders).

        The name is escaped for LaTeX (``scale_by_lr`` -> ``scale\\_by\\_lr``) and a
        chain's arrows become ``\\to``, so MathJax, KaTeX and LaTeX all accept it.
        """
        name = r" \to ".join(rf"\textbf{{{_latex_text(part)}}}" for part in self.name.split(" → "))
        return rf"${name}\quad \begin{{aligned}}{self.formula}\end{{aligned}}$"

    def _repr_markdown_(self) -> str:
        return (
            f"**{self.name}** `{self!r}`\n\n$$\\begin{{aligned}}{self.formula}\\end{{aligned}}$$"
        )


_LATEX_TEXT = str.maketrans({"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}",
                             **{c: "\\" + c for c in "{}_%&#$"}})


def _latex_text(text: str) -> str:
    """Escape the characters LaTeX's text mode treats specially (in one pass).

    >>> print(_latex_text("scale_by_lr {50%}"))
    scale\\_by\\_lr \\{50\\%\\}
    """
    return text.translate(_LATEX_TEXT)


def as_schedule(lr: Any, name: str, owner: str) -> Callable[[int], Any]:
    """Validate ``lr`` and return it as a schedule ``t -> rate``.

    >>> as_schedule(0.1, "lr", "sgd")(7)
    0.1
    """
    lr = check_lr(lr, name, owner)
    return lr if callable(lr) else Constant(lr)


def lr_value(schedule: Callable[[int], Any], t: int) -> Any:
    """Evaluate a schedule at step ``t`` as a float or float64 array.

    A :class:`~lrlab.schedules.Constant` gives its rate without a call: rules ask for
    the rate at every step, and most rates are constant.
    """
    value = schedule.lr if type(schedule) is Constant else schedule(t)
    return value if isinstance(value, float) else np.asarray(value, dtype=float)


_INPUTS = {"loss": "the loss value at theta", "loss_fn": "the loss function"}


def require_input(value: Any, what: str, owner: str) -> None:
    """The error of a loss-aware rule called without the input it declared in ``needs``.

    >>> require_input(None, "loss_fn", "armijo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: armijo needs the loss function: run it with lrlab.train, which passes ...
    """
    if value is None:
        raise ValueError(
            f"{owner} needs {_INPUTS[what]}: run it with lrlab.train, which passes "
            f"{what}, or call rule.update(grad, state, theta, t=t, {what}=...)."
        )


def per_coord(value: Any) -> Any:
    """Lift a run-shaped hyperparameter so it broadcasts against ``(..., dim)``."""
    return value[..., None] if isinstance(value, np.ndarray) and value.ndim else value


class ChainState(NamedTuple):
    """State of a chain: the states of its links, and the lr of the last link that has one."""

    inner: tuple
    lr: Any


def chain(*rules: Rule, name: str | None = None, formula: str | None = None,
          torch: str | None = None, hyperparams: dict | None = None,
          factory: str | None = None) -> Rule:
    """Compose rules: each link transforms the previous link's output.

    The first link sees the gradient; the output of the last link is the
    step added to ``theta``. The chain needs what any link needs, and its
    state's ``lr`` (the global learning rate, which ``train`` records) is the
    ``lr`` of the *last* link that has one: ``scale_by_lr``'s in ``sgd``, the
    inner rule's in ``chain(clip_by_norm(1.0), adam(1e-3))`` or
    ``chain(sgd(0.1), clip_by_norm(1.0))``. A chain of one link is that link,
    renamed (its state is the link's state).

    Its repr is ``chain(link, ...)`` (with ``name=`` when it was named). A factory
    built on a chain (``sgd``) passes its own ``factory`` name and ``hyperparams``,
    so that the chain's repr is that factory's call.

    >>> from lrlab.rules import scale_by_lr, add_decayed_weights
    >>> rule = chain(add_decayed_weights(0.5), scale_by_lr(0.1))
    >>> state = rule.init(np.array([2.0]))
    >>> step, state = rule.update(np.array([1.0]), state, np.array([2.0]), t=0)
    >>> step  # -0.1 * (1 + 0.5 * 2)
    array([-0.2])
    """
    if not rules:
        raise ValueError("chain needs at least one rule; got none.")
    for i, r in enumerate(rules):
        if not isinstance(r, Rule):
            raise TypeError(f"Every argument of chain must be a Rule. Argument {i} is {r!r}.")
    if len(rules) == 1:  # nothing to compose: keep the link's own (cheaper) state
        (r,) = rules
        return Rule(init=r.init, update=r.update, name=name or r.name,
                    formula=formula if formula is not None else r.formula,
                    hyperparams=(hyperparams if hyperparams is not None
                                 else dict(r.hyperparams) if name is None else {"rules": rules}),
                    factory=factory if hyperparams is not None or name is not None else r.factory,
                    torch=torch if torch is not None else r.torch,
                    needs=r.needs, batch_shape=r.batch_shape)
    needs = frozenset().union(*(r.needs for r in rules))
    shape = run_shape(*[np.zeros(r.batch_shape) for r in rules])

    def init(theta):
        states = tuple(r.init(theta) for r in rules)
        return ChainState(states, _last_lr(states))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        out = grad
        new = []
        for r, s in zip(rules, state.inner, strict=True):
            kwargs = {}
            if "loss" in r.needs:
                kwargs["loss"] = loss
            if "loss_fn" in r.needs:
                kwargs["loss_fn"] = loss_fn
            out, s = r.update(out, s, theta, t=t, **kwargs)
            new.append(s)
        new = tuple(new)
        return out, ChainState(new, _last_lr(new))

    return Rule(
        init=init,
        update=update,
        name=name or " → ".join(r.name for r in rules),
        formula=formula if formula is not None else r" \\ ".join(r.formula for r in rules),
        hyperparams=hyperparams if hyperparams is not None else {"rules": rules},
        factory=factory,
        torch=torch,
        needs=needs,
        batch_shape=shape,
    )


def _last_lr(states) -> Any:
    for s in reversed(states):
        lr = getattr(s, "lr", None)
        if lr is not None:
            return lr
    return None
