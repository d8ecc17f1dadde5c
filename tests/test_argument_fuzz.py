"""Nonsense arguments get a clear error naming the argument (issue 17, part 4).

Each case was accepted silently, failed with an unclear error, or crashed deep in
numpy before; now each is a ValueError/TypeError "The 'name' parameter of owner ...".
"""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab import basins, datasets, finder, models, rules, schedules, search, surfaces
from lrlab import gradient_noise as noise
from lrlab.trainer.epochs import train_epochs

COMPLEX = np.array([0.1 + 5j, 0.2])
BOWL = surfaces.quadratic([1.0, 10.0])
MOONS = models.LogisticRegression(datasets.two_moons(n=40, seed=0))
LINE = models.LinearRegression(datasets.noisy_line(40, seed=0))
WELL = surfaces.double_well()


def _grid(problem=BOWL, lrs=(0.1,), **kw):
    return search.grid_search(problem, rules.sgd, lrs, num_steps=3, **kw)


def _range(problem=BOWL, **kw):
    return finder.lr_range_test(problem, rules.sgd, **{"num_steps": 5, **kw})

CASES = [
    # complex arrays were cut to their real part
    ("lr", "sgd", lambda: rules.sgd(COMPLEX)),
    ("lr", "adam", lambda: rules.adam(COMPLEX)),
    ("momentum", "sgd", lambda: rules.sgd(0.1, momentum=np.array([0.5 + 1j]))),
    ("x0", "train", lambda: lrlab.train(surfaces.quadratic([1.0, 2.0]), rules.sgd(0.1), 3,
                                        x0=np.array([1.0 + 1j, 2.0]))),
    ("eigenvalues", "quadratic", lambda: surfaces.quadratic(np.array([1.0 + 1j, 2.0]))),
    ("center", "quadratic", lambda: surfaces.quadratic([1.0, 2.0], center=[1j, 0.0])),
    ("theta", "parabola.loss", lambda: surfaces.parabola().loss(np.array([1j]))),
    # boolean arrays as coordinates
    ("x0", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                        x0=np.array([True]))),
    ("center", "quadratic", lambda: surfaces.quadratic([1.0, 2.0],
                                                       center=np.array([True, False]))),
    ("theta", "parabola.grad", lambda: surfaces.parabola().grad(np.array([True]))),
    # accepted nonsense
    ("record_state", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                  record_state="yes")),
    ("record_params", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                   record_params=0)),
    ("record_params", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                   record_params=1)),
    ("record_params", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                   record_params=np.array(1.0))),
    ("reduction", "History.steps_to",
     lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3).steps_to(np.nan)),
    ("f_star", "History.steps_to",
     lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3).steps_to(0.1, f_star=np.nan)),
    # the search tools: lrs, k, progress, batch_size (a split trains on fewer samples)
    ("lrs", "grid_search", lambda: _grid(lrs=True)),
    ("lrs", "grid_search", lambda: _grid(lrs=[])),
    ("lrs", "grid_search", lambda: _grid(lrs=np.array([True, False]))),
    ("lrs", "grid_search", lambda: _grid(lrs="0.1")),
    ("lrs", "grid_search", lambda: _grid(lrs=[[0.1], [0.2]])),
    ("lrs", "grid_search", lambda: _grid(lrs=[0.1 + 1j])),
    ("k", "grid_search", lambda: _grid(k="x")),
    ("k", "grid_search", lambda: _grid(MOONS, validation="kfold", k=10**30)),
    ("k", "random_search", lambda: search.random_search(BOWL, rules.sgd, num_steps=3, k=True)),
    ("progress", "grid_search", lambda: _grid(progress="yes")),
    ("progress", "grid_search", lambda: _grid(progress=np.array([True]))),
    ("progress", "random_search",
     lambda: search.random_search(BOWL, rules.sgd, num_steps=3, progress=None)),
    ("progress", "suggestion_band",
     lambda: finder.suggestion_band(BOWL, rules.sgd, seeds=[0], progress=1, num_steps=5)),
    ("batch_size", "grid_search", lambda: _grid(MOONS, batch_size=40)),
    ("batch_size", "grid_search", lambda: _grid(MOONS, validation="kfold", batch_size=40)),
    ("batch_size", "grid_search", lambda: _grid(MOONS, batch_size=10**30)),
    ("batch_size", "lr_range_test", lambda: _range(MOONS, batch_size=41)),
    ("batch_size", "lr_range_test", lambda: _range(surfaces.parabola(noise=1.0),
                                                   batch_size=10**20)),
    ("num_steps", "lr_range_test", lambda: _range(num_steps=10**30)),
    ("x0", "lr_range_test", lambda: _range(x0=[1.0])),
    ("seeds", "suggestion_band", lambda: finder.suggestion_band(BOWL, rules.sgd, seeds=3)),
    ("seeds", "suggestion_band", lambda: finder.suggestion_band(BOWL, rules.sgd, seeds="01")),
    ("seeds", "compare_with_grid",
     lambda: finder.compare_with_grid(BOWL, rules.sgd, [0.1], validation=BOWL, seeds=3)),
    ("lrs", "compare_with_grid",
     lambda: finder.compare_with_grid(BOWL, rules.sgd, True, validation=BOWL)),
    ("problems", "compare_with_grid",
     lambda: finder.compare_with_grid(3, rules.sgd, [0.1], validation=BOWL)),
    # basin maps: nonsense rates, NaN starts (labelled 'diverged'), endless runs
    ("lrs", "basin_map", lambda: basins.basin_map(WELL, True, [1.2], 3)),
    ("lrs", "basin_map", lambda: basins.basin_map(WELL, [], [1.2], 3)),
    ("starts", "basin_map", lambda: basins.basin_map(WELL, [0.1], [np.nan, 1.2], 3)),
    ("starts", "basin_map", lambda: basins.basin_map(WELL, [0.1], [1j], 3)),
    ("num_steps", "basin_map", lambda: basins.basin_map(WELL, [0.1], [1.2], 10**30)),
    ("num_steps", "final_points", lambda: basins.final_points(WELL, [0.1], WELL.x0, 10**30)),
    ("lrs", "final_points", lambda: basins.final_points(WELL, True, WELL.x0, 3)),
    ("lrs", "final_points", lambda: basins.final_points(WELL, [0.1 + 1j], WELL.x0, 3)),
    ("lrs", "final_points", lambda: basins.final_points(WELL, np.ones(3), np.ones((2, 1)), 3)),
    ("x0", "final_points", lambda: basins.final_points(WELL, [0.1], WELL.x0 + 1j, 3)),
    ("x0", "final_points", lambda: basins.final_points(WELL, [0.1], np.array([True]), 3)),
    ("x0", "final_points", lambda: basins.final_points(WELL, [0.1], [np.nan], 3)),
    # gradient noise: a non-Problem, a wrong-shape theta, a batch of the wrong type
    ("problem", "gradient_noise_covariance", lambda: noise.gradient_noise_covariance("x")),
    ("theta", "gradient_noise_covariance",
     lambda: noise.gradient_noise_covariance(LINE, np.zeros(5))),
    ("theta", "gradient_noise_covariance",
     lambda: noise.gradient_noise_covariance(LINE, np.zeros((3, 2)))),
    ("theta", "gradient_noise_covariance",
     lambda: noise.gradient_noise_covariance(LINE, np.zeros(2, dtype=bool))),
    ("theta", "gradient_noise_covariance", lambda: noise.gradient_noise_covariance(LINE, [1j, 0])),
    ("theta", "gradient_noise_scale", lambda: noise.gradient_noise_scale(LINE, [True, False])),
    ("problem", "noise_floor", lambda: noise.noise_floor("x", 0.1, 4)),
    ("problem", "noise_floor", lambda: noise.noise_floor(MOONS, 0.1, 4)),   # no known minimum
    ("batch_size", "noise_floor", lambda: noise.noise_floor(LINE, 0.1, "4")),
    ("batch_size", "noise_floor", lambda: noise.noise_floor(LINE, 0.1, 10**30)),
    ("problem", "measured_floor", lambda: noise.measured_floor(3, 0.1, 4)),
    # sizes of 10**30 in the trainer
    ("batch_size", "train", lambda: lrlab.train(surfaces.parabola(noise=1.0), rules.sgd(0.1), 3,
                                                batch_size=10**20)),
    ("num_steps", "train", lambda: lrlab.train(BOWL, rules.sgd(0.1), 10**30)),
    ("epochs", "train_epochs",
     lambda: train_epochs(MOONS, rules.sgd(0.1), 10**30, validation=MOONS, batch_size=8)),
    # yes/no flags given an array ("truth value of an array is ambiguous")
    ("amsgrad", "adam", lambda: rules.adam(0.1, amsgrad=np.array([True, False]))),
    ("amsgrad", "adamw", lambda: rules.adamw(0.1, amsgrad=np.array([True, False]))),
    ("centered", "rmsprop", lambda: rules.rmsprop(0.1, centered=np.array([True, False]))),
    ("nesterov", "sgd", lambda: rules.sgd(0.1, momentum=0.9, nesterov=np.array([True]))),
    ("three_phase", "one_cycle",
     lambda: schedules.one_cycle(0.1, 100, three_phase=np.array([True, False]))),
    # a constant rate inside a composed schedule is that schedule's argument, not constant's
    ("schedule", "warmup", lambda: schedules.warmup(-1.0, 5)),
    ("schedules[1]", "join", lambda: schedules.join([0.1, np.nan], [3])),
    # hvp: v must broadcast against theta
    ("v", "quadratic.hvp", lambda: BOWL.hvp(np.ones((4, 2)), np.ones((3, 2)))),
    ("v", "logistic regression (two moons).hvp",
     lambda: MOONS.hvp(np.ones((4, 3)), np.ones((3, 3)))),
]


@pytest.mark.parametrize(("name", "owner", "call"), CASES,
                         ids=[f"{o}-{n}-{i}" for i, (n, o, _) in enumerate(CASES)])
def test_nonsense_is_refused_naming_the_argument(name, owner, call):
    with pytest.raises((TypeError, ValueError)) as err:
        call()
    assert f"The {name!r} parameter of {owner}" in str(err.value)


def test_record_flags_still_take_their_values():
    bowl = surfaces.parabola()
    assert lrlab.train(bowl, rules.sgd(0.1), 3, record_params=np.True_).params is not None
    assert lrlab.train(bowl, rules.sgd(0.1), 3, record_params="auto").params is not None
    assert lrlab.train(bowl, rules.sgd(0.1), 3, record_state=True).states is not None


@pytest.mark.parametrize("rule", [rules.schedule_free_sgd(10.0, weight_lr_power=400.0),
                                  rules.schedule_free_sgd(1e160)])
def test_schedule_free_overflow_is_a_divergence_not_an_overflow_error(rule):
    h = lrlab.train(surfaces.rosenbrock(), rule, 50)
    assert h.diverged and h.reason


@pytest.mark.parametrize(("k_s", "k_f", "L"), [(1.0, 1.0, 1.5), (5.0, 5.0, 7.5),
                                               (20.0, 1.0, 20.0), (1.0, 20.0, 20.0)])
def test_double_well_smoothness_bounds_the_barrier_curvature(k_s, k_f, L):
    well = surfaces.double_well(k_s, k_f)
    assert well.smoothness == pytest.approx(L, rel=1e-6)
    x = np.linspace(-20, 20, 400_001)[:, None]
    curvature = np.abs(well.hessian(x)[:, 0, 0])
    assert curvature.max() <= well.smoothness * (1 + 1e-9)
    assert curvature.max() >= well.smoothness * (1 - 1e-6)


def test_a_too_large_batch_names_the_search_and_the_split():
    with pytest.raises(ValueError, match=r"grid_search must be an int in \[1, 32\] or None "
                                         r"\(validation='split' trains on 32 of the 40 samples\)"):
        _grid(MOONS, batch_size=40)
    assert _grid(MOONS, batch_size=32, progress=False).best_lr == 0.1


def test_search_tools_still_take_their_usual_values():
    assert _grid(lrs=0.1).best_lr == 0.1                      # one rate
    assert _grid(lrs=np.geomspace(0.01, 0.1, 3), progress="auto").best_lr == pytest.approx(0.1)
    assert _grid(MOONS, validation="kfold", k=np.int64(2), batch_size=np.int64(8)).best_lr == 0.1
    band = finder.suggestion_band(BOWL, rules.sgd, seeds=range(2), progress=False, num_steps=20)
    assert band.seeds == (0, 1)


def test_basins_and_noise_still_take_their_usual_values():
    assert basins.basin_map(WELL, 0.05, [-1.2, 1.2], 400).labels.tolist() == [[0, 1]]
    assert noise.gradient_noise_covariance(LINE, [0.0, 0.0]).shape == (2, 2)
    assert noise.noise_floor(LINE, 0.1, 4) > 0
    h = lrlab.train(surfaces.parabola(noise=1.0), rules.sgd(0.1), 3, batch_size=10**6)
    assert h.num_steps == 3             # a noisy surface takes any batch size up to 10**9


def test_a_too_large_lr_diff_names_lr_diff_and_its_range():
    result = finder.lr_range_test(BOWL, rules.sgd, num_steps=60)
    n = len(finder.window._curve(result, None, 5, "test")[1])     # the window's points
    for lr_diff in (10**30, n):
        with pytest.raises(ValueError, match=rf"The 'lr_diff' parameter of suggest_slide must "
                                             rf"be an int in \[1, {n - 1}\] for this range "
                                             rf"test: the slide needs at least {lr_diff + 1} "
                                             rf"points \(lr_diff \+ 1\) and the test's window "
                                             rf"has {n} after skip_start and skip_end"):
            finder.suggest_slide(result, lr_diff=lr_diff)
    assert finder.suggest_slide(result, lr_diff=n - 1) == pytest.approx(result.lrs[6])


def _torch_setup():
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(32, 2, generator=gen)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, (X[:, 0] > 0).long()), batch_size=16)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    return torch, net, loader


@pytest.mark.parametrize("tool", ["train", "advise"])
@pytest.mark.parametrize(("eval_loader", "exc", "match"), [
    ("abcd", TypeError, r"The 'eval_loader' parameter of lrlab\.torch\.\w+ must be a DataLoader "
                        r"or another re-iterable collection of batches"),
    (iter([]), TypeError, r"The 'eval_loader' parameter of .* a generator is used up"),
    (np.ones((2, 3)), ValueError, r"each batch must be a pair .* the eval_loader yielded a "
                                  r"ndarray"),
    (COMPLEX, ValueError, "the eval_loader yielded a complex128"),
    ([], ValueError, "the eval_loader yielded no batch"),
])
def test_a_wrong_eval_loader_is_named(tool, eval_loader, exc, match):
    torch, net, loader = _torch_setup()
    import lrlab.torch as lt

    call = {"train": lambda: lt.train(net, torch.nn.CrossEntropyLoss(), loader, lr=0.1,
                                      num_steps=2, eval_loader=eval_loader),
            "advise": lambda: lt.advise(net, torch.nn.CrossEntropyLoss(), loader, num_steps=5,
                                        seeds=1, progress=False, eval_loader=eval_loader)}[tool]
    before = torch.random.get_rng_state()
    with pytest.raises(exc, match=match):
        call()
    assert torch.equal(torch.random.get_rng_state(), before)   # nothing drawn, or put back


def test_a_wrong_training_loader_is_still_called_the_loader():
    torch, net, loader = _torch_setup()
    import lrlab.torch as lt

    with pytest.raises(TypeError, match=r"The 'loader' parameter of lrlab\.torch\.train"):
        lt.train(net, torch.nn.CrossEntropyLoss(), "abcd", lr=0.1, num_steps=2)
    with pytest.raises(ValueError, match="the loader yielded a ndarray"):
        lt.train(net, torch.nn.CrossEntropyLoss(), np.ones((2, 3)), lr=0.1, num_steps=2)
    h = lt.train(net, torch.nn.CrossEntropyLoss(), loader, lr=0.1, num_steps=2,
                 eval_loader=[next(iter(loader))])            # a list of pairs is fine
    assert h.eval_loss is not None and np.all(np.isfinite(h.eval_loss))


def test_advise_refuses_a_count_of_seeds_that_is_not_a_size():
    # a noisy problem runs one range test per seed: seeds=10**30 hung building the seed list
    with pytest.raises(ValueError, match=r"The 'seeds' parameter of advise must be an int in "
                                         r"\[1, 1000000000\]"):
        lrlab.advise(LINE, rules.sgd, num_steps=30, seeds=10**30, progress=False, batch_size=4)
    torch, net, loader = _torch_setup()
    import lrlab.torch as lt

    with pytest.raises(ValueError, match=r"The 'seeds' parameter of lrlab\.torch\.advise"):
        lt.advise(net, torch.nn.CrossEntropyLoss(), loader, seeds=10**30, progress=False)
