"""The host comparison tells "same value" from "differs" for secrets this machine can read on both
sides, without showing either; ciphertexts alone say nothing."""

from __future__ import annotations

import json

from app.hostsecrets.compare import same_secret
from app.hostsecrets.dpapi import UnavailableDpapi
from app.migrate.hostdiff import diff_hosts
from tests.hostsecrets.fake_dpapi import FakeDpapi
from tests.hostsecrets.helpers import document, host_blob, spec

TOKEN = "shared-token-0123456789"


def _files(tmp_path, a_spec, b_spec):
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_bytes(document(a_spec).to_bytes())  # the test's own scratch files
    b.write_bytes(document(b_spec).to_bytes())
    return a, b


def test_same_token_in_other_ciphertext_is_same_and_another_password_differs(tmp_path):
    a, b = _files(tmp_path,
                  spec("HR", host_blob(TOKEN, encoding="utf-16-le"), password=host_blob("pw-one-111")),
                  spec("HR", host_blob(TOKEN, encoding="utf-8"), password=host_blob("pw-two-222")))
    diff = diff_hosts(a, b, FakeDpapi("HOST-A"))
    secrets = [c for c in diff.changes if c.area == "secret"]
    assert [(c.field, c.old, c.new) for c in secrets] == [("Password (Connectivity page)", "set", "set, differs")]
    assert any(n.startswith("Same value on both sides: HR: Secret Token") for n in diff.notes)
    text = json.dumps(diff.to_dict())
    for value in (TOKEN, "pw-one-111", "pw-two-222"):
        assert value not in text


def test_without_dpapi_encrypted_secrets_are_compared_by_presence_only(tmp_path):
    a, b = _files(tmp_path, spec("HR", host_blob(TOKEN)), spec("HR", host_blob("other-token-999")))
    diff = diff_hosts(a, b, UnavailableDpapi("not Windows."))
    assert not [c for c in diff.changes if c.area == "secret"]
    assert not any(n.startswith("Same value") for n in diff.notes)


def test_same_secret_reads_plain_and_decryptable_values_only():
    dpapi = FakeDpapi("HOST-A")
    assert same_secret(TOKEN, host_blob(TOKEN), dpapi) is True
    assert same_secret(TOKEN, TOKEN + "x", dpapi) is False
    assert same_secret(TOKEN, host_blob(TOKEN, machine="HOST-B"), dpapi) is None
    assert same_secret(TOKEN, "AAEAAAD/////broken", dpapi) is None
