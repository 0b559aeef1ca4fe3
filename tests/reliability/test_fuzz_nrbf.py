"""Fuzzing the .NET binary-serialization reader and the secret classification: mutated real streams
(written by Mono's BinaryFormatter, tests/hostsecrets/data/*.nrbf) and random bytes either read, and
then write back byte for byte, or raise NrbfError; a secret's text is always one of the four states,
never an exception, never slower than 2 s a case. 5,000 cases each (FUZZ_EXAMPLES sizes the run)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import example, given

from app.config import nrbf
from app.config.secretvalues import STATES, UNREADABLE, read_secret
from tests.reliability.fuzzing import ROOT, SETTINGS, inputs, timed

SEEDS = [p.read_bytes() for p in sorted((ROOT / "tests" / "hostsecrets" / "data").glob("*.nrbf"))]
# record openings and counts that reach the reader's deeper paths (nulls, references, arrays)
NRBF_TOKENS = [b"\x09\x03\x00\x00\x00", b"\x0b", b"\x0c\x02\x00\x00\x00\x01a", b"\x0a",
               b"\x0d\xff", b"\x0e\xff\xff\xff\x7f", b"\x0f\x05\x00\x00\x00\xff\xff\xff\x7f\x02",
               b"\x10\x06\x00\x00\x00\x02\x00\x00\x00", b"\x11", b"\x01\x07\x00\x00\x00\x01\x00\x00\x00",
               b"\x07\x08\x00\x00\x00\x02\x02\x00\x00\x00", b"\x80\x80\x80\x80\x80", b"\xff\xff\xff\xff",
               b"\x05\x09\x00\x00\x00\x01X", b"\x06\x0a\x00\x00\x00\x03abc", b"\x08\x03\xe2\x9c"]


def test_seeds_are_there():
    assert len(SEEDS) >= 10, "tests/hostsecrets/data holds the Mono-written seed streams"


@pytest.mark.fuzz
@SETTINGS
@given(inputs(SEEDS, NRBF_TOKENS))
@example(b"\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00" + b"\x10\x01\x00\x00\x00\x05\x00\x00\x00" * 80)
@example(b"\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00\x0b")
def test_reader_reads_and_writes_back_or_refuses(data):
    with timed("NRBF reader"):
        try:
            stream = nrbf.read(data)
        except nrbf.NrbfError as exc:
            assert exc.offset >= 0 and "Traceback" not in str(exc)
            return
        assert nrbf.write(stream) == data


@pytest.mark.fuzz
@SETTINGS
@given(inputs(SEEDS, NRBF_TOKENS))
def test_secret_classification_never_raises(data):
    text = base64.b64encode(data).decode()
    with timed("secret classification"):
        reading = read_secret(text)
    assert reading.state in STATES
    if reading.state == UNREADABLE:
        assert reading.reason and text not in reading.reason
