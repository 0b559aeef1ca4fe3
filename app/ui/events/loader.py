"""Loading and following off the GUI thread: a worker in a QThread, with progress and Cancel."""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, QThread, Signal

from app.errors import UserError
from app.events.records import EventTable
from app.events.sources.base import EventSource


class LoadWorker(QObject):
    batch = Signal(object, int, int)  # EventTable part, done, total
    finished = Signal(bool)  # cancelled?
    failed = Signal(str)

    def __init__(self, source: EventSource) -> None:
        super().__init__()
        self.source = source
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
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


class FollowWorker(QObject):
    """One poll of `read_new` (file growth or the live channel), run in the worker thread."""

    arrived = Signal(object)
    failed = Signal(str)

    def __init__(self, source: EventSource) -> None:
        super().__init__()
        self.source = source

    def poll(self) -> None:
        try:
            part: EventTable = self.source.read_new()
        except (UserError, OSError) as exc:
            self.failed.emit(str(exc))
            return
        if len(part):
            part.lowered_messages()
            self.arrived.emit(part)


def start_in_thread(worker: QObject, entry: str) -> QThread:
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(getattr(worker, entry))
    thread.start()
    return thread
