"""The Diagnostics page driven like a user would: doctor, connection test against a real loopback
HTTPS SCIM responder, service buttons, the keyring opt-in."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "diagnostics"))
from diag_scim_responder import TOKEN, ScimResponder, make_cert

from app.config.store import ConfigStore
from app.diagnostics.tokens import token_key
from app.host.layout import from_host_dir
from app.host.machine import UnavailableMachine
from app.host.service import ServiceState, ServiceStatus, UnavailableServiceControl
from app.secrets import SERVICE, SecretStore
from app.ui.diagnostics import DiagnosticsPage


class Keyring:
    name = "memory"

    def __init__(self):
        self.values = {}

    def probe(self):
        return None

    def get(self, service, key):
        return self.values.get((service, key))

    def set(self, service, key, value):
        self.values[(service, key)] = value

    def delete(self, service, key):
        return self.values.pop((service, key), None) is not None


class NoKeyring(Keyring):
    def probe(self):
        return "no keyring backend is installed or running"


class ScriptedService(UnavailableServiceControl):
    def available(self) -> bool:
        return True
    unavailable_reason = None

    def __init__(self):
        self.state, self.calls = ServiceState.STOPPED, []

    def status(self):
        return ServiceStatus("Microsoft.ECMA2Host", "Microsoft ECMA2Host", self.state, 9)

    def start(self, progress=None):
        self.calls.append("start")
        self.state = ServiceState.START_PENDING
        if progress:
            progress(self.status())
        self.state = ServiceState.RUNNING
        return self.status()

    def stop(self, progress=None):
        self.calls.append("stop")
        self.state = ServiceState.STOPPED
        return self.status()

    def restart(self, progress=None):
        self.stop(progress)
        return self.start(progress)


@pytest.fixture(scope="module")
def cert():
    import datetime as dt

    return make_cert(dt.datetime.now(dt.UTC), 730)


@pytest.fixture
def host(tmp_path, sample_host, cert):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    doc = store.load()
    doc.setting.certificate = cert.thumbprint
    store.save(doc)
    return layout


@pytest.fixture
def responder(tmp_path, cert):
    r = ScimResponder(tmp_path, {"good": cert}, "ok")
    yield r
    r.close()


def make_page(qtbot, host, *, service=None, secrets=None, timeout=2.0):
    page = DiagnosticsPage(host, machine=UnavailableMachine("test"),
                           service=service or UnavailableServiceControl("test"),
                           certificate_check=lambda *a: _no_cert(*a), secrets=secrets or SecretStore(Keyring()),
                           timeout=timeout)
    qtbot.addWidget(page)
    return page


def _no_cert(configured, port, probe):
    from app.certs.status import CertificateStatus

    return CertificateStatus(configured, None, None, ())


def test_showing_the_page_runs_the_doctor_off_the_gui_thread(qtbot, host):
    page = make_page(qtbot, host)
    page.show()
    qtbot.waitUntil(lambda: page.doctor.report is not None, timeout=10_000)
    table = page.doctor.table
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert rows["Verbose logging with Generic SQL"] == "Warning"
    assert rows["Service"] == "Skipped"
    assert table.item(0, 0).text() == "Warning"  # problems first
    assert "1 warning(s)" in page.doctor.summary.text()
    assert not page.doctor.copy_button.isVisible()


def test_service_buttons_are_disabled_off_the_host_with_the_reason(qtbot, host):
    page = make_page(qtbot, host)
    view = page.service_view
    assert all(not b.isEnabled() for b in view.buttons.values())
    assert "Windows connector host" in view.state.text()
    assert "Windows connector host" in view.buttons["restart"].toolTip()


def test_service_start_shows_the_live_state(qtbot, host):
    service = ScriptedService()
    page = make_page(qtbot, host, service=service)
    page.show()
    qtbot.waitUntil(lambda: page.service_view.status is not None, timeout=5_000)
    view = page.service_view
    assert "is stopped" in view.state.text() and view.buttons["start"].isEnabled()
    assert not view.buttons["stop"].isEnabled()
    view.buttons["start"].click()
    qtbot.waitUntil(lambda: "is running" in view.state.text(), timeout=5_000)
    assert service.calls == ["start"]
    assert not view.buttons["start"].isEnabled() and view.buttons["restart"].isEnabled()


def test_connection_test_against_a_real_scim_responder(qtbot, host, responder):
    keyring = Keyring()
    page = make_page(qtbot, host, secrets=SecretStore(keyring))
    form = page.connection
    assert [form.connector.itemText(i) for i in range(form.connector.count())] == ["CSV", "HRDatabase"]
    assert form.port.value() == 8585
    assert form.token.echoMode() == form.token.EchoMode.Password
    form.host.setText("127.0.0.1")
    form.port.setValue(responder.port)
    assert f"https://127.0.0.1:{responder.port}/ecma2host_CSV/scim" in form.url.text()
    form.test_button.click()
    assert "Type the connector's Secret Token" in form.message.text()
    form.token.setText(TOKEN)
    form.test_button.click()
    qtbot.waitUntil(lambda: form.report is not None, timeout=15_000)
    assert form.report.passed, [(s.step, s.message) for s in form.report.steps]
    assert form.table.rowCount() == 6
    assert [form.table.item(r, 1).text() for r in range(5)] == ["Passed"] * 5
    assert form.table.item(0, 2).text().endswith(" ms")
    assert "Last-Successful-Import: 2025-06-01T10:00:00Z" in form.headers.text()
    assert keyring.values == {}  # not remembered: the box was not ticked


def test_the_token_is_remembered_only_when_ticked_and_comes_back(qtbot, host, responder):
    keyring = Keyring()
    page = make_page(qtbot, host, secrets=SecretStore(keyring))
    form = page.connection
    form.host.setText("127.0.0.1")
    form.port.setValue(responder.port)
    form.token.setText(TOKEN)
    form.remember.setChecked(True)
    form.test_button.click()
    qtbot.waitUntil(lambda: form.report is not None, timeout=15_000)
    assert keyring.values == {(SERVICE, token_key("CSV")): TOKEN}
    again = make_page(qtbot, host, secrets=SecretStore(keyring))
    assert again.connection.token.text() == TOKEN and again.connection.remember.isChecked()
    again.connection.connector.setCurrentText("HRDatabase")
    assert again.connection.token.text() == "" and not again.connection.remember.isChecked()


def test_without_a_keyring_the_checkbox_is_disabled_with_the_reason(qtbot, host):
    page = make_page(qtbot, host, secrets=SecretStore(NoKeyring()))
    assert not page.connection.remember.isEnabled()
    assert "no keyring backend" in page.connection.remember.toolTip()


def test_a_refused_port_shows_the_fix(qtbot, host, tmp_path, cert):
    closed = ScimResponder(tmp_path, {"good": cert}, "refused")
    page = make_page(qtbot, host, timeout=5.0)  # Windows takes ~2 s to report a refused loopback port
    form = page.connection
    form.host.setText("127.0.0.1")
    form.port.setValue(closed.port)
    form.token.setText("x")
    form.test_button.click()
    qtbot.waitUntil(lambda: form.report is not None, timeout=10_000)
    assert form.table.item(0, 1).text() == "Failed"
    assert "service start" in form.table.item(0, 3).text()
    assert form.message.text() == "1 step(s) failed."


def test_screenshots_render(qtbot, tmp_path):
    from tests.screens.diagnostics import screenshots

    paths = screenshots(tmp_path / "shots")
    assert [p.name for p in paths] == ["diagnostics-off-host.png", "diagnostics-host-with-problems.png",
                                       "connection-test-failed.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_an_unreadable_configuration_is_told_in_one_sentence(qtbot, host):
    host.config_path.write_bytes(b"<Configuration><Connectors></Configuration>")
    page = make_page(qtbot, host)
    page.show()
    qtbot.waitUntil(lambda: page.doctor.run_button.isEnabled() and "well-formed" in page.doctor.summary.text(),
                    timeout=10_000)
    assert page.doctor.report is None and page.connection.connector.count() == 0
    page.connection.test_button.click()
    assert "no connector" in page.connection.message.text()
