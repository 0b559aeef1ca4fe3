"""Facts about the Windows machine a host runs on, for the host doctor.

- Is it a domain controller? (The seed: the PowerShell 5.1 libraries error shows up there.)
- Is the Entra Cloud Sync / provisioning agent installed on it? (The seed: its updates have swapped
  the host's certificate.)
- Does the service account (Network Service by default) have full control of each cache folder?
  (docs/host-facts.md §7: "Could not load file or assembly ... Access is denied")
- Where are the three PowerShell 5.1 resource DLLs under C:\\Windows\\WinSxS? (docs/host-facts.md §7)
- Which ECMA2Host version is installed?

Command lines and output parsing are unit-tested here; `WindowsMachine` runs them on a host and
`UnavailableMachine` answers "unknown, needs the Windows host" elsewhere.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from app.host.processes import (
    COMMAND_TIMEOUT,
    CommandError,
    CommandResult,
    Runner,
    powershell,
    ps_quote,
    run_command,
)
from app.host.service import parse_queryex, queryex_command

POWERSHELL_RESOURCE_DLLS = (
    "System.Management.Automation.resources.dll",
    "Microsoft.PowerShell.Security.resources.dll",
    "Microsoft.WSMan.Management.resources.dll",
)
CLOUD_SYNC_SERVICE = "AADConnectProvisioningAgent"  # Microsoft Entra provisioning agent
DEFAULT_WINSXS = Path(r"C:\Windows\WinSxS")
SERVICE_EXE = "Microsoft.ECMA2Host.Service.exe"
# Network Service as icacls prints it; icacls localises account names, so a few languages are known.
NETWORK_SERVICE_NAMES = (
    "NT AUTHORITY\\NETWORK SERVICE", "NETWORK SERVICE", "NT AUTHORITY\\NETWORKSERVICE",
    "NT-AUTORITÄT\\NETZWERKDIENST", "AUTORITE NT\\SERVICE RÉSEAU", "NT AUTHORITY\\SERVICIO DE RED",
    "*S-1-5-20",
)


# -- domain role ----------------------------------------------------------------------------------
def domain_role_command() -> list[str]:
    return powershell("(Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole")


def parse_domain_role(stdout: str) -> int | None:
    """Win32_ComputerSystem.DomainRole: 4 backup and 5 primary domain controller."""
    m = re.search(r"^\s*(\d)\s*$", stdout, re.M)
    return int(m.group(1)) if m else None


# -- ACLs ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AclEntry:
    account: str
    rights: tuple[str, ...]  # e.g. ("OI", "CI", "F") or ("I", "RX")

    @property
    def deny(self) -> bool:
        return "DENY" in self.rights

    @property
    def full_control(self) -> bool:
        return "F" in self.rights and not self.deny


def icacls_command(path: str) -> list[str]:
    return ["icacls", str(path)]


_ACE = re.compile(r"^(?P<account>.*?):(?P<rights>(?:\([^)]*\))+)\s*$")


def parse_icacls(stdout: str, path: str) -> list[AclEntry]:
    """`icacls PATH` output: the first line starts with the path, then one ACE per line."""
    entries = []
    for raw in stdout.splitlines():
        line = raw.rstrip()
        if not line.strip() or line.startswith("Successfully processed"):
            continue
        if line.lower().startswith(str(path).lower()):
            line = line[len(str(path)):]
        m = _ACE.match(line.strip())
        if m:
            rights = tuple(r for r in re.findall(r"\(([^)]*)\)", m.group("rights")))
            entries.append(AclEntry(m.group("account").strip(), rights))
    return entries


def account_names(service_account: str | None) -> tuple[str, ...]:
    """The names icacls may print for the service's account (Network Service when unknown)."""
    if not service_account or service_account.replace(" ", "").lower() in (
            "ntauthority\\networkservice", "networkservice"):
        return NETWORK_SERVICE_NAMES
    return (service_account,)


def has_full_control(entries: list[AclEntry], names: tuple[str, ...]) -> bool | None:
    """True/False; None when no entry names the account (a localised name we do not know)."""
    wanted = {n.casefold() for n in names}
    mine = [e for e in entries if e.account.casefold() in wanted]
    if any(e.deny for e in mine):
        return False
    if any(e.full_control for e in mine):
        return True
    return False if mine or _has_known_accounts(entries) else None


def _has_known_accounts(entries: list[AclEntry]) -> bool:
    # An English listing (BUILTIN\Administrators present) without Network Service: it is absent.
    return any(e.account.upper().startswith(("BUILTIN\\", "NT AUTHORITY\\")) for e in entries)


# -- WinSxS ------------------------------------------------------------------------------------------
def _version_key(folder_name: str) -> tuple[int, ...]:
    m = re.search(r"_(\d+(?:\.\d+){3})_", folder_name)
    return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)


def find_winsxs_resources(winsxs: Path, names: tuple[str, ...] = POWERSHELL_RESOURCE_DLLS,
                          language: str = "en-us") -> dict[str, Path]:
    """The newest copy of each resource DLL in WinSxS, preferring `language`.

    WinSxS holds one folder per component (`msil_system.management.automation.resources_
    31bf3856ad364e35_10.0.17763.1_en-us_<hash>`); only folders whose name starts with the DLL's
    name are opened, so the walk costs one directory listing, not a recursive scan.
    """
    try:
        folders = [e for e in os.scandir(winsxs) if e.is_dir()]
    except OSError:
        return {}
    found: dict[str, Path] = {}
    for name in names:
        prefix = name.lower().removesuffix(".dll")
        candidates = []
        for entry in folders:
            folder = entry.name.lower()
            component = folder.split("_", 1)[1] if "_" in folder else folder
            if not component.startswith(prefix + "_"):
                continue
            dll = Path(entry.path) / name
            if not dll.is_file():
                matches = [p for p in Path(entry.path).iterdir() if p.name.lower() == name.lower()]
                if not matches:
                    continue
                dll = matches[0]
            candidates.append(((f"_{language}_" in folder), _version_key(folder), dll))
        if candidates:
            found[name] = max(candidates, key=lambda c: (c[0], c[1]))[2]
    return found


# -- version ------------------------------------------------------------------------------------------
def version_command(exe: Path) -> list[str]:
    return powershell(f"(Get-Item -LiteralPath {ps_quote(str(exe))}).VersionInfo.FileVersion")


def parse_version(stdout: str) -> str | None:
    m = re.search(r"\d+(?:\.\d+){1,3}", stdout)
    return m.group(0) if m else None


EVENT_LOG = "ECMA2Host"  # created by Microsoft's wizard only when it runs elevated
POLICIES = ("Restricted", "AllSigned", "RemoteSigned", "Unrestricted", "Bypass", "Undefined", "Default")


def event_log_command(log: str = EVENT_LOG) -> list[str]:
    return ["wevtutil.exe", "gl", log]


def parse_event_log(result: CommandResult) -> bool | None:
    """wevtutil exits 0 for a registered log and with 15007 ("channel ... could not be found")
    for a missing one; anything else (access denied, ...) leaves it unknown."""
    if result.returncode == 0:
        return True
    text = f"{result.stdout}\n{result.stderr}"
    return False if result.returncode == 15007 or "15007" in text else None


def execution_policy_command() -> list[str]:
    return powershell("Get-ExecutionPolicy")  # the effective policy, all scopes applied


def parse_execution_policy(stdout: str) -> str | None:
    word = stdout.strip().split()[-1] if stdout.strip() else ""
    return next((p for p in POLICIES if p.lower() == word.lower()), None)


# -- the interface ------------------------------------------------------------------------------------
class Machine(ABC):
    """Each answer is None when it cannot be known here (then the doctor says why)."""

    @property
    @abstractmethod
    def unavailable_reason(self) -> str | None: ...

    @abstractmethod
    def is_domain_controller(self) -> bool | None: ...

    @abstractmethod
    def cloud_sync_agent_installed(self) -> bool | None: ...

    @abstractmethod
    def acl(self, folder: Path) -> list[AclEntry] | None: ...

    @abstractmethod
    def host_version(self, root: Path) -> str | None: ...

    @abstractmethod
    def winsxs_resources(self) -> dict[str, Path]: ...

    @abstractmethod
    def event_log_registered(self) -> bool | None: ...

    @abstractmethod
    def execution_policy(self) -> str | None: ...


class UnavailableMachine(Machine):
    def __init__(self, platform: str | None = None) -> None:
        self.platform = platform or sys.platform

    @property
    def unavailable_reason(self) -> str:
        return f"this check runs on the Windows connector host (this is {self.platform})"

    def is_domain_controller(self) -> None:
        return None

    def cloud_sync_agent_installed(self) -> None:
        return None

    def acl(self, folder: Path) -> None:
        return None

    def host_version(self, root: Path) -> None:
        return None

    def winsxs_resources(self) -> dict[str, Path]:
        return {}

    def event_log_registered(self) -> None:
        return None

    def execution_policy(self) -> None:
        return None


class WindowsMachine(Machine):
    def __init__(self, run: Runner = run_command, winsxs: Path = DEFAULT_WINSXS) -> None:
        self._run, self._winsxs = run, winsxs

    @property
    def unavailable_reason(self) -> None:
        return None

    def _stdout(self, argv: list[str]) -> str | None:
        try:
            return self._run(argv, COMMAND_TIMEOUT).stdout
        except CommandError:
            return None

    def is_domain_controller(self) -> bool | None:
        out = self._stdout(domain_role_command())
        role = parse_domain_role(out) if out is not None else None
        return None if role is None else role in (4, 5)

    def cloud_sync_agent_installed(self) -> bool | None:
        try:
            result = self._run(queryex_command(CLOUD_SYNC_SERVICE), COMMAND_TIMEOUT)
        except CommandError:
            return None
        if parse_queryex(result.stdout) is not None:
            return True
        return False if result.returncode == 1060 else None  # sc.exe's exit code: the Win32 error

    def acl(self, folder: Path) -> list[AclEntry] | None:
        try:
            result = self._run(icacls_command(str(folder)), COMMAND_TIMEOUT)
        except CommandError:
            return None
        # icacls exits non-zero when it could not read the folder (2 not found, 5 access denied):
        # its (translated) message is no listing, and "no entries" would read as "no access"
        return None if result.returncode != 0 else parse_icacls(result.stdout, str(folder))

    def host_version(self, root: Path) -> str | None:
        out = self._stdout(version_command(root / "Service" / SERVICE_EXE))
        return parse_version(out) if out else None

    def winsxs_resources(self) -> dict[str, Path]:
        return find_winsxs_resources(self._winsxs)

    def event_log_registered(self) -> bool | None:
        try:
            return parse_event_log(self._run(event_log_command(), COMMAND_TIMEOUT))
        except CommandError:
            return None

    def execution_policy(self) -> str | None:
        out = self._stdout(execution_policy_command())
        return parse_execution_policy(out) if out else None


def default_machine(platform: str | None = None) -> Machine:
    platform = platform or sys.platform
    return WindowsMachine() if platform == "win32" else UnavailableMachine(platform)


def local_host_names() -> tuple[str, str]:
    """(short name, FQDN) of this machine, as Entra's Tenant URL would use them (docs/host-facts.md §4)."""
    short = socket.gethostname().split(".")[0]
    fqdn = socket.getfqdn()
    return short, fqdn if fqdn and fqdn != "localhost" else short
