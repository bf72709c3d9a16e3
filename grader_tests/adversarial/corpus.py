"""Submissions that attack or break the grader, each named after what it does, with its exact grade.

Every case is a complete submission folder of the grading-test assignment
(``grader_tests/fixtures/grading_course``: ``add`` 1 point, ``relu`` 2, ``normalize`` 3,
plus a 1-point manual cell nobody answers). ``expected`` gives the auto score of each test
cell; ``notes`` are phrases the grading log must contain for it (the instructor must be
told what happened); ``outputs`` are phrases its autograded notebook must (or, prefixed
with ``!``, must not) contain.

Attacks that try to read or damage the course know its absolute path (the worst case:
``{root}`` is filled in), print ``LEAKED``/``DAMAGED`` when they succeed, and then make
``add`` wrong, so a broken sandbox also shows up as a lost point.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from adversarial.course import CORRECT, answered

FULL = {"test_add": 1.0, "test_relu": 2.0, "test_normalize": 3.0}
ZERO = {"test_add": 0.0, "test_relu": 0.0, "test_normalize": 0.0}


def _without(name: str, **changes) -> dict:
    return {**FULL, name: 0.0, **changes}


@dataclass
class Case:
    name: str
    build: Callable                     # (release notebook, submission folder, course root) -> None
    expected: dict
    notes: tuple = ()
    outputs: tuple = ()
    events: tuple = ()                  # execution events the log must show (timeout, kernel_died, ...)
    escape_files: tuple = field(default=())   # host paths that must NOT exist afterwards
    manual: float | None = 0.0          # auto score of the manual cell: None once a student answered it

    def __str__(self) -> str:
        return self.name


def _write(folder: Path, nb, name: str = "functions.ipynb") -> None:
    nbformat.write(nb, str(folder / name))


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _answers(**sources) -> Callable:
    def build(release, folder, root):
        _write(folder, answered(release, **sources))
    return build


# ---------------------------------------------------------------- probes that must stay blocked

_PROBE = '''
import os, sys
LEAKED = []
def _interpreter_root(path):
    # A course cloned under /tmp: the sandbox shows the interpreter's own folders there, nothing else.
    roots = (sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)))
    return any(root == path or root.startswith(path + "/") for root in roots)
def _attempt(label, action):
    try:
        result = action()
    except BaseException as error:
        print("blocked: %s (%s)" % (label, type(error).__name__))
    else:
        LEAKED.append(label)
        print("LEAKED: %s -> %r" % (label, str(result)[:80]))
{attempts}
'''

_WRONG_IF_LEAKED = ('def add(a, b):\n    """a + b, unless the sandbox leaked something."""\n'
                    '    return a + b + len(LEAKED)')


def _probe_case(name: str, attempts: list[str], notes=(), escape_files=()) -> Case:
    def build(release, folder, root):
        code = _PROBE.format(attempts="\n".join(a.format(root=root) for a in attempts))
        nb = answered(release, add=_WRONG_IF_LEAKED)
        nb.cells.insert(_index(nb, "setup") + 1, nbformat.v4.new_code_cell(code))
        _write(folder, nb)
    return Case(name, build, FULL, notes=notes, outputs=("blocked:", "!LEAKED"), escape_files=escape_files)


# ---------------------------------------------------------------- builders of broken files

def _invalid_json(release, folder, root):
    text = nbformat.writes(answered(release))
    (folder / "functions.ipynb").write_text(text[: len(text) // 2])


def _empty_file(release, folder, root):
    (folder / "functions.ipynb").write_bytes(b"")


def _renamed(release, folder, root):
    (folder / "functions.ipynb").unlink()
    _write(folder, answered(release), "functions-Copy1.ipynb")


def _missing(release, folder, root):
    (folder / "functions.ipynb").unlink()


def _non_utf8(release, folder, root):
    nb = answered(release)
    nb.cells.append(nbformat.v4.new_markdown_cell("Caf\u00e9 notes: MARKER"))
    raw = nbformat.writes(nb).encode("utf-8").replace("Caf\u00e9".encode("utf-8"), b"Caf\xe9")
    (folder / "functions.ipynb").write_bytes(raw)


def _huge_output(release, folder, root):
    nb = answered(release)
    flood = nbformat.v4.new_code_cell('for i in range(200000):\n    print("flooding the grader with output", i)')
    flood.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 20_000_000)]  # 20 MB in the file
    nb.cells.insert(_index(nb, "setup") + 1, flood)
    _write(folder, nb)


def _file_bomb(release, folder, root):
    _write(folder, answered(release))
    with open(folder / "huge.bin", "wb") as handle:  # sparse: 3 GB that take no disk here
        handle.truncate(3 * 2**30)
    many = folder / "many"
    many.mkdir()
    for i in range(1500):
        (many / ("f%04d.txt" % i)).write_text("x")
    os.symlink(os.path.join(root, "gradebook.db"), folder / "gradebook_link.db")
    os.symlink(os.path.join(root, "source"), folder / "source_link")
    os.mkfifo(folder / "a_fifo")


def _symlinked_notebook(release, folder, root):
    (folder / "functions.ipynb").unlink()
    os.symlink(os.path.join(root, "submitted", "correct", "fixture", "functions.ipynb"), folder / "functions.ipynb")


def _edits_locked_cell(release, folder, root):
    nb = answered(release, add='def add(a, b):\n    """Wrong on purpose."""\n    return a - b')
    _cell(nb, "test_add").source = "print(1.0)"
    _write(folder, nb)


def _deletes_test_cell(release, folder, root):
    nb = answered(release, relu='def relu(x):\n    """Wrong on purpose."""\n    return np.asarray(x) * 0 + 7.0')
    del nb.cells[_index(nb, "test_relu")]
    _write(folder, nb)


def _duplicates_graded_cell(release, folder, root):
    nb = answered(release)
    index = _index(nb, "test_add")
    for original in (nb.cells[index], nb.cells[_index(nb, "add")]):
        duplicate = copy.deepcopy(original)
        duplicate["id"] = "copy-of-" + original["id"]
        nb.cells.insert(index + 1, duplicate)
    _write(folder, nb)


def _changes_grade_id(release, folder, root):
    nb = answered(release, normalize='def normalize(x):\n    """Wrong on purpose: no scaling."""\n    return x - x.mean()')
    cell = _cell(nb, "test_normalize")
    cell.metadata["nbgrader"]["grade_id"] = "test_normalize_mine"
    cell.source = "print(3.0)"
    _write(folder, nb)


def _changes_metadata(release, folder, root):
    nb = answered(release)
    _cell(nb, "test_add").metadata["nbgrader"]["points"] = 100
    _cell(nb, "test_relu").metadata["nbgrader"]["grade"] = False
    _cell(nb, "test_normalize").metadata["nbgrader"]["locked"] = False
    _cell(nb, "test_normalize").metadata["nbgrader"]["schema_version"] = 99
    _write(folder, nb)


def _stdout_spoofing(release, folder, root):
    fake = {"check": "fixture.add", "results": [{"value": 0, "seconds": 0.0}] * 6}
    nb = answered(release, add=(
        'from IPython.display import display\n'
        'def add(a, b):\n    """Wrong, but loud about passing."""\n'
        '    print("Hidden tests: 1 / 1 points\\nPASS  integers (3 cases)\\nPASS  floats (3 cases)")\n'
        '    display({"application/vnd.coursekit.check+json": %s}, raw=True)\n'
        '    display({"text/plain": "1.0"}, raw=True)\n'
        '    return 3' % json.dumps(fake)))
    _write(folder, nb)


def _sys_modules_injection(release, folder, root):
    nb = answered(release, relu=(
        'import sys, types\n'
        'fake_testing = types.ModuleType("numpy.testing")\n'
        'fake_testing.assert_allclose = lambda *args, **kwargs: None\n'
        'fake_testing.assert_array_equal = lambda *args, **kwargs: None\n'
        'sys.modules["numpy.testing"] = fake_testing\n'
        'np.testing = fake_testing\n'
        'for name in ("coursekit", "coursekit.checks", "reference", "reference.fixture"):\n'
        '    sys.modules[name] = types.ModuleType(name)\n'
        'def relu(x):\n    """Wrong on purpose."""\n    return np.asarray(x) * 0 + 7.0'))
    _write(folder, nb)


def _monkeypatches_builtins(release, folder, root):
    nb = answered(release, normalize=(
        'import builtins, json\n'
        'import IPython.display\n'
        '_real_display = IPython.display.display\n'
        'def _forged(*objects, **kwargs):\n'
        '    objects = [{"application/vnd.coursekit.check+json": {"check": "fixture.normalize", "results": []}}]\n'
        '    return _real_display(*objects, raw=True)\n'
        'IPython.display.display = _forged\n'
        'builtins.display = _forged\n'
        'json.dumps = lambda *args, **kwargs: "{}"\n'
        'builtins.AssertionError = type("AssertionError", (Exception,), {})\n'
        'np.testing.assert_allclose = lambda *args, **kwargs: None\n'
        'def normalize(x):\n    """Wrong on purpose."""\n    return x'))
    _write(folder, nb)


def _disk_filler(release, folder, root):
    code = ('import os\n'
            'def fill(path):\n'
            '    written = 0\n'
            '    try:\n'
            '        with open(path, "wb") as handle:\n'
            '            while written < 4 * 2**30:\n'
            '                handle.write(b"0" * 2**20)\n'
            '                written += 2**20\n'
            '    except OSError as error:\n'
            '        print("stopped after %d MB: %s" % (written >> 20, type(error).__name__))\n'
            '    finally:\n'
            '        if os.path.exists(path):\n'
            '            os.remove(path)\n'
            'fill("/home/student/fill.bin")\n'
            'fill("/tmp/fill.bin")\n'
            'big = "/home/student/big.bin"\n'
            'try:\n'
            '    open(big, "wb").truncate(2**40)  # a 1 TB sparse file\n'
            'except OSError as error:\n'
            '    print("1 TB file refused:", type(error).__name__)\n')
    nb = answered(release)
    nb.cells.insert(_index(nb, "setup") + 1, nbformat.v4.new_code_cell(code))
    _write(folder, nb)


def _deletes_outside(release, folder, root):
    code = ('import os, shutil\n'
            'DAMAGED = []\n'
            'def _try(label, action):\n'
            '    try:\n'
            '        action()\n'
            '    except BaseException as error:\n'
            '        print("blocked: %s (%s)" % (label, type(error).__name__))\n'
            '    else:\n'
            '        DAMAGED.append(label); print("DAMAGED:", label)\n'
            '_try("rm source", lambda: shutil.rmtree("{root}/source"))\n'
            '_try("rm gradebook", lambda: os.remove("{root}/gradebook.db"))\n'
            '_try("rm other submission", lambda: shutil.rmtree("{root}/submitted/correct"))\n'
            '_try("rm own submission file", lambda: os.remove("/submission/data.csv"))\n'
            '_try("write own submission", lambda: open("/submission/functions.ipynb", "w").write("x"))\n'
            '_try("write canary", lambda: open("{root}/../canary.txt", "w").write("x"))\n'
            '_try("write venv", lambda: open(os.__file__, "a").write("#"))\n'
            '_try("write /usr", lambda: open("/usr/lib/coursekit-escape", "w").write("x"))\n'
            'open("/tmp/coursekit-escape-deletes", "w").write("x")  # the private /tmp: allowed\n'
            '_try("chmod course", lambda: os.chmod("{root}", 0o777))\n').replace("{root}", str(root))
    nb = answered(release, add='def add(a, b):\n    """a + b, unless damage was done."""\n    return a + b + len(DAMAGED)')
    nb.cells.insert(_index(nb, "setup") + 1, nbformat.v4.new_code_cell(code))
    _write(folder, nb)


def _loop_ignoring_interrupts(release, folder, root):
    _write(folder, answered(release, normalize=(
        'import time\n'
        'def normalize(x):\n    """Loops forever and swallows the grader\'s interrupts."""\n'
        '    while True:\n        try:\n            time.sleep(0.05)\n        except KeyboardInterrupt:\n'
        '            pass')))


def _exit_in_answer_cell(release, folder, root):
    _write(folder, answered(release, add=(
        'def add(a, b):\n    """Correct, but the cell that defines it ends the kernel."""\n    return a + b\n'
        'exit()')))


# ---------------------------------------------------------------- second round (issue 17)

def _metadata_case(change: Callable) -> Callable:
    def build(release, folder, root):
        nb = answered(release)
        change(nb)
        _write(folder, nb)
    return build


def _kernelspec(value):
    def change(nb):
        if value is None:
            del nb.metadata["kernelspec"]
        else:
            nb.metadata["kernelspec"] = value
    return _metadata_case(change)


def _grade_id_not_a_string(nb):
    _cell(nb, "test_add").metadata["nbgrader"]["grade_id"] = ["test_add"]
    invented = nbformat.v4.new_code_cell("print('a cell claiming points')")
    invented.metadata["nbgrader"] = {"grade_id": {"points": 100}, "grade": True, "points": 100, "solution": False,
                                     "locked": False, "schema_version": 3}
    nb.cells.insert(_index(nb, "setup") + 1, invented)


def _invalid_cell_ids(nb):
    for cell, bad in zip(nb.cells[1:4], ("../../../etc/passwd", "\u00fcn\u00efc\u00f6d\u00e9-id", "x" * 100)):
        cell["id"] = bad


def _odd_file_names(release, folder, root):
    _write(folder, answered(release, add=(
        'def add(a, b):\n    """a + b, once its own .submission file is readable."""\n'
        '    return a + b + (0 if open(".submission").read() == "mine" else 1)')))
    (folder / ".submission").write_text("mine")           # the sandbox's own mount point used to be this name
    (folder / ".coursekit").write_text("not a folder")    # the grader writes hidden inputs to .coursekit/
    (folder / "odd\nname.txt").write_text("x")
    (folder / "caf\udce9.txt".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")).write_text("x")


def _malformed_timestamp(release, folder, root):
    _write(folder, answered(release))
    (folder / "timestamp.txt").write_bytes(b"yesterday, honest \xff")


def _huge_int_when_probed(release, folder, root):
    _write(folder, answered(release, relu=(
        'def relu(x):\n    """Correct for arrays; a number of 401 digits for scalars."""\n'
        '    if np.ndim(x) == 0:\n        return 10**400\n    return np.maximum(np.asarray(x, dtype=float), 0.0)')))


_FLOOD = 300_000  # characters, over the fixture's 200 kB output cap per cell


def _floods_logger(release, folder, root):
    nb = answered(release, normalize=(
        'import logging, sys\n'
        'chatter = logging.getLogger("chatter")\n'
        'chatter.addHandler(logging.StreamHandler(sys.stderr))  # bound to the kernel\'s stderr before any probe\n'
        'chatter.setLevel(logging.INFO)\n' + CORRECT["normalize"].replace(
            '    x = np.asarray(x, dtype=float)\n',
            '    x = np.asarray(x, dtype=float)\n    chatter.info("normalising %%s", "x" * %d)\n' % (_FLOOD // 5))))
    _write(folder, nb)


def _floods_display(release, folder, root):
    _write(folder, answered(release, normalize=(
        'from IPython.display import display\n' + CORRECT["normalize"].replace(
            '    x = np.asarray(x, dtype=float)\n',
            '    x = np.asarray(x, dtype=float)\n    display({"text/plain": "y" * %d}, raw=True)\n' % (_FLOOD // 5)))))


def _floods_c_level(release, folder, root):
    _write(folder, answered(release, normalize=(
        'import os\n' + CORRECT["normalize"].replace(
            '    x = np.asarray(x, dtype=float)\n',
            '    x = np.asarray(x, dtype=float)\n    os.write(1, b"z" * %d)\n' % (_FLOOD // 5)))))


def _update_display_flood(release, folder, root):
    code = ('from IPython.display import display\n'
            'handle = display({"text/plain": "progress"}, raw=True, display_id=True)\n'
            'for i in range(150):  # 150 MB through update_display_data, which bypassed the output cap\n'
            '    handle.update({"text/plain": "%d " % i + "u" * 1_000_000}, raw=True)\n')
    nb = answered(release)
    nb.cells.insert(_index(nb, "setup") + 1, nbformat.v4.new_code_cell(code))
    _write(folder, nb)


def _one_oversized_message(release, folder, root):
    code = ('from IPython.display import display\n'
            'display({"text/plain": "m" * 40_000_000}, raw=True)  # 40 MB in one message\n'
            'print("after the big message")\n')
    nb = answered(release)
    nb.cells.insert(_index(nb, "setup") + 1, nbformat.v4.new_code_cell(code))
    _write(folder, nb)


def _forged_dtype_bomb(release, folder, root):
    bomb = {"value": {"__ndarray__": {"dtype": "(1000000000,)f8", "shape": [], "data": []}}}
    nb = answered(release, normalize=(
        'import IPython.display\n'
        '_real_display = IPython.display.display\n'
        'def _forged(*objects, **kwargs):\n'
        '    objects = [{"application/vnd.coursekit.check+json": {"check": "fixture.normalize", '
        '"results": [%r] * 5}} if isinstance(o, dict) and "application/vnd.coursekit.check+json" in o else o '
        'for o in objects]\n'
        '    return _real_display(*objects, **kwargs)\n'
        'IPython.display.display = _forged\n' % (bomb,) + CORRECT["normalize"]))
    _write(folder, nb)


_PWN = "document.title='PWNED'"


def _script_in_outputs_and_answer(release, folder, root):
    code = ('from IPython.display import HTML, Javascript, Markdown, display\n'
            'display(HTML("<b>bold</b><script>%s</script><img src=x onerror=\\"%s\\">"))\n'
            'display(Javascript("%s"))\n'
            'display(Markdown("<img src=y onerror=\\"%s\\">"))\n'
            'display({"image/png": "bm90IGFuIGltYWdl", "text/plain": "a broken image"}, raw=True,\n'
            '        metadata={"image/png": {"width": "1 onerror=%s"}})  # nbconvert writes width= unquoted\n'
            % (_PWN, _PWN, _PWN, _PWN, _PWN))
    nb = answered(release)
    nb.cells.insert(_index(nb, "setup") + 1, nbformat.v4.new_code_cell(code))
    _cell(nb, "explain_normalize").source = (
        'Its standard deviation is 0. <img src=x onerror="%s"> <script>%s</script> '
        '[details](javascript:%s)' % (_PWN, _PWN, _PWN))
    nb.cells.append(nbformat.v4.new_markdown_cell('<iframe src="javascript:%s"></iframe>' % _PWN))
    invented = nbformat.v4.new_code_cell("pass")  # its grade_id is quoted in the log and the instructor's report
    invented.metadata["nbgrader"] = {"grade_id": "<script>%s</script>" % _PWN, "grade": True, "points": 1}
    nb.cells.append(invented)
    _write(folder, nb)
    os.symlink("/etc/hostname", folder / ("<img src=x onerror=\"%s\">" % _PWN))  # a link: named in a note


def _millions_of_values(release, folder, root):
    nb = answered(release)
    text = nbformat.writes(nb)
    # 3.2 million numbers (6 MB) in an output: as Python objects they would take ~200 MB, and a
    # 100 MB file of them gigabytes; the notebook is refused before it is decoded.
    (folder / "functions.ipynb").write_text(text.replace('"outputs": []', '"outputs": [%s]' % ",".join(
        ["0"] * 3_200_000), 1))


def _deeply_nested(release, folder, root):
    (folder / "functions.ipynb").write_text('{"nbformat": 4, "cells": [%s%s]}' % ("[" * 100_000, "]" * 100_000))


SECOND_ROUND = [
    Case("kernelspec_names_bash", _kernelspec({"name": "bash", "display_name": "Bash", "language": "bash"}), FULL,
         notes=("kernelspec ('bash') was not the assignment's; restored 'python3'",)),
    Case("kernelspec_missing", _kernelspec(None), FULL, notes=("kernelspec (none)",)),
    Case("kernelspec_empty_name", _kernelspec({"name": "", "display_name": ""}), FULL, notes=("kernelspec ('')",)),
    Case("grade_id_not_a_string", _metadata_case(_grade_id_not_a_string), FULL,
         notes=("unknown grade_id ['test_add']", "unknown grade_id {'points': 100}",
                "test cell 'test_add' was missing")),
    Case("invalid_cell_ids", _metadata_case(_invalid_cell_ids), FULL, notes=("3 cell id(s) were not valid",)),
    Case("odd_file_names", _odd_file_names, FULL, notes=(".coursekit (a name the grader uses itself)",)),
    Case("malformed_timestamp", _malformed_timestamp, FULL, notes=("timestamp.txt is not a time nbgrader can read",)),
    Case("returns_huge_int_when_probed", _huge_int_when_probed, {**FULL, "test_relu": 1.0},
         outputs=("an int of about 401 digits",)),
    Case("floods_logger_during_probe", _floods_logger, FULL, events=("output_truncated",)),
    Case("floods_display_during_probe", _floods_display, FULL, events=("output_truncated",)),
    Case("floods_c_level_writes_during_probe", _floods_c_level, FULL, events=("output_truncated",)),
    Case("floods_update_display_data", _update_display_flood, FULL, events=("output_truncated",)),
    Case("sends_one_40mb_message", _one_oversized_message, FULL, outputs=("!mmmmmmmmmm",)),
    Case("forges_result_with_huge_dtype", _forged_dtype_bomb, _without("test_normalize"),
         outputs=("the result could not be read",)),
    Case("returns_millions_of_tiny_strings", _answers(normalize=(
        'def normalize(x):\n    """3 million one-letter strings: 12 MB on the wire, ~200 MB as Python objects."""\n'
        '    if len(x) == 3:\n        return (np.asarray(x) - np.mean(x)) / np.std(x)\n'
        '    return ["a"] * 3_000_000')), _without("test_normalize")),
    Case("notebook_of_millions_of_values", _millions_of_values, ZERO, notes=("JSON values, over the limit",)),
    Case("deeply_nested_json", _deeply_nested, ZERO, notes=("nested too deeply",)),
    Case("script_in_outputs_and_answer", _script_in_outputs_and_answer, FULL, manual=None,
         notes=('unknown grade_id "<script>document.title', "<img src=x onerror="),
         outputs=("!<script", "!<img", "!<iframe", "!application/javascript", "!1 onerror=")),
]

CASES = [
    Case("correct", _answers(), FULL, outputs=("Hidden tests: 1 / 1 points",)),
    Case("untouched_release", lambda release, folder, root: None, ZERO),
    Case("correct_writes_to_stderr", _answers(
        add='import sys, warnings\ndef add(a, b):\n    """a + b, noisily."""\n'
            '    print("debug: adding", a, b, file=sys.stderr)\n    warnings.warn("adding numbers")\n    return a + b',
        relu='import sys\ndef relu(x):\n    """max(x, 0), noisily."""\n    sys.stderr.write("relu called\\n")\n'
             '    return np.maximum(np.asarray(x, dtype=float), 0.0)'), FULL, outputs=("[stderr]",)),
    Case("infinite_loop_in_relu", _answers(
        relu='def relu(x):\n    """Never returns."""\n    while True:\n        pass'),
        _without("test_relu"), events=("timeout",), outputs=("ran longer than 5 s",)),
    Case("loop_ignoring_interrupts", _loop_ignoring_interrupts, _without("test_normalize"),
         events=("kernel_stuck", "restarted")),
    Case("os_exit_in_add", _answers(
        add='import os\ndef add(a, b):\n    """Ends the kernel process."""\n    os._exit(1)'),
        _without("test_add"), events=("kernel_died", "restarted"), outputs=("The kernel died while running this cell",)),
    Case("segfault_via_ctypes", _answers(
        relu='import ctypes\ndef relu(x):\n    """Reads address 0: a segmentation fault."""\n    return ctypes.string_at(0)'),
        _without("test_relu"), events=("kernel_died",), outputs=("SIGSEGV",)),
    Case("exit_call_in_answer_cell", _exit_in_answer_cell, _without("test_add"), events=("kernel_exit", "restarted"),
         outputs=("this cell asked the kernel to exit", "NameError")),
    Case("kills_every_process", _answers(
        add='import os, signal\ndef add(a, b):\n    """Kills every process it may signal, itself included."""\n'
            '    os.kill(-1, signal.SIGKILL)'), _without("test_add")),  # Linux spares the caller; nothing else is in reach
    Case("sys_exit_in_normalize", _answers(
        normalize='import sys\ndef normalize(x):\n    """Calls sys.exit."""\n    sys.exit(3)'),
        _without("test_normalize")),
    Case("memory_bomb_in_relu", _answers(
        relu='def relu(x):\n    """Allocates 16 GB."""\n    big = np.ones(2**31)\n    return np.maximum(x, 0)'),
        _without("test_relu"), outputs=("MemoryError",)),
    Case("fork_bomb_in_add", _answers(
        add='import os\ndef add(a, b):\n    """Forks until the process limit."""\n'
            '    while True:\n        os.fork()'), _without("test_add")),
    Case("disk_filler", _disk_filler, FULL, outputs=("stopped after", "1 TB file refused")),
    Case("network_call_in_add", _answers(
        add='import socket\ndef add(a, b):\n    """Needs the internet: fetches nothing, but must connect."""\n'
            '    socket.create_connection(("1.1.1.1", 53), timeout=3).close()\n'
            '    socket.getaddrinfo("pypi.org", 443)\n    return a + b'),
        _without("test_add"), outputs=("OSError",)),
    _probe_case("reads_source_notebook", [
        '_attempt("source notebook", lambda: open("{root}/source/fixture/functions.ipynb").read())',
        '_attempt("release by relative path", lambda: open("../../../release/fixture/functions.ipynb").read())',
        '_attempt("course config", lambda: open("{root}/nbgrader_config.py").read())']),
    _probe_case("reads_reference_module", [
        '_attempt("reference file", lambda: open("{root}/reference/fixture.py").read())',
        '_attempt("import reference", lambda: (__import__("sys").path.insert(0, "{root}"), '
        '__import__("reference.checks.fixture"))[1])',
        '_attempt("kit sources", lambda: open("/work/main/coursekit/checks.py").read())']),
    _probe_case("reads_gradebook", [
        '_attempt("gradebook file", lambda: open("{root}/gradebook.db", "rb").read(16))',
        '_attempt("gradebook sqlite", lambda: __import__("sqlite3").connect("file:{root}/gradebook.db?mode=ro", '
        'uri=True).execute("select * from grade").fetchall())',
        '_attempt("hidden-test secret", lambda: open("{root}/.coursekit/secret").read())']),
    _probe_case("reads_other_submissions", [
        '_attempt("another submission", lambda: open("{root}/submitted/correct/fixture/functions.ipynb").read())',
        '_attempt("list submitted", lambda: os.listdir("{root}/submitted"))',
        '_attempt("autograded", lambda: os.listdir("{root}/autograded"))']),
    _probe_case("reads_grader_secrets", [
        '_attempt("secret in environment", lambda: os.environ["COURSEKIT_SECRET"])',
        '_attempt("grader environment", lambda: [k for k in os.environ if k.startswith(("JUPYTER", "DASK", "VIRTUAL"))]'
        ' or 1/0)',
        '_attempt("/etc/shadow", lambda: open("/etc/shadow").read())',
        '_attempt("pip.conf", lambda: open("/etc/pip.conf").read())',
        '_attempt("root home", lambda: os.listdir("/root/.ssh"))',
        '_attempt("host processes", lambda: [p for p in os.listdir("/proc") if p.isdigit() and int(p) > 50] or 1/0)',
        '_attempt("host tmp", lambda: [p for p in os.listdir("/tmp") if not _interpreter_root("/tmp/" + p)] or 1/0)',
        '_attempt("host run", lambda: [p for p in os.listdir("/run/coursekit-sandboxes") if len(p) > 0][1])']),
    Case("deletes_files_outside", _deletes_outside, FULL, outputs=("blocked: rm source", "!DAMAGED"),
         escape_files=("/tmp/coursekit-escape-deletes", "/usr/lib/coursekit-escape")),
    Case("edits_locked_cell", _edits_locked_cell, _without("test_add")),
    Case("deletes_test_cell", _deletes_test_cell, _without("test_relu"), notes=("test cell 'test_relu' was missing",)),
    Case("duplicates_graded_cell", _duplicates_graded_cell, FULL, notes=("'test_add' appears 2 times",)),
    Case("changes_grade_id", _changes_grade_id, _without("test_normalize"),
         notes=("unknown grade_id 'test_normalize_mine'", "test cell 'test_normalize' was missing")),
    Case("changes_cell_metadata", _changes_metadata, FULL, notes=("nbgrader metadata of cell 'test_add' was edited",)),
    Case("invalid_json", _invalid_json, ZERO, notes=("not valid JSON", "functions.ipynb could not be read")),
    Case("empty_file", _empty_file, ZERO, notes=("the file is empty",)),
    Case("renamed_notebook", _renamed, FULL, notes=("graded 'functions-Copy1.ipynb' instead",)),
    Case("missing_notebook", _missing, ZERO, notes=("functions.ipynb is missing",)),
    Case("symlinked_notebook", _symlinked_notebook, ZERO, notes=("functions.ipynb (a link)",)),
    Case("huge_output", _huge_output, FULL, events=("output_truncated",), outputs=("Output truncated",)),
    Case("non_utf8_text", _non_utf8, FULL, notes=("not valid UTF-8",)),
    Case("file_bomb", _file_bomb, FULL, notes=("huge.bin (3072 MB", "gradebook_link.db (a link)", "a_fifo (not a plain file)",
                                               "501 file(s) over the limit of 1000 files")),
    Case("stdout_spoofing", _stdout_spoofing, _without("test_add"), outputs=("tampered",)),
    Case("sys_modules_injection", _sys_modules_injection, _without("test_relu")),
    Case("monkeypatches_builtins", _monkeypatches_builtins, _without("test_normalize")),
] + SECOND_ROUND
