"""The course's nbgrader configuration, loaded once and passed to every worker."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


def load_config(root: Path) -> Config:
    """The config nbgrader would use in ``root``: Jupyter's config folders, then the course's file."""
    config = Config()
    for directory in list(reversed(jupyter_config_path())) + [str(root)]:
        if os.path.isfile(os.path.join(directory, CONFIG_FILE)):
            config.merge(PyFileConfigLoader(CONFIG_FILE, path=directory).load_config())
    config.CourseDirectory.root = str(root)
    return config


@dataclass
class Course:
    """Paths and settings of one course, read from its configuration."""

    root: Path
    config: Config

    @classmethod
    def load(cls, root: str | os.PathLike) -> "Course":
        root = Path(root).resolve()
        return cls(root, load_config(root))

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
                 self.root / "reference", self.root / CONFIG_FILE]
        for base in paths:
            for path in sorted(_files(base)):
                digest.update(str(path.relative_to(self.root)).encode() + b"\0")
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
