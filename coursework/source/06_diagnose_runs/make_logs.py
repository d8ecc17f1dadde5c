"""Write the training logs of assignment 06 (instructor-only: nbgrader does not release it).

Usage (from the repository root)::

    python coursework/source/06_diagnose_runs/make_logs.py          # writes the .npz
    python coursework/source/06_diagnose_runs/make_logs.py --check  # regenerate, compare

Eight runs, every one made with lrlab and fixed seeds: six on the course's
digits network (:func:`lrlab.examples.running_example`) and two on
controlled problems, where a failure can be produced on purpose: the
constant-rate noise floor on a noisy quadratic bowl (minimum 0), overfitting
on a linear regression with 30 features and 40 samples. (The digits network
interpolates its 1077 images, so its training loss has no noise floor, and
its validation loss barely rises however long it trains, even with a quarter
of its labels flipped: measured, 0.48 -> 0.51 over 20 epochs.) They are stored under neutral names,
``run_a`` ... ``run_h``, in an order drawn once with a fixed seed, in
``06_diagnose_runs_logs.npz`` next to this script; :data:`KEY` is the answer
key (the notebook's hidden tests hold a copy, and
``tests/test_coursework_diagnose.py`` checks that both agree).

Each run records what :func:`lrlab.train` records, per step ``t``: ``loss``
(the minibatch loss at ``theta_t``), ``grad_norm``, ``lr`` and
``update_ratio``; at the evaluation steps ``eval_steps``: ``train_loss`` and
``val_loss`` (on *all* the training and validation data); and
``diverged_at`` / ``reason`` as lrlab writes them (-1 and "" for a run that
did not diverge), with ``problem``, ``rule``, ``schedule`` and ``batch_size``
in words and numbers.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np

import lrlab
from lrlab import schedules
from lrlab.datasets import Dataset
from lrlab.examples import running_example
from lrlab.models import LinearRegression
from lrlab.surfaces import quadratic

HERE = Path(__file__).resolve().parent
OUT = HERE / "06_diagnose_runs_logs.npz"
RUNS = [f"run_{c}" for c in "abcdefgh"]

#: Each kind of run: (its label, the fixes accepted for it).
FIXES_BY_KIND = {
    "too_low": ("too_low", {"raise_lr"}),
    "too_high": ("too_high", {"lower_lr", "decay_lr", "clip_gradients"}),
    "diverged": ("diverged", {"lower_lr", "decay_lr", "clip_gradients"}),
    "stuck": ("stuck", {"reinitialize"}),
    "good": ("good", {"no_change"}),
    "good_adam": ("good", {"no_change"}),
    "overfitting": ("overfitting", {"stop_early", "add_weight_decay"}),
    "noise_floor": ("noise_floor", {"decay_lr", "grow_batch", "lower_lr"}),
}
#: Neutral name -> kind of run, in an order drawn once with a fixed seed.
ORDER = {run: str(kind) for run, kind in
         zip(RUNS, np.random.default_rng(2026).permutation(sorted(FIXES_BY_KIND)), strict=True)}
#: The answer key: run -> (label, the fixes accepted for it).
KEY = {run: FIXES_BY_KIND[kind] for run, kind in ORDER.items()}

DIGITS = ("digits network: MLP 64-128-64-10 (17,226 parameters), 1077 training and "
          "360 validation images")


def _digits(ex, rule, schedule, *, seed=0, x0=None, epochs=20, divergence_factor=1e5):
    run = ex.fit(rule, epochs, seed=seed, x0=x0, divergence_factor=divergence_factor)
    h = run.history
    return dict(problem=DIGITS, rule=_rule_name(rule),
                schedule=schedule, batch_size=ex.batch_size, loss=h.loss, grad_norm=h.grad_norm,
                lr=h.lr, update_ratio=h.update_ratio, eval_steps=run.epochs * run.steps_per_epoch,
                train_loss=run.train_loss, val_loss=run.val_loss,
                diverged_at=int(h.diverged_at), reason=str(h.reason))


def _rule_name(rule) -> str:
    return "Adam(betas=(0.9, 0.999))" if "adam" in repr(rule).lower() else "SGD"


def _regression(n_features, n_train, n_val, *, noise, seed, decay=0.5):
    """A least-squares problem whose feature scales fall like j^-decay; returns (train, val)."""
    rng = np.random.default_rng(seed)
    scales = np.arange(1, n_features + 1) ** -decay
    w = rng.choice([-1.0, 1.0], n_features) * (np.arange(n_features) < 4)

    def part(n):
        X = rng.normal(size=(n, n_features)) * scales
        return Dataset(X, X @ w + noise * rng.normal(size=n), "regression")

    train = LinearRegression(part(n_train), fit_intercept=False)
    return train, train.with_data(part(n_val))


def _linear(problem, validation, rule, schedule, num_steps, *, batch_size, seed, every):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = lrlab.train(problem, rule, num_steps, batch_size=batch_size, seed=seed,
                        eval_every=every, eval_problem=validation, record_params=True,
                        x0=np.random.default_rng(seed).normal(0.0, 0.1, problem.dim))
    return dict(problem=f"linear regression: {problem.dim} features, {problem.n_samples} "
                f"training and {validation.n_samples} validation samples",
                rule="SGD", schedule=schedule, batch_size=batch_size, loss=h.loss,
                grad_norm=h.grad_norm, lr=h.lr, update_ratio=h.update_ratio,
                eval_steps=h.eval_steps, train_loss=problem.loss(h.params[h.eval_steps]),
                val_loss=h.eval_loss, diverged_at=int(h.diverged_at), reason=str(h.reason))


def _noisy_bowl(rule, schedule, num_steps, *, batch_size, every):
    """A 10-parameter quadratic with gradient noise (std 1 / sqrt(batch_size)); minimum 0."""
    bowl = quadratic(np.geomspace(0.05, 2.0, 10), x0=np.full(10, 8.0), center=np.full(10, 5.0),
                     noise=1.0)
    h = lrlab.train(bowl, rule, num_steps, batch_size=batch_size, seed=0)
    eval_steps = np.arange(0, num_steps + 1, every)
    return dict(problem="noisy quadratic bowl: 10 parameters, curvatures 0.05 to 2, minimum "
                "value 0; gradient noise of standard deviation 1/sqrt(batch_size); no "
                "validation data (val_loss is NaN)",
                rule="SGD", schedule=schedule, batch_size=batch_size, loss=h.loss,
                grad_norm=h.grad_norm, lr=h.lr, update_ratio=h.update_ratio,
                eval_steps=eval_steps, train_loss=h.loss[eval_steps],
                val_loss=np.full(len(eval_steps), np.nan), diverged_at=int(h.diverged_at),
                reason=str(h.reason))


def make() -> tuple[dict, dict]:
    """The eight logs (by neutral name) and the answer key."""
    ex = running_example()
    spe = ex.steps_per_epoch
    logs = {
        "too_low": _digits(ex, lrlab.sgd(0.003), "constant 0.003"),
        "too_high": _digits(ex, lrlab.sgd(0.7), "constant 0.7", seed=1),
        "diverged": _digits(ex, lrlab.sgd(1.2), "constant 1.2", seed=5, divergence_factor=None),
        "stuck": _digits(ex, lrlab.sgd(0.3), "constant 0.3", x0=0.01 * ex.initial_params(0)),
        "good": _digits(ex, lrlab.sgd(schedules.cosine(0.3, 20 * spe)),
                        f"cosine from 0.3 to 0 over {20 * spe} steps"),
        "good_adam": _digits(ex, lrlab.rules.adam(3e-3), "constant 0.003"),
    }
    train, val = _regression(30, 40, 2000, noise=0.5, seed=0, decay=1.0)
    logs["overfitting"] = _linear(
        train, val, lrlab.sgd(schedules.multistep(1.0, [6000], 0.1)),
        "1.0 until step 6000, then 0.1", 8000, batch_size=10, seed=0, every=100)
    logs["noise_floor"] = _noisy_bowl(lrlab.sgd(0.3), "constant 0.3", 3000, batch_size=4,
                                      every=50)
    assert sorted(logs) == sorted(FIXES_BY_KIND)
    return {run: logs[kind] for run, kind in ORDER.items()}, KEY


def save(logs: dict, path: Path = OUT) -> None:
    arrays = {f"{run}/{field}": np.asarray(value) for run, log in logs.items()
              for field, value in log.items()}
    np.savez_compressed(path, **arrays)


#: Relative agreement of a regenerated log with the stored one. The runs are bit-for-bit
#: reproducible on one machine, but BLAS picks its kernels by CPU, and the last bit of a sum
#: differs between them (seen: 1e-16 to 1e-8 relative, AMD EPYC against the CPU that wrote the
#: file).
RTOL = 1e-6
#: A diverging run amplifies those last bits: it is compared on its first steps only.
DIVERGING_PREFIX = 100


def differences(stored, logs: dict) -> list[str]:
    """What differs between a stored ``.npz`` and freshly made ``logs`` (empty: none).

    Words and integers must be equal, floats equal to :data:`RTOL` with NaN in the
    same places. A run that diverged in the stored file must diverge again, and
    its per-step floats are compared on the first :data:`DIVERGING_PREFIX` steps
    (the fresh run may blow up a little earlier or later, where an error of one
    part in 1e16 has grown to the size of the loss).
    """
    fresh = {f"{run}/{field}": np.asarray(value) for run, log in logs.items()
             for field, value in log.items()}
    if sorted(stored.files) != sorted(fresh):
        return [f"fields differ: {sorted(set(stored.files) ^ set(fresh))}"]
    problems = []
    for name, value in fresh.items():
        run, field = name.split("/", 1)
        old = stored[name]
        diverged = int(stored[f"{run}/diverged_at"]) >= 0
        if diverged and field in ("diverged_at", "reason"):
            if field == "diverged_at" and int(value) < 0:
                problems.append(f"{run} diverged in the stored file, not in a fresh run")
            continue
        if old.dtype.kind != "f":
            if not np.array_equal(old, value):
                problems.append(f"{name}: {old!r} != {value!r}")
            continue
        if diverged:
            if field not in ("loss", "grad_norm", "lr", "update_ratio"):
                continue  # evaluations of a diverging run: NaN from wherever it blew up
            old, value = old[:DIVERGING_PREFIX], value[:DIVERGING_PREFIX]
        try:
            np.testing.assert_allclose(value, old, rtol=RTOL, atol=0, equal_nan=True)
        except AssertionError as err:
            problems.append(f"{name}: {str(err).strip().splitlines()[0]}")
    return problems


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate and compare with the stored file instead of writing")
    args = parser.parse_args(argv)
    logs, key = make()
    if args.check:
        with np.load(OUT) as stored:
            problems = differences(stored, logs)
        if problems:
            raise SystemExit(f"{OUT.name} differs from a fresh run:\n" + "\n".join(problems))
        print(f"{OUT.name} is up to date")
    else:
        save(logs)
        print(f"wrote {OUT}")
    for run, (label, accepted) in key.items():
        print(f"{run}: {label:12} fixes {sorted(accepted)}")


if __name__ == "__main__":
    main()
