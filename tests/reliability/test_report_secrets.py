"""Planted secrets and host reports: a token, a connector password and a PFX passphrase known to the
test are put where a host keeps (or leaks) them: Configuration.xml in plain text, an .exe.config
setting, the event log, a command's output, the environment. The report is made through the CLI
(the connection test really sends the token) and on a Windows host made of captured outputs; then
the zip, every member decompressed, stdout/stderr and every subprocess's argv are searched in
plain text, UTF-16 and base64."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from app.config.store import ConfigStore
from app.events.sample import event_xml
from app.report.build import build_report
from app.report.context import ReportOptions
from tests.reliability.test_secrets_end_to_end import leaks, run, zip_members
from tests.report.fake_windows import FakeWindows, capture

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "diagnostics"))
from diag_scim_responder import TOKEN, ScimResponder

from tests.reliability.planted import PASSWORD  # planted by conftest.planted_host

PASSPHRASE = "pfx-passphrase-7c1e9b"
PLANTED = [TOKEN, PASSWORD, PASSPHRASE]


def all_leaks(data: bytes) -> list[str]:
    import base64

    found = leaks(data)  # the token and password, in the three spellings
    for value in (PASSPHRASE,):
        raw = value.encode()
        found += [value for n in (raw, value.encode("utf-16-le"), base64.b64encode(raw)) if n in data]
    return found


def check_zip(data: bytes) -> None:
    assert not all_leaks(data)
    for name, member in zip_members(data):
        assert not all_leaks(member), name
        assert not all_leaks(name.encode()), name


@pytest.fixture
def planted(planted_host):
    layout, cert = planted_host
    root = layout.root
    service_config = layout.service_config_path
    text = service_config.read_text("utf-8").replace(
        "<appSettings>", f'<appSettings>\n    <add key="CertificatePfxPassword" value="{PASSPHRASE}" />')
    service_config.write_text(text, "utf-8")
    log = root / "Logs" / "ECMA2Host.xml"
    when = dt.datetime(2024, 5, 9, 6, 0, tzinfo=dt.UTC)
    leaked = [f"Login failed for user 'sa' with password '{PASSWORD}'.",
              f"Request rejected: Authorization: Bearer {TOKEN}",
              f"Import-PfxCertificate was given the passphrase {PASSPHRASE}"]
    log.write_text(log.read_text("utf-8").rstrip() + "".join(
        event_xml(when, 2, "ECMA2Host", m, 9000 + i) for i, m in enumerate(leaked)) + "\r\n", "utf-8")
    for value in PLANTED:  # the test can fail: each value is really on the host
        assert any(value.encode() in p.read_bytes() for p in root.rglob("*") if p.is_file()), value
    return layout, cert


def test_a_report_made_with_the_cli_and_a_real_token_holds_no_secret(planted, tmp_path, capsys, monkeypatch):
    layout, cert = planted
    (tmp_path / "scim").mkdir()
    responder = ScimResponder(tmp_path / "scim", {"good": cert, "other": cert, "expired": cert}, "ok")
    try:
        store = ConfigStore(layout.config_path)
        doc = store.load()
        doc.setting.port = str(responder.port)
        store.save(doc)
        monkeypatch.setenv("ECMA_TOKEN", TOKEN)
        monkeypatch.setenv("ECMA_WIZARD_PFX_PASSPHRASE", PASSPHRASE)
        out = tmp_path / "report.zip"
        code, text = run(capsys, "host-report", "--host-dir", layout.root, "--out", out,
                         "--token-env", "ECMA_TOKEN", "--connector", "CSV")
    finally:
        responder.close()
    assert code == 0, text
    assert not all_leaks(text.encode()), text
    data = out.read_bytes()
    check_zip(data)
    members = dict(zip_members(data))
    assert b'"passed": true' in members["checks/connection.json"]  # the token was really sent, and accepted
    assert b"[secret removed" in members["events/ECMA2Host.xml"]  # and the leaked events are in, cleaned
    assert b"removed: typed in plain text]" in members["host/Microsoft.ECMA2Host.Service.exe.config"]


def test_a_windows_report_holds_no_secret_in_any_command_output(planted, monkeypatch):
    layout, _cert = planted
    monkeypatch.setenv("ECMA_WIZARD_PFX_PASSPHRASE", PASSPHRASE)
    certutil = capture("certutil-store").replace("te-ECMA2Host-2f1c", f"te-{PASSPHRASE}")
    fake = FakeWindows({"certutil-store": (0, certutil),
                        "wevtutil-qe": (0, event_xml(dt.datetime.now(dt.UTC), 2, "ECMA2Host",
                                                     f"password '{PASSWORD}' refused", 1))})
    built = build_report(ReportOptions(layout, platform="win32", recorder=fake.recorder(), token=TOKEN,
                                       token_connector="CSV", probe_endpoint=False, redact=["ECMA01"]))
    check_zip(built.data)
    names = [n for n, _ in built.members]
    assert any("certutil" in n for n in names) and "events/ECMA2Host.xml" in names
    for argv in fake.seen:
        assert not all_leaks(" ".join(argv).encode()), argv
