"""Put a model, its optimizer and the random number generators back exactly as they were.

Every tool of :mod:`lrlab.torch` is an experiment on the learner's model: it trains for a while
and then restores, in a ``finally`` block (so also after an exception or a NaN blow-up):

* every parameter and buffer, bit for bit (copied back *in place*, so references the
  learner holds to ``model.fc.weight`` stay valid), and each parameter's ``.grad``;
* the ``training`` flag of every submodule;
* the state of an optimizer the learner passed in (``state_dict`` deep copy);
* torch's global random number generator (CPU, and CUDA when the model is there) and the
  generators of the DataLoader, so running a tool does not shift the learner's random stream.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable, Iterator
from typing import Any

import torch

__all__ = ["preserved", "seeded"]


def _loader_generators(loader: Any) -> list[torch.Generator]:
    """The torch.Generator objects a DataLoader (or its samplers) draws its order from."""
    found: list[torch.Generator] = []
    for holder in (loader, getattr(loader, "sampler", None),
                   getattr(getattr(loader, "batch_sampler", None), "sampler", None)):
        gen = getattr(holder, "generator", None)
        if isinstance(gen, torch.Generator) and all(gen is not g for g in found):
            found.append(gen)
    return found


class _Snapshot:
    """Copies of everything :func:`preserved` restores."""

    def __init__(self, model: torch.nn.Module, optimizer: Any, loaders: Iterable[Any]):
        self.model = model
        with torch.no_grad():
            self.tensors = [(t, t.detach().clone()) for t in _tensors(model)]
            self.grads = [(p, None if p.grad is None else p.grad.detach().clone())
                          for p in model.parameters()]
        self.modes = [(m, m.training) for m in model.modules()]
        self.optimizer = optimizer
        self.opt_state = None if optimizer is None else copy.deepcopy(optimizer.state_dict())
        self.cpu_rng = torch.random.get_rng_state()
        self.cuda_rng = None
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            self.cuda_rng = torch.cuda.get_rng_state_all()
        self.generators = [(g, g.get_state()) for loader in loaders
                           for g in _loader_generators(loader)]

    def restore(self) -> None:
        with torch.no_grad():
            for tensor, saved in self.tensors:
                tensor.copy_(saved)
            for p, g in self.grads:
                if g is None:
                    p.grad = None
                elif p.grad is None or p.grad.shape != g.shape:
                    p.grad = g.clone()
                else:
                    p.grad.copy_(g)
        for module, mode in self.modes:
            module.training = mode
        if self.optimizer is not None:
            self.optimizer.load_state_dict(self.opt_state)
        torch.random.set_rng_state(self.cpu_rng)
        if self.cuda_rng is not None:
            torch.cuda.set_rng_state_all(self.cuda_rng)
        for gen, state in self.generators:
            gen.set_state(state)


def _tensors(model: torch.nn.Module) -> list[torch.Tensor]:
    """Parameters and buffers, each once (shared weights appear once)."""
    seen: dict[int, torch.Tensor] = {}
    for t in [*model.parameters(), *model.buffers()]:
        seen.setdefault(id(t), t)
    return list(seen.values())


@contextlib.contextmanager
def preserved(model: torch.nn.Module, optimizer: Any = None,
              loaders: Iterable[Any] = ()) -> Iterator[None]:
    """Run the body, then restore ``model``, ``optimizer`` and the RNGs, whatever happened.

    Parameters
    ----------
    model : torch.nn.Module
        Its parameters, buffers, gradients and train/eval modes are restored.
    optimizer : torch.optim.Optimizer, optional
        An optimizer the caller owns; its ``state_dict`` is restored.
    loaders : iterable of DataLoader
        Their random generators (if they have their own) are restored.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(2, 1)
    >>> before = net.weight.detach().clone()
    >>> with preserved(net):
    ...     with torch.no_grad():
    ...         _ = net.weight.mul_(3.0)
    >>> torch.equal(net.weight, before)
    True
    """
    snapshot = _Snapshot(model, optimizer, loaders)
    try:
        yield
    finally:
        snapshot.restore()


@contextlib.contextmanager
def seeded(seed: int | None, loaders: Iterable[Any] = ()) -> Iterator[None]:
    """Seed torch's generator and the loaders' own generators with ``seed`` (None: leave them).

    A DataLoader with ``shuffle=True`` draws its order from torch's global generator, unless
    it was given ``generator=``; both are seeded, so the same seed gives the same batches.
    Use inside :func:`preserved`, which puts the previous states back.
    """
    if seed is not None:
        torch.manual_seed(seed)
        for loader in loaders:
            for gen in _loader_generators(loader):
                gen.manual_seed(seed)
    yield
