"""Sign-in: MSAL mocked at its boundary; the cache lives in the keyring only, in parts that fit
Windows Credential Manager, and sign-out removes every part."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.entra.links import SignInSettings
from app.entra.signin import PART_SIZE, EnvToken, MsalSignIn, cache_key, scopes_for
from app.errors import UserError
from app.secrets import SERVICE, SecretStore
from tests.entra.fake_msal import REFRESH_TOKEN, FakeMsal
from tests.entra.graph_standin import ACCESS_TOKEN

SETTINGS = SignInSettings(tenant="contoso.onmicrosoft.com", client_id="aaaaaaaa-0000-4000-8000-000000000001")


def stored(memory_keyring) -> str:
    return "".join(v for (service, key), v in sorted(memory_keyring.store.items())
                   if service == SERVICE and "#" in key)


def test_interactive_sign_in_keeps_the_cache_in_the_keyring_only(memory_keyring, _private_data_dir):
    fake = FakeMsal()
    signer = MsalSignIn(SETTINGS, interactive=True, msal_module=fake)
    assert signer.access_token() == ACCESS_TOKEN and signer.account == "admin@contoso.com"
    assert REFRESH_TOKEN in stored(memory_keyring)
    key = cache_key(SETTINGS)
    parts = int(memory_keyring.store[(SERVICE, key)])
    assert parts >= 2 and all(len(v) <= PART_SIZE for (_, k), v in memory_keyring.store.items() if "#" in k)
    for path in Path(_private_data_dir).rglob("*"):  # never a file of ours
        assert not path.is_file() or REFRESH_TOKEN.encode()[:40] not in path.read_bytes()
    assert any(c.startswith("interactive https://graph.microsoft.com/Synchronization.ReadWrite.All")
               for c in fake.calls)


def test_the_next_run_signs_in_silently_and_sign_out_forgets(memory_keyring):
    MsalSignIn(SETTINGS, interactive=True, msal_module=FakeMsal()).access_token()
    fake = FakeMsal()
    assert MsalSignIn(SETTINGS, msal_module=fake).access_token() == ACCESS_TOKEN
    assert "silent" in fake.calls and not any(c.startswith("interactive") for c in fake.calls)
    assert MsalSignIn(SETTINGS, msal_module=fake).sign_out() is True
    assert memory_keyring.store == {}
    with pytest.raises(UserError, match="not signed in"):
        MsalSignIn(SETTINGS, msal_module=FakeMsal()).access_token()


def test_no_browser_falls_back_to_a_device_code():
    fake = FakeMsal(browser=False)
    shown: list[str] = []
    signer = MsalSignIn(SETTINGS, interactive=True, msal_module=fake, show=shown.append)
    assert signer.access_token() == ACCESS_TOKEN
    assert "device-flow" in fake.calls and "ABCD-EFGH" in shown[0]


def test_a_refused_sign_in_is_one_sentence():
    signer = MsalSignIn(SETTINGS, interactive=True, msal_module=FakeMsal(refuse=True))
    with pytest.raises(UserError) as caught:
        signer.access_token()
    assert "AADSTS65001" in caught.value.sentence() and "Trace ID" not in caught.value.sentence()


def test_without_tenant_and_client_id_the_sentence_says_what_to_run():
    with pytest.raises(UserError, match="entra sign-in --tenant"):
        MsalSignIn(SignInSettings(), msal_module=FakeMsal())


def test_national_cloud_scopes_name_its_graph():
    assert scopes_for("https://graph.microsoft.us/") == ["https://graph.microsoft.us/Synchronization.ReadWrite.All",
                                                         "https://graph.microsoft.us/Application.Read.All",
                                                         "https://graph.microsoft.us/User.ReadBasic.All"]


def test_env_token(monkeypatch):
    monkeypatch.setenv("T1", "Bearer abc.def")
    assert EnvToken("T1").access_token() == "abc.def"
    monkeypatch.setenv("T1", " ")
    with pytest.raises(UserError, match="T1 is not set"):
        EnvToken("T1").access_token()


def test_no_keyring_means_no_remembered_sign_in():
    class NoKeyring:
        name = "none"

        def probe(self):
            return "no backend"

    signer = MsalSignIn(SETTINGS, store=SecretStore(NoKeyring()), msal_module=FakeMsal())  # type: ignore[arg-type]
    with pytest.raises(UserError, match="no usable keyring"):
        signer.access_token()


def test_an_hour_later_the_token_is_renewed_silently(monkeypatch):
    import app.entra.signin as signin

    clock = [1000.0]
    monkeypatch.setattr(signin, "time", type("Clock", (), {"monotonic": staticmethod(lambda: clock[0])}))
    fake = FakeMsal()
    signer = MsalSignIn(SETTINGS, interactive=True, msal_module=fake)
    signer.access_token()
    signer.access_token()
    assert fake.calls.count("silent") == 0  # the same token while it is young
    clock[0] += 3600
    assert signer.access_token() == ACCESS_TOKEN
    assert fake.calls.count("silent") == 1 and sum(c.startswith("interactive") for c in fake.calls) == 1


def test_without_a_keyring_the_sign_in_lasts_this_session_only():
    class ReadOnlyKeyring:
        name = "read-only"

        def probe(self):
            return None

        def get(self, service, key):
            return None

        def set(self, service, key, value):
            raise PermissionError("locked")

        def delete(self, service, key):
            return False

    signer = MsalSignIn(SETTINGS, store=SecretStore(ReadOnlyKeyring()), interactive=True,  # type: ignore[arg-type]
                        msal_module=FakeMsal())
    assert signer.access_token() == ACCESS_TOKEN
    assert signer.not_remembered and "could not store" in signer.not_remembered
