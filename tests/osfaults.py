"""Operating-system faults the tests cause for real, each the platform's own way.

- a folder the user cannot write to: POSIX mode 0o555; on Windows the folder's read-only flag is
  ignored (Microsoft: "Read-only and system attributes ... for folders"), so a deny entry for
  Everyone on "write data/add file" and "append data/add subdirectory" goes into its ACL (icacls),
  which is what a non-elevated user meets in Program Files;
- a hard kill: SIGKILL on POSIX; on Windows `os.kill` with any signal other than the two CTRL
  events calls TerminateProcess (Python's os.kill documentation), which is the same hard end;
- a process alive but silent: SIGSTOP on POSIX; on Windows ntdll's NtSuspendProcess, which
  suspends every thread of the process (the call Sysinternals' PsSuspend makes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

EVERYONE = "*S-1-1-0"  # well-known SID, the same in every language of Windows


@contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """`folder` refuses new files inside it while the block runs; skips when the user is not
    bound by permissions (root on POSIX)."""
    if sys.platform == "win32":
        deny = subprocess.run(["icacls", str(folder), "/deny", f"{EVERYONE}:(WD,AD)"],
                              capture_output=True, text=True, check=False)
        assert deny.returncode == 0, deny.stdout + deny.stderr
        try:
            yield
        finally:
            subprocess.run(["icacls", str(folder), "/remove:d", EVERYONE],
                           capture_output=True, check=True)
        return
    os.chmod(folder, 0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root ignores folder permissions)")
        yield
    finally:
        os.chmod(folder, 0o755)


def hard_kill(pid: int) -> None:
    os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # SIGTERM = TerminateProcess on Windows


def suspend(pid: int) -> None:
    if hasattr(signal, "SIGSTOP"):
        os.kill(pid, signal.SIGSTOP)
        return
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    ntdll = ctypes.WinDLL("ntdll")
    kernel32.OpenProcess.restype = ctypes.c_void_p
    handle = kernel32.OpenProcess(0x0800, False, pid)  # PROCESS_SUSPEND_RESUME
    assert handle, f"OpenProcess failed: {ctypes.get_last_error()}"
    try:
        assert ntdll.NtSuspendProcess(ctypes.c_void_p(handle)) == 0
    finally:
        kernel32.CloseHandle(ctypes.c_void_p(handle))
