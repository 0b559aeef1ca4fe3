"""The main window on a host whose Configuration.xml holds a planted 5 MB secret blob (issue 22
item 9): it opens at once and calls the token unreadable; it used to freeze for 30 s."""

from __future__ import annotations

import time

from app.ui.main.connector_model import token_state
from tests.hostsecrets import crafted


def test_main_window_opens_on_a_planted_five_megabyte_token(make_window, host_layout):
    text = crafted.as_text(crafted.null_records(5_000_000))
    data = host_layout.config_path.read_text(encoding="utf-8")
    start = data.index("<SecretToken>") + len("<SecretToken>")
    end = data.index("</SecretToken>", start)
    host_layout.config_path.write_text(data[:start] + text + data[end:], encoding="utf-8")
    began = time.perf_counter()
    window = make_window()
    assert time.perf_counter() - began < 5  # was 30 s on the GUI thread (issue 22 item 9)
    assert token_state(text)[0] == "unreadable"
    assert window.document is not None
