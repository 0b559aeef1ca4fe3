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


def test_no_restart_offered_without_a_host_folder(make_window, host_layout):
    """A lone Configuration.xml has no host folder to reopen elevated: the bar stays hidden even
    when told elevation is needed (it used to offer a restart on `--host-dir None`)."""
    from app.host.layout import HostLayout

    window = make_window(HostLayout(host_layout.config_path, None), needs_elevation=True)
    assert window.elevation_bar.isHidden()
