"""The adaptive app's contour mover (lrlab.apps.valley_contours): set_ellipse_contours' data."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from lrlab import plots
from lrlab.apps.valley_contours import ValleyContours
from lrlab.surfaces import ill_conditioned


def test_valley_contours_move_as_set_ellipse_contours():
    bounds = plots.view_bounds(ill_conditioned(kappa=20, angle=np.pi / 4))
    slow = plots.ellipse_contours(ill_conditioned(kappa=20, angle=0.0), Figure().add_subplot(),
                                  bounds=bounds)
    fast = plots.ellipse_contours(ill_conditioned(kappa=20, angle=0.0), Figure().add_subplot(),
                                  bounds=bounds)
    mover = ValleyContours(fast)
    for kappa, tilt in ((1.0, 0.0), (3.0, 10.0), (1000.0, 45.0), (20.0, 90.0), (7.3, 33.0)):
        valley = ill_conditioned(kappa=kappa, angle=np.deg2rad(tilt))
        plots.set_ellipse_contours(slow, valley)
        mover.move(valley)
        for a, b in zip(slow[0].get_paths(), fast[0].get_paths(), strict=True):
            assert np.array_equal(a.vertices, b.vertices) and np.array_equal(a.codes, b.codes)
        assert np.array_equal(slow[0].get_facecolor(), fast[0].get_facecolor())
        for a, b in zip(slow[1].get_segments(), fast[1].get_segments(), strict=True):
            assert np.array_equal(a, b)
