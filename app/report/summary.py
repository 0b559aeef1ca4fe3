"""summary.md: what a person reads first. What the report holds, the headlines, what was left out
and why, and how secrets and names were treated."""

from __future__ import annotations

from typing import Any

from app.report.context import ReportContext


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _agent_line(agent: dict[str, Any]) -> str:
    if not agent.get("installed"):
        return ("- Provisioning agent: NOT installed on this machine (the agent is what calls the host; "
                "`agent/agent.json`)")
    proxy = agent.get("proxy")
    via = "no proxy set in its configuration" if not proxy else (
        "proxy " + str((proxy.get("proxy") or {}).get("proxyaddress") or "the system default"))
    return (f"- Provisioning agent: {agent.get('state') or '?'}, version {agent.get('version') or 'unknown'} "
            "(Microsoft supports only the latest release and the one before: compare with its version "
            f"history); {via} (`agent/agent.json`)")


def summary_text(ctx: ReportContext, manifest: dict[str, Any], members: list[tuple[str, int]]) -> str:
    facts = ctx.facts
    lines = ["# ECMA2Host host report", "",
             f"Made by {manifest['tool']} at {manifest['created']} on `{manifest['machine']}` ({manifest['platform']}), "
             f"for the host at `{manifest['host']}`" + (" (the bundled sample host)" if ctx.layout.is_sample else "")
             + ".", "",
             "Nothing on the host was changed and no service was started or stopped: only read-only "
             "commands were run, and each one's output is under `raw/` beside what was parsed from it.", "",
             "## Headlines", ""]
    versions = facts.get("file_versions") or {}
    windows = facts.get("windows") or {}
    lines.append(f"- ECMA2Host: service {versions.get('service') or windows.get('service_file_version') or 'unknown'}, "
                 f"wizard {versions.get('wizard') or windows.get('wizard_file_version') or 'unknown'}")
    if windows:
        lines.append(f"- Windows {windows.get('windows') or '?'} build {windows.get('windows_build') or '?'}; "
                     f".NET Framework {windows.get('dotnet_version') or '?'} (release {windows.get('dotnet_release')}); "
                     f"PowerShell 5.1 {'present' if windows.get('powershell_51') else 'absent'}")
    service = facts.get("service")
    if service:
        lines.append(f"- Service {service.get('name')}: {service.get('state')}, start type "
                     f"{service.get('start_type') or '?'}, account {service.get('account') or '?'}")
    acls = facts.get("cache_acls") or {}
    if acls:
        words = {True: "full control", False: "NOT full control", None: "unknown"}
        lines.append("- Cache folders, service account: " + ", ".join(f"{c} {words.get(v, '?')}" for c, v in acls.items()))
    if "doctor" in facts:
        lines.append(f"- Doctor: {facts['doctor']['problems']} problem(s) in {facts['doctor']['checks']} checks "
                     "(`checks/doctor.json`)")
    if "connection" in facts:
        c = facts["connection"]
        lines.append(f"- Connection test of '{c['connector']}': {'passed' if c['passed'] else 'FAILED'}")
    if "events" in facts:
        e = facts["events"]
        levels = ", ".join(f"{n} {k}" for k, n in sorted(e["levels"].items()))
        lines.append(f"- Event log: {e['events']:,} events ({levels or 'none'}) from {e['first']} to {e['last']}")
        for title, n in sorted(e.get("known_errors", {}).items(), key=lambda kv: -kv[1]):
            lines.append(f"  - known error, {n}x: {title}")
    agent = facts.get("agent")
    if agent is not None:
        lines.append(_agent_line(agent))
    verbose = facts.get("verbose_sql")
    if verbose:
        lines.append(f"- Logging at Verbose ({', '.join(verbose['sources'])}) with a Generic SQL connector "
                     f"({', '.join(verbose['connectors'])}): at Verbose Generic SQL writes its connection string, "
                     "password included, to the event log (Microsoft's troubleshooting page). This report masks "
                     "it; the host's own log still holds it. Lower the level to Information once the problem is found.")
    secrets = facts.get("secrets") or {}
    if secrets:
        lines.append("- Secrets: " + ", ".join(f"{n} {state}" for state, n in sorted(secrets.items(), key=str)))
    if "dlls" in facts:
        lines.append(f"- {facts['dlls']} DLL(s) under Service\\ECMA (`host/ecma-tree.json`)")
    if facts.get("dependency_dlls"):
        lines.append(f"- Dependencies beside the connectors, not connectors (no class in them implements the "
                     f"ECMA2 interfaces): {', '.join(facts['dependency_dlls'])}")
    lines += ["", "## Secrets and names", "",
              "Every secret in Configuration.xml and the two .exe.config files is replaced by its structure "
              "(empty, typed in plain text, or the encrypted object's class, library, members and lengths); "
              "no value is in this report; so is every value whose name says secret, whatever its type. The "
              "secret parts of connection strings are removed from every file, event and command output. "
              "Values known to be secret are also removed everywhere else, in any case, spacing, XML or "
              "base64 spelling. The connection test's token is never stored."]
    if manifest["redacted"]:
        lines.append(f"Names given with --redact are replaced everywhere by {', '.join(manifest['redacted'])} "
                     "(the same placeholder each time).")
    else:
        lines.append("No name was redacted (use --redact NAME for host, domain and user names).")
    lines += ["", "## Files in this report", "", "| File | Size | What |", "|---|---:|---|"]
    for name, size in members:
        if name.startswith("raw/") and name.endswith(".parsed.json"):
            continue  # named on its .txt's line
        lines.append(f"| `{name}` | {_size(size)} | {ctx.what.get(name, '')} |")
    lines.append("| `summary.md`, `manifest.json` | | this text; the list of files with their SHA-256 |")
    lines += ["", "## Left out, and why", ""]
    lines += [f"- {what}: {why}" for what, why in ctx.left_out] or ["- nothing"]
    return "\n".join(lines) + "\n"
