"""A Windows host made of captured outputs (tests/data/field): each command the report runs is
answered by the first capture of its tool, so the Windows parts run on any machine."""

from __future__ import annotations

from pathlib import Path

from app.host.processes import CommandResult
from app.report.parsers import decode_capture, parse_icacls_output, tool_of
from app.report.recorder import Recorder

FIELD = Path(__file__).resolve().parents[1] / "data" / "field"
NOT_INSTALLED = "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n"


def capture(tool: str) -> str:
    files = sorted(p for p in (FIELD / tool).iterdir() if p.is_file() and not p.name.endswith(".json"))
    return decode_capture(files[0].read_bytes())


def answer(argv: list[str]) -> tuple[int, str]:
    if argv[:2] == ["sc.exe", "queryex"] and argv[2] == "AADConnectProvisioningAgent":
        return 1060, NOT_INSTALLED
    tool = tool_of(argv)
    if tool == "other":
        return 1, ""
    if tool == "icacls":
        return 0, icacls_for(argv[1])
    return 0, capture(tool)


def icacls_for(path: str) -> str:
    """The icacls capture as icacls prints it for `path`: the path, then entries lined up under the first."""
    text = capture("icacls")
    old = parse_icacls_output(text)["path"]
    lines = text.splitlines()
    out = [path + lines[0][len(old):]]
    for line in lines[1:]:
        out.append(" " * (len(path) + 1) + line.lstrip() if line.startswith(" " * (len(old) + 1)) else line)
    return "\r\n".join(out) + "\r\n"


class FakeWindows:
    """The runner of a Recorder, and every argv it was given."""

    def __init__(self, overrides: dict[str, tuple[int, str]] | None = None) -> None:
        self.seen: list[list[str]] = []
        self.overrides = overrides or {}

    def _answer(self, argv: list[str]) -> tuple[int, str]:
        self.seen.append(list(argv))
        return self.overrides.get(tool_of(argv)) or answer(argv)

    def __call__(self, argv: list[str], timeout: float, secret_env=None) -> CommandResult:
        code, out = self._answer(argv)
        return CommandResult(code, out, "")

    def recorder(self) -> Recorder:
        return Recorder(run=self)
