"""The Update connector DLL dialog, driven through its widgets: the plan table, the service
question off the host, the update in the background, the result sentence."""

from __future__ import annotations

import pytest

from app.errors import SaveRefused
from app.host.service import UnavailableServiceControl
from tests.host.test_deploy_dll import SQL, FakeService, fake_pe


@pytest.fixture
def new_dll(tmp_path):
    path = tmp_path / "new" / SQL
    path.parent.mkdir()
    path.write_bytes(fake_pe((2, 0, 0, 1), b"new code"))
    return path


def places(window):
    ecma = window.host.ecma_dir
    return [ecma / SQL, ecma / "Cache/HRDatabase" / SQL, ecma / "Cache/HRDatabase/AutosyncService" / SQL]


def test_plan_then_update_with_the_service_stopped_and_started(qtbot, make_window, new_dll):
    service = FakeService()
    window = make_window(service=service)
    window.show()
    assert window.connector_actions.deploy_dll_action.isEnabled()
    dialog = window.connector_actions.deploy_dll(str(new_dll))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 3
    assert [dialog.table.item(r, 3).text() for r in range(3)] == ["replaced (backed up)"] * 3
    assert "2.0.0.1" in dialog.summary.text() and "Used by: HRDatabase" in dialog.summary.text()
    assert not dialog.without_service.isVisible() and dialog.deploy_button.isEnabled()
    dialog.deploy_button.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=5000)
    assert "Updated 3 file(s)" in dialog.status.text() and "running again" in dialog.status.text()
    assert service.calls == ["stop", "start"]
    assert all(p.read_bytes() == new_dll.read_bytes() for p in places(window))
    assert [dialog.table.item(r, 3).text() for r in range(3)] == ["already this DLL"] * 3
    assert not dialog.deploy_button.isEnabled()


def test_off_the_host_the_user_must_say_the_service_is_not_running(qtbot, make_window, new_dll):
    window = make_window(service=UnavailableServiceControl("linux"))
    window.show()
    dialog = window.connector_actions.deploy_dll(str(new_dll))
    qtbot.addWidget(dialog)
    assert dialog.without_service.isVisible() and not dialog.deploy_button.isEnabled()
    dialog.without_service.setChecked(True)
    assert dialog.deploy_button.isEnabled()
    dialog.deploy_button.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=5000)
    assert "not touched" in dialog.status.text()


def test_a_wrong_file_is_one_sentence_and_nothing_to_do(qtbot, make_window, tmp_path):
    bad = tmp_path / SQL
    bad.write_text("not a dll")
    window = make_window(service=FakeService())
    dialog = window.connector_actions.deploy_dll(str(bad))
    qtbot.addWidget(dialog)
    assert "is not a Windows DLL" in dialog.summary.text()
    assert dialog.table.rowCount() == 0 and not dialog.deploy_button.isEnabled()


def test_a_failure_is_reported_and_every_file_put_back(qtbot, make_window, new_dll, monkeypatch):
    from app.host import deploy

    window = make_window(service=FakeService())
    old = {p: p.read_bytes() for p in places(window)}

    def broken(path, data, **kw):
        raise SaveRefused("was not saved: the disk is full.", path=path)

    dialog = window.connector_actions.deploy_dll(str(new_dll))
    qtbot.addWidget(dialog)
    monkeypatch.setattr(deploy, "atomic_write", broken)
    dialog.deploy_button.click()
    qtbot.waitUntil(lambda: "put back" in dialog.status.text(), timeout=5000)
    assert "disk is full" in dialog.status.text() and "started again" in dialog.status.text()
    assert all(p.read_bytes() == old[p] for p in places(window))


def test_prerequisites_are_offered_and_the_result_names_each_connectors_folders(qtbot, make_window, new_dll):
    helper = new_dll.parent / "Contoso.Sql.Helpers.dll"
    helper.write_bytes(fake_pe((1, 0, 0, 0), b"helper"))
    window = make_window(service=FakeService())
    window.show()
    dialog = window.connector_actions.deploy_dll(str(new_dll))
    qtbot.addWidget(dialog)
    assert dialog.with_dependencies.isVisible() and "Contoso.Sql.Helpers.dll" in dialog.with_dependencies.text()
    assert dialog.table.rowCount() == 3
    dialog.with_dependencies.setChecked(True)
    assert dialog.table.rowCount() == 6
    dialog.deploy_button.click()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=5000)
    assert "HRDatabase: Service" in dialog.status.text() and "AutosyncService" in dialog.status.text()
    assert (window.host.ecma_dir / "Cache/HRDatabase/AutosyncService" / helper.name).read_bytes() == helper.read_bytes()


def test_a_file_that_became_unreadable_is_one_sentence_and_no_plan(qtbot, make_window, new_dll):
    """The dialog plans against the window's document; should that be gone (a reload that failed),
    it says so instead of planning on nothing."""
    window = make_window(service=FakeService())
    dialog = window.connector_actions.deploy_dll(str(new_dll))
    qtbot.addWidget(dialog)
    window.document = None
    dialog.refresh_plan()
    assert dialog.plan is None and dialog.table.rowCount() == 0
    assert "could not be read" in dialog.summary.text() and not dialog.deploy_button.isEnabled()
