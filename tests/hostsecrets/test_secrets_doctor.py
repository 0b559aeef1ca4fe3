"""The doctor's secret check uses the same classification as `ecma-wizard secrets`."""

from __future__ import annotations

import shutil

from app.certs.status import CertificateStatus
from app.config.document import ConfigDocument
from app.diagnostics.doctor import run_doctor
from app.host.layout import from_host_dir
from app.host.machine import UnavailableMachine
from app.host.service import UnavailableServiceControl
from app.hostsecrets.dpapi import default_dpapi
from tests.hostsecrets.fake_dpapi import FakeDpapi
from tests.hostsecrets.helpers import host_blob

PLAIN = "typed-plain-token-123456"
BROKEN = "AAEAAAD/////AQAAAAAAAAAL"


def _doctor(tmp_path, sample_host, edit, dpapi):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    doc = ConfigDocument.load(layout.config_path)
    edit(doc)
    layout.config_path.write_bytes(doc.to_bytes())  # the test's own copy of the sample
    return run_doctor(layout, machine=UnavailableMachine("linux"), service=UnavailableServiceControl("linux"),
                      certificate_check=_no_certificate, dpapi=dpapi)


def _no_certificate(configured, port, probe):
    return CertificateStatus(configured, None, None, ("localhost",))


def _secret_checks(report):
    return [c for c in report.checks if c.id == "secret"]


def test_plain_unreadable_and_foreign_secrets_are_findings(tmp_path, sample_host):
    def edit(doc):
        doc.find_connector("CSV").secret_token = PLAIN
        doc.find_connector("HRDatabase").secret_token = BROKEN
        doc.find_connector("HRDatabase").parameter("Password").value = host_blob("x" * 20, machine="HOST-B")

    report = _doctor(tmp_path, sample_host, edit, FakeDpapi("HOST-A"))
    checks = _secret_checks(report)
    text = " ".join(c.message for c in checks)
    assert [c.severity for c in checks] == ["warning", "warning", "error", "warning"]
    assert "connector 'CSV' / SecretToken is stored as typed" in text
    assert "connector 'HRDatabase' / SecretToken is not a readable encrypted value" in text
    assert "cannot decrypt it" in text and PLAIN not in text and BROKEN not in text


def test_encrypted_secrets_off_windows_are_fine(tmp_path, sample_host):
    report = _doctor(tmp_path, sample_host, lambda doc: None, default_dpapi("linux"))
    (check,) = _secret_checks(report)
    assert check.severity == "ok" and "4 secret(s) are encrypted values" in check.message
