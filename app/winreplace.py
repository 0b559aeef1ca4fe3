"""Replacing a file on Windows the way Windows means it: ReplaceFileW, retried while another
program briefly holds the file.

`os.replace` (MoveFileExW) gives the new file the folder's inherited permissions: an explicit ACL
on Configuration.xml (it holds secrets) would be lost, and so would its attributes. ReplaceFileW
keeps the replaced file's ACL, attributes, creation time and streams (Microsoft: "ReplaceFileW
function"). Defender scanning the new file, the service or Microsoft's wizard reading the old one
make it fail with ERROR_ACCESS_DENIED (5) or ERROR_SHARING_VIOLATION (32) for a moment, so it is
retried briefly before the save is refused.

With a backup name given, ReplaceFileW's documented failures are all recoverable:
1175 (ERROR_UNABLE_TO_REMOVE_REPLACED) and 1176 (ERROR_UNABLE_TO_MOVE_REPLACEMENT) leave both
files under their own names; 1177 (ERROR_UNABLE_TO_MOVE_REPLACEMENT_2) leaves the old file under
the backup name, which is moved back. The backup (the old file itself, with its own ACL) is
deleted after a success; we keep our own copy in the backups folder anyway.

The Win32 call sits behind `ReplaceCall` so tests drive this through a fake.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from pathlib import Path

ERROR_ACCESS_DENIED = 5
ERROR_SHARING_VIOLATION = 32
ERROR_LOCK_VIOLATION = 33
ERROR_UNABLE_TO_REMOVE_REPLACED = 1175
ERROR_UNABLE_TO_MOVE_REPLACEMENT = 1176
ERROR_UNABLE_TO_MOVE_REPLACEMENT_2 = 1177
REPLACEFILE_IGNORE_MERGE_ERRORS = 0x2  # an ACL that cannot be merged must not fail the save

BUSY = {ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION,
        ERROR_UNABLE_TO_REMOVE_REPLACED, ERROR_UNABLE_TO_MOVE_REPLACEMENT}
DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)  # 1.55 s in all: a scan or a read, not a program holding it

# ReplaceFileW(replaced, replacement, backup) -> 0 on success, else the Win32 error code
ReplaceCall = Callable[[str, str, str], int]


def kernel32_replace(replaced: str, replacement: str, backup: str) -> int:
    import ctypes
    from ctypes import wintypes

    kernel32 = getattr(ctypes, "WinDLL")("kernel32", use_last_error=True)  # noqa: B009 (Windows-only name)
    call = kernel32.ReplaceFileW
    call.argtypes = [wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD,
                     wintypes.LPVOID, wintypes.LPVOID]
    call.restype = wintypes.BOOL
    if call(replaced, replacement, backup, REPLACEFILE_IGNORE_MERGE_ERRORS, None, None):
        return 0
    return int(getattr(ctypes, "get_last_error")())  # noqa: B009 (Windows-only name)


def _error(code: int, path: Path) -> OSError:
    """As Python raises a WinError: errno EACCES for the access and sharing errors, `winerror`
    set (filestore.why() turns it into the sentence)."""
    exc = OSError(errno.EACCES if code in BUSY else errno.EINVAL,
                  f"ReplaceFileW failed with Windows error {code}", str(path))
    exc.winerror = code  # type: ignore[attr-defined]  # set by Python itself on Windows
    return exc


def replace(replacement: Path, replaced: Path, *, call: ReplaceCall | None = None,
            sleep: Callable[[float], None] | None = None) -> None:
    """Put `replacement` in the place of `replaced`, keeping the latter's ACL and attributes;
    raises OSError (with `winerror`) when it cannot, leaving `replaced` as it was."""
    if not replaced.exists():
        os.replace(replacement, replaced)  # nothing to keep: a plain rename
        return
    call, sleep = call or kernel32_replace, sleep or time.sleep
    backup = replaced.with_name(f".{replaced.name}.{os.getpid()}.{os.urandom(4).hex()}.old")
    code = 0
    for delay in (*DELAYS, None):
        code = call(str(replaced), str(replacement), str(backup))
        if code == 0:
            try:
                backup.unlink(missing_ok=True)
            except OSError:
                pass  # the old file under a hidden name, with its own ACL: harmless
            return
        if code == ERROR_UNABLE_TO_MOVE_REPLACEMENT_2:
            os.replace(backup, replaced)  # the old file goes back under its name
            raise _error(code, replaced)
        if code not in BUSY or delay is None:
            break
        sleep(delay)
    raise _error(code, replaced)
