"""Item analysis of a graded exam: how hard each question was and how well it told students apart.

Per question (*item*), from the scores in nbgrader's gradebook:

- **difficulty** ``p``: the mean share of the item's points earned (1 = everyone right);
- **discrimination** ``r``: the corrected item-total correlation, i.e. the Pearson
  (point-biserial, for right/wrong items) correlation between the item's score and the
  *rest score* (the total of the other items), so the item does not correlate with itself;
  with a 95% confidence interval (Fisher z), because with a class of 30 the standard error
  of ``r`` is about 0.18;
- **upper-lower index** ``D``: mean item score of the top 27% of the class minus that of the
  bottom 27%, ranked by the rest score (as for ``r``, so that the item does not vouch for itself);
- the **answers** given (when the autograded notebooks are there): each answer is
  re-diagnosed by the bank (correct, a named misconception, other wrong, malformed) and
  counted in the upper and lower groups. A wrong answer that attracts the upper group at
  least as much as the lower one hints at a second defensible answer.

Flags follow the usual rules of thumb (named constants below). Also reported: Cronbach's
alpha of the whole exam.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .bank import LETTERS, _shorten, grade, parse_value

#: Items almost everyone gets right (or wrong) cannot tell students apart.
TOO_EASY = 0.90
TOO_HARD = 0.20
#: Corrected item-total correlations below this discriminate weakly (a common rule of thumb:
#: 0.2-0.3 marginal, below 0.2 revise); below 0 the item ranks students backwards.
WEAK_DISCRIMINATION = 0.20
#: Share of the upper group choosing one wrong answer that makes it worth a look, when the
#: upper group chooses it at least as often as the lower group.
ATTRACTIVE_DISTRACTOR = 0.25
#: Kelley's classic share for the upper and lower groups.
GROUP_SHARE = 0.27


@dataclass
class Item:
    key: str
    question: str
    points: float
    difficulty: float
    discrimination: float
    interval: tuple[float, float]
    upper_lower: float
    flags: list[str] = field(default_factory=list)
    #: diagnosis -> (count in the upper group, count in the lower group, count overall)
    answers: dict[str, tuple[int, int, int]] = field(default_factory=dict)


@dataclass
class Analysis:
    assignment: str
    students: list[str]
    items: list[Item]
    totals: list[float]
    max_total: float
    alpha: float
    upper: list[str]
    lower: list[str]

    @property
    def flagged(self) -> list[Item]:
        return [item for item in self.items if item.flags]


def corrected_item_total(scores: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Correlation of each item's score share with the points earned on the other items."""
    earned = scores * points
    totals = earned.sum(axis=1)
    out = np.full(scores.shape[1], np.nan)
    for j in range(scores.shape[1]):
        rest = totals - earned[:, j]
        x = scores[:, j]
        if x.std() > 0 and rest.std() > 0:
            out[j] = float(np.corrcoef(x, rest)[0, 1])
    return out


def fisher_interval(r: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% confidence interval of a correlation (Fisher's z transform)."""
    if math.isnan(r) or n <= 3:
        return (math.nan, math.nan)
    r = min(max(r, -0.999999), 0.999999)
    centre, spread = math.atanh(r), z / math.sqrt(n - 3)
    return (math.tanh(centre - spread), math.tanh(centre + spread))


def cronbach_alpha(scores: np.ndarray, points: np.ndarray) -> float:
    earned = scores * points
    k = earned.shape[1]
    total_variance = earned.sum(axis=1).var(ddof=1)
    if k < 2 or total_variance == 0:
        return math.nan
    return k / (k - 1) * (1 - earned.var(axis=0, ddof=1).sum() / total_variance)


def analyse(students: list[str], keys: list[str], questions: list[str], points: list[float],
            scores: np.ndarray, diagnoses: dict[tuple[str, str], str] | None = None,
            assignment: str = "midterm") -> Analysis:
    """Item statistics from ``scores[i, j]``, the share of item ``j``'s points student ``i`` earned."""
    scores = np.asarray(scores, dtype=float)
    points_array = np.asarray(points, dtype=float)
    n = len(students)
    totals = (scores * points_array).sum(axis=1)
    order = sorted(range(n), key=lambda i: (-totals[i], students[i]))
    size = max(1, int(round(GROUP_SHARE * n)))
    upper, lower = order[:size], order[-size:]
    r = corrected_item_total(scores, points_array)
    items = []
    for j, key in enumerate(keys):
        # Upper and lower groups by the rest score, like r: an item must not vouch for itself
        # (with the total, an item's own right answers would pull students into the upper group).
        rest = totals - scores[:, j] * points_array[j]
        ranked = sorted(range(n), key=lambda i: (-rest[i], students[i]))
        item_upper, item_lower = ranked[:size], ranked[-size:]
        p = float(scores[:, j].mean())
        d = float(scores[item_upper, j].mean() - scores[item_lower, j].mean())
        item = Item(key, questions[j], float(points[j]), p, float(r[j]), fisher_interval(float(r[j]), n), d)
        if diagnoses:
            counts = {}
            for name in sorted({diagnoses.get((s, key), "no data") for s in students}):
                counts[name] = (sum(diagnoses.get((students[i], key), "no data") == name for i in item_upper),
                                sum(diagnoses.get((students[i], key), "no data") == name for i in item_lower),
                                sum(diagnoses.get((s, key), "no data") == name for s in students))
            item.answers = counts
        item.flags = _flags(item, size)
        items.append(item)
    return Analysis(assignment, list(students), items, [float(t) for t in totals], float(points_array.sum()),
                    float(cronbach_alpha(scores, points_array)), [students[i] for i in upper],
                    [students[i] for i in lower])


def _flags(item: Item, group_size: int) -> list[str]:
    flags = []
    if item.difficulty >= TOO_EASY:
        flags.append("too easy (p = %.2f): it tells few students apart" % item.difficulty)
    elif item.difficulty <= TOO_HARD:
        flags.append("too hard (p = %.2f): check the question and what was taught" % item.difficulty)
    if math.isnan(item.discrimination):
        flags.append("no discrimination can be computed: every student scored the same")
    elif item.discrimination < 0:
        flags.append("negative discrimination (r = %.3f): stronger students did worse; check the key and look "
                     "for an ambiguity" % item.discrimination)
    elif item.discrimination < WEAK_DISCRIMINATION:
        flags.append("weak discrimination (r = %.3f < %.2f)" % (item.discrimination, WEAK_DISCRIMINATION))
    for name, (upper, lower, _total) in item.answers.items():
        if name in ("correct", "no data"):
            continue
        if upper >= ATTRACTIVE_DISTRACTOR * group_size and upper >= lower:
            flags.append("the wrong answer '%s' attracts the upper group (%d of %d, against %d of the lower "
                         "group): a second defensible answer?" % (name, upper, group_size, lower))
    return flags


# --------------------------------------------------------------------------- reading a graded exam

def read_gradebook(db_url: str, assignment: str, keys: list[str]) -> tuple[list[str], np.ndarray]:
    """Students and ``scores[i, j]`` (share of the points of test cell ``test_<key>``) from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    rows, students = [], []
    with Gradebook(db_url) as gradebook:
        for submission in sorted(gradebook.find_assignment(assignment).submissions, key=lambda s: s.student_id):
            grades = {g.name: g for nb in submission.notebooks for g in nb.grades}
            row = []
            for key in keys:
                g = grades.get("test_%s" % key)
                score = g.score if g is not None else None
                row.append(0.0 if score is None or not g.max_score else float(score) / float(g.max_score))
            students.append(submission.student_id)
            rows.append(row)
    return students, np.array(rows, dtype=float).reshape(len(students), len(keys))


def submitted_answer(source: str, name: str):
    """The value a cell assigns to ``name`` (its last assignment), read without running it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        raise ValueError("the answer cell is not valid Python")
    value = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
    if value is None:
        raise ValueError("%s is not assigned" % name)
    return parse_value(ast.unparse(value), bare_words=False)


def read_diagnoses(root: Path, exam, students: list[str]) -> dict[tuple[str, str], str]:
    """Each student's answer per slot, re-diagnosed by the bank, from ``autograded/`` notebooks."""
    import nbformat

    out = {}
    for student in students:
        path = Path(root) / "autograded" / student / exam.assignment / (exam.notebook + ".ipynb")
        if not path.exists():
            continue
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nbformat.read(str(path), as_version=4).cells}
        for slot in exam.slots:
            cell = cells.get("answer_%s" % slot.key)
            if cell is None:
                out[student, slot.key] = "no answer cell"
                continue
            try:
                value = submitted_answer(cell.source, exam.answer_name(slot))
            except ValueError:
                out[student, slot.key] = "computed (not read)"
                continue
            out[student, slot.key] = diagnose(exam.variant(slot, student), value)
    return out


def diagnose(variant, value) -> str:
    """The bank's diagnosis of an answer; a wrong option without a named misconception is
    named by its text, so that a popular distractor shows up as itself."""
    result = grade(variant, value)
    options = getattr(variant.answer, "options", None)
    if result.diagnosis == "wrong" and variant.answer.kind == "single choice" and options:
        letter = variant.answer.read(value)
        return "option: %s" % _shorten(options[LETTERS.index(letter)].text, 60)
    return result.diagnosis


# --------------------------------------------------------------------------- the report

def plot(analysis: Analysis, path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [3, 2]})
    left.axhspan(-1, WEAK_DISCRIMINATION, color="#f4cccc", alpha=0.5, lw=0,
                 label="weak discrimination (r < %.2f)" % WEAK_DISCRIMINATION)
    left.axvspan(0, TOO_HARD, color="#fde2c4", alpha=0.6, lw=0, label="too hard or too easy")
    left.axvspan(TOO_EASY, 1.02, color="#fde2c4", alpha=0.6, lw=0)
    for index, item in enumerate(analysis.items):
        r = 0.0 if math.isnan(item.discrimination) else item.discrimination
        colour = "#c0392b" if item.flags else "#2e86c1"
        low, high = item.interval
        if not math.isnan(low):
            left.plot([item.difficulty, item.difficulty], [low, high], color=colour, alpha=0.25, lw=3)
        left.scatter([item.difficulty], [r], color=colour, s=40 + 25 * item.points, zorder=3)
        # Alternate the labels above and below their points: neighbours rarely collide.
        left.annotate(item.key, (item.difficulty, r), textcoords="offset points",
                      xytext=(6, 5 if index % 2 == 0 else -12), fontsize=9)
    left.axhline(0, color="black", lw=0.8)
    left.set_xlim(0, 1.02)
    lowest = min([-0.3] + [i.interval[0] for i in analysis.items if not math.isnan(i.interval[0])] +
                 [i.discrimination for i in analysis.items if not math.isnan(i.discrimination)])
    left.set_ylim(max(-1.0, lowest - 0.1), 1)
    left.set_xlabel("difficulty p (share of points earned)")
    left.set_ylabel("discrimination r (corrected item-total correlation)")
    left.set_title("Items: red = flagged; bars = 95%% interval of r (n = %d)" % len(analysis.students))
    left.legend(loc="lower right", fontsize=8, framealpha=0.9)
    step = max(1.0, math.ceil(analysis.max_total / 15))
    edges = np.arange(0, analysis.max_total + 2 * step, step) - step / 2
    right.hist(analysis.totals, bins=edges, color="#5d6d7e", edgecolor="white")
    right.set_xlabel("total score (of %s)" % _fmt(analysis.max_total))
    right.set_ylabel("students")
    right.set_title("Scores (Cronbach's alpha = %.2f)" % analysis.alpha)
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else "%.1f" % x


def markdown(analysis: Analysis, figure: str | None = None) -> str:
    n = len(analysis.students)
    totals = np.array(analysis.totals)
    lines = ["# Item analysis: %s" % analysis.assignment, "",
             "%d students; mean score %.1f of %s (median %.1f); Cronbach's alpha %.2f." % (
                 n, totals.mean(), _fmt(analysis.max_total), float(np.median(totals)), analysis.alpha), "",
             "*p*: share of the item's points earned. *r*: correlation of the item with the rest of the exam "
             "(95%% interval in brackets; with %d students its standard error is about %.2f, so read small "
             "differences with care). *D*: upper 27%% minus lower 27%% (ranked by the rest score). Flags: p >= %.2f or <= %.2f, r < %.2f, "
             "a wrong answer popular with the upper group." % (n, 1 / math.sqrt(max(n - 1, 1)), TOO_EASY, TOO_HARD,
                                                               WEAK_DISCRIMINATION), ""]
    if figure:
        lines += ["![items](%s)" % figure, ""]
    lines += ["| item | question | points | p | r [95% interval] | D | flags |", "|---|---|---|---|---|---|---|"]
    for item in analysis.items:
        low, high = item.interval
        interval = "" if math.isnan(low) else " [%.2f, %.2f]" % (low, high)
        r = "n/a" if math.isnan(item.discrimination) else "%.2f" % item.discrimination
        lines.append("| %s | `%s` | %s | %.2f | %s%s | %.2f | %s |" % (
            item.key, item.question, _fmt(item.points), item.difficulty, r, interval, item.upper_lower,
            "; ".join(item.flags) if item.flags else ""))
    flagged = analysis.flagged
    lines += ["", "## Flagged items (%d)" % len(flagged), ""]
    if not flagged:
        lines.append("None.")
    for item in flagged:
        lines += ["### %s (`%s`)" % (item.key, item.question), ""] + ["- %s" % f for f in item.flags]
        if item.answers:
            lines += ["", "| answer | upper group | lower group | all |", "|---|---|---|---|"]
            for name, (upper, lower, total) in sorted(item.answers.items(), key=lambda kv: -kv[1][2]):
                lines.append("| %s | %d | %d | %d |" % (name, upper, lower, total))
        lines.append("")
    return "\n".join(lines) + "\n"


def write_report(analysis: Analysis, out: Path) -> tuple[Path, Path]:
    """``<out>/item_analysis.md`` and ``<out>/item_analysis.png``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figure = plot(analysis, out / "item_analysis.png")
    report = out / "item_analysis.md"
    report.write_text(markdown(analysis, figure.name))
    return report, figure


def analyse_course(root: Path, exam, db_url: str | None = None, with_answers: bool = True) -> Analysis:
    """Analyse the graded exam of the course at ``root`` (gradebook plus autograded notebooks)."""
    root = Path(root)
    keys = [s.key for s in exam.slots]
    students, scores = read_gradebook(db_url or "sqlite:///%s" % (root / "gradebook.db"), exam.assignment, keys)
    # The preview copy (the source notebook, graded as a sanity check) is not a student.
    kept = [i for i, s in enumerate(students) if s != exam.preview_student]
    students, scores = [students[i] for i in kept], scores[kept]
    if not students:
        raise ValueError("no graded submission of %s in the gradebook" % exam.assignment)
    diagnoses = read_diagnoses(root, exam, students) if with_answers else None
    return analyse(students, keys, [s.question for s in exam.slots], [s.points for s in exam.slots], scores,
                   diagnoses, exam.assignment)


__all__ = ["analyse", "analyse_course", "write_report", "markdown", "plot", "read_gradebook", "read_diagnoses",
           "submitted_answer"]
