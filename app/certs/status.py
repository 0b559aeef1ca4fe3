"""Is the host's certificate fine? Findings for the status page, the banner and `cert status`.

A swapped or expired certificate puts the Entra application into quarantine (docs/host-facts.md §7), so
each way it goes wrong is named: missing or malformed thumbprint, not found, expired, not yet
valid, expiring within 60/30/7 days, wrong host name, configured vs served mismatch.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.certs.inspect import (
    CertificateInfo,
    LoadedCertificate,
    is_valid_thumbprint,
    normalize_thumbprint,
)
from app.errors import UserError
from app.severity import Severity

if TYPE_CHECKING:  # a store comes in from the caller; reading a status needs no store module
    from app.certs.store import CertificateStore

REGENERATE = "Regenerate the certificate, then retest the connection in Entra."


@dataclass(frozen=True)
class Finding:
    """One thing the status check found: its severity is ERROR, WARNING or INFO."""

    severity: Severity
    code: str
    message: str
    action: str = ""


class ExpiryLevel(enum.Enum):
    """The banner's states (60, 30, 7 days and expired)."""

    OK = "ok"
    WITHIN_60 = "60"
    WITHIN_30 = "30"
    WITHIN_7 = "7"
    EXPIRED = "expired"


def expiry_level(info: CertificateInfo | None, now: dt.datetime | None = None) -> ExpiryLevel:
    if info is None:
        return ExpiryLevel.OK
    if info.is_expired(now):
        return ExpiryLevel.EXPIRED
    days = info.days_left(now)
    if days < 7:
        return ExpiryLevel.WITHIN_7
    if days < 30:
        return ExpiryLevel.WITHIN_30
    if days < 60:
        return ExpiryLevel.WITHIN_60
    return ExpiryLevel.OK


def _date(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def certificate_findings(info: CertificateInfo, host_names: Sequence[str], *,
                         now: dt.datetime | None = None, needs_private_key: bool = False) -> list[Finding]:
    """Findings about one certificate on its own: dates, names, purpose, key."""
    now = now or dt.datetime.now(dt.UTC)
    found: list[Finding] = []
    if info.is_expired(now):
        found.append(Finding(Severity.ERROR, "expired", f"The certificate expired on {_date(info.not_after)}; "
                             "Entra quarantines the application.", REGENERATE))
    elif info.is_not_yet_valid(now):
        found.append(Finding(Severity.ERROR, "not-yet-valid",
                             f"The certificate is not valid before {_date(info.not_before)}; "
                             "check this machine's clock or regenerate it.", REGENERATE))
    else:
        level = expiry_level(info, now)
        days = info.days_left(now)
        if level is ExpiryLevel.WITHIN_7:
            found.append(Finding(Severity.ERROR, "expiring-7", f"The certificate expires in {days} days "
                                 f"({_date(info.not_after)}).", REGENERATE))
        elif level in (ExpiryLevel.WITHIN_30, ExpiryLevel.WITHIN_60):
            found.append(Finding(Severity.WARNING, f"expiring-{level.value}", f"The certificate expires in "
                                 f"{days} days ({_date(info.not_after)}).", REGENERATE))
    names = [n for n in host_names if n]
    if names:
        match = info.host_match(names)
        if not match.any:
            found.append(Finding(
                Severity.ERROR, "wrong-host",
                f"The certificate is for {', '.join(info.sans) or info.common_name or 'no name'}, "
                f"not for this host ({', '.join(names)}).", REGENERATE))
        elif match.missing:
            found.append(Finding(Severity.INFO, "host-partly-covered",
                                 f"The certificate does not cover {', '.join(match.missing)}.",
                                 "Use a name it covers in the Tenant URL, or regenerate with that name."))
    if info.ekus and "serverAuth" not in info.ekus:
        found.append(Finding(Severity.WARNING, "no-server-auth", "The certificate is not marked for server "
                             f"authentication (EKU: {', '.join(info.ekus)}).", REGENERATE))
    if needs_private_key and not info.has_private_key:
        found.append(Finding(Severity.ERROR, "no-private-key", "The certificate in the store has no private "
                             "key, so HTTP.sys cannot serve it.", REGENERATE))
    if info.self_signed:
        found.append(Finding(Severity.INFO, "self-signed", "The certificate is self-signed (as Microsoft's "
                             "wizard makes it); it must be in Trusted Root on this host."))
    return found


@dataclass
class CertificateStatus:
    """Everything `cert status` and the Settings tab show."""

    configured_thumbprint: str | None
    certificate: CertificateInfo | None
    served: CertificateInfo | None
    host_names: tuple[str, ...]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def why_unknown(self) -> str | None:
        """Why no certificate could be shown, in one sentence (None when one is known)."""
        if self.certificate is not None:
            return None
        if not self.configured_thumbprint:
            return "No thumbprint is configured, so there is no certificate to look up."
        if any(f.code == "not-found" for f in self.findings):
            return "No certificate with the configured thumbprint is in the certificate store."
        if self.notes:
            return "It could not be looked up: " + " ".join(self.notes)
        return "It could not be looked up: no certificate store, file or running endpoint was available."

    def expiry(self, now: dt.datetime | None = None) -> ExpiryLevel:
        return expiry_level(self.certificate or self.served, now)

    def to_json(self, now: dt.datetime | None = None) -> dict[str, Any]:
        return {
            "configured_thumbprint": self.configured_thumbprint,
            "certificate": info_to_json(self.certificate, now),
            "served": info_to_json(self.served, now),
            "host_names": list(self.host_names),
            "expiry": self.expiry(now).value,
            "findings": [vars(f) for f in self.findings],
            "notes": list(self.notes),
        }


def info_to_json(info: CertificateInfo | None, now: dt.datetime | None = None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "thumbprint": info.thumbprint, "subject": info.subject, "dns_names": list(info.dns_names),
        "ip_addresses": list(info.ip_addresses), "issuer": info.issuer,
        "self_signed": info.self_signed, "not_before": info.not_before.isoformat(),
        "not_after": info.not_after.isoformat(), "days_left": info.days_left(now),
        "key_type": info.key_type, "key_size": info.key_size, "ekus": list(info.ekus),
        "has_private_key": info.has_private_key, "source": info.source,
    }


def _check_binding(store: CertificateStore, port: int, thumb: str, status: CertificateStatus) -> None:
    """The HTTP.sys binding of the port is what clients get; another tool may have swapped it (docs/host-facts.md §7)."""
    try:
        binding = store.get_binding(port)
    except UserError as exc:
        status.notes.append(f"HTTP.sys binding not read: {exc.sentence()}")
        return
    if binding is None:
        status.notes.append(f"No HTTP.sys binding exists on 0.0.0.0:{port}.")
    elif binding.certificate_hash != thumb:
        status.findings.append(Finding(
            Severity.ERROR, "binding-mismatch", f"The HTTP.sys binding {binding.ip_port} uses certificate "
            f"{binding.certificate_hash}, but the configuration names {thumb} (another tool, such as "
            "Cloud Sync, may have changed it).", "Regenerate, or point the binding back at the "
            "configured certificate, then restart the service."))


def gather_status(configured: str | None, *, host_names: Sequence[str],
                  store: CertificateStore | None = None, file: LoadedCertificate | None = None,
                  endpoint: tuple[str, int] | None = None, port: int | None = None,
                  fetch: Callable[..., CertificateInfo] | None = None,
                  now: dt.datetime | None = None) -> CertificateStatus:
    """Find the configured certificate (store, else the named file, else what the endpoint serves)
    and report on it. `store` is a CertificateStore; an unavailable one only adds a note."""
    now = now or dt.datetime.now(dt.UTC)
    status = CertificateStatus(None, None, None, tuple(host_names))
    add = status.findings.append
    thumb = None
    if configured is None or not configured.strip():
        add(Finding(Severity.ERROR, "thumbprint-missing", "No certificate thumbprint is configured "
                    "(<Setting><Certificate> is empty).", REGENERATE))
    elif not is_valid_thumbprint(configured):
        add(Finding(Severity.ERROR, "thumbprint-malformed", f"The configured thumbprint {configured.strip()!r} "
                    "is not 40 hexadecimal digits.", "Paste the SHA-1 thumbprint again, or regenerate."))
    else:
        thumb = normalize_thumbprint(configured)
        if thumb != configured.strip():
            add(Finding(Severity.WARNING, "thumbprint-format", "The configured thumbprint has spaces, lower "
                        "case or invisible characters; it should be 40 upper-case hex digits.",
                        "Save the settings once to normalize it."))
    status.configured_thumbprint = thumb or (configured.strip() if configured else None)

    if endpoint is not None:
        from app.certs.served import fetch_served_certificate

        try:
            status.served = (fetch or fetch_served_certificate)(*endpoint)
        except UserError as exc:
            status.notes.append(f"Served certificate not read: {exc.sentence()}")

    needs_key = False
    if store is not None and store.available():
        if thumb:
            status.certificate = store.find(thumb)
            needs_key = True
            if status.certificate is None:
                add(Finding(Severity.ERROR, "not-found", f"No certificate with thumbprint {thumb} is in "
                            f"{store.location}.", REGENERATE))
        if thumb and port:
            _check_binding(store, port, thumb, status)
    elif store is not None:
        # a store may be unavailable without saying why; the note must still be a sentence
        status.notes.append(store.unavailable_reason or "The certificate store cannot be read here.")
    if status.certificate is None and file is not None:
        info = file.info()
        status.certificate = info
        if thumb and info.thumbprint != thumb:
            add(Finding(Severity.ERROR, "file-mismatch", f"The file {file.source} holds certificate "
                        f"{info.thumbprint}, not the configured {thumb}.",
                        "Name the right file, or write this thumbprint to the configuration."))
    if status.served is not None:
        if thumb and status.served.thumbprint != thumb:
            add(Finding(Severity.ERROR, "thumbprint-mismatch",
                        f"The endpoint serves certificate {status.served.thumbprint}, but the "
                        f"configuration names {thumb}; Entra will see the served one.",
                        "Update the HTTP.sys binding or the configuration, then restart the service."))
        if status.certificate is None:
            status.certificate = status.served
    subject = status.certificate
    if subject is not None:
        status.findings.extend(certificate_findings(subject, host_names, now=now,
                                                    needs_private_key=needs_key))
    elif thumb and not any(f.code == "not-found" for f in status.findings):
        status.notes.append("The certificate itself could not be examined: name a PFX/PEM file or "
                            "a running endpoint.")
    status.findings.sort(key=lambda f: f.severity.rank)
    return status
