"""Host comparison (files, bundles, folders) and the as-built report."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from app.config.document import ConfigDocument
from app.host.layout import from_host_dir
from app.migrate import asbuilt, bundle, hostdiff


@pytest.fixture
def pair(tmp_path, sample_host):
    a, b = tmp_path / "active", tmp_path / "passive"
    shutil.copytree(sample_host, a)
    shutil.copytree(sample_host, b)
    return a, b


def _edit_config(root, change):
    path = root / "Service/Configuration/Configuration.xml"
    doc = ConfigDocument.load(path)
    change(doc)
    path.write_bytes(doc.to_bytes())


def _keys(result):
    return {(c.connector, c.area, c.field): (c.old, c.new) for c in result.changes}


def test_identical_hosts_have_no_differences(pair):
    assert hostdiff.diff_hosts(*pair).changes == []


def test_passive_host_differences_side_by_side(pair):
    a, b = pair

    def passive(doc):
        doc.find_connector("CSV").autosync_timer = "60"
        doc.find_connector("HRDatabase").secret_token = ""
        doc.find_connector("CSV").secret_token = "AAEAAAD/////another-machine-ciphertext"
    _edit_config(b, passive)
    svc = b / "Service/Microsoft.ECMA2Host.Service.exe.config"
    svc.write_bytes(svc.read_bytes().replace(b'"Debug" value="false"', b'"Debug" value="true"'))
    (b / "Service/ECMA/Cache/HRDatabase/Microsoft.IAM.Connector.GenericSql.dll").write_bytes(b"old")
    (b / "Wizard/Microsoft.ECMA2Host.ConfigWizard.exe.config").unlink()
    keys = _keys(hostdiff.diff_hosts(a, b))
    assert keys[("CSV", "properties", "AutosyncTimer")] == ("120", "60")
    assert keys[("HRDatabase", "secret", "Secret Token")] == ("set", "empty")
    assert not any(k[0] == "CSV" and k[1] in ("secret", "properties") and "Secret" in k[2]
                   for k in keys)  # both set: DPAPI values differ per machine, not reported
    assert keys[("", "service-config", "Debug")] == ("false", "true")
    assert keys[("", "wizard-config", "(file)")] == ("present", None)
    old, new = keys[("", "dll", "Service/ECMA/Cache/HRDatabase/Microsoft.IAM.Connector.GenericSql.dll")]
    assert old != new and len(old) == 12
    assert not any("(secret)" in str(v) for v in keys.values())


def test_bundle_against_folder_and_lone_file(pair):
    a, b = pair
    made = bundle.create_bundle(from_host_dir(a))
    zip_path = a.parent / "active.zip"
    zip_path.write_bytes(made.data)
    assert hostdiff.is_host_source(zip_path) and hostdiff.is_host_source(b)
    # a bundle knows which secrets were set even though it holds none of them
    assert hostdiff.diff_hosts(zip_path, b).changes == []
    _edit_config(b, lambda d: d.remove_connector("HRDatabase"))
    keys = _keys(hostdiff.diff_hosts(zip_path, b))
    assert keys == {("HRDatabase", "connector", "HRDatabase"): ("present", None)}
    lone = a.parent / "Configuration.xml"
    shutil.copy(a / "Service/Configuration/Configuration.xml", lone)
    assert not hostdiff.is_host_source(lone)
    result = hostdiff.diff_hosts(lone, zip_path)
    assert result.changes == []
    assert any(".exe.config files were not compared" in n for n in result.notes)


def test_as_built_report_masks_secrets_and_summarises_scripts(pair, csv_export):
    a, _ = pair
    snap = hostdiff.load_snapshot(a)
    now = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)
    md = asbuilt.render(snap, "md", now=now)
    html = asbuilt.render(snap, "html", now=now)
    secrets = [s["value"] for s in bundle.secrets_of(snap.document)]
    for text in (md, html):
        assert all(v not in text for v in secrets) and "AAEAAAD" not in text
        assert "Generated 2025-01-02 03:04 UTC" in text
        assert "(set, not shown)" in text
    assert "## Connector CSV" in md and "### Connectivity parameters" in md
    assert "| Port | 8585 |" in md and "## Findings" in md
    assert "Microsoft.IAM.Connector.GenericSql.dll" in md
    assert html.startswith("<!DOCTYPE html>") and "<details><summary>(" in html
    # a script value: one summary line with size and hash in Markdown, never a table-breaking '|'
    csv_snap = hostdiff.load_snapshot(csv_export)
    md = asbuilt.render(csv_snap, "md", now=now)
    line = next(x for x in md.splitlines() if x.startswith("| Import Script |"))
    assert "characters, SHA-256" in line and line.count(" | ") == 2
    assert "&lt;#" in asbuilt.render(csv_snap, "html", now=now)  # scripts escaped, never raw HTML


def test_markdown_cells_escape_pipes_and_newlines():
    md = asbuilt.to_markdown([("table", ["A", "B"], [["x|y", asbuilt.Value("1\n2")]])])
    assert "| x\\|y | 1<br>2 |" in md


def test_long_what_to_do_text_is_shown_whole_in_markdown(pair):
    a, _ = pair
    snap = hostdiff.load_snapshot(a)
    md = asbuilt.render(snap, "md")
    fixes = [f.fix for f in asbuilt.validate(snap.document) if len(f.fix) > asbuilt.LONG]
    assert fixes, "the sample host should have a finding with a long 'What to do'"
    assert all(fix in md for fix in fixes)
    start = md.index("## Findings")
    end = md.find("\n## ", start + 1)
    findings = md[start:end if end > 0 else None]
    assert "SHA-256" not in findings and "| What to do |" in findings
