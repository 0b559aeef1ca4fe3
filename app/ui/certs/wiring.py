"""One-call wiring of the certificate views to a host, for the main window.

    dialog = regeneration_dialog(layout, parent)        # store, keyring, config, port, restart
    status = certificate_status(layout)                 # call off the GUI thread: it may contact
    banner.set_certificate(status.certificate)          #   the local endpoint (2 s timeout)
    status_widget.set_status(status)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.certs.regenerate import ConfigThumbprint, plan_factory
from app.certs.status import CertificateStatus, gather_status
from app.certs.store import default_store
from app.host.layout import HostLayout
from app.host.machine import local_host_names
from app.paths import data_dir
from app.secrets import SecretStore
from app.ui.certs.dialog import CertificateDialog

DEFAULT_PORT = 8585
LOCAL_TIMEOUT = 2.0


def certificates_dir() -> Path:
    """Where the GUI writes the PFX (and, off Windows, PEM) files: the app's own data folder."""
    path = data_dir() / "certificates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def service_restart(host_root: Path | None = None) -> Callable[[], str] | None:
    """The service's restart as a callable for the dialog, or None where it cannot be restarted
    (not Windows, or a host folder on another machine)."""
    from app.host.service import default_service_control

    control = default_service_control(host_root=host_root)
    if not control.available():
        return None
    return control.restart_sentence


def host_names() -> tuple[str, ...]:
    return tuple(dict.fromkeys(local_host_names()))


def regeneration_dialog(layout: HostLayout, parent: QWidget | None = None) -> CertificateDialog:
    """The dialog for the host at `layout`."""
    target = ConfigThumbprint(layout.config_store())
    secrets = SecretStore()
    prepare = plan_factory(out_dir=certificates_dir(), store=default_store(layout.root), secrets=secrets,
                           target=target, port=target.port() or DEFAULT_PORT)
    return CertificateDialog(prepare, host_names=host_names(), keyring_reason=secrets.unavailable_reason,
                             restart=service_restart(layout.root), parent=parent)


def certificate_status(layout: HostLayout) -> CertificateStatus:
    """Status of the configured certificate; on Windows also what localhost:PORT serves."""
    from app.certs.served import fetch_served_certificate

    target = ConfigThumbprint(layout.config_store())
    port = target.port() or DEFAULT_PORT
    store = default_store(layout.root)
    endpoint = ("localhost", port) if sys.platform == "win32" and store.available() else None
    return gather_status(target.read(), host_names=host_names(), store=store, endpoint=endpoint, port=port,
                         fetch=lambda h, p: fetch_served_certificate(h, p, timeout=LOCAL_TIMEOUT))
