"""The wizard's flow headless: page order, skipped pages, read-only pages, what blocks Next."""

from __future__ import annotations

from app.config import builders
from app.config.document import ConfigDocument
from app.wizard.flow import ConnectorFlow
from app.wizard.page_keys import (
    ATTRIBUTES,
    CAPABILITIES,
    GLOBAL,
    OBJECT_TYPES,
    PROPERTIES,
    RUN_PROFILES,
    SUMMARY,
    PageKey,
)
from app.wizard.session import WizardSession


def keys(doc, name=None) -> list[str]:
    """The page order, as the keys are spelt."""
    return [str(k) for k in ConnectorFlow(WizardSession(doc, name)).keys()]


def test_powershell_connector_has_no_schema_pages_and_one_page_per_enabled_profile(sample_doc):
    assert keys(sample_doc, "CSV") == [
        "properties", "connectivity", "capabilities", "global", "partitions", "run-profiles",
        "run-step:Export", "run-step:FullImport", "object-types", "attributes", "deprovisioning",
        "summary"]


def test_generic_sql_connector_gets_its_four_schema_pages_in_order(sample_doc):
    ks = keys(sample_doc, "HRDatabase")
    assert ks[ks.index("capabilities") + 1: ks.index("global")] == [
        "schema-1", "schema-2", "schema-3", "schema-4"]


def test_enabling_delta_import_adds_its_page_after_full_import(sample_doc):
    s = WizardSession(sample_doc, "CSV")
    flow = ConnectorFlow(s)
    s.set_profile_enabled("DeltaImport", True)
    assert flow.next_key(PageKey.run_step("FullImport")) == PageKey.run_step("DeltaImport")
    s.set_profile_enabled("FullImport", False)
    assert flow.next_key(PageKey.run_step("Export")) == PageKey.run_step("DeltaImport")
    assert PageKey.run_step("FullImport") not in flow.keys()


def test_capabilities_read_only_only_for_existing_connectors(sample_doc):
    assert ConnectorFlow(WizardSession(sample_doc, "CSV")).is_read_only(CAPABILITIES)
    new = ConnectorFlow(WizardSession(sample_doc))
    assert not new.is_read_only(CAPABILITIES)
    assert not ConnectorFlow(WizardSession(sample_doc, "CSV")).is_read_only(GLOBAL)


def test_start_page_maps_rules_ids_to_the_first_matching_page(sample_doc):
    sql = ConnectorFlow(WizardSession(sample_doc, "HRDatabase"))
    assert sql.start_key(PageKey.parse("schema")) == PageKey.schema(1)  # a finding's page id
    assert sql.start_key(RUN_PROFILES) == RUN_PROFILES
    assert sql.start_key(PageKey.schema(2)) == PageKey.schema(2)  # a page finds itself too
    assert sql.start_key(None) == PROPERTIES
    csv = ConnectorFlow(WizardSession(sample_doc, "CSV"))
    assert csv.start_key(PageKey.parse("schema")) == PROPERTIES  # no schema pages: start at the beginning
    assert csv.path_to(OBJECT_TYPES)[-2:] == [PageKey.run_step("FullImport"), OBJECT_TYPES]


def test_new_connector_without_a_name_is_blocked_on_properties(sample_doc):
    s = WizardSession(sample_doc)
    flow = ConnectorFlow(s)
    assert flow.blocks_next(PROPERTIES)
    s.set_name("CSV")
    assert any(f.code == "name-duplicate" for f in flow.findings(PROPERTIES))
    assert flow.blocks_next(PROPERTIES)
    s.set_name("Badges")
    s.set_library("Contoso.Badges.Connector")
    assert not flow.blocks_next(PROPERTIES)  # an empty token is a warning only
    assert any(f.code == "token-empty" and f.severity == "warning" for f in flow.findings(PROPERTIES))


def test_timer_below_120_warns_but_does_not_block(sample_doc):
    s = WizardSession(sample_doc, "CSV")
    flow = ConnectorFlow(s)
    s.set_timer(10)
    found = flow.findings(PROPERTIES)
    assert [f.code for f in found if f.field == "AutosyncTimer"] == ["timer-below-120"]
    assert not flow.blocks_next(PROPERTIES)


def test_short_token_blocks_next(sample_doc):
    s = WizardSession(sample_doc, "CSV")
    flow = ConnectorFlow(s)
    s.set_token("short")
    assert flow.blocks_next(PROPERTIES)
    s.set_token("x" * 12)
    assert not flow.blocks_next(PROPERTIES)


def test_findings_are_filed_per_page_and_connector(sample_doc):
    s = WizardSession(sample_doc, "CSV")
    flow = ConnectorFlow(s)
    assert all(f.page == "properties" and f.connector == "CSV" for f in flow.findings(PROPERTIES))
    assert not [f for f in flow.findings(ATTRIBUTES) if f.connector != "CSV"]


def test_disabling_export_blocks_run_profiles(sample_doc):
    s = WizardSession(sample_doc, "CSV")
    flow = ConnectorFlow(s)
    assert not flow.blocks_next(RUN_PROFILES)
    s.set_profile_enabled("Export", False)
    assert flow.blocks_next(RUN_PROFILES)


def test_unsupported_attribute_blocks_select_attributes(sample_doc):
    from app.wizard.schema_edits import AttributeChoice

    s = WizardSession(sample_doc, "CSV")
    flow = ConnectorFlow(s)
    s.schema.discover([AttributeChoice("Photo", "Binary")])
    s.schema.select(["Photo"])
    assert flow.blocks_next(ATTRIBUTES)
    s.schema.select(["Photo"], False)
    assert not flow.blocks_next(ATTRIBUTES)


def test_anchor_change_on_existing_connector_warns(sample_doc):
    s = WizardSession(sample_doc, "CSV")
    flow = ConnectorFlow(s)
    s.schema.set_anchor("Email")
    assert any(f.code == "anchor-changed" for f in flow.findings(OBJECT_TYPES))
    assert not flow.blocks_next(OBJECT_TYPES)


def test_flow_works_on_an_empty_configuration():
    doc = ConfigDocument.from_bytes(builders.EMPTY_CONFIGURATION)
    flow = ConnectorFlow(WizardSession(doc))
    assert flow.keys()[0] == PROPERTIES and flow.keys()[-1] == SUMMARY
    assert flow.blocks_next(OBJECT_TYPES)  # a new connector has no anchor yet


def test_schema_numbers_as_stored_text_give_one_page_each(sample_doc):
    """SchemaNumber is free text in the file (the XSD says string): a page is the number it
    names, so "02" is Schema 2 (no second Schema 2 page) and text that names no page (" x ", "0")
    goes on Schema 1 instead of stopping the wizard; the file keeps what it says."""
    stored = sample_doc.connector("HRDatabase").parameters_by_use("Schema")
    odd = {stored[0].name: " x ", stored[1].name: "0", stored[2].name: " 02 "}
    for p in stored:
        if p.name in odd:
            p.schema_number = odd[p.name]
    s = WizardSession(sample_doc, "HRDatabase")
    assert s.schema_numbers() == [1, 2, 3, 4]
    schema_pages = [k for k in ConnectorFlow(s).keys() if k.name == "schema"]
    assert schema_pages == [PageKey.schema(n) for n in (1, 2, 3, 4)]
    on = {n: {p.name for p in s.page_parameters("Schema", n)} for n in (1, 2, 3, 4)}
    assert {stored[0].name, stored[1].name} <= on[1] and stored[2].name in on[2]
    assert sum(len(names) for names in on.values()) == len(stored)  # every parameter on one page
    assert [s.connector.parameter(n).schema_number for n in odd] == list(odd.values())
