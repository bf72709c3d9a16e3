"""Run student code in a bubblewrap sandbox: kernels for grading, or single commands.

What the student's code sees inside (a whitelist, not a blacklist):

- read-only: ``/usr``, ``/bin``, ``/lib*``, the Python installation and the virtual
  environment the kernel runs from, and a short list of ``/etc`` entries that programs
  need (``ld.so.cache``, ``alternatives``, ``fonts``, ``localtime``, ...). The rest of
  ``/etc`` stays hidden (``shadow``, ``pip.conf`` and ``npmrc`` with registry tokens,
  ``machine-id``, database configs); ``passwd``, ``group``, ``hosts`` and
  ``nsswitch.conf`` are small files written for the sandbox. Nothing else of the host:
  no course root, ``source/``, ``reference/``, gradebook, exchange, other students,
  ``/root``, ``/home``, ``/var``, ``/run``, ``/sys`` or the host's ``/tmp``;
- its own submission folder, read-only at ``/submission``, each entry
  linked into a private writable home (``/home/student``, a size-limited tmpfs, which is
  also the working directory);
- a private size-limited ``/tmp`` and ``/dev/shm``; no network (own network namespace,
  loopback only); own PID (the host's processes and ``/proc`` are invisible), IPC and
  UTS namespaces; a fixed environment (nothing of the grader's environment leaks in);
- an unprivileged user id of its own (bwrap builds the mounts as root, then ``setpriv``
  drops to the uid with no capabilities and ``no_new_privs``), so rlimits on processes,
  address space, file size and open files really apply, and a fork bomb only exhausts
  its own uid's process quota. Uids are leased with a lock file per uid, so two kernels
  running at once, in any process on this host, never share one.

The grader reaches a kernel over ZeroMQ IPC sockets in a per-kernel folder, because TCP
on the host's loopback is not reachable from a private network namespace. That folder is
the only host path the kernel may write to, and only while it starts: once the kernel is
ready, :meth:`SandboxedKernelManager.seal` hands the folder back to root, so student
code cannot fill the host's disk through it.

Enable it with ``c.Execute.kernel_manager_class`` (``coursekit.execute.GradingExecute``
makes it the default). If bubblewrap is missing, starting a kernel fails with
:class:`SandboxUnavailable` unless ``SandboxedKernelManager.allow_unsandboxed`` is set.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode

HOME = "/home/student"
#: Outside the home, so that no file name in a submission (a student's own ``.submission``)
#: can collide with the mount point when its entries are linked into the home.
SUBMISSION = "/submission"
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: /etc entries programs need; everything else in /etc stays hidden.
_ETC_WHITELIST = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
                  "fonts", "mime.types", "os-release", "protocols", "services", "ssl/certs",
                  "ca-certificates", "ca-certificates.conf", "debian_version")
#: Environment variables the grader may pass on (thread counts), all others are fixed.
_PASSED_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NBGRADER_EXECUTION")
_TAIL_BYTES = 16384


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here, and unsandboxed grading was not allowed explicitly."""


@lru_cache(maxsize=None)
def sandbox_problem(bwrap: str = "bwrap") -> str | None:
    """``None`` when bubblewrap works here, else a sentence saying why not."""
    path = shutil.which(bwrap)
    if not path:
        return ("bubblewrap (bwrap) is not installed: install Debian's `bubblewrap` package "
                "(`make setup` does it) or pass --unsandboxed to grade without isolation")
    if not shutil.which("setpriv") or not shutil.which("prlimit"):
        return "setpriv and prlimit (Debian's util-linux) are needed to drop privileges in the sandbox"
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


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (sizes in MiB)."""

    memory_mb: int = 6144        # address space of each process (RLIMIT_AS)
    processes: int = 512         # processes and threads of the sandbox's uid (RLIMIT_NPROC)
    file_size_mb: int = 512      # largest file it may write (RLIMIT_FSIZE)
    open_files: int = 1024       # RLIMIT_NOFILE
    home_size_mb: int = 1024     # the writable home / working folder (tmpfs)
    tmp_size_mb: int = 512       # /tmp and /dev/shm (tmpfs, each)


def runtime_dir() -> str:
    """Root-only folder for the sandboxes' private files (their IPC sockets, /etc files).

    Outside ``/tmp`` where possible (``/run`` is a tmpfs), so that the host path a kernel
    must see for its own sockets leaves its private ``/tmp`` empty.
    """
    for base in ("/run", tempfile.gettempdir()):
        path = os.path.join(base, "coursekit-sandboxes")
        try:
            os.makedirs(path, mode=0o711, exist_ok=True)
            return path
        except OSError:
            continue
    raise RuntimeError("no folder for sandbox runtime files")


def _fresh_prefix(kind: str, uid: int) -> str:
    """Name prefix for a sandbox of ``uid``; removes folders a killed grader left for that uid.

    Whoever holds the uid's lease owns its folders, so once we hold it any older folder
    of that uid is stale (its kernel died with the process that leased the uid).
    """
    prefix = "%s%d-" % (kind, uid)
    for stale in Path(runtime_dir()).glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    return prefix


# --------------------------------------------------------------------------- user ids

class UidLease:
    """An unprivileged uid reserved for one sandbox, by an ``flock`` on a per-uid file.

    The lock dies with the process holding it, so a crashed grader never leaks a uid.
    """

    def __init__(self, first_uid: int = 61000, pool: int = 2000, lock_dir: str | None = None):
        self.lock_dir = lock_dir or os.path.join(tempfile.gettempdir(), "coursekit-uids")
        os.makedirs(self.lock_dir, mode=0o700, exist_ok=True)
        start = random.randrange(pool)
        for offset in range(pool):
            uid = first_uid + (start + offset) % pool
            fd = os.open(os.path.join(self.lock_dir, str(uid)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                os.close(fd)
                if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    continue
                raise
            self.uid, self._fd = uid, fd
            return
        raise RuntimeError("all %d sandbox user ids are in use" % pool)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


# --------------------------------------------------------------------------- command line

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
    roots = {r for r in roots if r not in ("/", "/usr")}
    return sorted(r for r in roots if not any(r != o and r.startswith(o + "/") for o in roots))


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o644)


def prepare_private_dir(private_dir: str, uid: int) -> None:
    """Write the sandbox's own small /etc files into ``private_dir/etc`` (host side, root-owned)."""
    etc = os.path.join(private_dir, "etc")
    os.makedirs(etc, exist_ok=True)
    os.chmod(etc, 0o755)
    _write(os.path.join(etc, "passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
           "student:x:%d:%d:student:%s:/usr/sbin/nologin\n"
           "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" % (uid, uid, HOME))
    _write(os.path.join(etc, "group"), "root:x:0:\nstudent:x:%d:\nnogroup:x:65534:\n" % uid)
    _write(os.path.join(etc, "hosts"), "127.0.0.1 localhost sandbox\n::1 localhost\n")
    _write(os.path.join(etc, "hostname"), "sandbox\n")
    _write(os.path.join(etc, "nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files\n")


def bwrap_command(command: list[str], *, private_dir: str, uid: int, limits: Limits = Limits(),
                  workdir: str | None = None, writable: tuple[str, ...] = (), readable: tuple[str, ...] = (),
                  python: str | None = None, env: dict | None = None, bwrap: str = "bwrap",
                  link_submission: bool = True) -> list[str]:
    """The full command line that runs ``command`` in a sandbox (see the module doc).

    ``workdir``: host folder shown read-only at ``/submission``, its entries
    linked into the home. ``writable`` / ``readable``: extra host paths bound at the same
    place (the kernel's IPC folder, its connection file). ``private_dir``: a root-owned
    folder of :func:`prepare_private_dir`. ``link_submission=False``: the submission's
    entries are not linked into the home (the caller copies them there, so the notebook
    may overwrite its own files: ``SandboxedKernelManager.writable_submission``).
    """
    python = python or sys.executable
    args = [bwrap]
    for directory in _SYSTEM_DIRS:
        if os.path.exists(directory):
            args += ["--ro-bind", directory, directory]
    args += ["--perms", "0755", "--dir", "/etc"]
    for entry in _ETC_WHITELIST:
        if os.path.exists("/etc/" + entry):
            args += ["--ro-bind", "/etc/" + entry, "/etc/" + entry]
    for name in ("passwd", "group", "hosts", "hostname", "nsswitch.conf"):
        args += ["--ro-bind", os.path.join(private_dir, "etc", name), "/etc/" + name]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limits.tmp_size_mb << 20), "--tmpfs", "/dev/shm",
             "--perms", "1777", "--size", str(limits.tmp_size_mb << 20), "--tmpfs", "/tmp",
             "--perms", "0755", "--dir", "/home",
             "--perms", "0777", "--size", str(limits.home_size_mb << 20), "--tmpfs", HOME]
    # Bound after the /tmp tmpfs, so a course cloned under /tmp keeps its interpreter visible.
    mounts = [("--ro-bind", root, root + "/x") for root in _python_roots(python)]  # folders: make them too
    mounts += [("--bind" if path in writable else "--ro-bind", path, path) for path in tuple(writable) + tuple(readable)]
    for kind, path, below in mounts:
        for parent in _ancestors(below):
            if parent != "/tmp":
                args += ["--perms", "0755", "--dir", parent]
        args += [kind, path, path]
    if workdir and os.path.isdir(workdir):
        args += ["--ro-bind", workdir, SUBMISSION]
        for entry in sorted(os.listdir(workdir)) if link_submission else ():
            args += ["--symlink", "%s/%s" % (SUBMISSION, entry), "%s/%s" % (HOME, entry)]
    args += ["--chdir", HOME, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
             "--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent", "--new-session",
             "--clearenv"]
    # No MPLBACKEND: a kernel then uses ipykernel's inline backend, so the student's figures
    # reach the autograded notebook (graders mark plots); a plain command has no display
    # and matplotlib falls back to Agg by itself.
    environment = {"HOME": HOME, "USER": "student", "LOGNAME": "student",
                   "PATH": "%s:/usr/local/bin:/usr/bin:/bin" % os.path.dirname(python),
                   "LANG": "C.UTF-8", "TMPDIR": "/tmp", "PYTHONNOUSERSITE": "1",
                   "PYTHONDONTWRITEBYTECODE": "1", "COURSEKIT_SANDBOX": "1"}
    for name in _PASSED_ENV:
        if name in os.environ:
            environment[name] = os.environ[name]
    environment.update(env or {})
    for key, value in environment.items():
        args += ["--setenv", key, value]
    # bwrap runs as root to build the mounts; setpriv then drops to a user of its own so
    # that the process limit counts this sandbox alone and root's bypasses are gone.
    args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
             "setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
             "prlimit", "--nproc=%d" % limits.processes, "--as=%d" % (limits.memory_mb << 20),
             "--fsize=%d" % (limits.file_size_mb << 20), "--nofile=%d" % limits.open_files, "--core=0", "--"]
    return args + list(command)


def run_sandboxed(command: list[str], *, workdir: str | None = None, limits: Limits = Limits(),
                  timeout: float = 60, input: str | None = None, env: dict | None = None,
                  bwrap: str = "bwrap") -> subprocess.CompletedProcess:
    """Run one command in a fresh sandbox and wait for it (text output captured)."""
    problem = sandbox_problem(bwrap)
    if problem:
        raise SandboxUnavailable(problem)
    lease = UidLease()
    private_dir = tempfile.mkdtemp(prefix=_fresh_prefix("c", lease.uid), dir=runtime_dir())
    try:
        os.chmod(private_dir, 0o711)
        prepare_private_dir(private_dir, lease.uid)
        argv = bwrap_command(command, private_dir=private_dir, uid=lease.uid, limits=limits,
                             workdir=workdir, env=env, bwrap=bwrap)
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input,
                              env={}, cwd="/")
    finally:
        shutil.rmtree(private_dir, ignore_errors=True)
        lease.release()


# --------------------------------------------------------------------------- kernels

def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


class _Tail:
    """Drains a kernel's stdout/stderr pipe, keeping only its last bytes (for crash reports)."""

    def __init__(self, stream):
        self.data = b""
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream) -> None:
        try:
            while True:
                chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
                if not chunk:
                    return
                self.data = (self.data + chunk)[-_TAIL_BYTES:]
        except (OSError, ValueError):  # the provisioner closed the pipe
            return

    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


class SandboxedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernels start inside bubblewrap (see module doc)."""

    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)
    allow_unsandboxed = Bool(False, help="Start kernels without a sandbox when bubblewrap is unavailable "
                                         "(student code then runs with the grader's rights).").tag(config=True)
    memory_limit_mb = Integer(6144, help="Address-space limit of the kernel process, MiB.").tag(config=True)
    max_processes = Integer(512, help="Processes and threads the kernel's user may run.").tag(config=True)
    max_file_size_mb = Integer(512, help="Largest file the kernel may write, MiB.").tag(config=True)
    max_open_files = Integer(1024, help="Files the kernel may hold open.").tag(config=True)
    home_size_mb = Integer(1024, help="Size of the writable home/working folder, MiB.").tag(config=True)
    tmp_size_mb = Integer(512, help="Size of the private /tmp (and of /dev/shm), MiB.").tag(config=True)
    first_uid = Integer(61000, help="Kernels run as a uid in [first_uid, first_uid + uid_pool).").tag(config=True)
    uid_pool = Integer(2000, help="How many user ids kernels are leased from.").tag(config=True)
    # What an instructor may open up (coursekit/exposure.py checks them; docs/grading.md, "Switching").
    readonly_paths = List(Unicode(), help="Host folders (absolute) the kernel may read, shown read-only at the "
                                          "same path (shared course data). Never the course root, its source, "
                                          "reference, gradebook or grading state.").tag(config=True)
    pass_environment = List(Unicode(), help="Names of the grader's environment variables passed to the kernel "
                                            "(e.g. a data folder); all others stay out.").tag(config=True)
    writable_submission = Bool(False, help="Copy the submission into the kernel's home instead of linking it "
                                           "read-only, so a notebook may overwrite its own files (as with plain "
                                           "nbgrader); costs the copy, counted against home_size_mb.").tag(config=True)
    copy_back_files = Bool(True, help="Copy files the notebook writes in its folder back next to the autograded "
                                      "notebook, as nbgrader does (regular files only, bounded).").tag(config=True)
    copy_back_max_files = Integer(200, help="At most this many written files are copied back.").tag(config=True)
    copy_back_max_mb = Integer(100, help="At most this many MiB of written files are copied back.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._sandbox_dir: str | None = None
        self._lease: UidLease | None = None
        self._tail: _Tail | None = None
        self.sandboxed = False
        #: A spare starts before its notebook is known, with an empty submission folder
        #: (``slot``) that :meth:`fill_slot` fills once it is (see GradingExecute.prelaunch).
        self.spare = False

    @property
    def limits(self) -> Limits:
        return Limits(memory_mb=self.memory_limit_mb, processes=self.max_processes,
                      file_size_mb=self.max_file_size_mb, open_files=self.max_open_files,
                      home_size_mb=self.home_size_mb, tmp_size_mb=self.tmp_size_mb)

    async def _async_pre_start_kernel(self, **kw):
        problem = sandbox_problem(self.bwrap)
        if problem:
            if not self.allow_unsandboxed:
                raise SandboxUnavailable("refusing to run student code without a sandbox: " + problem)
            self.log.warning("coursekit: running the kernel WITHOUT a sandbox: %s", problem)
            return await super()._async_pre_start_kernel(**kw)
        self.sandboxed = True
        self._release_sandbox()  # a restart: the old kernel's sockets and uid are done with
        self._lease = UidLease(self.first_uid, self.uid_pool)
        uid = self._lease.uid
        self._sandbox_dir = tempfile.mkdtemp(prefix=_fresh_prefix("k", uid), dir=runtime_dir())
        os.chmod(self._sandbox_dir, 0o711)
        prepare_private_dir(self._sandbox_dir, uid)
        sockets = os.path.join(self._sandbox_dir, "ipc")
        os.mkdir(sockets, 0o700)
        os.chown(sockets, uid, uid)  # the kernel binds its sockets here; sealed once it is ready
        self.transport = "ipc"
        self.ip = os.path.join(sockets, "kernel")
        self.connection_file = os.path.join(self._sandbox_dir, "connection.json")
        submission = os.path.abspath(kw.get("cwd") or os.getcwd())
        if self.spare:
            submission = os.path.join(self._sandbox_dir, "slot")
            os.mkdir(submission, 0o755)
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        os.chmod(self.connection_file, 0o644)
        kw["cwd"] = "/"
        kw["env"] = {}  # bwrap --clearenv sets the kernel's environment
        kw["stdout"] = subprocess.PIPE  # kept as a short tail for crash reports, never on our terminal
        kw["stderr"] = subprocess.STDOUT
        kw["stdin"] = subprocess.DEVNULL
        from coursekit.exposure import exposed_environment, exposed_paths
        command = bwrap_command(cmd, private_dir=self._sandbox_dir, uid=uid, limits=self.limits,
                                workdir=submission, writable=(sockets,),
                                readable=(self.connection_file,) + exposed_paths(self),
                                python=cmd[0], bwrap=self.bwrap, env=exposed_environment(self),
                                link_submission=not self.writable_submission)
        return command, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        process = getattr(self.provisioner, "process", None)
        if self.sandboxed and process is not None and process.stdout is not None:
            self._tail = _Tail(process.stdout)

    def fill_slot(self, workdir: str) -> list[str]:
        """Show ``workdir``'s entries to a spare kernel (hard links where possible); return their names.

        The kernel sees them read-only under ``/submission``; linking them into
        its home is the caller's job (bwrap linked the entries of an ordinary start).
        """
        slot = os.path.join(self._sandbox_dir, "slot")
        entries = sorted(os.listdir(workdir))
        for entry in entries:
            source, target = os.path.join(workdir, entry), os.path.join(slot, entry)
            if os.path.isdir(source) and not os.path.islink(source):
                shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(source, target)
        return entries

    def discard(self) -> None:
        """Kill the kernel at once and remove its sandbox (no event loop needed: for exit handlers)."""
        process = getattr(self.provisioner, "process", None) if self.provisioner is not None else None
        if process is not None and process.poll() is None:
            process.kill()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._release_sandbox()

    def seal(self) -> None:
        """Take the IPC folder back from the kernel's user once its sockets exist (call when ready)."""
        if self.sandboxed and self._sandbox_dir:
            sockets = os.path.join(self._sandbox_dir, "ipc")
            os.chown(sockets, 0, 0)
            os.chmod(sockets, 0o755)

    def sandbox_root(self) -> str | None:
        """The kernel's root file system as root sees it from the host (``/proc/PID/root``), or None.

        bwrap's first process stays in the host's namespaces; its child lives in the sandbox's.
        """
        process = getattr(self.provisioner, "process", None) if self.provisioner is not None else None
        if not self.sandboxed or process is None or process.poll() is not None:
            return None
        try:
            with open("/proc/%d/task/%d/children" % (process.pid, process.pid)) as handle:
                children = handle.read().split()
        except OSError:
            return None
        return "/proc/%s/root" % children[0] if children else None

    def output_tail(self) -> str:
        """The last lines the kernel process wrote to its own stdout/stderr (not to the notebook)."""
        return self._tail.text() if self._tail else ""

    async def exit_status(self) -> int | None:
        """The kernel process's exit status (bwrap passes the kernel's on), or None if running."""
        if self.provisioner is None:
            return None
        process = getattr(self.provisioner, "process", None)
        return process.poll() if process is not None else await self.provisioner.poll()

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
        if not restart:
            self._release_sandbox()

    # AsyncKernelManager binds these public names to the base class's coroutines, so the
    # overrides above must be bound again to be reached through them.
    interrupt_kernel = _async_interrupt_kernel
    cleanup_resources = _async_cleanup_resources

    def _release_sandbox(self) -> None:
        if self._sandbox_dir:
            shutil.rmtree(self._sandbox_dir, ignore_errors=True)
            self._sandbox_dir = None
        if self._lease is not None:
            self._lease.release()
            self._lease = None
