"""DPAPI behind its interface: the win32crypt call shapes (a fake win32crypt module), the
unavailable implementation's one sentence, and the fake used by the other tests."""

from __future__ import annotations

import sys

import pytest

from app.hostsecrets.dpapi import (
    CRYPTPROTECT_LOCAL_MACHINE,
    CRYPTPROTECT_UI_FORBIDDEN,
    DpapiRefused,
    UnavailableDpapi,
    WindowsDpapi,
    default_dpapi,
)
from tests.hostsecrets.fake_dpapi import FakeDpapi


class FakeWin32Crypt:
    """Records each call as pywin32 would receive it."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple] = []
        self.fail = fail

    def CryptProtectData(self, *args):
        self.calls.append(("protect", args))
        if self.fail:
            raise self.fail
        return b"BLOB:" + args[0]

    def CryptUnprotectData(self, *args):
        self.calls.append(("unprotect", args))
        if self.fail:
            raise self.fail
        return ("", args[0][len(b"BLOB:"):])


def test_protect_uses_the_machine_scope_without_entropy_or_prompt():
    crypt = FakeWin32Crypt()
    blob = WindowsDpapi(crypt).protect(b"secret-bytes")
    assert blob == b"BLOB:secret-bytes"
    assert crypt.calls == [("protect", (b"secret-bytes", None, None, None, None,
                                        CRYPTPROTECT_LOCAL_MACHINE | CRYPTPROTECT_UI_FORBIDDEN))]
    assert CRYPTPROTECT_LOCAL_MACHINE == 0x4 and CRYPTPROTECT_UI_FORBIDDEN == 0x1


def test_unprotect_returns_the_data_of_pywin32s_tuple():
    crypt = FakeWin32Crypt()
    assert WindowsDpapi(crypt).unprotect(b"BLOB:abc") == b"abc"
    assert crypt.calls == [("unprotect", (b"BLOB:abc", None, None, None, CRYPTPROTECT_UI_FORBIDDEN))]


def test_a_windows_refusal_is_one_sentence_without_data():
    error = Exception(-2146893813, "CryptUnprotectData", "Key not valid for use in specified state.")
    dpapi = WindowsDpapi(FakeWin32Crypt(fail=error))
    with pytest.raises(DpapiRefused) as caught:
        dpapi.unprotect(b"BLOB:top-secret")
    assert "Key not valid" in str(caught.value) and "top-secret" not in str(caught.value)
    with pytest.raises(DpapiRefused, match="refused to encrypt"):
        dpapi.protect(b"top-secret")


def test_off_windows_dpapi_says_why_in_one_sentence():
    dpapi = default_dpapi("linux")
    assert isinstance(dpapi, UnavailableDpapi) and not dpapi.available
    assert dpapi.reason.endswith(".") and "only on Windows" in dpapi.reason and "Linux" in dpapi.reason
    with pytest.raises(DpapiRefused):
        dpapi.protect(b"x")


def test_on_windows_without_pywin32_dpapi_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "win32crypt", None)  # importing it now fails, as without pywin32
    dpapi = default_dpapi("win32")
    assert not dpapi.available and "pywin32" in dpapi.reason


def test_the_fake_round_trips_on_its_machine_only():
    a, b = FakeDpapi("HOST-A"), FakeDpapi("HOST-B")
    blob = a.protect("grüße".encode("utf-16-le"))
    assert blob.startswith(FakeDpapi.OPENING) and "grüße".encode("utf-16-le") not in blob
    assert a.unprotect(blob).decode("utf-16-le") == "grüße"
    with pytest.raises(DpapiRefused):
        b.unprotect(blob)
    with pytest.raises(DpapiRefused):
        FakeDpapi("HOST-A", refuse=True).protect(b"x")


@pytest.mark.skipif(sys.platform != "win32", reason="real DPAPI exists only on Windows")
def test_real_dpapi_round_trip_in_the_machine_scope():
    dpapi = default_dpapi()
    assert dpapi.available, dpapi.reason
    plain = "grüße-token-0123".encode("utf-16-le")
    blob = dpapi.protect(plain)
    assert blob.startswith(FakeDpapi.OPENING[:4]) and plain not in blob  # DPAPI blob version 1
    assert dpapi.unprotect(blob) == plain
    with pytest.raises(DpapiRefused):
        dpapi.unprotect(blob[:-8] + bytes(8))


@pytest.mark.skipif(sys.platform != "win32", reason="real DPAPI exists only on Windows")
def test_route_one_on_a_real_windows_machine():
    """Route 1 end to end with real DPAPI: a stand-in host value made here, learnt, a new one
    written and proven (the host's real layout is [open]; the stand-in is our guess)."""
    import base64

    from app.config.nrbf import write
    from app.config.secretvalues import read_secret
    from app.hostsecrets.build import build_object
    from app.hostsecrets.hostlayout import GUESSED_LIBRARY, GUESSED_MEMBERS, HOST_CLASS
    from app.hostsecrets.writing import LearntRoute, learn

    dpapi = default_dpapi()
    payload = dpapi.protect("existing-token-42".encode("utf-16-le"))
    blob = base64.b64encode(write(build_object(HOST_CLASS, GUESSED_LIBRARY,
                                               [(GUESSED_MEMBERS[0][0], payload)]))).decode()
    learnt = learn([("connector 'X' / SecretToken", read_secret(blob))], dpapi)
    assert learnt.encoding == "utf-16-le"
    text = LearntRoute(learnt, dpapi).encrypt("a-new-token-123456")
    assert dpapi.unprotect(read_secret(text).payload) == "a-new-token-123456".encode("utf-16-le")
