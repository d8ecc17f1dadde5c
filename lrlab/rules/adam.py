r"""Adam and its two best-known repairs: AMSGrad and AdamW.

Adam = momentum (a moving average of gradients, :math:`m`) divided by
RMSprop's root mean square (:math:`v`), both bias-corrected so that the
first steps are not shrunk by the zero initialisation.

* **AMSGrad** divides by the running *maximum* of :math:`v`, so the
  per-coordinate rates never grow (the fix of Reddi, Kale & Kumar for
  Adam's non-convergence examples);
* **AdamW** shrinks the weights directly (:math:`\theta \leftarrow
  (1-\eta\lambda)\theta`) instead of adding :math:`\lambda\theta` to the
  gradient, so the decay is not rescaled by :math:`1/\sqrt{v}`.

The code follows ``torch.optim.Adam``'s single-tensor implementation
operation by operation (``lerp`` for :math:`m`, the bias corrections folded
into the step size and the denominator, eps outside the root), so float64
trajectories agree with PyTorch to 1e-10 over 200 steps.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import fail
from ._util import check_flag, check_weight_decay, fpow, hyper, lerp, nan_like
from .base import Rule, as_schedule, lr_value, per_coord, run_shape

__all__ = ["AdamState", "adam", "adamw", "amsgrad"]


class AdamState(NamedTuple):
    """State of :func:`adam`, :func:`amsgrad` and :func:`adamw`.

    Attributes
    ----------
    exp_avg : ndarray
        First moment :math:`m_t` (not bias-corrected).
    exp_avg_sq : ndarray
        Second moment :math:`v_t` (not bias-corrected).
    max_exp_avg_sq : ndarray or None
        :math:`\\hat v_t = \\max(\\hat v_{t-1}, v_t)` (AMSGrad only).
    rate : ndarray
        Per-coordinate step size applied to :math:`m_t` at the last step,
        :math:`(\\eta_t/c_1)/(\\sqrt{v_t}/\\sqrt{c_2}+\\epsilon)`.
    lr : float or ndarray
        Global learning rate of the last step.
    """

    exp_avg: Any
    exp_avg_sq: Any
    max_exp_avg_sq: Any
    rate: Any
    lr: Any


def _betas(betas: Any, owner: str):
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        fail(betas, "betas", owner,
             allowed="a pair (beta1, beta2) of floats in [0, 1)", exc=TypeError)
    b1 = hyper(betas[0], "betas[0]", owner, low=0, high=1, high_open=True)
    b2 = hyper(betas[1], "betas[1]", owner, low=0, high=1, high_open=True)
    return b1, b2


def _adam(lr: Any, betas: Any, eps: Any, weight_decay: Any, *, owner: str, factory: str,
          name: str, amsgrad: bool, decoupled: bool, torch: str) -> Rule:
    """The Adam family: ``amsgrad`` keeps the running max of ``v``, ``decoupled``
    shrinks the weights instead of adding the decay to the gradient (AdamW)."""
    schedule = as_schedule(lr, "lr", owner)
    (b1, b1_c), (b2, b2_c) = _betas(betas, owner)
    eps_, eps_c = hyper(eps, "eps", owner, low=0)
    wd, wd_c, use_wd = check_weight_decay(weight_decay, owner)
    check_flag(amsgrad, "amsgrad", owner)

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        zeros = np.zeros_like(theta)
        return AdamState(zeros, zeros, zeros if amsgrad else None, nan_like(theta),
                         lr_value(schedule, 0))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        eta = lr_value(schedule, t)
        k = float(t + 1)
        decay_step = 0.0
        if use_wd and decoupled:
            decay_step = theta * (1 - per_coord(eta) * wd_c) - theta  # exact (Sterbenz)
        elif use_wd:
            grad = grad + wd_c * theta
        m = lerp(state.exp_avg, grad, 1 - b1_c)
        v = state.exp_avg_sq * b2_c + ((1 - b2_c) * grad) * grad
        bias1 = 1 - fpow(b1_c, k)
        bias2_sqrt = fpow(1 - fpow(b2_c, k), 0.5)
        step_size = per_coord(eta) / bias1
        vmax = None
        if amsgrad:
            vmax = np.maximum(state.max_exp_avg_sq, v)
            denom = np.sqrt(vmax) / bias2_sqrt + eps_c
        else:
            denom = np.sqrt(v) / bias2_sqrt + eps_c
        step = (-step_size * m) / denom + decay_step
        return step, AdamState(m, v, vmax, step_size / denom, eta)

    vt = r"\hat v_t" if amsgrad else "v_t"
    lines = []
    if use_wd and decoupled:
        lines.append(r"\theta_t \leftarrow (1 - \eta_t\lambda)\,\theta_t")
    elif use_wd:
        lines.append(r"g_t \leftarrow g_t + \lambda\theta_t")
    lines.append(r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad "
                 r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2")
    if amsgrad:
        lines.append(r"\hat v_t = \max(\hat v_{t-1}, v_t)")
    lines.append(r"c_1 = 1 - \beta_1^{t+1},\quad c_2 = 1 - \beta_2^{t+1}")
    lines.append(rf"\theta_{{t+1}} = \theta_t - \frac{{\eta_t}}{{c_1}}\,"
                 rf"\frac{{m_t}}{{\sqrt{{{vt}}}/\sqrt{{c_2}} + \epsilon}}")
    return Rule(
        init=init, update=update, name=name, formula=r" \\ ".join(lines), factory=factory,
        hyperparams={"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                     # adamw has the flag; adam(amsgrad=True) is amsgrad(...)
                     **({"amsgrad": amsgrad} if factory == "adamw" else {})},
        torch=torch, batch_shape=run_shape(schedule, b1, b2, eps_, wd),
    )


def adam(lr: Any = 1e-3, betas: tuple = (0.9, 0.999), eps: Any = 1e-8,
         weight_decay: Any = 0.0, amsgrad: bool = False) -> Rule:
    r"""Adam: bias-corrected momentum over bias-corrected root mean square.

    Matches ``torch.optim.Adam`` exactly, defaults included.

    Parameters
    ----------
    lr : float, array or schedule
        Learning rate :math:`\eta` (PyTorch default 1e-3).
    betas : pair of float (or array) in [0, 1)
        :math:`(\beta_1, \beta_2)`, decay of the two moments (default (0.9, 0.999)).
    eps : float or array >= 0
        :math:`\epsilon`, added *outside* the square root (default 1e-8).
    weight_decay : float or array >= 0
        *Coupled* L2 term :math:`\lambda` added to the gradient (default 0);
        see :func:`adamw` for the decoupled version.
    amsgrad : bool
        Use the running maximum of :math:`v` (see :func:`amsgrad`).

    Returns
    -------
    Rule
        State :class:`AdamState`.

    Notes
    -----
    With :math:`k = t + 1` the number of steps taken so far:

    .. math::
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \theta_{t+1} &= \theta_t - \frac{\eta_t}{1-\beta_1^k}\,
        \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^k} + \epsilon}

    This is :math:`\eta\,\hat m/(\sqrt{\hat v}+\epsilon)` with
    :math:`\hat m = m/(1-\beta_1^k)`, :math:`\hat v = v/(1-\beta_2^k)`,
    computed in PyTorch's order. Since :math:`|\hat m|/\sqrt{\hat v} \lesssim 1`,
    each coordinate typically moves by about :math:`\eta` at most per step: the
    learning rate of Adam is a *distance*, which is why 1e-3 works across
    so many problems, and why Adam's first step is :math:`-\eta\,\mathrm{sign}(g_0)`.

    Examples
    --------
    >>> rule = adam(lr=0.1)
    >>> theta = np.array([1.0, 1.0])
    >>> step, _ = rule.update(np.array([3.0, -0.5]), rule.init(theta), theta, t=0)
    >>> np.round(step, 8)
    array([-0.1,  0.1])

    References
    ----------
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR.
    Reddi, Kale & Kumar (2018), "On the convergence of Adam and beyond", ICLR.
    Loshchilov & Hutter (2019), "Decoupled weight decay regularization", ICLR.
    """
    amsgrad = check_flag(amsgrad, "amsgrad", "adam")
    return _adam(lr, betas, eps, weight_decay, owner="adam",
                 factory="amsgrad" if amsgrad is True else "adam",
                 name="AMSGrad" if amsgrad else "Adam", amsgrad=amsgrad, decoupled=False,
                 torch="matches torch.optim.Adam exactly (defaults lr=1e-3, "
                       "betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)")


def amsgrad(lr: Any = 1e-3, betas: tuple = (0.9, 0.999), eps: Any = 1e-8,
            weight_decay: Any = 0.0) -> Rule:
    r"""AMSGrad: Adam that divides by the running maximum of its second moment.

    Matches ``torch.optim.Adam(..., amsgrad=True)`` exactly, defaults included.

    Parameters
    ----------
    lr : float, array or schedule
        Learning rate :math:`\eta` (PyTorch default 1e-3).
    betas : pair of float (or array) in [0, 1)
        :math:`(\beta_1, \beta_2)` (default (0.9, 0.999)).
    eps : float or array >= 0
        :math:`\epsilon`, outside the square root (default 1e-8).
    weight_decay : float or array >= 0
        Coupled L2 term (default 0).

    Returns
    -------
    Rule
        State :class:`AdamState` with ``max_exp_avg_sq`` set.

    Notes
    -----
    .. math::
        \hat v_t = \max(\hat v_{t-1}, v_t), \qquad
        \theta_{t+1} = \theta_t - \frac{\eta_t}{1-\beta_1^k}\,
        \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^k} + \epsilon}

    Reddi et al. built a convex problem on which Adam converges to the
    *worst* point: a rare large gradient is forgotten by :math:`v` faster
    than its effect is undone. Keeping the maximum makes the per-coordinate
    rates non-increasing, as in Adagrad, which restores convergence.
    (PyTorch, like most libraries, keeps the maximum of the *uncorrected*
    :math:`v` and corrects it afterwards; we do the same.)

    Examples
    --------
    >>> rule = amsgrad(lr=0.1)
    >>> theta = np.array([1.0])
    >>> state = rule.init(theta)
    >>> _, state = rule.update(np.array([10.0]), state, theta, t=0)
    >>> _, state = rule.update(np.array([0.1]), state, theta, t=1)
    >>> bool(state.max_exp_avg_sq[0] > state.exp_avg_sq[0])
    True

    References
    ----------
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR.
    Reddi, Kale & Kumar (2018), "On the convergence of Adam and beyond", ICLR.
    Loshchilov & Hutter (2019), "Decoupled weight decay regularization", ICLR.
    """
    return _adam(lr, betas, eps, weight_decay, owner="amsgrad", factory="amsgrad", name="AMSGrad",
                 amsgrad=True, decoupled=False,
                 torch="matches torch.optim.Adam(amsgrad=True) exactly (defaults lr=1e-3, "
                       "betas=(0.9, 0.999), eps=1e-8, weight_decay=0)")


def adamw(lr: Any = 1e-3, betas: tuple = (0.9, 0.999), eps: Any = 1e-8,
          weight_decay: Any = 1e-2, amsgrad: bool = False) -> Rule:
    r"""AdamW: Adam with decoupled weight decay.

    Matches ``torch.optim.AdamW`` exactly, defaults included (note
    ``weight_decay=1e-2``).

    Parameters
    ----------
    lr : float, array or schedule
        Learning rate :math:`\eta` (PyTorch default 1e-3).
    betas : pair of float (or array) in [0, 1)
        :math:`(\beta_1, \beta_2)` (default (0.9, 0.999)).
    eps : float or array >= 0
        :math:`\epsilon`, outside the square root (default 1e-8).
    weight_decay : float or array >= 0
        Decoupled decay :math:`\lambda` (default 1e-2).
    amsgrad : bool
        Use the running maximum of :math:`v`.

    Returns
    -------
    Rule
        State :class:`AdamState`.

    Notes
    -----
    The weights shrink first, with the *gradient* untouched by the decay:

    .. math::
        \theta_t &\leftarrow (1 - \eta_t\lambda)\,\theta_t \\
        \theta_{t+1} &= \theta_t - \frac{\eta_t}{1-\beta_1^k}\,
        \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^k} + \epsilon}

    With Adam's coupled decay, :math:`\lambda\theta` is divided by
    :math:`\sqrt{\hat v}` like the rest of the gradient, so coordinates with
    large gradients are barely regularised. Decoupling makes the decay a
    plain shrinkage, as it is for SGD, and makes the best :math:`\lambda`
    much less dependent on :math:`\eta` (Loshchilov & Hutter).

    Examples
    --------
    A zero gradient leaves only the decay: the weights shrink by
    :math:`\eta\lambda` relative.

    >>> rule = adamw(lr=0.1, weight_decay=0.5)
    >>> theta = np.array([2.0])
    >>> step, _ = rule.update(np.array([0.0]), rule.init(theta), theta, t=0)
    >>> step  # -0.1 * 0.5 * 2
    array([-0.1])

    References
    ----------
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR.
    Reddi, Kale & Kumar (2018), "On the convergence of Adam and beyond", ICLR.
    Loshchilov & Hutter (2019), "Decoupled weight decay regularization", ICLR.
    """
    return _adam(lr, betas, eps, weight_decay, owner="adamw", factory="adamw", name="AdamW",
                 amsgrad=amsgrad, decoupled=True,
                 torch="matches torch.optim.AdamW exactly (defaults lr=1e-3, "
                       "betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)")
