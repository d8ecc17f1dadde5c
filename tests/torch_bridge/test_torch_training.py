"""lrlab.torch.train, the update-ratio monitor and diagnose: lrlab's History on a torch model."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="lrlab.torch needs PyTorch: pip install "
                            "'lrlab[torch]' (the test extra installs it)")

from twins import batches, numpy_mlp, same_state, state, torch_order, torch_twin  # noqa: E402

import lrlab  # noqa: E402
import lrlab.torch as lt  # noqa: E402
from lrlab.diagnostics import Diagnosis, UpdateRatio, update_ratio  # noqa: E402
from lrlab.rules import sgd  # noqa: E402
from lrlab.schedules import cosine  # noqa: E402

CE = torch.nn.CrossEntropyLoss()


def _full(net):
    return [(torch.as_tensor(net.data.X), torch.as_tensor(net.data.y))]


@pytest.mark.parametrize(("lr", "momentum"), [(0.3, 0.0), (0.05, 0.9)])
def test_train_records_what_lrlab_train_records(lr, momentum):
    net = numpy_mlp(hidden=(8,))
    T = 60
    ref = lrlab.train(net, sgd(lr, momentum=momentum), T, batch_size=32, seed=2, eval_every=20)
    model = torch_twin(net)

    def factory(params, rate):
        return torch.optim.SGD(params, lr=rate, momentum=momentum)

    h = lt.train(model, CE, batches(net, 32, T + 1, seed=2), factory, lr=lr, num_steps=T,
                 eval_every=20, eval_loader=_full(net))
    np.testing.assert_allclose(h.loss, ref.loss, rtol=1e-10)
    np.testing.assert_allclose(h.grad_norm, ref.grad_norm, rtol=1e-10)
    np.testing.assert_allclose(h.lr, ref.lr)
    np.testing.assert_allclose(h.update_ratio, ref.update_ratio, rtol=1e-9)
    # History.params is in model.parameters() order (torch stores W transposed)
    np.testing.assert_allclose(h.params, ref.params[:, torch_order(net)], rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_array_equal(h.eval_steps, ref.eval_steps)
    np.testing.assert_allclose(h.eval_loss, ref.eval_loss, rtol=1e-10)
    assert h.status() == "finished" and h.meta["batch_size"] == 32
    # lrlab's readers work unchanged, and read the same run
    a, b = lrlab.diagnose(h), lrlab.diagnose(ref)
    assert isinstance(a, Diagnosis) and a.label == b.label
    for key, value in b.evidence.items():
        assert a.evidence[key] == pytest.approx(value, rel=1e-6), key
    layers_np = update_ratio(ref, net).layers
    layers_torch = lt.update_ratio(h).layers
    assert set(layers_torch) == {"0", "2"}
    np.testing.assert_allclose(layers_torch["0"], layers_np["layer1"], rtol=1e-9)
    np.testing.assert_allclose(layers_torch["2"], layers_np["layer2"], rtol=1e-9)


def test_train_restores_unless_asked_to_keep_the_weights():
    net = numpy_mlp(hidden=(8,))
    data = batches(net, 32, 41)
    model = torch_twin(net)
    before = state(model)
    h = lt.train(model, CE, data, lr=0.5, num_steps=40)
    assert same_state(model, before)
    kept = lt.train(model, CE, data, lr=0.5, num_steps=40, keep_weights=True)
    now = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()
    np.testing.assert_allclose(now, h.params[-1], rtol=1e-12)
    np.testing.assert_allclose(kept.loss, h.loss)


def test_a_schedule_drives_the_rate_and_a_blow_up_is_a_result():
    net = numpy_mlp(hidden=(8,))
    schedule = cosine(0.5, 30)
    h = lt.train(torch_twin(net), CE, batches(net, 32, 31), lr=schedule, num_steps=30)
    np.testing.assert_allclose(h.lr, [schedule(t) for t in range(30)])
    model = torch.nn.Linear(2, 1)
    data = [(torch.randn(16, 2), torch.randn(16, 1))]
    before = state(model)
    boom = lt.train(model, torch.nn.MSELoss(), data, lr=50.0, num_steps=30)
    assert boom.status() == "diverged" and str(boom.reason) == "loss exceeded 1e+05 x its start"
    assert np.isnan(boom.loss[int(boom.diverged_at) + 1:]).all()
    assert same_state(model, before)
    label = lt.diagnose(model, torch.nn.MSELoss(), data, lr=50.0, num_steps=30).label
    assert label == "diverged"


def test_the_monitor_in_a_hand_written_loop_per_layer_and_per_group():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1))
    opt = torch.optim.SGD([{"params": model[0].parameters(), "name": "body"},
                           {"params": model[2].parameters(), "lr": 1e-2}], lr=1e-3,
                          momentum=0.9)
    X, y = torch.randn(32, 3), torch.randn(32, 1)
    expected, expected_head = [], []
    monitor = lt.UpdateRatioMonitor(opt, model)
    with monitor:
        for _ in range(8):
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(X), y).backward()
            old = [p.detach().clone() for p in model.parameters()]
            opt.step()
            new = [p.detach() for p in model.parameters()]
            move = torch.cat([(n - o).reshape(-1) for n, o in zip(new, old, strict=True)])
            size = torch.cat([o.reshape(-1) for o in old])
            expected.append(float(move.norm() / size.norm()))
            expected_head.append(float(torch.cat([(n - o).reshape(-1) for n, o in zip(
                new[2:], old[2:], strict=True)]).norm() / torch.cat(
                [o.reshape(-1) for o in old[2:]]).norm()))
    opt.step()                                      # detached: not recorded
    assert monitor.steps == 8
    np.testing.assert_allclose(monitor.ratio(), expected, rtol=1e-5)
    np.testing.assert_allclose(monitor.layers()["2"], expected_head, rtol=1e-5)
    np.testing.assert_allclose(monitor.groups()["group 1"], expected_head, rtol=1e-5)
    assert set(monitor.groups()) == {"body", "group 1"}
    report = monitor.result()
    assert isinstance(report, UpdateRatio) and report.median == pytest.approx(
        np.median(expected), rel=1e-5)
    assert "layer 0: median" in report.message and "group body: median" in report.message


def test_update_ratio_verdict_is_lrlabs():
    net = numpy_mlp(hidden=(8,))
    low = lt.update_ratio(lt.train(torch_twin(net), CE, batches(net, 32, 31), lr=1e-6,
                                   num_steps=30))
    high = lt.update_ratio(lt.train(torch_twin(net), CE, batches(net, 32, 31), lr=3.0,
                                    num_steps=30))
    assert low.verdict == "too low" and high.verdict == "too high"


def test_bad_input_to_train():
    model = torch.nn.Linear(2, 2)
    data = [(torch.randn(4, 2), torch.randint(0, 2, (4,)))]
    with pytest.raises(ValueError, match=r"'lr' parameter of lrlab\.torch\.train"):
        lt.train(model, CE, data, lr=-1.0, num_steps=3)
    with pytest.raises(ValueError, match="'num_steps' parameter"):
        lt.train(model, CE, data, lr=0.1, num_steps=-1)
    with pytest.raises(TypeError, match="'keep_weights' parameter"):
        lt.train(model, CE, data, lr=0.1, num_steps=3, keep_weights="yes")
    with pytest.raises(TypeError, match="'optimizer' parameter of UpdateRatioMonitor"):
        lt.UpdateRatioMonitor(model)
