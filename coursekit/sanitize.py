"""Everything a student wrote or a student's code printed is shown on the instructor's pages
(formgrader, feedback, the kit's reports) as text, never as live HTML or script.

- :func:`neutralise_markdown` escapes raw HTML in a student's Markdown (``<img onerror=...>``,
  ``<script>``, ``<iframe>``) and defuses character references, and disarms ``javascript:``,
  ``vbscript:`` and ``data:text/html`` link targets. Emphasis, lists, maths, ordinary links
  and ``a < b`` render as before; a tag written inside inline code shows as ``&lt;tag``. Formgrader renders Markdown cells without
  nbconvert's sanitiser (its ``formgrade`` template has no ``clean_html``), so this must
  happen to the notebook before formgrader sees it.
- :func:`clean_output` runs HTML, SVG and Markdown outputs of code cells through
  nbconvert's own sanitiser, drops ``application/javascript`` (and widget views, which
  load script) and every output metadata but numeric image sizes (nbconvert writes an
  image's ``width`` unquoted into its tag); ``text/plain`` stays, so nothing a grader needs
  is lost.
- :class:`NeutraliseStudentHTML` does both to an autograded notebook (every cell except the
  instructor's locked Markdown, which autograde restored from the source) and is listed
  in ``nbgrader_config.py`` for ``autograde`` and ``generate_feedback``; with
  ``HTMLExporter.sanitize_html = True`` there it is the second of two independent layers.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor

#: What looks like maths to us: there ``<`` becomes ``\\lt`` (MathJax shows "<"). Whether or not
#: the Markdown renderer agrees that a span is maths, no raw ``<`` is left either way.
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
#: The start of an HTML tag, comment or declaration (``<img``, ``</p``, ``<!--``, ``<?``):
#: ``a < b``, ``<=`` and ``<-`` are left alone.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
#: A character reference (``&#115;``, ``&#x73;``, ``&colon;``): its ``&`` becomes a full-width
#: ``\uff06`` (the renderer decodes ``&amp;#115;`` in a link target back to ``s``, so escaping
#: is not enough), so no reference can spell a scheme.
_ENTITY = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_GAP = r"[\s\x00-\x1f]*"
#: URL schemes that run script when a link is followed, however they are spaced or cased.
_SCHEME = re.compile(r"(?i)\b(" + _GAP.join("javascript") + "|" + _GAP.join("vbscript") + ")" + _GAP + ":|"
                     r"\bdata" + _GAP + ":" + _GAP + "text/html")
_SCRIPT_MIMES = ("application/javascript", "text/javascript", "application/x-javascript",
                 "application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json")


def neutralise_markdown(text: str) -> str:
    """``text`` with every raw HTML tag start escaped and script URL schemes disarmed.

    No ``<`` that could open a tag is left anywhere (code and maths included: a parser of
    our own that disagreed with the renderer about what is code must not open a hole).
    """
    if not isinstance(text, str):
        return ""
    parts, last = [], 0
    for match in _MATH.finditer(text):
        parts.append(_escape_prose(text[last:match.start()]))
        parts.append(_SCHEME.sub("blocked-script-link:", match.group(0).replace("<", "\\lt ")))
        last = match.end()
    parts.append(_escape_prose(text[last:]))
    return "".join(parts)


def _escape_prose(text: str) -> str:
    text = _TAG_START.sub("&lt;", _ENTITY.sub("\uff06", text))
    return _SCHEME.sub("blocked-script-link:", text)


def clean_html(html: str) -> str:
    """nbconvert's sanitiser (bleach with its allow-list: no script, no event handlers)."""
    from nbconvert.filters import clean_html as _clean

    return str(_clean(html))


def _clean_metadata(output) -> bool:
    """Keep only numeric image sizes: nbconvert writes ``width={{ width }}`` unquoted into an
    ``<img>`` tag, so a width of ``1 onerror=...`` added an event handler; ``isolated`` and
    ``filenames`` change how (and from where) an output is loaded."""
    metadata = output.get("metadata")
    if not metadata:
        return False
    kept = {}
    if isinstance(metadata, dict):
        for mime, entry in metadata.items():
            if isinstance(entry, dict):
                sizes = {k: v for k, v in entry.items() if k in ("width", "height")
                         and isinstance(v, (int, float)) and not isinstance(v, bool)}
                if sizes:
                    kept[mime] = sizes
    changed = kept != metadata
    output["metadata"] = kept
    return changed


def clean_output(output) -> bool:
    """Sanitise one code-cell output in place; True if something was changed."""
    data = output.get("data") if isinstance(output, dict) else None
    if not isinstance(data, dict):
        return False
    changed = _clean_metadata(output)
    for mime in list(data):
        value = data[mime]
        text = "".join(value) if isinstance(value, list) else value
        if mime in _SCRIPT_MIMES or mime.endswith("+javascript"):
            del data[mime]
            changed = True
        elif mime in ("text/html", "image/svg+xml") and isinstance(text, str):
            cleaned = clean_html(text)
            changed |= cleaned != text
            data[mime] = cleaned
        elif mime == "text/latex" and isinstance(text, str) and "<" in text:
            data[mime] = text.replace("<", "\\lt ")  # MathJax shows it; no tag can open
            changed = True
        elif mime == "text/markdown" and isinstance(text, str):
            cleaned = neutralise_markdown(text)
            changed |= cleaned != text
            data[mime] = cleaned
    if not data:
        data["text/plain"] = "[output removed by the grader: it could only run script]"
    return changed


def _instructors(cell) -> bool:
    """A locked, non-answer cell: autograde restored its source from the instructor's."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return isinstance(meta, dict) and bool(meta.get("locked")) and not meta.get("solution")


class NeutraliseStudentHTML(NbGraderPreprocessor):
    """Escape raw HTML in students' Markdown and sanitise every code cell's rich outputs."""

    def preprocess(self, nb, resources):
        markdown = outputs = 0
        for cell in nb.cells:
            if cell.cell_type in ("markdown", "raw") and not _instructors(cell):
                cleaned = neutralise_markdown(cell.source)
                if cleaned != cell.source:
                    cell.source = cleaned
                    markdown += 1
                if cell.get("attachments"):
                    cell.attachments = {}  # an attachment is shown as an <img> with any MIME the student chose
            elif cell.cell_type == "code":
                outputs += sum(clean_output(o) for o in cell.get("outputs", []))
        if markdown or outputs:
            self.log.warning("coursekit: neutralised raw HTML in %d Markdown cell(s) and %d output(s)",
                             markdown, outputs)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):  # pragma: no cover - preprocess does the work
        return cell, resources
