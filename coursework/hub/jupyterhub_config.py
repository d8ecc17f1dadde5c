"""JupyterHub configuration for a class taking the lrlab course with nbgrader.

Start it (as root, on the course server; see docs/instructors.md)::

    python coursework/hub/setup_course.py /srv/lrlab --roster roster.csv
    LRLAB_HUB_ROOT=/srv/lrlab jupyterhub -f coursework/hub/jupyterhub_config.py

What it sets up (folders: see ``setup_course.py``):

* who may log in: the roster (``LRLAB_HUB_ROOT/roster.csv``); instructors are hub
  admins and members of the group ``formgrade-<course id>``, students of
  ``nbgrader-<course id>`` (the group names nbgrader's JupyterHub integration uses);
  membership of ``formgrade-<course id>`` is what makes a user an instructor, so a
  teaching assistant added to that group in the admin panel is one at the next spawn;
* nbgrader's exchange ``LRLAB_HUB_ROOT/exchange`` for everyone;
* instructors' servers open in the shared course directory ``LRLAB_HUB_ROOT/course``
  with nbgrader's formgrader; students' servers open in their home folder, with the
  Assignments tab and without the formgrader and the assignment-creation toolbar
  (the Jupyter config folders ``jupyter/instructor`` and ``jupyter/student`` next to
  this file, put first on each server's ``JUPYTER_CONFIG_PATH``).

Authentication and spawning are JupyterHub's defaults: system accounts checked with
PAM, one server per account started as that user (``LocalProcessSpawner``). Put your
site's choice (OAuth, LTI, DockerSpawner, ...) after this file's settings, e.g. in a
file that starts with ``load_subconfig(".../coursework/hub/jupyterhub_config.py")``,
as ``trial_config.py`` does for a trial on one machine without system accounts.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from setup_course import HubPaths, course_id, read_roster

c = get_config()  # provided by JupyterHub when it loads this file

paths = HubPaths(os.path.abspath(os.environ.get("LRLAB_HUB_ROOT", "/srv/lrlab")))
if not paths.roster.exists():
    raise SystemExit(f"no roster at {paths.roster}: run "
                     f"python coursework/hub/setup_course.py {paths.root} --roster FILE first")
members = read_roster(paths.roster)
COURSE_ID = course_id(paths.course)
INSTRUCTORS_GROUP = f"formgrade-{COURSE_ID}"
STUDENTS_GROUP = f"nbgrader-{COURSE_ID}"
instructors = sorted(m.id for m in members if m.role == "instructor")
students = sorted(m.id for m in members if m.role == "student")

# --------------------------------------------------------------------- the hub's own state
c.JupyterHub.db_url = f"sqlite:///{paths.state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(paths.state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(paths.state / "jupyterhub-proxy.pid")

# ----------------------------------------------------------------------------- who is who
c.Authenticator.allowed_users = set(instructors) | set(students)
c.Authenticator.admin_users = set(instructors)
c.JupyterHub.load_groups = {
    INSTRUCTORS_GROUP: {"users": instructors},
    STUDENTS_GROUP: {"users": students},
}


def is_instructor(user) -> bool:
    """Whether a hub user teaches the course: member of the ``formgrade-<course id>`` group."""
    return any(group.name == INSTRUCTORS_GROUP for group in user.groups)


# ------------------------------------------------------------------------- users' servers
# The hub's Python runs the single-user servers (and so their kernels and nbgrader).
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    # nbgrader calls its environment's `alembic`; kernels find the course's packages.
    "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
    "LRLAB_COURSE_ID": COURSE_ID,
    "LRLAB_EXCHANGE": str(paths.exchange),
    "LRLAB_COURSE_DIR": str(paths.course),
}
# A server that imports JupyterLab, nbgrader and a kernel can take a while on a busy
# machine at the start of a class.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90


def course_roles(spawner) -> None:
    """Give the server its role's Jupyter config; instructors start in the course directory."""
    role = "instructor" if is_instructor(spawner.user) else "student"
    config_path = [os.path.join(HERE, "jupyter", role)]
    inherited = spawner.environment.get("JUPYTER_CONFIG_PATH")
    if inherited:
        config_path.append(inherited)
    spawner.environment = {**spawner.environment, "LRLAB_COURSE_ROLE": role,
                           "JUPYTER_CONFIG_PATH": os.pathsep.join(config_path)}
    if role == "instructor":
        # nbgrader's formgrader needs the course directory inside the server's root.
        spawner.notebook_dir = str(paths.course)


c.Spawner.pre_spawn_hook = course_roles
