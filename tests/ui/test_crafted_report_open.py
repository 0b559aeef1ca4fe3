"""Opening a crafted host report in the GUI (issue 22 item 10): `gui --report` and File > Open
report say one sentence naming the file, never "internal error"."""

from __future__ import annotations

import pytest

from app.ui.launch import open_gui, parse_gui_args
from app.ui.report.actions import open_report
from tests.reliability.test_report_crafted import CRAFTED


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_gui_report_refuses_in_one_sentence(case, tmp_path, qapp, dialogs, monkeypatch, capsys):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    make_zip, words = CRAFTED[case]
    path = tmp_path / "evil.zip"
    path.write_bytes(make_zip())
    assert open_gui(parse_gui_args(["--report", str(path)])) == 2
    assert words in capsys.readouterr().err
    assert open_report(None, str(path)) is None
    texts = dialogs.texts()
    assert len(texts) == 2 and all(t.startswith(f"{path}: ") and words in t for t in texts), texts
