"""pytest-qt: Refresh schema adds, removes and retypes attributes in the working copy."""

from __future__ import annotations

import shutil

from app.config.store import ConfigStore
from app.host.layout import from_host_dir
from app.ui.wizard.connector_wizard import ConnectorWizard
from app.ui.wizard.schema_refresh import SchemaRefreshDialog
from app.wizard.page_keys import ATTRIBUTES
from app.wizard.session import WizardSession


def test_refresh_adds_an_attribute_from_a_csv_list(qtbot, sample_host, tmp_path):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    wizard = ConnectorWizard(store.load(), store, layout, "HRDatabase", start_page=ATTRIBUTES)
    qtbot.addWidget(wizard)
    attrs = tmp_path / "hr-attributes.csv"
    attrs.write_text("name,type\nAzureID,String\nFirstName,String\nLastName,String\nEmail,String\n"
                     "EmployeeNumber,String\nDepartment,String\nEnabled,Boolean\nCostCenter,String\n")
    dialog = SchemaRefreshDialog(wizard.session, layout, wizard)
    qtbot.addWidget(dialog)
    dialog.load(attrs)
    kinds = {(c.name, c.kind) for c in dialog.changes}
    assert kinds == {("CostCenter", "added"), ("EmployeeNumber", "type-changed")}
    assert dialog.note.isVisibleTo(dialog)  # a type change must also be made in Entra's mapping
    added = dialog.tree.topLevelItem(0).child(0)
    from PySide6.QtCore import Qt

    added.setCheckState(0, Qt.CheckState.Checked)
    dialog.apply()
    schema = wizard.session.schema
    assert "CostCenter" in schema.selected_names()
    assert schema.stored()["EmployeeNumber"].data_type == "String"
    wizard.currentPage().initializePage()
    assert "CostCenter" in [r.name for r in wizard.currentPage().picker.model.rows]
    pending = wizard.session.prepare_finish()
    assert any("<Name>CostCenter</Name>" in line for line in pending.text_diff)


def test_refresh_from_the_hosts_schema_xml_and_a_bad_file(qtbot, sample_host, tmp_path):
    from app.config.document import ConfigDocument

    doc = ConfigDocument.load(sample_host / "Service" / "Configuration" / "Configuration.xml")
    session = WizardSession(doc, "CSV")
    dialog = SchemaRefreshDialog(session, from_host_dir(sample_host))
    qtbot.addWidget(dialog)
    assert dialog.host_button.isEnabled() and not dialog.script_button.isEnabled()
    dialog.host_button.click()
    names = {c.name: c.kind for c in dialog.changes}
    assert names == {"IsActive": "added", "Department": "added", "CostCenter": "added"}
    bad = tmp_path / "broken.json"
    bad.write_text("{")
    dialog.load(bad)
    assert "not valid JSON" in dialog.error.text()


def test_models_returning_none_do_not_exhaust_none(qtbot, sample_host):
    """PySide6 6.12 on CPython 3.11 drops a reference to None per data() call that returns it and
    a long session aborts the interpreter; pyproject keeps PySide6 below 6.12 (README says why).
    This test fails on a PySide6 with that bug."""
    import sys

    from PySide6.QtCore import Qt

    from app.config.document import ConfigDocument
    from app.ui.wizard.attribute_picker import AttributeTableModel

    doc = ConfigDocument.load(sample_host / "Service" / "Configuration" / "Configuration.xml")
    model = AttributeTableModel(WizardSession(doc, "CSV").schema)
    model.reload()
    before = sys.getrefcount(None)
    for _ in range(3000):
        model.index(0, 0).data(Qt.ItemDataRole.DisplayRole)  # None, through Qt
    after = sys.getrefcount(None)
    assert after >= before - 100
