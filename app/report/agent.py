"""The commands and parsers for what support asks for beside the host itself: the Microsoft Entra provisioning agent (the service
that calls the ECMA host) and the Windows logs around both.

Facts from Microsoft's pages (docs/host-report.md cites them):
- the agent is the Windows service `AADConnectProvisioningAgent` ("Microsoft Entra Connect
  Provisioning Agent"); Microsoft supports only its latest release and the one before ("Microsoft
  Entra Connect Provisioning Agent: Version release history"), so its version matters;
- it writes trace files to `%ProgramData%\\Microsoft\\Azure AD Connect Provisioning Agent\\Trace`
  and reads its proxy from `<system.net><defaultProxy>` in `AADConnectProvisioningAgent.exe.config`
  beside its executable ("Cloud sync troubleshooting"; "Work with existing on-premises proxy
  servers");
- it logs to `Microsoft-AzureADConnect-ProvisioningAgent/Admin` (Applications and Services Logs >
  Microsoft > AzureADConnect > ProvisioningAgent), and Windows' Application and System logs hold
  what .NET and the service control manager say about both services.
Read-only commands only, through the report's recorder: one PowerShell call for the agent (each
start costs a second), one `wevtutil qe` per log. The agent's configuration is cleaned like the
host's .exe.config files; the raw outputs that held it keep only a pointer to the cleaned member.
"""

from __future__ import annotations

import json
from typing import Any

from app.host.machine import CLOUD_SYNC_SERVICE
from app.host.processes import powershell

AGENT_LOG = "Microsoft-AzureADConnect-ProvisioningAgent/Admin"
AGENT_CONFIG = "AADConnectProvisioningAgent.exe.config"
TRACE_FOLDER = r"Microsoft\Azure AD Connect Provisioning Agent\Trace"  # under %ProgramData%
TRACE_FILES = 20  # newest trace files listed
TRACE_LINES = 500  # lines of the newest one kept
MAX_EVENTS = 2000  # per log, newest first: the Application and System logs are large
# (member, log, levels): the agent's own log whole; Application and System only critical, errors, warnings
LOGS = (("events/ProvisioningAgent-Admin.xml", AGENT_LOG, ()),
        ("events/Application.xml", "Application", (1, 2, 3)),
        ("events/System.xml", "System", (1, 2, 3)))


def agent_command() -> list[str]:
    """The agent's service, version, configuration file and newest trace files, as one JSON."""
    name = CLOUD_SYNC_SERVICE
    return powershell(
        f"$s = Get-CimInstance -ClassName Win32_Service -Filter \"Name='{name}'\"; "
        "if ($null -eq $s) { [pscustomobject]@{ Installed = $false } | ConvertTo-Json -Compress; return }; "
        "$p = $s.PathName; $exe = if ($p.StartsWith('\"')) { $p.Substring(1, $p.IndexOf('\"', 1) - 1) } else { $p }; "
        f"$cfg = Join-Path (Split-Path -LiteralPath $exe -Parent) '{AGENT_CONFIG}'; "
        f"$trace = Join-Path $env:ProgramData '{TRACE_FOLDER}'; "
        "$files = @(if (Test-Path -LiteralPath $trace) { Get-ChildItem -LiteralPath $trace -File | "
        f"Sort-Object LastWriteTimeUtc -Descending | Select-Object -First {TRACE_FILES} }}); "
        "[pscustomobject]@{ Installed = $true; State = $s.State; StartMode = $s.StartMode; Account = $s.StartName; "
        "Path = $exe; Version = (Get-Item -LiteralPath $exe -ErrorAction SilentlyContinue).VersionInfo.FileVersion; "
        "ConfigPath = $cfg; Config = $(if (Test-Path -LiteralPath $cfg) { Get-Content -LiteralPath $cfg -Raw } else { $null }); "
        "TraceFolder = $trace; TraceFiles = @($files | ForEach-Object { [pscustomobject]@{ Name = $_.Name; "
        "Length = $_.Length; LastWriteTimeUtc = $_.LastWriteTimeUtc.ToString('o') } }); "
        f"TraceTail = $(if ($files.Count) {{ (Get-Content -LiteralPath $files[0].FullName -Tail {TRACE_LINES}) -join \"`n\" }} "
        "else { $null }) } | ConvertTo-Json -Compress -Depth 3")


def parse_agent(stdout: str) -> dict[str, Any]:
    """The agent command's JSON: {"installed": False} or its facts (configuration and trace text
    included: the report cleans them before they go anywhere)."""
    data = json.loads(stdout.strip().lstrip("\ufeff") or "null")
    if not isinstance(data, dict) or "Installed" not in data:
        raise ValueError("expected the agent's JSON object")
    if not data["Installed"]:
        return {"installed": False}
    files = data.get("TraceFiles") or []
    return {"installed": True, "state": data.get("State"), "start_mode": data.get("StartMode"),
            "account": data.get("Account"), "path": data.get("Path"), "version": data.get("Version"),
            "config_path": data.get("ConfigPath"), "config": data.get("Config"),
            "trace_folder": data.get("TraceFolder"),
            "trace_files": [{"name": f.get("Name"), "size": f.get("Length"), "written": f.get("LastWriteTimeUtc")}
                            for f in (files if isinstance(files, list) else [files]) if isinstance(f, dict)],
            "trace_tail": data.get("TraceTail")}


def log_command(log: str, days: int, levels: tuple[int, ...] = ()) -> list[str]:
    """`wevtutil qe` of one log's last `days` days, newest first, at most MAX_EVENTS events."""
    if not 0 < int(days) <= 3650:
        raise ValueError("days must be 1..3650")
    span = int(days) * 86_400_000
    level = f"({' or '.join(f'Level={n}' for n in levels)}) and " if levels else ""
    return ["wevtutil.exe", "qe", log, f"/q:*[System[{level}TimeCreated[timediff(@SystemTime) <= {span}]]]",
            "/f:xml", "/rd:true", f"/c:{MAX_EVENTS}"]


