"""pytest-qt: what the wizard does with a typed secret. Without a proven way to encrypt for the
host it says so in one sentence and leaves the secret for the host unless the user chooses to save
it as typed; with one (route 1 on a host, here with the fake DPAPI) it saves it encrypted."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.config.document import ConfigDocument
from app.config.secretvalues import read_secret
from app.config.store import ConfigStore
from app.host.layout import from_host_dir
from app.hostsecrets.dpapi import UnavailableDpapi
from app.ui.wizard.connector_wizard import ConnectorWizard
from app.wizard.page_keys import CONNECTIVITY, SUMMARY
from tests.hostsecrets.fake_dpapi import FakeDpapi
from tests.hostsecrets.helpers import host_blob

TYPED = "typed-token-0123456789-abc"
OFF_WINDOWS = UnavailableDpapi("DPAPI (Windows Data Protection) exists only on Windows, and this machine runs Linux.")


@pytest.fixture
def host(sample_host, tmp_path):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    return layout, ConfigStore(layout.config_path)


def _wizard(qtbot, host, dpapi, name="CSV"):
    layout, store = host
    wizard = ConnectorWizard(store.load(), store, layout, name, dpapi=dpapi)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _type_token(qtbot, page):
    page.token.start_replace()
    qtbot.keyClicks(page.token.edit, TYPED)
    qtbot.waitUntil(lambda: not page.findings_pending, timeout=5000)  # the recheck is debounced


def _finish(qtbot, wizard):
    wizard.go_to(SUMMARY)
    with qtbot.waitSignal(wizard.saved):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)


def test_by_default_a_typed_secret_is_left_for_the_host(qtbot, host):
    before = ConfigDocument.load(host[1].path).find_connector("CSV").secret_token
    wizard = _wizard(qtbot, host, OFF_WINDOWS)
    page = wizard.currentPage()
    box = page.secret_choice
    assert box.leave.isChecked() and box.leave.isVisible() and box.store.isVisible()
    assert box.sentence.text().startswith("Secrets you type are not saved here but left")
    assert "only on Windows" in box.sentence.text()
    _type_token(qtbot, page)
    assert "not saved; it must be entered on the host" in page.field_boxes["SecretToken"].findings.text()
    summary_findings = [f.message for f in wizard.flow.findings(SUMMARY)]
    assert any("connector 'CSV' / SecretToken: not saved" in m for m in summary_findings)
    _finish(qtbot, wizard)
    saved = host[1].path.read_bytes()
    assert TYPED.encode() not in saved
    assert ConfigDocument.load(host[1].path).find_connector("CSV").secret_token == before


def test_saving_as_typed_is_the_users_explicit_choice_with_a_warning(qtbot, host):
    wizard = _wizard(qtbot, host, OFF_WINDOWS)
    page = wizard.currentPage()
    _type_token(qtbot, page)
    qtbot.mouseClick(page.secret_choice.store, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.findings_pending, timeout=5000)
    assert page.secret_choice.sentence.text().startswith("Secrets you type are saved as typed, in plain text")
    text = page.field_boxes["SecretToken"].findings.text()
    assert "saved as typed, in plain text" in text
    _finish(qtbot, wizard)
    assert ConfigDocument.load(host[1].path).find_connector("CSV").secret_token == TYPED


def test_an_encrypted_string_parameter_page_offers_the_same_choice(qtbot, host):
    wizard = _wizard(qtbot, host, OFF_WINDOWS)
    wizard.go_to(CONNECTIVITY)
    page = wizard.currentPage()
    assert page.secret_choice is not None and page.secret_choice.leave.isChecked()
    password = page.form.boxes["Password"].input
    password.start_replace()
    qtbot.keyClicks(password.edit, "new-password-1")
    qtbot.waitUntil(lambda: not page.findings_pending, timeout=5000)
    assert "not saved; it must be entered on the host" in page.form.boxes["Password"].findings.text()


def test_with_a_proven_route_the_secret_is_saved_encrypted(qtbot, host):
    layout, store = host
    doc = store.load()
    doc.find_connector("HRDatabase").secret_token = host_blob("existing-token-42", machine="HOST-A")
    store.path.write_bytes(doc.to_bytes())  # the test's own copy of the sample
    dpapi = FakeDpapi("HOST-A")
    wizard = _wizard(qtbot, host, dpapi)
    page = wizard.currentPage()
    assert not page.secret_choice.leave.isVisible() and not page.secret_choice.store.isVisible()
    assert "encrypted for this host" in page.secret_choice.sentence.text()
    _type_token(qtbot, page)
    assert "encrypted for this host when saved" in page.field_boxes["SecretToken"].findings.text()
    wizard.go_to(SUMMARY)
    assert TYPED not in wizard.currentPage().diff.toPlainText()
    _finish(qtbot, wizard)
    saved = ConfigDocument.load(store.path).find_connector("CSV").secret_token
    reading = read_secret(saved)
    assert reading.state == "encrypted" and dpapi.unprotect(reading.payload) == TYPED.encode("utf-16-le")
    assert TYPED.encode() not in store.path.read_bytes()
