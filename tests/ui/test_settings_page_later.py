"""The Settings tab's page is made after the first screen (it cost ~10 ms of the first paint): on
first show, when a part of it is asked for, or just after the first paint. Made late, it shows
what the window had told it: the port, the Tenant URLs, read-only, the port's problem."""

from __future__ import annotations


def test_the_page_waits_for_the_first_paint_then_shows_the_windows_state(make_window, qtbot):
    window = make_window()
    settings = window.settings_tab
    assert not settings._built and settings.widget() is None  # nothing made for the first screen
    window.show()
    qtbot.waitUntil(lambda: settings._built)  # made just after the first paint, not shown yet
    assert window.tabs.currentWidget() is not settings
    assert settings.port.text() == "8585" and not settings.port.isReadOnly()
    assert "/ecma2host_CSV/scim" in settings.urls.text()


def test_a_read_only_window_gets_a_read_only_page_with_the_ports_problem(make_window, host_layout):
    first = make_window()
    store = first.store
    doc = store.load()
    doc.setting.port = "99999"  # not a port: a finding on the Settings page
    store.write_bytes(doc.to_bytes())
    first.load()
    second = make_window(host_layout)  # the first holds the lock: read-only
    assert second.read_only and not second.settings_tab._built
    settings = second.settings_tab
    assert settings.port.isReadOnly() and settings.port.text() == "99999"  # asking made the page
    assert not settings.port_problem.isHidden() and "99999" in settings.port_problem.text()
