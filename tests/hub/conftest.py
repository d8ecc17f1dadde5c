"""Fixtures for the JupyterHub smoke test: the proxy, a course hub in a temporary folder.

See ``hub_harness.py`` for where the proxy comes from. The hub runs for the whole
module; its teardown stops every server and the hub, then fails the test run if any
process the hub started is still alive (and kills it).
"""

from __future__ import annotations

import os
import secrets
import signal

import pytest
from hub_harness import (
    INSTALL_HINT,
    INSTRUCTOR,
    STUDENTS,
    find_proxy,
    hub_required,
    install_proxy,
    load_setup_course,
    processes_mentioning,
    proxy_cache,
    start_hub,
    wait_for,
)


@pytest.fixture(scope="session")
def proxy() -> str:
    """Path of configurable-http-proxy (installed into the cache folder if need be)."""
    path = find_proxy()
    if path is not None:
        return path
    hint = INSTALL_HINT.format(cache=proxy_cache())
    try:
        return install_proxy()
    except FileNotFoundError:
        message = "configurable-http-proxy is not installed and npm is missing"
        if hub_required():
            pytest.fail(f"{message} (required here: CI=true or LRLAB_REQUIRE_HUB=1). {hint}",
                        pytrace=False)
        pytest.skip(f"{message}. {hint}")
    except RuntimeError as exc:
        pytest.fail(f"{exc}\n{hint}", pytrace=False)


@pytest.fixture(scope="module")
def passwords() -> dict[str, str]:
    return {"student": secrets.token_hex(8), "instructor": secrets.token_hex(20)}


@pytest.fixture(scope="module")
def hub(proxy, passwords, tmp_path_factory):
    """The course hub of ``coursework/hub/trial_config.py`` on free 127.0.0.1 ports."""
    root = tmp_path_factory.mktemp("hub")
    roster = root.parent / f"{root.name}-roster.csv"
    roster.write_text("id,role,first_name,last_name\n"
                      f"{INSTRUCTOR},instructor,Grace,Hopper\n"
                      + "".join(f"{name},student,{name.title()},Student\n" for name in STUDENTS))
    load_setup_course().setup_course(root, roster)
    hub = None
    try:
        hub = start_hub(root, proxy=proxy, passwords=passwords)   # stops itself if it fails
        yield hub
    finally:
        if hub is not None:
            hub.stop()
        _no_process_left(str(root))


def _no_process_left(marker: str) -> None:
    try:
        wait_for(lambda: not processes_mentioning(marker), timeout=30,
                 what="the hub's processes to exit")
    except TimeoutError:
        left = processes_mentioning(marker)
        for pid, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if left:
            pytest.fail("processes outlived the hub (killed now):\n"
                        + "\n".join(f"{pid}: {cmd}" for pid, cmd in left), pytrace=False)


@pytest.fixture(scope="module")
def servers(hub) -> dict[str, float]:
    """Every user's server spawned through the REST API; seconds until each was ready."""
    return hub.start_servers([INSTRUCTOR, *STUDENTS])
