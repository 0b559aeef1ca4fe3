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
    assert sql.start_key("schema") == PageKey.schema(1)
    assert sql.start_key("run-profiles") == RUN_PROFILES
    assert sql.start_key("schema-2") == PageKey.schema(2)  # a key's spelling finds its page too
    csv = ConnectorFlow(WizardSession(sample_doc, "CSV"))
    assert csv.start_key("schema") == PROPERTIES  # no schema pages: start at the beginning
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
