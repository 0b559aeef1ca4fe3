"""Compare the active and the passive host side by side (docs/host-facts.md §8): pick each side (an
install folder, a backup bundle, a host report or a Configuration.xml), compare, filter the
differences."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.config.diff import Change
from app.errors import UserError
from app.migrate.hostdiff import HostDiff, diff_hosts

AREAS = {"service-config": "Service .exe.config", "wizard-config": "Wizard .exe.config",
         "dll": "Connector DLL", "secret": "Secret", "certificate": "Certificate",
         "setting": "Host setting", "connector": "Connector"}
FILTERS = (("All differences", None), ("Connectors", "connectors"), (".exe.config files", "config"),
           ("Connector DLLs", "dll"), ("Secrets", "secret"), ("Host and certificate", "host"))
KIND_COLOURS = {"added": "#e6f4ea", "removed": "#fce8e6", "changed": "#fff8e1"}
HEADERS = ("Connector", "Area", "Item", "Active (A)", "Passive (B)")
Index = QModelIndex | QPersistentModelIndex


def area_label(area: str) -> str:
    if area.startswith("parameter:"):
        return f"{area.split(':', 1)[1]} page"
    if area.startswith("run-step:"):
        return f"Run profile {area.split(':', 1)[1]}"
    return AREAS.get(area, area.replace("-", " ").capitalize())


def _group(ch: Change) -> str:
    if ch.area in ("service-config", "wizard-config"):
        return "config"
    if ch.area in ("dll", "secret"):
        return ch.area
    if ch.area in ("setting", "certificate"):
        return "host"
    return "connectors"


class DifferenceModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.changes: list[Change] = []

    def set_changes(self, changes: list[Change]) -> None:
        self.beginResetModel()
        self.changes = list(changes)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.changes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        ch = self.changes[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (ch.connector or "(host)", area_label(ch.area), ch.field,
                      "(absent)" if ch.old is None else ch.old or "(empty)",
                      "(absent)" if ch.new is None else ch.new or "(empty)")
            text = values[col]
            if role == Qt.ItemDataRole.DisplayRole and len(text) > 80:
                return text[:77] + "…"
            return text
        if role == Qt.ItemDataRole.BackgroundRole and col >= 3:
            return QBrush(QColor(KIND_COLOURS[ch.kind]))
        if role == Qt.ItemDataRole.ForegroundRole and col >= 3:
            return QBrush(QColor("#202124"))  # readable on the pale backgrounds in dark mode too
        if role == Qt.ItemDataRole.UserRole:
            return _group(ch)
        return None


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.group: str | None = None
        self.text = ""

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        model = self.sourceModel()
        if self.group and model.data(model.index(row, 0), Qt.ItemDataRole.UserRole) != self.group:
            return False
        if not self.text:
            return True
        return any(self.text in str(model.data(model.index(row, c))).lower() for c in range(5))


class HostComparisonWidget(QWidget):
    """Two sources, a Compare button, and the differences in a filterable table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: HostDiff | None = None
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.edits = []
        for row, label in enumerate(("Active host (A):", "Passive host (B):")):
            edit = QLineEdit()
            edit.setPlaceholderText("an ECMA2Host folder, a backup bundle or host report (.zip), or a Configuration.xml")
            folder, file = QPushButton("Folder…"), QPushButton("File…")
            folder.clicked.connect(lambda _=False, e=edit: self._pick(e, folder=True))
            file.clicked.connect(lambda _=False, e=edit: self._pick(e, folder=False))
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(folder, row, 2)
            grid.addWidget(file, row, 3)
            self.edits.append(edit)
        layout.addLayout(grid)
        bar = QHBoxLayout()
        self.compare_button = QPushButton("Compare")
        self.compare_button.clicked.connect(self.compare_fields)
        self.filter_combo = QComboBox()
        for text, _ in FILTERS:
            self.filter_combo.addItem(text)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by name or value")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.compare_button)
        bar.addStretch(1)
        bar.addWidget(self.filter_combo)
        bar.addWidget(self.search, 1)
        layout.addLayout(bar)
        self.summary = QLabel("Choose both hosts, then Compare.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = DifferenceModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.proxy.sort(-1)  # the comparison's own order (host first, then connector by connector)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 3
                                   + (QHeaderView.ResizeMode.Stretch,) * 2):
            header.setSectionResizeMode(col, mode)
        layout.addWidget(self.table, 1)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color:#666")
        layout.addWidget(self.notes)
        self.filter_combo.currentIndexChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)

    def _pick(self, edit: QLineEdit, *, folder: bool) -> None:
        if folder:
            path = QFileDialog.getExistingDirectory(self, "ECMA2Host folder")
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Bundle, host report or Configuration.xml", "",
                                                  "Bundles, reports and configurations (*.zip *.xml);;All files (*)")
        if path:
            edit.setText(path)

    def compare_fields(self) -> None:
        a, b = (e.text().strip() for e in self.edits)
        if not a or not b:
            self._error("Choose both hosts first.")
            return
        self.compare(a, b)

    def compare(self, a: str | Path, b: str | Path) -> None:
        self.edits[0].setText(str(a))
        self.edits[1].setText(str(b))
        try:
            result = diff_hosts(a, b)
        except UserError as exc:
            self._error(exc.sentence())
            return
        self.set_result(result)

    def _error(self, text: str) -> None:
        self.result = None
        self.model.set_changes([])
        self.summary.setStyleSheet("color:#a61b1b")
        self.summary.setText(text)
        self.notes.clear()

    def set_result(self, result: HostDiff) -> None:
        self.result = result
        self.model.set_changes(result.changes)
        n = len(result.changes)
        connectors = len({c.connector for c in result.changes if c.connector})
        self.summary.setStyleSheet("color:#1b6e2e" if n == 0 else "")
        self.summary.setText("The two hosts match." if n == 0 else
                             f"{n:,} difference(s)" + (f", in {connectors} connector(s)" if connectors else "")
                             + ". A is the active host, B the passive one.")
        self.notes.setText("\n".join(result.notes))
        self._refilter()

    def _refilter(self) -> None:
        self.proxy.group = FILTERS[self.filter_combo.currentIndex()][1]
        self.proxy.text = self.search.text().strip().lower()
        self.proxy.invalidate()

    def visible_rows(self) -> int:
        return self.proxy.rowCount()
