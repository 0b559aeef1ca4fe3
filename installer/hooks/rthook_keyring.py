"""PyInstaller runtime hook: pick the keyring backend explicitly in the frozen app.

keyring finds its backends through package metadata (entry points), which a frozen app only
partly carries, and third-party backends (keyrings.alt, which writes plaintext) must never be
picked up. So the frozen app names its backend: Windows Credential Manager on Windows, the
Secret Service on Linux when its library is bundled and a session bus exists (jeepney needs
DBUS_SESSION_BUS_ADDRESS; without it keyring would raise on load), otherwise keyring's "fail"
backend, which app/secrets.py reports as "no usable keyring". Set through PYTHON_KEYRING_BACKEND (read by
keyring at first use), so nothing is imported at start-up; a value the user set wins.
"""

import importlib.util
import os
import sys

WINDOWS_BACKEND = "keyring.backends.Windows.WinVaultKeyring"
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
NO_BACKEND = "keyring.backends.fail.Keyring"


def frozen_keyring_backend(platform: str, has_module, environ) -> str:
    """The backend class path for `platform`; `has_module(name)` says whether a module is bundled."""
    if platform == "win32":
        return WINDOWS_BACKEND if has_module("win32ctypes") else NO_BACKEND
    if (platform.startswith("linux") and has_module("secretstorage")
            and environ.get("DBUS_SESSION_BUS_ADDRESS")):
        return SECRET_SERVICE_BACKEND
    return NO_BACKEND


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


if getattr(sys, "frozen", False):
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", frozen_keyring_backend(sys.platform, _has_module,
                                                                          os.environ))
