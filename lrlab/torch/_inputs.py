"""What lrlab.torch needs from the learner, checked once, with messages that say what is wrong.

A learner brings four things:

* ``model``: a ``torch.nn.Module`` with trainable parameters (on any device; batches are
  moved to the device of its first parameter);
* ``loss_fn``: ``loss_fn(model(inputs), targets)`` returning a scalar tensor, e.g.
  ``torch.nn.CrossEntropyLoss()``; or ``forward=lambda model, batch: ...`` returning the
  scalar loss of any batch (dicts, several inputs, ...);
* ``loader``: a ``DataLoader`` (or any re-iterable of batches: a list of ``(x, y)`` pairs
  works); it is cycled, epoch after epoch, for as many steps as the tool needs;
* ``optimizer``: a factory ``(params, lr) -> torch.optim.Optimizer`` such as
  ``lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9)`` or
  ``functools.partial(torch.optim.AdamW, weight_decay=0.01)``, or an optimizer instance
  (its state is restored afterwards).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from .._validation import fail

__all__ = ["Setup", "check_loader", "check_pairs", "setup"]


@dataclass
class Setup:
    """The checked pieces of one experiment.

    Attributes
    ----------
    model : torch.nn.Module
    params : list of Tensor
        The trainable parameters (``requires_grad``), in ``model.parameters()`` order.
    names : list of str
        Their names in ``model.named_parameters()``.
    device : torch.device
        Where the parameters live; batches go there.
    objective : callable
        ``objective(batch, source='loader') -> scalar loss tensor`` (the batch already on
        ``device``; ``source`` names the argument the batch came from, for messages).
    loader : iterable
        The batches.
    owner : str
        The public function, for messages.
    """

    model: torch.nn.Module
    params: list
    names: list
    device: torch.device
    objective: Callable[..., torch.Tensor]
    loader: Any
    owner: str

    @property
    def name(self) -> str:
        """The model's class name (``History.meta['problem']``)."""
        return type(self.model).__name__

    @property
    def dim(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.params)

    def batches(self) -> Iterator[Any]:
        """The loader's batches on :attr:`device`, epoch after epoch, never ending."""
        return _cycle(self.loader, self.device, self.owner)

    def loss(self, batch: Any, source: str = "loader") -> torch.Tensor:
        """The objective on one batch, checked to be a scalar that depends on the parameters.

        ``source`` is the argument the batch came from (``'loader'``, ``'eval_loader'``),
        named when the batch is not one the loss function can take.
        """
        value = self.objective(batch, source)
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{self.owner}: the loss must be a torch scalar tensor that "
                            f"depends on the model's parameters; the loss function returned "
                            f"{type(value).__name__} {value!r:.60}.")
        if value.ndim != 0:
            raise ValueError(
                f"{self.owner}: the loss must be a scalar tensor; the loss function returned "
                f"a tensor of shape {tuple(value.shape)}. Reduce it to one number per batch "
                "(e.g. reduction='mean', or .mean()).")
        if not value.requires_grad:
            raise ValueError(
                f"{self.owner}: the loss does not depend on the model's trainable parameters "
                "(it has no gradient). Was it computed under torch.no_grad(), detached, or "
                "turned into a float?")
        return value


def setup(model: Any, loss_fn: Any, loader: Any, *, forward: Any = None,
          owner: str) -> Setup:
    """Check the learner's model, loss and data and build the objective."""
    if not isinstance(model, torch.nn.Module):
        fail(model, "model", owner, allowed="a torch.nn.Module", exc=TypeError)
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if not named:
        total = sum(1 for _ in model.parameters())
        raise ValueError(
            f"{owner}: the model {type(model).__name__} has no trainable parameters "
            + ("(all of them have requires_grad=False)." if total else
               "(model.parameters() is empty).")
            + " There is nothing for a learning rate to move.")
    if forward is not None:
        if not callable(forward):
            fail(forward, "forward", owner, allowed="a callable (model, batch) -> scalar loss",
                 exc=TypeError)

        def objective(batch, source="loader"):
            return forward(model, batch)
    else:
        if not callable(loss_fn):
            fail(loss_fn, "loss_fn", owner,
                 allowed="a callable loss_fn(outputs, targets) -> scalar tensor "
                         "(e.g. torch.nn.CrossEntropyLoss()), or pass forward=", exc=TypeError)

        def objective(batch, source="loader"):
            inputs, targets = _pair(batch, owner, source)
            return loss_fn(model(inputs), targets)
    check_loader(loader, "loader", owner)
    names = [n for n, _ in named]
    params = [p for _, p in named]
    return Setup(model, params, names, params[0].device, objective, loader, owner)


def check_loader(loader: Any, name: str, owner: str) -> None:
    """Refuse what cannot be a loader: not iterable, used up after one pass, or a string."""
    if isinstance(loader, Iterator | str | bytes) or not _iterable(loader):
        fail(loader, name, owner,
             allowed="a DataLoader or another re-iterable collection of batches "
                     "(a list works; a generator is used up after one pass)", exc=TypeError)


def check_pairs(loader: Any, name: str, owner: str) -> None:
    """Check up front that ``loader`` (an ``eval_loader`` read late) yields (inputs, targets).

    Reads only the first batch (no forward pass); for tools that would otherwise hand the
    loader to another function whose messages name its own ``loader``.
    """
    for batch in loader:
        _pair(batch, owner, name)
        return
    raise ValueError(f"{owner}: the {name} yielded no batch.")


def _iterable(obj: Any) -> bool:
    """Whether ``iter(obj)`` would work, without calling it: a DataLoader's ``iter`` draws
    its base seed from torch's generator (and starts its workers)."""
    kind = type(obj)
    return callable(getattr(kind, "__iter__", None)) or (
        "__iter__" not in dir(kind) and callable(getattr(kind, "__getitem__", None)))


def _pair(batch: Any, owner: str, source: str = "loader") -> tuple[Any, Any]:
    if isinstance(batch, tuple | list) and len(batch) == 2:
        return batch[0], batch[1]
    what = (f"a dict with keys {sorted(batch)}" if isinstance(batch, Mapping)
            else f"a {type(batch).__name__} of length {len(batch)}"
            if isinstance(batch, tuple | list) else f"a {type(batch).__name__}")
    raise ValueError(
        f"{owner}: each batch must be a pair (inputs, targets) for loss_fn(model(inputs), "
        f"targets); the {source} yielded {what}. Pass forward=lambda model, batch: <scalar "
        "loss> to say how a batch becomes a loss.")


def to_device(batch: Any, device: torch.device) -> Any:
    """``batch`` with every tensor in it (nested tuples, lists, dicts) moved to ``device``.

    Other objects with a ``.to(device)`` method (a tokenizer's batch, say) are moved by it.
    """
    if isinstance(batch, torch.Tensor):
        return batch if batch.device == device else batch.to(device)
    if callable(getattr(batch, "to", None)) and not isinstance(batch, type):
        return batch.to(device)
    if isinstance(batch, Mapping):
        return type(batch)({k: to_device(v, device) for k, v in batch.items()})
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(to_device(v, device) for v in batch))
    if isinstance(batch, tuple | list):
        return type(batch)(to_device(v, device) for v in batch)
    return batch


def _cycle(loader: Any, device: torch.device, owner: str) -> Iterator[Any]:
    epoch = 0
    while True:
        count = 0
        for batch in loader:
            count += 1
            yield to_device(batch, device)
        if count == 0:
            raise ValueError(
                f"{owner}: the loader yielded no batch"
                + (f" in epoch {epoch + 1} (it is used up after one pass: pass a DataLoader "
                   "or a list)." if epoch else
                   " (is the dataset empty, or drop_last=True with fewer samples than "
                   "batch_size?)."))
        epoch += 1


def batch_size_of(batch: Any) -> int:
    """Leading size of the first tensor in ``batch`` (1 when there is none)."""
    if isinstance(batch, torch.Tensor):
        return int(batch.shape[0]) if batch.ndim else 1
    values = batch.values() if isinstance(batch, Mapping) else \
        batch if isinstance(batch, tuple | list) else ()
    for v in values:
        n = batch_size_of(v)
        if n:
            return n
    return 1


# ------------------------------------------------------------------------ optimizers
def build_optimizer(optimizer: Any, params: list, lr: float, owner: str
                    ) -> tuple[torch.optim.Optimizer, list[float], bool]:
    """The optimizer to drive, each group's rate relative to the swept one, and ownership.

    A factory is called as ``optimizer(params, lr)``; every group's rate is then set to
    ``lr_t * (group lr / lr)`` at step ``t`` (groups the factory gave their own rate keep
    their ratio). An instance is driven in place, its first group's rate being the swept
    one, and restored by the caller.
    """
    if optimizer is None:
        opt, owned = torch.optim.SGD(params, lr=lr), True
        reference = lr
    elif isinstance(optimizer, torch.optim.Optimizer):
        opt, owned = optimizer, False
        reference = _group_lr(opt.param_groups[0])
    elif callable(optimizer):
        try:
            opt = optimizer(params, lr)
        except TypeError as err:
            raise TypeError(
                f"{owner}: optimizer must be a factory called as optimizer(params, lr), e.g. "
                "lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9) or "
                f"functools.partial(torch.optim.Adam, betas=(0.9, 0.99)); calling it failed: "
                f"{err}") from err
        if not isinstance(opt, torch.optim.Optimizer):
            fail(opt, "optimizer", owner, allowed="a factory returning a torch.optim.Optimizer",
                 exc=TypeError)
        owned, reference = True, lr
    else:
        fail(optimizer, "optimizer", owner,
             allowed="a factory (params, lr) -> torch.optim.Optimizer or an "
                     "optimizer instance", exc=TypeError)
    if isinstance(opt, torch.optim.LBFGS):
        raise TypeError(f"{owner}: LBFGS needs a closure and a line search; its step size is "
                        "not a learning rate to sweep. Use an SGD-type optimizer.")
    if not (reference > 0 and math.isfinite(reference)):
        fail(reference, "optimizer", owner,
             allowed="an optimizer whose first group has a positive lr")
    scales = [_group_lr(g) / reference for g in opt.param_groups]
    return opt, scales, owned


def _group_lr(group: dict) -> float:
    lr = group["lr"]
    return float(lr.item()) if isinstance(lr, torch.Tensor) else float(lr)


def set_lr(opt: torch.optim.Optimizer, lr: float, scales: list[float]) -> None:
    """Set every group's rate to ``lr * scale``."""
    for group, scale in zip(opt.param_groups, scales, strict=True):
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(lr * scale)
        else:
            group["lr"] = lr * scale
