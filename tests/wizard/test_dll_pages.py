"""The wizard's DLL-built pages headless (app/wizard/dll_pages.py): the real ConnectorSession over a
scripted connector process, so the page logic is checked without Mono (the real DLLs are driven
through the GUI in tests/ui/wizard/test_wizard_dll.py)."""

from __future__ import annotations

from pathlib import Path

from app.bridge.locate import ConnectorLibrary
from app.bridge.session import ConnectorSession
from app.wizard.dll_pages import DllPages, source_schema
from app.wizard.flow import ConnectorFlow
from app.wizard.page_keys import CAPABILITIES, CONNECTIVITY, GLOBAL, OBJECT_TYPES, PageKey
from app.wizard.session import WizardSession


class ScriptedConnector:
    """Answers like a SQL-style connector whose Schema 2 lists one field per type named on Schema 1."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.schema_pages = 2
        self.ignores_page_number = False

    def call(self, op, args, call=""):
        self.calls.append(call)
        values = {v["name"]: v["value"] for v in args.get("values", [])}
        if op == "get_parameters":
            page, number = args["page"], args["number"]
            if page == "Connectivity":
                return [{"name": "Server", "type": "String", "default": "sql01"},
                        {"name": "Password", "type": "EncryptedString"}]
            if page == "Schema" and self.ignores_page_number:
                return [{"name": "Types", "type": "String", "default": "User"}]
            if page == "Schema" and number == 1 and self.schema_pages >= 1:
                return [{"name": "Types", "type": "String", "default": "User"}]
            if page == "Schema" and number == 2 and self.schema_pages >= 2:
                return [{"name": f"{t}:Table", "type": "String", "default": f"dbo.{t}s"}
                        for t in values.get("Types", "User").split(",")]
            if page == "RunStep":
                return [{"name": "Operation", "type": "DropDown", "validation": "Table,View,"}]
            return []
        if op == "validate":
            bad = " " in values.get("Server", "")
            return {"ok": not bad, "message": "No spaces." if bad else "", "parameter": "Server" if bad else ""}
        if op == "capabilities":
            return {"SupportImport": True, "SupportExport": True, "DeltaImport": True}
        if op == "schema":
            return {"types": [{"name": "User", "locked": True, "anchors": ["Id"],
                               "attributes": [{"name": "Id", "type": "String", "multivalued": False},
                                              {"name": "Tags", "type": "String", "multivalued": True}]}]}
        raise AssertionError(op)

    def cancel(self):
        pass

    def close(self):
        pass


def new_pages(sample_doc):
    s = WizardSession(sample_doc)
    s.set_name("Payroll")
    s.set_library("Contoso.Sql")
    connector = ScriptedConnector()
    library = ConnectorLibrary(Path("Contoso.Sql.dll"), None, False)
    pages = DllPages(s, ConnectorSession(library, process=connector), library)
    for p in list(s.connector.parameters):  # as the wizard does once the DLL answered
        s.remove_parameter(p)
    return s, pages, connector


def run(steps):
    for step in steps:
        refusal = step.apply(step.work())
        if refusal is not None:
            return refusal
    return None


def test_a_page_is_asked_again_only_when_a_value_changed(sample_doc):
    s, pages, connector = new_pages(sample_doc)
    run([pages.ask_step("Connectivity", 1, pages.snapshot())])
    assert [p.name for p in s.page_parameters("Connectivity")] == ["Server", "Password"]
    run(pages.enter_steps(CONNECTIVITY, pages.snapshot()))
    assert connector.calls.count("GetConfigParameters(Connectivity)") == 1  # nothing changed
    s.set_parameter(s.connector.parameter("Server"), "sql02")
    run(pages.enter_steps(CONNECTIVITY, pages.snapshot()))
    assert connector.calls.count("GetConfigParameters(Connectivity)") == 2
    assert s.connector.parameter("Server").value == "sql02"  # the entered value is kept


def test_the_dlls_refusal_names_its_field_and_stops_next(sample_doc):
    s, pages, _ = new_pages(sample_doc)
    run([pages.ask_step("Connectivity", 1, pages.snapshot())])
    s.set_parameter(s.connector.parameter("Server"), "sql 02")
    refusal = run(pages.leave_steps(CONNECTIVITY, pages.snapshot()))
    assert refusal is not None and refusal.parameter == "Server" and refusal.message == "No spaces."


def test_schema_pages_follow_earlier_answers_and_end_where_the_dll_ends(sample_doc):
    s, pages, connector = new_pages(sample_doc)
    flow = ConnectorFlow(s)
    run([pages.ask_step("Connectivity", 1, pages.snapshot())])
    run(pages.leave_steps(CAPABILITIES, pages.snapshot()))
    assert s.enabled_profiles() == ["Export", "FullImport", "DeltaImport"]  # from the capabilities
    assert flow.next_key(CAPABILITIES) == PageKey.schema(1)
    s.set_parameter(s.connector.parameter("Types"), "User,Group")
    run(pages.leave_steps(PageKey.schema(1), pages.snapshot()))
    assert [p.name for p in s.page_parameters("Schema", 2)] == ["User:Table", "Group:Table"]
    run(pages.leave_steps(PageKey.schema(2), pages.snapshot()))
    assert flow.next_key(PageKey.schema(2)) == GLOBAL
    connector.schema_pages = 1  # an answer on Schema 1 now means there is no Schema 2
    s.set_parameter(s.connector.parameter("Types"), "User")
    run(pages.leave_steps(PageKey.schema(1), pages.snapshot()))
    assert s.schema_numbers() == [1] and flow.next_key(PageKey.schema(1)) == GLOBAL


def test_run_steps_and_the_schema_come_from_the_dll(sample_doc):
    s, pages, _ = new_pages(sample_doc)
    run([pages.ask_step("Connectivity", 1, pages.snapshot())])
    run(pages.leave_steps(CAPABILITIES, pages.snapshot()))
    run(pages.enter_steps(PageKey.run_step("Export"), pages.snapshot("Export")))
    for profile in s.enabled_profiles():
        assert [p.name for p in s.run_step_parameters(profile)] == ["Operation"]
    assert s.run_step_parameters("Export")[0].value == "Table"  # a DropDown's first choice
    run(pages.enter_steps(OBJECT_TYPES, pages.snapshot()))
    assert s.connector.entry_schema.object_type == "User"
    assert s.connector.entry_schema.anchor.name == "Id"
    assert set(s.schema.discovered) == {"Id", "Tags"}


def test_get_schema_becomes_a_schema_source():
    source = source_schema({"types": [{"name": "User", "anchors": [], "attributes": [
        {"name": "Id", "type": "String", "multivalued": False, "anchor": True},
        {"name": "Photo", "type": "Binary", "multivalued": False}]}]}, "Contoso.Sql")
    assert source.anchors == {"User": ["Id"]}
    assert [(a.name, a.data_type, a.source) for a in source.attributes("User")] == [
        ("Id", "String", "Contoso.Sql.dll"), ("Photo", "Binary", "Contoso.Sql.dll")]


def test_a_dll_that_ignores_the_schema_page_number_gets_one_schema_page(sample_doc):
    s, pages, connector = new_pages(sample_doc)
    connector.ignores_page_number = True
    run([pages.ask_step("Connectivity", 1, pages.snapshot())])
    run(pages.leave_steps(CAPABILITIES, pages.snapshot()))
    run(pages.leave_steps(PageKey.schema(1), pages.snapshot()))
    assert s.schema_numbers() == [1] and ConnectorFlow(s).next_key(PageKey.schema(1)) == GLOBAL


def test_an_existing_connectors_stored_secrets_are_not_given_to_the_dll(sample_doc):
    s = WizardSession(sample_doc, "HRDatabase")
    library = ConnectorLibrary(Path("Microsoft.IAM.Connector.GenericSql.dll"), None, False)
    pages = DllPages(s, ConnectorSession(library, process=ScriptedConnector()), library)
    values = pages.snapshot()
    assert s.connector.parameter("Password").value.startswith("AAEAAAD")  # a DPAPI blob in the file
    assert "Password" not in values
    assert values["User Name"] == (s.connector.parameter("User Name").value, False)
