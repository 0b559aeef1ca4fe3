"""What a window editing one Configuration.xml asks of the store behind it: the real
`ConfigStore` (backed up, atomic, locked) or a host report's read-only stand-in
(app/ui/report/window.py), which refuses every write in one sentence. The main window, its
dialogs and the connector wizard are typed against this, so both are checked, not cast."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.config.document import ConfigDocument
    from app.config.store import SaveResult
    from app.filestore import Backup


class HeldLock(Protocol):
    """The edit lock beside the file: taken when the window opens, let go when it closes."""

    def acquire(self) -> None: ...

    def release(self) -> None: ...


class DocumentStore(Protocol):
    # read-only members, so a plain attribute (`self.path = ...`) satisfies them
    @property
    def path(self) -> Path: ...

    @property
    def lock(self) -> HeldLock: ...

    def load(self) -> ConfigDocument: ...

    def changed_on_disk(self) -> bool: ...

    def save(self, doc: ConfigDocument, /, *, force: bool = False) -> SaveResult: ...

    def write_bytes(self, data: bytes, parsed: ConfigDocument | None = None, /) -> SaveResult: ...

    def backups(self) -> list[Backup]: ...

    def restore(self, backup_id: str, /) -> SaveResult: ...
