"""Bit-for-bit comparison of float arrays, shared by the tests of the fast paths."""

import numpy as np


def assert_same_bits(a, b):
    """``a`` and ``b`` have the same shape, dtype and bits (NaNs and signed zeros included)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    np.testing.assert_array_equal(a.view(np.uint64), b.view(np.uint64))
