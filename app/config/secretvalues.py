"""What a secret in Configuration.xml is, without ever showing it: empty, typed in plain text, an
encrypted value (a BinaryFormatter object around a DPAPI blob, base64; docs/host-secrets.md), or
something that claims to be one and cannot be read.

Use it like this::

    reading = read_secret(text)
    reading.state                     # "empty" | "plain" | "encrypted" | "unreadable"
    reading.class_name, reading.library, reading.members    # the shape, for "encrypted"
    reading.payload                   # the DPAPI bytes (the one byte[] member), or None
    with_payload(reading, new_bytes)  # base64 of the same object around new DPAPI bytes

Nothing here puts a value or a payload into a message: `reason` names what is wrong and where.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
from dataclasses import dataclass, field
from typing import Any

from app.config import nrbf
from app.config.nrbf import (
    BinaryArray,
    ClassRecord,
    NrbfError,
    NrbfStream,
    ObjectArray,
    ObjectNull,
    ObjectString,
    Primitive,
    PrimitiveArray,
)
from app.errors import printable

EMPTY, PLAIN, ENCRYPTED, UNREADABLE = "empty", "plain", "encrypted", "unreadable"
STATES = (EMPTY, PLAIN, ENCRYPTED, UNREADABLE)
# Base64 of the serialization header's first bytes (record 0, root id 1, header id -1): what every
# encrypted value starts with, so a value starting with it and not readable is "unreadable".
STREAM_PREFIX = "AAEAAAD/////"
_VERSION = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # major 1, minor 0 at bytes 9..16 of the header
# The longest base64 text the reader's byte bound (nrbf.MAX_BYTES) allows: longer text is refused
# before it is even decoded, so no caller (the connector list on the GUI thread) spends time on it.
_MAX_TEXT = (nrbf.MAX_BYTES + 2) // 3 * 4


class UnreadableSecret(ValueError):
    """A value that claims to be an encrypted value and is not one; the text names no value."""


@dataclass(frozen=True)
class MemberShape:
    name: str
    type: str
    length: int | None = None  # elements of an array, characters of a string; None otherwise

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "length": self.length}


@dataclass
class SecretReading:
    state: str
    class_name: str | None = None
    library: str | None = None
    members: tuple[MemberShape, ...] = ()
    reason: str = ""  # why "unreadable" (no value in it)
    payload: bytes | None = field(default=None, repr=False)
    stream: NrbfStream | None = field(default=None, repr=False, compare=False)
    payload_id: int | None = field(default=None, repr=False)

    @property
    def layout(self) -> tuple[str | None, str | None, tuple[tuple[str, str], ...]]:
        """Class, library and member names and types: what two blobs must share to be alike."""
        return (self.class_name, self.library, tuple((m.name, m.type) for m in self.members))


def looks_encrypted(text: str) -> bool:
    """True when the text starts like an encrypted value (whether or not it reads)."""
    return (text or "").strip().startswith(STREAM_PREFIX)


def _decoded(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def read_secret(text: str | None) -> SecretReading:
    """Classify a SecretToken or EncryptedString value; see the module docstring."""
    text = (text or "").strip()
    if not text:
        return SecretReading(EMPTY)
    too_long = len(text) > _MAX_TEXT
    data = _decoded(text[:24] if too_long else text)
    claims = text.startswith(STREAM_PREFIX) or (
        data is not None and len(data) >= 17 and data[0] == 0 and data[9:17] == _VERSION)
    if not claims:
        return SecretReading(PLAIN)
    if too_long:
        return SecretReading(UNREADABLE, reason=f"it is {len(text):,} characters long, more than the "
                             f"{_MAX_TEXT:,} an encrypted value can have, so it was not read")
    if data is None:
        return SecretReading(UNREADABLE, reason="it is not valid base64")
    try:
        stream = nrbf.read(data)
    except NrbfError as exc:
        return SecretReading(UNREADABLE, reason=printable(f"its .NET serialization is broken ({exc})"))
    root = stream.root
    if not isinstance(root, ClassRecord):
        return SecretReading(UNREADABLE, reason=f"it holds a {type(root).__name__}, not an object")
    members, payload_id = _members(stream, root)
    payload = None
    if payload_id is not None:
        payload = stream.objects[payload_id].raw  # type: ignore[attr-defined]
    library = stream.library_names.get(root.shape.library_id) if root.shape.library_id is not None else None
    return SecretReading(ENCRYPTED, printable(root.shape.name), None if library is None else printable(library),
                         tuple(members), payload=payload, stream=stream, payload_id=payload_id)


def _members(stream: NrbfStream, root: ClassRecord) -> tuple[list[MemberShape], int | None]:
    shape, types = root.shape, root.types
    slots: list[nrbf.Value | None] = []
    for item in root.values:
        if isinstance(item, ObjectNull):
            slots.extend([None] * item.count)
        else:
            slots.append(item)
    out: list[MemberShape] = []
    byte_arrays: list[int] = []
    for i, name in enumerate(shape.member_names):
        value: object = stream.resolve(slots[i]) if i < len(slots) else None
        type_ = types.describe(i) if types is not None else _type_of(value)
        length = None
        if isinstance(value, PrimitiveArray):
            length = value.length
            if value.type == nrbf.PT_BYTE:
                byte_arrays.append(value.object_id)
        elif isinstance(value, ObjectString):
            length = len(value.value)
        elif isinstance(value, ObjectArray):
            length = value.length
        elif isinstance(value, BinaryArray):
            length = len(value.values)
        out.append(MemberShape(printable(name), printable(type_), length))
    return out, (byte_arrays[0] if len(byte_arrays) == 1 else None)


def _type_of(value: object) -> str:
    if isinstance(value, PrimitiveArray):
        return nrbf.PRIMITIVES[value.type][0] + "[]"
    if isinstance(value, ObjectString):
        return "String"
    if isinstance(value, ClassRecord):
        return value.shape.name
    if isinstance(value, (Primitive, nrbf.MemberPrimitiveTyped)):
        return nrbf.PRIMITIVES[value.type][0]
    return "Object"


def with_payload(reading: SecretReading, payload: bytes) -> str:
    """Base64 of the same object as `reading` with its byte[] member holding `payload` instead."""
    if reading.stream is None or reading.payload_id is None:
        raise UnreadableSecret("the encrypted value has no single byte[] member to put a payload in")
    stream = copy.deepcopy(reading.stream)
    array = stream.objects[reading.payload_id]
    assert isinstance(array, PrimitiveArray)
    array.raw, array.length = bytes(payload), len(payload)
    return base64.b64encode(nrbf.write(stream)).decode("ascii")


# -- the words that stand for a secret where its value must not go (a host report) -----------------
def structure(value: str | None, number: int | None = None) -> str:
    """The words that stand for a secret in a report: its state and shape, nothing of its value.
    `number` tells secrets apart (two equal texts would read as one token used twice)."""
    reading = read_secret(value)
    mark = f"secret #{number} removed" if number is not None else "secret removed"
    if reading.state == EMPTY:
        return ""
    if reading.state == PLAIN:
        return f"[{mark}: typed in plain text]"
    if reading.state == ENCRYPTED:
        members = ", ".join(f"{m.name} {m.type}" + (f" ({m.length})" if m.length is not None else "")
                            for m in reading.members)
        return f"[{mark}: encrypted, {reading.class_name} [{reading.library}] members {members}]"
    return f"[{mark}: unreadable, {reading.reason}]"


_STRUCTURE = re.compile(r"^\[secret (?:#\d+ )?removed: (typed in plain text|encrypted|unreadable)")


def reported_state(value: str | None) -> str | None:
    """'plain', 'encrypted' or 'unreadable' for a secret a report replaced; None for anything else."""
    m = _STRUCTURE.match(value or "")
    if not m:
        return None
    return {"typed in plain text": PLAIN, "encrypted": ENCRYPTED}.get(m.group(1), "unreadable")
