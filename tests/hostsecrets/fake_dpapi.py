"""A machine-bound stand-in for Windows DPAPI in the machine's scope (app/hostsecrets/dpapi.py).

What it claims about the real thing: a blob opens with DPAPI's blob version (1, little-endian) and
the default provider GUID df9d8cd0-1501-11d1-8c7a-00c04fc297eb, as every CryptProtectData blob does
(Microsoft's DPAPI blob layout, as dumped by any DPAPI blob parser); only the machine that made a
blob opens it, and another machine's attempt fails with the error .NET's ProtectedData reports
("Key not valid for use in specified state", 0x8009000B). The body is a keyed XOR, not encryption:
it is for tests only.
"""

from __future__ import annotations

import hashlib

from app.hostsecrets.dpapi import DpapiRefused


class FakeDpapi:
    """For tests: a reversible, machine-bound stand-in. Blobs start like DPAPI's (version 1 and the
    provider GUID) so they look real in a dump; another `machine` cannot open them."""

    available = True
    reason = ""
    OPENING = bytes.fromhex("01000000D08C9DDF0115D1118C7A00C04FC297EB")

    def __init__(self, machine: str = "HOST-A", *, refuse: bool = False) -> None:
        self.machine, self.refuse = machine, refuse
        self.calls: list[str] = []

    def _key(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += hashlib.sha256(self.machine.encode() + len(out).to_bytes(4, "little")).digest()
        return out[:n]

    def protect(self, data: bytes) -> bytes:
        self.calls.append("protect")
        if self.refuse:
            raise DpapiRefused("Windows refused to encrypt with DPAPI (error 5: Access is denied.)")
        tag = hashlib.sha256(self.machine.encode()).digest()[:8]
        return self.OPENING + tag + bytes(a ^ b for a, b in zip(data, self._key(len(data)), strict=True))

    def unprotect(self, blob: bytes) -> bytes:
        self.calls.append("unprotect")
        tag = hashlib.sha256(self.machine.encode()).digest()[:8]
        head = len(self.OPENING)
        if self.refuse or blob[:head] != self.OPENING or blob[head:head + 8] != tag:
            raise DpapiRefused("this machine cannot decrypt it with DPAPI (error -2146893813: Key not valid for use in specified state.)")
        body = blob[head + 8:]
        return bytes(a ^ b for a, b in zip(body, self._key(len(body)), strict=True))
