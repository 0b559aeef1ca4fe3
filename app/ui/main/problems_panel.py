"""The Problems panel: every finding of the rules for the whole file. Activating one (double-click
or Enter) asks the window to open the page and field it is about."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.config.rules import ERROR, INFO, WARNING, Finding, counts
from app.ui.theme import icon

COLUMNS = ("Severity", "Where", "Problem", "What to do")
PAGE_TITLES = {
    "properties": "Properties", "connectivity": "Connectivity", "capabilities": "Capabilities",
    "schema": "Schema", "global": "Global", "partitions": "Partitions",
    "run-profiles": "Run profiles", "object-types": "Object types", "attributes": "Attributes",
    "deprovisioning": "Deprovisioning", "settings": "Settings",
}
SEVERITY_WORDS = {ERROR: "Error", WARNING: "Warning", INFO: "Note"}
FILTERS = (("Everything", 2), ("Errors and warnings", 1), ("Errors only", 0))


def where_text(f: Finding) -> str:
    parts = []
    if f.connector:
        parts.append(f.connector)
    elif f.page == "settings":
        parts.append("Host")
    if f.page:
        parts.append(PAGE_TITLES.get(f.page, f.page))
    if f.field:
        parts.append(f.field)
    if not parts and f.line:
        parts.append(f"line {f.line}")
    return " › ".join(parts) or "File"


def summary_text(findings: list[Finding]) -> str:
    tally = counts(findings)
    if not findings:
        return "No problems found."
    words = [f"{tally[ERROR]} error{'s' * (tally[ERROR] != 1)}",
             f"{tally[WARNING]} warning{'s' * (tally[WARNING] != 1)}"]
    if tally[INFO]:
        words.append(f"{tally[INFO]} note{'s' * (tally[INFO] != 1)}")
    return ", ".join(words)


Index = QModelIndex | QPersistentModelIndex


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.findings: list[Finding] = []

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self.findings = sorted(findings, key=lambda f: (f.severity.rank,
                                                        f.connector or "", f.page or ""))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.findings)

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
        f, col = self.findings[index.row()], index.column()
        text = (SEVERITY_WORDS.get(f.severity, f.severity), where_text(f), f.message, f.fix)[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{COLUMNS[col]}: {text}" if role == Qt.ItemDataRole.AccessibleTextRole else text
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return icon(f.severity)
        if role == Qt.ItemDataRole.UserRole:
            return f
        if role == Qt.ItemDataRole.UserRole + 1:  # the severity filter
            return f.severity.rank
        return None


class _SeverityFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worst_kept = 2

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        rank = self.sourceModel().index(row, 0, parent).data(Qt.ItemDataRole.UserRole + 1)
        return rank is not None and rank <= self.worst_kept


class ProblemsPanel(QWidget):
    """`set_findings(list)`; emits `findingActivated(Finding)` when the user opens one."""

    findingActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.model = FindingsModel(self)
        self.proxy = _SeverityFilter(self)
        self.proxy.setSourceModel(self.model)

        self.summary = QLabel(self)
        self.filter = QComboBox(self)
        self.filter.setAccessibleName("Show problems")
        for label, rank in FILTERS:
            self.filter.addItem(label, rank)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        show = QLabel("&Show:", self)
        show.setBuddy(self.filter)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(show)
        top.addWidget(self.filter)

        self.view = QTreeView(self)
        self.view.setObjectName("problemsView")
        self.view.setAccessibleName("Problems")
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setModel(self.proxy)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 260)
        header.resizeSection(2, 420)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)

        # The selected finding in full: the columns elide, this does not.
        self.detail = QLabel(self)
        self.detail.setObjectName("problemDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName("Selected problem")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        self.set_findings([])

    def set_findings(self, findings: list[Finding]) -> None:
        self.model.set_findings(findings)
        self.summary.setText(summary_text(findings))
        self.detail.setText("Double-click a problem (or press Enter) to open the page it is about."
                            if findings else "")

    def visible_findings(self) -> list[Finding]:
        return [self.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.proxy.rowCount())]

    def _filter_changed(self) -> None:
        if hasattr(self.proxy, "beginFilterChange"):  # Qt 6.9+; invalidateFilter is deprecated there
            self.proxy.beginFilterChange()
            self.proxy.worst_kept = int(self.filter.currentData())
            self.proxy.endFilterChange()
        else:
            self.proxy.worst_kept = int(self.filter.currentData())
            self.proxy.invalidateFilter()

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        f = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        if f is None:
            return
        fix = f"<br><b>What to do:</b> {_html(f.fix)}" if f.fix else ""
        self.detail.setText(f"<b>{SEVERITY_WORDS.get(f.severity, f.severity)}</b> in "
                            f"{_html(where_text(f))}: {_html(f.message)}{fix}")

    def _activated(self, index: QModelIndex) -> None:
        f = index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
        if f is not None:
            self.findingActivated.emit(f)

    def activate_row(self, row: int) -> None:
        """Open the finding in (filtered) row `row`, as a double-click would."""
        self._activated(self.proxy.index(row, 0))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
