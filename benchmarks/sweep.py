"""Benchmark: 256 learning rates x 1,000 steps of gradient descent on Rosenbrock.

Compares ``lrlab.train`` (one batched run) with

(a) a bare hand-written vectorised numpy loop that records the same per-step
    loss and gradient norm, and
(b) PyTorch batched autograd (when torch is importable),

checks that all three agree on the runs that stay finite, and prints medians and
ratios measured in the same process. Run it with::

    python benchmarks/sweep.py            # lrlab vs bare numpy
    PYTHONPATH=. /path/to/torch-env/bin/python benchmarks/sweep.py   # + torch

Target (issue 2): lrlab within 2x of the bare loop.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lrlab
from lrlab.rules import sgd

NUM_LRS, NUM_STEPS, REPEATS = 256, 1000, 15
A, B = 1.0, 100.0
LRS = np.logspace(-6, -2.5, NUM_LRS)
X0 = np.array([-1.5, 2.0])


def bare_numpy() -> tuple[np.ndarray, np.ndarray]:
    """The loop a careful person writes by hand: same outputs, no framework."""
    theta = np.tile(X0, (NUM_LRS, 1))
    lr = LRS[:, None]
    losses = np.empty((NUM_STEPS + 1, NUM_LRS))
    gnorms = np.empty((NUM_STEPS + 1, NUM_LRS))
    with np.errstate(all="ignore"):
        for t in range(NUM_STEPS + 1):
            x, y = theta[:, 0], theta[:, 1]
            r = y - x * x
            losses[t] = (A - x) ** 2 + B * r * r
            g = np.stack([-2 * (A - x) - 4 * B * x * r, 2 * B * r], axis=-1)
            gnorms[t] = np.sqrt(np.einsum("ij,ij->i", g, g))
            if t < NUM_STEPS:
                theta = theta - lr * g
    return losses, theta


def with_lrlab(problem) -> lrlab.History:
    return lrlab.train(problem, sgd(LRS), NUM_STEPS, x0=X0, record_params=True)


def with_torch():
    import torch

    torch.set_num_threads(1)
    theta = torch.tensor(np.tile(X0, (NUM_LRS, 1)), dtype=torch.float64, requires_grad=True)
    lr = torch.tensor(LRS[:, None], dtype=torch.float64)
    losses = torch.empty((NUM_STEPS + 1, NUM_LRS), dtype=torch.float64)
    for t in range(NUM_STEPS + 1):
        x, y = theta[:, 0], theta[:, 1]
        loss = (A - x) ** 2 + B * (y - x * x) ** 2
        losses[t] = loss.detach()
        if t < NUM_STEPS:
            (g,) = torch.autograd.grad(loss.sum(), theta)
            with torch.no_grad():
                theta -= lr * g
    return losses.numpy(), theta.detach().numpy()


def interleaved(fns: dict, repeats: int = REPEATS) -> tuple[dict, dict]:
    """Median wall time of each function, timed in alternation so that load on a
    shared machine hits all of them alike. Returns (medians, last outputs)."""
    times = {name: [] for name in fns}
    outputs = {}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            outputs[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}, outputs


def main() -> None:
    problem = lrlab.surfaces.rosenbrock(a=A, b=B)
    fns = {"bare": bare_numpy, "lrlab": lambda: with_lrlab(problem)}
    try:
        import torch  # noqa: F401

        fns["torch"] = with_torch
    except ImportError:
        pass
    med, out = interleaved(fns)
    bare_losses, bare_theta = out["bare"]
    hist = out["lrlab"]

    ok = ~hist.diverged
    assert ok.sum() > NUM_LRS // 2, "most runs should stay stable"
    np.testing.assert_allclose(hist.loss[:, ok], bare_losses[:, ok], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(hist.final_params[ok], bare_theta[ok], rtol=1e-12)
    print(f"{NUM_LRS} learning rates x {NUM_STEPS} steps of GD on Rosenbrock "
          f"({int((~ok).sum())} runs diverge); medians of {REPEATS} interleaved runs")
    print(f"  bare numpy loop : {med['bare'] * 1e3:8.1f} ms")
    print(f"  lrlab.train     : {med['lrlab'] * 1e3:8.1f} ms   ratio lrlab / bare  = "
          f"{med['lrlab'] / med['bare']:.2f}  (target <= 2)")
    if "torch" not in med:
        print("  torch           : not installed (skipped)")
        return
    torch_losses, _ = out["torch"]
    np.testing.assert_allclose(torch_losses[:, ok], bare_losses[:, ok], rtol=1e-10)
    print(f"  torch autograd  : {med['torch'] * 1e3:8.1f} ms   ratio torch / lrlab = "
          f"{med['torch'] / med['lrlab']:.2f}")


if __name__ == "__main__":
    main()
