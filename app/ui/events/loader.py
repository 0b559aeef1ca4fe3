"""Loading and following a log off the GUI thread, with progress and Cancel (app/ui/background.py).

Loading reports each batch of rows as the Task's progress (a Batch: table part, done, total) and
finishes with whether it was cancelled. Following polls `read_new` (file growth or the live
channel), one poll at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from app.errors import UserError
from app.events.records import EventTable
from app.events.sources.base import Batch, EventSource
from app.ui.background import Cancelled, Progress, Task, run_task


def load_task(source: EventSource, parent: QObject) -> Task:
    """A Task (not started) whose progress is each Batch and whose result is "cancelled?"."""
    def work(progress: Callable[[Batch], None], cancelled: Cancelled) -> bool:
        for part in source.batches(cancelled):
            part.table.lowered_messages()  # the search index, built here rather than on a click
            progress(part)
            if cancelled():
                break
        return cancelled() or source.report.cancelled

    return Task(work, name="Reading the log", parent=parent)


class FollowJob:
    """Polls the source for new events in the background, never two polls at once."""

    def __init__(self, source: EventSource, parent: QObject, arrived: Callable[[EventTable], object],
                 failed: Callable[[str], object]) -> None:
        self.source, self.parent = source, parent
        self.arrived, self.failed = arrived, failed
        self.task: Task | None = None

    def poll(self) -> None:
        if self.task is not None and self.task.running:
            return

        def work(_progress: Progress, _cancelled: Cancelled) -> EventTable:
            try:
                part = self.source.read_new()
            except OSError as exc:  # the file went away or is locked: say so, keep following
                raise UserError(f"{self.source.name}: {exc.strerror or exc}") from None
            if len(part):
                part.lowered_messages()
            return part

        self.task = run_task(self.parent, work, name="Following the log", failed=self.failed,
                             finished=lambda part: self.arrived(part) if len(part) else None)

    def stop(self) -> None:
        """Wait for a poll under way; its result is dropped."""
        if self.task is not None:
            task, self.task = self.task, None
            task.wait()
            task.finished.disconnect()
