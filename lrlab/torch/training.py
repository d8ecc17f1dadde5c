"""Train a PyTorch model for a while and read the run with lrlab: History, update ratio, diagnosis.

:func:`train` records what :func:`lrlab.train` records (loss and gradient norm at every step,
the rate, the update-to-parameter ratio, the iterates when they are small, the full-data loss
every ``eval_every`` steps) in lrlab's :class:`~lrlab.History`, so :func:`lrlab.diagnose`,
``history.summary()`` and the course's plots read it unchanged. By default it is an
experiment: the model is put back as it was afterwards (``keep_weights=True`` keeps the
trained weights).
"""

from __future__ import annotations

from typing import Any

from .._validation import MAX_COUNT, check_bool, check_bool_or, check_int, check_real, fail
from ..diagnostics import Diagnosis, UpdateRatio
from ..diagnostics import diagnose as diagnose_history
from ..history import History
from ._inputs import build_optimizer, check_loader, setup
from ._loop import run
from ._state import preserved, seeded
from .monitor import ratio_report

__all__ = ["diagnose", "train", "update_ratio"]


def _rate(lr: Any, owner: str):
    """A constant rate or a schedule ``t -> lr`` (every lrlab schedule is one)."""
    if callable(lr):
        return lr, float(lr(0))
    value = check_real(lr, "lr", owner, low=0, low_open=True)
    return (lambda t: value), value


def train(
    model: Any,
    loss_fn: Any = None,
    loader: Any = None,
    optimizer: Any = None,
    *,
    lr: Any,
    num_steps: int,
    eval_every: int | None = None,
    eval_loader: Any = None,
    seed: int | None = 0,
    divergence_factor: float | None = 1e5,
    record_params: bool | str = "auto",
    keep_weights: bool = False,
    forward: Any = None,
) -> History:
    """Train ``model`` for ``num_steps`` steps at ``lr`` and record lrlab's History.

    Parameters
    ----------
    model, loss_fn, loader, optimizer, forward
        As for :func:`lrlab.torch.lr_range_test` (``optimizer``: a factory
        ``(params, lr) -> Optimizer`` or an instance; plain SGD by default).
    lr : float > 0 or callable
        The rate, or a schedule ``t -> lr`` (e.g. ``lrlab.schedules.cosine(0.1, 500)``).
    num_steps : int >= 0
        Number of optimizer steps.
    eval_every : int >= 1, optional
        Every this many steps (and at step 0 and the end) record the full-data loss: one
        pass over ``eval_loader`` in eval mode. Default ``num_steps``: start and end only.
    eval_loader : DataLoader, optional
        Held-out data for that loss (default: the training loader).
    seed : int or None
        Seed of the data order and any dropout (None: the current random state).
    divergence_factor : float > 1 or None
        lrlab's divergence test (see :func:`lrlab.train`).
    record_params : bool or 'auto'
        Keep every iterate (flattened, float64) for the update cosines that
        :func:`lrlab.diagnose` reads; 'auto' below 2 million floats.
    keep_weights : bool
        Leave the trained weights in ``model`` (and the optimizer's state in an instance).
        By default everything is restored, bit for bit.

    Returns
    -------
    History
        One run; ``meta['layer_ratios']`` holds the update ratio of every layer
        (``meta['group_ratios']`` of every parameter group when there are several).

    Examples
    --------
    >>> import torch, lrlab
    >>> torch.manual_seed(0) and None
    >>> X = torch.randn(128, 3); y = X @ torch.tensor([1.0, -2.0, 0.5])
    >>> data = [(X[i:i + 32], y[i:i + 32, None]) for i in range(0, 128, 32)]
    >>> net = torch.nn.Linear(3, 1)
    >>> history = train(net, torch.nn.MSELoss(), data, lr=0.1, num_steps=100)
    >>> history.status(), bool(history.eval_loss[-1] < 1e-3 * history.eval_loss[0])
    ('finished', True)
    """
    owner = "lrlab.torch.train"
    lr_at, lr0 = _rate(lr, owner)
    num_steps = check_int(num_steps, "num_steps", owner, low=0, high=MAX_COUNT)
    eval_every = max(num_steps, 1) if eval_every is None else check_int(
        eval_every, "eval_every", owner, low=1)
    seed = check_int(seed, "seed", owner, low=0, high=2**63 - 1, allow_none=True)  # torch's
    if divergence_factor is not None:
        divergence_factor = check_real(divergence_factor, "divergence_factor", owner, low=1,
                                       low_open=True)
    record_params = check_bool_or(record_params, "record_params", owner)  # True, False, 'auto'
    keep_weights = check_bool(keep_weights, "keep_weights", owner)
    if loader is None:
        fail(loader, "loader", owner,
             allowed="a DataLoader or a re-iterable of batches", exc=TypeError)
    spec = setup(model, loss_fn, loader, forward=forward, owner=owner)
    instance = optimizer if _is_optimizer(optimizer) else None
    if eval_loader is not None:   # its batches are checked at the first evaluation (step 0)
        check_loader(eval_loader, "eval_loader", owner)
    loaders = [loader] if eval_loader is None else [loader, eval_loader]

    def go() -> History:
        opt, scales, _ = build_optimizer(optimizer, spec.params, lr0, owner)
        return run(spec, opt, scales, lr_at, num_steps, divergence_factor=divergence_factor,
                   record_params=record_params, eval_every=eval_every,
                   eval_loader=eval_loader, meta={"seed": seed})

    if keep_weights:
        with seeded(seed, loaders):
            return go()
    with preserved(spec.model, instance, loaders), seeded(seed, loaders):
        return go()


def update_ratio(history: History) -> UpdateRatio:
    """The update ratio of a :func:`train` run, per layer, with lrlab's verdict.

    Parameters
    ----------
    history : History
        From :func:`train` (its ``meta`` holds the per-layer ratios).

    Returns
    -------
    UpdateRatio
    """
    if not isinstance(history, History):
        fail(history, "history", "lrlab.torch.update_ratio",
             allowed="a History from lrlab.torch.train", exc=TypeError)
    return ratio_report(history.update_ratio, history.meta.get("layer_ratios", {}),
                        history.meta.get("group_ratios", {}))


def diagnose(model: Any, loss_fn: Any = None, loader: Any = None, optimizer: Any = None, *,
             lr: Any, num_steps: int = 200, **train_kwargs: Any) -> Diagnosis:
    """Train ``model`` at ``lr`` (then restore it) and label the run with :func:`lrlab.diagnose`.

    'diverged', 'too high', 'too low', 'plateau' or 'good', with the evidence and advice. For
    the run itself, call :func:`train` and ``lrlab.diagnose(history)``.

    Parameters
    ----------
    model, loss_fn, loader, optimizer
        As for :func:`train`.
    lr : float or callable
        The rate (or schedule) to judge.
    num_steps : int
        Length of the run.
    **train_kwargs
        Passed to :func:`train` (``seed``, ``eval_every``, ``forward``, ...).

    Returns
    -------
    Diagnosis
    """
    history = train(model, loss_fn, loader, optimizer, lr=lr, num_steps=num_steps,
                    **train_kwargs)
    return diagnose_history(history)


def _is_optimizer(obj: Any) -> bool:
    import torch

    return isinstance(obj, torch.optim.Optimizer)
