"""The NRBF records compare and print as the dataclasses they were (their __eq__ and __repr__ are
written once in nrbf_records._Compared instead of compiled per class, for start-up)."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from app.config.nrbf_records import (
    ClassRecord,
    Header,
    MemberTypes,
    NrbfStream,
    ObjectNull,
    ObjectString,
    Primitive,
)


def _as_plain_dataclass(record: object) -> object:
    """The same fields in a dataclass made the ordinary way: the behaviour to match."""
    cls = record.__class__
    plain = dataclasses.make_dataclass(cls.__name__, [(f.name, object, dataclasses.field(
        compare=f.compare, repr=f.repr)) for f in dataclasses.fields(cls)])
    plain.__qualname__ = cls.__qualname__
    return plain(**{f.name: getattr(record, f.name) for f in dataclasses.fields(cls)})


def _records() -> list[object]:
    shared = ClassRecord(5, 1, "Some.Class", ["A"], MemberTypes([1], [None]), library_id=2,
                         values=[ObjectString(3, "x")])
    return [Header(1, -1), Primitive(8, b"\x01\x00\x00\x00"), ObjectNull(count=3), shared,
            ClassRecord(1, 4, metadata_id=1, values=[ObjectNull()], definition=shared),
            NrbfStream(Header(1, -1), [shared], objects={1: shared})]


@pytest.mark.parametrize("record", _records(), ids=lambda r: r.__class__.__name__)
def test_a_record_prints_and_compares_as_an_ordinary_dataclass(record):
    plain = _as_plain_dataclass(record)
    assert repr(record) == repr(plain)
    twin = copy.deepcopy(record)
    assert record == twin and not record != twin
    assert record != plain  # another class is never equal, as a dataclass's __eq__ says
    with pytest.raises(TypeError):
        hash(record)  # unhashable, as a dataclass with eq=True


def test_fields_left_out_of_comparison_are_left_out():
    first = ClassRecord(1, 4, metadata_id=1, definition=ClassRecord(5, 1, "A"))
    second = ClassRecord(1, 4, metadata_id=1, definition=ClassRecord(5, 1, "B"))
    assert first == second  # definition: compare=False
    assert "definition" not in repr(first) and "assumed_types" not in repr(first)
    assert ClassRecord(1, 4, metadata_id=1) != ClassRecord(1, 5, metadata_id=1)
    assert NrbfStream(Header(1, -1), [], objects={1: first}) == NrbfStream(Header(1, -1), [])
