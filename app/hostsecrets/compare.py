"""Whether two secrets hold the same value, without showing either: plain values compare as typed,
encrypted ones after this machine decrypts them (DPAPI). None when this machine cannot tell."""

from __future__ import annotations

import hmac

from app.hostsecrets.dpapi import Dpapi
from app.hostsecrets.portable import text_of


def _plain(value: str, dpapi: Dpapi) -> bytes | None:
    text = text_of(value, dpapi)
    return None if text is None else text.strip().encode("utf-8")


def same_secret(a: str, b: str, dpapi: Dpapi) -> bool | None:
    """True / False when this machine can read both values, else None."""
    left, right = _plain(a, dpapi), _plain(b, dpapi)
    if left is None or right is None:
        return None
    return hmac.compare_digest(left, right)
