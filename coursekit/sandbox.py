"""A kernel manager that runs each submission's kernel in a bubblewrap sandbox.

What the student's code sees inside (whitelist, not blacklist):

- read-only: ``/usr``, ``/bin``, ``/lib*``, ``/etc``, the Python installation and the
  virtual environment the kernel runs from; nothing else of the host (no course root,
  no ``source/``, ``reference/``, gradebook, exchange or other students);
- its own submission folder, read-only, linked into a private writable home
  (``/home/student``, a size-limited tmpfs, which is also the working directory);
- a private size-limited ``/tmp``; no network (own network namespace); own PID, IPC
  and UTS namespaces; a scrubbed environment;
- an unprivileged user id (dropped with ``setpriv`` after bwrap sets up the mounts),
  so that rlimits on processes, memory, file size and open files really apply.

The grader reaches the kernel over ZeroMQ IPC sockets in a per-kernel folder that is
the only host path bound writable, because TCP on the host's loopback is not reachable
from a private network namespace.

Enable it with ``c.Execute.kernel_manager_class = "coursekit.sandbox.SandboxedKernelManager"``
(``nbgrader_config.py`` does). If bubblewrap is missing, starting a kernel fails with
:class:`SandboxUnavailable` unless ``SandboxedKernelManager.allow_unsandboxed`` is set.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, Unicode

HOME = "/home/student"
SUBMISSION = HOME + "/.submission"
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
_uid_counter = itertools.count()


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here, and unsandboxed grading was not allowed explicitly."""


@lru_cache(maxsize=None)
def sandbox_problem(bwrap: str = "bwrap") -> str | None:
    """``None`` when bubblewrap works here, else a sentence saying why not."""
    path = shutil.which(bwrap)
    if not path:
        return ("bubblewrap (bwrap) is not installed: install Debian's `bubblewrap` package "
                "(`make setup` does it) or pass --unsandboxed to grade without isolation")
    if os.geteuid() != 0:
        return ("the sandbox drops each kernel to its own unprivileged user, which needs the "
                "grader to run as root (as in the course's grading container)")
    probe = [path, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return "bubblewrap failed to start: %s" % error
    if result.returncode != 0:
        return "bubblewrap cannot create namespaces here: %s" % result.stderr.strip()
    return None


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _python_roots(executable: str) -> list[str]:
    """Folders a Python interpreter needs: its venv and the installation behind it."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    exe = os.path.realpath(executable)
    roots.add(str(Path(exe).parent.parent))
    if executable != exe:  # a venv's bin/python is a link into the base installation
        roots.add(str(Path(os.path.abspath(executable)).parent.parent))
    return sorted(r for r in roots if not any(r != o and r.startswith(o + "/") for o in roots))


class SandboxedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernels start inside bubblewrap (see module doc)."""

    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)
    allow_unsandboxed = Bool(False, help="Start kernels without a sandbox when bubblewrap is unavailable "
                                         "(student code then runs with the grader's rights).").tag(config=True)
    memory_limit_mb = Integer(6144, help="Address-space limit of the kernel process, MiB.").tag(config=True)
    max_processes = Integer(512, help="Processes and threads the kernel's user may run.").tag(config=True)
    max_file_size_mb = Integer(512, help="Largest file the kernel may write, MiB.").tag(config=True)
    home_size_mb = Integer(1024, help="Size of the writable home/working folder, MiB.").tag(config=True)
    tmp_size_mb = Integer(512, help="Size of the private /tmp, MiB.").tag(config=True)
    first_uid = Integer(61000, help="Kernels run as first_uid + n, one user per kernel.").tag(config=True)
    uid_pool = Integer(2000, help="How many user ids kernels rotate through.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._sandbox_dir: str | None = None
        self.sandboxed = False

    async def _async_pre_start_kernel(self, **kw):
        problem = sandbox_problem(self.bwrap)
        if problem:
            if not self.allow_unsandboxed:
                raise SandboxUnavailable("refusing to run student code without a sandbox: " + problem)
            self.log.warning("coursekit: running the kernel WITHOUT a sandbox: %s", problem)
            return await super()._async_pre_start_kernel(**kw)
        self.sandboxed = True
        uid = self.first_uid + (os.getpid() * 7 + next(_uid_counter)) % self.uid_pool
        if self._sandbox_dir:  # a restart: the old kernel's sockets are dead
            shutil.rmtree(self._sandbox_dir, ignore_errors=True)
        self._sandbox_dir = tempfile.mkdtemp(prefix="coursekit-kernel-")
        os.chmod(self._sandbox_dir, 0o711)
        sockets = os.path.join(self._sandbox_dir, "ipc")
        os.mkdir(sockets)
        os.chown(sockets, uid, uid)
        self.transport = "ipc"
        self.ip = os.path.join(sockets, "kernel")
        self.connection_file = os.path.join(self._sandbox_dir, "connection.json")
        submission = os.path.abspath(kw.get("cwd") or os.getcwd())
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        os.chmod(self.connection_file, 0o644)
        kw["cwd"] = "/"
        kw["env"] = {}  # bwrap --clearenv sets the kernel's environment below
        return self._wrap(cmd, submission, uid), kw

    def _wrap(self, cmd: list[str], submission: str, uid: int) -> list[str]:
        args = [self.bwrap]
        for directory in _SYSTEM_DIRS:
            if os.path.exists(directory):
                args += ["--ro-bind", directory, directory]
        for root in _python_roots(cmd[0]):
            for parent in _ancestors(root + "/x"):
                args += ["--perms", "0755", "--dir", parent]
            args += ["--ro-bind", root, root]
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(self.tmp_size_mb << 20), "--tmpfs", "/tmp",
                 "--perms", "0755", "--dir", "/home",
                 "--perms", "0777", "--size", str(self.home_size_mb << 20), "--tmpfs", HOME]
        for parent in _ancestors(self._sandbox_dir + "/x"):
            if parent != "/tmp":
                args += ["--perms", "0755", "--dir", parent]
        args += ["--bind", self._sandbox_dir, self._sandbox_dir]
        if os.path.isdir(submission):
            args += ["--ro-bind", submission, SUBMISSION]
            for entry in sorted(os.listdir(submission)):
                args += ["--symlink", "%s/%s" % (SUBMISSION, entry), "%s/%s" % (HOME, entry)]
        args += ["--chdir", HOME, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                 "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
        env = {"HOME": HOME, "PATH": "%s:/usr/local/bin:/usr/bin:/bin" % os.path.dirname(cmd[0]),
               "LANG": "C.UTF-8", "TMPDIR": "/tmp", "MPLBACKEND": "Agg", "PYTHONNOUSERSITE": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", ""),
               "COURSEKIT_SANDBOX": "1"}
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            if name in os.environ:
                env[name] = os.environ[name]
        for key, value in env.items():
            args += ["--setenv", key, value]
        # bwrap runs as root to build the mounts; setpriv then drops to a user of its own so
        # that the process limit is counted for this kernel alone and root's bypass is gone.
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
                 "setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--",
                 "prlimit", "--nproc=%d" % self.max_processes, "--as=%d" % (self.memory_limit_mb << 20),
                 "--fsize=%d" % (self.max_file_size_mb << 20), "--nofile=1024", "--core=0", "--"]
        return args + list(cmd)

    async def _async_interrupt_kernel(self):
        if not self.sandboxed:
            return await super()._async_interrupt_kernel()
        # A signal to bwrap does not reach the kernel in its own PID namespace and session;
        # ipykernel accepts an interrupt request on the control channel instead.
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    async def _async_cleanup_resources(self, restart: bool = False):
        await super()._async_cleanup_resources(restart=restart)
        if self._sandbox_dir and not restart:
            shutil.rmtree(self._sandbox_dir, ignore_errors=True)
            self._sandbox_dir = None
