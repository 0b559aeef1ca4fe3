"""Background work for the GUI: one way to run a slow call off the GUI thread.

`Task(work)` runs `work(progress, cancelled)` in a daemon thread. `progress(text)` reports a step,
`cancelled()` says whether the user pressed Cancel (the work checks it between steps). The result
arrives on the GUI thread as `finished(result)`; a UserError as `failed(sentence)`; any other
exception is written to the crash log and arrives as `failed(...)` with a sentence saying where the
details are, so no dialog is ever left waiting ("Restarting..." forever) because of an error class
nobody expected.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.datastore import record_crash
from app.errors import UserError

Progress = Callable[[str], None]
Work = Callable[[Progress, Callable[[], bool]], Any]


class Task(QObject):
    progress = Signal(str)
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

    def _run(self) -> None:
        try:
            result = self._work(self.progress.emit, self._cancel.is_set)
        except UserError as exc:
            self.failed.emit(exc.sentence())
        except Exception:  # noqa: BLE001 - the one place a worker's surprise becomes a sentence
            where = record_crash(traceback.format_exc())
            self.failed.emit(f"Something unexpected went wrong; the details were written to {where}.")
        else:
            self.finished.emit(result)
