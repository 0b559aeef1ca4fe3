"""Crafted secret blobs (issue 22 item 9): a planted SecretToken or EncryptedString is refused in
bounded time and memory, with one sentence, by every caller; and names from a blob never reach a
terminal with their control characters raw. The blobs are built by tests/hostsecrets/crafted.py.
Figures before/after: tests/benchmarks/bench_nrbf_crafted.py."""

from __future__ import annotations

import time

import pytest

from app.cli import main
from app.config import nrbf
from app.config.document import ConfigDocument
from app.config.secretvalues import ENCRYPTED, UNREADABLE, read_secret, structure
from app.errors import printable as shown
from app.hostsecrets.inspect import status_of
from tests.hostsecrets import crafted
from tests.hostsecrets.helpers import document, spec

RAW = ("\x1b", "\r", "\x00", "\u202e")


def _quick(fn, seconds: float = 0.5):
    start = time.perf_counter()
    result = fn()
    assert time.perf_counter() - start < seconds
    return result


def test_five_megabytes_of_null_records_are_refused_before_reading():
    text = crafted.as_text(crafted.null_records(5_000_000))
    reading = _quick(lambda: read_secret(text))
    assert reading.state == UNREADABLE
    assert "characters long" in reading.reason and "not read" in reading.reason
    with pytest.raises(nrbf.NrbfError, match="more than the 65,536"):
        nrbf.read(crafted.null_records(5_000_000))


def test_null_records_within_the_size_bound_stop_at_the_record_bound():
    data = crafted.null_records(60_000)
    assert len(data) <= nrbf.MAX_BYTES
    with pytest.raises(nrbf.NrbfError, match="more than 4,096 records"):
        _quick(lambda: nrbf.read(data))
    assert read_secret(crafted.as_text(data)).state == UNREADABLE


def test_a_class_with_thousands_of_members_is_refused_before_its_names_are_read():
    data = crafted.many_members(5_000)
    assert len(data) <= nrbf.MAX_BYTES
    with pytest.raises(nrbf.NrbfError, match="5,000 members"):
        _quick(lambda: nrbf.read(data))
    text = crafted.as_text(crafted.many_members(2_000_000))
    assert _quick(lambda: read_secret(text)).state == UNREADABLE


def test_a_small_class_still_reads():
    reading = read_secret(crafted.as_text(crafted.many_members(20)))
    assert reading.state == ENCRYPTED and len(reading.members) == 20


def test_shown_escapes_control_and_format_characters_only():
    assert shown("Microsoft.ECMA2Host.Encrypted.DataEncrypt") == "Microsoft.ECMA2Host.Encrypted.DataEncrypt"
    assert shown("Évil\x1b[2J\r\x00\u202e\U000e0001") == "Évil\\x1b[2J\\x0d\\x00\\u202e\\U000e0001"


def _hostile_reading_text():
    return crafted.as_text(crafted.named("Evil\x1b[31mClass\r\u202e", "Data\x00\x1b]0;owned\x07"))


def test_names_from_a_crafted_blob_are_never_raw_in_what_is_shown():
    text = _hostile_reading_text()
    reading = read_secret(text)
    assert reading.state == ENCRYPTED
    status = status_of("HR", "SecretToken", "SecretToken", text, None)
    for out in (reading.class_name, reading.members[0].name, status.summary(), structure(text)):
        assert not any(c in out for c in RAW), out
    assert "Evil\\x1b[31mClass" in status.summary()


def test_names_in_a_refusal_are_never_raw():
    # a class that claims more members than it has: the reader's sentence names the class
    bad = crafted.named("Bad\x1b[2J", "m")[:-12] + b"\x0b"
    reading = read_secret(crafted.as_text(bad))
    assert reading.state == UNREADABLE
    assert not any(c in reading.reason for c in RAW)


def test_secrets_command_prints_no_control_character(tmp_path, capsys):
    doc = document(spec("HR", _hostile_reading_text()))
    path = tmp_path / "Configuration.xml"
    path.write_bytes(doc.to_bytes())
    assert ConfigDocument.load(path).connector("HR") is not None
    main(["secrets", "--config", str(path)])
    out = capsys.readouterr().out
    assert "Evil\\x1b[31mClass" in out
    assert not any(c in out for c in RAW)

