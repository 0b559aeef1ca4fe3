"""The parent's side of the bridge: one worker process per connector DLL, reused between calls.

`ConnectorProcess.call()` sends one request and waits for its answer with a timeout; `cancel()`
(safe from any thread) ends the wait at once. A hung or cancelled call costs the worker: it is
killed (a .NET call cannot be interrupted from outside) and the next call starts a fresh one,
which loads the DLL again. Every failure is a BridgeError with one sentence; never a traceback.
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

from app.bridge.errors import BridgeError, one_line

DEFAULT_TIMEOUT = 15.0
SCHEMA_TIMEOUT = 120.0
START_TIMEOUT = 60.0  # runtime start plus loading the DLL: about 1-2 s, far more on a busy host
_EOF = object()


def worker_command() -> list[str]:
    """How to start a worker: the frozen executable's entry point, else this Python with -m."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--bridge-worker"]
    return [sys.executable, "-u", "-m", "app.bridge.worker"]


def _package_root() -> str:
    import app

    return str(Path(app.__file__).resolve().parent.parent)


class ConnectorProcess:
    """A connector DLL loaded in a child process."""

    def __init__(self, dll: str | Path, interface_dll: str | Path | None, *,
                 timeout: float = DEFAULT_TIMEOUT, schema_timeout: float = SCHEMA_TIMEOUT) -> None:
        self.dll = Path(dll)
        self.name = self.dll.stem
        self.interface_dll = Path(interface_dll) if interface_dll else None
        self.timeout = timeout
        self.schema_timeout = schema_timeout
        self.info: dict[str, Any] = {}
        self.starts = 0  # how many workers this object has started (restarts are visible)
        self._proc: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[Any] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=5000)
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._next_id = 0
        self._workdir: str | None = None

    # -- life cycle ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _spawn(self) -> None:
        # Mono writes mono_crash*.json into the working folder: give it a private one.
        self._workdir = tempfile.mkdtemp(prefix="ecma-bridge-")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([_package_root(), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env["PYTHONIOENCODING"] = "utf-8"
        env.setdefault("MONO_DEBUG", "no-gdb-backtrace")  # a crash ends in 0.1 s, not a 2 s gdb dump
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        self._proc = subprocess.Popen(
            worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=self._workdir, env=env, text=True, encoding="utf-8", errors="replace", bufsize=1,
            creationflags=flags)
        self._answers = queue.Queue()
        self._stderr.clear()
        proc = self._proc
        threading.Thread(target=self._read_answers, args=(proc, self._answers), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(proc,), daemon=True).start()
        self.starts += 1

    @staticmethod
    def _read_answers(proc: subprocess.Popen[str], answers: queue.Queue[Any]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                answers.put(json.loads(line))
            except ValueError:
                continue  # cannot happen on the private channel; never trust it blindly
        answers.put(_EOF)

    def _read_stderr(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr.append(line.rstrip("\n"))

    def _ensure_started(self, call: str) -> None:
        if self.running:
            return
        self._kill()
        try:
            self._spawn()
        except OSError as exc:
            raise BridgeError(f"The bridge worker for the connector {self.name} could not be started: "
                              f"{exc.strerror or exc}.", connector=self.name, call=call,
                              kind="unavailable") from None
        args = {"dll": str(self.dll), "interface_dll": str(self.interface_dll) if self.interface_dll else None}
        try:
            self.info = self._exchange("load", args, START_TIMEOUT, call="loading the DLL")
        except BridgeError as exc:
            if exc.kind == "failed":  # a load that fails is a DLL we cannot use at all
                exc.kind = "unavailable"
            self._kill()
            raise

    def close(self) -> None:
        """Stop the worker (it ends itself with os._exit; killed if it does not)."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps({"op": "exit"}) + "\n")
                proc.stdin.flush()
                proc.wait(timeout=2)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self._kill()

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    if stream:
                        stream.close()
                except OSError:
                    pass
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def cancel(self) -> None:
        """End the call in progress (from any thread): its worker is stopped; the next call starts anew."""
        self._cancel.set()

    # -- calls -----------------------------------------------------------------------------------
    def call(self, op: str, args: dict[str, Any] | None = None, *, timeout: float | None = None,
             call: str = "") -> Any:
        """One request; `call` names it in messages (GetSchema, GetConfigParameters(Global), ...)."""
        with self._lock:
            self._cancel.clear()
            label = call or op
            self._ensure_started(label)
            limit = timeout if timeout is not None else (
                self.schema_timeout if op == "schema" else self.timeout)
            return self._exchange(op, args or {}, limit, call=label)

    def _exchange(self, op: str, args: dict[str, Any], limit: float, *, call: str) -> Any:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        self._next_id += 1
        request_id = self._next_id
        try:
            proc.stdin.write(json.dumps({"id": request_id, "op": op, "args": args}) + "\n")
            proc.stdin.flush()
        except (OSError, ValueError):
            raise self._crashed(call) from None
        deadline = time.monotonic() + limit
        while True:
            if self._cancel.is_set():
                self._kill()
                raise BridgeError(f"The call {call} to the connector {self.name} was cancelled.",
                                  connector=self.name, call=call, kind="cancelled")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._kill()
                raise BridgeError(f"The connector {self.name} timed out: {call} did not answer within "
                                  f"{limit:g} seconds (its worker was stopped).",
                                  connector=self.name, call=call, kind="timed out")
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
                           f"[{type_name}].", connector=self.name, call=call, kind="failed",
                           dotnet_type=type_name, dotnet_message=message)

    def _crashed(self, call: str) -> BridgeError:
        proc = self._proc
        code = None
        if proc is not None:
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        time.sleep(0.05)  # let the stderr reader take the last lines
        cause = crash_cause(list(self._stderr), code)
        self._kill()
        why = f" ({cause.rstrip('.')})" if cause else (f" (exit code {code})" if code is not None else "")
        return BridgeError(f"The connector {self.name} ended its worker process during {call}{why}; "
                           "the next call starts a new one.", connector=self.name, call=call,
                           kind="crashed", dotnet_message=cause)


_CRASH_PATTERNS = (
    re.compile(r'Managed code called FailFast, saying "(?P<msg>.*)"'),  # Mono
    re.compile(r"^Message: (?P<msg>.+)"),  # .NET Framework's FailFast text after "Process terminated."
    re.compile(r"FATAL UNHANDLED EXCEPTION: (?P<msg>.+)"),
    re.compile(r"(?P<msg>Process terminated\..*)"),
    re.compile(r"(?P<msg>Stack overflow.*|.*StackOverflowException.*)"),
)
# Windows exit codes that say what happened when the runtime could not say it on stderr.
_EXIT_CODES = {0xC00000FD: "the process overflowed its stack (StackOverflowException)",
               0x80131623: "the connector called Environment.FailFast"}


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
