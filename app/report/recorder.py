"""Every command a report runs, with what it printed and what was parsed from it.

The existing Windows interfaces (WindowsMachine, WindowsServiceControl, WindowsCertificateStore)
take a runner; the report hands them the recorder's, so their commands are kept too. Only
read-only commands are ever run by a report: `check` refuses any other.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.errors import UserError
from app.host.processes import COMMAND_TIMEOUT, CommandError, CommandResult, Runner, run_command
from app.report.parsers import parse, tool_of

# The first words of the commands a report may run (read-only: query, show, list).
_READ_ONLY = (("sc.exe", "queryex"), ("sc.exe", "query"), ("sc.exe", "qc"), ("netsh", "http", "show"),
              ("icacls",), ("certutil", "-store"), ("wevtutil.exe", "qe"), ("wevtutil.exe", "gl"),
              ("powershell.exe",))
# PowerShell verbs that change something never appear in a report's scripts.
_CHANGING = ("Set-", "Remove-", "Import-", "New-", "Stop-", "Start-", "Restart-", "Copy-", "Move-",
             "Out-File", "Add-", "Clear-", "Install-")


@dataclass
class Recorded:
    number: int
    tool: str
    argv: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    error: str = ""  # the command could not run at all
    parsed: Any = None
    parse_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def check(argv: list[str]) -> None:
    """Refuse a command that is not one of the report's read-only ones."""
    ok = any([a.lower() for a in argv[:len(p)]] == list(p) for p in _READ_ONLY)
    if argv[:1] == ["icacls"] and len(argv) != 2:  # icacls PATH shows; any option changes
        ok = False
    script = argv[-1] if argv and argv[0] == "powershell.exe" else ""
    if not ok or any(verb in script for verb in _CHANGING):
        raise UserError(f"a host report runs only read-only commands; '{' '.join(argv[:3])}' is not one.")


class Recorder:
    """Runs commands through app/host/processes.py's runner (or an injected one, in tests) and
    keeps each one. It is itself a runner: hand it to WindowsMachine, WindowsServiceControl or
    WindowsCertificateStore as `run`."""

    def __init__(self, run: Runner = run_command) -> None:
        self._run = run
        self.commands: list[Recorded] = []

    def __call__(self, argv: list[str], timeout: float = COMMAND_TIMEOUT,
                 secret_env: Mapping[str, str] | None = None) -> CommandResult:
        check(argv)
        if secret_env:
            raise UserError("a host report never passes a secret to a command.")
        start = time.perf_counter()
        tool = tool_of(argv)
        try:
            result = self._run(argv, timeout)
        except CommandError as exc:
            self.commands.append(Recorded(len(self.commands) + 1, tool, list(argv), None, "", "",
                                          time.perf_counter() - start, error=exc.sentence()))
            raise
        entry = Recorded(len(self.commands) + 1, tool, list(argv), result.returncode, result.stdout,
                         result.stderr, time.perf_counter() - start)
        entry.parsed, entry.parse_note = parse(tool, result.stdout)
        self.commands.append(entry)
        return result

    def run(self, argv: list[str]) -> tuple[Any, Recorded]:
        """Run one command for the report itself; (None, entry) when it could not start."""
        try:
            result = self(argv)
        except UserError:
            return None, self.commands[-1]
        return result, self.commands[-1]
