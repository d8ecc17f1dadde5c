"""Self-checks for assignment 3: one step of Adagrad, of RMSprop and of Adam.

The learner writes single-step functions that thread their state explicitly:

* ``adagrad_update(theta, grad, accum, lr, eps=1e-10) -> (theta, accum)``::

      accum <- accum + grad**2
      theta <- theta - lr * grad / (sqrt(accum) + eps)

* ``rmsprop_update(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8) -> (theta, sq_avg)``::

      sq_avg <- alpha * sq_avg + (1 - alpha) * grad**2
      theta  <- theta - lr * grad / (sqrt(sq_avg) + eps)

* ``adam_update(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8) -> (theta, m, v)``
  with bias correction (:func:`check_adam`);

exactly ``torch.optim.Adagrad`` / ``RMSprop`` / ``Adam`` with their defaults (and
:func:`lrlab.rules.adagrad` / :func:`lrlab.rules.rmsprop` / :func:`lrlab.rules.adam`): eps is added
*outside* the square root. The checks run five steps from a zero state on a
fixed sequence of gradients, with a large ``eps`` in one probe so that eps
placement shows, and compare the parameters and the state after every step.

Examples
--------
>>> import numpy as np
>>> from lrlab.checks import check_adagrad
>>> def adagrad_update(theta, grad, accum, lr, eps=1e-10):
...     accum = accum + grad**2
...     return theta - lr * grad / (accum + eps), accum
>>> check_adagrad(adagrad_update).mistake
'no_sqrt'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, Mistake, call_pure, run_check

__all__ = ["check_adagrad", "check_adam", "check_rmsprop"]

_GRADS = np.array([[1.0, -0.5, 4.0], [2.0, 0.1, -3.0], [-1.0, -0.2, 0.5], [0.5, 0.3, -2.0],
                   [3.0, -0.1, 1.0]])


def _rollout(state_name, keywords):
    def behaviour(fn, probe):
        kwargs, lr = probe
        theta = np.array([1.0, -2.0, 0.5])
        state = np.zeros(3)
        items = []
        for k, g in enumerate(_GRADS):
            out = call_pure(fn, theta, g.copy(), state, lr, names=("theta", "grad", state_name),
                            **kwargs)
            if not isinstance(out, tuple | list) or len(out) != 2:
                raise TypeError(f"the function must return a pair (theta, {state_name}); "
                                f"got {type(out).__name__}")
            theta, state = (np.asarray(v, dtype=float) for v in out)
            where = ", ".join([f"lr={lr}"] + [f"{k}={v}" for k, v in kwargs.items()
                                              if k in keywords])
            items.append((f"step {k} ({where}): theta", theta))
            items.append((f"step {k} ({where}): {state_name}", state))
        return items
    return behaviour


# ------------------------------------------------- the shared denominator sqrt(v) + eps
def _denominator(used, eps, kind, *, own_eps):
    """``sqrt(used) + eps`` as the reference computes it, or as mistake ``kind`` does
    (no root, eps inside the root, a hard-coded eps ``own_eps``, one global root)."""
    if kind == "no_sqrt":
        return used + eps
    if kind == "eps_inside":
        return np.sqrt(used + eps)
    if kind == "eps_ignored":
        return np.sqrt(used) + own_eps
    if kind == "global":
        return np.sqrt(np.sum(used)) + eps
    return np.sqrt(used) + eps


# ---------------------------------------------------------------------- Adagrad
def _adagrad(theta, grad, accum, lr, eps=1e-10, *, kind="ref"):
    sign = -1.0 if kind == "wrong_sign" else 1.0
    new = accum + (grad if kind == "accum_g" else grad**2)
    if kind == "forgets_state":
        new_out = accum
    else:
        new_out = new
    used = accum if kind == "stale" else new
    return theta - sign * lr * grad / _denominator(used, eps, kind, own_eps=1e-10), new_out


def _ada_variant(kind):
    def fn(theta, grad, accum, lr, eps=1e-10):
        return _adagrad(theta, grad, accum, lr, eps, kind=kind)
    return fn


_ADAGRAD_MISTAKES = [
    Mistake("no_sqrt", "your Adagrad divides by the sum of squared gradients, not its square "
            "root: the step then shrinks like 1/t instead of 1/sqrt(t) and has the wrong "
            "units (it no longer makes the step independent of the gradient's scale).",
            _ada_variant("no_sqrt")),
    Mistake("eps_inside", "eps belongs outside the square root in this convention (torch's "
            "Adagrad: sqrt(accum) + eps), not inside it.", _ada_variant("eps_inside")),
    Mistake("accum_g", "your accumulator sums the gradients, not their squares: Adagrad keeps "
            "the running sum of grad**2 (so it is never negative).", _ada_variant("accum_g")),
    Mistake("stale", "your step uses the accumulator *before* adding the current squared "
            "gradient; add grad**2 first, then divide.", _ada_variant("stale")),
    Mistake("forgets_state", "your function returns the old accumulator: return the updated "
            "one, so the next step sees the sum of all squared gradients so far.",
            _ada_variant("forgets_state")),
    Mistake("wrong_sign", "your step goes uphill: the update must move against the gradient.",
            _ada_variant("wrong_sign")),
    Mistake("eps_ignored", "your function ignores its eps argument (it uses a constant of its "
            "own); use the eps it is given.", _ada_variant("eps_ignored")),
    Mistake("global", "your step divides every coordinate by the same number (a root of the "
            "sum over *all* coordinates): Adagrad's division is elementwise, each coordinate "
            "with its own accumulated squared gradients, so each gets its own rate.",
            _ada_variant("global")),
]

_ADAGRAD_PROBES = [({}, 0.1), ({"eps": 0.5}, 0.3)]


def check_adagrad(adagrad_update: Callable) -> CheckResult:
    """Check ``adagrad_update(theta, grad, accum, lr, eps=1e-10) -> (theta, accum)``.

    Five steps from ``accum = 0`` on fixed gradients, with the default eps and with
    ``eps=0.5``; compared with torch's Adagrad (as :func:`lrlab.rules.adagrad`).
    """
    return run_check("adagrad_update", adagrad_update, _rollout("accum", ("eps",)),
                     _ADAGRAD_PROBES, _ada_variant("ref"), _ADAGRAD_MISTAKES)


# ---------------------------------------------------------------------- RMSprop
def _rmsprop(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8, *, kind="ref"):
    sign = -1.0 if kind == "wrong_sign" else 1.0
    g2 = grad if kind == "accum_g" else grad**2
    if kind == "alpha_swapped":
        new = (1 - alpha) * sq_avg + alpha * g2
    elif kind == "sum":
        new = sq_avg + g2
    else:
        new = alpha * sq_avg + (1 - alpha) * g2
    used = sq_avg if kind == "stale" else new
    denom = _denominator(used, eps, kind, own_eps=1e-8)
    return theta - sign * lr * grad / denom, (sq_avg if kind == "forgets_state" else new)


def _rms_variant(kind):
    def fn(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
        return _rmsprop(theta, grad, sq_avg, lr, alpha, eps, kind=kind)
    return fn


_RMSPROP_MISTAKES = [
    Mistake("alpha_swapped", "your moving average gives weight alpha to the *new* squared "
            "gradient; alpha (0.99) is the weight of the old average and 1 - alpha that of "
            "grad**2.", _rms_variant("alpha_swapped")),
    Mistake("no_sqrt", "your RMSprop divides by the mean squared gradient, not its square "
            "root (the *root* mean square).", _rms_variant("no_sqrt")),
    Mistake("eps_inside", "eps belongs outside the square root in this convention (torch's "
            "RMSprop: sqrt(sq_avg) + eps), not inside it.", _rms_variant("eps_inside")),
    Mistake("sum", "your state is a running *sum* of squared gradients: that is Adagrad. "
            "RMSprop keeps an exponential moving average, so old gradients are forgotten.",
            _rms_variant("sum")),
    Mistake("accum_g", "your moving average is over the gradients, not their squares.",
            _rms_variant("accum_g")),
    Mistake("stale", "your step uses the average *before* mixing in the current squared "
            "gradient; update sq_avg first, then divide.", _rms_variant("stale")),
    Mistake("forgets_state", "your function returns the old sq_avg: return the updated one.",
            _rms_variant("forgets_state")),
    Mistake("wrong_sign", "your step goes uphill: the update must move against the gradient.",
            _rms_variant("wrong_sign")),
    Mistake("eps_ignored", "your function ignores its eps argument (it uses a constant of its "
            "own); use the eps it is given.", _rms_variant("eps_ignored")),
]

_RMSPROP_PROBES = [({}, 0.01), ({"alpha": 0.8, "eps": 0.5}, 0.1)]


def check_rmsprop(rmsprop_update: Callable) -> CheckResult:
    """Check ``rmsprop_update(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8)``.

    Five steps from ``sq_avg = 0`` on fixed gradients, with the defaults and with
    ``alpha=0.8, eps=0.5``; compared with torch's RMSprop (as :func:`lrlab.rules.rmsprop`).
    """
    return run_check("rmsprop_update", rmsprop_update, _rollout("sq_avg", ("alpha", "eps")),
                     _RMSPROP_PROBES, _rms_variant("ref"), _RMSPROP_MISTAKES)


# ------------------------------------------------------------------------- Adam
def _adam(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, *, kind="ref"):
    """Reference Adam step (torch.optim.Adam, lrlab.rules.adam) and catalogued mistakes."""
    m_new = beta1 * m + (grad if kind == "m_not_averaged" else (1 - beta1) * grad)
    v_new = beta2 * v + (1 - beta2) * (grad if kind == "v_of_g" else grad**2)
    k = t - 1 if kind == "t_from_zero" else t
    with np.errstate(divide="ignore", invalid="ignore"):
        bias1, bias2 = 1 - beta1**k, 1 - beta2**k
        if kind == "no_bias_correction":
            step = m_new / (np.sqrt(v_new) + eps)
        elif kind == "eps_hat":   # Kingma & Ba's "efficient" form: eps not rescaled
            step = m_new * np.sqrt(bias2) / bias1 / (np.sqrt(v_new) + eps)
        elif kind == "eps_inside":
            step = (m_new / bias1) / np.sqrt(v_new / bias2 + eps)
        elif kind == "only_first_correction":
            step = (m_new / bias1) / (np.sqrt(v_new) + eps)
        else:
            step = (m_new / bias1) / (np.sqrt(v_new / bias2) + eps)
    return theta - lr * step, m_new, v_new


def _adam_variant(kind):
    def adam_update(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return _adam(theta, grad, m, v, t, lr, beta1, beta2, eps, kind=kind)
    return adam_update


_ADAM_MISTAKES = [
    Mistake("no_bias_correction", "your Adam skips the bias correction: m and v start at 0, so "
            "early on they underestimate the moments; divide m by 1 - beta1**t and v by "
            "1 - beta2**t (t counts steps from 1).", _adam_variant("no_bias_correction")),
    Mistake("only_first_correction", "you correct m's bias but not v's: v also starts at 0 and "
            "needs its own factor 1 - beta2**t inside the square root.",
            _adam_variant("only_first_correction")),
    Mistake("t_from_zero", "your bias correction uses t - 1: with t counted from 1, the "
            "first step divides by 1 - beta**1; 1 - beta**0 = 0 divides by zero.",
            _adam_variant("t_from_zero")),
    Mistake("eps_inside", "eps belongs outside the square root (torch's Adam: "
            "sqrt(v_hat) + eps), not inside it.", _adam_variant("eps_inside")),
    Mistake("eps_hat", "you fold both corrections into the step size and add eps to the "
            "uncorrected sqrt(v): that is the 'efficient' form of Kingma & Ba's Algorithm 1 "
            "(its eps-hat), not torch's Adam, whose eps is added to sqrt(v_hat); they differ "
            "when eps is not negligible.", _adam_variant("eps_hat")),
    Mistake("m_not_averaged", "your first moment adds the whole gradient (beta1 * m + grad): "
            "it is an exponential moving average, beta1 * m + (1 - beta1) * grad.",
            _adam_variant("m_not_averaged")),
    Mistake("v_of_g", "your second moment averages the gradients, not their squares.",
            _adam_variant("v_of_g")),
]

# (keyword arguments, lr): the defaults, and a large eps with short memories so that the
# place of eps and each correction factor show.
_ADAM_PROBES = [({}, 0.01), ({"beta1": 0.5, "beta2": 0.8, "eps": 0.5}, 0.1)]


def _adam_rollout(fn, probe):
    kwargs, lr = probe
    theta, m, v = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3)
    where = ", ".join([f"lr={lr}"] + [f"{k}={val}" for k, val in kwargs.items()])
    items = []
    for t, g in enumerate(_GRADS, start=1):
        out = call_pure(fn, theta, g.copy(), m, v, t, lr, names=("theta", "grad", "m", "v"),
                        **kwargs)
        if not isinstance(out, tuple | list) or len(out) != 3:
            raise TypeError(f"adam_update must return a triple (theta, m, v); got "
                            f"{type(out).__name__}")
        theta, m, v = (np.asarray(x, dtype=float) for x in out)
        for name, value in (("theta", theta), ("m", m), ("v", v)):
            items.append((f"step t={t} ({where}): {name}", value))
    return items


def check_adam(adam_update: Callable) -> CheckResult:
    """Check ``adam_update(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8)``.

    It returns ``(theta, m, v)`` after step ``t`` (counted from 1), as
    ``torch.optim.Adam`` and :func:`lrlab.rules.adam`::

        m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g**2
        theta <- theta - lr (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    Five steps from zero moments, with the defaults and with ``beta1=0.5,
    beta2=0.8, eps=0.5`` (where eps placement and each correction show).
    """
    return run_check("adam_update", adam_update, _adam_rollout, _ADAM_PROBES,
                     _adam_variant("ref"), _ADAM_MISTAKES)
