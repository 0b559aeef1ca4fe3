"""Where Graph access tokens come from, behind one interface (`TokenSource` in graph.py):

- `EnvToken("VAR")`: a token obtained elsewhere (a pipeline's service principal, az cli);
- `MsalSignIn(settings)`: MSAL as a public client: the browser, or a device code on a jump host
  without one. Its token cache (refresh token included) lives in the keyring through
  app/secrets.py, split into parts that fit Windows Credential Manager; never in a file.
  `sign_out()` removes it.

MSAL is imported only when a sign-in is needed; tests replace `msal_module` at this boundary.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from app.entra.links import SignInSettings
from app.errors import UserError
from app.secrets import KeyringUnavailable, SecretStore

log = logging.getLogger(__name__)

PERMISSIONS = ("Synchronization.ReadWrite.All", "Application.Read.All", "User.ReadBasic.All")
PART_SIZE = 1000  # characters per keyring entry: 2,000 bytes as UTF-16, under Windows' 2,560
MAX_PARTS = 40


class EnvToken:
    """An access token from an environment variable (never from the command line)."""

    def __init__(self, var: str) -> None:
        self.var = var
        self.description = f"the access token in ${var}"

    def access_token(self) -> str:
        value = os.environ.get(self.var, "").strip()
        if not value:
            raise UserError(f"the environment variable {self.var} is not set or empty (it should hold a "
                            "Microsoft Graph access token).")
        if value.lower().startswith("bearer "):
            value = value[7:].strip()
        return value


def scopes_for(graph_url: str) -> list[str]:
    """The delegated permissions, named on the Graph resource in use (a national cloud has its own)."""
    base = graph_url.rstrip("/")
    return [f"{base}/{p}" for p in PERMISSIONS]


def cache_key(settings: SignInSettings) -> str:
    return f"entra-token-cache:{settings.tenant}:{settings.client_id}"


class KeyringTokenCache:
    """MSAL's serialized cache in the keyring, in parts (`key#0`, `key#1`, ...; `key` holds the count)."""

    def __init__(self, store: SecretStore, key: str) -> None:
        self.store, self.key = store, key

    def read(self) -> str | None:
        try:
            count = self.store.get(self.key)
            if not count or not count.isdigit():
                return None
            parts = [self.store.get(f"{self.key}#{i}") for i in range(min(int(count), MAX_PARTS))]
        except KeyringUnavailable:
            return None
        if any(p is None for p in parts):
            return None  # a half-written cache: sign in again
        return "".join(p or "" for p in parts)

    def write(self, text: str) -> None:
        parts = [text[i:i + PART_SIZE] for i in range(0, len(text), PART_SIZE)] or [""]
        if len(parts) > MAX_PARTS:
            raise UserError("the sign-in cache is too large for the keyring; sign out and in again.")
        old = self.store.get(self.key)
        for i, part in enumerate(parts):
            if part:
                self.store.set(f"{self.key}#{i}", part)
        self.store.set(self.key, str(len(parts)))
        if old and old.isdigit():
            for i in range(len(parts), min(int(old), MAX_PARTS)):
                self.store.delete(f"{self.key}#{i}")

    def delete(self) -> bool:
        old = self.store.get(self.key)
        removed = self.store.delete(self.key)
        for i in range(min(int(old), MAX_PARTS) if old and old.isdigit() else MAX_PARTS):
            removed = self.store.delete(f"{self.key}#{i}") or removed
        return removed


def _default_msal() -> Any:
    try:
        import msal
    except ImportError:
        raise UserError("signing in needs the msal package (pip install msal); or give a token with "
                        "--access-token-env VAR.") from None
    return msal


class MsalSignIn:
    """A public-client sign-in; `access_token()` uses the cache silently and, when `interactive`,
    opens the browser (or shows a device code when there is none)."""

    def __init__(self, settings: SignInSettings, *, store: SecretStore | None = None,
                 interactive: bool = False, device_code: bool = False,
                 show: Callable[[str], None] = print, msal_module: Any = None) -> None:
        if not settings.tenant or not settings.client_id:
            raise UserError("no tenant and client id are set for signing in: run `ecma-wizard entra "
                            "sign-in --tenant TENANT --client-id APP-ID` (README: the app registration), "
                            "or give a token with --access-token-env VAR.")
        self.settings = settings
        self.store = store or SecretStore()
        self.cache_store = KeyringTokenCache(self.store, cache_key(settings))
        self.interactive, self.device_code = interactive, device_code
        self.show = show
        self._msal = msal_module
        self.description = f"the sign-in to tenant {settings.tenant}"
        self._token: str | None = None
        self._expires = 0.0  # monotonic time after which the token is asked for again
        self.account: str | None = None
        self.not_remembered: str | None = None  # why the sign-in is kept in memory only, if it is

    def _app(self) -> tuple[Any, Any]:
        msal = self._msal or _default_msal()
        cache = msal.SerializableTokenCache()
        saved = self.cache_store.read()
        if saved:
            cache.deserialize(saved)
        authority = f"{self.settings.authority_host.rstrip('/')}/{self.settings.tenant}"
        return msal.PublicClientApplication(self.settings.client_id, authority=authority,
                                            token_cache=cache), cache

    def access_token(self) -> str:
        if self._token and time.monotonic() < self._expires:
            return self._token
        if self._token:  # an hour has passed: MSAL renews it silently from the refresh token
            self.interactive = False
        if not self.interactive and not self.store.available():
            raise UserError(f"{self.store.unavailable_reason}; without it no sign-in is remembered: give a "
                            "token with --access-token-env VAR.")
        app, cache = self._app()
        scopes = scopes_for(self.settings.graph_url)
        result = None
        accounts = app.get_accounts()
        if accounts:
            result = app.acquire_token_silent(scopes, account=accounts[0])
        if not result and not self.interactive:
            raise UserError("not signed in to Entra (or the sign-in expired): run `ecma-wizard entra "
                            "sign-in`, or give a token with --access-token-env VAR.")
        if not result:
            result = self._interactive(app, scopes)
        if not isinstance(result, dict) or "access_token" not in result:
            raise UserError(f"the sign-in failed: {_msal_error(result)}.")
        if cache.has_state_changed:
            try:
                self.cache_store.write(cache.serialize())
            except KeyringUnavailable as exc:  # signed in for this session only
                self.not_remembered = exc.sentence()
        claims = result.get("id_token_claims") or {}
        self.account = claims.get("preferred_username") or (accounts[0].get("username") if accounts else None)
        self._token = result["access_token"]
        lifetime = result.get("expires_in")
        self._expires = time.monotonic() + max(60.0, float(lifetime) - 300.0 if isinstance(lifetime, int | float) else 600.0)
        return self._token

    def _interactive(self, app: Any, scopes: list[str]) -> Any:
        if not self.device_code:
            try:
                return app.acquire_token_interactive(scopes, prompt="select_account")
            except Exception as exc:  # no browser on this machine (a jump host): use a device code
                log.info("interactive sign-in unavailable (%s); using a device code", type(exc).__name__)
        flow = app.initiate_device_flow(scopes=scopes)
        if "user_code" not in flow:
            raise UserError(f"the device-code sign-in could not start: {_msal_error(flow)}.")
        self.show(str(flow.get("message") or f"Open {flow.get('verification_uri')} and enter {flow['user_code']}."))
        return app.acquire_token_by_device_flow(flow)

    def sign_out(self) -> bool:
        """Forget the cached sign-in (the keyring entries); True when something was removed."""
        self._token = None
        return self.cache_store.delete()


def _msal_error(result: Any) -> str:
    if not isinstance(result, dict):
        return "no answer"
    text = str(result.get("error_description") or result.get("error") or "no reason given")
    return text.splitlines()[0][:200]
