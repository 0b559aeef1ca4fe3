"""The MIM import dialog and the host comparison widget, driven like a user would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.config.diff import Change
from app.config.document import ConfigDocument
from app.errors import UserError
from app.migrate.hostdiff import HostDiff
from app.ui.migrate.host_compare import HostComparisonWidget
from app.ui.migrate.import_dialog import MimImportDialog

DATA = Path(__file__).resolve().parents[2] / "migrate" / "data"


def test_dialog_asks_the_object_type_before_anything(qtbot):
    dialog = MimImportDialog.for_file(DATA / "lithnet-ma-data-utf16.xml", ["CSV"])
    qtbot.addWidget(dialog)
    assert dialog.class_combo.isEnabled()
    assert not dialog.open_button.isEnabled() and dialog.mapped is None
    assert "2 object classes" in dialog.problem.text()
    dialog.choose_object_type("user")
    dialog.name_edit.setText("LithnetRest")
    assert dialog.open_button.isEnabled()
    assert dialog.mapped.spec.name == "LithnetRest" and (dialog.mapped.spec.object_type, dialog.mapped.spec.external_name) == ("user", "User")
    html = dialog.report_view.toHtml()
    assert "Client secret (Connectivity page)" in html and "Dropped" in html
    dialog.choose_object_type("group")
    assert (dialog.mapped.spec.object_type, dialog.mapped.spec.external_name) == ("group", "User")


def test_dialog_refuses_a_taken_or_empty_name(qtbot):
    dialog = MimImportDialog.for_file(DATA / "granfeldt-saved-ma-configuration.xml", ["HR"])
    qtbot.addWidget(dialog)
    assert not dialog.class_combo.isEnabled() and dialog.object_type == "person"
    assert dialog.open_button.isEnabled()  # an unsafe name is a warning, not a block
    assert "Tenant URL" in dialog.problem.text()
    dialog.name_edit.setText("HR")
    assert not dialog.open_button.isEnabled() and "exists already" in dialog.problem.text()
    dialog.name_edit.setText("")
    assert not dialog.open_button.isEnabled()
    dialog.name_edit.setText("HRFeed")
    assert dialog.open_button.isEnabled() and not dialog.problem.isVisible()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    element = dialog.mapped.element()
    assert element.findtext("ECMAConfig/ProfileName") == "HRFeed"


def test_dialog_on_a_non_ecma2_file_is_a_sentence():
    with pytest.raises(UserError, match="only runs ECMA2 connectors"):
        MimImportDialog.for_file(DATA / "adma-export-ma.xml")


@pytest.fixture
def pair(tmp_path):
    root = Path(__file__).resolve().parents[3] / "resources" / "sample-host"
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(root, a)
    shutil.copytree(root, b)
    config = b / "Service/Configuration/Configuration.xml"
    doc = ConfigDocument.load(config)
    doc.find_connector("CSV").autosync_timer = "60"
    config.write_bytes(doc.to_bytes())
    (b / "Service/ECMA/Contoso.Badges.Connector.dll").unlink()
    return a, b


def test_comparison_shows_and_filters_differences(qtbot, pair):
    widget = HostComparisonWidget()
    qtbot.addWidget(widget)
    widget.compare(*pair)
    assert widget.visible_rows() == 2 and "2 difference(s)" in widget.summary.text()
    model = widget.proxy
    rows = {(model.index(r, 2).data(), model.index(r, 3).data(), model.index(r, 4).data())
            for r in range(model.rowCount())}
    assert ("AutosyncTimer", "120", "60") in rows
    assert any(item.endswith("Contoso.Badges.Connector.dll") and new == "(absent)"
               for item, _, new in rows)
    widget.filter_combo.setCurrentText("Connector DLLs")
    assert widget.visible_rows() == 1
    widget.filter_combo.setCurrentIndex(0)
    qtbot.keyClicks(widget.search, "autosync")
    assert widget.visible_rows() == 1


def test_comparison_errors_and_identical_hosts(qtbot, pair, tmp_path):
    widget = HostComparisonWidget()
    qtbot.addWidget(widget)
    widget.compare(tmp_path / "nowhere", pair[0])
    assert "does not exist" in widget.summary.text() and widget.visible_rows() == 0
    widget.compare(pair[0], pair[0])
    assert widget.summary.text() == "The two hosts match."
    widget.edits[1].clear()
    widget.compare_fields()
    assert widget.summary.text() == "Choose both hosts first."


def test_five_thousand_differences_stay_responsive(qtbot):
    widget = HostComparisonWidget()
    qtbot.addWidget(widget)
    changes = [Change(f"C{i % 50}", "parameter:Global", f"P{i}", "x" * 300, "y") for i in range(5000)]
    widget.set_result(HostDiff("a", "b", changes, []))
    assert widget.visible_rows() == 5000
    shown = widget.proxy.index(0, 3).data()
    assert len(shown) == 78 and shown.endswith("…")  # long values elided, full text in the tooltip
    assert len(widget.proxy.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)) == 300
    qtbot.keyClicks(widget.search, "p4999")
    assert widget.visible_rows() == 1


def test_screenshots_render(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from tests.screens.migrate import screenshots

    shots = screenshots(tmp_path)
    assert len(shots) >= 6
    for shot in shots:
        image = QImage(str(shot))
        assert image.width() >= 700 and image.height() >= 300
