"""Every command a report runs, with what it printed and what was parsed from it.

The existing Windows interfaces (WindowsMachine, WindowsServiceControl, WindowsCertificateStore)
take a runner; the report hands them the recorder's, so their commands are kept too. Only
read-only commands are ever run by a report: `check` refuses any other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.certs import store as certs_store
from app.errors import UserError
from app.host import service
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
    extra: dict = field(default_factory=dict)


def check(argv: list[str]) -> None:
    """Refuse a command that is not one of the report's read-only ones."""
    ok = any([a.lower() for a in argv[:len(p)]] == list(p) for p in _READ_ONLY)
    if argv[:1] == ["icacls"] and len(argv) != 2:  # icacls PATH shows; any option changes
        ok = False
    script = argv[-1] if argv and argv[0] == "powershell.exe" else ""
    if not ok or any(verb in script for verb in _CHANGING):
        raise UserError(f"a host report runs only read-only commands; '{' '.join(argv[:3])}' is not one.")


ServiceRun = Callable[[list[str], float], service.CommandResult]
StoreRun = Callable[[list[str], Mapping[str, str] | None, float], certs_store.CommandResult]


class Recorder:
    """Runs commands through the real runners (or injected ones) and keeps each one."""

    def __init__(self, oem: ServiceRun = service.run_command, utf8: StoreRun = certs_store.run_command) -> None:
        self._oem, self._utf8 = oem, utf8
        self.commands: list[Recorded] = []

    def _keep(self, argv: list[str], run: Callable[[], Any], not_found: type[Exception]) -> Any:
        check(argv)
        start = time.perf_counter()
        tool = tool_of(argv)
        try:
            result = run()
        except not_found as exc:
            sentence = exc.sentence() if isinstance(exc, UserError) else str(exc)
            self.commands.append(Recorded(len(self.commands) + 1, tool, list(argv), None, "", "",
                                          time.perf_counter() - start, error=sentence))
            raise
        entry = Recorded(len(self.commands) + 1, tool, list(argv), result.returncode, result.stdout,
                         result.stderr, time.perf_counter() - start)
        entry.parsed, entry.parse_note = parse(tool, result.stdout)
        self.commands.append(entry)
        return result

    def oem(self, argv: list[str], timeout: float = service.COMMAND_TIMEOUT) -> service.CommandResult:
        """The runner of app.host (sc.exe, icacls, netsh: the console's code page)."""
        return self._keep(argv, lambda: self._oem(argv, timeout), service.ServiceError)

    def utf8(self, argv: list[str], secret_env: Mapping[str, str] | None = None,
             timeout: float = certs_store.COMMAND_TIMEOUT) -> certs_store.CommandResult:
        """The runner of app.certs (PowerShell told to print UTF-8)."""
        if secret_env:
            raise UserError("a host report never passes a secret to a command.")
        return self._keep(argv, lambda: self._utf8(argv, None, timeout), certs_store.StoreError)

    def run(self, argv: list[str], *, utf8: bool = False) -> tuple[Any, Recorded]:
        """Run one command for the report itself; (None, entry) when it could not start."""
        try:
            result = self.utf8(argv) if utf8 else self.oem(argv)
        except UserError:
            return None, self.commands[-1]
        return result, self.commands[-1]
