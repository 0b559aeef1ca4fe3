"""Our [MS-NRBF] reader and writer against .NET's own BinaryFormatter (Mono): every stand-in shape
reads, writes back byte for byte, and what we build or change is read by .NET as we meant it."""

from __future__ import annotations

import base64

import pytest

from app.config import nrbf
from app.config.nrbf import ClassRecord, MemberTypes, ObjectString, PrimitiveArray
from app.config.nrbf_records import decode_primitive
from app.config.secretvalues import ENCRYPTED, read_secret, with_payload
from app.hostsecrets.build import build_object
from app.hostsecrets.hostlayout import GUESSED_MEMBERS, HOST_CLASS

SHAPES = ["host", "several", "string", "nested", "arrays", "values"]
DPAPI_LIKE = "01000000D08C9DDF0115D1118C7A00C04FC297EB"  # a DPAPI blob's fixed opening bytes


def known_types(stream: nrbf.NrbfStream) -> dict[str, MemberTypes]:
    return {r.name: r.member_types for r in stream.objects.values()
            if isinstance(r, ClassRecord) and r.member_types is not None}


def arg_for(shape: str) -> str:
    return DPAPI_LIKE if shape == "host" else ""


@pytest.mark.parametrize("shape", SHAPES)
def test_reads_and_writes_back_byte_for_byte(mono, shape):
    data = mono.serialize(shape, arg_for(shape))
    stream = nrbf.read(data)
    assert nrbf.write(stream) == data
    assert isinstance(stream.root, ClassRecord)


@pytest.mark.parametrize("shape", SHAPES)
def test_types_when_needed_streams_read_with_the_types_known_out_of_band(mono, shape):
    """TypesWhenNeeded gives ClassWithMembers / SystemClassWithMembers records (no member types):
    primitive members are bare bytes, so their types come from the class (here: its other stream)."""
    typed = nrbf.read(mono.serialize(shape, arg_for(shape)))
    data = mono.serialize(shape, arg_for(shape), types_when_needed=True)
    stream = nrbf.read(data, known_types(typed))
    assert nrbf.write(stream) == data
    kinds = {r.kind for r in stream.objects.values() if isinstance(r, ClassRecord)}
    assert kinds & {nrbf.CLASS_WITH_MEMBERS, nrbf.SYSTEM_CLASS_WITH_MEMBERS}, kinds


def test_several_members_are_read_with_their_values(mono):
    stream = nrbf.read(mono.serialize("several"))
    root = stream.root
    assert isinstance(root, ClassRecord) and root.name == "StandIns.Several"
    values = dict(zip(root.member_names, root.values, strict=True))
    assert values["Number"].value == -7 and values["Flag"].value is True
    assert values["Ratio"].value == 0.25 and values["Big"].value == 1 << 40
    assert values["Letter"].value == "é" and values["Small"].value == 300
    assert isinstance(values["Text"], ObjectString) and values["Text"].value == "grüße ✓"
    payload = stream.resolve(values["Payload"])
    assert isinstance(payload, PrimitiveArray) and payload.raw == bytes([9, 8, 7])
    assert [root.member_types.describe(i) for i in range(len(root.member_names))] == [
        "Int32", "Boolean", "Double", "Int64", "Char", "Byte[]", "String", "Int16"]


def test_nested_objects_shared_references_and_nulls(mono):
    stream = nrbf.read(mono.serialize("nested"))
    root = stream.root
    first, same = (stream.resolve(root.values[root.member_names.index(n)]) for n in ("First", "Same"))
    assert first is same and isinstance(first, ClassRecord) and first.name == "StandIns.Inner"
    second = stream.resolve(root.values[1])
    assert isinstance(second, ClassRecord) and second.kind == nrbf.CLASS_WITH_ID  # metadata reused
    assert second.shape.member_names == ["Name", "Size"]


def test_arrays_of_objects_strings_primitives_and_multidimensional(mono):
    stream = nrbf.read(mono.serialize("arrays"))
    kinds = {type(r).__name__ for r in stream.objects.values()}
    assert {"ObjectArray", "PrimitiveArray", "BinaryArray", "ClassRecord", "ObjectString"} <= kinds
    grid = next(r for r in stream.objects.values() if isinstance(r, nrbf.BinaryArray)
                and r.array_kind == 2)
    assert grid.lengths == [3, 2] and [v.value for v in grid.values] == [1, 2, 3, 4, 5, 6]
    things = next(r for r in stream.objects.values() if isinstance(r, nrbf.ObjectArray)
                  and r.length == 8)
    assert any(isinstance(v, nrbf.ObjectNull) and v.count == 3 for v in things.values)


def test_structs_system_classes_and_boxed_values(mono):
    stream = nrbf.read(mono.serialize("values"))
    root = stream.root
    values = dict(zip(root.member_names, root.values, strict=True))
    assert values["Ratio"].value == 0.5 and values["Big"].value == 2**64 - 1 and values["Small"].value == -5
    assert values["Amount"].value == "12.345"  # a Decimal travels as text
    names = {r.shape.name for r in stream.objects.values() if isinstance(r, ClassRecord)}
    assert {"System.Guid", "StandIns.Point"} <= names
    assert any(n.startswith("System.Collections.Generic.Dictionary`2") for n in names)
    boxed = values["Boxed"]  # an Object member holding a double: a typed primitive record, inline
    assert isinstance(boxed, nrbf.MemberPrimitiveTyped) and decode_primitive(boxed.type, boxed.raw) == 7.5
    assert isinstance(values["At"], ClassRecord) and values["At"].name == "StandIns.Point"  # structs inline


def test_the_host_stand_in_reads_as_an_encrypted_value(mono):
    data = mono.serialize("host", DPAPI_LIKE)
    reading = read_secret(base64.b64encode(data).decode())
    assert reading.state == ENCRYPTED and reading.class_name == HOST_CLASS
    assert [(m.name, m.type) for m in reading.members] == list(GUESSED_MEMBERS)
    assert reading.payload == bytes.fromhex(DPAPI_LIKE)
    assert reading.members[0].length == len(reading.payload)


def test_our_built_object_is_byte_identical_to_net_and_net_reads_ours(mono):
    data = mono.serialize("host", DPAPI_LIKE)
    library = read_secret(base64.b64encode(data).decode()).library
    name = GUESSED_MEMBERS[0][0]
    built = nrbf.write(build_object(HOST_CLASS, library, [(name, bytes.fromhex(DPAPI_LIKE))]))
    assert built == data
    other = bytes(range(200))
    ours = nrbf.write(build_object(HOST_CLASS, library, [(name, other)]))
    assert mono.deserialize(ours) == f"{HOST_CLASS}{{{name}=0x{other.hex().upper()}}}"


def test_net_reads_a_string_object_we_built(mono):
    library = nrbf.read(mono.serialize("string")).library_names[2]
    ours = nrbf.write(build_object("StandIns.StringOnly", library, [("Value", "héllo ✓")]))
    expected = base64.b64encode("héllo ✓".encode()).decode()
    assert mono.deserialize(ours) == f"StandIns.StringOnly{{Value='{expected}'}}"


def test_same_structure_around_a_new_payload_is_read_by_net(mono):
    original = base64.b64encode(mono.serialize("host", DPAPI_LIKE)).decode()
    reading = read_secret(original)
    longer = bytes(range(256)) * 3
    rebuilt = with_payload(reading, longer)
    again = read_secret(rebuilt)
    assert again.layout == reading.layout and again.payload == longer
    dump = mono.deserialize(base64.b64decode(rebuilt))
    assert dump.endswith(f"=0x{longer.hex().upper()}}}")


def test_an_edited_nested_stream_is_read_by_net(mono):
    stream = nrbf.read(mono.serialize("nested"))
    label = next(r for r in stream.objects.values() if isinstance(r, ObjectString) and r.value == "two")
    label.value = "zwei, länger"
    dump = mono.deserialize(nrbf.write(stream))
    assert base64.b64encode("zwei, länger".encode()).decode() in dump
    assert not dump.startswith("FAILED")


def test_net_refuses_what_our_reader_refuses_at_the_end(mono):
    data = mono.serialize("host", DPAPI_LIKE)
    with pytest.raises(nrbf.NrbfError):
        nrbf.read(data[:-1])
    assert mono.deserialize(data[:-1]).startswith("FAILED")
