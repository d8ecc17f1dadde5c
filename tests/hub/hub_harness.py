"""Machinery for the JupyterHub smoke test: the proxy, a hub on free ports, its REST API, kernels.

The hub is the course's own (``coursework/hub/trial_config.py``, which loads
``jupyterhub_config.py``) started from Python on 127.0.0.1 with a temporary
``LRLAB_HUB_ROOT``. Everything goes over HTTP through the proxy as a browser's
JupyterLab would: the hub's REST API with an admin service token, each user's
server with a token the hub issues for that user, code run in a kernel of the
user's server over the kernel websocket.

JupyterHub's proxy is the npm package ``configurable-http-proxy``. It is found on
``PATH`` (``.ci/run`` installs it into ``.ci/node/`` and puts it there), in
``.ci/node/`` itself, or in the cache folder ``~/.cache/lrlab/node/`` (or under
``$XDG_CACHE_HOME``); when none has it and ``npm`` exists, :func:`install_proxy`
installs it into that cache folder once. Without ``npm`` the test skips, except
on CI (``CI=true``) or with ``LRLAB_REQUIRE_HUB=1``, where that is a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
HUB_CONFIG = ROOT / "coursework" / "hub"
PROXY = "configurable-http-proxy"
PROXY_PACKAGE = "configurable-http-proxy@5"
CI_NODE = ROOT / ".ci" / "node"
INSTALL_HINT = ("JupyterHub's proxy is an npm package: install Node.js and npm "
                "(Debian/Ubuntu: `apt-get install -y nodejs npm`), then the test installs "
                f"{PROXY_PACKAGE} into {{cache}} by itself, or run "
                f"`npm install --prefix .ci/node {PROXY_PACKAGE}`.")
HTTP_TIMEOUT = 60      # seconds for one request (autograde requests get their own)

#: The class of the smoke test: one instructor, three students and what each hands in.
INSTRUCTOR = "grace"
STUDENTS = {"ada": "solution", "ben": "blank", "cleo": "partly wrong"}


def load_setup_course():
    """``coursework/hub/setup_course.py`` as a module (it is a script, not in a package)."""
    name = "lrlab_hub_setup_course"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HUB_CONFIG / "setup_course.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module                  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


def hub_required() -> bool:
    """A missing proxy fails (instead of skipping) on CI or when asked to."""
    return (os.environ.get("CI", "").lower() in ("true", "1", "yes")
            or os.environ.get("LRLAB_REQUIRE_HUB", "") not in ("", "0"))


def proxy_cache() -> Path:
    """The folder the test installs the proxy into when it has to."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lrlab" / "node"


def _bin(prefix: Path) -> Path:
    return prefix / "node_modules" / ".bin" / PROXY


def find_proxy() -> str | None:
    """Path of ``configurable-http-proxy``: on PATH, in .ci/node/ or in the cache; else None."""
    on_path = shutil.which(PROXY)
    if on_path:
        return on_path
    for prefix in (CI_NODE, proxy_cache()):
        if os.access(_bin(prefix), os.X_OK):
            return str(_bin(prefix))
    return None


def install_proxy(prefix: Path | None = None, *, timeout: float = 300) -> str:
    """``npm install`` the proxy into ``prefix`` (default: :func:`proxy_cache`); return its path.

    Raises ``FileNotFoundError`` when npm is missing, ``RuntimeError`` with npm's
    output when the installation fails.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not installed")
    prefix = proxy_cache() if prefix is None else prefix
    prefix.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-fund", "--no-audit",
                           PROXY_PACKAGE], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not os.access(_bin(prefix), os.X_OK):
        raise RuntimeError(f"npm install {PROXY_PACKAGE} into {prefix} failed:\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return str(_bin(prefix))


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports free on 127.0.0.1 right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_for(condition, *, timeout: float, interval: float = 0.25, what: str = "condition"):
    """Call ``condition()`` until it returns something truthy; TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def processes_mentioning(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment mentions ``marker``.

    The hub, the proxy, the single-user servers and their kernels all carry the
    hub's temporary root in their environment (``LRLAB_HUB_ROOT``,
    ``LRLAB_EXCHANGE``), so this finds whatever the hub started.
    """
    found, me = [], os.getpid()
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if needle not in (entry / "environ").read_bytes():
                continue
            status = (entry / "status").read_text()
            if "\nState:\tZ" in status:            # a zombie is dead already
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        found.append((int(entry.name), cmdline))
    return found


@dataclass
class Hub:
    """A running JupyterHub: its public URL, admin token, process and log."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log_path: Path
    _tokens: dict = field(default_factory=dict)

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to the hub's REST API (``/hub/api/...``) with the admin service token."""
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.url}hub/api/{path.lstrip('/')}",
                                headers=headers, **kwargs)

    def login(self, username: str, password: str) -> requests.Response:
        """Log in through the hub's login form as a browser does; the (unfollowed) response."""
        session = requests.Session()
        session.get(f"{self.url}hub/login", timeout=HTTP_TIMEOUT)
        response = session.post(f"{self.url}hub/login", allow_redirects=False,
                                timeout=HTTP_TIMEOUT,
                                data={"username": username, "password": password,
                                      "_xsrf": session.cookies.get("_xsrf", "")})
        response.session = session
        return response

    def start_servers(self, users: Iterable[str], *, timeout: float = 150) -> dict[str, float]:
        """Spawn every user's server at once through the REST API; seconds until each was ready.

        The requests go out together (the hub answers a spawn request only when the
        server is up or after its 10 s ``slow_spawn_timeout``), as when a class logs in.
        """
        started, ready = time.monotonic(), {}
        users = list(users)
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            responses = dict(zip(users, pool.map(
                lambda user: self.api("POST", f"users/{user}/server", timeout=timeout), users),
                strict=True))
        for user, response in responses.items():
            if response.status_code not in (201, 202):
                raise RuntimeError(f"spawning {user}'s server: {response.status_code} "
                                   f"{response.text}\n{self.log_tail()}")

        def all_ready():
            for user in users:
                if user not in ready:
                    server = self.api("GET", f"users/{user}").json()["servers"].get("")
                    if server and server.get("ready"):
                        ready[user] = time.monotonic() - started
            return len(ready) == len(users)

        try:
            wait_for(all_ready, timeout=timeout, interval=0.5, what=f"servers of {users}")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; ready: {ready}\n{self.log_tail()}") from None
        return ready

    def server(self, user: str) -> UserServer:
        """The user's single-user server, with a token the hub issued for that user."""
        if user not in self._tokens:
            response = self.api("POST", f"users/{user}/tokens",
                                json={"note": "lrlab smoke test", "expires_in": 3600})
            response.raise_for_status()
            self._tokens[user] = response.json()["token"]
        return UserServer(f"{self.url}user/{user}/", self._tokens[user], user)

    def stop(self, *, timeout: float = 60) -> None:
        """Stop the hub: on SIGTERM it stops every user's server, then its proxy.

        Waits ``timeout`` seconds, then kills the hub. Whatever outlives it is found
        by :func:`processes_mentioning`.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@dataclass
class UserServer:
    """A user's Jupyter server behind the hub's proxy."""

    url: str
    token: str
    user: str

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path.lstrip("/"), headers=headers, **kwargs)

    def json(self, method: str, path: str, **kwargs):
        """The JSON answer of a request that must succeed (else AssertionError with the body)."""
        response = self.request(method, path, **kwargs)
        assert response.status_code < 300, (f"{method} {self.url}{path}: "
                                            f"{response.status_code} {response.text[:2000]}")
        return response.json()

    def read_notebook(self, path: str) -> dict:
        return self.json("GET", f"api/contents/{path}", params={"content": 1})["content"]

    def save_notebook(self, path: str, notebook: dict) -> None:
        self.json("PUT", f"api/contents/{path}",
                  json={"type": "notebook", "format": "json", "content": notebook})

    def kernel(self, cwd: str) -> Kernel:
        model = self.json("POST", "api/kernels", json={"name": "python3", "path": cwd})
        return Kernel(self, model["id"])


class Kernel:
    """A kernel of a user's server, driven over its websocket like JupyterLab does."""

    def __init__(self, server: UserServer, kernel_id: str):
        import websocket  # websocket-client, a dependency of jupyter_server

        self.server, self.id, self.session = server, kernel_id, uuid.uuid4().hex
        url = server.url.replace("http://", "ws://", 1) + f"api/kernels/{kernel_id}/channels"
        self.ws = websocket.create_connection(url, timeout=HTTP_TIMEOUT,
                                              header=[f"Authorization: token {server.token}"])

    def execute(self, code: str, *, timeout: float = 120) -> tuple[dict, list[dict]]:
        """Run ``code``; return the execute_reply content and the outputs (nbformat dicts)."""
        from nbformat.v4 import output_from_msg

        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.server.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": False},
        }))
        deadline = time.monotonic() + timeout
        outputs, reply, idle = [], None, False
        while reply is None or not idle:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            message = json.loads(self.ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "execute_reply":
                reply = message["content"]
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
            elif kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append(output_from_msg(message))
            if time.monotonic() > deadline:
                raise TimeoutError(f"cell did not finish in {timeout} s: {code[:200]}")
        return reply, outputs

    def run_all(self, notebook: dict, *, timeout_per_cell: float = 120) -> dict:
        """Run every code cell in order, store outputs and counts (JupyterLab's "Run All")."""
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            reply, outputs = self.execute(cell["source"], timeout=timeout_per_cell)
            cell["outputs"], cell["execution_count"] = outputs, reply.get("execution_count")
        return notebook

    def shutdown(self) -> None:
        try:
            self.ws.close()
        finally:
            self.server.request("DELETE", f"api/kernels/{self.id}")


def start_hub(root: Path, *, proxy: str, passwords: dict[str, str],
              timeout: float = 90) -> Hub:
    """Start the course's trial hub for ``root`` (already set up) on free 127.0.0.1 ports.

    ``passwords`` has the keys ``student`` and ``instructor``. The hub's own
    process group is new (``start_new_session``), its log goes to
    ``root/hub.log``; on failure to come up the error carries the log's tail.
    """
    public, hub_port, proxy_api = free_ports(3)
    token = secrets.token_hex(32)
    env = dict(os.environ)
    bindirs = [str(Path(sys.executable).parent), str(Path(proxy).parent)]
    env["PATH"] = os.pathsep.join([*bindirs, env.get("PATH", "")])
    env.update(LRLAB_HUB_ROOT=str(root), LRLAB_HUB_API_TOKEN=token,
               LRLAB_HUB_STUDENT_PASSWORD=passwords["student"],
               LRLAB_HUB_INSTRUCTOR_PASSWORD=passwords["instructor"])
    env.pop("JUPYTER_CONFIG_DIR", None)
    log_path = root / "hub.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG / "trial_config.py"),
             f"--JupyterHub.bind_url=http://127.0.0.1:{public}",
             f"--JupyterHub.hub_bind_url=http://127.0.0.1:{hub_port}",
             f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{proxy_api}",
             f"--ConfigurableHTTPProxy.command={proxy}"],
            cwd=root / "state", env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{public}/", token, root, process, log_path)

    def up():
        if process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {process.returncode}:\n{hub.log_tail()}")
        try:
            return requests.get(f"{hub.url}hub/api/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(up, timeout=timeout, interval=0.5, what="JupyterHub to answer")
    except BaseException:
        hub.stop()
        raise
    return hub
