"""One place for argument checks (lrlab/_validation.py): odd inputs get the standard message."""

import numpy as np
import pytest

from lrlab import train
from lrlab._validation import check_choice, check_int, check_lr, check_real, check_theta
from lrlab.rules import sgd
from lrlab.surfaces import quadratic


def test_numpy_scalars_and_0d_arrays_count_as_numbers():
    assert check_real(np.float32(0.5), "x", "f") == pytest.approx(0.5)
    assert check_real(np.array(0.5), "x", "f") == 0.5
    assert check_real(np.array(0.5), "x", "f", allow_array=True) == 0.5
    assert check_int(np.int64(5), "n", "f") == 5
    assert check_int(np.array(5), "n", "f", low=0) == 5
    assert check_lr(np.array(0.1), "lr", "f") == 0.1
    h = train(quadratic([1.0]), sgd(0.1), np.array(3), seed=np.int64(2))
    assert h.num_steps == 3


@pytest.mark.parametrize("call, exc, match", [
    (lambda: check_real(np.array([True, False]), "x", "f", allow_array=True), TypeError,
     r"'x' parameter of f must be a finite float or array .* Got array\(\[ True, False\]\)"),
    (lambda: check_lr(np.array([True]), "lr", "sgd"), TypeError, "'lr' parameter of sgd"),
    (lambda: check_int(np.array(2.0), "n", "f"), TypeError,
     r"must be an int .* Got np.float64\(2.0\)"),
    (lambda: check_choice(np.array([1, 2]), "mode", "f", ("a", "b")), ValueError,
     r"'mode' parameter of f must be one of 'a', 'b'. Got array\(\[1, 2\]\) instead"),
    (lambda: check_theta(np.array([1 + 1j, 2.0]), "theta", "f", dim=2), TypeError,
     r"must be a real array of shape \(\.\.\., 2\)"),
])
def test_odd_inputs_get_the_standard_message(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
