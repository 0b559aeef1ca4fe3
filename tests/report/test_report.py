"""Host reports: what goes in (off Windows and on a Windows host made of captured outputs), that the
host is only read, redaction, the reader, and `diff` with a report as one side."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.config.document import ConfigDocument
from app.config.rules import validate
from app.errors import UserError
from app.host.layout import from_host_dir
from app.hostsecrets.where import secret_places
from app.report.build import build_report, write_report
from app.report.context import ReportOptions
from app.report.reader import read_report
from app.report.recorder import check

from .fake_windows import FakeWindows


def fake_exe(major: int, minor: int, build: int, revision: int) -> bytes:
    """An executable with just a version resource (VS_FIXEDFILEINFO), as Explorer reads it."""
    return (b"MZ" + b"\0" * 200 + b"\xbd\x04\xef\xfe" + struct.pack("<III", 0x00010000, (major << 16) | minor,
                                                                 (build << 16) | revision) + b"\0" * 64)


@pytest.fixture
def host(tmp_path, sample_host) -> Path:
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    (root / "Service" / "Microsoft.ECMA2Host.Service.exe").write_bytes(fake_exe(1, 1, 1245, 0))
    (root / "Wizard" / "Microsoft.ECMA2Host.ConfigWizard.exe").write_bytes(fake_exe(1, 1, 1245, 0))
    return root


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def tree_state(root: Path) -> dict[str, tuple[str, float]]:
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
            for p in root.rglob("*") if p.is_file()}


def test_off_windows_the_host_folder_is_reported_and_the_rest_says_why(host):
    before = tree_state(host)
    built = build_report(ReportOptions(from_host_dir(host), platform="linux"))
    assert tree_state(host) == before  # nothing on the host changed
    got = members(built.data)
    for name in ("host/Configuration.xml", "host/Microsoft.ECMA2Host.Service.exe.config",
                 "host/Microsoft.ECMA2Host.ConfigWizard.exe.config", "host/secrets.json", "host/ecma-tree.json",
                 "checks/doctor.json", "events/ECMA2Host.xml", "events/summary.json", "summary.md", "manifest.json"):
        assert name in got, name
    summary = got["summary.md"].decode()
    assert "service's state" in summary and "needs the Windows host itself (this report was made on linux)" in summary
    assert "connection test: no token was given" in summary
    assert "Contoso.Badges.Connector.dll: it is not a Windows DLL" in summary
    manifest = json.loads(got["manifest.json"])
    for name, meta in manifest["files"].items():  # the manifest describes exactly what is there
        assert hashlib.sha256(got[name]).hexdigest() == meta["sha256"], name
    assert [n for n, _ in built.members] == list(got)
    assert manifest["facts"]["file_versions"] == {"service": "1.1.1245.0", "wizard": "1.1.1245.0"}
    tree = json.loads(got["host/ecma-tree.json"])
    assert {d["path"] for d in tree["dlls"]} >= {"Service/ECMA/Microsoft.IAM.Connector.GenericSql.dll",
                                                 "Service/ECMA/Cache/CSV/Microsoft.IAM.Connector.PowerShell.dll"}
    assert all(len(d["sha256"]) == 64 for d in tree["dlls"])


def test_every_secret_is_replaced_by_its_structure(host):
    layout = from_host_dir(host)
    originals = [p.value.strip() for p in secret_places(ConfigDocument.load(layout.config_path)) if p.value.strip()]
    assert originals
    got = members(build_report(ReportOptions(layout, platform="linux")).data)
    config = got["host/Configuration.xml"].decode()
    for value in originals:
        assert value not in config and value[:40] not in config
    assert re.search(r"\[secret #\d+ removed: encrypted, Microsoft.ECMA2Host.Encrypted.DataEncypt", config)
    assert "EncryptedData Byte[] (212)" in config
    # the rest of the file is the host's, byte for byte: only secret values differ
    original = layout.config_path.read_text("utf-8").splitlines()
    reported = config.splitlines()
    assert len(original) == len(reported)
    changed = [(a, b) for a, b in zip(original, reported, strict=True) if a != b]
    assert changed and all(re.search(r"\[secret #\d+ removed", b) for _a, b in changed)
    # each secret has its own text: two equal ones would read as one token shared by two connectors
    report_doc = ConfigDocument.from_bytes(got["host/Configuration.xml"])
    assert not [f for f in validate(report_doc) if "used by another connector" in f.message]


def test_the_event_window_counts_back_from_the_newest_event(host):
    layout = from_host_dir(host)
    week = json.loads(members(build_report(ReportOptions(layout, platform="linux", days=7)).data)["events/summary.json"])
    day = json.loads(members(build_report(ReportOptions(layout, platform="linux", days=1)).data)["events/summary.json"])
    assert 0 < day["events"] < week["events"]
    with pytest.raises(UserError, match="--days"):
        build_report(ReportOptions(layout, platform="linux", days=0))


def test_on_a_windows_host_every_part_is_gathered_through_read_only_commands(host):
    fake = FakeWindows()
    before = tree_state(host)
    built = build_report(ReportOptions(from_host_dir(host), platform="win32", recorder=fake.recorder(),
                                       probe_endpoint=False))
    assert tree_state(host) == before
    got = members(built.data)
    service = json.loads(got["windows/service.json"])
    assert service == {"name": "Microsoft.ECMA2Host", "display_name": "Microsoft ECMA2Host", "state": "running",
                       "pid": 5124, "account": "NT AUTHORITY\\NetworkService", "start_type": "AUTO_START (DELAYED)"}
    versions = json.loads(got["windows/versions.json"])
    assert versions["dotnet_version"] == "4.8" and versions["windows_build"] == "17763.5696"
    assert versions["powershell_51"] is True and versions["service_file_version"] == "1.1.1245.0"
    http = json.loads(got["windows/http.json"])
    assert [b["ip_port"] for b in http["sslcert"]] == ["0.0.0.0:8585", "0.0.0.0:443"]
    assert http["urlacl"][1]["users"][0] == {"user": "NT AUTHORITY\\NETWORK SERVICE", "listen": "Yes", "delegate": "No"}
    certs = json.loads(got["windows/certificates.json"])["certificates"]
    assert [c["store"] for c in certs] == ["My", "Root"]  # Microsoft's root is not one that matters
    acls = json.loads(got["windows/cache-acls.json"])
    assert any(e["full_control"] for a in acls if a.get("entries") for e in a["entries"])
    assert [a["service_account_full_control"] for a in acls] == [True, True]
    assert "Cache folders, service account: CSV full control, HRDatabase full control" in got["summary.md"].decode()
    events = json.loads(got["events/summary.json"])
    assert events["events"] == 6 and "live ECMA2Host log" in events["origin"]
    # each command's raw output sits beside what was parsed from it
    raws = sorted(n for n in got if n.startswith("raw/") and n.endswith(".txt"))
    assert len(raws) >= 10
    for name in raws:
        parsed = json.loads(got[name.replace(".txt", ".parsed.json")])
        assert got[name].startswith(b"# command:")
        if parsed["tool"] != "other" and b"# exit code: 0\n" in got[name]:
            assert parsed["parsed"] is not None, (name, parsed)
    assert "needs the Windows host itself" not in got["summary.md"].decode()
    # nothing that changes a machine was ever asked for
    for argv in fake.seen:
        check(argv)
        assert not {"start", "stop", "config", "delete", "add", "update"} & {a.lower() for a in argv[1:3]}, argv


@pytest.mark.parametrize("argv", [["sc.exe", "stop", "X"], ["netsh", "http", "add", "urlacl"],
                                  ["powershell.exe", "-Command", "Remove-Item C:\\x"], ["cmd.exe", "/c", "dir"],
                                  ["icacls.exe", "C:\\x", "/grant", "x:F"], ["icacls", "C:\\x", "/grant", "x:F"],
                                  ["icacls", "C:\\x", "/reset"], ["wevtutil.exe", "cl", "ECMA2Host"]])
def test_the_recorder_refuses_anything_but_read_only_commands(argv):
    with pytest.raises(UserError, match="read-only"):
        check(argv)


def test_redaction_replaces_names_everywhere_consistently(host):
    fake = FakeWindows()
    names = ["ECMA01", "contoso.com", "NetworkService"]
    built = build_report(ReportOptions(from_host_dir(host), platform="win32", recorder=fake.recorder(),
                                       redact=names, probe_endpoint=False))
    got = members(built.data)
    for name, data in got.items():
        low = data.lower()
        for n in names:
            assert n.lower().encode() not in low, (name, n)
            assert n.lower().encode("utf-16-le") not in low, (name, n)
            assert n.lower() not in name.lower()
    certs = got["windows/certificates.json"].decode()
    events = got["events/ECMA2Host.xml"].decode()
    assert "CN=REDACTED-1.REDACTED-2" in certs and "<Computer>REDACTED-1.REDACTED-2</Computer>" in events
    assert json.loads(got["manifest.json"])["redacted"] == ["REDACTED-1", "REDACTED-2", "REDACTED-3"]


def test_the_cli_writes_the_report_and_refuses_bad_input(host, tmp_path, capsys):
    out = tmp_path / "report.zip"
    assert main(["host-report", "--host-dir", str(host), "--out", str(out), "--days", "3", "--no-bridge"]) == 0
    assert "Host report written" in capsys.readouterr().out
    report = read_report(out.read_bytes(), str(out))
    assert report.manifest["days"] == 3 and report.summary.startswith("# ECMA2Host host report")
    assert main(["host-report", "--host-dir", str(host), "--out", str(tmp_path), "--no-bridge"]) == 2
    assert main(["host-report", "--host-dir", str(host), "--out", str(out), "--days", "0"]) == 2
    assert main(["host-report", "--host-dir", str(host), "--out", str(out), "--redact", "ab"]) == 2
    assert main(["host-report", "--host-dir", str(host), "--out", str(out), "--token-env", "NOPE_NOT_SET"]) == 2


def test_a_configuration_that_does_not_read_is_left_out_not_included(host):
    config = host / "Service" / "Configuration" / "Configuration.xml"
    config.write_bytes(config.read_bytes()[:5000])
    got = members(build_report(ReportOptions(from_host_dir(host), platform="linux")).data)
    assert "host/Configuration.xml" not in got
    assert "Configuration.xml: it could not be read, so its secrets could not be removed" in got["summary.md"].decode()


def test_the_reader_shows_what_the_report_holds(host, tmp_path):
    out = write_report(tmp_path / "r.zip", build_report(ReportOptions(from_host_dir(host), platform="linux")))
    report = read_report(out.read_bytes(), str(out))
    assert [c.name for c in report.configuration().connectors] == ["CSV", "HRDatabase"] or report.configuration()
    table = report.events()
    assert len(table) == json.loads(report.member("events/summary.json"))["events"]
    assert table.xml_reader(table.locators[0], 0).startswith("<Event")
    assert report.doctor_checks() and all("severity" in c for c in report.doctor_checks())
    assert report.dlls()


def test_diff_takes_a_report_as_one_side(host, tmp_path, capsys):
    out = write_report(tmp_path / "r.zip", build_report(ReportOptions(from_host_dir(host), platform="linux")))
    assert main(["diff", str(host), str(out)]) == 0
    assert "No differences." in capsys.readouterr().out
    (host / "Service" / "ECMA" / "Contoso.Badges.Connector.dll").write_bytes(b"MZ another build")
    main(["diff", str(out), str(host), "--json"])
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert any(c["area"] == "dll" and "Contoso.Badges" in c["field"] for c in changes), changes


def test_exe_config_secrets_and_connection_string_passwords_are_replaced():
    from app.report.sanitize import app_config, configuration

    config = b"""<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="Hr" connectionString="Server=sql01;Database=hr;User Id=svc;Password=Sup3r;Secret" />
  </connectionStrings>
  <appSettings>
    <add key="UrlHost" value="http://*:8585/ecma2host" />
    <add key="ApiToken" value="tok-123456" />
  </appSettings>
</configuration>
"""
    done = app_config(config, "svc.exe.config")
    text = done.data.decode()
    assert "Sup3r" not in text and "tok-123456" not in text
    assert 'Password=[secret removed]' in text and 'value="http://*:8585/ecma2host"' in text
    assert "[secret #2 removed: typed in plain text]" in text
    assert set(done.known_values) == {"Sup3r", "tok-123456"}
    # the rest of the file is untouched, line for line
    assert [a for a, b in zip(config.decode().splitlines(), text.splitlines(), strict=True) if a != b] == [
        '    <add name="Hr" connectionString="Server=sql01;Database=hr;User Id=svc;Password=Sup3r;Secret" />',
        '    <add key="ApiToken" value="tok-123456" />']
    with pytest.raises(UserError):
        configuration(b"<Configuration><unclosed>", "c.xml")


def test_redaction_finds_names_spelt_with_xml_character_references():
    """XML lets any character be a reference: `&#69;CMA01` is ECMA01 to every XML reader."""
    from app.report.redact import Redactor

    redact = Redactor(["ECMA01", "contoso.com", "ecma01.contoso.com"])
    text = "<Host>&#69;CMA01</Host><Fqdn>ecm&#x61;01.Contoso.com</Fqdn> &#X45;CMA01 &#0069;cma01 ECMA011"
    out = redact(text)
    # the last one is ECMA01 followed by a "1": the name inside a longer word is replaced too
    assert out == "<Host>REDACTED-1</Host><Fqdn>REDACTED-3</Fqdn> REDACTED-1 REDACTED-1 REDACTED-11"
    assert "ECMA" not in out.upper().replace("REDACTED", "") and "&#" not in out
