"""`ecma-wizard cert status|regenerate` end to end, with a real TLS handshake on loopback."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import ssl
from argparse import Namespace

import keyring
import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from keyring.errors import NoKeyringError

from app.certs.regenerate import keyring_key
from app.cli import main
from app.cli.certs import choose_passphrase
from app.config.store import ConfigStore
from app.errors import UserError
from app.secrets import SecretStore

PASS = "correct-horse-battery-staple"


@pytest.fixture
def config(tmp_path, sample_host):
    path = tmp_path / "Configuration.xml"
    shutil.copyfile(sample_host / "Service" / "Configuration" / "Configuration.xml", path)
    return path


@pytest.fixture
def no_keyring(monkeypatch):
    def refuse(*_args):
        raise NoKeyringError("No recommended backend was available.")

    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(keyring, name, refuse)


def regenerate(config, out, *extra):
    return main(["cert", "regenerate", "--config", str(config), "--hostname", "localhost",
                 "--hostname", "ecmahost", "--key", "p256", "--out", str(out), "--yes", *extra])


def test_regenerated_certificate_is_served_and_its_thumbprint_is_the_configured_one(
        config, tmp_path, monkeypatch, capsys, LoopbackTlsServer):
    monkeypatch.setenv("ECMA_TEST_PFX", PASS)
    before = config.read_text(encoding="utf-8").splitlines()
    assert regenerate(config, tmp_path / "out", "--pfx-password-env", "ECMA_TEST_PFX") == 0
    out = capsys.readouterr().out
    assert "Restart the Microsoft ECMA2Host service" in out and PASS not in out

    configured = ConfigStore(config).load().setting.certificate
    after = config.read_text(encoding="utf-8").splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == \
        [next(i for i, line in enumerate(before) if "<Certificate>" in line)]  # a one-line diff

    cert_pem = next((tmp_path / "out").glob("*.crt.pem"))
    key_pem = next((tmp_path / "out").glob("*.key.pem"))
    with LoopbackTlsServer(cert_pem, key_pem, PASS, handshakes=2) as server:
        client = ssl.create_default_context(cafile=str(cert_pem))
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            with client.wrap_socket(raw, server_hostname="localhost") as tls:
                seen = hashlib.sha1(tls.getpeercert(binary_form=True)).hexdigest().upper()
        assert seen == configured
        code = main(["cert", "status", "--config", str(config), "--endpoint",
                     f"127.0.0.1:{server.port}", "--hostname", "localhost", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["findings"]
    assert report["served"]["thumbprint"] == configured == report["configured_thumbprint"]
    assert not server.errors


def test_status_reports_a_served_certificate_that_differs(config, tmp_path, monkeypatch, capsys,
                                                          LoopbackTlsServer):
    monkeypatch.setenv("ECMA_TEST_PFX", PASS)
    assert regenerate(config, tmp_path / "a", "--pfx-password-env", "ECMA_TEST_PFX", "--no-config") == 0
    capsys.readouterr()
    cert_pem = next((tmp_path / "a").glob("*.crt.pem"))
    key_pem = next((tmp_path / "a").glob("*.key.pem"))
    with LoopbackTlsServer(cert_pem, key_pem, PASS) as server:
        code = main(["cert", "status", "--config", str(config), "--endpoint", f"127.0.0.1:{server.port}",
                     "--hostname", "localhost"])
    text = capsys.readouterr().out
    assert code == 1
    assert "The endpoint serves certificate" in text and "configuration names" in text


def test_without_keyring_regenerate_needs_the_env_variable_and_says_why(config, tmp_path, no_keyring,
                                                                       capsys):
    assert regenerate(config, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "no usable keyring on this system" in err and "--pfx-password-env" in err
    assert not (tmp_path / "out").exists()


def test_with_a_keyring_the_random_passphrase_goes_there(config, tmp_path, capsys):
    assert regenerate(config, tmp_path / "out") == 0
    thumb = ConfigStore(config).load().setting.certificate
    passphrase = SecretStore().get(keyring_key(thumb))
    assert passphrase and passphrase not in capsys.readouterr().out
    pfx = next((tmp_path / "out").glob("*.pfx")).read_bytes()
    assert pkcs12.load_key_and_certificates(pfx, passphrase.encode())[0] is not None


def test_dry_run_changes_nothing(config, tmp_path, capsys):
    before = config.read_bytes()
    assert regenerate(config, tmp_path / "out", "--dry-run") == 0
    assert "Dry run: nothing was done." in capsys.readouterr().out
    assert config.read_bytes() == before and not (tmp_path / "out").exists()


def test_a_password_never_goes_on_the_command_line():
    with pytest.raises(SystemExit) as exc:
        main(["cert", "regenerate", "--hostname", "h", "--out", "x", "--pfx-password", "oops"])
    assert exc.value.code == 2


def test_prompt_path_when_there_is_no_keyring(no_keyring):
    args = Namespace(pfx_password_env=None)
    answers = iter([PASS, PASS])
    assert choose_passphrase(args, SecretStore(), stdin_tty=True, prompt=lambda _p: next(answers)) == (PASS, False)
    answers = iter([PASS, "different-passphrase"])
    with pytest.raises(UserError, match="differ"):
        choose_passphrase(args, SecretStore(), stdin_tty=True, prompt=lambda _p: next(answers))
    with pytest.raises(UserError, match="shorter"):
        choose_passphrase(args, SecretStore(), stdin_tty=True, prompt=lambda _p: "short")


def test_status_of_a_named_file_with_a_wrong_host(config, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ECMA_TEST_PFX", PASS)
    assert regenerate(config, tmp_path / "out", "--pfx-password-env", "ECMA_TEST_PFX") == 0
    capsys.readouterr()
    pfx = next((tmp_path / "out").glob("*.pfx"))
    code = main(["cert", "status", "--config", str(config), "--file", str(pfx), "--password-env",
                 "ECMA_TEST_PFX", "--hostname", "otherhost.fabrikam.com"])
    text = capsys.readouterr().out
    assert code == 1 and "not for this host" in text and "private key present" in text


def test_an_unset_env_variable_is_not_echoed(capsys):
    code = main(["cert", "regenerate", "--hostname", "h", "--out", "x", "--pfx-password-env",
                 "Tr0ub4dor&3-typed-here"])
    err = capsys.readouterr().err
    assert code == 2 and "Tr0ub4dor" not in err and "not the passphrase" in err
