"""Is a process still running, and is it the same process that was running before?

The edit lock (filestore.py) records its owner's process id and start time; a later editor takes
the lock over only when that process is gone, or when the id now belongs to a different process
(Windows and Linux both reuse ids). Each platform is asked its own way:

- Windows: `OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION)`; error 87
  (ERROR_INVALID_PARAMETER) means no such process. An exited process whose handle someone still
  holds opens fine, so `WaitForSingleObject(h, 0)` (signalled = exited) or, without SYNCHRONIZE,
  `GetExitCodeProcess` (259 STILL_ACTIVE = running) decides. `GetProcessTimes` gives the start time.
  Never `os.kill(pid, 0)`: on Windows signal 0 is CTRL_C_EVENT (Python's os.kill documentation),
  which interrupts a live process in the same console and raises WinError 87 for a dead one.
- Linux: `kill(pid, 0)` and field 22 of /proc/PID/stat (start time in clock ticks since boot),
  with the boot id so a reboot cannot make two start times equal (proc(5)).
- Other POSIX (macOS, BSD): `kill(pid, 0)` and `ps -o lstart= -p PID`.

The Windows calls sit behind `WindowsKernel` so tests drive that branch through a fake.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# Win32 constants (Microsoft: Process Security and Access Rights; System Error Codes;
# WaitForSingleObject; GetExitCodeProcess)
SYNCHRONIZE = 0x00100000
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_PARAMETER = 87
WAIT_OBJECT_0 = 0
WAIT_TIMEOUT = 0x102
STILL_ACTIVE = 259


@dataclass(frozen=True)
class ProcessState:
    """`running`: True, False, or None when the system would not say (then nothing is taken
    over). `started`: an opaque start-time token to compare, or None when unknown."""

    running: bool | None
    started: str | None = None


GONE = ProcessState(False)
UNKNOWN = ProcessState(None)

Probe = Callable[[int], ProcessState]


# -- Windows -------------------------------------------------------------------------------------
class WindowsKernel(Protocol):
    """The four kernel32 calls the Windows probe needs (a fake in tests, ctypes on Windows)."""

    def open_process(self, access: int, pid: int) -> int | None:
        """A handle, or None with `last_error()` set."""

    def last_error(self) -> int: ...

    def wait(self, handle: int, milliseconds: int) -> int: ...

    def exit_code(self, handle: int) -> int | None: ...

    def creation_time(self, handle: int) -> int | None:
        """GetProcessTimes' creation FILETIME (100 ns since 1601), or None when it failed."""

    def close(self, handle: int) -> None: ...


class Kernel32:
    """The real calls, through ctypes (Windows only)."""

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self._ctypes = ctypes
        k = getattr(ctypes, "WinDLL")("kernel32", use_last_error=True)  # noqa: B009 (Windows-only name; mypy on Linux does not know it)
        k.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
        k.OpenProcess.restype = wintypes.HANDLE
        k.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]
        k.WaitForSingleObject.restype = wintypes.DWORD
        k.GetExitCodeProcess.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
        k.GetExitCodeProcess.restype = wintypes.BOOL
        k.GetProcessTimes.argtypes = [wintypes.HANDLE] + [ctypes.POINTER(ctypes.c_ulonglong)] * 4
        k.GetProcessTimes.restype = wintypes.BOOL
        k.CloseHandle.argtypes = [wintypes.HANDLE]
        k.CloseHandle.restype = wintypes.BOOL
        self._k = k
        self._dword = wintypes.DWORD

    def open_process(self, access: int, pid: int) -> int | None:
        return self._k.OpenProcess(access, False, pid) or None

    def last_error(self) -> int:
        return int(getattr(self._ctypes, "get_last_error")())  # noqa: B009 (Windows-only name; mypy on Linux does not know it)

    def wait(self, handle: int, milliseconds: int) -> int:
        return int(self._k.WaitForSingleObject(handle, milliseconds))

    def exit_code(self, handle: int) -> int | None:
        code = self._dword()
        return int(code.value) if self._k.GetExitCodeProcess(handle, self._ctypes.byref(code)) else None

    def creation_time(self, handle: int) -> int | None:
        times = [self._ctypes.c_ulonglong() for _ in range(4)]
        ok = self._k.GetProcessTimes(handle, *(self._ctypes.byref(t) for t in times))
        return int(times[0].value) if ok else None

    def close(self, handle: int) -> None:
        self._k.CloseHandle(handle)


def probe_windows(pid: int, kernel: WindowsKernel) -> ProcessState:
    handle = kernel.open_process(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, pid)
    can_wait = True
    if handle is None and kernel.last_error() == ERROR_ACCESS_DENIED:
        # a process of another user may grant query but not SYNCHRONIZE: ask with less
        handle, can_wait = kernel.open_process(PROCESS_QUERY_LIMITED_INFORMATION, pid), False
    if handle is None:
        error = kernel.last_error()
        if error == ERROR_INVALID_PARAMETER:
            return GONE
        # access denied even for a query: a protected process that surely exists
        return ProcessState(True) if error == ERROR_ACCESS_DENIED else UNKNOWN
    try:
        if can_wait:
            signalled = kernel.wait(handle, 0)
            running: bool | None = (False if signalled == WAIT_OBJECT_0
                                    else True if signalled == WAIT_TIMEOUT else None)
        else:
            code = kernel.exit_code(handle)
            running = None if code is None else code == STILL_ACTIVE
        if running is False:
            return GONE
        created = kernel.creation_time(handle)
        return ProcessState(running, None if created is None else f"win:{created}")
    finally:
        kernel.close(handle)


# -- POSIX ---------------------------------------------------------------------------------------
def _kill_zero(pid: int) -> bool | None:
    try:
        os.kill(pid, 0)  # POSIX only: signal 0 checks existence and permission, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    except OSError:
        return None
    return True


def linux_start(pid: int, proc: Path = Path("/proc")) -> str | None:
    """Boot id and start time (clock ticks since boot) of a process; None when it is gone or a
    zombie (a zombie has exited: only its parent has not reaped it yet)."""
    try:
        stat = (proc / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces or ")": split after the last
    fields = stat[stat.rfind(")") + 2:].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    try:
        boot = (proc / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        boot = ""
    return f"linux:{boot}:{fields[19]}"  # field 22 overall = index 19 after state (field 3)


def probe_linux(pid: int, proc: Path = Path("/proc")) -> ProcessState:
    alive = _kill_zero(pid)
    if alive is not True:
        return ProcessState(alive)
    started = linux_start(pid, proc)
    if started is None and (proc / "self").exists():
        return GONE  # gone since the kill, or a zombie
    return ProcessState(True, started)


def probe_posix(pid: int) -> ProcessState:
    alive = _kill_zero(pid)
    if alive is not True:
        return ProcessState(alive)
    import subprocess  # here: only macOS and the BSDs ask ps; importing it cost the first window ~7 ms

    try:
        out = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)], capture_output=True,
                             text=True, timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return ProcessState(True, f"ps:{out}" if out else None)


_kernel: WindowsKernel | None = None


def probe(pid: int) -> ProcessState:
    """This machine's answer for `pid`."""
    global _kernel
    if pid <= 0:
        return GONE
    if sys.platform == "win32":
        if _kernel is None:
            _kernel = Kernel32()
        return probe_windows(pid, _kernel)
    if sys.platform.startswith("linux"):
        return probe_linux(pid)
    return probe_posix(pid)
