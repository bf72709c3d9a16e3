"""nbgrader settings for Validate in 01_perceptron (written by `coursekit release`; do not edit).

Validate (the notebook's toolbar button, or `nbgrader validate`) runs the whole notebook again
in a fresh kernel and checks the public tests. nbgrader stops any cell after 30 s unless told
otherwise; the course's notebooks fit that wherever JupyterLab starts (slow steps such as
training run a short version under Validate). This file lets each cell run as long as the grader
would (120 s), in case your own code is slower; nbgrader reads it only when JupyterLab
(or `nbgrader validate`) is started in this folder, or when the line below is copied into
~/.jupyter/nbgrader_config.py.
"""

c = get_config()  # noqa: F821 - provided by nbgrader

# Seconds one cell may run during Validate: the grader's limit for this assignment's cells.
c.Execute.timeout = 120
