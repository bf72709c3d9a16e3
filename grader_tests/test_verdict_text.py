"""The grader's verdict in a test cell never reads as the student's text, nor contradicts itself.

In formgrader a cheater's notebook showed "All hidden tests passed: 100%" (printed by its code)
above the traceback of its failed public assert and "Hidden tests: 0 / 1 points" below it. The
verdict now opens with a line that says whose text is above it, and the error case says why 0.
"""

from coursekit.checks import Verdict
from coursekit.preprocessors import ScoreHiddenChecks


def test_verdict_of_a_failed_public_assert_names_itself_and_the_error():
    report = ScoreHiddenChecks._report([Verdict("perceptron.step", [])], {"ename": "AssertionError"}, 0.0, 1.0)
    lines = report.splitlines()
    assert lines[0] == ScoreHiddenChecks.VERDICT_HEADER
    assert "printed by the notebook's own code" in lines[0]
    assert lines[1] == "Hidden tests: 0 / 1 points"
    assert "AssertionError" in report and "0 points" in report
    assert "passed" not in report.lower(), "a 0-point verdict must not say 'passed':\n" + report


def test_verdict_html_wraps_long_lines_and_escapes():
    from coursekit.preprocessors import _wrapping_html
    page = _wrapping_html("FAIL  x\n      first failure: f('<b>'): expected [1, 2, 3] " + "9" * 300)
    assert page.startswith("<pre><code>") and page.endswith("</code></pre>")
    from coursekit.sanitize import clean_html
    assert clean_html(page) == page, "the output sanitiser must leave the verdict as it is"
    assert "<b>" not in page and "&lt;b&gt;" in page and "f('" in page
