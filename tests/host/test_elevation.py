"""Elevation: a host under Program Files needs the wizard elevated; restarting elevated opens the
same host. The Windows calls (token, ShellExecuteW) are fakes here; the real token is read on
the Windows runner."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.host import elevation

ENV = {"ProgramFiles": r"C:\Program Files", "ProgramW6432": r"C:\Program Files",
       "ProgramFiles(x86)": r"C:\Program Files (x86)"}
HOST = r"C:\Program Files\Microsoft ECMA2Host"


@pytest.mark.parametrize("root,under", [
    (HOST, True), (r"c:\program files\microsoft ecma2host", True),
    (r"C:\Program Files (x86)\Microsoft ECMA2Host", True),
    (r"D:\ECMA2Host", False), (r"C:\Program Files Backup\Microsoft ECMA2Host", False),
    (r"\\server\c$\Program Files\Microsoft ECMA2Host", False),
])
def test_program_files_by_the_environment(root, under):
    assert elevation.under_program_files(root, ENV) is under


def test_a_localized_program_files_comes_from_the_environment():
    env = {"ProgramFiles": r"D:\Programme"}
    assert elevation.under_program_files(r"D:\Programme\Microsoft ECMA2Host", env)
    assert not elevation.under_program_files(HOST, env)


def test_needs_elevation_only_when_known_not_elevated_on_windows():
    assert elevation.needs_elevation(HOST, platform="win32", elevated=False, env=ENV)
    assert not elevation.needs_elevation(HOST, platform="win32", elevated=True, env=ENV)
    assert not elevation.needs_elevation(HOST, platform="linux", elevated=False, env=ENV)
    assert not elevation.needs_elevation(r"D:\ECMA2Host", platform="win32", elevated=False, env=ENV)
    assert not elevation.needs_elevation(None, platform="win32", elevated=False, env=ENV)


def test_is_elevated_reads_the_token_on_windows_only():
    assert elevation.is_elevated("win32", token=lambda: False) is False
    assert elevation.is_elevated("win32", token=lambda: True) is True
    assert elevation.is_elevated("linux", token=lambda: pytest.fail("asked off Windows")) is None


class FakeShellExecute:
    """ShellExecuteW: > 32 when the elevated process started; SE_ERR_ACCESSDENIED (5) when the
    user declines the UAC prompt (Microsoft: "ShellExecuteW function", return value)."""

    def __init__(self, answer: int) -> None:
        self.answer, self.calls = answer, []

    def __call__(self, verb, file, parameters, directory):
        self.calls.append((verb, file, parameters, directory))
        return self.answer


def test_restart_elevated_opens_the_same_host_from_source_and_frozen():
    shell = FakeShellExecute(42)
    assert elevation.restart_elevated(HOST, launch=shell, frozen=False, executable=r"C:\Python311\python.exe") is None
    verb, program, params, _ = shell.calls[0]
    assert (verb, program) == ("runas", r"C:\Python311\python.exe")
    assert params == subprocess.list2cmdline(["-m", "app", "gui", "--host-dir", HOST])
    assert params.endswith('"C:\\Program Files\\Microsoft ECMA2Host"')  # quoted: it has spaces
    frozen = FakeShellExecute(42)
    elevation.restart_elevated(HOST, launch=frozen, frozen=True, executable=r"D:\tools\ecma-wizard.exe")
    assert frozen.calls[0][1:3] == (r"D:\tools\ecma-wizard.exe", subprocess.list2cmdline(["gui", "--host-dir", HOST]))


def test_a_declined_prompt_is_one_sentence():
    assert "declined" in elevation.restart_elevated(HOST, launch=FakeShellExecute(5))
    assert "ShellExecute answered 2" in elevation.restart_elevated(HOST, launch=FakeShellExecute(2))


@pytest.mark.skipif(sys.platform != "win32", reason="the process token exists only on Windows")
def test_real_token_answers():
    assert elevation.is_elevated() in (True, False)
