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


#: What Voila's own "lab" template links from a CDN (voila/templates/lab/index.html.j2):
#: FontAwesome's stylesheets, for widget icons. No lrlab widget has an icon; offline the
#: two requests fail and nothing on the page changes (this test blocks them).
VOILA_TEMPLATE_CDN = ("/@fortawesome/fontawesome-free@",)


def test_dashboard_fits_a_laptop_screen_offline(page, voila_dashboard, artifact):
    """1400 x 1000 px, every request off this machine refused: each tab's controls and
    figure are on the first screen, the figure at its own pixel size, and a key press
    redraws it (latency table in test-artifacts/latency-voila.md)."""
    from browser_harness import ARTIFACTS, key_latencies, latency_table

    refused: list[str] = []

    def route(r):
        if r.request.url.startswith(voila_dashboard.url):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(voila_dashboard.at("/"), wait_until="domcontentloaded")
    _wait_rendered(page)
    latencies = {}
    for title in TABS:
        page.locator(".lm-TabBar-tab", has_text=title).click()
        app = _visible_app(page)
        img = app.locator(":scope > img.widget-image")
        img.wait_for(state="visible")
        page.wait_for_function("(el) => el.complete && el.naturalWidth > 0",
                               arg=img.element_handle())
        natural, shown, bottom = img.evaluate(
            "el => [el.naturalWidth, el.getBoundingClientRect().width, "
            "el.getBoundingClientRect().bottom + window.scrollY]")
        page.screenshot(path=artifact(f"voila-tab-{title.replace(' ', '-')}.png"))
        assert shown <= natural + 0.5, f"{title}: {natural} px stretched to {shown:.0f} px"
        assert shown >= min(natural, 0.95 * 1400 - 80), f"{title}: shrunk to {shown:.0f} px"
        assert bottom <= 1000, f"{title}: the figure ends at {bottom:.0f} px, below the screen"
        latencies[title] = key_latencies(app, ["ArrowRight", "ArrowLeft", "ArrowLeft",
                                               "ArrowRight"])
    table = latency_table(latencies)
    print("\nVoila key press -> new picture\n" + table)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "latency-voila.md").write_text(table + "\n")
    unexpected = [u for u in refused if not any(k in u for k in VOILA_TEMPLATE_CDN)]
    assert not unexpected, f"the dashboard asked the internet for {unexpected}"
    assert not any("mathjax" in u.lower() for u in refused)
    assert_no_errors_in_page(page, page.locator("body"))
