"""Whether two secrets hold the same value, without showing either: plain values compare as typed,
encrypted ones after this machine decrypts them (DPAPI). None when this machine cannot tell."""

from __future__ import annotations

import hmac

from app.hostsecrets.dpapi import Dpapi, DpapiRefused
from app.hostsecrets.values import ENCRYPTED, PLAIN, read_secret
from app.hostsecrets.writing import plausible_encoding


def _plain(value: str, dpapi: Dpapi) -> bytes | None:
    """The secret's text as UTF-8 bytes, or None when this machine cannot read it."""
    reading = read_secret(value)
    if reading.state == PLAIN:
        return value.strip().encode("utf-8")
    if reading.state != ENCRYPTED or reading.payload is None or not dpapi.available:
        return None
    try:
        raw = dpapi.unprotect(reading.payload)
    except DpapiRefused:
        return None
    encoding = plausible_encoding(raw)
    return raw.decode(encoding).encode("utf-8") if encoding else raw


def same_secret(a: str, b: str, dpapi: Dpapi) -> bool | None:
    """True / False when this machine can read both values, else None."""
    left, right = _plain(a, dpapi), _plain(b, dpapi)
    if left is None or right is None:
        return None
    return hmac.compare_digest(left, right)
