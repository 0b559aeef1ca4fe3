"""Bad input: one clear sentence naming the file (and line/column), exit 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.config.document import ConfigDocument
from app.errors import UserError

ROOT = Path(__file__).resolve().parents[2]

CASES = {
    "malformed": (b"<Configuration><Connectors></Configuration>", "not well-formed"),
    "wrong-root": (b'<?xml version="1.0"?>\n<export-ma/>', "expected <Configuration>"),
    "doctype": (b'<?xml version="1.0"?>\n<!DOCTYPE Configuration [<!ENTITY x "y">]>\n'
                b"<Configuration>&x;</Configuration>", "DOCTYPE"),
    "external-entity": (b'<!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]><Configuration>&e;'
                        b"</Configuration>", "DOCTYPE"),
    "undeclared-entity": (b"<Configuration>&x;</Configuration>", "not well-formed"),
    "random": (bytes(range(256)) * 4, ""),
    "empty": (b"", "is empty"),
    "whitespace": (b"  \n ", "is empty"),
    "bad-utf8": (b'<?xml version="1.0"?>\n<Configuration>\xff\xfe</Configuration>', "utf-8"),
    "unknown-encoding": (b'<?xml version="1.0" encoding="klingon"?><Configuration/>', "unknown"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_files_give_one_sentence(tmp_path, case):
    data, words = CASES[case]
    path = tmp_path / "Configuration.xml"
    path.write_bytes(data)
    with pytest.raises(UserError) as info:
        ConfigDocument.load(path)
    sentence = info.value.sentence()
    assert str(path) in sentence and words in sentence
    assert "\n" not in sentence


def test_line_and_column_are_given(tmp_path):
    path = tmp_path / "c.xml"
    path.write_bytes(b"<Configuration>\n  <Connectors>\n  </Connector>\n</Configuration>")
    with pytest.raises(UserError) as info:
        ConfigDocument.load(path)
    assert info.value.line == 3 and info.value.column


def test_folder_missing_and_huge(tmp_path):
    with pytest.raises(UserError, match="is a folder"):
        ConfigDocument.load(tmp_path)
    with pytest.raises(UserError, match="does not exist"):
        ConfigDocument.load(tmp_path / "nope.xml")
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as fh:  # a sparse 50 MB file
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(UserError, match="50.0 MB"):
        ConfigDocument.load(huge)


@pytest.mark.parametrize("case", ["malformed", "doctype", "random", "empty"])
@pytest.mark.parametrize("command", [["validate"], ["show"], ["set-timer", "X", "10"],
                                     ["backups", "list"]])
def test_cli_exit_2_no_traceback_nothing_written(tmp_path, capsys, case, command):
    path = tmp_path / "Configuration.xml"
    path.write_bytes(CASES[case][0])
    before = sorted(os.listdir(tmp_path))
    if command[0] == "backups":
        argv = ["backups", command[1], "--config", str(path)]
    else:
        argv = [command[0], "--config", str(path), *command[1:]]
    code = main(argv)
    err = capsys.readouterr().err
    if command[0] == "backups":
        assert code == 0  # listing backups does not read the file
        return
    assert code == 2
    assert "Traceback" not in err and str(path) in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(os.listdir(tmp_path)) == before
    assert path.read_bytes() == CASES[case][0]


def test_diff_of_a_folder_is_exit_2(tmp_path, capsys):
    assert main(["diff", str(tmp_path), str(tmp_path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_module_entry_point_runs_without_traceback(tmp_path):
    path = tmp_path / "c.xml"
    path.write_bytes(b"garbage")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "app", "validate", "--config", str(path)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("ecma-wizard: ") and "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [["logs", "x.evtx", "--event-id", "abc"], ["set-timer"], ["nosuch"]])
def test_a_wrong_argument_is_one_sentence_naming_it(argv, capsys):
    from app.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "usage:" not in err and err.startswith("ecma-wizard")
