"""Journal of changes…: every action the tool took (docs/journal.md), newest first, with a filter
by text and by outcome; the selected action's details and its undo below."""

from __future__ import annotations

import re

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.journal import ActionView, JournalView, read_journal
from app.ui.theme import error_colour

COLUMNS = ("When (UTC)", "Action", "On", "Outcome", "By", "Undo with")
SHOWN = {"all": "Every action", "problems": "Failed or did not finish", "ok": "Finished ok"}
Index = QModelIndex | QPersistentModelIndex


class JournalModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actions: list[ActionView] = []
        self.problem_colour = QColor("#a61b1b")

    def set_actions(self, actions: list[ActionView]) -> None:
        self.beginResetModel()
        self.actions = list(reversed(actions))  # newest first
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.actions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        a = self.actions[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole:  # the whole text where the cell shortens it
                return (None, a.action, a.target, a.outcome_text(), a.by(), a.undo)[column] or None
            undo = re.split(r"[\\\\/]", a.undo)[-1]  # the backup's name; its folder is in the details
            user = re.split(r"[\\\\]", a.user)[-1]  # CONTOSO\\adm-jdoe: the domain is in the details
            by = f"{user}@{a.machine}" if a.machine else user
            return (a.when_text().removesuffix(" UTC"), a.action, a.target, _outcome(a), by, undo)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and a.outcome in ("failed", "unfinished"):
            return self.problem_colour
        if role == Qt.ItemDataRole.UserRole:
            return a
        return None


def _outcome(a: ActionView) -> str:
    return {"unfinished": "did not finish", "running": "running now"}.get(a.outcome, a.outcome)


class JournalFilter(QSortFilterProxyModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.shown = "all"

    def set(self, text: str, shown: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+: invalidateFilter is deprecated
            self.beginFilterChange()
            self.text, self.shown = text.strip().casefold(), shown
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.text, self.shown = text.strip().casefold(), shown
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, JournalModel)
        a = model.actions[row]
        if self.shown == "problems" and a.outcome not in ("failed", "unfinished"):
            return False
        if self.shown == "ok" and a.outcome != "ok":
            return False
        if not self.text:
            return True
        haystack = " ".join((a.action, a.target, a.user, a.machine, a.reason, a.undo, a.details_text()))
        return self.text in haystack.casefold()


class JournalDialog(QDialog):
    def __init__(self, view: JournalView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Journal of changes")
        self.resize(1180, 640)
        intro = QLabel("Every change this tool made from this machine: saves and restores, the service, "
                       "DLL updates, certificates, host secrets and Entra. An action that <b>did not "
                       "finish</b> was stopped while it ran (closed, killed, power lost): the doctor says "
                       "how to put it right.", self)
        intro.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Filter: action, host folder, file, application, user…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Filter the journal")
        self.shown = QComboBox(self)
        for key, label in SHOWN.items():
            self.shown.addItem(label, key)
        self.shown.setAccessibleName("Which outcomes to show")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.shown)
        self.model = JournalModel(self)
        self.model.problem_colour = QColor(error_colour(self))
        self.proxy = JournalFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("journalTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # paths: keep both ends
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column, width in enumerate((135, 245, 300, 100, 170)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("The selected action")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setSizes([440, 130])
        self.summary = QLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        refresh = QPushButton("&Refresh", self)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        refresh.clicked.connect(lambda: self.load())
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.search.textChanged.connect(self._filter)
        self.shown.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().currentRowChanged.connect(self._show_current)
        self.view = JournalView([])
        self.load(view)

    def load(self, view: JournalView | None = None) -> None:
        """Show `view`, or read the journal off the GUI thread (a full one, 10 MB, takes ~1.5 s)."""
        if view is not None:
            self._show(view)
            return
        from app.ui.background import run_task

        self.summary.setText("Reading the journal…")
        self.task = run_task(self, lambda _progress, _cancelled: read_journal(), name="journal",
                             finished=self._show, failed=self.summary.setText)

    def _show(self, view: JournalView) -> None:
        self.view = view
        self.model.set_actions(view.actions)
        self._filter()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _filter(self) -> None:
        self.proxy.set(self.search.text(), self.shown.currentData())
        self._summarise()

    def _summarise(self) -> None:
        view = self.view
        unfinished = sum(1 for a in view.actions if a.outcome == "unfinished")
        failed = sum(1 for a in view.actions if a.outcome == "failed")
        text = f"{self.proxy.rowCount():,} of {len(view.actions):,} action(s) shown"
        if unfinished:
            text += f"; {unfinished} did not finish"
        if failed:
            text += f"; {failed} failed"
        if view.skipped:
            text += f"; {view.skipped} damaged line(s) of the journal skipped"
        self.summary.setText(text + ".")

    def _show_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        a = self.proxy.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        if not isinstance(a, ActionView):
            self.details.clear()
            return
        lines = [f"{a.action} — {a.target or '(no target)'}",
                 f"Started {a.started or '(not recorded)'}; finished {a.finished or '(never)'}; by {a.by()}, "
                 f"process {a.pid}",
                 f"Outcome: {a.outcome_text()}"]
        if a.details:
            lines.append(f"Details: {a.details_text()}")
        if a.undo:
            lines.append(f"Undo with: {a.undo}")
        self.details.setPlainText("\n".join(lines))
