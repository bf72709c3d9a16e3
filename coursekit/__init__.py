"""coursekit: instructor tooling for the deep-learning course kit.

Modules, one concern each:

- ``checks``: the hidden-test framework (cases, groups, comparison, scoring).
- ``wire``: the value codec shared by the grader and the student's kernel.
- ``harness``: generates the code a hidden test cell runs in the student's kernel.
- ``preprocessors``: nbgrader preprocessors that inject hidden checks and score them
  in the grader's own process.
- ``sandbox``: the bubblewrap-sandboxed kernel manager used to run submissions.
- ``ecg``: the synthetic ECG generator, data format and real-data importers.
- ``cli``: the ``coursekit`` command line.
"""

__version__ = "0.1.0"
