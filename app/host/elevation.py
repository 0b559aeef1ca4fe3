"""Does this process run elevated, does the open host need it, and starting again elevated.

The program asks for no elevation (asInvoker: right on a jump host and for reading), but under
User Account Control a non-elevated process cannot write under Program Files, where ECMA2Host
lives (Microsoft: "How User Account Control works"); without this check the user would learn it
only when a save is refused. Elevation is read from the process token (GetTokenInformation with
TokenElevation; Microsoft: "TOKEN_ELEVATION structure"): membership of Administrators alone says
nothing under UAC. Starting again elevated is ShellExecuteW with the "runas" verb, which shows
the UAC prompt (Microsoft: "ShellExecuteW function": a return value above 32 means success).

The Win32 calls sit behind small callables so tests drive the Windows branch through fakes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path, PureWindowsPath

TOKEN_QUERY = 0x0008
TOKEN_ELEVATION = 20  # TOKEN_INFORMATION_CLASS.TokenElevation
SW_SHOWNORMAL = 1
SE_ERR_ACCESSDENIED = 5  # ShellExecute's answer when the user says No at the UAC prompt

# ShellExecuteW(verb, file, parameters, directory) -> its HINSTANCE as an int
ShellExecute = Callable[[str, str, str, str], int]


def token_elevated() -> bool | None:
    """TokenIsElevated of this process's token (Windows); None when it cannot be read."""
    import ctypes
    from ctypes import wintypes

    windll = getattr(ctypes, "windll")  # noqa: B009 (Windows-only name; mypy on Linux does not know it)
    token = wintypes.HANDLE()
    if not windll.advapi32.OpenProcessToken(windll.kernel32.GetCurrentProcess(), TOKEN_QUERY,
                                            ctypes.byref(token)):
        return None
    try:
        elevation, size = wintypes.DWORD(), wintypes.DWORD()
        if not windll.advapi32.GetTokenInformation(token, TOKEN_ELEVATION, ctypes.byref(elevation),
                                                   ctypes.sizeof(elevation), ctypes.byref(size)):
            return None
        return bool(elevation.value)
    finally:
        windll.kernel32.CloseHandle(token)


def is_elevated(platform: str | None = None, token: Callable[[], bool | None] | None = None) -> bool | None:
    """True/False on Windows (None when unknown); None elsewhere (no UAC to ask about)."""
    if (platform or sys.platform) != "win32":
        return None
    return (token or token_elevated)()


def program_files(env: Mapping[str, str] | None = None) -> list[PureWindowsPath]:
    """Both Program Files folders, as Windows names them in the environment."""
    env = os.environ if env is None else env
    names = ("ProgramW6432", "ProgramFiles", "ProgramFiles(x86)")
    found = [PureWindowsPath(env[n]) for n in names if env.get(n)]
    return list(dict.fromkeys(found)) or [PureWindowsPath(r"C:\Program Files")]


def under_program_files(root: str | Path, env: Mapping[str, str] | None = None) -> bool:
    path = PureWindowsPath(str(root))
    for folder in program_files(env):
        parts, top = [p.casefold() for p in path.parts], [p.casefold() for p in folder.parts]
        if parts[:len(top)] == top:
            return True
    return False


def needs_elevation(root: str | Path | None, *, platform: str | None = None,
                    elevated: bool | None = None, env: Mapping[str, str] | None = None) -> bool:
    """The host lives under Program Files and this process is known not to be elevated."""
    platform = platform or sys.platform
    if root is None or platform != "win32":
        return False
    if elevated is None:
        elevated = is_elevated(platform)
    return elevated is False and under_program_files(root, env)


BANNER = ("This host lives under Program Files: changes to it can be saved only when the wizard "
          "runs as administrator.")


def shell_execute(verb: str, file: str, parameters: str, directory: str) -> int:
    import ctypes

    shell32 = getattr(ctypes, "windll").shell32  # noqa: B009 (Windows-only name)
    shell32.ShellExecuteW.restype = ctypes.c_void_p
    return int(shell32.ShellExecuteW(None, verb, file, parameters, directory, SW_SHOWNORMAL) or 0)


def relaunch_command(host_root: str | Path, frozen: bool | None = None,
                     executable: str | None = None) -> tuple[str, list[str]]:
    """(program, arguments) that open this same host folder again."""
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    program = executable or sys.executable
    base = [] if frozen else ["-m", "app"]
    return program, [*base, "gui", "--host-dir", str(host_root)]


def restart_elevated(host_root: str | Path, *, launch: ShellExecute | None = None,
                     frozen: bool | None = None, executable: str | None = None) -> str | None:
    """Start this program again elevated on the same host (the UAC prompt); None when it
    started (the caller then closes this window), else one sentence saying why not."""
    import subprocess  # on use: the main window imports this module, and subprocess cost it ~7 ms

    program, args = relaunch_command(host_root, frozen, executable)
    result = (launch or shell_execute)("runas", program, subprocess.list2cmdline(args), os.getcwd())
    if result > 32:
        return None
    if result == SE_ERR_ACCESSDENIED:
        return "Windows did not start the wizard as administrator (the prompt was declined)."
    return f"Windows could not start the wizard as administrator (ShellExecute answered {result})."
