"""Pictures of the wizard's pages built from a connector DLL's answers (docs/wizard-dll-pages.md).

Needs Mono (or .NET) and the test connectors of a source checkout (tests/bridge/dotnet, compiled
with mcs): a user's install has neither, and then these pictures are skipped with the reason.
The DLLs are copied into the sample host copy's Service\\ECMA folder, as on a real host.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.wizard.page_keys import ATTRIBUTES, GLOBAL, OBJECT_TYPES, PARTITIONS, SUMMARY, PageKey

BUILD_SCRIPT = Path(__file__).resolve().parents[1] / "bridge" / "dotnet_build.py"


def test_connectors():
    """The compiled test connectors (TestDlls), or the reason they cannot be had here."""
    if not BUILD_SCRIPT.is_file():
        return None, "the test connectors' sources (tests/bridge) are not beside this install"
    spec = importlib.util.spec_from_file_location("ecma_dotnet_build", BUILD_SCRIPT)
    if spec is None or spec.loader is None:
        return None, f"{BUILD_SCRIPT} cannot be loaded"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    why = module.missing_tools()
    if why:
        return None, why
    return module.build(), ""


def _settle(condition=None, timeout: float = 60.0) -> None:
    """Process events until `condition()` holds (or the timeout), then let queued moves land."""
    app = QApplication.instance() or QApplication([])
    end = time.monotonic() + timeout
    while condition is not None and not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    for _ in range(5):
        app.processEvents()
        time.sleep(0.01)


def _grab(widget: QWidget, path: Path, out: list[Path]) -> None:
    widget.show()
    page = getattr(widget, "currentPage", lambda: None)()
    if page is not None and hasattr(page, "refresh_findings"):
        page.refresh_findings()  # the findings refresh is debounced after typing
    _settle()
    widget.grab().save(str(path))
    out.append(path)


def _next(wizard) -> None:
    wizard.next()
    _settle(lambda: not wizard.dll.busy)


def _choose(wizard, dll: str, name: str) -> None:
    wizard.show()
    page = wizard.currentPage()
    page.name.setText(name)
    wizard.session.set_name(name)
    page.generate.click()
    page.library.setCurrentText(dll)
    _settle(lambda: not wizard.dll.busy)


def dll_screenshots(outdir: Path, layout, make_wizard) -> tuple[list[Path], str]:
    """Render the DLL-built pages; returns the pictures and a note ('' when all were made)."""
    dlls, why = test_connectors()
    if dlls is None:
        return [], f"the wizard's DLL-built pages were not rendered: {why}"
    shutil.copy(dlls.interface, layout.root / "Service")
    for dll in (dlls.sql, dlls.ldap, dlls.bad):
        shutil.copy(dll, layout.ecma_dir)
    out: list[Path] = []

    w = make_wizard(layout)  # every page the SQL-like DLL builds, through to the Summary
    _choose(w, "Contoso.SqlLike.dll", "Payroll")
    for i in range(30):
        key = w.current_key()
        if key == PageKey.schema(1):
            w.session.set_parameter(w.session.connector.parameter("Fixed value list/Table/View/SP"),
                                    "User,Group")
        if key == ATTRIBUTES:
            w.session.schema.select(["Email", "DisplayName", "IsActive"])
            w.currentPage().initializePage()
        w.currentPage().refresh_findings()
        _grab(w, outdir / f"dll-sql-{i:02d}-{str(key).replace(':', '-')}.png", out)
        before = w.currentId()
        if key == SUMMARY:
            break
        _next(w)
        if w.currentId() == before:
            break

    w = make_wizard(layout)  # large text, as at 200 % scaling: the DLL's long parameter names
    font = w.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    w.setFont(font)
    w.resize(w.width() * 2, w.height() * 2)
    _choose(w, "Contoso.SqlLike.dll", "Payroll")
    _grab(w, outdir / "dll-large-text-properties.png", out)
    for _ in range(5):  # the schema pages are known only once the DLL has answered
        if w.current_key() == PageKey.schema(3):
            break
        _next(w)
    _grab(w, outdir / "dll-large-text-schema-3.png", out)

    w = make_wizard(layout)  # the DLL's own validation, on the field it names
    _choose(w, "Contoso.SqlLike.dll", "Payroll")
    _next(w)
    w.session.set_parameter(w.session.connector.parameter("Server"), "sql 01")
    w.currentPage().initializePage()
    _next(w)
    _grab(w, outdir / "dll-sql-refused-by-the-dll.png", out)

    w = make_wizard(layout)  # labels, dividers and partitions from the LDAP-like DLL
    _choose(w, "Contoso.LdapLike.dll", "Directory")
    while w.current_key() not in (PARTITIONS, SUMMARY):
        before = w.currentId()
        _next(w)
        if w.current_key() == GLOBAL:
            _grab(w, outdir / "dll-ldap-global.png", out)
        if w.currentId() == before:
            break
    _grab(w, outdir / "dll-ldap-partitions.png", out)

    w = make_wizard(layout, dll_timeout=2)  # a hanging DLL: progress, then one sentence
    _choose(w, "Contoso.Misbehaving.dll", "Broken")
    _next(w)
    w.session.set_parameter(w.session.connector.parameter("Mode"), "hang")
    for _ in range(5):  # Next until the DLL is asked for its Global page, where it hangs
        page = w.currentPage()
        w.next()
        _settle(lambda page=page: not w.dll.busy or "Global" in page.busy.label.text(), 10)
        if w.dll.busy:
            break
    _grab(w, outdir / "dll-hang-waiting.png", out)
    _settle(lambda: not w.dll.busy)
    _grab(w, outdir / "dll-hang-timed-out.png", out)

    w = make_wizard(layout)  # a DLL that is not on the host: the template, and why
    _choose(w, "Microsoft.IAM.Connector.GenericLdap.dll", "Directory")
    _grab(w, outdir / "dll-not-on-host-template.png", out)

    elsewhere = layout.root.parent / "Downloads"
    elsewhere.mkdir(exist_ok=True)
    shutil.copy(dlls.sql, elsewhere)
    w = make_wizard(layout)  # a DLL picked outside the host's folder: asked, with a note
    w.currentPage().name.setText("Elsewhere")
    w.session.set_name("Elsewhere")
    w.currentPage().pick(elsewhere / dlls.sql.name)
    _settle(lambda: not w.dll.busy)
    _grab(w, outdir / "dll-outside-host-note.png", out)

    from app.ui.wizard.schema_refresh import SchemaRefreshDialog

    w = make_wizard(layout)  # Refresh schema asks the DLL: a new column shows as added
    _choose(w, "Contoso.SqlLike.dll", "Payroll")
    w.go_to(ATTRIBUTES)
    _settle(lambda: w.current_key() == ATTRIBUTES)
    w.session.set_parameter(w.session.connector.parameter("Extra Columns"), "CostCenter")
    dialog = SchemaRefreshDialog(w.session, layout, w, dll=w.dll)
    dialog.ask_dll()
    _settle(lambda: dialog.source is not None)
    _grab(dialog, outdir / "dll-refresh-schema.png", out)

    out += _real_shaped(outdir, layout, make_wizard, dlls)

    add_existing_connector(layout.config_store())  # an existing connector: the DLL's choices and its new parameters
    w = make_wizard(layout, "OldPayroll")
    _settle(lambda: w.dll.active or bool(w.dll.reason))
    _settle(lambda: not w.dll.busy)
    _grab(w, outdir / "dll-existing-properties.png", out)
    w.next()
    _grab(w, outdir / "dll-existing-connectivity-new-in-dll.png", out)
    return out, ""


def add_existing_connector(store) -> None:
    """'OldPayroll', stored as an older Contoso.SqlLike would have left it (Server and
    Authentication only): the DLL offers its other parameters as new."""
    from app.config import builders

    doc = store.load()
    spec = builders.ConnectorSpec(
        name="OldPayroll", library_name="Contoso.SqlLike", secret_token="x" * 40,
        parameters=[builders.parameter("Server", "String", "Connectivity", "sql01"),
                    builders.parameter("Authentication", "DropDown", "Connectivity", "Windows Authentication")],
        run_profiles={"Export": [builders.StepSpec("Export")]})
    doc.add_connector(builders.connector(spec))
    store.write_bytes(doc.to_bytes())


def _real_shaped(outdir: Path, layout, make_wizard, dlls) -> list[Path]:
    """Connectors shaped like public ones, with dependency DLLs beside them: the DLL list without
    the dependencies, labels and dividers, a validation that throws, the capabilities summary, and
    a GetSchema that cannot reach its server shown on Object Types."""
    for dll in (dlls.script_ma, dlls.sql_ma, *dlls.dependencies):
        shutil.copy(dll, layout.ecma_dir)
    out: list[Path] = []
    w = make_wizard(layout)
    _choose(w, "Contoso.ScriptMA.dll", "Scripts")
    _grab(w, outdir / "dll-scriptma-properties.png", out)
    _next(w)
    _grab(w, outdir / "dll-scriptma-connectivity.png", out)
    _next(w)  # the Schema Script is empty: the DLL's validation throws
    _grab(w, outdir / "dll-scriptma-validation-throws.png", out)
    script = layout.root.parent / "Schema.ps1.out"
    script.write_text("person|id|String|anchor\nperson|displayName|String|single\n"
                      "person|lastLogon|String|single|ImportOnly\n", encoding="utf-8")
    w.session.set_parameter(w.session.connector.parameter("Schema Script"), str(script))
    w.currentPage().initializePage()
    _next(w)
    _grab(w, outdir / "dll-scriptma-capabilities.png", out)
    _next(w)
    _grab(w, outdir / "dll-scriptma-global.png", out)
    for _ in range(8):
        if w.current_key() == ATTRIBUTES:
            break
        _next(w)
    w.session.schema.select(["displayName", "lastLogon"])  # lastLogon is ImportOnly: a warning
    w.currentPage().initializePage()
    _grab(w, outdir / "dll-scriptma-attributes-import-only.png", out)

    w = make_wizard(layout)  # GetSchema needs its database server, which is not reachable here
    _choose(w, "Contoso.SqlMA.dll", "HRDB")
    _next(w)
    for name, value in (("Server", "127.0.0.1"), ("Port", "1"),
                        ("Authentication", "Integrated Windows authentication")):
        w.session.set_parameter(w.session.connector.parameter(name), value)
    w.currentPage().initializePage()
    for _ in range(12):
        before = w.currentId()
        if w.current_key() == OBJECT_TYPES:
            break
        _next(w)
        if w.currentId() == before:
            break
    _grab(w, outdir / "dll-sqlma-getschema-failed-on-object-types.png", out)
    return out
