"""The course's nbgrader configuration, found as nbgrader finds it, loaded once for every worker.

nbgrader reads ``nbgrader_config.py`` (and ``.json``) from Jupyter's configuration
folders (``jupyter --paths``: ``~/.jupyter``, the environment's ``etc/jupyter``,
``/etc/jupyter``, ...), then from the folder it runs in, which wins. The course is
``CourseDirectory.root`` if the configuration sets it (JupyterHub setups put it in
``~/.jupyter``), else that folder. :meth:`Course.load` does exactly that, with nbgrader's
own loader; ``--root ROOT`` means "as if run from ROOT". A course root's own
``nbgrader_config.py`` that nbgrader would not read (run from elsewhere) is not read
here either, and :attr:`Course.ignored_config` names it so the command can say so.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

CONFIG_FILE = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The course cannot be used as found (no gradebook, ...); the message says why."""


@contextlib.contextmanager
def _working_directory(folder: Path):
    saved = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(saved)


def load_config(folder: Path) -> tuple[Config, list[str]]:
    """The configuration ``nbgrader`` run in ``folder`` would use, and the files it came from."""
    from nbgrader.apps.baseapp import NbGrader

    app = NbGrader()
    app.log.setLevel(logging.ERROR)  # "No nbgrader_config.py file found" is nbgrader's to say, not ours
    with _working_directory(folder):
        app.load_config_file()
    config = Config()
    config.merge(app.config)
    return config, [str(Path(f).resolve()) for f in app.loaded_config_files]


@dataclass
class Course:
    """Paths and settings of one course, read from its configuration."""

    root: Path
    config: Config
    config_files: list[str] = field(default_factory=list)
    ignored_config: Path | None = None

    @classmethod
    def load(cls, root: str | os.PathLike | None = None, overrides: Config | None = None) -> "Course":
        """The course nbgrader would grade when run from ``root`` (default: the current folder).

        Without ``root`` the course is ``CourseDirectory.root`` from the configuration, if
        set; ``overrides`` (command-line-like settings) are merged last.
        """
        folder = Path(root if root is not None else os.getcwd()).resolve()
        config, files = load_config(folder)
        if overrides is not None:
            config.merge(overrides)
        configured = config.CourseDirectory.get("root") if "root" in config.CourseDirectory else None
        course_root = folder if root is not None or not configured else (folder / configured).resolve()
        config.CourseDirectory.root = str(course_root)
        own = course_root / CONFIG_FILE
        ignored = own if own.is_file() and str(own.resolve()) not in files else None
        return cls(course_root, config, files, ignored)

    def require_gradebook(self) -> None:
        """Refuse a SQLite gradebook that does not exist (opening it would create an empty one)."""
        url = self.db_url
        if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).is_file():
            raise CourseError("no gradebook at %s: is %s the course root? (run from the course folder, pass "
                              "--root, or set c.CourseDirectory.root; `nbgrader generate_assignment` creates it)"
                              % (url[len("sqlite:///"):], self.root))

    def _directory(self, name: str, default: str) -> str:
        return self.config.CourseDirectory.get(name, default)

    def path(self, step: str, student: str, assignment: str) -> Path:
        """``root/<step directory>/<student>/<assignment>`` (nbgrader's default layout)."""
        directory = self._directory(step + "_directory", step)
        return self.root / directory / student / assignment

    @property
    def db_url(self) -> str:
        return self.config.CourseDirectory.get("db_url") or "sqlite:///%s" % (self.root / "gradebook.db")

    @property
    def course_id(self) -> str:
        return self.config.CourseDirectory.get("course_id") or "default_course"

    def state_dir(self, assignment: str) -> Path:
        """Where ``coursekit grade`` keeps its log and what it graded (grader-only, never released)."""
        return self.root / ".coursekit" / "grading" / assignment

    def submissions(self, assignment: str) -> list[str]:
        """Students with a submission folder for ``assignment``, sorted."""
        base = self.root / self._directory("submitted_directory", "submitted")
        if not base.is_dir():
            return []
        return sorted(entry.name for entry in base.iterdir()
                      if not entry.name.startswith(".") and (entry / assignment).is_dir()
                      and not (entry / assignment).is_symlink())

    def inputs_fingerprint(self, assignment: str) -> str:
        """A hash of everything besides the submission that decides a grade.

        The source assignment, ``reference/``, the configuration and the hidden-test
        secret: when any changes, earlier results are stale and are graded again.
        """
        digest = hashlib.sha256()
        paths = [self.root / self._directory("source_directory", "source") / assignment,
                 self.root / "reference"] + [Path(f) for f in self.config_files]
        for base in paths:
            for path in sorted(_files(base)):
                digest.update(os.path.relpath(path, self.root).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
        secret = os.environ.get("COURSEKIT_SECRET", "")
        if not secret and (self.root / ".coursekit" / "secret").exists():
            secret = (self.root / ".coursekit" / "secret").read_text().strip()
        digest.update(hashlib.sha256(secret.encode()).digest())
        return digest.hexdigest()


def _files(base: Path):
    if base.is_file():
        yield base
    elif base.is_dir():
        for directory, subdirectories, names in os.walk(base):
            subdirectories[:] = [d for d in subdirectories if d not in ("__pycache__", ".ipynb_checkpoints")]
            for name in names:
                if not name.endswith(".pyc"):
                    yield Path(directory) / name
