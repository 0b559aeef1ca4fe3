"""Benchmark: reading and classifying host secrets.

Prints the median microseconds to read + write back one host-style encrypted value (the guessed
layout around 230 bytes), to classify it (`read_secret`: base64 + read + shape), and to read the
largest Mono-written test stream (tests/hostsecrets/data/arrays.nrbf); each with its ratio to a
base64 decode of the same value measured in the same run (a floor: any reader decodes base64).
Run: `python tests/benchmarks/bench_nrbf.py`.
"""

from __future__ import annotations

import base64
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.config import nrbf  # noqa: E402
from app.config.secretvalues import read_secret  # noqa: E402
from app.hostsecrets.build import build_object  # noqa: E402
from app.hostsecrets.hostlayout import GUESSED_LIBRARY, GUESSED_MEMBERS, HOST_CLASS  # noqa: E402

RUNS, LOOPS = 11, 2000


def per_call_us(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(LOOPS):
            fn()
        times.append((time.perf_counter() - start) / LOOPS * 1e6)
    return statistics.median(times)


def main() -> None:
    payload = bytes(range(230))
    data = nrbf.write(build_object(HOST_CLASS, GUESSED_LIBRARY, [(GUESSED_MEMBERS[0][0], payload)]))
    text = base64.b64encode(data).decode()
    arrays = (ROOT / "tests" / "hostsecrets" / "data" / "arrays.nrbf").read_bytes()
    floor = per_call_us(lambda: base64.b64decode(text))
    rows = [("base64 decode (floor)", floor),
            ("read + write back a host value", per_call_us(lambda: nrbf.write(nrbf.read(data)))),
            ("classify a host value (read_secret)", per_call_us(lambda: read_secret(text))),
            (f"read the arrays stream ({len(arrays)} bytes)", per_call_us(lambda: nrbf.read(arrays)))]
    for name, us in rows:
        print(f"{name:42} {us:9.1f} us   x{us / floor:8.1f}")


if __name__ == "__main__":
    main()
