"""Cheating submissions get no hidden points, through real nbgrader autograde in the sandbox.

One tiny assignment (``step`` from the perceptron topic) and one autograde run over a class
of cheaters, each named after its trick; an honest and a noisy-but-honest student show the
same grading still gives full marks.
"""

import nbformat
import pytest

from kit import Course, replace_cell
from coursekit import authoring as a

ASSIGNMENT = "00_cheats"
POINTS = 2

HONEST = "def step(z):\n    return (np.asarray(z) >= 0).astype(int)\n"

CHEATERS = {
    "imports_reference": """
def step(z):
    import sys, importlib
    for path in ('.', '..', '../..', '../../..', '/work/main', '/work'):
        sys.path.insert(0, path)
    return importlib.import_module('reference.perceptron.solution').step(z)
""",
    "reads_source_notebook": """
def step(z):
    import glob, json
    roots = ['..', '../..', '../../..', '/work/main', '/course', '/home', '/srv', '/tmp']
    for path in [p for r in roots for p in glob.glob(r + '/source/*/*.ipynb')]:
        for cell in json.load(open(path))['cells']:
            if 'def step' in ''.join(cell['source']):
                exec(''.join(cell['source']), globals())
                return globals()['step'](z)
    raise RuntimeError('no solution found')
""",
    "reads_gradebook": """
def step(z):
    import sqlite3, glob
    roots = ['..', '../..', '../../..', '/work/main', '/course', '/home', '/srv', '/tmp']
    for path in [p for r in roots for p in glob.glob(r + '/gradebook.db')]:
        rows = sqlite3.connect(path).execute('select source from source_cell').fetchall()
        for (source,) in rows:
            if 'def step' in source:
                exec(source, globals())
                return globals()['step'](z)
    raise RuntimeError('no gradebook found')
""",
    "patches_numpy_testing": """
import numpy.testing
numpy.testing.assert_array_equal = lambda *args, **kwargs: None
numpy.testing.assert_allclose = lambda *args, **kwargs: None
def step(z):
    return 1 if np.ndim(z) == 0 and z == 0 else -7  # passes the public test only
""",
    "patches_builtins": """
import builtins
builtins.exec = lambda *args, **kwargs: None
builtins.isinstance = lambda *args: True
def step(z):
    return 1 if np.ndim(z) == 0 and z == 0 else -7  # passes the public test only
""",
    "prints_fake_results": """
def step(z):
    print('Hidden tests: 2 / 2 points')
    print('PASS  scalars (4 cases)')
    return 1 if np.ndim(z) == 0 and z == 0 else -7  # passes the public test only
""",
    "spoofs_score_through_displayhook": """
import sys
def step(z):
    sys.displayhook(2.0)
    return 1 if np.ndim(z) == 0 and z == 0 else -7  # passes the public test only
""",
    "spoofs_result_payload": """
from IPython.display import display
def step(z):
    display({'application/vnd.coursekit.check+json': {'check': 'perceptron.step',
             'results': [{'value': 1}] * 9}}, raw=True)
    return 1 if np.ndim(z) == 0 and z == 0 else -7  # passes the public test only
""",
    "replaces_display_with_fake_results": """
import IPython.display
_real_display = IPython.display.display
def _fake(obj, raw=False, **kwargs):
    key = 'application/vnd.coursekit.check+json'
    if raw and isinstance(obj, dict) and key in obj:
        for result in obj[key]['results']:
            result.pop('raised', None); result.pop('message', None); result['value'] = 1
    return _real_display(obj, raw=raw, **kwargs)
IPython.display.display = _fake
def step(z):
    raise RuntimeError('not implemented, but the fake display says otherwise')
""",
}


def _notebook():
    return a.notebook([
        a.md("# Cheating corpus"),
        a.code("import numpy as np", "setup"),
        a.solution('def step(z):\n    """1 where z >= 0, else 0."""\n    ### BEGIN SOLUTION\n'
                   "    return (np.asarray(z) >= 0).astype(int)\n    ### END SOLUTION", "step"),
        a.tests('"""step(0) = 1 and step works element-wise."""\nassert step(0.0) == 1\n'
                "### BEGIN HIDDEN TESTS\n# coursekit-check: perceptron.step\n### END HIDDEN TESTS",
                "test_step", points=POINTS),
        a.md("**Why** does the perceptron use a threshold?\n\n### BEGIN MARK SCHEME\n"
             "1 point: MODEL-ANSWER-FOR-GRADERS-ONLY.\n### END MARK SCHEME", "question_why"),
        a.manual("It decides.", "answer_why", points=1),
        a.code("import os\nprint('secret visible:', bool(os.environ.get('COURSEKIT_SECRET')))\n"
               "print('course visible:', os.path.exists('../../../nbgrader_config.py'))", "isolation_probe"),
    ])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("cheats"), assignments=[])
    (course.root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(_notebook(), str(course.root / "source" / ASSIGNMENT / "cheats.ipynb"))
    release = course.release(ASSIGNMENT)
    stub = nbformat.read(str(release / "cheats.ipynb"), as_version=4)
    students = {"honest": HONEST,
                "honest_but_noisy": "import sys, warnings\nwarnings.warn('careful')\n"
                                    "print('progress 100%', file=sys.stderr)\n" + HONEST,
                **CHEATERS}
    for student, source in students.items():
        course.submit(student, ASSIGNMENT, {"cheats.ipynb": replace_cell(stub, "step", source)})
    course.autograde(ASSIGNMENT)
    course.nbgrader("generate_feedback", ASSIGNMENT, "--force")
    return course


@pytest.mark.slow
@pytest.mark.parametrize("student", ["honest", "honest_but_noisy"])
def test_honest_students_get_full_marks(graded, student):
    assert graded.scores(ASSIGNMENT, student)["test_step"] == POINTS


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(CHEATERS))
def test_cheater_gets_no_hidden_points(graded, student):
    assert graded.scores(ASSIGNMENT, student)["test_step"] == 0


@pytest.mark.slow
def test_student_kernel_sees_neither_the_secret_nor_the_course(graded):
    nb = graded.autograded_notebook(ASSIGNMENT, "honest", "cheats.ipynb")
    probe = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                 == "isolation_probe")
    text = "".join(o.get("text", "") for o in probe.outputs)
    assert "secret visible: False" in text and "course visible: False" in text


@pytest.mark.slow
def test_feedback_explains_the_failure_without_showing_generated_code(graded):
    nb = graded.autograded_notebook(ASSIGNMENT, "patches_numpy_testing", "cheats.ipynb")
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_step")
    report = "\n".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert "FAIL" in report and "expected" in report
    assert "_coursekit_hidden_check" not in cell.source


@pytest.mark.slow
def test_graders_see_the_mark_scheme_and_students_do_not(graded):
    nb = graded.autograded_notebook(ASSIGNMENT, "honest", "cheats.ipynb")
    question = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    == "question_why")
    assert "MODEL-ANSWER-FOR-GRADERS-ONLY" in question.source
    release = (graded.root / "release" / ASSIGNMENT / "cheats.ipynb").read_text()
    feedback = (graded.root / "feedback" / "honest" / ASSIGNMENT / "cheats.html").read_text()
    assert "MODEL-ANSWER-FOR-GRADERS-ONLY" not in release
    assert "MODEL-ANSWER-FOR-GRADERS-ONLY" not in feedback
    assert "Hidden tests: 2 / 2 points" in feedback and "_coursekit_hidden_check" not in feedback
