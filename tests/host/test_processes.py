"""One runner for every Windows tool: the right decoding, secrets in the environment only."""

from __future__ import annotations

import subprocess

import pytest

from app.host import processes
from app.host.processes import CommandError, run_command


@pytest.fixture
def seen(monkeypatch):
    calls = []

    def fake_run(argv, **kw):
        calls.append((argv, kw))
        return subprocess.CompletedProcess(argv, 0, "out", "")

    monkeypatch.setattr(processes.subprocess, "run", fake_run)
    return calls


def test_windows_tools_are_read_in_the_oem_code_page_and_our_powershell_as_utf8(seen, monkeypatch):
    monkeypatch.setattr(processes.sys, "platform", "win32")
    run_command(["sc.exe", "query"])
    run_command(processes.powershell("Get-Date"))
    assert [kw["encoding"] for _, kw in seen] == ["oem", "utf-8-sig"]
    assert "[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)" in seen[1][0][-1]


def test_a_bom_before_powershell_output_is_not_part_of_the_first_value(monkeypatch):
    """PowerShell 5.1 with [Text.Encoding]::UTF8 writes EF BB BF first: the service name looked
    up by display name must not start with U+FEFF (sc.exe would call it not installed)."""
    def powershell_writing_a_bom(argv, **kw):
        out = "\ufeffMicrosoft.ECMA2Host\r\n".encode("utf-8")
        return subprocess.CompletedProcess(argv, 0, out.decode(kw["encoding"], kw["errors"]), "")

    monkeypatch.setattr(processes.sys, "platform", "win32")
    monkeypatch.setattr(processes.subprocess, "run", powershell_writing_a_bom)
    from app.host.service import lookup_command, parse_lookup

    assert parse_lookup(run_command(lookup_command()).stdout) == "Microsoft.ECMA2Host"


def test_a_secret_goes_to_the_childs_environment_never_argv(seen):
    result = run_command(["tool"], secret_env={"PASS_ENV": "s3cret"})
    argv, kw = seen[0]
    assert kw["env"]["PASS_ENV"] == "s3cret" and "s3cret" not in " ".join(argv)
    assert result.stdout == "out"


def test_a_missing_tool_and_a_timeout_are_one_sentence(monkeypatch):
    def missing(argv, **kw):
        raise FileNotFoundError

    monkeypatch.setattr(processes.subprocess, "run", missing)
    with pytest.raises(CommandError, match="netsh was not found"):
        run_command(["netsh"])

    def slow(argv, **kw):
        raise subprocess.TimeoutExpired(argv, 5)

    monkeypatch.setattr(processes.subprocess, "run", slow)
    with pytest.raises(CommandError, match="did not finish within 5 seconds"):
        run_command(["icacls"], timeout=5)
