"""Benchmark: load + validate + save of a Configuration.xml with 200 connectors x 50 parameters.

Prints milliseconds per step (median of several runs) and the ratio against a bare lxml
parse + serialize of the same bytes, measured in the same run (goal:
under 3x). Run: `python tests/benchmarks/bench_config.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.config import builders as b
from app.config.document import ConfigDocument
from app.config.rules import validate
from app.config.store import ConfigStore
from app.config.xmltext import hardened_parser

CONNECTORS, PARAMETERS, RUNS = 200, 50, 11


def generate() -> bytes:
    doc = ConfigDocument.from_bytes(b.EMPTY_CONFIGURATION, "bench")
    uses = ("Capabilities", "Global", "Connectivity")
    for i in range(CONNECTORS):
        params = [b.parameter(f"Parameter {j}", "String", uses[j % 3], f"value {i}-{j}")
                  for j in range(PARAMETERS)]
        spec = b.ConnectorSpec(
            name=f"Connector{i:03d}", library_name="Microsoft.IAM.Connector.GenericSql",
            secret_token=f"token-{i:04d}-abcdefghijklmnop", parameters=params,
            run_profiles={"Export": [b.StepSpec("Export")], "FullImport": [b.StepSpec("Import")]},
            attributes=[b.attribute_schema("Id", anchor=True)] +
                       [b.attribute_schema(f"Attr{k}") for k in range(10)])
        doc.add_connector(b.connector(spec))
    doc.setting.certificate = "AB" * 20
    return doc.to_bytes()


def timed(fn, runs: int = RUNS) -> tuple[float, object]:
    """Median milliseconds of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    data = generate()
    folder = Path(tempfile.mkdtemp())
    path = folder / "Configuration.xml"
    path.write_bytes(data)
    print(f"file: {len(data) / 1e6:.2f} MB, {CONNECTORS} connectors x {PARAMETERS} parameters, "
          f"{data.count(b'<') // 2:,} elements (approx.)")

    def baseline():
        return etree.tostring(etree.fromstring(path.read_bytes(), hardened_parser()))

    store = ConfigStore(path)
    steps: dict[str, list[float]] = {k: [] for k in
                                     ("load", "validate", "edit", "patch+verify", "backup+write")}
    base: list[float] = []
    for run in range(RUNS):  # baseline and pipeline interleaved: both see the same machine load
        start = time.perf_counter()
        baseline()
        base.append((time.perf_counter() - start) * 1000)
        t0 = time.perf_counter()
        doc = store.load()
        t1 = time.perf_counter()
        findings = validate(doc)
        t2 = time.perf_counter()
        doc.connector("Connector100").autosync_timer = str(run + 1)  # differs every run
        t3 = time.perf_counter()
        data = doc.to_bytes()
        t4 = time.perf_counter()
        store.write_bytes(data, doc.saved_copy(data))
        t5 = time.perf_counter()
        for key, a, z in (("load", t0, t1), ("validate", t1, t2), ("edit", t2, t3),
                          ("patch+verify", t3, t4), ("backup+write", t4, t5)):
            steps[key].append((z - a) * 1000)
    unedited_ms, _ = timed(lambda: store.save(store.load()))
    medians = {k: statistics.median(v) for k, v in steps.items()}
    base_ms = statistics.median(base)
    print(f"baseline lxml parse + serialize : {base_ms:8.1f} ms")
    for key, ms in medians.items():
        print(f"{key:32}: {ms:8.1f} ms")
    print(f"(validate found {len(findings)} findings)")
    total = sum(medians.values())
    print(f"load + validate + one edit + save: {total:8.1f} ms = {total / base_ms:.2f}x baseline "
          "(goal: under 3x)")
    print(f"load + save with no edit (nothing written): {unedited_ms:6.1f} ms = "
          f"{unedited_ms / base_ms:.2f}x baseline")

if __name__ == "__main__":
    main()
