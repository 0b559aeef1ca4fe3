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
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.datastore import APP_LOG
from app.errors import UserError

log = logging.getLogger(__name__)
Progress = Callable[[Any], None]
Work = Callable[[Progress, Callable[[], bool]], Any]


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

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
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
    def _emit(signal, value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the view was closed meanwhile: nobody to tell
            pass


def run_task(parent: QObject, work: Work, *, name: str, finished: Callable[[Any], Any],
             failed: Callable[[str], Any], progress: Callable[[Any], Any] | None = None) -> Task:
    """Start `work` in the background with its three outcomes connected; returns the Task."""
    task = Task(work, name=name, parent=parent)
    task.finished.connect(finished)
    task.failed.connect(failed)
    if progress is not None:
        task.progress.connect(progress)
    task.start()
    return task
