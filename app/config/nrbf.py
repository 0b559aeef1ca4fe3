"""The .NET Remoting Binary Format ([MS-NRBF], what BinaryFormatter writes): a reader that keeps
every byte it needs to write the same stream back, and that writer.

Use it like this::

    stream = read(data)           # NrbfError (a ValueError) for anything the spec does not allow
    stream.root                   # the record the header names as root (usually a class record)
    write(stream) == data         # byte for byte

What the reader keeps (docs/host-secrets.md lists the records): the header; every record in stream
order, with the BinaryLibrary records that precede it; class records with their member names and
member types; member values either as records or, for primitive members, as raw bytes; primitive
arrays as raw bytes. Nothing is interpreted beyond the spec, so any class shape reads and writes
back. Strictness where byte identity needs it: a string length must be in its shortest 7-bit form
and strings must be valid UTF-8 (what .NET writes); anything after MessageEnd is refused.
Bounded work: a stream over MAX_BYTES, with more than MAX_RECORDS records or a class of more than
MAX_MEMBERS members is refused before it is read further (nrbf_records.py says why).
"""

from __future__ import annotations

import struct

from app.config.nrbf_records import (  # noqa: F401  (re-exported: callers use nrbf.X)
    ARRAY_KINDS,
    ARRAY_SINGLE_OBJECT,
    ARRAY_SINGLE_PRIMITIVE,
    ARRAY_SINGLE_STRING,
    BINARY_ARRAY,
    BINARY_LIBRARY,
    BINARY_TYPE_NAMES,
    BT_CLASS,
    BT_PRIMITIVE,
    BT_PRIMITIVE_ARRAY,
    BT_STRING,
    BT_SYSTEM_CLASS,
    CLASS_WITH_ID,
    CLASS_WITH_MEMBERS,
    CLASS_WITH_MEMBERS_AND_TYPES,
    HEADER,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_MEMBERS,
    MAX_RECORDS,
    MEMBER_PRIMITIVE_TYPED,
    MEMBER_REFERENCE,
    MESSAGE_END,
    OBJECT_NULL,
    OBJECT_NULL_MULTIPLE,
    OBJECT_NULL_MULTIPLE_256,
    OBJECT_STRING,
    PRIMITIVES,
    PT_BYTE,
    PT_CHAR,
    PT_NULL,
    PT_STRING,
    SYSTEM_CLASS_WITH_MEMBERS,
    SYSTEM_CLASS_WITH_MEMBERS_AND_TYPES,
    BinaryArray,
    BinaryLibrary,
    ClassRecord,
    ClassTypeInfo,
    Header,
    MemberPrimitiveTyped,
    MemberReference,
    MemberTypes,
    MessageEnd,
    NrbfError,
    NrbfStream,
    ObjectArray,
    ObjectNull,
    ObjectString,
    Primitive,
    PrimitiveArray,
    Record,
    TypeExtra,
    Value,
    class_info,
    class_name,
    encode_string,
    primitive_code,
)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def fail(self, what: str, at: int | None = None) -> NrbfError:
        return NrbfError(what, self.pos if at is None else at)

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise self.fail(f"the stream ends inside {what}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]

    def int32(self, what: str) -> int:
        return struct.unpack("<i", self.take(4, what))[0]

    def count(self, what: str) -> int:
        at = self.pos
        n = self.int32(what)
        if n < 0:
            raise self.fail(f"{what} is negative ({n})", at)
        return n

    def string(self, what: str = "a string") -> str:
        at, n, shift = self.pos, 0, 0
        for i in range(5):
            b = self.byte(f"the length of {what}")
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if (i and b == 0) or n > 0x7FFFFFFF:
                    raise self.fail(f"the length of {what} is not in .NET's form", at)
                break
        else:
            raise self.fail(f"the length of {what} runs over 5 bytes", at)
        body = self.take(n, what)
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(f"{what} is not UTF-8", at) from None

    def primitive_raw(self, type_: int, what: str) -> bytes:
        start = self.pos
        if type_ not in PRIMITIVES:
            raise self.fail(f"unknown primitive type {type_} in {what}")
        size = PRIMITIVES[type_][1]
        if size is not None:
            return self.take(size, what)
        if type_ == PT_CHAR:
            lead = self.byte(what)
            extra = 0 if lead < 0x80 else 1 if lead >> 5 == 6 else 2 if lead >> 4 == 14 else 3
            self.take(extra, what)
            raw = self.data[start:self.pos]
            try:
                if len(raw.decode("utf-8")) != 1:
                    raise UnicodeDecodeError("utf-8", raw, 0, len(raw), "not one character")
            except UnicodeDecodeError:
                raise self.fail(f"{what} is not one UTF-8 character", start) from None
            return raw
        self.string(what)
        return self.data[start:self.pos]


# -- reading ------------------------------------------------------------------------------------
class _StreamReader(_Reader):
    def __init__(self, data: bytes, known_types: dict[str, MemberTypes] | None = None) -> None:
        super().__init__(data)
        self.known_types = known_types or {}
        self.objects: dict[int, Record] = {}
        self.libraries: dict[int, str] = {}
        self.references: list[tuple[int, int]] = []  # (id, offset) to check once all are read
        self.depth = 0
        self.records_read = 0

    def register(self, object_id: int, record: Record, at: int) -> None:
        if object_id in self.objects:
            raise self.fail(f"object id {object_id} is used twice", at)
        self.objects[object_id] = record

    def record(self, what: str) -> Record:
        """One record with the BinaryLibrary records in front of it."""
        libraries: list[BinaryLibrary] = []
        while True:
            at = self.pos
            kind = self.byte(what)
            self.records_read += 1
            if self.records_read > MAX_RECORDS:
                raise self.fail(f"the stream holds more than {MAX_RECORDS:,} records (an encrypted "
                                "value holds a handful)", at)
            if kind != BINARY_LIBRARY:
                break
            library = BinaryLibrary(self.int32("a library id"), self.string("a library name"))
            if library.library_id in self.libraries:
                raise self.fail(f"library id {library.library_id} is defined twice", at)
            self.libraries[library.library_id] = library.name
            libraries.append(library)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"records nest deeper than {MAX_DEPTH}", at)
        try:
            rec = self.body(kind, at, what)
        finally:
            self.depth -= 1
        rec.libraries = libraries
        return rec

    def body(self, kind: int, at: int, what: str) -> Record:
        if kind in (CLASS_WITH_ID, SYSTEM_CLASS_WITH_MEMBERS, CLASS_WITH_MEMBERS,
                    SYSTEM_CLASS_WITH_MEMBERS_AND_TYPES, CLASS_WITH_MEMBERS_AND_TYPES):
            return self.class_record(kind, at)
        if kind == OBJECT_STRING:
            string = ObjectString(self.int32("an object id"), self.string())
            self.register(string.object_id, string, at)
            return string
        if kind == MEMBER_PRIMITIVE_TYPED:
            type_ = self.byte("a primitive type")
            if type_ in (PT_NULL, PT_STRING):
                raise self.fail(f"a typed primitive may not be of type {type_}", at)
            return MemberPrimitiveTyped(type_, self.primitive_raw(type_, "a typed primitive"))
        if kind == MEMBER_REFERENCE:
            reference = MemberReference(self.int32("a reference"))
            self.references.append((reference.id_ref, at))
            return reference
        if kind == OBJECT_NULL:
            return ObjectNull()
        if kind == OBJECT_NULL_MULTIPLE_256:
            return ObjectNull(self.byte("a null count"), OBJECT_NULL_MULTIPLE_256)
        if kind == OBJECT_NULL_MULTIPLE:
            return ObjectNull(self.count("a null count"), OBJECT_NULL_MULTIPLE)
        if kind == ARRAY_SINGLE_PRIMITIVE:
            return self.primitive_array(at)
        if kind in (ARRAY_SINGLE_OBJECT, ARRAY_SINGLE_STRING):
            array = ObjectArray(kind, self.int32("an object id"), self.count("an array length"))
            self.register(array.object_id, array, at)
            array.values = self.records_for(array.length, "an array element")
            return array
        if kind == BINARY_ARRAY:
            return self.binary_array(at)
        if kind == MESSAGE_END:
            return MessageEnd()
        raise self.fail(f"record type {kind} is not one this reader knows ({what})", at)

    def member_types(self, n: int) -> MemberTypes:
        kinds = list(self.take(n, "the member types"))
        extra: list[TypeExtra] = []
        for bt in kinds:
            if bt in (BT_PRIMITIVE, BT_PRIMITIVE_ARRAY):
                code = self.byte("a member's primitive type")
                if code not in PRIMITIVES or code in (PT_NULL, PT_STRING):
                    raise self.fail(f"a member's primitive type is {code}", self.pos - 1)
                extra.append(code)
            elif bt == BT_SYSTEM_CLASS:
                extra.append(self.string("a member's class name"))
            elif bt == BT_CLASS:
                extra.append(ClassTypeInfo(self.string("a member's class name"),
                                           self.int32("a member's library id")))
            elif bt in BINARY_TYPE_NAMES:
                extra.append(None)
            else:
                raise self.fail(f"member type {bt} is not one the spec knows")
        return MemberTypes(kinds, extra)

    def class_record(self, kind: int, at: int) -> ClassRecord:
        if kind == CLASS_WITH_ID:
            object_id = self.int32("an object id")
            metadata_id = self.int32("a metadata id")
            rec = ClassRecord(kind, object_id, metadata_id=metadata_id)
            source = self.objects.get(metadata_id)
            if not isinstance(source, ClassRecord):
                raise self.fail(f"class metadata {rec.metadata_id} was not defined before", at)
            rec.definition = source.shape
        else:
            rec = ClassRecord(kind, self.int32("an object id"), self.string("a class name"))
            n = self.count("a member count")
            if n > MAX_MEMBERS:
                raise self.fail(f"a class has {n:,} members, more than the {MAX_MEMBERS:,} this reader "
                                "accepts (an encrypted value's class has a few)", at)
            rec.member_names = [self.string("a member name") for _ in range(n)]
            if kind in (SYSTEM_CLASS_WITH_MEMBERS_AND_TYPES, CLASS_WITH_MEMBERS_AND_TYPES):
                rec.member_types = self.member_types(n)
            if kind in (CLASS_WITH_MEMBERS, CLASS_WITH_MEMBERS_AND_TYPES):
                rec.library_id = self.int32("a library id")
                if rec.library_id not in self.libraries:
                    raise self.fail(f"library {rec.library_id} was not defined before", at)
            if rec.member_types is None:
                rec.assumed_types = self.known_types.get(rec.name)
                if rec.assumed_types and len(rec.assumed_types.binary_types) != n:
                    raise self.fail(f"class {rec.name} has {n} members, not the "
                                    f"{len(rec.assumed_types.binary_types)} known for it", at)
        self.register(rec.object_id, rec, at)
        shape = rec.shape
        types = rec.types
        if types is None:
            rec.values = self.records_for(len(shape.member_names), "a member value")
            return rec
        slots = 0
        while slots < len(shape.member_names):
            if types.binary_types[slots] == BT_PRIMITIVE:
                code = primitive_code(types.additional[slots])
                rec.values.append(Primitive(code, self.primitive_raw(code, "a member value")))
                slots += 1
                continue
            value = self.record("a member value")
            slots += self.slots_of(value, len(shape.member_names) - slots)
            rec.values.append(value)
        return rec

    def slots_of(self, value: Record, room: int) -> int:
        """How many members or elements a value fills; refuses a record that cannot be one."""
        if isinstance(value, (MessageEnd, Header)):
            raise self.fail("the stream ends inside an object")
        n = value.count if isinstance(value, ObjectNull) else 1
        if n < 1 or n > room:
            raise self.fail(f"{n} nulls where {room} values remain")
        return n

    def records_for(self, n: int, what: str) -> list[Value]:
        values: list[Value] = []
        slots = 0
        while slots < n:
            value = self.record(what)
            slots += self.slots_of(value, n - slots)
            values.append(value)
        return values

    def primitive_array(self, at: int) -> PrimitiveArray:
        object_id, length = self.int32("an object id"), self.count("an array length")
        type_ = self.byte("the array's primitive type")
        if type_ not in PRIMITIVES or type_ in (PT_NULL, PT_STRING):
            raise self.fail(f"an array of primitive type {type_}", at)
        size = PRIMITIVES[type_][1]
        start = self.pos
        if size is not None:
            self.take(length * size, "an array of primitives")
        else:
            for _ in range(length):
                self.primitive_raw(type_, "an array of primitives")
        rec = PrimitiveArray(object_id, length, type_, self.data[start:self.pos])
        self.register(object_id, rec, at)
        return rec

    def binary_array(self, at: int) -> BinaryArray:
        object_id, array_kind = self.int32("an object id"), self.byte("an array kind")
        if array_kind not in ARRAY_KINDS:
            raise self.fail(f"array kind {array_kind} is not one the spec knows", at)
        rank = self.count("an array rank")
        if rank < 1 or rank > 32:
            raise self.fail(f"an array of rank {rank}", at)
        lengths = [self.count("an array length") for _ in range(rank)]
        lower = [self.int32("a lower bound") for _ in range(rank)] if array_kind >= 3 else []
        types = self.member_types(1)
        rec = BinaryArray(object_id, array_kind, lengths, lower, types.binary_types[0],
                          types.additional[0])
        self.register(object_id, rec, at)
        total = 1
        for n in lengths:
            total *= n
        if rec.item_type == BT_PRIMITIVE:
            code = primitive_code(rec.item_extra)
            if total * max(1, PRIMITIVES[code][1] or 1) > len(self.data) - self.pos:
                raise self.fail("the stream ends inside an array")
            rec.values = [Primitive(code, self.primitive_raw(code, "an array element")) for _ in range(total)]
        else:
            rec.values = self.records_for(total, "an array element")
        return rec


def read(data: bytes, known_types: dict[str, MemberTypes] | None = None) -> NrbfStream:
    """The stream in `data`; NrbfError when it is not one ([MS-NRBF] 2.6.1 header to MessageEnd).

    A class written without member types (ClassWithMembers, SystemClassWithMembers: .NET's
    TypesWhenNeeded) holds primitive members as bare bytes that only the type's own definition can
    delimit; `known_types` gives those definitions by class name. Without one, every member is read
    as a record, which is right whenever the class has no primitive members."""
    if len(data) > MAX_BYTES:
        raise NrbfError(f"the stream is {len(data):,} bytes, more than the {MAX_BYTES:,} this reader "
                        "accepts (an encrypted value is a few hundred)", 0)
    r = _StreamReader(bytes(data), known_types)
    if r.byte("the header") != HEADER:
        raise r.fail("the first record is not the serialization header", 0)
    header = Header(*(r.int32("the header") for _ in range(4)))
    if (header.major, header.minor) != (1, 0):
        raise r.fail(f"format version {header.major}.{header.minor} (only 1.0 exists)", 9)
    records: list[Record] = []
    while True:
        at = r.pos
        rec = r.record("a top-level record")
        if isinstance(rec, ObjectNull) and rec.kind != OBJECT_NULL:
            raise r.fail("several nulls at the top level", at)
        records.append(rec)
        if isinstance(rec, MessageEnd):
            break
    if r.pos != len(r.data):
        raise r.fail(f"{len(r.data) - r.pos} bytes follow the end of the message")
    for id_ref, at in r.references:
        if id_ref not in r.objects:
            raise r.fail(f"a reference to object {id_ref}, which the stream does not hold", at)
    if header.root_id not in r.objects:
        raise r.fail(f"the root object {header.root_id} is not in the stream", 1)
    return NrbfStream(header, records, r.objects, r.libraries)


# -- writing ------------------------------------------------------------------------------------
def write(stream: NrbfStream) -> bytes:
    """The bytes of `stream`: exactly what `read` read, when nothing was changed."""
    out = bytearray([HEADER])
    h = stream.header
    out += struct.pack("<iiii", h.root_id, h.header_id, h.major, h.minor)
    for rec in stream.records:
        _write_record(out, rec)
    return bytes(out)


def _write_types(out: bytearray, types: MemberTypes) -> None:
    out += bytes(types.binary_types)
    for bt, extra in zip(types.binary_types, types.additional, strict=True):
        if bt in (BT_PRIMITIVE, BT_PRIMITIVE_ARRAY):
            out.append(primitive_code(extra))
        elif bt == BT_SYSTEM_CLASS:
            out += encode_string(class_name(extra))
        elif bt == BT_CLASS:
            info = class_info(extra)
            out += encode_string(info.type_name) + struct.pack("<i", info.library_id)


def _write_values(out: bytearray, values: list[Value]) -> None:
    for value in values:
        if isinstance(value, Primitive):
            out += value.raw
        else:
            _write_record(out, value)


def _write_record(out: bytearray, rec: Record) -> None:
    for lib in rec.libraries:
        out.append(BINARY_LIBRARY)
        out += struct.pack("<i", lib.library_id) + encode_string(lib.name)
    i32 = lambda n: struct.pack("<i", n)  # noqa: E731
    if isinstance(rec, ClassRecord):
        out.append(rec.kind)
        if rec.kind == CLASS_WITH_ID:
            out += i32(rec.object_id) + i32(rec.metadata_id)
        else:
            out += i32(rec.object_id) + encode_string(rec.name) + i32(len(rec.member_names))
            for name in rec.member_names:
                out += encode_string(name)
            if rec.member_types is not None:
                _write_types(out, rec.member_types)
            if rec.library_id is not None:
                out += i32(rec.library_id)
        _write_values(out, rec.values)
    elif isinstance(rec, ObjectString):
        out.append(OBJECT_STRING)
        out += i32(rec.object_id) + encode_string(rec.value)
    elif isinstance(rec, MemberPrimitiveTyped):
        out += bytes([MEMBER_PRIMITIVE_TYPED, rec.type]) + rec.raw
    elif isinstance(rec, MemberReference):
        out.append(MEMBER_REFERENCE)
        out += i32(rec.id_ref)
    elif isinstance(rec, ObjectNull):
        out.append(rec.kind)
        if rec.kind == OBJECT_NULL_MULTIPLE_256:
            out.append(rec.count)
        elif rec.kind == OBJECT_NULL_MULTIPLE:
            out += i32(rec.count)
    elif isinstance(rec, PrimitiveArray):
        out.append(ARRAY_SINGLE_PRIMITIVE)
        out += i32(rec.object_id) + i32(rec.length) + bytes([rec.type]) + rec.raw
    elif isinstance(rec, ObjectArray):
        out.append(rec.kind)
        out += i32(rec.object_id) + i32(rec.length)
        _write_values(out, rec.values)
    elif isinstance(rec, BinaryArray):
        out += bytes([BINARY_ARRAY]) + i32(rec.object_id) + bytes([rec.array_kind])
        out += i32(len(rec.lengths)) + b"".join(i32(n) for n in rec.lengths + rec.lower_bounds)
        _write_types(out, MemberTypes([rec.item_type], [rec.item_extra]))
        _write_values(out, rec.values)
    elif isinstance(rec, MessageEnd):
        out.append(MESSAGE_END)
    else:  # a program error, not input: every record the reader makes is handled above
        raise TypeError(f"cannot write {type(rec).__name__}")
