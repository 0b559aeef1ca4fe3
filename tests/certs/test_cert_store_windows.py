"""The Windows store's command lines and the parsing of what PowerShell and netsh print.

These run anywhere: a fake runner records the argv and answers with captured output."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from app.certs import store as st
from app.certs.store import (
    SslBinding,
    StoreError,
    StoreUnavailable,
    UnavailableStore,
    WindowsCertificateStore,
)
from app.host.processes import CommandResult

THUMB = "1D8AE3E6B1F3A4BA5D3C8E2C6E9B33CBD0B7FF2A"
APPID = "{4dc3e181-e14b-4a21-b022-59fc669b0914}"
FIELD = Path(__file__).resolve().parents[1] / "data" / "field"

NETSH_FOUND = """
SSL Certificate bindings:
-------------------------

    IP:port                      : 0.0.0.0:8585
    Certificate Hash             : 1d8ae3e6b1f3a4ba5d3c8e2c6e9b33cbd0b7ff2a
    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}
    Certificate Store Name       : My
    Verify Client Certificate Revocation : Enabled
    Verify Revocation Using Cached Client Certificate Only : Disabled
    Usage Check                  : Enabled
    Revocation Freshness Time    : 0
    URL Retrieval Timeout        : 0
    Ctl Identifier               : (null)
    Ctl Store Name               : (null)
    DS Mapper Usage              : Disabled
    Negotiate Client Certificate : Disabled
    Reject Connections           : Disabled
    Disable HTTP2                : Not Set
    Disable QUIC                 : Not Set
    Disable TLS1.2               : Not Set
    Disable TLS1.3               : Not Set
    Disable OCSP Stapling        : Not Set
    Enable Token Binding         : Not Set
    Log Extended Events          : Not Set
    Disable Legacy TLS Versions  : Not Set
    Enable Session Ticket        : Not Set

"""

NETSH_GERMAN = """
SSL-Zertifikatbindungen:
-------------------------

    IP:Port                      : 0.0.0.0:8585
    Zertifikathash               : 1d8ae3e6b1f3a4ba5d3c8e2c6e9b33cbd0b7ff2a
    Anwendungs-ID                : {4dc3e181-e14b-4a21-b022-59fc669b0914}
    Zertifikatspeichername       : MY
    Clientzertifikatsperre überprüfen : Enabled
"""

NETSH_NOT_FOUND = """
SSL Certificate bindings:
-------------------------


The system cannot find the file specified.

"""


class FakeRunner:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, argv, timeout, secret_env=None):
        self.calls.append((argv, dict(secret_env or {})))
        return self.answers.pop(0)


def ok(stdout="", code=0, stderr=""):
    return CommandResult(code, stdout, stderr)


def test_parse_netsh_binding():
    assert st.parse_sslcert_output(NETSH_FOUND) == SslBinding("0.0.0.0:8585", THUMB, APPID, "My")


def test_parse_localized_netsh_binding_by_the_shape_of_values():
    assert st.parse_sslcert_output(NETSH_GERMAN) == SslBinding("0.0.0.0:8585", THUMB, APPID, "MY")


def test_parse_netsh_without_a_binding():
    assert st.parse_sslcert_output(NETSH_NOT_FOUND) is None
    assert st.parse_sslcert_output("") is None


def test_binding_commands():
    assert st.show_binding_command(8585) == ["netsh", "http", "show", "sslcert", "ipport=0.0.0.0:8585"]
    binding = SslBinding("0.0.0.0:8585", "0" * 40, APPID, "My")
    assert st.update_binding_command(binding, THUMB.lower()) == [
        "netsh", "http", "update", "sslcert", "ipport=0.0.0.0:8585", f"certhash={THUMB}",
        f"appid={APPID}", "certstorename=MY"]
    with pytest.raises(ValueError):
        st.update_binding_command(SslBinding("0.0.0.0:8585", THUMB, "not-a-guid"), THUMB)
    with pytest.raises(ValueError):
        st.show_binding_command(70000)


def test_find_command_checks_the_thumbprint_before_building_a_script():
    argv = st.find_command(THUMB)
    assert argv[:6] == ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"]
    assert f"'Cert:\\LocalMachine\\My\\{THUMB}'" in argv[6]
    with pytest.raises(ValueError):
        st.find_command("'; Remove-Item C:\\ -Recurse; '")
    with pytest.raises(ValueError):
        st.find_command(THUMB, store="CA")


def test_import_commands_quote_paths_and_never_carry_the_passphrase():
    argv = st.import_pfx_command(r"C:\Users\o'brien\certs\host.pfx")
    script = argv[-1]
    assert r"-FilePath 'C:\Users\o''brien\certs\host.pfx'" in script
    assert f"$env:{st.PASSPHRASE_ENV}" in script
    assert "Cert:\\LocalMachine\\My" in script
    assert "Cert:\\LocalMachine\\Root" in st.import_root_command(r"C:\x\host.cer")[-1]
    assert st.remove_command(THUMB)[-1].endswith("-DeleteKey")
    assert "-DeleteKey" not in st.remove_command(THUMB, st.ROOT)[-1]


def test_windows_store_find_parses_raw_data(rsa_cert):
    b64 = base64.b64encode(rsa_cert.cert_der()).decode()
    runner = FakeRunner(ok(f"FOUND\r\n{b64}\r\nTrue\r\n"), ok("NOT-FOUND\r\n"))
    store = WindowsCertificateStore(runner)
    info = store.find(rsa_cert.thumbprint)
    assert info.thumbprint == rsa_cert.thumbprint and info.has_private_key
    assert info.source == r"LocalMachine\My"
    assert store.find(THUMB) is None


def test_windows_store_import_passes_the_passphrase_in_the_environment_only():
    captured = "\r\nThumbprint                                Subject\r\n" \
               "----------                                -------\r\n" \
               f"{THUMB}  CN=ecmahost\r\n"
    runner = FakeRunner(ok(captured))
    store = WindowsCertificateStore(runner)
    assert store.import_pfx(r"C:\out\h.pfx", "pass-phrase-xyz") == THUMB
    argv, env = runner.calls[0]
    assert env == {st.PASSPHRASE_ENV: "pass-phrase-xyz"}
    assert not any("pass-phrase-xyz" in part for part in argv)


def test_windows_store_failure_is_a_sentence_with_windows_first_line():
    stderr = ("Import-PfxCertificate : Access is denied. (Exception from HRESULT: 0x80070005)\r\n"
              "At line:1 char:120\r\n")
    store = WindowsCertificateStore(FakeRunner(ok(code=1, stderr=stderr)))
    with pytest.raises(StoreError) as err:
        store.import_pfx(r"C:\out\h.pfx", "secret-pp")
    assert "Access is denied" in str(err.value) and "administrator" in str(err.value)
    assert "secret-pp" not in str(err.value)


def test_windows_store_bindings():
    runner = FakeRunner(ok(NETSH_FOUND), ok(NETSH_NOT_FOUND, code=1), ok("\nSSL Certificate successfully updated\n"))
    store = WindowsCertificateStore(runner)
    binding = store.get_binding(8585)
    assert binding.certificate_hash == THUMB
    assert store.get_binding(9999) is None
    store.update_binding(binding, "A" * 40)
    assert runner.calls[-1][0][5] == "certhash=" + "A" * 40


def test_unexpected_find_output_is_an_error():
    with pytest.raises(StoreError):
        st.parse_find_output("WARNING: something odd\n")
    with pytest.raises(StoreError):
        st.parse_find_output("FOUND\n!!!notbase64!!!\nTrue\n")


def test_unavailable_store_says_it_needs_windows():
    store = UnavailableStore("linux")
    assert not store.available()
    assert "only on Windows" in store.unavailable_reason
    with pytest.raises(StoreUnavailable, match="only on Windows"):
        store.find(THUMB)
    with pytest.raises(StoreUnavailable):
        store.import_pfx("x.pfx", "pp")


def test_a_binding_without_a_store_name_is_updated_in_my():
    """netsh prints "Certificate Store Name : (null)" for a binding made without one (HTTP.sys
    then uses MY); regeneration built its command from it and raised a bare ValueError."""
    capture = (FIELD / "netsh-sslcert" / "handmade-store-name-null.txt").read_bytes().decode("ascii")
    binding = st.parse_sslcert_output(capture)
    assert binding == SslBinding("0.0.0.0:8585", "1D8AE3E6B1F3A4BA5D3C8E2C6E9B33CBD0B7FF2A",
                                 "{4dc3e181-e14b-4a21-b022-59fc669b0914}", None)
    assert st.update_binding_command(binding, THUMB)[-1] == "certstorename=MY"
    as_read_before = SslBinding(binding.ip_port, binding.certificate_hash, binding.app_id, "(null)")
    assert st.update_binding_command(as_read_before, THUMB)[-1] == "certstorename=MY"
