"""Shared pieces of the fuzz tests: byte mutations of real files, the per-case time limit and the
hypothesis settings (CI-sized: 5,000 cases per parser; FUZZ_EXAMPLES raises or lowers it)."""

from __future__ import annotations

import os
import random
import signal
import time
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"  # real-shaped seeds (tests/data/README.md)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5000"))
# No reader may take over 2 s on any input (the requirement); a case fails only at 5x that, so a
# busy machine cannot fail it, while a quadratic path on a 4 KB input still does. The slowest
# case of each parser is printed by the report.
REQUIRED = 2.0
LIMIT = 5 * REQUIRED
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
XML_TOKENS = [b"<!--", b"-->", b"<X>", b"</X>", b"&amp;", b"&bogus;", b"&#0;", b"&#xFFFF;",
              b"<![CDATA[", b"]]>", b"\r\n", b"\xef\xbb\xbf", b"\x00", b"\xff\xfe", b'"', b"'",
              b"<?xml version='1.0' encoding='utf-16'?>", b"<?pi x?>", b"xmlns='urn:x'", b"a:b"]
SLOWEST: dict[str, float] = {}  # parser -> slowest case seen this run (printed by the report)


def data_file(name: str) -> bytes:
    return (DATA / name).read_bytes()


def seeds_of(*items: bytes | None) -> list[bytes]:
    return [i for i in items if i]


def mutate(rng: random.Random, seeds: list[bytes], tokens: list[bytes] = XML_TOKENS,
           max_span: int = 2000) -> bytes:
    """A real file with 1-8 edits: flipped bytes, cuts, tokens put in, spans duplicated, a tail cut."""
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(["flip", "delete", "insert", "duplicate", "truncate", "bytes"])
        pos = rng.randint(0, max(0, len(data) - 1))
        if kind == "flip" and data:
            data[pos] = rng.choice(b"<>/&;\"'=!?- \x00\xff\n" + b"aZ09")
        elif kind == "delete":
            del data[pos: pos + rng.randint(1, 40)]
        elif kind == "insert":
            data[pos:pos] = rng.choice(tokens)
        elif kind == "duplicate":
            data[pos:pos] = data[pos:min(len(data), pos + rng.randint(1, max_span))]
        elif kind == "bytes":
            data[pos:pos + 8] = rng.randbytes(rng.randint(1, 8))
        elif rng.randint(0, 3) == 0:  # cut the tail less often: it hides the deeper paths
            del data[pos:]
    return bytes(data)


def mutated(seeds: list[bytes], tokens: list[bytes] = XML_TOKENS):
    """Hypothesis draws a seed; the mutations come from it. Drawing each edit through hypothesis
    costs ~2.7 ms a case in its engine alone (5,000 cases x 9 parsers would be minutes of CI);
    the failing input is still printed whole and kept as an @example."""
    return st.integers(0, 2**63).map(lambda n: mutate(random.Random(n), seeds, tokens))


def random_bytes():
    """Short byte strings hypothesis picks (its edge cases), and up to 4 KB of seeded noise
    (hypothesis drawing 4 KB byte by byte costs more than the parsers themselves)."""
    return st.one_of(st.binary(max_size=64),
                     st.integers(0, 2**63).map(lambda n: random.Random(n).randbytes(n % 4097)))


def inputs(seeds: list[bytes], tokens: list[bytes] = XML_TOKENS):
    """Mostly mutated real files, some random bytes."""
    return st.one_of(mutated(seeds, tokens), mutated(seeds, tokens), mutated(seeds, tokens),
                     random_bytes())


class Hang(Exception):
    pass


@contextmanager
def timed(parser: str, limit: float = LIMIT):
    """Fails a case over `limit`; an endless loop is cut by an alarm (POSIX) instead of hanging CI."""
    def ring(*_):
        raise Hang(f"{parser}: a case ran for over 20 s")

    armed = hasattr(signal, "SIGALRM")
    if armed:
        old = signal.signal(signal.SIGALRM, ring)
        signal.alarm(20)
    start = time.perf_counter()
    try:
        yield
    finally:
        if armed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    spent = time.perf_counter() - start
    SLOWEST[parser] = max(SLOWEST.get(parser, 0.0), spent)
    assert spent < limit, f"{parser}: one case took {spent:.2f} s"


def clear_error(exc, name: str) -> None:
    """A UserError sentence that names the file, with no traceback in it. (A name quoted from the
    file may hold a line break of its own: that is the user's text, not noise.)"""
    sentence = exc.sentence()
    assert name in sentence, sentence
    assert "Traceback" not in sentence and 'File "' not in sentence, sentence
    assert len(sentence) < 2000, sentence[:300]
