"""nbgrader preprocessors that decide hidden tests in the grader's own process.

``nbgrader_config.py`` puts them into ``Autograde.autograde_preprocessors`` around
nbgrader's own ``Execute``, so plain ``nbgrader autograde`` and ``coursekit grade``
grade the same way::

    InjectHiddenChecks -> Execute -> ScoreHiddenChecks -> ... -> SaveAutoGrades

- :class:`InjectHiddenChecks` replaces each ``# coursekit-check: TOPIC.NAME`` directive
  in a hidden test region with kernel code that evaluates the student's functions on
  fresh inputs (drawn from a seed that depends on a grader-only secret, the student and
  the check, so regrading is repeatable but students cannot know the inputs).
- :class:`ScoreHiddenChecks` reads the results the kernel published, judges them against
  ``reference/`` here, replaces the cell's outputs with a readable verdict plus the
  partial-credit score nbgrader understands (an ``execute_result`` holding a number),
  turns stderr into ordinary output so warnings and progress bars cost nothing, and
  hides the generated code from the feedback.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

from coursekit.checks import Check, Verdict, derive_seed, write_kernel_files
from coursekit.harness import RESULT_MIME
from coursekit.registry import get_check, use_course

#: A directive line naming a check, inside a hidden test region.
DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*coursekit-check:[ \t]*(?P<id>[A-Za-z0-9_]+\.[A-Za-z0-9_]+)[ \t]*$",
                       re.MULTILINE)
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
_RESOURCE_KEY = "coursekit_hidden_checks"
_FILES_KEY = "coursekit_kernel_files"


def course_root(config=None) -> Path:
    """The nbgrader course root (``CourseDirectory.root``, default: the working directory)."""
    root = None
    if config is not None:
        root = config.get("CourseDirectory", {}).get("root")
    return Path(root or os.getcwd()).resolve()


def load_secret(root: Path) -> str:
    """The grader-only secret that salts hidden-test seeds; created on first use.

    ``COURSEKIT_SECRET`` overrides it (the kit's own tests pin it for repeatability).
    """
    if os.environ.get("COURSEKIT_SECRET"):
        return os.environ["COURSEKIT_SECRET"]
    path = root / ".coursekit" / "secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two parallel graders must not write two different secrets.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    return path.read_text().strip()


def directives(source: str) -> list[str]:
    """Check ids named by directives inside hidden test regions of ``source``."""
    ids, hidden = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            hidden = True
        elif END_HIDDEN in line:
            hidden = False
        elif hidden:
            match = DIRECTIVE.match(line)
            if match:
                ids.append(match.group("id"))
    return ids


def public_part(source: str) -> str:
    """``source`` without its hidden test regions (what the student saw)."""
    kept, hidden = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            hidden = True
        elif END_HIDDEN in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept).rstrip()


class InjectHiddenChecks(NbGraderPreprocessor):
    """Replace directives with kernel code that runs the student's functions on fresh inputs."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        root = course_root(self.config)
        use_course(root)  # so that this course's `reference` imports, in this process only
        info = resources["nbgrader"]
        secret = None  # read (or created) only where a check needs it: a foreign course gets no .coursekit/
        known = self._grade_cells_in_gradebook(info)
        notebook_dir = Path(resources.get("metadata", {}).get("path") or os.getcwd())
        plan: dict[str, dict] = {}
        files: list[Path] = []
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell):
                continue
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            ids = directives(cell.source)
            if not ids or (known is not None and grade_id not in known):
                continue  # only the instructor's own test cells may run checks
            checks = []
            source = cell.source
            secret = secret or load_secret(root)
            for check_id in ids:
                check = get_check(check_id)
                seed = derive_seed(secret, info["assignment"], info["notebook"], info["student"], check_id)
                groups = check.groups(seed, context={"student": info["student"], "assignment": info["assignment"],
                                                     "notebook": info["notebook"]})
                source = DIRECTIVE.sub(lambda m, c=check, g=groups: c.kernel_source(g)
                                       if m.group("id") == c.id else m.group(0), source, count=0)
                checks.append((check, groups))
                files += write_kernel_files(check, groups, notebook_dir)
            plan[grade_id] = {"checks": checks, "public": public_part(cell.source)}
            cell.source = source
        resources[_RESOURCE_KEY] = plan
        resources[_FILES_KEY] = files
        return nb, resources

    def _grade_cells_in_gradebook(self, info: dict) -> set[str] | None:
        db_url = info.get("db_url")
        if not db_url:
            return None
        try:
            with Gradebook(db_url) as gradebook:
                notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
                return {cell.name for cell in notebook.grade_cells}
        except MissingEntry:
            return set()

    def preprocess_cell(self, cell, resources, index):  # pragma: no cover - preprocess does the work
        return cell, resources


class ScoreHiddenChecks(NbGraderPreprocessor):
    """Judge the kernel's results against ``reference/`` and turn them into nbgrader scores."""

    stderr_prefix = Unicode("[stderr] ", help="Prefix for stderr text kept as ordinary output").tag(config=True)
    stderr_fails_cell = Bool(False, help="nbgrader's rule: a test cell that wrote to stderr scores 0. By default "
                                         "the kit keeps stderr as ordinary output (warnings and progress bars "
                                         "must not cost a correct answer) and reports each such cell as a "
                                         "difference from nbgrader.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        plan = resources.get(_RESOURCE_KEY, {})
        for path in resources.get(_FILES_KEY, []):
            path.unlink(missing_ok=True)  # hidden inputs must not stay beside the graded notebook
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not utils.is_grade(cell):
                continue
            if not self.stderr_fails_cell:
                self._note_stderr(cell)
                cell.outputs = [self._stderr_as_stdout(o) for o in cell.get("outputs", [])]
            entry = plan.get(cell.metadata["nbgrader"]["grade_id"])
            if entry is not None:
                entry["isolated"] = self._run_isolated(nb, index, entry, resources)
                self._score_cell(cell, entry)
        return nb, resources

    def _run_isolated(self, nb: NotebookNode, index: int, entry: dict, resources: dict) -> dict:
        """Results of checks marked ``isolated`` from fresh processes where numpy raises on overflow
        (coursekit/isolated.py)."""
        found: dict = {}
        cell = nb.cells[index]
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return found  # the cell scores 0 anyway
        for check, groups in entry["checks"]:
            if not getattr(check, "isolated", False):
                continue
            from coursekit import isolated
            from coursekit.sandbox import SandboxedKernelManager

            limits = SandboxedKernelManager(config=self.config).limits
            workdir = resources.get("metadata", {}).get("path") or None
            try:
                results = isolated.run(check, groups, isolated.notebook_code(nb, index), workdir, limits)
            except Exception as error:  # the grader's own failure: the kernel's verdict stands, and says so
                self.log.error("coursekit: isolated run of %s failed: %s", check.id, error)
                continue
            found[check.id] = results
        return found

    def preprocess_cell(self, cell, resources, index):  # pragma: no cover - preprocess does the work
        return cell, resources

    @staticmethod
    def _note_stderr(cell: NotebookNode) -> None:
        outputs = cell.get("outputs", [])
        if any(o.get("output_type") == "error" for o in outputs):
            return  # 0 points either way
        if any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outputs):
            from coursekit.execute import announce
            grade_id = cell.metadata["nbgrader"].get("grade_id")
            announce({"event": "stderr_kept", "cell": None, "grade_id": grade_id,
                      "setting": "c.ScoreHiddenChecks.stderr_fails_cell",
                      "message": "test cell %s wrote to stderr: nbgrader scores such a cell 0, the kit keeps its "
                                 "points (set c.ScoreHiddenChecks.stderr_fails_cell = True for nbgrader's rule)"
                                 % grade_id})

    def _stderr_as_stdout(self, output: NotebookNode) -> NotebookNode:
        # nbgrader gives 0 to any test cell that wrote to stderr; warnings and progress
        # bars must not cost a correct answer its points, so keep the text as stdout.
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = output.get("text", "")
            lines = "".join(self.stderr_prefix + line for line in text.splitlines(keepends=True))
            return from_dict({"output_type": "stream", "name": "stdout", "text": lines})
        return output

    def _score_cell(self, cell: NotebookNode, entry: dict) -> None:
        payloads: dict[str, list] = {}
        kept = []
        for output in cell.outputs:
            data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
            if RESULT_MIME in data:
                payload = data[RESULT_MIME]
                key = payload.get("check") if isinstance(payload, dict) else None
                key = key if isinstance(key, str) else None  # a forged list or dict must not crash the grader
                payloads.setdefault(key, []).append(payload)
            elif output.get("output_type") == "execute_result":
                # nbgrader takes the first execute_result in a test cell as the score, and
                # student code can publish one (sys.displayhook(3.0)): only ours may count.
                kept.append(from_dict({"output_type": "display_data", "metadata": output.get("metadata", {}),
                                       "data": output.get("data", {})}))
            else:
                kept.append(output)
        error = next((o for o in kept if o.get("output_type") == "error"), None)
        if error is not None:
            error["traceback"] = _scrub_traceback(error.get("traceback", []))

        verdicts: list[Verdict] = []
        for check, groups in entry["checks"]:
            found = payloads.get(check.id, [])
            if len(found) > 1:
                verdicts.append(Verdict(check.id, [], problem="The hidden check reported more than once: "
                                        "its results were tampered with, so it earns no points."))
            else:
                try:
                    verdicts.append(check.score(groups, found[0] if found else None,
                                                entry.get("isolated", {}).get(check.id)))
                except Exception as crash:  # a judge's bug costs its own check, not the submission
                    self.log.error("coursekit: judging %s failed: %s: %s", check.id, type(crash).__name__, crash)
                    verdicts.append(Verdict(check.id, [], problem="The grader could not judge this check (%s); "
                                            "no points for it: tell your instructor." % type(crash).__name__))
        if any(key not in {c.id for c, _ in entry["checks"]} for key in payloads):
            verdicts = [Verdict(v.check_id, [], problem="Results of a check this cell does not run were "
                                "published: the output was tampered with, so no points.") for v in verdicts]

        points = float(cell.metadata["nbgrader"].get("points", 0))
        total_weight = sum(g.weight for _, groups in entry["checks"] for g in groups)
        earned_weight = sum(v.fraction * sum(g.weight for g in groups)
                            for v, (_, groups) in zip(verdicts, entry["checks"]))
        fraction = earned_weight / total_weight if total_weight else 0.0
        score = 0.0 if error is not None else points * fraction

        report = self._report(verdicts, error, score, points)
        kept.append(from_dict({"output_type": "display_data", "metadata": {},
                               "data": {"text/plain": report, "text/html": _wrapping_html(report)}}))
        if error is None:
            # nbgrader reads a lone number in an execute_result as partial credit.
            kept.append(from_dict({"output_type": "execute_result", "metadata": {},
                                   "execution_count": cell.get("execution_count"),
                                   "data": {"text/plain": repr(score)}}))
        cell.outputs = kept
        names = ", ".join(c.id for c, _ in entry["checks"])
        note = "# Hidden tests (%s) ran here; the grader's verdict is in the output below." % names
        cell.source = (entry["public"] + "\n" + note).strip()

    #: First line of every verdict: student code can print anything above it ("All hidden tests
    #: passed: 100%" over a failed assert), so the grader's own text says whose it is.
    VERDICT_HEADER = "Grader's verdict (anything above this line was printed by the notebook's own code):"

    @classmethod
    def _report(cls, verdicts: list[Verdict], error, score: float, points: float) -> str:
        lines = [cls.VERDICT_HEADER, "Hidden tests: %s / %s points" % (_fmt(score), _fmt(points))]
        if error is not None:
            lines.append("This cell raised %s (see the error above), so its hidden tests did not run to the end: 0 points."
                         % error.get("ename", "an error"))
        for verdict in verdicts:
            if error is not None and not verdict.groups:
                continue  # the error above already says why nothing was reported
            lines.append("")
            lines.extend(verdict.lines())
        return "\n".join(lines)


def _wrapping_html(report: str) -> str:
    """The verdict as HTML whose long lines wrap: formgrader and the feedback pages show plain
    text in <pre> blocks with white-space: pre, so a long "first failure" line ran off the page.
    nbconvert's stylesheets wrap ``pre code`` (white-space: pre-wrap); no inline style, which the
    output sanitiser (coursekit/sanitize.py) removes."""
    import html
    return "<pre><code>%s</code></pre>" % html.escape(report, quote=False)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _scrub_traceback(frames: list[str]) -> list[str]:
    """Cut the grader's generated code out of a traceback shown in feedback.

    IPython prints a few lines of context around the failing line of the cell, which can
    include the hidden region; and a timeout interrupts inside the generated check.
    """
    cleaned = []
    for frame in frames:
        if "_coursekit_hidden_check" in frame or "coursekit hidden check" in frame:
            cleaned.append("(inside the grader's hidden check)")
            continue
        kept = []
        for line in frame.split("\n"):
            if BEGIN_HIDDEN in _ANSI.sub("", line):
                break
            kept.append(line)
        cleaned.append("\n".join(kept))
    return cleaned


def _fmt(number: float) -> str:
    return ("%.2f" % number).rstrip("0").rstrip(".")


__all__ = ["InjectHiddenChecks", "ScoreHiddenChecks", "directives", "public_part", "Check"]
