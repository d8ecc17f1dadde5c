"""The harness's own rules (no browser needed): when to skip, where the browser is, isolation."""

from __future__ import annotations

import json
import os

import pytest
from browser_harness import browser_required, find_chromium, isolated_env


@pytest.mark.parametrize(("env", "required"), [
    ({}, False),
    ({"CI": "true"}, True),
    ({"CI": "1"}, True),
    ({"CI": "false"}, False),
    ({"LRLAB_REQUIRE_BROWSER": "1"}, True),
    ({"LRLAB_REQUIRE_BROWSER": "0"}, False),
])
def test_missing_browser_is_a_failure_only_on_ci_or_when_asked(monkeypatch, env, required):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LRLAB_REQUIRE_BROWSER", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert browser_required() is required


def test_find_chromium_on_path_and_by_variable(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.delenv("LRLAB_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() == str(fake)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_chromium() is None
    monkeypatch.setenv("LRLAB_CHROMIUM", str(fake))
    assert find_chromium() == str(fake)
    monkeypatch.setenv("LRLAB_CHROMIUM", str(tmp_path / "missing"))
    assert find_chromium() is None


def test_server_environment_hides_user_config_and_news(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_PATH", "/somewhere/of/the/user")
    env = isolated_env(tmp_path)
    assert "JUPYTER_PATH" not in env
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        assert os.path.isdir(env[var]) and env[var].startswith(str(tmp_path)), var
    notification = json.loads((tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
                               / "notification.jupyterlab-settings").read_text())
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
