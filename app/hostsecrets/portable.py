"""Secrets that travel between hosts in a backup bundle (under its passphrase) and are encrypted
again on the target host through the route proven there.

A DPAPI value only decrypts on the machine that wrote it. So when a bundle is made on a host that
can decrypt its own values, the bundle also carries each one's text (inside the passphrase-encrypted
secrets file, never elsewhere) under the value's key plus TEXT_SUFFIX; a restore on another host
encrypts those texts, and any value stored as typed, for that host, when a route is proven there.
"""

from __future__ import annotations

from app import journal
from app.config.document import ConfigDocument
from app.config.secretfields import secret_fields
from app.config.secretvalues import ENCRYPTED, PLAIN, read_secret
from app.hostsecrets.dpapi import Dpapi, DpapiRefused
from app.hostsecrets.writing import RouteUnproven, SecretRoute, plausible_encoding

TEXT_SUFFIX = "\n#text"  # bundle key of the text behind a DPAPI value: "<connector>\n<key>\n#text"


def text_of(value: str, dpapi: Dpapi) -> str | None:
    """The text behind a secret: typed text as is; an encrypted value decrypted here; else None."""
    reading = read_secret(value)
    if reading.state == PLAIN:
        return value
    if reading.state != ENCRYPTED or reading.payload is None or not dpapi.available:
        return None
    try:
        raw = dpapi.unprotect(reading.payload)
    except DpapiRefused:
        return None
    encoding = plausible_encoding(raw)
    return raw.decode(encoding) if encoding else None


def readable_texts(document: ConfigDocument, dpapi: Dpapi) -> dict[str, str]:
    """Bundle entries for the encrypted values this machine can decrypt (key + TEXT_SUFFIX)."""
    out = {}
    for c in document.connectors:
        for s in secret_fields(c.el):
            if s.value and read_secret(s.value).state == ENCRYPTED:
                text = text_of(s.value, dpapi)
                if text is not None:
                    out[f"{c.name}\n{s.key}{TEXT_SUFFIX}"] = text
    return out


def encrypt_into(config: bytes, texts: dict[str, str], route: SecretRoute,
                 source: str) -> tuple[bytes, list[str], str]:
    """Put each text ("<connector>\\n<key>" -> text) into its field, encrypted through `route`.
    Returns the new bytes, the keys done, and why the rest were not (empty when all were)."""
    doc = ConfigDocument.from_bytes(config, source)
    done, why = [], ""
    for c in doc.connectors:
        for s in secret_fields(c.el):
            key = f"{c.name}\n{s.key}"
            if key in texts:
                with journal.action("encrypt host secret", f"connector '{c.name}' / {s.key}", connector=c.name,
                                    parameter=s.key, source=source) as step:
                    try:
                        doc.xml.set_text(s.el, route.encrypt(texts[key]))
                        done.append(key)
                    except RouteUnproven as exc:
                        why = str(exc)
                        step.fail(why)
    return doc.to_bytes(), done, why
