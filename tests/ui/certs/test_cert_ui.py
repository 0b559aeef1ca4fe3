"""The certificate dialog, banner and status widget driven with pytest-qt (offscreen)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import Qt

from app.certs.generate import GenerationRequest, KeySpec, generate
from app.certs.regenerate import plan_factory
from app.certs.status import ExpiryLevel, gather_status
from app.certs.store import UnavailableStore
from app.secrets import SecretStore
from app.ui.certs.banner import ExpiryBanner
from app.ui.certs.dialog import CertificateDialog
from app.ui.certs.status_widget import CertificateStatusWidget
from tests.screens.certs import DemoTarget, DemoWindowsStore, screenshots

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
NAMES = ("ecmahost", "ecmahost.contoso.local")


def cert_with(days_left):
    return generate(GenerationRequest(NAMES, KeySpec.P256, 400),
                    now=NOW - dt.timedelta(days=400 - days_left)).info()


@pytest.mark.parametrize("days_left,level,visible,words", [
    (120, ExpiryLevel.OK, False, None),
    (45, ExpiryLevel.WITHIN_60, True, "in 44 days"),
    (20, ExpiryLevel.WITHIN_30, True, "in 19 days"),
    (3, ExpiryLevel.WITHIN_7, True, "in 2 days"),
    (-5, ExpiryLevel.EXPIRED, True, "expired on"),
])
def test_banner_states(qtbot, days_left, level, visible, words):
    banner = ExpiryBanner()
    qtbot.addWidget(banner)
    assert banner.set_certificate(cert_with(days_left), NOW) is level
    assert banner.isHidden() is (not visible)
    if words:
        assert words in banner.text
    with qtbot.waitSignal(banner.regenerateRequested, timeout=1000):
        qtbot.mouseClick(banner._button, Qt.MouseButton.LeftButton)


def test_banner_hides_without_a_certificate(qtbot):
    banner = ExpiryBanner()
    qtbot.addWidget(banner)
    banner.set_certificate(cert_with(3), NOW)
    assert not banner.isHidden()
    banner.set_certificate(None)
    assert banner.isHidden()


def _dialog(qtbot, tmp_path, store=None, target=None, keyring_reason=None, restart=None):
    secrets = SecretStore()
    prepare = plan_factory(out_dir=tmp_path / "out", store=store or UnavailableStore("linux"),
                           secrets=secrets, target=target or DemoTarget(), port=8585)
    dialog = CertificateDialog(prepare, host_names=NAMES, keyring_reason=keyring_reason, restart=restart)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, secrets


def test_dialog_defaults_follow_microsoft(qtbot, tmp_path):
    dialog, _ = _dialog(qtbot, tmp_path)
    request = dialog.request()
    assert request.host_names == ("ecmahost", "ecmahost.contoso.local", "localhost")
    assert request.key is KeySpec.RSA2048 and request.days == 730
    assert "CN=ecmahost" in dialog.preview.text()
    assert "2.0 years" in dialog.years.text()


def test_dialog_preview_follows_edits_and_refuses_bad_names(qtbot, tmp_path):
    dialog, _ = _dialog(qtbot, tmp_path)
    dialog.key.setCurrentIndex(dialog.key.findData(KeySpec.P256))
    assert "ECDSA P-256" in dialog.preview.text()
    dialog.names.item(0).setText("bad name")
    assert "not a valid host name" in dialog.preview.text()
    assert not dialog.next_button.isEnabled()
    dialog.names.item(0).setText("ecmahost")
    assert dialog.next_button.isEnabled()


def test_dialog_full_run_on_windows_like_store(qtbot, tmp_path):
    store, target = DemoWindowsStore(), DemoTarget()
    restarted = []
    dialog, secrets = _dialog(qtbot, tmp_path, store, target, restart=lambda: restarted.append(1) or "Restarted.")
    with qtbot.waitSignal(dialog.planReady, timeout=10_000):
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1
    shown = dialog.steps_view.toPlainText()
    assert "Import-PfxCertificate" in shown and "netsh http update sslcert" in shown
    assert store.imported == {"My": set(), "Root": set()}  # nothing ran yet
    with qtbot.waitSignal(dialog.runFinished, timeout=10_000) as finished:
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert finished.args == [True]
    thumb = dialog.plan.thumbprint
    assert target.value == thumb and store.binding.certificate_hash == thumb
    assert thumb in store.imported["My"] and thumb in store.imported["Root"]
    assert secrets.get(f"certificate-pfx:{thumb}")
    assert dialog.restart_button.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.restart_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.restart_label.text() == "Restarted.", timeout=5000)
    assert restarted == [1] and not dialog.restart_button.isEnabled()


def test_a_failed_restart_is_a_sentence_and_can_be_retried(qtbot, tmp_path):
    from app.errors import UserError

    def refuse():
        raise UserError("stopping the service failed: Access is denied.")

    dialog, _ = _dialog(qtbot, tmp_path, DemoWindowsStore(), DemoTarget(), restart=refuse)
    with qtbot.waitSignal(dialog.planReady, timeout=10_000):
        dialog.start_prepare()
    with qtbot.waitSignal(dialog.runFinished, timeout=10_000):
        dialog.start_run()
    dialog.restart_button.click()
    qtbot.waitUntil(lambda: "Access is denied" in dialog.restart_label.text(), timeout=5000)
    assert dialog.restart_label.text().startswith("Restart failed") and dialog.restart_button.isEnabled()


def test_wiring_builds_a_dialog_for_a_host(qtbot, tmp_path, sample_host):
    import shutil

    from app.host.layout import from_host_dir
    from app.ui.certs.wiring import certificate_status, regeneration_dialog

    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    dialog = regeneration_dialog(layout)
    qtbot.addWidget(dialog)
    assert dialog.request().host_names[-1] == "localhost"
    status = certificate_status(layout)
    assert status.configured_thumbprint == "3F6D1C0A9B8E7D6C5B4A39281706F5E4D3C2B1A0"


class _SlowTarget(DemoTarget):
    """Writes the thumbprint only when the test lets it: the plan is caught running."""

    def __init__(self) -> None:
        super().__init__()
        self.writing, self.release = threading.Event(), threading.Event()

    def write(self, thumbprint: str) -> None:
        self.writing.set()
        self.release.wait(10)
        super().write(thumbprint)


def test_the_dialog_stays_open_while_the_plan_runs(qtbot, tmp_path):
    target = _SlowTarget()
    dialog, _ = _dialog(qtbot, tmp_path, DemoWindowsStore(), target)
    with qtbot.waitSignal(dialog.planReady, timeout=10_000):
        dialog.start_prepare()
    dialog.start_run()
    assert target.writing.wait(10)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc
    dialog.close()  # the title bar's close button
    assert dialog.isVisible() and "once the running step has finished" in dialog.error.text()
    with qtbot.waitSignal(dialog.runFinished, timeout=10_000):
        target.release.set()
    assert target.value == dialog.plan.thumbprint  # the plan ran to its end
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_dialog_failure_shows_the_rollback(qtbot, tmp_path):
    store, target = DemoWindowsStore(fail_on="import_root"), DemoTarget()
    old = target.value
    dialog, _ = _dialog(qtbot, tmp_path, store, target)
    with qtbot.waitSignal(dialog.planReady, timeout=10_000):
        dialog.start_prepare()
    with qtbot.waitSignal(dialog.runFinished, timeout=10_000) as finished:
        dialog.start_run()
    assert finished.args == [False]
    assert target.value == old and store.imported == {"My": set(), "Root": set()}
    texts = [dialog.outcomes.item(i).text() for i in range(dialog.outcomes.count())]
    assert any("rolled back" in t for t in texts) and any("failed" in t for t in texts)
    assert "nothing is changed" in dialog.summary.text()
    assert not dialog.restart_button.isVisibleTo(dialog)


def test_dialog_without_keyring_asks_for_a_passphrase(qtbot, tmp_path):
    dialog, _ = _dialog(qtbot, tmp_path, keyring_reason="no usable keyring on this system: none")
    assert dialog.passphrase.isVisibleTo(dialog)
    dialog.start_prepare()
    assert "at least 12 characters" in dialog.error.text()
    dialog.passphrase.setText("a-long-enough-passphrase")
    with qtbot.waitSignal(dialog.planReady, timeout=10_000):
        dialog.start_prepare()
    assert "Keep the PFX passphrase in the keyring" not in dialog.steps_view.toPlainText()


def test_dialog_reports_a_preparation_error_in_a_sentence(qtbot, tmp_path):
    def broken(request, passphrase):
        from app.errors import UserError

        raise UserError("cannot create the output folder (Permission denied).")

    dialog = CertificateDialog(broken, host_names=NAMES)
    qtbot.addWidget(dialog)
    dialog.start_prepare()
    qtbot.waitUntil(lambda: "Permission denied" in dialog.error.text(), timeout=5000)
    assert dialog.pages.currentIndex() == 0 and dialog.next_button.isEnabled()


def test_status_widget_shows_fields_and_findings(qtbot):
    info = cert_with(-5)
    status = gather_status(info.thumbprint, host_names=("otherhost",), endpoint=("h", 1),
                           fetch=lambda h, p: info, now=NOW)
    widget = CertificateStatusWidget()
    qtbot.addWidget(widget)
    widget.set_status(status, NOW)
    assert widget.value("Thumbprint") == info.thumbprint
    assert "expired 5 days ago" in widget.value("Valid") or "expired 6 days ago" in widget.value("Valid")
    codes = [widget.findings.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.findings.count())]
    assert codes[:2] == ["expired", "wrong-host"]
    with qtbot.waitSignal(widget.regenerateRequested, timeout=1000):
        widget.regenerate_button.click()


def test_status_widget_says_why_the_certificate_is_unknown_instead_of_dashes(qtbot):
    from app.errors import UserError

    def refused(host, port):
        raise UserError("nothing listens on localhost:8585")

    status = gather_status("A" * 40, host_names=("h",), store=UnavailableStore("linux"),
                           endpoint=("localhost", 8585), fetch=refused, now=NOW)
    widget = CertificateStatusWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_status(status, NOW)
    text = widget.unknown_text()
    assert text.startswith("Not known. It could not be looked up:") and "nothing listens" in text
    assert "Windows" in text  # the store's own reason
    assert not widget._values["Thumbprint"].isVisible()
    widget.set_status(gather_status(None, host_names=("h",), now=NOW), NOW)
    assert "No thumbprint is configured" in widget.unknown_text()
    info = cert_with(30)
    widget.set_status(gather_status(info.thumbprint, host_names=("h",), endpoint=("h", 1),
                                    fetch=lambda h, p: info, now=NOW), NOW)
    assert widget.unknown_text() == "" and widget._values["Thumbprint"].isVisible()


def test_screenshots_render_every_step_and_state(qtbot, tmp_path):
    paths = screenshots(tmp_path / "shots")
    names = {p.name for p in paths}
    assert {"cert-dialog-1-choose.png", "cert-dialog-2-steps.png", "cert-dialog-3-done.png",
            "cert-dialog-3-failed-rolled-back.png", "cert-banner-expired.png", "cert-status.png"} <= names
    assert all(p.stat().st_size > 2000 for p in paths)
