"""The midterm: per-student variants, the exam notebook, personalised copies, and its checks.

An :class:`Exam` lists question *slots* (``q01``, ``q02``, ...), each naming a question of
the bank and its points. The variant a student gets for a slot is a pure function of the
exam's salt, the slot and the student id (:meth:`Exam.variant`), so

- ``coursekit midterm build`` writes each student a personalised copy of the released
  notebook whose question cells show that student's numbers, and
- at autograde, the slot's check (``reference/midterm/checks.py``, ``uses_context=True``)
  regenerates the same variant from nbgrader's student id and scores the student's
  ``answer_qNN`` against it in the grader's process. The kernel only hands the answer back
  (:data:`ANSWER_PROBE`); expected answers never enter it, and editing the numbers printed
  in one's own notebook changes nothing.

Why personalised copies work with nbgrader's gradebook: nbgrader records and later restores
(OverwriteCells) the source of grade cells and locked cells by their ``grade_id``, and
compares checksums for those only. The per-student question cells are plain markdown
cells without nbgrader metadata, so they may differ per student; answer cells are solution
cells (their content is the student's); the graded test cells are byte-for-byte those of
the release.
"""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from coursekit.checks import Case, Check, Group, derive_seed

from .bank import QUESTIONS, Variant, grade
from .topics import load_all

#: Student ids become folder names: keep them to what nbgrader and file systems accept.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")

#: The kernel side of every midterm check: hand the student's answer back, nothing else.
ANSWER_PROBE = '''
def probe(ns, name):
    if name not in ns:
        raise NameError("%s is not defined: run the answer cell of this question" % name)
    value = ns[name]
    if isinstance(value, (set, frozenset)):
        # The wire carries lists, not sets: mark it so that the grader still sees a set.
        value = {"__set__": sorted(value, key=repr)}
    return value
'''

#: Short format hints for the answer cells of personalised notebooks, by answer kind.
FORMAT_HINTS = {
    "number": "a number, e.g. 0.25 or 1/3",
    "integer": "a whole number, e.g. 12",
    "single choice": "one letter in quotes, e.g. 'B'",
    "multiple choice": "a set of letters, e.g. {'A', 'C'}",
    "numbers": "a tuple, e.g. (2, 3, 4)",
    "order": "the letters in order as a string, e.g. 'DCBA'",
    "code": "the call as a string, e.g. \"nn.Conv1d(...)\"",
}

HEADER = """# Midterm: deep learning for biomedical data

{who}

**How to answer.** Each question is followed by an answer cell: set `answer_qNN` to your answer.
Numbers as numbers (`0.25`, `1/3`, `2**-10`), one choice as a letter in quotes (`'B'`), several
choices as a set (`{{'A', 'C'}}`), shapes and vectors as tuples (`(32, 12, 5000)`), layer calls as a
string (`"nn.Conv1d(12, 32, kernel_size=5)"`). You may compute in the answer cell or in cells of
your own; only the final value of `answer_qNN` counts. Each question states its tolerance; a
multiple-choice question gives a share of its points for every option you decide right.

**How it is graded.** *Validate* only checks that every question has an answer. After you submit,
the grader regenerates your questions from your student id and scores your answers: changing the
numbers printed in a question changes nothing. Before submitting: *Kernel > Restart & Run All*,
then *Validate*."""

PREVIEW_WHO = ("**Preview copy** (the variants of student `{student}`). Each student receives a personal copy "
               "with their own numbers: if your copy says *preview*, ask for yours before answering.")
PERSONAL_WHO = "**Personal copy of `{student}`.** Your numbers differ from your neighbours'."


@dataclass(frozen=True)
class Slot:
    """One question of the exam: the bank question it draws from and its points."""

    key: str
    question: str
    points: float

    @property
    def number(self) -> int:
        return int(self.key.lstrip("q"))


@dataclass
class AnswerCase(Case):
    """A case of a midterm check: which variant and which part of the answer it scores.

    Only ``args`` (the answer's variable name) reach the kernel; the variant stays here.
    """

    variant: Any = None
    part: str = "answer"


@dataclass(frozen=True)
class Exam:
    """The midterm's definition (``reference/midterm/checks.py`` holds the course's; this module
    never imports it: ``coursekit.registry.midterm_exam`` does)."""

    assignment: str
    notebook: str
    #: Mixed into every variant's seed. Change it for each new exam so that variants differ
    #: from earlier years', and keep ``reference/`` away from students.
    salt: str
    slots: tuple[Slot, ...]
    #: Whose variants the source notebook shows (its solutions are that student's answers).
    preview_student: str = "preview"

    def __post_init__(self):
        load_all()
        keys = [s.key for s in self.slots]
        if len(set(keys)) != len(keys) or not all(re.fullmatch(r"q\d\d", k) for k in keys):
            raise ValueError("slot keys must be unique and look like q01, q02, ...: %s" % keys)
        unknown = [s.question for s in self.slots if s.question not in QUESTIONS]
        if unknown:
            raise ValueError("unknown questions in the exam: %s" % unknown)

    def slot(self, key: str) -> Slot:
        return next(s for s in self.slots if s.key == key)

    @staticmethod
    def answer_name(slot: Slot) -> str:
        return "answer_%s" % slot.key

    def seed(self, slot: Slot, student: str) -> int:
        return derive_seed(self.salt, self.assignment, slot.key, slot.question, str(student))

    def variant(self, slot: Slot, student: str) -> Variant:
        """The variant of ``slot`` that ``student`` gets, the same at build and at grading."""
        return QUESTIONS[slot.question].generate(self.seed(slot, student))

    @property
    def total_points(self) -> float:
        return sum(s.points for s in self.slots)

    # ----------------------------------------------------------------- checks

    def checks(self) -> list[Check]:
        """One hidden check per slot, ``midterm.qNN``."""
        return [Check("%s.%s" % (self.assignment, slot.key), self.answer_name(slot), _no_reference,
                      _GroupMaker(self, slot), probe=ANSWER_PROBE, judge=judge, uses_context=True,
                      description="question %d: %s" % (slot.number, slot.question)) for slot in self.slots]


def _no_reference(name):
    """Midterm checks judge with the bank (see :func:`judge`); there is no reference call."""
    return None


class _GroupMaker:
    """``make_groups(rng, context)`` of a slot: one case group per scored part of the variant."""

    def __init__(self, exam: Exam, slot: Slot):
        self.exam, self.slot = exam, slot

    def __call__(self, rng, context: dict) -> list[Group]:
        student = (context or {}).get("student")
        if not student:
            raise ValueError("a midterm check needs the student id to regenerate the student's variant")
        variant = self.exam.variant(self.slot, student)
        name = self.exam.answer_name(self.slot)
        parts = variant.answer.parts()
        groups = []
        for part, weight in parts:
            label = name if len(parts) == 1 else "%s, %s" % (name, part)
            group_name = "your answer" if len(parts) == 1 else part
            groups.append(Group(group_name, [AnswerCase((name,), label=label, variant=variant, part=part)], weight))
        return groups


def judge(case: AnswerCase, expected, got) -> str | None:
    """Score one part of the student's answer with the bank; ``None`` when that part is right."""
    if got.raised:
        return "your answer could not be read (%s)." % got.describe()
    result = grade(case.variant, got.value)
    part = result.part(case.part)
    if part.ok:
        return None
    if result.diagnosis in ("malformed", "no answer") and case.part != result.parts[0].name:
        return "see %s above: the answer could not be read." % result.parts[0].name
    message = part.message or result.message
    if result.diagnosis not in ("correct", "wrong", "malformed", "no answer") and result.message not in message:
        message = "%s %s" % (message, result.message)
    if len(result.parts) == 1 and result.diagnosis not in ("malformed", "no answer"):
        message = "%s The answer was %s. %s" % (message, case.variant.answer.show(), case.variant.explanation)
    return message


# --------------------------------------------------------------------------- notebooks

def _literal(value: Any) -> str:
    """Python source for an answer, deterministic (sets sorted)."""
    if isinstance(value, (set, frozenset)):
        return "{%s}" % ", ".join(_literal(v) for v in sorted(value))
    if isinstance(value, tuple):
        return "(%s)" % (_literal(value[0]) + "," if len(value) == 1 else ", ".join(_literal(v) for v in value))
    return repr(value)


def _meta(slot: str, role: str) -> dict:
    # Plain markdown cells, not nbgrader cells: they may differ per student (see the module doc).
    return {"coursekit": {"midterm": {"slot": slot, "role": role}}, "editable": False, "deletable": False}


def _question_markdown(exam: Exam, slot: Slot, variant: Variant) -> str:
    heading = "## Question %d (%s point%s) · %s" % (slot.number, _fmt_points(slot.points),
                                                    "" if slot.points == 1 else "s", variant.question.title)
    return variant.markdown(heading)


def _fmt_points(points: float) -> str:
    return str(int(points)) if points == int(points) else str(points)


def _answer_comment(slot: Slot) -> str:
    return "# Your answer to question %d (see the question for the format):" % slot.number


def template(exam: Exam) -> nbformat.NotebookNode:
    """The source notebook: the preview student's variants, their answers as solutions."""
    from coursekit import authoring

    cells = [authoring.md(HEADER.format(who=PREVIEW_WHO.format(student=exam.preview_student)))]
    cells[0].metadata.update(_meta("", "header"))
    cells[0].id = "header"
    for slot in exam.slots:
        variant = exam.variant(slot, exam.preview_student)
        question = authoring.md(_question_markdown(exam, slot, variant))
        question.metadata.update(_meta(slot.key, "question"))
        question.id = "%s-question" % slot.key
        # "answer_qNN = None" stays in the release (coursekit.midterm.stubs removes nbgrader's raise
        # stub after it), so an unanswered question says "no answer yet", not NameError.
        answer = authoring.solution("%s\n%s = None\n### BEGIN SOLUTION\n%s = %s\n### END SOLUTION" % (
            _answer_comment(slot), exam.answer_name(slot), exam.answer_name(slot), _literal(variant.answer.key())),
            exam.answer_name(slot))
        answer.metadata["coursekit"] = {"midterm": {"slot": slot.key, "role": "answer"}}  # editable: the student's
        answer.id = "%s-answer" % slot.key
        name = exam.answer_name(slot)
        test = authoring.tests(
            '"""Question %d has an answer (the grader scores it after submission)."""\n'
            'assert %s is not None, "question %d has no answer yet: set %s in the cell above"\n'
            "### BEGIN HIDDEN TESTS\n# coursekit-check: %s.%s\n### END HIDDEN TESTS"
            % (slot.number, name, slot.number, name, exam.assignment, slot.key), "test_%s" % slot.key,
            points=slot.points)
        test.id = "%s-test" % slot.key
        cells += [question, answer, test]
    footer = authoring.md("That is all. *Kernel > Restart & Run All*, *Validate*, then submit.")
    footer.id = "footer"
    nb = authoring.notebook(cells)
    nb.metadata["coursekit"] = {"midterm": {"student": exam.preview_student}}
    return nb


def personalise(nb: nbformat.NotebookNode, exam: Exam, student: str) -> nbformat.NotebookNode:
    """A student's copy of the released notebook ``nb``: their question texts, empty answers."""
    if not STUDENT_ID.match(student):
        raise ValueError("unusable student id %r (letters, digits and _.@+- only)" % student)
    nb = copy.deepcopy(nb)
    seen = set()
    for cell in nb.cells:
        info = cell.get("metadata", {}).get("coursekit", {}).get("midterm", {})
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if info.get("role") == "header":
            cell.source = HEADER.format(who=PERSONAL_WHO.format(student=student))
        elif info.get("role") == "question":
            slot = exam.slot(info["slot"])
            cell.source = _question_markdown(exam, slot, exam.variant(slot, student))
            seen.add(slot.key)
        elif grade_id.startswith("answer_"):
            slot = exam.slot(grade_id[len("answer_"):])
            hint = FORMAT_HINTS[exam.variant(slot, student).answer.kind]
            cell.source = "# Your answer to question %d: %s\n%s = None" % (slot.number, hint, exam.answer_name(slot))
    missing = [s.key for s in exam.slots if s.key not in seen]
    if missing:
        raise ValueError("the notebook has no question cell for %s: regenerate it with `coursekit midterm sync`"
                         % missing)
    nb.metadata["coursekit"] = {"midterm": {"student": student}}
    return nb


def read_students(spec: str) -> list[str]:
    """Student ids from a file (one per line; the first comma-separated field; ``#`` comments and a
    header named ``id``/``student_id`` skipped) or from a comma-separated list."""
    path = Path(spec)
    if path.is_file():
        ids = []
        for line in path.read_text().splitlines():
            first = line.split("#", 1)[0].split(",", 1)[0].strip()
            if first and first.lower() not in ("id", "student_id", "student"):
                ids.append(first)
    else:
        ids = [s.strip() for s in spec.split(",") if s.strip()]
    bad = [s for s in ids if not STUDENT_ID.match(s)]
    if bad:
        raise ValueError("unusable student ids: %s" % bad)
    if len(set(ids)) != len(ids):
        raise ValueError("duplicated student ids")
    return ids


def build(root: Path, students: list[str], out: Path | None = None, release: bool = True, *,
          exam: Exam) -> list[Path]:
    """Write ``<out>/<student>/<assignment>/<notebook>.ipynb`` for every student.

    ``out`` defaults to ``<root>/personalised``. With ``release`` the assignment is first
    regenerated with ``nbgrader generate_assignment`` (so that gradebook and copies agree).
    Other files of the release folder are copied beside each notebook.
    """
    from coursekit.course import nbgrader

    root = Path(root).resolve()
    if release:
        result = nbgrader(root, "generate_assignment", exam.assignment, "--force")
        if result.returncode != 0:
            raise RuntimeError("nbgrader generate_assignment %s failed:\n%s" % (
                exam.assignment, (result.stdout + result.stderr)[-3000:]))
    released = root / "release" / exam.assignment
    notebook = nbformat.read(str(released / (exam.notebook + ".ipynb")), as_version=4)
    out = Path(out) if out else root / "personalised"
    written = []
    for student in students:
        folder = out / student / exam.assignment
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(released, folder)
        path = folder / (exam.notebook + ".ipynb")
        nbformat.write(personalise(notebook, exam, student), str(path))
        written.append(path)
    return written
