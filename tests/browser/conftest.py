"""Fixtures for the real-browser tests: Chromium, JupyterLab and Voilà servers, pages.

Locally, when no Chromium (or no Playwright) is found these tests skip and say
how to install it; with ``CI=true`` or ``LRLAB_REQUIRE_BROWSER=1`` that is a
failure instead. Screenshots go to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import pytest
from browser_harness import (
    ARTIFACTS,
    INSTALL_HINT,
    browser_required,
    copy_notebooks,
    find_chromium,
    launch_browser,
    start_jupyterlab,
    start_notebook7,
    start_voila,
    watch_page,
)


def _unavailable(message: str) -> None:
    if browser_required():
        pytest.fail(f"{message} (required here: CI=true or LRLAB_REQUIRE_BROWSER=1). "
                    f"{INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{message}. {INSTALL_HINT}")


@pytest.fixture(scope="package")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        _unavailable("browser tests need Chromium and none was found")
    return path


@pytest.fixture(scope="package")
def browser(chromium_executable):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("browser tests need Playwright's Python package "
                     "(pip install -e '.[test]' installs it)")
    pw = sync_playwright().start()
    try:
        browser = launch_browser(pw, chromium_executable)
    except Exception as exc:
        pw.stop()
        _unavailable(f"Chromium at {chromium_executable} did not start: {exc}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture
def page(browser):
    """A fresh page (1400 x 1000); ``page.errors`` collects uncaught JavaScript errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.errors = watch_page(page)
    yield page
    context.close()


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory, chromium_executable):
    """JupyterLab on a temporary copy of ``notebooks/`` (free port, random token)."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = copy_notebooks(base / "notebooks")
    server = start_jupyterlab(root, base)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def notebook7_server(tmp_path_factory, chromium_executable):
    """Jupyter Notebook 7 on a temporary copy of ``notebooks/``."""
    base = tmp_path_factory.mktemp("notebook7")
    root = copy_notebooks(base / "notebooks")
    server = start_notebook7(root, base)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def voila_dashboard(tmp_path_factory, chromium_executable):
    """``voila dashboard.ipynb`` on a temporary copy of ``notebooks/``."""
    base = tmp_path_factory.mktemp("voila")
    root = copy_notebooks(base / "notebooks")
    server = start_voila(root / "dashboard.ipynb", base)
    yield server
    server.stop()


@pytest.fixture
def artifact():
    """``artifact(name)`` -> path under test-artifacts/ (created), printed for the log."""
    ARTIFACTS.mkdir(exist_ok=True)

    def path(name: str):
        p = ARTIFACTS / name
        print(f"artifact: {p}")
        return p

    return path
