"""The report's parts for the provisioning agent and the Windows logs around it (commands, parsers
and Microsoft's facts behind them: app/report/agent.py). Off Windows each is one line of the
summary saying why it is missing."""

from __future__ import annotations

from typing import Any

from app.errors import UserError
from app.host.machine import CLOUD_SYNC_SERVICE
from app.report import sanitize
from app.report.agent import (
    AGENT_CONFIG,
    AGENT_LOG,
    LOGS,
    MAX_EVENTS,
    TRACE_LINES,
    agent_command,
    log_command,
)
from app.report.context import ReportContext


def proxy_settings(config: bytes, source: str) -> dict[str, Any] | None:
    """`<system.net><defaultProxy>` of a cleaned configuration (None: the file sets none)."""
    from app.host.appconfig import AppConfig

    root = AppConfig.from_bytes(config, source).xml.root
    el = root.find("system.net/defaultProxy")
    if el is None:
        return None
    proxy = el.find("proxy")
    return {"enabled": el.get("enabled"), "use_default_credentials": el.get("useDefaultCredentials"),
            "proxy": dict(proxy.attrib) if proxy is not None else None,
            "bypass": [a.get("address") for a in el.iterfind("bypasslist/add")]}


def gather(ctx: ReportContext) -> None:
    if not ctx.on_windows:
        why = ctx.not_here()
        ctx.leave_out("the provisioning agent's service state, version, proxy settings and Trace folder", why)
        ctx.leave_out(f"the provisioning agent's event log ({AGENT_LOG}) and the Application and System logs", why)
        return
    agent(ctx)
    for member, log, levels in LOGS:
        if ctx.cancelled():
            return
        windows_log(ctx, member, log, levels)


def agent(ctx: ReportContext) -> None:
    ctx.progress("the provisioning agent")
    _result, entry = ctx.recorder.run(agent_command())
    found = entry.parsed
    # the output holds the agent's configuration and trace text as they are: only cleaned copies stay
    if not isinstance(found, dict):
        entry.stdout = "(left out: it did not parse, so it could not be cleaned of the configuration it may hold)"
        ctx.leave_out("the provisioning agent", entry.parse_note or entry.error or "PowerShell printed nothing")
        return
    entry.stdout = "(cleaned and split into the agent/ members of this report)"
    if not found["installed"]:
        ctx.facts["agent"] = {"installed": False}
        ctx.add_json("agent/agent.json", {"installed": False}, f"the provisioning agent ({CLOUD_SYNC_SERVICE}) "
                     "is not installed on this machine")
        return
    config, tail = found.pop("config"), found.pop("trace_tail")
    found["proxy"] = None
    if config:
        try:
            cleaned = sanitize.app_config(config.encode("utf-8"), AGENT_CONFIG)
        except UserError as exc:
            ctx.leave_out(AGENT_CONFIG, f"it could not be read, so its secrets could not be removed ({exc.sentence()})")
        else:
            ctx.known_values += cleaned.known_values
            ctx.add(f"agent/{AGENT_CONFIG}", cleaned.data, "the provisioning agent's configuration (proxy "
                    "settings under system.net), secrets replaced by their structure")
            found["proxy"] = proxy_settings(cleaned.data, AGENT_CONFIG)
    else:
        ctx.leave_out(AGENT_CONFIG, "the agent's folder has no such file")
    if tail:
        ctx.add("agent/trace-newest.log", tail.encode("utf-8"), f"the last {TRACE_LINES} lines of the agent's "
                "newest trace file")
    entry.parsed = found  # now without the configuration's and the trace's text
    ctx.add_json("agent/agent.json", found, "the provisioning agent: service state, start mode, account, "
                 "version, proxy settings, its Trace folder's newest files")
    ctx.facts["agent"] = {k: found.get(k) for k in ("installed", "state", "version", "proxy")}


def windows_log(ctx: ReportContext, member: str, log: str, levels: tuple[int, ...]) -> None:
    ctx.progress(f"the {log} log")
    result, entry = ctx.recorder.run(log_command(log, ctx.options.days, levels))
    if result is None or result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() if result is not None else []
        ctx.leave_out(f"the {log} log", f"wevtutil could not read it: "
                      f"{entry.error or (lines[0] if lines else f'exit code {entry.returncode}')}")
        return
    data = result.stdout.encode("utf-8")
    entry.stdout = f"(the events are the member {member}, {len(data):,} bytes)"
    which = "critical, error and warning events" if levels else "every event"
    ctx.add(member, b"<Events>\r\n" + data + b"\r\n</Events>\r\n",
            f"the {log} log: {which} of the last {ctx.options.days} day(s), newest first, at most {MAX_EVENTS:,}")
    ctx.facts.setdefault("windows_logs", {})[log] = entry.parsed
