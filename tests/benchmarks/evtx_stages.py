"""Where an .evtx load's CPU time goes, stage by stage, in one process (CPU microseconds a record).

    python tests/benchmarks/evtx_stages.py FILE.evtx [--chunks N] [--runs 5]

FILE is typically bench_events.py's generated input (`--keep DIR` keeps it: DIR/corpus-N.evtx).
Each stage runs over the same chunks as the load does it (evtx_file.parse_chunk's steps, one after
the other) and reports the fastest of --runs passes, so another process on a shared machine
inflates it least:
- parser: PyEvtxParser over header + one 64 KiB chunk, records_json() iterated (texts kept);
- decode: orjson.loads of every text alone (part of row building);
- rows: eventjson.row_from_json over the texts (decode included);
- table: EventTable.append_rows of the rows, messages packed into blocks (textblocks.py);
- hand-off: pickle.dumps of a worker task's table (48 chunks) and pickle.loads in the parent;
- worker start-up: a spawned process importing what a load's worker imports (wall and CPU);
- bare records(): the whole file through the parser's own iterator, the benchmark's baseline.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import pickle
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _fastest(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def _import_worker_modules() -> None:
    import app.events.sources.evtx_file  # noqa: F401  (what a load's worker process imports)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--chunks", type=int, default=480, help="chunks measured (from the start)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import orjson
    from evtx import PyEvtxParser

    from app.events.eventjson import row_from_json
    from app.events.records import EventTable
    from app.events.sources.evtx_file import CHUNK_SIZE, GROUP, EvtxFileSource

    header = EvtxFileSource(args.file).header
    with args.file.open("rb") as fh:
        fh.seek(len(header))
        chunks = [fh.read(CHUNK_SIZE) for _ in range(args.chunks)]
    chunks = [c for c in chunks if c]

    def parse() -> list[list[str]]:
        return [[cast(dict, r)["data"] for r in PyEvtxParser(io.BytesIO(header + c), number_of_threads=1).records_json()]
                for c in chunks]

    texts = parse()
    records = sum(map(len, texts))
    rows = [[row_from_json(t) for t in chunk] for chunk in texts]

    def table() -> list[EventTable]:
        tables = []
        for start in range(0, len(rows), GROUP):
            part = EventTable()
            for chunk_rows in rows[start:start + GROUP]:
                part.append_rows(chunk_rows, range(len(chunk_rows)))
            part.messages.seal()
            tables.append(part)
        return tables

    tables = table()
    blobs = [pickle.dumps(t) for t in tables]
    figures = {
        "parser (records_json per chunk)": _fastest(parse, args.runs),
        # each decoded record dropped at once, as row building does (a list of them all costs
        # three times as much: the allocator, not the decoder)
        "  decode (orjson.loads alone)": _fastest(
            lambda: [None for c in texts for t in c if orjson.loads(t) is None], args.runs),
        "rows (row_from_json, decode included)": _fastest(
            lambda: [row_from_json(t) for c in texts for t in c], args.runs),
        "table (append_rows + message blocks)": _fastest(table, args.runs),
        "hand-off: pickle.dumps in the worker": _fastest(lambda: [pickle.dumps(t) for t in tables], args.runs),
        "hand-off: pickle.loads in the parent": _fastest(lambda: [pickle.loads(b) for b in blobs], args.runs),
    }
    print(f"{args.file.name}: {len(chunks)} chunks, {records:,} records; CPU us a record, fastest of {args.runs}")
    total = 0.0
    for name, seconds in figures.items():
        per = seconds / records * 1e6
        total += 0 if name.startswith("  ") else per
        print(f"  {name:40} {per:6.2f}")
    print(f"  {'sum of the stages':40} {total:6.2f}")
    context = multiprocessing.get_context("spawn")
    cpu, started = _children_cpu(), time.perf_counter()
    process = context.Process(target=_import_worker_modules)
    process.start()
    process.join()
    print(f"  worker start-up (spawn + imports): {time.perf_counter() - started:.3f} s wall, "
          f"{_children_cpu() - cpu:.3f} s CPU, once per worker and load")
    bare = _fastest(lambda: sum(1 for _ in PyEvtxParser(str(args.file)).records()), min(args.runs, 3))
    whole = sum(1 for _ in PyEvtxParser(str(args.file)).records())
    print(f"  bare records() over the whole file: {bare / whole * 1e6:.2f} us a record ({whole:,} records)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
