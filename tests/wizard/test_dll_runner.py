"""The DLL wizard's step runner headless (app/wizard/dll_runner.py) against the real test
connectors under Mono (tests/bridge/dotnet: SqlLike, Misbehaving, SqlMA): the order of calls, where
a failed call shows, and one rule for where the Schema pages end. No Qt."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.bridge import locate
from app.bridge.session import ConnectorSession, PageAnswer, ParameterDefinition, ends_schema_pages
from app.wizard.dll_pages import DllPages
from app.wizard.dll_runner import DllRunner
from app.wizard.flow import ConnectorFlow
from app.wizard.page_keys import GLOBAL, OBJECT_TYPES, PROPERTIES, PageKey
from app.wizard.session import WizardSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bridge"))
import dotnet_build

from tests.ci import missing_tool


@pytest.fixture(scope="module")
def dlls() -> dotnet_build.TestDlls:
    why = dotnet_build.missing_tools()
    if why:
        missing_tool(f"the step runner's tests need Mono and pythonnet: {why}")
    return dotnet_build.build()


@pytest.fixture
def opened(sample_doc, dlls, request):
    """A new connector whose DLL (the test's `dll` mark) was chosen: the runner after its first plan."""
    made: list[ConnectorSession] = []

    def open_(dll: Path) -> tuple[WizardSession, DllRunner]:
        s = WizardSession(sample_doc)
        s.set_name("Payroll")
        s.set_library(dll.stem)
        library = locate.ConnectorLibrary(dll, dlls.interface, True)
        bridge = ConnectorSession(library, timeout=20)
        made.append(bridge)
        runner = DllRunner(DllPages(s, bridge, library), ConnectorFlow(s))
        assert runner.run(runner.choose_plan()) is None
        return s, runner
    yield open_
    for bridge in made:
        bridge.close()


def walk(runner: DllRunner, start: PageKey, until: PageKey) -> tuple[PageKey, list[str]]:
    """Next from `start` as the wizard does (a refusal stays): the page reached and the calls made."""
    labels: list[str] = []
    key = start
    while key != until:
        refusal = runner.run(runner.next_plan(key), lambda step: labels.append(step.label))
        assert refusal is None, (key, refusal)
        nxt = runner.flow.next_key(key)
        assert nxt is not None
        key = nxt
    return key, labels


def set_value(s: WizardSession, name: str, value: str) -> None:
    s.set_parameter(s.connector.parameter(name), value)


def test_the_sql_like_dll_is_walked_headless_in_microsofts_order(opened, dlls):
    s, runner = opened(dlls.sql)
    assert s.pages_from_dll and s.template_library is None  # the first plan replaced the template's pages
    key, labels = walk(runner, PROPERTIES, OBJECT_TYPES)
    order = [label.split(" for ")[-1] for label in labels]
    # Connectivity, checked; Capabilities and what the DLL can do; Schema pages; Global, Partition, RunStep
    firsts = [order.index(x) for x in ("the Connectivity page", "the Capabilities page",
                                       "the Schema 1 page", "the Global page", "the Partition page",
                                       "the RunStep page", "its schema (GetSchema)")]
    assert firsts == sorted(firsts), order
    assert runner.failures == {} and runner.pages.schema is not None
    assert s.schema_numbers() and "Extra Columns" in {p.name for p in s.page_parameters("Global", None)}


def test_a_failed_global_call_shows_on_global_with_the_pages_before_kept(opened, dlls):
    s, runner = opened(dlls.bad)
    set_value(s, "Mode", "throw")  # the Misbehaving connector throws when asked for its Global page
    key: PageKey | None = PROPERTIES
    before_global = PROPERTIES
    while key != GLOBAL:  # Next until Global (the Schema pages appear on the way); each goes on
        assert key is not None and runner.run(runner.next_plan(key)) is None
        before_global, key = key, runner.flow.next_key(key)
    # the call that failed on Next from the page before was Global's: Global shows it, not that page
    assert "refused the connection" in runner.failure(GLOBAL)
    assert runner.failure(before_global) == ""
    # Next on Global asks again and stays there with the same sentence
    refusal = runner.run(runner.next_plan(GLOBAL))
    assert refusal is not None and "refused the connection" in refusal.message
    assert "refused the connection" in runner.failure(GLOBAL)
    set_value(s, "Mode", "none")  # Back, fixed the value: Next on Global asks again and goes on
    assert runner.run(runner.next_plan(GLOBAL)) is None
    assert runner.failure(GLOBAL) == ""


def test_getschema_failure_belongs_to_object_types(opened, dlls):
    s, runner = opened(dlls.sql_ma)
    for name, value in (("Server", "127.0.0.1"), ("Port", "1"),
                        ("Authentication", "Integrated Windows authentication")):
        set_value(s, name, value)
    key, labels = walk(runner, PROPERTIES, OBJECT_TYPES)
    assert labels[-1].endswith("(GetSchema)")
    assert "failed in GetSchema" in runner.failure(OBJECT_TYPES)
    assert all(runner.failure(k) == "" for k in runner.flow.keys() if k != OBJECT_TYPES)
    refusal = runner.run(runner.schema_again_plan())  # asked again from the page: stays
    assert refusal is not None and "GetSchema" in refusal.message


def test_a_dll_that_repeats_its_schema_page_has_one_schema_page_in_the_wizard_and_the_cli(opened, dlls):
    s, runner = opened(dlls.bad)  # answers the same Schema page whatever number is asked
    walk(runner, PROPERTIES, GLOBAL)
    assert s.schema_numbers() == [1]
    assert [a.number for a in runner.pages.bridge.ask_schema_pages()] == [1]


def _page(number: int, *names: str) -> PageAnswer:
    return PageAnswer("Schema", number, [ParameterDefinition(n, "String", "Schema", number, "") for n in names])


def test_the_schema_pages_end_on_an_empty_page_or_a_repeat():
    assert ends_schema_pages(_page(1), None)
    assert not ends_schema_pages(_page(1, "Types"), None)
    assert ends_schema_pages(_page(2, "Types"), _page(1, "Types"))
    assert not ends_schema_pages(_page(2, "User:Table"), _page(1, "Types"))


def test_every_page_key_is_one_type_round_trip(sample_doc):
    s = WizardSession(sample_doc)
    keys = ConnectorFlow(s).keys()
    assert all(isinstance(k, PageKey) and PageKey.parse(str(k)) == k for k in keys)
    assert [str(k) for k in keys if k.dll_page == ("Schema", 1) or k.profile] == [
        "run-step:Export", "run-step:FullImport"]  # the sample's new connector: no Schema pages
    # a key compared with its spelling (left from when keys were text) is a mypy error
    # (strict_equality; tests/house/test_typed_kinds.py), and unequal at run time
    assert PageKey.schema(2) != "schema-2"  # type: ignore[comparison-overlap]
    assert len({PageKey.schema(2), PageKey.parse("schema-2"), PageKey.schema("2")}) == 1  # hashable as one
    assert PageKey.parse("run-step:FullImport") == PageKey.run_step("FullImport")
    assert PageKey.parse("run-step:FullImport").dll_page == ("RunStep", 1)
    assert PageKey.parse("schema-12").dll_page == ("Schema", 12)
    assert PageKey.parse("partitions").dll_page == ("Partition", 1)
    assert PageKey.parse("object-types").dll_page is None and PageKey.parse("schema-x").dll_page is None
