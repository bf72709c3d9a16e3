"""05_af_cnn end to end, with real nbgrader: release, validate, and ONE autograde run of a class.

Eleven submissions, one autograde run for the whole module; each test reads its results. Only
``passes_all`` trains the full network; the others lose capstone points for a reason that needs no
long training (one epoch, a crash, cheats that do not train at all, and three epochs for the partial
tier, which also leaks patients and writes to stderr: three things proven with one short training),
so the module costs about one full training plus eleven kernels. The processor-time limit of the
training cell is proven in process on the notebook's own setup cell
(``test_the_training_cell_limit_stops_a_runaway_training``) instead of burning 120 s of processor
time here.

Each submission is named after what it does and has the exact score it must get, per test cell.
Scores of unit-test cells that are partial are also recomputed here, in process, by running the
same hidden check with the same seed on the submitted notebook's own functions; the capstone's
scores are fixed: full points, or none.
"""

import copy
import os
import re
import time

import pytest

from coursekit.checks import derive_seed
from coursekit.registry import get_check
from coursekit.preprocessors import directives, public_part
from kit import ROOT, TEST_SECRET, Course, grade_id, read_notebook, validate_as_student

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("af_cnn_e2e")]

ASSIGNMENT = "05_af_cnn"
NOTEBOOK = "af_cnn.ipynb"
SOURCE = ROOT / "source" / ASSIGNMENT / NOTEBOOK
UNIT_CELLS = ("test_load_af_data", "test_standardize", "test_split_by_patient", "test_build_model",
              "test_predict_proba", "test_train_model")
CAPSTONE = "test_hidden_auc"

def _cell(nb, cell_id):
    return next(c for c in nb.cells if grade_id(c) == cell_id)


def _fault(nb, cell_id, *replacements):
    """A copy of ``nb`` whose cell ``cell_id`` has each (old, new) replacement (old must occur)."""
    nb = copy.deepcopy(nb)
    cell = _cell(nb, cell_id)
    for old, new in replacements:
        assert old in cell.source, "%r not in cell %s" % (old, cell_id)
        cell.source = cell.source.replace(old, new)
    return nb


def _replace(nb, cell_id, source):
    nb = copy.deepcopy(nb)
    _cell(nb, cell_id).source = source.strip("\n")
    return nb


def _few_epochs(nb, epochs=1):
    """The student chose a short final training (their capstone is lost for another reason anyway)."""
    return _fault(nb, "train_final_model", ("epochs=16,", "epochs=%d," % epochs))


#: A cheater does not bother to train (the predictions below do the work): the network keeps its
#: initial weights, and the history is made up.
UNTRAINED_FINAL = '''
def train_final_model(X_train, y_train, X_val, y_val, seed=0):
    """No training: the predictions below do the work."""
    torch.manual_seed(seed)
    return build_model(X_train.shape[-1]), {"loss": [0.69], "val_auc": [0.5]}
'''

CHEAT_LOOK_FOR_LABELS = '''
def predict_proba(model, X, batch_size=256):
    """Honest on small inputs; on the grader's hidden windows, look for their labels anywhere."""
    import glob, json, sys
    X = np.asarray(X)
    if len(X) >= 1000:
        looked, labels = [], None
        places = [os.getcwd(), os.path.expanduser("~"), "/tmp", "/work", "/srv", "/home", "/root", "/opt",
                  "/mnt", ".."] + [p for p in sys.path if p and "site-packages" not in p]
        for place in places:
            for path in (glob.glob(os.path.join(place, "**", "*.np[yz]"), recursive=True)
                         + glob.glob(os.path.join(place, "**", "*.json"), recursive=True))[:500]:
                looked.append(path)
                try:
                    data = np.load(path, allow_pickle=False) if not path.endswith(".json") else None
                except Exception:
                    continue
                if hasattr(data, "files") and "y" in data.files and len(data["y"]) == len(X):
                    labels = data["y"]
        for module in ("reference.af_cnn.grading", "coursekit.ecg.build"):
            try:
                __import__(module)
                looked.append("imported " + module)
            except ImportError as error:
                looked.append("cannot import %s (%s)" % (module, error))
        print("cheat: looked at %d places, labels found: %s" % (len(looked), labels is not None))
        print("cheat: " + "; ".join(looked[-4:]))
        if labels is not None:
            return labels.astype(float)
        return np.full(len(X), 0.5)
    X = standardize(X).reshape(len(X), 1, X.shape[-1])
    model.eval()
    with torch.no_grad():
        out = [torch.sigmoid(model(torch.from_numpy(X[i:i + batch_size]))).double() for i in range(0, len(X), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros(0)
'''

CHEAT_HARDCODE = '''
def predict_proba(model, X, batch_size=256):
    """Honest on small inputs; on the hidden windows, a pattern that 'usually' works."""
    X = np.asarray(X)
    if len(X) >= 1000:
        return np.resize([0.9, 0.1, 0.8, 0.2, 0.7], len(X))
    X = standardize(X).reshape(len(X), 1, X.shape[-1])
    model.eval()
    with torch.no_grad():
        out = [torch.sigmoid(model(torch.from_numpy(X[i:i + batch_size]))).double() for i in range(0, len(X), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros(0)
'''

CHEAT_GLOBAL_STATE = '''
def predict_proba(model, X, batch_size=256):
    """Remembers the last honest predictions and replays them on the hidden windows."""
    global LAST_PROBABILITIES
    X = np.asarray(X)
    if len(X) >= 1000 and "LAST_PROBABILITIES" in globals():
        return np.resize(LAST_PROBABILITIES, len(X))
    Z = standardize(X).reshape(len(X), 1, X.shape[-1])
    model.eval()
    with torch.no_grad():
        out = [torch.sigmoid(model(torch.from_numpy(Z[i:i + batch_size]))).double() for i in range(0, len(Z), batch_size)]
    LAST_PROBABILITIES = torch.cat(out).numpy() if out else np.zeros(0)
    return LAST_PROBABILITIES
'''

CHEAT_PATCH_SKLEARN = '''
import sklearn.metrics
import sklearn.metrics._ranking
# whoever computes an AUC in this kernel from now on gets 0.999
sklearn.metrics.roc_auc_score = sklearn.metrics._ranking.roc_auc_score = lambda *args, **kwargs: 0.999


def train_final_model(X_train, y_train, X_val, y_val, seed=0):
    """Barely trained: the patched metric will say it is excellent."""
    torch.manual_seed(seed)
    net = build_model(X_train.shape[-1])
    return net, train_model(net, X_train, y_train, X_val, y_val, epochs=1, lr=1e-5, seed=seed)
'''

LINEAR_MODEL = '''
def build_model(input_length):
    """A linear model on the raw samples: one weight per sample, no convolution."""
    return nn.Sequential(nn.Flatten(), nn.Linear(input_length, 1), nn.Flatten(0))
'''

WINDOW_SPLIT = '''
from sklearn.model_selection import train_test_split


def split_by_patient(X, y, patient_id, test_size=0.2, val_size=0.2, seed=0):
    """Stratified split of the windows (the patients are forgotten)."""
    index = np.arange(len(y))
    rest, test = train_test_split(index, test_size=test_size, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=val_size / (1 - test_size), stratify=y[rest], random_state=seed)
    return {"train": np.sort(train), "val": np.sort(val), "test": np.sort(test)}
'''

#: The partial capstone tier, cheaply: three epochs (of the reference's sixteen) give a network that
#: has learnt much, but not enough (about 0.95 on the real hidden split, between the floor and the
#: full-credit threshold); its exact score is recomputed in process by training the same way.
SHORT_TRAINING = '''
def train_final_model(X_train, y_train, X_val, y_val, seed=0):
    """Three quick epochs: I will train longer later."""
    torch.manual_seed(seed)
    net = build_model(X_train.shape[-1])
    history = train_model(net, X_train, y_train, X_val, y_val, epochs=3, seed=seed)
    return net, history
'''


def _students(source, release):
    full = dict.fromkeys(UNIT_CELLS, "full")
    return {
        # name: (notebook, {cell: "full" | 0 | "partial"}, capstone points, text the capstone output must show)
        "passes_all": (source, full, "full", "hidden ROC AUC"),
        "untouched_stub": (release, dict.fromkeys(UNIT_CELLS, 0), 0, "model is None"),
        "underfit_linear_model": (_replace(source, "build_model", LINEAR_MODEL), full, 0, "below the floor"),
        "forgets_eval_mode": (
            _few_epochs(_fault(source, "predict_proba", ("    model.eval()\n", ""))),
            dict(full, test_predict_proba=0, test_train_model="partial"), 0, "call model.eval()"),
        "returns_logits_not_probabilities": (
            _few_epochs(_fault(source, "predict_proba", ("torch.sigmoid(model(batch))", "model(batch)"))),
            dict(full, test_predict_proba=0), 0, "should give 5 probabilities in [0, 1]"),
        # One short training proves three things: a window-level split (patients leak) costs the
        # split's points only; tqdm on stderr (its default) plus a warning cost nothing (the grader
        # ignores stderr); and a correct notebook whose final training is too small gets a hidden AUC
        # in the linear band, so part of the capstone (recomputed here by training the same way).
        "leaks_patients_trains_three_epochs_writes_to_stderr": (
            _fault(_replace(_replace(source, "split_by_patient", WINDOW_SPLIT), "train_final_model", SHORT_TRAINING),
                   "train_model",
                   (', file=sys.stdout)', ')'),
                   ("    torch.manual_seed(seed)\n",
                    "    import warnings\n    warnings.warn('training on the CPU: this may take a while')\n"
                    "    torch.manual_seed(seed)\n")),
            dict(full, test_split_by_patient=0), "partial", "% of the points"),
        "crashes_mid_training": (
            _fault(source, "train_model",
                   ("        if time.process_time() - started_cpu > time_budget_s:\n",
                    "        seconds_per_epoch = (time.process_time() - started_cpu) / (epoch - 2)  # meant epoch + 1\n"
                    "        if time.process_time() - started_cpu + seconds_per_epoch > time_budget_s:\n")),
            dict(full, test_train_model="partial"), 0, "did not finish"),
        "reads_hidden_file_labels": (
            _replace(_replace(source, "train_final_model", UNTRAINED_FINAL), "predict_proba", CHEAT_LOOK_FOR_LABELS),
            full, 0, "no points"),
        "hardcodes_predictions": (
            _replace(_replace(source, "train_final_model", UNTRAINED_FINAL), "predict_proba", CHEAT_HARDCODE),
            full, 0, "no points"),
        "patches_sklearn_metrics": (_replace(source, "train_final_model", CHEAT_PATCH_SKLEARN), full, 0, "no points"),
        "predicts_from_global_state": (
            _replace(_replace(source, "train_final_model", UNTRAINED_FINAL), "predict_proba", CHEAT_GLOBAL_STATE),
            full, 0, "no points"),
    }


def _points(nb):
    return {grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def _namespace(nb, folder):
    """The setup and answer cells of ``nb`` executed here: the functions the kernel had."""
    namespace, here = {}, os.getcwd()
    os.chdir(folder)
    try:
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and (meta.get("grade_id") == "setup" or
                                             (meta.get("solution") and not meta.get("grade"))):
                exec(compile(cell.source, meta["grade_id"], "exec"), namespace)
    finally:
        os.chdir(here)
    return namespace


def _expected_unit_score(nb, student, cell_id, points, folder):
    """What a unit-test cell must score: 0 if its public asserts fail, else points x the hidden fraction."""
    namespace = _namespace(nb, folder)
    cell = _cell(read_notebook(SOURCE), cell_id)
    here = os.getcwd()
    os.chdir(folder)
    try:
        try:
            exec(compile(public_part(cell.source), cell_id, "exec"), namespace)
        except Exception:
            return 0.0
        (check_id,) = directives(cell.source)
        seed = derive_seed(TEST_SECRET, ASSIGNMENT, NOTEBOOK.rsplit(".", 1)[0], student, check_id)
        return points * get_check(check_id).run_locally(namespace, seed).fraction
    finally:
        os.chdir(here)


def _expected_capstone_score(nb, points, folder):
    """Train ``nb``'s final model here, as its locked cells do, and score it like the grader."""
    from sklearn.metrics import roc_auc_score

    from reference.af_cnn import grading as af_grading

    namespace = _namespace(nb, folder)
    here = os.getcwd()
    os.chdir(folder)
    try:
        for cell_id in ("load_the_data", "make_the_split"):
            exec(compile(_cell(nb, cell_id).source, cell_id, "exec"), namespace)
        model, _ = namespace["train_final_model"](namespace["X_train"], namespace["y_train"], namespace["X_val"],
                                                  namespace["y_val"])
    finally:
        os.chdir(here)
    X_hidden, y_hidden = af_grading.load_hidden()
    auc = roc_auc_score(y_hidden, namespace["predict_proba"](model, X_hidden))
    return points * af_grading.auc_credit(auc, af_grading.reference_auc())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("af_course")
    # The course's own nbgrader_config.py, as a grader has it: 120 s per cell, 420 s for the
    # training cell (whose 90 s processor-time budget is what really bounds a correct training).
    course = Course(root, [ASSIGNMENT])
    release = course.release(ASSIGNMENT)
    source_nb = read_notebook(root / "source" / ASSIGNMENT / NOTEBOOK)
    release_nb = read_notebook(release / NOTEBOOK)
    students = _students(source_nb, release_nb)
    for name, (nb, _, _, _) in students.items():
        course.submit(name, ASSIGNMENT, {NOTEBOOK: nb})
    started = time.perf_counter()
    result = course.autograde(ASSIGNMENT)
    seconds = time.perf_counter() - started
    print("\nautograde of %d submissions: %.0f s (load average %.1f)" % (len(students), seconds, os.getloadavg()[0]))
    return {"course": course, "students": students, "release": release, "points": _points(source_nb),
            "seconds": seconds, "log": result.stdout + result.stderr}


def test_release_has_no_solutions_hidden_tests_mark_schemes_or_grader_files(graded):
    release = graded["release"]
    text = (release / NOTEBOOK).read_text()
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "coursekit-check", "MARK SCHEME", "import reference",
                   "from reference", "af_hidden", "AFNet(", "roc_auc_score(y_val, predict_proba"):
        assert marker not in text, marker
    assert sorted(p.name for p in release.rglob("*") if p.is_file()) == ["af_cnn.ipynb", "af_train.npz"]
    source_text = SOURCE.read_text()
    assert "### BEGIN MARK SCHEME" in source_text  # graders see it in the source (and the gradebook)


def test_graders_see_the_mark_schemes_and_the_reference_notebook_runs_without_errors(graded):
    course = graded["course"]
    for student in ("passes_all", "untouched_stub"):
        text = (course.root / "autograded" / student / ASSIGNMENT / NOTEBOOK).read_text()
        assert text.count("### BEGIN MARK SCHEME") == 2, student  # locked cells come back from the gradebook
    graded_nb = course.autograded_notebook(ASSIGNMENT, "passes_all", NOTEBOOK)
    errors = [(grade_id(c), o.get("ename")) for c in graded_nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    figures = [grade_id(c) for c in graded_nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert figures == ["show_examples", "plot_the_history", "show_the_evaluation"], figures  # for manual grading


def _solved_notebook():
    """The released notebook with the source's solutions pasted into the answer cells (what a
    correct student hands in)."""
    from student_path import student_answers

    nb, answers = read_notebook(ROOT / "release" / ASSIGNMENT / NOTEBOOK), student_answers(ASSIGNMENT, NOTEBOOK)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers[grade_id(cell)]
    return nb


BROKEN_FINAL = '''
def train_final_model(X_train, y_train, X_val, y_val, seed=0):
    """Forgot to return the history."""
    torch.manual_seed(seed)
    net = build_model(X_train.shape[-1])
    train_model(net, X_train, y_train, X_val, y_val, epochs=2, seed=seed, time_budget_s=TRAINING_BUDGET_S)
    return net
'''


def test_validate_passes_with_nbgraders_defaults_on_a_slice(tmp_path):
    """A student's `nbgrader validate`, run from the folder above the assignment (the exchange's
    layout) with a fresh HOME: no nbgrader_config.py is read, so nbgrader stops any cell after its
    default 30 s. A correct capstone passes, because under Validate (NBGRADER_EXECUTION=validate) the
    training cell trains on a stratified slice; a train_final_model that returns no history fails
    the hidden-AUC cell's public assert, whose message explains Validate's slice; the untouched stub
    fails every test cell (--invert passes). About 15 s each."""

    def validate(who, notebook, *flags):
        result = validate_as_student(tmp_path / who, ROOT / "release" / ASSIGNMENT, notebook, *flags)
        return result.stdout + result.stderr

    solved = _solved_notebook()
    output = validate("solved", solved)
    assert "Success! Your notebook passes all the tests." in output, output[-3000:]
    output = validate("untouched", read_notebook(ROOT / "release" / ASSIGNMENT / NOTEBOOK), "--invert")
    assert "Success! The notebook does not pass any tests." in output, output[-3000:]
    output = validate("broken", _replace(solved, "train_final_model", BROKEN_FINAL))
    assert "VALIDATION FAILED ON 1 CELL(S)" in output, output[-3000:]
    assert "Hidden test (10 points)" in output and "Validate trains your train_final_model on a small slice" in output, \
        output[-3000:]


def test_validate_mode_is_only_validate(graded):
    """The slice is Validate's alone: the source states it, and autograding (NBGRADER_EXECUTION=autograde,
    as coursekit grade also sets it through nbgrader's Autograde converter) trained on everything."""
    setup = _cell(read_notebook(SOURCE), "setup").source
    assert 'VALIDATING = os.environ.get("NBGRADER_EXECUTION") == "validate"' in setup
    graded_nb = graded["course"].autograded_notebook(ASSIGNMENT, "passes_all", NOTEBOOK)
    training = _text(_cell(graded_nb, "train_the_final_model"))
    assert "VALIDATE RUN" not in training and "(budget 90 s)" in training, training
    assert "VALIDATE RUN" not in _text(_cell(graded_nb, "show_the_evaluation"))


@pytest.mark.parametrize("student", ["passes_all", "untouched_stub", "underfit_linear_model", "forgets_eval_mode",
                                     "returns_logits_not_probabilities",
                                     "leaks_patients_trains_three_epochs_writes_to_stderr",
                                     "crashes_mid_training", "reads_hidden_file_labels",
                                     "hardcodes_predictions", "patches_sklearn_metrics", "predicts_from_global_state"])
def test_each_submission_gets_its_exact_score(graded, student, tmp_path):
    course, points = graded["course"], graded["points"]
    nb, units, capstone, words = graded["students"][student]
    scores = course.scores(ASSIGNMENT, student)
    folder = course.root / "submitted" / student / ASSIGNMENT
    for cell_id in UNIT_CELLS:
        want = units[cell_id]
        if want == "full":
            want = points[cell_id]
        elif want == "partial":
            want = _expected_unit_score(nb, student, cell_id, points[cell_id], folder)
            assert 0 < want < points[cell_id], "%s %s: expected a partial score, computed %s" % (student, cell_id, want)
        assert scores[cell_id] == pytest.approx(want, abs=1e-6), "%s: %s scored %s, expected %s" % (
            student, cell_id, scores[cell_id], want)
    if capstone == "partial":
        want = _expected_capstone_score(nb, points[CAPSTONE], folder)
        assert 0 < want < points[CAPSTONE], "%s: expected a partial capstone score, computed %s" % (student, want)
    else:
        want = points[CAPSTONE] if capstone == "full" else capstone
    graded_nb = course.autograded_notebook(ASSIGNMENT, student, NOTEBOOK)
    output = _text(_cell(graded_nb, CAPSTONE))
    assert scores[CAPSTONE] == pytest.approx(want, abs=0.01), "%s: capstone %s, expected %s\n%s" % (
        student, scores[CAPSTONE], want, output[-2000:])
    assert words in output, "%s: %r not in the capstone feedback:\n%s" % (student, words, output[-2000:])


def _text(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
        parts.append(output.get("evalue", ""))
        parts.extend(output.get("traceback", []))
    return "\n".join(parts)


def test_capstone_feedback_states_the_auc_and_the_thresholds(graded):
    output = _text(_cell(graded["course"].autograded_notebook(ASSIGNMENT, "passes_all", NOTEBOOK), CAPSTONE))
    assert re.search(r"hidden ROC AUC 0\.9\d{3} on \d+ windows: full points", output), output
    from reference.af_cnn import grading as af_grading

    assert "full points at AUC >= 0.9" in output and "none below %.2f" % af_grading.FLOOR_AUC in output, output
    assert "coursekit_hidden_check" not in output  # the generated code is replaced by a note


def test_the_training_cell_limit_stops_a_runaway_training(tmp_path):
    """The notebook's own processor_time_limit (setup cell) stops a busy loop with TrainingTimeLimit,
    which `except Exception` cannot swallow; the training cell leaves model = None then.
    (In process with a 0.3 s limit: the graded cell uses TRAINING_LIMIT_S, the same code.)"""
    import torch

    nb = read_notebook(SOURCE)
    namespace, threads = {}, torch.get_num_threads()
    try:
        exec(compile(_cell(nb, "setup").source, "setup", "exec"), namespace)  # sets torch's threads to 1
    finally:
        torch.set_num_threads(threads)
    training_cell = _cell(nb, "train_the_final_model").source
    assert "processor_time_limit(TRAINING_LIMIT_S)" in training_cell and training_cell.index("model = None") < \
        training_cell.index("processor_time_limit")

    def runaway(*args):
        total = 0
        while True:
            try:
                total += sum(range(1000))
            except Exception:  # a student's catch-all does not stop the limit
                pass

    namespace.update(train_final_model=runaway, X_train=None, y_train=None, X_val=None, y_val=None,
                     TRAINING_LIMIT_S=0.3)
    started = time.process_time()
    with pytest.raises(namespace["TrainingTimeLimit"], match="more than 0 s of processor time"):
        exec(compile(training_cell, "train_the_final_model", "exec"), namespace)
    assert namespace["model"] is None
    assert time.process_time() - started < 5


def test_no_cheater_found_labels_or_grader_files(graded):
    graded_nb = graded["course"].autograded_notebook(ASSIGNMENT, "reads_hidden_file_labels", NOTEBOOK)
    output = _text(_cell(graded_nb, CAPSTONE))
    assert "labels found: False" in output and "cannot import reference.af_cnn.grading" in output, output[-3000:]
    submitted = graded["course"].root / "autograded" / "reads_hidden_file_labels" / ASSIGNMENT
    assert not any(p.name.startswith("af_hidden") for p in submitted.rglob("*")), "hidden signals left behind"


def test_progress_bars_and_warnings_on_stderr_cost_nothing(graded):
    student = "leaks_patients_trains_three_epochs_writes_to_stderr"
    graded_nb = graded["course"].autograded_notebook(ASSIGNMENT, student, NOTEBOOK)
    text = _text(_cell(graded_nb, "test_train_model"))
    assert "[stderr]" in text and "UserWarning: training on the CPU" in text, text[-2000:]
    # every unit-test cell but the deliberately leaky split keeps its points: stderr cost nothing
    # (the capstone's partial score is recomputed in test_each_submission_gets_its_exact_score)
    cells = [c for c in UNIT_CELLS if c != "test_split_by_patient"]
    scores = graded["course"].scores(ASSIGNMENT, student)
    assert sum(scores[c] for c in cells) == sum(graded["points"][c] for c in cells), scores
    assert scores[CAPSTONE] > 0, scores


def test_the_reference_notebook_reproduces_the_stored_spread(graded):
    """passes_all is the reference trained by the notebook with seed 0, as the 20-seed measurement
    trained it: its hidden AUC lies within the stored seed-to-seed spread (min - 2 std to max + 2 std).
    Another CPU's rounding acts like one more training seed, so this holds on any x86-64 CPU (an
    exact comparison with the stored seed-0 run did not: 0.9778 against 0.9737 on an AVX-512 CPU).
    Its training stayed within the processor-time budget."""
    import json

    import numpy as np

    from reference.af_cnn import grading as af_grading

    graded_nb = graded["course"].autograded_notebook(ASSIGNMENT, "passes_all", NOTEBOOK)
    auc = float(re.search(r"hidden ROC AUC (\d\.\d+)", _text(_cell(graded_nb, CAPSTONE))).group(1))
    aucs = np.array([run["hidden_auc"] for run in json.loads(af_grading.REFERENCE_PATH.read_text())["runs"]])
    low, high = aucs.min() - 2 * aucs.std(), aucs.max() + 2 * aucs.std()
    assert low <= auc <= high, "hidden AUC %.4f outside the stored spread %.4f-%.4f" % (auc, low, high)
    training = _text(_cell(graded_nb, "train_the_final_model"))
    seconds = float(re.search(r"in (\d+) s of processor time \(budget (\d+) s\)", training).group(1))
    print("\npasses_all: hidden AUC %.4f, training %.0f s of processor time" % (auc, seconds))
    assert seconds <= 90
