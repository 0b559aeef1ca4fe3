"""Fixtures are checked out byte for byte (.gitattributes): a Windows checkout with
core.autocrlf=true must not turn the LF of a Configuration.xml into CRLF, nor the other way."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# files whose exact bytes tests compare: captured tool output (CRLF), a UTF-8 BOM, UTF-16, LF XML
SAMPLES = ["tests/data/field/sc-queryex/handmade-stopped-german.txt", "tests/data/powershell-schema.xml",
           "tests/migrate/data/lithnet-ma-data-utf16.xml", "resources/sample-host/Service/ECMA/Schema.xml",
           "resources/sample-host/Service/Configuration/Configuration.xml"]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def checkout():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (a source archive has no attributes to check)")


@pytest.mark.parametrize("name", SAMPLES)
def test_fixture_is_never_converted(checkout, name):
    assert (ROOT / name).exists(), name
    attrs = git("check-attr", "text", "eol", "--", name)
    assert f"{name}: text: unset" in attrs, attrs
    assert "eol: unspecified" in attrs, attrs


def test_crlf_and_bom_fixtures_are_as_committed(checkout):
    """The working tree holds the committed bytes (what a checkout with autocrlf would change)."""
    for name in SAMPLES:
        committed = subprocess.run(["git", "cat-file", "blob", f"HEAD:{name}"], cwd=ROOT,
                                   capture_output=True, check=False).stdout
        if committed:  # a fixture added in this very working tree has no committed bytes yet
            assert (ROOT / name).read_bytes() == committed, name
