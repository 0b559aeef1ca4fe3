"""What support asks for beside the host (app/report/agent.py, agent_parts.py): the provisioning
agent's service, version, proxy and Trace folder, its event log and Windows' Application and System
logs; the Verbose-with-Generic-SQL warning. A Windows host made of captured-style outputs."""

from __future__ import annotations

import json
import shutil

import pytest

from app.host.layout import from_host_dir
from app.report.agent import AGENT_LOG, agent_command, log_command, parse_agent
from app.report.build import build_report
from app.report.context import ReportOptions
from app.report.parsers import decode_capture, tool_of
from app.report.recorder import check

from .fake_windows import FIELD, FakeWindows, capture
from .test_report import members


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return root


def _windows(host, overrides=None):
    fake = FakeWindows(overrides)
    built = build_report(ReportOptions(from_host_dir(host), platform="win32", recorder=fake.recorder(),
                                       probe_endpoint=False))
    return fake, members(built.data)


def test_the_command_lines_are_read_only_and_exact():
    assert log_command("System", 7, (1, 2, 3)) == [
        "wevtutil.exe", "qe", "System",
        "/q:*[System[(Level=1 or Level=2 or Level=3) and TimeCreated[timediff(@SystemTime) <= 604800000]]]",
        "/f:xml", "/rd:true", "/c:2000"]
    assert log_command(AGENT_LOG, 1) == [
        "wevtutil.exe", "qe", "Microsoft-AzureADConnect-ProvisioningAgent/Admin",
        "/q:*[System[TimeCreated[timediff(@SystemTime) <= 86400000]]]", "/f:xml", "/rd:true", "/c:2000"]
    with pytest.raises(ValueError):
        log_command("System", 0)
    script = agent_command()
    assert script[0] == "powershell.exe" and tool_of(script) == "powershell-agent"
    assert "Name='AADConnectProvisioningAgent'" in script[-1] and "-Tail 500" in script[-1]
    for argv in (script, log_command("Application", 7, (1, 2, 3)), log_command(AGENT_LOG, 7)):
        check(argv)  # the recorder lets it through: nothing in it changes the machine


def test_the_agents_output_parses_as_windows_powershell_writes_it():
    found = parse_agent(capture("powershell-agent"))  # the first capture: not installed
    assert found == {"installed": False}
    text = decode_capture((FIELD / "powershell-agent" / "handmade-running.txt").read_bytes())
    found = parse_agent(text)
    assert found["state"] == "Running" and found["version"] == "1.1.1586.0"
    assert found["config"].startswith("<?xml") and "defaultProxy" in found["config"]
    assert [f["size"] for f in found["trace_files"]] == [18342, 92110]
    for garbage in ("", "Access is denied.", "[]", '{"State":"Running"}'):
        with pytest.raises(ValueError):
            parse_agent(garbage)


def _running(config: str | None = None, tail: str | None = None) -> tuple[int, str]:
    data = json.loads(decode_capture((FIELD / "powershell-agent" / "handmade-running.txt").read_bytes()))
    if config is not None:
        data["Config"] = config
    if tail is not None:
        data["TraceTail"] = tail
    return 0, json.dumps(data)


def test_a_windows_report_carries_the_agent_and_the_windows_logs(host):
    fake, got = _windows(host, {"powershell-agent": _running()})
    agent = json.loads(got["agent/agent.json"])
    assert agent["state"] == "Running" and agent["version"] == "1.1.1586.0"
    assert agent["account"] == "NT SERVICE\\AADConnectProvisioningAgent"
    assert agent["proxy"] == {"enabled": "true", "use_default_credentials": "true", "bypass": [],
                              "proxy": {"usesystemdefault": "true", "proxyaddress": "http://proxy.contoso.com:8080",
                                        "bypassonlocal": "true"}}
    assert agent["trace_folder"].endswith(r"Azure AD Connect Provisioning Agent\Trace") and len(agent["trace_files"]) == 2
    assert b"<defaultProxy" in got["agent/AADConnectProvisioningAgent.exe.config"]
    assert b"Connected to the Microsoft Entra provisioning service" in got["agent/trace-newest.log"]
    for member in ("events/ProvisioningAgent-Admin.xml", "events/Application.xml", "events/System.xml"):
        assert got[member].startswith(b"<Events>") and b"<Event" in got[member], member
    summary = got["summary.md"].decode()
    assert "- Provisioning agent: Running, version 1.1.1586.0 (Microsoft supports only the latest release and " \
           "the one before" in summary and "proxy http://proxy.contoso.com:8080" in summary
    asked = [argv for argv in fake.seen if argv[:2] == ["wevtutil.exe", "qe"]]
    assert [a[2] for a in asked] == ["ECMA2Host", AGENT_LOG, "Application", "System"]
    raw = next(v for n, v in got.items() if n.startswith("raw/") and n.endswith("-powershell-agent.txt"))
    assert b"defaultProxy" not in raw and b"cleaned and split" in raw  # only the cleaned copy stays


def test_secrets_in_the_agents_files_are_removed(host):
    config = ('<?xml version="1.0"?><configuration><appSettings><add key="ProxyPassword" value="Agent-Pr0xy-Pw1"/>'
              '</appSettings><system.net><defaultProxy enabled="true"><proxy proxyaddress='
              '"http://svc-proxy:Url-Pr0xy-Pw2@proxy.contoso.com:8080" /></defaultProxy></system.net></configuration>')
    tail = "Sending to Data Source=sql01;User ID=sa;Password=Tr4ce-Sql-Pw3;\nretry with Agent-Pr0xy-Pw1"
    fake, got = _windows(host, {"powershell-agent": _running(config, tail)})
    for name, data in got.items():
        for secret in (b"Agent-Pr0xy-Pw1", b"Url-Pr0xy-Pw2", b"Tr4ce-Sql-Pw3"):
            assert secret not in data, (name, secret)
    assert json.loads(got["agent/agent.json"])["proxy"]["proxy"]["proxyaddress"] == \
        "http://svc-proxy:[secret removed]@proxy.contoso.com:8080"


def test_an_agent_that_is_not_installed_or_does_not_answer_is_said_so(host):
    _fake, got = _windows(host)  # the first capture: not installed
    assert "- Provisioning agent: NOT installed on this machine" in got["summary.md"].decode()
    _fake, got = _windows(host, {"powershell-agent": (1, "Get-CimInstance : Access denied")})
    summary = got["summary.md"].decode()
    assert "- the provisioning agent: the output did not parse" in summary
    raw = next(v for n, v in got.items() if n.startswith("raw/") and n.endswith("-powershell-agent.txt"))
    assert b"Access denied" not in raw and b"could not be cleaned" in raw


def test_off_windows_the_report_says_plainly_why_they_are_missing(host):
    got = members(build_report(ReportOptions(from_host_dir(host), platform="linux")).data)
    summary = got["summary.md"].decode()
    assert ("- the provisioning agent's service state, version, proxy settings and Trace folder: it needs the "
            "Windows host itself (this report was made on linux).") in summary
    assert f"- the provisioning agent's event log ({AGENT_LOG}) and the Application and System logs: it needs" in summary


def test_verbose_logging_with_generic_sql_is_called_out(host):
    """The sample host logs ConnectorsLog at Verbose and has a Generic SQL connector (HRDatabase)."""
    summary = members(build_report(ReportOptions(from_host_dir(host), platform="linux")).data)["summary.md"].decode()
    assert "- Logging at Verbose (ConnectorsLog) with a Generic SQL connector (HRDatabase)" in summary
    config = host / "Service" / "Microsoft.ECMA2Host.Service.exe.config"
    config.write_text(config.read_text("utf-8").replace('switchValue="Verbose"', 'switchValue="Information"'), "utf-8")
    summary = members(build_report(ReportOptions(from_host_dir(host), platform="linux")).data)["summary.md"].decode()
    assert "Logging at Verbose" not in summary
