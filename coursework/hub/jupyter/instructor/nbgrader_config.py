"""nbgrader settings of an instructor's server on the course hub (JUPYTER_CONFIG_PATH).

The course's own settings (``course/nbgrader_config.py``: course id, cell timeout,
stubs) apply, with the shared course directory as nbgrader's root and its gradebook
named by absolute path, so nbgrader commands and the formgrader find them from any
working folder. The hub (``coursework/hub/jupyterhub_config.py``) sets the variables.
"""

import os

c = get_config()  # provided by nbgrader when it loads this file

course = os.environ.get("LRLAB_COURSE_DIR", "/srv/lrlab/course")
load_subconfig(os.path.join(course, "nbgrader_config.py"))

c.CourseDirectory.root = course
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(course, "gradebook.db")
c.CourseDirectory.course_id = os.environ.get("LRLAB_COURSE_ID", "lrlab")
c.Exchange.root = os.environ.get("LRLAB_EXCHANGE", "/srv/lrlab/exchange")
