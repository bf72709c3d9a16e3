"""``coursekit new NAME``: a new assignment unit and its notebook, complete and gradable.

Writes, under the course root:

- ``source/NN_NAME/NAME.ipynb``: a setup cell, one graded function (signature and docstring outside
  the solution delimiters), its test cell (public asserts and the hidden-check directive) and one
  written answer with its mark scheme;
- ``reference/NAME/``: the manifest (``__init__.py``), ``solution.py`` (the notebook's solution
  verbatim), ``checks.py`` (the hidden check), ``wrong.py`` (six wrong implementations and one
  end-to-end student), ``correct.py`` (two correct alternatives);

and registers the unit in ``reference/units.py``. The example is small but real: the generic
tests (``grader_tests/test_units.py``, ``test_units_notebooks.py``) pass on it as written, so an
instructor replaces it piece by piece and keeps a green suite. Then ``coursekit release NN_NAME``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from coursekit import authoring

FUNCTION = '''def scale(x, factor):
    """Multiply every element of x by factor.

    Parameters: x, array-like of numbers, any shape; factor, a finite number.
    Returns: a new float array of x's shape (x itself is left unchanged).
    Raises ValueError when factor is not finite (nan or inf).
    """
    ### BEGIN SOLUTION
    if not np.isfinite(factor):
        raise ValueError(f"factor must be finite, got {factor}")
    return np.asarray(x, dtype=float) * factor
    ### END SOLUTION'''

TEST_CELL = '''"""scale multiplies element-wise and refuses a factor that is not finite."""
np.testing.assert_allclose(scale([1.0, 2.0], 3.0), [3.0, 6.0])
try:
    scale([1.0], float("nan"))
    raise AssertionError("scale(x, nan) should raise ValueError")
except ValueError:
    pass
### BEGIN HIDDEN TESTS
# coursekit-check: {topic}.scale
### END HIDDEN TESTS'''

QUESTION = '''**Question (2 points).** When would you scale a signal before feeding it to a network, and why?

### BEGIN MARK SCHEME
2 points: 1 for a situation (inputs on very different scales), 1 for the reason (gradient steps
suit every input alike).
### END MARK SCHEME'''

SOLUTION_MODULE = '''"""{assignment}: the reference solution, the notebook's solution cells verbatim (a test compares them)."""

import numpy as np


{function}
'''

CHECKS_MODULE = '''"""{assignment}: hidden checks. Each draws fresh inputs from ``rng`` (see docs/hidden-tests.md)."""

import numpy as np

from coursekit.checks import Case, Check, Group
from reference.{topic} import solution as ref


def _scale_groups(rng):
    return [
        Group("scalars", [Case((float(x), float(f))) for x, f in rng.normal(0, 3, size=(3, 2))]),
        Group("arrays of any shape", [Case((rng.normal(size=shape), float(rng.normal())))
                                      for shape in ((1,), (5,), (2, 3))]),
        Group("integer input gives floats", [Case((rng.integers(-5, 5, size=4), 0.5))]),
        Group("a factor that is not finite raises ValueError", [Case((np.ones(2), np.nan)),
                                                                 Case((np.ones(2), np.inf))]),
    ]


CHECKS = [Check("{topic}.scale", "scale", ref.scale, _scale_groups)]
'''

WRONG_MODULE = '''"""{assignment}: wrong implementations students really write, named after the fault; each loses
points on every grading seed (grader_tests/test_units.py), and SUBMISSIONS are graded end to end."""

from coursekit.manifest import Mutant, Submission


def _m(name, source):
    return Mutant(name, "{topic}.scale", source)


MUTANTS = [
    _m("scale_adds_instead", """
def scale(x, factor):
    if not np.isfinite(factor):
        raise ValueError("factor must be finite")
    return np.asarray(x, dtype=float) + factor
"""),
    _m("scale_ignores_factor", """
def scale(x, factor):
    if not np.isfinite(factor):
        raise ValueError("factor must be finite")
    return np.asarray(x, dtype=float)
"""),
    _m("scale_no_validation", """
def scale(x, factor):
    return np.asarray(x, dtype=float) * factor
"""),
    _m("scale_divides", """
def scale(x, factor):
    if not np.isfinite(factor):
        raise ValueError("factor must be finite")
    return np.asarray(x, dtype=float) / factor
"""),
    _m("scale_keeps_integer_dtype", """
def scale(x, factor):
    if not np.isfinite(factor):
        raise ValueError("factor must be finite")
    x = np.asarray(x)
    return (x * factor).astype(x.dtype)
"""),
    _m("scale_flattens", """
def scale(x, factor):
    if not np.isfinite(factor):
        raise ValueError("factor must be finite")
    return np.ravel(np.asarray(x, dtype=float)) * factor
"""),
]

#: The end-to-end test's students: the source notebook with these mutants pasted in, and the
#: exact points of the cells they change (4 equally weighted groups per check).
SUBMISSIONS = [
    Submission("no_validation", ("scale_no_validation",), {{"test_scale": 0.0}}),  # the public assert raises
    # 1-D integer input and the ValueError group pass; scalars and 2-D arrays come back reshaped.
    Submission("flattens", ("scale_flattens",), {{"test_scale": 3 * 2 / 4}},
               feedback={{"test_scale": ("FAIL  arrays of any shape",)}}),
]
'''

CORRECT_MODULE = '''"""{assignment}: correct implementations in other styles, named after the style; each keeps every
point on every grading seed (grader_tests/test_units.py)."""

from coursekit.manifest import Alternative

ALTERNATIVES = [
    Alternative("scale_multiply_ufunc", "{topic}.scale", """
def scale(x, factor):
    if np.isnan(factor) or np.isinf(factor):
        raise ValueError("factor must be finite")
    return np.multiply(x, factor, dtype=float)
"""),
    Alternative("scale_python_loop", "{topic}.scale", """
import math
def scale(x, factor):
    if not math.isfinite(factor):
        raise ValueError("factor must be finite")
    x = np.array(x, dtype=float)
    flat = x.reshape(-1)
    for i in range(flat.size):
        flat[i] = flat[i] * factor
    return x if x.ndim else float(x)
"""),
]
'''

MANIFEST = '''"""{assignment}: (describe the assignment in one line).

The manifest of this unit (see ``docs/units.md``): points of every graded cell and the numbers the
notebook's text states. ``solution.py`` is the reference (the notebook's solution cells),
``checks.py`` the hidden checks, ``wrong.py`` the wrong implementations that must lose points and
the end-to-end students, ``correct.py`` correct alternatives that must keep every point.
"""

from coursekit.manifest import Unit, unit_modules

UNIT = Unit(
    topic="{topic}",
    assignment="{assignment}",
    notebook="{topic}.ipynb",
    points={{"test_scale": 3}},
    manual={{"scaling_answer": 2}},
    **unit_modules(__name__),  # load_solution, load_checks, ...: this package's own modules
)
'''


def next_assignment_id(root: Path, topic: str) -> str:
    """``NN_topic`` with NN one more than the highest numbered folder in ``source/``."""
    numbers = [int(p.name[:2]) for p in (root / "source").iterdir() if re.match(r"\d\d_", p.name)]
    return "%02d_%s" % (max(numbers, default=0) + 1, topic)


def notebook(topic: str, assignment: str) -> nbformat.NotebookNode:
    return authoring.notebook([
        authoring.md("# %s\n\nReplace this example with your assignment. **Autograded: 3 points; written answer: "
                     "2 points.**" % assignment, "intro"),
        authoring.code("import numpy as np", "setup"),
        authoring.md("## 1. Scaling (3 points)\n\nImplement `scale` as its docstring says.", "scale_text"),
        authoring.solution(FUNCTION, "scale"),
        authoring.tests(TEST_CELL.format(topic=topic), "test_scale", points=3),
        authoring.md(QUESTION, "scaling_question"),
        authoring.manual("When inputs come on very different scales: one learning rate then suits every input.",
                         "scaling_answer", points=2),
    ])


def _function_source() -> str:
    return "\n".join(line for line in FUNCTION.splitlines() if "### " not in line)


def register_unit(registry: Path, topic: str) -> None:
    """Add ``topic`` to the import line and to the end of ``UNITS`` in ``reference/units.py``."""
    text = registry.read_text()
    match = re.search(r"^from reference import (.+)$", text, re.M)
    if not match:
        raise ValueError("%s has no 'from reference import ...' line" % registry)
    names = sorted({n.strip() for n in match.group(1).split(",")} | {topic})
    text = text[:match.start()] + "from reference import " + ", ".join(names) + text[match.end():]
    closing = text.rindex(")")
    text = text[:closing].rstrip() + "\n    %s.UNIT,\n" % topic + text[closing:]
    registry.write_text(text)


def new_unit(root: Path, topic: str) -> dict[str, Path]:
    """Write the unit and its notebook (see the module docstring); refuse to overwrite anything."""
    root = Path(root).resolve()
    if not topic.isidentifier() or not topic.islower():
        raise ValueError("NAME must be a lower-case Python identifier (it names reference/NAME/), got %r" % topic)
    unit_dir = root / "reference" / topic
    taken = [p for p in (root / "source").glob("*_%s" % topic)] + ([unit_dir] if unit_dir.exists() else [])
    if taken:
        raise FileExistsError("already there: %s" % ", ".join(str(p) for p in taken))
    assignment = next_assignment_id(root, topic)
    values = {"topic": topic, "assignment": assignment}
    files = {
        "notebook": root / "source" / assignment / ("%s.ipynb" % topic),
        "manifest": unit_dir / "__init__.py",
        "solution": unit_dir / "solution.py",
        "checks": unit_dir / "checks.py",
        "wrong": unit_dir / "wrong.py",
        "correct": unit_dir / "correct.py",
    }
    texts = {
        "manifest": MANIFEST.format(**values),
        "solution": SOLUTION_MODULE.format(function=_function_source(), **values),
        "checks": CHECKS_MODULE.format(**values),
        "wrong": WRONG_MODULE.format(**values),
        "correct": CORRECT_MODULE.format(**values),
    }
    files["notebook"].parent.mkdir(parents=True)
    unit_dir.mkdir(parents=True)
    nbformat.write(notebook(topic, assignment), str(files["notebook"]))
    for key, text in texts.items():
        files[key].write_text(text)
    register_unit(root / "reference" / "units.py", topic)
    return files


def _new_cmd(args) -> int:
    try:
        files = new_unit(Path(args.root), args.name)
    except (ValueError, FileExistsError) as error:
        print("coursekit new: %s" % error, file=sys.stderr)
        return 2
    for path in files.values():
        print("wrote %s" % path)
    assignment = files["notebook"].parent.name
    print("registered %s in reference/units.py. Next: edit the notebook and the unit, then "
          "`coursekit release %s`." % (args.name, assignment))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("new", help="scaffold a new assignment: its notebook and its unit under reference/")
    p.add_argument("name", help="the topic, a lower-case identifier (e.g. attention)")
    p.add_argument("--root", default=".", help="course root (default: current directory)")
    p.set_defaults(handler=_new_cmd)
