"""Render the Entra page and its dialogs to PNG, offscreen, with the Graph answers of the tests'
stand-in (tests/entra/samples.py, the documented v1.0 shapes) served in-process: nothing is sent.

Pictures: not signed in; two linked connectors, one healthy and one in quarantine; Graph
unreachable; the restart dialog with a reset scope; the link dialog with its candidates; push
credentials; provision on demand with each step; sign in.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from app.entra.graph import OFFLINE, GraphError, GraphErrorKind
from app.entra.links import EntraSettings, Link
from app.entra.session import EntraSession
from app.host.layout import HostLayout, config_in, sample_host_copy
from tests.entra import samples

SIZE = (1180, 620)
APPS = {"sp-healthy": ("CSV provisioning", "CSV"), "sp-quarantine": ("HR database provisioning", "HRDatabase"),
        "sp-other": ("CSV provisioning (test tenant copy)", "CSV-test")}


class SampleGraph:
    """Answers like the stand-in: the job state is the service principal's name after "sp-"."""

    def __init__(self, offline: bool = False) -> None:
        self.offline = offline

    def call(self, method: str, path: str, body: Any = None, **_kw: Any) -> Any:
        if self.offline:
            raise GraphError(f"{OFFLINE} (https://graph.microsoft.com: Network is unreachable); the host "
                             "side (connectors, certificates, event log) keeps working without it.",
                             kind=GraphErrorKind.OFFLINE)
        if path.startswith("/servicePrincipals?"):
            return {"value": [{"id": i, "appId": "00000000-0000-4000-8000-00000000000" + str(n), "displayName": d}
                              for n, (i, (d, _)) in enumerate(APPS.items())]}
        sp = path.split("/")[2]
        if path.endswith("/synchronization/jobs"):
            return samples.jobs(sp.removeprefix("sp-"))
        if path.endswith("/synchronization/secrets") and method == "GET":
            return {"value": [{"key": "BaseAddress",
                               "value": f"https://ecmahost.contoso.com:8585/ecma2host_{APPS[sp][1]}/scim"}]}
        if path.endswith("/schema"):
            return samples.schema()
        if path.endswith("/provisionOnDemand"):
            return samples.provision_answer("adele.vance@contoso.com", fail=True)
        return None

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)


def _no_plan(request, passphrase):
    """The certificate dialog is shown at its last page only: no plan is ever made."""
    raise NotImplementedError


def _wait(app, page, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        task = getattr(page, "task", None)
        if task is None or not task.running:
            break
        time.sleep(0.02)
    for _ in range(5):
        app.processEvents()
        time.sleep(0.02)


def _grab(app, widget, path: Path) -> Path:
    widget.show()
    _wait(app, widget, 0.2)
    widget.grab().save(str(path))
    return path


def screenshots(outdir: Path) -> list[Path]:
    from app.ui.entra.dialogs import LinkDialog, PushDialog, RestartDialog, SignInDialog
    from app.ui.entra.page import EntraPage
    from app.ui.entra.provision_dialog import ProvisionDialog
    from app.ui.launch import ensure_app

    app = ensure_app()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="ecma-entra-screens-") as tmp:
        source = sample_host_copy()
        assert source.root is not None
        shutil.copytree(source.root, Path(tmp) / "host")
        layout = HostLayout(config_in(Path(tmp) / "host"), Path(tmp) / "host")
        connectors = ["CSV", "HRDatabase"]

        empty = EntraSettings(Path(tmp) / "entra-empty.json")
        page = EntraPage(EntraSession(layout, settings=empty), connectors)
        page.resize(*SIZE)
        out.append(_grab(app, page, outdir / "entra-not-signed-in.png"))
        page.close()

        settings = EntraSettings(Path(tmp) / "entra.json")
        settings.sign_in.tenant = "contoso.onmicrosoft.com"
        session = EntraSession(layout, settings=settings, client=SampleGraph())
        session.account = "admin@contoso.com"
        session.link("CSV", Link("sp-healthy", "CSV provisioning", how="tenant-url"))
        session.link("HRDatabase", Link("sp-quarantine", "HR database provisioning", how="tenant-url"))
        page = EntraPage(session, connectors, host_token=lambda name: None)
        page.resize(*SIZE)
        page.show()
        page.refresh()
        _wait(app, page)
        page.table.selectRow(1)
        out.append(_grab(app, page, outdir / "entra-quarantine.png"))
        page.table.selectRow(0)  # an active job: Start is not offered, and the page says why
        out.append(_grab(app, page, outdir / "entra-active-no-start.png"))
        page.table.selectRow(1)

        restart = RestartDialog(page, "HRDatabase")
        restart.boxes["QuarantineState"].setChecked(True)
        out.append(_grab(app, restart, outdir / "entra-restart.png"))
        restart.boxes["QuarantineState"].setChecked(False)
        restart.boxes["Full"].setChecked(True)
        asked: list[tuple[str, str]] = []

        def record(title: str, text: str) -> bool:  # the question the user would see, answered "no"
            asked.append((title, text))
            return False

        page.confirm = record
        restart.second_confirmation()
        restart.close()
        from PySide6.QtWidgets import QMessageBox

        title, text = asked[-1]
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, page)
        out.append(_grab(app, box, outdir / "entra-restart-full-confirm.png"))
        box.close()

        link = LinkDialog(page, "CSV")
        link.show()
        link.show_candidates(session.find("CSV"))
        out.append(_grab(app, link, outdir / "entra-link.png"))
        link.close()

        push = PushDialog(page, "CSV")
        push.host.setText("ecmahost.contoso.com")
        push.token.setText("typed-token-not-shown")
        out.append(_grab(app, push, outdir / "entra-push-credentials.png"))
        push.close()

        page.show_events_between = lambda first, last: None
        provision = ProvisionDialog(page, "HRDatabase")
        provision.user.setText("9bb0f679-a883-4a6f-8260-35b491b8b8c8")
        provision.show_result(session.provision("HRDatabase", "9bb0f679-a883-4a6f-8260-35b491b8b8c8"))
        out.append(_grab(app, provision, outdir / "entra-provision-on-demand.png"))
        provision.close()

        from app.certs.regenerate import PlanResult, StepOutcome
        from app.ui.certs.dialog import CertificateDialog

        certificate = CertificateDialog(_no_plan, host_names=["ecmahost.contoso.com"],
                                        restart=lambda: "The service was restarted.",
                                        entra_check=lambda: session.after_certificate_change("CSV"))
        certificate.show_result(PlanResult(True, "9B0E51C2D7A4F3E8B6C1D0A9F8E7D6C5B4A39281", [
            StepOutcome("Generate the key and certificate", "done"),
            StepOutcome("Import into LocalMachine\\My", "done"),
            StepOutcome("Bind to port 8585 (HTTP.sys)", "done"),
            StepOutcome("Write the thumbprint into Configuration.xml", "done")]))
        certificate.entra_label.setText(session.after_certificate_change("CSV"))
        out.append(_grab(app, certificate, outdir / "certificate-then-entra.png"))
        certificate.close()

        sign_in = SignInDialog(page)
        sign_in.client_id.setText("aaaaaaaa-0000-4000-8000-000000000001")
        out.append(_grab(app, sign_in, outdir / "entra-sign-in.png"))
        sign_in.close()
        page.close()

        from app.ui.theme import apply_theme

        apply_theme(app, "dark")
        try:
            dark = EntraPage(session, connectors)
            dark.resize(*SIZE)
            dark.show()
            dark.refresh()
            _wait(app, dark)
            dark.table.selectRow(1)
            out.append(_grab(app, dark, outdir / "entra-quarantine-dark.png"))
            dark.close()
        finally:
            apply_theme(app, "light")

        offline = EntraSession(layout, settings=settings, client=SampleGraph(offline=True))
        page = EntraPage(offline, connectors)
        page.resize(*SIZE)
        page.show()
        page.refresh()
        _wait(app, page)
        out.append(_grab(app, page, outdir / "entra-offline.png"))
        page.close()
    return out
