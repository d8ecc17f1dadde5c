"""lrlab.torch's range test: parity with lrlab's numpy test, restoring, seeds, bad input."""

import functools
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="lrlab.torch needs PyTorch: pip install "
                            "'lrlab[torch]' (the test extra installs it)")

from twins import batches, numpy_mlp, same_state, state, torch_twin  # noqa: E402

import lrlab  # noqa: E402
import lrlab.torch as lt  # noqa: E402
from lrlab.finder import RangeTestResult, SuggestionBand  # noqa: E402
from lrlab.rules import sgd  # noqa: E402

CE = torch.nn.CrossEntropyLoss()
METHODS = ("minimum", "steep", "valley", "midpoint")


def _assert_same_curve(ref, res, rtol=1e-10):
    assert res.stop == ref.stop and res.reason == ref.reason
    np.testing.assert_array_equal(res.lrs, ref.lrs)
    np.testing.assert_allclose(res.losses[: res.stop], ref.losses[: ref.stop], rtol=rtol)
    np.testing.assert_allclose(res.smoothed[: res.stop], ref.smoothed[: ref.stop], rtol=rtol)
    assert np.isnan(res.smoothed[res.stop:]).all()
    assert res.initial_loss == pytest.approx(ref.initial_loss, rel=1e-12)
    for m in METHODS:
        assert res.suggest(m) == pytest.approx(ref.suggest(m), rel=1e-12), m


# ------------------------------------------------------------------------------ parity
@pytest.mark.parametrize(("hidden", "activation", "batch_size", "mode", "seed"), [
    ((16,), "tanh", 32, "exp", 3),
    ((8, 8), "relu", 16, "exp", 0),
    ((16,), "tanh", None, "linear", 0),
])
def test_sweep_equals_the_numpy_range_test_on_the_same_mlp(hidden, activation, batch_size,
                                                           mode, seed):
    net = numpy_mlp(hidden=hidden, activation=activation)
    kwargs = {"num_steps": 80, "mode": mode, "start_lr": 1e-5 if mode == "exp" else 0.05,
              "end_lr": 10.0 if mode == "exp" else 2.0}
    ref = lrlab.lr_range_test(net, sgd, batch_size=batch_size, seed=seed, **kwargs)
    model = torch_twin(net)
    res = lt.lr_range_test(model, CE, batches(net, batch_size, 81, seed), **kwargs)
    _assert_same_curve(ref, res)
    assert isinstance(res, RangeTestResult) and res.settings["problem"] == "Sequential"
    assert np.isnan(res.history.grad_norm).all()     # the range test records the loss only


def test_momentum_and_weight_decay_through_an_optimizer_factory():
    net = numpy_mlp()
    ref = lrlab.lr_range_test(net, lambda lr: sgd(lr, momentum=0.9, weight_decay=1e-3),
                              batch_size=32, num_steps=60)
    factory = functools.partial(torch.optim.SGD, momentum=0.9, weight_decay=1e-3)
    res = lt.lr_range_test(torch_twin(net), CE, batches(net, 32, 61), factory, num_steps=60)
    _assert_same_curve(ref, res)
    assert "momentum=0.9" in res.settings["rule"]


def test_a_nan_blow_up_is_reported_where_the_numpy_test_reports_it():
    net = numpy_mlp()
    kwargs = {"num_steps": 60, "start_lr": 1e-2, "end_lr": 1e6, "stop_factor": None}
    ref = lrlab.lr_range_test(net, sgd, batch_size=32, **kwargs)
    model = torch_twin(net)
    before = state(model)
    res = lt.lr_range_test(model, CE, batches(net, 32, 61), **kwargs)
    assert "diverged" in ref.reason and res.stop < 60
    _assert_same_curve(ref, res, rtol=1e-6)   # a blow-up amplifies rounding differences
    assert int(res.history.diverged_at) == int(ref.history.diverged_at)
    assert str(res.history.reason) == str(ref.history.reason)
    assert same_state(model, before)


def test_the_run_ends_where_the_stop_rule_fires():
    net = numpy_mlp()
    res = lt.lr_range_test(torch_twin(net), CE, batches(net, 32, 101), end_lr=1e3)
    assert res.stop < 90 and int(res.history.stopped_at) == res.stop
    assert np.isnan(res.history.loss[res.stop + 1:]).all()      # no step after the stop


# ------------------------------------------------------------------------- restoring
def test_model_and_optimizer_instance_are_restored_bit_for_bit():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.BatchNorm1d(8),
                                torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(8, 2))
    model[1].eval()                           # a mode the tool must give back
    data = [(torch.randn(16, 2), torch.randint(0, 2, (16,))) for _ in range(4)]
    CE(model(data[0][0]), data[0][1]).backward()   # a grad the tool must give back
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    opt.step()                                  # optimizer state the tool must give back
    before, opt_before = state(model), opt.state_dict()
    exp_avg = opt.state[model[0].weight]["exp_avg"].clone()
    rng_before = torch.random.get_rng_state()
    res = lt.lr_range_test(model, CE, data, opt, num_steps=30)
    assert res.stop > 5
    assert same_state(model, before)
    assert [m.training for m in model.modules()] == [True, True, False, True, True, True]
    assert torch.equal(opt.state[model[0].weight]["exp_avg"], exp_avg)
    assert opt.param_groups[0]["lr"] == 1e-3 and opt.state_dict()["state"].keys() == \
        opt_before["state"].keys()
    assert torch.equal(torch.random.get_rng_state(), rng_before)


def test_restored_after_an_exception_inside_the_loss():
    net = numpy_mlp()
    model = torch_twin(net)
    before = state(model)
    calls = []

    def flaky(out, target):
        calls.append(1)
        if len(calls) == 7:
            raise RuntimeError("boom in step 7")
        return CE(out, target)

    with pytest.raises(RuntimeError, match="boom in step 7"):
        lt.lr_range_test(model, flaky, batches(net, 32, 101))
    assert same_state(model, before)


def test_instance_groups_keep_their_ratio_to_the_swept_rate():
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    opt = torch.optim.SGD([{"params": model[0].parameters()},
                           {"params": model[2].parameters(), "lr": 0.5}], lr=0.1)
    seen = []
    opt.register_step_pre_hook(lambda o, a, k: seen.append([g["lr"] for g in o.param_groups]))
    data = [(torch.randn(8, 2), torch.randint(0, 2, (8,)))]
    res = lt.lr_range_test(model, CE, data, opt, num_steps=20, stop_factor=None,
                           start_lr=1e-3, end_lr=1e-1)
    np.testing.assert_allclose([s[0] for s in seen], res.lrs[: len(seen)])
    np.testing.assert_allclose([s[1] / s[0] for s in seen], 5.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]


# ---------------------------------------------------------------- seeds and the band
def _shuffled_loader(generator=None):
    torch.manual_seed(0)
    X = torch.randn(200, 2)
    y = (X[:, 0] * X[:, 1] > 0).long()
    ds = torch.utils.data.TensorDataset(X, y)
    return torch.utils.data.DataLoader(ds, batch_size=16, shuffle=True, generator=generator)


def _mlp():
    torch.manual_seed(5)
    return torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))


@pytest.mark.parametrize("own_generator", [False, True])
def test_same_seed_same_curve_other_seed_other_curve(own_generator):
    loader = _shuffled_loader(torch.Generator() if own_generator else None)
    model = _mlp()
    a = lt.lr_range_test(model, CE, loader, seed=1, num_steps=40)
    b = lt.lr_range_test(model, CE, loader, seed=1, num_steps=40)
    c = lt.lr_range_test(model, CE, loader, seed=2, num_steps=40)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.allclose(a.losses[:10], c.losses[:10])


def test_band_over_seeds_is_lrlabs_band():
    band = lt.suggestion_band(_mlp(), CE, _shuffled_loader(), seeds=[0, 1, 2],
                              num_steps=60, progress=False)
    assert isinstance(band, SuggestionBand) and band.seeds == (0, 1, 2)
    for m in METHODS:
        v = band.values[m]
        assert v.shape == (3,) and band.low[m] <= band.median[m] <= band.high[m]
        np.testing.assert_array_equal(v, [r.suggestions([m])[m] for r in band.results])
    assert "Suggestion band over 3 seeds" in repr(band)


def test_result_plots_with_lrlabs_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = lt.lr_range_test(_mlp(), CE, _shuffled_loader(), num_steps=60)
    band = lt.suggestion_band(_mlp(), CE, _shuffled_loader(), seeds=[0, 1], num_steps=60,
                              progress=False)
    ax = res.plot(band=band)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_xscale() == "log" and any(lbl.startswith("valley") for lbl in labels)
    ax.figure.savefig(tmp_path / "range.png")
    plt.close(ax.figure)


# ----------------------------------------------------------------------------- devices
def test_batches_go_to_the_device_of_the_parameters():
    from lrlab.torch._inputs import to_device

    class Probe:
        def __init__(self):
            self.moved_to = None

        def to(self, device):
            self.moved_to = device
            return self

    probe = Probe()
    batch = {"x": [torch.zeros(2)], "extra": (3, "text")}
    out = to_device(batch, torch.device("meta"))
    assert out["x"][0].device.type == "meta" and out["extra"] == (3, "text")
    model = torch.nn.Linear(2, 2)
    seen = []

    def forward(model, batch):
        seen.append(batch[1].moved_to)
        return CE(model(batch[0]), torch.zeros(4, dtype=torch.long))

    lt.lr_range_test(model, None, [(torch.zeros(4, 2), probe)], forward=forward, num_steps=5,
                     start_lr=1e-3, end_lr=1e-2)
    assert len(seen) == 6 and set(seen) == {torch.device("cpu")}


# ---------------------------------------------------------------------------- bad input
def test_bad_input_gets_a_clear_error():
    model = _mlp()
    data = [(torch.randn(8, 2), torch.randint(0, 2, (8,)))]
    cases = [
        (lambda: lt.lr_range_test(model, torch.nn.CrossEntropyLoss(reduction="none"), data),
         ValueError, "must be a scalar tensor; the loss function returned a tensor of shape (8,)"),
        (lambda: lt.lr_range_test(model, CE, []), ValueError, "yielded no batch"),
        (lambda: lt.lr_range_test(model, CE, iter(data)), TypeError, "generator is used up"),
        (lambda: lt.lr_range_test(torch.nn.ReLU(), CE, data), ValueError,
         "has no trainable parameters"),
        (lambda: lt.lr_range_test(model, lambda o, t: CE(o, t).item(), data), TypeError,
         "must be a torch scalar tensor"),
        (lambda: lt.lr_range_test(model, lambda o, t: CE(o, t).detach(), data), ValueError,
         "does not depend on the model's trainable parameters"),
        (lambda: lt.lr_range_test(model, CE, [data[0][0]]), ValueError,
         "each batch must be a pair (inputs, targets)"),
        (lambda: lt.lr_range_test(model, CE, data, "sgd"), TypeError, "'optimizer' parameter"),
        (lambda: lt.lr_range_test(model, CE, data, lambda p: None), TypeError,
         "optimizer(params, lr)"),
        (lambda: lt.lr_range_test(model, CE, data, start_lr=1.0, end_lr=0.1), ValueError,
         "'end_lr' parameter"),
        (lambda: lt.lr_range_test("net", CE, data), TypeError, "a torch.nn.Module"),
        (lambda: lt.lr_range_test(model, CE, [(torch.full((8, 2), math.nan), data[0][1])]),
         ValueError, "on the first batch is nan"),
    ]
    for call, exc, text in cases:
        with pytest.raises(exc) as info:
            call()
        assert text in str(info.value), (text, str(info.value))


def test_nan_from_the_model_mid_sweep_is_a_result_with_its_lr():
    class Fragile(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            out = self.lin(x)
            return out * math.nan if self.calls == 12 else out

    data = [(torch.randn(8, 2), torch.randint(0, 2, (8,)))]
    res = lt.lr_range_test(Fragile(), CE, data, num_steps=50)
    assert res.stop == 10 and int(res.history.diverged_at) == 11
    assert res.reason == f"the run diverged at lr={res.lrs[10]:.3g} (loss became nan)"
