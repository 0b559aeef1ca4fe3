"""Fuzzing every reader other than Configuration.xml's (that one is test_fuzz_config.py): mutated
real files and random bytes give a result or one clear UserError naming the file, never another
exception, never slower than 2 s a case (failed at 5x that: see fuzzing.py). 5,000 cases per
parser (FUZZ_EXAMPLES sizes the run). Found cases stay as @example regressions."""

from __future__ import annotations

import codecs
import json
import random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.config.document import ConfigDocument
from app.errors import UserError
from app.events.sources.evtx_file import EvtxFileSource
from app.events.sources.xml_dump import XmlDumpSource
from app.host.appconfig import LEVELS, SOURCES, AppConfig
from app.migrate import connectors
from app.migrate.mim_mapping import ObjectTypeNeeded, import_management_agent
from app.wizard import schema_sources
from tests.reliability.fuzzing import (
    ROOT,
    SETTINGS,
    clear_error,
    data_file,
    inputs,
    mutate,
    random_bytes,
    seeds_of,
    timed,
)

SAMPLE = ROOT / "resources" / "sample-host"
MIGRATE_DATA = ROOT / "tests" / "migrate" / "data"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _file(folder, name: str, data: bytes):
    path = folder / name
    path.write_bytes(data)  # a scratch file of the test, not a user's file
    return path


# -- MIM management-agent exports: read_agent and the mapping to a connector -------------------
MA_SEEDS = seeds_of(data_file("ma-export-powershell.xml"),
                    *(p.read_bytes() for p in sorted(MIGRATE_DATA.glob("*.xml"))))


def _import_ma(data: bytes) -> None:
    with timed("MIM export"):
        try:
            try:
                mapped = import_management_agent(data, "fuzz-ma.xml")
            except ObjectTypeNeeded as exc:
                mapped = import_management_agent(data, "fuzz-ma.xml", object_type=exc.classes[0])
            ConfigDocument.from_bytes(b"<Configuration><Connectors/></Configuration>", "x") \
                .add_connector(mapped.element())
            mapped.report.text()
        except UserError as exc:
            clear_error(exc, "fuzz-ma.xml")


@pytest.mark.fuzz
@SETTINGS
@given(inputs(MA_SEEDS))
@example(b"<export-ma>\n<!--A--B>\n<ma-data/>\n</export-ma>")  # libxml2 quoted two lines into the error
@example(b'<ma-data><category>Extensible2</category><schema><dsml:dsml xmlns:dsml="http://www.dsml.org/DSML">'
         b"<dsml:directory-schema><dsml:attribute-type><dsml:name>x</dsml:name></dsml:attribute-type>"
         b'<dsml:class id="user"><dsml:name>user</dsml:name><dsml:attribute ref="#x"/></dsml:class>'
         b"</dsml:directory-schema></dsml:dsml></schema></ma-data>")  # an attribute-type without id
def test_fuzz_mim_export(data):
    _import_ma(data)


# -- event XML dumps ---------------------------------------------------------------------------
def _event_seeds() -> list[bytes]:
    """The sample log's first ~40 KB (cut after an event: the rest repeats the same shapes and would
    only slow each case down), the same as UTF-16 (PowerShell 5.1's `>`), one with a root."""
    log = (SAMPLE / "Logs" / "ECMA2Host.xml").read_bytes()
    head = log[: log.index(b"</Event>", 40_000) + len(b"</Event>")]
    utf16 = codecs.BOM_UTF16_LE + head[:6000].decode("utf-8", "ignore").encode("utf-16-le")
    return [head, utf16, b"<Events>" + head[:10_000] + b"</Events>"]


EVENT_SEEDS = _event_seeds()
EVENT_TOKENS = [b"<Event>", b"</Event>", b"<Event xmlns='http://schemas.microsoft.com/win/2004/08/"
                b"events/event'>", b"<EventID>", b"</EventID>", b"<Data>", b"</Data>", b"<![CDATA[",
                b"]]>", b"&lt;", b"&#x1F600;", b"\x00", b"\xff", b"<Events>"]


def _read_dump(folder, data: bytes) -> None:
    path = _file(folder, "dump.xml", data)
    with timed("event XML dump"):
        try:
            source = XmlDumpSource(path, workers=1)
            table = source.load()
            for row in range(min(3, len(table))):
                source.raw_xml(table.locators[row], row)
            source.read_new()
            # every event read or counted lost began with an <Event tag, in UTF-8 or UTF-16 (the
            # dump's two encodings): a lost count from nowhere fails
            assert isinstance(source.report.records_lost, int)
            tags = sum(data.count("<Event".encode(enc)) for enc in ("utf-8", "utf-16-le", "utf-16-be"))
            assert len(table) + source.report.records_lost <= tags
        except UserError as exc:
            clear_error(exc, str(path))


@pytest.mark.fuzz
@SETTINGS
@given(inputs(EVENT_SEEDS, EVENT_TOKENS))
@example(b"<Event><System><Provider Name='ECMA2Host'/><EventID>99999999999999999999999</EventID>"
         b"<EventRecordID>184467440737095516150</EventRecordID></System></Event>")  # OverflowError
def test_fuzz_event_xml_dump(scratch, data):
    _read_dump(scratch, data)


# -- .evtx files -------------------------------------------------------------------------------
def _evtx_seeds() -> list[bytes]:
    out = []
    for name in ("MSExchange_Management_wec.evtx", "system.evtx", "corrupt_bad_chunk_magic.evtx"):
        out.append(data_file(f"evtx/{name}")[: 4096 + 2 * 65536])  # the header and two chunks: fast, still real
    return out


EVTX_SEEDS = _evtx_seeds()
EVTX_TOKENS = [b"ElfChnk\x00", b"\x2a\x2a\x00\x00", b"\x00" * 64, b"\xff" * 16, b"\x0f\x01\x01\x00"]


def _read_evtx(folder, data: bytes) -> None:
    path = _file(folder, "log.evtx", data)
    with timed(".evtx"):
        try:
            source = EvtxFileSource(path, workers=1)
            table = source.load()
            for row in range(min(3, len(table))):
                source.raw_xml(table.locators[row], row)
            source.read_new()
            if source.report.records_lost:  # a damaged file tells what it lost, in words
                assert source.report.warnings and "could not be read" in source.report.warnings[0]
        except UserError as exc:
            clear_error(exc, str(path))


@pytest.mark.fuzz
@SETTINGS
@given(st.one_of(inputs(EVTX_SEEDS, EVTX_TOKENS),
                 random_bytes().map(lambda b: b"ElfFile\x00" + b)))
def test_fuzz_evtx(scratch, data):
    """Found: a record id of 2**64-1 overflowed the table's signed 64-bit column."""
    _read_evtx(scratch, data)


# -- the .exe.config files ---------------------------------------------------------------------
APPCONFIG_SEEDS = [(SAMPLE / "Service" / "Microsoft.ECMA2Host.Service.exe.config").read_bytes(),
                   (SAMPLE / "Wizard" / "Microsoft.ECMA2Host.ConfigWizard.exe.config").read_bytes()]
APPCONFIG_TOKENS = [b"<add key='Debug' value='true'/>", b"<source name='ECMA2Host'/>", b"switchValue=''",
                    b"<appSettings>", b"</appSettings>", b"<configuration>", b"&quot;", b"\r\n"]


def _read_appconfig(data: bytes) -> None:
    with timed(".exe.config"):
        try:
            config = AppConfig.from_bytes(data, "fuzz.exe.config")
            config.url_port, config.debug, config.write_verbose_log, config.bad_levels()
            for source in SOURCES:
                if config.switch_value(source) is not None:
                    config.set_switch_value(source, LEVELS[4])
            config.set_write_verbose_log(True)
            config.set_app_setting("UrlHost", "http://*:8585/ecma2host")
            AppConfig.from_bytes(config.to_bytes(), "again")
        except UserError as exc:
            clear_error(exc, "fuzz.exe.config")


@pytest.mark.fuzz
@SETTINGS
@given(inputs(APPCONFIG_SEEDS, APPCONFIG_TOKENS))
def test_fuzz_exe_config(data):
    _read_appconfig(data)


# -- schema sources: Schema.xml, CSV and JSON attribute lists ----------------------------------
SCHEMA_SEEDS = seeds_of(data_file("powershell-schema.xml"),
                        (SAMPLE / "Service" / "ECMA" / "Schema.xml").read_bytes())
CSV_SEEDS = [b"name,type,multivalued\nuserName,String,false\nmanager,Reference,0\nphones,String,true\n",
             b"\xef\xbb\xbfAttribute;Type\r\nemployeeId;integer\r\nphoto;binary\r\n",
             b"a\tString\tyes\nb\tBoolean\tno\n"]
JSON_SEEDS = [b'[{"name": "userName", "type": "String", "multivalued": false}, "displayName"]',
              b'{"attributes": [{"name": "manager", "dataType": "reference"}, {"name": "x", "type": "int"}]}']
LIST_TOKENS = [b",", b";", b"\t", b"\"", b"\n", b"{", b"}", b"[", b"]", b"null", b"1e999",
               b'"name"', b"String", b"\x00", b"\xff"]


def _read_schema(folder, name: str, data: bytes) -> None:
    path = _file(folder, name, data)
    with timed(f"schema source {path.suffix}"):
        try:
            found = schema_sources.read_source(path)
            for kind in found.object_types:
                schema_sources.schema_diff({"userName": "String"}, found.attributes(kind))
        except UserError as exc:
            clear_error(exc, str(path))


@pytest.mark.fuzz
@SETTINGS
@given(inputs(SCHEMA_SEEDS))
def test_fuzz_schema_xml(scratch, data):
    _read_schema(scratch, "Schema.xml", data)


@pytest.mark.fuzz
@SETTINGS
@given(inputs(CSV_SEEDS, LIST_TOKENS))
@example(b",\xef\xbb\xbfAttribute;Type\r,\xef\xbb\xbfAttribute;Type\r\nemployeeId;integer\r\n")  # csv.Error
def test_fuzz_attribute_list_csv(scratch, data):
    _read_schema(scratch, "attributes.csv", data)


@pytest.mark.fuzz
@SETTINGS
@given(st.one_of(inputs(JSON_SEEDS, LIST_TOKENS),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                              lambda inner: st.lists(inner, max_size=4)
                              | st.dictionaries(st.sampled_from(["name", "type", "dataType",
                                                                 "multivalued", "attributes"]),
                                                inner, max_size=4),
                              max_leaves=12).map(lambda v: json.dumps(v).encode())))
@example(b'[{"name": "x", "type": null}]')
def test_fuzz_attribute_list_json(scratch, data):
    _read_schema(scratch, "attributes.json", data)


# -- connector exports (Microsoft's format or ours) --------------------------------------------
def _export_seeds() -> list[bytes]:
    sample = ConfigDocument.load(SAMPLE / "Service" / "Configuration" / "Configuration.xml")
    return seeds_of(data_file("powershell-csv-export.xml"), connectors.export_connectors(sample).data)


EXPORT_SEEDS = _export_seeds()
TARGET = (SAMPLE / "Service" / "Configuration" / "Configuration.xml").read_bytes()


def _import_connectors(data: bytes) -> None:
    with timed("connector export"):
        try:
            connectors.file_kind(data, "fuzz-export.xml")
            source = connectors.read_connector_file(data, "fuzz-export.xml")
            target = ConfigDocument.from_bytes(TARGET, "target.xml")
            connectors.import_connectors(
                target, source, lambda name, new: connectors.ClashAnswer(connectors.RENAME, new))
            target.to_bytes()
        except UserError as exc:
            assert "fuzz-export.xml" in exc.sentence() or "cannot rename" in exc.sentence()


@pytest.mark.fuzz
@SETTINGS
@given(inputs(EXPORT_SEEDS))
def test_fuzz_connector_export_import(data):
    _import_connectors(data)


def test_found_evtx_case_record_id_too_big(scratch):
    """Kept from the fuzzer (seed 736 of the evtx seeds): read, with the loss reported."""
    _read_evtx(scratch, mutate(random.Random(736), EVTX_SEEDS, EVTX_TOKENS))


def test_a_number_too_big_for_the_table_reads_as_none():
    from app.events.records import EventTable

    table = EventTable()
    table.append(0, 4, "p", 2**64 - 1, -(2**70), 2**63, None, None, "m")
    assert (table.event_ids[0], table.qualifiers[0], table.record_ids[0]) == (-1, -1, -1)
