"""pytest-qt: the wizard with the hostile Leaky connector (tests/bridge/dotnet/Leaky.cs), which
defines "Password" as an EncryptedString on Connectivity and as a String on Global and the run
step. The secret typed once is masked on every page and never saved in plain text."""

from __future__ import annotations

from test_wizard_dll import WAIT, choose_dll, click_next, field, idle, make

from app.config.document import ConfigDocument
from app.ui.wizard.widgets import SecretField
from app.wizard.page_keys import ATTRIBUTES, CONNECTIVITY, GLOBAL, SUMMARY

SECRET = "Leaky Pa55word-7Qz"


def test_a_secret_name_is_masked_on_every_page_and_left_for_the_host(qtbot, dll_host):
    _layout, store, _doc = dll_host
    wizard = make(qtbot, dll_host)
    choose_dll(qtbot, wizard, "Contoso.Leaky.dll")
    assert wizard.dll.active, wizard.dll.reason
    assert click_next(qtbot, wizard) == CONNECTIVITY
    password = field(wizard, "Password")
    assert isinstance(password, SecretField)
    password.start_replace()
    qtbot.keyClicks(password.edit, SECRET)
    qtbot.waitUntil(lambda: idle(wizard), timeout=WAIT)
    while wizard.current_key() != GLOBAL:
        click_next(qtbot, wizard)
    copy = field(wizard, "Password")  # the DLL's String definition of the same name
    assert isinstance(copy, SecretField) and copy.edit.echoMode() == copy.edit.EchoMode.Password
    while wizard.current_key() != SUMMARY:
        click_next(qtbot, wizard)
        if wizard.current_key() == ATTRIBUTES:
            wizard.session.schema.select(["Mail"])
            wizard.currentPage().initializePage()
    with qtbot.waitSignal(wizard.saved):
        wizard.button(wizard.WizardButton.FinishButton).click()
    assert SECRET.encode() not in store.path.read_bytes()
    saved = ConfigDocument.load(store.path).find_connector("Payroll")
    copies = [p for p in saved.parameters if p.name == "Password"]
    assert {p.use for p in copies} == {"Connectivity", "Global"} and all(p.is_secret for p in copies)
