"""CLI: `connector inspect DLL` (every page as the wizard would ask it) and `connector add NAME`.

Exit codes: 0 every page validates (add: saved), 1 the connector (or our check of a value)
rejects a page, 2 bad input or a connector that fails, dies or times out (one sentence; the pages
asked before the failure are still printed, and `add` says which parameters they have).
Secrets come only from environment variables (--secret-env NAME=VAR, --token-env VAR): never on
the command line, in the JSON or in messages.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from app.bridge import capabilities, locate
from app.bridge.client import DEFAULT_TIMEOUT, SCHEMA_TIMEOUT
from app.bridge.newconnector import Choices, connector_element
from app.bridge.session import ConnectorSession, PlainSecret, Validation
from app.bridge.walk import NOT_CHECKED, WalkResult, walk
from app.cli.common import add_location_options, command_group, layout_from_args, print_json
from app.config.rules import ERROR, validate
from app.errors import UserError
from app.host.layout import HostLayout, installed_host, resolve
from app.hostsecrets.dpapi import default_dpapi
from app.hostsecrets.writing import plan_for
from app.wizard.secret_choice import STORE_AS_TYPED, SecretChoice


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    csub = command_group(sub, "connector", "ask a connector DLL for its pages, add a connector from it, "
                         "update its DLL")

    q = csub.add_parser("inspect", help="every page of a connector DLL as the wizard asks it "
                        "(exit 0 all pages validate, 1 one is rejected, 2 failure)")
    q.add_argument("dll", metavar="DLL", help="the connector DLL")
    _common(q)
    q.set_defaults(func=cmd_inspect)

    q = csub.add_parser("add", help="add a connector whose parameters are the DLL's own")
    q.add_argument("name", metavar="NAME", help="the new connector's name")
    q.add_argument("--dll", required=True, help="the connector DLL (normally in the host's Service\\ECMA)")
    _common(q)
    q.add_argument("--token-env", metavar="VAR", help="environment variable holding the secret token")
    q.add_argument("--secrets", choices=("leave-for-host", "as-typed"), default="leave-for-host",
                   help="where secrets cannot be encrypted as the host does (off the host): leave them "
                   "to be entered on the host (default), or write them as typed, in plain text")
    q.add_argument("--timer", type=int, default=120, metavar="MIN", help="autosync timer in minutes (120)")
    q.add_argument("--partition", metavar="DN", help="the partition to use (default: the DLL's first)")
    q.add_argument("--object-type", required=True, metavar="T", help="the DLL's object type to provision")
    q.add_argument("--anchor", required=True, metavar="A", help="the anchor attribute")
    q.add_argument("--attributes", required=True, metavar="a,b,...", help="attributes to select")
    q.set_defaults(func=cmd_add)


def _common(q: argparse.ArgumentParser) -> None:
    add_location_options(q)
    q.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter's value (any page); CheckBox 1 or 0")
    q.add_argument("--secret-env", action="append", default=[], metavar="NAME=VAR",
                   help="a secret parameter's value, read from environment variable VAR")
    q.add_argument("--timeout", type=float, metavar="S",
                   help=f"seconds each call may take (default {DEFAULT_TIMEOUT:g}; GetSchema {SCHEMA_TIMEOUT:g})")
    q.add_argument("--json", action="store_true", help="JSON alone on stdout; notes on stderr")


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(f"{option} expects NAME=VALUE, got '{item.split('=')[0]}'")
        out.append((name, value))
    return out


def _env_secret(var: str, option: str) -> str:
    value = os.environ.get(var, "")
    if not value:  # never echo a value: users paste secrets where the name belongs
        raise UserError(f"{option} names an environment variable that is not set or empty "
                        "(give the variable's name, not the secret)")
    return value


def _host(args: argparse.Namespace, *, need_config: bool) -> HostLayout | None:
    if need_config:
        return layout_from_args(args)
    if args.config or args.host_dir:
        return resolve(args.config, args.host_dir)
    return installed_host()


def _session(args: argparse.Namespace, host: HostLayout | None) -> ConnectorSession:
    library = locate.user_named(args.dll, host)
    note = library.note(host)
    if note:
        print(note, file=sys.stderr)
    if args.timeout is not None and not args.timeout > 0:
        raise UserError(f"--timeout must be a number of seconds above 0 (got {args.timeout:g})")
    timeout = args.timeout
    session = ConnectorSession(library, timeout=timeout or DEFAULT_TIMEOUT,
                               schema_timeout=timeout or SCHEMA_TIMEOUT)
    # secrets first: a name also given with --set then stays a plain value, which is refused
    for name, var in _pairs(args.secret_env, "--secret-env"):
        session.set_secret(name, _env_secret(var, "--secret-env"))
    for name, value in _pairs(args.set, "--set"):
        session.set_value(name, value)
    return session


def _plain_secret(name: str) -> UserError:
    return UserError(f"{name} is a secret: give it with --secret-env {name}=VARIABLE, never on the "
                     "command line (the value was not passed to the connector)")


def _check_values(session: ConnectorSession, args: argparse.Namespace, *, strict: bool) -> None:
    """Names no page defines are a typo (add) or a note; after a failed call, later pages were
    never asked, so an unknown name is only a note. (A secret given with --set was refused before
    any call carried it: PlainSecret in _run_walk.)"""
    unknown = session.unknown_names()
    if unknown:
        text = f"no page of {session.library.dll.name} asked so far defines {', '.join(unknown)}"
        if strict:
            raise UserError(text + " (names are case sensitive)")
        print(f"note: {text}; the value was not used.", file=sys.stderr)


def _rejection_text(result: WalkResult) -> str:
    rejected = result.rejected
    if rejected is None:
        return ""
    page, verdict = rejected
    where = f"{page.page} {page.number}" if page.page == "Schema" else page.page
    who = f"The connector {result.library}" if verdict.by_connector else "This value"
    field = f" (field: {verdict.parameter})" if verdict.parameter else ""
    return f"{who} rejected the {where} page: {verdict.message or 'no reason given'}{field}"


def _failure_text(result: WalkResult) -> str:
    f = result.failure
    return "" if f is None else f"{f.message.rstrip('.')} (while asking for the {f.page} page)."


def _verdict_text(verdict: Validation) -> str:
    if verdict.ok:
        return "valid"
    return "NOT CHECKED: the connector failed" if verdict is NOT_CHECKED else "REJECTED: " + verdict.message


def _print_text(result: WalkResult, session: ConnectorSession) -> None:
    print(f"Connector DLL: {session.library.dll} ({result.library})")
    for page, verdict in result.pages:
        title = f"Schema {page.number}" if page.page == "Schema" else page.page
        print(f"\n{title}: {_verdict_text(verdict)}")
        for d in page.parameters:
            if d.type == "Label":  # Microsoft's DLL puts a label's text in Text, its Name is ""
                print(f"  [Label] {d.text or d.name}")
                continue
            if d.type == "Divider":
                print("  ----")
                continue
            extra = f" choices: {', '.join(d.choices)}" if d.choices else ""
            shown = "(secret)" if d.secret else repr(session.value_of(d))
            print(f"  {d.name or '-'} [{d.type}] = {shown}{extra}")
    if result.capabilities:
        print("\nCapabilities (as the DLL reports them):")
        for label, value in capabilities.summary(result.capabilities):
            print(f"  {label}: {value}")
    for part in result.partitions:
        print(f"\nPartition: {part['dn']} ({part['name']})")
    for t in (result.schema or {}).get("types", []):
        attrs = ", ".join(f"{a['name']}:{a['type']}{'[]' if a['multivalued'] else ''}" for a in t["attributes"])
        print(f"\nObject type {t['name']} (anchor {', '.join(t['anchors']) or '-'}): {attrs}")
    for w in result.warnings:
        print(f"\nwarning: {w}")
    if result.failure is not None:
        print(f"\nStopped: {_failure_text(result)}")


def _run_walk(session: ConnectorSession, args: argparse.Namespace) -> WalkResult:
    def progress(text: str) -> None:
        if not args.json:
            print(f"… {text}", file=sys.stderr)

    try:
        return walk(session, progress=progress if sys.stderr.isatty() else None)
    except PlainSecret as exc:
        raise _plain_secret(exc.name) from None
    except KeyboardInterrupt:
        session.cancel()
        raise


def _asked_so_far(session: ConnectorSession) -> str:
    """Which parameters each page asked so far has (what the user can pass with --set)."""
    lines = ["Parameters of the pages asked so far:"]
    for key in sorted(session.pages):
        answer = session.pages[key]
        names = [d.name + (" (secret: --secret-env)" if d.secret else "")
                 for d in answer.parameters if d.has_value and d.name]
        if names:
            title = f"Schema {answer.number}" if answer.page == "Schema" else answer.page
            lines.append(f"  {title}: {', '.join(names)}")
    return "\n".join(lines) if len(lines) > 1 else "The connector defined no parameters before it failed."


def cmd_inspect(args: argparse.Namespace) -> int:
    session = _session(args, _host(args, need_config=False))
    try:
        result = _run_walk(session, args)
    finally:
        session.close()
    _check_values(session, args, strict=False)
    data: dict[str, Any] = result.to_dict()
    if args.json:
        print_json(data)
    else:
        _print_text(result, session)
    if result.failure is not None:
        print(f"ecma-wizard: {_failure_text(result)}", file=sys.stderr)
        return 2
    if result.rejected:
        print(f"ecma-wizard: {_rejection_text(result)}", file=sys.stderr)
        return 1
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    host = _host(args, need_config=True)
    assert host is not None
    store = host.config_store()
    doc = store.load()
    if doc.connector(args.name) is not None:
        raise UserError(f"already has a connector named '{args.name}'", path=store.path)
    token = _env_secret(args.token_env, "--token-env") if args.token_env else ""
    session = _session(args, host)
    try:
        result = _run_walk(session, args)
    finally:
        session.close()
    if result.failure is not None:
        _check_values(session, args, strict=False)
        print(f"ecma-wizard: {_failure_text(result)[:-1]}; nothing was written.", file=sys.stderr)
        print(_asked_so_far(session), file=sys.stderr)
        if result.failure.page == "Object types":
            # Without GetSchema there are no attribute types to write (see docs/connector-dll.md)
            print("GetSchema usually connects to the connector's own system: run connector add "
                  "where that system can be reached (on the host), with the values above set.",
                  file=sys.stderr)
        return 2
    _check_values(session, args, strict=True)
    if result.rejected:
        print(f"ecma-wizard: {_rejection_text(result)}; nothing was written.", file=sys.stderr)
        return 1
    choices = Choices(args.name, args.object_type, args.anchor,
                      [a.strip() for a in args.attributes.split(",") if a.strip()],
                      args.partition, args.timer, token)
    element, notes = connector_element(session, result, choices)
    doc.add_connector(element)
    # a typed secret is encrypted as the host does where that is proven, else left for the host
    # (or, asked for, written as typed): never plain text without the user's choice
    secrets = SecretChoice(plan_for(doc, default_dpapi()))
    if args.secrets == "as-typed":
        secrets.choice = STORE_AS_TYPED
    new = doc.connector(args.name)
    assert new is not None
    secret_notes = secrets.apply(doc, new, {})
    errors = [f for f in validate(doc) if f.severity == ERROR and f.connector in (args.name, None)]
    if errors:
        raise UserError(f"The new connector would not pass validation, so nothing was written: "
                        f"{errors[0].message}")
    saved = store.save(doc)
    for w in [*notes, *saved.warnings]:
        print(f"warning: {w}", file=sys.stderr)
    added = saved.document.connector(args.name)
    summary = {"file": str(store.path), "connector": args.name, "library": result.library,
               "object_type": args.object_type,
               "run_profiles": [r.name for r in added.run_configurations] if added else [],
               "backup": saved.backup.id if saved.backup else None, "warnings": notes,
               "secrets": [{"parameter": f.field, "done": f.code, "note": f.message} for f in secret_notes]}
    if args.json:
        print_json(summary)
    else:
        print(f"Added the connector '{args.name}' ({result.library}) to {store.path}"
              + (f" (backup {saved.backup.id})" if saved.backup else ""))
        for f in secret_notes:
            print(f"  {f.message} {f.fix}")
    return 0
