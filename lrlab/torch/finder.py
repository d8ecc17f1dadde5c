r"""The LR range test and its band over seeds, on a PyTorch model.

The same test as :func:`lrlab.finder.lr_range_test`, run on the learner's ``nn.Module``,
loss and ``DataLoader``: the sweep (:class:`lrlab.finder.Sweep`), the smoothing and stop
rule (the finder's own code, fed one loss at a time so the run ends when the rule fires) and
the suggestions (``result.suggest``) are lrlab's, so on the same model, data order and
initial weights the curve equals the numpy test's to rounding (``tests/torch_bridge``)::

    sweep     lr_0 = start_lr ... lr_{n-1} = end_lr (exp or linear)
    step t    loss and gradient on the loader's next batch, then optimizer.step() at lr_t
    losses[i] = the loss after the step taken at lr_i (on the next batch)
    smoothed  bias-corrected EMA (beta = 0.98); stop when smoothed > best + (k - 1)|best|

The model, the optimizer (when an instance is passed) and torch's random state are restored
afterwards, also when the loss turns NaN or the loss function raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._validation import check_int, check_real, fail
from ..finder import RangeTestResult, SuggestionBand, Sweep
from ..finder.range_test import StopRule, _check_sweep, _smooth_and_stop, band_over_seeds
from ._inputs import build_optimizer, setup
from ._loop import run
from ._state import preserved, seeded

__all__ = ["lr_range_test", "suggestion_band"]


def lr_range_test(
    model: Any,
    loss_fn: Any = None,
    loader: Any = None,
    optimizer: Any = None,
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    mode: str = "exp",
    smoothing: float = 0.98,
    stop_factor: float | None = 4.0,
    seed: int | None = 0,
    forward: Any = None,
) -> RangeTestResult:
    r"""Sweep the learning rate over one short run of ``model`` and record the loss.

    Parameters
    ----------
    model : torch.nn.Module
        The learner's network; it is restored afterwards (parameters, buffers, gradients,
        train/eval mode), bit for bit.
    loss_fn : callable
        ``loss_fn(model(inputs), targets) -> scalar tensor``, e.g.
        ``torch.nn.CrossEntropyLoss()``. Not needed with ``forward``.
    loader : DataLoader or re-iterable of batches
        ``(inputs, targets)`` pairs (any batch with ``forward``); cycled as needed.
    optimizer : callable or torch.optim.Optimizer, optional
        A factory ``(params, lr) -> Optimizer`` (default: plain ``torch.optim.SGD``) or an
        instance, whose first group's rate is swept (other groups keep their ratio to it)
        and whose state is restored afterwards.
    start_lr, end_lr : float > 0
        First and last rate (``end_lr > start_lr``), fastai's defaults.
    num_steps : int >= 2
        Number of steps (= rates).
    mode : {'exp', 'linear'}
        Geometric or arithmetic sweep.
    smoothing : float in [0, 1)
        ``beta`` of the moving average (fastai's 0.98).
    stop_factor : float > 1 or None
        Stop once the smoothed loss exceeds ``k`` times its best (see
        :func:`lrlab.finder.lr_range_test`); ``None`` runs on until the loss is not finite.
    seed : int or None
        Seeds torch's generator (and the loader's own) for the data order and any dropout:
        same seed, same curve. ``None`` uses the current random state. Either way the
        random state is put back afterwards.
    forward : callable, optional
        ``forward(model, batch) -> scalar loss`` for batches that are not ``(x, y)`` pairs.

    Returns
    -------
    RangeTestResult
        lrlab's result: ``.suggest('valley')``, ``.suggestions()``, ``.plot()``. Its
        ``history`` stops where the test stopped (the numpy test trains to the end) and,
        like fastai's and torch-lr-finder's, records the loss only (``grad_norm`` is NaN;
        :func:`lrlab.torch.train` records it).

    Raises
    ------
    ValueError
        The loss is not a scalar, is not finite on the first batch, the loader yields no
        batch, or the model has no trainable parameters.

    Examples
    --------
    >>> import torch
    >>> torch.manual_seed(0) and None
    >>> X = torch.randn(256, 2); y = (X[:, 0] * X[:, 1] > 0).long()
    >>> loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y),
    ...                                      batch_size=32, shuffle=True)
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(),
    ...                           torch.nn.Linear(16, 2))
    >>> result = lr_range_test(net, torch.nn.CrossEntropyLoss(), loader)
    >>> type(result).__name__, result.num_steps     # lrlab's own result type
    ('RangeTestResult', 100)
    >>> 1e-4 < result.suggest("valley") < 10
    True
    """
    owner = "lrlab.torch.lr_range_test"
    start_lr, end_lr, num_steps, mode = _check_sweep(start_lr, end_lr, num_steps, mode, owner)
    beta = check_real(smoothing, "smoothing", owner, low=0, high=1, high_open=True)
    if stop_factor is not None:
        stop_factor = check_real(stop_factor, "stop_factor", owner, low=1, low_open=True)
    seed = check_int(seed, "seed", owner, low=0, high=2**63 - 1, allow_none=True)  # torch's
    if loader is None:
        fail(loader, "loader", owner,
             allowed="a DataLoader or a re-iterable of batches", exc=TypeError)
    spec = setup(model, loss_fn, loader, forward=forward, owner=owner)
    sweep = Sweep(start_lr, end_lr, num_steps, mode)
    rule = StopRule(sweep.values, beta, stop_factor)
    instance = optimizer if _is_optimizer(optimizer) else None
    with preserved(spec.model, instance, [loader]), seeded(seed, [loader]):
        opt, scales, _ = build_optimizer(optimizer, spec.params, sweep(0), owner)
        history = run(spec, opt, scales, sweep, num_steps, record_ratio=False,
                      record_grad_norm=False,
                      stop=lambda t, value: rule.push(t - 1, value),
                      meta={"seed": seed})
    initial = float(history.loss[0])
    if history.diverged_at == 0:
        raise ValueError(
            f"{owner}: the loss of {spec.name} on the first batch is {initial}; a range test "
            "needs a finite starting loss. Check the initial weights and the data (NaN or inf "
            "in the inputs?).")
    losses = history.loss[1:].copy()
    smoothed, stop, reason = _smooth_and_stop(losses, sweep.values, beta, stop_factor, history)
    settings = {"start_lr": start_lr, "end_lr": end_lr, "num_steps": num_steps, "mode": mode,
                "smoothing": beta, "stop_factor": stop_factor,
                "batch_size": history.meta["batch_size"], "seed": seed,
                "rule": history.meta["rule"], "problem": spec.name}
    return RangeTestResult(sweep.values.copy(), losses, smoothed, stop, reason, initial,
                           history, settings)


def suggestion_band(
    model: Any,
    loss_fn: Any = None,
    loader: Any = None,
    optimizer: Any = None,
    *,
    seeds: Iterable[int] = range(5),
    methods: Iterable[str] = ("minimum", "steep", "valley", "slide", "midpoint"),
    progress: bool | str = "auto",
    **kwargs: Any,
) -> SuggestionBand:
    """The range test once per seed: each suggestion's median, low, high and spread.

    Parameters
    ----------
    model, loss_fn, loader, optimizer
        As for :func:`lr_range_test`.
    seeds : iterable of int
        One test per seed (the seed sets the data order and any dropout).
    methods : iterable of str
        Names in :data:`lrlab.finder.SUGGESTIONS`.
    progress : bool or 'auto'
        A progress bar when the band takes longer than a second.
    **kwargs
        Passed to :func:`lr_range_test` (``start_lr``, ``num_steps``, ``forward``, ...).

    Returns
    -------
    SuggestionBand
        lrlab's band (``.median``, ``.spread``, ``plot_range_test(..., band=band)``).
    """
    if "seed" in kwargs:
        fail(kwargs["seed"], "seed", "lrlab.torch.suggestion_band", allowed="given as seeds=[...]",
             exc=TypeError)
    return band_over_seeds(
        lambda s: lr_range_test(model, loss_fn, loader, optimizer, seed=s, **kwargs),
        seeds, methods, progress=progress, owner="lrlab.torch.suggestion_band")


def _is_optimizer(obj: Any) -> bool:
    import torch

    return isinstance(obj, torch.optim.Optimizer)
