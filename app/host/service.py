"""The Microsoft ECMA2Host Windows service: status, start, stop, restart (docs/host-facts.md §1, §10).

The service's short name is not published [open], so it is looked up by its display name
(PowerShell `Get-Service -DisplayName`, falling back to `sc.exe query state= all`), then driven
with `sc.exe queryex|start|stop NAME`. The command lines and the parsing of `sc.exe`'s output are
unit-tested on any machine; `WindowsServiceControl` runs them on a host. Elsewhere
`UnavailableServiceControl` says plainly that this needs the Windows host.

The seed: restarting the service runs a full import, so "restart now to import" is offered after
a save.
"""

from __future__ import annotations

import enum
import re
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app import journal, liveness
from app.host.location import local_only_sentence, other_machine
from app.host.processes import (
    COMMAND_TIMEOUT,
    CommandError,
    CommandResult,
    Runner,
    powershell,
    ps_quote,
    run_command,
)

DISPLAY_NAME = "Microsoft ECMA2Host"
WAIT_SECONDS = 90.0  # a service with several connectors can take a while to stop
EXIT_WAIT_SECONDS = 30.0  # after STOPPED, for its process to exit and close its files


class ServiceError(CommandError):
    """A service command failed; the sentence says why and what to do."""


class ServiceState(enum.Enum):
    STOPPED = 1
    START_PENDING = 2
    STOP_PENDING = 3
    RUNNING = 4
    CONTINUE_PENDING = 5
    PAUSE_PENDING = 6
    PAUSED = 7
    NOT_INSTALLED = 0
    UNKNOWN = -1

    @property
    def label(self) -> str:
        return {0: "not installed", -1: "unknown"}.get(self.value, self.name.replace("_", " ").lower())


@dataclass(frozen=True)
class ServiceStatus:
    name: str | None
    display_name: str
    state: ServiceState
    pid: int | None = None
    account: str | None = None

    @property
    def running(self) -> bool:
        return self.state is ServiceState.RUNNING

    def sentence(self) -> str:
        if self.state is ServiceState.NOT_INSTALLED:
            return f"The {self.display_name} service is not installed on this machine."
        pid = f", process {self.pid}" if self.pid else ""
        return f"The {self.display_name} service ({self.name}) is {self.state.label}{pid}."


# -- command lines ------------------------------------------------------------------------------
def lookup_command(display_name: str = DISPLAY_NAME) -> list[str]:
    return powershell(f"Get-Service -DisplayName {ps_quote(display_name)} -ErrorAction "
                      "SilentlyContinue | Select-Object -ExpandProperty Name")


def query_all_command() -> list[str]:
    return ["sc.exe", "query", "state=", "all"]


def queryex_command(name: str) -> list[str]:
    return ["sc.exe", "queryex", _checked_name(name)]


def qc_command(name: str) -> list[str]:
    return ["sc.exe", "qc", _checked_name(name)]


def start_command(name: str) -> list[str]:
    return ["sc.exe", "start", _checked_name(name)]


def stop_command(name: str) -> list[str]:
    return ["sc.exe", "stop", _checked_name(name)]


def _checked_name(name: str) -> str:
    # Service key names cannot hold slashes; refusing odd text keeps argv free of surprises.
    if not name or any(c in name for c in "/\\\r\n\"") or len(name) > 256:
        raise ServiceError(f"'{name}' is not a Windows service name.")
    return name


# -- parsing ------------------------------------------------------------------------------------
_FIELD = re.compile(r"^\s*([A-Z_0-9]+)\s*:\s*(.*?)\s*$")
_FAILED = re.compile(r"FAILED\s+(\d+)\s*:\s*(.*)", re.S)


_STATE_VALUE = re.compile(r"^(\d)\s+(STOPPED|START_PENDING|STOP_PENDING|RUNNING|CONTINUE_PENDING|"
                          r"PAUSE_PENDING|PAUSED)\b")


def parse_queryex(stdout: str, display_name: str = DISPLAY_NAME) -> ServiceStatus | None:
    """`sc.exe queryex NAME` (or `query`): name, state, PID.

    Field labels are translated on some Windows languages (STATE is STATUS in German) but the
    state words are not, so the state is found by its value ("4  RUNNING"), not by its label.
    """
    fields: dict[str, str] = {}
    state = None
    for line in stdout.splitlines():
        m = _FIELD.match(line)
        if not m:
            continue
        fields.setdefault(m.group(1), m.group(2))
        value = _STATE_VALUE.match(m.group(2))
        if value and state is None:
            state = ServiceState(int(value.group(1)))
    if "SERVICE_NAME" not in fields or state is None:
        return None
    shown = next((v for k, v in fields.items() if k != "SERVICE_NAME" and k.endswith("NAME")), display_name)
    pid = fields.get("PID", "")
    return ServiceStatus(fields["SERVICE_NAME"], shown, state,
                         int(pid) if pid.isdigit() and int(pid) > 0 else None)


def parse_query_all(stdout: str) -> list[ServiceStatus]:
    """Every block of `sc.exe query state= all` (each starts with SERVICE_NAME)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in stdout.splitlines():
        if line.startswith("SERVICE_NAME") and current:
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    found = []
    for block in blocks:
        status = parse_queryex("\n".join(block), display_name="")
        if status is not None:
            found.append(status)
    return found


def find_by_display_name(services: list[ServiceStatus], display_name: str = DISPLAY_NAME) -> ServiceStatus | None:
    wanted = display_name.casefold()
    return next((s for s in services if s.display_name.casefold() == wanted), None)


def parse_lookup(stdout: str) -> str | None:
    names = [line.strip() for line in stdout.splitlines() if line.strip()]
    return names[0] if names else None


def parse_qc_account(stdout: str) -> str | None:
    """SERVICE_START_NAME of `sc.exe qc NAME` (e.g. `NT AUTHORITY\\NetworkService`)."""
    for line in stdout.splitlines():
        m = _FIELD.match(line)
        if m and m.group(1) == "SERVICE_START_NAME":
            return m.group(2) or None
    return None


def parse_failure(stdout: str, stderr: str = "") -> tuple[int, str] | None:
    """(code, Windows' message) of an English `[SC] ... FAILED 5:` answer, else None. Only for
    captured text without its exit code (a report's raw file); a live run uses `exit_failure`."""
    m = _FAILED.search(stdout + "\n" + stderr)
    if not m:
        return None
    message = " ".join(m.group(2).split())
    return int(m.group(1)), message


def exit_failure(result: CommandResult) -> tuple[int, str] | None:
    """(Win32 error, Windows' message) of a failed sc.exe run, in any display language, else None.

    sc.exe exits with the Win32 error code of the call that failed (5 access denied, 1060 not
    installed, 1056 already running, 1062 not started), the same on every language of Windows;
    the words around it are translated ("FAILED" is "FEHLER" in German). So the code decides and
    Windows' own message, whatever its language, is only shown: the text after "<code>:".
    """
    if result.returncode == 0:
        return None
    code = result.returncode
    text = f"{result.stdout}\n{result.stderr}"
    m = re.search(rf"(?<!\d){code}\s*:(.*)", text, re.S)
    message = " ".join((m.group(1) if m else text).split()).rstrip(".")
    return code, message + "." if message else f"sc.exe ended with exit code {code}."


_ADVICE = {
    5: "run the wizard (or this command) as administrator: controlling a service needs elevation",
    1053: "the service did not answer in time; look at the ECMA2Host event log for the reason",
    1058: "the service is disabled; set its start type to Automatic in services.msc",
    1060: "the service is not installed; reinstall the ECMA Connector Host",
    1069: "the service account's logon failed; check the account and its password in services.msc",
}


def failure_sentence(what: str, code: int, message: str) -> str:
    advice = _ADVICE.get(code)
    return f"{what} failed: {message} (error {code})" + (f"; {advice}." if advice else ".")


# -- the interface --------------------------------------------------------------------------------
Progress = Callable[[ServiceStatus], None]


class ServiceControl(ABC):
    """Status and control of the Microsoft ECMA2Host service."""

    display_name = DISPLAY_NAME

    @abstractmethod
    def available(self) -> bool: ...

    @property
    @abstractmethod
    def unavailable_reason(self) -> str | None: ...

    @abstractmethod
    def status(self) -> ServiceStatus: ...

    @abstractmethod
    def start(self, progress: Progress | None = None) -> ServiceStatus: ...

    @abstractmethod
    def stop(self, progress: Progress | None = None) -> ServiceStatus: ...

    def restart(self, progress: Progress | None = None) -> ServiceStatus:
        """Stop (if running), then start: the usual way to trigger a full import."""
        if self.status().state not in (ServiceState.STOPPED,):
            self.stop(progress)
        return self.start(progress)

    def restart_sentence(self) -> str:
        """For the "restart now" offers (certificate dialog, after a save): raises ServiceError."""
        return self.restart().sentence() + " A restart runs a full import of every connector."


class UnavailableServiceControl(ServiceControl):
    def __init__(self, platform: str | None = None, *, reason: str | None = None) -> None:
        self.platform = platform or sys.platform
        self.reason = reason

    def available(self) -> bool:
        return False

    @property
    def unavailable_reason(self) -> str:
        return self.reason or (f"The {DISPLAY_NAME} service runs only on the Windows connector host; "
                               f"service commands need that host (this is {self.platform}).")

    def status(self) -> ServiceStatus:
        raise ServiceError(self.unavailable_reason)

    def start(self, progress: Progress | None = None) -> ServiceStatus:
        raise ServiceError(self.unavailable_reason)

    def stop(self, progress: Progress | None = None) -> ServiceStatus:
        raise ServiceError(self.unavailable_reason)

    def restart(self, progress: Progress | None = None) -> ServiceStatus:
        raise ServiceError(self.unavailable_reason)


class WindowsServiceControl(ServiceControl):
    def __init__(self, run: Runner = run_command, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, wait_seconds: float = WAIT_SECONDS,
                 probe: liveness.Probe | None = None) -> None:
        self._run, self._sleep, self._clock, self._wait = run, sleep, clock, wait_seconds
        self._probe = probe or liveness.probe
        self._name: str | None = None

    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> None:
        return None

    def service_name(self) -> str | None:
        """The short name behind the display name; None when the service is not installed."""
        if self._name:
            return self._name
        try:
            self._name = parse_lookup(self._run(lookup_command(self.display_name), COMMAND_TIMEOUT).stdout)
        except CommandError:
            self._name = None  # no PowerShell: sc.exe alone can answer
        if not self._name:
            listing = self._run(query_all_command(), COMMAND_TIMEOUT)
            found = find_by_display_name(parse_query_all(listing.stdout), self.display_name)
            self._name = found.name if found else None
        return self._name

    def status(self) -> ServiceStatus:
        name = self.service_name()
        if not name:
            return ServiceStatus(None, self.display_name, ServiceState.NOT_INSTALLED)
        result = self._run(queryex_command(name), COMMAND_TIMEOUT)
        parsed = parse_queryex(result.stdout, self.display_name)
        if parsed is None:
            failure = exit_failure(result)
            if failure and failure[0] == 1060:
                return ServiceStatus(name, self.display_name, ServiceState.NOT_INSTALLED)
            if failure:
                raise ServiceError(failure_sentence("Reading the service state", *failure))
            raise ServiceError(f"sc.exe queryex {name} printed nothing readable (exit {result.returncode}).")
        account = parse_qc_account(self._run(qc_command(name), COMMAND_TIMEOUT).stdout)
        return ServiceStatus(parsed.name, self.display_name, parsed.state, parsed.pid, account)

    def _control(self, verb: str, argv_of: Callable[[str], list[str]], target: ServiceState,
                 done_already: int, progress: Progress | None) -> ServiceStatus:
        current = self.status()
        if current.state is ServiceState.NOT_INSTALLED:
            raise ServiceError(current.sentence() + " Install the ECMA Connector Host first.")
        if current.state is target:
            return current
        assert current.name is not None  # an installed service has a name
        with journal.action(f"{verb} service", self.display_name, service=current.name,
                            was=current.state.label):
            result = self._run(argv_of(current.name), COMMAND_TIMEOUT)
            failure = exit_failure(result)
            if failure and failure[0] != done_already:
                raise ServiceError(failure_sentence(f"{verb.capitalize()} {self.display_name}", *failure))
            reached = self._wait_for(target, verb, progress)
            if target is ServiceState.STOPPED and current.pid:
                self._wait_for_exit(current.pid)
            return reached

    def _wait_for_exit(self, pid: int) -> None:
        """STOPPED is reported before the service's process has exited and let go of its files
        (the connector DLLs, Configuration.xml): a copy made at once could still find them open."""
        deadline = self._clock() + EXIT_WAIT_SECONDS
        while self._probe(pid).running is True:  # None (cannot tell): do not wait for nothing
            if self._clock() >= deadline:
                raise ServiceError(f"The {self.display_name} service reports stopped, but its process "
                                   f"{pid} has not exited after {EXIT_WAIT_SECONDS:g} seconds; end it in "
                                   "Task Manager or wait, then try again.")
            self._sleep(0.25)

    def _wait_for(self, target: ServiceState, verb: str, progress: Progress | None) -> ServiceStatus:
        deadline = self._clock() + self._wait
        while True:
            status = self.status()
            if progress:
                progress(status)
            if status.state is target:
                return status
            if self._clock() >= deadline:
                raise ServiceError(f"The {self.display_name} service did not {verb} within "
                                   f"{self._wait:g} seconds (it is {status.state.label}); look at the "
                                   "ECMA2Host event log for the reason.")
            self._sleep(1.0)

    def start(self, progress: Progress | None = None) -> ServiceStatus:
        return self._control("start", start_command, ServiceState.RUNNING, 1056, progress)

    def stop(self, progress: Progress | None = None) -> ServiceStatus:
        return self._control("stop", stop_command, ServiceState.STOPPED, 1062, progress)


def default_service_control(platform: str | None = None, host_root: Path | None = None) -> ServiceControl:
    """This machine's service control; refusing (one sentence) when the open host folder
    `host_root` is on another machine: sc.exe would answer for this one (location.py)."""
    platform = platform or sys.platform
    if host_root is not None:
        machine = other_machine(host_root, platform=platform)
        if machine is not None:
            return UnavailableServiceControl(platform, reason=local_only_sentence(host_root, machine))
    return WindowsServiceControl() if platform == "win32" else UnavailableServiceControl(platform)
