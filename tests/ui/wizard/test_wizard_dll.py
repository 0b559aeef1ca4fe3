"""pytest-qt: a new connector built from the connector DLL's own answers (the SQL-like test
connector in a host copy's Service\\ECMA folder), refresh from the DLL, and a misbehaving DLL."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWizard

from app.config.document import ConfigDocument
from app.ui.wizard.connector_wizard import ConnectorWizard
from app.wizard.page_keys import (
    ATTRIBUTES,
    CAPABILITIES,
    CONNECTIVITY,
    DEPROVISIONING,
    GLOBAL,
    OBJECT_TYPES,
    PARTITIONS,
    RUN_PROFILES,
    SUMMARY,
    PageKey,
)

WAIT = 60_000  # ms: the first call starts a Mono worker, slow on a busy CI machine


def make(qtbot, host, name=None, **kw):
    layout, store, doc = host
    wizard = ConnectorWizard(doc, store, layout, name, **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def idle(wizard) -> bool:
    return not wizard.dll.busy


def choose_dll(qtbot, wizard, name: str, connector: str = "Payroll") -> None:
    page = wizard.currentPage()
    qtbot.keyClicks(page.name, connector)
    qtbot.mouseClick(page.generate, Qt.MouseButton.LeftButton)
    page.library.setCurrentText(name)
    qtbot.waitUntil(lambda: idle(wizard), timeout=WAIT)


def click_next(qtbot, wizard) -> str:
    """Next, then wait until the DLL has answered: returns the page key now shown."""
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled(), f"Next is disabled on {wizard.current_key()}"
    page = wizard.currentPage()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settled(qtbot, wizard, page)
    return wizard.current_key()


def settled(qtbot, wizard, page) -> None:
    """The DLL has answered (or refused) and a move it allowed has happened: the move itself is
    queued after the last answer (`advancing`)."""
    qtbot.waitUntil(lambda: idle(wizard) and not page.advancing, timeout=WAIT)


def press_next_until_global_is_asked(qtbot, wizard):
    """Next until the misbehaving connector is asked for its Global page (it misbehaves there);
    returns the page that waits. Whether a Schema page comes first depends on the test DLL."""
    for _ in range(6):
        page = wizard.currentPage()
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda page=page: idle(wizard) or "Global" in page.busy.label.text(), timeout=WAIT)
        if not idle(wizard):
            return page
        settled(qtbot, wizard, page)
    raise AssertionError(f"the Global page was never asked (on {wizard.current_key()})")


def next_until_it_stays(qtbot, wizard):
    """Next until a page stays put (the connector failed there): returns its key."""
    for _ in range(6):
        before = wizard.current_key()
        if click_next(qtbot, wizard) == before:
            return before
    raise AssertionError("every page moved on")


def field(wizard, name):
    return wizard.currentPage().form.boxes[name].input


def test_a_new_connector_through_every_page_the_sql_like_dll_builds(qtbot, dll_host):
    layout, store, _doc = dll_host
    wizard = make(qtbot, dll_host)
    names = [wizard.currentPage().library.itemText(i) for i in range(wizard.currentPage().library.count())]
    assert names.index("Contoso.SqlLike.dll") < names.index("Microsoft.IAM.Connector.GenericLdap.dll")
    choose_dll(qtbot, wizard, "Contoso.SqlLike.dll")
    assert wizard.dll.active, wizard.dll.reason
    assert "come from Contoso.SqlLike.dll itself" in wizard.currentPage().origin.text()

    assert click_next(qtbot, wizard) == CONNECTIVITY
    boxes = wizard.currentPage().form.boxes
    assert list(boxes) == ["Server", "Database", "User Name", "Password", "Authentication"]
    assert field(wizard, "Server").text() == "sql01"  # the DLL's default
    auth = field(wizard, "Authentication")
    assert [auth.itemText(i) for i in range(auth.count())] == ["SQL Authentication", "Windows Authentication"]
    assert not auth.isEditable()
    server = field(wizard, "Server")
    server.setFocus()
    qtbot.keyClicks(server, " east")  # the DLL refuses spaces (its own ValidateConfigParameters)
    assert click_next(qtbot, wizard) == CONNECTIVITY
    assert "Server names cannot contain spaces." in wizard.currentPage().form.boxes["Server"].findings.text()
    server.selectAll()
    qtbot.keyClicks(server, "sql02")
    assert click_next(qtbot, wizard) == CAPABILITIES
    assert list(wizard.currentPage().form.boxes) == ["Export Type"]
    assert click_next(qtbot, wizard) == PageKey.schema(1)
    types = field(wizard, "Fixed value list/Table/View/SP")
    types.selectAll()
    qtbot.keyClicks(types, "User,Group")  # schema page 2 depends on this answer
    assert click_next(qtbot, wizard) == PageKey.schema(2)
    assert list(wizard.currentPage().form.boxes) == ["User:Table/View/SP", "Group:Table/View/SP"]
    assert click_next(qtbot, wizard) == PageKey.schema(3)
    assert click_next(qtbot, wizard) == PageKey.schema(4)
    assert click_next(qtbot, wizard) == GLOBAL  # the DLL has no Schema 5
    extra = field(wizard, "Extra Columns")
    qtbot.keyClicks(extra, "CostCenter")
    visited = []
    while wizard.current_key() != SUMMARY:
        visited.append(click_next(qtbot, wizard))
        if wizard.current_key() == ATTRIBUTES:
            wizard.session.schema.select(["Email", "CostCenter"])
            wizard.currentPage().initializePage()
    assert visited == [PARTITIONS, RUN_PROFILES, PageKey.run_step("Export"), PageKey.run_step("FullImport"),
                       PageKey.run_step("DeltaImport"), OBJECT_TYPES, ATTRIBUTES, DEPROVISIONING, SUMMARY]
    with qtbot.waitSignal(wizard.saved):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    saved = ConfigDocument.load(store.path).find_connector("Payroll")
    assert saved.library_name == "Contoso.SqlLike"
    assert saved.parameter("Server").value == "sql02"
    assert saved.parameter("Authentication").value == "SQL Authentication"
    assert saved.parameter("Group:Table/View/SP").schema_number.strip() == "2"
    assert saved.parameter("Extra Columns").value == "CostCenter"
    assert [p.name for p in saved.run_configuration("DeltaImport").run_steps[0].parameters] == \
        ["Operation Method", "Table/View/SP"]
    entry = saved.entry_schema
    assert entry.object_type == "User" and entry.anchor.name == "EmployeeId"
    assert {a.name for a in entry.attributes} == {"EmployeeId", "Email", "CostCenter"}


def test_refresh_schema_asks_the_dll_and_finds_a_new_attribute(qtbot, dll_host):
    from app.ui.wizard.schema_refresh import SchemaRefreshDialog

    wizard = make(qtbot, dll_host)
    choose_dll(qtbot, wizard, "Contoso.SqlLike.dll")
    while wizard.current_key() != ATTRIBUTES:
        click_next(qtbot, wizard)
    assert "CostCenter" not in wizard.session.schema.discovered
    wizard.session.set_parameter(wizard.session.connector.parameter("Extra Columns"), "CostCenter")
    dialog = SchemaRefreshDialog(wizard.session, wizard.host, wizard, dll=wizard.dll)
    qtbot.addWidget(dialog)
    assert dialog.dll_button.isEnabled()
    qtbot.mouseClick(dialog.dll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.source is not None or bool(dialog.error.text()), timeout=WAIT)
    added = [c.name for c in dialog.changes if c.kind == "added"]
    assert "CostCenter" in added, dialog.error.text()
    assert "Contoso.SqlLike.dll" in dialog.source_label.text()


def test_a_hanging_dll_costs_one_sentence_and_the_gui_stays_responsive(qtbot, dll_host):
    wizard = make(qtbot, dll_host, dll_timeout=3)
    choose_dll(qtbot, wizard, "Contoso.Misbehaving.dll")
    assert click_next(qtbot, wizard) == CONNECTIVITY
    field(wizard, "Mode").setCurrentText("hang")  # its Global page never answers
    page = press_next_until_global_is_asked(qtbot, wizard)
    button = wizard.button(QWizard.WizardButton.NextButton)
    ticks = []
    # a clock on purpose: this waits for nothing to happen (the DLL hangs), sampling that the GUI
    # keeps painting and answering meanwhile
    for _ in range(10):
        QApplication.processEvents()
        ticks.append(page.busy.isVisible())
        qtbot.wait(50)
    assert all(ticks) and not button.isEnabled()
    qtbot.waitUntil(lambda: idle(wizard), timeout=WAIT)
    qtbot.waitUntil(lambda: wizard.current_key() == GLOBAL, timeout=WAIT)
    # the timed-out call was Global's: it shows there, not on the page Next was pressed on
    shown = wizard.currentPage().page_findings.text()
    assert "timed out" in shown and "Contoso.Misbehaving" in shown
    assert "timed out" not in page.page_findings.text()
    assert button.isEnabled()  # Next asks again


def test_cancel_ends_a_hanging_call_at_once(qtbot, dll_host):
    wizard = make(qtbot, dll_host, dll_timeout=60)
    choose_dll(qtbot, wizard, "Contoso.Misbehaving.dll")
    click_next(qtbot, wizard)
    field(wizard, "Mode").setCurrentText("hang")
    page = press_next_until_global_is_asked(qtbot, wizard)
    # Cancel once the DLL is inside its hang: its worker has passed the call to it (the test DLL
    # says "asked for page Global" on stderr just before it sleeps; the client keeps those lines)
    qtbot.waitUntil(lambda: any("asked for page Global" in line
                                for line in list(wizard.dll.pages.bridge.process._stderr)), timeout=WAIT)
    qtbot.mouseClick(page.busy.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: idle(wizard), timeout=10_000)  # not the 60 s timeout
    assert "cancel" in page.page_findings.text().lower()


def test_a_dll_that_cannot_be_loaded_leaves_the_template_with_the_reason(qtbot, dll_host):
    wizard = make(qtbot, dll_host)
    page = wizard.currentPage()
    qtbot.keyClicks(page.name, "Badges")
    page.library.setCurrentText("Microsoft.IAM.Connector.GenericLdap.dll")  # not on this host
    assert not wizard.dll.active
    text = page.origin.text()
    assert "template" in text and "is not in the host's ECMA folder" in text


def test_a_dll_outside_the_host_folder_is_asked_with_a_note(qtbot, dll_host, tmp_path, dotnet_dlls):
    import shutil

    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    shutil.copy(dotnet_dlls.sql, elsewhere)
    shutil.copy(dotnet_dlls.interface, elsewhere)
    wizard = make(qtbot, dll_host)
    page = wizard.currentPage()
    qtbot.keyClicks(page.name, "Elsewhere")
    page.pick(elsewhere / "Contoso.SqlLike.dll")
    qtbot.waitUntil(lambda: idle(wizard), timeout=WAIT)
    assert wizard.dll.active
    assert "outside the host's ECMA folder" in page.origin.text()


def test_review_changes_walks_through_the_dll_pages(qtbot, dll_host):
    wizard = make(qtbot, dll_host)
    choose_dll(qtbot, wizard, "Contoso.SqlLike.dll")
    wizard.go_to(GLOBAL)
    qtbot.waitUntil(lambda: wizard.current_key() == GLOBAL, timeout=WAIT)
    assert "Extra Columns" in wizard.currentPage().form.boxes


def test_a_connector_that_throws_or_dies_costs_one_sentence(qtbot, dll_host):
    wizard = make(qtbot, dll_host)
    choose_dll(qtbot, wizard, "Contoso.Misbehaving.dll")
    assert click_next(qtbot, wizard) == CONNECTIVITY
    for mode, words in (("throw", "refused the connection"), ("failfast", "Contoso.Misbehaving")):
        field(wizard, "Mode").setCurrentText(mode)
        next_until_it_stays(qtbot, wizard)  # its Global page throws or dies
        text = wizard.currentPage().page_findings.text()
        assert words in text and "Traceback" not in text
        while wizard.current_key() != CONNECTIVITY:
            wizard.back()
    field(wizard, "Mode").setCurrentText("none")  # a fresh worker after the crash
    for _ in range(4):
        if click_next(qtbot, wizard) == GLOBAL:
            break
    assert wizard.current_key() == GLOBAL


def test_an_existing_connector_gets_the_dlls_choices_and_its_new_parameters(qtbot, dll_host):
    from tests.screens.wizard_dll import add_existing_connector

    layout, store, doc = dll_host
    add_existing_connector(store)
    doc = store.load()
    before = store.path.read_bytes()
    wizard = make(qtbot, (layout, store, doc), "OldPayroll")
    qtbot.waitUntil(lambda: wizard.dll.active or bool(wizard.dll.reason), timeout=WAIT)
    qtbot.waitUntil(lambda: idle(wizard), timeout=WAIT)
    assert wizard.dll.active, wizard.dll.reason
    wizard.next()
    assert wizard.current_key() == CONNECTIVITY
    auth = field(wizard, "Authentication")
    assert [auth.itemText(i) for i in range(auth.count())] == ["SQL Authentication", "Windows Authentication"]
    assert auth.currentText() == "Windows Authentication"
    form = wizard.currentPage().form
    add_database = next(b for b in form.findChildren(QPushButton)
                        if b.accessibleName() == "Add parameter Database")
    assert "New in Contoso.SqlLike.dll" in " ".join(w.text() for w in form.findChildren(QLabel))
    assert store.path.read_bytes() == before  # nothing is added unasked
    qtbot.mouseClick(add_database, Qt.MouseButton.LeftButton)
    assert field(wizard, "Database").text() == "HR"  # the DLL's default
    assert wizard.session.connector.parameter("Database", "Connectivity").value == "HR"


def test_the_ldap_like_dll_gives_labels_partitions_and_capability_dependent_profiles(qtbot, dll_host):
    wizard = make(qtbot, dll_host)
    choose_dll(qtbot, wizard, "Contoso.LdapLike.dll")
    assert click_next(qtbot, wizard) == CONNECTIVITY
    port = field(wizard, "Port")
    port.selectAll()
    qtbot.keyClicks(port, "63x")  # the DLL's own pattern ^[0-9]+$, checked before the DLL is asked
    assert click_next(qtbot, wizard) == CONNECTIVITY
    assert "^[0-9]+$" in wizard.currentPage().form.boxes["Port"].findings.text()
    port.selectAll()
    qtbot.keyClicks(port, "636")
    assert click_next(qtbot, wizard) == CAPABILITIES
    assert click_next(qtbot, wizard) == GLOBAL
    labels = [w.text() for w in wizard.currentPage().form.findChildren(QLabel)]
    assert any("Settings for the directory" in t for t in labels)
    assert click_next(qtbot, wizard) == PARTITIONS
    part = wizard.session.connector.partitions[0]
    assert part.dn.startswith("dc=") and part.id == "11111111-2222-3333-4444-555555555555"
    assert "Search Scope" in wizard.currentPage().form.boxes
    assert wizard.session.enabled_profiles() == ["Export", "FullImport"]  # no delta unless ticked


def test_another_object_type_of_the_dll_brings_its_own_attributes(qtbot, dll_host):
    wizard = make(qtbot, dll_host)
    choose_dll(qtbot, wizard, "Contoso.LdapLike.dll")
    wizard.go_to(OBJECT_TYPES)
    qtbot.waitUntil(lambda: wizard.current_key() == OBJECT_TYPES, timeout=WAIT)
    assert wizard.session.connector.entry_schema.object_type == "inetOrgPerson"
    assert "mail" in wizard.session.schema.discovered
    wizard.currentPage().target.setCurrentText("groupOfNames")
    qtbot.waitUntil(lambda: "mail" not in wizard.session.schema.discovered)
    assert wizard.session.connector.entry_schema.object_type == "groupOfNames"


def test_closing_the_wizard_ends_a_hanging_worker(qtbot, dll_host):
    wizard = make(qtbot, dll_host, dll_timeout=60)
    choose_dll(qtbot, wizard, "Contoso.Misbehaving.dll")
    click_next(qtbot, wizard)
    field(wizard, "Mode").setCurrentText("hang")
    process = wizard.dll.pages.bridge.process
    press_next_until_global_is_asked(qtbot, wizard)
    wizard.reject()
    assert not wizard.isVisible()
    qtbot.waitUntil(lambda: not process.running, timeout=10_000)


def test_a_dll_the_runtime_cannot_load_leaves_an_editable_page_with_one_sentence(qtbot, dll_host):
    wizard = make(qtbot, dll_host)
    page = wizard.currentPage()
    qtbot.keyClicks(page.name, "Badges")
    page.library.setCurrentText("Contoso.Badges.Connector.dll")  # in the folder, but no assembly
    qtbot.waitUntil(lambda: idle(wizard), timeout=WAIT)
    assert not wizard.dll.active
    text = page.origin.text()
    assert "template" in text and "Contoso.Badges.Connector" in wizard.dll.reason
    assert "Traceback" not in text and "\n" not in wizard.dll.reason
    qtbot.mouseClick(page.generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.findings_pending, timeout=5000)
    assert click_next(qtbot, wizard) == CONNECTIVITY  # no DLL call: the custom parameter list
    assert any(b.text() == "Add parameter" for b in wizard.currentPage().findChildren(QPushButton))


def test_a_failed_call_shows_on_the_page_that_needed_it_with_the_page_before_usable(qtbot, dll_host):
    wizard = make(qtbot, dll_host)
    choose_dll(qtbot, wizard, "Contoso.Misbehaving.dll")
    assert click_next(qtbot, wizard) == CONNECTIVITY
    field(wizard, "Mode").setCurrentText("throw")  # GetConfigParameters(Global) throws
    keys = [wizard.current_key()]
    while keys[-1] != GLOBAL:
        keys.append(click_next(qtbot, wizard))
        assert keys[-1] != keys[-2], wizard.currentPage().page_findings.text()
    shown = wizard.currentPage().page_findings.text()
    assert "GetConfigParameters(Global)" in shown and "refused the connection" in shown
    texts = [w.text() for w in wizard.currentPage().findChildren(QLabel)]
    assert any("has not answered for this page yet" in t for t in texts)
    assert click_next(qtbot, wizard) == GLOBAL  # Next asks again: it throws again, Global stays
    assert "refused the connection" in wizard.currentPage().page_findings.text()
    wizard.back()
    assert wizard.current_key() == keys[-2]
    assert "refused the connection" not in wizard.currentPage().page_findings.text()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
