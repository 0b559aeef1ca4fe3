"""pytest-qt: the wizard on connectors shaped like public ones (tests/bridge/dotnet/ScriptMA.cs,
SqlMA.cs) with dependency DLLs beside them: the DLL list leaves the dependencies out, a DropDown
without a default shows its first choice, a validation that throws stays on its page, the
Capabilities page summarises what the DLL reports, and a GetSchema that cannot reach its server
fails on Object Types with every page before it kept."""

from __future__ import annotations

import socket
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton

from app.wizard.page_keys import ATTRIBUTES, CAPABILITIES, CONNECTIVITY, OBJECT_TYPES, RUN_STEP
from tests.ui.wizard.test_wizard_dll import WAIT, choose_dll, click_next, field, idle, make


def _set(wizard, name: str, value: str) -> None:
    wizard.session.set_parameter(wizard.session.connector.parameter(name), value)
    wizard.currentPage().initializePage()


def test_the_dll_list_leaves_dependencies_out_and_a_helper_is_told_as_one(qtbot, real_dll_host):
    wizard = make(qtbot, real_dll_host)
    page = wizard.currentPage()
    names = [page.library.itemText(i) for i in range(page.library.count())]
    assert "Contoso.ScriptMA.dll" in names and "Contoso.SqlMA.dll" in names
    assert "log4net.dll" not in names  # names no part of the ECMA2 interface: a dependency
    notes = [w.text() for w in page.field_boxes["LibraryName"].findChildren(QLabel)]
    assert any("Not listed: log4net.dll, dependencies beside the connectors" in t for t in notes)
    # the helper names the interface DLL, so only loading it tells: the bridge says it is a dependency
    choose_dll(qtbot, wizard, "Contoso.ScriptMA.Helpers.dll")
    assert not wizard.dll.active
    assert "is a dependency, not a connector" in wizard.dll.reason


def test_script_ma_pages_labels_first_choice_and_a_throwing_validation(qtbot, real_dll_host, tmp_path):
    wizard = make(qtbot, real_dll_host)
    choose_dll(qtbot, wizard, "Contoso.ScriptMA.dll", "Scripts")
    assert wizard.dll.active, wizard.dll.reason
    assert click_next(qtbot, wizard) == CONNECTIVITY
    assert field(wizard, "Logon type when impersonating").currentText() == "Interactive"
    assert not field(wizard, "Load user profile when impersonating").isChecked()
    texts = [w.text() for w in wizard.currentPage().findChildren(QLabel)]
    assert any("Credentials handed to the scripts as $Username and $Password:" in t for t in texts)
    assert click_next(qtbot, wizard) == CONNECTIVITY  # the DLL threw: the page stays
    assert "The specified path is not of a legal form" in wizard.currentPage().page_findings.text()
    script = tmp_path / "schema.out"
    script.write_text("person|id|String|anchor\nperson|displayName|String|single\n", encoding="utf-8")
    _set(wizard, "Schema Script", str(script))
    assert click_next(qtbot, wizard) == CAPABILITIES
    boxes = [b for b in wizard.currentPage().findChildren(QGroupBox) if "reports it can do" in b.title()]
    assert len(boxes) == 1
    shown = {w.accessibleName(): w.text() for w in boxes[0].findChildren(QLabel) if w.accessibleName()}
    assert shown["Export password in first pass"] == "yes" and shown["Hierarchy"] == "yes"
    assert "ExportPasswordInFirstPass: Not supported" in shown["What ECMA2Host does not use of these capabilities"]
    # what is written follows what the DLL reports
    assert wizard.session.connector.schema.flag("ExportPasswordInFirstPass") is True


def test_getschema_failure_shows_on_object_types_with_earlier_pages_kept(qtbot, real_dll_host):
    wizard = make(qtbot, real_dll_host)
    choose_dll(qtbot, wizard, "Contoso.SqlMA.dll", "HRDB")
    assert click_next(qtbot, wizard) == CONNECTIVITY
    for name, value in (("Server", "127.0.0.1"), ("Port", "1"),
                        ("Authentication", "Integrated Windows authentication")):
        _set(wizard, name, value)
    visited = []
    while wizard.current_key() != OBJECT_TYPES:
        before = wizard.current_key()
        visited.append(click_next(qtbot, wizard))
        assert wizard.current_key() != before, wizard.currentPage().page_findings.text()
    assert visited[-2].name == RUN_STEP  # the page Next was pressed on ...
    page = wizard.currentPage()
    assert "failed in GetSchema" in page.page_findings.text()  # ... the failure is shown here
    assert "A network-related or instance-specific error" in page.page_findings.text()
    wizard.back()
    assert wizard.current_key() == visited[-2]
    assert "GetSchema" not in wizard.currentPage().page_findings.text()
    assert click_next(qtbot, wizard) == OBJECT_TYPES  # asked again, failing again, shown again

    listener = socket.socket()  # now the server can be reached: ask again from the page
    listener.bind(("127.0.0.1", 0))
    listener.listen(2)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"Id:String,DisplayName:String,Modified:String:ImportOnly\n")
    threading.Thread(target=serve, daemon=True).start()
    try:
        wizard.session.set_parameter(wizard.session.connector.parameter("Port"),
                                     str(listener.getsockname()[1]))
        qtbot.mouseClick(_again(wizard), Qt.MouseButton.LeftButton)
        # the answer rebuilds the page at once; its findings may wait out the edit debounce
        qtbot.waitUntil(lambda: idle(wizard) and not wizard.currentPage().findings_pending, timeout=WAIT)
    finally:
        listener.close()
    assert wizard.dll.pages.schema_error == ""
    assert "GetSchema" not in wizard.currentPage().page_findings.text()
    assert wizard.session.connector.entry_schema.anchor.name == "Id"


def _again(wizard) -> QPushButton:
    return next(b for b in wizard.currentPage().findChildren(QPushButton) if "schema again" in b.accessibleName())


def test_an_import_only_attribute_chosen_for_provisioning_is_warned(qtbot, real_dll_host, tmp_path):
    wizard = make(qtbot, real_dll_host)
    choose_dll(qtbot, wizard, "Contoso.ScriptMA.dll", "Scripts")
    script = tmp_path / "schema.out"
    script.write_text("person|id|String|anchor\nperson|displayName|String|single\n"
                      "person|lastLogon|String|single|ImportOnly\n", encoding="utf-8")
    assert click_next(qtbot, wizard) == CONNECTIVITY
    _set(wizard, "Schema Script", str(script))
    while wizard.current_key() != ATTRIBUTES:
        before = wizard.current_key()
        assert click_next(qtbot, wizard) != before, wizard.currentPage().page_findings.text()
    page = wizard.currentPage()
    wizard.session.schema.select(["displayName"])
    page.initializePage()
    assert "ImportOnly" not in page.page_findings.text()
    wizard.session.schema.select(["displayName", "lastLogon"])
    page.initializePage()
    assert "marks 'lastLogon' ImportOnly" in page.page_findings.text()
    assert wizard.button(wizard.WizardButton.NextButton).isEnabled()  # a warning, not a block


def test_object_types_shows_only_the_getschema_failure_until_a_schema_arrives(qtbot, real_dll_host):
    wizard = make(qtbot, real_dll_host)
    choose_dll(qtbot, wizard, "Contoso.SqlMA.dll", "HRDB")
    assert click_next(qtbot, wizard) == CONNECTIVITY
    for name, value in (("Server", "127.0.0.1"), ("Port", "1"),
                        ("Authentication", "Integrated Windows authentication")):
        _set(wizard, name, value)
    while wizard.current_key() != OBJECT_TYPES:
        before = wizard.current_key()
        assert click_next(qtbot, wizard) != before
    page = wizard.currentPage()
    assert wizard.session.connector.entry_schema.anchor is None  # the rule would say "0 anchor attributes"
    assert [f.code for f in page.findings] == ["connector-dll"]
    assert "anchor attributes" not in page.page_findings.text()
    assert page.field_boxes["Anchor"].findings.text() == ""
