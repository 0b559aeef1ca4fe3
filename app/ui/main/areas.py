"""The other areas the main window hosts (connector wizard, event viewer, certificates,
diagnostics, service control), each imported when first needed so the first screen paints sooner.

Plain imports: every area is part of every build, so an ImportError is a bug and must fail loudly
(never "not available in this build").
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.host.layout import HostLayout

if TYPE_CHECKING:  # the point of this module is to import these late
    from PySide6.QtWidgets import QWidget

    from app.certs.status import CertificateStatus
    from app.events.sources.base import EventSource
    from app.host.service import ServiceControl
    from app.ui.certs.banner import ExpiryBanner
    from app.ui.certs.dialog import CertificateDialog
    from app.ui.diagnostics import DiagnosticsPage
    from app.ui.events.viewer import EventViewer
    from app.ui.main_window import MainWindow
    from app.ui.wizard.connector_wizard import ConnectorWizard


def connector_wizard() -> type[ConnectorWizard]:
    from app.ui.wizard.connector_wizard import ConnectorWizard

    return ConnectorWizard


def event_viewer() -> type[EventViewer]:
    from app.ui.events.viewer import EventViewer

    return EventViewer


def event_source_for(layout: HostLayout) -> Path | EventSource | None:
    """What the viewer opens first: the live ECMA2Host log on Windows, the sample host's dump,
    else None (the viewer then waits for File > Open)."""
    if layout.is_sample or sys.platform != "win32":
        path = layout.logs_dir / "ECMA2Host.xml" if layout.logs_dir else None
        return path if path is not None and path.exists() else None
    from app.events.sources.windows import live_source

    return live_source()


def diagnostics_page() -> type[DiagnosticsPage]:
    from app.ui.diagnostics import DiagnosticsPage

    return DiagnosticsPage


def entra_page() -> Callable[[MainWindow], QWidget]:
    from app.ui.entra import build_entra_page

    return build_entra_page


def certificate_dialog() -> type[CertificateDialog]:
    from app.ui.certs.dialog import CertificateDialog

    return CertificateDialog


def expiry_banner() -> type[ExpiryBanner]:
    from app.ui.certs.banner import ExpiryBanner

    return ExpiryBanner


def service_control(host_root: Path | None = None) -> ServiceControl:
    from app.host.service import default_service_control

    return default_service_control(host_root=host_root)


def certificate_status(configured: str | None, port: int | None,
                       host_root: Path | None = None) -> CertificateStatus:
    """Gather the certificate status as `cert status` does (the store on Windows, plus what the
    local endpoint serves; neither for a host folder on another machine). Slow: call off the GUI
    thread."""
    from app.certs.served import fetch_served_certificate
    from app.certs.status import gather_status
    from app.certs.store import default_store
    from app.host.machine import local_host_names

    store = default_store(host_root)
    endpoint = ("localhost", port or 8585) if sys.platform == "win32" and store.available() else None
    # A short timeout: a stopped service must not keep the Settings tab waiting.
    return gather_status(configured, host_names=list(dict.fromkeys(local_host_names())),
                         store=store, endpoint=endpoint,
                         fetch=lambda host, p: fetch_served_certificate(host, p, timeout=2.0))


def host_names() -> list[str]:
    from app.host.machine import local_host_names

    return list(dict.fromkeys(local_host_names()))


def certificates_folder(data_dir: Path) -> Path:
    folder = data_dir / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
