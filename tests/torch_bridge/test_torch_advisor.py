"""lrlab.torch.advise: lrlab's advisor, weighed by the same code, on a torch model."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="lrlab.torch needs PyTorch: pip install "
                            "'lrlab[torch]' (the test extra installs it)")

from twins import numpy_mlp, same_state, state, torch_twin  # noqa: E402

import lrlab  # noqa: E402
import lrlab.torch as lt  # noqa: E402
from lrlab.advisor import Advice  # noqa: E402

CE = torch.nn.CrossEntropyLoss()


def test_full_batch_advice_equals_lrlabs_advice_on_the_same_mlp():
    net = numpy_mlp(n=200, hidden=(8,))
    ref = lrlab.advise(net, progress=False, num_steps=60)
    model = torch_twin(net)
    before = state(model)
    full = [(torch.as_tensor(net.data.X), torch.as_tensor(net.data.y))]
    got = lt.advise(model, CE, full, progress=False, num_steps=60)
    assert isinstance(got, Advice) and same_state(model, before)
    assert [e.name for e in got.evidence] == [e.name for e in ref.evidence] == [
        "Range test", "Stability bound", "Short trial"]
    for a, b in zip(got.evidence, ref.evidence, strict=True):
        assert a.lr == pytest.approx(b.lr, rel=1e-6), a.name
    assert got.lr == pytest.approx(ref.lr, rel=1e-9)
    assert got.sharpness == pytest.approx(ref.sharpness, rel=1e-7)
    np.testing.assert_allclose(got.trial_losses, ref.trial_losses, rtol=1e-8)
    assert got.diagnosis.label == ref.diagnosis.label
    assert "Recommended learning rate" in got.explain()


def test_minibatch_advice_with_momentum_trains_well():
    torch.manual_seed(0)
    X = torch.randn(400, 2)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).long()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32,
                                         shuffle=True)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))

    def factory(params, lr):
        return torch.optim.SGD(params, lr=lr, momentum=0.9)

    advice = lt.advise(model, CE, loader, factory, num_steps=80, seeds=2, progress=False)
    assert [e.name for e in advice.evidence] == ["Range test", "Short trial"]
    assert any("Stability bound skipped" in n for n in advice.notes)
    assert len(advice.band.seeds) == 2
    start = lt.train(model, CE, loader, factory, lr=advice.lr, num_steps=0).eval_loss[0]
    assert np.min(advice.trial_losses) < 0.5 * start     # the winner really trained
