"""Service control: command lines, parsing of captured sc.exe output, and the control flow with a
scripted runner (the real sc.exe runs on the Windows CI job)."""

from __future__ import annotations

import sys

import pytest

from app.host import service as svc
from app.host.processes import PS_PROLOGUE, CommandResult
from app.host.service import (
    ServiceError,
    ServiceState,
    UnavailableServiceControl,
    WindowsServiceControl,
)
from app.liveness import ProcessState

QUERYEX_RUNNING = """
SERVICE_NAME: Microsoft.ECMA2Host
        TYPE               : 10  WIN32_OWN_PROCESS
        STATE              : 4  RUNNING
                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
        WIN32_EXIT_CODE    : 0  (0x0)
        SERVICE_EXIT_CODE  : 0  (0x0)
        CHECKPOINT         : 0x0
        WAIT_HINT          : 0x0
        PID                : 5124
        FLAGS              :
"""
QUERYEX_STOPPED = QUERYEX_RUNNING.replace("4  RUNNING", "1  STOPPED").replace("5124", "0")
QUERYEX_STOP_PENDING = QUERYEX_RUNNING.replace("4  RUNNING", "3  STOP_PENDING")
QUERYEX_GERMAN = """
SERVICE_NAME: Microsoft.ECMA2Host
        TYP                : 10  WIN32_OWN_PROCESS
        STATUS             : 1  STOPPED
        PID                : 0
"""
QUERY_ALL = """
SERVICE_NAME: AJRouter
DISPLAY_NAME: AllJoyn Router Service
        TYPE               : 20  WIN32_SHARE_PROCESS
        STATE              : 1  STOPPED
        WIN32_EXIT_CODE    : 1077  (0x435)

SERVICE_NAME: Microsoft.ECMA2Host
DISPLAY_NAME: Microsoft ECMA2Host
        TYPE               : 10  WIN32_OWN_PROCESS
        STATE              : 4  RUNNING
                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)
"""
QC = """[SC] QueryServiceConfig SUCCESS

SERVICE_NAME: Microsoft.ECMA2Host
        TYPE               : 10  WIN32_OWN_PROCESS
        START_TYPE         : 2   AUTO_START
        ERROR_CONTROL      : 1   NORMAL
        BINARY_PATH_NAME   : "C:\\Program Files\\Microsoft ECMA2Host\\Service\\Microsoft.ECMA2Host.Service.exe"
        DISPLAY_NAME       : Microsoft ECMA2Host
        SERVICE_START_NAME : NT AUTHORITY\\NetworkService
"""
ACCESS_DENIED = "[SC] StartService: OpenService FAILED 5:\n\nAccess is denied.\n\n"
NOT_INSTALLED = "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\nThe specified service does not exist as an installed service.\n\n"
ALREADY_RUNNING = "[SC] StartService FAILED 1056:\n\nAn instance of the service is already running.\n\n"


def test_command_lines():
    assert svc.lookup_command() == [
        "powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command",
        PS_PROLOGUE + "Get-Service -DisplayName 'Microsoft ECMA2Host' -ErrorAction SilentlyContinue | "
        "Select-Object -ExpandProperty Name"]
    assert "'It''s'" in svc.lookup_command("It's")[-1]
    assert svc.query_all_command() == ["sc.exe", "query", "state=", "all"]
    assert svc.queryex_command("Microsoft.ECMA2Host") == ["sc.exe", "queryex", "Microsoft.ECMA2Host"]
    assert svc.start_command("X") == ["sc.exe", "start", "X"]
    assert svc.stop_command("X") == ["sc.exe", "stop", "X"]
    assert svc.qc_command("X") == ["sc.exe", "qc", "X"]
    for bad in ("", "a/b", 'a"b', "a\nb"):
        with pytest.raises(ServiceError):
            svc.start_command(bad)


def test_parse_queryex():
    status = svc.parse_queryex(QUERYEX_RUNNING)
    assert (status.name, status.state, status.pid) == ("Microsoft.ECMA2Host", ServiceState.RUNNING, 5124)
    stopped = svc.parse_queryex(QUERYEX_STOPPED)
    assert stopped.state is ServiceState.STOPPED and stopped.pid is None
    assert svc.parse_queryex(QUERYEX_GERMAN).state is ServiceState.STOPPED
    assert svc.parse_queryex(NOT_INSTALLED) is None
    assert svc.parse_queryex("") is None


def test_parse_query_all_and_find_by_display_name():
    services = svc.parse_query_all(QUERY_ALL)
    assert [(s.name, s.display_name, s.state) for s in services] == [
        ("AJRouter", "AllJoyn Router Service", ServiceState.STOPPED),
        ("Microsoft.ECMA2Host", "Microsoft ECMA2Host", ServiceState.RUNNING)]
    assert svc.find_by_display_name(services).name == "Microsoft.ECMA2Host"
    assert svc.find_by_display_name(services, "microsoft ecma2host").name == "Microsoft.ECMA2Host"
    assert svc.find_by_display_name(services[:1]) is None


def test_parse_qc_lookup_and_failures():
    assert svc.parse_qc_account(QC) == "NT AUTHORITY\\NetworkService"
    assert svc.parse_lookup("\r\nMicrosoft.ECMA2Host\r\n") == "Microsoft.ECMA2Host"
    assert svc.parse_lookup("") is None
    assert svc.parse_failure(ACCESS_DENIED) == (5, "Access is denied.")
    assert svc.parse_failure(NOT_INSTALLED)[0] == 1060
    assert svc.parse_failure(QUERYEX_RUNNING) is None
    sentence = svc.failure_sentence("Start Microsoft ECMA2Host", 5, "Access is denied.")
    assert "administrator" in sentence and "error 5" in sentence


class FakeSc:
    """Plays sc.exe and PowerShell: a service whose state follows start/stop after `lag` polls."""

    def __init__(self, state="RUNNING", lookup="Microsoft.ECMA2Host\r\n", lag=1, fail=None, listing=QUERY_ALL):
        self.state, self.lookup, self.lag, self.fail, self.listing = state, lookup, lag, fail, listing
        self.calls: list[list[str]] = []
        self.pending: tuple[str, int] | None = None

    def __call__(self, argv, timeout):
        self.calls.append(argv)
        if argv[0] == "powershell.exe":
            return CommandResult(0, self.lookup, "")
        verb = argv[1]
        if verb == "query":
            return CommandResult(0, self.listing, "")
        if verb == "qc":
            return CommandResult(0, QC, "")
        if verb == "queryex":
            if self.state == "GONE":
                return CommandResult(1060, NOT_INSTALLED, "")
            if self.pending:
                target, left = self.pending
                self.pending = (target, left - 1) if left > 1 else None
                if left <= 1:
                    self.state = target
                shown = "STOP_PENDING" if target == "STOPPED" and left > 1 else self.state
            else:
                shown = self.state
            codes = {"RUNNING": 4, "STOPPED": 1, "STOP_PENDING": 3, "START_PENDING": 2}
            return CommandResult(0, QUERYEX_RUNNING.replace("4  RUNNING", f"{codes[shown]}  {shown}"), "")
        if self.fail:
            code, text = self.fail  # sc.exe exits with the Win32 error it prints
            return CommandResult(code, text, "")
        self.pending = ("RUNNING" if verb == "start" else "STOPPED", self.lag)
        return CommandResult(0, "", "")


def control(fake, **kw):
    clock = iter(range(0, 10_000))
    kw.setdefault("probe", lambda pid: ProcessState(False))  # the service's process has exited
    return WindowsServiceControl(fake, sleep=lambda s: None, clock=lambda: next(clock), **kw)


def test_status_looks_up_the_name_by_display_name_once():
    fake = FakeSc()
    c = control(fake)
    status = c.status()
    assert status.state is ServiceState.RUNNING and status.account == "NT AUTHORITY\\NetworkService"
    c.status()
    assert sum(1 for a in fake.calls if a[0] == "powershell.exe") == 1


def test_lookup_falls_back_to_sc_query_when_powershell_finds_nothing():
    fake = FakeSc(lookup="")
    assert control(fake).status().name == "Microsoft.ECMA2Host"
    assert ["sc.exe", "query", "state=", "all"] in fake.calls


def test_not_installed():
    fake = FakeSc(lookup="", listing=QUERY_ALL.split("\nSERVICE_NAME: Microsoft")[0])
    c = control(fake)
    assert c.status().state is ServiceState.NOT_INSTALLED
    with pytest.raises(ServiceError, match="not installed"):
        c.start()


def test_restart_stops_waits_and_starts_reporting_progress():
    fake = FakeSc(state="RUNNING", lag=2)
    seen = []
    status = control(fake).restart(seen.append)
    assert status.state is ServiceState.RUNNING
    verbs = [a[1] for a in fake.calls if a[0] == "sc.exe" and a[1] in ("start", "stop")]
    assert verbs == ["stop", "start"]
    assert [s.state for s in seen][:2] == [ServiceState.STOP_PENDING, ServiceState.STOPPED]


def test_start_of_a_running_service_does_nothing():
    fake = FakeSc(state="RUNNING")
    assert control(fake).start().running
    assert not any(a[1] == "start" for a in fake.calls if a[0] == "sc.exe")


def test_access_denied_says_run_elevated():
    fake = FakeSc(state="STOPPED", fail=(5, ACCESS_DENIED))
    with pytest.raises(ServiceError, match="administrator"):
        control(fake).start()


# German Windows translates sc.exe's words ("FEHLER" for "FAILED") and Windows' messages, not the
# exit code, which is the Win32 error (docs/host-facts.md §12 lists this for a real capture).
ACCESS_DENIED_GERMAN = "[SC] OpenService FEHLER 5:\r\n\r\nZugriff verweigert\r\n\r\n"
NOT_INSTALLED_GERMAN = ("[SC] EnumQueryServicesStatus:OpenService FEHLER 1060:\r\n\r\n"
                        "Der angegebene Dienst ist kein installierter Dienst.\r\n\r\n")
ALREADY_STOPPED_GERMAN = "[SC] ControlService FEHLER 1062:\r\n\r\nDer Dienst wurde nicht gestartet.\r\n\r\n"


def test_a_refused_stop_on_german_windows_is_one_sentence_at_once():
    """Before: "FAILED" was looked for, so a refused stop became a 90-second wait."""
    fake = FakeSc(state="RUNNING", fail=(5, ACCESS_DENIED_GERMAN))
    with pytest.raises(ServiceError) as caught:
        control(fake, wait_seconds=90).stop()
    assert "Zugriff verweigert" in str(caught.value) and "error 5" in str(caught.value)
    assert "administrator" in str(caught.value)
    assert sum(1 for a in fake.calls if a[1] == "queryex") == 1  # no waiting for a stop that never comes


def test_german_not_installed_and_already_stopped_are_read_from_the_exit_code():
    fake = FakeSc(state="GONE")
    fake_result = CommandResult(1060, NOT_INSTALLED_GERMAN, "")
    c = control(lambda argv, timeout: fake_result if argv[1] == "queryex" else fake(argv, timeout))
    assert c.status().state is ServiceState.NOT_INSTALLED
    assert svc.exit_failure(CommandResult(1062, ALREADY_STOPPED_GERMAN, "")) == (
        1062, "Der Dienst wurde nicht gestartet.")
    assert svc.exit_failure(CommandResult(0, QUERYEX_RUNNING, "")) is None
    assert svc.exit_failure(CommandResult(1053, "", "")) == (1053, "sc.exe ended with exit code 1053.")


def test_a_service_that_never_stops_times_out_in_one_sentence():
    fake = FakeSc(state="RUNNING", lag=10_000)
    with pytest.raises(ServiceError, match="did not stop within 5 seconds"):
        control(fake, wait_seconds=5).stop()


def test_unavailable_elsewhere_says_it_needs_the_host():
    c = UnavailableServiceControl("linux")
    assert not c.available() and "Windows connector host" in c.unavailable_reason
    for action in (c.status, c.start, c.stop, c.restart):
        with pytest.raises(ServiceError, match="need that host"):
            action()


@pytest.mark.skipif(sys.platform != "win32", reason="runs the real sc.exe on the Windows CI job")
def test_real_sc_on_windows_reports_a_state_for_a_builtin_service():
    # The ECMA2Host service is not on CI runners; the lookup must say "not installed", and a
    # built-in service must parse with the same code.
    assert WindowsServiceControl().status().state is ServiceState.NOT_INSTALLED
    out = svc.run_command(svc.queryex_command("EventLog")).stdout
    parsed = svc.parse_queryex(out)
    assert parsed is not None and parsed.state is ServiceState.RUNNING
    listing = svc.parse_query_all(svc.run_command(svc.query_all_command()).stdout)
    assert svc.find_by_display_name(listing, "Windows Event Log").name == "EventLog"


class ExitingProcess:
    """The service's process after STOPPED: still running for `polls` looks, then gone."""

    def __init__(self, polls: int) -> None:
        self.polls, self.asked = polls, []

    def __call__(self, pid: int) -> ProcessState:
        self.asked.append(pid)
        self.polls -= 1
        return ProcessState(self.polls >= 0, "win:1")


def test_stop_waits_for_the_service_process_to_exit():
    process = ExitingProcess(polls=3)
    status = control(FakeSc(state="RUNNING"), probe=process).stop()
    assert status.state is ServiceState.STOPPED
    assert process.asked == [5124] * 4  # the PID queryex gave before the stop, until it was gone


def test_a_process_that_never_exits_is_one_sentence():
    with pytest.raises(ServiceError, match="process 5124 has not exited after 30 seconds"):
        control(FakeSc(state="RUNNING"), probe=ExitingProcess(polls=10_000)).stop()
def test_start_and_stop_are_journaled_with_their_outcome():
    from app import journal

    control(FakeSc(state="RUNNING", lag=2)).restart()
    with pytest.raises(ServiceError):
        control(FakeSc(state="STOPPED", fail=(5, ACCESS_DENIED))).start()
    control(FakeSc(state="RUNNING")).start()  # already running: nothing done, nothing journaled
    seen = [(a.action, a.outcome, a.target) for a in journal.read_journal().actions]
    assert seen == [("stop service", "ok", "Microsoft ECMA2Host"), ("start service", "ok", "Microsoft ECMA2Host"),
                    ("start service", "failed", "Microsoft ECMA2Host")]
    assert "administrator" in journal.read_journal().actions[-1].reason
