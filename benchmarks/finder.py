"""Benchmark: a 100-step LR range test of a 64-64-10 tanh MLP on the 8x8 digits.

Three implementations of the same computation -- same initial weights, same
minibatches (batch 64, drawn by ``numpy.random.default_rng(0).choice``
without replacement, one draw per step), same learning rates (the
exponential sweep 1e-7 .. 10) -- are timed in one process:

* lrlab: ``lrlab.finder.lr_range_test(net, lrlab.sgd, batch_size=64)``
  (goes through ``lrlab.train``, the one loop, and post-processes);
* a bare hand-written numpy loop (forward, backward, update; nothing else);
* the same loop in PyTorch (float64, CPU, ``torch.optim.SGD``), if torch is
  installed.

The script first checks that the three loss curves agree, then prints the
median time of each over repeated runs and the ratios. Run it with::

    .venv/bin/python benchmarks/finder.py                   # lrlab vs numpy
    /work/torchenv/bin/python benchmarks/finder.py          # + PyTorch
    .venv/bin/python benchmarks/finder.py --profile         # where lrlab's time goes

scikit-learn (which ships the digits) is optional: without it the data are
read from the ``digits.csv.gz`` of a scikit-learn installed in the repo's
``.venv``.
"""

from __future__ import annotations

import argparse
import gzip
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from lrlab.datasets import Dataset  # noqa: E402
from lrlab.finder import Sweep, lr_range_test  # noqa: E402
from lrlab.models import MLP  # noqa: E402
from lrlab.rules import sgd  # noqa: E402

STEPS, BATCH, SEED = 100, 64, 0


def load_digits() -> Dataset:
    """The 8x8 digits, standardised exactly as ``lrlab.datasets.digits()``."""
    try:
        from lrlab.datasets import digits

        return digits()
    except ImportError:
        pass
    found = sorted(ROOT.glob(".venv/lib/python*/site-packages/sklearn/datasets/data/"
                             "digits.csv.gz"))
    if not found:
        sys.exit("Needs scikit-learn's digits: pip install scikit-learn (or run under .venv).")
    with gzip.open(found[0], "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",")
    X, y = raw[:, :-1], raw[:, -1].astype(np.int64)
    std = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return Dataset(X, y, "digits")


def run_lrlab(net: MLP) -> np.ndarray:
    result = lr_range_test(net, sgd, 1e-7, 10.0, STEPS, batch_size=BATCH, seed=SEED)
    return result.history.loss


def run_numpy(X, y, params0, lrs) -> np.ndarray:
    """The bare loop: draw a batch, forward, backward, update."""
    (W1, b1), (W2, b2) = [(W.copy(), b.copy()) for W, b in params0]
    rng = np.random.default_rng(SEED)
    n, m = len(y), BATCH
    rows = np.arange(m)
    losses = np.empty(STEPS + 1)
    with np.errstate(all="ignore"):
        for t in range(STEPS + 1):
            idx = rng.choice(n, m, replace=False)
            xb, yb = X[idx], y[idx]
            h = np.tanh(xb @ W1 + b1)
            z = h @ W2 + b2
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            losses[t] = np.mean(np.log(s[:, 0]) - z[rows, yb])
            if t == STEPS:
                break
            d2 = e / s
            d2[rows, yb] -= 1.0
            d2 /= m
            d1 = (d2 @ W2.T) * (1.0 - h * h)
            lr = lrs[t]
            W2 -= lr * (h.T @ d2)
            b2 -= lr * d2.sum(axis=0)
            W1 -= lr * (xb.T @ d1)
            b1 -= lr * d1.sum(axis=0)
    return losses


def run_torch(torch, X, y, params0, lrs) -> np.ndarray:
    """The same loop in PyTorch (float64, torch.optim.SGD, lr set before each step)."""
    F = torch.nn.functional
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    ps = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
          for W, b in params0 for a in (W, b)]
    W1, b1, W2, b2 = ps
    opt = torch.optim.SGD(ps, lr=float(lrs[0]))
    rng = np.random.default_rng(SEED)
    losses = np.empty(STEPS + 1)
    for t in range(STEPS + 1):
        idx = torch.from_numpy(rng.choice(len(y), BATCH, replace=False))
        xb, yb = Xt[idx], yt[idx]
        z = torch.tanh(xb @ W1 + b1) @ W2 + b2
        loss = F.cross_entropy(z, yb)
        losses[t] = loss.item()
        if t == STEPS:
            break
        opt.zero_grad()
        loss.backward()
        opt.param_groups[0]["lr"] = float(lrs[t])
        opt.step()
    return losses


def check_same(name: str, ref: np.ndarray, other: np.ndarray) -> None:
    ok = np.isfinite(ref)  # lrlab blanks the steps after a run froze
    if not np.allclose(ref[ok], other[ok], rtol=1e-8, atol=1e-10):
        worst = np.max(np.abs(ref[ok] - other[ok]))
        sys.exit(f"{name} losses differ from lrlab's (max difference {worst:.3g}): "
                 "not the same computation, no timing printed.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--profile", action="store_true", help="cProfile lrlab's range test")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch.set_num_threads (1 by default: these matrices are tiny, "
                             "and extra threads only spin on a loaded machine)")
    args = parser.parse_args()

    data = load_digits()
    net = MLP(data, hidden=(64,), activation="tanh", seed=0)  # 64-64-10
    params0 = [(W.copy(), b.copy()) for W, b in net.unflatten(net.x0)]
    lrs = Sweep(1e-7, 10.0, STEPS).values
    X, y = np.ascontiguousarray(data.X), np.ascontiguousarray(data.y)
    try:
        import torch

        torch.set_default_dtype(torch.float64)
        torch.set_num_threads(args.torch_threads)
    except ImportError:
        torch = None
        print("PyTorch is not installed here: skipping the PyTorch baseline "
              "(run with /work/torchenv/bin/python to include it).")

    if args.profile:
        import cProfile
        import pstats

        run_lrlab(net)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(10):
            run_lrlab(net)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(18)
        return

    runners = {"lrlab": lambda: run_lrlab(net),
               "numpy": lambda: run_numpy(X, y, params0, lrs)}
    if torch is not None:
        runners["torch"] = lambda: run_torch(torch, X, y, params0, lrs)
    ref = runners["lrlab"]()
    for name in runners:
        if name != "lrlab":
            check_same(name, ref, runners[name]())
    print(f"losses agree (rtol 1e-8) over {int(np.isfinite(ref).sum())} steps: "
          f"{ref[0]:.4f} -> min {np.nanmin(ref):.4f}")

    times = {name: [] for name in runners}
    for _ in range(args.repeats):  # interleaved, so drift hits every contender alike
        for name, fn in runners.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    med = {name: float(np.median(t)) for name, t in times.items()}
    print(f"{STEPS}-step range test, {net.name} ({net.dim} parameters), digits "
          f"({data.n} samples), batch {BATCH}; median of {args.repeats} runs:")
    for name, t in med.items():
        print(f"  {name:<6} {1e3 * t:7.2f} ms")
    print(f"  lrlab / numpy = {med['lrlab'] / med['numpy']:.2f}  (target <= 1.5)")
    if "torch" in med:
        print(f"  lrlab / torch = {med['lrlab'] / med['torch']:.2f}  (target < 1)  "
              f"[torch threads: {torch.get_num_threads()}]")


if __name__ == "__main__":
    main()
