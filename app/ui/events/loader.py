"""Loading and following off the GUI thread, with progress and Cancel.

The work runs in a plain Python thread; results come back through the signals of a QObject that
lives in the GUI thread, so Qt queues them to the GUI (a signal emitted from another thread is
delivered in the receiver's thread). No QThread/moveToThread: deleting a moved worker from Python
aborts Qt with "shared QObject was deleted directly", which the plain thread avoids entirely.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, Signal

from app.errors import UserError
from app.events.records import EventTable
from app.events.sources.base import EventSource


class LoadJob(QObject):
    batch = Signal(object, int, int)  # EventTable part, done, total
    finished = Signal(bool)  # cancelled?
    failed = Signal(str)

    def __init__(self, source: EventSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-load", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            for part in self.source.batches(self._cancel.is_set):
                part.table.lowered_messages()  # the search index, built here rather than on a click
                self.batch.emit(part.table, part.done, part.total)
                if self._cancel.is_set():
                    break
            self.finished.emit(self._cancel.is_set() or self.source.report.cancelled)
        except UserError as exc:
            self.failed.emit(exc.sentence())
        except Exception:  # the program's own fault: say so, keep the window alive
            self.failed.emit("Reading the log failed unexpectedly: "
                             + traceback.format_exc().strip().splitlines()[-1])


class FollowJob(QObject):
    """Polls `read_new` (file growth or the live channel) in a thread, one poll at a time."""

    arrived = Signal(object)
    failed = Signal(str)

    def __init__(self, source: EventSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._busy = threading.Lock()
        self._thread: threading.Thread | None = None

    def poll(self) -> None:
        if self._busy.locked():
            return
        self._thread = threading.Thread(target=self._run, name="event-follow", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        with self._busy:
            try:
                part: EventTable = self.source.read_new()
            except (UserError, OSError) as exc:
                self.failed.emit(str(exc))
                return
            if len(part):
                part.lowered_messages()
                self.arrived.emit(part)
