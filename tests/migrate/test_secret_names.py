"""Values whose name says secret, whatever their type, stay out of the as-built report, the
configuration diff and the host comparison (app.masking.secret_name: the host report's rule)."""

from __future__ import annotations

import shutil

import pytest

from app.config import builders
from app.config.document import ConfigDocument
from app.migrate import asbuilt, hostdiff

API_KEY = "ak-Planted-9e1f22c7"
APP_KEY = "as-Planted-StorageKey-51d"


def _plant(root, api_key: str, app_key: str) -> None:
    path = root / "Service/Configuration/Configuration.xml"
    doc = ConfigDocument.load(path)
    doc.find_connector("CSV").add_parameter(builders.parameter("API Key", "String", "Connectivity", api_key))
    path.write_bytes(doc.to_bytes())
    config = root / "Service/Microsoft.ECMA2Host.Service.exe.config"
    config.write_text(config.read_text("utf-8").replace(
        "<appSettings>", f'<appSettings>\n    <add key="StorageAccountKey" value="{app_key}" />'), "utf-8")


@pytest.fixture
def pair(tmp_path, sample_host):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(sample_host, a)
    shutil.copytree(sample_host, b)
    _plant(a, API_KEY, APP_KEY)
    _plant(b, API_KEY + "-other", APP_KEY + "-other")
    return a, b


def test_the_as_built_report_hides_them(pair):
    snap = hostdiff.load_snapshot(pair[0])
    for kind in ("md", "html"):
        text = asbuilt.render(snap, kind)
        assert API_KEY not in text and APP_KEY not in text
    md = asbuilt.render(snap, "md")
    assert "| API Key | String | (set, not shown) |" in md and "| StorageAccountKey | (set, not shown) |" in md


def test_the_host_comparison_says_they_differ_without_the_values(pair):
    result = hostdiff.diff_hosts(*pair)
    text = repr(result.changes)
    assert API_KEY not in text and APP_KEY not in text
    changed = {(c.area, c.field): (c.old, c.new) for c in result.changes}
    assert changed[("parameter:Connectivity", "API Key")] == ("(secret)", "(secret) (differs)")
    assert next(v for (area, f), v in changed.items() if f == "StorageAccountKey") == ("(secret)", "(secret) (differs)")
