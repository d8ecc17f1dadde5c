r"""The update-to-parameter ratio of a PyTorch optimizer, per step, per layer and per group.

.. math:: r_t = \frac{\lVert\theta_{t+1}-\theta_t\rVert}{\lVert\theta_t\rVert}

measured around every ``optimizer.step()`` through the optimizer's step hooks
(``register_step_pre_hook`` / ``register_step_post_hook``), so it works in the learner's own
training loop and with every ``torch.optim`` optimizer::

    with UpdateRatioMonitor(optimizer, model) as monitor:
        for x, y in loader:
            ...; optimizer.step()
    print(monitor.result())          # lrlab's UpdateRatio: median, verdict, per layer

Karpathy's CS231n notes ("Neural networks part 3") suggest a ratio near :math:`10^{-3}`
per layer; the verdict is :func:`lrlab.diagnostics.update_ratio`'s. A layer is a module that
owns parameters (``fc1`` holds ``fc1.weight`` and ``fc1.bias``), as lrlab's MLP groups
``W_l`` and ``b_l``. The cost per step is one copy of the parameters and four fused norm
computations; the numbers stay on the device until they are read.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from .._validation import fail
from ..diagnostics import TARGET_RATIO, UpdateRatio, update_ratio
from ..history import History

__all__ = ["UpdateRatioMonitor"]


class UpdateRatioMonitor:
    """Record the update ratio of every ``optimizer.step()`` while attached.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        Whose steps to measure (all its parameter groups).
    model : torch.nn.Module, optional
        Names the layers (modules owning parameters); without it only the overall ratio and
        the groups are reported.

    Attributes
    ----------
    steps : int
        Number of steps recorded.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    >>> opt = torch.optim.SGD(net.parameters(), lr=1e-3)
    >>> x, y = torch.randn(16, 3), torch.randn(16, 1)
    >>> with UpdateRatioMonitor(opt, net) as monitor:
    ...     for _ in range(5):
    ...         opt.zero_grad()
    ...         torch.nn.functional.mse_loss(net(x), y).backward()
    ...         opt.step()
    >>> monitor.steps, sorted(monitor.layers())
    (5, ['0', '2'])
    """

    def __init__(self, optimizer: torch.optim.Optimizer, model: torch.nn.Module | None = None):
        if not isinstance(optimizer, torch.optim.Optimizer):
            fail(optimizer, "optimizer", "UpdateRatioMonitor", allowed="a torch.optim.Optimizer",
                 exc=TypeError)
        if model is not None and not isinstance(model, torch.nn.Module):
            fail(model, "model", "UpdateRatioMonitor",
                 allowed="a torch.nn.Module or None", exc=TypeError)
        self.optimizer = optimizer
        self._tensors: list[torch.Tensor] = []
        group_of: list[int] = []
        for i, group in enumerate(optimizer.param_groups):
            for p in group["params"]:
                self._tensors.append(p)
                group_of.append(i)
        self._group_of = np.array(group_of, dtype=int)
        self._group_names = [str(g.get("name", f"group {i}"))
                             for i, g in enumerate(optimizer.param_groups)]
        self._layer_of: list[str | None] = [None] * len(self._tensors)
        if model is not None:
            where = {}
            for name, p in model.named_parameters():
                where.setdefault(id(p), name.rpartition(".")[0] or name)
            self._layer_of = [where.get(id(p)) for p in self._tensors]
        self._buffers: list[torch.Tensor] | None = None
        self._records: list[torch.Tensor] = []
        self._handles: list[Any] = []

    # ------------------------------------------------------------------ hooks
    def attach(self) -> UpdateRatioMonitor:
        """Start recording (idempotent)."""
        if not self._handles:
            self._handles = [self.optimizer.register_step_pre_hook(self._before),
                             self.optimizer.register_step_post_hook(self._after)]
        return self

    def detach(self) -> None:
        """Stop recording; what was recorded stays."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> UpdateRatioMonitor:
        return self.attach()

    def __exit__(self, *exc: Any) -> None:
        self.detach()

    def _before(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        with torch.no_grad():
            if self._buffers is None:
                self._buffers = [t.detach().clone() for t in self._tensors]
            else:
                torch._foreach_copy_(self._buffers, [t.detach() for t in self._tensors])
            self._sizes = torch._foreach_norm(self._buffers)

    def _after(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        with torch.no_grad():
            torch._foreach_sub_(self._buffers, [t.detach() for t in self._tensors])
            moves = torch._foreach_norm(self._buffers)
            self._records.append(torch.stack([*self._sizes, *moves]).to(torch.float64))

    # ---------------------------------------------------------------- reading
    @property
    def steps(self) -> int:
        """Number of recorded steps."""
        return len(self._records)

    def _squares(self) -> tuple[np.ndarray, np.ndarray]:
        """Squared norms per step and tensor: (parameters before, update)."""
        n = len(self._tensors)
        if not self._records:
            return np.zeros((0, n)), np.zeros((0, n))
        arr = torch.stack(self._records).cpu().numpy()
        return arr[:, :n] ** 2, arr[:, n:] ** 2

    @staticmethod
    def _ratio(size2: np.ndarray, move2: np.ndarray) -> np.ndarray:
        return np.sqrt(move2.sum(axis=-1) / np.maximum(size2.sum(axis=-1), 1e-24))

    def ratio(self) -> np.ndarray:
        """Overall ratio per step, shape ``(steps,)`` (all parameters of the optimizer)."""
        return self._ratio(*self._squares())

    def groups(self) -> dict[str, np.ndarray]:
        """Ratio per step of each parameter group (by its ``'name'`` or ``'group i'``)."""
        size2, move2 = self._squares()
        return {name: self._ratio(size2[:, self._group_of == i], move2[:, self._group_of == i])
                for i, name in enumerate(self._group_names)}

    def layers(self) -> dict[str, np.ndarray]:
        """Ratio per step of each layer (a module owning parameters); needs the model."""
        size2, move2 = self._squares()
        names = [n for n in dict.fromkeys(self._layer_of) if n is not None]
        of = np.array(self._layer_of, dtype=object)
        return {name: self._ratio(size2[:, of == name], move2[:, of == name]) for name in names}

    def result(self) -> UpdateRatio:
        """lrlab's :class:`~lrlab.diagnostics.UpdateRatio`: median, verdict, advice, per layer.

        The verdict reads the overall ratio (:func:`lrlab.diagnostics.update_ratio`); the
        message lists every layer (and every group when there are several).
        """
        layers = self.layers()
        groups = self.groups() if len(self._group_names) > 1 else {}
        return ratio_report(self.ratio(), layers, groups)

    def __repr__(self) -> str:
        return (f"<UpdateRatioMonitor {self.steps} steps, {len(self._tensors)} tensors, "
                f"{'attached' if self._handles else 'detached'}>")


def ratio_report(ratio: np.ndarray, layers: dict, groups: dict | None = None) -> UpdateRatio:
    """An :class:`~lrlab.diagnostics.UpdateRatio` from recorded ratios, with lrlab's verdict."""
    ratio = np.asarray(ratio, dtype=float)
    T = len(ratio)
    stand_in = History(loss=np.zeros(T + 1), grad_norm=np.zeros(T + 1), lr=np.full(T, np.nan),
                       update_ratio=ratio, params=None, diverged_at=np.array(-1),
                       stopped_at=np.array(-1), reason=np.array(""),
                       loss_evals=np.arange(1, T + 2), grad_evals=np.arange(1, T + 2))
    overall = update_ratio(stand_in)
    text = overall.message
    for title, table in (("layer", layers), ("group", groups or {})):
        for name, r in table.items():
            finite = r[np.isfinite(r)]
            m = float(np.median(finite)) if finite.size else math.nan
            flag = "" if not math.isfinite(m) or TARGET_RATIO / 10 <= m <= 10 * TARGET_RATIO \
                else "  <- more than a decade from 1e-3"
            text += f"\n  {title} {name}: median {m:.2g}{flag}"
    return UpdateRatio(ratio, dict(layers), overall.median, overall.verdict, text)
