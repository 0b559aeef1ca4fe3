"""Every call type against the test connectors, through the worker process."""

from __future__ import annotations

import sys

import pytest

from app.bridge import locate
from app.bridge.errors import BridgeError
from app.bridge.session import ConnectorSession
from app.errors import UserError
from app.host.layout import from_host_dir


@pytest.fixture
def open_session(dlls):
    sessions: list[ConnectorSession] = []

    def make(dll, host=None, **kw) -> ConnectorSession:
        layout = from_host_dir(host) if host else None
        s = ConnectorSession(locate.user_named(dll, layout), **kw)
        sessions.append(s)
        return s

    yield make
    for s in sessions:
        s.close()


def names(answer) -> list[str]:
    return [d.name for d in answer.parameters]


def test_sql_pages_defaults_and_choices(open_session, dlls):
    s = open_session(dlls.sql)
    conn = s.ask_page("Connectivity")
    assert names(conn) == ["Server", "Database", "User Name", "Password", "Authentication"]
    by_name = {d.name: d for d in conn.parameters}
    assert by_name["Server"].default == "sql01"
    assert by_name["Password"].secret and by_name["Password"].type == "EncryptedString"
    # the string[] overload leaves a trailing comma: no empty choice comes out of it
    assert by_name["Authentication"].choices == ("SQL Authentication", "Windows Authentication")
    assert by_name["Authentication"].default == "SQL Authentication"
    assert s.validate_page("Connectivity").ok


def test_sql_rejects_a_value_naming_the_field(open_session, dlls):
    s = open_session(dlls.sql)
    s.ask_page("Connectivity")
    s.set_value("Server", "sql 01")
    verdict = s.validate_page("Connectivity")
    assert not verdict.ok and verdict.by_connector
    assert verdict.message == "Server names cannot contain spaces."
    assert verdict.parameter == "Server"


def test_sql_schema_pages_depend_on_earlier_answers_and_end(open_session, dlls):
    s = open_session(dlls.sql)
    s.ask_page("Connectivity")
    s.ask_page("Capabilities")
    s.set_value("Fixed value list/Table/View/SP", "User,Group")
    pages = s.ask_schema_pages()
    assert [p.number for p in pages] == [1, 2, 3, 4]
    assert names(pages[1]) == ["User:Table/View/SP", "Group:Table/View/SP"]
    assert {d.number for d in pages[2].parameters} == {3}
    s.set_value("Select Anchor for :Group", "NoSuchColumn")  # extensible: our check lets it through
    verdict = s.validate_page("Schema", 3)
    assert not verdict.ok and verdict.parameter == "Select Anchor for :Group"
    s.set_value("Fixed value list/Table/View/SP", "User")
    assert names(s.ask_schema_pages()[1]) == ["User:Table/View/SP"]


def test_sql_capabilities_from_the_property_and_schema(open_session, dlls):
    s = open_session(dlls.sql)
    s.ask_page("Connectivity")
    caps = s.ask_capabilities()
    assert caps["DistinguishedNameStyle"] == "Generic" and caps["ExportType"] == "AttributeReplace"
    # SupportPartitions is not set by the connector: it keeps MACapabilities' default, true as on
    # Microsoft's DLL (docs/connector-dll.md)
    assert caps["DeltaImport"] is True and caps["SupportPartitions"] is True
    s.ask_page("Global")
    schema = s.ask_schema()
    user = schema["types"][0]
    assert user["name"] == "User" and user["locked"] and user["anchors"] == ["EmployeeId"]
    attrs = {a["name"]: a for a in user["attributes"]}
    assert attrs["Salary"] == {"name": "Salary", "type": "Integer", "multivalued": False,
                               "anchor": False, "operation": "ImportOnly"}
    assert attrs["ProxyAddresses"]["multivalued"]
    # a refresh after a change in the connected system finds the new attribute
    s.set_value("Extra Columns", "CostCenter")
    again = {a["name"] for a in s.ask_schema()["types"][0]["attributes"]}
    assert again - set(attrs) == {"CostCenter"}


def test_ldap_capabilities_depend_on_answers(open_session, dlls):
    s = open_session(dlls.ldap)
    s.ask_page("Connectivity")
    caps_page = s.ask_page("Capabilities")
    defaults = {d.name: d.default for d in caps_page.parameters}
    assert defaults == {"Enable Partitions": "1", "Enable Hierarchy": "0", "Enable Delta Import": "0"}
    caps = s.ask_capabilities()
    assert caps["SupportPartitions"] and not caps["SupportHierarchy"]
    assert caps["Normalizations"] == "Uppercase, RemoveAccents"
    s.set_value("Enable Partitions", "0")
    s.set_value("Enable Hierarchy", "1")
    caps = s.ask_capabilities()
    assert not caps["SupportPartitions"] and caps["SupportHierarchy"]


def test_ldap_global_page_follows_connectivity(open_session, dlls):
    s = open_session(dlls.ldap)
    s.ask_page("Connectivity")
    first = s.ask_page("Global")
    assert [d.type for d in first.parameters] == ["Label", "String", "Divider", "Text"]
    assert first.parameters[0].text == "Settings for the directory"
    s.set_value("Binding", "TLS")
    # As on Microsoft's DLL, a Label's Name is "": its text is in Text
    again = s.ask_page("Global")
    assert names(again) == ["", "", "Attributes To Include"]
    assert again.parameters[0].text == "Settings for the directory"


def test_ldap_partitions_and_hierarchy(open_session, dlls):
    s = open_session(dlls.ldap)
    s.ask_page("Connectivity")
    s.set_value("Host", "dc1.fabrikam.org")
    parts = s.ask_partitions()
    assert parts[0] == {"id": "11111111-2222-3333-4444-555555555555", "dn": "dc=fabrikam,dc=org",
                        "name": "fabrikam.org"}
    top = s.ask_hierarchy()
    assert [n["dn"] for n in top] == ["ou=People,dc=contoso,dc=com", "ou=Groups,dc=contoso,dc=com"]
    below = s.ask_hierarchy(top[0])
    assert below[0] == {"dn": "ou=People,ou=People,dc=contoso,dc=com", "name": "People"}


def test_ldap_our_checks_choices_and_pattern(open_session, dlls):
    s = open_session(dlls.ldap)
    s.ask_page("Connectivity")
    s.set_value("Binding", "Telnet")
    verdict = s.validate_page("Connectivity")
    assert not verdict.ok and not verdict.by_connector and verdict.parameter == "Binding"
    s.set_value("Binding", "SSL")
    s.set_value("Port", "99999")  # the pattern allows it; the connector does not
    verdict = s.validate_page("Connectivity")
    assert (verdict.ok, verdict.parameter, verdict.by_connector) == (False, "Port", True)
    s.set_value("Port", "six")
    assert not s.validate_page("Connectivity").by_connector


def test_powershell_like_reads_secure_value_through_explicit_interfaces(open_session, dlls):
    s = open_session(dlls.ps)
    s.ask_page("Connectivity")
    assert s.validate_page("Connectivity").message == "Password is required."
    s.set_secret("Password", "wrong")
    assert s.validate_page("Connectivity").message == "The server refused the password."
    s.set_secret("Password", "correct horse")
    assert s.validate_page("Connectivity").ok
    assert s.ask_capabilities()["ExportType"] == "ObjectReplace"
    # no GetConfigParametersEx: one Schema page, from the plain call
    assert [[d.name for d in p.parameters] for p in s.ask_schema_pages()] == [["Object Classes"]]
    # the schema comes from the private dependency beside the connector (AssemblyResolve)
    person = s.ask_schema()["types"][0]
    assert person["name"] == "person" and [a["name"] for a in person["attributes"]][-1] == "department"


def test_missing_dependency_is_one_sentence(open_session, lonely_ps):
    s = open_session(lonely_ps)
    s.ask_page("Connectivity")
    with pytest.raises(BridgeError) as err:
        s.ask_schema()
    text = err.value.sentence()
    assert "Contoso.PsLike" in text and "Contoso.PsHelper" in text and "GetSchema" in text
    assert "\n" not in text and "Traceback" not in text
    assert s.ask_page("Connectivity").parameters  # the worker still answers


def test_interface_dll_from_the_hosts_service_folder(open_session, host):
    dll = host / "Service" / "ECMA" / "Contoso.SqlLike.dll"
    library = locate.user_named(dll, from_host_dir(host))
    assert library.interface_dll == host / "Service" / "Microsoft.MetadirectoryServicesEx.dll"
    assert not library.outside_host and library.note(from_host_dir(host)) == ""
    assert open_session(dll, host).ask_page("Connectivity").parameters


@pytest.mark.skipif(sys.platform == "win32", reason="Windows falls back to the GAC")
def test_missing_interface_dll_says_where_it_looked(tmp_path, dlls):
    import shutil

    shutil.copy(dlls.sql, tmp_path)
    with pytest.raises(UserError, match="Microsoft.MetadirectoryServicesEx.dll"):
        locate.user_named(tmp_path / dlls.sql.name, None)


def test_configured_dll_only_from_the_hosts_ecma_folder(host, tmp_path):
    layout = from_host_dir(host)
    assert locate.configured("Contoso.LdapLike", layout).dll.name == "Contoso.LdapLike.dll"
    # a path in LibraryName never leads out of the folder: only the file name counts
    assert locate.configured("../../elsewhere/Contoso.LdapLike", layout).dll.parent == layout.ecma_dir.resolve()
    with pytest.raises(UserError, match="Contoso.Elsewhere.dll"):
        locate.configured("Contoso.Elsewhere", layout)
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(UserError, match="not a .dll"):
        locate.user_named(tmp_path / "x.txt", layout)


def test_refresh_schema_from_the_dll_gives_the_usual_diff(open_session, dlls):
    from app.wizard.dll_pages import source_schema as as_source_schema
    from app.wizard.schema_sources import schema_diff

    s = open_session(dlls.sql)
    s.ask_page("Connectivity")
    s.ask_page("Global")
    before = as_source_schema(s.ask_schema(), "Contoso.SqlLike")
    stored = {c.name: c.data_type for c in before.attributes("User")}
    stored["IsActive"] = "String"  # as if the file had it with another type
    s.set_value("Extra Columns", "CostCenter")
    after = as_source_schema(s.ask_schema(), "Contoso.SqlLike")
    assert after.anchors["User"] == ["EmployeeId"] and after.object_types == ["User"]
    changes = {(c.name, c.kind) for c in schema_diff(stored, after.attributes("User"))}
    assert changes == {("CostCenter", "added"), ("IsActive", "type-changed")}
