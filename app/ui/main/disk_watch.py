"""Notice when Configuration.xml changes under the window (Microsoft's wizard, an editor, a
restore elsewhere): a file-system watch plus a check whenever the window is activated. The store's
comparison with the bytes it read decides; the watch only says when to look."""

from __future__ import annotations

import os

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from app.config.document_store import DocumentStore
from app.errors import UserError


class DiskWatch(QObject):
    """Emits `changed()` (debounced) when the file may have changed; `check()` says if it did."""

    changed = Signal()

    def __init__(self, store: DocumentStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self.schedule)
        self.watcher.directoryChanged.connect(self.schedule)
        self.timer = QTimer(self, singleShot=True, interval=300)
        self.timer.timeout.connect(self.changed)
        self.watch()

    def watch(self) -> None:
        # An atomic replace drops the file from the watch list: watch the folder too, re-add the file.
        paths = [str(self.store.path), str(self.store.path.parent)]
        watched = self.watcher.files() + self.watcher.directories()
        existing = [p for p in paths if p not in watched and os.path.exists(p)]
        if existing:
            self.watcher.addPaths(existing)

    def schedule(self, *_args: object) -> None:
        self.timer.start()

    def check(self) -> bool:
        """True when the file on disk is no longer the one the store loaded (or saved)."""
        self.watch()
        try:
            return self.store.changed_on_disk()
        except UserError:  # unreadable now: certainly not what we loaded
            return True
