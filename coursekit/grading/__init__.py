"""Grading a whole class: isolated, parallel, resumable, with LMS exports and a report.

``coursekit grade ASSIGNMENT`` keeps nbgrader's gradebook, ``autograded/`` folders,
formgrader and exports, and changes how submissions get there:

- :mod:`.intake` copies one submission out of ``submitted/`` (never touching it), finds
  renamed notebooks, repairs what students break (invalid text, edited metadata,
  deleted or renamed test cells) and refuses what would hurt the grader (file bombs,
  links, huge notebooks), writing a note for each;
- :mod:`.runner` autogrades that copy with nbgrader's own ``Autograde`` converter into
  a private staging gradebook, its kernel in the sandbox (:mod:`coursekit.sandbox`,
  :mod:`coursekit.execute`); it runs in a Dask worker;
- :mod:`.gradebook` builds the staging gradebook, merges each result into the real one
  (one writer: the coordinator) and remembers what was graded, so a second run skips
  unchanged work and an interrupted run finishes the rest;
- :mod:`.parallel` is the coordinator: a ``dask.distributed`` cluster (local processes
  or a remote scheduler), a progress bar, the grading log and the summary;
- :mod:`.exports` writes Moodle and Canvas grade files; :mod:`.report` the instructor
  report; :mod:`.cli` the ``grade``, ``export`` and ``report`` commands.
"""
