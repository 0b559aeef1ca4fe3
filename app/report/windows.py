"""The Windows commands a host report runs that no other area needed before, and their parsers.

Read-only commands only (nothing here changes the machine). Each parser takes what the command
printed and returns plain data, or raises ValueError when the text is not that command's output;
they are tested on any machine with captured outputs (tests/data/field/). Labels that Windows
translates are not relied on where the value's shape tells (a URL, 40 hex digits, an SDDL string).
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.certs.store import parse_sslcert_output
from app.host.machine import EVENT_LOG
from app.host.processes import powershell as utf8_powershell

# .NET Framework 4.x "Release" values (the lowest value of each version; docs/host-report.md)
DOTNET_RELEASES = ((533320, "4.8.1"), (528040, "4.8"), (461808, "4.7.2"), (461308, "4.7.1"),
                   (460798, "4.7"), (394802, "4.6.2"), (394254, "4.6.1"), (393295, "4.6"),
                   (379893, "4.5.2"), (378675, "4.5.1"), (378389, "4.5"))
_HEX40 = re.compile(r"^[0-9A-Fa-f]{40}$")
_URL = re.compile(r"^[a-z]+://\S+$", re.I)
_IPPORT = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:]*\]):\d+$")
_START_TYPE = re.compile(r"^(\d)\s+(AUTO_START|DEMAND_START|DISABLED|BOOT_START|SYSTEM_START)\b(.*)$")


# -- versions: .NET release, Windows build, PowerShell 5.1 ----------------------------------------
def versions_command() -> list[str]:
    """One PowerShell call (each start costs a second on a host): JSON of the three facts."""
    return utf8_powershell(
        "$n = Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full' "
        "-ErrorAction SilentlyContinue; "
        "$w = Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'; "
        "$p = Test-Path -LiteralPath \"$env:SystemRoot\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\"; "
        "[pscustomobject]@{ DotNetRelease = $n.Release; ProductName = $w.ProductName; "
        "CurrentBuild = $w.CurrentBuild; UBR = $w.UBR; DisplayVersion = $w.DisplayVersion; "
        "PowerShell51 = $p; PSVersion = $PSVersionTable.PSVersion.ToString() } | ConvertTo-Json -Compress")


def dotnet_version(release: int | None) -> str | None:
    if release is None:
        return None
    return next((name for floor, name in DOTNET_RELEASES if release >= floor), "older than 4.5")


def parse_versions(stdout: str) -> dict[str, Any]:
    data = _json(stdout)
    if not isinstance(data, dict):
        raise ValueError("expected one JSON object")
    release = data.get("DotNetRelease")
    release = int(release) if isinstance(release, int | str) and str(release).isdigit() else None
    build = data.get("CurrentBuild")
    ubr = data.get("UBR")
    return {"dotnet_release": release, "dotnet_version": dotnet_version(release),
            "windows": data.get("ProductName"), "windows_display_version": data.get("DisplayVersion"),
            "windows_build": f"{build}.{ubr}" if build and ubr is not None else build,
            "powershell_51": bool(data.get("PowerShell51")), "powershell_version": data.get("PSVersion")}


def _json(stdout: str) -> Any:  # whatever JSON PowerShell printed; each parser checks its shape
    text = stdout.strip().lstrip("\ufeff")
    if not text:
        raise ValueError("no output")
    return json.loads(text)


# -- the service's start type ---------------------------------------------------------------------
def parse_qc_start_type(stdout: str) -> str | None:
    """START_TYPE of `sc.exe qc NAME` ("AUTO_START", "AUTO_START (DELAYED)"), found by its value."""
    for line in stdout.splitlines():
        _label, sep, value = line.partition(":")
        m = _START_TYPE.match(value.strip()) if sep else None
        if m:
            extra = m.group(3).strip()
            return m.group(2) + (f" {extra}" if extra else "")
    return None


# -- HTTP.sys: every TLS binding, every URL reservation --------------------------------------------
def sslcert_all_command() -> list[str]:
    return ["netsh", "http", "show", "sslcert"]


def parse_sslcert_all(stdout: str) -> list[dict[str, Any]]:
    """Every binding of `netsh http show sslcert` (the one-binding parser, block by block)."""
    lines = stdout.splitlines()
    starts = [i for i, line in enumerate(lines)
              if _IPPORT.match(line.partition(" : ")[2].strip())]
    out = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        binding = parse_sslcert_output("\n".join(lines[start:end]))
        if binding is not None:
            out.append({"ip_port": binding.ip_port, "certificate_hash": binding.certificate_hash,
                        "app_id": binding.app_id, "store_name": binding.store_name})
    return _listing(out, stdout)


def _listing(found: list[dict[str, Any]], stdout: str) -> list[dict[str, Any]]:
    """An empty list only from netsh's own heading (a title underlined with dashes)."""
    if not found and stdout.strip() and not re.search(r"^\s*-{5,}\s*$", stdout, re.M):
        raise ValueError("not netsh's listing")
    return found


def urlacl_command() -> list[str]:
    return ["netsh", "http", "show", "urlacl"]


def parse_urlacl(stdout: str) -> list[dict[str, Any]]:
    """URL reservations: each URL with its users (user, listen, delegate) and its SDDL."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in stdout.splitlines():
        _label, sep, value = line.partition(":")
        value = value.strip()
        if not sep:
            continue
        if _URL.match(value):
            current = {"url": value, "users": [], "sddl": None}
            out.append(current)
        elif current is None:
            continue
        elif value.startswith(("D:", "O:")) and "(" in value:
            current["sddl"] = value
        elif value.lower() in ("yes", "no", "ja", "nein", "oui", "non", "sí", "si"):
            if current["users"]:
                user = current["users"][-1]
                user["listen" if user.get("listen") is None else "delegate"] = value
        elif value:
            current["users"].append({"user": value, "listen": None, "delegate": None})
    return _listing(out, stdout)


# -- certificates in LocalMachine\My and Root (public facts only) ---------------------------------
def certificates_command() -> list[str]:
    """Subject, issuer, names, thumbprint, validity and whether a key exists: never the key."""
    return utf8_powershell(
        "$out = foreach ($s in 'My','Root') { Get-ChildItem -LiteralPath \"Cert:\\LocalMachine\\$s\" | "
        "ForEach-Object { [pscustomobject]@{ Store = $s; Subject = $_.Subject; Issuer = $_.Issuer; "
        "Thumbprint = $_.Thumbprint; NotBefore = $_.NotBefore.ToUniversalTime().ToString('o'); "
        "NotAfter = $_.NotAfter.ToUniversalTime().ToString('o'); HasPrivateKey = $_.HasPrivateKey; "
        "DnsNames = @($_.DnsNameList | ForEach-Object { $_.Unicode }) } } }; "
        "ConvertTo-Json -InputObject @($out) -Depth 3 -Compress")


def parse_certificates(stdout: str) -> list[dict[str, Any]]:
    data = _json(stdout)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError("expected a JSON list")
    out = []
    for item in data:
        if not isinstance(item, dict) or not _HEX40.match(str(item.get("Thumbprint", ""))):
            raise ValueError("a certificate without a thumbprint")
        names = item.get("DnsNames") or []
        out.append({"store": item.get("Store"), "subject": item.get("Subject"), "issuer": item.get("Issuer"),
                    "thumbprint": str(item["Thumbprint"]).upper(),
                    "names": [str(n) for n in (names if isinstance(names, list) else [names])],
                    "not_before": item.get("NotBefore"), "not_after": item.get("NotAfter"),
                    "has_private_key": bool(item.get("HasPrivateKey"))})
    return out


def certificates_that_matter(certs: list[dict[str, Any]], configured: str | None) -> list[dict[str, Any]]:
    """All of My; of Root only the issuers of My's certificates and the configured thumbprint
    (Root holds dozens of public authorities that say nothing about this host)."""
    mine = [c for c in certs if c["store"] == "My"]
    issuers = {str(c["issuer"]).casefold() for c in mine}
    wanted = (configured or "").strip().upper()
    return mine + [c for c in certs if c["store"] == "Root"
                   and (str(c["subject"]).casefold() in issuers or c["thumbprint"] == wanted)]


def certutil_store_command(store: str = "My") -> list[str]:
    if store not in ("My", "Root"):
        raise ValueError(f"unknown store {store!r}")
    return ["certutil", "-store", store]


def parse_certutil_store(stdout: str) -> list[dict[str, Any]]:
    """`certutil -store My`: one entry per certificate block, with its SHA-1 thumbprint (the value
    of 40 hex digits, spaces allowed as older versions print it) and the lines that name it."""
    blocks = re.split(r"^=+\s*\S+\s+\d+\s*=+\s*$", stdout, flags=re.M)
    out = []
    for block in blocks[1:]:
        entry: dict[str, Any] = {"thumbprint": None, "subject": None, "issuer": None, "not_after": None,
                       "provider": None}
        for line in block.splitlines():
            label, sep, value = line.partition(":")
            if not sep:
                continue
            value, key = value.strip(), label.strip().lower()
            if _HEX40.match(value.replace(" ", "")):
                entry["thumbprint"] = value.replace(" ", "").upper()
            elif key == "subject":
                entry["subject"] = value
            elif key == "issuer":
                entry["issuer"] = value
            elif key == "notafter":
                entry["not_after"] = value
        provider = re.search(r"^\s*Provider\s*=\s*(.+)$", block, re.M)
        entry["provider"] = provider.group(1).strip() if provider else None
        if entry["thumbprint"] is None:
            raise ValueError("a certificate block without a SHA-1 hash")
        out.append(entry)
    if not out and stdout.strip() and "CertUtil:" not in stdout:
        raise ValueError("not certutil's listing")
    return out


# -- the event log ------------------------------------------------------------------------------------
def events_command(days: int, log: str = EVENT_LOG) -> list[str]:
    """The last `days` days of the log as XML (wevtutil counts milliseconds back from now)."""
    if not 0 < int(days) <= 3650:
        raise ValueError("days must be 1..3650")
    span = int(days) * 86_400_000
    return ["wevtutil.exe", "qe", log, f"/q:*[System[TimeCreated[timediff(@SystemTime) <= {span}]]]",
            "/f:xml"]


def parse_event_log_config(stdout: str) -> dict[str, Any]:
    """`wevtutil gl LOG`: its settings as name: value (nested ones flattened with a dot)."""
    out: dict[str, str] = {}
    parent = ""
    for line in stdout.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        if line[:1].isspace() and parent:
            out[f"{parent}.{key.strip()}"] = value.strip()
        else:
            parent = key.strip() if not value.strip() else ""
            if value.strip():
                out[key.strip()] = value.strip()
    if "name" not in out:
        raise ValueError("no 'name:' line")
    return out
