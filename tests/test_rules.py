"""Behaviour of every step-size rule: convergence, batching, schedules, robustness, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from lrlab import History, rules, train
from lrlab.surfaces import Quadratic, rosenbrock

# name -> factory of the rule from its learning rate (or the parameter playing that role)
FACTORIES = {
    "sgd": lambda lr: rules.sgd(lr),
    "sgd_nesterov": lambda lr: rules.sgd(lr, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adagrad": lambda lr: rules.adagrad(lr, lr_decay=1e-3),
    "rmsprop": lambda lr: rules.rmsprop(lr),
    "rmsprop_centered": lambda lr: rules.rmsprop(lr, centered=True, momentum=0.5),
    "adadelta": lambda lr: rules.adadelta(lr),
    "adam": lambda lr: rules.adam(lr),
    "amsgrad": lambda lr: rules.amsgrad(lr),
    "adamw": lambda lr: rules.adamw(lr, weight_decay=1e-4),
    "ftrl": lambda lr: rules.ftrl(lr),
    "ftrl_l1": lambda lr: rules.ftrl(lr, l1=1e-6, l2=1e-6),
    "ftrl_sum": lambda lr: rules.ftrl_time(lr, 1e-3, "sum"),
    "ftrl_product": lambda lr: rules.ftrl_time(lr, 10.0, "product", beta=0.1),
    "parabola": lambda lr: rules.parabola(warmup_lr=lr),
    "dog": lambda lr: rules.dog(lr),
    "schedule_free": lambda lr: rules.schedule_free_sgd(lr),
}

BOWL = Quadratic(np.diag([1.0, 10.0]), x0=[1.0, 1.0])  # f0 = 5.5, kappa = 10
ROSEN = rosenbrock()  # from (-1.2, 1), f0 = 24.2

# rule, sensible lr and loss to reach on the bowl (3000 steps, from 5.5), and on
# Rosenbrock (5000 steps, from 24.2). RMSprop and Adam-like rules with a constant
# rate hover in a neighbourhood of the minimum of size ~lr instead of converging.
CONVERGENCE = [
    ("sgd", 0.1, 1e-12, 2e-3, 1e-3),
    ("sgd_nesterov", 0.02, 1e-12, 2e-4, 1e-2),
    ("adagrad", 0.5, 1e-12, 0.5, 5e-2),
    ("rmsprop", 0.01, 1e-3, 1e-3, 1e-2),
    ("rmsprop_centered", 0.01, 1e-3, 1e-3, 1e-2),
    ("adadelta", 1.0, 1e-2, 0.5, 0.5),  # Adadelta crawls, most of all along the valley
    ("adam", 0.05, 1e-6, 0.01, 1e-6),
    ("amsgrad", 0.05, 1e-6, 0.02, 1e-4),
    ("adamw", 0.05, 1e-6, 0.01, 1e-6),
    ("ftrl", 1.0, 1e-12, 0.5, 1e-3),
    ("ftrl_l1", 1.0, 1e-9, 0.5, 1e-3),
    ("ftrl_sum", 1.0, 1e-12, 0.5, 1e-3),
    ("ftrl_product", 0.2, 1e-6, 0.2, 0.5),  # the rate decays like 1/t: too fast for the valley
    ("parabola", 1e-3, 1e-12, 1e-3, 1e-4),
    ("dog", 1.0, 1e-12, 1.0, 5e-2),
    ("schedule_free", 0.1, 1e-6, 1e-3, 1e-2),
]


@pytest.mark.parametrize(("name", "lr_bowl", "tol", "lr_rosen", "target"), CONVERGENCE,
                         ids=[c[0] for c in CONVERGENCE])
def test_converges_on_quadratic_and_rosenbrock(name, lr_bowl, tol, lr_rosen, target):
    make = FACTORIES[name]
    h = train(BOWL, make(lr_bowl), 3000)
    assert h.status() == "finished"
    assert h.final_loss < tol, h.final_loss
    h = train(ROSEN, make(lr_rosen), 5000)
    assert h.status() == "finished"
    assert h.final_loss < target, h.final_loss


def test_convergence_table_covers_every_rule():
    assert {c[0] for c in CONVERGENCE} == set(FACTORIES)
    public = {n for n in rules.__all__ if n[0].islower()} - {
        "add_decayed_weights", "as_schedule", "chain", "lr_value", "per_coord", "run_shape",
        "scale_by_lr", "trace", "effective_lr", "clip_by_norm", "clip_by_value",  # links
        "scale_by_multipliers",
        # rules that need the problem or the loss: tests/test_linesearch.py, test_plateau.py
        "armijo", "barzilai_borwein", "exact_line_search", "inverse_smoothness",
        "optimal_constant", "polyak", "reduce_on_plateau", "scale_by_plateau_lr"}
    covered = {"sgd", "adagrad", "rmsprop", "adadelta", "adam", "amsgrad", "adamw", "ftrl",
               "ftrl_time", "parabola", "dog", "schedule_free_sgd"}
    assert public == covered


@pytest.mark.parametrize("name", list(FACTORIES))
def test_batched_lrs_equal_separate_runs(name):
    lrs = np.array([1e-3, 1e-2, 0.1])
    batched = train(ROSEN, FACTORIES[name](lrs), 40, record_params=True, record_state=True)
    for i, lr in enumerate(lrs):
        alone = train(ROSEN, FACTORIES[name](float(lr)), 40, record_params=True)
        assert_array_equal(batched.params[:, i], alone.params)
        assert_array_equal(batched.lr[:, i], alone.lr)
        assert_array_equal(batched.diverged_at[i], alone.diverged_at)


@pytest.mark.parametrize(("factory", "kwargs", "values"), [
    (rules.adam, "betas", [(0.9, 0.999), (0.5, 0.9)]),
    (rules.rmsprop, "alpha", [0.99, 0.5]),
    (rules.adadelta, "rho", [0.9, 0.5]),
    (rules.ftrl, "beta", [1.0, 0.1]),
    (rules.parabola, "beta", [0.9, 0.5]),
])
def test_array_hyperparameters_equal_separate_runs(factory, kwargs, values):
    if kwargs == "betas":
        arr = (np.array([v[0] for v in values]), np.array([v[1] for v in values]))
    else:
        arr = np.array(values)
    fixed = {} if factory is rules.parabola else {"lr": 0.01}
    batched = train(ROSEN, factory(**fixed, **{kwargs: arr}), 30, record_params=True)
    assert batched.run_shape == (2,)
    for i, v in enumerate(values):
        alone = train(ROSEN, factory(**fixed, **{kwargs: v}), 30, record_params=True)
        assert_array_equal(batched.params[:, i], alone.params)


@pytest.mark.parametrize("name", [n for n in FACTORIES if n != "parabola"])
def test_schedule_as_lr(name):
    """A constant schedule equals the constant; a step schedule is recorded and used."""
    const = train(BOWL, FACTORIES[name](0.01), 30, record_params=True)
    sched = train(BOWL, FACTORIES[name](lambda t: 0.01), 30, record_params=True)
    assert_array_equal(const.params, sched.params)
    halving = train(BOWL, FACTORIES[name](lambda t: 0.01 * 0.5 ** (t // 10)), 30,
                    record_params=True)
    if name != "dog":  # DoG records the step size it found
        assert_array_equal(halving.lr, 0.01 * 0.5 ** (np.arange(30) // 10))
    assert_array_equal(halving.params[:11], const.params[:11])
    assert not np.array_equal(halving.params[12:], const.params[12:])


def test_parabola_rate_is_not_a_schedule():
    with pytest.raises(TypeError, match="'warmup_lr' parameter of parabola"):
        rules.parabola(warmup_lr=lambda t: 0.1)


def test_schedule_of_arrays_batches():
    rule = rules.adam(lambda t: np.array([0.01, 0.1]) / (1 + t))
    h = train(BOWL, rule, 20, record_params=True)
    for i, base in enumerate([0.01, 0.1]):
        alone = train(BOWL, rules.adam(lambda t, b=base: b / (1 + t)), 20, record_params=True)
        assert_array_equal(h.params[:, i], alone.params)


LRS = np.logspace(-8, 8, 9)


@pytest.mark.parametrize("name", list(FACTORIES))
@pytest.mark.parametrize("problem", [BOWL, ROSEN], ids=["bowl", "rosenbrock"])
def test_extreme_learning_rates_give_a_history(name, problem):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(problem, FACTORIES[name](LRS), 50)
        assert isinstance(h, History)
        assert set(h.status()) <= {"finished", "diverged"}
        for lr in (1e-8, 1e8):
            single = train(problem, FACTORIES[name](lr), 50)
            assert single.status() in ("finished", "diverged")
    # tiny rates barely move (DoG, Adadelta and the parabola rule find their own
    # rate; FTRL x time's sum form has a time rate independent of lr)
    if name not in ("dog", "parabola", "adadelta", "ftrl_sum"):
        assert h[0].final_loss == pytest.approx(h[0].loss[0], rel=1e-2)


def test_extreme_rates_do_diverge_for_plain_sgd():
    h = train(BOWL, rules.sgd(LRS), 50)
    assert h.diverged[-1] and not h.diverged[0]


def test_rules_describe_themselves():
    for name, make in FACTORIES.items():
        rule = make(0.1)
        assert isinstance(rule, rules.Rule)
        assert rule.formula and "theta" in rule.formula, name
        assert rule.torch, name
        assert repr(rule).startswith(rule.factory + "("), name
        assert rule._repr_latex_().startswith("$")
        assert rule.needs == frozenset()
    for f in (rules.ftrl, rules.parabola, rules.dog, rules.schedule_free_sgd):
        doc = f.__doc__
        for section in ("Parameters", "Returns", "Notes", "Examples", "References"):
            assert section in doc, (f.__name__, section)


def test_states_are_named_tuples_with_lr():
    theta = np.zeros(3)
    for name, make in FACTORIES.items():
        rule = make(0.1)
        state = rule.init(theta)
        step, state = rule.update(np.ones(3), state, theta, t=0)
        assert hasattr(state, "_fields") and "lr" in state._fields, name
        assert step.shape == (3,)
        assert np.shape(state.lr) == (), name


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: rules.adagrad(lr=-1), ValueError, "'lr' parameter of adagrad"),
    (lambda: rules.adagrad(lr_decay=-0.1), ValueError, "'lr_decay' parameter of adagrad"),
    (lambda: rules.adagrad(eps=-1.0), ValueError, "'eps' parameter of adagrad"),
    (lambda: rules.adagrad(initial_accumulator_value=-1), ValueError,
     "'initial_accumulator_value'"),
    (lambda: rules.rmsprop(alpha=1.5), ValueError,
     r"'alpha' parameter of rmsprop must be .*\[0, 1\]"),
    (lambda: rules.rmsprop(momentum=1.0), ValueError, "'momentum' parameter of rmsprop"),
    (lambda: rules.rmsprop(centered="yes"), TypeError, "'centered' parameter of rmsprop"),
    (lambda: rules.adadelta(rho=-0.1), ValueError, "'rho' parameter of adadelta"),
    (lambda: rules.adadelta(weight_decay=np.nan), ValueError, "'weight_decay' parameter"),
    (lambda: rules.adam(betas=(0.9,)), TypeError, r"'betas' parameter of adam must be a pair"),
    (lambda: rules.adam(betas=(1.0, 0.999)), ValueError, r"'betas\[0\]' parameter of adam"),
    (lambda: rules.adam(betas=(0.9, -1)), ValueError, r"'betas\[1\]' parameter of adam"),
    (lambda: rules.adam(amsgrad=1), TypeError, "'amsgrad' parameter of adam"),
    (lambda: rules.amsgrad(lr=0), ValueError, "'lr' parameter of amsgrad"),
    (lambda: rules.adamw(weight_decay=-1e-2), ValueError, "'weight_decay' parameter of adamw"),
    (lambda: rules.adamw(lr="0.1"), TypeError, "'lr' parameter of adamw"),
    (lambda: rules.ftrl(lr=0.1, beta=0.0), ValueError, r"'beta' parameter of ftrl .*\(0, inf\)"),
    (lambda: rules.ftrl(lr=0.1, l1=-1), ValueError, "'l1' parameter of ftrl"),
    (lambda: rules.ftrl_time(0.1, 0.1, form="mul"), ValueError,
     "'form' parameter of ftrl_time must be one of 'sum', 'product'"),
    (lambda: rules.ftrl_time(0.1, 0.0, form="product"), ValueError,
     "'gamma' parameter of ftrl_time"),
    (lambda: rules.parabola(beta=1.0), ValueError, "'beta' parameter of parabola"),
    (lambda: rules.parabola(warmup=0), ValueError, "'warmup' parameter of parabola"),
    (lambda: rules.parabola(lr_min=1.0, lr_max=0.1), ValueError, "'lr_min' parameter of parabola"),
    (lambda: rules.parabola(warmup_lr=0.0), ValueError, "'warmup_lr' parameter of parabola"),
    (lambda: rules.dog(reps_rel=0.0), ValueError, "'reps_rel' parameter of dog"),
    (lambda: rules.dog(init_eta=-1.0), ValueError, "'init_eta' parameter of dog"),
    (lambda: rules.schedule_free_sgd(momentum=0.0), ValueError,
     "'momentum' parameter of schedule_free_sgd"),
    (lambda: rules.schedule_free_sgd(lr=[0.1, -1.0]), ValueError,
     "'lr' parameter of schedule_free_sgd"),
])
def test_validation_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: rules.sgd(0.1, dampening=5.0), ValueError, "'dampening' parameter of sgd"),
    (lambda: rules.sgd(0.1, 0.9, nesterov="no"), TypeError, "'nesterov' parameter of sgd"),
    (lambda: rules.trace(0.9, nesterov=1), TypeError, "'nesterov' parameter of trace"),
    # each argument is checked once, by the factory called: errors name sgd, not its links
    (lambda: rules.sgd(0.1, 0.9, dampening=0.5, nesterov=True), ValueError,
     "'nesterov' parameter of sgd requires momentum > 0 and dampening = 0"),
    (lambda: rules.sgd(0.1, 0.9, dampening=-1.0), ValueError, "'dampening' parameter of sgd"),
    (lambda: rules.sgd(-0.1), ValueError, "'lr' parameter of sgd"),
    (lambda: rules.sgd(0.1, weight_decay=[0.1, -1.0]), ValueError,
     "'weight_decay' parameter of sgd"),
    (lambda: rules.trace(0.9, dampening=0.5, nesterov=True), ValueError,
     "'nesterov' parameter of trace requires momentum > 0 and dampening = 0"),
])
def test_sgd_checks_dampening_and_nesterov_even_without_momentum(call, exc, match):
    # regression: without momentum sgd never looked at dampening (5.0 passed), and any
    # truthy nesterov (the string 'no') switched Nesterov momentum on
    with pytest.raises(exc, match=match):
        call()
