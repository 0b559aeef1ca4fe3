"""Learn from the field: every output under tests/data/field/<tool>/ goes through the parser of
that tool (app/report/parsers.py) and must parse. A real host's output, copied from a host
report's raw/ folder, becomes a test the day someone sends one (tests/data/field/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.report.parsers import PARSERS, decode_capture, parse, stdout_of_raw

FIELD = Path(__file__).resolve().parents[1] / "data" / "field"
CAPTURES = sorted(p for p in FIELD.glob("*/*") if p.is_file() and not p.name.endswith(".expected.json"))


def test_every_folder_is_a_parser_and_every_parser_has_a_capture():
    folders = {p.name for p in FIELD.iterdir() if p.is_dir()}
    assert folders - set(PARSERS) == set(), "a folder under tests/data/field names no parser"
    assert set(PARSERS) - folders == set(), "a parser has no capture under tests/data/field"


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_capture_parses(path: Path):
    text = stdout_of_raw(decode_capture(path.read_bytes()))
    parsed, why = parse(path.parent.name, text)
    assert why == "", f"{path.name}: {why}"
    assert parsed not in (None, [], {}), f"{path.name} parsed to nothing"
    expected = path.with_name(path.name + ".expected.json")
    if expected.exists():  # a capture can pin what must come out of it
        assert json.loads(json.dumps(parsed, default=str)) == json.loads(expected.read_text("utf-8"))


def test_a_reports_raw_file_is_read_like_a_bare_capture():
    bare = (FIELD / "sc-qc" / "handmade-auto-delayed.txt").read_text("utf-8")
    raw = f'# command: ["sc.exe", "qc", "X"]\n# tool: sc-qc\n# exit code: 0\n# --- stdout ---\n{bare}\n# --- stderr ---\noops\n'
    assert parse("sc-qc", stdout_of_raw(raw)) == parse("sc-qc", bare)


@pytest.mark.parametrize("tool", sorted(PARSERS))
def test_a_parser_refuses_what_is_not_its_output(tool: str):
    """Garbage is a note (the report keeps the raw output), never an exception or a made-up parse."""
    parsed, why = parse(tool, "Access is denied.\r\n")
    assert parsed is None and why, (tool, parsed)
