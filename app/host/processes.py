"""Running Windows tools (sc.exe, netsh, icacls, wevtutil, PowerShell), and whether Microsoft's
wizard is running (close it before editing Configuration.xml by hand: it would overwrite).

One runner for every tool: no console window, a timeout, secrets only in the child's environment
(never argv), and the right decoding. sc.exe, netsh and icacls write in the console's OEM code page
(the umlaut of "NT-AUTORITÄT" must survive); our PowerShell command lines switch PowerShell's
output to UTF-8 without a BOM first, so their output is read as UTF-8 (a BOM, should one come,
is dropped).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.errors import UserError

COMMAND_TIMEOUT = 60.0


class CommandError(UserError):
    """A tool could not be run or failed; the sentence says why and what to do."""


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


# run(argv, timeout, secret_env): what the platform classes call, replaced by fakes in tests
Runner = Callable[..., CommandResult]


def run_command(argv: list[str], timeout: float = COMMAND_TIMEOUT,
                secret_env: Mapping[str, str] | None = None) -> CommandResult:
    """Run a Windows tool without a console window; failures to start become one sentence.
    `secret_env` is added to the child's environment only, never to argv."""
    env = dict(os.environ)
    env.update(secret_env or {})
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    utf8 = sys.platform != "win32" or argv[0].lower() in ("powershell.exe", "pwsh.exe")
    try:
        # utf-8-sig: a BOM at the start (written by a UTF-8 encoding that emits one) is dropped,
        # not read as part of the first value (a service name "\ufeffMicrosoft.ECMA2Host")
        done = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8-sig" if utf8 else "oem",
                              errors="replace", timeout=timeout, creationflags=flags, check=False, env=env)
    except FileNotFoundError:
        raise CommandError(f"{argv[0]} was not found on this system.") from None
    except subprocess.TimeoutExpired:
        raise CommandError(f"{argv[0]} did not finish within {timeout:g} seconds.") from None
    return CommandResult(done.returncode, done.stdout or "", done.stderr or "")


def ps_quote(text: str) -> str:
    """A PowerShell single-quoted string: no user text is ever run as code."""
    return "'" + text.replace("'", "''") + "'"


# [Text.Encoding]::UTF8 emits a BOM (Microsoft: "Encoding.UTF8 property"); UTF8Encoding($false)
# is UTF-8 without one (Microsoft: "UTF8Encoding(Boolean) constructor")
PS_PROLOGUE = ("$ErrorActionPreference = 'Stop'; "
               "[Console]::OutputEncoding = [Text.UTF8Encoding]::new($false); ")  # ::new: PowerShell 5+


def powershell(script: str) -> list[str]:
    """Windows PowerShell 5.1 (what every host has), stopping at the first error, writing UTF-8."""
    return ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
            "-Command", PS_PROLOGUE + script]

WIZARD_IMAGE = "Microsoft.ECMA2Host.ConfigWizard.exe"


def tasklist_command(image: str = WIZARD_IMAGE) -> list[str]:
    return ["tasklist", "/FI", f"IMAGENAME eq {image}", "/FO", "CSV", "/NH"]


def parse_tasklist(output: str, image: str = WIZARD_IMAGE) -> list[int]:
    """PIDs of `image` in `tasklist /FO CSV /NH` output (an INFO line when there are none)."""
    pids = []
    for row in csv.reader(io.StringIO(output)):
        if len(row) >= 2 and row[0].lower() == image.lower() and row[1].strip().isdigit():
            pids.append(int(row[1]))
    return pids


def microsoft_wizard_running() -> bool | None:
    """True/False on Windows; None elsewhere (the wizard only runs on a Windows host)."""
    if sys.platform != "win32":
        return None
    try:
        out = run_command(tasklist_command(), timeout=10).stdout
    except CommandError:
        return None
    return bool(parse_tasklist(out))


def wizard_warnings() -> list[str]:
    """What to say after a save of Configuration.xml while Microsoft's wizard runs (it keeps its
    own copy in memory and would overwrite the change when it saves)."""
    if microsoft_wizard_running():
        return ["Microsoft's ECMA Host Configuration Wizard is running: close it without saving, "
                "or it may overwrite this change when it saves."]
    return []
