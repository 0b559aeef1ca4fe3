"""Select Attributes (page 10): a table model over the discovered attributes, a filter proxy and a
search box, multi-select with bulk add/remove, Treat as single value, the data type shown and
unsupported types flagged. Built for 5,000 rows (tests/benchmarks/bench_attributes.py)."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
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
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.config.document import AttributeSchema
from app.wizard.schema_edits import AttributeChoice, SchemaEditor

SELECTED, NAME, TYPE, SINGLE, NOTE = range(5)
ROOT = QModelIndex()
HEADERS = ("Selected", "Attribute", "Data type", "Treat as single value", "Notes")


class AttributeTableModel(QAbstractTableModel):
    """Rows are AttributeChoice; selection state lives in the working copy (SchemaEditor)."""

    edited = Signal()

    def __init__(self, editor: SchemaEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.rows: list[AttributeChoice] = []
        self.selected: set[str] = set()
        self.single: set[str] = set()
        self.notes: list[str] = []
        self.keys: list[tuple[str, str]] = []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.editor.choices()
        stored = self.editor.stored()
        self.selected = {n for n, a in stored.items() if not a.is_deprovisioning_attribute}
        self.single = {n for n, a in stored.items() if a.treat_as_single_value}
        self.notes = [self._note(c, stored.get(c.name)) for c in self.rows]
        self.keys = [(c.name.lower(), c.data_type.lower()) for c in self.rows]  # for the filter
        self.endResetModel()

    @staticmethod
    def _note(c: AttributeChoice, stored: AttributeSchema | None) -> str:
        notes = []
        if stored is not None and stored.is_anchor:
            notes.append("anchor")
        if stored is not None and stored.is_dn:
            notes.append("DN")
        if stored is not None and stored.is_deprovisioning_attribute:
            notes.append("set by deprovisioning")
        if c.unsupported:
            notes.append("⚠ " + c.unsupported)
        if c.multivalued:
            notes.append("multivalued: tick Treat as single value")
        return "; ".join(notes)

    # -- Qt model -------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        c = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == NAME:
                return c.name
            if col == TYPE:
                return c.data_type + (" (multivalued)" if c.multivalued else "")
            if col == NOTE:
                return self.notes[index.row()]
            return None
        if role == Qt.ItemDataRole.CheckStateRole:
            if col == SELECTED:
                return Qt.CheckState.Checked if c.name in self.selected else Qt.CheckState.Unchecked
            if col == SINGLE:
                return Qt.CheckState.Checked if c.name in self.single else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "selected" if c.name in self.selected else "not selected"
            return f"{c.name}, {c.data_type}, {state}"
        if role == Qt.ItemDataRole.ToolTipRole and col == NOTE:
            return self.notes[index.row()] or None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        c = self.rows[index.row()]
        if index.column() == SELECTED:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == SINGLE and c.name in self.selected:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        on = Qt.CheckState(value) == Qt.CheckState.Checked
        name = self.rows[index.row()].name
        if index.column() == SELECTED:
            self.set_selected([name], on)
            return True
        if index.column() == SINGLE:
            self.editor.set_treat_as_single(name, on)
            self.single.symmetric_difference_update({name} if (name in self.single) != on else set())
            self.dataChanged.emit(index, index)
            self.edited.emit()
            return True
        return False

    def set_selected(self, names: list[str], on: bool) -> list[str]:
        refused = self.editor.select(names, on)
        changed = set(names) - set(refused)
        if on:
            self.selected |= changed
        else:
            self.selected -= changed
            self.single -= changed
        if changed:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, SINGLE))
            self.edited.emit()
        return refused


class AttributeFilter(QSortFilterProxyModel):
    """Case-insensitive substring search on the attribute name (and type, e.g. 'Boolean')."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.needle = ""
        self.model: AttributeTableModel | None = None

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        # a Python reference: sourceModel() per row costs a wrapper lookup (it is always ours)
        self.model = model if isinstance(model, AttributeTableModel) else None
        super().setSourceModel(model)

    def set_needle(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+: invalidateFilter is deprecated
            self.beginFilterChange()
            self.needle = text.strip().lower()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.needle = text.strip().lower()
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.needle or self.model is None:
            return True
        name, data_type = self.model.keys[row]
        return self.needle in name or self.needle == data_type


class AttributePicker(QWidget):
    edited = Signal()
    refresh_requested = Signal()

    def __init__(self, editor: SchemaEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AttributeTableModel(editor, self)
        self.proxy = AttributeFilter(self)
        self.proxy.setSourceModel(self.model)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search attributes (name, or a type such as Boolean)")
        self.search.setAccessibleName("Search attributes")
        self.search.setClearButtonEnabled(True)
        self.refresh = QPushButton("Refresh schema…")
        self.refresh.setAccessibleName("Refresh schema from a file or script")
        top.addWidget(self.search, 1)
        top.addWidget(self.refresh)
        lay.addLayout(top)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Attributes")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        # fixed widths from the font (ResizeToContents would measure all 5,000 rows on every reset)
        fm = self.fontMetrics()
        for col in (SELECTED, NAME, TYPE, SINGLE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(SELECTED, fm.horizontalAdvance(HEADERS[SELECTED]) + 24)
        header.resizeSection(NAME, fm.horizontalAdvance("M" * 16))
        header.resizeSection(TYPE, fm.horizontalAdvance("Reference (multivalued)") + 16)
        header.resizeSection(SINGLE, fm.horizontalAdvance(HEADERS[SINGLE]) + 24)
        self.view.setWordWrap(False)
        lay.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        self.add_button = QPushButton("Add highlighted")
        self.add_button.setAccessibleName("Select the highlighted attributes")
        self.remove_button = QPushButton("Remove highlighted")
        self.remove_button.setAccessibleName("Deselect the highlighted attributes")
        self.count = QLabel()
        bottom.addWidget(self.add_button)
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        bottom.addWidget(self.count)
        lay.addLayout(bottom)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)
        self.search.textChanged.connect(self.filter)
        self.add_button.clicked.connect(lambda: self.bulk(True))
        self.remove_button.clicked.connect(lambda: self.bulk(False))
        self.refresh.clicked.connect(self.refresh_requested)
        self.model.edited.connect(self._count)
        self.model.edited.connect(self.edited)
        self.setTabOrder(self.search, self.refresh)
        self.setTabOrder(self.refresh, self.view)
        self.setTabOrder(self.view, self.add_button)
        self.setTabOrder(self.add_button, self.remove_button)

    def reload(self) -> None:
        self.model.reload()
        self._count()

    def filter(self, text: str) -> None:
        self.proxy.set_needle(text)
        self._count()

    def highlighted_names(self) -> list[str]:
        rows = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        return [self.model.rows[r].name for r in sorted(rows)]

    def bulk(self, on: bool) -> None:
        names = self.highlighted_names()
        refused = self.model.set_selected(names, on)
        if refused:
            self.message.setText("Kept (required): " + ", ".join(
                f"{n} is {self.model.editor.required_reason(n)}" for n in refused))
            self.message.show()
        else:
            self.message.hide()

    def _count(self) -> None:
        total = len(self.model.rows)
        shown = self.proxy.rowCount()
        selected = len(self.model.selected)
        self.count.setText(f"{selected:,} selected · {shown:,} of {total:,} shown")
