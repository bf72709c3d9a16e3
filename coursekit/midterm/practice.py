"""Midterm practice: draw a fresh variant of any question, answer it, get the verdict and the
explanation at once. Repeating gives new numbers.

Runs in the student's own kernel (standard library only; IPython and ipywidgets are used when
present)::

    import practice_bank as practice
    practice.topics()                      # what can be drawn
    q = practice.draw("convolution")       # a new variant; the notebook shows the question
    q.answer(5)                            # verdict, the right answer and the explanation
    practice.widget()                      # the same with buttons
    practice.progress()                    # this session's scores per topic

How the answer is kept out of sight: a drawn question shows only its text; the variant (and
so the answer) lives in a closure that grades a response and reveals the answer and the
explanation only after a readable attempt. This is practice, so the bar is "not displayed and
not trivially visible": the generators ship with the practice notebook, and a student who
reads their source can of course work out any answer. The midterm itself is graded
differently: expected answers never enter the student's kernel there.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .bank import QUESTIONS, Grade, Variant, grade, parse_value
from .topics import TOPICS, load_all

_history: list[tuple[str, float]] = []


def _display(obj) -> None:
    try:
        from IPython.display import display
    except ImportError:  # plain Python: print the text form
        print(obj)
        return
    display(obj)


def _markdown(text: str):
    try:
        from IPython.display import Markdown
    except ImportError:
        return text
    return Markdown(text)


#: Spans Markdown must leave alone: code (`...`, ``...``) and math ($...$, $$...$$).
_CODE_OR_MATH = re.compile(r"(`+).+?\1|\$\$.+?\$\$|\$[^$\n]+\$", re.S)
#: An asterisk between operands is a multiplication or a power (1*2, x**2, 2**-10), never emphasis.
_ARITHMETIC_STAR = re.compile(r"(?<=[\w)\]])\*+(?=[\w(\[.+-])")
#: "<" that would open an HTML tag (x<y, <b) and swallow the text after it.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def literal(text: str) -> str:
    """``text`` (the bank's Markdown: **bold**, `code`, $math$, tables) made safe for a Markdown
    renderer: multiplications and powers keep their asterisks (CommonMark reads 1*2 + 2*2 as
    "1" *emphasised "2 + 2"* "2"), and a "<" never opens an HTML tag. Code and math spans are
    left as they are; intended emphasis (``**A.**``, ``*Answer:*``) stays emphasis."""
    out, last = [], 0
    for span in _CODE_OR_MATH.finditer(text):
        out.append(_escape_plain(text[last:span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    text = _ARITHMETIC_STAR.sub(lambda m: "\\*" * len(m.group(0)), text)
    return _TAG_OPEN.sub("&lt;", text)


def _questions(topic: str | None) -> list[str]:
    load_all()
    if topic is None:
        return list(QUESTIONS)
    if topic in QUESTIONS:
        return [topic]
    matches = [qid for qid in QUESTIONS if qid.split(".")[0] == topic]
    if not matches:
        raise ValueError("no topic or question %r; practice.topics() lists them" % topic)
    return matches


def topics():
    """The topics and their questions, as a table."""
    load_all()
    lines = ["| topic | `practice.draw(...)` | questions |", "|---|---|---|"]
    for name, heading in TOPICS:
        ids = [qid for qid in QUESTIONS if qid.split(".")[0] == name]
        lines.append("| %s | `\"%s\"` | %s |" % (heading, name, ", ".join("`%s`" % q.split(".")[1] for q in ids)))
    lines.append("\n%d questions. Draw from one topic (`practice.draw(\"convolution\")`), one question "
                 "(`practice.draw(\"convolution.output_length\")`) or anything (`practice.draw()`)." % len(QUESTIONS))
    return _markdown("\n".join(lines))


@dataclass(frozen=True)
class Attempt:
    """A graded attempt: shows the verdict, the right answer and the explanation."""

    question: str
    score: float
    verdict: str
    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


class PracticeQuestion:
    """A drawn variant. Shows the question; ``answer(response)`` grades it.

    The variant is held only by the closure behind ``answer``: printing, displaying or
    inspecting the attributes of this object shows the question, never its answer.
    """

    __slots__ = ("id", "topic", "seed", "kind", "_text", "_grade")

    def __init__(self, variant: Variant, how_to_answer: str = "answer with `q.answer(...)`",
                 how_to_draw: str | None = None):
        self.id, self.topic, self.seed = variant.id, variant.id.split(".")[0], variant.seed
        self.kind = variant.answer.kind
        self._text = "%s\n\n<sub>%s, variant %s: %s</sub>" % (
            literal(variant.markdown("### %s" % variant.question.title)), variant.id, variant.seed, how_to_answer)
        self._grade = _grader(variant, how_to_draw or "Draw new numbers with `q = practice.draw(%r)`." % self.topic)

    def _repr_markdown_(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text

    def answer(self, response=...) -> Attempt:
        """Grade ``response`` (written as in the midterm: ``5``, ``0.25``, ``'B'``, ``{'A', 'C'}``,
        ``(2, 3)``, ``"nn.Conv1d(...)"``) and show the verdict and the explanation."""
        return self._grade(response)


def _grader(variant: Variant, how_to_draw: str):
    """The closure that grades ``variant``; ``how_to_draw`` ends each verdict (where new numbers come from)."""
    revealed = [False]

    def attempt(response) -> Attempt:
        result: Grade = grade(variant, response)
        if result.diagnosis in ("malformed", "no answer"):
            text = "**Not graded:** %s\n\nNothing is revealed yet: try again." % literal(result.message)
            return Attempt(variant.id, 0.0, result.diagnosis, text)
        repeat = revealed[0]
        if not repeat:
            _history.append((variant.id, result.score))
        revealed[0] = True
        if result.correct:
            head = "**Correct.** (%s)" % _points(result.score)
        elif result.score > 0:
            head = "**Partly right** (%s). %s" % (_points(result.score), literal(result.message))
        else:
            head = "**Not right** (%s). %s" % (_points(result.score), literal(result.message))
        lines = [head]
        wrong = [p for p in result.parts if not p.ok and p.message]
        if len(result.parts) > 1 and wrong:
            lines.append("\n".join("- %s" % literal(p.message) for p in wrong))
        lines.append("**Answer:** `%s`" % variant.answer.show())
        lines.append("**Explanation:** %s" % literal(variant.explanation))
        if repeat:
            lines.append("*(The answer had already been shown: this attempt is not counted in `practice.progress()`.)*")
        lines.append(how_to_draw)
        return Attempt(variant.id, result.score, result.diagnosis, "\n\n".join(lines))

    return attempt


def _points(score: float) -> str:
    return "%d%% of the points" % round(100 * score)


def draw(topic: str | None = None, seed=None, **wording) -> PracticeQuestion:
    """A fresh variant of a question of ``topic`` (a topic such as ``"convolution"``, a question
    id such as ``"convolution.output_length"``, or ``None`` for any). ``seed`` repeats a variant.
    ``wording`` (``how_to_answer``, ``how_to_draw``) is what the text says about answering and
    drawing again (the widget points at its own buttons)."""
    ids = _questions(topic)
    chooser = random.Random(seed) if seed is not None else random.SystemRandom()
    question_id = chooser.choice(ids)
    if seed is None:
        seed = random.SystemRandom().randrange(10 ** 6)
    return PracticeQuestion(QUESTIONS[question_id].generate(seed), **wording)


def progress():
    """This session's attempts: how many per topic and the average score."""
    if not _history:
        return _markdown("No attempt yet: `q = practice.draw()` then `q.answer(...)`.")
    lines = ["| topic | attempts | average score |", "|---|---|---|"]
    for name, heading in TOPICS:
        scores = [s for qid, s in _history if qid.split(".")[0] == name]
        if scores:
            lines.append("| %s | %d | %d%% |" % (heading, len(scores), round(100 * sum(scores) / len(scores))))
    total = [s for _, s in _history]
    lines.append("| **all** | %d | %d%% |" % (len(total), round(100 * sum(total) / len(total))))
    return _markdown("\n".join(lines))


def read_typed_answer(text: str, kind: str):
    """What a student typed in the widget, as a Python value (read safely, never run)."""
    if kind == "code":
        return text.strip()
    try:
        return parse_value(text)
    except ValueError:
        return text  # graded as text: the grader explains what was expected


def widget(topic: str | None = None):
    """Practice with buttons: pick a topic, draw a question, type an answer, check it."""
    try:
        import ipywidgets as widgets
        from IPython.display import Markdown, clear_output, display
    except ImportError:
        print("ipywidgets is not installed here: use q = practice.draw(...) and q.answer(...) instead.")
        return None
    load_all()
    choice = widgets.Dropdown(options=[("any topic", None)] + [(heading, name) for name, heading in TOPICS],
                              value=topic, description="Topic")
    new = widgets.Button(description="New question", button_style="primary")
    typed = widgets.Text(placeholder="your answer, e.g. 0.25   B   A, C   (2, 3)   nn.Conv1d(...)",
                         layout=widgets.Layout(width="60%"))
    check = widgets.Button(description="Check")
    question_area, result_area = widgets.Output(), widgets.Output()
    state = {"question": None}

    def on_new(_button=None):
        state["question"] = draw(choice.value, how_to_answer="type your answer below and press **Check**",
                                 how_to_draw="Press **New question** for new numbers.")
        typed.value = ""
        with question_area:
            clear_output()
            display(Markdown(state["question"]._repr_markdown_()))
        with result_area:
            clear_output()

    def on_check(_button=None):
        question = state["question"]
        if question is None:
            return
        with result_area:
            clear_output()
            display(Markdown(question.answer(read_typed_answer(typed.value, question.kind)).text))

    new.on_click(on_new)
    check.on_click(on_check)
    on_new()
    return widgets.VBox([widgets.HBox([choice, new]), question_area, widgets.HBox([typed, check]), result_area])


def question_count() -> int:
    load_all()
    return len(QUESTIONS)


__all__ = ["topics", "draw", "progress", "widget", "PracticeQuestion", "Attempt", "read_typed_answer",
           "question_count"]
