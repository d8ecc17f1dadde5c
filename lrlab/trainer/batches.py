"""The step loop's minibatches: ``problem._sample_batch`` once per step, or drawn in chunks.

A data problem's batch is ``rng.choice(n_samples, size=batch_size, replace=False)``.
numpy draws it by Floyd's algorithm (``batch_size`` bounded integers, the ``j``-th in
``[0, n - batch_size + j]``, a drawn value already taken replaced by the bound itself)
followed by a Fisher-Yates shuffle of the batch (``batch_size - 1`` more integers);
each bounded integer is Lemire's multiply-and-shift of one 32-bit output of the bit
generator (another output in the rare case it lands in the rejected zone). A call
costs ~9 us, mostly the call itself, and the loop makes one per step.

:func:`batch_stream` draws the same 32-bit outputs for many steps at once
(``rng.integers(0, 2**32, dtype=np.uint32)`` yields them unchanged), decodes them
with whole-array operations, and yields the same batches in the same order: the
trainer's random stream, and so every run, is bit for bit what the one-call-per-step
loop gives. The first use checks the decoding against ``rng.choice`` itself; if a
numpy version samples differently the loop falls back to one call per step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..problem import Problem

__all__ = ["batch_stream", "chunked_choice"]

#: The chunked path serves batches up to this size (above it, Floyd's per-column work
#: over a chunk costs about what one call per step does) ...
MAX_BATCH = 64
#: ... and data sets up to this size (numpy samples larger ones differently, by a
#: partial shuffle, for large batches).
MAX_SAMPLES = 10_000
#: Steps per chunk (fewer for large data sets: the chunk keeps a ``steps x n`` mask).
CHUNK = 1024

_U32 = np.uint64(0xFFFFFFFF)


def batch_stream(problem: Problem, rng: np.random.Generator, batch_size: int | None,
                 steps: int | None = None) -> Iterator[Any]:
    """The batches of consecutive steps: ``problem._sample_batch(rng, batch_size)`` each,
    drawn in chunks when the problem samples as :class:`~lrlab.problem.Problem` does.

    ``steps``: how many batches the caller expects (the first chunks are no longer);
    more may be taken all the same.
    """
    n = problem.n_samples
    if (batch_size is None or n is None or batch_size > MAX_BATCH or n > MAX_SAMPLES
            or type(problem)._sample_batch is not Problem._sample_batch or not _agrees()):
        return _one_by_one(problem, rng, batch_size)
    return _chunked(rng, int(n), int(batch_size), steps)


def _one_by_one(problem: Problem, rng: np.random.Generator, batch_size: int | None):
    sample = problem._sample_batch
    while True:
        yield sample(rng, batch_size)


def _chunked(rng: np.random.Generator, n: int, k: int,
             expected: int | None) -> Iterator[np.ndarray]:
    draws = _Draws(rng)
    size = max(1, min(CHUNK, 2**20 // n))
    left = size if expected is None else max(int(expected), 1)
    while True:
        steps = min(size, left) if left > 0 else size
        yield from chunked_choice(draws, n, k, steps)
        left -= steps


def chunked_choice(draws: _Draws, n: int, k: int, steps: int) -> np.ndarray:
    """``steps`` batches of ``k`` of ``n``, shape ``(steps, k)``: row ``s`` equal to the
    ``s``-th call of ``rng.choice(n, size=k, replace=False)`` on the stream of ``draws``."""
    ranges = np.array([*(j for j in range(n - k, n) if j), *range(k - 1, 0, -1)],
                      dtype=np.uint64)  # inclusive bounds; a bound 0 takes no draw
    excl = ranges + np.uint64(1)
    threshold = (np.uint64(2**32) % excl).astype(np.uint64)
    per_row = len(ranges)
    values = np.empty((steps, per_row), dtype=np.uint64)
    done = 0 if per_row else steps  # one sample, a batch of one: nothing is drawn
    while done < steps:
        block = draws.take((steps - done) * per_row).reshape(-1, per_row)
        m = block.astype(np.uint64) * excl
        rejected = (m & _U32) < threshold
        bad = np.flatnonzero(rejected.any(axis=1))
        good = len(block) if bad.size == 0 else int(bad[0])
        values[done:done + good] = m[:good] >> np.uint64(32)
        draws.give_back(block[good:].ravel())
        done += good
        if done < steps:  # a rejection in this row: decode it one draw at a time
            values[done] = [draws.bounded(int(e)) for e in excl]
            done += 1
    return _decode(values.astype(np.int64), n, k)


def _decode(values: np.ndarray, n: int, k: int) -> np.ndarray:
    """Floyd's selection and the shuffle, column by column over all rows at once."""
    steps = len(values)
    rows = np.arange(steps)
    taken = np.zeros((steps, n), dtype=bool)
    out = np.empty((steps, k), dtype=np.int64)
    col = 0
    for c, j in enumerate(range(n - k, n)):
        if j == 0:  # the bound 0: the value 0, nothing drawn
            out[:, c] = 0
            taken[:, 0] = True
            continue
        v = values[:, col]
        col += 1
        x = np.where(taken[rows, v], j, v)
        out[:, c] = x
        taken[rows, x] = True
    for i in range(k - 1, 0, -1):  # Fisher-Yates, from the last position down
        jj = values[:, col]
        col += 1
        swapped = out[rows, jj]
        out[rows, jj] = out[:, i]
        out[:, i] = swapped
    return out


class _Draws:
    """The bit generator's 32-bit outputs, fetched in blocks, in order."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.pending = np.empty(0, dtype=np.uint32)

    def take(self, count: int) -> np.ndarray:
        have = self.pending
        if len(have) >= count:
            self.pending = have[count:]
            return have[:count]
        more = self.rng.integers(0, 2**32, size=count - len(have), dtype=np.uint32)
        self.pending = np.empty(0, dtype=np.uint32)
        return np.concatenate([have, more]) if len(have) else more

    def give_back(self, unused: np.ndarray) -> None:
        """Put back outputs taken but not used (they come next)."""
        if len(unused):
            self.pending = np.concatenate([unused, self.pending])

    def bounded(self, excl: int) -> int:
        """Lemire's bounded integer in ``[0, excl)``, as numpy draws it one at a time."""
        threshold = 2**32 % excl
        while True:
            m = int(self.take(1)[0]) * excl
            if m & 0xFFFFFFFF >= threshold:
                return m >> 32


_AGREES: list[bool] = []


def _agrees() -> bool:
    """Whether this numpy's ``Generator.choice`` draws what :func:`chunked_choice` decodes
    (checked once, on a few streams)."""
    if not _AGREES:
        ok = True
        for seed, n, k in ((0, 400, 4), (1, 10, 10), (2, 1, 1), (3, 97, 33), (4, 5000, 64)):
            rng = np.random.default_rng(seed)
            want = np.stack([rng.choice(n, size=k, replace=False) for _ in range(5)])
            got = chunked_choice(_Draws(np.random.default_rng(seed)), n, k, 5)
            ok = ok and bool(np.array_equal(got, want))
        _AGREES.append(ok)
    return _AGREES[0]
