"""Secrets moving between hosts in a bundle: the source host adds the text behind the DPAPI values it
can decrypt (inside the passphrase-encrypted secrets file only); a restore on another host encrypts
them, and values stored as typed, through the route proven there, or lists them to enter again."""

from __future__ import annotations

import shutil

import pytest

from app.config.document import ConfigDocument
from app.config.secretvalues import read_secret
from app.host.layout import from_host_dir
from app.hostsecrets.dpapi import UnavailableDpapi
from app.migrate import bundle as bundles
from app.migrate.restore import restore_bundle
from tests.hostsecrets.fake_dpapi import FakeDpapi
from tests.hostsecrets.helpers import host_blob

PASS = "correct horse battery"
TOKEN = "token-from-host-a-0123456789"
PLAIN = "typed-password-1234"


def _host(tmp_path, sample_host, name, edit):
    root = tmp_path / name
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    doc = ConfigDocument.load(layout.config_path)
    edit(doc)
    layout.config_path.write_bytes(doc.to_bytes())  # the test's own copy of the sample
    return layout


@pytest.fixture
def source(tmp_path, sample_host):
    def edit(doc):
        doc.find_connector("CSV").secret_token = host_blob(TOKEN, machine="HOST-A")
        doc.find_connector("HRDatabase").parameter("Password").value = PLAIN
    return _host(tmp_path, sample_host, "a", edit)


@pytest.fixture
def target(tmp_path, sample_host):
    def edit(doc):  # a value this host made itself: route 1 learns from it
        doc.find_connector("HRDatabase").secret_token = host_blob("host-b-own-token-42", machine="HOST-B")
    return _host(tmp_path, sample_host, "b", edit)


def _bundle(source):
    made = bundles.create_bundle(source, passphrase=PASS, dpapi=FakeDpapi("HOST-A"))
    assert made.manifest["secrets"]["portable"] == 1  # only CSV's token decrypts on HOST-A
    assert TOKEN.encode() not in made.data and PLAIN.encode() not in made.data
    return bundles.read_bundle(made.data, "bundle.zip")


def test_restore_on_another_host_encrypts_for_it(source, target):
    report = restore_bundle(_bundle(source), target, passphrase=PASS, here="HOST-B",
                            dpapi=FakeDpapi("HOST-B"))
    assert "CSV: Secret Token" in report.secrets_encrypted
    assert "HRDatabase: Password (Connectivity page)" in report.secrets_encrypted
    assert "CSV: Secret Token" not in report.secrets_to_enter
    restored = ConfigDocument.load(target.config_path)
    dpapi_b = FakeDpapi("HOST-B")
    token = read_secret(restored.find_connector("CSV").secret_token)
    assert dpapi_b.unprotect(token.payload) == TOKEN.encode("utf-16-le")
    password = read_secret(restored.find_connector("HRDatabase").parameter("Password").value)
    assert dpapi_b.unprotect(password.payload) == PLAIN.encode("utf-16-le")
    data = target.config_path.read_bytes()
    assert TOKEN.encode() not in data and PLAIN.encode() not in data
    assert TOKEN not in report.text() and PLAIN not in report.text()
    from app import journal  # each secret written for this host is journaled, never its value

    written = [a for a in journal.read_journal().actions if a.action == "encrypt host secret"]
    assert {a.details["connector"] for a in written} == {"CSV", "HRDatabase"} and all(a.outcome == "ok" for a in written)
    text = b"".join(f.read_bytes() for f in journal.default_journal().files())
    assert TOKEN.encode() not in text and PLAIN.encode() not in text


def test_without_a_route_the_foreign_token_is_to_enter_again(source, target):
    report = restore_bundle(_bundle(source), target, passphrase=PASS, here="HOST-B",
                            dpapi=UnavailableDpapi("DPAPI exists only on Windows."))
    assert report.secrets_encrypted == []
    assert "CSV: Secret Token" in report.secrets_to_enter
    assert any("could be encrypted for this host but were not: DPAPI exists only on Windows" in n
               for n in report.notes)
    restored = ConfigDocument.load(target.config_path)
    assert restored.find_connector("CSV").secret_token == ""
    # a value stored as typed in the source file comes back as it was (nothing new is made plain)
    assert restored.find_connector("HRDatabase").parameter("Password").value == PLAIN
