"""nbgrader settings of a student's server on the course hub (JUPYTER_CONFIG_PATH).

The hub (``coursework/hub/jupyterhub_config.py``) sets the variables read here.
"""

import os

c = get_config()  # provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ.get("LRLAB_COURSE_ID", "lrlab")
c.Exchange.root = os.environ.get("LRLAB_EXCHANGE", "/srv/lrlab/exchange")
# Submissions carry the hub user name. nbgrader would take the name of the Unix account,
# which is the same thing with system accounts, but on a hub whose servers share one
# account (trial_config.py, containers) it would be that account's name for everyone.
if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
