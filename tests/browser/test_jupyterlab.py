"""What a learner sees in JupyterLab: the page loads, widgets render, a slider redraws.

Real Chromium, real JupyterLab server (fixtures in conftest.py), a temporary
copy of the notebooks. Each test opens a notebook, runs all cells, moves the
learning-rate slider with the keyboard and by typing into its readout, and
checks that the picture and the status line change and that nothing errors.
"""

from __future__ import annotations

import pytest
from browser_harness import (
    APP,
    NOTEBOOK,
    assert_no_errors_in_page,
    assert_slider_moves_changed_the_app,
    drive_lr_slider,
    lr_slider,
    open_notebook,
    run_all_cells,
    write_notebook,
)

STEP_SIZE_NOTEBOOK = "01_step_size_on_a_bowl.ipynb"


def _check_notebook(page, server, name, artifact, shot):
    panel = open_notebook(page, server, name)
    run_all_cells(page)
    app = panel.locator(APP).filter(has=lr_slider(page)).first
    app.wait_for(timeout=120_000)
    app.scroll_into_view_if_needed()
    result = drive_lr_slider(app)
    app.screenshot(path=artifact(shot))
    assert_slider_moves_changed_the_app(result)
    assert_no_errors_in_page(page, panel)
    return result


def test_explorer_2d_in_a_generated_notebook(page, lab_server, artifact):
    """The harness itself, on a notebook written here: one explorer_2d cell."""
    write_notebook(lab_server.root / "probe_explorer_2d.ipynb", [
        "import lrlab.widgets as lw",
        "app = lw.explorer_2d('ill_conditioned', rules=['GD', 'momentum'])\napp",
    ])
    result = _check_notebook(page, lab_server, "probe_explorer_2d.ipynb", artifact,
                             "jupyterlab-probe-explorer-2d.png")
    # the 2-D explorer's status names the rule ("GD: converged in 55 steps")
    assert result["typing"]["after"]["status"].startswith("GD")


def test_step_size_notebook_01(page, lab_server, artifact):
    """Notebook 01 as a learner runs it: run all, move the lr slider, see the plot change."""
    path = lab_server.root / STEP_SIZE_NOTEBOOK
    assert path.exists(), f"notebooks/{STEP_SIZE_NOTEBOOK} is missing"
    _check_notebook(page, lab_server, STEP_SIZE_NOTEBOOK, artifact, "jupyterlab-01-step-size.png")
    page.screenshot(path=artifact("jupyterlab-01-page.png"))
    assert page.locator(NOTEBOOK).count() == 1


def test_the_checks_catch_errors(page, lab_server):
    """The error checks are not vacuous: stderr, a traceback and an app's error box are seen."""
    write_notebook(lab_server.root / "probe_errors.ipynb", [
        "import sys\nprint('a warning on stderr', file=sys.stderr)",
        "import lrlab.widgets as lw\napp = lw.explorer_2d('ill_conditioned')\napp",
        "def broken():\n    raise ValueError('planted')\napp._update = broken\napp.update()",
    ])
    panel = open_notebook(page, lab_server, "probe_errors.ipynb")
    run_all_cells(page)
    app = panel.locator(APP).first
    app.wait_for()
    with pytest.raises(AssertionError, match="a warning on stderr"):
        assert_no_errors_in_page(page, panel)
    error_box = app.locator(":scope > .widget-html").nth(1)
    assert "ValueError: planted" in error_box.inner_text()
    write_notebook(lab_server.root / "probe_traceback.ipynb", ["1 / 0"])
    panel = open_notebook(page, lab_server, "probe_traceback.ipynb")
    run_all_cells(page)
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        assert_no_errors_in_page(page, panel)
