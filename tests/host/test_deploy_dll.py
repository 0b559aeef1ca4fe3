"""Updating a connector DLL: every copy (ECMA, Cache, AutosyncService), service stopped, backed up,
rolled back on any failure."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct

import pytest

from app.cli import main
from app.config.store import ConfigStore
from app.errors import UserError
from app.filestore import SaveRefused
from app.host import deploy
from app.host.deploy import execute, make_plan
from app.host.dlls import file_version, read_dll
from app.host.layout import from_host_dir
from app.host.service import ServiceControl, ServiceState, ServiceStatus, UnavailableServiceControl

SQL = "Microsoft.IAM.Connector.GenericSql.dll"


def fake_pe(version: tuple[int, int, int, int], body: bytes = b"") -> bytes:
    """The bytes of a PE file as far as the version reader looks: 'MZ' and a VS_FIXEDFILEINFO."""
    a, b, c, d = version
    fixed = struct.pack("<IIII", 0xFEEF04BD, 0x00010000, (a << 16) | b, (c << 16) | d)
    return b"MZ" + b"\0" * 62 + body + b"VS_VERSION_INFO\0" + fixed + b"\0" * 40


class FakeService(ServiceControl):
    def __init__(self, state=ServiceState.RUNNING, fail_start_times=0):
        self.state, self.calls, self.fail_start_times = state, [], fail_start_times

    def available(self) -> bool:
        return True

    unavailable_reason = None

    def status(self):
        return ServiceStatus("ECMA2Host", "Microsoft ECMA2Host", self.state, 1, "NetworkService")

    def start(self, progress=None):
        self.calls.append("start")
        if self.fail_start_times:
            self.fail_start_times -= 1
            return ServiceStatus("ECMA2Host", "Microsoft ECMA2Host", ServiceState.STOPPED, None, None)
        self.state = ServiceState.RUNNING
        return self.status()

    def stop(self, progress=None):
        self.calls.append("stop")
        self.state = ServiceState.STOPPED
        return self.status()


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


@pytest.fixture
def new_dll(tmp_path):
    path = tmp_path / "new" / SQL
    path.parent.mkdir()
    path.write_bytes(fake_pe((2, 1, 30, 7), b"new connector code"))
    return path


def places(host, connector="HRDatabase"):
    ecma = host.ecma_dir
    return [ecma / SQL, ecma / "Cache" / connector / SQL, ecma / "Cache" / connector / "AutosyncService" / SQL]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_version_from_the_version_resource():
    assert file_version(fake_pe((1, 2, 3, 4))) == "1.2.3.4"
    assert file_version(b"MZ no resource") is None
    assert file_version(fake_pe((1, 2, 3, 4))[2:]) is None  # not a PE file


def test_plan_names_every_copy_with_old_and_new_facts(host, new_dll):
    doc = ConfigStore(host.config_path).load()
    plan = make_plan(host, doc, new_dll)
    assert plan.connectors == ["HRDatabase"]
    assert [t.path for t in plan.targets] == places(host)
    assert all(t.old is not None and t.old.sha256 == digest(t.path) for t in plan.targets)
    text = "\n".join(plan.lines(host.root))
    assert "2.1.30.7" in text and plan.dll.sha256[:12] in text
    assert "Service/ECMA/Cache/HRDatabase/AutosyncService" in text.replace("\\", "/")


def test_refuses_a_connector_that_uses_another_dll(host, new_dll):
    doc = ConfigStore(host.config_path).load()
    with pytest.raises(UserError, match="Connector 'CSV' uses Microsoft.IAM.Connector.PowerShell, not"):
        make_plan(host, doc, new_dll, ["CSV"])
    with pytest.raises(UserError, match="no connector 'Nope'"):
        make_plan(host, doc, new_dll, ["Nope"])


def test_refuses_a_file_that_is_not_a_dll(host, tmp_path):
    doc = ConfigStore(host.config_path).load()
    bad = tmp_path / SQL
    bad.write_text("hello")
    with pytest.raises(UserError, match="is not a Windows DLL"):
        make_plan(host, doc, bad)


def test_stops_copies_everywhere_backs_up_and_starts(host, new_dll):
    old = {p: p.read_bytes() for p in places(host)}
    service = FakeService()
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    result = execute(plan, service)
    assert service.calls == ["stop", "start"]
    assert all(p.read_bytes() == new_dll.read_bytes() for p in places(host))
    manifest = json.loads((result.backup_folder / "manifest.json").read_text())
    assert sorted(m["original"] for m in manifest) == sorted(str(p) for p in old)
    for m in manifest:
        assert (result.backup_folder / m["copy"]).read_bytes() == old[type(places(host)[0])(m["original"])]
    assert "running again" in result.service
    # the other connector's DLL is untouched
    ps = host.ecma_dir / "Cache" / "CSV" / "Microsoft.IAM.Connector.PowerShell.dll"
    assert b"stand-in" in ps.read_bytes()


def test_a_failed_copy_puts_every_file_back_and_restarts(host, new_dll, monkeypatch):
    old = {p: p.read_bytes() for p in places(host)}
    real = deploy.atomic_write
    count = {"n": 0}

    def flaky(path, data, **kw):
        if path.name == SQL and data == new_dll.read_bytes():
            count["n"] += 1
            if count["n"] == 3:  # the third copy: two are already replaced
                raise SaveRefused("was not saved: the file is in use by another program.", path=path)
        return real(path, data, **kw)

    monkeypatch.setattr(deploy, "atomic_write", flaky)
    service = FakeService()
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    with pytest.raises(UserError) as info:
        execute(plan, service)
    text = info.value.sentence()
    assert "every file was put back" in text and "in use" in text and "started again" in text
    assert all(p.read_bytes() == old[p] for p in places(host))
    assert service.calls == ["stop", "start"] and service.state is ServiceState.RUNNING


def test_a_service_that_does_not_start_rolls_back(host, new_dll):
    old = {p: p.read_bytes() for p in places(host)}
    service = FakeService(fail_start_times=1)
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    with pytest.raises(UserError, match="did not start again"):
        execute(plan, service)
    assert all(p.read_bytes() == old[p] for p in places(host))
    assert service.calls == ["stop", "start", "start"] and service.state is ServiceState.RUNNING


def test_a_new_file_is_removed_on_rollback(host, new_dll, monkeypatch):
    autosync = places(host)[2]
    autosync.unlink()
    monkeypatch.setattr(deploy, "read_dll", lambda path, **kw: (
        read_dll(path, **kw) if path != autosync else (_ for _ in ()).throw(UserError("broken copy"))))
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    assert plan.targets[2].old is None
    with pytest.raises(UserError, match="broken copy"):
        execute(plan, FakeService())
    assert not autosync.exists()


def test_off_the_host_the_service_must_be_named(host, new_dll):
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    with pytest.raises(UserError, match="--without-service"):
        execute(plan, UnavailableServiceControl("linux"))
    assert all(b"stand-in" in p.read_bytes() for p in places(host))
    result = execute(plan, UnavailableServiceControl("linux"), without_service=True)
    assert len(result.copied) == 3 and "not touched" in result.service


def test_cli_dry_run_then_yes(host, new_dll, capsys, monkeypatch):
    monkeypatch.setattr("app.cli.host.default_service_control", lambda **_: UnavailableServiceControl("linux"))
    assert main(["connector", "deploy-dll", str(new_dll), "--host-dir", str(host.root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Connectors using Microsoft.IAM.Connector.GenericSql.dll: HRDatabase" in out
    assert all(b"stand-in" in p.read_bytes() for p in places(host))
    # no terminal and no --yes: refused in one sentence
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["connector", "deploy-dll", str(new_dll), "--host-dir", str(host.root)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["connector", "deploy-dll", str(new_dll), "--host-dir", str(host.root), "--yes",
                 "--without-service", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["plan"]["connectors"] == ["HRDatabase"]
    assert "Copied to 3 place(s)" in captured.err
    assert all(p.read_bytes() == new_dll.read_bytes() for p in places(host))
    # again: every copy is already this DLL
    assert main(["connector", "deploy-dll", str(new_dll), "--host-dir", str(host.root), "--yes",
                 "--without-service"]) == 0
    assert "already this DLL" in capsys.readouterr().out


def test_cli_needs_a_host_folder(tmp_path, host, new_dll, capsys):
    lone = tmp_path / "Configuration.xml"
    shutil.copy(host.config_path, lone)
    assert main(["connector", "deploy-dll", str(new_dll), "--config", str(lone)]) == 2
    assert "install folder" in capsys.readouterr().err


def test_file_version_of_a_real_compiled_dll(tmp_path):
    """mcs writes the same version resource as csc: read it from a DLL compiled here."""
    import subprocess

    from tests.ci import missing_tool

    if not shutil.which("mcs"):
        missing_tool("Mono's mcs is not installed")
    source = tmp_path / "V.cs"
    source.write_text('[assembly: System.Reflection.AssemblyFileVersion("3.4.5.6")]\n'
                      'public class V { }\n')
    out = tmp_path / "V.dll"
    subprocess.run(["mcs", "-target:library", f"-out:{out}", str(source)], check=True, capture_output=True)
    assert read_dll(out).file_version == "3.4.5.6"


def test_an_unexpected_error_still_puts_every_file_back(host, new_dll, monkeypatch):
    old = {p: p.read_bytes() for p in places(host)}
    real = deploy.atomic_write
    calls = {"n": 0}

    def buggy(path, data, **kw):
        if data == new_dll.read_bytes():
            calls["n"] += 1
            if calls["n"] == 3:  # after two copies
                raise KeyError("a bug")
        return real(path, data, **kw)

    monkeypatch.setattr(deploy, "atomic_write", buggy)
    service = FakeService()
    plan = make_plan(host, ConfigStore(host.config_path).load(), new_dll)
    with pytest.raises(UserError, match="every file was put back as it was: an internal error") as info:
        execute(plan, service)
    assert isinstance(info.value.__cause__, KeyError)
    assert all(p.read_bytes() == old[p] for p in places(host))
    assert service.state is ServiceState.RUNNING
