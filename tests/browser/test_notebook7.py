"""Notebook 7: the keyboard moves a focused slider (and stays in the app).

Notebook 7 handles its shortcuts before the focused element sees the key
(Lumino's capture phase; JupyterLab uses the bubbling phase): ArrowLeft and
ArrowRight in command mode jump to the previous/next heading, so a focused
slider handle never moved and the notebook scrolled away. lrlab's apps mark a
focused control for the duration of a navigation key so that Lumino skips
its shortcuts (``lrlab/apps/controls.py``, ``keyboard_guard``).
"""

from __future__ import annotations

from browser_harness import (
    APP,
    KNOWN_FRONTEND_ERRORS,
    assert_no_errors_in_page,
    assert_slider_moves_changed_the_app,
    drive_lr_slider,
    lr_slider,
    open_notebook,
    run_all_cells,
    text_of,
)

START_NOTEBOOK = "00_start_here.ipynb"


def active_cell(page) -> int:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCellIndex")


def test_notebook_00_keyboard_moves_the_slider_in_notebook_7(page, notebook7_server, artifact):
    panel = open_notebook(page, notebook7_server, START_NOTEBOOK)
    run_all_cells(page)
    app = panel.locator(APP).filter(has=lr_slider(page)).first
    app.wait_for(timeout=120_000)
    app.scroll_into_view_if_needed()
    handle = lr_slider(app).locator(".noUi-handle").first
    handle.click()  # a learner clicks the handle, then uses the keys
    cell = active_cell(page)
    result = drive_lr_slider(app)
    app.screenshot(path=artifact("notebook7-00-explorer.png"))
    assert_slider_moves_changed_the_app(result)
    assert active_cell(page) == cell, "the key moved the notebook to another cell (heading)"
    assert_no_errors_in_page(page, panel, known=KNOWN_FRONTEND_ERRORS["notebook7"])


def test_quiz_options_take_arrow_keys_in_notebook_7(page, notebook7_server):
    panel = open_notebook(page, notebook7_server, START_NOTEBOOK)
    run_all_cells(page)
    quiz = panel.locator(".lrlab-keys:has(.widget-radio-box)").first
    quiz.scroll_into_view_if_needed()
    radios = quiz.locator("input[type=radio]")
    radios.nth(0).click()
    cell = active_cell(page)
    page.keyboard.press("ArrowDown")
    assert radios.nth(1).is_checked(), "ArrowDown did not choose the next option"
    assert active_cell(page) == cell
    quiz.locator("button", has_text="Check").click()
    page.wait_for_function("(el) => el.textContent.includes('Not quite') || "
                           "el.textContent.includes('Right')", arg=quiz.element_handle())
    assert "Check yourself" in text_of(quiz)
