"""The connector token for the connection test: typed, taken from an environment variable, or
remembered in the keyring per connector, only when the user asks (never in a file of ours)."""

from __future__ import annotations

import os

from app.errors import UserError
from app.secrets import KeyringUnavailable, SecretStore


def token_key(connector: str) -> str:
    return f"connection-test-token:{connector}"


def remembered_token(connector: str, store: SecretStore | None = None) -> str | None:
    """The remembered token, or None (also when there is no usable keyring)."""
    store = store or SecretStore()
    if not store.available():
        return None
    try:
        return store.get(token_key(connector))
    except KeyringUnavailable:
        return None


def remember_token(connector: str, token: str, store: SecretStore | None = None) -> None:
    """Raises KeyringUnavailable (one sentence) when the keyring cannot keep it."""
    (store or SecretStore()).set(token_key(connector), token)


def forget_token(connector: str, store: SecretStore | None = None) -> bool:
    store = store or SecretStore()
    return store.available() and store.delete(token_key(connector))


def token_from_env(var: str) -> str:
    value = os.environ.get(var, "")
    if not value.strip():
        raise UserError(f"the environment variable {var} is not set or empty (it should hold the "
                        "connector's secret token).")
    return value.strip()
