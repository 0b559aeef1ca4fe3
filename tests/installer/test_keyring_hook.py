"""The frozen app names its keyring backend (installer/hooks/rthook_keyring.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}


def test_windows_uses_credential_manager(keyring_hook):
    assert keyring_hook.frozen_keyring_backend("win32", lambda name: True, {}) == \
        "keyring.backends.Windows.WinVaultKeyring"


def test_windows_without_its_library_reports_none(keyring_hook):
    assert keyring_hook.frozen_keyring_backend("win32", lambda name: False, {}) == \
        "keyring.backends.fail.Keyring"


def test_linux_uses_secret_service_when_bundled_and_a_session_bus_exists(keyring_hook):
    assert keyring_hook.frozen_keyring_backend("linux", lambda name: name == "secretstorage", BUS) == \
        "keyring.backends.SecretService.Keyring"


def test_linux_without_a_session_bus_reports_none(keyring_hook):
    # A jump host reached over SSH has no session bus; keyring would raise loading SecretService.
    assert keyring_hook.frozen_keyring_backend("linux", lambda name: True, {}) == \
        "keyring.backends.fail.Keyring"


def test_linux_without_secret_service_reports_none(keyring_hook):
    assert keyring_hook.frozen_keyring_backend("linux", lambda name: False, BUS) == \
        "keyring.backends.fail.Keyring"


def test_never_keyrings_alt(keyring_hook):
    for platform in ("win32", "linux", "darwin"):
        for has in (True, False):
            for environ in ({}, BUS):
                chosen = keyring_hook.frozen_keyring_backend(platform, lambda name, h=has: h, environ)
                assert "keyrings" not in chosen


def _run_hook(frozen: bool, env: dict[str, str]) -> str:
    code = (
        "import os, runpy, sys\n"
        f"sys.frozen = {frozen}\n"
        f"runpy.run_path({str(ROOT / 'installer' / 'hooks' / 'rthook_keyring.py')!r})\n"
        "print(os.environ.get('PYTHON_KEYRING_BACKEND', '<unset>'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(extra)
    return env


def test_the_hook_sets_the_backend_only_when_frozen():
    assert _run_hook(False, _env()) == "<unset>"
    chosen = _run_hook(True, _env())
    assert chosen.startswith("keyring.backends.")
    if sys.platform == "win32":
        assert chosen.endswith("WinVaultKeyring")


def test_a_backend_the_user_named_wins():
    assert _run_hook(True, _env(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")) == \
        "keyring.backends.null.Keyring"


def _store_reason(backend: str) -> str:
    code = ("from app.secrets import SecretStore\n"
            "import keyring\n"
            "print(type(keyring.get_keyring()).__module__)\n"
            "print(SecretStore().unavailable_reason)\n")
    done = subprocess.run([sys.executable, "-c", code], env=_env(PYTHON_KEYRING_BACKEND=backend),
                          capture_output=True, text=True, check=True, cwd=ROOT, timeout=60)
    return done.stdout


def test_the_none_choice_reads_as_no_keyring_in_the_app():
    out = _store_reason("keyring.backends.fail.Keyring")
    assert out.splitlines()[0] == "keyring.backends.fail"
    assert "no usable keyring on this system: no keyring backend is installed or running" in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service is Linux's")
def test_the_linux_choice_without_a_session_bus_reads_as_no_keyring():
    env = _env()
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    code = ("import os, runpy, sys\nsys.frozen = True\n"
            f"runpy.run_path({str(ROOT / 'installer' / 'hooks' / 'rthook_keyring.py')!r})\n"
            "from app.secrets import SecretStore\nprint(SecretStore().unavailable_reason)\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True, cwd=ROOT, timeout=60)
    assert "no keyring backend is installed or running" in done.stdout
