"""Build a one-object stream the way .NET's BinaryFormatter lays it out (TypesAlways, the default):
the header, the library, the class record with member names and types, strings inline, arrays as
references written after the object, MessageEnd. Used to make blobs for a class we know the shape of
(tests; and, when proven, a host class); route 1 never needs it: it copies an existing blob.
"""

from __future__ import annotations

from app.config import nrbf
from app.config.nrbf import (
    BT_PRIMITIVE,
    BT_PRIMITIVE_ARRAY,
    BT_STRING,
    CLASS_WITH_MEMBERS_AND_TYPES,
    BinaryLibrary,
    ClassRecord,
    Header,
    MemberReference,
    MemberTypes,
    MessageEnd,
    NrbfStream,
    ObjectString,
    Primitive,
    PrimitiveArray,
    Record,
    TypeExtra,
)

MemberValue = bytes | str | bool | int


def build_object(class_name: str, library: str, members: list[tuple[str, MemberValue]]) -> NrbfStream:
    """A stream holding one object of `class_name` with these members, in .NET's id order."""
    root, library_id, next_id = 1, 2, 3
    kinds: list[int] = []
    extra: list[TypeExtra] = []
    values: list[nrbf.Value] = []
    after: list[Record] = []
    for _name, value in members:
        if isinstance(value, bytes):
            kinds.append(BT_PRIMITIVE_ARRAY)
            extra.append(nrbf.PT_BYTE)
            values.append(MemberReference(next_id))
            after.append(PrimitiveArray(next_id, len(value), nrbf.PT_BYTE, value))
            next_id += 1
        elif isinstance(value, str):
            kinds.append(BT_STRING)
            extra.append(None)
            values.append(ObjectString(next_id, value))
            next_id += 1
        elif isinstance(value, bool):
            kinds.append(BT_PRIMITIVE)
            extra.append(1)
            values.append(Primitive(1, bytes([value])))
        elif isinstance(value, int):
            kinds.append(BT_PRIMITIVE)
            extra.append(8)
            values.append(Primitive(8, value.to_bytes(4, "little", signed=True)))
        else:
            raise TypeError(f"member {_name!r}: cannot build a {type(value).__name__}")
    obj = ClassRecord(CLASS_WITH_MEMBERS_AND_TYPES, root, class_name, [n for n, _ in members],
                      MemberTypes(kinds, extra), library_id, values=values,
                      libraries=[BinaryLibrary(library_id, library)])
    stream = NrbfStream(Header(root, -1), [obj, *after, MessageEnd()])
    # read back what we built: the object table and a proof that it is a stream the spec allows
    return nrbf.read(nrbf.write(stream))
