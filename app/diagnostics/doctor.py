"""The host doctor: each known way a connector host goes wrong (docs/host-facts.md §1, §4, §7),
checked, with a result and what to do.

Windows-only facts come through `Machine` and `ServiceControl`; elsewhere those checks say
"skipped" with the reason instead of guessing. Nothing here changes the host except
`copy_powershell_resources`, which the user asks for.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import journal
from app.certs.status import CertificateStatus, gather_status
from app.config.document import ConfigDocument
from app.errors import UserError
from app.filestore import atomic_write
from app.host.appconfig import AppConfig
from app.host.layout import HostLayout
from app.host.machine import (
    POWERSHELL_RESOURCE_DLLS,
    Machine,
    account_names,
    default_machine,
    has_full_control,
    local_host_names,
)
from app.host.processes import CommandError
from app.host.service import ServiceControl, ServiceState, default_service_control
from app.hostsecrets.dpapi import Dpapi, default_dpapi
from app.hostsecrets.inspect import SecretStatus, inspect_document
from app.severity import PROBLEMS, Severity

log = logging.getLogger(__name__)
OK, INFO, WARNING, ERROR, SKIPPED = Severity.OK, Severity.INFO, Severity.WARNING, Severity.ERROR, Severity.SKIPPED
MICROSOFT_MINIMUM_TIMER = 120  # the wizard's floor (docs/host-facts.md §3)
COPY_DLLS = "copy-powershell-dlls"


@dataclass
class Check:
    id: str
    title: str
    severity: Severity
    message: str
    action: str = ""
    fix: str | None = None  # an action this tool can do for the user (COPY_DLLS)


@dataclass
class DoctorReport:
    host: str
    checks: list[Check] = field(default_factory=list)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.severity in PROBLEMS]

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "problems": len(self.problems),
                "checks": [vars(c) for c in self.checks]}


CertificateCheck = Callable[[str | None, int | None, bool], CertificateStatus]


def default_certificate_check(configured: str | None, port: int | None, probe: bool, *,
                              host_root: Path | None = None) -> CertificateStatus:
    """The certs engineer's status: Windows store when there is one, and the served certificate;
    neither for a host folder on another machine (localhost and the store are this one's)."""
    from app.certs.store import default_store
    from app.host.location import other_machine

    remote = host_root is not None and other_machine(host_root) is not None
    endpoint = ("localhost", port) if probe and port and not remote else None
    return gather_status(configured, host_names=local_host_names(), store=default_store(host_root),
                         endpoint=endpoint)


def is_powershell(library: str) -> bool:
    return "powershell" in (library or "").lower()


def is_generic_sql(library: str) -> bool:
    return "genericsql" in (library or "").lower().replace(" ", "")


class _Doctor:
    def __init__(self, layout: HostLayout, machine: Machine, service: ServiceControl,
                 certificate_check: CertificateCheck, dpapi: Dpapi | None = None):
        self.layout, self.machine, self.service, self.cert = layout, machine, service, certificate_check
        self.dpapi = dpapi
        self.report = DoctorReport(layout.describe())
        self.doc: ConfigDocument  # loaded first thing in run()
        self.service_config: AppConfig | None = None
        self.service_state: ServiceState | None = None
        self.dc: bool | None = None

    def add(self, check_id: str, title: str, severity: Severity, message: str, action: str = "",
            fix: str | None = None) -> None:
        self.report.checks.append(Check(check_id, title, severity, message, action, fix))

    def by_id(self, check_id: str) -> Check | None:
        return next((c for c in self.report.checks if c.id == check_id), None)

    def run(self) -> DoctorReport:
        self.doc = ConfigDocument.load(self.layout.config_path)
        path = self.layout.service_config_path
        if path is not None and path.exists():
            try:
                self.service_config = AppConfig.load(path)
            except UserError as exc:  # a finding: the checks that do not need the file still run
                self.add("service-config", "Service .exe.config", ERROR, f"{exc.sentence()}",
                         "Repair the file (restore a backup: ecma-wizard backups list), then restart "
                         "the service; the service cannot start with it as it is.")
        for step in (self.install, self.service_check, self.event_log, self.domain_controller,
                     self.powershell_dlls, self.execution_policy, self.cache_acls, self.debug,
                     self.levels, self.verbose_sql, self.port, self.certificate, self.cloud_sync,
                     self.autosync, self.secrets, self.half_deployed):
            step()
        log.info("doctor on %s: %d check(s), problems: %s", self.report.host, len(self.report.checks),
                 ", ".join(c.id for c in self.report.problems) or "none")
        return self.report

    # -- checks --------------------------------------------------------------------------------
    def install(self) -> None:
        layout = self.layout
        if layout.is_sample:
            self.add("install", "ECMA2Host installed", INFO, "No ECMA2Host install was found; these checks "
                     f"ran on {layout.describe()}.", "Run the doctor on the connector host, or name an "
                     "install folder with --host-dir.")
        elif layout.root is None:
            self.add("install", "ECMA2Host installed", INFO, f"Only {layout.config_path} was named; the "
                     "checks of the install folder were skipped.", "Name the install folder with --host-dir.")
        else:
            version = self.machine.host_version(layout.root)
            shown = f"version {version}" if version else "version unknown"
            why = f" ({self.machine.unavailable_reason})" if not version and self.machine.unavailable_reason else ""
            self.add("install", "ECMA2Host installed", OK, f"Installed at {layout.root}, {shown}{why}.")

    def service_check(self) -> None:
        title = "Service"
        if not self.service.available():
            self.add("service", title, SKIPPED, self.service.unavailable_reason or "Unavailable here.")
            return
        try:
            status = self.service.status()
        except CommandError as exc:
            self.add("service", title, WARNING, exc.sentence(), "Run the doctor elevated.")
            return
        self.service_state = status.state
        if status.state is ServiceState.RUNNING:
            self.add("service", title, OK, status.sentence())
        elif status.state is ServiceState.NOT_INSTALLED:
            self.add("service", title, ERROR, status.sentence(), "Reinstall the ECMA Connector Host "
                     "(if it says 'The specified service already exists', an earlier uninstall failed).")
        else:
            self.add("service", title, WARNING, status.sentence() + " Entra cannot reach the connectors.",
                     "Start it: ecma-wizard service start (a start runs a full import).")

    def domain_controller(self) -> None:
        self.dc = self.machine.is_domain_controller()
        title = "Domain controller"
        if self.dc is None:
            self.add("domain-controller", title, SKIPPED, _unknown(self.machine))
        elif self.dc:
            self.add("domain-controller", title, WARNING, "This machine is a domain controller. The host is "
                     "known to fail there ('Unable to find Windows PowerShell 5.1 libraries').",
                     "Move the host to a member server; meanwhile check the PowerShell DLLs below.")
        else:
            self.add("domain-controller", title, OK, "This machine is not a domain controller.")

    def powershell_dlls(self) -> None:
        title = "PowerShell 5.1 resource DLLs"
        connectors = [c.name for c in self.doc.connectors if is_powershell(c.library_name)]
        if not connectors or self.layout.ecma_dir is None:
            self.add("powershell-dlls", title, OK if connectors == [] else SKIPPED,
                     "No PowerShell connector on this host." if not connectors else
                     "The install folder is unknown; name it with --host-dir.")
            return
        missing = missing_powershell_resources(self.layout, connectors)
        if not missing:
            self.add("powershell-dlls", title, OK, "The three resource DLLs are in Service\\ECMA and in "
                     f"the cache folder of {', '.join(connectors)}.")
            return
        where = "; ".join(f"{_short(self.layout, folder)} ({_which(names)})" for folder, names in missing.items())
        found = self.machine.winsxs_resources()
        action = ("Copy them from C:\\Windows\\WinSxS (ecma-wizard doctor --copy-powershell-dlls), with the "
                  "service stopped." if len(found) == len(POWERSHELL_RESOURCE_DLLS) else
                  "Find them under C:\\Windows\\WinSxS on a Windows host and copy them there.")
        severity = WARNING if self.dc else INFO
        self.add("powershell-dlls", title, severity, f"Not in {where}. Where Windows does not provide them "
                 "(often on a domain controller) the PowerShell connector fails with 'Unable to find Windows "
                 "PowerShell 5.1 libraries'.", action,
                 COPY_DLLS if len(found) == len(POWERSHELL_RESOURCE_DLLS) else None)

    def cache_acls(self) -> None:
        title = "Cache folder permissions"
        folders = [d for c in self.doc.connectors if (d := self.layout.cache_dir(c.name)) and d.is_dir()]
        if not folders:
            self.add("cache-acl", title, SKIPPED, "No connector cache folder exists yet (the service "
                     "creates them at its first start).")
            return
        if self.machine.unavailable_reason:
            self.add("cache-acl", title, SKIPPED, _unknown(self.machine))
            return
        account = None
        if self.service.available():
            try:
                account = self.service.status().account
            except CommandError:
                account = None
        names = account_names(account)
        lacking, unknown = [], []
        for folder in folders:
            entries = self.machine.acl(folder)
            verdict = has_full_control(entries, names) if entries is not None else None
            if verdict is None:
                unknown.append(folder)
            elif not verdict:
                lacking.append(folder)
        network_service = names == account_names(None)
        who = "Network Service" if network_service else account
        # icacls takes a SID with '*': immune to the localised name of Network Service
        grantee = "*S-1-5-20" if network_service else account
        if lacking:
            grant = " ; ".join(f'icacls "{f}" /grant "{grantee}:(OI)(CI)F" /T' for f in lacking)
            self.add("cache-acl", title, ERROR, f"{who} lacks full control of "
                     f"{', '.join(_short(self.layout, f) for f in lacking)}: the connector fails with "
                     "'Could not load file or assembly ... Access is denied'.", f"Run elevated: {grant}")
        elif unknown:
            self.add("cache-acl", title, INFO, f"Could not tell whether {who} has full control of "
                     f"{', '.join(_short(self.layout, f) for f in unknown)} (icacls printed no entry for it).",
                     "Check the folder's Security tab: the service account needs Full control.")
        else:
            self.add("cache-acl", title, OK, f"{who} has full control of every connector cache folder.")

    def debug(self) -> None:
        title = "Authentication (Debug setting)"
        if self.service_config is None:
            why = "could not be read (see its finding)" if self.by_id("service-config") else "was not found"
            self.add("debug", title, SKIPPED, f"The service's .exe.config {why}.")
        elif self.service_config.debug:
            self.add("debug", title, ERROR, "Debug=true in Microsoft.ECMA2Host.Service.exe.config: the SCIM "
                     "endpoint accepts requests WITHOUT authentication.",
                     "Set Debug back to false and restart the service; nothing in this tool needs it.")
        else:
            self.add("debug", title, OK, "Debug is off: every SCIM request needs the connector's token.")

    def levels(self) -> None:
        bad = {}
        for role, path in (("service", self.layout.service_config_path), ("wizard", self.layout.wizard_config_path)):
            if path is None or not path.exists():
                continue
            config = self.service_config
            if role == "wizard":
                try:
                    config = AppConfig.load(path)
                except UserError as exc:
                    self.add("wizard-config", "Wizard .exe.config", WARNING, exc.sentence(),
                             "Repair the file or restore a backup; Microsoft's wizard needs it to start.")
                    continue
            if config is not None:
                bad.update({f"{path.name} {s}": v for s, v in config.bad_levels().items()})
        if bad:
            self.add("log-levels", "Logging levels readable", ERROR, "switchValue is case sensitive; the "
                     f"service cannot read: {', '.join(f'{k}={v!r}' for k, v in bad.items())}.",
                     "Set a level: ecma-wizard logging set Information.")

    def verbose_sql(self) -> None:
        sql = [c.name for c in self.doc.connectors if is_generic_sql(c.library_name)]
        config = self.service_config
        if not sql or config is None:
            return
        verbose = config.switch_value("ConnectorsLog") == "Verbose" or bool(config.write_verbose_log)
        if verbose:
            uses = f"{sql[0]} uses" if len(sql) == 1 else f"{', '.join(sql)} use"
            self.add("verbose-sql", "Verbose logging with Generic SQL", WARNING, "Verbose logging is on and "
                     f"{uses} Generic SQL: without integrated authentication the connection "
                     "string, with its password, is written to the event log.",
                     "Lower the level once done: ecma-wizard logging set Information.")
        else:
            self.add("verbose-sql", "Verbose logging with Generic SQL", OK, "Verbose logging is off.")

    def port(self) -> None:
        title = "Port matches UrlHost"
        configured = self.doc.setting.port.strip()
        url_port = self.service_config.url_port if self.service_config else None
        if self.service_config is None or url_port is None:
            self.add("port", title, SKIPPED, "UrlHost was not found in the service's .exe.config.")
        elif configured != str(url_port):
            self.add("port", title, ERROR, f"<Setting><Port> is {configured or '(empty)'} but UrlHost "
                     f"({self.service_config.url_host}) listens on {url_port}.", "Make them the same, "
                     "then restart the service (and update Entra's Tenant URL if the port changed).")
        else:
            self.add("port", title, OK, f"Both name port {url_port}.")

    def certificate(self) -> None:
        title = "Certificate"
        setting = self.doc.setting
        port = int(setting.port) if setting.port.strip().isdigit() else None
        probe = not self.layout.is_sample and self.service_state is ServiceState.RUNNING
        try:
            status = self.cert(setting.certificate or None, port, probe)
        except UserError as exc:
            self.add("certificate", title, WARNING, exc.sentence())
            return
        errors = [f for f in status.findings if f.severity is ERROR]
        warnings = [f for f in status.findings if f.severity is WARNING]
        worst = errors or warnings
        if worst:
            self.add("certificate", title, ERROR if errors else WARNING, " ".join(f.message for f in worst),
                     " ".join(dict.fromkeys(f.action for f in worst if f.action)))
        elif status.certificate is None:
            self.add("certificate", title, INFO, f"Configured thumbprint {status.configured_thumbprint}; "
                     "the certificate itself was not examined (no Windows certificate store here, and no "
                     "running endpoint was probed).",
                     "Run the doctor on the host with the service running, or: ecma-wizard cert status.")
        else:
            info = status.certificate
            self.add("certificate", title, OK, f"{info.thumbprint}, valid until {info.not_after:%Y-%m-%d}.")

    def event_log(self) -> None:
        title = "Event log ECMA2Host"
        found = self.machine.event_log_registered()
        if found is None:
            self.add("event-log", title, SKIPPED, _unknown(self.machine))
        elif found:
            self.add("event-log", title, OK, "The ECMA2Host event log is registered.")
        else:
            self.add("event-log", title, WARNING, "The ECMA2Host event log is not registered, so the host's "
                     "errors are written nowhere you can read them. Microsoft's wizard creates it only "
                     "when it is run as administrator.", "Run Microsoft's ECMA2Host configuration wizard "
                     "once as administrator (right-click, Run as administrator), then restart the service.")

    def execution_policy(self) -> None:
        users = [c.name for c in self.doc.connectors if "powershell" in (c.library_name or "").lower()]
        if not users:
            return
        title = "PowerShell execution policy"
        policy = self.machine.execution_policy()
        if policy is None:
            self.add("execution-policy", title, SKIPPED, _unknown(self.machine))
        elif policy in ("Restricted", "AllSigned", "Undefined", "Default"):
            self.add("execution-policy", title, WARNING, f"The execution policy is {policy}: the scripts of "
                     f"{', '.join(users)} may be refused ('running scripts is disabled on this system').",
                     "Allow them: Set-ExecutionPolicy RemoteSigned -Scope LocalMachine (or sign the "
                     "scripts for AllSigned).")
        else:
            self.add("execution-policy", title, OK, f"{policy}: the PowerShell connector's scripts may run.")

    def cloud_sync(self) -> None:
        # The provisioning agent is what calls the host, so it is on every ECMA host; only one also
        # registered for Cloud Sync is a problem, and that cannot be told from outside it yet.
        title = "Provisioning agent"
        found = self.machine.cloud_sync_agent_installed()
        if found is None:
            self.add("cloud-sync", title, SKIPPED, _unknown(self.machine))
        elif found:
            self.add("cloud-sync", title, INFO, "The Microsoft Entra provisioning agent is installed: it is "
                     "what calls this host. Rule: one agent must not serve both Cloud Sync and on-premises "
                     "app provisioning; whether this one also serves Cloud Sync is not checked.",
                     "If the same agent is also registered for Cloud Sync, give Cloud Sync its own server; "
                     "after an agent update, run ecma-wizard test-connection.")
        else:
            self.add("cloud-sync", title, INFO, "No Microsoft Entra provisioning agent on this host; Entra "
                     "reaches ECMA2Host through that agent, usually installed on the same server.",
                     "Install the provisioning agent (on-premises application provisioning) if Entra "
                     "should reach this host.")

    def secrets(self) -> None:
        if self.doc is None:
            return
        for check in secret_checks(inspect_document(self.doc, self.dpapi)):
            self.report.checks.append(check)

    def autosync(self) -> None:
        fast = [(c.name, c.autosync_minutes) for c in self.doc.connectors
                if c.autosync_minutes is not None and c.autosync_minutes < MICROSOFT_MINIMUM_TIMER]
        if fast:
            listing = ", ".join(f"{n} every {m} min" for n, m in fast)
            self.add("autosync", "Autosync timers", INFO, f"Below Microsoft's 120-minute minimum: {listing}. "
                     "Fine while developing; Microsoft's wizard shows an error about it, "
                     "which can be ignored.", "For production, consider 120 minutes or more.")


    def half_deployed(self) -> None:
        from app.diagnostics.deploycheck import deploy_checks  # here: it builds on this module's Check

        self.report.checks.extend(deploy_checks(self.layout))


def _unknown(machine: Machine) -> str:
    return f"Not checked: {machine.unavailable_reason or 'Windows did not answer'}."


def _which(names: list[str]) -> str:
    if len(names) == len(POWERSHELL_RESOURCE_DLLS):
        return "all three"
    return ", ".join(names)


def secret_checks(statuses: list[SecretStatus]) -> list[Check]:
    """The doctor's findings on secrets (the same classification as `ecma-wizard secrets`): a value
    typed in plain text or unreadable, or one this machine cannot decrypt, is a finding each."""
    title = "Connector secrets"
    out = []
    for s in statuses:
        if s.state == "unreadable":
            out.append(Check("secret", title, ERROR, f"The secret of {s.where} is not a readable encrypted "
                             f"value ({s.reason}).", "Enter it again in the connector's Properties or "
                             "parameter page on the host, then restart the service."))
        elif s.state == "plain":
            out.append(Check("secret", title, WARNING, f"The secret of {s.where} is stored as typed, in plain "
                             "text; the host stores secrets encrypted and may not read it.",
                             "Enter it again in the connector's wizard on the host, then restart the service."))
        elif s.decryptable is False:
            out.append(Check("secret", title, WARNING, f"The secret of {s.where} is encrypted, but this "
                             f"machine cannot decrypt it ({s.reason}); it was likely made on another machine.",
                             "Enter it again on this host (DPAPI ties it to the machine that encrypted it)."))
    if not out:
        encrypted = sum(1 for s in statuses if s.state == "encrypted")
        note = " This machine can decrypt them." if statuses and all(
            s.decryptable for s in statuses if s.state == "encrypted") and encrypted else ""
        out.append(Check("secret", title, OK, f"{encrypted} secret(s) are encrypted values, "
                         f"{len(statuses) - encrypted} empty; none is plain text or unreadable.{note}"))
    return out


def _short(layout: HostLayout, folder: Path) -> str:
    try:
        return str(folder.relative_to(layout.root)) if layout.root else str(folder)
    except ValueError:
        return str(folder)


def missing_powershell_resources(layout: HostLayout, connectors: list[str]) -> dict[Path, list[str]]:
    """Folder -> the resource DLLs it lacks: Service\\ECMA and each PowerShell connector's cache."""
    folders = [layout.ecma_dir] + [layout.cache_dir(n) for n in connectors]
    missing: dict[Path, list[str]] = {}
    for folder in folders:
        if folder is None:
            continue
        present = {p.name.lower() for p in folder.iterdir()} if folder.is_dir() else set()
        lacks = [n for n in POWERSHELL_RESOURCE_DLLS if n.lower() not in present]
        if lacks:
            missing[folder] = lacks
    return missing


def copy_powershell_resources(layout: HostLayout, machine: Machine) -> list[Path]:
    """Copy the DLLs from WinSxS where they are missing (the known fix, docs/host-facts.md §7); returns the new files."""
    doc = ConfigDocument.load(layout.config_path)
    connectors = [c.name for c in doc.connectors if is_powershell(c.library_name)]
    found = machine.winsxs_resources()
    if len(found) < len(POWERSHELL_RESOURCE_DLLS):
        lacking = [n for n in POWERSHELL_RESOURCE_DLLS if n not in found]
        raise UserError(f"C:\\Windows\\WinSxS has no {', '.join(lacking)} here; "
                        f"{machine.unavailable_reason or 'copy them from another Windows Server'}.")
    written: list[Path] = []
    missing = missing_powershell_resources(layout, connectors)
    if not missing:
        return written
    with journal.action("copy PowerShell resource DLLs", layout.root, folders=[str(f) for f in missing]) as step:
        for folder, names in missing.items():
            folder.mkdir(parents=True, exist_ok=True)
            for name in names:
                atomic_write(folder / name, found[name].read_bytes())
                written.append(folder / name)
        step.note(files=len(written))
    return written


def run_doctor(layout: HostLayout, *, machine: Machine | None = None, service: ServiceControl | None = None,
               certificate_check: CertificateCheck | None = None, dpapi: Dpapi | None = None) -> DoctorReport:
    return _Doctor(layout, machine or default_machine(), service or default_service_control(host_root=layout.root),
                   certificate_check or functools.partial(default_certificate_check, host_root=layout.root),
                   dpapi or default_dpapi()).run()
