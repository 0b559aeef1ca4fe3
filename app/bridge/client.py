"""The parent's side of the bridge: one worker process per connector DLL, reused between calls.

`ConnectorProcess.call()` sends one request and waits for its answer with a timeout; `cancel()`
(safe from any thread) ends the wait at once. A cancel belongs to the user's operation, not to one
call: `begin()` starts an operation (a wizard step's run, a schema refresh), and a cancel holds for
every call of it, also one not yet started, until the next `begin()`. A hung or cancelled call
costs the worker: it is killed (a .NET call cannot be interrupted from outside) and the next call
starts a fresh one, which loads the DLL again. Every failure is a BridgeError with one sentence; never a traceback.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from app import liveness
from app.bridge import protocol
from app.bridge.containment import ProcessTree, popen_options
from app.bridge.errors import BridgeError, BridgeErrorKind, one_line

DEFAULT_TIMEOUT = 15.0
SCHEMA_TIMEOUT = 120.0
START_TIMEOUT = 60.0  # runtime start plus loading the DLL: about 1-2 s, far more on a busy host
_EOF = object()
WORKDIR_PREFIX = "ecma-bridge-"
_swept = False


def worker_command() -> list[str]:
    """How to start a worker: the frozen executable's entry point, else this Python with -m."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--bridge-worker"]
    return [sys.executable, "-u", "-m", "app.bridge.worker"]


def sweep_stale_workdirs(root: str | None = None) -> list[str]:
    """Remove the working folders of workers whose owner (this tool, killed before it could
    clean up) is gone. Only folders named by this module with an owner pid; returns them."""
    root = root or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(root)
    except OSError:
        return []
    for name in names:
        match = re.fullmatch(re.escape(WORKDIR_PREFIX) + r"(\d+)-\w+", name)
        if not match or int(match.group(1)) == os.getpid() or liveness.probe(int(match.group(1))).running is not False:
            continue
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _send(proc: subprocess.Popen[bytes], data: bytes) -> None:
    """All of `data` to the worker's stdin (unbuffered: a raw write may take only part)."""
    assert proc.stdin is not None
    view = memoryview(data)
    while view:
        view = view[proc.stdin.write(view) or 0:]


def _package_root() -> str:
    import app

    return str(Path(app.__file__).resolve().parent.parent)


class ConnectorProcess:
    """A connector DLL loaded in a child process."""

    def __init__(self, dll: str | Path, interface_dll: str | Path | None, *,
                 timeout: float = DEFAULT_TIMEOUT, schema_timeout: float = SCHEMA_TIMEOUT) -> None:
        # Absolute: the worker runs in its own folder, where a relative path names nothing (Mono
        # then says "Invalid Image").
        self.dll = Path(os.path.abspath(dll))
        self.name = self.dll.stem
        self.interface_dll = Path(os.path.abspath(interface_dll)) if interface_dll else None
        self.timeout = timeout
        self.schema_timeout = schema_timeout
        self.info: dict[str, Any] = {}
        self.starts = 0  # how many workers this object has started (restarts are visible)
        self._proc: subprocess.Popen[bytes] | None = None
        self._tree: ProcessTree | None = None
        self._answers: queue.Queue[Any] = queue.Queue()
        self._stderr: collections.deque[str] = protocol.output_lines()
        self._notable: collections.deque[str] = collections.deque(maxlen=20)
        self._key = b""
        self._output_reader: threading.Thread | None = None
        self.unsealed = 0  # lines on the answer channel that were not ours (a connector wrote them)
        self._lock = threading.Lock()
        # The current operation's cancel: set by cancel(), replaced (never cleared) by begin(), so
        # a call of an operation cancelled earlier stays cancelled however late it runs.
        self._cancel = threading.Event()
        self._next_id = 0
        self._workdir: str | None = None

    # -- life cycle ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _spawn(self) -> None:
        global _swept
        if not _swept:
            _swept = True
            sweep_stale_workdirs()
        # Mono writes mono_crash*.json into the working folder: give it a private one, named
        # with our pid so that a later run can tell it is stale.
        self._workdir = tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([_package_root(), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env["PYTHONIOENCODING"] = "utf-8"
        env.setdefault("MONO_DEBUG", "no-gdb-backtrace")  # a crash ends in 0.1 s, not a 2 s gdb dump
        self._proc = subprocess.Popen(
            worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=self._workdir, env=env, bufsize=0, **popen_options())
        self._tree = ProcessTree(self._proc)
        self._key = protocol.new_key()
        # Fresh queues per worker: a dead worker's reader threads can never feed the new one's.
        self._answers = queue.Queue()
        self._stderr = protocol.output_lines()
        self._notable = collections.deque(maxlen=20)
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        _send(proc, self._key.hex().encode("ascii") + b"\n")
        # The reading threads own the two pipes (they close them at EOF): closing a pipe under a
        # blocked read is what once hung us until a connector's child process ended.
        threading.Thread(target=self._read_answers, args=(os.dup(proc.stdout.fileno()), self._key,
                                                          self._answers), daemon=True).start()
        self._output_reader = threading.Thread(
            target=protocol.read_output, daemon=True,
            args=(os.dup(proc.stderr.fileno()), self._stderr, self._notable, _is_last_words))
        self._output_reader.start()
        proc.stdout.close()
        proc.stderr.close()
        self.starts += 1

    def _read_answers(self, fd: int, key: bytes, answers: queue.Queue[Any]) -> None:
        def take(line: bytes, _cut: bool) -> None:
            answer = protocol.unseal(key, line)
            if answer is None:
                self.unsealed += 1  # not ours: a connector wrote on our descriptor; never parsed
            else:
                answers.put(answer)

        protocol.read_lines(fd, protocol.MAX_ANSWER_BYTES, take)
        answers.put(_EOF)

    def _ensure_started(self, call: str, cancel: threading.Event) -> None:
        if self.running:
            return
        self._kill()
        try:
            self._spawn()
        except OSError as exc:
            raise BridgeError(f"The bridge worker for the connector {self.name} could not be started: "
                              f"{exc.strerror or exc}.", connector=self.name, call=call,
                              kind=BridgeErrorKind.UNAVAILABLE) from None
        args = {"dll": str(self.dll), "interface_dll": str(self.interface_dll) if self.interface_dll else None}
        try:
            self.info = self._exchange("load", args, START_TIMEOUT, call="loading the DLL", cancel=cancel)
        except BridgeError as exc:
            self._kill()
            if exc.kind != BridgeErrorKind.FAILED:
                raise
            # A load that fails is a DLL we cannot use at all: say why, without the call's name.
            why = exc.dotnet_message.rstrip(".")
            if "Failed to create a .NET runtime" in why or exc.dotnet_type in ("ModuleNotFoundError", "ImportError"):
                why = ("no .NET runtime is available to this program (Linux needs Mono; Windows the "
                       f".NET Framework 4.7.2 or later): {why}")
            raise BridgeError(f"The connector DLL {self.dll.name} could not be loaded: {why} "
                              f"[{exc.dotnet_type}].", connector=self.name, call=call,
                              kind=BridgeErrorKind.UNAVAILABLE, dotnet_type=exc.dotnet_type,
                              dotnet_message=exc.dotnet_message) from None

    def _ensure_worker_only(self) -> None:
        """A worker without a DLL (the self-test)."""
        if not self.running:
            self._kill()
            self._spawn()

    def raw_call(self, op: str, args: dict[str, Any] | None = None, *, timeout: float) -> Any:
        """A request to the worker as it is, DLL loaded or not (the self-test)."""
        cancel = self._cancel
        with self._lock:
            if cancel.is_set():
                raise self._cancelled(op)
            if not self.running:
                self._ensure_worker_only()
            return self._exchange(op, args or {}, timeout, call=op, cancel=cancel)

    def close(self) -> None:
        """Stop the worker (it ends itself with os._exit; killed if it does not). A call still
        running on another thread ends as cancelled, and so does every later call until begin()."""
        self._cancel.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                assert proc.stdin is not None
                _send(proc, json.dumps({"op": "exit"}).encode("ascii") + b"\n")
                proc.wait(timeout=2)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self._kill()

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        tree, self._tree = self._tree, None
        if proc is not None:
            if tree is not None:
                tree.end()  # the worker and every process the connector started
            elif proc.poll() is None:
                proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            try:
                if proc.stdin:
                    proc.stdin.close()
            except OSError:
                pass
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def begin(self) -> None:
        """A new user operation starts: a cancel of an earlier one no longer applies. Call it on
        the thread that cancels (the GUI thread) before handing the work to another thread; a
        call that begins itself on the worker thread would lose a Cancel clicked before it got
        there. Callers that never cancel (the command line, the host report) need not call it."""
        self._cancel = threading.Event()  # a new one: calls still running keep the old, set one

    def cancel(self) -> None:
        """Cancel the current operation (from any thread): the call in progress ends at once (its
        worker is stopped; the next call starts anew), and every later call of the operation
        ends as cancelled before it is sent, until begin() starts the next operation."""
        self._cancel.set()

    # -- calls -----------------------------------------------------------------------------------
    def call(self, op: str, args: dict[str, Any] | None = None, *, timeout: float | None = None,
             call: str = "") -> Any:
        """One request; `call` names it in messages (GetSchema, GetConfigParameters(Global), ...)."""
        cancel = self._cancel  # taken before the lock: a call queued behind another keeps its operation's
        label = call or op
        with self._lock:
            if cancel.is_set():  # cancelled before it started: nothing to stop, the worker stays
                raise self._cancelled(label)
            self._ensure_started(label, cancel)
            limit = timeout if timeout is not None else (
                self.schema_timeout if op == "schema" else self.timeout)
            return self._exchange(op, args or {}, limit, call=label, cancel=cancel)

    def _cancelled(self, call: str) -> BridgeError:
        return BridgeError(f"The call {call} to the connector {self.name} was cancelled.",
                           connector=self.name, call=call, kind=BridgeErrorKind.CANCELLED)

    def _exchange(self, op: str, args: dict[str, Any], limit: float, *, call: str,
                  cancel: threading.Event) -> Any:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        self._next_id += 1
        request_id = self._next_id
        try:
            _send(proc, json.dumps({"id": request_id, "op": op, "args": args}).encode("utf-8") + b"\n")
        except (OSError, ValueError):
            raise self._crashed(call) from None
        deadline = time.monotonic() + limit
        while True:
            if cancel.is_set():
                self._kill()
                raise self._cancelled(call)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._kill()
                raise BridgeError(f"The connector {self.name} timed out: {call} did not answer within "
                                  f"{limit:g} seconds (its worker was stopped).",
                                  connector=self.name, call=call, kind=BridgeErrorKind.TIMED_OUT)
            try:
                answer = self._answers.get(timeout=min(remaining, 0.05))
            except queue.Empty:
                continue
            if answer is _EOF:
                raise self._crashed(call)
            if answer.get("id") != request_id:
                continue  # an answer to a call given up on earlier cannot arrive (worker killed)
            if answer.get("ok"):
                return answer.get("result")
            error = answer.get("error") or {}
            raise self._failed(call, error)

    def _failed(self, call: str, error: dict[str, Any]) -> BridgeError:
        message = one_line(str(error.get("message") or "no message"))
        inner = [one_line(i, 200) for i in error.get("inner") or []]
        because = f" (because {'; '.join(inner)})" if inner else ""
        type_name = str(error.get("type") or "")
        return BridgeError(f"The connector {self.name} failed in {call}: {message.rstrip('.')}{because} "
                           f"[{type_name}].", connector=self.name, call=call,
                           kind=BridgeErrorKind.FAILED, dotnet_type=type_name, dotnet_message=message)

    def _crashed(self, call: str) -> BridgeError:
        proc = self._proc
        code = None
        if proc is not None:
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self._tree is not None:
            self._tree.end()  # what the connector started may hold the output pipe open
        reader = self._output_reader
        if reader is not None:  # its last lines; bounded: a process the connector started may hold the pipe
            reader.join(timeout=1.0)
        cause = crash_cause([*self._notable, *self._stderr], code)
        self._kill()
        why = f" ({cause.rstrip('.')})" if cause else (f" (exit code {code})" if code is not None else "")
        return BridgeError(f"The connector {self.name} ended its worker process during {call}{why}; "
                           "the next call starts a new one.", connector=self.name, call=call,
                           kind=BridgeErrorKind.CRASHED, dotnet_message=cause)


_CRASH_PATTERNS = (
    re.compile(r'Managed code called FailFast, saying "(?P<msg>.*)"'),  # Mono
    re.compile(r"^Message: (?P<msg>.+)"),  # .NET Framework's FailFast text after "Process terminated."
    re.compile(r"FATAL UNHANDLED EXCEPTION: (?P<msg>.+)"),
    re.compile(r"(?P<msg>Process terminated\..*)"),
    re.compile(r"(?P<msg>Stack overflow.*|.*StackOverflowException.*)"),
)
# Windows exit codes that say what happened when the runtime could not say it on stderr.
_EXIT_CODES = {0xC00000FD: "a stack overflow (StackOverflowException) ended the process",
               0x80131623: "the connector called Environment.FailFast"}


def _is_last_words(line: str) -> bool:
    return any(pattern.search(line) for pattern in _CRASH_PATTERNS)


def crash_cause(lines: list[str], code: int | None = None) -> str:
    """The runtime's own last words about why the process ended (FailFast, stack overflow)."""
    for pattern in _CRASH_PATTERNS:
        for line in lines:
            match = pattern.search(line)
            if match:
                return one_line(match.group("msg"), 300)
    if code is not None:
        return _EXIT_CODES.get(code & 0xFFFFFFFF, "")
    return ""
