"""Crafted secret blobs, built here rather than checked in: what a planted Configuration.xml could
hold in a SecretToken or EncryptedString value. Each is a well-formed [MS-NRBF] stream (header to
MessageEnd), so only the reader's own bounds can refuse it."""

from __future__ import annotations

import base64
import struct

_HEADER = b"\x00" + struct.pack("<iiii", 1, -1, 1, 0)  # root object 1, header id -1, version 1.0
_END = b"\x0b"


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    n, out = len(raw), bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out) + raw


def null_records(n: int) -> bytes:
    """An object array of n elements, each its own ObjectNull record (one byte each): about n bytes
    that a naive reader turns into n Python objects."""
    return _HEADER + b"\x10" + struct.pack("<ii", 1, n) + b"\x0a" * n + _END


def many_members(n: int) -> bytes:
    """A class with n members (names m0, m1, ...), all null in one ObjectNullMultiple record."""
    names = b"".join(_string(f"m{i}") for i in range(n))
    return (_HEADER + b"\x02" + struct.pack("<i", 1) + _string("C") + struct.pack("<i", n) + names
            + b"\x0e" + struct.pack("<i", n) + _END)


def named(class_name: str, member: str) -> bytes:
    """A class of one byte[] member whose class and member names are whatever the caller gives
    (terminal control characters included)."""
    return (_HEADER + b"\x04" + struct.pack("<i", 1) + _string(class_name) + struct.pack("<i", 1)
            + _string(member) + b"\x07\x02" + b"\x09" + struct.pack("<i", 2)
            + b"\x0f" + struct.pack("<ii", 2, 3) + b"\x02abc" + _END)


def as_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
