"""`ecma-wizard --host-dir DIR` / `--config FILE` with no command opens the GUI on that host
(issue 21 item 10; it used to say "invalid choice"); a command after them is still a command."""

from __future__ import annotations

import sys

import pytest

from app.cli import _only_gui_options, main


@pytest.mark.parametrize(("argv", "gui"), [
    (["--host-dir", "D"], True), (["--config", "F"], True), (["--config=F"], True),
    (["--host-dir", "D", "--theme", "dark"], True), (["--report", "r.zip"], True),
    (["--host-dir", "D", "secrets"], False), (["secrets", "--host-dir", "D"], False),
    (["--version"], False), (["--help"], False), (["--host"], False), ([], False),
])
def test_which_lines_open_the_gui(argv, gui):
    assert _only_gui_options(argv) is gui


def _open_and_close(monkeypatch, qapp, argv, ready=lambda: True) -> tuple[int, list]:
    """Run the GUI command; close its main window once it is shown and `ready()` (on a busy
    machine the 50 ms timer can fire before the window's first paint)."""
    from PySide6.QtCore import QTimer

    from app.ui.main_window import MainWindow

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # _run_window installs its own
    seen: list = []

    def close_it():
        for w in qapp.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible() and ready():
                seen.append(w.host)
                w.document = None
                w.close()
        if not seen:
            QTimer.singleShot(50, close_it)

    QTimer.singleShot(50, close_it)
    return main(argv), seen


@pytest.mark.parametrize("form", ["host-dir", "config"])
def test_no_command_opens_the_gui_on_the_named_host(form, host_copy, monkeypatch, qapp):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    target = host_copy if form == "host-dir" else host_copy / "Service" / "Configuration" / "Configuration.xml"
    code, seen = _open_and_close(monkeypatch, qapp, [f"--{form}", str(target)])
    assert code == 0 and len(seen) == 1
    assert seen[0].root == host_copy and seen[0].config_path == host_copy / "Service" / "Configuration" / "Configuration.xml"


def test_a_host_dir_that_is_not_there_is_one_sentence(tmp_path, dialogs, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["--host-dir", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "is not a folder" in err and "invalid choice" not in err
    assert dialogs.texts("critical")


def test_a_command_after_the_options_is_still_refused_as_before(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--host-dir", str(tmp_path), "secrets"])
    assert caught.value.code == 2


def test_work_after_the_first_paint_runs_once_after_it_not_before(qtbot):
    """launch.after_first_paint: the app log's set-up waits for the first paint (a 0 ms timer set
    before show() fires before it, which is what the window used to do)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QLabel

    from app.ui.launch import after_first_paint

    order: list[str] = []

    class Paints(QObject):
        def eventFilter(self, watched, event):  # Qt's name
            if event.type() == QEvent.Type.Paint:
                order.append("paint")
            return False

    label = QLabel("first screen")
    qtbot.addWidget(label)
    label.installEventFilter(Paints(label))
    after_first_paint(label, lambda: order.append("work"))
    label.show()
    qtbot.waitUntil(lambda: "work" in order)
    label.update()
    label.repaint()  # a later paint does not run the work again
    qtbot.wait(20)
    assert order[0] == "paint" and order.count("work") == 1


def test_the_cycle_collector_waits_for_the_first_paint_and_is_back_after(host_copy, monkeypatch, qapp):
    """launch.open_gui pauses Python's cycle collector on the way to the first window (it ran ~60
    times there, 4% of the start-up, freeing next to nothing) and resumes it after the first paint."""
    import gc

    from app.ui import launch

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    during: list[bool] = []
    real_main_window_for = launch.main_window_for

    def recording_main_window_for(layout, **kwargs):
        during.append(gc.isenabled())
        window = real_main_window_for(layout, **kwargs)
        launch.after_first_paint(window, lambda: during.append(gc.isenabled()))
        return window

    monkeypatch.setattr(launch, "main_window_for", recording_main_window_for)
    assert gc.isenabled()
    code, seen = _open_and_close(monkeypatch, qapp, ["--host-dir", str(host_copy)],
                                 ready=lambda: len(during) == 2)
    assert code == 0 and len(seen) == 1
    # paused while the window is made; on again right after the first paint (that work is queued
    # first); and on when the GUI has ended
    assert during == [False, True] and gc.isenabled()
