"""The course hub on one machine, without system accounts: for a trial and for the smoke test.

Usage (see docs/instructors.md)::

    export LRLAB_HUB_ROOT=/tmp/lrlab-hub
    export LRLAB_HUB_STUDENT_PASSWORD=...      # 8 characters or more
    export LRLAB_HUB_INSTRUCTOR_PASSWORD=...   # 32 characters or more, not the students'
    python coursework/hub/setup_course.py $LRLAB_HUB_ROOT --roster roster.csv
    jupyterhub -f coursework/hub/trial_config.py --port 8000

Everything of ``jupyterhub_config.py`` (roster, groups, exchange, shared course
directory, per-role Jupyter config) plus:

* ``SimpleLocalProcessSpawner``: every server runs as the user who started the hub,
  with its home in ``LRLAB_HUB_ROOT/home/<name>``; no isolation between users, which
  is why this is for a trial on your own machine, never for a class;
* JupyterHub's ``SharedPasswordAuthenticator`` (the successor of the
  ``DummyAuthenticator`` with a password): students log in with the student password,
  instructors (hub admins) with the instructor password;
* the hub and the proxy listen on 127.0.0.1 only;
* with ``LRLAB_HUB_API_TOKEN`` set, a service ``course-admin`` holding that token may
  manage users, their servers and their tokens (the smoke test drives the hub's REST
  API with it).
"""

import os

c = get_config()  # provided by JupyterHub when it loads this file
load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "jupyterhub_config.py"))

_root = os.path.abspath(os.environ.get("LRLAB_HUB_ROOT", "/srv/lrlab"))

# Only this machine can reach the hub (--JupyterHub.bind_url=... on the command line
# changes the port).
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:8081"
c.Spawner.ip = "127.0.0.1"

c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(_root, "home", "{username}")
if hasattr(os, "getuid") and os.getuid() == 0:
    # Jupyter servers refuse to run as root without this (containers, CI).
    c.Spawner.args = ["--allow-root"]

c.JupyterHub.authenticator_class = "shared-password"
try:
    c.SharedPasswordAuthenticator.user_password = os.environ["LRLAB_HUB_STUDENT_PASSWORD"]
    c.SharedPasswordAuthenticator.admin_password = os.environ["LRLAB_HUB_INSTRUCTOR_PASSWORD"]
except KeyError as missing:
    raise SystemExit(f"trial_config.py: set {missing.args[0]} (students' password: 8 "
                     f"characters or more; instructors': 32 or more)") from None

_token = os.environ.get("LRLAB_HUB_API_TOKEN")
if _token:
    c.JupyterHub.services = [{"name": "course-admin", "api_token": _token}]
    c.JupyterHub.load_roles = [{
        "name": "course-admin",
        "description": "start and stop users' servers, issue their tokens",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
        "services": ["course-admin"],
    }]
