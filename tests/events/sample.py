"""A realistic ECMA2Host log for the sample host, the tests and the benchmarks.

No public ECMA2Host log exists, so this writes one in the shape docs/host-facts.md §5
describes: classic EventLog events (EventLogTraceListener: EventID 0 with Qualifiers 0, levels
Error/Warning/Information only, since the classic log has no Verbose level), providers `ECMA2Host`
and `ConnectorsLog`, one unnamed Data string holding the whole message, in the single-line,
single-quoted form `wevtutil qe ECMA2Host /f:xml` prints. The wording of the messages is made up
[open]; the known-error sentences are the ones docs/host-facts.md §7 quotes.

`python -m tests.events.sample` rewrites resources/sample-host/Logs/ECMA2Host.xml.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.events.records import EventTable, parse_time

HOST = "ECMA01.contoso.com"
ROOT = r"C:\Program Files\Microsoft ECMA2Host"
THUMB = "3F2A9C1D7E4B5A6C8D9E0F1A2B3C4D5E6F708192"
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
DEPARTMENTS = ["Finance", "IT", "HR", "Sales", "Legal"]
# What each connector reads (the sample's "selected" attributes differ on purpose: see imports.py).
HR_ATTRIBUTES = ["EmployeeID", "FirstName", "LastName", "Department", "Email", "Manager", "HireDate"]
CSV_ATTRIBUTES = ["UserName", "FirstName", "LastName", "Email", "EmployeeType"]

LEVELS = {"error": 2, "warning": 3, "info": 4}


def event_xml(when: datetime, level: int, provider: str, message: str, record_id: int,
              *, computer: str = HOST, event_id: int = 0) -> str:
    """One event exactly as `wevtutil qe ECMA2Host /f:xml` prints a classic event."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{(record_id * 7) % 10}Z"
    return ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            f"<Provider Name='{provider}'/><EventID Qualifiers='0'>{event_id}</EventID>"
            f"<Version>0</Version><Level>{level}</Level><Task>0</Task><Opcode>0</Opcode>"
            f"<Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='{stamp}'/>"
            f"<EventRecordID>{record_id}</EventRecordID><Correlation/>"
            "<Execution ProcessID='0' ThreadID='0'/><Channel>ECMA2Host</Channel>"
            f"<Computer>{computer}</Computer><Security/></System><EventData>"
            f"<Data>{message.translate(_ESC)}</Data></EventData></Event>")


def _person(rng: random.Random, number: int) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {"EmployeeID": str(1000 + number), "FirstName": first, "LastName": last,
            "Department": rng.choice(DEPARTMENTS), "Email": f"{first}.{last}{number}@contoso.com".lower(),
            "HireDate": f"20{rng.randint(10, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "Office": f"B{rng.randint(1, 4)}.{rng.randint(100, 300)}"}


def import_dump(connector: str, page: int, people: list[dict[str, str]], anchor: str,
                object_type: str) -> str:
    """A verbose per-object import dump (the format is our assumption, see imports.py)."""
    lines = [f"Connector '{connector}': full import, page {page}, {len(people)} object(s) returned."]
    for person in people:
        lines.append(f"CSEntryChange: ObjectType={object_type}, ObjectModificationType=Add, "
                     f"Anchor={anchor}:{person[anchor]}, DN={person[anchor]}")
        for name, value in person.items():
            lines.append(f"    {name} = {value}")
    return "\n".join(lines)


def _service_start(when: datetime) -> list[tuple[datetime, str, str, str]]:
    return [
        (when, "info", "ECMA2Host", "Microsoft ECMA2Host service is starting (version 1.1.1245.0)."),
        (when, "info", "ECMA2Host",
         f"Loading configuration from {ROOT}\\Service\\Configuration\\Configuration.xml."),
        (when, "info", "ConnectorsLog", "Connector 'CSV' loaded: Microsoft.IAM.Connector.PowerShell.dll "
                                        "(PowerShell connector)."),
        (when, "info", "ConnectorsLog", "Connector 'HRDatabase' loaded: "
                                        "Microsoft.IAM.Connector.GenericSql.dll (Generic SQL connector)."),
        (when, "warning", "ECMA2Host", "Unable to initialize metrics collector: Access is denied. "
                                       "Provisioning continues without performance counters."),
        (when, "info", "ECMA2Host", f"Listening on https://*:8585/ecma2host with certificate {THUMB}."),
    ]


def sample_events(seed: int = 5, days: int = 3) -> list[tuple[datetime, str, str, str]]:
    """(time, level word, provider, message) over `days` days, a few hundred in all."""
    rng = random.Random(seed)
    start = datetime(2024, 5, 6, 7, 58, 12, tzinfo=UTC)
    out: list[tuple[datetime, str, str, str]] = list(_service_start(start))
    out.append((start + timedelta(seconds=3), "error", "ConnectorsLog",
                f"Connector 'CSV': Unable to find Windows PowerShell 5.1 libraries under "
                f"{ROOT}\\Service\\ECMA\\Cache\\CSV or {ROOT}\\Service\\ECMA. The PowerShell "
                "connector cannot start a runspace."))
    people = [_person(rng, n) for n in range(1, 41)]
    when = start + timedelta(minutes=5)
    cycle = 0
    while when < start + timedelta(days=days):
        cycle += 1
        for connector, anchor, object_type, attrs in (
                ("HRDatabase", "EmployeeID", "Person", HR_ATTRIBUTES),
                ("CSV", "EmployeeID", "User", CSV_ATTRIBUTES)):
            t = when + timedelta(seconds=rng.randint(0, 50))
            out.append((t, "info", "ConnectorsLog", f"Connector '{connector}': full import started "
                                                    f"(run {cycle}, batch size 100)."))
            batch = rng.sample(people, rng.randint(3, 5))
            if connector == "CSV":  # the CSV connector reads fewer columns than HR has
                batch = [{k: v for k, v in p.items() if k in attrs or k == anchor} for p in batch]
            out.append((t + timedelta(seconds=2), "info", "ConnectorsLog",
                        import_dump(connector, 1, batch, anchor, object_type)))
            if connector == "HRDatabase" and cycle == 9:
                out.append((t + timedelta(seconds=3), "error", "ConnectorsLog",
                            "Connector 'HRDatabase': ERROR [IM002] [Microsoft][ODBC Driver Manager] "
                            "Data source name not found and no default driver specified."))
                continue
            out.append((t + timedelta(seconds=4), "info", "ConnectorsLog",
                        f"Connector '{connector}': full import completed: {len(batch)} object(s), "
                        f"0 error(s), {rng.randint(400, 2600)} ms."))
        t = when + timedelta(minutes=rng.randint(5, 25))
        token = rng.randint(10**7, 10**8)
        out.append((t, "info", "ECMA2Host", f"SCIM request GET /ecma2host_HRDatabase/scim/Users?"
                                            f"startIndex=1&count=100 (request {token})."))
        out.append((t, "info", "ECMA2Host", f"SCIM response 200 OK for request {token}: "
                                            "ListResponse with 40 resource(s)."))
        if cycle % 3 == 0:
            person = rng.choice(people)
            out.append((t + timedelta(seconds=9), "info", "ConnectorsLog",
                        f"Connector 'HRDatabase': export PATCH Users/{person['EmployeeID']} "
                        "(Replace Department) succeeded."))
        if cycle == 14:
            out.append((t + timedelta(seconds=20), "error", "ConnectorsLog",
                        "Connector 'CSV': export failed for object 'User' with anchor 1007: "
                        "Invalid LDAP style of object's DN. DN: 1007"))
        if cycle == 17:
            out.append((t + timedelta(seconds=30), "error", "ECMA2Host",
                        f"The SSL certificate with thumbprint {THUMB} bound to port 8585 has expired "
                        "(not after 2024-05-07 12:00:00Z). HTTPS requests from the provisioning "
                        "agent are refused; the Entra application may go into quarantine."))
        if cycle == 20:
            out.append((t + timedelta(seconds=40), "error", "ConnectorsLog",
                        f"Connector 'HRDatabase': Could not load file or assembly 'file:///{ROOT}"
                        "\\Service\\ECMA\\Cache\\HRDatabase\\Microsoft.IAM.Connector.GenericSql.dll' "
                        "or one of its dependencies. Access is denied."))
            out.extend((t + timedelta(minutes=30), lv, p, m)
                       for _, lv, p, m in _service_start(t + timedelta(minutes=30)))
        if cycle % 7 == 0:
            out.append((t + timedelta(seconds=5), "warning", "ConnectorsLog",
                        f"Connector 'CSV': {rng.randint(1, 3)} row(s) in users.csv skipped: "
                        "the EmployeeID column is empty."))
        when += timedelta(hours=2)
    out.sort(key=lambda e: e[0])
    return out


def sample_dump(seed: int = 5) -> str:
    events = sample_events(seed)
    return "".join(event_xml(t, LEVELS[lv], p, m, n)
                   for n, (t, lv, p, m) in enumerate(events, 1)) + "\r\n"


def write_sample(path: Path, seed: int = 5) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sample_dump(seed), encoding="utf-8", newline="")
    return path


def synthetic_events(count: int, seed: int = 7) -> Iterator[str]:
    """`count` events in the sample's style, for the million-row benchmark (repeats the sample)."""
    base = sample_events(seed)
    start = base[0][0]
    span = base[-1][0] - start + timedelta(minutes=10)
    for n in range(count):
        rep, i = divmod(n, len(base))
        t, lv, p, m = base[i]
        yield event_xml(t + span * rep, LEVELS[lv], p, m, n + 1)


def write_synthetic_dump(path: Path, count: int, seed: int = 7) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:  # a generated benchmark file
        batch: list[str] = []
        for text in synthetic_events(count, seed):
            batch.append(text)
            if len(batch) >= 10000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))
    return path


def synthetic_table(count: int, seed: int = 7) -> EventTable:
    """A table of `count` rows without any file (screenshots with a million rows)."""
    base = sample_events(seed)
    span = (base[-1][0] - base[0][0] + timedelta(minutes=10)) // timedelta(microseconds=1) * 10
    ticks = [parse_time(t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) for t, *_ in base]
    table = EventTable()
    size = len(base)
    for n in range(count):
        rep, i = divmod(n, size)
        _, lv, p, m = base[i]
        table.append(ticks[i] + span * rep, LEVELS[lv], p, 0, 0, n + 1, HOST, "ECMA2Host", m, n)

    def reader(locator: int, row: int) -> str:
        rep, i = divmod(locator, size)
        t, lv, p, m = base[i]
        return event_xml(t + timedelta(seconds=span * rep), LEVELS[lv], p, m, locator + 1)

    table.xml_reader = reader
    return table


if __name__ == "__main__":
    from app.paths import resources_dir

    target = write_sample(resources_dir() / "sample-host" / "Logs" / "ECMA2Host.xml")
    print(f"wrote {target} ({len(sample_events())} events)")
