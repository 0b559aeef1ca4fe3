"""Is a host folder on this machine, or on another one reached over the network?

Service control (sc.exe), the certificate store and the local endpoint all answer for the machine
the wizard runs on. With `\\\\server\\c$\\Program Files\\Microsoft ECMA2Host` open on a jump host
they would describe the jump host: "not installed", the jump host's certificates, a "service was
not running" before copying into a running host's folder. Until remote management exists, those
actions refuse a host folder on another machine in one sentence (`LOCAL_ONLY`).

Another machine means: a UNC path whose server is not this machine (its name, its FQDN,
localhost or a loopback address), or, on Windows, a drive letter mapped to a share
(GetDriveTypeW answers DRIVE_REMOTE, 4; Microsoft: "GetDriveTypeW function").
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path, PureWindowsPath

DRIVE_REMOTE = 4
LOOPBACK = {"localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "."}

DriveType = Callable[[str], int]


def windows_drive_type(root: str) -> int:
    """GetDriveTypeW of a drive root such as `Z:\\` (Windows only)."""
    import ctypes

    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (Windows-only name; mypy on Linux does not know it)
    return int(kernel32.GetDriveTypeW(root))


def _server_of(text: str) -> str | None:
    """The server of a UNC path (`\\\\server\\share`, `\\\\?\\UNC\\server\\share`, `//server/share`)."""
    text = text.replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        text = "\\\\" + text[8:]
    elif text.startswith("\\\\?\\") or text.startswith("\\\\.\\"):
        return None  # a local device path (\\?\C:\...)
    if not text.startswith("\\\\"):
        return None
    server = text[2:].split("\\", 1)[0]
    return server or None


def other_machine(path: str | Path, local_names: Iterable[str] | None = None,
                  drive_type: DriveType | None = None, platform: str | None = None) -> str | None:
    """The other machine's name when `path` lies there ("a network drive" for a mapped drive
    letter), else None. `local_names`: this machine's names (default: short name and FQDN)."""
    platform = platform or sys.platform
    text = str(path)
    server = _server_of(text)
    if server is not None:
        if local_names is None:
            from app.host.machine import local_host_names

            local_names = local_host_names()
        mine = {n.casefold() for n in local_names if n} | LOOPBACK
        # this machine's own IP addresses are not looked up: such a path counts as another
        # machine, which refuses a local action rather than describe the wrong machine
        return None if server.casefold() in mine else server
    if platform == "win32":
        drive = PureWindowsPath(text).drive
        if len(drive) == 2 and drive[1] == ":":
            kind = (drive_type or windows_drive_type)(drive + "\\")
            if kind == DRIVE_REMOTE:
                return f"the network drive {drive}"
    return None


def local_only_sentence(host_root: str | Path, machine: str) -> str:
    """Why service and certificate actions refuse a host folder on `machine`."""
    return (f"The host folder {host_root} is on {machine}, not on this computer; service and "
            "certificate actions work on the local host only, so run the wizard on that host for them.")
