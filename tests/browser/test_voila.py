"""The dashboard as an app: ``voila notebooks/dashboard.ipynb`` in a real browser.

Voilà runs the notebook in its own kernel and shows only the outputs. Each
explorer tab must render, and moving its learning-rate slider (keyboard and
typed readout) must redraw the plot and change the status line, as in
JupyterLab. The Binder link goes through JupyterLab's ``/voila/render/``
route, which is checked too.
"""

from __future__ import annotations

from browser_harness import (
    APP,
    assert_no_errors_in_page,
    assert_slider_moves_changed_the_app,
    drive_lr_slider,
    lr_slider,
    text_of,
)

TABS = ["Step size in 1-D", "Paths in 2-D", "Schedules", "Batch size and noise"]


def _wait_rendered(page, timeout=180_000):
    page.locator("img.widget-image:visible").first.wait_for(timeout=timeout)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.widget-image')]"
        ".some(el => el.offsetParent && el.complete && el.naturalWidth > 0)", timeout=timeout)


def _visible_app(page):
    return page.locator(APP).filter(has=lr_slider(page)).first


def _tab_titles(page):
    tabs = page.locator(".lm-TabBar-tab:visible .lm-TabBar-tabLabel")
    return [text_of(tabs.nth(i)) for i in range(tabs.count())]


def test_dashboard_in_voila(page, voila_dashboard, artifact):
    page.goto(voila_dashboard.at("/"), wait_until="domcontentloaded")
    _wait_rendered(page)
    assert _tab_titles(page) == TABS
    assert "How do I choose the learning rate?" in page.locator("body").inner_text()
    assert page.locator("text=import lrlab.widgets").count() == 0  # sources are not shown

    # tab 1: the 1-D explorer
    app = _visible_app(page)
    result = drive_lr_slider(app)
    page.screenshot(path=artifact("voila-dashboard-1d.png"), full_page=True)
    assert_slider_moves_changed_the_app(result)

    # tab 2: the 2-D explorer, reached by clicking its tab
    page.locator(".lm-TabBar-tab", has_text=TABS[1]).click()
    app = _visible_app(page)
    app.locator(":scope > img.widget-image").wait_for(state="visible")
    assert "start θ₁" in app.inner_text()  # the 2-D explorer's own control
    result = drive_lr_slider(app)
    page.screenshot(path=artifact("voila-dashboard-2d.png"), full_page=True)
    assert_slider_moves_changed_the_app(result)
    assert result["typing"]["after"]["status"].startswith("GD")
    assert_no_errors_in_page(page, page.locator("body"))


def test_binder_voila_route_renders_the_dashboard(page, lab_server, artifact):
    """What the Binder link ``?urlpath=voila/render/notebooks/dashboard.ipynb`` opens."""
    page.goto(lab_server.at("/voila/render/dashboard.ipynb"), wait_until="domcontentloaded")
    _wait_rendered(page)
    assert _tab_titles(page) == TABS
    app = _visible_app(page)
    result = drive_lr_slider(app)
    page.screenshot(path=artifact("voila-render-route.png"), full_page=True)
    assert_slider_moves_changed_the_app(result)
    assert_no_errors_in_page(page, page.locator("body"))
