"""Run one reader on one hostile payload in a fresh process and print what it cost as JSON:
`python -m tests.reliability.hostile_probe READER PAYLOAD FOLDER`.

A fresh process per case, because peak RSS (getrusage) only ever grows: the growth measured is
the reader's, from a baseline taken after the payload itself is built."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _laughs(root: str) -> bytes:
    ents = b"".join(b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1) if i else b"lol") * 10)
                    for i in range(10))
    return b'<?xml version="1.0"?><!DOCTYPE %s [%s]><%s>&l9;</%s>' % (
        root.encode(), ents, root.encode(), root.encode())


def payload(kind: str, root: str) -> bytes:
    r = root.encode()
    if kind == "billion-laughs":
        return _laughs(root)
    if kind == "external-entity":
        return (b'<?xml version="1.0"?><!DOCTYPE %s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<%s>&x;</%s>" % (r, r, r))
    if kind == "external-dtd":
        return b'<!DOCTYPE %s SYSTEM "http://127.0.0.1:9/evil.dtd"><%s/>' % (r, r)
    if kind == "parameter-entity":
        return b'<!DOCTYPE %s [<!ENTITY %% p SYSTEM "http://127.0.0.1:9/x">%%p;]><%s/>' % (r, r)
    if kind == "deep-nesting":
        return b"<%s>" % r + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</%s>" % r
    if kind == "huge-text-node":
        return b"<%s><a>" % r + b"x" * (100 * 1024 * 1024) + b"</a></%s>" % r
    raise ValueError(kind)


def _xml_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)  # the probe's scratch file
    return path


def read(reader: str, data: bytes, folder: Path) -> str:
    """Returns 'refused: <sentence>' or 'read'."""
    from app.errors import UserError

    try:
        if reader == "configuration":
            from app.config.document import ConfigDocument
            ConfigDocument.from_bytes(data, "hostile.xml")
        elif reader == "exe-config":
            from app.host.appconfig import AppConfig
            AppConfig.from_bytes(data, "hostile.xml")
        elif reader == "mim-export":
            from app.migrate.mim_export import read_agent
            read_agent(data, "hostile.xml")
        elif reader == "connector-export":
            from app.migrate.connectors import read_connector_file
            read_connector_file(data, "hostile.xml")
        elif reader == "schema-xml":
            from app.wizard.schema_sources import read_powershell_schema
            read_powershell_schema(_xml_file(folder, "hostile.xml", data))
        elif reader == "event-dump":
            from app.events.sources.base import open_source
            open_source(_xml_file(folder, "hostile.xml", data)).load()
        elif reader == "bundle":
            import io
            import zipfile

            from app.host.layout import from_host_dir
            from app.migrate import bundle
            from app.paths import resources_dir
            real = bundle.create_bundle(from_host_dir(resources_dir() / "sample-host")).data
            with zipfile.ZipFile(io.BytesIO(real)) as z:
                entries = {n: z.read(n) for n in z.namelist()}
            manifest = json.loads(entries[bundle.MANIFEST])
            entries[bundle.CONFIGURATION] = data
            manifest["files"][bundle.CONFIGURATION]["sha256"] = bundle.sha256(data)
            entries[bundle.MANIFEST] = json.dumps(manifest).encode()
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for n, d in entries.items():
                    z.writestr(n, d)
            bundle.read_bundle(buf.getvalue(), "hostile.xml").document()
        else:
            raise ValueError(reader)
    except UserError as exc:
        return "refused: " + exc.sentence()
    return "read"


ROOTS = {"configuration": "Configuration", "exe-config": "configuration", "mim-export": "export-ma",
         "connector-export": "Configuration", "schema-xml": "Schema", "event-dump": "Event",
         "bundle": "Configuration"}


def main() -> None:
    reader, kind, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    import app.config.document  # imports are not the reader's cost
    import app.events.sources.base
    import app.migrate.bundle  # noqa: F401
    data = payload(kind, ROOTS[reader])
    import resource  # POSIX only: imported here so the test module's ROOTS import works on Windows

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcome = read(reader, data, folder)
    spent = time.perf_counter() - start
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base  # KiB on Linux
    # worker processes: on Linux a child forked before exec reports the parent's pages too, so
    # this over-counts (it includes the payload held here); a ceiling, not a measure
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"outcome": outcome, "seconds": spent, "rss_growth_mb": grew / 1024,
                      "worker_peak_mb": workers / 1024, "payload_mb": len(data) / 1048576}))


if __name__ == "__main__":
    main()
