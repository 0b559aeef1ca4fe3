"""Status findings: expired, not yet valid, expiring, wrong host, mismatch, malformed."""

from __future__ import annotations

import datetime as dt

import pytest

from app.certs.inspect import LoadedCertificate
from app.certs.status import ExpiryLevel, certificate_findings, expiry_level, gather_status
from app.certs.store import UnavailableStore
from app.errors import UserError

HOST = ("ecmahost", "ecmahost.contoso.local")


def codes(findings):
    return [f.code for f in findings]


def test_a_good_certificate_has_only_the_self_signed_note(make_cert, now):
    found = certificate_findings(make_cert().info(), HOST, now=now)
    assert codes(found) == ["self-signed"]


def test_expired_is_reported_as_expired(make_cert, now):
    info = make_cert(days=365, now=now - dt.timedelta(days=400)).info()
    found = certificate_findings(info, HOST, now=now)
    assert found[0].code == "expired" and found[0].severity == "error"
    assert "quarantine" in found[0].message
    assert expiry_level(info, now) is ExpiryLevel.EXPIRED


def test_not_yet_valid_is_reported_as_such(make_cert, now):
    info = make_cert(now=now + dt.timedelta(days=3)).info()
    found = certificate_findings(info, HOST, now=now)
    assert found[0].code == "not-yet-valid" and found[0].severity == "error"
    assert "clock" in found[0].message


def test_wrong_host_is_reported_as_such(make_cert, now):
    info = make_cert(("otherhost", "otherhost.fabrikam.com")).info()
    found = certificate_findings(info, HOST, now=now)
    assert found[0].code == "wrong-host" and found[0].severity == "error"
    assert "otherhost" in found[0].message and "ecmahost" in found[0].message


def test_partly_covered_host_is_only_a_note(make_cert, now):
    found = certificate_findings(make_cert(("ecmahost",)).info(), HOST, now=now)
    assert "host-partly-covered" in codes(found) and "wrong-host" not in codes(found)


@pytest.mark.parametrize("days_left,level,code,severity", [
    (90, ExpiryLevel.OK, None, None),
    (59, ExpiryLevel.WITHIN_60, "expiring-60", "warning"),
    (29, ExpiryLevel.WITHIN_30, "expiring-30", "warning"),
    (6, ExpiryLevel.WITHIN_7, "expiring-7", "error"),
])
def test_expiry_thresholds(make_cert, now, days_left, level, code, severity):
    # Issued 100 days ago, valid (100 + days_left) days, plus the 5-minute skew.
    info = make_cert(days=100 + days_left + 1, now=now - dt.timedelta(days=100)).info()
    assert info.days_left(now) == days_left
    assert expiry_level(info, now) is level
    found = [f for f in certificate_findings(info, HOST, now=now) if f.code.startswith("expiring")]
    assert [(f.code, f.severity) for f in found] == ([(code, severity)] if code else [])


def test_missing_and_malformed_thumbprints(now):
    assert codes(gather_status("", host_names=HOST, now=now).findings) == ["thumbprint-missing"]
    status = gather_status("12345", host_names=HOST, now=now)
    assert codes(status.findings) == ["thumbprint-malformed"] and status.has_errors


def test_lower_case_thumbprint_is_normalized_with_a_warning(make_cert, now):
    gen = make_cert()
    status = gather_status(gen.thumbprint.lower(), host_names=HOST, now=now,
                           file=LoadedCertificate(gen.certificate, gen.private_key, "c.pfx"))
    assert status.configured_thumbprint == gen.thumbprint
    assert "thumbprint-format" in codes(status.findings) and not status.has_errors


def test_served_certificate_differing_from_the_configured_one_is_an_error(make_cert, now):
    configured, served = make_cert(), make_cert()
    status = gather_status(configured.thumbprint, host_names=HOST, now=now,
                           endpoint=("127.0.0.1", 8585), fetch=lambda host, port: served.info())
    mismatch = [f for f in status.findings if f.code == "thumbprint-mismatch"]
    assert mismatch and mismatch[0].severity == "error"
    assert served.thumbprint in mismatch[0].message and configured.thumbprint in mismatch[0].message
    assert status.certificate.thumbprint == served.thumbprint  # examined: what Entra sees


def test_served_matching_the_configured_one_is_fine(make_cert, now):
    gen = make_cert()
    status = gather_status(gen.thumbprint, host_names=HOST, now=now, endpoint=("h", 1),
                           fetch=lambda host, port: gen.info())
    assert not status.has_errors


def test_unreachable_endpoint_is_a_note_not_a_crash(make_cert, now):
    def refuse(host, port):
        raise UserError("nothing listens on h:1 (connection refused)")

    gen = make_cert()
    status = gather_status(gen.thumbprint, host_names=HOST, now=now, endpoint=("h", 1), fetch=refuse)
    assert any("connection refused" in n for n in status.notes)
    assert any("could not be examined" in n for n in status.notes)


def test_file_with_another_thumbprint_is_an_error(make_cert, now):
    a, b = make_cert(), make_cert()
    status = gather_status(a.thumbprint, host_names=HOST, now=now,
                           file=LoadedCertificate(b.certificate, None, "other.pem"))
    assert "file-mismatch" in codes(status.findings)


def test_unavailable_store_adds_a_plain_note(make_cert, now):
    gen = make_cert()
    status = gather_status(gen.thumbprint, host_names=HOST, now=now, store=UnavailableStore("linux"))
    assert any("only on Windows" in n for n in status.notes)


class _SilentStore(UnavailableStore):
    """A store that is unavailable without saying why: CertificateStore.unavailable_reason is
    `str | None`, so a store may do this; found when gather_status was annotated (issue 24)."""

    @property
    def unavailable_reason(self) -> None:  # type: ignore[override]
        return None


def test_a_store_unavailable_without_a_reason_still_leaves_a_sentence(make_cert, now):
    gen = make_cert()
    status = gather_status(gen.thumbprint, host_names=HOST, now=now, store=_SilentStore("linux"))
    assert all(isinstance(n, str) and n for n in status.notes)
    assert status.why_unknown().startswith("It could not be looked up: The certificate store cannot be read here.")


def test_store_lookup_not_found_and_no_private_key(make_cert, now):
    gen = make_cert()

    class FakeStore:
        location = r"LocalMachine\My"

        def __init__(self, info):
            self.info = info

        def available(self):
            return True

        def find(self, thumbprint):
            return self.info

    status = gather_status(gen.thumbprint, host_names=HOST, now=now, store=FakeStore(None))
    assert codes(status.findings) == ["not-found"]
    without_key = gen.info().__class__(**{**vars(gen.info()), "has_private_key": False})
    status = gather_status(gen.thumbprint, host_names=HOST, now=now, store=FakeStore(without_key))
    assert "no-private-key" in codes(status.findings)


def test_json_shape(make_cert, now):
    gen = make_cert()
    data = gather_status(gen.thumbprint, host_names=HOST, now=now, endpoint=("h", 1),
                         fetch=lambda h, p: gen.info()).to_json(now)
    assert data["certificate"]["thumbprint"] == gen.thumbprint
    assert data["expiry"] == "ok" and data["certificate"]["days_left"] == 729
    assert {"severity", "code", "message", "action"} <= set(data["findings"][0])


def test_http_sys_binding_pointing_elsewhere_is_an_error(make_cert, now):
    from app.certs.store import SslBinding

    gen = make_cert()

    class Store:
        location = r"LocalMachine\My"

        def __init__(self, binding):
            self.binding = binding

        def available(self):
            return True

        def find(self, thumbprint):
            return gen.info()

        def get_binding(self, port):
            return self.binding

    other = SslBinding("0.0.0.0:8585", "F" * 40, "{4dc3e181-e14b-4a21-b022-59fc669b0914}", "My")
    status = gather_status(gen.thumbprint, host_names=HOST, now=now, store=Store(other), port=8585)
    assert "binding-mismatch" in codes(status.findings) and status.has_errors
    same = SslBinding("0.0.0.0:8585", gen.thumbprint, other.app_id, "My")
    assert not gather_status(gen.thumbprint, host_names=HOST, now=now, store=Store(same), port=8585).has_errors
    status = gather_status(gen.thumbprint, host_names=HOST, now=now, store=Store(None), port=8585)
    assert any("No HTTP.sys binding" in n for n in status.notes)
