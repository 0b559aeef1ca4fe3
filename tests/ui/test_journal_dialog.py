"""File › Journal of changes…: the table, newest first, filtered by text and by outcome; read off
the GUI thread when opened from the menu."""

from __future__ import annotations

from app.journal import Journal, read_journal
from app.ui.journal.dialog import JournalDialog
from tests.screens.journal import fill


def test_the_table_filters_by_text_and_outcome(qtbot, tmp_path):
    journal = Journal(tmp_path)
    fill(journal, 300)
    dialog = JournalDialog(read_journal(journal))
    qtbot.addWidget(dialog)
    assert dialog.proxy.rowCount() == 301
    first = dialog.proxy.index(0, 3)
    assert first.data() == "did not finish"  # newest first: the update that never ended
    dialog.shown.setCurrentIndex(1)  # failed or did not finish
    problems = dialog.proxy.rowCount()
    assert 1 < problems < 60
    assert all(dialog.proxy.index(r, 3).data() in ("failed", "did not finish") for r in range(problems))
    dialog.shown.setCurrentIndex(0)
    dialog.search.setText("hrdatabase")  # the tenant URL of push credentials, the DLL update
    assert 0 < dialog.proxy.rowCount() < 301
    assert "of 301 action(s) shown; 1 did not finish" in dialog.summary.text()
    dialog.table.selectRow(0)
    assert "tenant URL" in dialog.details.toPlainText() or "dll" in dialog.details.toPlainText()


def test_opened_from_the_menu_it_reads_the_journal_in_the_background(qtbot, tmp_path):
    from app import journal

    with journal.action("save Configuration.xml", tmp_path / "Configuration.xml") as step:
        step.undo = tmp_path / "x.bak"
    dialog = JournalDialog()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.proxy.rowCount() == 1, timeout=5000)
    assert dialog.proxy.index(0, 5).data() == "x.bak" and dialog.proxy.index(0, 3).data() == "ok"
