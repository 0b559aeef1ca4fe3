"""Events out: the rows a filter kept, as a table, JSON lines or CSV (the CLI and the viewer's
Export both write through here)."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from app.events.records import EventTable, format_local, level_name

COLUMNS = ["time", "level", "provider", "event_id", "record_id", "computer", "channel", "message"]


def _fields(table: EventTable, row: int) -> dict[str, Any]:
    return table.record(row, with_xml=False).as_json()


def write(table: EventTable, rows: list[int], fmt: str, out: TextIO) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(_fields(table, row), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            f = _fields(table, row)
            writer.writerow([f[c] if f[c] is not None else "" for c in COLUMNS])
    else:
        out.write(f"{'Time (local)':19}  {'Level':11}  {'Provider':24}  {'ID':>6}  {'Record':>8}  Message\n")
        for row in rows:
            event_id = table.event_ids[row]
            record_id = table.record_ids[row]
            message = table.messages[row].replace("\r", "").split("\n", 1)[0]
            out.write(f"{format_local(table.times[row]):19}  {level_name(table.levels[row]):11}  "
                      f"{(table.providers[row] or '')[:24]:24}  {event_id if event_id >= 0 else '':>6}  "
                      f"{record_id if record_id >= 0 else '':>8}  {message[:160]}\n")
