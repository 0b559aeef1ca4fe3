"""Render the Diagnostics page to PNG, offscreen, with realistic data on any machine.

Pictures: the page as it looks away from the host (Windows checks skipped, service buttons
disabled with the reason); the page on a Windows host with problems (stand-ins for the machine
and the service, a failed connection test: certificate swapped, token refused); and a passing
connection test with the Last-Successful-* headers. Everything works on a copy of the sample host.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from app.certs.status import CertificateStatus, Finding
from app.diagnostics.connection import ConnectionReport, StepResult
from app.host.layout import HostLayout, config_in, sample_host_copy
from app.host.machine import POWERSHELL_RESOURCE_DLLS, AclEntry, Machine, UnavailableMachine
from app.host.service import ServiceControl, ServiceState, ServiceStatus, UnavailableServiceControl
from app.secrets import SecretStore
from app.severity import Severity

SIZE = (1180, 760)
SERVED = "9B0E51C2D7A4F3E8B6C1D0A9F8E7D6C5B4A39281"


class DemoMachine(Machine):
    """A member server... that is a domain controller with Cloud Sync and a too-strict cache ACL."""

    unavailable_reason = None

    def is_domain_controller(self):
        return True

    def cloud_sync_agent_installed(self):
        return True

    def acl(self, folder):
        full = "HRDatabase" in str(folder)
        return [AclEntry("NT AUTHORITY\\NETWORK SERVICE", ("OI", "CI", "F" if full else "RX")),
                AclEntry("BUILTIN\\Administrators", ("I", "OI", "CI", "F"))]

    def host_version(self, root):
        return "1.0.502.0"

    def winsxs_resources(self):
        return {n: Path(r"C:\Windows\WinSxS") / n for n in POWERSHELL_RESOURCE_DLLS}

    def event_log_registered(self):
        return False  # Microsoft's wizard was not run as administrator

    def execution_policy(self):
        return "Restricted"


class DemoService(ServiceControl):
    def available(self) -> bool:
        return True
    unavailable_reason = None

    def status(self):
        return ServiceStatus("Microsoft.ECMA2Host", "Microsoft ECMA2Host", ServiceState.RUNNING, 5124,
                             "NT AUTHORITY\\NetworkService")

    def start(self, progress=None):
        return self.status()

    stop = start


class _NoKeyring:
    name = "demo"

    def __init__(self):
        self.values = {}

    def probe(self):
        return None

    def get(self, service, key):
        return self.values.get(key)

    def set(self, service, key, value):
        self.values[key] = value

    def delete(self, service, key):
        return self.values.pop(key, None) is not None


def _expired_certificate(configured, port, probe):
    status = CertificateStatus(configured, None, None, ("ecmahost",))
    status.findings.append(Finding(Severity.ERROR, "thumbprint-mismatch", f"The endpoint serves certificate "
                                   f"{SERVED}, but the configuration names {configured}; Entra will see "
                                   "the served one.", "Update the HTTP.sys binding or the configuration, "
                                   "then restart the service."))
    return status


def _step(step, title, outcome, message, fix="", ms=None):
    return StepResult(step, title, outcome, message, fix, ms)


def failed_report(target):
    report = ConnectionReport(target)
    report.steps = [
        _step("connect", "Connect", "pass", f"{target.host}:{target.port} accepts connections.", ms=0.8),
        _step("tls", "TLS handshake", "pass", "Handshake done (TLSv1.2).", ms=14.2),
        _step("certificate", "Certificate", "fail",
              f"The host serves certificate {SERVED}, but Configuration.xml names {target.expected_thumbprint}: "
              "Entra sees the served one, and quarantines the application when it changes.",
              "Regenerate the certificate (ecma-wizard cert regenerate), or bind the configured one to the port "
              f"(netsh http update sslcert ipport=0.0.0.0:{target.port} certhash=...), then restart the service "
              "and retest."),
        _step("users", "SCIM Users", "fail", f"GET {target.base_path}/Users?filter=...: HTTP 401 Unauthorized: "
              "the host refused the token.", f"The token differs from the Secret Token of connector "
              f"'{target.connector}' on the host: use the token saved in the host's wizard (the same one "
              "Entra has), or set a new one on both sides.", 31.5),
        _step("schemas", "SCIM Schemas", "fail", f"GET {target.base_path}/Schemas: HTTP 401 Unauthorized: the "
              "host refused the token.", "The token differs from the Secret Token of the connector on the host.",
              22.9),
    ]
    return report


def passed_report(target):
    report = ConnectionReport(target)
    report.steps = [
        _step("connect", "Connect", "pass", f"{target.host}:{target.port} accepts connections.", ms=0.7),
        _step("tls", "TLS handshake", "pass", "Handshake done (TLSv1.2).", ms=12.9),
        _step("certificate", "Certificate", "pass", f"Certificate {target.expected_thumbprint} matches the "
              "configuration, is valid until 2027-03-14 and covers localhost, ecmahost."),
        _step("users", "SCIM Users", "pass", f"GET {target.base_path}/Users?filter=...: HTTP 200 OK, SCIM "
              "ListResponse (0 result(s) for a filter that matches nobody).", ms=48.3),
        _step("schemas", "SCIM Schemas", "pass", f"GET {target.base_path}/Schemas: HTTP 200 OK, 1 schema(s).",
              ms=19.6),
        _step("cache", "Import cache", "warn", f"GET {target.base_path}/cache: HTTP 500 Internal Server "
              "Error: the host is still importing from the connected system.", "Normal for 10-20 minutes "
              "after the agent is assigned or the service restarts: wait, then test again.", 25.1),
    ]
    report.headers = {"Last-Successful-Import": "2025-06-01T10:00:12Z",
                      "Last-Successful-Export": "2025-06-01T10:05:40Z",
                      "Last-Successful-Cache-Change": "2025-06-01T10:06:02Z"}
    return report


def _wait(app, until, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not until() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()


def _grab(app, widget, path: Path) -> Path:
    widget.show()
    _wait(app, lambda: False, 0.2)
    widget.grab().save(str(path))
    return path


def _host_copy(work: Path) -> HostLayout:
    source = sample_host_copy()
    assert source.root is not None  # the sample is a whole host folder
    shutil.copytree(source.root, work / "host")
    return HostLayout(config_in(work / "host"), work / "host")


def screenshots(outdir: Path) -> list[Path]:
    from app.ui.diagnostics.page import DiagnosticsPage
    from app.ui.launch import ensure_app

    app = ensure_app()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="ecma-diagnostics-screens-") as tmp:
        layout = _host_copy(Path(tmp))

        page = DiagnosticsPage(layout, machine=UnavailableMachine("linux"),
                               service=UnavailableServiceControl("linux"), secrets=SecretStore(_NoKeyring()),
                               run_test=lambda t, progress=None: passed_report(t))
        page.resize(*SIZE)
        page.show()
        _wait(app, lambda: page.doctor.report is not None)
        page.connection.token.setText("0123456789abcdef")
        page.connection.start()
        _wait(app, lambda: page.connection.report is not None)
        out.append(_grab(app, page, outdir / "diagnostics-off-host.png"))
        page.close()

        page = DiagnosticsPage(layout, machine=DemoMachine(), service=DemoService(),
                               certificate_check=_expired_certificate, secrets=SecretStore(_NoKeyring()),
                               run_test=lambda t, progress=None: failed_report(t))
        page.resize(*SIZE)
        page.show()
        _wait(app, lambda: page.doctor.report is not None and page.service_view.status is not None)
        page.connection.token.setText("not-the-token")
        page.connection.remember.setChecked(True)
        page.connection.start()
        _wait(app, lambda: page.connection.report is not None)
        out.append(_grab(app, page, outdir / "diagnostics-host-with-problems.png"))
        page.connection.resize(1100, 300)
        out.append(_grab(app, page.connection, outdir / "connection-test-failed.png"))
        page.close()
    return out
