"""The journal: started/finished pairs, an action killed mid-way shows as unfinished, torn lines
are skipped and counted, two writing processes never mix their lines, the size is bounded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app import journal
from app.errors import UserError
from app.journal.write import MAX_LINE, NOT_RECORDED, Journal

ROOT = Path(__file__).resolve().parents[2]


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "ECMA_WIZARD_DATA": str(data), "PYTHONPATH": str(ROOT)}


def test_an_action_is_two_lines_with_who_when_what_and_undo(tmp_path):
    with journal.action("save Configuration.xml", tmp_path / "Configuration.xml", connector="CSV") as step:
        step.undo = tmp_path / "backup.bak"
    lines = journal.default_journal().path.read_text(encoding="utf-8").splitlines()
    started, finished = (json.loads(line) for line in lines)
    assert started["phase"] == "started" and finished["phase"] == "finished"
    assert started["id"] == finished["id"]
    assert started["time"].endswith("Z") and "T" in started["time"]
    assert started["user"] and started["machine"] and started["pid"] == os.getpid()
    assert finished["outcome"] == "ok" and finished["undo"] == str(tmp_path / "backup.bak")
    (seen,) = journal.read_journal().actions
    assert seen.outcome == "ok" and seen.details == {"connector": "CSV"}
    assert seen.target == str(tmp_path / "Configuration.xml")


def test_a_failure_records_the_sentence_the_user_saw_and_a_bug_only_its_type():
    with pytest.raises(UserError):
        with journal.action("deploy DLL", "/hosts/a"):
            raise UserError("The service did not stop.")
    with pytest.raises(ValueError):
        with journal.action("deploy DLL", "/hosts/a"):
            raise ValueError("some text that could quote anything, Pl4nted")
    first, second = journal.read_journal().actions
    assert first.outcome == "failed" and first.reason == "The service did not stop."
    assert second.reason == "internal error (ValueError)"
    assert "Pl4nted" not in journal.default_journal().path.read_text(encoding="utf-8")


def test_details_named_like_secrets_are_never_written():
    with journal.action("push credentials", "app", secret_token="T0ken-Value", Password="pw-1",
                        client_secret="cs-2", pfx_passphrase="pp-3", tenant_url="https://h/ecma2host_CSV/scim"):
        pass
    text = journal.default_journal().path.read_text(encoding="utf-8")
    for value in ("T0ken-Value", "pw-1", "cs-2", "pp-3"):
        assert value not in text
    assert NOT_RECORDED in text and "https://h/ecma2host_CSV/scim" in text


def test_nested_actions_name_their_parent():
    with journal.action("deploy DLL", "/h") as outer:
        with journal.action("stop service", "ECMA2Host"):
            pass
    deploy, stop = sorted(journal.read_journal().actions, key=lambda a: a.action)
    assert stop.parent == outer.id and deploy.parent is None


def test_killed_mid_action_shows_as_unfinished(tmp_path):
    """kill -9 while the action runs: only the started line exists, and reading says so."""
    script = textwrap.dedent("""
        import sys, time
        from app import journal
        with journal.action("deploy DLL", "/hosts/h1", dll="Csv.dll"):
            print("in", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=_env(tmp_path))
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"in"
        running = journal.read_journal(Journal(tmp_path)).actions
        assert [a.outcome for a in running] == ["running"]  # its process is alive
    finally:
        child.send_signal(signal.SIGKILL) if sys.platform != "win32" else child.kill()
        child.wait(10)
    (action,) = journal.read_journal(Journal(tmp_path)).actions
    assert action.outcome == "unfinished" and action.finished is None
    assert "did not finish" in action.outcome_text()


def test_torn_and_corrupt_lines_are_skipped_and_counted(tmp_path):
    j = Journal(tmp_path)
    with journal.Action("save", "/a", {}, j):
        pass
    with j.path.open("ab") as fh:
        fh.write(b'{"id":"x","phase":"started","time":"2026-')  # a crash mid-line
        fh.write(b"\n\xff\xfe not utf-8\n[1,2]\n{\"id\": 5}\n" + b"[" * 100_000 + b"\n")
    with journal.Action("save", "/b", {}, j):
        pass
    view = journal.read_journal(j)
    assert [a.target for a in view.actions] == ["/a", "/b"]
    assert all(a.outcome == "ok" for a in view.actions)
    assert view.skipped == 5


def test_two_processes_writing_at_once_never_mix_lines(tmp_path):
    """Two writers, 1,500 actions each, lines of different lengths up to the line limit."""
    script = textwrap.dedent("""
        import sys
        from app import journal
        who = sys.argv[1]
        for n in range(1500):
            with journal.action("save", f"/hosts/{who}/{n}", filler=who * (n % 7 * 50)):
                pass
    """)
    children = [subprocess.Popen([sys.executable, "-c", script, name], env=_env(tmp_path))
                for name in ("a", "b")]
    for child in children:
        assert child.wait(120) == 0
    raw = b"".join(f.read_bytes() for f in Journal(tmp_path).files()).split(b"\n")  # 2 MB: rotated once
    assert raw[-1] == b""
    parsed = [json.loads(line) for line in raw[:-1]]  # every line whole JSON
    assert len(parsed) == 2 * 1500 * 2
    view = journal.read_journal(Journal(tmp_path))
    assert view.skipped == 0 and len(view.actions) == 3000
    assert all(a.outcome == "ok" for a in view.actions)


def test_size_is_bounded_by_rotation_and_nothing_recent_is_lost(tmp_path):
    j = Journal(tmp_path)
    j.max_bytes, j.keep = 20_000, 2
    for n in range(600):
        with journal.Action("save", f"/hosts/h/{n}", {"n": n}, j):
            pass
    files = j.files()
    assert len(files) <= 3  # two archives and the current file
    assert sum(f.stat().st_size for f in files) < 3 * 20_000 + MAX_LINE
    targets = [a.target for a in journal.read_journal(j).actions]
    assert targets[-1] == "/hosts/h/599" and len(targets) > 100
    assert targets == sorted(targets, key=lambda t: int(t.rsplit("/", 1)[1]))


def test_an_overlong_line_keeps_the_facts(tmp_path):
    j = Journal(tmp_path)
    with journal.Action("save", "/a", {f"k{n}": "x" * 399 for n in range(40)}, j):
        pass
    assert all(len(line) <= MAX_LINE + 1 for line in j.path.read_bytes().splitlines(keepends=True))
    (a,) = journal.read_journal(j).actions
    assert a.outcome == "ok" and a.details == {"note": "details too long"}


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_journal_that_cannot_be_written_does_not_stop_the_action(tmp_path, caplog):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        j = Journal(folder)
        with journal.Action("save", "/a", {}, j) as step:
            done = True
        assert done and step.outcome == "ok"
        assert "could not be written" in caplog.text
    finally:
        folder.chmod(0o700)


def test_a_full_disk_while_journaling_does_not_stop_the_action(tmp_path, monkeypatch, caplog):
    import errno

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    j = Journal(tmp_path)
    monkeypatch.setattr(os, "write", full)
    with journal.Action("save", "/a", {}, j) as step:
        pass
    assert step.outcome == "ok" and "could not be written" in caplog.text


def test_reading_an_empty_or_missing_journal(tmp_path):
    view = journal.read_journal(Journal(tmp_path / "none"))
    assert view.actions == [] and view.skipped == 0


def test_about_a_host_keeps_only_its_actions(tmp_path):
    j = Journal(tmp_path)
    for target in (tmp_path / "h1" / "Service" / "Configuration.xml", tmp_path / "h2", tmp_path / "h1"):
        with journal.Action("save", target, {}, j):
            pass
    with journal.Action("deploy DLL", "x", {"host": str(tmp_path / "h1")}, j):
        pass
    about = journal.read_journal(j).about(tmp_path / "h1")
    assert len(about.actions) == 3


def test_reading_20000_actions_is_quick(tmp_path):
    j = Journal(tmp_path)
    line = {"phase": "started", "time": "2026-12-06T10:00:00.000Z", "user": "u", "machine": "m",
            "pid": 1, "action": "save", "target": "/h/Service/Configuration/Configuration.xml"}
    with j.path.open("w", encoding="utf-8") as fh:
        for n in range(20_000):
            fh.write(json.dumps({**line, "id": str(n)}) + "\n")
            fh.write(json.dumps({**line, "id": str(n), "phase": "finished", "outcome": "ok"}) + "\n")
    began = time.perf_counter()
    view = journal.read_journal(j)
    assert len(view.actions) == 20_000
    assert time.perf_counter() - began < 5


def test_no_data_folder_at_all_does_not_stop_the_action(monkeypatch, caplog):
    """A portable copy on a read-only share: data_dir() refuses; the change still happens."""
    import app.paths

    def refuse():
        raise UserError("the portable data folder cannot be created (read-only file system).")

    monkeypatch.setattr(app.paths, "data_dir", refuse)
    with journal.action("save Configuration.xml", "/h/Configuration.xml") as step:
        pass
    assert step.outcome == "ok" and "no journal" in caplog.text
