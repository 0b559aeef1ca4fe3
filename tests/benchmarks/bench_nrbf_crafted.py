"""Benchmark: crafted secret blobs (issue 22 item 9), each classified the way every caller does it
(`read_secret` on the base64 text of a Configuration.xml value) in a fresh child process, so the
peak resident memory of the child is the cost of that one value.

Prints, per blob: its size, the state and reason `read_secret` gives, wall time, and the child's
peak RSS (ru_maxrss). A real host secret is ~300 bytes (tests/hostsecrets/data/host.nrbf: 212).
Run: `python tests/benchmarks/bench_nrbf_crafted.py [--quick]` (--quick: the 2-million-member blob
is left out).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from tests.hostsecrets import crafted
from app.config.secretvalues import read_secret
text = crafted.as_text(getattr(crafted, {maker!r})({n}))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
reading = read_secret(text)
took = time.perf_counter() - start
print(json.dumps({{"bytes": len(text) * 3 // 4, "state": reading.state, "reason": reading.reason[:90],
                  "seconds": took, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_before_mb": base / 1024}}))
"""

CASES = [("null records, ~5 MB", "null_records", 5_000_000),
         ("2 million members", "many_members", 2_000_000),
         # the worst that fits the 64 KiB bound: stopped by the record and member bounds
         ("null records, 60 KB", "null_records", 60_000),
         ("5,000 members, 33 KB", "many_members", 5_000),
         ("1,000 members (accepted)", "many_members", 1_000)]


def main() -> None:
    quick = "--quick" in sys.argv
    for name, maker, n in CASES:
        if quick and n >= 2_000_000 and maker == "many_members":
            continue
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), maker=maker, n=n)],
                             capture_output=True, text=True, check=True).stdout
        row = json.loads(out)
        print(f"{name:22} {row['bytes']:>10,} bytes  {row['seconds']:7.2f} s  peak RSS "
              f"{row['rss_mb']:7.0f} MB (before reading {row['rss_before_mb']:.0f} MB)  "
              f"{row['state']}: {row['reason']}  [child total {time.perf_counter() - start:.1f} s]")


if __name__ == "__main__":
    main()
