"""nbgrader settings for Validate in 06_sequences (written by `coursekit release`; do not edit).

Validate (the notebook's toolbar button, or `nbgrader validate` in this folder) runs the whole
notebook again in a fresh kernel and checks the public tests. Without this file nbgrader stops
any cell after 30 s; here each cell may run as long as the grader lets it (300 s).

nbgrader reads this file only from the folder where JupyterLab was started: open a terminal in
this folder and start `jupyter lab` here (or copy the line below into ~/.jupyter/nbgrader_config.py).
"""

c = get_config()  # noqa: F821 - provided by nbgrader

# Seconds one cell may run during Validate: the grader's limit for this assignment's cells.
c.Execute.timeout = 300
