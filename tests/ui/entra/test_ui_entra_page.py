"""The Entra page against the HTTPS Graph stand-in: states shown per connector, calls off the GUI
thread, confirmations (a reset scope asks a second time), the token never shown, one sentence when
Graph is unreachable, and the tab built lazily in the main window."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from app.entra.graph import GraphClient, RetryPolicy
from app.entra.links import EntraSettings, Link
from app.entra.session import EntraSession
from app.entra.signin import EnvToken
from app.host.layout import HostLayout, config_in
from tests.entra import conftest as entra_fixtures
from tests.entra.conftest import TOKEN_VAR

graph, graph_cert, closed_port = entra_fixtures.graph, entra_fixtures.graph_cert, entra_fixtures.closed_port
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def layout(tmp_path):
    shutil.copytree(ROOT / "resources" / "sample-host", tmp_path / "host")
    return HostLayout(config_in(tmp_path / "host"), tmp_path / "host")


def make_page(qtbot, layout, url, links=None, host_token=None):
    from app.ui.entra.page import EntraPage

    settings = EntraSettings(layout.root / "entra.json")
    settings.sign_in.tenant = "contoso.onmicrosoft.com"
    client = GraphClient(EnvToken(TOKEN_VAR), base_url=url, timeout=5, retry=RetryPolicy(sleep=lambda s: None))
    session = EntraSession(layout, settings=settings, client=client)
    for name, sp in (links or {}).items():
        session.link(name, Link(sp, f"{name} app", how="manual"))
    page = EntraPage(session, ["CSV", "HRDatabase"], host_token=host_token)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    answers: list[bool] = []
    asked: list[str] = []

    def confirm(title, text):
        asked.append(text)
        return answers.pop(0) if answers else True

    page.confirm = confirm
    return page, answers, asked


def wait_done(qtbot, page):
    qtbot.waitUntil(lambda: page.task is None, timeout=10_000)


def cell(page, row, col):
    return page.table.item(row, col).text()


def test_states_are_read_off_the_gui_thread_and_shown(qtbot, layout, graph, monkeypatch):
    page, _, _ = make_page(qtbot, layout, graph.url, {"CSV": "sp-healthy", "HRDatabase": "sp-quarantine"})
    threads = []
    real_gather = page.session.gather
    monkeypatch.setattr(page.session, "gather", lambda: threads.append(threading.current_thread()) or real_gather())
    page.show()  # the first show reads the states
    wait_done(qtbot, page)
    assert threads and threads[0] is not threading.main_thread()
    assert cell(page, 0, 2) == "Active" and cell(page, 0, 5) == "none"
    assert cell(page, 1, 2) == "Quarantine"
    assert "EncounteredQuarantineException" in cell(page, 1, 3) and "2026-12-05 22:40 UTC" in cell(page, 1, 3)
    assert "4 failed cycle(s)" in cell(page, 1, 5)
    assert "HRDatabase" in page.message.text()
    page.table.selectRow(1)
    assert "could not connect to the host" in page.details.text() and "QuarantineState" in page.details.text()


def test_unlinked_connectors_only_offer_link(qtbot, layout, graph):
    page, _, _ = make_page(qtbot, layout, graph.url)
    page.table.selectRow(0)
    assert cell(page, 0, 1) == "not linked" and page.link_button.isEnabled()
    assert not page.start_button.isEnabled() and not page.restart_button.isEnabled()
    assert "Link" in page.details.text()


def test_offline_is_one_sentence_and_the_page_keeps_working(qtbot, layout, closed_port, monkeypatch):
    monkeypatch.setenv(TOKEN_VAR, "t" * 30)
    page, _, _ = make_page(qtbot, layout, f"https://localhost:{closed_port}", {"CSV": "sp-healthy"})
    page.refresh()
    wait_done(qtbot, page)
    assert page.message.text().startswith("Microsoft Graph cannot be reached from this machine")
    assert cell(page, 0, 2) == "could not be read" and page.refresh_button.isEnabled()


def test_start_is_offered_only_for_a_paused_or_quarantined_job(qtbot, layout, graph):
    page, _, _ = make_page(qtbot, layout, graph.url, {"CSV": "sp-healthy", "HRDatabase": "sp-quarantine"})
    page.refresh()
    wait_done(qtbot, page)
    page.table.selectRow(0)  # Active: Graph's start page says start only a paused or quarantined job
    assert not page.start_button.isEnabled() and page.pause_button.isEnabled()
    assert "is running" in page.start_button.toolTip() and "Start is not offered" in page.details.text()
    page.table.selectRow(1)
    assert page.start_button.isEnabled() and "Start is not offered" not in page.details.text()
    page.table.selectRow(0)
    page.start()  # even when called anyway, the session reads the job first and sends nothing
    wait_done(qtbot, page)
    assert graph.calls("POST") == [] and "paused or in quarantine" in page.message.text()


def test_start_and_pause_with_confirmation(qtbot, layout, graph):
    page, answers, asked = make_page(qtbot, layout, graph.url, {"CSV": "sp-paused"})
    page.table.selectRow(0)
    page.start()
    wait_done(qtbot, page)
    answers.append(False)
    page.pause()  # cancelled: nothing sent
    assert [p.rsplit("/", 1)[-1] for m, p, _, _ in graph.calls("POST")] == ["start"]
    page.pause()
    wait_done(qtbot, page)
    assert [p.rsplit("/", 1)[-1] for m, p, _, _ in graph.calls("POST")] == ["start", "pause"]
    assert len(asked) == 2


def test_restart_empty_scope_asks_once_a_scope_twice_dangerous_with_the_warning(qtbot, layout, graph):
    from app.ui.entra.dialogs import RestartDialog

    page, answers, asked = make_page(qtbot, layout, graph.url, {"CSV": "sp-healthy"})
    page.table.selectRow(0)
    dialog = RestartDialog(page, "CSV")
    qtbot.addWidget(dialog)
    dialog.go()  # the dialog's OK is the first confirmation; no scope: no second question
    wait_done(qtbot, page)
    assert asked == [] and graph.calls("POST")[-1][2] == {"criteria": {"resetScope": ""}}

    dialog.boxes["QuarantineState"].setChecked(True)
    answers.append(False)
    dialog.go()
    assert len(asked) == 1 and len(graph.calls("POST")) == 1  # said no the second time
    dialog.go()
    wait_done(qtbot, page)
    assert graph.calls("POST")[-1][2] == {"criteria": {"resetScope": "QuarantineState"}}

    dialog.boxes["QuarantineState"].setChecked(False)
    dialog.boxes["ConnectorDataStore"].setChecked(True)
    dialog.go()
    wait_done(qtbot, page)
    assert "not to use" in asked[-1]
    assert graph.calls("POST")[-1][2] == {"criteria": {"resetScope": "ConnectorDataStore"}}

    dialog.boxes["ConnectorDataStore"].setChecked(False)
    dialog.boxes["Full"].setChecked(True)
    answers.append(False)
    dialog.go()  # Full asks the dangerous question too, and says why; "no" sends nothing
    assert "links between Entra's users and the host's objects" in asked[-1]
    assert graph.calls("POST")[-1][2] == {"criteria": {"resetScope": "ConnectorDataStore"}}


def test_push_credentials_never_shows_the_token(qtbot, layout, graph):
    from PySide6.QtWidgets import QLabel, QLineEdit

    from app.ui.entra.dialogs import PushDialog

    secret = "host-secret-token-0123456789"
    page, _, _ = make_page(qtbot, layout, graph.url, {"CSV": "sp-healthy"}, host_token=lambda name: secret)
    page.table.selectRow(0)
    dialog = PushDialog(page, "CSV")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.from_host.isChecked()  # readable on this machine: taken from the host's file
    shown = [w.displayText() for w in dialog.findChildren(QLineEdit)] + [w.text() for w in dialog.findChildren(QLabel)]
    assert not any(secret in t for t in shown)
    dialog.host.setText("ecmahost.contoso.com")
    dialog.accept()
    wait_done(qtbot, page)
    (_, _, body, _), = graph.calls("PUT")
    assert body["value"][1] == {"key": "SecretToken", "value": secret}
    assert secret not in page.message.text() and "not shown" in page.message.text()


def test_provision_on_demand_shows_each_step(qtbot, layout, graph):
    from app.ui.entra.provision_dialog import ProvisionDialog

    page, _, _ = make_page(qtbot, layout, graph.url, {"CSV": "sp-healthy"})
    opened = []
    page.show_events_between = lambda first, last: opened.append((first, last))
    dialog = ProvisionDialog(page, "CSV")
    qtbot.addWidget(dialog)
    dialog.user.setText("9bb0f679-a883-4a6f-8260-35b491b8b8c8")
    dialog.run()
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10_000)
    assert [dialog.steps.item(r, 0).text() for r in range(dialog.steps.rowCount())] == \
        ["Import", "Scoping", "Matching", "Action", "Export"]
    dialog.show_events()
    assert opened and opened[0][0].startswith("2026-12-06T01:58")


def test_link_dialog_picks_the_application_by_tenant_url(qtbot, layout, graph):
    from app.ui.entra.dialogs import LinkDialog

    page, _, _ = make_page(qtbot, layout, graph.url)
    dialog = LinkDialog(page, "CSV")
    qtbot.addWidget(dialog)
    dialog.search_now()
    qtbot.waitUntil(lambda: dialog.results.count() > 0, timeout=10_000)
    assert "Tenant URL" in dialog.status.text()
    dialog.accept()
    assert page.session.links()["CSV"].service_principal == "sp-healthy"
    assert page.session.links()["CSV"].how == "tenant-url"


def test_the_main_window_builds_the_entra_tab_when_chosen(make_window):
    window = make_window()
    index = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())].index("Entra")
    assert window.tabs.widget(index).widget() is None
    window.tabs.setCurrentIndex(index)
    page = window.entra
    assert page is not None and page.objectName() == "entraPage"
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == ["CSV", "HRDatabase"]
    assert "Not signed in" in page.account_label.text()


def test_after_a_certificate_change_entra_tests_then_restarts_with_quarantine_state(layout, graph):
    settings = EntraSettings(layout.root / "entra.json")
    client = GraphClient(EnvToken(TOKEN_VAR), base_url=graph.url, timeout=5)
    session = EntraSession(layout, settings=settings, client=client)
    session.link("CSV", Link("sp-healthy"))
    session.link("HRDatabase", Link("sp-quarantine"))
    text = session.after_certificate_change("CSV")
    assert "Restarted with QuarantineState" in text and "now: active" in text
    assert graph.calls("POST")[-1][2] == {"criteria": {"resetScope": "QuarantineState"}}
    posts = len(graph.calls("POST"))
    text = session.after_certificate_change("HRDatabase")  # Entra still cannot reach the host
    assert "was not restarted" in text and "CredentialValidationUnavailable" in text
    assert [p for _, p, _, _ in graph.calls("POST")][posts:][-1].endswith("/validateCredentials")


def test_the_certificate_dialog_offers_the_entra_step_after_success(qtbot):
    from app.certs.regenerate import PlanResult
    from app.ui.certs.dialog import CertificateDialog

    calls = []
    dialog = CertificateDialog(lambda request, passphrase: None, host_names=["ecmahost"],
                               entra_check=lambda: calls.append(1) or "Entra reached 'CSV'; restarted.")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_result(PlanResult(False, "AB" * 20, [], error="no", failed_step="x"))
    assert not dialog.entra_button.isVisible()
    dialog.show_result(PlanResult(True, "AB" * 20, []))
    assert dialog.entra_button.isVisible()
    dialog.entra_button.click()
    qtbot.waitUntil(lambda: dialog.entra_label.text().startswith("Entra reached"), timeout=5000)
    assert calls == [1]


def test_the_connector_list_shows_the_entra_state(make_window, qtbot, graph):
    from app.ui.main.connector_model import COLUMNS

    window = make_window()
    page = window.entra
    page.session._client = GraphClient(EnvToken(TOKEN_VAR), base_url=graph.url, timeout=5)
    page.session.link("HRDatabase", Link("sp-quarantine", "HR app"))
    page.refresh()
    qtbot.waitUntil(lambda: page.task is None, timeout=10_000)
    model = window.connector_actions.model
    row = model.row_named("HRDatabase")
    column = COLUMNS.index("Entra")
    assert model.index(row, column).data() == "Quarantine"
    assert "EncounteredQuarantineException" in model.index(row, column).data(3)  # the tooltip
    assert model.index(model.row_named("CSV"), column).data() == ""


def test_provisioning_time_opens_the_event_log_filtered_to_it(make_window, qtbot):
    from app.ui.entra import show_events_between

    window = make_window()
    window.show()
    viewer = window.event_viewer
    show_events_between(window, "2026-12-06T01:58:24.549Z", "2026-12-06T01:58:24.768Z")
    assert window.tabs.currentWidget().widget() is viewer
    assert viewer.since_edit.isVisibleTo(viewer)
    since = viewer.since_edit.dateTime().toSecsSinceEpoch()
    until = viewer.until_edit.dateTime().toSecsSinceEpoch()
    first = 1796522400 - 96  # 2026-12-06T01:58:24Z
    assert (since, until) == (first - 60, first + 60)  # a minute either side
