"""The table model over an EventTable: a list of visible row numbers, fetched into the view lazily."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from app.events.filters import EventFilter, sorted_rows
from app.events.knowledge import Diagnosis, diagnose
from app.events.records import EventTable, format_local, level_name, severity_rank
from app.ui.theme import icon

COLUMNS = [("level", "Level"), ("time", "Time (local)"), ("provider", "Provider"),
           ("event_id", "Event ID"), ("record_id", "Record"), ("known", "Known issue"),
           ("message", "Message")]
FETCH = 2000
_ROOT = QModelIndex()
Index = QModelIndex | QPersistentModelIndex
LEVEL_COLOURS = {1: "#8b0000", 2: "#b3261e", 3: "#8a5a00"}
ROW_TINTS = {1: "#fbe3e1", 2: "#fdeceb", 3: "#fff5dc"}


def legible_when_selected(base: QIcon) -> QIcon:
    """The icon on a white disc in selected rows: Qt tints a selected icon with the highlight
    colour, and the blue Information icon vanished into the blue selection."""
    out = QIcon()
    for size in (16, 24, 32):
        pixmap = base.pixmap(size)
        if pixmap.isNull():
            continue
        out.addPixmap(pixmap, QIcon.Mode.Normal)
        backed = QPixmap(pixmap.size())
        backed.setDevicePixelRatio(pixmap.devicePixelRatio())
        backed.fill(Qt.GlobalColor.transparent)
        painter = QPainter(backed)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        size_f = pixmap.deviceIndependentSize()
        painter.drawEllipse(QRectF(0.5, 0.5, size_f.width() - 1, size_f.height() - 1))
        painter.drawPixmap(0, 0, pixmap)
        painter.end()
        out.addPixmap(backed, QIcon.Mode.Selected)
    return out if not out.isNull() else base


class EventTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table = EventTable()
        self.rows: list[int] = []
        self.filter = EventFilter()
        self.sort_column: str | None = None
        self.descending = False
        self._shown = 0
        self._known: dict[int, Diagnosis | None] = {}
        self._icons: dict[str, QIcon] = {}

    # --- data in -------------------------------------------------------------------------------

    def set_table(self, table: EventTable) -> None:
        self.beginResetModel()
        if table is not self.table:  # its search helper process holds the old blocks
            self.table.messages.close_search_helper()
        self.table = table
        self._known.clear()
        self.rows = self.filter.apply(table)
        self._order()
        self._shown = min(FETCH, len(self.rows))
        self.endResetModel()

    def append(self, part: EventTable) -> None:
        """Rows that arrived (loading, follow mode): filtered and added at the end."""
        start = len(self.table)
        self.table.extend(part)
        new = self.filter.apply(self.table, range(start, len(self.table)))
        if not new:
            return
        self.rows.extend(new)
        if self._shown < FETCH:
            grow = min(FETCH, len(self.rows)) - self._shown
            self.beginInsertRows(QModelIndex(), self._shown, self._shown + grow - 1)
            self._shown += grow
            self.endInsertRows()

    def set_filter(self, event_filter: EventFilter) -> None:
        self.filter = event_filter
        self.beginResetModel()
        self.rows = event_filter.apply(self.table)
        self._order()
        self._shown = min(FETCH, len(self.rows))
        self.endResetModel()

    def _order(self) -> None:
        if self.sort_column is not None:
            self.rows = sorted_rows(self.table, self.rows, self.sort_column, self.descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0:  # no sort: the log's own order
            if self.sort_column is not None:
                self.layoutAboutToBeChanged.emit()
                self.sort_column = None
                self.rows.sort()
                self.layoutChanged.emit()
            return
        key = COLUMNS[column][0]
        if key == "known":
            return
        self.sort_column, self.descending = key, order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        self._order()
        self.layoutChanged.emit()

    # --- lazy fetching -------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and self._shown < len(self.rows)

    def fetchMore(self, parent: Index = _ROOT) -> None:
        grow = min(FETCH, len(self.rows) - self._shown)
        if grow <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + grow - 1)
        self._shown += grow
        self.endInsertRows()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    # --- data out ------------------------------------------------------------------------------

    def row_of(self, index_row: int) -> int:
        return self.rows[index_row]

    def diagnosis(self, row: int) -> Diagnosis | None:
        if row not in self._known:
            level = self.table.levels[row]
            self._known[row] = diagnose(self.table.messages[row]) if severity_rank(level) <= 3 else None
        return self._known[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= self._shown:
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        t = self.table
        rank = severity_rank(t.levels[row])
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "level":
                return level_name(t.levels[row])
            if key == "time":
                return format_local(t.times[row])
            if key == "provider":
                return t.providers[row] or ""
            if key == "event_id":
                return "" if t.event_ids[row] < 0 else str(t.event_ids[row])
            if key == "record_id":
                return "" if t.record_ids[row] < 0 else str(t.record_ids[row])
            if key == "known":
                found = self.diagnosis(row)
                return found.title if found else ""
            message = t.messages[row]
            first, _, rest = message.partition("\n")
            first = first.rstrip("\r")
            if len(first) > 400:
                first = first[:400] + "…"
            return first + ("  …" if rest.strip() else "")
        if role == Qt.ItemDataRole.DecorationRole and key == "level":
            name = "error" if rank <= 2 else "warning" if rank == 3 else "info"
            if name not in self._icons:
                self._icons[name] = legible_when_selected(icon(name))
            return self._icons[name]
        if role == Qt.ItemDataRole.ForegroundRole and key in ("level", "known") and rank in LEVEL_COLOURS:
            return QBrush(QColor(LEVEL_COLOURS[rank]))
        if role == Qt.ItemDataRole.BackgroundRole and rank in ROW_TINTS:
            return QBrush(QColor(ROW_TINTS[rank]))
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("event_id", "record_id"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and key == "known":
            found = self.diagnosis(row)
            return found.fix if found else None
        return None
