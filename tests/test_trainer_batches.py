"""The step loop's minibatches drawn in chunks equal numpy's one call per step, bit for bit."""

import numpy as np
import pytest

import lrlab.trainer.batches as batches
from lrlab import sgd, train
from lrlab.apps.race import default_data_problem
from lrlab.models import LinearRegression
from lrlab.trainer.batches import _Draws, batch_stream, chunked_choice


def _choices(seed, n, k, steps):
    rng = np.random.default_rng(seed)
    return np.stack([rng.choice(n, size=k, replace=False) for _ in range(steps)])


@pytest.mark.parametrize("n, k", [(400, 4), (400, 1), (400, 64), (7, 7), (2, 1), (1, 1),
                                  (1000, 17), (10000, 3)])
def test_chunks_equal_rng_choice(n, k):
    for seed in range(4):
        draws = _Draws(np.random.default_rng(seed))
        got = np.concatenate([chunked_choice(draws, n, k, size) for size in (1, 37, 100)])
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, _choices(seed, n, k, 138))


def test_a_rejected_draw_is_redrawn_as_numpy_does(monkeypatch):
    """Seed 8 draws, within 6000 batches of 3 of 10000, one 32-bit output in Lemire's
    rejected zone (probability ~2e-6 a draw): the row is decoded draw by draw, and the
    rows after it stay aligned with numpy's stream."""
    redrawn = []
    bounded = _Draws.bounded
    monkeypatch.setattr(_Draws, "bounded", lambda self, e: redrawn.append(e) or
                        bounded(self, e))
    draws = _Draws(np.random.default_rng(8))
    got = np.concatenate([chunked_choice(draws, 10000, 3, 1000) for _ in range(6)])
    assert len(redrawn) == 5  # one row: 3 draws of Floyd's, 2 of the shuffle
    np.testing.assert_array_equal(got, _choices(8, 10000, 3, 6000))


def test_the_stream_crosses_chunks(monkeypatch):
    monkeypatch.setattr(batches, "CHUNK", 16)
    p = default_data_problem()
    stream = batch_stream(p, np.random.default_rng(3), 5)
    got = np.stack([next(stream) for _ in range(50)])
    np.testing.assert_array_equal(got, _choices(3, p.n_samples, 5, 50))
    stream = batch_stream(p, np.random.default_rng(3), 5, steps=3)  # chunks of 3, then 16
    got = np.stack([next(stream) for _ in range(50)])
    np.testing.assert_array_equal(got, _choices(3, p.n_samples, 5, 50))


class _OwnSampling(LinearRegression):
    def _sample_batch(self, rng, batch_size):
        return np.arange(batch_size)


def test_other_samplers_are_called_step_by_step():
    p = default_data_problem()
    own = _OwnSampling(p.data)
    assert next(batch_stream(own, np.random.default_rng(0), 4)).tolist() == [0, 1, 2, 3]
    assert next(batch_stream(p, np.random.default_rng(0), None)) is None
    big = batch_stream(p, np.random.default_rng(0), batches.MAX_BATCH + 1)
    np.testing.assert_array_equal(next(big), _choices(0, 400, batches.MAX_BATCH + 1, 1)[0])


def _history_arrays(h):
    return {f: getattr(h, f) for f in ("loss", "grad_norm", "lr", "update_ratio", "params",
                                      "eval_steps", "eval_loss", "diverged_at", "stopped_at")}


@pytest.mark.parametrize("batch_size", [1, 4, 32])
def test_training_is_bit_identical_to_one_choice_per_step(monkeypatch, batch_size):
    p = default_data_problem()
    rule = sgd(np.array([0.05, 0.5, 2.5]) / p.smoothness)  # the last one diverges
    fast = train(p, rule, 300, batch_size=batch_size, seed=5, record_params=True)
    monkeypatch.setattr(batches, "_agrees", lambda: False)  # numpy's choice, every step
    slow = train(p, rule, 300, batch_size=batch_size, seed=5, record_params=True)
    for name, value in _history_arrays(fast).items():
        np.testing.assert_array_equal(value, getattr(slow, name), err_msg=name)
    assert int(fast.diverged_at[2]) > 0


def test_a_numpy_that_samples_otherwise_is_noticed(monkeypatch):
    monkeypatch.setattr(batches, "_AGREES", [])
    monkeypatch.setattr(batches, "_decode", lambda values, n, k: values[:, :k] % n)
    assert not batches._agrees()
    p = default_data_problem()
    stream = batch_stream(p, np.random.default_rng(0), 4)
    np.testing.assert_array_equal(next(stream), _choices(0, 400, 4, 1)[0])
