"""Planted mistakes of assignment 05_stability_and_noise (heavy ball and the noise floor).

Same fields as :class:`planted_bugs.PlantedBug`; ``tests/test_coursework.py`` grades each
one with nbgrader (exactly the ``caught_by`` test cells lose points) and
``tests/test_checks_heavy_ball_noise.py`` asserts that the self-check names ``mistake``.
The later cells use the earlier functions (``heavy_ball_factor`` calls
``companion_matrix``, ``heavy_ball_limit`` calls ``heavy_ball_factor``, the floor table
calls ``predicted_floor`` and ``measure_floor``), so a mistake can cost several cells.
"""

from __future__ import annotations

from planted_bugs import PlantedBug

A5 = "05_stability_and_noise"

BUGS = [
    # ------------------------------------------------------------- heavy ball
    PlantedBug("dv-momentum-sign", A5, "companion_matrix", '''
def companion_matrix(lr, beta, curvature):
    return np.array([[1.0 - beta - lr * curvature, beta],
                     [1.0, 0.0]])
''', "check_companion_matrix", "momentum_sign",
        ("test_companion_matrix", "test_heavy_ball_factor", "test_heavy_ball_limit",
         "test_limits_agree")),
    PlantedBug("dv-factor-only-L", A5, "heavy_ball_factor", '''
def heavy_ball_factor(lr, beta, curvatures):
    M = companion_matrix(lr, beta, max(curvatures))
    return float(np.abs(np.linalg.eigvals(M)).max())
''', "check_heavy_ball_factor", "only_L", ("test_heavy_ball_factor",), hidden=True),
    PlantedBug("dv-factor-eigvalsh", A5, "heavy_ball_factor", '''
def heavy_ball_factor(lr, beta, curvatures):
    return float(max(np.abs(np.linalg.eigvalsh(companion_matrix(lr, beta, lam))).max()
                     for lam in curvatures))
''', "check_heavy_ball_factor", "eigvalsh",
        ("test_heavy_ball_factor", "test_heavy_ball_limit", "test_limits_agree")),
    PlantedBug("dv-limit-no-momentum", A5, "heavy_ball_limit", '''
def heavy_ball_limit(L, beta, tol=1e-6):
    low, high = 0.0, 4.0 / L
    while high - low > tol:
        mid = 0.5 * (low + high)
        if heavy_ball_factor(mid, 0.0, [L]) < 1:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)
''', "check_heavy_ball_limit", "no_momentum", ("test_heavy_ball_limit", "test_limits_agree")),
    PlantedBug("dv-polyak-beta-not-squared", A5, "optimal_heavy_ball", '''
def optimal_heavy_ball(mu, L):
    root_kappa = np.sqrt(L / mu)
    beta = (root_kappa - 1) / (root_kappa + 1)
    return 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2, beta, np.sqrt(beta)
''', "check_optimal_heavy_ball", "beta_not_squared", ("test_optimal_heavy_ball",)),
    # ------------------------------------------------------------ noise floor
    PlantedBug("dv-floor-no-half", A5, "predicted_floor", '''
def predicted_floor(H, sigma1, lr, batch_size, n_samples):
    sigma_b = sigma1 / batch_size * (n_samples - batch_size) / (n_samples - 1)
    lam, Q = np.linalg.eigh(H)
    if lr * lam[-1] >= 2:
        return float("inf")
    s = np.diag(Q.T @ sigma_b @ Q)
    return float(np.sum(lr * s / (2 - lr * lam)))
''', "check_predicted_floor", "no_half", ("test_predicted_floor", "test_floor_table")),
    PlantedBug("dv-floor-no-batch", A5, "predicted_floor", '''
def predicted_floor(H, sigma1, lr, batch_size, n_samples):
    lam, Q = np.linalg.eigh(H)
    if lr * lam[-1] >= 2:
        return float("inf")
    s = np.diag(Q.T @ sigma1 @ Q)
    return float(np.sum(lr * s / (2 * (2 - lr * lam))))
''', "check_predicted_floor", "no_batch", ("test_predicted_floor", "test_floor_table")),
    PlantedBug("dv-floor-trace-H-sigma", A5, "predicted_floor", '''
def predicted_floor(H, sigma1, lr, batch_size, n_samples):
    sigma_b = sigma1 / batch_size * (n_samples - batch_size) / (n_samples - 1)
    return float(lr * np.trace(H @ sigma_b) / 4)
''', "check_predicted_floor", "trace_H_sigma", ("test_predicted_floor", "test_floor_table")),
    PlantedBug("dv-floor-no-inf", A5, "predicted_floor", '''
def predicted_floor(H, sigma1, lr, batch_size, n_samples):
    sigma_b = sigma1 / batch_size * (n_samples - batch_size) / (n_samples - 1)
    lam, Q = np.linalg.eigh(H)
    s = np.diag(Q.T @ sigma_b @ Q)
    return float(np.sum(lr * s / (2 * (2 - lr * lam))))
''', "check_predicted_floor", "no_inf", ("test_predicted_floor",), hidden=True),
    PlantedBug("dv-measure-from-start", A5, "measure_floor", '''
def measure_floor(problem, lr, batch_size, seeds=(0, 1, 2, 3, 4, 5), num_steps=600, burn_in=200):
    per_seed = []
    for seed in seeds:
        history = lrlab.train(problem, lrlab.sgd(lr), num_steps, batch_size=batch_size,
                              seed=seed, eval_every=1, record_params=False)
        per_seed.append(np.mean(history.eval_loss - problem.f_star))
    per_seed = np.array(per_seed)
    return float(per_seed.mean()), float(per_seed.std(ddof=1) / np.sqrt(len(per_seed)))
''', "check_measure_floor", "from_start", ("test_measure_floor", "test_floor_table")),
    PlantedBug("dv-measure-same-seed", A5, "measure_floor", '''
def measure_floor(problem, lr, batch_size, seeds=(0, 1, 2, 3, 4, 5), num_steps=600, burn_in=200):
    per_seed = []
    for seed in seeds:
        history = lrlab.train(problem, lrlab.sgd(lr), num_steps, batch_size=batch_size,
                              eval_every=1, record_params=False)
        per_seed.append(np.mean(history.eval_loss[burn_in:] - problem.f_star))
    per_seed = np.array(per_seed)
    return float(per_seed.mean()), float(per_seed.std(ddof=1) / np.sqrt(len(per_seed)))
''', "check_measure_floor", "same_seed", ("test_measure_floor", "test_floor_table")),
    PlantedBug("dv-measure-std-not-sem", A5, "measure_floor", '''
def measure_floor(problem, lr, batch_size, seeds=(0, 1, 2, 3, 4, 5), num_steps=600, burn_in=200):
    per_seed = []
    for seed in seeds:
        history = lrlab.train(problem, lrlab.sgd(lr), num_steps, batch_size=batch_size,
                              seed=seed, eval_every=1, record_params=False)
        per_seed.append(np.mean(history.eval_loss[burn_in:] - problem.f_star))
    return float(np.mean(per_seed)), float(np.std(per_seed, ddof=1))
''', "check_measure_floor", "std_not_sem", ("test_measure_floor",), hidden=True),
]
