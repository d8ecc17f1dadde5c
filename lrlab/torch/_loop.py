"""The training loop of lrlab.torch: lrlab's ``train`` semantics on a PyTorch model.

One loop serves the range test, the advisor's trials and :func:`lrlab.torch.train`::

    for t in range(num_steps + 1):
        batch = next(batches)                       # the loader, cycled, on the model's device
        loss = objective(batch); loss.backward()    # loss and gradient at theta_t
        record loss, ||grad||; stop if diverged (lrlab's rule) or the caller says so
        set every group's lr to lr(t) * its scale; optimizer.step()

so ``History.loss[t]`` is the loss at ``theta_t`` on the batch of step ``t``, exactly as in
:func:`lrlab.train`, and a run that diverges is frozen with the same step and reason: a loss
that is NaN or inf, a non-finite gradient norm, or a loss above
``loss_0 + divergence_factor * max(|loss_0|, 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..history import History
from ._inputs import Setup, batch_size_of, set_lr
from .monitor import UpdateRatioMonitor

__all__ = ["full_loss", "run"]

#: Record the iterates (for diagnose's update cosines) only below this many floats.
AUTO_PARAMS_LIMIT = 2_000_000


def _divergence(t: int, loss: float, gnorm: float, threshold: float | None,
                factor: float | None) -> str | None:
    """lrlab.train's divergence test and reason for one run (None: fine)."""
    ok = (loss <= threshold) if threshold is not None else math.isfinite(loss)
    if ok and gnorm < math.inf:
        return None
    if math.isnan(loss):
        return "loss became nan"
    if loss == math.inf:
        return "loss became inf"
    if loss == -math.inf:
        return "loss became -inf"
    if not gnorm < math.inf:
        return "gradient became non-finite"
    return f"loss exceeded {factor or 0:.0e} x its start"


def _loss_and_grad_norm(loss: torch.Tensor, params: list[torch.Tensor]) -> tuple[float, float]:
    """The loss and the gradient's Euclidean norm as floats, in one device-to-host transfer."""
    grads = [p.grad for p in params if p.grad is not None]
    parts = [loss.detach(), *torch._foreach_norm(grads)] if grads else [loss.detach()]
    if any(t.dtype != parts[0].dtype for t in parts):
        parts = [t.to(torch.float64) for t in parts]
    values = torch.stack(parts).tolist()
    return values[0], math.sqrt(sum(v * v for v in values[1:]))  # inf on overflow, no error


def run(setup: Setup, optimizer: torch.optim.Optimizer, scales: list[float],
        lr_at: Callable[[int], float], num_steps: int, *,
        divergence_factor: float | None = 1e5,
        stop: Callable[[int, float], str | None] | None = None,
        record_ratio: bool = True, record_params: bool | str = False,
        record_grad_norm: bool = True,
        eval_every: int | None = None, eval_loader: Any = None,
        meta: dict | None = None) -> History:
    """Train ``setup.model`` with ``optimizer`` and record an lrlab History.

    ``stop(t, loss_t)`` is asked after each recorded loss from ``t = 1`` on; a reason ends
    the run there (``stopped_at = t``). Without ``record_grad_norm`` (the range test, which
    reads only the loss, like fastai's) ``grad_norm`` stays NaN and a non-finite gradient
    shows one step later, as a non-finite loss; that saves a reduction over every gradient
    and a transfer per step. The model is *not* restored here: callers wrap this in
    :func:`lrlab.torch._state.preserved`.
    """
    T = num_steps
    params = setup.params
    dim = setup.dim
    if record_params == "auto":
        record_params = (T + 1) * dim <= AUTO_PARAMS_LIMIT
    loss_rec = np.full(T + 1, np.nan)
    gnorm_rec = np.full(T + 1, np.nan)
    lr_rec = np.full(T, np.nan)
    snaps: list[torch.Tensor] = []
    eval_steps: list[int] = []
    eval_rec: list[float] = []
    diverged_at, stopped_at, reason = -1, -1, ""
    threshold = None
    batches = setup.batches()
    monitor = UpdateRatioMonitor(optimizer, setup.model) if record_ratio else None
    first_size = None
    setup.model.train()
    if monitor is not None:
        monitor.attach()
    try:
        for t in range(T + 1):
            batch = next(batches)
            if first_size is None:
                first_size = batch_size_of(batch)
            optimizer.zero_grad(set_to_none=True)
            loss = setup.loss(batch)
            loss.backward()
            if record_params:
                snaps.append(torch.cat([p.detach().reshape(-1) for p in params]))
            if record_grad_norm:
                value, gnorm = _loss_and_grad_norm(loss, params)
                gnorm_rec[t] = gnorm
            else:
                value, gnorm = loss.item(), 0.0
            loss_rec[t] = value
            if t == 0:
                if not math.isfinite(value):
                    diverged_at, reason = 0, "loss was not finite at the start"
                    break
                if divergence_factor is not None:
                    threshold = value + divergence_factor * max(abs(value), 1.0)
            why = _divergence(t, value, gnorm, threshold, divergence_factor)
            if why is not None:
                diverged_at, reason = t, why
                break
            if eval_every is not None and (t % eval_every == 0 or t == T):
                eval_steps.append(t)
                eval_rec.append(full_loss(setup, eval_loader))
            if stop is not None and t >= 1:
                why = stop(t, value)
                if why is not None:
                    stopped_at, reason = t, why
                    break
            if t == T:
                break
            lr = float(lr_at(t))
            set_lr(optimizer, lr, scales)
            lr_rec[t] = lr
            optimizer.step()
    finally:
        if monitor is not None:
            monitor.detach()
    last = t
    ratio = np.full(T, np.nan)
    extra: dict[str, Any] = {}
    if monitor is not None and monitor.steps:
        ratio[: monitor.steps] = monitor.ratio()
        extra["layer_ratios"] = _padded(monitor.layers(), T)
        if len(optimizer.param_groups) > 1:
            extra["group_ratios"] = _padded(monitor.groups(), T)
    lr_rec[last:] = np.nan
    ratio[last:] = np.nan
    params_rec = None
    if record_params:
        params_rec = np.full((T + 1, dim), np.nan)
        params_rec[: len(snaps)] = torch.stack(snaps).to(torch.float64).cpu().numpy()
    evals = np.minimum(np.arange(1, T + 2), last + 1)
    info = {"rule": _describe(optimizer), "problem": setup.name, "seed": None,
            "batch_size": first_size, "optimizer": type(optimizer).__name__, **extra,
            **(meta or {})}
    return History(
        loss=loss_rec, grad_norm=gnorm_rec, lr=lr_rec, update_ratio=ratio, params=params_rec,
        diverged_at=np.array(diverged_at), stopped_at=np.array(stopped_at),
        reason=np.array(reason), loss_evals=evals, grad_evals=evals.copy(),
        eval_steps=np.array(eval_steps, dtype=int),
        eval_loss=np.array(eval_rec) if eval_rec else None, meta=info)


def _padded(table: dict[str, np.ndarray], T: int) -> dict[str, np.ndarray]:
    out = {}
    for name, r in table.items():
        full = np.full(T, np.nan)
        full[: len(r)] = r
        out[name] = full
    return out


def _describe(optimizer: torch.optim.Optimizer) -> str:
    """``SGD(momentum=0.9, ...)``: the optimizer and its non-default-looking settings."""
    group = optimizer.param_groups[0]
    keep = ("momentum", "dampening", "nesterov", "weight_decay", "betas", "eps", "alpha",
            "rho", "lr_decay", "amsgrad", "centered")
    items = [f"{k}={group[k]!r}" for k in keep if k in group and group[k] not in (0, False)]
    name = f"torch.optim.{type(optimizer).__name__}"
    return f"{name}({', '.join(items)})" if items else name


def full_loss(setup: Setup, loader: Any = None) -> float:
    """Mean loss over one pass of ``loader`` (default: the training loader), in eval mode.

    Batch losses are weighted by batch size (exact for mean-reduced losses); the model's
    train/eval flags are put back afterwards.
    """
    source = "loader" if loader is None else "eval_loader"
    loader = setup.loader if loader is None else loader
    modes = [(m, m.training) for m in setup.model.modules()]
    setup.model.eval()
    total, count = 0.0, 0
    try:
        with torch.no_grad():
            from ._inputs import to_device

            for batch in loader:
                batch = to_device(batch, setup.device)
                n = batch_size_of(batch)
                value = setup.objective(batch, source)
                if not isinstance(value, torch.Tensor) or value.ndim != 0:
                    setup.loss(batch, source)   # raises the clear error
                total += float(value) * n
                count += n
    finally:
        for m, mode in modes:
            m.training = mode
    if count == 0:
        raise ValueError(f"{setup.owner}: the {source} yielded no batch.")
    return total / count
