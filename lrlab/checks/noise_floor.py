r"""Self-checks for assignment 5, part 2: the noise floor of constant-rate SGD.

The learner writes:

* ``predicted_floor(H, sigma1, lr, batch_size, n_samples)``: the stationary
  ``E f - f*`` of constant-rate SGD on a quadratic, from the discrete Lyapunov equation
  ``P = (I - lr H) P (I - lr H) + lr^2 Sigma_B``, with lrlab's batch covariance
  ``Sigma_B = Sigma_1 / B * (n - B) / (n - 1)``; in the eigenvectors ``q_i`` of ``H`` it is
  ``sum_i lr q_i^T Sigma_B q_i / (2 (2 - lr lambda_i))`` (what
  :func:`lrlab.gradient_noise.noise_floor` computes), about ``lr tr(Sigma_B) / 4`` for
  small ``lr``, and ``inf`` for ``lr >= 2/L``;
* ``measure_floor(problem, lr, batch_size, seeds=(0, 1, 2, 3, 4, 5), num_steps=600,
  burn_in=200) -> (mean, standard error)``: the full-data loss gap ``f(theta_t) - f*``
  averaged over the steps ``t >= burn_in`` of one ``lrlab.train`` run per random seed,
  then the mean and the standard error over the seeds.

Examples
--------
>>> import numpy as np
>>> from lrlab.checks import check_predicted_floor
>>> def predicted_floor(H, sigma1, lr, batch_size, n_samples):
...     sigma_b = sigma1 / batch_size * (n_samples - batch_size) / (n_samples - 1)
...     return lr * np.trace(sigma_b) / 4           # only the small-rate approximation
>>> check_predicted_floor(predicted_floor).mistake
'small_rate'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, Mistake, call_pure, run_check

__all__ = ["check_measure_floor", "check_predicted_floor"]


# -------------------------------------------------------------- predicted_floor
def _floor_variant(kind: str) -> Callable:
    def floor(H, sigma1, lr, batch_size, n_samples):
        H, sigma1 = np.asarray(H, dtype=float), np.asarray(sigma1, dtype=float)
        B, n = batch_size, n_samples
        sigma = sigma1 if kind == "no_batch" else sigma1 / (np.sqrt(B) if kind == "sqrt_batch"
                                                            else B)
        if kind not in ("no_batch", "no_population_correction"):
            sigma = sigma * (n - B) / (n - 1)
        if kind == "small_rate":                      # the closed forms of a student who
            return float(lr * np.trace(sigma) / 4)      # did not solve the equation do not
        if kind == "trace_H_sigma":                    # test the stability either
            return float(lr * np.trace(H @ sigma) / 4)
        lam, Q = np.linalg.eigh(H)
        if kind != "no_inf" and lr * lam[-1] >= 2:
            return float("inf")
        if kind == "no_rotation":
            lam, s = np.diag(H), np.diag(sigma)
        else:
            s = np.diag(Q.T @ sigma @ Q)
        per_direction = lr * s / (2.0 - lr * lam)              # lambda_i P_ii
        if kind == "distance":
            return float(np.sum(per_direction / lam))          # tr P = E |e|^2
        return float(np.sum(per_direction) * (1.0 if kind == "no_half" else 0.5))
    return floor


_FLOOR_MISTAKES = [
    Mistake("no_half", "your floor is twice the prediction: the loss gap of a quadratic is "
            "(1/2) e^T H e, so its mean is (1/2) tr(H P).", _floor_variant("no_half")),
    Mistake("no_batch", "your floor ignores the batch size: the noise of a minibatch of B "
            "samples has covariance Sigma_1 / B (times lrlab's (n - B)/(n - 1)), so the floor "
            "falls like 1/B.", _floor_variant("no_batch")),
    Mistake("sqrt_batch", "your floor falls like 1/sqrt(B): the *standard deviation* of the "
            "minibatch gradient falls like 1/sqrt(B), but its covariance, which enters the "
            "Lyapunov equation, falls like 1/B.", _floor_variant("sqrt_batch")),
    Mistake("no_population_correction", "your batch covariance misses lrlab's "
            "without-replacement factor (n - B)/(n - 1): lrlab.train draws B *distinct* "
            "samples, and lrlab.gradient_noise uses Sigma_B = Sigma_1 / B * (n - B)/(n - 1).",
            _floor_variant("no_population_correction")),
    Mistake("small_rate", "your floor is the small-rate approximation lr tr(Sigma_B)/4; the "
            "question asks for the exact stationary floor of the Lyapunov equation, whose "
            "direction i carries a factor 1/(1 - lr lambda_i / 2).",
            _floor_variant("small_rate")),
    Mistake("trace_H_sigma", "your floor uses tr(H Sigma): with Sigma the covariance of the "
            "*gradient* noise, the loss gap is about lr tr(Sigma)/4, whatever the curvatures "
            "(a sharper direction is kicked as hard but contracts faster).",
            _floor_variant("trace_H_sigma")),
    Mistake("distance", "your number is tr(P) = E|theta - theta*|^2, the mean squared "
            "*distance* to the minimum; the floor is the mean *loss* gap (1/2) tr(H P).",
            _floor_variant("distance")),
    Mistake("no_rotation", "your floor uses the diagonals of H and Sigma_B, as if H were "
            "diagonal. Work in the eigenvectors of H: the noise variance along eigenvector q_i "
            "is q_i^T Sigma_B q_i.", _floor_variant("no_rotation")),
    Mistake("no_inf", "at lr >= 2/L gradient descent itself is unstable and there is no "
            "stationary state: return inf there (your formula gives a finite, even negative, "
            "number).", _floor_variant("no_inf")),
]


def _rotated(eigs, angle):
    c, s = np.cos(angle), np.sin(angle)
    Q = np.array([[c, -s], [s, c]])
    return Q @ np.diag(eigs) @ Q.T


_SIGMA = np.array([[2.0, 0.6], [0.6, 0.5]])
_FLOOR_PROBES = [(_rotated([0.5, 3.0], 0.5), _SIGMA, 0.3, 4, 50),
                 (_rotated([1.0, 1.5], 1.0), _SIGMA * 3, 0.05, 1, 400),
                 (np.diag([0.8, 2.0]), np.array([[1.0, -0.3], [-0.3, 0.4]]), 0.6, 16, 100),
                 (np.diag([1.0, 4.0]), _SIGMA, 0.6, 2, 20)]


def _floor_behaviour(fn, probe):
    H, sigma1, lr, B, n = probe
    value = call_pure(fn, H.copy(), sigma1.copy(), lr, B, n, names=("H", "sigma1"))
    eigs = np.round(np.linalg.eigvalsh(H), 3).tolist()
    label = (f"predicted_floor(H with eigenvalues {eigs}, sigma1, lr={lr}, batch_size={B}, "
             f"n_samples={n})")
    # inf is compared on its own: a relative tolerance of inf would accept any number
    try:
        infinite = bool(np.isinf(float(value)))
    except (TypeError, ValueError):
        infinite = False
    return [(label, value), (f"{label} is inf (1: no stationary state; 0: a floor)",
                             float(infinite))]


def check_predicted_floor(predicted_floor: Callable) -> CheckResult:
    """Check ``predicted_floor(H, sigma1, lr, batch_size, n_samples)``: the Lyapunov floor."""
    return run_check("predicted_floor", predicted_floor, _floor_behaviour, _FLOOR_PROBES,
                     _floor_variant("ref"), _FLOOR_MISTAKES)


# ---------------------------------------------------------------- measure_floor
def _measure_variant(kind: str) -> Callable:
    def measure(problem, lr, batch_size, seeds=(0, 1, 2, 3, 4, 5), num_steps=600,
                burn_in=200):
        from ..rules import sgd
        from ..trainer import train

        gaps = []
        for seed in seeds:
            history = train(problem, sgd(lr), num_steps, batch_size=batch_size,
                            seed=0 if kind == "same_seed" else seed, eval_every=1,
                            record_params=False)
            losses = history.loss if kind == "minibatch_loss" else history.eval_loss
            start = 0 if kind == "from_start" else (num_steps if kind == "last_only"
                                                    else burn_in)
            f_star = 0.0 if kind == "no_f_star" else problem.f_star
            gaps.append(np.mean(losses[start:] - f_star))
        gaps = np.array(gaps)
        spread = gaps.std(ddof=0 if kind == "population_std" else 1)
        return float(gaps.mean()), float(spread if kind == "std_not_sem"
                                         else spread / np.sqrt(len(gaps)))
    return measure


_MEASURE_MISTAKES = [
    Mistake("from_start", "your mean includes the start of the runs: the loss gap starts far "
            "above the floor and takes a while to reach it. Average only the steps "
            "t >= burn_in, where each run has forgotten its start.",
            _measure_variant("from_start")),
    Mistake("same_seed", "all your runs use the same random seed: they draw the same "
            "minibatches, so they are one run repeated and the standard error is 0. Pass "
            "each seed of `seeds` to lrlab.train.", _measure_variant("same_seed")),
    Mistake("minibatch_loss", "your gap uses history.loss, the loss of the minibatch each "
            "step drew (much noisier, and not the quantity the floor predicts). Use the "
            "full-data loss: history.eval_loss with eval_every=1.",
            _measure_variant("minibatch_loss")),
    Mistake("no_f_star", "your floor is the loss itself, not the gap above the minimum: "
            "subtract problem.f_star.", _measure_variant("no_f_star")),
    Mistake("last_only", "your per-seed value is the gap at the last step only: a single, "
            "very noisy draw from the stationary distribution. Average the gap over all the "
            "steps from burn_in on.", _measure_variant("last_only")),
    Mistake("std_not_sem", "your second value is the standard deviation of the per-seed "
            "means; the error bar of their average is the standard *error*, that standard "
            "deviation divided by sqrt(number of seeds).", _measure_variant("std_not_sem")),
    Mistake("population_std", "your standard error uses the population standard deviation "
            "(ddof=0); from a handful of seeds the unbiased estimate divides by "
            "(number of seeds - 1): use ddof=1.", _measure_variant("population_std")),
]


def _measure_probes():
    from ..datasets import noisy_line
    from ..models import LinearRegression

    return [(LinearRegression(noisy_line(100, noise=1.0, seed=3)), 0.1, 4, (0, 1, 2), 200, 80),
            (LinearRegression(noisy_line(60, noise=0.5, seed=4)), 0.05, 8, (5, 6), 150, 50)]


def _measure_behaviour(fn, probe):
    problem, lr, B, seeds, steps, burn_in = probe
    out = fn(problem, lr, B, seeds=seeds, num_steps=steps, burn_in=burn_in)
    if isinstance(out, np.ndarray | list):
        out = tuple(np.asarray(out, dtype=float).tolist())
    return [(f"measure_floor(least squares with n={problem.n_samples}, lr={lr}, "
             f"batch_size={B}, seeds={seeds}, num_steps={steps}, burn_in={burn_in}) "
             "-> (mean, standard error)", out)]


def check_measure_floor(measure_floor: Callable) -> CheckResult:
    """Check ``measure_floor(problem, lr, batch_size, seeds, num_steps, burn_in)``.

    The result ``(mean, standard error)`` must agree to 1 % with lrlab runs on two
    probe least-squares problems.
    """
    return run_check("measure_floor", measure_floor, _measure_behaviour, _measure_probes(),
                     _measure_variant("ref"), _MEASURE_MISTAKES, rtol=1e-2)
