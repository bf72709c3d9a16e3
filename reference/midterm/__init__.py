"""midterm: the per-student exam drawn from the question bank (``docs/midterm.md``).

The manifest of this unit (see ``docs/units.md``). ``checks.py`` holds ``EXAM``, the exam's
definition (slots, question generators, points); its checks regenerate each student's own
variant and score it with the bank, so there is no reference module and no mutant catalogue
here: the bank's own self-test (``coursekit questions check``) proves each generator's key
scores full and its misconceptions 0. Generic end-to-end tests skip it (every student has
another exam); ``grader_tests/test_midterm_course.py`` grades a class of personalised copies.
"""

from coursekit.manifest import Unit, unit_modules


def load_exam():
    from . import checks
    return checks.EXAM


UNIT = Unit(
    topic="midterm",
    assignment="midterm",
    notebook="midterm.ipynb",
    # One test cell per slot of EXAM (test_q01 ... test_q16); a test compares them with EXAM.
    points={
        "test_q01": 1, "test_q02": 2, "test_q03": 1, "test_q04": 2, "test_q05": 3, "test_q06": 2,
        "test_q07": 2, "test_q08": 1, "test_q09": 2, "test_q10": 2, "test_q11": 3, "test_q12": 2,
        "test_q13": 2, "test_q14": 2, "test_q15": 2, "test_q16": 1,
    },
    end_to_end=False,
    **unit_modules(__name__),
)
