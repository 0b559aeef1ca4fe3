"""A host folder on another machine (a jump host with \\\\server\\c$ open): service and certificate
actions answer for this machine, so they refuse in one sentence; a deploy whose service cannot be
controlled is refused; and a failed copy that never touched its target is not reported as lost."""

from __future__ import annotations

from pathlib import PureWindowsPath

import pytest

from app.certs.status import gather_status
from app.certs.store import default_store
from app.config.store import ConfigStore
from app.errors import SaveRefused, UserError
from app.host import deploy
from app.host.deploy import execute, make_plan
from app.host.location import DRIVE_REMOTE, other_machine
from app.host.service import ServiceState, UnavailableServiceControl, default_service_control
from tests.host.test_deploy_dll import SQL, FakeService, host, new_dll, places  # noqa: F401 (fixtures)

REMOTE = r"\\ECMAHOST01\c$\Program Files\Microsoft ECMA2Host"
MINE = ("JUMP01", "jump01.contoso.local")
DRIVE_FIXED = 3  # GetDriveTypeW's answers (Microsoft: "GetDriveTypeW function")


@pytest.mark.parametrize("path,machine", [
    (REMOTE, "ECMAHOST01"),
    (r"\\?\UNC\ecmahost01.contoso.local\share\ECMA2Host", "ecmahost01.contoso.local"),
    ("//ECMAHOST01/c$/Program Files/Microsoft ECMA2Host", "ECMAHOST01"),
    (r"\\jump01\c$\Program Files\Microsoft ECMA2Host", None),
    (r"\\JUMP01.contoso.local\c$\x", None),
    (r"\\localhost\c$\x", None), (r"\\127.0.0.1\c$\x", None),
    (r"\\?\C:\Program Files\Microsoft ECMA2Host", None),
    (r"C:\Program Files\Microsoft ECMA2Host", None),
])
def test_which_folders_are_on_another_machine(path, machine):
    assert other_machine(path, MINE, drive_type=lambda root: DRIVE_FIXED, platform="win32") == machine


def test_a_mapped_drive_is_asked_of_windows():
    asked = []

    def drive_type(root: str) -> int:
        asked.append(root)
        return DRIVE_REMOTE if root == "Z:\\" else DRIVE_FIXED

    assert other_machine(r"Z:\Microsoft ECMA2Host", MINE, drive_type, "win32") == "the network drive Z:"
    assert other_machine(r"C:\Program Files\Microsoft ECMA2Host", MINE, drive_type, "win32") is None
    assert asked == ["Z:\\", "C:\\"]


def test_service_control_refuses_a_remote_host_folder():
    control = default_service_control("win32", host_root=REMOTE)
    assert not control.available()
    assert control.unavailable_reason.startswith(rf"The host folder {REMOTE} is on ECMAHOST01")
    assert "local host only" in control.unavailable_reason
    with pytest.raises(UserError, match="local host only"):
        control.status()


def test_certificate_status_of_a_remote_host_folder_names_the_reason():
    store = default_store(REMOTE)
    assert not store.available()
    status = gather_status("A" * 40, host_names=MINE, store=store)
    assert status.certificate is None
    assert "is on ECMAHOST01, not on this computer" in status.why_unknown()


def test_deploy_where_no_service_is_installed_is_refused(host, new_dll):  # noqa: F811
    """The jump host has no ECMA2Host service: "it was not running" would be a guess."""
    before = {p: p.read_bytes() for p in places(host)}
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    service = FakeService(ServiceState.NOT_INSTALLED)
    with pytest.raises(UserError) as caught:
        execute(plan, service)
    text = caught.value.sentence()
    assert "cannot be controlled" in text and "--without-service" in text and ".." not in text
    assert {p: p.read_bytes() for p in places(host)} == before and service.calls == []
    result = execute(plan, service, without_service=True)
    assert len(result.copied) == 3 and "not touched" in result.service


def test_deploy_to_a_remote_folder_is_refused_in_one_sentence(host, new_dll):  # noqa: F811
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    with pytest.raises(UserError) as caught:
        execute(plan, default_service_control("win32", host_root=REMOTE))
    text = caught.value.sentence()
    assert "local host only" in text and "--without-service" in text and ".." not in text


def test_unavailable_reason_is_not_followed_by_a_second_period(host, new_dll):  # noqa: F811
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    with pytest.raises(UserError) as caught:
        execute(plan, UnavailableServiceControl("linux"))
    assert ".." not in caught.value.sentence()


def test_a_target_that_cannot_be_written_is_not_reported_lost(host, new_dll, monkeypatch):  # noqa: F811
    """Issue: the refused file was counted as written, its "restore" was refused too, and the
    user read "NOT every file could be put back" although every file was intact."""
    before = {p: p.read_bytes() for p in places(host)}
    locked = places(host)[1]  # the cache copy the running service holds open
    real = deploy.atomic_write

    def refusing(path, data, **kw):
        if path == locked:
            raise SaveRefused("was not saved: the file is locked by another program. The file on disk "
                              "is unchanged.", path=path)
        return real(path, data, **kw)

    monkeypatch.setattr(deploy, "atomic_write", refusing)
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    with pytest.raises(UserError) as caught:
        execute(plan, FakeService())
    text = caught.value.sentence()
    assert "every file was put back" in text and "NOT" not in text, text
    assert ".." not in text  # the refusal's own period, then ours: once only
    assert {p: p.read_bytes() for p in places(host)} == before


def test_the_doctor_of_a_remote_host_folder_asks_no_local_service_or_store(monkeypatch):
    """Service and certificate checks for \\\\server\\c$ describe that server or nothing: never
    this machine's service (not installed here) or its store."""
    from app.diagnostics import doctor
    from app.host.layout import HostLayout

    asked = {}
    monkeypatch.setattr(doctor, "_Doctor", lambda layout, machine, service, check, dpapi: type(
        "Done", (), {"run": lambda self: asked.update(service=service, check=check)})())
    root = PureWindowsPath(REMOTE)
    doctor.run_doctor(HostLayout(config_path=root / "Service" / "Configuration" / "Configuration.xml",
                                 root=root))
    assert not asked["service"].available() and "local host only" in asked["service"].unavailable_reason
    status = asked["check"]("A" * 40, 8585, True)
    assert status.served is None and "not on this computer" in status.why_unknown()
