r"""Reduce the learning rate when the loss stops improving (PyTorch's ``ReduceLROnPlateau``).

A schedule is a function of the step; a plateau rule is a function of the
*loss history*, so it lives in the rule's state:

* :func:`scale_by_plateau_lr` is the last link of a chain: it multiplies the
  incoming direction by ``-lr`` and updates ``lr`` with exactly the logic of
  ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (``best``,
  ``num_bad_epochs``, the cooldown counter, the ``rel``/``abs`` thresholds,
  ``min_lr`` and the ``eps`` rule that skips negligible reductions);
* :func:`reduce_on_plateau` is ``torch.optim.SGD`` (weight decay and
  momentum from :mod:`lrlab.rules.sgd`) driven by it. Chain
  :func:`scale_by_plateau_lr` after another rule's preconditioner to get
  the same for it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_choice, check_int, check_lr, check_real, fail
from .base import Rule, chain, per_coord, require_input, run_shape
from .sgd import check_momentum, sgd_links

__all__ = ["PlateauState", "reduce_on_plateau", "scale_by_plateau_lr"]


class PlateauState(NamedTuple):
    """ReduceLROnPlateau's counters, one per run.

    ``lr`` is the rate used at the last step; ``next_lr`` the rate the next
    step will use (torch's ``param_group['lr']`` after ``scheduler.step``).
    """

    lr: Any
    next_lr: Any
    best: Any
    num_bad_epochs: Any
    cooldown_counter: Any


def scale_by_plateau_lr(lr: Any, *, mode: str = "min", factor: float = 0.1, patience: int = 10,
                        threshold: float = 1e-4, threshold_mode: str = "rel",
                        cooldown: int = 0, min_lr: float = 0.0, eps: float = 1e-8) -> Rule:
    r"""Multiply by ``-lr`` and cut ``lr`` when the loss plateaus (a chain link).

    Parameters are those of :func:`reduce_on_plateau` (except momentum and
    weight decay). The link needs ``loss``.

    Examples
    --------
    >>> link = scale_by_plateau_lr(1.0, factor=0.5, patience=1)
    >>> state = link.init(np.zeros(1))
    >>> for loss in [3.0, 3.0, 3.0, 3.0]:
    ...     _, state = link.update(np.zeros(1), state, np.zeros(1), t=0, loss=np.array(loss))
    ...     print(float(state.lr), float(state.next_lr))
    1.0 1.0
    1.0 1.0
    1.0 0.5
    0.5 0.5
    """
    return _plateau_link(**_check_plateau(
        lr, mode=mode, factor=factor, patience=patience, threshold=threshold,
        threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps,
        owner="scale_by_plateau_lr"))


def _check_plateau(lr: Any, *, mode: Any, factor: Any, patience: Any, threshold: Any,
                   threshold_mode: Any, cooldown: Any, min_lr: Any, eps: Any,
                   owner: str) -> dict:
    """The arguments of :func:`scale_by_plateau_lr`, checked for ``owner``."""
    lr = check_lr(lr, "lr", owner)
    if callable(lr):
        fail(lr, "lr", owner,
             allowed="a positive float or array (the plateau logic sets the schedule)",
             exc=TypeError)
    return {
        "lr": lr,
        "mode": check_choice(mode, "mode", owner, ("min", "max")),
        "factor": check_real(factor, "factor", owner, low=0, high=1, high_open=True),
        "patience": check_int(patience, "patience", owner, low=0),
        "threshold": check_real(threshold, "threshold", owner, low=0),
        "threshold_mode": check_choice(threshold_mode, "threshold_mode", owner, ("rel", "abs")),
        "cooldown": check_int(cooldown, "cooldown", owner, low=0),
        "min_lr": check_real(min_lr, "min_lr", owner, low=0, allow_array=True),
        "eps": check_real(eps, "eps", owner, low=0),
    }


def _plateau_link(*, lr: Any, mode: str, factor: float, patience: int, threshold: float,
                  threshold_mode: str, cooldown: int, min_lr: Any, eps: float) -> Rule:
    """:func:`scale_by_plateau_lr` from checked arguments."""
    owner = "scale_by_plateau_lr"
    worse = np.inf if mode == "min" else -np.inf

    def is_better(a, best):        # torch's _is_better, operation for operation
        if mode == "min" and threshold_mode == "rel":
            return a < best * (1.0 - threshold)
        if mode == "min":
            return a < best - threshold
        if threshold_mode == "rel":
            return a > best * (threshold + 1.0)
        return a > best + threshold

    def init(theta):
        shape = np.broadcast_shapes(theta.shape[:-1], np.shape(lr), np.shape(min_lr))
        rate = np.array(np.broadcast_to(lr, shape), dtype=float)
        return PlateauState(rate, rate.copy(), np.full(shape, worse), np.zeros(shape, int),
                            np.zeros(shape, int))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        require_input(loss, "loss", owner)
        used = state.next_lr
        step = -per_coord(used) * grad
        # ---- torch.optim.lr_scheduler.ReduceLROnPlateau.step(loss)
        current = np.asarray(loss, dtype=float)
        with np.errstate(invalid="ignore"):
            better = is_better(current, state.best)
        best = np.where(better, current, state.best)
        bad = np.where(better, 0, state.num_bad_epochs + 1)
        in_cooldown = state.cooldown_counter > 0
        counter = np.where(in_cooldown, state.cooldown_counter - 1, state.cooldown_counter)
        bad = np.where(in_cooldown, 0, bad)          # ignore any bad epochs in cooldown
        reduce = bad > patience
        new_lr = np.maximum(used * factor, min_lr)
        next_lr = np.where(reduce & (used - new_lr > eps), new_lr, used)
        counter = np.where(reduce, cooldown, counter)
        bad = np.where(reduce, 0, bad)
        return step, PlateauState(used, next_lr, best, bad, counter)

    rel = threshold_mode == "rel"
    if mode == "min":
        test = r"f_t < f_{\rm best}(1 - \delta)" if rel else r"f_t < f_{\rm best} - \delta"
    else:
        test = r"f_t > f_{\rm best}(1 + \delta)" if rel else r"f_t > f_{\rm best} + \delta"
    formula = (r"\Delta\theta_t = -\eta_t\, g_t,\quad \eta_{t+1} = "
               r"\begin{cases}\max(\gamma\,\eta_t, \eta_{\min}) & \text{if the loss has not "
               r"improved (} " + test + r"\text{) for more than } p \text{ steps}"
               r" \\ \eta_t & \text{otherwise}\end{cases}")
    hyper = {"lr": lr, "mode": mode, "factor": factor, "patience": patience,
             "threshold": threshold, "threshold_mode": threshold_mode, "cooldown": cooldown,
             "min_lr": min_lr, "eps": eps}
    return Rule(init=init, update=update, name="scale_by_plateau_lr", factory="scale_by_plateau_lr",
                formula=formula,
                hyperparams=hyper, torch=_TORCH, needs=frozenset({"loss"}),
                batch_shape=run_shape(lr, min_lr))


_TORCH = ("torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.1, "
          "patience=10, threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0, "
          "eps=1e-8): same logic and defaults, with scheduler.step(loss) called after "
          "every optimizer.step() on the loss of that step (torch's examples call it once "
          "per epoch on a validation loss)")


def reduce_on_plateau(lr: Any, *, factor: float = 0.1, patience: int = 10,
                      threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                      min_lr: float = 0.0, eps: float = 1e-8, mode: str = "min",
                      momentum: Any = 0.0, dampening: float = 0.0, nesterov: bool = False,
                      weight_decay: Any = 0.0) -> Rule:
    r"""SGD whose learning rate is cut by ``factor`` when the loss stops improving.

    Parameters
    ----------
    lr : float or array in (0, inf)
        Initial learning rate; an array gives one run per entry.
    factor : float in [0, 1)
        Multiplier of each reduction (torch requires ``factor < 1`` too).
    patience : int >= 0
        Number of steps without improvement tolerated; the rate drops at the
        ``patience + 1``-th consecutive one.
    threshold : float >= 0
        Minimal improvement that counts, relative (``'rel'``: the loss must
        fall below ``best * (1 - threshold)``) or absolute (``'abs'``:
        below ``best - threshold``).
    threshold_mode : {'rel', 'abs'}
    cooldown : int >= 0
        Steps after a reduction during which bad steps are not counted.
    min_lr : float or array >= 0
        Floor of the learning rate.
    eps : float >= 0
        A reduction smaller than ``eps`` is skipped (the rate stays put).
    mode : {'min', 'max'}
        ``'max'`` treats the monitored value as a score to maximise.
    momentum, dampening, nesterov, weight_decay
        As in :func:`lrlab.rules.sgd` (``torch.optim.SGD``).

    Returns
    -------
    Rule
        Needs ``loss``: the loss at :math:`\theta_t` on the step's minibatch.

    Notes
    -----
    With :math:`f_t` the loss the rule sees at step :math:`t`,
    :math:`f_{\rm best}` the best loss so far (reset by nothing) and
    :math:`n_t` the number of consecutive non-improving steps (outside
    cooldown):

    .. math::
        \theta_{t+1} &= \theta_t - \eta_t\, g_t \\
        \eta_{t+1} &= \begin{cases}\max(\gamma\,\eta_t,\ \eta_{\min}) &
            \text{if } n_t > p \text{ and } \eta_t - \max(\gamma\eta_t, \eta_{\min}) > \epsilon \\
            \eta_t & \text{otherwise}\end{cases}

    where a step improves when :math:`f_t < f_{\rm best}(1-\delta)` (``rel``)
    or :math:`f_t < f_{\rm best} - \delta` (``abs``). After a reduction
    :math:`n` restarts at 0 and the next ``cooldown`` steps do not count.

    This is ``torch.optim.lr_scheduler.ReduceLROnPlateau`` operation for
    operation, defaults included; the test suite compares it to PyTorch to
    1e-12. Two differences of use, not of logic: PyTorch's examples call
    ``scheduler.step(metric)`` once per *epoch* on a validation metric; here
    it runs once per *step* on the training loss the rule sees (noisy with
    minibatches: raise ``patience`` or ``threshold`` accordingly). The order
    is torch's ``loss.backward(); optimizer.step(); scheduler.step(loss)``:
    the loss at :math:`\theta_t` decides the rate of step :math:`t + 1`, never
    of step :math:`t` itself, so ``History.lr[t]`` is the rate in force
    *before* the scheduler saw :math:`f_t`.

    Examples
    --------
    >>> import lrlab
    >>> bowl = lrlab.surfaces.quadratic([1.0, 10.0])
    >>> rule = reduce_on_plateau(0.21, factor=0.5, patience=2)   # 0.21 > 2/L diverges...
    >>> h = lrlab.train(bowl, rule, 100)
    >>> h.lr[:6]                    # ...until 3 steps of rising loss halve it
    array([0.21 , 0.21 , 0.21 , 0.21 , 0.105, 0.105])
    >>> h.final_loss < 1e-10
    True

    References
    ----------
    PyTorch, ``torch.optim.lr_scheduler.ReduceLROnPlateau``
    (https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html).
    Keras, ``keras.callbacks.ReduceLROnPlateau``, the original of the logic.
    """
    owner = "reduce_on_plateau"   # every argument is checked once, here, naming it
    link = _plateau_link(**_check_plateau(
        lr, mode=mode, factor=factor, patience=patience, threshold=threshold,
        threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps, owner=owner))
    wd = check_real(weight_decay, "weight_decay", owner, low=0, allow_array=True)
    mu, damp, nesterov = check_momentum(momentum, dampening, nesterov, owner)
    links, formula = sgd_links(link, link.formula, weight_decay=wd, momentum=mu,
                               dampening=damp, nesterov=nesterov)
    return chain(
        *links, name="reduce_on_plateau", factory="reduce_on_plateau", formula=formula,
        torch="torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov) + "
              + _TORCH,
        hyperparams={**link.hyperparams, "momentum": momentum, "dampening": dampening,
                     "nesterov": nesterov, "weight_decay": weight_decay},
    )
