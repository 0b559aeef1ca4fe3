"""The host doctor on a copy of the sample host, with scripted Windows facts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.certs.status import CertificateStatus, Finding
from app.diagnostics.doctor import COPY_DLLS, copy_powershell_resources, run_doctor
from app.errors import UserError
from app.host.appconfig import AppConfigStore
from app.host.layout import from_host_dir
from app.host.machine import POWERSHELL_RESOURCE_DLLS, AclEntry, Machine, UnavailableMachine
from app.host.service import ServiceControl, ServiceState, ServiceStatus, UnavailableServiceControl
from app.hostsecrets.dpapi import default_dpapi
from app.severity import Severity


class FakeMachine(Machine):
    def __init__(self, dc=False, cloud_sync=False, acl_full=True, winsxs=None, version="1.0.502.0",
                 event_log=True, policy="RemoteSigned"):
        self.dc, self.cloud_sync, self.acl_full, self.winsxs, self.version = dc, cloud_sync, acl_full, winsxs, version
        self.event_log, self.policy = event_log, policy
        self.acl_asked: list[Path] = []

    def event_log_registered(self):
        return self.event_log

    def execution_policy(self):
        return self.policy

    unavailable_reason = None

    def is_domain_controller(self):
        return self.dc

    def cloud_sync_agent_installed(self):
        return self.cloud_sync

    def acl(self, folder):
        self.acl_asked.append(folder)
        rights = ("OI", "CI", "F") if self.acl_full else ("OI", "CI", "RX")
        return [AclEntry("NT AUTHORITY\\NETWORK SERVICE", rights), AclEntry("BUILTIN\\Administrators", ("F",))]

    def host_version(self, root):
        return self.version

    def winsxs_resources(self):
        return dict(self.winsxs or {})


class FakeService(ServiceControl):
    def __init__(self, state=ServiceState.RUNNING):
        self.state = state

    def available(self) -> bool:

        return True
    unavailable_reason = None

    def status(self):
        return ServiceStatus("Microsoft.ECMA2Host", "Microsoft ECMA2Host", self.state, 42,
                             "NT AUTHORITY\\NetworkService")

    def start(self, progress=None):
        raise AssertionError("the doctor never starts the service")

    stop = start


def cert_ok(configured, port, probe):
    from app.certs.generate import GenerationRequest, KeySpec, generate

    info = generate(GenerationRequest(("localhost",), KeySpec.P256, 730)).info()
    return CertificateStatus(configured, info, None, ("localhost",))


def cert_expired(configured, port, probe):
    status = cert_ok(configured, port, probe)
    status.findings.append(Finding(Severity.ERROR, "expired", "The certificate expired on 2024-01-01.", "Regenerate."))
    return status


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


def by_id(report):
    return {c.id: c for c in report.checks}


def quiet_levels(host):
    store = AppConfigStore(host.service_config_path)
    config = store.load()
    config.set_switch_value("ConnectorsLog", "Information")
    store.save(config)


def test_a_healthy_windows_host_has_no_problems(host, tmp_path):
    quiet_levels(host)
    dlls = {}
    for name in POWERSHELL_RESOURCE_DLLS:
        for folder in (host.ecma_dir, host.cache_dir("CSV")):
            (folder / name).write_bytes(b"MZ")
        dlls[name] = host.ecma_dir / name
    # the sample's secrets are stand-ins no machine can decrypt: DPAPI is left out of a healthy host
    report = run_doctor(host, machine=FakeMachine(), service=FakeService(), certificate_check=cert_ok,
                        dpapi=default_dpapi("linux"))
    assert report.problems == [], [(c.id, c.message) for c in report.problems]
    checks = by_id(report)
    assert checks["install"].message.endswith("version 1.0.502.0.")
    assert checks["service"].severity == "ok" and checks["certificate"].severity == "ok"
    assert checks["autosync"].severity == "info" and "HRDatabase every 30 min" in checks["autosync"].message
    assert {c.severity for c in report.checks} <= {"ok", "info"}


def test_each_known_problem_is_found_with_what_to_do(host):
    store = AppConfigStore(host.service_config_path)
    config = store.load()
    config.set_app_setting("Debug", "true")
    config.set_app_setting("UrlHost", "http://*:9443/ecma2host")
    store.save(config)
    wizard = host.wizard_config_path
    wizard.write_bytes(wizard.read_bytes().replace(b'switchValue="Error"', b'switchValue="error"', 1))
    report = run_doctor(host, machine=FakeMachine(dc=True, cloud_sync=True, acl_full=False),
                        service=FakeService(ServiceState.STOPPED), certificate_check=cert_expired)
    checks = by_id(report)
    expected = {"service": "warning", "domain-controller": "warning", "powershell-dlls": "warning",
                "cache-acl": "error", "debug": "error", "log-levels": "error", "verbose-sql": "warning",
                "port": "error", "certificate": "error", "cloud-sync": "info"}
    assert {k: checks[k].severity for k in expected} == expected
    assert "WITHOUT authentication" in checks["debug"].message
    assert "9443" in checks["port"].message and "8585" in checks["port"].message
    assert "connection string" in checks["verbose-sql"].message
    assert "icacls" in checks["cache-acl"].action and '"*S-1-5-20:(OI)(CI)F"' in checks["cache-acl"].action
    assert checks["cache-acl"].message.startswith("Network Service lacks full control")
    assert "'error'" in checks["log-levels"].message
    assert "service start" in checks["service"].action
    assert checks["powershell-dlls"].fix is None  # nothing found in WinSxS to copy
    assert all(c.action for c in report.problems)


def test_nothing_suggests_switching_authentication_off(host):
    report = run_doctor(host, machine=UnavailableMachine("linux"), service=UnavailableServiceControl("linux"),
                        certificate_check=cert_ok)
    text = " ".join(c.message + " " + c.action for c in report.checks if c.id != "debug").lower()
    assert "debug" not in text.replace(str(host.root).lower(), "")  # docs/host-facts.md §4: never suggest Debug=true
    assert by_id(report)["debug"].severity == "ok"


def test_elsewhere_windows_checks_are_skipped_with_the_reason(host):
    report = run_doctor(host, machine=UnavailableMachine("linux"), service=UnavailableServiceControl("linux"),
                        certificate_check=cert_ok)
    checks = by_id(report)
    for key in ("service", "domain-controller", "cache-acl", "cloud-sync"):
        assert checks[key].severity == "skipped" and "Windows" in checks[key].message


def test_the_certificate_is_probed_only_when_the_service_runs(host):
    calls = []

    def record(configured, port, probe):
        calls.append((configured, port, probe))
        return cert_ok(configured, port, probe)

    run_doctor(host, machine=FakeMachine(), service=FakeService(ServiceState.RUNNING), certificate_check=record)
    run_doctor(host, machine=FakeMachine(), service=FakeService(ServiceState.STOPPED), certificate_check=record)
    assert calls == [("3F6D1C0A9B8E7D6C5B4A39281706F5E4D3C2B1A0", 8585, True),
                     ("3F6D1C0A9B8E7D6C5B4A39281706F5E4D3C2B1A0", 8585, False)]


def test_copy_powershell_dlls_from_winsxs(host, tmp_path):
    sxs = tmp_path / "sxs"
    sxs.mkdir()
    found = {}
    for name in POWERSHELL_RESOURCE_DLLS:
        (sxs / name).write_bytes(name.encode())
        found[name] = sxs / name
    machine = FakeMachine(dc=True, winsxs=found)
    report = run_doctor(host, machine=machine, service=FakeService(), certificate_check=cert_ok)
    assert by_id(report)["powershell-dlls"].fix == COPY_DLLS
    written = copy_powershell_resources(host, machine)
    assert len(written) == 6  # three DLLs into Service\ECMA and into the CSV cache folder
    assert (host.cache_dir("CSV") / POWERSHELL_RESOURCE_DLLS[0]).read_bytes() == POWERSHELL_RESOURCE_DLLS[0].encode()
    assert not (host.cache_dir("HRDatabase") / POWERSHELL_RESOURCE_DLLS[0]).exists()  # SQL needs none
    assert copy_powershell_resources(host, machine) == []
    from app import journal

    (copied,) = journal.read_journal().actions  # the copy is a change to the host: journaled once
    assert copied.action == "copy PowerShell resource DLLs" and copied.details["files"] == 6
    report = run_doctor(host, machine=machine, service=FakeService(), certificate_check=cert_ok)
    assert by_id(report)["powershell-dlls"].severity == "ok"


def test_copy_without_winsxs_copies_is_one_sentence(host):
    with pytest.raises(UserError, match="WinSxS has no"):
        copy_powershell_resources(host, UnavailableMachine("linux"))


def test_report_json_shape(host):
    report = run_doctor(host, machine=FakeMachine(), service=FakeService(), certificate_check=cert_ok)
    data = report.to_json()
    assert data["problems"] == len(report.problems)
    assert {"id", "title", "severity", "message", "action", "fix"} <= set(data["checks"][0])


@pytest.mark.parametrize("present", [True, False])
def test_the_provisioning_agent_is_never_worse_than_an_info_note(host, present):
    report = run_doctor(host, machine=FakeMachine(cloud_sync=present), service=FakeService(ServiceState.RUNNING),
                        certificate_check=cert_ok)
    check = by_id(report)["cloud-sync"]
    assert check.severity == "info"
    assert ("Cloud Sync" in check.message) == present and check.action


def test_a_missing_event_log_says_run_microsofts_wizard_as_administrator(host):
    report = run_doctor(host, machine=FakeMachine(event_log=False), service=FakeService(ServiceState.RUNNING),
                        certificate_check=cert_ok)
    check = by_id(report)["event-log"]
    assert check.severity == "warning" and "administrator" in check.action
    ok = run_doctor(host, machine=FakeMachine(), service=FakeService(ServiceState.RUNNING), certificate_check=cert_ok)
    assert by_id(ok)["event-log"].severity == "ok"


@pytest.mark.parametrize("policy,severity", [("Restricted", "warning"), ("AllSigned", "warning"),
                                             ("RemoteSigned", "ok"), ("Bypass", "ok"), (None, "skipped")])
def test_the_execution_policy_must_let_the_powershell_connectors_scripts_run(host, policy, severity):
    report = run_doctor(host, machine=FakeMachine(policy=policy), service=FakeService(ServiceState.RUNNING),
                        certificate_check=cert_ok)
    check = by_id(report)["execution-policy"]  # the sample host has a PowerShell connector (CSV)
    assert check.severity == severity
    if severity == "warning":
        assert "CSV" in check.message and "RemoteSigned" in check.action


def test_an_unreadable_exe_config_is_a_finding_and_the_other_checks_still_run(host):
    host.service_config_path.write_bytes(b"<configuration><appSettings>")
    host.wizard_config_path.write_bytes(b"not xml at all")
    report = run_doctor(host, machine=FakeMachine(), service=FakeService(ServiceState.RUNNING),
                        certificate_check=cert_ok)
    checks = by_id(report)
    assert checks["service-config"].severity == "error"
    assert str(host.service_config_path) in checks["service-config"].message
    assert checks["wizard-config"].severity == "warning"
    assert checks["debug"].severity == "skipped" and "could not be read" in checks["debug"].message
    assert {"service", "event-log", "certificate", "cache-acl", "cloud-sync"} <= set(checks)
