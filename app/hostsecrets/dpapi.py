"""Windows DPAPI (CryptProtectData / CryptUnprotectData) in the machine's scope, behind one small
interface: the Windows implementation (pywin32's win32crypt) and one that says why it is
unavailable. The tests' machine-bound stand-in is tests/hostsecrets/fake_dpapi.py.

Use it like this::

    dpapi = default_dpapi()
    if dpapi.available:
        blob = dpapi.protect(b"...")          # DpapiRefused when Windows says no
        dpapi.unprotect(blob)                 # the bytes back, on this machine only
    else:
        dpapi.reason                          # one sentence: why not

The flags are those of .NET's ProtectedData with DataProtectionScope.LocalMachine (the scope the
host is reported to use, docs/host-secrets.md): CRYPTPROTECT_LOCAL_MACHINE | CRYPTPROTECT_UI_FORBIDDEN,
no entropy. Error messages never hold data.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

CRYPTPROTECT_UI_FORBIDDEN = 0x1
CRYPTPROTECT_LOCAL_MACHINE = 0x4
MACHINE_FLAGS = CRYPTPROTECT_LOCAL_MACHINE | CRYPTPROTECT_UI_FORBIDDEN


class DpapiRefused(Exception):
    """Windows (or the fake) would not protect or unprotect; the text names no data."""


class Dpapi(Protocol):
    available: bool
    reason: str  # why not available ("" when available)

    def protect(self, data: bytes) -> bytes: ...

    def unprotect(self, blob: bytes) -> bytes: ...


class WindowsDpapi:
    """pywin32's win32crypt; `module` lets tests pass a fake win32crypt."""

    available = True
    reason = ""

    def __init__(self, module: Any = None) -> None:
        if module is None:
            import win32crypt  # pywin32, Windows only

            module = win32crypt
        self._crypt = module

    def protect(self, data: bytes) -> bytes:
        try:
            return bytes(self._crypt.CryptProtectData(data, None, None, None, None, MACHINE_FLAGS))
        except Exception as exc:  # pywintypes.error: Windows said no
            raise DpapiRefused(f"Windows refused to encrypt with DPAPI ({_why(exc)})") from None

    def unprotect(self, blob: bytes) -> bytes:
        try:
            _description, data = self._crypt.CryptUnprotectData(blob, None, None, None,
                                                                CRYPTPROTECT_UI_FORBIDDEN)
        except Exception as exc:
            raise DpapiRefused(f"this machine cannot decrypt it with DPAPI ({_why(exc)})") from None
        return bytes(data)


def _why(exc: Exception) -> str:
    """pywin32's error as 'winerror: text' (its args are (code, function, message)); no data."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 3 and isinstance(args[0], int):
        return f"error {args[0]}: {str(args[2]).strip()}"
    return type(exc).__name__


class UnavailableDpapi:
    available = False

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def protect(self, data: bytes) -> bytes:
        raise DpapiRefused(self.reason)

    def unprotect(self, blob: bytes) -> bytes:
        raise DpapiRefused(self.reason)


def default_dpapi(platform: str | None = None) -> Dpapi:
    """Windows DPAPI where it exists; elsewhere an implementation that says why not."""
    platform = platform or sys.platform
    if platform != "win32":
        return UnavailableDpapi("DPAPI (Windows Data Protection) exists only on Windows, and this "
                                f"machine runs {_platform_name(platform)}.")
    try:
        return WindowsDpapi()
    except ImportError:
        return UnavailableDpapi("DPAPI needs pywin32 (win32crypt), which is not installed here.")


def _platform_name(platform: str) -> str:
    return {"linux": "Linux", "darwin": "macOS"}.get(platform, platform)
