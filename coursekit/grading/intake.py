"""Take one submission in: copy it out of ``submitted/``, find and repair its notebooks.

Everything here works on a *copy* in a staging folder; ``submitted/`` is only read.
What students break, and what happens (each gets a note in the grading log):

- a notebook saved under another name (``functions-Copy1.ipynb``): the unexpected
  notebook holding the expected notebook's cells is graded in its place;
- text that is not UTF-8: decoded with replacement characters;
- invalid JSON, an empty file, something that is not a notebook, a notebook over
  the size limit: graded as missing (0 points, like nbgrader's missing notebooks);
- edited nbgrader metadata of a known cell (points, grade, locked, ...): restored from
  the source notebook; metadata naming an unknown ``grade_id`` (a renamed id, an
  invented cell): removed, so the cell runs as an ordinary cell (plain nbgrader fails
  the whole notebook on it);
- a deleted or renamed test cell: restored from the source notebook at its place,
  so the answer is still graded (plain nbgrader would give its points away or fail);
- links, devices, files over the size limit, too many files: not copied; a top-level
  ``.coursekit`` (the grader's own folder beside a notebook) is not copied either;
- a ``timestamp.txt`` that is not a time nbgrader can read: not copied (graded as on time);
- metadata fields of the wrong type (a ``grade_id`` that is a list, a cell id with ``/``,
  non-ASCII or over 64 characters, ``source`` lines that are not text): treated as
  missing and repaired; a kernelspec other than the source's (``bash``, none, an empty
  name): the source's kernelspec is restored, as nbgrader does from its gradebook.

- a duplicated graded cell: the last copy is graded, the others run as ordinary cells
  (nbgrader's ``DeduplicateIds`` means the same, but leaves metadata its validator rejects).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

_SKIPPED_DIRECTORIES = {".ipynb_checkpoints", "__pycache__"}
#: Top-level names the grader writes itself beside the notebook (a check's hidden kernel files).
_RESERVED_NAMES = {".coursekit"}
#: nbformat 4.5's rule for cell ids.
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class IntakeLimits:
    notebook_mb: float = 100     # a larger notebook is not read (the grader would need GBs of memory)
    file_mb: float = 100         # other files larger than this are not copied
    total_mb: float = 500        # all other files together
    files: int = 1000            # how many other files at most
    json_values: int = 3_000_000  # values in a notebook's JSON: ~200 MB as Python objects


@dataclass
class NotebookSpec:
    """What the instructor's source notebook says about one notebook of the assignment."""

    name: str
    cells: list = field(default_factory=list)     # the source notebook's cells, in order
    kernelspec: dict | None = None                # the source notebook's kernelspec

    @classmethod
    def from_source(cls, path: Path) -> "NotebookSpec":
        nb = nbformat.read(str(path), as_version=4)
        return cls(path.stem, list(nb.cells), copy.deepcopy(dict(nb.metadata.get("kernelspec") or {})) or None)

    def metadata(self) -> dict[str, dict]:
        return {m["grade_id"]: m for m in (_nbgrader(c) for c in self.cells) if m and _grade_id(m)}

    def test_cells(self) -> list:
        """Autograded test cells (graded, not answers): restored when a student deletes one."""
        return [c for c in self.cells if (_nbgrader(c) or {}).get("grade") and not _nbgrader(c).get("solution")
                and c.cell_type == "code"]


@dataclass
class Intake:
    notebooks: list[str] = field(default_factory=list)   # notebook names written to the staging folder
    missing: list[str] = field(default_factory=list)     # expected notebooks with nothing gradable
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)       # other files copied (relative paths)


def _nbgrader(cell) -> dict | None:
    meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
    return meta if isinstance(meta, dict) else None


def _grade_id(meta) -> str | None:
    """A cell's grade_id if it is a non-empty string (a student may have written a list or a dict)."""
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) and grade_id else None


def take_in(submitted: Path, staging: Path, specs: dict[str, NotebookSpec],
            limits: IntakeLimits = IntakeLimits()) -> Intake:
    """Copy ``submitted`` to ``staging`` and write a gradable version of each expected notebook."""
    intake = Intake()
    staging.mkdir(parents=True, exist_ok=True)
    if not submitted.is_dir() or submitted.is_symlink():
        intake.missing = sorted(specs)
        intake.notes.append("the submission folder is missing or not a folder: nothing to grade")
        return intake
    candidates = _copy_files(submitted, staging, limits, intake)

    unmatched = dict(candidates)  # file name -> path, top-level notebooks not yet used
    for name in sorted(specs):
        spec = specs[name]
        tried = []
        order = ([name + ".ipynb"] if name + ".ipynb" in unmatched else []) + _renamed_candidates(spec, unmatched)
        nb = None
        for filename in order:
            nb, problem = read_notebook(unmatched[filename], limits)
            tried.append(filename)
            if nb is not None:
                if problem:
                    intake.notes.append("%s: %s" % (filename, problem))
                del unmatched[filename]
                if filename != name + ".ipynb":
                    intake.notes.append("%s.ipynb was not submitted under its name; graded %r instead, which holds "
                                        "its cells" % (name, filename))
                break
            del unmatched[filename]  # reported here; not "a notebook of another assignment" below
            intake.notes.append("%s: %s" % (filename, problem))
        if nb is None:
            intake.missing.append(name)
            if not tried:
                intake.notes.append("%s.ipynb is missing from the submission: its cells score 0" % name)
            else:
                intake.notes.append("%s.ipynb could not be read: its cells score 0" % name)
            continue
        intake.notes.extend("%s.ipynb: %s" % (name, n) for n in repair(nb, spec))
        nbformat.write(nb, str(staging / (name + ".ipynb")), version=4)
        intake.notebooks.append(name)
    for filename in sorted(unmatched):
        intake.notes.append("%s is not a notebook of this assignment: not graded" % filename)
    _check_timestamp(staging, intake)
    return intake


def _check_timestamp(staging: Path, intake: Intake) -> None:
    """Drop a ``timestamp.txt`` nbgrader cannot read (its own error path crashes on it)."""
    path = staging / "timestamp.txt"
    if not path.is_file():
        return
    from nbgrader.utils import parse_utc

    raw = path.read_bytes()[:4097]
    try:
        text = raw.decode("utf-8").strip()
        if len(raw) > 4096 or not text:
            raise ValueError("%d bytes" % len(raw))
        parse_utc(text)
    except Exception as error:  # dateutil raises ValueError, OverflowError, ...; bytes: UnicodeDecodeError
        path.unlink()
        intake.files = [f for f in intake.files if f != "timestamp.txt"]
        intake.notes.append("timestamp.txt is not a time nbgrader can read (%s: %s); graded without a "
                            "submission time (no late penalty)" % (type(error).__name__, _shown(str(error), 80)))


def _shown(text: str, limit: int) -> str:
    """Student-controlled text for a note: printable, and short."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[:limit] + "..."


def _copy_files(submitted: Path, staging: Path, limits: IntakeLimits, intake: Intake) -> dict[str, Path]:
    """Copy plain files (within limits); return the top-level notebooks, which are read separately."""
    notebooks: dict[str, Path] = {}
    total, count, skipped, over_limit = 0, 0, [], []
    for directory, subdirectories, names in os.walk(submitted, followlinks=False):
        relative_dir = Path(directory).relative_to(submitted)
        if relative_dir == Path("."):
            skipped += ["%s (a name the grader uses itself)" % d for d in sorted(subdirectories) if d in _RESERVED_NAMES]
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_DIRECTORIES
                                   and not (relative_dir == Path(".") and d in _RESERVED_NAMES))
        for subdirectory in list(subdirectories):
            if (Path(directory) / subdirectory).is_symlink():
                subdirectories.remove(subdirectory)
                skipped.append("%s (a link)" % (relative_dir / subdirectory))
        for name in sorted(names):
            path = Path(directory) / name
            relative = relative_dir / name
            info = path.lstat()
            if path.is_symlink():
                skipped.append("%s (a link)" % relative)
                continue
            if not path.is_file():
                skipped.append("%s (not a plain file)" % relative)
                continue
            if relative_dir == Path(".") and name.endswith(".ipynb"):
                notebooks[name] = path
                continue
            if relative_dir == Path(".") and name in _RESERVED_NAMES:
                skipped.append("%s (a name the grader uses itself)" % name)
                continue
            if info.st_size > limits.file_mb * 2**20:
                skipped.append("%s (%.0f MB, over the %g MB limit per file)" % (relative, info.st_size / 2**20,
                                                                                limits.file_mb))
                continue
            if count >= limits.files or total + info.st_size > limits.total_mb * 2**20:
                over_limit.append(str(relative))
                continue
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target, follow_symlinks=False)
            total += info.st_size
            count += 1
            intake.files.append(str(relative))
    for directory in sorted(p for p in submitted.iterdir() if p.name.endswith(".ipynb") and p.is_dir()):
        skipped.append("%s (a folder, not a notebook)" % directory.name)
    if over_limit:
        skipped.append("%d file(s) over the limit of %d files / %g MB per submission, from %s on"
                       % (len(over_limit), limits.files, limits.total_mb, over_limit[0]))
    if skipped:
        shown = skipped[:10] + (["... %d more" % (len(skipped) - 10)] if len(skipped) > 10 else [])
        intake.notes.append("files not copied for grading: " + "; ".join(shown))
    return notebooks


def _renamed_candidates(spec: NotebookSpec, unmatched: dict[str, Path]) -> list[str]:
    """Unexpected notebooks holding cells of ``spec``, best match first."""
    wanted = set(spec.metadata())
    scored = []
    for filename, path in unmatched.items():
        if filename == spec.name + ".ipynb":
            continue
        nb, _ = read_notebook(path, IntakeLimits())
        if nb is None:
            continue
        ids = {_grade_id(m) for m in (_nbgrader(c) for c in nb.cells) if m}
        overlap = len(wanted & ids)
        if overlap:
            scored.append((-overlap, -path.stat().st_mtime, filename))
    return [filename for *_, filename in sorted(scored)]


def read_notebook(path: Path, limits: IntakeLimits) -> tuple[nbformat.NotebookNode | None, str]:
    """``(notebook, note)``; the notebook is None when nothing gradable could be read."""
    size = path.stat().st_size
    if size > limits.notebook_mb * 2**20:
        return None, "%.0f MB, over the %g MB limit for a notebook" % (size / 2**20, limits.notebook_mb)
    if size == 0:
        return None, "the file is empty (0 bytes)"
    raw = path.read_bytes()
    note = ""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        text = raw.decode("utf-8-sig", errors="replace")
        bad = text.count("\ufffd")
        note = ("not valid UTF-8 (first bad byte at offset %d); %d undecodable byte sequence(s) were replaced "
                "by U+FFFD" % (error.start, bad))
    values = text.count(",") + text.count("[") + text.count("{")
    if values > limits.json_values:  # each JSON value costs ~60 bytes as a Python object: bound it first
        return None, ("about %d JSON values, over the limit of %d (reading it would take GBs of memory)"
                      % (values, limits.json_values))
    try:
        data = json.loads(text)
    except RecursionError:
        return None, "not a readable Jupyter notebook (nested too deeply)"
    except ValueError as error:
        return None, "not valid JSON (%s)" % _shown(str(error), 200)
    if not isinstance(data, dict) or not isinstance(data.get("cells", []), list) or "nbformat" not in data:
        return None, "valid JSON, but not a Jupyter notebook"
    try:
        _normalise(data)
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as error:  # nbformat raises many kinds of errors on broken files
        return None, "not a readable Jupyter notebook (%s: %s)" % (type(error).__name__, str(error)[:200])
    return nb, note


def _normalise(data: dict) -> None:
    """Fill in what a hand-edited notebook lost, so nbformat accepts it."""
    if data.get("nbformat") != 4:
        return  # nbformat converts older versions itself
    if not isinstance(data.get("metadata"), dict):
        data["metadata"] = {}
    minor = data.get("nbformat_minor")
    if not isinstance(minor, int) or isinstance(minor, bool) or not 0 <= minor <= nbformat.current_nbformat_minor:
        data["nbformat_minor"] = nbformat.current_nbformat_minor if minor is not None else 4
    cells = []
    for cell in data.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        source = cell.get("source", "")
        cell["source"] = ("".join(s if isinstance(s, str) else str(s) for s in source) if isinstance(source, list)
                          else str(source))
        if cell["cell_type"] == "code":
            # Outputs in a submission are never graded (nbgrader clears them): dropping them here
            # also drops whatever malformed or huge structure a student left in them.
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            if not isinstance(cell.get("attachments", {}), dict):
                del cell["attachments"]
        cells.append(cell)
    data["cells"] = cells


def repair(nb: nbformat.NotebookNode, spec: NotebookSpec) -> list[str]:
    """Restore the instructor's cells and metadata in ``nb`` (in place); return notes."""
    notes = []
    known = spec.metadata()
    seen: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.metadata:
            continue
        meta = cell.metadata["nbgrader"]
        raw_id = meta.get("grade_id") if isinstance(meta, dict) else None
        grade_id = _grade_id(meta)
        if grade_id in known:
            seen[grade_id] = seen.get(grade_id, 0) + 1
            wanted = copy.deepcopy(known[grade_id])
            changed = sorted(k for k in set(wanted) | set(meta) if k not in ("checksum", "cell_type")
                             and meta.get(k) != wanted.get(k))
            if changed:
                notes.append("nbgrader metadata of cell %r was edited (%s); restored from the source"
                             % (grade_id, ", ".join("%s: %r -> %r" % (k, meta.get(k), wanted.get(k))
                                                    for k in changed)))
            cell.metadata["nbgrader"] = wanted
        else:
            claims = isinstance(meta, dict) and any(meta.get(k) for k in ("grade", "solution", "locked", "task"))
            if claims or not isinstance(meta, dict):
                notes.append("cell %d carries nbgrader metadata with an unknown grade_id %s (renamed or invented); "
                             "it runs as an ordinary cell" % (index, _shown(repr(raw_id), 80)))
            del cell.metadata["nbgrader"]
    for grade_id, count in sorted(seen.items()):
        if count > 1:
            # nbgrader's DeduplicateIds empties the metadata of the earlier copies, which its own
            # metadata validation then rejects (the whole notebook fails); removing it is what it means.
            copies = [c for c in nb.cells if (_nbgrader(c) or {}).get("grade_id") == grade_id]
            for cell in copies[:-1]:
                del cell.metadata["nbgrader"]
            notes.append("cell %r appears %d times; the last copy is graded, the others run as ordinary cells"
                         % (grade_id, count))

    present = set(seen)
    order = [_grade_id(m) for m in (_nbgrader(c) for c in spec.cells) if m and _grade_id(m)]
    for source_cell in spec.test_cells():
        grade_id = _nbgrader(source_cell)["grade_id"]
        if grade_id in present:
            continue
        position, after = _insert_position(nb, order, grade_id)
        restored = copy.deepcopy(source_cell)
        restored.outputs, restored.execution_count = [], None
        if "id" in restored or nb.nbformat_minor >= 5:
            restored["id"] = uuid.uuid4().hex[:12]
        nb.cells.insert(position, restored)
        present.add(grade_id)
        notes.append("test cell %r was missing (deleted or its grade_id changed); restored from the source%s"
                     % (grade_id, " after cell %r" % after if after else " at the top"))
    for grade_id, meta in known.items():
        if meta.get("solution") and grade_id not in present:
            notes.append("answer cell %r is missing from the notebook" % grade_id)
    notes.extend(_restore_kernelspec(nb, spec))
    notes.extend(_unique_cell_ids(nb))
    return notes


def _restore_kernelspec(nb, spec: NotebookSpec) -> list[str]:
    """The source's kernelspec, as nbgrader's OverwriteKernelspec restores it from the gradebook."""
    if not spec.kernelspec:
        return []
    found = nb.metadata.get("kernelspec")
    if found == spec.kernelspec:
        return []
    nb.metadata["kernelspec"] = nbformat.from_dict(copy.deepcopy(spec.kernelspec))
    name = found.get("name") if isinstance(found, dict) else None
    return ["the notebook's kernelspec (%s) was not the assignment's; restored %r from the source"
            % ("none" if found is None else _shown(repr(name if name is not None else found), 60),
               spec.kernelspec.get("name"))]


def _insert_position(nb, order: list[str], grade_id: str) -> tuple[int, str | None]:
    """Just after the last present cell that comes before ``grade_id`` in the source."""
    earlier = order[: order.index(grade_id)]
    for previous in reversed(earlier):
        indices = [i for i, c in enumerate(nb.cells) if (_nbgrader(c) or {}).get("grade_id") == previous]
        if indices:
            return indices[-1] + 1, previous
    return 0, None


def _unique_cell_ids(nb) -> list[str]:
    """Give every cell a valid, unique id (nbformat 4.5): missing, duplicate and invalid ids
    (``../../etc/passwd``, non-ASCII, over 64 characters, not a string) are replaced."""
    if nb.nbformat_minor < 5:
        for cell in nb.cells:
            cell.pop("id", None)  # ids do not exist before 4.5: the validator rejects them
        return []
    used, invalid = set(), 0
    for cell in nb.cells:
        cell_id = cell.get("id")
        if cell_id and not (isinstance(cell_id, str) and _CELL_ID.match(cell_id)):
            invalid += 1
            cell_id = None
        if not cell_id or cell_id in used:
            cell_id = uuid.uuid4().hex[:12]
        cell["id"] = cell_id
        used.add(cell_id)
    return ["%d cell id(s) were not valid nbformat ids; replaced" % invalid] if invalid else []
