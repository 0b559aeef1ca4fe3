"""`ecma-wizard journal`: the actions as text or JSON, about one host, unfinished ones said."""

from __future__ import annotations

import json
import shutil

from app import journal
from app.cli import main


def _host(tmp_path, sample_host, name):
    root = tmp_path / name
    shutil.copytree(sample_host, root)
    return root


def test_journal_lists_saves_of_one_host_with_their_backup(tmp_path, sample_host, capsys):
    one, two = _host(tmp_path, sample_host, "one"), _host(tmp_path, sample_host, "two")
    assert main(["logging", "set", "Error", "--host-dir", str(one)]) == 0
    assert main(["logging", "set", "Warning", "--host-dir", str(two)]) == 0
    capsys.readouterr()
    assert main(["journal", "--host-dir", str(one)]) == 0
    out = capsys.readouterr().out
    assert "save Microsoft.ECMA2Host.Service.exe.config" in out and str(one) in out
    assert str(two) not in out and "undo with: " in out and "by " in out
    assert main(["journal", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["actions"]) == 3 and data["skipped_lines"] == 0
    assert all(a["outcome"] == "ok" and a["undo"] for a in data["actions"])


def test_unfinished_and_damaged_lines_are_said(tmp_path, capsys):
    j = journal.default_journal()
    with journal.Action("deploy DLL", "/hosts/h", {}, j):
        pass
    unfinished = journal.Action("deploy DLL", "/hosts/h", {}, j)
    entry = unfinished._entry("started")
    entry["pid"] = 2 ** 22 + 7  # a process that does not exist: killed long ago
    j.append(entry)
    with j.path.open("ab") as fh:
        fh.write(b'{"id": "torn", "pha\n')
    assert main(["journal", "--unfinished"]) == 0
    out = capsys.readouterr().out
    assert out.count("deploy DLL") == 1 and "did not finish" in out
    assert "1 did not finish" in out and "1 damaged line(s)" in out


def test_the_app_log_tells_what_happened(tmp_path, sample_host, _private_data_dir, capsys):
    """The app log (not only the journal) names the command, each change and its outcome."""
    one = _host(tmp_path, sample_host, "one")
    assert main(["logging", "set", "Error", "--host-dir", str(one)]) == 0
    assert main(["connector", "deploy-dll", str(tmp_path / "missing.dll"), "--host-dir", str(one)]) == 2
    text = (_private_data_dir / "ecma-wizard.log").read_text(encoding="utf-8")
    assert "logging set: started" in text and "logging set: exit 0" in text
    assert "save Microsoft.ECMA2Host.Service.exe.config" in text and "finished ok" in text
    assert f"loaded {one}" in text
    assert "connector deploy-dll: refused: " in text and "missing.dll" in text
