"""The CLI: import-ma, export, import, bundle create|restore, diff of hosts, report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.config.document import ConfigDocument

DATA = Path(__file__).parent / "data"
PASS = "correct horse battery staple"


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return root


def _config(root: Path) -> Path:
    return root / "Service/Configuration/Configuration.xml"


def test_import_ma_creates_a_configuration(tmp_path, capsys):
    target = tmp_path / "Configuration.xml"
    src = str(DATA / "granfeldt-saved-ma-configuration.xml")
    assert main(["import-ma", src, "--config", str(target), "--name", "HR"]) == 0
    out = capsys.readouterr().out
    assert "as connector 'HR'" in out and "Enter again" in out and f"Saved to {target}" in out
    doc = ConfigDocument.load(target)
    assert [c.name for c in doc.connectors] == ["HR"] and doc.setting.port == "8585"
    # a second import of the same name is refused, and the file is left alone
    before = target.read_bytes()
    assert main(["import-ma", src, "--config", str(target), "--name", "HR"]) == 2
    assert "already has a connector named 'HR'" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_import_ma_without_object_type_lists_classes(tmp_path, capsys):
    target = tmp_path / "Configuration.xml"
    assert main(["import-ma", str(DATA / "lithnet-ma-data-utf16.xml"), "--config", str(target)]) == 2
    err = capsys.readouterr().err
    assert "2 object classes (user, group)" in err and "--object-type" in err
    assert not target.exists()
    assert main(["import-ma", str(DATA / "lithnet-ma-data-utf16.xml"), "--config", str(target),
                 "--object-type", "user", "--name", "Rest", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["report"]["connector"] == "Rest" and data["report"]["object_type"] == "user"


def test_import_ma_refuses_adma(tmp_path, capsys):
    assert main(["import-ma", str(DATA / "adma-export-ma.xml"), "--config", str(tmp_path / "c.xml")]) == 2
    assert "only runs ECMA2 connectors" in capsys.readouterr().err


def test_import_ma_reports_errors_of_the_source_schema(tmp_path, mim_export, capsys):
    target = tmp_path / "Configuration.xml"
    code = main(["import-ma", str(mim_export), "--config", str(target),
                 "--object-type", "User"])
    assert code == 1  # saved, but the agent's schema has attributes ECMA2Host refuses
    assert "Guid" in capsys.readouterr().out and target.exists()


def test_export_then_import_with_clash_handling(host, tmp_path, capsys, monkeypatch):
    out = tmp_path / "export.xml"
    assert main(["export", "CSV", "--host-dir", str(host), "--out", str(out)]) == 0
    assert "left out (as Microsoft's export does): Secret Token" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["import", str(out), "--host-dir", str(host)]) == 2
    err = capsys.readouterr().err
    assert "--on-clash rename|replace|skip" in err and err.startswith(f"ecma-wizard: {out}: ")
    assert err.count("\n") == 1
    assert main(["import", str(out), "--host-dir", str(host), "--on-clash", "rename", "--as", "CSVCopy"]) == 0
    assert "CSV: renamed as 'CSVCopy'" in capsys.readouterr().out
    names = [c.name for c in ConfigDocument.load(_config(host)).connectors]
    assert names == ["CSV", "HRDatabase", "CSVCopy"]


def test_bundle_create_restore_diff_report(host, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    zip_path = tmp_path / "a.zip"
    assert main(["bundle", "create", "--host-dir", str(host), "--out", str(zip_path),
                 "--secrets", "encrypt"]) == 2
    assert "--passphrase-env" in capsys.readouterr().err
    monkeypatch.setenv("BUNDLE_PASS", PASS)
    assert main(["bundle", "create", "--host-dir", str(host), "--out", str(zip_path),
                 "--secrets", "encrypt", "--passphrase-env", "BUNDLE_PASS"]) == 0
    assert "Secrets encrypted under your passphrase (4)" in capsys.readouterr().out
    assert PASS.encode() not in zip_path.read_bytes()

    other = tmp_path / "passive"
    shutil.copytree(host, other)
    doc = ConfigDocument.load(_config(other))
    doc.find_connector("CSV").autosync_timer = "30"
    _config(other).write_bytes(doc.to_bytes())
    assert main(["diff", str(zip_path), str(other)]) == 0
    out = capsys.readouterr().out
    assert "[CSV] properties AutosyncTimer: '120' -> '30'" in out and "note: Secrets" in out
    assert main(["diff", str(_config(host)), str(_config(other)), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["field"] == "AutosyncTimer"  # plain diff still

    assert main(["bundle", "restore", str(zip_path), "--host-dir", str(other)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["bundle", "restore", str(zip_path), "--host-dir", str(other), "--yes",
                 "--passphrase-env", "BUNDLE_PASS"]) == 0
    assert "Secrets put back" in capsys.readouterr().out
    assert _config(other).read_bytes() == _config(host).read_bytes()

    report = tmp_path / "asbuilt.md"
    assert main(["report", "--host-dir", str(host), "--out", str(report)]) == 0
    assert report.read_text(encoding="utf-8").startswith("# As-built report")
    assert main(["report", "--source", str(zip_path), "--out", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_passphrase_variable_not_set_is_one_sentence(host, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    assert main(["bundle", "create", "--host-dir", str(host), "--out", str(tmp_path / "x.zip"),
                 "--secrets", "encrypt", "--passphrase-env", "NOPE"]) == 2
    assert "not set or empty" in capsys.readouterr().err


def test_interactive_clash_and_restore_confirmation(host, tmp_path, capsys, monkeypatch):
    out = tmp_path / "export.xml"
    assert main(["export", "--host-dir", str(host), "--out", str(out)]) == 0
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["r", "", "p"])  # rename CSV to the suggestion, replace HRDatabase
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["import", str(out), "--host-dir", str(host)]) == 0
    printed = capsys.readouterr().out
    assert "CSV: renamed as 'CSV2'" in printed and "HRDatabase: replaced" in printed
    zip_path = tmp_path / "b.zip"
    assert main(["bundle", "create", "--host-dir", str(host), "--out", str(zip_path)]) == 0
    before = _config(host).read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    assert main(["bundle", "restore", str(zip_path), "--host-dir", str(host)]) == 0
    assert "Nothing was restored." in capsys.readouterr().out
    assert _config(host).read_bytes() == before
