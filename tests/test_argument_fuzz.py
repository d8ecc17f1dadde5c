"""Nonsense arguments get a clear error naming the argument (issue 17, part 4).

Each case was accepted silently, failed with an unclear error, or crashed deep in
numpy before; now each is a ValueError/TypeError "The 'name' parameter of owner ...".
"""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab import rules, surfaces

COMPLEX = np.array([0.1 + 5j, 0.2])

CASES = [
    # complex arrays were cut to their real part
    ("lr", "sgd", lambda: rules.sgd(COMPLEX)),
    ("lr", "adam", lambda: rules.adam(COMPLEX)),
    ("momentum", "sgd", lambda: rules.sgd(0.1, momentum=np.array([0.5 + 1j]))),
    ("x0", "train", lambda: lrlab.train(surfaces.quadratic([1.0, 2.0]), rules.sgd(0.1), 3,
                                        x0=np.array([1.0 + 1j, 2.0]))),
    ("eigenvalues", "quadratic", lambda: surfaces.quadratic(np.array([1.0 + 1j, 2.0]))),
    ("center", "quadratic", lambda: surfaces.quadratic([1.0, 2.0], center=[1j, 0.0])),
    ("theta", "parabola.loss", lambda: surfaces.parabola().loss(np.array([1j]))),
    # boolean arrays as coordinates
    ("x0", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                        x0=np.array([True]))),
    ("center", "quadratic", lambda: surfaces.quadratic([1.0, 2.0],
                                                       center=np.array([True, False]))),
    ("theta", "parabola.grad", lambda: surfaces.parabola().grad(np.array([True]))),
    # accepted nonsense
    ("record_state", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                  record_state="yes")),
    ("record_params", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                   record_params=0)),
    ("record_params", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                   record_params=1)),
    ("record_params", "train", lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3,
                                                   record_params=np.array(1.0))),
    ("reduction", "History.steps_to",
     lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3).steps_to(np.nan)),
    ("f_star", "History.steps_to",
     lambda: lrlab.train(surfaces.parabola(), rules.sgd(0.1), 3).steps_to(0.1, f_star=np.nan)),
]


@pytest.mark.parametrize(("name", "owner", "call"), CASES,
                         ids=[f"{o}-{n}-{i}" for i, (n, o, _) in enumerate(CASES)])
def test_nonsense_is_refused_naming_the_argument(name, owner, call):
    with pytest.raises((TypeError, ValueError)) as err:
        call()
    assert f"The {name!r} parameter of {owner}" in str(err.value)


def test_record_flags_still_take_their_values():
    bowl = surfaces.parabola()
    assert lrlab.train(bowl, rules.sgd(0.1), 3, record_params=np.True_).params is not None
    assert lrlab.train(bowl, rules.sgd(0.1), 3, record_params="auto").params is not None
    assert lrlab.train(bowl, rules.sgd(0.1), 3, record_state=True).states is not None


@pytest.mark.parametrize("rule", [rules.schedule_free_sgd(10.0, weight_lr_power=400.0),
                                  rules.schedule_free_sgd(1e160)])
def test_schedule_free_overflow_is_a_divergence_not_an_overflow_error(rule):
    h = lrlab.train(surfaces.rosenbrock(), rule, 50)
    assert h.diverged and h.reason


@pytest.mark.parametrize(("k_s", "k_f", "L"), [(1.0, 1.0, 1.5), (5.0, 5.0, 7.5),
                                               (20.0, 1.0, 20.0), (1.0, 20.0, 20.0)])
def test_double_well_smoothness_bounds_the_barrier_curvature(k_s, k_f, L):
    well = surfaces.double_well(k_s, k_f)
    assert well.smoothness == pytest.approx(L, rel=1e-6)
    x = np.linspace(-20, 20, 400_001)[:, None]
    curvature = np.abs(well.hessian(x)[:, 0, 0])
    assert curvature.max() <= well.smoothness * (1 + 1e-9)
    assert curvature.max() >= well.smoothness * (1 - 1e-6)
