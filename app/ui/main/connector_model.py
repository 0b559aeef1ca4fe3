"""The connector list as a table model (Vorta's views/partials/*_table_model.py pattern): rows are
plain records built from the document and the rules' findings, so the view never reads XML."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.config.document import ConfigDocument, Connector
from app.config.rules import ERROR, MICROSOFT_TIMER_FLOOR, WARNING, Finding
from app.config.secretvalues import EMPTY, ENCRYPTED, UNREADABLE, read_secret, reported_state
from app.severity import Severity
from app.ui.theme import icon

COLUMNS = ("Name", "Extension DLL", "Autosync timer", "Validation", "Secret token", "Last modified", "Entra")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
# "Thursday, April 27, 2023 9:09:03 PM" (docs/host-facts.md §2); read by hand, not strptime: its first
# use loads the locale machinery, a few ms the first screen does not need
_DOTNET_LONG_DATE = re.compile(r"^\s*\w+, (\w+) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)\s*$")
_MONTHS = {m: i for i, m in enumerate(("January", "February", "March", "April", "May", "June", "July",
                                       "August", "September", "October", "November", "December"), 1)}


def parse_dotnet_date(text: str) -> dt.datetime | None:
    m = _DOTNET_LONG_DATE.match(text)
    if not m or m.group(1) not in _MONTHS:
        return None
    month, day, year, hour, minute, second, half = m.groups()
    hour12 = int(hour)
    if not 1 <= hour12 <= 12:
        return None
    try:
        return dt.datetime(int(year), _MONTHS[month], int(day), hour12 % 12 + (12 if half == "PM" else 0),
                           int(minute), int(second))
    except ValueError:
        return None


def token_state(value: str) -> tuple[str, str]:
    """(short state, explanation) of a connector's secret token, never the token itself; the same
    classification as `ecma-wizard secrets` and the doctor (app/config/secretvalues.py)."""
    reading = read_secret(value)
    if reading.state == EMPTY:
        return ("not set", "No secret token: Entra cannot authenticate to this connector until one "
                "is entered (a copied or exported file has its secrets blanked).")
    reported = reported_state(value)
    if reported is not None:  # a host report's stand-in: the state it recorded, never the value
        return ({"plain": "set, not encrypted", "encrypted": "encrypted"}.get(reported, "unreadable"),
                "As the host report recorded it on its host; the value itself is not in the report.")
    if reading.state == ENCRYPTED:
        return ("encrypted", f"Encrypted by Windows DPAPI for the host machine, as Microsoft's wizard "
                f"stores it ({reading.class_name}); it cannot be read or moved to another host.")
    if reading.state == UNREADABLE:
        return ("unreadable", f"Not a readable encrypted value: {reading.reason}. The host cannot use "
                "it: re-enter the token in the connector's Properties page on the host.")
    return ("set, not encrypted", "The token is stored as plain text in the file; Microsoft's "
            "wizard stores it encrypted. Re-enter it in the connector's Properties page on the host.")


@dataclass(frozen=True)
class ConnectorRow:
    name: str
    library: str
    timer: str
    timer_minutes: int | None
    errors: int
    warnings: int
    token: str
    token_help: str
    modified: str
    modified_at: dt.datetime | None
    description: str

    @classmethod
    def build(cls, connector: Connector, mine: list[Finding]) -> ConnectorRow:
        """`mine`: this connector's findings."""
        token, token_help = token_state(connector.secret_token)
        stamp = parse_dotnet_date(connector.modification_datetime)
        return cls(
            name=connector.name,
            library=connector.library_name,
            timer=connector.autosync_timer,
            timer_minutes=connector.autosync_minutes,
            errors=sum(f.severity is ERROR for f in mine),
            warnings=sum(f.severity is WARNING for f in mine),
            token=token,
            token_help=token_help,
            modified=f"{stamp:%Y-%m-%d %H:%M}" if stamp else connector.modification_datetime,
            modified_at=stamp,
            description=connector.description,
        )

    @property
    def validation(self) -> str:
        parts = []
        if self.errors:
            parts.append(f"{self.errors} error{'s' * (self.errors != 1)}")
        if self.warnings:
            parts.append(f"{self.warnings} warning{'s' * (self.warnings != 1)}")
        return ", ".join(parts) or "OK"

    @property
    def severity(self) -> Severity:
        return ERROR if self.errors else WARNING if self.warnings else Severity.OK


class ConnectorTableModel(QAbstractTableModel):
    """One row per connector; `set_document(doc, findings)` rebuilds it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ConnectorRow] = []
        self.entra: dict[str, tuple[str, str, bool]] = {}  # name -> (state, summary, healthy), from the Entra page

    def set_document(self, doc: ConfigDocument | None, findings: list[Finding]) -> None:
        self.beginResetModel()
        by_connector: dict[str | None, list[Finding]] = {}
        for f in findings:  # grouped once: a host with hundreds of connectors stays quick
            by_connector.setdefault(f.connector, []).append(f)
        self.rows = ([ConnectorRow.build(c, by_connector.get(c.name, [])) for c in doc.connectors]
                     if doc else [])
        self.endResetModel()

    def set_entra_states(self, states: dict[str, tuple[str, str, bool]]) -> None:
        """The provisioning state of linked connectors, as the Entra page last read it."""
        self.entra = dict(states)
        if self.rows:
            column = COLUMNS.index("Entra")
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))

    def row_named(self, name: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.name == name), None)

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == SORT_ROLE:
            return self._sort_key(row, col)
        if role == NAME_ROLE:
            return row.name
        if role == Qt.ItemDataRole.DecorationRole:
            if col == 3:
                return icon(row.severity)
            if col == 4 and row.token != "encrypted":
                return icon("warning")
            if col == 6 and row.name in self.entra:
                return icon("ok" if self.entra[row.name][2] else "error")
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[col]}: {self._display(row, col)}"
        return None

    def _display(self, row: ConnectorRow, col: int) -> str:
        if col == 0:
            return row.name
        if col == 1:
            return f"{row.library}.dll" if row.library else "(none)"
        if col == 2:
            return f"{row.timer_minutes} min" if row.timer_minutes is not None else (row.timer or "(none)")
        if col == 3:
            return row.validation
        if col == 4:
            return row.token
        if col == 6:
            return self.entra.get(row.name, ("", "", True))[0]
        return row.modified or "—"

    def _sort_key(self, row: ConnectorRow, col: int) -> int | str:
        if col == 2:
            return row.timer_minutes if row.timer_minutes is not None else -1
        if col == 3:
            return row.errors * 1000 + row.warnings
        if col == 5:
            return row.modified_at.isoformat() if row.modified_at else row.modified
        return self._display(row, col).lower()

    def _tooltip(self, row: ConnectorRow, col: int) -> str | None:
        if col == 0 and row.description:
            return row.description
        if col == 2 and row.timer_minutes is not None and row.timer_minutes < MICROSOFT_TIMER_FLOOR:
            return (f"Below the {MICROSOFT_TIMER_FLOOR} minutes Microsoft's wizard accepts: the "
                    "service honours it, Microsoft's wizard complains when it opens the file.")
        if col == 3 and (row.errors or row.warnings):
            return "See the Problems panel for each finding and what to do."
        if col == 4:
            return row.token_help
        if col == 6:
            return self.entra[row.name][1] if row.name in self.entra else "Not linked, or not read yet (the Entra tab)."
        return None
