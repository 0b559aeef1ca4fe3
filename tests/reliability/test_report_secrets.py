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
from app.report.build import build_report
from app.report.context import ReportOptions
from tests.events.sample import event_xml
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


# -- secrets by what they are, in every spelling a reader decodes -----------------------------------
def _plant_kinds(layout) -> None:
    """Every kind of secret the report must recognise without a type saying so (planted.py)."""
    from app.config import builders
    from app.config.store import ConfigStore
    from tests.reliability import planted as p

    store = ConfigStore(layout.config_path)
    doc = store.load()
    csv = doc.find_connector("CSV")
    for name, type_, value in (
            ("API Key", "String", p.API_KEY), ("Access Key", "DropDown", p.ACCESS_KEY),
            ("Client Secret", "File", p.CLIENT_SECRET), ("Bind Password", "Label", p.BIND_PASSWORD),
            ("Storage", "String", "DefaultEndpointsProtocol=https;AccountName=contoso;"
                                  f"AccountKey={p.ACCOUNT_KEY};EndpointSuffix=core.windows.net"),
            ("Source", "Text", "Driver={ODBC Driver 18 for SQL Server};Server=sql01;Uid=sa;"
                               "Pwd={" + p.BRACED.replace("}", "}}") + "};Encrypt=yes"),
            ("Legacy Source", "String", 'Data Source=sql01;User ID=sa;Password="'
                                        + p.QUOTED.replace('"', '""') + '";Pooling=false')):
        csv.add_parameter(builders.parameter(name, type_, "Connectivity", value))
    store.save(doc)
    quoted = p.QUOTED.replace('"', '""').replace('"', "&quot;")
    extra = (f'    <add key="StorageAccountKey" value="{p.APPSETTING_KEY}" />\n'
             f'    <add key="ReportStore" value="DefaultEndpointsProtocol=https;AccountName=r;'
             f'AccountKey={p.APPSETTING_CONN_KEY}" />\n')
    sections = ('  <connectionStrings>\n'
                f'    <add name="HR" connectionString="Server=sql01;Database=HR;User Id=sa;'
                f'Password={p.CONNSTRING_PWD};" providerName="System.Data.SqlClient" />\n'
                f'    <add name="Legacy" connectionString="Data Source=x;Password=&quot;{quoted}&quot;" />\n'
                '  </connectionStrings>\n  <applicationSettings>\n    <Contoso.Properties.Settings>\n'
                '      <setting name="ApiToken" serializeAs="String">\n'
                f'        <value>{p.APP_TOKEN}</value>\n      </setting>\n'
                '    </Contoso.Properties.Settings>\n  </applicationSettings>\n')
    config = layout.service_config_path
    text = config.read_text("utf-8").replace("<appSettings>\n", "<appSettings>\n" + extra)
    config.write_text(text.replace("</configuration>", sections + "</configuration>"), "utf-8")


def _planted_events(layout) -> None:
    """Known secrets written in events the ways a log has them: Generic SQL's Verbose connection
    string, XML-escaped, as character references, upper-cased, re-spaced, base64'd (Basic)."""
    import base64

    from tests.reliability import planted as p

    log = layout.root / "Logs" / "ECMA2Host.xml"
    when = dt.datetime(2024, 5, 9, 7, 0, tzinfo=dt.UTC)
    basic = base64.b64encode(f"svc-sync:{PASSWORD}".encode()).decode()
    messages = [
        "Generic SQL: opening connection Data Source=sql01;Initial Catalog=HR;User ID=sa;"
        f"Password={p.EVENT_SQL_PWD};Encrypt=True",
        "Login refused for password DECIMAL_REFS", "Login refused for password HEX_REFS",
        "Import failed: the server said password ESCAPED_QUOTED is wrong",
        f"LOGIN FAILED: PASSWORD {PASSWORD.upper()}", f"Token {p.APP_TOKEN.lower()} expired",
        "Retrying with password " + PASSWORD[:7] + "\r\n    " + PASSWORD[7:],
        f"GET /scim/Users: Authorization: Basic {basic}", f"api key in use: {p.API_KEY.upper()}"]
    events = "".join(event_xml(when, 2, "ECMA2Host", m, 9100 + i) for i, m in enumerate(messages))
    events = (events.replace("DECIMAL_REFS", "".join(f"&#{ord(c)};" for c in PASSWORD))
              .replace("HEX_REFS", "".join(f"&#x{ord(c):x};" if i % 2 else c for i, c in enumerate(PASSWORD)))
              .replace("ESCAPED_QUOTED", p.QUOTED.replace('"', "&quot;")))
    log.write_text(log.read_text("utf-8").rstrip() + events + "\r\n", "utf-8")


def test_a_report_redacts_secrets_by_what_they_are_in_every_spelling(planted_host):
    from tests.reliability import planted as p

    layout, _cert = planted_host
    _plant_kinds(layout)
    _planted_events(layout)
    values = [*p.KINDS, PASSWORD]
    for value in p.KINDS:  # each value is really on the host, as its reader decodes it
        assert any(p.reader_finds(f.read_bytes().replace(b'""', b'"').replace(b"}}", b"}")
                                  .replace(b"&quot;&quot;", b'"').replace(b"&quot;", b'"'), [value])
                   for f in layout.root.rglob("*") if f.is_file() and f.suffix in (".xml", ".config")), value
    built = build_report(ReportOptions(layout, platform="linux"))
    for name, member in zip_members(built.data):
        assert not p.reader_finds(member, values), (name, p.reader_finds(member, values))
    members = dict(zip_members(built.data))
    config = members["host/Configuration.xml"].decode()
    for name in ("API Key", "Access Key", "Client Secret", "Bind Password"):
        assert name in config  # the parameter stays, its value is replaced
    assert "AccountKey=[secret removed]" in config and "Pwd=[secret removed];Encrypt=yes" in config
    assert 'Password=[secret removed];Pooling=false' in config
    service = members["host/Microsoft.ECMA2Host.Service.exe.config"].decode()
    assert 'name="ApiToken"' in service and "providerName" in service
    events = members["events/ECMA2Host.xml"].decode()
    assert events.count("[secret removed]") >= 9 and "User ID=sa;Password=[secret removed];Encrypt=True" in events
