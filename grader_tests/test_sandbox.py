"""Each isolation property of the sandbox, tested directly with a short-lived sandboxed command or kernel.

Commands run through :func:`coursekit.sandbox.run_sandboxed`, the same bubblewrap command
line a grading kernel gets; the kernel tests start a real ``SandboxedKernelManager``.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from coursekit.sandbox import (HOME, SUBMISSION, Limits, SandboxedKernelManager, SandboxUnavailable, UidLease,
                               run_sandboxed, sandbox_problem)

pytestmark = pytest.mark.skipif(sandbox_problem() is not None, reason="bubblewrap unusable here: %s"
                                % sandbox_problem())

SMALL = Limits(memory_mb=1024, processes=48, file_size_mb=8, home_size_mb=16, tmp_size_mb=16)


def python(code: str, workdir: Path | None = None, limits: Limits = SMALL, timeout: float = 120, env=None):
    """Run ``code`` with the course's Python in a fresh sandbox; stdout parsed as JSON when possible."""
    result = run_sandboxed([sys.executable, "-c", textwrap.dedent(code)], workdir=str(workdir) if workdir else None,
                           limits=limits, timeout=timeout, env=env)
    assert result.returncode == 0, "sandboxed code failed (%d):\n%s\n%s" % (result.returncode, result.stdout,
                                                                          result.stderr[-3000:])
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return result.stdout


# --------------------------------------------------------------------------- file system

def test_only_a_whitelist_of_the_host_is_visible(tmp_path):
    course = tmp_path / "course"
    (course / "reference").mkdir(parents=True)
    (course / "gradebook.db").write_text("grades")
    marker = Path("/tmp") / ("coursekit-marker-%d" % os.getpid())
    marker.write_text("host tmp")
    try:
        seen = python("""
            import json, os
            paths = [%r, %r, "/root/.ssh", "/root/.bashrc", "/root/.cache", "/var", "/run/docker.sock", "/etc/shadow", "/etc/pip.conf", "/etc/npmrc",
                     "/etc/machine-id", "/etc/gitconfig", "/etc/postgresql", "/sys/class", "/work/main/coursekit"]
            print(json.dumps({"exists": [p for p in paths if os.path.exists(p)], "tmp": os.listdir("/tmp"),
                              "etc": sorted(os.listdir("/etc"))}))
        """ % (str(course / "gradebook.db"), str(marker)))
    finally:
        marker.unlink()
    assert seen["exists"] == []
    # only the interpreter's own folders, where the course was cloned under /tmp
    from coursekit.sandbox import _python_roots
    interpreter = {Path(r).parts[2] for r in _python_roots(sys.executable) if Path(r).parts[1:2] == ("tmp",)}
    assert set(seen["tmp"]) == interpreter
    assert "passwd" in seen["etc"] and "shadow" not in seen["etc"] and "ld.so.cache" in seen["etc"]


def test_passwd_is_the_sandbox_own():
    seen = python("""
        import json, os, pwd
        print(json.dumps({"passwd": open("/etc/passwd").read(), "me": pwd.getpwuid(os.getuid()).pw_name}))
    """)
    assert seen["me"] == "student"
    assert len(seen["passwd"].splitlines()) == 3  # root, student, nobody: no host accounts


def test_system_and_python_are_read_only():
    seen = python("""
        import json, os, numpy
        results = {}
        for path in ("/usr/coursekit-test", os.path.join(os.path.dirname(numpy.__file__), "x.py"),
                     "/etc/coursekit-test", "/coursekit-test"):
            try:
                open(path, "w").close()
                results[path] = "written"
            except OSError as error:
                results[path] = type(error).__name__
        print(json.dumps(results))
    """)
    assert "written" not in seen.values(), seen


def test_submission_is_read_only_and_linked_into_a_writable_home(tmp_path):
    tmp_path.chmod(0o755)  # pytest makes it 0700; the kernel's user must be able to read it
    (tmp_path / "data.csv").write_text("1,2\n")
    seen = python("""
        import json, os
        out = {"cwd": os.getcwd(), "data": open("data.csv").read(), "link": os.readlink("data.csv")}
        try:
            open("%s/data.csv", "w").write("changed")
            out["submission"] = "written"
        except OSError as error:
            out["submission"] = type(error).__name__
        open("mine.txt", "w").write("ok")
        out["home_write"] = open("mine.txt").read()
        print(json.dumps(out))
    """ % SUBMISSION, workdir=tmp_path)
    assert seen == {"cwd": HOME, "data": "1,2\n", "link": SUBMISSION + "/data.csv", "submission": "OSError",
                    "home_write": "ok"}
    assert (tmp_path / "data.csv").read_text() == "1,2\n"


# --------------------------------------------------------------------------- identity and environment

def test_runs_as_an_unprivileged_user_without_capabilities():
    seen = python("""
        import json, os
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
        print(json.dumps({"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups(),
                          "cap_eff": status["CapEff"].strip(), "cap_bnd": status["CapBnd"].strip(),
                          "no_new_privs": status["NoNewPrivs"].strip()}))
    """)
    assert seen["uid"] == seen["euid"] >= 61000 and seen["gid"] == seen["uid"]
    assert seen["groups"] == []
    assert int(seen["cap_eff"], 16) == 0 and int(seen["cap_bnd"], 16) == 0
    assert seen["no_new_privs"] == "1"


def test_the_grader_environment_does_not_leak(monkeypatch):
    monkeypatch.setenv("COURSEKIT_SECRET", "do-not-show")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-show")
    seen = python("import json, os; print(json.dumps(dict(os.environ)))")
    assert "do-not-show" not in json.dumps(seen)
    assert seen["HOME"] == HOME and seen["COURSEKIT_SANDBOX"] == "1"


def test_host_processes_are_invisible():
    seen = python("import json, os; print(json.dumps(sorted(int(p) for p in os.listdir('/proc') if p.isdigit())))")
    assert max(seen) < 10  # bwrap's init, the command; the host's hundreds of pids are not there


# --------------------------------------------------------------------------- network

def test_no_network_not_even_the_host_loopback():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        seen = python("""
            import json, socket
            out = {"interfaces": [name for _, name in socket.if_nameindex()]}
            for label, address in (("host loopback", ("127.0.0.1", %d)), ("internet", ("1.1.1.1", 53))):
                try:
                    socket.create_connection(address, timeout=3).close()
                    out[label] = "connected"
                except OSError as error:
                    out[label] = type(error).__name__
            try:
                socket.getaddrinfo("pypi.org", 443)
                out["dns"] = "resolved"
            except OSError as error:
                out["dns"] = type(error).__name__
            print(json.dumps(out))
        """ % port)
    finally:
        server.close()
    assert seen["interfaces"] == ["lo"]
    assert seen["host loopback"] != "connected" and seen["internet"] != "connected"
    assert seen["dns"] == "gaierror"


# --------------------------------------------------------------------------- limits

def test_a_fork_bomb_hits_the_process_limit():
    seen = python("""
        import json, os
        children, error = [], None
        for _ in range(500):
            try:
                pid = os.fork()
            except OSError as exc:
                error = type(exc).__name__
                break
            if pid == 0:
                import time; time.sleep(30); os._exit(0)
            children.append(pid)
        print(json.dumps({"forked": len(children), "error": error}))
        for pid in children:
            os.kill(pid, 9)
    """)
    assert seen["error"] == "BlockingIOError" and seen["forked"] < SMALL.processes


def test_memory_is_limited():
    seen = python("""
        import json
        try:
            block = bytearray(3 * 2**30)
            print(json.dumps("allocated"))
        except MemoryError:
            print(json.dumps("MemoryError"))
    """)
    assert seen == "MemoryError"


def test_files_and_the_home_are_size_limited():
    seen = python("""
        import json, os
        out = {}
        try:
            with open("big.bin", "wb") as handle:
                handle.write(b"0" * (9 * 2**20))
            out["file"] = "written"
        except OSError as error:
            out["file"] = os.strerror(error.errno)
        os.remove("big.bin")
        written = 0
        try:
            for i in range(100):
                with open("part%d" % i, "wb") as handle:
                    handle.write(b"0" * (4 * 2**20))
                written += 4
        except OSError as error:
            out["home"] = os.strerror(error.errno)
        out["written_mb"] = written
        print(json.dumps(out))
    """)
    assert seen["file"] == "File too large"
    assert seen["home"] == "No space left on device" and seen["written_mb"] <= SMALL.home_size_mb


def test_concurrent_sandboxes_get_distinct_uids():
    leases = [UidLease() for _ in range(20)]
    try:
        assert len({lease.uid for lease in leases}) == 20
        other = subprocess.run([sys.executable, "-c", "from coursekit.sandbox import UidLease; "
                                "print([UidLease().uid for _ in range(20)])"], capture_output=True, text=True,
                               check=True, env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1])))
        assert not {lease.uid for lease in leases} & set(json.loads(other.stdout))
    finally:
        for lease in leases:
            lease.release()


# --------------------------------------------------------------------------- kernels

async def _kernel_session(code: str, cwd: Path, interrupt_after: float | None = None):
    km = SandboxedKernelManager(kernel_name="python3")
    await km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        km.seal()
        outputs = []
        msg_id = kc.execute(code)
        if interrupt_after is not None:
            await asyncio.sleep(interrupt_after)
            await km.interrupt_kernel()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            msg = await kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                outputs.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                outputs.append("ERROR " + msg["content"]["ename"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        return "".join(outputs), km._sandbox_dir
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def test_a_kernel_runs_in_the_sandbox_and_is_interruptible(tmp_path):
    tmp_path.chmod(0o755)
    (tmp_path / "data.csv").write_text("1\n")
    out, sandbox_dir = asyncio.run(_kernel_session(
        "import os, time\nprint(os.getcwd(), os.getuid() >= 61000, open('data.csv').read().strip())\n"
        "while True:\n    time.sleep(0.01)", tmp_path, interrupt_after=3))
    assert out.splitlines()[0] == "%s True 1" % HOME
    assert "ERROR KeyboardInterrupt" in out
    assert not os.path.exists(sandbox_dir)  # its private folder is gone with it


def test_a_kernel_cannot_write_into_its_ipc_folder(tmp_path):
    out, _ = asyncio.run(_kernel_session(
        "import os\nfrom ipykernel import get_connection_file\n"
        "ipc = os.path.join(os.path.dirname(get_connection_file()), 'ipc')\n"
        "print(sorted(os.listdir(ipc))[:1])\n"
        "try:\n    open(os.path.join(ipc, 'fill'), 'w').write('x')\n    print('written')\n"
        "except OSError as e:\n    print(type(e).__name__)", tmp_path))
    assert out.splitlines()[0].startswith("['kernel")  # its own sockets are there...
    assert out.splitlines()[1] == "PermissionError"      # ...but it can add nothing


def test_grading_refuses_without_bubblewrap(tmp_path):
    assert "not installed" in sandbox_problem("coursekit-no-such-bwrap")
    manager = SandboxedKernelManager(kernel_name="python3", bwrap="coursekit-no-such-bwrap")
    with pytest.raises(SandboxUnavailable):
        asyncio.run(manager.start_kernel(cwd=str(tmp_path)))
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "grade", "anything", "--root", str(tmp_path)],
                            capture_output=True, text=True, cwd=str(Path(__file__).parents[1]),
                            env={"PATH": "/nonexistent", "PYTHONPATH": str(Path(__file__).parents[1])})
    assert result.returncode == 2
    assert "bubblewrap (bwrap) is not installed" in result.stderr and "--unsandboxed" in result.stderr
