"""What the practice notebook shows is what the bank meant: every question of every topic, rendered.

The practice notebook displays questions and verdicts as Markdown. Free text in the bank holds
arithmetic ("1 + 1*2 + 2*2 = 31"), which a Markdown renderer reads as emphasis ("1 + 12 + 22");
``practice.literal`` escapes it. These tests render through nbconvert's Markdown path (mistune
with Jupyter's math handling, CommonMark emphasis rules as JupyterLab's renderer), for many seeds
of every question, and compare the visible text with the intended text.
"""

from __future__ import annotations

import html
import re

import pytest

from coursekit.midterm import practice
from coursekit.midterm.bank import QUESTIONS, grade
from coursekit.midterm.topics import load_all

load_all()
SEEDS = range(25)
QUESTION_IDS = sorted(QUESTIONS)
CODE_OR_MATH = re.compile(r"(`+)(.+?)\1|\$\$.+?\$\$|\$[^$\n]+\$", re.S)
#: Operands joined by * or ** (multiplications, powers) outside code and math: what must stay visible.
EXPRESSION = re.compile(r"[\w.)\]]+(?:\*+[\w.(\[+-][\w.()\[\]]*)+")


def visible(markdown_text: str) -> str:
    """The text a reader sees: Markdown rendered to HTML (nbconvert), tags dropped, entities read."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    rendered = markdown2html_mistune(markdown_text)
    rendered = re.sub(r"</?(em|strong|code|span|a|sub|sup)\b[^>]*>", "", rendered)  # inline: no space
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


#: Emphasis the author meant (*Perceptrons*, **A.**): a run of asterisks at the edge of a word.
EMPHASIS = re.compile(r"(?<![\w\\])\*+(?=[^\s*])|(?<=[^\s*])\*+(?!\w)")


def intended_plain(text: str) -> str:
    """The visible text the author meant for prose with `code`, $math$ and *emphasis*: code
    without its backticks, math as written, emphasis without its asterisks, every other
    asterisk (1*2, x**2) as written."""
    out, last = [], 0
    for span in CODE_OR_MATH.finditer(text):
        out.append(EMPHASIS.sub("", text[last:span.start()]))
        out.append(span.group(2) if span.group(1) else span.group(0))
        last = span.end()
    out.append(EMPHASIS.sub("", text[last:]))
    lines = []
    separator = re.compile(r"\s*\|?[\s:|-]*-[\s:|-]*\|\s*")
    has_table = any(separator.fullmatch(line) for line in "".join(out).splitlines())
    for line in "".join(out).splitlines():
        if has_table and separator.fullmatch(line):
            continue                                   # a table's header separator
        if has_table and line.lstrip().startswith("|"):
            line = line.replace("|", " ")              # table cells
        lines.append(re.sub(r"^\s*(?:[-*+]|#+)\s+", "", line))  # list markers, headings
    return " ".join(" ".join(lines).split())


def expressions(text: str) -> list[str]:
    plain = CODE_OR_MATH.sub(" ", text)
    return EXPRESSION.findall(plain)


def test_the_bug_is_real_without_escaping():
    """Guard: the renderer used here does eat the asterisks of raw text (the test can fail)."""
    assert visible("1 + 1*2 + 2*2 + 4*2 = 15") != "1 + 1*2 + 2*2 + 4*2 = 15"
    assert visible(practice.literal("1 + 1*2 + 2*2 + 4*2 = 15")) == "1 + 1*2 + 2*2 + 4*2 = 15"


@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_explanations_and_verdicts_render_as_written(question_id):
    """Explanation, misconception messages and the question's expressions, over many seeds."""
    for seed in SEEDS:
        variant = QUESTIONS[question_id].generate(seed)
        for label, text in [("explanation", variant.explanation)] + [
                ("message of %s" % m.name, m.message) for m in variant.mistakes]:
            shown = visible(practice.literal(text))
            assert shown == intended_plain(text), (
                "%s seed %s, %s:\n  written: %s\n  shown:   %s" % (question_id, seed, label, text, shown))
        question_text = practice.literal(variant.markdown())
        shown = visible(question_text)
        for expression in expressions(variant.markdown()):
            assert expression in shown, "%s seed %s: %r missing from the question as shown:\n%s" % (
                question_id, seed, expression, shown)


@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_the_verdict_shows_the_explanation_as_written(question_id):
    """The whole verdict of a wrong attempt (what q.answer shows) keeps every expression."""
    for seed in range(5):
        question = practice.draw(question_id, seed=seed)
        variant = QUESTIONS[question_id].generate(seed)
        attempt = question.answer(variant.mistakes[0].response if variant.mistakes else variant.answer.key())
        shown = visible(attempt.text)
        assert intended_plain(variant.explanation) in shown, (
            "%s seed %s: explanation altered in the verdict:\n  written: %s\n  shown:   %s"
            % (question_id, seed, variant.explanation, shown))
        assert "practice.draw(%r)" % question.topic in shown


def test_the_widget_verdict_points_at_its_own_button():
    question = practice.draw("convolution.receptive_field", seed=1,
                             how_to_answer="type your answer below and press **Check**",
                             how_to_draw="Press **New question** for new numbers.")
    attempt = question.answer(QUESTIONS["convolution.receptive_field"].generate(1).answer.key())
    assert "New question" in attempt.text and "practice.draw" not in attempt.text
    assert "q.answer" not in question._repr_markdown_()
    assert grade  # the bank's grader is what answer() uses
