"""nbgrader's ``Execute`` preprocessor, hardened for grading a whole class.

:class:`GradingExecute` runs each kernel in the sandbox (:mod:`coursekit.sandbox`) and
survives what student code does to a kernel, so that a submission loses only the cells
that really failed:

- **Timeouts.** Each cell has ``Execute.timeout`` seconds and the whole notebook
  ``GradingExecute.notebook_timeout``. After a timeout the kernel is interrupted; if it
  does not come back (a loop that swallows ``KeyboardInterrupt``, code stuck in C), it is
  restarted. Later cells keep ``Execute.timeout``, as in nbgrader; a course may set
  ``timeout_after_timeout`` to give them less (an infinite loop then costs one full
  timeout, not one per test that calls it), and a later cell stopped by that shorter
  limit is reported as a difference from nbgrader, naming the setting.
- **Dead kernels** (``os._exit``, a segfault, the memory limit): the cell that killed
  it gets a clear error output, a new kernel starts, the earlier non-test cells that
  had succeeded are run again silently (so the student's definitions exist), and
  grading goes on with the next cell. The crashed cell is not run again.
- **Floods.** A cell keeps at most ``max_output_bytes`` of output; the rest is dropped
  with a note, so a print loop cannot exhaust the grader's memory. Every path into a
  cell's outputs counts: prints and C-level writes, ``display()``, ``update_display_data``
  (which nbclient applies without passing through :meth:`output`) and widget messages.
  No single message from the kernel may exceed ``max_message_mb`` (ZeroMQ drops the
  connection for it before it is read into memory) and at most ``receive_queue``
  messages wait in the grader, so the grader's memory stays bounded whatever a
  submission prints or returns.
- **Results first.** A hidden check's result (MIME ``application/vnd.coursekit.check+json``)
  is kept outside the output cap (up to ``max_message_mb`` per cell): student output
  printed, logged or displayed before it cannot crowd it out.

Every such event is reported to listeners registered with :func:`listen` (the grading
runner writes them into the grading log).

nbgrader's ``Execute.__init__`` passes ``kernel_manager_class=AsyncKernelManager`` as a
keyword, which beats any ``c.Execute.kernel_manager_class`` in the config; this subclass
makes the sandbox the default instead, so configuration alone selects it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import signal
import threading
from queue import Empty
from time import monotonic

import zmq
from jupyter_core.utils import ensure_async
from nbclient.client import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import from_dict
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Enum, Integer

from coursekit.exposure import copy_written_files, explain_cell
from coursekit.sandbox import HOME, SUBMISSION, SandboxedKernelManager, sandbox_problem

_listeners: list = []
#: MIME type of a hidden check's result (coursekit.harness.RESULT_MIME; not imported: no cycle).
_RESULT_MIME = "application/vnd.coursekit.check+json"
_bounded_clients: dict = {}


def _bounded_client(base: type, max_bytes: int, queue: int) -> type:
    """``base`` (a kernel client class) whose ZeroMQ sockets refuse messages over ``max_bytes``
    (the kernel is disconnected instead of the grader reading it) and queue at most ``queue``."""
    key = (base, max_bytes, queue)
    if key not in _bounded_clients:
        from traitlets import default

        class BoundedClient(base):
            @default("context")
            def _bounded_context(self):
                context = super()._context_default()
                context.setsockopt(zmq.MAXMSGSIZE, max_bytes)  # applied to every socket it creates
                context.setsockopt(zmq.RCVHWM, queue)
                return context

        BoundedClient.__name__ = BoundedClient.__qualname__ = "Bounded" + base.__name__
        _bounded_clients[key] = BoundedClient
    return _bounded_clients[key]
#: Per process: one sandboxed kernel per (kernel name, limits), booting for the next notebook:
#: key -> (owner pid, manager).
_spares: dict = {}
_thread_state = threading.local()


def _loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop, the same for every notebook: a spare kernel started while
    grading one notebook keeps its sockets on it for the next."""
    loop = getattr(_thread_state, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread_state.loop = asyncio.new_event_loop()
    return loop


@atexit.register
def _discard_spares() -> None:
    while _spares:
        owner, spare = _spares.popitem()[1]
        if owner == os.getpid():  # a forked child inherits the table, not the kernels
            spare.discard()


@contextlib.contextmanager
def listen(callback):
    """Call ``callback(event: dict)`` for each timeout, crash, restart or skipped cell meanwhile."""
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


def announce(event: dict) -> None:
    """Pass an event found outside ``GradingExecute`` (e.g. by a scoring preprocessor) to the listeners."""
    for callback in list(_listeners):
        callback(event)


def _describe_exit(status: int | None) -> str:
    if status is None:
        return "it stopped responding"
    if status < 0 or status > 128:
        number = -status if status < 0 else status - 128
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "signal %d" % number
        hint = {"SIGSEGV": " (a segmentation fault, e.g. from ctypes or a C extension)",
                "SIGKILL": " (killed, e.g. for using too much memory)",
                "SIGABRT": " (aborted, e.g. a C library ran out of memory)"}.get(name, "")
        return "it was killed by %s%s" % (name, hint)
    return "the kernel process exited with status %d (e.g. os._exit or exit())" % status


class GradingExecute(Execute):
    """Execute a submission in the sandbox, surviving timeouts, crashes and output floods."""

    notebook_timeout = Integer(900, help="Seconds all cells of one notebook may run in total "
                                         "(0: no limit).").tag(config=True)
    timeout_after_timeout = Integer(0, help="Seconds each cell may run once an earlier cell timed out "
                                            "(0: keep Execute.timeout, as nbgrader does).").tag(config=True)
    recovery_timeout = Integer(10, help="Seconds an interrupted kernel has to answer before it is "
                                        "restarted.").tag(config=True)
    locked_cell_timeouts = Dict(value_trait=Integer(), default_value={},
                                help="Seconds for named locked cells, by grade_id, instead of Execute.timeout "
                                     "(a training cell that needs longer on a loaded machine). Applies to locked "
                                     "cells only, whose source autograde restores, and never beyond the "
                                     "notebook's budget.").tag(config=True)
    max_restarts = Integer(3, help="Kernel restarts per notebook before the remaining cells are "
                                   "skipped.").tag(config=True)
    max_output_bytes = Integer(2_000_000, help="Output kept per cell; the rest is dropped with a "
                                               "note.").tag(config=True)
    max_message_mb = Integer(16, help="Largest message the grader reads from a kernel, MiB; a larger one "
                                      "is refused by ZeroMQ before it reaches memory (a hidden check's "
                                      "largest legal result, 500,000 numbers, is about 12 MiB).").tag(config=True)
    receive_queue = Integer(8, help="Messages from a kernel that may wait in the grader's memory; more "
                                    "wait in the kernel's own (limited) memory.").tag(config=True)
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate",
                           help="A graded kernel's state is thrown away, so it is killed at once.").tag(config=True)
    prelaunch = Bool(True, help="Keep one sandboxed kernel booting in the background for the next notebook "
                                "(it boots while the grader processes this one).").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)

    # ------------------------------------------------------------------ events
    def _event(self, kind: str, index: int | None, message: str, **extra) -> None:
        cell = self.nb.cells[index] if index is not None else None
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") if cell is not None else None
        event = {"event": kind, "cell": index, "grade_id": grade_id, "message": message, **extra}
        self.events.append(event)
        self.log.warning("coursekit: %s", message)
        for callback in list(_listeners):
            callback(event)

    # ------------------------------------------------------------------ kernel life
    async def async_start_new_kernel_client(self):
        self.km.client_factory = _bounded_client(self.km.client_factory, self.max_message_mb << 20,
                                                 self.receive_queue)
        if self._adopted:
            self._adopted = False
            saved = self.startup_timeout
            self.startup_timeout = min(saved, 20)  # a booted spare answers at once, or never
            try:
                kc = await super().async_start_new_kernel_client()
            except Exception as error:  # nbclient already killed it; start an ordinary kernel
                self.log.warning("coursekit: the prelaunched kernel did not answer (%s); starting another", error)
                self._pending_links = []
                self.km = self.create_kernel_manager()
                await self.async_start_new_kernel()
                kc = await super().async_start_new_kernel_client()
            finally:
                self.startup_timeout = saved
        else:
            kc = await super().async_start_new_kernel_client()
        if hasattr(self.km, "seal"):
            self.km.seal()
        if getattr(self.km, "sandboxed", False) and getattr(self.km, "writable_submission", False):
            # writable_submission: the notebook gets copies it may overwrite (in its size-limited home).
            code = ("(lambda os, shutil: [shutil.copytree(%r + '/' + e, %r + '/' + e, dirs_exist_ok=True) "
                    "if os.path.isdir(%r + '/' + e) else shutil.copy(%r + '/' + e, %r + '/' + e) "
                    "for e in os.listdir(%r)])(__import__('os'), __import__('shutil'))"
                    % (SUBMISSION, HOME, SUBMISSION, SUBMISSION, HOME, SUBMISSION))
            self._pending_links = []
            msg_id = await ensure_async(kc.execute(code, silent=True, store_history=False, allow_stdin=False))
            await self.async_wait_for_reply(msg_id)
        if self._pending_links:
            # A spare kernel booted with an empty submission folder: link the files now, as
            # bwrap does for an ordinary start, silently (no history, no execution count).
            code = ("(lambda os: [os.symlink(%r + '/' + e, %r + '/' + e) for e in %r "
                    "if not os.path.lexists(%r + '/' + e)])(__import__('os'))"
                    % (SUBMISSION, HOME, self._pending_links, HOME))
            self._pending_links = []
            msg_id = await ensure_async(kc.execute(code, silent=True, store_history=False, allow_stdin=False))
            await self.async_wait_for_reply(msg_id)
        return kc

    def _kernel_name(self) -> str | None:
        if self.kernel_name:
            return self.kernel_name
        spec = self.nb.metadata.get("kernelspec")  # a submission's metadata: any type, any value
        name = spec.get("name") if isinstance(spec, dict) else None
        return name if isinstance(name, str) and name else None

    def _spare_key(self) -> tuple:
        """Spares are shared only between notebooks wanting the same kernel and sandbox limits."""
        limits = sorted((k, repr(v)) for k, v in self.config.get("SandboxedKernelManager", {}).items())
        return self._kernel_name(), self.kernel_manager_class.__qualname__, tuple(limits)

    def _spare_allowed(self, launching: bool = True) -> bool:
        # prelaunch decides whether to boot a spare; one already booting is used either way
        return ((self.prelaunch or not launching) and isinstance(self.kernel_manager_class, type)
                and issubclass(self.kernel_manager_class, SandboxedKernelManager) and sandbox_problem() is None)

    async def _adopt_spare(self) -> None:
        """Use the kernel that booted while the grader was busy with the previous notebook."""
        entry = _spares.pop(self._spare_key(), None) if self._spare_allowed(launching=False) else None
        if entry is None or entry[0] != os.getpid():
            return
        spare = entry[1]
        workdir = self.resources.get("metadata", {}).get("path") or os.getcwd()
        if await spare.is_alive():
            self._pending_links = spare.fill_slot(os.path.abspath(workdir))
            self.km = spare
            self._adopted = True
        else:
            spare.discard()

    async def _launch_spare(self) -> None:
        key = self._spare_key()
        if not key[0] or not self._spare_allowed() or (key in _spares and _spares[key][0] == os.getpid()):
            return  # no kernel name (an empty or missing kernelspec): nothing to prelaunch
        spare = self.kernel_manager_class(kernel_name=key[0], config=self.config)
        spare.spare = True
        arguments = list(self.extra_arguments)
        if self.ipython_hist_file and not any(a.startswith("--HistoryManager.hist_file") for a in arguments):
            arguments.append("--HistoryManager.hist_file=%s" % self.ipython_hist_file)
        try:
            await spare.start_kernel(extra_arguments=arguments)
        except Exception as error:  # no spare: the next notebook starts its kernel itself
            self.log.warning("coursekit: could not prelaunch a kernel: %s", error)
            spare.discard()
            return
        _spares[key] = (os.getpid(), spare)

    async def _replace_kernel(self) -> None:
        await self._async_cleanup_kernel()
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()

    async def _exit_status(self) -> int | None:
        if self.km is not None and hasattr(self.km, "exit_status"):
            for _ in range(20):  # the process may need a moment to be reaped
                status = await self.km.exit_status()
                if status is not None:
                    return status
                await asyncio.sleep(0.05)
        return None

    def _locked_cell_timeout(self, cell) -> int | None:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("locked") and not meta.get("solution"):
            return self.locked_cell_timeouts.get(meta.get("grade_id"))
        return None

    def _get_timeout(self, cell):
        timeout = self.timeout if cell is None else self._cell_timeout
        return timeout if timeout and timeout > 0 else None

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    async def _responsive(self) -> bool:
        """Whether the kernel answers a kernel_info request in ``recovery_timeout`` seconds."""
        try:
            msg_id = await ensure_async(self.kc.kernel_info())
            deadline = monotonic() + self.recovery_timeout
            while monotonic() < deadline:
                try:
                    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=max(0.1, deadline - monotonic())))
                except Empty:
                    break
                if msg["parent_header"].get("msg_id") == msg_id:
                    return True
        except Exception:  # a dead or broken channel: not responsive
            pass
        return False

    async def _run_silently(self, source: str, timeout: float) -> str:
        """Run ``source`` without recording outputs: 'ok', 'error', 'timeout' or 'dead'."""
        msg_id = await ensure_async(self.kc.execute(source, store_history=False, allow_stdin=False,
                                                    stop_on_error=False))
        deadline = monotonic() + timeout
        while True:
            left = deadline - monotonic()
            if left <= 0:
                return "timeout"
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=min(1.0, left)))
            except Empty:
                if not await ensure_async(self.kc.is_alive()):
                    return "dead"
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return "ok" if msg["content"].get("status") == "ok" else "error"

    # ------------------------------------------------------------------ outputs
    def process_message(self, msg, cell, cell_index):
        """Charge what nbclient stores without calling :meth:`output` (display updates, widget
        state) to the cell's output budget; drop it once the budget is used up."""
        msg_type = msg.get("msg_type") or msg.get("header", {}).get("msg_type", "")
        content = msg.get("content")
        if not isinstance(content, dict):
            return super().process_message(msg, cell, cell_index)
        transient = content.get("transient")
        display_id = transient.get("display_id") if isinstance(transient, dict) else None
        if display_id and msg_type in ("display_data", "execute_result", "update_display_data"):
            targets = sum(len(v) for v in self._display_id_map.get(display_id, {}).values())
            size = len(json.dumps(content.get("data"), default=str)) + len(json.dumps(content.get("metadata"),
                                                                                     default=str))
            growth = max(0, size - self._display_sizes.get(display_id, 0)) * targets
            if targets and not self._charge(cell_index, growth):
                self._note_truncated(cell_index)
                if msg_type == "update_display_data":
                    return None
                content["transient"] = {}  # appended (and capped) as a plain output; earlier ones stay
            elif targets:
                self._display_sizes[display_id] = max(size, self._display_sizes.get(display_id, 0))
            if msg_type != "update_display_data":
                self._display_sizes[display_id] = max(size, self._display_sizes.get(display_id, 0))
        elif msg_type.startswith("comm"):
            size = len(json.dumps(content.get("data"), default=str)) + sum(
                len(b) for b in msg.get("buffers") or () if isinstance(b, (bytes, memoryview)))
            if not self._charge(cell_index, size):
                self._note_truncated(cell_index)
                return None
        return super().process_message(msg, cell, cell_index)

    def _charge(self, cell_index: int, size: int) -> bool:
        used = self._output_bytes.get(cell_index, 0)
        if used + size > self.max_output_bytes:
            return False
        self._output_bytes[cell_index] = used + size
        return True

    def _note_truncated(self, cell_index: int) -> None:
        if cell_index in self._truncated:
            return
        self._truncated.add(cell_index)
        self.nb.cells[cell_index].outputs.append(from_dict({
            "output_type": "stream", "name": "stdout",
            "text": "\n[output truncated by the grader: this cell wrote more than %d kB]\n"
                    % (self.max_output_bytes // 1000)}))
        self._event("output_truncated", cell_index, "cell %d wrote more than %d bytes of output; the rest "
                    "was dropped" % (cell_index, self.max_output_bytes))

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or not outs or outs[-1] is not out:
            return out
        size = len(json.dumps(out, default=str))
        if out.get("output_type") == "display_data" and _RESULT_MIME in (out.get("data") or {}):
            # A hidden check's result travels outside the output cap (within its own budget), so
            # student output printed, logged or displayed before it cannot crowd it out.
            used = self._result_bytes.get(cell_index, 0)
            if used + size <= self.max_message_mb << 20:
                self._result_bytes[cell_index] = used + size
                return out
        used = self._output_bytes.get(cell_index, 0)
        if used + size > self.max_output_bytes:
            outs.pop()
            if display_id:  # nbclient registered its place; a later update must not land on another output
                places = self._display_id_map.get(display_id, {}).get(cell_index, [])
                if len(outs) in places:
                    places.remove(len(outs))
            room = self.max_output_bytes - used
            if out.get("output_type") == "stream" and room > 0:  # keep the beginning of a long print
                outs.append(from_dict({"output_type": "stream", "name": out.get("name", "stdout"),
                                       "text": out.get("text", "")[:room]}))
                self._output_bytes[cell_index] = self.max_output_bytes
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                outs.append(from_dict({"output_type": "stream", "name": "stdout",
                                       "text": "\n[output truncated by the grader: this cell wrote more "
                                               "than %d kB]\n" % (self.max_output_bytes // 1000)}))
                self._event("output_truncated", cell_index, "cell %d wrote more than %d bytes of output; the rest "
                            "was dropped" % (cell_index, self.max_output_bytes))
            return None
        self._output_bytes[cell_index] = used + size
        return out

    @staticmethod
    def _error_output(ename: str, message: str):
        return from_dict({"output_type": "error", "ename": ename, "evalue": message,
                          "traceback": ["\x1b[0;31m%s\x1b[0m: %s" % (ename, message)]})

    # ------------------------------------------------------------------ the run
    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.events = []
        self._output_bytes: dict[int, int] = {}
        self._result_bytes: dict[int, int] = {}
        self._display_sizes: dict[str, int] = {}
        self._truncated: set[int] = set()
        self._pending_links: list[str] = []
        self._adopted = False
        loop = _loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._async_grade_notebook())
        self.set_widgets_metadata()
        self.resources.setdefault("coursekit_execution", {})["events"] = self.events
        return self.nb, self.resources

    async def _async_grade_notebook(self) -> None:
        try:
            if self.km is None:
                await self._adopt_spare()
            await self._async_run_cells()
        finally:
            await self._launch_spare()
            # nbclient leaves its polling tasks pending when a kernel dies mid-cell; end them here
            # rather than let the event loop complain about them later.
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            await asyncio.sleep(0)  # let the cancelled tasks finish on this loop

    async def _async_run_cells(self) -> None:
        async with self.async_setup_kernel():
            msg_id = await ensure_async(self.kc.kernel_info())
            self._cell_timeout = self.timeout
            info = await self.async_wait_for_reply(msg_id)
            if info is not None and "language_info" in info["content"]:
                self.nb.metadata["language_info"] = info["content"]["language_info"]
            budget_end = monotonic() + self.notebook_timeout if self.notebook_timeout > 0 else None
            succeeded: list[int] = []   # non-test code cells that ran without error, for replays
            restarts, any_timeout, stop_reason, previous = 0, False, None, None
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                if stop_reason is None and budget_end is not None and monotonic() >= budget_end:
                    stop_reason = ("the notebook used up its time budget of %d s" % self.notebook_timeout)
                    self._event("budget_exhausted", index, "time budget of %d s used up before cell %d; it and "
                                "the cells after it were not run (nbgrader has no such budget: raise "
                                "c.GradingExecute.notebook_timeout, or 0 for none)" % (self.notebook_timeout, index),
                                setting="c.GradingExecute.notebook_timeout")
                if stop_reason is not None:
                    cell.outputs = [self._error_output("NotRun", "The grader did not run this cell: %s."
                                                       % stop_reason)]
                    continue
                shortened = any_timeout and 0 < self.timeout_after_timeout < (self.timeout or float("inf"))
                base = self.timeout_after_timeout if shortened else self.timeout
                if not any_timeout:
                    base = self._locked_cell_timeout(cell) or base
                limits = [t for t in (base, budget_end - monotonic() if budget_end else None) if t and t > 0]
                self._cell_timeout = max(1.0, min(limits)) if limits else None
                note = None
                if previous is not None and not await ensure_async(self.km.is_alive()):
                    # The kernel ended between cells (e.g. a thread of an earlier cell called
                    # os._exit): restart, replay, and run this cell after all.
                    why = _describe_exit(await self._exit_status())
                    self._event("kernel_died", index, "kernel had ended before cell %d started: %s" % (index, why))
                    stop_reason = await self._recover(index, succeeded, restarts, budget_end)
                    restarts += 1
                    if stop_reason is not None:
                        cell.outputs = [self._error_output("NotRun", "The grader did not run this cell: %s."
                                                           % stop_reason)]
                        continue
                    note = ("[the kernel had ended before this cell started (%s); the grader restarted it, re-ran "
                            "the earlier cells that had succeeded, then this cell]\n" % why)
                outcome = await self._execute(cell, index)
                if note:
                    cell.outputs.insert(0, from_dict({"output_type": "stream", "name": "stdout", "text": note}))
                if outcome == "exited":
                    # exit() / quit(): ipykernel ends itself right after this cell. Restart now, and
                    # replay without this cell, so the exit does not repeat.
                    cell.outputs.append(from_dict({"output_type": "stream", "name": "stdout", "text":
                        "\n[this cell asked the kernel to exit (exit() or quit()); the grader restarted it and "
                        "re-ran the earlier cells that had succeeded]\n"}))
                    self._event("kernel_exit", index, "cell %d called exit(); kernel restarted" % index)
                    stop_reason = await self._recover(index, succeeded, restarts, budget_end)
                    restarts += 1
                    previous = index
                    continue
                previous = index
                if outcome == "ok" and self._timed_out:
                    any_timeout = True
                    for output in cell.outputs:
                        if output.get("ename") == "CellTimeoutError":
                            text = ("This cell ran longer than %.0f s, so the grader interrupted it."
                                    % self._cell_timeout)
                            output.update(evalue=text, traceback=["\x1b[0;31mCellTimeoutError\x1b[0m: " + text])
                    self._event("timeout", index, "cell %d ran longer than %.0f s and was interrupted"
                                % (index, self._cell_timeout), seconds=self._cell_timeout)
                    if shortened and self._cell_timeout < (self.timeout or 0):
                        self._event("shortened_timeout", index, "cell %d had only %.0f s because an earlier cell "
                                    "timed out (c.GradingExecute.timeout_after_timeout = %d); nbgrader gives every "
                                    "cell Execute.timeout = %d s. Set timeout_after_timeout = 0 for nbgrader's rule"
                                    % (index, self._cell_timeout, self.timeout_after_timeout, self.timeout),
                                    setting="c.GradingExecute.timeout_after_timeout")
                    if not await self._responsive():
                        outcome = "stuck"
                if outcome == "ok":
                    earlier = [c.source for c in self.nb.cells[:index] if c.cell_type == "code"]
                    for difference in explain_cell(cell, self.km, earlier):
                        self._event(difference.pop("event"), index, "cell %d: %s" % (index, difference["message"]),
                                    setting=difference["setting"])
                    if not utils.is_grade(cell) and not any(o.get("output_type") == "error" for o in cell.outputs):
                        succeeded.append(index)
                    continue

                # The kernel is dead or stuck: note it in the cell, start a new kernel, replay.
                if outcome == "dead":
                    why = _describe_exit(await self._exit_status())
                    tail = self.km.output_tail() if hasattr(self.km, "output_tail") else ""
                    message = ("The kernel died while running this cell: %s. The grader started a new kernel, "
                               "re-ran the earlier cells that had succeeded, and went on with the next cell; "
                               "this cell was not run again." % why)
                    self._event("kernel_died", index, "kernel died in cell %d: %s" % (index, why),
                                kernel_output=tail[-2000:])
                elif outcome == "broken":
                    message = ("The kernel stopped speaking the Jupyter protocol while running this cell (was "
                               "something the kernel needs replaced?). The grader started a new kernel, re-ran the "
                               "earlier cells that had succeeded, and went on with the next cell.")
                else:
                    any_timeout = True
                    message = ("This cell ran longer than %.0f s and the kernel did not respond to an interrupt. "
                               "The grader started a new kernel, re-ran the earlier cells that had succeeded, "
                               "and went on with the next cell." % self._cell_timeout)
                    self._event("kernel_stuck", index, "kernel did not recover from an interrupt in cell %d"
                                % index)
                cell.outputs = [o for o in cell.outputs if o.get("ename") != "CellTimeoutError"]
                ename = {"dead": "KernelDied", "broken": "KernelBroken"}.get(outcome, "CellTimeoutError")
                cell.outputs.append(self._error_output(ename, message))
                stop_reason = await self._recover(index, succeeded, restarts, budget_end)
                restarts += 1
            self._copy_back()

    def _copy_back(self) -> None:
        """Files the notebook wrote go next to the autograded notebook, as with plain nbgrader."""
        root = self.km.sandbox_root() if hasattr(self.km, "sandbox_root") else None
        if root is None or not getattr(self.km, "copy_back_files", False):
            return
        folder = self.resources.get("metadata", {}).get("path") or os.getcwd()
        copied, refused = copy_written_files(root + HOME, folder, max_files=self.km.copy_back_max_files,
                                             max_bytes=self.km.copy_back_max_mb << 20, submitted=folder)
        if copied:
            self._event("files_copied_back", None, "copied %d file(s) the notebook wrote to its folder: %s"
                        % (len(copied), ", ".join(copied[:10])), files=copied)
        if refused:
            self._event("files_refused", None, "did not copy back %d written entr%s: %s (bounds: "
                        "c.SandboxedKernelManager.copy_back_max_files / copy_back_max_mb; links are never copied)"
                        % (len(refused), "y" if len(refused) == 1 else "ies", ", ".join(refused[:10])),
                        setting="c.SandboxedKernelManager.copy_back_max_files")

    async def _execute(self, cell, index: int) -> str:
        """Run one cell: 'ok' (errors included), 'dead' (kernel died) or 'stuck' (no recovery)."""
        self._timed_out = False
        self._asked_exit = False
        try:
            await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
        except DeadKernelError:
            return "dead"
        except CellTimeoutError:
            return "stuck"  # interrupted, but the kernel never went idle again
        except Exception as error:  # e.g. garbled messages from a kernel whose json.dumps was patched
            self._event("kernel_broken", index, "kernel sent something unreadable in cell %d: %s: %s"
                        % (index, type(error).__name__, str(error)[:200]))
            return "broken"
        return "exited" if self._asked_exit else "ok"

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        payloads = kwargs["execute_reply"].get("content", {}).get("payload") or []
        if any(p.get("source") == "ask_exit" and not p.get("keepkernel") for p in payloads):
            self._asked_exit = True

    async def _recover(self, index: int, succeeded: list[int], restarts: int, budget_end) -> str | None:
        """Start a new kernel and replay ``succeeded`` cells; the reason to stop, or None."""
        if restarts >= self.max_restarts:
            self._event("gave_up", index, "kernel restarted %d times; the remaining cells were not run" % restarts)
            return "the kernel had to be restarted more than %d times" % self.max_restarts
        await self._replace_kernel()
        replayed = []
        for earlier in succeeded:
            left = (budget_end - monotonic()) if budget_end else float(self.timeout or 3600)
            if left <= 0:
                return "the notebook used up its time budget of %d s" % self.notebook_timeout
            result = await self._run_silently(self.nb.cells[earlier].source, min(left, float(self.timeout or left)))
            replayed.append((earlier, result))
            if result in ("dead", "timeout"):
                self._event("replay_failed", earlier, "replaying cell %d after a restart: %s" % (earlier, result))
                return "the kernel failed again while re-running earlier cells after a restart"
        self._event("restarted", index, "new kernel after cell %d; re-ran %d earlier cell(s)" % (index, len(replayed)),
                    replayed=[i for i, _ in replayed])
        return None
