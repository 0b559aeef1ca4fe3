"""Filters combine; known errors of docs/host-facts.md §7 are recognised; import dumps become a table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.errors import UserError
from app.events.filters import EventFilter, parse_iso, provider_group, sorted_rows, time_window
from app.events.imports import compare, parse_dump, parse_dumps
from app.events.knowledge import KNOWN_ERRORS, Action, ActionKind, connector_in, diagnose
from app.events.records import (
    NO_TIME,
    TICKS_PER_SECOND,
    EventTable,
    format_utc,
    parse_time,
    to_datetime,
)
from tests.events.sample import CSV_ATTRIBUTES, HR_ATTRIBUTES, sample_dump


@pytest.fixture
def table(tmp_path) -> EventTable:
    from app.events.sources.base import open_source

    path = tmp_path / "s.xml"
    path.write_text(sample_dump())
    return open_source(path).load()


def _msgs(table, rows):
    return [table.messages[r] for r in rows]


def test_empty_filter_keeps_all(table):
    assert EventFilter().is_empty
    assert EventFilter().apply(table) == list(range(len(table)))


def test_level_keeps_that_and_more_severe(table):
    errors = EventFilter(max_rank=2).apply(table)
    warnings = EventFilter(max_rank=3).apply(table)
    assert errors and set(errors) < set(warnings)
    assert {table.levels[r] for r in warnings} == {2, 3}
    assert EventFilter(levels=frozenset({3})).apply(table) == sorted(set(warnings) - set(errors))


def test_filters_combine(table):
    rows = EventFilter(max_rank=2, providers=frozenset({"ConnectorsLog"}), connector="HRDatabase").apply(table)
    assert rows and all("HRDatabase" in m for m in _msgs(table, rows))
    assert all(table.providers[r] == "ConnectorsLog" and table.levels[r] == 2 for r in rows)
    narrower = EventFilter(max_rank=2, providers=frozenset({"ConnectorsLog"}), connector="HRDatabase",
                           text="access is denied").apply(table)
    assert len(narrower) == 1 and "Access is denied" in table.messages[narrower[0]]


def test_connector_is_a_whole_word():
    t = EventTable()
    t.append(0, 4, "ConnectorsLog", 0, 0, 1, None, None, "Connector 'CSV2': x")
    t.append(0, 4, "ConnectorsLog", 0, 0, 2, None, None, "Connector 'CSV': x")
    assert EventFilter(connector="csv").apply(t) == [1]


def test_text_is_case_insensitive_and_regex_works(table):
    plain = EventFilter(text="SSL CERTIFICATE").apply(table)
    assert len(plain) == 1
    assert EventFilter(text=r"ssl cert\w+", regex=True).apply(table) == plain
    assert EventFilter(text=r"SSL Cert\w+", regex=True).apply(table) == plain
    assert EventFilter(text=r"IM00\d", regex=True).apply(table)
    with pytest.raises(UserError, match="not a valid regular expression"):
        EventFilter(text="(unclosed", regex=True)


def test_highlight_spans():
    f = EventFilter(text="csv")
    assert f.spans("Connector 'CSV' reads csv") == [(11, 14), (22, 25)]
    assert EventFilter().spans("x") == []


def test_provider_groups_and_other(table):
    assert provider_group("Microsoft ECMA2Host") == "ECMA2Host"
    assert provider_group(None) == "other"
    t = EventTable()
    t.append(0, 4, "Service Control Manager", 7036, 0, 1, None, None, "m")
    t.append(0, 4, None, None, None, None, None, None, "recovered")
    t.append(0, 4, "ECMA2Host", 0, 0, 3, None, None, "e")
    assert EventFilter(providers=frozenset({"other"})).apply(t) == [0, 1]
    assert EventFilter(provider_names=frozenset({"ecma2host"})).apply(t) == [2]


def test_time_range_and_event_id(table):
    first, last = table.times[0], table.times[len(table) - 1]
    since, _ = time_window("day", now=to_datetime(last))
    rows = EventFilter(since=since).apply(table)
    assert rows and all(table.times[r] >= since for r in rows) and len(rows) < len(table)
    assert EventFilter(until=first + 1).apply(table)[0] == 0
    assert EventFilter(event_ids=frozenset({0})).apply(table) == list(range(len(table)))
    assert EventFilter(event_ids=frozenset({7})).apply(table) == []
    with pytest.raises(UserError):
        time_window("month", now=datetime.now(UTC))


def test_missing_time_is_dropped_by_time_filters_only():
    t = EventTable()
    t.append(NO_TIME, 4, None, None, None, None, None, None, "no time")
    assert EventFilter().apply(t) == [0]
    assert EventFilter(since=0).apply(t) == []
    assert EventFilter(until=1 << 62).apply(t) == []
    assert sorted_rows(t, [0], "time") == [0]


def test_parse_iso():
    assert parse_iso("2024-05-06T08:00:00Z", "--since") == 1714982400 * TICKS_PER_SECOND
    with pytest.raises(UserError, match="--since 'soon'"):
        parse_iso("soon", "--since")


def test_sorting(table):
    rows = EventFilter(max_rank=3).apply(table)
    by_level = sorted_rows(table, rows, "level")
    assert table.levels[by_level[0]] == 2 and table.levels[by_level[-1]] == 3
    by_time = sorted_rows(table, list(range(len(table))), "time", descending=True)
    assert table.times[by_time[0]] >= table.times[by_time[-1]]


def test_ticks_are_kept_so_display_filter_and_sort_agree():
    """A time 400 ns before midnight used to round up to 00:00:00.000000 (shown) and still pass
    --until 00:00:00; kept as 100 ns ticks it shows 23:59:59.9999996 and sorts before midnight."""
    t = EventTable()
    before = parse_time("2024-05-06T23:59:59.9999996Z")
    midnight = parse_time("2024-05-07T00:00:00.0000000Z")
    after = parse_time("2024-05-07T00:00:00.00000012345Z")  # past the seventh digit: cut
    assert (midnight - before, after - midnight) == (4, 1)
    for ticks, text in ((after, "after"), (before, "before"), (midnight, "midnight")):
        t.append(ticks, 4, "ECMA2Host", 0, 0, 1, None, None, text)
    assert format_utc(before) == "2024-05-06T23:59:59.9999996Z"
    assert t.record(1).as_json()["time"] == "2024-05-06T23:59:59.9999996Z"
    assert t.record(1).time == datetime(2024, 5, 6, 23, 59, 59, 999999, tzinfo=UTC)  # cut, not rounded
    until = parse_iso("2024-05-07T00:00:00Z", "--until")
    assert [t.messages[r] for r in EventFilter(until=until).apply(t)] == ["before"]
    assert [t.messages[r] for r in EventFilter(since=until).apply(t)] == ["after", "midnight"]
    assert sorted_rows(t, [0, 1, 2], "time") == [1, 2, 0]
    # a record handed back in keeps its ticks
    again = EventTable()
    again.append_record(t.record(1))
    assert again.times[0] == before


KNOWN_ERROR_CASES = [
    ("Connector 'CSV': Unable to find Windows PowerShell 5.1 libraries under C:\\x", "powershell-libraries",
     "connector:CSV"),
    ("The SSL certificate with thumbprint AB has expired", "certificate", "certificate"),
    # a bare quarantine is not a certificate problem: the job's quarantine reason says which
    ("The provisioning job is in quarantine.", "quarantine", ""),
    ("Could not load file or assembly 'file:///C:/P/Service/ECMA/Cache/HR/x.dll' or one of its "
     "dependencies. Access is denied.", "cache-access", "doctor"),
    ("Unable to initialize metrics collector", "metrics", "doctor"),
    ("ERROR [IM002] Data source name not found and no default driver specified", "dsn", "doctor"),
    ("Invalid LDAP style of object's DN", "ldap-dn", "doctor"),
    ("The specified service already exists", "service-exists", "doctor"),
    ("System.Xml.XmlException: DTD is prohibited in this XML document", "dtd", "doctor"),
    ("SCIM 400 invalid resource for /ecma2host_Payroll/scim/Users", "invalid-resource", "connector:Payroll"),
    ("Invalid LDAP style DN. Target Site: ValidByLdapStyle", "ldap-dn", "doctor"),
    ("Connector 'Ldap': ExportErrorCustomContinueRun. objectClass: value number invalid per syntax",
     "objectclass-single", "connector:Ldap"),
    ("SystemForCrossDomainIdentityManagementCredentialValidationUnavailable: InternalServerError. "
     "An error occurred while sending the request.", "entra-cannot-reach", "certificate"),
    ("The ECMA host is currently importing data from the target application", "importing", ""),
    ("RegisterNotLoadedAssemblies Error during load assembly: System.Management.Automation.resources.dll",
     "powershell-assemblies", "doctor"),
    ("Connector 'HR': ERROR [23000] Cannot insert the value NULL into column 'Dept'", "sql-null",
     "connector:HR"),
    ("Type 'System.Management.Automation.PSCustomObject' is not marked as serializable.",
     "psma-powershell7", "doctor"),
    ("Service 'Microsoft Entra Connect Provisioning Agent' failed to start", "agent-start", "doctor"),
    ("File C:\\s\\x.ps1 cannot be loaded because running scripts is disabled on this system.",
     "execution-policy", "doctor"),
]


@pytest.mark.parametrize("message,key,action", KNOWN_ERROR_CASES)
def test_known_errors(message, key, action):
    found = diagnose(message)
    assert found is not None and found.known.key == key
    assert (str(found.action) if found.action else "") == action
    assert found.fix


def test_a_connector_action_always_names_its_connector():
    # the viewer dispatches on the kind and reads the name from the field: no text to slice
    found = diagnose("Connector 'HR Db:2': ERROR [23000] Cannot insert the value NULL into column 'Dept'")
    assert found is not None and found.action == Action(ActionKind.CONNECTOR, "HR Db:2")
    with pytest.raises(ValueError):
        Action(ActionKind.CONNECTOR)
    with pytest.raises(ValueError):
        Action(ActionKind.DOCTOR, "HR")
    # without a name in the message the doctor is the next best help, never a nameless connector
    assert diagnose("Cannot insert the value NULL into column 'Dept'").action == Action(ActionKind.DOCTOR)


def test_a_misspelt_action_kind_raises():
    # a misspelt member (ActionKind.CERTFICATE) is a mypy error: tests/house/test_typed_kinds.py
    with pytest.raises(ValueError):
        ActionKind("certficate")


@pytest.mark.parametrize("message,words", [
    # Microsoft's "Troubleshoot on-premises application provisioning", Common errors table
    ("Invalid LDAP style of object's DN. DN: username@domain.com",
     ("Both", "'DN is Anchor' on the connector's Connectivity page", "'Autogenerated' (DN) on its Object Types page")),
    ("Could not load file or assembly 'file:///C:/P/Service/ECMA/Cache/8b514472-c18a-4641-9a44-732c296534e8/"
     "Microsoft.IAM.Connector.GenericSql.dll' or one of its dependencies. Access is denied.",
     ("full control", "Global Assembly Cache")),
    ("ExportErrorCustomContinueRun. objectClass: value number invalid per syntax",
     ("only names of object classes the directory server knows",)),
    # the same page: the certificate's subject must match the host name
    ("Error code: SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
     ("subject that matches this server's host name",)),
])
def test_known_fixes_say_what_microsoft_says(message, words):
    fix = diagnose(message).fix
    assert all(w in fix for w in words), fix
    assert " or set " not in fix  # the LDAP DN fix needs both changes, not either


def test_ordinary_messages_are_not_errors(table):
    assert diagnose("Connector 'CSV': full import completed: 3 object(s).") is None
    assert diagnose("") is None
    keys = {diagnose(m).known.key for m in table.messages if diagnose(m)}
    assert {"powershell-libraries", "certificate", "cache-access", "metrics", "dsn", "ldap-dn"} <= keys
    # every known error is recognised in at least one real-shaped message above, keys are unique
    assert {key for _, key, _ in KNOWN_ERROR_CASES} == {k.key for k in KNOWN_ERRORS}
    assert len({k.key for k in KNOWN_ERRORS}) == len(KNOWN_ERRORS)
    assert all(k.fix and k.source for k in KNOWN_ERRORS)


def test_connector_name_from_cache_path():
    assert connector_in("under C:\\Program Files\\Microsoft ECMA2Host\\Service\\ECMA\\Cache\\Payroll or") == "Payroll"
    assert connector_in("nothing here") is None


def test_import_dumps_table_and_schema_comparison(table):
    dump = parse_dumps(table.messages)
    hr, csv = dump.for_connector("HRDatabase"), dump.for_connector("CSV")
    assert hr.objects and csv.objects
    assert hr.objects[0].object_type == "Person" and hr.objects[0].anchor.isdigit()
    result = compare(hr, HR_ATTRIBUTES)
    assert result.imported_not_selected == ["Office"] and result.selected_never_seen == ["Manager"]
    result = compare(csv, CSV_ATTRIBUTES)
    assert result.selected_never_seen == ["EmployeeType", "UserName"]
    assert result.imported_not_selected == ["EmployeeID"]
    assert compare(csv, CSV_ATTRIBUTES, ignore=["EmployeeID"]).imported_not_selected == []
    rows = hr.rows()
    assert len(rows) == len(hr.objects) and len(rows[0]) == 2 + len(hr.attribute_names)


def test_multivalued_and_noise():
    message = ("Connector 'X': full import\nCSEntryChange: ObjectType=Group, Anchor=id:7, DN=cn=g\n"
               "    member = a\n    member = b\nsome trailing text\n")
    t = parse_dump(message)
    assert t.objects[0].attributes == {"member": ["a", "b"]} and t.objects[0].anchor == "7"
    assert parse_dump("no dump here").objects == []


def test_regex_is_lowered_but_escapes_are_kept():
    from app.events.filters import lower_pattern

    assert lower_pattern(r"\DAccess[A-Z]\\X") == r"\Daccess[a-z]\\x"
    t = EventTable()
    t.append(0, 4, None, None, None, None, None, None, "x Access Denied")
    t.append(0, 4, None, None, None, None, None, None, "1Access")
    assert EventFilter(text=r"\DAccess", regex=True).apply(t) == [0]
    assert EventFilter(text=r"ACCESS\sDENIED", regex=True).apply(t) == [0]
