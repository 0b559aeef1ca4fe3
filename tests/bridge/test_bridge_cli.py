"""`connector inspect` and `connector add` end to end: JSON shape, exit codes, the written file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.bridge import client
from app.cli import main
from app.config.document import ConfigDocument
from app.config.rules import ERROR, validate
from app.config.xmltext import read_file

SECRET = "Pa55-w0rd-9q"


def _config(host: Path) -> Path:
    return host / "Service" / "Configuration" / "Configuration.xml"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_json_alone_on_stdout(capsys, host):
    code, out, err = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.SqlLike.dll"),
                          "--host-dir", str(host), "--json")
    assert code == 0, err
    data = json.loads(out)  # nothing but the JSON
    assert set(data) == {"library", "capabilities", "pages", "schema", "partitions", "warnings", "error"}
    assert data["error"] is None
    assert data["library"] == "Contoso.SqlLike"
    assert [(p["page"], p["number"]) for p in data["pages"]] == [
        ("Connectivity", 1), ("Capabilities", 1), ("Schema", 1), ("Schema", 2), ("Schema", 3),
        ("Schema", 4), ("Global", 1), ("RunStep", 1)]
    first = data["pages"][0]
    assert set(first["parameters"][0]) == {"name", "type", "default", "choices", "extensible",
                                           "validation", "text"}
    assert first["validation"] == {"ok": True, "message": "", "parameter": ""}
    auth = next(p for p in first["parameters"] if p["name"] == "Authentication")
    assert auth["choices"] == ["SQL Authentication", "Windows Authentication"]
    assert data["capabilities"]["ExportType"] == "AttributeReplace"
    assert set(data["schema"]["types"][0]) == {"name", "locked", "anchors", "attributes"}
    assert set(data["schema"]["types"][0]["attributes"][0]) == {"name", "type", "multivalued",
                                                                  "anchor", "operation"}
    assert "outside" not in err  # the DLL lies in the host's ECMA folder


def test_inspect_checkbox_defaults_and_partitions(capsys, host):
    code, out, _ = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.LdapLike.dll"),
                        "--host-dir", str(host), "--json")
    data = json.loads(out)
    caps_page = next(p for p in data["pages"] if p["page"] == "Capabilities")
    assert [p["default"] for p in caps_page["parameters"]] == ["1", "0", "0"]
    assert data["partitions"][0]["dn"] == "dc=contoso,dc=com"
    assert code == 0


def test_inspect_notes_a_dll_outside_the_host(capsys, dlls, host):
    code, out, err = _run(capsys, "connector", "inspect", str(dlls.sql), "--host-dir", str(host), "--json")
    assert code == 0 and json.loads(out)["library"] == "Contoso.SqlLike"
    assert "lies outside the host's ECMA folder" in err


def test_inspect_rejection_exits_1_with_the_message(capsys, host):
    code, out, err = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.LdapLike.dll"),
                          "--host-dir", str(host), "--set", "Port=99999", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["pages"][-1]["validation"] == {"ok": False, "parameter": "Port",
                                               "message": "Port must be a number from 1 to 65535."}
    assert data["schema"] is None
    assert "Port must be a number from 1 to 65535." in err


def test_inspect_failure_and_timeout_exit_2_in_one_sentence_after_the_pages_so_far(capsys, host):
    bad = str(host / "Service/ECMA/Contoso.Misbehaving.dll")
    code, out, err = _run(capsys, "connector", "inspect", bad, "--host-dir", str(host), "--set", "Mode=throw")
    assert code == 2
    assert err.count("\n") == 1 and "Contoso.Misbehaving" in err and "refused the connection" in err
    # the pages asked before Global threw are printed: the user can see what to pass with --set
    assert "Connectivity: valid" in out and "Mode [DropDown] = 'throw'" in out
    assert "Stopped: The connector Contoso.Misbehaving failed in GetConfigParameters(Global)" in out
    assert "(while asking for the Global page)." in out
    code, out, err = _run(capsys, "connector", "inspect", bad, "--host-dir", str(host), "--set", "Mode=hang",
                          "--timeout", "2", "--json")
    assert code == 2 and "timed out" in err
    data = json.loads(out)
    assert [p["page"] for p in data["pages"]][0] == "Connectivity"
    assert data["error"]["page"] == "Global" and data["error"]["kind"] == "timed out"


def test_inspect_json_names_a_dotnet_exception_failed(capsys, host):
    """The kind is a BridgeErrorKind inside; `--json` prints the same word as before it was one."""
    code, out, _ = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.Misbehaving.dll"),
                        "--host-dir", str(host), "--set", "Mode=throw", "--json")
    assert code == 2
    assert json.loads(out)["error"]["kind"] == "failed" and '"kind": "failed"' in out


def test_inspect_of_a_chatty_connector_keeps_stdout_clean(capsys, host):
    code, out, _ = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.Misbehaving.dll"),
                        "--host-dir", str(host), "--json")
    assert code == 0 and json.loads(out)["library"] == "Contoso.Misbehaving"
    assert "not from the bridge" not in out


def _add(capsys, host: Path, *extra: str) -> tuple[int, str, str]:
    return _run(capsys, "connector", "add", "HR", "--dll", str(host / "Service/ECMA/Contoso.SqlLike.dll"),
                "--host-dir", str(host), "--object-type", "User", "--anchor", "EmployeeId",
                "--attributes", "Email,DisplayName,IsActive,Salary", *extra)


def test_add_writes_a_connector_that_validates(capsys, host, monkeypatch):
    monkeypatch.setenv("HR_DB_PASSWORD", SECRET)
    monkeypatch.setenv("HR_TOKEN", "token-abcdef")
    code, out, err = _add(capsys, host, "--secret-env", "Password=HR_DB_PASSWORD", "--token-env", "HR_TOKEN",
                          "--set", "Server=sql02", "--timer", "60", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["connector"] == "HR" and summary["run_profiles"] == ["Export", "FullImport", "DeltaImport"]
    assert SECRET not in out + err
    doc = ConfigDocument.from_bytes(read_file(_config(host)), str(_config(host)))
    assert [f.message for f in validate(doc) if f.severity == ERROR] == []
    c = doc.connector("HR")
    assert c.library_name == "Contoso.SqlLike" and c.autosync_timer == "60"
    stored = [(p.name, p.use, p.schema_number, p.value) for p in c.parameters]
    assert stored[0] == ("Export Type", "Capabilities", "1", "AttributeReplace")
    assert ("Server", "Connectivity", "1", "sql02") in stored
    assert [(n, s) for n, u, s, _ in stored if u == "Schema"] == [
        ("Object type detection", "1"), ("Fixed value list/Table/View/SP", "1"),
        ("User:Table/View/SP", "2"), ("Select Anchor for :User", "3"), ("DataType of the Attribute", "4")]
    password = next(p for p in c.parameters if p.name == "Password")
    assert password.encrypted and password.type == "EncryptedString"
    # off the host no route to encrypt is proven: the secrets are left to be entered there
    assert password.value == "" and c.secret_token == ""
    assert {s["parameter"]: s["done"] for s in summary["secrets"]} == {
        "SecretToken": "secret-for-host", "Password": "secret-for-host"}
    steps = [p for r in c.run_configurations for s in r.run_steps for p in s.parameters]
    assert {(p.name, p.schema_number) for p in steps} == {("Operation Method", "0"), ("Table/View/SP", "0")}
    assert c.is_delta_import_supported and c.is_export_supported
    entry = c.entry_schemas[0]
    attrs = [(a.name, a.data_type, a.is_anchor) for a in entry.attributes]
    assert attrs[0] == ("EmployeeId", "String", True)
    assert ("Salary", "Integer", False) in attrs and ("IsActive", "Boolean", False) in attrs


def test_add_writes_secrets_as_typed_only_when_asked(capsys, host, monkeypatch):
    monkeypatch.setenv("HR_DB_PASSWORD", SECRET)
    code, out, err = _add(capsys, host, "--secret-env", "Password=HR_DB_PASSWORD", "--secrets", "as-typed")
    assert code == 0, err
    assert SECRET not in out + err
    doc = ConfigDocument.from_bytes(read_file(_config(host)), str(_config(host)))
    password = next(p for p in doc.connector("HR").parameters if p.name == "Password")
    assert password.value == SECRET
    assert "saved as typed, in plain text" in out


def test_add_takes_the_dlls_partition(capsys, host):
    argv = ["connector", "add", "Dir", "--dll", str(host / "Service/ECMA/Contoso.LdapLike.dll"),
            "--host-dir", str(host), "--object-type", "inetOrgPerson", "--anchor", "entryUUID",
            "--attributes", "uid,mail"]
    code, _, err = _run(capsys, *argv, "--partition", "CN=Config")
    assert code == 0, err
    doc = ConfigDocument.from_bytes(read_file(_config(host)), "x")
    part = doc.connector("Dir").partitions[0]
    assert (part.dn, part.name) == ("cn=config", "Configuration")
    entry = doc.connector("Dir").entry_schemas[0]  # Entra's User is provisioned to the DLL's type
    assert (entry.external_name, entry.object_type) == ("User", "inetOrgPerson")
    code, _, err = _run(capsys, *argv[:2], "Dir2", *argv[3:], "--partition", "dc=nowhere")
    assert code == 2 and "dc=contoso,dc=com" in err


def test_add_writes_nothing_when_a_page_is_rejected(capsys, host):
    before = _config(host).read_bytes()
    code, _, err = _add(capsys, host, "--set", "Server=sql 02")
    assert code == 1 and "Server names cannot contain spaces." in err and "nothing was written" in err
    assert _config(host).read_bytes() == before


@pytest.mark.parametrize("extra, words", [
    (["--set", "Password=" + SECRET], "--secret-env Password="),
    (["--set", "Servr=sql02"], "Servr"),
    (["--secret-env", "Password=NO_SUCH_VARIABLE_X"], "not set or empty"),
])
def test_add_refuses_bad_input_in_one_sentence(capsys, host, extra, words):
    before = _config(host).read_bytes()
    code, out, err = _add(capsys, host, *extra)
    assert code == 2 and words in err and err.count("\n") == 1
    assert SECRET not in err + out
    assert _config(host).read_bytes() == before


def test_add_refuses_an_unsupported_attribute_type(capsys, host):
    code, _, err = _run(capsys, "connector", "add", "HR", "--dll", str(host / "Service/ECMA/Contoso.SqlLike.dll"),
                        "--host-dir", str(host), "--object-type", "User", "--anchor", "EmployeeId",
                        "--attributes", "Manager")
    assert code == 2 and "Reference" in err


def test_secrets_never_reach_the_workers_command_line(host, monkeypatch):
    """The secret travels on the worker's stdin pipe only: not argv, not its environment."""
    from app.bridge import locate
    from app.bridge.session import ConnectorSession
    from app.host.layout import from_host_dir

    layout = from_host_dir(host)
    s = ConnectorSession(locate.user_named(host / "Service/ECMA/Contoso.PsLike.dll", layout))
    try:
        s.ask_page("Connectivity")
        s.set_secret("Password", SECRET)
        assert s.validate_page("Connectivity").ok
        pid = s.process._proc.pid
        if os.path.exists(f"/proc/{pid}/cmdline"):
            assert SECRET.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
            assert SECRET.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
        assert all(SECRET not in part for part in client.worker_command())
    finally:
        s.close()


def test_inspect_keeps_the_schema_pages_answered_before_a_failing_one(capsys, host):
    bad = str(host / "Service/ECMA/Contoso.Misbehaving.dll")
    code, out, err = _run(capsys, "connector", "inspect", bad, "--host-dir", str(host), "--set", "Mode=schema2",
                          "--json")
    assert code == 2 and "Schema page 2 lists the directory's object classes" in err
    data = json.loads(out)
    assert [(p["page"], p["number"]) for p in data["pages"]] == [("Connectivity", 1), ("Schema", 1)]
    assert data["pages"][1]["validation"]["ok"] is False  # answered, never checked
    assert data["error"]["call"] == "GetConfigParametersEx(Schema, 2)" and data["error"]["page"] == "Schema"
    code, out, _ = _run(capsys, "connector", "inspect", bad, "--host-dir", str(host), "--set", "Mode=schema2")
    assert "\nSchema 1: NOT CHECKED: the connector failed\n  Object Class [String] = 'thing'" in out
