"""MIM management-agent exports: the three roots, encodings, vendors, the mapping and its report."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from app.config.builders import EMPTY_CONFIGURATION
from app.config.document import ConfigDocument
from app.config.rules import validate
from app.errors import UserError
from app.migrate.mim_export import normalise_encoding, read_agent
from app.migrate.mim_mapping import ObjectTypeNeeded, import_management_agent, library_name
from tests.conftest import DATA as TEST_DATA
from tests.conftest import shared_corpus_file

DATA = Path(__file__).parent / "data"
GRANFELDT = DATA / "granfeldt-saved-ma-configuration.xml"
LITHNET = DATA / "lithnet-ma-data-utf16.xml"
ADMA = DATA / "adma-export-ma.xml"


def _connector(mapped):
    doc = ConfigDocument.from_bytes(EMPTY_CONFIGURATION)
    doc.add_connector(mapped.element())
    again = ConfigDocument.from_bytes(doc.to_bytes())  # what a save would write reads back
    return again, again.connectors[0]


def _params(c, use=None):
    return {p.name: (p.type, p.value) for p in c.parameters if use in (None, p.use)}


# -- a PowerShell agent's export: ours (tests/data), then Microsoft's Lync sample when at hand ---
def test_powershell_export_needs_an_object_type_and_lists_the_classes(mim_export):
    with pytest.raises(ObjectTypeNeeded) as exc:
        import_management_agent(mim_export.read_bytes(), str(mim_export))
    assert exc.value.classes == ["OrganizationalUnit", "User"]
    assert "--object-type" in exc.value.sentence()


def test_powershell_export_maps_every_page():
    path = TEST_DATA / "ma-export-powershell.xml"
    mapped = import_management_agent(path.read_bytes(), str(path), object_type="User")
    doc, c = _connector(mapped)
    assert c.name == "Badges" and c.library_name == "Microsoft.IAM.Connector.PowerShell"
    uses = [p.use for p in c.parameters]
    assert [u for i, u in enumerate(uses) if i == 0 or uses[i - 1] != u] == [
        "Capabilities", "Global", "RunStep", "Connectivity", "Partition"]
    assert _params(c, "Connectivity")["Server"] == ("String", "https://badges.fabrikam.test/api")
    assert _params(c, "Connectivity")["Password"] == ("EncryptedString", "")
    assert c.parameter("Password").encrypted is True
    assert _params(c, "Capabilities")["Object Confirmation"] == ("DropDown", "NoDeleteConfirmation")
    assert _params(c, "Capabilities")["Enable Delta Import"] == ("CheckBox", "1")
    assert _params(c, "Global")["BadgeSite_Global"] == ("String", "North")
    script = c.parameter("Common Module Script").value
    assert script.startswith("<#\n Fabrikam badge helpers\n#>") and len(script) > 14000
    assert _params(c, "Partition")["BadgeSite_Partition"] == ("String", "North")
    assert not any(p.type in ("Label", "Divider") or not p.name for p in c.parameters)
    entry = c.entry_schema
    assert (entry.external_name, entry.object_type) == ("User", "User")  # Entra's User -> the MA's class
    names = [a.name for a in entry.attributes]
    assert names[0] == "Guid" and entry.anchor.name == "Guid"
    assert "export_password" not in names and len(names) == 10
    assert entry.attribute("ProxyAddresses").multivalued is True
    assert entry.attribute("Enabled").data_type == "Boolean"
    assert entry.attribute("Guid").data_type == "Binary"
    assert [p.dn for p in c.partitions] == ["DC=fabrikam,DC=test"]
    assert [r.name for r in c.run_configurations] == ["Export", "FullImport", "DeltaImport"]
    full = c.run_configuration("FullImport").run_steps[0]
    assert full.name == "Import" and full.partition == "DC=fabrikam,DC=test"
    assert {p.name: p.value for p in full.parameters}["PageSizeFullImport"] == "500"
    report = mapped.report
    assert any("OrganizationalUnit" in d for d in report.dropped)
    assert any("apply-rules" in d and "Delta Synchronization" in d for d in report.dropped)
    assert any("mv-data" in d for d in report.dropped)
    assert any("provisioning-cleanup" in d for d in report.dropped)
    assert report.secrets[0].startswith("Secret Token")
    assert any(s.startswith("Password (Connectivity") for s in report.secrets)
    assert any(s.startswith("Partition Password") for s in report.secrets)
    assert any("Guid (Binary)" in a for a in report.attention)
    codes = {f.code for f in validate(doc) if f.severity == "error"}
    assert codes == {"attribute-type"}
    assert "attribute-multivalued" in {f.code for f in validate(doc) if f.severity == "warning"}


def test_lync_export_maps_every_page():
    path = shared_corpus_file("ma-export-lync-powershell.xml")
    mapped = import_management_agent(path.read_bytes(), str(path), object_type="User")
    doc, c = _connector(mapped)
    assert c.name == "Skype" and c.library_name == "Microsoft.IAM.Connector.PowerShell"
    uses = [p.use for p in c.parameters]
    # grouped in Microsoft's order, each group once
    assert [u for i, u in enumerate(uses) if i == 0 or uses[i - 1] != u] == [
        "Capabilities", "Global", "RunStep", "Connectivity", "Partition"]
    assert _params(c, "Connectivity")["Server"] == ("String", "https://s4badmin.contoso.com/OcsPowerShell")
    assert _params(c, "Connectivity")["Password"] == ("EncryptedString", "")
    assert c.parameter("Password").encrypted is True
    assert _params(c, "Capabilities")["Object Confirmation"] == ("DropDown", "NoAddAndDeleteConfirmation")
    assert _params(c, "Capabilities")["Enable Delta Import"] == ("CheckBox", "1")
    assert _params(c, "Global")["ForceMove_Global"] == ("String", "Yes")
    script = c.parameter("Common Module Script").value
    assert len(script) == 26278 and script.startswith("<#\n<copyright")
    assert "SipDomain_Partition" in _params(c, "Partition")
    assert not any(p.type in ("Label", "Divider") or not p.name for p in c.parameters)
    entry = c.entry_schema
    assert (entry.external_name, entry.object_type) == ("User", "User")  # Entra's User -> the MA's class
    names = [a.name for a in entry.attributes]
    assert names[0] == "Guid" and entry.anchor.name == "Guid"
    assert "export_password" not in names and len(names) == 45
    assert entry.attribute("ProxyAddresses").multivalued is True
    assert entry.attribute("Enabled").data_type == "Boolean"
    assert entry.attribute("Guid").data_type == "Binary"
    assert [p.dn for p in c.partitions] == ["DC=contoso,DC=com"]
    assert [r.name for r in c.run_configurations] == ["Export", "FullImport", "DeltaImport"]
    full = c.run_configuration("FullImport").run_steps[0]
    assert full.name == "Import" and full.partition == "DC=contoso,DC=com"
    assert {p.name: p.value for p in full.parameters}["PageSizeFullImport"] == "9999"
    report = mapped.report
    assert any("OrganizationalUnit" in d for d in report.dropped)
    assert any("apply-rules" in d and "Delta Synchronization" in d for d in report.dropped)
    assert any("mv-data" in d for d in report.dropped)
    assert any("provisioning-cleanup" in d for d in report.dropped)
    assert report.secrets[0].startswith("Secret Token")
    assert any(s.startswith("Password (Connectivity") for s in report.secrets)
    assert any(s.startswith("Partition Password") for s in report.secrets)
    assert any("Guid (Binary)" in a for a in report.attention)
    codes = {f.code for f in validate(doc) if f.severity == "error"}
    assert codes == {"attribute-type"}  # the file's own schema, told honestly
    assert "attribute-multivalued" in {f.code for f in validate(doc) if f.severity == "warning"}


# -- our own shapes ----------------------------------------------------------------------------
def test_granfeldt_saved_configuration_generic_ecma2():
    agent = read_agent(GRANFELDT.read_bytes(), str(GRANFELDT))
    assert agent.root == "saved-ma-configuration" and agent.subtype == "" and not agent.has_mv_data
    mapped = import_management_agent(GRANFELDT.read_bytes(), str(GRANFELDT), name="HRPSMA")
    _, c = _connector(mapped)
    assert c.name == "HRPSMA" and c.library_name == "Granfeldt.PowerShell.ManagementAgent"
    assert c.description == "HR feed through the Granfeldt PowerShell MA"
    conn = _params(c, "Connectivity")
    assert conn["Configuration  parameters"] == ("Text", "Server=hr01\nDatabase=HR & Payroll")
    assert conn["Password"] == ("EncryptedString", "")  # absent from parameter-values altogether
    assert conn["Certificate file"] == ("File", "SGVsbG8sIGZpbGUh")
    assert _params(c, "Global")["Object Type"] == ("DropDown", "Full")  # the definition's default
    assert _params(c, "Partition") == {"Partition note": ("String", "main")}
    assert [a.name for a in c.entry_schema.attributes] == ["EmployeeID", "FirstName", "LastName",
                                                            "Active", "Grade"]
    assert c.entry_schema.attribute("Grade").data_type == "Integer"
    runs = {r.name: r.run_steps[0] for r in c.run_configurations}
    assert set(runs) == {"Export", "FullImport"}
    assert runs["FullImport"].timeout == "300"
    assert {p.name: p.value for p in runs["Export"].parameters} == {"Run tag": "export",
                                                                  "PageSizeExport": "50"}
    report = mapped.report
    assert any("archive" in d for d in report.dropped)
    assert any("Archive Import" in d and "another partition" in d for d in report.dropped)
    assert any("Manager, Notes" in d for d in report.dropped)
    assert {"Join rules", "Projection rules"} <= set(report.dropped)
    assert any("File parameter 'Certificate file'" in a for a in report.attention)


def test_lithnet_bare_ma_data_utf16_bom_crlf():
    data = LITHNET.read_bytes()
    assert data.startswith(codecs.BOM_UTF16_LE) and "\r\n".encode("utf-16-le") in data
    with pytest.raises(ObjectTypeNeeded) as exc:
        import_management_agent(data, str(LITHNET))
    assert exc.value.classes == ["user", "group"]
    mapped = import_management_agent(data, str(LITHNET), object_type="user")
    _, c = _connector(mapped)
    assert (c.entry_schema.external_name, c.entry_schema.object_type) == ("User", "user")
    assert _params(c)["Legacy flag"] == ("CheckBox", "1")  # a value with no definition is kept
    assert _params(c, "Schema") == {"Object table": ("String", "users")}
    assert c.parameter("Dialect").type == "MultiChoice"
    assert [r.name for r in c.run_configurations] == ["Export", "FullImport"]
    assert any("no run profiles" in a for a in mapped.report.attention)
    assert any("group" in d for d in mapped.report.dropped)


def test_wrong_case_object_type_gets_a_hint():
    with pytest.raises(ObjectTypeNeeded, match="did you mean 'user'"):
        import_management_agent(LITHNET.read_bytes(), str(LITHNET), object_type="User")


def test_non_ecma2_agent_is_refused_with_a_sentence():
    with pytest.raises(UserError) as exc:
        read_agent(ADMA.read_bytes(), str(ADMA))
    sentence = exc.value.sentence()
    assert "a management agent of category 'AD'" in sentence and "only runs ECMA2 connectors" in sentence
    assert "a 'AD'" not in sentence
    assert sentence.startswith(str(ADMA))


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"),
    lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    lambda t: t.encode("utf-16-le"),  # no BOM, no declaration: lxml alone cannot read this
    lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: ('<?xml version="1.0" encoding="utf-16"?>\n' + t).encode("utf-8"),  # stale declaration
], ids=["utf8", "utf8-bom", "utf16le-bare", "utf16be-bom", "crlf", "utf8-declared-utf16"])
def test_every_encoding_reads_the_same(encode):
    text = GRANFELDT.read_text(encoding="utf-8")
    agent = read_agent(encode(text), "x.xml")
    assert agent.name == "HR PSMA"
    assert next(v for v in agent.values if v.name == "Configuration  parameters").value == \
        "Server=hr01\nDatabase=HR & Payroll"


def test_bad_input_is_one_sentence():
    with pytest.raises(UserError, match="root element <Configuration>"):
        read_agent(EMPTY_CONFIGURATION, "c.xml")
    with pytest.raises(UserError, match="DOCTYPE"):
        read_agent(b'<!DOCTYPE x [<!ENTITY e "boom">]><ma-data/>', "d.xml")
    with pytest.raises(UserError, match="no <ma-data>"):
        read_agent(b"<export-ma></export-ma>", "e.xml")
    with pytest.raises(UserError, match="not valid UTF-8"):
        normalise_encoding(b"<ma-data>\xff</ma-data>", "f.xml")
    with pytest.raises(UserError, match="no object classes"):
        import_management_agent(b"<ma-data><name>x</name><category>Extensible2</category></ma-data>", "g.xml")


def test_library_name_from_the_file_name():
    assert library_name("Granfeldt.SQL.MA.dll") == "Granfeldt.SQL.MA"
    assert library_name(r"C:\x\Lithnet.Okta.DLL") == "Lithnet.Okta"
    assert library_name("") == ""


def test_category_case_and_missing_name(tmp_path):
    text = GRANFELDT.read_text(encoding="utf-8")
    agent = read_agent(text.replace("<category>Extensible2<", "<category>extensible2<").encode(), "x")
    assert agent.category == "extensible2"
    from app.cli import main

    nameless = tmp_path / "nameless.xml"
    nameless.write_text(text.replace("<name>HR PSMA</name>", "<name></name>"), encoding="utf-8")
    assert main(["import-ma", str(nameless), "--config", str(tmp_path / "c.xml")]) == 2
    assert main(["import-ma", str(nameless), "--config", str(tmp_path / "c.xml"), "--name", "HR"]) == 0


def test_a_packaged_agent_takes_its_name_from_ma_listname():
    text = GRANFELDT.read_text(encoding="utf-8").replace("<name>HR PSMA</name>", "<name></name>")
    text = text.replace("<ma-listname></ma-listname>", "<ma-listname>Packaged HR</ma-listname>", 1)
    agent = read_agent(text.encode(), "p.xml")
    assert agent.name == "Packaged HR"


def test_an_import_only_agent_says_it_cannot_export_and_what_to_do():
    text = GRANFELDT.read_text(encoding="utf-8")
    old = '<export-enabled data-owner="ISV">1</export-enabled>'
    assert old in text
    text = text.replace(old, '<export-enabled data-owner="ISV">0</export-enabled>')
    mapped = import_management_agent(text.encode(), "import-only.xml")
    said = " ".join(mapped.report.attention)
    assert "import-only" in said and "enable Export on the Run" in said
    assert "Imported ''" not in mapped.report.text()


def test_object_type_is_written_the_way_microsofts_export_writes_it():
    """Microsoft's export of its CSV connector (tests/data/powershell-csv-export.xml) names the type its
    Schema.xml defines (Person) in ObjectType and Entra's User in ExternalName. A MIM export of the
    same connector (our MIM export with its User class being the Schema.xml's type) imports to the
    same pair; a second class of the agent is its ObjectType too, never its ExternalName."""
    from lxml import etree

    microsoft = ConfigDocument.load(TEST_DATA / "powershell-csv-export.xml").connectors[0].entry_schema
    schema_type = etree.parse(str(TEST_DATA / "powershell-schema.xml")).findtext("Types/SchemaType/Name")
    assert (microsoft.external_name, microsoft.object_type) == ("User", schema_type) == ("User", "Person")
    text = (TEST_DATA / "ma-export-powershell.xml").read_text(encoding="utf-8")
    for old, new in (('id="User"', 'id="Person"'), ("<dsml:name>User</dsml:name>", "<dsml:name>Person</dsml:name>"),
                     ("<name>User</name>", "<name>Person</name>"),
                     ("<object-class>User</object-class>", "<object-class>Person</object-class>")):
        assert old in text
        text = text.replace(old, new)
    mapped = import_management_agent(text.encode("utf-8"), "badges.xml", object_type="Person")
    entry = _connector(mapped)[1].entry_schema
    assert (entry.external_name, entry.object_type) == (microsoft.external_name, microsoft.object_type)
    mapped = import_management_agent(text.encode("utf-8"), "badges.xml", object_type="OrganizationalUnit")
    entry = _connector(mapped)[1].entry_schema
    assert (entry.external_name, entry.object_type) == ("User", "OrganizationalUnit")
