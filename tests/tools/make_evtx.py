"""Writes the generated .evtx files of tests/data/evtx/ (see tests/data/README.md).

Run when they need to change: `python -m tests.tools.make_evtx`. The output is committed; this
script documents how it was made. Every event is invented. The files have the shapes the tests
need from real logs whose licence does not let us ship them: an Application log with named
`<Data>` and one FILETIME 0 (1601-01-01), a dense Security log that fills every chunk, and a
PowerShell Operational log of very large records (a few per 64 KB chunk).

The writer emits the .evtx container (file header, 64 KB chunks, CRC32 checksums, records on
8-byte boundaries) and binary XML without templates: each element and attribute name is written
inline, values are UTF-16 strings except TimeCreated/@SystemTime, a FILETIME value as Windows
writes it. The `evtx` parser reads such files like Windows' own (docs/host-facts.md §5).
"""

from __future__ import annotations

import random
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "evtx"
CHUNK_SIZE = 65536
FIRST_RECORD = 512  # records start after the chunk header, string and template tables
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
EPOCH_1601 = datetime(1601, 1, 1, tzinfo=UTC)


def filetime(when: datetime) -> int:
    return (when - EPOCH_1601) // timedelta(microseconds=1) * 10


class Fragment:
    """Binary XML of one event, with offsets relative to its chunk (inline names point at themselves)."""

    def __init__(self, base: int) -> None:
        self.base = base  # where this fragment starts in the chunk
        self.out = bytearray(b"\x0f\x01\x01\x00")  # fragment header, version 1.1

    def _here(self) -> int:
        return self.base + len(self.out)

    def _name(self, name: str) -> None:
        text = name.encode("utf-16-le")
        self.out += struct.pack("<I", self._here() + 4)  # the name follows right here
        hash_ = sum(name.encode("utf-16-le")) & 0xFFFF  # parsers do not check it
        self.out += struct.pack("<IHH", 0, hash_, len(name)) + text + b"\x00\x00"

    def _value(self, value: str | int) -> None:
        if isinstance(value, int):  # FILETIME
            self.out += struct.pack("<BBQ", 0x05, 0x11, value)
        else:
            text = value.encode("utf-16-le")  # counted in UTF-16 units: a character outside the BMP is two
            self.out += struct.pack("<BBH", 0x05, 0x01, len(text) // 2) + text

    def element(self, name: str, attrs: dict[str, str | int] | None = None,
                text: str | None = None, children: list | None = None) -> None:
        self.out.append(0x41 if attrs else 0x01)  # no dependency id: records outside templates omit it
        size_at = len(self.out)
        self.out += b"\x00\x00\x00\x00"  # data size, filled below
        self._name(name)
        if attrs:
            list_at = len(self.out)
            self.out += b"\x00\x00\x00\x00"
            items = list(attrs.items())
            for i, (key, value) in enumerate(items):
                self.out.append(0x46 if i < len(items) - 1 else 0x06)
                self._name(key)
                self._value(value)
            struct.pack_into("<I", self.out, list_at, len(self.out) - list_at - 4)
        if text is None and not children:
            self.out.append(0x03)  # <X ... />
        else:
            self.out.append(0x02)
            if text is not None:
                self._value(text)
            for child in children or []:
                self.element(*child)
            self.out.append(0x04)
        struct.pack_into("<I", self.out, size_at, len(self.out) - size_at - 4)

    def end(self) -> bytes:
        return bytes(self.out) + b"\x00"  # end of fragment


def event_tree(ev: dict) -> tuple:
    system = [("Provider", {"Name": ev["provider"]}),
              ("EventID", {"Qualifiers": ev["qualifiers"]} if "qualifiers" in ev else None, str(ev["id"])),
              ("Level", None, str(ev["level"])),
              ("TimeCreated", {"SystemTime": ev["filetime"]}),
              ("EventRecordID", None, str(ev["record"])),
              ("Channel", None, ev["channel"]),
              ("Computer", None, ev["computer"])]
    data = [("Data", {"Name": k} if k else None, v) for k, v in ev["data"]]
    return ("Event", {"xmlns": EVENT_NS}, None, [("System", None, None, system),
                                                ("EventData", None, None, data)])


def record_bytes(ev: dict, offset: int) -> bytes:
    frag = Fragment(offset + 24)
    frag.element(*event_tree(ev))
    body = frag.end()
    size = 24 + len(body) + 4
    size += -size % 8  # records sit on 8-byte boundaries
    pad = size - 24 - len(body) - 4
    return (b"\x2a\x2a\x00\x00" + struct.pack("<IQQ", size, ev["record"], ev["filetime"])
            + body + b"\x00" * pad + struct.pack("<I", size))


def chunk_bytes(events: list[dict]) -> bytes:
    records, offset, last_offset = bytearray(), FIRST_RECORD, FIRST_RECORD
    for ev in events:
        last_offset = offset
        rec = record_bytes(ev, offset)
        records += rec
        offset += len(rec)
    header = bytearray(FIRST_RECORD)
    first, last = events[0]["record"], events[-1]["record"]
    struct.pack_into("<8sQQQQIII", header, 0, b"ElfChnk\x00", first, last, first, last,
                     128, last_offset, offset)
    struct.pack_into("<I", header, 52, zlib.crc32(records))
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120]) + bytes(header[128:512])))
    chunk = bytes(header) + bytes(records)
    return chunk + b"\x00" * (CHUNK_SIZE - len(chunk))


def evtx_bytes(events: list[dict]) -> bytes:
    chunks, current, used = [], [], FIRST_RECORD
    for ev in events:
        size = len(record_bytes(ev, used))
        if current and used + size > CHUNK_SIZE:
            chunks.append(chunk_bytes(current))
            current, used = [], FIRST_RECORD
            size = len(record_bytes(ev, used))
        if used + size > CHUNK_SIZE:
            raise ValueError(f"record {ev['record']} does not fit in a chunk")
        current.append(ev)
        used += size
    if current:
        chunks.append(chunk_bytes(current))
    header = bytearray(4096)
    struct.pack_into("<8sQQQIHHHH", header, 0, b"ElfFile\x00", 0, len(chunks) - 1,
                     events[-1]["record"] + 1, 128, 1, 3, 4096, len(chunks))
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    return bytes(header) + b"".join(chunks)


def events_of(count: int, make) -> list[dict]:
    rng = random.Random(20261206)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    return [make(i, rng, filetime(start + timedelta(seconds=7 * i))) for i in range(count)]


APP_PROVIDERS = [f"Contoso{name}" for name in ("Backup", "Sync", "Print", "Mail", "Updater", "Search",
                                               "Inventory", "Agent", "Scheduler", "Reports")]


def application(i: int, rng: random.Random, when: int) -> dict:
    provider = APP_PROVIDERS[i % len(APP_PROVIDERS)]
    ev = {"provider": provider, "id": 1000 + i % 40, "qualifiers": "0", "level": rng.choice([2, 3, 4, 4, 4]),
          "filetime": 0 if i == 17 else when, "record": i + 1, "channel": "Application",
          "computer": "app01.contoso.test"}
    if i % 3 == 0:  # a classic event: one unnamed string
        ev["data"] = [("", f"{provider} finished job {i} in {rng.randint(1, 900)} ms.")]
    else:  # a manifest event: named Data, one of them empty
        ev["data"] = [("Job", f"job-{i}"), ("Result", rng.choice(["ok", "retry", "failed"])),
                      ("Detail", "" if i % 5 == 0 else f"item {rng.randint(1, 10**6)}")]
    return ev


def security(i: int, rng: random.Random, when: int) -> dict:
    return {"provider": "Microsoft-Windows-Security-Auditing", "id": 4625 if i % 4 else 4624, "level": 0,
            "filetime": when, "record": 50_000 + i, "channel": "Security", "computer": "dc01.contoso.test",
            "data": [("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", "DC01$"),
                     ("TargetUserName", f"user{rng.randint(1, 400)}"), ("LogonType", "3"),
                     ("IpAddress", f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}"),
                     ("Status", "0xc000006d" if i % 4 else "0x0")]}


def powershell(i: int, rng: random.Random, when: int) -> dict:
    words = [f"$v{rng.randint(0, 999)} = '{rng.randbytes(12).hex()}';" for _ in range(rng.randint(100, 250))]
    return {"provider": "Microsoft-Windows-PowerShell", "id": 4104, "level": 5, "filetime": when,
            "record": i + 1, "channel": "Microsoft-Windows-PowerShell/Operational",
            "computer": "ws07.contoso.test",
            "data": [("MessageNumber", "1"), ("MessageTotal", "1"), ("ScriptBlockText", " ".join(words)),
                     ("ScriptBlockId", f"{rng.randbytes(16).hex()}"), ("Path", "")]}


FILES = {"application-named-data.evtx": (200, application),
         "security-dense.evtx": (300, security),
         "powershell-large-records.evtx": (16, powershell)}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (count, make) in FILES.items():
        (OUT / name).write_bytes(evtx_bytes(events_of(count, make)))
        print(name, count)


if __name__ == "__main__":
    main()
