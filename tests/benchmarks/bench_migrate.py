"""Benchmark: MIM import, connector export, bundle create/read, host diff.

Each figure is a median of several runs with a baseline measured in the same run (machines here
are noisy: read the ratios):
- MIM import of Microsoft's Lync export (178 KB): read + map, against a bare hardened lxml parse;
- export of the sample host's connectors, against ConfigDocument.load of the same file;
- bundle create without secrets, against zipping the same files with zipfile alone;
- bundle create with secrets (scrypt n=2^15 dominates), and read_bundle;
- host diff of two sample-host folders, against diff_documents of their Configuration.xml.
Run: `python tests/benchmarks/bench_migrate.py` (the line on Microsoft's Lync export runs only where that file is beside the project).
"""

from __future__ import annotations

import io
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.config.diff import diff_documents  # noqa: E402
from app.config.document import ConfigDocument  # noqa: E402
from app.config.xmltext import parse_bytes  # noqa: E402
from app.host.layout import from_host_dir  # noqa: E402
from app.migrate import bundle, connectors, hostdiff  # noqa: E402
from app.migrate.mim_mapping import import_management_agent  # noqa: E402

LYNC = ROOT.parent / "shared" / "corpus" / "ma-export-lync-powershell.xml"  # Microsoft's, when at hand
OURS = ROOT / "tests" / "data" / "ma-export-powershell.xml"


def median_ms(fn, runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def line(what: str, ms: float, base_what: str, base_ms: float) -> None:
    print(f"{what:<44} {ms:8.2f} ms   {base_what:<34} {base_ms:8.2f} ms   x{ms / base_ms:5.1f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        shutil.copytree(ROOT / "resources" / "sample-host", a)
        shutil.copytree(ROOT / "resources" / "sample-host", b)
        layout = from_host_dir(a)
        if LYNC.exists():
            data = LYNC.read_bytes()
            line("MIM import (Lync export, class User)",
                 median_ms(lambda: import_management_agent(data, "lync", object_type="User")),
                 "bare hardened parse", median_ms(lambda: parse_bytes(data, "lync")))
        ours = OURS.read_bytes()
        line("MIM import (tests/data export, class User)",
             median_ms(lambda: import_management_agent(ours, "ours", object_type="User")),
             "bare hardened parse", median_ms(lambda: parse_bytes(ours, "ours")))
        config = layout.config_path
        doc = ConfigDocument.load(config)
        line("export all connectors (sample host)", median_ms(lambda: connectors.export_connectors(doc)),
             "ConfigDocument.load", median_ms(lambda: ConfigDocument.load(config)))

        def plain_zip():
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for p in (config, layout.service_config_path, layout.wizard_config_path):
                    z.writestr(p.name, p.read_bytes())
        line("bundle create, secrets left out", median_ms(lambda: bundle.create_bundle(layout)),
             "zipfile of the same three files", median_ms(plain_zip))
        made = bundle.create_bundle(layout, passphrase="correct horse battery staple").data
        line("bundle create, secrets encrypted",
             median_ms(lambda: bundle.create_bundle(layout, passphrase="correct horse battery staple"), 5),
             "bundle create, secrets left out", median_ms(lambda: bundle.create_bundle(layout)))
        line("read_bundle (checks, checksums)", median_ms(lambda: bundle.read_bundle(made, "b")),
             "zipfile read of every entry",
             median_ms(lambda: [zipfile.ZipFile(io.BytesIO(made)).read(n)
                                for n in zipfile.ZipFile(io.BytesIO(made)).namelist()]))
        db = ConfigDocument.load(b / "Service/Configuration/Configuration.xml")
        line("host diff of two folders", median_ms(lambda: hostdiff.diff_hosts(a, b)),
             "diff_documents of the two files", median_ms(lambda: diff_documents(doc, db)))


if __name__ == "__main__":
    main()
