"""nbgrader configuration of the lrlab course.

Run nbgrader commands from this folder (``cd coursework``); see
``docs/instructors.md``. The gradebook is ``gradebook.db`` (sqlite) here, and
nbgrader's working folders (``release/``, ``submitted/``, ``autograded/``,
``feedback/``) are created next to ``source/``; none of them belongs in git.
"""

c = get_config()  # provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "lrlab"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# nbgrader's default is 30 s per cell; the cells that train (the noisy-SGD
# experiment of assignment 2, the MLP range test and trials of assignment 4)
# take a few seconds on a laptop but can be much slower on a busy grading
# server, so allow 5 minutes per cell.
c.ExecutePreprocessor.timeout = 300

# Files of source/<assignment>/ that nbgrader must neither release nor copy into the
# submissions it autogrades: nbgrader's defaults, plus the instructor-only files (the script
# that generates an assignment's data file, answer keys); release.py's INSTRUCTOR_ONLY.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "make_*.py", "instructor_*"]

# What a student sees in place of a solution (nbgrader's default, stated here).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
