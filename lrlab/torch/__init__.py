"""lrlab's tools on your own PyTorch model (the optional extra ``lrlab[torch]``).

The range test, the band over seeds, the advisor, the update-ratio monitor, sharpness and the
diagnosis, run on a learner's ``nn.Module``, loss function and ``DataLoader``, with any
``torch.optim`` optimizer. They return lrlab's own result types, so ``result.suggest()``,
``result.plot()``, :func:`lrlab.diagnose` and the course's plots work unchanged::

    import lrlab.torch as lt
    result = lt.lr_range_test(model, torch.nn.CrossEntropyLoss(), loader)
    result.suggest("valley"), result.plot()
    advice = lt.advise(model, torch.nn.CrossEntropyLoss(), loader)     # explain(), .lr
    history = lt.train(model, loss_fn, loader, lr=advice.lr, num_steps=500)
    lrlab.diagnose(history), lt.update_ratio(history)

``optimizer`` is a factory ``(params, lr) -> Optimizer`` (plain SGD by default), e.g.
``lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9)`` or
``functools.partial(torch.optim.AdamW, weight_decay=0.01)``, or an optimizer instance. Every
tool is an experiment: the model (parameters, buffers, gradients, train/eval mode), an
optimizer instance and torch's random state are restored afterwards, bit for bit, also after
an exception or a NaN. Batches go to the device of the model's first parameter.

Only this package imports torch; ``import lrlab`` never does.
"""

from __future__ import annotations

try:
    import torch as _torch  # noqa: F401
except ImportError as err:  # pragma: no cover - exercised without torch installed
    raise ImportError(
        "lrlab.torch needs PyTorch, which is not installed. Install the CPU build with "
        "pip install 'lrlab[torch]' (or pip install torch==2.13.0); the rest of lrlab works "
        "without it.") from err

from .advisor import advise
from .curvature import hvp, sharpness
from .finder import lr_range_test, suggestion_band
from .monitor import UpdateRatioMonitor
from .training import diagnose, train, update_ratio

__all__ = ["UpdateRatioMonitor", "advise", "diagnose", "hvp", "lr_range_test", "sharpness",
           "suggestion_band", "train", "update_ratio"]
