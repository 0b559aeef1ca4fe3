"""The other areas the main window hosts (connector wizard, event viewer, certificates,
diagnostics, migration, service control), each imported lazily: a build or a checkout without one
still opens, and says plainly what is missing instead of failing to start."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from app.host.layout import HostLayout


class Missing(Exception):
    """An area is not in this build; the message is the sentence to show."""


def _import(module: str, name: str, what: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise Missing(f"The {what} is not available in this build.") from None


def connector_wizard():
    return _import("app.ui.wizard.connector_wizard", "ConnectorWizard", "connector wizard")


def event_viewer():
    """The EventViewer class from whichever module of app/ui/events/ defines it."""
    try:
        package = importlib.import_module("app.ui.events")
    except ImportError:
        raise Missing("The event log viewer is not available in this build.") from None
    if hasattr(package, "EventViewer"):
        return package.EventViewer
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in ("screens",):
            continue
        try:
            module = importlib.import_module(f"app.ui.events.{info.name}")
        except ImportError:
            continue
        if hasattr(module, "EventViewer"):
            return module.EventViewer
    raise Missing("The event log viewer is not available in this build.")


def event_source_for(layout: HostLayout):
    """What the viewer opens first: the live ECMA2Host log on Windows, the sample host's dump,
    else None (the viewer then waits for File > Open)."""
    if layout.is_sample or sys.platform != "win32":
        path = layout.logs_dir / "ECMA2Host.xml" if layout.logs_dir else None
        return path if path is not None and path.exists() else None
    try:
        windows = importlib.import_module("app.events.sources.windows")
    except ImportError:
        return None
    return windows.live_source()


def diagnostics_page():
    return _import("app.ui.diagnostics", "DiagnosticsPage", "diagnostics page")


def certificate_dialog():
    return _import("app.ui.certs.dialog", "CertificateDialog", "certificate dialog")


def expiry_banner():
    return _import("app.ui.certs.banner", "ExpiryBanner", "certificate expiry banner")


def service_control():
    """The Windows service control, or None when this build has none."""
    try:
        service = importlib.import_module("app.host.service")
    except ImportError:
        return None
    return service.default_service_control()


def certificate_status(configured: str | None, port: int | None):
    """Gather the certificate status as `cert status` does (the store on Windows, plus what the
    local endpoint serves); None when the certificates area is missing. Slow: call off the GUI thread."""
    try:
        from app.certs.inspect import local_host_names
        from app.certs.status import gather_status
        from app.certs.store import default_store
    except ImportError:
        return None
    from app.certs.served import fetch_served_certificate

    endpoint = ("localhost", port or 8585) if sys.platform == "win32" else None
    # A short timeout: a stopped service must not keep the Settings tab waiting.
    return gather_status(configured, host_names=list(dict.fromkeys(local_host_names())),
                         store=default_store(), endpoint=endpoint,
                         fetch=lambda host, p: fetch_served_certificate(host, p, timeout=2.0))


def host_names() -> list[str]:
    try:
        from app.certs.inspect import local_host_names
    except ImportError:
        import socket

        return [socket.gethostname()]
    return list(dict.fromkeys(local_host_names()))


def certificates_folder(data_dir: Path) -> Path:
    folder = data_dir / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
