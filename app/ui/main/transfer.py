"""Import and export of connectors for the main window, through app/migrate (imported lazily).

In: a connector export (Configuration.xml format, Microsoft's or ours) is merged and saved through
the store, asking Rename / Replace / Skip on a name clash; a MIM management-agent export becomes a
ConnectorSpec that opens the connector wizard (`ConnectorWizard.from_spec`), or the migrate area's
own import dialog when it is there. Out: one connector or all, secrets left out.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.config.document import ConfigDocument
from app.config.xmltext import read_file
from app.errors import UserError

UNAVAILABLE = "Importing and exporting connectors is not available in this build."


def _connectors_module():
    try:
        return importlib.import_module("app.migrate.connectors")
    except ImportError:
        return None


def _export(document, names: list[str] | None, path: Path) -> Path | UserError:
    module = _connectors_module()
    if module is None:
        return UserError(UNAVAILABLE)
    try:
        module.export_connectors(document, names, path)
    except UserError as exc:
        return exc
    return path


def export_one(document, name: str, path: Path) -> Path | UserError:
    return _export(document, [name], path)


def export_all(document, path: Path) -> Path | UserError:
    return _export(document, None, path)


def show_report(parent, title: str, text: str, details: str = "") -> None:
    """A summary with the full list under "Show Details…" (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def clash_box(parent, name: str, suggested: str):
    """The Rename / Replace / Skip question; Rename (nothing lost) is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, "Connector exists",
                      f"This host already has a connector named “{name}”.\n\nRename the imported one "
                      f"(to “{suggested}”), replace the existing one, or skip it?", parent=parent)
    rename = box.addButton(f"Rename to {suggested}", QMessageBox.ButtonRole.AcceptRole)
    replace = box.addButton("Replace", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Skip", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(rename)
    return box, rename, replace


def ask_clash(parent, name: str, suggested: str):
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


def import_file(window, path: Path):
    """Import `path` into the window's file; returns the import records, the wizard, or None."""
    module = _connectors_module()
    if module is None:
        QMessageBox.information(window, "Import", UNAVAILABLE)
        return None
    try:
        data = read_file(path)
        kind = module.file_kind(data, str(path))
    except UserError as exc:
        QMessageBox.warning(window, "Not imported", exc.sentence())
        return None
    if kind == "mim":
        return import_management_agent(window, data, path)
    return import_connector_export(window, module, data, path)


def import_connector_export(window, module, data: bytes, path: Path):
    if not window.save_pending_first("importing"):
        return None
    try:
        source = module.read_connector_file(data, str(path))
        working = ConfigDocument.from_bytes(window.document.to_bytes(), str(window.store.path))
        working.path = window.store.path
        records = module.import_connectors(working, source, lambda n, s: ask_clash(window, n, s))
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


def choose_object_type(parent, file_name: str, classes: list[str]) -> str | None:
    """ECMA2Host runs one object type (docs/host-facts.md §3): ask which (tests replace this function)."""
    default = classes.index("User") if "User" in classes else 0
    chosen, ok = QInputDialog.getItem(parent, "Object type", f"{file_name} has several object types; "
                                      "ECMA2Host takes one. Which one should the connector provision?",
                                      classes, default, False)
    return chosen if ok else None


def _mim_dialog():
    """The migrate area's own MIM import dialog, when this build has it."""
    for module_name in ("app.ui.migrate.import_dialog", "app.ui.migrate"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, "MimImportDialog"):
            return module.MimImportDialog
    return None


def import_management_agent(window, data: bytes, path: Path):
    """A MIM export: map it, then let the user finish it in the connector wizard. The migrate
    area's dialog (object type, name, report) comes first when this build has it."""
    dialog_class = _mim_dialog()
    if dialog_class is not None:
        try:
            dialog = dialog_class.for_file(path, [c.name for c in window.document.connectors], parent=window)
        except UserError as exc:
            QMessageBox.warning(window, "Not imported", exc.sentence())
            return None
        dialog.accepted.connect(lambda: dialog.mapped is not None and open_mapped(window, dialog.mapped))
        dialog.setModal(True)
        dialog.show()
        window.mim_dialog = dialog
        return dialog
    try:
        from app.migrate.mim_mapping import ObjectTypeNeeded
        from app.migrate.mim_mapping import import_management_agent as map_export
    except ImportError:
        QMessageBox.information(window, "Import", "Importing MIM management-agent exports is not "
                                "available in this build.")
        return None
    object_type = None
    for _ in range(2):
        try:
            mapped = map_export(data, str(path), object_type=object_type)
            break
        except ObjectTypeNeeded as exc:
            object_type = choose_object_type(window, path.name, exc.classes)
            if object_type is None:
                return None
        except UserError as exc:
            QMessageBox.warning(window, "Not imported", exc.sentence())
            return None
    else:
        return None
    if window.document.connector(mapped.spec.name) is not None:
        name, ok = QInputDialog.getText(window, "Connector name",
                                        f"A connector named “{mapped.spec.name}” exists. Name the "
                                        "imported one:", text=f"{mapped.spec.name}2")
        if not ok or not name.strip():
            return None
        mapped.spec.name = name.strip()
    show_report(window, "MIM import", f"“{mapped.report.agent}” was read from {path.name}. Check "
                "each page of the wizard, enter the secrets, then Finish to save.", mapped.report.text())
    return open_mapped(window, mapped)


def open_mapped(window, mapped):
    """The connector wizard on a mapped MIM agent: nothing is saved until its Finish."""
    return window.connector_actions.open_wizard(
        lambda wizard_class: wizard_class.from_spec(mapped.spec, window.document, window.store,
                                                    window.host, parent=window))
