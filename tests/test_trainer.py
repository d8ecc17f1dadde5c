"""The training loop: closed forms, batching, seeding, divergence, stopping, bad input."""

import warnings

import numpy as np
import pytest

import lrlab
from lrlab import EarlyStopping, Problem, train
from lrlab.rules import sgd


class Bowl(Problem):
    """f(theta) = 1/2 sum_i c_i theta_i^2, with optional gradient noise."""

    def __init__(self, curvatures, noise=0.0, x0=None):
        self.c = np.asarray(curvatures, dtype=float)
        self.dim = self.c.size
        self.x0 = np.ones(self.dim) if x0 is None else np.asarray(x0, float)
        self.noise = noise
        self.smoothness = float(self.c.max())
        self.name = "bowl"

    def _loss(self, theta, batch):
        return 0.5 * np.sum(self.c * theta**2, axis=-1)

    def _grad(self, theta, batch):
        return self.c * theta


class LogBarrier(Problem):
    """f(x) = x - log(x): NaN for x < 0, which a too-large step reaches."""

    name = "log barrier"
    dim = 1
    x0 = np.array([2.0])

    def _loss(self, theta, batch):
        x = theta[..., 0]
        return x - np.log(x)

    def _grad(self, theta, batch):
        return 1.0 - 1.0 / theta


class Regression(Problem):
    """Least squares on 40 fixed samples, for minibatch tests."""

    def __init__(self):
        rng = np.random.default_rng(3)
        self.X = rng.standard_normal((40, 3))
        self.y = self.X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(40)
        self.dim, self.n_samples, self.name = 3, 40, "regression"
        self.x0 = np.zeros(3)

    def _rows(self, batch):
        return (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])

    def _loss(self, theta, batch):
        X, y = self._rows(batch)
        r = np.einsum("nd,...d->...n", X, theta) - y
        return 0.5 * np.mean(r**2, axis=-1)

    def _grad(self, theta, batch):
        X, y = self._rows(batch)
        r = np.einsum("nd,...d->...n", X, theta) - y
        return np.einsum("...n,nd->...d", r, X) / len(y)


def test_gradient_descent_matches_closed_form():
    # theta_t = (1 - lr c)^t theta_0, so loss_t = 1/2 sum c (1 - lr c)^(2t)
    bowl = Bowl([1.0, 4.0])
    lr, T = 0.1, 30
    h = train(bowl, sgd(lr), T)
    t = np.arange(T + 1)[:, None]
    expected_params = (1 - lr * bowl.c) ** t * bowl.x0
    np.testing.assert_allclose(h.params, expected_params, rtol=1e-13)
    np.testing.assert_allclose(h.loss, 0.5 * np.sum(bowl.c * expected_params**2, axis=1),
                               rtol=1e-13)
    np.testing.assert_allclose(h.grad_norm, np.linalg.norm(bowl.c * expected_params, axis=1),
                               rtol=1e-13)
    np.testing.assert_allclose(h.lr, np.full(T, lr))
    step = np.linalg.norm(np.diff(expected_params, axis=0), axis=1)
    np.testing.assert_allclose(h.update_ratio, step / np.linalg.norm(expected_params[:-1], axis=1),
                               rtol=1e-12)
    assert h.status() == "finished" and h.last_step == T and h.reason == ""
    assert h.loss_evals[-1] == T + 1 and h.grad_evals[-1] == T + 1


def test_batched_learning_rates_equal_separate_runs():
    bowl = Bowl([1.0, 10.0], noise=0.3)
    lrs = np.array([0.01, 0.05, 0.15, 0.25])
    batched = train(bowl, sgd(lrs, momentum=0.5), 60, seed=4)
    for i, lr in enumerate(lrs):
        alone = train(bowl, sgd(float(lr), momentum=0.5), 60, seed=4)
        np.testing.assert_array_equal(batched[i].loss, alone.loss)
        np.testing.assert_array_equal(batched[i].params, alone.params)
        assert batched[i].diverged_at == alone.diverged_at
        assert batched[i].reason == alone.reason


def test_many_start_points_one_rule_and_grid_of_both():
    bowl = Bowl([1.0, 3.0])
    starts = np.array([[1.0, 1.0], [-2.0, 0.5], [0.0, 3.0]])
    h = train(bowl, sgd(0.1), 10, x0=starts)
    assert h.loss.shape == (11, 3) and h.params.shape == (11, 3, 2)
    np.testing.assert_allclose(h.params[0], starts)
    grid = train(bowl, sgd(np.array([0.1, 0.2])[:, None]), 5, x0=starts)
    assert grid.run_shape == (2, 3)
    np.testing.assert_array_equal(grid[1, 2].loss, train(bowl, sgd(0.2), 5, x0=starts[2]).loss)


def test_same_seed_same_history_and_different_seed_differs():
    problem = Regression()
    a = train(problem, sgd(0.1), 50, batch_size=8, seed=1)
    b = train(problem, sgd(0.1), 50, batch_size=8, seed=1)
    c = train(problem, sgd(0.1), 50, batch_size=8, seed=2)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


def test_minibatch_lrs_batched_equal_separate():
    problem = Regression()
    lrs = np.array([0.03, 0.3])
    h = train(problem, sgd(lrs), 40, batch_size=5, seed=7)
    for i, lr in enumerate(lrs):
        np.testing.assert_array_equal(
            h[i].params, train(problem, sgd(float(lr)), 40, batch_size=5, seed=7).params)


def test_divergence_is_recorded_not_raised_and_history_is_kept():
    bowl = Bowl([1.0, 10.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(bowl, sgd(np.array([0.1, 0.21, 1e6])), 200)
    assert list(h.status()) == ["finished", "diverged", "diverged"]
    # lr = 0.21 > 2/L: |1 - 2.1| = 1.1 per step, loss exceeds 1e5 x start at a known step
    d = int(h.diverged_at[1])
    loss0 = h.loss[0, 1]
    exact = 0.5 * (1 * 0.79 ** (2 * np.arange(d + 1)) + 10 * 1.1 ** (2 * np.arange(d + 1)))
    np.testing.assert_allclose(h.loss[: d + 1, 1], exact, rtol=1e-12)
    assert h.loss[d, 1] > loss0 * 1e5 >= h.loss[d - 1, 1]
    assert np.all(np.isnan(h.loss[d + 1:, 1]))
    assert h.reason[1] == "loss exceeded 1e+05 x its start"
    # lr = 1e6 overflows to inf fast; every value before is finite and kept
    d2 = int(h.diverged_at[2])
    assert np.all(np.isfinite(h.loss[:d2, 2]))
    assert h.reason[2] in ("loss became inf", "loss exceeded 1e+05 x its start")
    assert h[2].final_loss == h.loss[d2, 2]


def test_non_finite_loss_reason_and_no_runtime_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(LogBarrier(), sgd(5.0), 20, divergence_factor=None)
    assert h.diverged and h.reason == "loss became nan"
    assert np.isfinite(h.loss[: h.diverged_at]).all()


def test_non_finite_at_start_is_reported():
    h = train(LogBarrier(), sgd(0.1), 5, x0=[-1.0])
    assert h.diverged_at == 0 and h.reason == "loss was not finite at the start"


def test_tol_and_early_stopping_stop_runs():
    bowl = Bowl([1.0, 2.0])
    h = train(bowl, sgd(np.array([0.5, 0.01])), 500, tol=1e-6)
    assert h.stopped_at[0] > 0 and h.stopped_at[1] == -1
    assert h[0].grad_norm[h.stopped_at[0]] <= 1e-6
    assert h.reason[0].startswith("converged")
    # A run at the minimum makes no progress and stops after `patience` checks
    e = train(bowl, sgd(0.1), 100, x0=[0.0, 0.0], early_stopping=EarlyStopping(patience=5))
    assert e.stopped_at == 5 and e.status() == "stopped"


def test_eval_every_records_validation_loss():
    problem = Regression()
    h = train(problem, sgd(0.1), 20, batch_size=4, eval_every=5)
    np.testing.assert_array_equal(h.eval_steps, [0, 5, 10, 15, 20])
    np.testing.assert_allclose(h.eval_loss[0], problem.loss(problem.x0))


def test_record_state_and_lr_schedule():
    bowl = Bowl([1.0])
    h = train(bowl, sgd(lambda t: 0.1 / (1 + t), momentum=0.9), 10, record_state=True)
    assert len(h.states) == 11
    np.testing.assert_allclose(h.lr, 0.1 / (1 + np.arange(10)))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_steps": -1}, "'num_steps' parameter of train must be an int in \\[0, 1000000000\\]"),
        ({"x0": [1.0, 2.0, 3.0]}, "'x0' parameter of train must be an array of shape \\(..., 2\\)"),
        ({"x0": [np.nan, 1.0]}, "'x0' parameter of train must be finite"),
        ({"divergence_factor": 0.5}, "'divergence_factor'"),
        ({"tol": 0.0}, "'tol' parameter of train"),
        ({"record_params": "yes"}, "'record_params'"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, match):
    args = {"num_steps": 5, **kwargs}
    with pytest.raises(ValueError, match=match):
        train(Bowl([1.0, 2.0]), sgd(0.1), **args)


def test_bad_types():
    with pytest.raises(TypeError, match="'rule' parameter of train must be an lrlab Rule"):
        train(Bowl([1.0]), 0.1, 5)
    with pytest.raises(TypeError, match="'problem' parameter of train"):
        train("bowl", sgd(0.1), 5)
    with pytest.raises(ValueError, match="'batch_size' parameter of train must be an int in "
                                         "\\[1, 40\\]"):
        train(Regression(), sgd(0.1), 5, batch_size=41)
    with pytest.raises(ValueError, match="broadcastable"):
        train(Bowl([1.0]), sgd(np.array([0.1, 0.2])), 5, x0=np.zeros((3, 1)))


def test_public_namespace_is_lazy():
    assert lrlab.train is train
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lrlab.nope  # noqa: B018


# ---- the update ratio: one definition, whether or not the iterates are recorded
@pytest.mark.parametrize("record_params", [True, False])
def test_update_ratio_is_the_step_over_the_parameters(record_params):
    # Heavy ball from three starts (one at the origin, where ||theta_0|| is floored at
    # 1e-12), one run diverging: the ratio is ||theta_{t+1} - theta_t|| / ||theta_t||,
    # by hand from the iterates of a run that recorded them, and NaN from a run's last
    # step on.
    bowl = lrlab.surfaces.quadratic([1.0, 30.0], center=[1.0, -1.0])
    starts = np.array([[1.0, -2.0], [0.0, 0.0], [3.0, 1.0]])
    rule = sgd(np.array([0.02, 0.02, 0.2]), momentum=0.5)
    reference = train(bowl, rule, 40, x0=starts, record_params=True)
    assert list(reference.status()) == ["finished", "finished", "diverged"]
    p = reference.params
    by_hand = (np.linalg.norm(p[1:] - p[:-1], axis=-1)
               / np.maximum(np.linalg.norm(p[:-1], axis=-1), 1e-12))
    h = train(bowl, rule, 40, x0=starts, record_params=record_params)
    assert (h.params is None) is not record_params
    np.testing.assert_allclose(h.update_ratio, by_hand, rtol=1e-12, equal_nan=True)
    d = int(h.diverged_at[2])
    assert np.isnan(h.update_ratio[d:, 2]).all() and np.isfinite(h.update_ratio[:d, 2]).all()
    np.testing.assert_allclose(h.update_ratio[0, 1], np.linalg.norm(p[1, 1]) / 1e-12)


def test_update_ratio_of_gradient_descent_without_recorded_params():
    # theta_{t+1} - theta_t = -lr c theta_t on a bowl, so the ratio has a closed form
    bowl = Bowl([1.0, 4.0])
    h = train(bowl, sgd(0.1), 20, record_params=False)
    theta = (1 - 0.1 * bowl.c) ** np.arange(20)[:, None] * bowl.x0
    step = np.linalg.norm(0.1 * bowl.c * theta, axis=1)
    np.testing.assert_allclose(h.update_ratio, step / np.linalg.norm(theta, axis=1), rtol=1e-12)


# ---- evaluation: every eval_every steps and always the last step
@pytest.mark.parametrize(("num_steps", "every", "steps"),
                         [(20, 7, [0, 7, 14, 20]), (20, 5, [0, 5, 10, 15, 20]),
                          (3, 10, [0, 3]), (0, 4, [0])])
def test_eval_every_also_evaluates_the_last_step(num_steps, every, steps):
    problem = Regression()
    h = train(problem, sgd(np.array([0.05, 0.2])), num_steps, batch_size=4, seed=2,
              eval_every=every)
    np.testing.assert_array_equal(h.eval_steps, steps)
    # the exact full-data loss at the recorded iterates, not the minibatch loss
    np.testing.assert_allclose(h.eval_loss, problem.loss(h.params[steps]), rtol=1e-13)


def test_eval_problem_is_evaluated_at_the_last_step():
    train_part, held_out = Bowl([1.0, 2.0]), Bowl([3.0, 0.5])
    h = train(train_part, sgd(0.1), 9, eval_problem=held_out, eval_every=4)
    np.testing.assert_array_equal(h.eval_steps, [0, 4, 8, 9])
    np.testing.assert_allclose(h.eval_loss, held_out.loss(h.params[[0, 4, 8, 9]]), rtol=1e-13)


# ---- early stopping on a validation loss that is not finite
class HoleyValidation(Problem):
    """f(x) = x^2 / 2, except `value` (NaN or -inf) for x in (low, high)."""

    dim = 1
    x0 = np.array([1.0])
    name = "holey validation"

    def __init__(self, value, low, high):
        self.value, self.low, self.high = value, low, high

    def _loss(self, theta, batch):
        x = theta[..., 0]
        return np.where((x > self.low) & (x < self.high), self.value, 0.5 * x**2)

    def _grad(self, theta, batch):
        return theta


@pytest.mark.parametrize("value", [np.nan, -np.inf, np.inf])
@pytest.mark.parametrize(("low", "high", "status", "stopped_at"),
                         [(-1.0, 0.5, "stopped", 9),      # not finite from step 7 on
                          (0.45, 0.5, "finished", -1)])   # only at step 7, then improving
def test_a_non_finite_validation_loss_is_never_an_improvement(value, low, high, status,
                                                              stopped_at):
    # x_t = 0.9^t: the validation loss improves at every step, except that it is
    # `value` where x_t is in (low, high). A non-finite check counts as no progress
    # (patience 3 after the last finite improvement at step 6 ends the run at step 9)
    # and never becomes the best loss (finite improvements after it still count).
    h = train(Bowl([1.0]), sgd(0.1), 30, eval_problem=HoleyValidation(value, low, high),
              early_stopping=EarlyStopping(patience=3, monitor="eval"))
    assert not np.isfinite(h.eval_loss[7]) and np.isfinite(h.eval_loss[:7]).all()
    assert h.status() == status and h.stopped_at == stopped_at
    if status == "stopped":
        assert h.reason == "early stopping: no improvement for 3 checks"


def test_early_stopping_counts_checks_not_steps_when_monitoring_eval():
    # at the minimum nothing improves: the 4th evaluation without progress (every 5
    # steps: 0, 5, 10, 15 -- the first sets the best) ends the run
    bowl = Bowl([1.0, 2.0])
    h = train(bowl, sgd(0.1), 100, x0=[0.0, 0.0], eval_every=5,
              early_stopping=EarlyStopping(patience=3, monitor="eval"))
    assert h.stopped_at == 15 and h.last_step == 15
    np.testing.assert_array_equal(h.eval_steps, [0, 5, 10, 15])
    np.testing.assert_array_equal(h.eval_loss, 0.0)


def test_loss_fn_calls_count_as_loss_evaluations():
    # a rule that probes the loss t % 3 times at step t
    def update(grad, state, theta, *, t, loss_fn=None):
        for _ in range(t % 3):
            loss_fn(theta)
        return -0.1 * grad, state

    probing = lrlab.Rule(init=lambda theta: (), update=update, name="probing",
                         needs=frozenset({"loss_fn"}))
    h = train(Bowl([1.0]), probing, 10)
    t = np.arange(11)
    np.testing.assert_array_equal(h.loss_evals, t + 1 + np.cumsum(np.r_[0, t[:-1] % 3]))
    np.testing.assert_array_equal(h.grad_evals, t + 1)
