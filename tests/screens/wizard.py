"""Render every page of the connector wizard to PNG: the two sample connectors, a new connector,
a custom DLL, an error blocking Next, 5,000 attributes, the dark palette, large text, and the
Refresh schema dialog. Works on a copy of the sample host in a temporary folder."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import cast

from PySide6.QtWidgets import QApplication, QWidget

from app.config.store import ConfigStore
from app.host.layout import from_host_dir
from app.paths import resources_dir
from app.wizard.page_keys import ATTRIBUTES, DEPROVISIONING, GLOBAL, OBJECT_TYPES, PROPERTIES, SUMMARY
from app.wizard.schema_edits import AttributeChoice

SIZE = (920, 700)


def _app() -> QApplication:
    return cast(QApplication, QApplication.instance() or QApplication([]))


def _grab(widget: QWidget, path: Path, out: list[Path]) -> None:
    app = _app()
    widget.show()
    for _ in range(3):
        app.processEvents()
    widget.grab().save(str(path))
    out.append(path)


def _wizard(layout, name=None, **kw):
    from app.ui.wizard.connector_wizard import ConnectorWizard

    store = ConfigStore(layout.config_path)
    wizard = ConnectorWizard(store.load(), store, layout, name, **kw)
    wizard.resize(*SIZE)
    return wizard


def _walk(wizard, prefix: str, outdir: Path, out: list[Path], prepare=None) -> None:
    for i in range(30):
        key = wizard.current_key()
        if prepare:
            prepare(wizard, key)
        wizard.currentPage().refresh_findings()
        _grab(wizard, outdir / f"{prefix}-{i:02d}-{str(key).replace(':', '-')}.png", out)
        if key == SUMMARY:
            return
        before = wizard.currentId()
        wizard.next()
        if wizard.currentId() == before:
            return


def _new_connector(wizard, key: str) -> None:
    page = wizard.currentPage()
    if key == PROPERTIES and not page.name.text():
        page.name.setText("Badges")
        wizard.session.set_name("Badges")
        page.library.setCurrentText("Microsoft.IAM.Connector.PowerShell.dll")
        page.generate.click()
        page.description.setText("Door badges from the facilities system")
        wizard.session.set_description(page.description.text())
    elif key == OBJECT_TYPES and not wizard.session.connector.entry_schema.anchor:
        wizard.session.schema.set_anchor("EmployeeId")
        page.initializePage()
    elif key == ATTRIBUTES:
        wizard.session.schema.select(["DisplayName", "Email", "Title"])
        page.initializePage()


def screenshots(outdir: Path) -> list[Path]:
    from app.ui.theme import dark_palette
    from app.ui.wizard.schema_refresh import SchemaRefreshDialog

    app = _app()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="ecma-wizard-wizard-screens-") as tmp:
        root = Path(tmp) / "host"
        shutil.copytree(resources_dir() / "sample-host", root)
        layout = from_host_dir(root)

        _walk(_wizard(layout, "CSV"), "csv", outdir, out)
        _walk(_wizard(layout, "HRDatabase"), "hrdatabase", outdir, out)
        _walk(_wizard(layout), "new-powershell", outdir, out, _new_connector)

        w = _wizard(layout)  # a custom DLL: an editable parameter list
        page = w.currentPage()
        page.name.setText("Badges")
        w.session.set_name("Badges")
        page.library.setCurrentText("Contoso.Badges.Connector.dll")
        _grab(w, outdir / "custom-dll-properties.png", out)
        w.session.add_parameter("Badge Server", "String", "Connectivity")
        w.session.add_parameter("API Key", "EncryptedString", "Connectivity")
        w.next()
        _grab(w, outdir / "custom-dll-connectivity.png", out)

        w = _wizard(layout, "CSV")  # an error next to its field, Next disabled
        page = w.currentPage()
        page.token.start_replace()
        page.token.edit.setText("short")
        page.token._edited("short")
        page.timer.setValue(10)
        page.refresh_findings()
        _grab(w, outdir / "error-blocks-next.png", out)

        w = _wizard(layout, "CSV", start_page=ATTRIBUTES)  # 5,000 attributes, filtered
        w.session.schema.discover([AttributeChoice(f"extensionAttribute{i}", ("String", "Integer",
                                   "Boolean", "Reference")[i % 4], i % 50 == 0, "bench")
                                   for i in range(5000)])
        w.currentPage().initializePage()
        _grab(w, outdir / "attributes-5000.png", out)
        w.currentPage().picker.search.setText("extensionAttribute12")
        _grab(w, outdir / "attributes-5000-filtered.png", out)

        original = app.palette()
        app.setPalette(dark_palette())
        try:
            for start in (PROPERTIES, GLOBAL, ATTRIBUTES, DEPROVISIONING):
                w = _wizard(layout, "CSV", start_page=start)
                _grab(w, outdir / f"dark-csv-{start}.png", out)
            w = _wizard(layout, "CSV")
            w.currentPage().timer.setValue(10)
            w.go_to(SUMMARY)
            _grab(w, outdir / "dark-csv-summary.png", out)
        finally:
            app.setPalette(original)

        w = _wizard(layout, "HRDatabase")  # large text, as at 200 % scaling
        font = w.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        w.setFont(font)
        w.resize(SIZE[0] * 2, SIZE[1] * 2)
        w.currentPage().initializePage()
        _grab(w, outdir / "large-text-hrdatabase-properties.png", out)
        w.next()
        _grab(w, outdir / "large-text-hrdatabase-connectivity.png", out)

        w = _wizard(layout, "HRDatabase")
        attrs = Path(tmp) / "hr-attributes.csv"
        attrs.write_text("name,type\nAzureID,String\nFirstName,String\nLastName,String\nEmail,String\n"
                         "EmployeeNumber,String\nEnabled,Boolean\nCostCenter,String\nLocked,Boolean\n",
                         encoding="utf-8")
        dialog = SchemaRefreshDialog(w.session, layout, w)
        dialog.load(attrs)
        _grab(dialog, outdir / "refresh-schema-dialog.png", out)
        dialog = SchemaRefreshDialog(w.session, layout, w)
        _grab(dialog, outdir / "refresh-schema-dialog-empty.png", out)

        from tests.screens.wizard_dll import dll_screenshots

        try:  # last: it adds DLLs to the host copy
            made, note = dll_screenshots(outdir, layout, _wizard)
        except Exception as exc:  # the other pictures are still worth having
            made, note = [], f"the wizard's DLL-built pages failed: {type(exc).__name__}: {exc}"
        out += made
        if note:
            print(f"note: {note}", file=sys.stderr)
    return out


if __name__ == "__main__":
    for p in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "wizard-screens")):
        print(p)
