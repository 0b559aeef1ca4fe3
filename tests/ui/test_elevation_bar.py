"""The main window's elevation bar: shown when the host needs elevation, its button restarts."""

from __future__ import annotations

from app.ui.main.elevation_bar import RESTART, elevation_bar


def test_bar_shown_with_restart_when_needed(make_window):
    window = make_window(needs_elevation=True)
    bar = window.elevation_bar
    assert not bar.isHidden() and "not running as administrator" in bar.label.text().lower()
    assert bar.button(RESTART) is not None


def test_no_bar_when_not_needed(make_window):
    assert make_window(needs_elevation=False).elevation_bar.isHidden()
    assert make_window().elevation_bar.isHidden()  # this system: not Windows, or no Program Files host


def test_restart_closes_the_window_or_says_why(make_window, qtbot):
    window = make_window(needs_elevation=False)
    asked = []
    bar = elevation_bar(window, window.centralWidget(), needed=True,
                        restart=lambda root: asked.append(root) or "Windows did not start it (declined).")
    bar.button(RESTART).click()
    assert asked == [window.host.root] and "declined" in bar.label.text()
    assert bar.button(RESTART) is not None  # can be tried again
    closing = elevation_bar(window, window.centralWidget(), needed=True, restart=lambda root: None)
    window.show()
    window.document = None  # nothing unsaved: the window closes without a question
    closing.button(RESTART).click()
    assert not window.isVisible()
