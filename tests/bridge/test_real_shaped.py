"""Connectors shaped like public ones (tests/bridge/dotnet/ScriptMA.cs, SqlMA.cs) against a stand-in
that answers as Microsoft's DLL was measured to (docs/connector-dll.md): every page asked before a
failure is shown, defaults read as Microsoft's wizard reads them, capabilities and what ECMA2Host
will not use of them are told, and a secret given on the command line never reaches the DLL."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bridge import locate
from app.bridge.session import ConnectorSession, PlainSecret
from app.cli import main
from app.host.dlls import is_dependency
from app.host.layout import from_host_dir

SECRET = "Sq1-Secret-7731"
PROBE = Path(__file__).with_name("stand_in_probe.py")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _dll(host: Path, name: str) -> str:
    return str(host / "Service" / "ECMA" / f"{name}.dll")


@pytest.fixture
def schema_script(tmp_path: Path) -> Path:
    """The ScriptMA's 'system': what its schema script returns (type|attribute|type|kind[|operation])."""
    path = tmp_path / "Schema.ps1.out"
    path.write_text("person|id|String|anchor\nperson|displayName|String|single\nperson|mail|String|single\n"
                    "person|lastLogon|String|single|ImportOnly\nperson|memberOf|String|multi\n"
                    "group|id|String|anchor\n", encoding="utf-8")
    return path


@pytest.fixture
def sql_server() -> Iterator[int]:
    """A database server as far as SqlMA's GetSchema can tell: it accepts the connection and answers
    the table's columns. Its port is where the connector must connect."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"Id:String,DisplayName:String,Email:String,Modified:String:ImportOnly\n")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    listener.close()


def test_stand_in_answers_as_microsofts_dll_was_measured(dlls):
    """Each fact of docs/connector-dll.md 'What Microsoft's DLL returns', read from the stand-in."""
    done = subprocess.run([sys.executable, str(PROBE), str(dlls.interface)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    facts: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["label"] == {"Name": "", "Text": "Hello", "Validation": "", "DefaultValue": ""}
    assert facts["divider"] == {"Name": "", "Text": "", "Validation": "", "DefaultValue": ""}
    assert facts["dropdown"]["DefaultValue"] == "" and facts["checkbox"]["DefaultValue"] == ""
    assert facts["string_null_validation"]["Validation"] is None  # the one null
    for kind in ("encrypted", "text", "file"):
        assert facts[kind]["Text"] == "" and facts[kind]["Validation"] == "" and facts[kind]["DefaultValue"] == ""
    assert facts["new_definition"] == {"Name": "", "Type": "String"}
    on = {k for k, v in facts["capabilities"].items() if v is True}
    assert on == {"ConcurrentOperation", "DeleteAddAsReplace", "DeltaImport", "ObjectRename", "SupportPartitions",
                  "SupportHierarchy", "SupportPassword", "SupportImport", "SupportExport"}
    assert facts["capabilities"]["DistinguishedNameStyle"] == "Generic"
    assert facts["capabilities"]["ExportType"] == "ObjectReplace"
    assert facts["capabilities"]["Normalizations"] == "None" and facts["capabilities"]["ObjectConfirmation"] == "Normal"
    assert facts["partition_name"] == ""
    assert facts["anchor_collection"] == "ReadOnlySchemaAttributeKeyedCollection"
    assert facts["anchor_add"] == "System.NotSupportedException" and facts["anchors"] == ["id"]
    assert facts["schema_constructors"] == [0, 2] and facts["set_read_only"] == [True, True]
    assert facts["messages"] == [
        "System.InvalidOperationException: Encrypted parameter should be retrieved using the SecureValue property.",
        "System.InvalidOperationException: Unencrypted parameter should be retrieved using the Value property."]
    assert len(facts["runtime_types"]) == 9


def test_script_ma_validation_throws_and_its_page_is_still_shown(capsys, real_host):
    code, out, err = _run(capsys, "connector", "inspect", _dll(real_host, "Contoso.ScriptMA"),
                          "--host-dir", str(real_host))
    assert code == 2
    assert "The specified path is not of a legal form" in err and err.count("\n") == 1
    assert "Connectivity: NOT CHECKED: the connector failed" in out
    # Labels show their text (Microsoft's DLL: Name "", text in Text); dividers a rule
    assert "  [Label] Credentials handed to the scripts as $Username and $Password:" in out
    assert out.count("  ----") == 4
    # a DropDown made without a default shows its first choice; a CheckBox without one is unticked
    assert "Logon type when impersonating [DropDown] = 'Interactive'" in out
    assert "Load user profile when impersonating [CheckBox] = '0'" in out
    assert "(while asking for the Connectivity page)." in out


def test_script_ma_every_page_capabilities_and_warnings(capsys, real_host, schema_script):
    code, out, err = _run(capsys, "connector", "inspect", _dll(real_host, "Contoso.ScriptMA"),
                          "--host-dir", str(real_host), "--set", f"Schema Script={schema_script}", "--json")
    assert code == 0, err
    data = json.loads(out)
    pages = {p["page"]: p for p in data["pages"]}
    assert set(pages) == {"Connectivity", "Global"}  # no Capabilities-page parameters, like real ones
    counted = [d for p in pages.values() for d in p["parameters"] if d["name"]]
    assert 20 <= len(counted) + sum(1 for p in pages.values() for d in p["parameters"] if not d["name"]) <= 40
    caps = data["capabilities"]
    # the connector sets a few; the rest keep Microsoft's defaults (true), and are reported as such
    assert caps["SupportPartitions"] is True and caps["SupportHierarchy"] is True
    assert caps["ExportPasswordInFirstPass"] is True
    assert [t["name"] for t in data["schema"]["types"]] == ["person", "group"]
    warnings = " ".join(data["warnings"])
    assert '"ExportPasswordInFirstPass: Not supported"' in warnings
    assert '"Hierarchies: Not used by provisioning agent"' in warnings
    assert '"Provisioning agent permits one object type"' in warnings
    assert data["error"] is None
    code, out, _ = _run(capsys, "connector", "inspect", _dll(real_host, "Contoso.ScriptMA"),
                        "--host-dir", str(real_host), "--set", f"Schema Script={schema_script}")
    assert "Capabilities (as the DLL reports them):" in out and "  Export password in first pass: yes" in out
    assert "  Hierarchy: yes" in out and "warning: Contoso.ScriptMA reports ExportPasswordInFirstPass" in out


def test_sql_ma_getschema_without_its_server_shows_the_pages_before_it(capsys, real_host, monkeypatch):
    monkeypatch.setenv("SQLMA_PW", SECRET)
    code, out, err = _run(capsys, "connector", "inspect", _dll(real_host, "Contoso.SqlMA"), "--host-dir",
                          str(real_host), "--set", "Server=127.0.0.1", "--set", "Port=1",
                          "--secret-env", "Password=SQLMA_PW", "--json")
    assert code == 2
    data = json.loads(out)
    assert [p["page"] for p in data["pages"]] == ["Connectivity", "Global"]
    assert all(p["validation"]["ok"] for p in data["pages"])
    assert data["error"]["call"] == "GetSchema" and data["error"]["page"] == "Object types"
    assert "A network-related or instance-specific error" in data["error"]["message"]
    assert SECRET not in out + err
    auth = next(d for d in data["pages"][0]["parameters"] if d["name"] == "Authentication")
    assert auth["default"] == "SQL authentication"  # "" from the DLL: the first choice


def _sql_add(capsys, host: Path, port: int, *extra: str) -> tuple[int, str, str]:
    return _run(capsys, "connector", "add", "HRDB", "--dll", _dll(host, "Contoso.SqlMA"), "--host-dir",
                str(host), "--set", "Server=127.0.0.1", "--set", f"Port={port}",
                "--set", "Authentication=Integrated Windows authentication", "--object-type", "person",
                "--anchor", "Id", "--attributes", "DisplayName,Email,Modified", *extra)


def test_sql_ma_add_without_its_server_says_what_it_has_and_writes_nothing(capsys, real_host):
    config = real_host / "Service" / "Configuration" / "Configuration.xml"
    before = config.read_bytes()
    code, out, err = _sql_add(capsys, real_host, 1)
    assert code == 2 and out == ""
    assert "failed in GetSchema" in err and "nothing was written" in err
    assert "  Connectivity: Server, Port, Database, Authentication, Username, Password (secret: --secret-env)" in err
    assert "  Global: Table/View, Anchor column," in err
    assert "run connector add where that system can be reached" in err
    assert config.read_bytes() == before
    assert not list(config.parent.glob("*.bak*")) and not (config.parent / "Backups").exists()


def test_sql_ma_add_with_its_server_warns_of_import_only_and_hierarchy(capsys, real_host, sql_server):
    code, out, err = _sql_add(capsys, real_host, sql_server, "--json")
    assert code == 0, err
    summary = json.loads(out)
    warned = " ".join(summary["warnings"])
    assert "marks 'Modified' ImportOnly" in warned and "Hierarchies: Not used" in warned
    assert "warning: The connector Contoso.SqlMA marks 'Modified' ImportOnly" in err
    assert "'DisplayName' ImportOnly" not in warned


def test_secret_given_with_set_is_refused_before_the_dll_sees_it(capsys, real_host):
    code, out, err = _run(capsys, "connector", "inspect", _dll(real_host, "Contoso.SqlMA"), "--host-dir",
                          str(real_host), "--set", "Server=db1", "--set", f"Password={SECRET}")
    assert code == 2 and SECRET not in out + err
    assert "Password is a secret: give it with --secret-env Password=VARIABLE" in err


class RecordingProcess:
    """The real worker, with every request it is given written down (to show what the DLL saw)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.sent: list[str] = []

    def call(self, op: str, args: dict[str, Any] | None = None, *, call: str = "") -> Any:
        self.sent.append(json.dumps(args))
        return self.real.call(op, args, call=call)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_plain_secret_never_reaches_the_worker(real_host):
    library = locate.user_named(_dll(real_host, "Contoso.SqlMA"), from_host_dir(real_host))
    own = ConnectorSession(library)
    recorder = RecordingProcess(own.process)
    session = ConnectorSession(library, process=recorder)  # type: ignore[arg-type]
    try:
        session.set_value("Password", SECRET)
        session.set_value("Server", "db1")
        session.ask_page("Connectivity")  # the definitions arrive; nothing secret was sent yet
        with pytest.raises(PlainSecret):
            session.validate_page("Connectivity")
        assert recorder.sent and not any(SECRET in s for s in recorder.sent)
    finally:
        own.close()


def test_dependency_dlls_are_told_apart_from_connectors(capsys, real_host, tmp_path, dlls):
    ecma = real_host / "Service" / "ECMA"
    assert is_dependency(ecma / "log4net.dll")  # names nothing of the ECMA2 interface
    assert not is_dependency(ecma / "Contoso.ScriptMA.Helpers.dll")  # names it: only loading tells
    assert not is_dependency(ecma / "Contoso.ScriptMA.dll") and not is_dependency(ecma / "Contoso.SqlMA.dll")
    fake = tmp_path / "NotDotNet.dll"
    fake.write_bytes(b"MZ" + b"\0" * 200)  # not a .NET assembly: told as before, not hidden
    assert not is_dependency(fake)
    code, out, err = _run(capsys, "connector", "inspect", str(ecma / "log4net.dll"), "--host-dir", str(real_host))
    assert code == 2 and out == ""
    assert "log4net.dll: is a dependency, not a connector" in err and err.count("\n") == 1

    report = tmp_path / "report.zip"
    code, _, err = _run(capsys, "host-report", "--host-dir", str(real_host), "--out", str(report))
    assert code == 0, err
    with zipfile.ZipFile(report) as z:
        summary = z.read("summary.md").decode()
        names = z.namelist()
        tree_json = z.read("host/ecma-tree.json")
    assert ("Dependencies beside the connectors, not connectors (no class in them implements the ECMA2 "
            "interfaces): Contoso.ScriptMA.Helpers.dll, log4net.dll") in summary
    assert "could not be loaded" not in summary and "the pages of log4net.dll" not in summary
    assert {"connectors/Contoso.ScriptMA.json", "connectors/Contoso.SqlMA.json"} <= set(names)
    assert not any("log4net" in n or "Helpers" in n for n in names if n.startswith("connectors/"))
    tree = {d["path"]: d for d in json.loads(tree_json)["dlls"]}
    assert tree["Service/ECMA/log4net.dll"]["dependency"] is True
    assert tree["Service/ECMA/Contoso.SqlMA.dll"]["dependency"] is False
