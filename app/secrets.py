"""The keyring port: where the app keeps secrets (PFX passphrases, connection-test tokens).

Use it like this::

    from app.secrets import SecretStore, KeyringUnavailable
    store = SecretStore()                 # the system keyring; tests inject a backend
    store.set("certificate-pfx:ABCD", passphrase)
    store.get("certificate-pfx:ABCD")     # -> str | None
    store.delete("certificate-pfx:ABCD")  # -> True if something was deleted
    store.available()                     # -> bool, probed once at first use
    store.unavailable_reason              # -> "no usable keyring on this system: ..." or None

Every entry lives under the service name "ECMA Host Wizard"; the key is the entry's user name.
There is no plaintext fallback: without a usable keyring, `set`/`get` raise `KeyringUnavailable`
(a UserError, one sentence) and callers ask the user instead (environment variable, prompt).
keyrings.alt is never used: it silently writes plaintext (docs/architecture.md §3). Secret values never appear in
logs, exception messages or argv: every message here names the key, never the value.

The idea (an injectable backend, picked once, with a clear "unavailable" state) is Vorta's
`keyring/abc.py`; the code is ours.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol, cast

from app.errors import UserError

SERVICE = "ECMA Host Wizard"
# Windows Credential Manager stores at most 2,560 bytes per secret, as UTF-16 (docs/host-facts.md §10).
WINDOWS_CREDENTIAL_LIMIT_BYTES = 2560
_PROBE_KEY = "availability-probe"


class KeyringUnavailable(UserError):
    """No usable keyring on this system; the sentence says why and what to do instead."""


class SecretTooLong(UserError):
    """The value does not fit the platform's secret store (Windows Credential Manager)."""


class SecretBackend(Protocol):
    """What a backend provides; exceptions of any kind mean "this backend failed"."""

    name: str

    def probe(self) -> str | None:
        """None when usable, else the reason it is not (one clause, no secret)."""

    def get(self, service: str, key: str) -> str | None: ...

    def set(self, service: str, key: str, value: str) -> None: ...

    def delete(self, service: str, key: str) -> bool: ...


class SystemKeyring:
    """The `keyring` package's active backend, looked up at call time (so tests can swap it)."""

    def __init__(self) -> None:
        import keyring

        self._keyring = keyring
        self.name = "system keyring"
        self._configured = False

    def _configure(self) -> None:
        if self._configured:
            return
        self._configured = True
        try:
            active = self._keyring.get_keyring()
        except Exception:  # an unloadable backend shows up at probe time
            return
        self.name = type(active).__module__.rsplit(".", 1)[-1] + "." + type(active).__name__
        # Credential Manager roams "enterprise" secrets by default; keep ours on this machine.
        if type(active).__name__ == "WinVaultKeyring":
            try:
                cast(Any, active).persist = "local machine"  # WinVaultKeyring's own attribute
            except Exception:  # older keyring versions: keep their default
                pass

    def probe(self) -> str | None:
        from keyring.errors import KeyringError, NoKeyringError

        self._configure()
        try:
            active = self._keyring.get_keyring()
        except Exception as exc:
            return f"the keyring backend could not be loaded ({type(exc).__name__})"
        # The null backend accepts everything and stores nothing: as bad as none at all.
        if type(active).__module__ == "keyring.backends.null":
            return "the configured keyring backend (null) stores nothing"
        try:
            self._keyring.get_password(SERVICE, _PROBE_KEY)
        except NoKeyringError:
            return ("no keyring backend is installed or running (on Linux, a Secret Service such "
                    "as GNOME Keyring or KWallet must be running in the session)")
        except KeyringError as exc:
            return f"the keyring refused access ({type(exc).__name__})"
        except Exception as exc:
            return f"the keyring failed ({type(exc).__name__})"
        return None

    def get(self, service: str, key: str) -> str | None:
        return self._keyring.get_password(service, key)

    def set(self, service: str, key: str, value: str) -> None:
        self._keyring.set_password(service, key, value)

    def delete(self, service: str, key: str) -> bool:
        from keyring.errors import PasswordDeleteError

        if self._keyring.get_password(service, key) is None:
            return False
        try:
            self._keyring.delete_password(service, key)
        except PasswordDeleteError:
            return False
        return True


class SecretStore:
    """get/set/delete secrets under the service "ECMA Host Wizard"; see the module docstring."""

    def __init__(self, backend: SecretBackend | None = None, *, service: str = SERVICE,
                 platform: str | None = None) -> None:
        self._backend = backend
        self.service = service
        self._platform = platform or sys.platform
        self._probed = False
        self._reason: str | None = None

    @property
    def backend(self) -> SecretBackend:
        if self._backend is None:
            self._backend = SystemKeyring()
        return self._backend

    def _probe(self) -> None:
        if not self._probed:
            self._probed = True
            self._reason = self.backend.probe()

    def available(self) -> bool:
        self._probe()
        return self._reason is None

    @property
    def unavailable_reason(self) -> str | None:
        """"no usable keyring on this system: <why>" when unusable, else None."""
        self._probe()
        return None if self._reason is None else f"no usable keyring on this system: {self._reason}"

    def _require(self) -> None:
        self._probe()
        if self._reason is not None:
            raise KeyringUnavailable(f"no usable keyring on this system: {self._reason}.")

    def check_fits(self, key: str, value: str) -> None:
        """Refuse a value Windows Credential Manager would not hold (2,560 bytes as UTF-16)."""
        if self._platform == "win32":
            size = len(value.encode("utf-16-le"))
            if size > WINDOWS_CREDENTIAL_LIMIT_BYTES:
                raise SecretTooLong(
                    f"the secret for {key!r} is {size:,} bytes as UTF-16, more than the "
                    f"{WINDOWS_CREDENTIAL_LIMIT_BYTES:,} bytes Windows Credential Manager holds.")

    def get(self, key: str) -> str | None:
        self._require()
        try:
            return self.backend.get(self.service, key)
        except Exception as exc:
            raise KeyringUnavailable(
                f"the keyring ({self.backend.name}) could not read {key!r} ({type(exc).__name__}).",
            ) from None

    def set(self, key: str, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError(f"the secret for {key!r} must be a non-empty string")
        self._require()
        self.check_fits(key, value)
        try:
            self.backend.set(self.service, key, value)
            stored = self.backend.get(self.service, key)
        except Exception as exc:
            raise KeyringUnavailable(
                f"the keyring ({self.backend.name}) could not store {key!r} ({type(exc).__name__}).",
            ) from None
        if stored != value:  # a backend that accepts and drops values is no keyring
            raise KeyringUnavailable(
                f"the keyring ({self.backend.name}) did not keep the secret for {key!r}.")

    def delete(self, key: str) -> bool:
        self._require()
        try:
            return bool(self.backend.delete(self.service, key))
        except Exception as exc:
            raise KeyringUnavailable(
                f"the keyring ({self.backend.name}) could not delete {key!r} ({type(exc).__name__}).",
            ) from None
