"""Import and export of connectors for the main window, through app/migrate.

In: a connector export (Configuration.xml format, Microsoft's or ours) is merged and saved through
the store, asking Rename / Replace / Skip on a name clash; a MIM management-agent export goes
through the migrate area's import dialog (object type, name, report), then opens the connector
wizard on it (`ConnectorWizard.from_spec`). Out: one connector or all, secrets left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from app.config.document import ConfigDocument
from app.config.xmltext import read_file
from app.errors import UserError
from app.ui.main.actions import UNREADABLE

if TYPE_CHECKING:  # app/migrate and the areas load when first used
    from app.migrate.connectors import ClashAnswer, ImportedConnector
    from app.migrate.mim_mapping import MappedConnector
    from app.ui.main_window import MainWindow
    from app.ui.migrate.import_dialog import MimImportDialog
    from app.ui.wizard.connector_wizard import ConnectorWizard


def _export(document: ConfigDocument, names: list[str] | None, path: Path) -> Path | UserError:
    try:
        from app.migrate import connectors  # not needed to show the first screen

        connectors.export_connectors(document, names, path)
    except UserError as exc:
        return exc
    return path


def export_one(document: ConfigDocument, name: str, path: Path) -> Path | UserError:
    return _export(document, [name], path)


def export_all(document: ConfigDocument, path: Path) -> Path | UserError:
    return _export(document, None, path)


def show_report(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    """A summary with the full list under "Show Details…" (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def clash_box(parent: QWidget | None, name: str,
              suggested: str) -> tuple[QMessageBox, QPushButton, QPushButton]:
    """The Rename / Replace / Skip question; Rename (nothing lost) is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, "Connector exists",
                      f"This host already has a connector named “{name}”.\n\nRename the imported one "
                      f"(to “{suggested}”), replace the existing one, or skip it?", parent=parent)
    rename = box.addButton(f"Rename to {suggested}", QMessageBox.ButtonRole.AcceptRole)
    replace = box.addButton("Replace", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Skip", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(rename)
    return box, rename, replace


def ask_clash(parent: QWidget | None, name: str, suggested: str) -> ClashAnswer:
    """Ask about a connector whose name is taken (tests replace this function)."""
    from app.migrate.connectors import RENAME, REPLACE, SKIP, ClashAnswer

    box, rename, replace = clash_box(parent, name, suggested)
    box.exec()
    clicked = box.clickedButton()
    if clicked is rename:
        return ClashAnswer(RENAME, suggested)
    if clicked is replace:
        return ClashAnswer(REPLACE)
    return ClashAnswer(SKIP)


def import_file(window: MainWindow,
                path: Path) -> list[ImportedConnector] | MimImportDialog | None:
    """Import `path` into the window's file; returns the import records, the wizard, or None."""
    from app.migrate import connectors  # not needed to show the first screen

    try:
        data = read_file(path)
        kind = connectors.file_kind(data, str(path))
    except UserError as exc:
        QMessageBox.warning(window, "Not imported", exc.sentence())
        return None
    if kind == "mim":
        return import_management_agent(window, data, path)
    return import_connector_export(window, data, path)


def import_connector_export(window: MainWindow, data: bytes, path: Path) -> list[ImportedConnector] | None:
    from app.migrate import connectors

    if not window.save_pending_first("importing"):
        return None
    if window.document is None:  # "Discard" reloads the file, and that may fail
        QMessageBox.warning(window, "Not imported", UNREADABLE.format(window.store.path.name))
        return None
    try:
        source = connectors.read_connector_file(data, str(path))
        working = ConfigDocument.from_bytes(window.document.to_bytes(), str(window.store.path))
        working.path = window.store.path
        records = connectors.import_connectors(working, source, lambda n, s: ask_clash(window, n, s))
        if all(r.action == "skipped" for r in records):
            window.statusBar().showMessage("Nothing imported: every connector was skipped.", 10000)
            return records
        result = window.store.save(working)
    except UserError as exc:
        QMessageBox.warning(window, "Not imported", exc.sentence())
        return None
    window.adopt(result, f"Imported {path.name}")
    done = [r for r in records if r.action != "skipped"]
    window.connector_actions.select(done[-1].name)
    lines = [f"{r.name}: {r.action}" + (f" (from “{r.source_name}”)" if r.name != r.source_name else "")
             for r in records]
    secrets = [f"{r.name}: {', '.join(r.secrets_to_enter)}" for r in done if r.secrets_to_enter]
    foreign = [f"{r.name}: {', '.join(r.foreign_secrets)}" for r in done if r.foreign_secrets]
    text = f"Imported {len(done)} connector(s) from {path.name}."
    if secrets:
        text += ("\n\nExports never hold secrets: enter them again (Edit… › Properties and "
                 "Connectivity) before Entra can provision.")
    if foreign:
        text += "\n\nSome secrets were encrypted for another machine: they do not work here; enter them again."
    details = "\n".join(lines + (["", "Secrets to enter:"] + secrets if secrets else [])
                        + (["", "Encrypted on another machine:"] + foreign if foreign else []))
    show_report(window, "Import", text, details)
    return records


def import_management_agent(window: MainWindow, data: bytes, path: Path) -> MimImportDialog | None:
    """A MIM export: the migrate area's dialog asks the object type and the name and shows the
    report; its Open hands the mapped agent to the connector wizard."""
    from app.ui.migrate.import_dialog import MimImportDialog

    if window.document is None:
        QMessageBox.warning(window, "Not imported", UNREADABLE.format(window.store.path.name))
        return None
    try:
        dialog = MimImportDialog.for_file(path, [c.name for c in window.document.connectors], parent=window)
    except UserError as exc:
        QMessageBox.warning(window, "Not imported", exc.sentence())
        return None
    dialog.accepted.connect(lambda: dialog.mapped is not None and open_mapped(window, dialog.mapped))
    dialog.setModal(True)
    dialog.show()
    window.mim_dialog = dialog
    return dialog


def open_mapped(window: MainWindow, mapped: MappedConnector) -> ConnectorWizard | None:
    """The connector wizard on a mapped MIM agent: nothing is saved until its Finish."""
    return window.connector_actions.open_wizard(
        lambda wizard_class, document: wizard_class.from_spec(mapped.spec, document, window.store,
                                                              window.host, parent=window))
