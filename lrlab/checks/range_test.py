"""Self-checks for assignment 4: the learning-rate range test (Smith 2017).

The learner writes:

* ``lr_grid(start_lr, end_lr, num_steps)``: ``num_steps`` rates, geometrically
  spaced, from ``start_lr`` to ``end_lr`` inclusive;
* ``smooth(losses, beta=0.98)``: the bias-corrected exponential moving average
  ``avg_i = beta avg_{i-1} + (1 - beta) loss_i``, ``smoothed_i = avg_i / (1 - beta**(i+1))``
  (fastai's ``LRFinder``; the same correction as Adam's);
* ``range_test(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0)``:
  one SGD step per rate, from ``problem.x0``; at step ``i`` draw a batch with
  ``problem.sample_batch(rng, batch_size)`` (``rng = np.random.default_rng(seed)``),
  record the loss at the current parameters, then step with ``lrs[i]``; stop right
  after recording a loss whose smoothed value is not finite or exceeds
  ``stop_factor`` times the best smoothed value so far. Returns the raw losses;
* ``suggest_lr(lrs, smoothed)``: fastai's "steep" rule: the slope of interval ``i``
  is ``(smoothed[i+1] - smoothed[i]) / (log lrs[i+1] - log lrs[i])``; return the left
  end ``lrs[i]`` of the steepest (most negative) interval. ``lrs`` is any increasing
  grid (the probes include one that is not geometric, as do the hidden tests).

:func:`lrlab.finder.lr_range_test` is the library's version of the same test.

Examples
--------
>>> import numpy as np
>>> from lrlab.checks import check_lr_grid
>>> def lr_grid(start_lr, end_lr, num_steps):
...     return np.linspace(start_lr, end_lr, num_steps)
>>> check_lr_grid(lr_grid).mistake
'linear'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, Mistake, _Mutated, call_pure, require_array, run_check

__all__ = ["check_lr_grid", "check_range_test", "check_smooth", "check_suggest_lr"]


# ---------------------------------------------------------------------- lr_grid
def _grid_ref(start_lr, end_lr, num_steps):
    return start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))


_GRID_MISTAKES = [
    Mistake("linear", "your rates are evenly spaced (linear); a range test spans several "
            "orders of magnitude, so consecutive rates must differ by a constant *factor*.",
            lambda start_lr, end_lr, num_steps: np.linspace(start_lr, end_lr, num_steps)),
    Mistake("no_endpoint", "your grid stops one factor short of end_lr: the last rate must "
            "be end_lr itself (divide the exponent by num_steps - 1).",
            lambda start_lr, end_lr, num_steps:
            start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / num_steps)),
    Mistake("logspace_of_rates", "np.logspace takes exponents (log10 of the rates), not the "
            "rates themselves.",
            lambda start_lr, end_lr, num_steps: np.logspace(start_lr, end_lr, num_steps)),
]

_GRID_PROBES = [(1e-5, 1.0, 11), (1e-3, 10.0, 5), (0.01, 0.08, 4)]


def _grid_behaviour(fn, probe):
    return [(f"lr_grid{probe}", require_array(fn(*probe)))]


def check_lr_grid(lr_grid: Callable) -> CheckResult:
    """Check ``lr_grid(start_lr, end_lr, num_steps)``: a geometric grid, both ends included."""
    return run_check("lr_grid", lr_grid, _grid_behaviour, _GRID_PROBES, _grid_ref,
                     _GRID_MISTAKES)


# ----------------------------------------------------------------------- smooth
def _smooth(losses, beta=0.98, *, kind="ref"):
    losses = np.asarray(losses, dtype=float)
    out = np.empty_like(losses)
    avg = 0.0
    for i, value in enumerate(losses):
        if kind == "beta_swapped":
            avg = (1 - beta) * avg + beta * value
        else:
            avg = beta * avg + (1 - beta) * value
        if kind == "no_bias_correction":
            out[i] = avg
        elif kind == "correction_off_by_one":
            out[i] = avg / (1 - beta**i)
        else:
            out[i] = avg / (1 - beta ** (i + 1))
    return out


def _smooth_variant(kind):
    def fn(losses, beta=0.98):
        return _smooth(losses, beta, kind=kind)
    return fn


_SMOOTH_MISTAKES = [
    Mistake("no_bias_correction", "your smoothed loss starts near 0: the moving average "
            "starts at 0, so the first values are biased low; divide by 1 - beta**(i+1) "
            "(bias correction, as in Adam).", _smooth_variant("no_bias_correction")),
    Mistake("beta_swapped", "your average gives weight beta to the *new* loss; beta (0.98) "
            "is the weight of the old average.", _smooth_variant("beta_swapped")),
    Mistake("correction_off_by_one", "your bias correction is off by one: with 0-based i, "
            "after i + 1 losses the weights sum to 1 - beta**(i+1) (yours is 0 at i = 0).",
            _smooth_variant("correction_off_by_one")),
]

_LOSSES = np.array([2.0, 1.8, 1.9, 1.5, 1.2, 1.3, 0.9, 1.1, 2.5, 4.0])
_SMOOTH_PROBES = [({}, _LOSSES), ({"beta": 0.7}, _LOSSES[::-1].copy())]


def _smooth_behaviour(fn, probe):
    kwargs, losses = probe
    out = require_array(call_pure(fn, losses.copy(), names=("losses",), **kwargs))
    where = f"beta={kwargs.get('beta', 0.98)}"
    return [(f"smoothed loss {i} ({where})", v)
            for i, v in enumerate(np.asarray(out, dtype=float).ravel())] + [
        (f"the number of smoothed values ({where})", np.size(out))]


def check_smooth(smooth: Callable) -> CheckResult:
    """Check ``smooth(losses, beta=0.98)``: the bias-corrected moving average."""
    return run_check("smooth", smooth, _smooth_behaviour, _SMOOTH_PROBES,
                     _smooth_variant("ref"), _SMOOTH_MISTAKES)


# ------------------------------------------------------------------- range_test
class _Probe:
    """A quadratic whose batches (with a batch size) add gradient noise."""

    def __init__(self, eigenvalues, x0, noise=0.0):
        self.h = np.asarray(eigenvalues, dtype=float)
        self.x0 = np.asarray(x0, dtype=float)
        self.dim = self.x0.size
        self.noise = noise
        self.name = "probe quadratic"

    def sample_batch(self, rng, batch_size):
        if batch_size is None:
            return None
        return rng.standard_normal(self.dim) / np.sqrt(batch_size)

    def loss_and_grad(self, theta, batch=None):
        theta = np.asarray(theta, dtype=float)
        loss = 0.5 * np.sum(self.h * theta**2, axis=-1)
        grad = self.h * theta
        if batch is not None:
            grad = grad + self.noise * batch
        return loss, grad

    def loss(self, theta, batch=None):
        return self.loss_and_grad(theta, batch)[0]

    def grad(self, theta, batch=None):
        return self.loss_and_grad(theta, batch)[1]


def _range(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0, *, kind="ref"):
    rng = np.random.default_rng(seed)
    theta = np.array(problem.x0, dtype=float)
    losses = []
    avg, best, best_raw = 0.0, np.inf, np.inf
    sign = -1.0 if kind == "wrong_sign" else 1.0
    for i, lr in enumerate(lrs):
        if kind == "rng_reset":
            rng = np.random.default_rng(seed)
        batch = problem.sample_batch(rng, batch_size)
        loss, grad = problem.loss_and_grad(theta, batch)
        losses.append(float(loss))
        avg = beta * avg + (1 - beta) * loss
        smoothed = avg if kind == "no_bias_correction" else avg / (1 - beta ** (i + 1))
        if kind == "stop_raw":
            if not np.isfinite(loss) or loss > stop_factor * best_raw:
                break
        elif kind != "no_stop" and (not np.isfinite(smoothed) or smoothed > stop_factor * best):
            if kind == "stop_unrecorded":
                losses.pop()
            break
        best, best_raw = min(best, smoothed), min(best_raw, loss)
        theta = theta - sign * lr * grad
    return np.array(losses)


def _range_variant(kind):
    def fn(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0):
        return _range(problem, lrs, batch_size, seed, beta, stop_factor, kind=kind)
    return fn


_RANGE_MISTAKES = [
    Mistake("no_stop", "your test never stops early: stop right after the smoothed loss "
            "exceeds stop_factor times its best value so far (the rest of the grid only "
            "shows divergence and costs time).", _range_variant("no_stop")),
    Mistake("stop_raw", "your test stops on the raw loss: compare the *smoothed* loss with "
            "stop_factor times the best smoothed loss, or one noisy batch ends the test.",
            _range_variant("stop_raw")),
    Mistake("no_bias_correction", "your test stops after a few steps: without bias "
            "correction the moving average starts near 0 and its first values look like a "
            "4x increase.", _range_variant("no_bias_correction")),
    Mistake("wrong_sign", "your steps go uphill: the loss rises from the first step.",
            _range_variant("wrong_sign")),
    Mistake("stop_unrecorded", "your test returns one loss too few: it stops *before* "
            "recording the loss that triggered the stop. Record every loss you compute, then "
            "test whether to stop, so that the curve shows the blow-up.",
            _range_variant("stop_unrecorded")),
    Mistake("rng_reset", "your batches repeat: you create the random generator inside the "
            "loop, so every step draws the same batch. Create it once, before the loop, and "
            "draw every batch from it.", _range_variant("rng_reset")),
]

_RANGE_PROBES = [
    ((_Probe([1.0, 4.0], [1.0, 1.0]), 30, 1e-3, 10.0), {}),
    ((_Probe([0.5, 2.0, 8.0], [1.0, -1.0, 0.5], noise=0.5), 40, 1e-4, 3.0),
     {"batch_size": 4, "seed": 3, "beta": 0.9, "stop_factor": 3.0}),
]


def _range_behaviour(fn, probe):
    (problem, n, lo, hi), kwargs = probe
    lrs = _grid_ref(lo, hi, n)
    x0 = problem.x0.copy()
    out = call_pure(fn, problem, lrs, names=("problem", "lrs"), **kwargs)
    if not np.array_equal(problem.x0, x0):
        problem.x0 = x0
        raise _Mutated("problem.x0")
    out = np.asarray(require_array(out), dtype=float).ravel()
    where = ", ".join(f"{k}={v}" for k, v in kwargs.items()) or "defaults"
    items = [(f"the number of recorded losses ({where}, {n} rates)", out.size)]
    items += [(f"loss {i} ({where})", v) for i, v in enumerate(out)]
    return items


def check_range_test(range_test: Callable) -> CheckResult:
    """Check ``range_test(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0)``.

    Runs it on two small quadratics (one with gradient noise drawn through
    ``problem.sample_batch``) and compares the recorded losses and where it stopped.
    """
    return run_check("range_test", range_test, _range_behaviour, _RANGE_PROBES,
                     _range_variant("ref"), _RANGE_MISTAKES)


# -------------------------------------------------------------------- suggest_lr
def _slopes(lrs, smoothed):
    return np.diff(smoothed) / np.diff(np.log(lrs))


def _suggest_ref(lrs, smoothed):
    return float(lrs[np.argmin(_slopes(lrs, smoothed))])


_SUGGEST_MISTAKES = [
    Mistake("steepest_ascent", "you picked where the loss *rises* fastest: the suggestion is "
            "where it falls fastest (the most negative slope).",
            lambda lrs, smoothed: float(lrs[np.argmax(_slopes(lrs, smoothed))])),
    Mistake("slope_vs_lr", "you measured the slope against lr, not log(lr): on a geometric "
            "grid that favours the smallest rates. The range-test plot has a log x-axis.",
            lambda lrs, smoothed: float(lrs[np.argmin(np.diff(smoothed) / np.diff(lrs))])),
    Mistake("min_loss", "you returned the rate at the minimum of the loss: there the loss "
            "is about to blow up. The steepest-descent rule picks a smaller rate.",
            lambda lrs, smoothed: float(lrs[np.argmin(smoothed)])),
    Mistake("min_over_10", "you used the 'minimum / 10' rule (fastai's other suggestion); "
            "this exercise asks for the steepest descent.",
            lambda lrs, smoothed: float(lrs[np.argmin(smoothed)] / 10)),
    Mistake("right_end", "you returned the right end of the steepest interval; the rule "
            "(fastai's, and lrlab.finder.suggest_steep) returns its left end, the smaller "
            "rate: interval i runs from lrs[i] to lrs[i + 1].",
            lambda lrs, smoothed: float(lrs[np.argmin(_slopes(lrs, smoothed)) + 1])),
    Mistake("returns_index", "your function returns a position in the arrays, not a "
            "learning rate: return the rate lrs[i] itself.",
            lambda lrs, smoothed: int(np.argmin(_slopes(lrs, smoothed)))),
    Mistake("slope_vs_index", "your slope ignores the spacing of the rates: it is the change of "
            "the loss per *interval*, which equals the slope against log(lr) only on a "
            "geometric grid. Divide by the difference of log(lr) so that any increasing grid "
            "works.", lambda lrs, smoothed: float(lrs[np.argmin(np.diff(smoothed))])),
    Mistake("central_differences", "you used central differences (np.gradient); this rule "
            "takes the slope of each interval between neighbouring rates (np.diff) and "
            "returns the left end of the steepest interval.",
            lambda lrs, smoothed:
            float(lrs[np.argmin(np.gradient(smoothed, np.log(lrs)))])),
]


def _curve(lrs, *, drop, rise, dip=0.0, shift=0.0):
    x = np.log10(lrs)
    return (2.0 - 1.5 / (1 + np.exp(-drop * (x + 2.5 + shift))) + np.exp(rise * (x - 0.2))
            - dip * np.exp(-((x + 4.2) ** 2) / 0.02))


_LRS = _grid_ref(1e-5, 1.0, 41)
_SHORT = _grid_ref(1e-4, 1.0, 8)
_UNEVEN = np.array([1e-4, 3e-4, 1e-3, 1.2e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0])  # not geometric
_SUGGEST_PROBES = [(_LRS, _curve(_LRS, drop=3.0, rise=4.0)),
                   (_LRS, _curve(_LRS, drop=1.5, rise=3.0, dip=0.05)),
                   (_SHORT, 2.0 + np.cumsum([0.0, -0.01, -0.45, -0.5, -0.05, 0.02, 0.3, 1.0])),
                   (_UNEVEN, _curve(_UNEVEN, drop=3.0, rise=4.0, shift=0.4))]


def _suggest_behaviour(fn, probe):
    lrs, smoothed = probe
    out = call_pure(fn, lrs.copy(), smoothed.copy(), names=("lrs", "smoothed"))
    grid = "a geometric grid" if np.allclose(lrs[1:] / lrs[:-1], lrs[1] / lrs[0]) \
        else "an increasing grid that is not geometric"
    return [(f"suggest_lr on a synthetic range-test curve ({grid} of {lrs.size} rates)", out)]


def check_suggest_lr(suggest_lr: Callable) -> CheckResult:
    """Check ``suggest_lr(lrs, smoothed)``: left end of the steepest interval against log(lr)."""
    return run_check("suggest_lr", suggest_lr, _suggest_behaviour, _SUGGEST_PROBES,
                     _suggest_ref, _SUGGEST_MISTAKES)
