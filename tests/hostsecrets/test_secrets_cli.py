"""`ecma-wizard secrets`: each secret's state and shape, never its value; exit 0 / 1 / 2."""

from __future__ import annotations

import json

import pytest

from app.cli import hostsecrets as commands
from app.cli import main
from app.hostsecrets.inspect import inspect_document
from tests.hostsecrets.fake_dpapi import FakeDpapi
from tests.hostsecrets.helpers import document, host_blob, spec

PLAIN = "plain-token-abcdef123456"
BROKEN = "AAEAAAD/////AQAAAAAAAAAMAgAAAGt/njar5h/c8cRwB6FwWi0ukkaCqOJbMGwOwV3r9OLq"


def _write(tmp_path, doc):
    path = tmp_path / "Configuration.xml"
    path.write_bytes(doc.to_bytes())  # a test's own scratch file
    return path


def test_json_lists_every_state_without_values(tmp_path, capsys):
    secret = host_blob("hidden-value-987")
    doc = document(spec("A", secret, password=""), spec("B", PLAIN, password=BROKEN))
    code = main(["secrets", "--config", str(_write(tmp_path, doc)), "--json"])
    out = capsys.readouterr().out
    rows = json.loads(out)
    assert code == 1
    assert [(r["connector"], r["parameter"], r["state"]) for r in rows] == [
        ("A", "SecretToken", "encrypted"), ("A", "Password", "empty"),
        ("B", "SecretToken", "plain"), ("B", "Password", "unreadable")]
    first = rows[0]
    assert first["class"] == "Microsoft.ECMA2Host.Encrypted.DataEncypt"
    assert first["members"][0]["type"] == "Byte[]" and first["members"][0]["length"] > 20
    assert all(r["decryptable"] is None for r in rows)  # no DPAPI off Windows
    assert set(first) == {"connector", "parameter", "state", "class", "library", "members", "decryptable"}
    for value in (secret, PLAIN, BROKEN, "hidden-value-987"):
        assert value not in out


def test_text_output_names_states_and_exit_zero_when_all_encrypted_or_empty(tmp_path, capsys):
    doc = document(spec("A", host_blob("hidden-value-987"), password=""))
    code = main(["secrets", "--config", str(_write(tmp_path, doc))])
    out = capsys.readouterr().out
    assert code == 0 and "encrypted: Microsoft.ECMA2Host.Encrypted.DataEncypt" in out
    assert "only on Windows" in out and "Nothing is stored in plain text" in out


def test_on_windows_it_says_whether_this_machine_can_decrypt(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(commands, "default_dpapi", lambda: FakeDpapi("HOST-A"))
    doc = document(spec("A", host_blob("mine-123456789")), spec("B", host_blob("theirs-123456", "HOST-B")))
    code = main(["secrets", "--config", str(_write(tmp_path, doc)), "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["decryptable"] for r in rows] == [True, False]


def test_bad_input_exits_2_with_one_sentence(tmp_path, capsys):
    assert main(["secrets", "--config", str(tmp_path / "missing.xml")]) == 2
    bad = tmp_path / "bad.xml"
    bad.write_text("<Configuration><Connectors>")
    assert main(["secrets", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(bad) in err


def test_an_unreadable_value_says_what_is_wrong_without_the_value():
    doc = document(spec("B", BROKEN))
    (status,) = inspect_document(doc)
    assert status.state == "unreadable" and "library name at byte 23" in status.reason
    assert BROKEN not in status.summary() and BROKEN[12:30] not in status.summary()


@pytest.mark.parametrize("value", ["AAEAAAD/////", "AAEAAAD/////not base64!", "AAEAAAD/////AQAAAAAAAAAL"])
def test_values_that_claim_to_be_encrypted_and_are_not_are_unreadable(value):
    (status,) = inspect_document(document(spec("B", value)))
    assert status.state == "unreadable" and status.reason


def test_validation_flags_an_unreadable_secret_on_its_page():
    from app.config.rules import validate

    doc = document(spec("B", BROKEN, password="AAEAAAD/////AQAAAAAAAAAL"))
    found = [(f.code, f.page, f.field) for f in validate(doc) if f.code == "secret-unreadable"]
    assert found == [("secret-unreadable", "properties", "SecretToken"),
                     ("secret-unreadable", "connectivity", "Password")]
    assert not [f for f in validate(document(spec("A", host_blob("x" * 20)))) if f.code == "secret-unreadable"]
