"""The Connectors tab and what its buttons do: New, Edit, Delete, Import, Export one, Export all.

New and Edit open the connector wizard (another area, imported lazily); Delete confirms, then
removes and saves through the store, which backs the file up first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.ui.main import areas
from app.ui.main.connector_model import NAME_ROLE, SORT_ROLE, ConnectorTableModel

if TYPE_CHECKING:  # the window imports this module; the areas load when first used
    from PySide6.QtWidgets import QMessageBox

    from app.config.document import ConfigDocument
    from app.config.store import SaveResult
    from app.migrate.connectors import ImportedConnector
    from app.ui.main.deploy_dialog import DeployDllDialog
    from app.ui.main_window import MainWindow
    from app.ui.migrate.import_dialog import MimImportDialog
    from app.ui.wizard.connector_wizard import ConnectorWizard
    from app.wizard.page_keys import PageKey

EMPTY_TEXT = ("No connectors yet.\n\nNew connector… creates one with the wizard; Import… reads a "
              "connector export or a MIM management-agent export.")
# Opening a connector is also offered where the file may be unreadable (an event log's action, a
# reload that failed after "Discard" in the unsaved-changes question)
UNREADABLE = "{} could not be read: reload it or restore a backup first (the bar above the tabs says why)."


def delete_confirmation(parent: QWidget | None, name: str, file_name: str,
                        unsaved: bool) -> tuple[QMessageBox, QPushButton]:
    """The Delete question; Cancel is the default, so Enter never deletes."""
    from PySide6.QtWidgets import QMessageBox  # on use, as QFileDialog: neither is on the first screen

    others = "\n\nYour other unsaved changes are saved with it." if unsaved else ""
    box = QMessageBox(QMessageBox.Icon.Warning, "Delete connector",
                      f"Delete the connector “{name}”?\n\nEntra stops provisioning through it. "
                      f"A backup of {file_name} is taken first (File › Backups… restores it).{others}",
                      parent=parent)
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box, delete


class ConnectorsTab(QWidget):
    """Filter box, the table, and a row of buttons bound to the window's connector actions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectorsTab")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("connectorFilter")
        self.filter.setPlaceholderText("Filter by name, DLL or state")
        self.filter.setAccessibleName("Filter connectors")
        self.filter.setClearButtonEnabled(True)
        self.table = QTableView(self)
        self.table.setObjectName("connectorTable")
        self.table.setAccessibleName("Connectors")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.button_row = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addLayout(self.stack, 1)
        layout.addLayout(self.button_row)

    def attach(self, actions: ConnectorActions) -> None:
        self.table.setModel(actions.proxy)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(lambda _index: actions.edit_action.trigger())
        self.filter.textChanged.connect(actions.proxy.setFilterFixedString)
        self.table.addActions([actions.edit_action, actions.delete_action])
        for action in actions.button_actions():
            if action is None:
                self.button_row.addStretch(1)
                continue
            button = QPushButton(action.icon(), action.text(), self)
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            button.setToolTip(action.statusTip())
            button.clicked.connect(action.trigger)
            action.enabledChanged.connect(button.setEnabled)
            button.setEnabled(action.isEnabled())
            self.button_row.addWidget(button)

    def show_empty(self, empty: bool) -> None:
        self.stack.setCurrentWidget(self.empty if empty else self.table)


class _ConnectorFilter(QSortFilterProxyModel):
    """The filter box matches any column's text (name, DLL, '2 errors', 'not set')."""

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        wanted = self.filterRegularExpression().pattern().lower()
        if not wanted:
            return True
        model = self.sourceModel()
        return any(wanted in str(model.index(row, c, parent).data() or "").lower()
                   for c in range(model.columnCount()))


class ConnectorActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.model = ConnectorTableModel(window)
        self.proxy = _ConnectorFilter(window)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        make = window._action
        self.new_action = make("&New connector…", lambda: self.new(), QKeySequence.StandardKey.New,
                               "new", "Create a connector with the wizard")
        self.edit_action = make("&Edit…", lambda: self.edit(), "Ctrl+E", "edit",
                                "Open the selected connector in the wizard (or double-click it)")
        self.delete_action = make("&Delete…", lambda: self.delete(), QKeySequence.StandardKey.Delete,
                                  "delete", "Delete the selected connector (a backup is taken first)")
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.import_action = make("&Import…", lambda: self.import_(), "Ctrl+I", "import",
                                  "Add connectors from a connector export or a MIM management-agent export")
        self.export_action = make("E&xport…", lambda: self.export(), "Ctrl+Shift+E", "export",
                                  "Write the selected connector to a file (secrets are left out)")
        self.export_all_action = make("Export &all…", lambda: self.export_all(), None, "export",
                                      "Write every connector to one file (secrets are left out)")
        self.deploy_dll_action = make("&Update connector DLL…", lambda: self.deploy_dll(), None, None,
                                      "Copy a new connector DLL to every place the service runs it from")

    def menu_actions(self) -> list[QAction | None]:
        return [self.new_action, self.edit_action, self.delete_action, None, self.import_action,
                self.export_action, self.export_all_action, None, self.deploy_dll_action]

    def button_actions(self) -> list[QAction | None]:
        return [self.new_action, self.edit_action, self.delete_action, None, self.import_action,
                self.export_action, self.export_all_action]

    # -- state ---------------------------------------------------------------------------------
    def selected_name(self) -> str | None:
        table = self.window.connectors_tab.table
        index = table.currentIndex()
        if not index.isValid() or not table.selectionModel().isRowSelected(index.row(), index.parent()):
            return None
        return index.data(NAME_ROLE)

    def select(self, name: str) -> None:
        row = self.model.row_named(name)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        table = self.window.connectors_tab.table
        table.selectRow(index.row())
        table.setCurrentIndex(index)

    def update_enabled(self) -> None:
        w = self.window
        has_doc = w.document is not None
        writable = has_doc and not w.read_only
        has_rows = bool(self.model.rows)
        self.new_action.setEnabled(writable)
        self.import_action.setEnabled(writable)
        self.edit_action.setEnabled(writable and has_rows)
        self.delete_action.setEnabled(writable and has_rows)
        self.export_action.setEnabled(has_doc and has_rows)
        self.export_all_action.setEnabled(has_doc and has_rows)
        # copying DLLs needs the install folder, not a lone Configuration.xml
        self.deploy_dll_action.setEnabled(has_doc and not w.read_only and w.host.root is not None)
        w.connectors_tab.show_empty(has_doc and not has_rows)
        table = w.connectors_tab.table
        if has_rows and not table.currentIndex().isValid():
            table.selectRow(0)

    # -- the wizard ------------------------------------------------------------------------------
    def _wizard(self, connector_name: str | None, start_page: PageKey | None = None,
                focus_field: str | None = None) -> ConnectorWizard | None:
        w = self.window
        return self.open_wizard(lambda wizard_class, document: wizard_class(
            document, w.store, w.host, parent=w, connector_name=connector_name, start_page=start_page,
            focus_field=focus_field))

    def open_wizard(self, make: Callable[[type[ConnectorWizard], ConfigDocument], ConnectorWizard]
                    ) -> ConnectorWizard | None:
        """Open the connector wizard built by `make(ConnectorWizard, document)`, after settling
        unsaved edits; None when that was cancelled or there is no document to edit."""
        w = self.window
        wizard_class = areas.connector_wizard()
        if not w.save_pending_first("opening the connector wizard"):
            return None
        document = w.document
        if document is None:
            w.statusBar().showMessage(UNREADABLE.format(w.store.path.name), 15000)
            return None
        before = {c.name for c in document.connectors}
        selected = self.selected_name()
        wizard = make(wizard_class, document)
        wizard.saved.connect(lambda result: self._after_wizard(result, before, selected))
        wizard.setWindowModality(Qt.WindowModality.WindowModal)
        wizard.show()
        w.wizard = wizard
        return wizard

    def _after_wizard(self, result: SaveResult, before: set[str], selected: str | None) -> None:
        w = self.window
        w.adopt(result, "Connector saved")
        added = [c.name for c in result.document.connectors if c.name not in before]
        chosen = added[0] if added else selected
        if chosen:
            self.select(chosen)
        w.offer_restart()

    def new(self) -> ConnectorWizard | None:
        return self._wizard(connector_name=None)

    def edit(self, name: str | None = None, *, start_page: PageKey | None = None,
             focus_field: str | None = None) -> ConnectorWizard | None:
        name = name or self.selected_name()
        if name is None:
            return None
        if self.window.read_only:
            why = getattr(self.window, "read_only_reason", "Read-only: another editor holds this file.")
            self.window.statusBar().showMessage(why, 8000)
            return None
        return self._wizard(connector_name=name, start_page=start_page, focus_field=focus_field)

    # -- delete ----------------------------------------------------------------------------------
    def delete(self, name: str | None = None, *, confirm: bool = True) -> bool:
        w = self.window
        name = name or self.selected_name()
        if name is None or w.read_only or w.document is None:
            return False
        if confirm:
            box, delete = delete_confirmation(w, name, w.store.path.name, w.is_unsaved())
            box.exec()
            if box.clickedButton() is not delete:
                return False
        try:
            w.document.remove_connector(name)
            result = w.store.save(w.document)
        except UserError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(w, "Not deleted", exc.sentence())
            w.load()  # the document may hold the removal: start again from the file
            return False
        w.adopt(result, f"Connector “{name}” deleted")
        return True

    # -- import / export -------------------------------------------------------------------------
    def deploy_dll(self, dll: str | None = None) -> DeployDllDialog:
        from app.ui.main.deploy_dialog import DeployDllDialog

        w = self.window
        dialog = DeployDllDialog(w, w.service_control(), dll=dll)
        dialog.setModal(True)
        dialog.show()
        w.deploy_dialog = dialog
        return dialog

    def import_(self, path: str | None = None) -> list[ImportedConnector] | MimImportDialog | None:
        w = self.window
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getOpenFileName(
                w, "Import connectors", str(Path.home()),
                "Connector or MIM exports (*.xml);;All files (*)")
        if not path:
            return None
        from app.ui.main.transfer import import_file  # on use: not part of the first screen

        return import_file(w, Path(path))

    def export(self, path: str | None = None) -> Path | None:
        w, name = self.window, self.selected_name()
        if name is None or w.document is None:
            return None
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(w, f"Export “{name}”", str(Path.home() / f"{name}.xml"),
                                                  "Connector export (*.xml)")
        if not path:
            return None
        from app.ui.main.transfer import export_one

        return self._report(export_one(w.document, name, Path(path)), "Exported")

    def export_all(self, path: str | None = None) -> Path | None:
        w = self.window
        if w.document is None:
            return None
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(w, "Export all connectors",
                                                  str(Path.home() / "connectors.xml"),
                                                  "Connector export (*.xml)")
        if not path:
            return None
        from app.ui.main.transfer import export_all

        return self._report(export_all(w.document, Path(path)), "Exported all connectors")

    def _report(self, outcome: Path | UserError, verb: str) -> Path | None:
        w = self.window
        if isinstance(outcome, UserError):
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(w, "Not exported", outcome.sentence())
            return None
        w.statusBar().showMessage(f"{verb} to {outcome} (secrets left out: enter them again where "
                                  "it is imported).", 15000)
        return outcome
