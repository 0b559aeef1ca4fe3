"""Event log figures: load speed vs same-run baselines, first rows, filters, peak RSS.

    python tests/benchmarks/bench_events.py [--records 1000000] [--runs 3] [--keep DIR]

Two inputs, each measured in its own child process so peak RSS is that input's alone:
- xml: a generated `wevtutil qe /f:xml`-style dump of ECMA2Host events;
- evtx: the corpus .evtx chunks repeated into one file of about as many records.
Baselines (same process, same file): evtx `PyEvtxParser.records_json()` + `json.loads` per record,
and the bare `records()` loop; xml: lxml iterparse reading the System fields of each event.
Figures are medians; ratios are ours/baseline time (below 1 is faster than the baseline).
Filters are also run on a copy of the table whose messages are all made distinct: repeated
messages are stored and searched once per block, and the generated dump repeats a lot.
Every filter runs twice in the same run: with the search helper process (scanhelper.py, a
spawned process fed half the blocks' search text) and in one process (helper off); peak RSS is
reported for both processes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# The README's figures used the real logs beside the project when present; a clone uses tests/data.
SHARED = ROOT.parent / "shared" / "corpus" / "evtx"
CORPUS = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "evtx"
NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the load's worker processes): a
    busy shared machine stretches wall time, much less the work done."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU: dict[str, float] = {}  # median CPU seconds of each median_time(..., cpu=name)


def rss_now_mb(pid: int | str | None = "self") -> float:
    """Resident memory of a process right now (Linux), 0 when it is gone or unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def median_time(fn, runs: int, cpu: str = "") -> tuple[float, object]:
    times, cpus, result = [], [], None
    for _ in range(runs):
        result = None  # the previous run's table is freed before the next one (peak RSS)
        t, c = time.perf_counter(), cpu_seconds()
        result = fn()
        times.append(time.perf_counter() - t)
        cpus.append(cpu_seconds() - c)
    if cpu:
        CPU[cpu] = statistics.median(cpus)
    return statistics.median(times), result


# --- inputs --------------------------------------------------------------------------------------

def make_xml(path: Path, records: int) -> Path:
    from tests.events.sample import write_synthetic_dump

    if not path.exists():
        write_synthetic_dump(path, records)
    return path


def make_evtx(path: Path, records: int) -> Path:
    """The corpus files' good chunks, repeated behind one file header, until `records` records."""
    if path.exists():
        return path
    from app.events.sources.evtx_file import CHUNK_MAGIC, CHUNK_SIZE

    chunks: list[tuple[bytes, int]] = []
    header = None
    for file in sorted(CORPUS.glob("*.evtx")):
        data = file.read_bytes()
        header = header or data[:4096]
        for off in range(4096, len(data), CHUNK_SIZE):
            chunk = data[off:off + CHUNK_SIZE]
            if chunk[:8] == CHUNK_MAGIC and "corrupt" not in file.name:
                first, last = int.from_bytes(chunk[24:32], "little"), int.from_bytes(chunk[32:40], "little")
                chunks.append((chunk, last - first + 1))
    total = 0
    with path.open("wb") as fh:
        fh.write(header)
        while total < records:
            for chunk, count in chunks:
                fh.write(chunk)
                total += count
                if total >= records:
                    break
    return path


# --- baselines -----------------------------------------------------------------------------------

def baseline_evtx_json(path: Path) -> int:
    from evtx import PyEvtxParser

    n = 0
    for rec in PyEvtxParser(str(path)).records_json():
        json.loads(rec["data"])
        n += 1
    return n


def baseline_evtx_bare(path: Path) -> int:
    from evtx import PyEvtxParser

    n = 0
    for _ in PyEvtxParser(str(path)).records():
        n += 1
    return n


def threaded_evtx_load(path: Path, threads: int = 2) -> int:
    """The tried alternative: evtx's own parallel parsing (number_of_threads) over the whole file in
    one process, columns taken per record as ours are (no per-chunk damage count or locators)."""
    from evtx import PyEvtxParser

    from app.events.eventjson import row_from_json
    from app.events.records import EventTable

    table, rows = EventTable(), []
    for rec in PyEvtxParser(str(path), number_of_threads=threads).records_json():
        rows.append(row_from_json(rec["data"]))
        if len(rows) == 4096:
            table.append_rows(rows, range(len(table), len(table) + len(rows)))
            rows = []
    table.append_rows(rows, range(len(table), len(table) + len(rows)))
    return len(table)


class _Wrapped:
    """The bare sequence of <Event> wrapped in one root, so lxml can iterparse it."""

    def __init__(self, path: Path) -> None:
        self.parts = [b"<Events>"]
        self.fh = path.open("rb")
        self.done = False

    def read(self, size: int = 1 << 20) -> bytes:
        if self.parts:
            return self.parts.pop()
        data = self.fh.read(size)
        if data:
            return data
        if not self.done:
            self.done = True
            return b"</Events>"
        return b""


def baseline_xml_lxml(path: Path) -> int:
    from lxml import etree

    n = 0
    fields = {}
    for _, elem in etree.iterparse(_Wrapped(path), events=("end",), tag=NS + "Event",
                                   resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True):
        system = elem.find(NS + "System")
        for child in system:
            fields[child.tag] = child.text or child.attrib
        n += 1
        elem.clear()
        while elem.getprevious() is not None:
            del elem.getparent()[0]
    return n


# --- ours ----------------------------------------------------------------------------------------

def ours_first_rows(path: Path) -> float:
    from app.events.sources.base import open_source

    t = time.perf_counter()
    batches = open_source(path).batches()
    first = next(batches)
    assert len(first.table) > 0
    elapsed = time.perf_counter() - t
    batches.close()
    return elapsed


def ours_load(path: Path):
    from app.events.sources.base import open_source

    return open_source(path).load()


# A top-level EventViewer dropped by Python's GC aborts PySide6 6.12 at exit ("shared QObject was
# deleted directly"); in the app the viewer is owned by its window, so the benchmark keeps them.
_VIEWERS: list = []


def gui_first_rows(path: Path) -> float:
    """Open in the real EventViewer (offscreen): time until the model has rows to paint."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from app.ui.events.viewer import EventViewer

    app = QApplication.instance() or QApplication([])
    loop = QEventLoop()  # its processEvents does not leak None refs under PySide6 6.12 + py3.11
    viewer = EventViewer()
    viewer.show()
    t = time.perf_counter()
    viewer.open_source(path)
    while viewer.model.rowCount() == 0:
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    loop.processEvents()
    viewer.grab()  # painted
    elapsed = time.perf_counter() - t
    viewer.cancel_load()
    while viewer.is_loading():
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    assert app
    viewer.close()
    _VIEWERS.append(viewer)  # never garbage-collected mid-run (see the note at _VIEWERS)
    return elapsed


def filter_figures(table, runs: int = 5) -> dict[str, float]:
    from app.events.filters import EventFilter

    newest = max(table.times[-1], table.times[0])
    cases = {
        "level<=warning": EventFilter(max_rank=3),
        "provider=ConnectorsLog": EventFilter(providers=frozenset({"ConnectorsLog"})),
        "connector=HRDatabase": EventFilter(connector="HRDatabase"),
        "text 'access is denied'": EventFilter(text="access is denied"),
        "text 'hrdatabase' (half the rows match)": EventFilter(text="hrdatabase"),
        "regex 'im00\\d'": EventFilter(text=r"im00\d", regex=True),
        "regex 'Access.*denied' (IGNORECASE)": EventFilter(text="Access.*denied", regex=True),
        "last day": EventFilter(since=newest - 86400 * 10_000_000),
        "event id 4625": EventFilter(event_ids=frozenset({4625})),
        "combined level+provider+text": EventFilter(max_rank=3, providers=frozenset({"ConnectorsLog"}),
                                                      text="connector"),
    }
    table.lowered_messages()  # the search text is packed as rows arrive (textblocks.py)
    out = {}
    for name, f in cases.items():
        out[name] = median_time(lambda f=f: f.apply(table), runs)[0]
    return out


def first_search(table) -> float:
    """The first text search after the load: it starts the helper when the text is big."""
    from app.events.filters import EventFilter

    t = time.perf_counter()
    EventFilter(text="access is denied").apply(table)
    return time.perf_counter() - t


def helper_fed(table, limit: float = 60.0) -> float:
    """Seconds until the helper holds every block it was sent (0 when the table has none)."""
    helper = table.messages._helper
    t = time.perf_counter()
    while helper.pid is not None and time.perf_counter() - t < limit:
        if all(helper._delivered.get(i) is b for i, b in helper._queued.items()):
            break
        time.sleep(0.01)
    return time.perf_counter() - t


def both_ways(table, result: dict, key: str) -> tuple[dict, dict, float | None]:
    """Filters with the helper, then in one process; and the helper's peak RSS. Our own peak
    is noted before the one-process pass, which takes the helper's search text back."""
    helper = table.messages._helper
    with_helper = filter_figures(table)
    answered = helper.answers
    rss = helper.peak_rss_mb()
    result[key] = peak_rss_mb()
    result[key + "_now"] = [rss_now_mb(), rss_now_mb(helper.pid) if helper.pid else 0.0]
    table.messages.close_search_helper()
    helper.failed = True  # one process from here on
    alone = filter_figures(table)
    if answered == 0:
        rss = None  # no helper ran (search text under the threshold)
    return with_helper, alone, rss


def one(kind: str, path: Path, runs: int) -> dict:
    """Everything for one input, in this process."""
    from app.events.records import EventTable

    result: dict = {"kind": kind, "file_mb": round(path.stat().st_size / 1e6, 1)}
    # the viewer first, in a fresh process: what a user opening the file sees
    # these two return their own measurement (the time to the first rows, not the teardown)
    result["first_rows_gui_s"] = statistics.median(gui_first_rows(path) for _ in range(runs))
    result["first_rows_core_s"] = statistics.median(ours_first_rows(path) for _ in range(runs))
    t_load, table = median_time(lambda: ours_load(path), runs, cpu="load")
    result["records"] = len(table)
    result["load_s"] = t_load
    t = time.perf_counter()
    table.lowered_messages()
    result["search_index_s"] = time.perf_counter() - t
    result["first_search_s"] = first_search(table)
    result["helper_catch_up_s"] = helper_fed(table)
    result["filters_s"], result["filters_one_s"], result["helper_rss_mb"] = both_ways(
        table, result, "peak_rss_mb_with_helper")
    result["peak_rss_mb_after_ours"] = peak_rss_mb()
    result["table_mb"] = table.nbytes() / 1e6
    # Worst case for the per-block sharing of repeated messages (the generated dump repeats a few
    # hundred messages; real logs repeat less): every message made distinct by its row number.
    distinct = EventTable()
    for row in range(len(table)):
        distinct.append(table.times[row], table.levels[row], table.providers[row],
                        table.event_ids[row], table.qualifiers[row], table.record_ids[row],
                        table.computers[row], table.channels[row],
                        f"{table.messages[row]} #{row}")
    del table
    distinct.lowered_messages()
    result["distinct_table_mb"] = distinct.nbytes() / 1e6
    result["distinct_first_search_s"] = first_search(distinct)
    result["distinct_catch_up_s"] = helper_fed(distinct)
    (result["filters_distinct_s"], result["filters_distinct_one_s"],
     result["distinct_helper_rss_mb"]) = both_ways(distinct, result, "peak_rss_mb_distinct_helper")
    result["peak_rss_mb_distinct"] = peak_rss_mb()
    del distinct
    if kind == "evtx":
        result["baseline_json_s"] = median_time(lambda: baseline_evtx_json(path), runs)[0]
        result["bare_records_s"] = median_time(lambda: baseline_evtx_bare(path), runs, cpu="bare")[0]
        result["threaded_load_s"] = median_time(lambda: threaded_evtx_load(path), runs)[0]
    else:
        result["baseline_lxml_s"] = median_time(lambda: baseline_xml_lxml(path), runs, cpu="lxml")[0]
    result["cpu_s"] = dict(CPU)
    return result


def report(r: dict) -> None:
    n = r["records"]
    print(f"\n== {r['kind']}: {n:,} records, {r['file_mb']} MB")
    print(f"first rows (core, first batch)   {r['first_rows_core_s'] * 1000:8.0f} ms")
    print(f"first rows (viewer, painted)     {r['first_rows_gui_s'] * 1000:8.0f} ms")
    print(f"full load (ours)                 {r['load_s']:8.2f} s  {n / r['load_s']:10,.0f} rec/s")
    full = r["load_s"] + r["search_index_s"]
    print(f"  + search index (viewer builds) {r['search_index_s']:8.2f} s  -> {n / full:,.0f} rec/s")
    if r["kind"] == "evtx":
        b, bare = r["baseline_json_s"], r["bare_records_s"]
        print(f"baseline records_json+json.loads {b:8.2f} s  {n / b:10,.0f} rec/s")
        print(f"bare Rust records()              {bare:8.2f} s  {n / bare:10,.0f} rec/s")
        t2 = r["threaded_load_s"]
        print(f"tried: one process, number_of_threads=2 {t2:8.2f} s  = {t2 / bare:.2f}x bare")
        cpu = r["cpu_s"]
        print(f"CPU seconds (all processes): ours {cpu['load']:.2f}, bare {cpu['bare']:.2f} "
              f"= {cpu['load'] / cpu['bare']:.2f}x (on 2 cores the wall-time floor is half of that)")
        print(f"ratio ours/baseline {r['load_s'] / b:.2f} (target <= 1.5); ours/bare "
              f"{r['load_s'] / bare:.2f} (goal <= 3); with index {full / b:.2f} / {full / bare:.2f}")
    else:
        b = r["baseline_lxml_s"]
        print(f"baseline lxml iterparse          {b:8.2f} s  {n / b:10,.0f} rec/s")
        print(f"ratio ours/baseline {r['load_s'] / b:.2f} (target <= 1.5); with index {full / b:.2f}")
    print("filters, ms (median of 5)             as loaded: helper / one process   "
          "every message distinct: helper / one process")
    for name, s in r["filters_s"].items():
        print(f"  {name:42} {s * 1000:7.0f} {r['filters_one_s'][name] * 1000:7.0f}"
              f"          {r['filters_distinct_s'][name] * 1000:7.0f} {r['filters_distinct_one_s'][name] * 1000:7.0f}")
    print(f"first text search after the load (starts the helper) {r['first_search_s'] * 1000:.0f} ms, "
          f"helper fed {r['helper_catch_up_s']:.2f} s later; distinct copy: "
          f"{r['distinct_first_search_s'] * 1000:.0f} ms, fed {r['distinct_catch_up_s']:.2f} s later")

    def helper(mb) -> str:
        return f"{mb:.0f} MB" if mb is not None else "not started"
    print(f"peak RSS after our load + index + filters with the helper: "
          f"{r['peak_rss_mb_with_helper']:.0f} MB + helper {helper(r['helper_rss_mb'])} (target < 800); "
          f"after the one-process pass too: {r['peak_rss_mb_after_ours']:.0f} MB")
    ours, its = r["peak_rss_mb_with_helper_now"]
    print(f"RSS once loaded and searched, both processes at the same moment: {ours:.0f} MB + helper "
          f"{its:.0f} MB = {ours + its:.0f} MB")
    print(f"peak RSS with the distinct copy too: {r['peak_rss_mb_distinct_helper']:.0f} MB "
          f"+ helper {helper(r['distinct_helper_rss_mb'])}; after its one-process pass "
          f"{r['peak_rss_mb_distinct']:.0f} MB")
    print(f"table estimate {r['table_mb']:.0f} MB; with every message distinct {r['distinct_table_mb']:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder for the generated inputs (reused)")
    parser.add_argument("--only", choices=["xml", "evtx"])
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one(args.child[0], Path(args.child[1]), args.runs)))
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-events-"))
    folder.mkdir(parents=True, exist_ok=True)
    kinds = [args.only] if args.only else ["xml", "evtx"]
    if "evtx" in kinds and not CORPUS.is_dir():
        print(f"skipping evtx: no corpus at {CORPUS}")
        kinds.remove("evtx")
    for kind in kinds:
        t = time.perf_counter()
        path = (make_xml(folder / f"ecma2host-{args.records}.xml", args.records) if kind == "xml"
                else make_evtx(folder / f"corpus-{args.records}.evtx", args.records))
        print(f"[{kind}] input ready in {time.perf_counter() - t:.1f} s: {path}", flush=True)
        out = subprocess.run([sys.executable, __file__, "--runs", str(args.runs), "--child", kind, str(path)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr)
            return 1
        report(json.loads(out.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
