"""Which parser reads which command's output: one table for the report and for the field tests.

A report keeps each command's raw output beside what was parsed from it; `tests/data/field/<tool>/`
holds outputs captured on real hosts, and each goes through `PARSERS[tool]` (docs/host-report.md).
The names are the folder names there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.events.eventxml import columns_from
from app.events.records import format_utc, level_name
from app.host.machine import (
    parse_domain_role,
    parse_execution_policy,
    parse_icacls,
    parse_version,
)
from app.host.service import parse_lookup, parse_qc_account, parse_query_all, parse_queryex
from app.report import agent, windows


def _status(stdout: str) -> dict[str, Any]:
    status = parse_queryex(stdout)
    if status is None:
        raise ValueError("no SERVICE_NAME and state")
    return {"name": status.name, "state": status.state.label, "pid": status.pid}


def _query_all(stdout: str) -> list[dict[str, Any]]:
    found = parse_query_all(stdout)
    if not found and stdout.strip():
        raise ValueError("no service block")
    return [{"name": s.name, "display_name": s.display_name, "state": s.state.label} for s in found]


def _qc(stdout: str) -> dict[str, Any]:
    account, start = parse_qc_account(stdout), windows.parse_qc_start_type(stdout)
    if account is None and start is None:
        raise ValueError("neither SERVICE_START_NAME nor START_TYPE")
    return {"account": account, "start_type": start}


def parse_icacls_output(stdout: str) -> dict[str, Any]:
    """icacls prints the path, a space, then the first entry; later entries are indented to line
    up with it, which tells where the path ends even when it holds spaces."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise ValueError("no output")
    second = next((line for line in lines[1:] if line[:1].isspace()), None)
    path = lines[0][:len(second) - len(second.lstrip()) - 1] if second else lines[0].rsplit(" ", 1)[0]
    entries = parse_icacls(stdout, path)
    if not entries:
        raise ValueError("no access entry")
    return {"path": path, "entries": [{"account": e.account, "rights": list(e.rights)} for e in entries]}


_EVENT = re.compile(r"<Event[\s>].*?</Event>", re.S)


def parse_event_xml(stdout: str) -> dict[str, Any]:
    """Count and level of each event of `wevtutil qe /f:xml`, first and last time."""
    counts: dict[str, int] = {}
    times = []
    for m in _EVENT.finditer(stdout):
        cols = columns_from(m.group(0))
        counts[level_name(cols.level)] = counts.get(level_name(cols.level), 0) + 1
        times.append(cols.time)
    if not times and stdout.strip():
        raise ValueError("no <Event> that reads")
    return {"events": len(times), "levels": counts,
            "first": format_utc(min(times)) if times else None,
            "last": format_utc(max(times)) if times else None}


def _service_name(name: str | None) -> str | None:
    return name if name and re.fullmatch(r"[\w.$-]+", name) else None


def _one(parser: Callable[[str], Any], what: str) -> Callable[[str], Any]:
    def parse(stdout: str) -> Any:
        value = parser(stdout)
        if value is None:
            raise ValueError(f"no {what}")
        return value
    return parse


PARSERS: dict[str, Callable[[str], Any]] = {
    "sc-queryex": _status,
    "sc-query": _query_all,
    "sc-qc": _qc,
    "icacls": parse_icacls_output,
    "netsh-sslcert": windows.parse_sslcert_all,
    "netsh-urlacl": windows.parse_urlacl,
    "certutil-store": windows.parse_certutil_store,
    "wevtutil-qe": parse_event_xml,
    "wevtutil-gl": windows.parse_event_log_config,
    "powershell-versions": windows.parse_versions,
    "powershell-certificates": windows.parse_certificates,
    "powershell-fileversion": _one(parse_version, "version number"),
    "powershell-service-name": _one(lambda s: _service_name(parse_lookup(s)), "service name"),
    "powershell-domain-role": _one(parse_domain_role, "domain role"),
    "powershell-execution-policy": _one(parse_execution_policy, "execution policy"),
    "powershell-agent": agent.parse_agent,
}


def tool_of(argv: list[str]) -> str:
    """The PARSERS key for a command line, or 'other' when no parser reads it."""
    exe = re.split(r"[\\/]", argv[0])[-1].lower().removesuffix(".exe") if argv else ""
    rest = [a.lower() for a in argv[1:]]
    if exe == "sc":
        return {"queryex": "sc-queryex", "query": "sc-query", "qc": "sc-qc"}.get(rest[0] if rest else "", "other")
    if exe == "netsh" and "sslcert" in rest:
        return "netsh-sslcert"
    if exe == "netsh" and "urlacl" in rest:
        return "netsh-urlacl"
    if exe in ("icacls", "certutil"):
        return "icacls" if exe == "icacls" else "certutil-store"
    if exe == "wevtutil":
        return {"qe": "wevtutil-qe", "gl": "wevtutil-gl"}.get(rest[0] if rest else "", "other")
    if exe == "powershell":
        script = argv[-1]
        # the agent's script first: it also reads a VersionInfo.FileVersion
        for marker, tool in (("AADConnectProvisioningAgent.exe.config", "powershell-agent"),
                             ("DotNetRelease", "powershell-versions"), ("Cert:\\LocalMachine\\$s", "powershell-certificates"),
                             ("VersionInfo.FileVersion", "powershell-fileversion"),
                             ("Get-Service -DisplayName", "powershell-service-name"),
                             ("DomainRole", "powershell-domain-role"),
                             ("Get-ExecutionPolicy", "powershell-execution-policy")):
            if marker in script:
                return tool
    return "other"


def parse(tool: str, stdout: str) -> tuple[Any, str]:
    """(parsed, '') or (None, why it did not parse); never raises."""
    parser = PARSERS.get(tool)
    if parser is None:
        return None, "no parser reads this command's output"
    try:
        return parser(stdout), ""
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        return None, f"the output did not parse: {exc}"


def stdout_of_raw(text: str) -> str:
    """A report's raw/NN-tool.txt holds a header and stderr around what the command printed;
    a bare capture is returned as it is (so either can be dropped into tests/data/field)."""
    marker, end = "# --- stdout ---\n", "\n# --- stderr ---\n"
    if not text.startswith("# command:") or marker not in text:
        return text
    body = text.split(marker, 1)[1]
    return body.split(end, 1)[0]


def decode_capture(data: bytes) -> str:
    """A saved output: UTF-8 (with or without BOM), UTF-16 with BOM (PowerShell's `>`), else the
    OEM code page most Western consoles use (cp850)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp850")
