"""The hidden-test framework itself: codec, comparison, kernel harness, scoring, tampering."""

import json
import math

import numpy as np
import pytest
import torch
from nbformat.v4 import new_code_cell, new_output

import kit  # noqa: F401 - puts the repo root on sys.path
from coursekit import harness, wire
from coursekit.checks import Case, Check, Group, Outcome, compare, default_judge, derive_seed
from coursekit.preprocessors import ScoreHiddenChecks, directives, public_part


# --------------------------------------------------------------------------- wire

@pytest.mark.parametrize("value", [
    None, True, 0, -7, 2 ** 70, 1.5, -0.0, float("inf"), "text", (1, 2.5), [1, (2, 3)], {"a": [1.0]},
    np.arange(6).reshape(2, 3), np.array([1.0, np.nan, -np.inf], dtype=np.float32), np.array(True),
    np.float32(0.1), np.int16(-3), np.zeros((0, 4)), np.array([1 + 2j]),
])
def test_wire_round_trip_keeps_type_shape_and_exact_value(value):
    back = wire.decode(json.loads(json.dumps(wire.encode(value), allow_nan=False)))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        np.testing.assert_array_equal(back, value)
    elif isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value) and back == value
    else:
        assert back == value


def test_wire_nan_survives_json_without_nan_literals():
    text = json.dumps(wire.encode(float("nan")), allow_nan=False)
    assert math.isnan(wire.decode(json.loads(text)))


def test_wire_torch_tensor_becomes_array_and_unknown_objects_become_opaque():
    assert isinstance(wire.decode(wire.encode(torch.ones(2, 3))), np.ndarray)
    opaque = wire.decode(wire.encode(object()))
    assert wire.is_opaque(opaque) and "object" in opaque["__opaque__"]["type"]


# --------------------------------------------------------------------------- compare

def test_compare_accepts_close_values_and_rejects_others():
    assert compare(1.0, 1.0 + 1e-9) is None
    assert "expected 1.0" in compare(1.0, 1.01)
    assert compare(np.array([1.0, np.nan]), np.array([1.0, np.nan])) is None
    assert "shape" in compare(np.zeros(3), np.zeros((3, 1)))
    assert compare((1, 2.0), [1, 2.0]) is None
    assert "length" in compare((1, 2), (1, 2, 3))
    assert compare(float("inf"), float("inf")) is None and compare(float("inf"), -float("inf"))
    assert compare(5, 5.0) is None
    assert "int" in compare(5, 5.0, strict_types=True)
    assert "expected a number" in compare(5, "5")
    assert compare(True, np.True_) is None and compare(True, False)
    assert "dict" in compare({"a": 1}, {"b": 1})


def test_default_judge_requires_the_same_exception_family():
    expected = Outcome(raised=["ValueError", "Exception", "BaseException", "object"], message="bad")
    assert default_judge(expected, Outcome(raised=["ValueError", "Exception"])) is None
    assert "ValueError" in default_judge(expected, Outcome(raised=["TypeError", "Exception"]))
    assert "to be raised" in default_judge(expected, Outcome(value=3))
    assert "raised ZeroDivisionError" in default_judge(Outcome(value=1), Outcome(raised=["ZeroDivisionError"]))


def test_seeds_depend_on_every_part():
    base = derive_seed("s", "a", "n", "alice", "t.f")
    assert base == derive_seed("s", "a", "n", "alice", "t.f")
    assert len({base, derive_seed("s", "a", "n", "bob", "t.f"), derive_seed("x", "a", "n", "alice", "t.f"),
                derive_seed("s", "a", "n", "alice", "t.g")}) == 4


# --------------------------------------------------------------------------- harness

def _square_reference(x):
    if x < 0:
        raise ValueError("x must be >= 0")
    return x * x


def _square_groups(rng):
    return [Group("positive", [Case((float(v),)) for v in rng.uniform(0, 5, 3)]),
            Group("negative raises", [Case((-1.0,))], weight=2.0)]


SQUARE = Check("demo.square", "square", _square_reference, _square_groups, timeout=1.0)


def test_reference_scores_full_and_partial_credit_follows_group_weights():
    assert SQUARE.run_locally({"square": _square_reference}).fraction == 1.0
    no_check = SQUARE.run_locally({"square": lambda x: x * x})
    assert no_check.fraction == pytest.approx(1 / 3)
    assert "expected ValueError to be raised" in "\n".join(no_check.lines())


def test_missing_function_fails_with_a_clear_name_error():
    verdict = SQUARE.run_locally({})
    assert verdict.fraction == 0
    assert "name 'square' is not defined" in "\n".join(verdict.lines())


def test_student_exit_and_base_exceptions_fail_the_case_not_the_check():
    def square(x):
        raise SystemExit(3)
    verdict = SQUARE.run_locally({"square": square})
    assert verdict.fraction == 0 and "SystemExit" in "\n".join(verdict.lines())


def test_an_endless_case_times_out_and_the_check_goes_on():
    def square(x):
        if x >= 0:
            while True:
                pass
        raise ValueError("negative")
    verdict = SQUARE.run_locally({"square": square})
    assert verdict.fraction == pytest.approx(2 / 3)
    assert "longer than 1.0 s" in "\n".join(verdict.lines())


def test_kernel_code_holds_no_expected_value_and_no_reference_code():
    groups = SQUARE.groups(0)
    source = SQUARE.kernel_source(groups)
    expected = [repr(_square_reference(c.args[0])) for c in groups[0].cases]
    assert not any(text in source for text in expected)
    assert "_square_reference" not in source and "reference" not in source.lower().replace("# ", "")


def test_directives_are_found_only_inside_hidden_regions():
    source = ("assert f(1) == 1\n# coursekit-check: a.public\n### BEGIN HIDDEN TESTS\n"
              "# coursekit-check: topic.f\n### END HIDDEN TESTS")
    assert directives(source) == ["topic.f"]
    assert public_part(source) == "assert f(1) == 1\n# coursekit-check: a.public"


# --------------------------------------------------------------------------- scoring in the notebook

def _graded_cell(outputs):
    cell = new_code_cell("assert True\n# Hidden", metadata={"nbgrader": {
        "grade": True, "grade_id": "test_square", "points": 3, "solution": False, "locked": True}})
    cell.outputs = outputs
    cell.execution_count = 4
    return cell


def _score(outputs, payload_groups=None):
    groups = payload_groups or SQUARE.groups(1)
    cell = _graded_cell(outputs(groups))
    plan = {"test_square": {"checks": [(SQUARE, groups)], "public": "assert True"}}
    from nbformat.v4 import new_notebook
    nb = new_notebook(cells=[cell])
    ScoreHiddenChecks().preprocess(nb, {"coursekit_hidden_checks": plan})
    return nb.cells[0]


def _payload(groups, fn):
    source = SQUARE.kernel_source(groups).replace(harness._CALL, "")
    scope = {}
    exec(source, scope)
    captured = []
    scope["_coursekit_hidden_check"]({"square": fn}, captured.append)
    return new_output("display_data", data={harness.RESULT_MIME: json.loads(json.dumps(captured[0]))})


def _score_value(cell):
    from nbgrader.utils import determine_grade
    return determine_grade(cell)[0]


def test_scored_cell_gets_partial_credit_and_a_readable_report():
    cell = _score(lambda g: [_payload(g, lambda x: x * x)])
    assert _score_value(cell) == pytest.approx(1.0)
    report = cell.outputs[0]["data"]["text/plain"]
    assert "Hidden tests: 1 / 3 points" in report and "FAIL  negative raises" in report
    assert all(harness.RESULT_MIME not in o.get("data", {}) for o in cell.outputs)


def test_stderr_costs_nothing_but_is_kept_as_output():
    cell = _score(lambda g: [new_output("stream", name="stderr", text="UserWarning: careful\n"),
                             _payload(g, _square_reference)])
    assert _score_value(cell) == 3
    assert cell.outputs[0]["name"] == "stdout" and "careful" in cell.outputs[0]["text"]


def test_duplicated_results_are_tampering_and_score_zero():
    cell = _score(lambda g: [_payload(g, _square_reference), _payload(g, _square_reference)])
    assert _score_value(cell) == 0
    assert "tampered" in cell.outputs[0]["data"]["text/plain"]


def test_results_from_another_check_are_tampering():
    def outputs(groups):
        fake = _payload(groups, _square_reference)
        fake["data"][harness.RESULT_MIME]["check"] = "demo.other"
        return [_payload(groups, _square_reference), fake]
    assert _score_value(_score(outputs)) == 0


def test_altered_result_count_scores_zero():
    def outputs(groups):
        out = _payload(groups, _square_reference)
        out["data"][harness.RESULT_MIME]["results"].pop()
        return [out]
    assert _score_value(_score(outputs)) == 0


def test_error_in_public_part_scores_zero_and_says_why():
    error = new_output("error", ename="AssertionError", evalue="", traceback=[])
    cell = _score(lambda g: [error])
    assert _score_value(cell) == 0
    assert "raised AssertionError" in cell.outputs[-1]["data"]["text/plain"]


def test_feedback_source_hides_generated_code():
    cell = _score(lambda g: [_payload(g, _square_reference)])
    assert "_coursekit_hidden_check" not in cell.source and "demo.square" in cell.source


# --------------------------------------------------------------------------- partial credit and kernel files

def _tiered_judge(case, expected, got):
    from coursekit.checks import Partial
    value = got.value if not got.raised else -1
    if value >= 0.9:
        return None
    if value >= 0.8:
        return Partial(0.5, "scored %.2f: half credit between 0.80 and 0.90" % value)
    return "scored %.2f, below the floor of 0.80" % value


TIERED = Check("demo.tiered", "quality", lambda: None,
               lambda rng: [Group("quality", [Case(())], weight=3), Group("runs", [Case(())], weight=1)],
               judge=_tiered_judge)


@pytest.mark.parametrize("quality, fraction", [(0.95, 1.0), (0.85, (3 * 0.5 + 1 * 0.5) / 4), (0.5, 0.0)])
def test_partial_verdicts_earn_part_of_a_group(quality, fraction):
    verdict = TIERED.run_locally({"quality": lambda: quality})
    assert verdict.fraction == pytest.approx(fraction)
    if 0 < fraction < 1:
        assert "PART" in "\n".join(verdict.lines())


def test_kernel_files_are_readable_by_the_probe_and_gone_afterwards():
    def make(rng):
        return [Group("reads the hidden file", [Case(())])]
    check = Check("demo.files", "total", lambda: 6.0, make,
                  probe="def probe(ns):\n    import numpy as np\n    return ns[FUNCTION](np.load('.coursekit/x.npy'))\n",
                  kernel_files=lambda groups: {"x.npy": _npy_bytes(np.array([1.0, 2.0, 3.0]))})
    assert check.run_locally({"total": lambda x: float(x.sum())}).fraction == 1.0
    assert check.run_locally({"total": lambda x: float(x.max())}).fraction == 0.0


def _npy_bytes(array):
    import io
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_an_execute_result_published_by_student_code_is_not_a_score():
    spoof = new_output("execute_result", data={"text/plain": "3.0"}, execution_count=4)
    cell = _score(lambda g: [spoof, _payload(g, lambda x: -1.0)])
    assert _score_value(cell) == 0
    assert [o["output_type"] for o in cell.outputs].count("execute_result") == 1


def test_tracebacks_in_feedback_stop_before_the_hidden_region():
    frame = ("Cell In[3], line 2\n      1 x = 1\n----> 2 assert f(0) == 1\n      3 ### BEGIN HIDDEN TESTS\n"
             "      4 # Hidden check 'demo.square': written by the grader")
    error = new_output("error", ename="AssertionError", evalue="",
                       traceback=[frame, "File <coursekit hidden check>:12, in _coursekit_hidden_check(_ns)",
                                  "AssertionError: "])
    cell = _score(lambda g: [error])
    traceback = "\n".join(cell.outputs[0]["traceback"])
    assert "assert f(0) == 1" in traceback and "AssertionError" in traceback
    assert "HIDDEN" not in traceback and "Hidden check" not in traceback and "_coursekit" not in traceback
