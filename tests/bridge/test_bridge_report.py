"""A host report asks each connector DLL of the host's Service\\ECMA folder for its pages through
the bridge (no value of the host passed), and says in one sentence why one could not be asked."""

from __future__ import annotations

import io
import json
import zipfile

from app.host.layout import from_host_dir
from app.report.build import build_report
from app.report.context import ReportOptions
from app.report.reader import read_report


def test_the_report_holds_each_dlls_pages_and_why_one_is_missing(host, dlls):
    (host / "Service" / "ECMA" / "NotADll.dll").write_bytes(b"hello")
    built = build_report(ReportOptions(from_host_dir(host), platform="linux", bridge_timeout=15))
    with zipfile.ZipFile(io.BytesIO(built.data)) as z:
        names = z.namelist()
        sql = json.loads(z.read(f"connectors/{dlls.sql.stem}.json"))
        summary = z.read("summary.md").decode()
        interface = json.loads(z.read("connectors/interface-dll.json"))
    pages = [p["page"] for p in sql["pages"] if "parameters" in p]
    assert pages[:2] == ["Connectivity", "Capabilities"] and "Schema" in pages
    assert sql["implements"] and sql["interface_version"]
    connectivity = next(p for p in sql["pages"] if p["page"] == "Connectivity")
    assert all(set(d) >= {"name", "type", "default"} for d in connectivity["parameters"])
    assert interface["path"] == "Service/Microsoft.MetadirectoryServicesEx.dll" and len(interface["sha256"]) == 64
    assert interface["enums"]["Microsoft.MetadirectoryServices.ConfigParameterPage"] == {
        "Connectivity": 0, "Global": 1, "RunStep": 2, "Partition": 3, "Capabilities": 4, "Schema": 5}
    assert interface["enums"]["Microsoft.MetadirectoryServices.MANormalizations"]["RemoveAccents"] == 2
    assert "the pages of NotADll.dll: it is not a Windows DLL" in summary
    assert f"connectors/{dlls.ldap.stem}.json" in names
    # opening the report elsewhere shows the pages from the JSON: nothing is loaded
    report = read_report(built.data, "r.zip")
    assert dlls.sql.stem in report.connector_pages()
