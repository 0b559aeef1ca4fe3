"""The as-built report records how each secret is stored (the shape a real host's values have),
never a value."""

from __future__ import annotations

from app.migrate.asbuilt import render
from app.migrate.hostdiff import load_snapshot
from tests.hostsecrets.helpers import document, host_blob, spec

TOKEN = "hidden-token-0123456789"


def test_the_report_shows_the_shape_of_each_secret(tmp_path):
    path = tmp_path / "Configuration.xml"
    blob = host_blob(TOKEN)
    path.write_bytes(document(spec("HR", blob, password="typed-pass-123")).to_bytes())  # scratch
    for fmt in ("md", "html"):
        text = render(load_snapshot(path), fmt)
        assert "Microsoft.ECMA2Host.Encrypted.DataEncypt" in text and "EncryptedData Byte[]" in text
        assert "plain" in text and "encrypted" in text
        assert TOKEN not in text and blob not in text and "typed-pass-123" not in text
