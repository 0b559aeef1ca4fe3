"""The records of the .NET Remoting Binary Format ([MS-NRBF]) as the reader keeps them: enough to
write the same bytes back. The reader and the writer are in nrbf.py; docs/host-secrets.md lists the
records and what each holds."""

from __future__ import annotations

import struct
from dataclasses import Field, dataclass, field, fields
from typing import Any, TypeVar, dataclass_transform

# RecordTypeEnumeration ([MS-NRBF] 2.1.2.1)
HEADER, CLASS_WITH_ID, SYSTEM_CLASS_WITH_MEMBERS, CLASS_WITH_MEMBERS = 0, 1, 2, 3
SYSTEM_CLASS_WITH_MEMBERS_AND_TYPES, CLASS_WITH_MEMBERS_AND_TYPES = 4, 5
OBJECT_STRING, BINARY_ARRAY, MEMBER_PRIMITIVE_TYPED, MEMBER_REFERENCE = 6, 7, 8, 9
OBJECT_NULL, MESSAGE_END, BINARY_LIBRARY, OBJECT_NULL_MULTIPLE_256, OBJECT_NULL_MULTIPLE = 10, 11, 12, 13, 14
ARRAY_SINGLE_PRIMITIVE, ARRAY_SINGLE_OBJECT, ARRAY_SINGLE_STRING = 15, 16, 17

# BinaryTypeEnumeration (2.1.2.2): how a member's type is described
BT_PRIMITIVE, BT_STRING, BT_OBJECT, BT_SYSTEM_CLASS, BT_CLASS = 0, 1, 2, 3, 4
BT_OBJECT_ARRAY, BT_STRING_ARRAY, BT_PRIMITIVE_ARRAY = 5, 6, 7
BINARY_TYPE_NAMES = {0: "Primitive", 1: "String", 2: "Object", 3: "SystemClass", 4: "Class",
                     5: "ObjectArray", 6: "StringArray", 7: "PrimitiveArray"}

# PrimitiveTypeEnumeration (2.1.2.3): code -> (name, fixed size or None when variable)
PRIMITIVES: dict[int, tuple[str, int | None]] = {
    1: ("Boolean", 1), 2: ("Byte", 1), 3: ("Char", None), 5: ("Decimal", None), 6: ("Double", 8),
    7: ("Int16", 2), 8: ("Int32", 4), 9: ("Int64", 8), 10: ("SByte", 1), 11: ("Single", 4),
    12: ("TimeSpan", 8), 13: ("DateTime", 8), 14: ("UInt16", 2), 15: ("UInt32", 4),
    16: ("UInt64", 8), 17: ("Null", 0), 18: ("String", None)}
PT_BYTE, PT_CHAR, PT_DECIMAL, PT_NULL, PT_STRING = 2, 3, 5, 17, 18
_UNPACK = {1: "<?", 2: "<B", 6: "<d", 7: "<h", 8: "<i", 9: "<q", 10: "<b", 11: "<f", 12: "<q",
           13: "<Q", 14: "<H", 15: "<I", 16: "<Q"}
# BinaryArrayTypeEnumeration (2.4.1.1): the *Offset kinds carry lower bounds
ARRAY_KINDS = {0: "Single", 1: "Jagged", 2: "Rectangular", 3: "SingleOffset", 4: "JaggedOffset",
               5: "RectangularOffset"}
MAX_DEPTH = 64  # nested records; deeper input is refused instead of exhausting the stack
# A real encrypted value is a few hundred bytes holding a handful of records (docs/host-secrets.md);
# these bounds keep a planted one from costing seconds and gigabytes (issue 22: 5 MB of null
# records took 13 s and 0.9 GB, 2 million members 7 s and 0.45 GB) on the GUI thread.
MAX_BYTES = 64 << 10  # a stream; a 30,000-character secret in DPAPI still fits
MAX_RECORDS = 4096  # records of all kinds in one stream
MAX_MEMBERS = 1024  # members of one class


class NrbfError(ValueError):
    """The bytes are not a stream this reader accepts; the text names what and the byte offset."""

    def __init__(self, what: str, offset: int) -> None:
        self.what, self.offset = what, offset
        super().__init__(f"{what} at byte {offset}")


# -- records ------------------------------------------------------------------------------------
class _Compared:
    """The comparison and text of a dataclass, written once: a dataclass compiles its __init__,
    __repr__ and __eq__ from source when it is made, ~0.6 ms each class, and the 16 record classes
    are made on the way to the first window (validation reads encrypted secrets). These behave as
    the generated ones do: fields with compare=False or repr=False are left out, and a record
    equals only a record of the very same class."""

    def _fields(self) -> tuple[Field[Any], ...]:
        return fields(self)  # type: ignore[arg-type]  # every subclass is a dataclass (_record)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = [f.name for f in self._fields() if f.compare]
        return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self._fields() if f.repr)
        return f"{self.__class__.__qualname__}({shown})"


_T = TypeVar("_T")


@dataclass_transform(field_specifiers=(field,))
def _record(cls: type[_T]) -> type[_T]:
    """A dataclass whose comparison and text come from _Compared: only __init__ is generated."""
    return dataclass(eq=False, repr=False)(cls)


@_record
class Header(_Compared):
    root_id: int
    header_id: int
    major: int = 1
    minor: int = 0


@_record
class BinaryLibrary(_Compared):
    library_id: int
    name: str


@_record
class Record(_Compared):
    """Every record may be preceded by BinaryLibrary records; they are kept in front of it."""

    libraries: list[BinaryLibrary] = field(default_factory=list, kw_only=True)


@_record
class Primitive(_Compared):
    """An untyped primitive value (a primitive member, an element of a primitive array), as read."""

    type: int
    raw: bytes

    @property
    def value(self) -> object:
        return decode_primitive(self.type, self.raw)


@_record
class ClassTypeInfo(_Compared):
    type_name: str
    library_id: int


# What a member's binary type carries beside it (AdditionalInfos, [MS-NRBF] 2.3.1.2): a primitive
# type code for Primitive and PrimitiveArray, a class name for SystemClass, ClassTypeInfo for
# Class, nothing for the others. Which one goes with which binary type is the reader's (and
# hostsecrets/build.py's) invariant: the accessors below check it instead of casting.
TypeExtra = int | str | ClassTypeInfo | None


def primitive_code(extra: TypeExtra) -> int:
    assert isinstance(extra, int), f"a primitive type code, not {extra!r}"
    return extra


def class_name(extra: TypeExtra) -> str:
    """A SystemClass member's class name."""
    assert isinstance(extra, str), f"a class name, not {extra!r}"
    return extra


def class_info(extra: TypeExtra) -> ClassTypeInfo:
    assert isinstance(extra, ClassTypeInfo), f"a ClassTypeInfo, not {extra!r}"
    return extra


@_record
class MemberTypes(_Compared):
    binary_types: list[int]
    additional: list[TypeExtra]  # per member, as TypeExtra says

    def describe(self, i: int) -> str:
        bt, extra = self.binary_types[i], self.additional[i]
        if bt == BT_PRIMITIVE:
            return PRIMITIVES[primitive_code(extra)][0]
        if bt == BT_PRIMITIVE_ARRAY:
            return PRIMITIVES[primitive_code(extra)][0] + "[]"
        if bt == BT_SYSTEM_CLASS:
            return str(extra)
        if bt == BT_CLASS:
            return class_info(extra).type_name
        return {BT_STRING: "String", BT_OBJECT: "Object", BT_OBJECT_ARRAY: "Object[]",
                BT_STRING_ARRAY: "String[]"}[bt]


@_record
class ClassRecord(Record):
    """Record types 1-5. `kind` says which; a ClassWithId (1) borrows `definition` from an earlier
    record with the same metadata; the others carry their own name, member names and types."""

    kind: int
    object_id: int
    name: str = ""
    member_names: list[str] = field(default_factory=list)
    member_types: MemberTypes | None = None  # None for the *WithMembers kinds (no type info)
    library_id: int | None = None  # ClassWithMembers(AndTypes) only
    metadata_id: int | None = None  # ClassWithId only
    values: list[Value] = field(default_factory=list)
    definition: ClassRecord | None = field(default=None, repr=False, compare=False)
    # member types known out of band (the *WithMembers kinds carry none); never written
    assumed_types: MemberTypes | None = field(default=None, repr=False, compare=False)

    @property
    def shape(self) -> ClassRecord:
        return self.definition if self.definition is not None else self

    @property
    def types(self) -> MemberTypes | None:
        shape = self.shape
        return shape.member_types if shape.member_types is not None else shape.assumed_types


@_record
class ObjectString(Record):
    object_id: int
    value: str


@_record
class MemberPrimitiveTyped(Record):
    type: int
    raw: bytes


@_record
class MemberReference(Record):
    id_ref: int


@_record
class ObjectNull(Record):
    count: int = 1  # ObjectNull is 1; ObjectNullMultiple(256) say how many slots they fill
    kind: int = OBJECT_NULL


@_record
class PrimitiveArray(Record):
    """ArraySinglePrimitive: `raw` holds every element's bytes (for Byte, the bytes themselves)."""

    object_id: int
    length: int
    type: int
    raw: bytes


@_record
class ObjectArray(Record):
    """ArraySingleObject (16) or ArraySingleString (17)."""

    kind: int
    object_id: int
    length: int
    values: list[Value] = field(default_factory=list)


@_record
class BinaryArray(Record):
    object_id: int
    array_kind: int
    lengths: list[int]
    lower_bounds: list[int]
    item_type: int
    item_extra: TypeExtra
    values: list[Value] = field(default_factory=list)


@_record
class MessageEnd(Record):
    pass


Value = Primitive | Record


@_record
class NrbfStream(_Compared):
    header: Header
    records: list[Record]  # top-level records in order, MessageEnd last
    objects: dict[int, Record] = field(default_factory=dict, repr=False, compare=False)
    library_names: dict[int, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def root(self) -> Record:
        return self.objects[self.header.root_id]

    def resolve(self, value: Value | None) -> Value | None:
        """Follow a MemberReference to the record it names."""
        if isinstance(value, MemberReference):
            return self.objects.get(value.id_ref)
        return value


# -- primitives ---------------------------------------------------------------------------------
def decode_primitive(type_: int, raw: bytes) -> object:
    if type_ in _UNPACK:
        return struct.unpack(_UNPACK[type_], raw)[0]
    if type_ == PT_CHAR:
        return raw.decode("utf-8")
    if type_ in (PT_DECIMAL, PT_STRING):  # a length-prefixed string, already checked by the reader
        n, shift, i = 0, 0, 0
        while True:
            n |= (raw[i] & 0x7F) << shift
            shift, i = shift + 7, i + 1
            if not raw[i - 1] & 0x80:
                return raw[i:i + n].decode("utf-8")
    return None


def encode_length(n: int) -> bytes:
    out = bytearray()
    while True:
        if n < 0x80:
            out.append(n)
            return bytes(out)
        out.append((n & 0x7F) | 0x80)
        n >>= 7


def encode_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return encode_length(len(data)) + data
