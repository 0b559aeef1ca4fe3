"""Configuration.xml's store: the document model on top of app/filestore.py's FileStore.

Load gives a ConfigDocument and remembers the bytes read; save writes only what reads back as the
edited tree, through FileStore.replace (lock, external-change check, backup, atomic replace).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app import journal
from app.config.document import PARTITION, ConfigDocument
from app.filestore import Backup, FileStore

log = logging.getLogger(__name__)


@dataclass
class SaveResult:
    document: ConfigDocument  # the saved file, freshly read: keep editing this one
    backup: Backup | None
    changed: bool
    warnings: list[str] = field(default_factory=list)


class ConfigStore(FileStore):
    """Load and save one Configuration.xml safely."""

    def __init__(self, path: str | Path, *, warn: Callable[[], list[str]] | None = None) -> None:
        super().__init__(path, warn=warn)

    def load(self) -> ConfigDocument:
        doc = ConfigDocument.from_bytes(self.read(), str(self.path))
        doc.path = self.path
        log.info("loaded %s: %d connector(s)", self.path, len(doc.root.findall(PARTITION)))
        return doc

    def save(self, doc: ConfigDocument, *, force: bool = False) -> SaveResult:
        """Back up, then replace atomically. Refused (file untouched) when it cannot be safe."""
        if not doc.modified and self.path.exists() and not force:
            return SaveResult(doc, None, False)
        data = doc.to_bytes()  # verified: reads back as the edited tree
        return self.write_bytes(data, doc.saved_copy(data))

    def write_bytes(self, data: bytes, parsed: ConfigDocument | None = None) -> SaveResult:
        """The one place that replaces Configuration.xml (save, restore, import)."""
        # never write what we could not read back
        saved = parsed or ConfigDocument.from_bytes(data, str(self.path))
        backup = self.replace(data)
        saved.path = self.path
        return SaveResult(saved, backup, True, self.warnings())

    def restore(self, backup_id: str) -> SaveResult:
        """Put a backup back; the current file is itself backed up first."""
        with journal.action("restore backup", self.path, backup=backup_id) as step:
            result = self.write_bytes(self.backup_bytes(backup_id))
            step.undo = result.backup.path if result.backup else None
            return result
