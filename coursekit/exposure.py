"""What an instructor opens up in the sandbox, and what the sandbox changed about a grade.

Plain ``nbgrader autograde`` runs a notebook as the grader: it sees every file, the
grader's environment, and writes next to itself into ``autograded/``. The sandbox
(:mod:`coursekit.sandbox`) sees none of that by default. The instructor states what a
course needs in ``nbgrader_config.py`` (traits of ``SandboxedKernelManager``)::

    c.SandboxedKernelManager.readonly_paths = ["/srv/course-data"]   # read-only, same path
    c.SandboxedKernelManager.pass_environment = ["COURSE_DATA"]      # grader's variables passed on
    c.SandboxedKernelManager.writable_submission = True              # may overwrite its own files
    c.SandboxedKernelManager.copy_back_files = True                  # written files reach autograded/ (default)

and whatever the sandbox still changes is never silent: :func:`explain_cell` looks at a
cell that failed and names the sandbox difference that caused it, with the setting
that would allow it; the grading log, the instructor report and
``coursekit grade --compare`` show those notes.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from pathlib import Path

#: Host folders that are never exposed, nor anything under them.
_NEVER = ("/proc", "/sys", "/dev", "/run", "/root", "/boot", "/etc", "/var/run")
#: Never passed to a kernel, whatever the configuration says.
_SECRET_VARIABLES = ("COURSEKIT_SECRET",)
#: Folders of the course root a kernel must never see (hidden tests, grades, other students).
_COURSE_PRIVATE = ("source", "release", "submitted", "autograded", "feedback", "reference", ".coursekit",
                   "gradebook.db", "nbgrader_config.py", "exchange")
SETTING = "c.SandboxedKernelManager.%s"


class ExposureError(ValueError):
    """A sandbox setting in the configuration would expose what must stay hidden."""


def _course_root(config) -> Path:
    root = (config or {}).get("CourseDirectory", {}).get("root") if config is not None else None
    return Path(root or os.getcwd()).resolve()


def check_readonly_paths(paths, root: Path) -> tuple[str, ...]:
    """The folders of ``readonly_paths``, resolved; :class:`ExposureError` for a dangerous one."""
    checked = []
    root = Path(root).resolve()
    private = [root / name for name in _COURSE_PRIVATE]
    for given in paths:
        if not os.path.isabs(given):
            raise ExposureError("%s: %r is not an absolute path" % (SETTING % "readonly_paths", given))
        path = Path(os.path.realpath(given))
        if not path.exists():
            raise ExposureError("%s: %s does not exist on this host" % (SETTING % "readonly_paths", given))
        if str(path) == "/" or any(str(path) == n or str(path).startswith(n + "/") for n in _NEVER):
            raise ExposureError("%s: %s is a system folder and is never exposed to student code"
                                % (SETTING % "readonly_paths", given))
        if path == root or root.is_relative_to(path):
            raise ExposureError("%s: %s contains the course root %s (hidden tests, gradebook, other students); "
                                "expose a data folder inside or beside it instead" % (SETTING % "readonly_paths",
                                                                                       given, root))
        for hidden in private:
            if path == hidden or path.is_relative_to(hidden) or hidden.is_relative_to(path):
                raise ExposureError("%s: %s would show %s to student code" % (SETTING % "readonly_paths",
                                                                               given, hidden))
        checked.append(str(path))
    return tuple(checked)


def exposed_paths(manager) -> tuple[str, ...]:
    """``manager.readonly_paths`` checked against its course root (``CourseDirectory.root``)."""
    return check_readonly_paths(manager.readonly_paths, _course_root(manager.config))


def exposed_environment(manager) -> dict[str, str]:
    """The grader's variables named in ``pass_environment`` (unset ones are left out)."""
    return {name: os.environ[name] for name in manager.pass_environment
            if name in os.environ and name not in _SECRET_VARIABLES}


# --------------------------------------------------------------------------- written files

def copy_written_files(home: str, destination: str, *, max_files: int, max_bytes: int,
                       submitted: str | None = None) -> tuple[list[str], list[str]]:
    """Copy regular files the notebook wrote under ``home`` into ``destination``.

    ``home`` is the kernel's working folder seen from the host (through ``/proc/PID/root``
    while the kernel runs); every step opens relative to a directory descriptor with
    ``O_NOFOLLOW``, so a link (or a folder swapped for one meanwhile) is refused, never
    followed onto the grader's files. Hidden top-level entries (``.ipython``, ``.cache``)
    and ``__pycache__`` are the kernel's, not the notebook's output; links to the
    submission's own entries are the sandbox's. Files equal to the submitted file of the same name are not copied.
    Returns (copied relative paths, refused entries with the reason).
    """
    copied: list[str] = []
    refused: list[str] = []
    budget = {"files": max_files, "bytes": max_bytes}
    try:
        top = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return copied, refused
    try:
        _copy_dir(top, "", Path(destination), Path(submitted) if submitted else None, copied, refused, budget, 0)
    finally:
        os.close(top)
    return copied, refused


def _copy_dir(dir_fd: int, relative: str, destination: Path, submitted: Path | None, copied, refused, budget,
              depth: int) -> None:
    if depth > 16:
        refused.append("%s (folders nested too deep)" % relative)
        return
    with os.scandir(dir_fd) as entries:
        names = sorted(entry.name for entry in entries)
    for name in names:
        path = relative + name
        if not relative and (name.startswith(".") or name == "__pycache__"):
            continue
        if name == "__pycache__" or name == ".ipynb_checkpoints":
            continue
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            if not (relative == "" and _is_submission_link(dir_fd, name)):
                refused.append("%s (a link)" % path)
        elif stat.S_ISDIR(info.st_mode):
            try:
                child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
            except OSError:
                refused.append("%s (a folder swapped meanwhile)" % path)
                continue
            try:
                _copy_dir(child, path + "/", destination, submitted, copied, refused, budget, depth + 1)
            finally:
                os.close(child)
        elif not stat.S_ISREG(info.st_mode):
            refused.append("%s (not a regular file)" % path)
        else:
            _copy_file(dir_fd, name, path, info.st_size, destination, submitted, copied, refused, budget)


def _is_submission_link(dir_fd: int, name: str) -> bool:
    """The sandbox links each submitted entry into the home: those are not the notebook's output."""
    try:
        from coursekit.sandbox import SUBMISSION
        return os.readlink(name, dir_fd=dir_fd) == SUBMISSION + "/" + name
    except OSError:
        return False


def _copy_file(dir_fd, name, path, size, destination: Path, submitted, copied, refused, budget) -> None:
    if budget["files"] <= 0 or size > budget["bytes"]:
        refused.append("%s (over %s)" % (path, "the file count" if budget["files"] <= 0 else "the size bound"))
        return
    try:
        handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError as error:
        refused.append("%s (%s)" % (path, os.strerror(error.errno or errno.EIO)))
        return
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            refused.append("%s (not a regular file)" % path)
            return
        data = b""
        while len(data) <= budget["bytes"]:
            chunk = os.read(handle, 1 << 20)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(handle)
    if len(data) > budget["bytes"]:
        refused.append("%s (over the size bound)" % path)
        return
    original = submitted / path if submitted is not None else None
    if original is not None and original.is_file() and not original.is_symlink() \
            and original.stat().st_size == len(data) and original.read_bytes() == data:
        return  # the submitted file itself, unchanged
    target = destination / path
    if target.is_symlink() or (target.exists() and not target.is_file()):
        refused.append("%s (would replace a folder or link)" % path)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".coursekit-copy")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    budget["files"] -= 1
    budget["bytes"] -= len(data)
    copied.append(path)


# --------------------------------------------------------------------------- differences

_QUOTED_PATH = re.compile(r"""['"](/[^'"\n]+)['"]""")
_ENV_NAME = re.compile(r"""(?:environ\s*\[\s*|environ\.get\s*\(\s*|getenv\s*\(\s*)['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")


def _error_text(cell, tracebacks: bool = True) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            parts.append("%s: %s" % (output.get("ename", ""), output.get("evalue", "")))
            if tracebacks:
                parts.extend(output.get("traceback", []))
    return "\n".join(parts)


def _under(path: str, folders) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def explain_cell(cell, manager, earlier: list[str] = ()) -> list[dict]:
    """Sandbox differences that explain why ``cell`` failed (empty if none applies).

    Each is ``{"event", "message", "setting"}``: a path that exists on the grading host
    but is outside the sandbox, a write to the read-only submission, a variable the
    grader has but the kernel was not given. ``earlier``: the sources of the cells run
    before it (a test cell fails where the function it calls was defined earlier).
    """
    errors = _error_text(cell)
    if not errors or manager is None or not getattr(manager, "sandboxed", False):
        return []
    found = []
    exposed = tuple(getattr(manager, "readonly_paths", ()) or ())
    from coursekit.sandbox import HOME, SUBMISSION
    # Paths the error names or the cell spells out; the system and Python folders are visible inside too.
    evalue = _error_text(cell, tracebacks=False)
    sources = "\n".join(list(earlier) + [cell.get("source", "")])
    candidates = set(_QUOTED_PATH.findall(evalue)) | set(_QUOTED_PATH.findall(sources))
    # The host's /tmp is not the sandbox's: a host path under it is outside too.
    visible = (HOME, SUBMISSION, "/usr", "/bin", "/sbin", "/lib", "/lib64", "/proc", "/dev", "/sys", "/etc",
               os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)) + exposed
    outside = sorted(p for p in candidates if not _under(os.path.normpath(p), visible) and os.path.exists(p))
    if outside and re.search(r"FileNotFoundError|No such file|NotADirectoryError|does not exist|OSError|IOError",
                             errors):
        folder = os.path.dirname(outside[0]) if os.path.isfile(outside[0]) else outside[0]
        found.append({"event": "outside_sandbox", "setting": SETTING % "readonly_paths",
                      "message": "%s exists on the grading host but not inside the sandbox; nbgrader would "
                                 "have read it. Allow it with %s = [%r]"
                                 % (", ".join(outside[:3]), SETTING % "readonly_paths", folder)})
    if re.search(r"Errno 30\]|Read-only file system", errors):
        found.append({"event": "read_only_write", "setting": SETTING % "writable_submission",
                      "message": "the notebook wrote to a read-only file (its submitted files are read-only in "
                                 "the sandbox; nbgrader lets it overwrite them). Allow it with %s = True"
                                 % (SETTING % "writable_submission")})
    passed = set(getattr(manager, "pass_environment", ()) or ())
    named = set(_ENV_NAME.findall(sources)) | set(re.findall(r"^KeyError: '([A-Za-z_][A-Za-z0-9_]*)'", evalue, re.M))
    missing = sorted(name for name in named
                     if name in os.environ and name not in passed and name not in _SECRET_VARIABLES)
    if missing:
        found.append({"event": "missing_environment", "setting": SETTING % "pass_environment",
                      "message": "the grader's environment has %s but the sandbox clears the environment; nbgrader "
                                 "would have passed it. Allow it with %s = %r"
                                 % (", ".join(missing), SETTING % "pass_environment", missing)})
    return found
