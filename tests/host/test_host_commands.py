"""`ecma-wizard logging show|set` and `ecma-wizard service ...` from the command line."""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from app.cli import host as commands
from app.cli import main
from app.host.appconfig import logging_levels
from app.host.layout import from_host_dir
from app.host.service import ServiceState, ServiceStatus, UnavailableServiceControl


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_logging_show(host, capsys):
    code, out, _ = run(capsys, "logging", "show", "--host-dir", str(host.root))
    assert code == 0
    assert "ConnectorsLog  Verbose" in out and "ECMA2Host      Information" in out
    code, out, _ = run(capsys, "logging", "show", "--host-dir", str(host.root), "--json")
    data = json.loads(out)
    assert [d["role"] for d in data] == ["service", "wizard"]
    assert data[0]["levels"]["ConnectorsLog"] == "Verbose" and data[0]["write_verbose_log"] is False


def test_logging_set_and_restart_hint(host, capsys):
    code, out, _ = run(capsys, "logging", "set", "warning", "--host-dir", str(host.root))
    assert code == 0 and out.count("saved ") == 2 and "service restart" in out
    assert all(set(f.levels.values()) == {"Warning"} for f in logging_levels(host))
    code, out, _ = run(capsys, "logging", "set", "Warning", "--host-dir", str(host.root))
    assert code == 0 and out.count("unchanged ") == 2 and "service restart" not in out


def test_logging_set_rejects_an_unknown_level(host, capsys):
    before = host.service_config_path.read_bytes()
    code, _, err = run(capsys, "logging", "set", "Debug", "--host-dir", str(host.root))
    assert code == 2 and "not a logging level" in err
    assert host.service_config_path.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the real service control is used")
def test_service_commands_say_they_need_the_host(capsys):
    for action in ("status", "start", "stop", "restart"):
        code, out, err = run(capsys, "service", action)
        assert code == 2 and out == ""
        assert "runs only on the Windows connector host" in err


class Scripted(UnavailableServiceControl):
    def available(self) -> bool:
        return True
    unavailable_reason = None

    def __init__(self, state):
        self.state, self.calls = state, []

    def status(self):
        return ServiceStatus("Microsoft.ECMA2Host", "Microsoft ECMA2Host", self.state, 7)

    def start(self, progress=None):
        self.calls.append("start")
        self.state = ServiceState.RUNNING
        progress and progress(self.status())
        return self.status()

    def stop(self, progress=None):
        self.calls.append("stop")
        self.state = ServiceState.STOPPED
        return self.status()

    def restart(self, progress=None):
        self.stop(progress)
        return self.start(progress)


def test_service_commands_with_a_scripted_control(capsys, monkeypatch):
    control = Scripted(ServiceState.STOPPED)
    monkeypatch.setattr(commands, "default_service_control", lambda: control)
    code, out, _ = run(capsys, "service", "status")
    assert code == 1 and "is stopped" in out  # status exits 1 when the service is not running
    code, out, err = run(capsys, "service", "restart")
    assert code == 0 and control.calls == ["stop", "start"]
    assert "is running, process 7" in out and "full import" in out and "running" in err
    code, out, _ = run(capsys, "service", "status", "--json")
    assert code == 0 and json.loads(out)["state"] == "running"
