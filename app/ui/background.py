"""Background work for the GUI: one way to run a slow call off the GUI thread.

`Task(work)` runs `work(progress, cancelled)` in a plain daemon thread. `progress(value)` reports a
step (a sentence, or whatever the view shows: a batch of rows, a step number), `cancelled()` says
whether the user pressed Cancel (the work checks it between steps). The result arrives on the GUI
thread as `finished(result)`; a UserError as `failed(sentence)`; any other exception is logged
with its traceback (the app log) and arrives as `failed(...)` too, so no view is ever left
waiting ("Restarting..." forever) because of an error class nobody expected.

Signals of a QObject living in the GUI thread, emitted from the worker thread, are queued to the
GUI thread by Qt. No QThread/moveToThread: deleting a moved worker from Python aborts Qt ("shared
QObject was deleted directly"); a plain thread avoids that. A view closed while its work runs is
simply not told (the emit meets a deleted object and is dropped).

When the app closes, `finish_all` asks every running task to stop and waits for them (bounded):
daemon threads would otherwise be cut off wherever they are when the interpreter exits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.datastore import APP_LOG
from app.errors import UserError

log = logging.getLogger(__name__)
Progress = Callable[[Any], None]
Cancelled = Callable[[], bool]
Work = Callable[[Progress, Cancelled], Any]
Result = TypeVar("Result")  # what one task's work returns and its `finished` receives
_RUNNING: set[Task] = set()  # started and not yet ended (also keeps each alive until it ends)
_RUNNING_LOCK = threading.Lock()


class Task(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work, *, name: str = "background", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work, self._name = work, name
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def name(self) -> str:
        return self._name

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        with _RUNNING_LOCK:
            _RUNNING.add(self)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        """For tests and shutdown: block until the work has ended."""
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _run(self) -> None:
        try:
            self._outcome()
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(self)

    def _outcome(self) -> None:
        try:
            result = self._work(self._report, self._cancel.is_set)
        except UserError as exc:
            self._emit(self.failed, exc.sentence())
        except Exception as exc:  # the one place a worker's surprise becomes a sentence
            log.exception("background work %r failed", self._name)
            self._emit(self.failed, f"{self._name} failed unexpectedly ({type(exc).__name__}); the "
                                    f"details are in the app log ({APP_LOG}).")
        else:
            self._emit(self.finished, result)

    def _report(self, value: Any) -> None:
        self._emit(self.progress, value)

    @staticmethod
    def _emit(signal: SignalInstance, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the view was closed meanwhile: nobody to tell
            pass


def run_task(parent: QObject, work: Callable[[Progress, Cancelled], Result], *, name: str,
             finished: Callable[[Result], object], failed: Callable[[str], object],
             progress: Callable[[Any], object] | None = None) -> Task:
    """Start `work` in the background with its three outcomes connected; returns the Task. `Result`
    lets the checker match each work's result with what its `finished` expects; a step is any value
    (a sentence, a batch of rows, a tuple) and lambdas on both ends leave nothing to match it by."""
    task = Task(work, name=name, parent=parent)
    task.finished.connect(finished)
    task.failed.connect(failed)
    if progress is not None:
        task.progress.connect(progress)
    task.start()
    return task


def running_tasks() -> list[Task]:
    with _RUNNING_LOCK:
        return [task for task in _RUNNING if task.running]


def finish_all(timeout: float = 5.0) -> list[str]:
    """The app is closing: ask every running task to stop, then wait for them, `timeout` seconds
    in all. Returns the names of those still running after that (they end with the process)."""
    tasks = running_tasks()
    for task in tasks:
        task.cancel()
    deadline = time.monotonic() + timeout
    for task in tasks:
        task.wait(max(0.0, deadline - time.monotonic()))
    left = [task.name for task in tasks if task.running]
    if left:
        log.warning("closing while still running: %s", ", ".join(left))
    return left
