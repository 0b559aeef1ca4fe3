"""Backups...: the copies the store took before each save, what restoring one would change, and
Restore (confirmed; the current file is itself backed up first, so a restore can be undone)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.config.diff import diff_documents, format_change
from app.config.document import ConfigDocument
from app.config.document_store import DocumentStore
from app.errors import UserError
from app.filestore import Backup

MAX_LINE = 160  # a changed 14 KB script is one line here, not a wall of text


def describe_changes(current: ConfigDocument, backup: ConfigDocument, limit: int = 200) -> str:
    """What restoring `backup` would do to `current`, one change a line (secrets masked)."""
    changes = diff_documents(current, backup)
    if not changes:
        return "Identical to the current file: restoring it changes nothing."
    lines = []
    for ch in changes[:limit]:
        line = format_change(ch)
        lines.append(line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…")
    if len(changes) > limit:
        lines.append(f"… and {len(changes) - limit} more changes.")
    return f"Restoring this backup would make {len(changes)} change(s):\n" + "\n".join(lines)


class BackupsDialog(QDialog):
    """Emits `restored(SaveResult)` after a restore; the window then adopts `result.document`."""

    restored = Signal(object)

    def __init__(self, store: DocumentStore, current: ConfigDocument, *, unsaved: bool = False,
                 read_only: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Backups of {store.path.name}")
        self.resize(860, 520)
        self.store, self.current, self.unsaved = store, current, unsaved
        intro = QLabel(
            f"A copy of <code>{_html(str(store.path))}</code> is taken before every save "
            f"(the newest 20 are kept, newest first). Restoring one backs up the current file first.", self)
        intro.setWordWrap(True)

        self.list = QTreeWidget(self)
        self.list.setObjectName("backupsList")
        self.list.setAccessibleName("Backups, newest first")
        self.list.setHeaderLabels(["#", "Taken", "Size"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.currentItemChanged.connect(self._show_changes)
        self.changes = QPlainTextEdit(self)
        self.changes.setObjectName("backupChanges")
        self.changes.setAccessibleName("What restoring the selected backup would change")
        self.changes.setReadOnly(True)
        self.changes.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(self.changes)
        split.setSizes([300, 560])

        self.restore_button = QPushButton("&Restore…", self)
        self.restore_button.setEnabled(False)
        self.restore_button.setToolTip("Read-only: another editor holds this file." if read_only else "")
        self.read_only = read_only
        self.restore_button.clicked.connect(self.restore_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.restore_button)
        row.addStretch(1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        self.backups: list[Backup] = self.store.backups()
        for i, b in enumerate(self.backups, 1):
            item = QTreeWidgetItem([str(i), f"{b.taken.astimezone():%Y-%m-%d %H:%M:%S}", _size(b.size)])
            item.setData(0, Qt.ItemDataRole.UserRole, b.id)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if self.backups and first is not None:
            self.list.setCurrentItem(first)
        else:
            self.changes.setPlainText("No backups yet: one is taken before every save.")

    def selected(self) -> Backup | None:
        item = self.list.currentItem()
        if item is None:
            return None
        wanted = item.data(0, Qt.ItemDataRole.UserRole)
        return next((b for b in self.backups if b.id == wanted), None)

    def _show_changes(self, *_args: object) -> None:
        backup = self.selected()
        self.restore_button.setEnabled(backup is not None and not self.read_only)
        if backup is None:
            return
        try:
            text = describe_changes(self.current, ConfigDocument.load(backup.path))
        except UserError as exc:
            text = f"This backup cannot be read: {exc.sentence()}"
            self.restore_button.setEnabled(False)
        self.changes.setPlainText(text)

    def restore_selected(self, *, confirm: bool = True) -> bool:
        backup = self.selected()
        if backup is None or self.read_only:
            return False
        if confirm:
            lost = ("\n\nYour unsaved changes in this window will be lost." if self.unsaved else "")
            answer = QMessageBox.question(
                self, "Restore backup",
                f"Replace {self.store.path.name} with the backup taken "
                f"{backup.taken.astimezone():%Y-%m-%d %H:%M:%S}?\n\nThe current file is backed up "
                f"first, so this can be undone from this list.{lost}",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            result = self.store.restore(backup.id)
        except UserError as exc:
            QMessageBox.warning(self, "Restore failed", exc.sentence())
            return False
        self.current, self.unsaved = result.document, False
        self.restored.emit(result)
        self.refresh()
        return True


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 10_000 else f"{n / 1024:,.0f} KB"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
