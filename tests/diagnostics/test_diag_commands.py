"""`ecma-wizard test-connection` and `ecma-wizard doctor`: exit codes, output, the token's path."""

from __future__ import annotations

import json
import shutil

import pytest
from diag_scim_responder import TOKEN

from app.certs.status import CertificateStatus
from app.cli import main
from app.config.store import ConfigStore
from app.diagnostics.tokens import token_key
from app.host.layout import from_host_dir
from app.secrets import SERVICE


@pytest.fixture
def host(tmp_path, sample_host, good_cert):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    doc = store.load()
    doc.setting.certificate = good_cert.thumbprint
    store.save(doc)
    return layout


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_all_steps_pass_exit_0_and_headers_shown(scim, host, capsys, monkeypatch):
    responder = scim("ok")
    monkeypatch.setenv("ECMA_TOKEN", TOKEN)
    code, out, err = run(capsys, "test-connection", "CSV", "--host-dir", str(host.root), "--host", "127.0.0.1",
                         "--port", str(responder.port), "--token-env", "ECMA_TOKEN", "--timeout", "2")
    assert code == 0, out + err
    assert "PASS  Connect" in out and "PASS  SCIM Schemas" in out and "All steps passed." in out
    assert "Last-Successful-Import: 2025-06-01T10:00:00Z" in out
    assert TOKEN not in out + err


def test_a_failed_check_exits_1_with_the_fix(scim, host, capsys, monkeypatch):
    responder = scim("401")
    monkeypatch.setenv("ECMA_TOKEN", TOKEN)
    code, out, _ = run(capsys, "test-connection", "CSV", "--host-dir", str(host.root), "--host", "127.0.0.1",
                       "--port", str(responder.port), "--token-env", "ECMA_TOKEN", "--timeout", "2")
    assert code == 1 and "FAIL  SCIM Users" in out and "token differs" in out


def test_json_output(scim, host, capsys, monkeypatch):
    responder = scim("wrong-cert")
    monkeypatch.setenv("ECMA_TOKEN", TOKEN)
    code, out, _ = run(capsys, "test-connection", "CSV", "--host-dir", str(host.root), "--host", "127.0.0.1",
                       "--port", str(responder.port), "--token-env", "ECMA_TOKEN", "--json", "--timeout", "2")
    data = json.loads(out)
    assert code == 1 and data["passed"] is False
    assert [s["outcome"] for s in data["steps"]] == ["pass", "pass", "fail", "pass", "pass", "pass"]
    assert data["last_successful"]["Last-Successful-Export"] == "2025-06-01T10:05:00Z"


def test_usage_and_input_errors_exit_2(host, capsys, monkeypatch):
    code, _, err = run(capsys, "test-connection", "csv", "--host-dir", str(host.root), "--token-env", "X")
    assert code == 2 and "did you mean 'CSV'" in err
    monkeypatch.delenv("NOT_SET", raising=False)
    code, _, err = run(capsys, "test-connection", "CSV", "--host-dir", str(host.root), "--token-env", "NOT_SET")
    assert code == 2 and "NOT_SET is not set" in err
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "test-connection", "CSV", "--host-dir", str(host.root))
    assert code == 2 and "--token-env" in err
    with pytest.raises(SystemExit) as exc:
        main(["test-connection", "CSV", "--port", "abc"])
    assert exc.value.code == 2


def test_the_token_is_remembered_only_when_asked_and_then_reused(scim, host, capsys, monkeypatch, memory_keyring):
    responder = scim("ok")
    monkeypatch.setenv("ECMA_TOKEN", TOKEN)
    args = ["test-connection", "CSV", "--host-dir", str(host.root), "--host", "127.0.0.1",
            "--port", str(responder.port), "--timeout", "2"]
    assert run(capsys, *args, "--token-env", "ECMA_TOKEN")[0] == 0
    assert memory_keyring.store == {}
    code, _, err = run(capsys, *args, "--token-env", "ECMA_TOKEN", "--remember")
    assert code == 0 and "remembered" in err and TOKEN not in err
    assert memory_keyring.store[(SERVICE, token_key("CSV"))] == TOKEN
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert run(capsys, *args)[0] == 0  # no --token-env, no prompt: the remembered token is used


@pytest.fixture
def not_windows(monkeypatch):
    """The doctor's Windows facts as they are off the host (the Windows CI job has no ECMA2Host)."""
    from app.cli import diagnostics as commands
    from app.diagnostics import doctor
    from app.host.machine import UnavailableMachine
    from app.host.service import UnavailableServiceControl

    monkeypatch.setattr(doctor, "default_machine", lambda: UnavailableMachine("test"))
    monkeypatch.setattr(commands, "default_machine", lambda: UnavailableMachine("test"))
    monkeypatch.setattr(doctor, "default_service_control", lambda **_: UnavailableServiceControl("test"))
    monkeypatch.setattr(doctor, "default_certificate_check",
                        lambda configured, port, probe, **_: CertificateStatus(configured, None, None, ()))


def test_doctor_exit_codes_and_json(host, capsys, not_windows):
    code, out, _ = run(capsys, "doctor", "--host-dir", str(host.root))
    assert code == 1 and "Verbose logging with Generic SQL" in out  # the sample host logs verbosely
    assert run(capsys, "logging", "set", "Information", "--host-dir", str(host.root))[0] == 0
    code, out, _ = run(capsys, "doctor", "--host-dir", str(host.root), "--json")
    data = json.loads(out)
    assert code == 0 and data["problems"] == 0, [c for c in data["checks"] if c["severity"] in ("warning", "error")]


def test_doctor_copy_needs_winsxs(host, capsys, not_windows):
    code, _, err = run(capsys, "doctor", "--host-dir", str(host.root), "--copy-powershell-dlls")
    assert code == 2 and "WinSxS has no" in err


def test_a_typed_token_is_read_without_echo(scim, host, capsys, monkeypatch, memory_keyring):
    responder = scim("ok")
    asked = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or TOKEN)
    code, out, err = run(capsys, "test-connection", "CSV", "--host-dir", str(host.root), "--host", "127.0.0.1",
                         "--port", str(responder.port), "--timeout", "2")
    assert code == 0 and asked and "not shown" in asked[0]
    assert memory_keyring.store == {} and TOKEN not in out + err
