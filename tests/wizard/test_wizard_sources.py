"""Schema sources and the attribute diff of Refresh schema; the Windows script runner's command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.errors import UserError
from app.wizard import schema_sources as ss
from app.wizard.schema_edits import AttributeChoice
from app.wizard.tokens import TOKEN_ALPHABET, generate_token
from tests.conftest import shared_corpus_file


def test_reads_a_powershell_schema_xml_with_bom(data):
    assert (data / "powershell-schema.xml").read_bytes().startswith(b"\xef\xbb\xbf<?xml")
    src = ss.read_source(data / "powershell-schema.xml")
    assert src.object_types == ["Person"]
    assert src.anchors["Person"] == ["BadgeOwnerId"]
    assert {a.name: a.data_type for a in src.attributes("Person")}["IsActive"] == "Boolean"


def test_reads_microsofts_powershell_schema_xml():
    src = ss.read_source(shared_corpus_file("powershell-connector-schema.xml"))
    assert src.object_types == ["Person"]
    assert src.anchors["Person"] == ["AzureObjectID"]
    assert {a.name: a.data_type for a in src.attributes("Person")}["IsActive"] == "Boolean"


def test_reads_the_dsml_of_a_mim_export(mim_export):
    src = ss.read_source(mim_export)
    users = {a.name: a for a in src.attributes("User")}
    assert "export_password" not in users
    assert users["ProxyAddresses"].multivalued and users["Enabled"].data_type == "Boolean"
    assert users["Guid"].data_type == "Binary" and src.anchors["User"] == ["Guid"]


def test_csv_and_json_lists(tmp_path):
    csv_file = tmp_path / "attrs.csv"
    csv_file.write_text("name;type;multivalued\nBadgeId;String;0\nFloor;integer;\nAliases;String;1\n")
    rows = ss.read_source(csv_file).attributes()
    assert [(a.name, a.data_type, a.multivalued) for a in rows] == [
        ("BadgeId", "String", False), ("Floor", "Integer", False), ("Aliases", "String", True)]
    js = tmp_path / "attrs.json"
    js.write_text(json.dumps(["Plain", {"name": "Active", "type": "Boolean"}]))
    assert [(a.name, a.data_type) for a in ss.read_source(js).attributes()] == [
        ("Plain", "String"), ("Active", "Boolean")]


def test_bad_list_is_one_user_error_naming_the_file(tmp_path):
    bad = tmp_path / "attrs.csv"
    bad.write_text("BadgeId,Text\n")
    with pytest.raises(UserError) as err:
        ss.read_source(bad)
    assert "attrs.csv, line 1" in err.value.sentence() and "'Text'" in err.value.sentence()
    js = tmp_path / "broken.json"
    js.write_text("[1,")
    with pytest.raises(UserError, match="not valid JSON"):
        ss.read_source(js)


def test_schema_diff_finds_added_removed_and_type_changed():
    stored = {"Id": "String", "Floor": "String", "Gone": "String"}
    source = [AttributeChoice("Id"), AttributeChoice("Floor", "Integer"), AttributeChoice("New", "Boolean")]
    changes = {(c.name, c.kind, c.old_type, c.new_type) for c in ss.schema_diff(stored, source)}
    assert changes == {("Floor", "type-changed", "String", "Integer"), ("New", "added", "", "Boolean"),
                       ("Gone", "removed", "String", "")}


def test_powershell_command_line_is_windows_powershell_with_no_profile():
    cmd = ss.powershell_command(Path(r"C:\t\read-schema.ps1"), Path(r"C:\PSMA\schema.ps1"))
    assert cmd[:3] == ["powershell.exe", "-NoProfile", "-NonInteractive"]
    assert cmd[cmd.index("-File") + 1] == str(Path(r"C:\t\read-schema.ps1"))
    assert cmd[-2:] == ["-SchemaScript", str(Path(r"C:\PSMA\schema.ps1"))]


def test_granfeldt_output_is_parsed():
    out = json.dumps([{"objectClass": "user", "properties": [
        "Anchor-Id|String", "objectClass|String", "AccountName|String", "Groups|Reference[]",
        "Enabled|Boolean"]}])
    src = ss.parse_granfeldt_output(out, "schema.ps1")
    attrs = {a.name: a for a in src.attributes("user")}
    assert src.anchors["user"] == ["Id"] and "objectClass" not in attrs
    assert attrs["Groups"].multivalued and attrs["Groups"].data_type == "Reference"


def test_windows_runner_runs_the_command_and_reads_its_output(tmp_path):
    script = tmp_path / "schema.ps1"
    script.write_text("# a Granfeldt schema script")
    seen = {}

    def fake_run(cmd, **kw):
        seen["cmd"] = cmd
        seen["wrapper"] = Path(cmd[cmd.index("-File") + 1]).read_text(encoding="utf-8-sig")
        body = json.dumps({"objectClass": "person", "properties": ["Anchor-Key|String"]})
        return subprocess.CompletedProcess(cmd, 0, body.encode(), b"")

    src = ss.WindowsSchemaScriptRunner(run=fake_run).run(script)
    assert seen["cmd"][-1] == str(script) and "ConvertTo-Json" in seen["wrapper"]
    assert src.anchors == {"person": ["Key"]}

    def failing(cmd, **kw):
        return subprocess.CompletedProcess(cmd, 1, b"", b"The term 'Get-Foo' is not recognized\r\n")

    with pytest.raises(UserError, match="Get-Foo"):
        ss.WindowsSchemaScriptRunner(run=failing).run(script)


def test_unavailable_runner_says_why(tmp_path):
    runner = ss.UnavailableSchemaScriptRunner()
    assert not runner.available() and "only on Windows" in runner.unavailable_reason
    with pytest.raises(UserError, match="only on Windows"):
        runner.run(tmp_path / "schema.ps1")


def test_default_source_is_the_hosts_schema_xml(sample_host):
    ecma = sample_host / "Service" / "ECMA"
    assert ss.default_source(ecma, "Microsoft.IAM.Connector.PowerShell") == ecma / "Schema.xml"
    assert ss.default_source(ecma, "Microsoft.IAM.Connector.GenericSql") is None


def test_tokens_are_long_random_and_plain():
    a, b = generate_token(), generate_token()
    assert a != b and len(a) >= 32 and set(a) <= set(TOKEN_ALPHABET)
    with pytest.raises(ValueError):
        generate_token(20)
