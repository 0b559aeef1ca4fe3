"""MSAL replaced at its boundary: the few calls MsalSignIn makes, with the shapes msal documents
(results are dicts with access_token / error; the cache serializes to text)."""

from __future__ import annotations

import json

from tests.entra.graph_standin import ACCESS_TOKEN

REFRESH_TOKEN = "0.ARoA-planted-refresh-token-" + "r" * 1800  # long: the keyring keeps it in parts


class SerializableTokenCache:
    def __init__(self):
        self.state: dict = {}
        self.has_state_changed = False

    def deserialize(self, text):
        self.state = json.loads(text)

    def serialize(self):
        self.has_state_changed = False
        return json.dumps(self.state)


class FakeMsal:
    """A module-like object; `browser` False makes the interactive call fail (a jump host)."""

    def __init__(self, *, browser: bool = True, refuse: bool = False):
        self.browser, self.refuse = browser, refuse
        self.calls: list[str] = []
        self.shown: list[str] = []
        self.SerializableTokenCache = SerializableTokenCache

    def PublicClientApplication(self, client_id, authority=None, token_cache=None):
        fake = self
        fake.calls.append(f"app {client_id} {authority}")

        class App:
            def get_accounts(self):
                return [{"username": "admin@contoso.com"}] if token_cache.state.get("RefreshToken") else []

            def acquire_token_silent(self, scopes, account=None):
                fake.calls.append("silent")
                if token_cache.state.get("RefreshToken") == REFRESH_TOKEN:
                    return {"access_token": ACCESS_TOKEN}
                return None

            def _signed_in(self):
                if fake.refuse:
                    return {"error": "access_denied", "error_description": "AADSTS65001: The user or "
                            "administrator has not consented to use the application.\nTrace ID: x"}
                token_cache.state = {"RefreshToken": REFRESH_TOKEN, "AccessToken": ACCESS_TOKEN}
                token_cache.has_state_changed = True
                return {"access_token": ACCESS_TOKEN, "id_token_claims": {"preferred_username": "admin@contoso.com"}}

            def acquire_token_interactive(self, scopes, prompt=None):
                fake.calls.append(f"interactive {' '.join(scopes)}")
                if not fake.browser:
                    raise RuntimeError("could not locate runnable browser")
                return self._signed_in()

            def initiate_device_flow(self, scopes=None):
                fake.calls.append("device-flow")
                return {"user_code": "ABCD-EFGH", "message": "To sign in, open https://microsoft.com/devicelogin "
                        "and enter the code ABCD-EFGH."}

            def acquire_token_by_device_flow(self, flow):
                return self._signed_in()

        return App()
