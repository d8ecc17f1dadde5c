"""The canvas the apps draw on: blitting and the ipympl path."""

from __future__ import annotations

import pytest

from lrlab import widgets as lw

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ipympl's Toolbar


def test_ipympl_path_drives_the_same_app():
    from lrlab.apps.render import _ipympl

    app = lw.Explorer2D("ill_conditioned", lr=0.5, backend="ipympl")
    assert isinstance(app.canvas.widget, _ipympl()[0])
    app.lr.value = 2.5
    assert app.status_text.startswith("GD: diverged")
    assert app.canvas.to_png()[:4] == b"\x89PNG"
    app.close()


def test_blitting_keeps_the_legend_above_the_paths():
    # Regression: the legend lived in the cached background, so every blitted update drew
    # the paths (zorder 4) over it (zorder 5): a path crossing the legend hid its entries.
    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], backend="png")
    legend, path = app.ax_paths.get_legend(), app.paths[0]
    order = []
    for artist, name in ((legend, "legend"), (path, "path")):
        draw = artist.draw
        artist.draw = lambda renderer, draw=draw, name=name: (order.append(name),
                                                              draw(renderer))
    app.lr.value = 0.5  # a blitted update: the background is reused
    assert app.canvas.full_draws == 1
    assert order == ["path", "legend"]
    app.close()
