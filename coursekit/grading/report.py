"""The instructor's report on one graded assignment: a self-contained HTML page.

It reads the gradebook (scores), the autograded notebooks (what failed, and how) and
``coursekit grade``'s log (grading problems, notes, time per submission), and shows

- the score distribution and summary statistics;
- each test cell's pass rate (full, partial, zero points);
- the most common failure messages, so that a lecture can address them;
- grading failures and what the grader had to repair or survive per student
  (renamed notebooks, restored cells, timeouts, kernel crashes);
- the time each submission took to grade.

Figures are inline SVG made with matplotlib; :func:`render_png` screenshots the page
with headless Chromium, to look at it or to attach it to an e-mail.
"""

from __future__ import annotations

import collections
import datetime
import html
import io
import json
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry

from coursekit.grading.settings import Course

_FAIL_LINE = re.compile(r"^FAIL\s+(?P<group>.*?)\s*\(\d+ of \d+ cases? failed\)\s*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NUMBER = re.compile(r"(?<![A-Za-z_0-9.])[-+]?\d+(\.\d+)?(e[-+]?\d+)?")


@dataclass
class TestStats:
    grade_id: str
    points: float
    full: int = 0
    partial: int = 0
    zero: int = 0
    pending: int = 0            # needs manual grading / no score yet
    scores: list = field(default_factory=list)


@dataclass
class ReportData:
    assignment: str
    max_score: float
    totals: dict[str, float]                       # student -> points
    tests: list[TestStats]
    failures: collections.Counter                  # (grade_id, message) -> students
    log: dict[str, dict]                           # student -> latest grading log entry
    not_submitted: list[str]

    def seconds(self) -> dict[str, float]:
        return {s: e["seconds"] for s, e in self.log.items() if e.get("seconds") is not None}


def _normalise(message: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", message).splitlines() if line.strip()]
    return _NUMBER.sub("#", lines[0] if lines else "")[:160]


def _cell_failures(cell) -> set[str]:
    messages = set()
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            # np.testing's messages start with a blank line: show the first line that says something
            messages.add("%s: %s" % (output.get("ename", "Error"), _normalise(output.get("evalue", ""))))
        text = output.get("data", {}).get("text/plain", "") if output.get("output_type") == "display_data" else ""
        for line in text.splitlines():
            match = _FAIL_LINE.match(line.strip())
            if match:
                messages.add("hidden test failed: %s" % match.group("group"))
            elif line.startswith("The hidden check"):
                messages.add(_normalise(line))
    return messages


def latest_log(path: Path) -> dict[str, dict]:
    """The last grading-log entry per student."""
    entries: dict[str, dict] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            entries[entry.get("student", "?")] = entry
    return entries


def gather(course: Course, assignment: str) -> ReportData:
    tests: dict[str, TestStats] = {}
    totals: dict[str, float] = {}
    failures: collections.Counter = collections.Counter()
    not_submitted = []
    with Gradebook(course.db_url, course.course_id) as gradebook:
        found = gradebook.find_assignment(assignment)
        max_score = float(found.max_score)
        for notebook in found.notebooks:
            for cell in notebook.grade_cells:
                tests[cell.name] = TestStats(cell.name, float(cell.max_score))
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                not_submitted.append(student.id)
                continue
            totals[student.id] = max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0))
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    stats = tests[grade.name]
                    if grade.score is None or grade.needs_manual_grade:
                        stats.pending += 1
                        continue
                    stats.scores.append(float(grade.score))
                    if grade.score >= grade.max_score:
                        stats.full += 1
                    elif grade.score > 0:
                        stats.partial += 1
                    else:
                        stats.zero += 1
                path = course.path("autograded", student.id, assignment) / (notebook.name + ".ipynb")
                if not path.exists():
                    continue
                for cell in nbformat.read(str(path), as_version=4).cells:
                    if cell.cell_type == "code" and utils.is_grade(cell):
                        for message in _cell_failures(cell):
                            failures[(cell.metadata["nbgrader"]["grade_id"], message)] += 1
    log = latest_log(course.state_dir(assignment) / "log.jsonl")
    return ReportData(assignment, max_score, totals, list(tests.values()), failures, log, sorted(not_submitted))


# --------------------------------------------------------------------------- figures

def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _score_figure(data: ReportData) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(6.4, 3.0))
    values = list(data.totals.values())
    bins = min(20, max(5, int(data.max_score) + 1))
    axes.hist(values, bins=bins, range=(0, data.max_score), color="#4c72b0", edgecolor="white")
    if values:
        axes.axvline(statistics.mean(values), color="#c44e52", linestyle="--", label="mean %.2f" % statistics.mean(values))
        axes.axvline(statistics.median(values), color="#55a868", linestyle=":", label="median %.2f"
                     % statistics.median(values))
        axes.legend(frameon=False)
    axes.set_xlabel("points (of %g)" % data.max_score)
    axes.set_ylabel("students")
    axes.set_title("Score distribution (%d submissions)" % len(values))
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _tests_figure(data: ReportData) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    tests = data.tests
    figure, axes = plt.subplots(figsize=(6.4, 0.45 * len(tests) + 1.0))
    names = ["%s (%g pt)" % (t.grade_id, t.points) for t in tests]
    left = [0.0] * len(tests)
    for attribute, colour, label in (("full", "#55a868", "full points"), ("partial", "#dd8452", "partial"),
                                     ("zero", "#c44e52", "zero"), ("pending", "#b0b0b0", "manual / pending")):
        counts = [getattr(t, attribute) for t in tests]
        totals = [max(1, t.full + t.partial + t.zero + t.pending) for t in tests]
        shares = [100.0 * c / n for c, n in zip(counts, totals)]
        axes.barh(names, shares, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, shares)]
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of submissions")
    axes.set_title("Pass rate per test cell")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 / max(1, len(tests)) - 0.12), ncol=4,
                frameon=False, fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _time_figure(data: ReportData) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    seconds = list(data.seconds().values())
    figure, axes = plt.subplots(figsize=(6.4, 2.6))
    axes.hist(seconds or [0], bins=20, color="#8172b3", edgecolor="white")
    axes.set_xlabel("seconds to grade one submission (in its worker)")
    axes.set_ylabel("submissions")
    if seconds:
        axes.set_title("Grading time: median %.1f s, max %.1f s" % (statistics.median(seconds), max(seconds)))
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


# --------------------------------------------------------------------------- page

_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.1em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.muted { color: #666; } .figures { display: flex; flex-wrap: wrap; gap: 1em; }
.figures > div { flex: 1 1 480px; } svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
td, th { border-bottom: 1px solid #e4e4e4; padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.stat { display: inline-block; margin-right: 2em; } .stat b { font-size: 1.5em; display: block; }
.bad { color: #b00020; } code { background: #f4f4f4; padding: 0 0.2em; }
"""


def _table(header: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    out = ["<table><tr>%s</tr>" % "".join("<th>%s</th>" % html.escape(h) for h in header)]
    for row in rows:
        out.append("<tr>%s</tr>" % "".join('<td class="num">%s</td>' % html.escape(str(v)) if i in numeric
                                            else "<td>%s</td>" % html.escape(str(v)) for i, v in enumerate(row)))
    out.append("</table>")
    return "".join(out)


def build_html(data: ReportData) -> str:
    values = list(data.totals.values())
    failed = {s: e for s, e in data.log.items() if e.get("status") != "graded"}
    noted = {s: e for s, e in data.log.items() if e.get("notes") or e.get("events")}
    seconds = data.seconds()
    stats = [("submissions", len(values)), ("not submitted", len(data.not_submitted)),
             ("mean", "%.2f / %g" % (statistics.mean(values), data.max_score) if values else "-"),
             ("median", "%.2f" % statistics.median(values) if values else "-"),
             ("full marks", sum(v >= data.max_score for v in values)),
             ("grading failures", len(failed))]
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Report: %s</title><style>%s</style></head><body>"
             % (html.escape(data.assignment), _CSS),
             "<h1>Assignment <code>%s</code></h1>" % html.escape(data.assignment),
             "<p class='muted'>Generated %s from the gradebook, the autograded notebooks and the grading log.</p>"
             % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
             "<div>%s</div>" % "".join("<span class='stat'><b>%s</b>%s</span>" % (html.escape(str(v)), html.escape(k))
                                       for k, v in stats),
             "<div class='figures'><div>%s</div><div>%s</div></div>" % (_score_figure(data), _tests_figure(data))]

    parts.append("<h2>Test cells</h2>")
    parts.append(_table(["test cell", "points", "full", "partial", "zero", "manual/pending", "mean points"],
                        [[t.grade_id, "%g" % t.points, t.full, t.partial, t.zero, t.pending,
                          "%.2f" % statistics.mean(t.scores) if t.scores else "-"] for t in data.tests],
                        numeric={1, 2, 3, 4, 5, 6}))

    parts.append("<h2>Most common failures</h2><p class='muted'>One count per submission; numbers in messages "
                 "are shown as #.</p>")
    top = sorted(data.failures.items(), key=lambda item: (-item[1], item[0]))[:25]
    parts.append(_table(["submissions", "test cell", "message"], [[n, g, m] for (g, m), n in top], numeric={0})
                 if top else "<p>No test failed.</p>")

    parts.append(differences_html(data.log))

    parts.append("<h2>Grading problems</h2>")
    if failed:
        parts.append("<p class='bad'>%d submission(s) could not be graded; the gradebook keeps their earlier "
                     "scores, and <code>coursekit grade</code> tries them again next time.</p>" % len(failed))
        parts.append(_table(["student", "error"], [[s, (e.get("error") or "").strip().splitlines()[-1][:300]
                                                    if e.get("error") else "-"] for s, e in sorted(failed.items())]))
    else:
        parts.append("<p>Every submission was graded.</p>")
    if noted:
        rows = []
        for student, entry in sorted(noted.items()):
            for note in entry.get("notes", []):
                rows.append([student, "repaired / note", note])
            for event in entry.get("events", []):
                rows.append([student, event.get("event", ""), event.get("message", "")])
        parts.append("<p>What the grader noted, repaired or survived (students were graded on what remained):</p>")
        parts.append(_table(["student", "kind", "detail"], rows))

    parts.append("<h2>Time per submission</h2>")
    parts.append("<div class='figures'><div>%s</div><div>%s</div></div>" % (
        _time_figure(data),
        _table(["slowest submissions", "seconds"],
               [[s, "%.1f" % t] for s, t in sorted(seconds.items(), key=lambda x: -x[1])[:10]], numeric={1})))
    if data.not_submitted:
        parts.append("<h2>No submission</h2><p>%s</p>" % html.escape(", ".join(data.not_submitted)))
    parts.append("</body></html>")
    return "\n".join(parts)


def differences_html(log: dict[str, dict]) -> str:
    """Where the sandbox or the kit's rules changed a grade from plain nbgrader's, with the setting that decides."""
    found: dict[tuple[str, str], list] = {}
    for student, entry in sorted(log.items()):
        for event in entry.get("events", []):
            if event.get("setting"):
                found.setdefault((event.get("event", ""), event["setting"]), []).append((student, event))
    if not found:
        return ("<h2>Differences from plain nbgrader</h2><p>None recorded: no cell failed because of the sandbox, "
                "and no rule of the kit changed a score (<code>coursekit grade --compare</code> checks a whole "
                "class).</p>")
    rows = [[kind, len({s for s, _ in items}), ", ".join(sorted({s for s, _ in items}))[:200], setting,
             items[0][1].get("message", "")] for (kind, setting), items in sorted(found.items())]
    return ("<h2>Differences from plain nbgrader</h2><p class='bad'>These cells were graded differently from "
            "plain <code>nbgrader autograde</code>; the setting named allows nbgrader's behaviour "
            "(docs/grading.md, <i>Switching an existing nbgrader course</i>).</p>"
            + _table(["difference", "submissions", "students", "setting", "example"], rows, numeric={1}))


def write_report(root, assignment: str, out: Path | None = None) -> Path:
    course = Course.load(root)
    course.require_gradebook()  # opening a missing SQLite gradebook would create an empty one
    data = gather(course, assignment)
    out = Path(out) if out else course.root / "reports" / ("%s.html" % assignment)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_html(data), encoding="utf-8")
    return out


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def render_png(html_path: Path, png_path: Path, width: int = 1200, height: int = 2600) -> Path:
    """Screenshot ``html_path`` with headless Chromium (``apt-get install chromium``)."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("no Chromium found: install it (Debian: apt-get install chromium)")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
               "--window-size=%d,%d" % (width, height), "--screenshot=%s" % Path(png_path).resolve(),
               Path(html_path).resolve().as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return Path(png_path)
