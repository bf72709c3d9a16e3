"""Browser testing: Debian's chromium driven by Playwright, against a real JupyterLab server.

The one shared place for tests that look at the kit as a student or an instructor does
(``test_browser_*.py``, the adversarial XSS proof). What it gives a test:

- :func:`chromium_path` / :func:`require_chromium`: the system chromium (``make system-deps``
  installs it; Playwright never downloads a browser here), skip with the reason if missing;
- :func:`launch_chromium`: a headless chromium with a fresh user-data-dir, no sandbox (tests run
  as root in containers), no GPU, no background networking, updates or sync;
- :class:`JupyterLab`: a JupyterLab server of the kit's venv on 127.0.0.1 (free port, token) in a
  folder the test chooses, with a throw-away HOME so no personal Jupyter settings leak in; the
  working directory is a parameter because nbgrader's Validate reads ``nbgrader_config.py``
  from the *server's* working directory (and the Jupyter config path), never the notebook's;
- :class:`Steps`: named steps, a screenshot after each; when a step fails the screenshots stay in
  ``grader_tests/.artifacts/<test>/`` (gitignored) and the error says where;
- small JupyterLab actions (open a notebook, replace a cell, Restart & Run All, Validate).

Usage::

    from grader_tests.browser import JupyterLab, Steps, browser_page, require_chromium

    def test_x(tmp_path, request):
        with JupyterLab(tmp_path) as lab, browser_page(tmp_path) as page, Steps(page, request) as steps:
            with steps.step("open the notebook"):
                open_notebook(page, lab, "01_perceptron/perceptron.ipynb")
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest

from kit import BIN, ROOT, student_env
ARTIFACTS = ROOT / "grader_tests" / ".artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",              # tests run as root in containers, where chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",   # small /dev/shm in containers crashes tabs otherwise
]

#: Waits of the test harness (not settings of the user): generous, the machine may be shared.
SERVER_START_S = 180
UI_TIMEOUT_MS = 90_000


# --------------------------------------------------------------------------- chromium

def chromium_path() -> str | None:
    """The system chromium (Debian's ``chromium`` package), or None."""
    for candidate in (os.environ.get("COURSEKIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_chromium() -> str:
    """The chromium path; skips the test (with how to fix it) when chromium or Playwright is missing."""
    path = chromium_path()
    if path is None:
        pytest.skip("chromium is not installed: run `make system-deps` as root (Debian package chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the Python package playwright is missing: run `make setup`")
    return path


@contextlib.contextmanager
def launch_chromium(workdir: Path, viewport=(1400, 1000)):
    """A headless chromium context with a fresh user-data-dir under ``workdir``; yields a page."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir))
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=False)
        context.set_default_timeout(UI_TIMEOUT_MS)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            yield page
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


browser_page = launch_chromium


# --------------------------------------------------------------------------- JupyterLab

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_jupyter_env(home: Path, extra: dict | None = None) -> dict:
    """:func:`kit.student_env` for a JupyterLab server (a fresh HOME whose only setting answers
    JupyterLab's news question), with ``extra`` on top."""
    env = dict(student_env(home), PYTHONUNBUFFERED="1")
    # JupyterLab asks once whether it may fetch news: a student's answer, given here up front.
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env.update(extra or {})
    return env


class JupyterLab:
    """A JupyterLab server (the kit's venv) serving ``root`` on 127.0.0.1; a context manager.

    ``cwd`` is where the server process starts (default ``root``): nbgrader's Validate handler
    and formgrader read ``nbgrader_config.py`` from there. ``env`` adds to a clean environment
    (see :func:`clean_jupyter_env`); the log goes to ``log_path``.
    """

    def __init__(self, root: Path, cwd: Path | None = None, env: dict | None = None, home: Path | None = None):
        self.root = Path(root).resolve()
        self.cwd = Path(cwd or root).resolve()
        # a HOME made here is removed by stop() (the suite left one per server in /tmp before)
        self._own_home = home is None
        self.home = Path(home) if home else Path(tempfile.mkdtemp(prefix="jupyter-home-"))
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = clean_jupyter_env(self.home, env)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = self.home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def url(self, path: str = "") -> str:
        sep = "&" if "?" in path else "?"
        return "http://127.0.0.1:%d/%s%stoken=%s" % (self.port, path.lstrip("/"), sep, self.token)

    def start(self) -> "JupyterLab":
        command = [str(BIN / "jupyter-lab"), "--no-browser", "--ServerApp.ip=127.0.0.1",
                   "--ServerApp.port=%d" % self.port, "--ServerApp.port_retries=0", "--allow-root",
                   "--IdentityProvider.token=%s" % self.token, "--ServerApp.root_dir=%s" % self.root,
                   "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=self.cwd, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log()
                self.stop()
                raise RuntimeError("JupyterLab exited with %s:\n%s" % (self.process.returncode, log[-4000:]))
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        log = self.log()  # before stop() removes the HOME it is in
        self.stop()
        raise RuntimeError("JupyterLab did not answer within %d s:\n%s" % (SERVER_START_S, log[-4000:]))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                # The server's own process group: its kernels stop with it.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
        finally:
            if self.process is not None:
                self._log.close()
            if self._own_home:
                shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "JupyterLab":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- steps and screenshots

def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:80]


class Steps:
    """Named steps of one browser test, a full-page screenshot after each.

    Screenshots go to ``grader_tests/.artifacts/<test id>/NN-step.png``. If a step raises, its
    state is captured too, the error gets a note naming the folder (and the server log tail when
    a ``lab`` is given) and the folder is kept; after a passing test it is removed unless
    ``COURSEKIT_KEEP_SCREENSHOTS=1``.
    """

    def __init__(self, page, request, lab: JupyterLab | None = None):
        self.page = page
        self.lab = lab
        self.folder = ARTIFACTS / _safe(request.node.nodeid.split("::", 1)[-1] if request else "browser")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.failed = False
        self.keep = os.environ.get("COURSEKIT_KEEP_SCREENSHOTS") == "1"

    def shot(self, name: str) -> Path:
        self.count += 1
        path = self.folder / ("%02d-%s.png" % (self.count, _safe(name)))
        with contextlib.suppress(Exception):  # a screenshot must never hide the real failure
            self.page.screenshot(path=str(path), full_page=False)
        return path

    @contextlib.contextmanager
    def step(self, name: str):
        try:
            yield
        except BaseException as error:
            self.failed = True
            self.shot("FAILED-" + name)
            note = "browser step %r failed; screenshots of every step: %s" % (name, self.folder)
            if self.lab is not None:
                note += "\nJupyterLab log (tail):\n" + self.lab.log()[-3000:]
            if hasattr(error, "add_note"):
                error.add_note(note)
            print(note, file=sys.stderr)
            raise
        else:
            self.shot(name)

    def __enter__(self) -> "Steps":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and not self.failed:
            self.failed = True
            self.shot("FAILED-outside-a-step")
            print("browser test failed; screenshots: %s" % self.folder, file=sys.stderr)
        if not self.failed and not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


# --------------------------------------------------------------------------- JupyterLab actions

def log_in(page, lab: JupyterLab) -> None:
    """Log in through the server's login page, so pages that call the API with cookies only
    (formgrader's) are authorised; a token in the URL authorises that one request."""
    page.goto("http://127.0.0.1:%d/login" % lab.port)
    page.fill("input[type=password]", lab.token)
    page.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_load_state()


def open_notebook(page, lab: JupyterLab, path: str) -> None:
    """Open ``path`` (relative to the server root) in JupyterLab and wait for an idle kernel."""
    page.goto(lab.url("lab/tree/%s" % path))
    wait_notebook_ready(page)


def wait_notebook_ready(page) -> None:
    """Wait until the notebook's cells are shown and its kernel is connected and idle."""
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=UI_TIMEOUT_MS)
    wait_kernel_idle(page)


def wait_kernel_idle(page, timeout_ms: int = UI_TIMEOUT_MS) -> None:
    """Wait until the current notebook's kernel is connected and idle (the toolbar indicator)."""
    page.wait_for_function(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const indicator = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
            return indicator && indicator.getAttribute('data-status') === 'idle';
        }""", timeout=timeout_ms)


class BrowserRetry(UserWarning):
    """A browser step that needed another try (shown in pytest's warnings summary)."""


#: A run whose queued cells ([*]) sit under a kernel that is not busy this long has lost its requests.
STALL_MS = 30_000
#: A Restart & Run All press that shows no restart, or whose restarted kernel stays idle with no
#: cell queued, this long was swallowed.
IGNORED_MS = 8_000

_RUN_STATE = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return 'no notebook';
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent);
    return 'kernel ' + (indicator && indicator.getAttribute('data-status')) + ', prompts ' + prompts.join(' ');
}"""


def wait_run_finished(page, timeout_ms: int) -> str:
    """Wait until no cell of the current notebook is queued or running (no ``[*]`` prompt).

    Returns "finished", or "stalled" when cells stayed queued under a kernel that is not busy
    (idle, or a status the client lost track of), with no prompt changing, for ``STALL_MS``: the
    kernel never received them. Seen in CI right after a restart: the browser
    reconnected with the same session id, jupyter_server closed the "stale" handler and then read a
    message of the new wire protocol on it as the legacy one ("struct.error: unpack requires a
    buffer"); the cells sat queued for good. A person would reload the page and run them again.
    """
    handle = page.wait_for_function(
        """(stallMs) => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            if (!panel) return false;
            const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
            const status = indicator && indicator.getAttribute('data-status');
            const queued = prompts.some(p => p.textContent.includes('*'));
            if (!queued && status === 'idle') return 'finished';
            const state = status + '|' + prompts.map(p => p.textContent).join('|');
            const now = Date.now();
            if (window.__coursekitRunState !== state || status === 'busy') {
                window.__coursekitRunState = state;
                window.__coursekitRunSince = now;
                return false;
            }
            return now - window.__coursekitRunSince > stallMs ? 'stalled' : false;
        }""", arg=STALL_MS, timeout=timeout_ms, polling=1000)
    return handle.json_value()


def set_cell_source(page, index: int, source: str) -> None:
    """Replace the text of the ``index``-th cell as a student would (click, select all, paste)."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content")
    if cell.evaluate("c => c.classList.contains('jp-MarkdownCell')"):
        rendered = cell.locator(".jp-MarkdownOutput")
        if rendered.count() and rendered.first.is_visible():
            rendered.first.dblclick()
    editor.click()
    page.keyboard.press("Control+A")
    # insert_text is a paste: no auto-indent, no auto-closed brackets.
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")


def save_notebook(page) -> None:
    page.keyboard.press("Control+S")
    page.wait_for_function(
        """() => {
            const tab = document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty');
            return !tab;
        }""", timeout=UI_TIMEOUT_MS)


def restart_and_run_all(page, timeout_ms: int, attempts: int = 3) -> None:
    """Kernel -> Restart Kernel and Run All Cells (the toolbar's fast-forward button), confirm.

    Two things seen in CI make a person press it again: a click that lands while JupyterLab is
    still wiring the kernel up can be swallowed (the dialog closed, nothing ran), and a run right
    after the restart can stall with its cells queued under a kernel that never got them
    (:func:`wait_run_finished`). Before pressing again this saves the notebook and reloads the
    page, as a person would: a fresh page is a fresh websocket with a new session id, which the
    server cannot mistake for the stale one. Up to ``attempts`` presses; each waits for the run
    for at most ``timeout_ms``, and a run that stalls every time fails with the notebook's state.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    # Before the click, watch the kernel indicator. A restart shows at once as a status other than
    # idle (the client sets "restarting" before its request), and Run All queues every cell ([*]) as
    # soon as the restart is over. So a press that shows no restart within IGNORED_MS was swallowed,
    # and a restart whose kernel has been idle again for IGNORED_MS with nothing queued lost its Run
    # All (seen in CI: "restarted, nothing ran"): both are pressed again without waiting out 30 s.
    watch = """() => {
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
        window.__coursekitPressedAt = Date.now();
        window.__coursekitRestartSeen = false;
        window.__coursekitIdleSince = null;
        window.__coursekitRunState = undefined;
        if (window.__coursekitWatcher) window.__coursekitWatcher.disconnect();
        window.__coursekitWatcher = new MutationObserver(() => {
            if (indicator.getAttribute('data-status') !== 'idle') {
                window.__coursekitRestartSeen = true;
                window.__coursekitIdleSince = null;
            } else if (window.__coursekitRestartSeen && window.__coursekitIdleSince === null) {
                window.__coursekitIdleSince = Date.now();
            }
        });
        window.__coursekitWatcher.observe(indicator, {attributes: true, attributeFilter: ['data-status']});
    }"""
    started = """(ignoredMs) => {
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const prompt = panel && panel.querySelector('.jp-CodeCell .jp-InputArea-prompt');
        if (prompt && /[0-9*]/.test(prompt.textContent)) return 'started';
        const now = Date.now();
        if (!window.__coursekitRestartSeen && now - window.__coursekitPressedAt > ignoredMs) return 'ignored';
        if (window.__coursekitIdleSince !== null && now - window.__coursekitIdleSince > ignoredMs)
            return 'restarted, then nothing ran';
        return false;
    }"""
    seen = []
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            save_notebook(page)
            page.reload()
            wait_notebook_ready(page)
        else:
            wait_kernel_idle(page)
        page.evaluate(watch)
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                     "jp-button[data-command='notebook:restart-run-all']").click()
        page.locator(".jp-Dialog .jp-mod-accept").click()
        page.wait_for_selector(".jp-Dialog", state="detached")
        # The restart takes a moment: wait until the first code cell has been queued or run.
        try:
            outcome = page.wait_for_function(started, arg=IGNORED_MS, timeout=UI_TIMEOUT_MS // attempts).json_value()
        except PlaywrightTimeoutError:
            outcome = "restarted, nothing ran for %d s" % (UI_TIMEOUT_MS // attempts // 1000)
        if outcome != "started":
            seen.append("press %d: %s (%s)" % (attempt, outcome, page.evaluate(_RUN_STATE)))
            continue
        if wait_run_finished(page, timeout_ms) == "finished":
            if seen:  # in the run's warnings summary, even under -q: how often CI needs another press
                warnings.warn(BrowserRetry("Restart & Run All finished at press %d; before:\n%s"
                                           % (attempt, "\n".join(seen))))
            return
        seen.append("press %d: stalled for %d s (%s)" % (attempt, STALL_MS // 1000, page.evaluate(_RUN_STATE)))
    raise AssertionError("Restart & Run All never finished:\n" + "\n".join(seen))


def press_validate(page, timeout_ms: int) -> str:
    """Press nbgrader's Validate toolbar button; return the text of the results dialog (closed after)."""
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(state="visible", timeout=timeout_ms)
    text = dialog.inner_text()
    return text


def close_dialog(page) -> None:
    page.locator(".jp-Dialog .jp-Dialog-button").last.click()
    page.wait_for_selector(".jp-Dialog", state="detached")


def cell_outputs_text(page) -> list[str]:
    """The output text of every cell of the current notebook (textContent: JupyterLab skips
    rendering cells outside the viewport, so innerText would miss them), in order ('' when none)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')]
                 .map(c => { const o = c.querySelector('.jp-OutputArea'); return o ? o.textContent : ''; })""")
