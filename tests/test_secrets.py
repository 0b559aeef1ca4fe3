"""The keyring port: an injectable backend, a clear unavailable state, no plaintext fallback."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.errors import NoKeyringError

from app.secrets import (
    SERVICE,
    KeyringUnavailable,
    SecretStore,
    SecretTooLong,
    SystemKeyring,
)


class DictBackend:
    name = "dict"

    def __init__(self, reason=None, drop=False):
        self.data = {}
        self.reason = reason
        self.drop = drop

    def probe(self):
        return self.reason

    def get(self, service, key):
        return self.data.get((service, key))

    def set(self, service, key, value):
        if not self.drop:
            self.data[(service, key)] = value

    def delete(self, service, key):
        return self.data.pop((service, key), None) is not None


def test_round_trip_through_the_system_keyring_goes_to_the_autouse_memory_backend(memory_keyring):
    store = SecretStore()
    assert store.available()
    store.set("token:HR", "s3cret-value")
    assert memory_keyring.store[(SERVICE, "token:HR")] == "s3cret-value"
    assert store.get("token:HR") == "s3cret-value"
    assert store.delete("token:HR") is True
    assert store.get("token:HR") is None
    assert store.delete("token:HR") is False


def test_no_keyring_backend_is_a_clear_state_and_never_a_plaintext_fallback(monkeypatch, tmp_path):
    def raise_no_keyring(*_args):
        raise NoKeyringError("No recommended backend was available.")

    monkeypatch.setattr(keyring, "get_password", raise_no_keyring)
    monkeypatch.setattr(keyring, "set_password", raise_no_keyring)
    store = SecretStore()
    assert not store.available()
    assert store.unavailable_reason.startswith("no usable keyring on this system: ")
    with pytest.raises(KeyringUnavailable) as err:
        store.set("pfx", "very-secret-passphrase")
    assert "very-secret-passphrase" not in str(err.value)
    assert "no usable keyring on this system" in str(err.value)
    with pytest.raises(KeyringUnavailable):
        store.get("pfx")


def test_the_null_backend_counts_as_unavailable(monkeypatch):
    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.null.Keyring())
    store = SecretStore()
    assert not store.available()
    assert "null" in store.unavailable_reason


def test_a_backend_that_drops_values_is_refused_with_the_key_not_the_value():
    store = SecretStore(DictBackend(drop=True))
    with pytest.raises(KeyringUnavailable) as err:
        store.set("pfx:AB", "hunter2-passphrase")
    assert "pfx:AB" in str(err.value)
    assert "hunter2" not in str(err.value)


def test_backend_errors_do_not_leak_the_value_or_chain_the_original():
    class Exploding(DictBackend):
        def set(self, service, key, value):
            raise RuntimeError(f"cannot store {value}")

    store = SecretStore(Exploding())
    with pytest.raises(KeyringUnavailable) as err:
        store.set("k", "leaky-secret")
    assert "leaky-secret" not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_windows_credential_manager_limit_is_2560_bytes_of_utf16():
    store = SecretStore(DictBackend(), platform="win32")
    store.set("ok", "x" * 1280)  # 2,560 bytes as UTF-16
    with pytest.raises(SecretTooLong) as err:
        store.set("too-long", "x" * 1281)
    assert "2,560" in str(err.value) and "xxxx" not in str(err.value)
    SecretStore(DictBackend(), platform="linux").set("long", "x" * 5000)


def test_probe_happens_once_and_reason_is_cached():
    backend = DictBackend(reason="testing")
    calls = []
    backend.probe = lambda: calls.append(1) or "testing"
    store = SecretStore(backend)
    assert not store.available()
    assert not store.available()
    assert store.unavailable_reason == "no usable keyring on this system: testing"
    assert calls == [1]


def test_empty_values_are_refused():
    with pytest.raises(ValueError):
        SecretStore(DictBackend()).set("k", "")


def test_system_keyring_reports_the_fail_backend_without_the_fixture(monkeypatch):
    # What headless Linux really does: the fail backend raises NoKeyringError on every call.
    fail = keyring.backends.fail.Keyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail)
    monkeypatch.setattr(keyring, "get_password", fail.get_password)
    reason = SystemKeyring().probe()
    assert reason and "no keyring backend" in reason
