"""Machine facts: command lines and parsing of captured output; WinSxS search on a fake tree."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.host import machine as m
from app.host.processes import PS_PROLOGUE, CommandResult

CACHE = r"C:\Program Files\Microsoft ECMA2Host\Service\ECMA\Cache\CSV"
ICACLS_OK = f"""{CACHE} NT AUTHORITY\\NETWORK SERVICE:(OI)(CI)(F)
{' ' * len(CACHE)} BUILTIN\\Administrators:(I)(OI)(CI)(F)
{' ' * len(CACHE)} NT AUTHORITY\\SYSTEM:(I)(OI)(CI)(F)
{' ' * len(CACHE)} BUILTIN\\Users:(I)(OI)(CI)(RX)
{' ' * len(CACHE)} CREATOR OWNER:(I)(OI)(CI)(IO)(F)

Successfully processed 1 files; Failed processing 0 files
"""
ICACLS_READ_ONLY = ICACLS_OK.replace("NETWORK SERVICE:(OI)(CI)(F)", "NETWORK SERVICE:(OI)(CI)(RX)")
ICACLS_MISSING = "\n".join(line for line in ICACLS_OK.splitlines() if "NETWORK SERVICE" not in line)
ICACLS_DENY = ICACLS_OK.replace("BUILTIN\\Users", "NT AUTHORITY\\NETWORK SERVICE:(OI)(CI)(DENY)(W)\n  X")
ICACLS_GERMAN = f"""{CACHE} NT-AUTORITÄT\\NETZWERKDIENST:(OI)(CI)(F)
{' ' * len(CACHE)} VORDEFINIERT\\Administratoren:(I)(OI)(CI)(F)
"""
ICACLS_UNKNOWN_LANGUAGE = f"""{CACHE} AUTORIDADE NT\\SERVIÇO DE REDE:(OI)(CI)(F)
{' ' * len(CACHE)} BUILTIN-X\\Administradores:(I)(OI)(CI)(F)
"""


def test_icacls_parsing_and_full_control():
    entries = m.parse_icacls(ICACLS_OK, CACHE)
    assert [e.account for e in entries] == ["NT AUTHORITY\\NETWORK SERVICE", "BUILTIN\\Administrators",
                                            "NT AUTHORITY\\SYSTEM", "BUILTIN\\Users", "CREATOR OWNER"]
    assert entries[0].rights == ("OI", "CI", "F") and entries[3].rights == ("I", "OI", "CI", "RX")
    names = m.account_names(None)
    assert m.has_full_control(entries, names) is True
    assert m.has_full_control(m.parse_icacls(ICACLS_READ_ONLY, CACHE), names) is False
    assert m.has_full_control(m.parse_icacls(ICACLS_MISSING, CACHE), names) is False
    assert m.has_full_control(m.parse_icacls(ICACLS_DENY, CACHE), names) is False
    assert m.has_full_control(m.parse_icacls(ICACLS_GERMAN, CACHE), names) is True
    assert m.has_full_control(m.parse_icacls(ICACLS_UNKNOWN_LANGUAGE, CACHE), names) is None


def test_account_names_follow_the_service_account():
    assert "NT AUTHORITY\\NETWORK SERVICE" in m.account_names("NT AUTHORITY\\NetworkService")
    assert m.account_names("CONTOSO\\gmsa-ecma$") == ("CONTOSO\\gmsa-ecma$",)
    entries = m.parse_icacls(f"{CACHE} CONTOSO\\gmsa-ecma$:(OI)(CI)(F)\n", CACHE)
    assert m.has_full_control(entries, m.account_names("CONTOSO\\gmsa-ecma$")) is True


def test_domain_role_command_and_parsing():
    assert m.domain_role_command()[-1] == PS_PROLOGUE + "(Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole"
    assert m.parse_domain_role("5\r\n") == 5
    assert m.parse_domain_role("") is None
    assert m.icacls_command(CACHE) == ["icacls", CACHE]


def test_version_command_and_parsing():
    argv = m.version_command(Path("C:/Program Files/Microsoft ECMA2Host/Service/Microsoft.ECMA2Host.Service.exe"))
    assert argv[-1].startswith(PS_PROLOGUE + "(Get-Item -LiteralPath '") and argv[-1].endswith(").VersionInfo.FileVersion")
    assert m.parse_version("1.0.502.0\r\n") == "1.0.502.0"
    assert m.parse_version("") is None


def make_winsxs(root: Path) -> Path:
    base = root / "WinSxS"
    layout = {
        "msil_system.management.automation.resources_31bf3856ad364e35_10.0.17763.1_en-us_1a2b": [
            "System.Management.Automation.resources.dll"],
        "msil_system.management.automation.resources_31bf3856ad364e35_10.0.20348.1_de-de_3c4d": [
            "System.Management.Automation.resources.dll"],
        "msil_system.management.automation.resources_31bf3856ad364e35_10.0.20348.1_en-us_5e6f": [
            "System.Management.Automation.resources.dll"],
        "msil_microsoft.powershell.security.resources_31bf3856ad364e35_10.0.17763.1_en-us_7a8b": [
            "Microsoft.PowerShell.Security.resources.dll"],
        "msil_microsoft.wsman.management.resources_31bf3856ad364e35_10.0.17763.1_en-us_9c0d": [
            "microsoft.wsman.management.resources.dll"],
        "msil_system.management.automation_31bf3856ad364e35_10.0.17763.1_none_ffff": [
            "System.Management.Automation.dll"],
    }
    for folder, files in layout.items():
        (base / folder).mkdir(parents=True)
        for f in files:
            (base / folder / f).write_bytes(folder.encode())
    return base


def test_winsxs_search_prefers_the_language_then_the_newest(tmp_path):
    found = m.find_winsxs_resources(make_winsxs(tmp_path))
    assert set(found) == set(m.POWERSHELL_RESOURCE_DLLS)
    assert "10.0.20348.1_en-us" in str(found["System.Management.Automation.resources.dll"])
    assert found["Microsoft.WSMan.Management.resources.dll"].is_file()  # found despite its lower-case name
    assert m.find_winsxs_resources(tmp_path / "absent") == {}


def test_windows_machine_with_a_scripted_runner(tmp_path):
    answers = {"DomainRole": "4\r\n", "icacls": ICACLS_OK, "FileVersion": "1.0.502.0\r\n"}

    def run(argv, timeout):
        if argv[0] == "sc.exe":
            return CommandResult(1060, "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\nThe "
                                 "specified service does not exist as an installed service.", "")
        key = next(k for k in answers if k in " ".join(argv))
        return CommandResult(0, answers[key], "")

    machine = m.WindowsMachine(run, winsxs=make_winsxs(tmp_path))
    assert machine.is_domain_controller() is True
    assert machine.cloud_sync_agent_installed() is False
    assert m.has_full_control(machine.acl(Path(CACHE)), m.account_names(None)) is True
    assert machine.host_version(Path("C:/x")) == "1.0.502.0"
    assert len(machine.winsxs_resources()) == 3


def test_windows_machine_on_german_windows_reads_exit_codes(tmp_path):
    """Translated words, same exit codes: sc.exe 1060 = not installed; icacls 5 = unknown, not "no access"."""
    def run(argv, timeout):
        if argv[0] == "sc.exe":
            return CommandResult(1060, "[SC] EnumQueryServicesStatus:OpenService FEHLER 1060:\r\n\r\n"
                                 "Der angegebene Dienst ist kein installierter Dienst.\r\n", "")
        if argv[0] == "icacls":
            return CommandResult(5, f"{CACHE}: Zugriff verweigert\r\n"
                                 "0 Dateien erfolgreich verarbeitet, bei 1 Dateien ist ein Verarbeitungsfehler "
                                 "aufgetreten.\r\n", "")
        raise AssertionError(argv)

    machine = m.WindowsMachine(run, winsxs=make_winsxs(tmp_path))
    assert machine.cloud_sync_agent_installed() is False
    assert machine.acl(Path(CACHE)) is None


def test_unavailable_machine_knows_nothing_and_says_why():
    machine = m.UnavailableMachine("linux")
    assert "Windows connector host" in machine.unavailable_reason
    assert machine.is_domain_controller() is None and machine.acl(Path(".")) is None
    assert machine.winsxs_resources() == {}


@pytest.mark.skipif(sys.platform != "win32", reason="runs PowerShell and icacls on the Windows CI job")
def test_real_windows_commands(tmp_path):
    machine = m.WindowsMachine()
    assert machine.is_domain_controller() is False  # CI runners are not domain controllers
    assert machine.cloud_sync_agent_installed() is False
    entries = machine.acl(tmp_path)
    assert entries, "icacls printed no entries for a temp folder"


def test_event_log_and_execution_policy_command_lines_and_parsing():
    from app.host.machine import (
        event_log_command,
        execution_policy_command,
        parse_event_log,
        parse_execution_policy,
    )
    from app.host.processes import CommandResult

    assert event_log_command() == ["wevtutil.exe", "gl", "ECMA2Host"]
    assert parse_event_log(CommandResult(0, "name: ECMA2Host\r\nenabled: true\r\n", "")) is True
    missing = CommandResult(15007, "", "Failed to read configuration for log ECMA2Host. The specified "
                            "channel could not be found. (15007)")
    assert parse_event_log(missing) is False
    assert parse_event_log(CommandResult(5, "", "Access is denied.")) is None
    assert "Get-ExecutionPolicy" in " ".join(execution_policy_command())
    assert parse_execution_policy("RemoteSigned\r\n") == "RemoteSigned"
    assert parse_execution_policy("restricted") == "Restricted"
    assert parse_execution_policy("") is None and parse_execution_policy("Gibberish") is None
