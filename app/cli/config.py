"""CLI: validate, show, set-timer, backups, diff (exit codes as README gives them)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.common import add_location_options, layout_from_args, print_json
from app.config.diff import diff_documents, format_change
from app.config.document import ConfigDocument, Connector
from app.config.rules import ERROR, INFO, MAX_TIMER_MINUTES, WARNING, counts, is_encrypted_blob, validate
from app.config.store import ConfigStore
from app.errors import UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("validate", help="check Configuration.xml: exit 0 no errors, 1 errors, 2 unreadable")
    add_location_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("show", help="host settings and each connector's main fields")
    add_location_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("set-timer", help="set a connector's autosync timer (minutes), no 120 floor")
    add_location_options(p)
    p.add_argument("connector")
    p.add_argument("minutes")
    p.set_defaults(func=cmd_set_timer)

    p = sub.add_parser("backups", help="list or restore backups of Configuration.xml")
    add_location_options(p)
    bsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = bsub.add_parser("list", help="newest first")
    add_location_options(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_backups_list)
    q = bsub.add_parser("restore", help="put a backup back (the current file is backed up first)")
    add_location_options(q)
    q.add_argument("id", help="the ID from `backups list`, or its number (1 = newest)")
    q.set_defaults(func=cmd_backups_restore)

    p = sub.add_parser("diff", help="semantic diff of two Configuration.xml files, bundles or host folders")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_diff)


def _store(args: argparse.Namespace) -> ConfigStore:
    return layout_from_args(args).config_store()


def cmd_validate(args: argparse.Namespace) -> int:
    store = _store(args)
    doc = store.load()
    findings = validate(doc)
    tally = counts(findings)
    if args.json:
        print_json({"file": str(store.path), "counts": tally,
                    "findings": [f.to_dict() for f in findings]})
    else:
        for f in findings:
            print(f"{f.severity.upper():8} {f.where()}: {f.message}")
            if f.fix:
                print(f"         -> {f.fix}")
        print(f"{store.path}: {tally[ERROR]} error(s), {tally[WARNING]} warning(s), "
              f"{tally[INFO]} note(s)")
    return 1 if tally[ERROR] else 0


def connector_summary(c: Connector) -> dict[str, Any]:
    entry = c.entry_schema
    return {
        "name": c.name, "library": c.library_name, "autosync_timer": c.autosync_timer,
        "secret_token": "encrypted" if is_encrypted_blob(c.secret_token) else
        ("set" if c.secret_token else "empty"),
        "description": c.description,
        "run_profiles": [r.name for r in c.run_configurations],
        "object_type": entry.object_type if entry else None,
        "anchor": entry.anchor.name if entry and entry.anchor else None,
        "attributes": len(entry.attributes) if entry else 0,
        "parameters": len(c.parameters), "modified": c.modification_datetime,
    }


def cmd_show(args: argparse.Namespace) -> int:
    store = _store(args)
    doc = store.load()
    data: dict[str, Any] = {"file": str(store.path), "port": doc.setting.port,
            "certificate": doc.setting.certificate,
            "connectors": [connector_summary(c) for c in doc.connectors]}
    if args.json:
        print_json(data)
        return 0
    print(f"File:        {data['file']}")
    print(f"Port:        {data['port']}")
    print(f"Certificate: {data['certificate'] or '(none)'}")
    print(f"Connectors:  {len(data['connectors'])}")
    for c in data["connectors"]:
        print(f"  {c['name']}: {c['library']}, {_every(c['autosync_timer'])}, token {c['secret_token']}, "
              f"{c['object_type']} anchored on {c['anchor']}, {c['attributes']} attributes, "
              f"profiles {', '.join(c['run_profiles']) or 'none'}")
    return 0


def cmd_set_timer(args: argparse.Namespace) -> int:
    try:
        minutes = int(args.minutes)
    except ValueError:
        raise UserError(f"'{args.minutes}' is not a whole number of minutes") from None
    if minutes < 1:
        raise UserError(f"the autosync timer must be at least 1 minute (got {minutes})")
    if minutes > MAX_TIMER_MINUTES:
        raise UserError(f"the autosync timer must be at most {MAX_TIMER_MINUTES} minutes, the largest "
                        f"number the host can read (got {minutes})")
    store = _store(args)
    doc = store.load()
    connector = doc.find_connector(args.connector)
    connector.autosync_timer = str(minutes)
    result = store.save(doc)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    saved = result.document.find_connector(args.connector)
    findings = [f for f in validate(result.document)
                if f.connector == saved.name and f.field == "AutosyncTimer"]
    for f in findings:
        print(f"{f.severity}: {f.message} {f.fix}", file=sys.stderr)
    where = f"; backup {result.backup.id}" if result.backup else ""
    print(f"{saved.name}: autosync timer {saved.autosync_timer} minutes"
          f" ({'saved' if result.changed else 'unchanged'}{where})")
    return 1 if any(f.severity == ERROR for f in findings) else 0


def cmd_backups_list(args: argparse.Namespace) -> int:
    store = _store(args)
    backups = store.backups()
    if args.json:
        print_json([{"number": i, "id": b.id, "taken": b.taken.isoformat(), "size": b.size,
                     "path": str(b.path)} for i, b in enumerate(backups, 1)])
        return 0
    if not backups:
        print(f"No backups of {store.path} yet (one is taken before every save).")
        return 0
    print(f"Backups of {store.path}, newest first:")
    for i, b in enumerate(backups, 1):
        print(f"  {i:>2}  {b.id}  {b.taken.astimezone():%Y-%m-%d %H:%M:%S}  {b.size:>9,} bytes")
    return 0


def cmd_backups_restore(args: argparse.Namespace) -> int:
    store = _store(args)
    result = store.restore(args.id)
    print(f"Restored {store.path} from backup {args.id}"
          + (f"; the file it replaced is backup {result.backup.id}" if result.backup else ""))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from app.migrate.hostdiff import is_host_source  # bundles and host folders too

    if is_host_source(args.a) or is_host_source(args.b):
        from app.cli.migrate import cmd_host_diff

        return cmd_host_diff(args)
    a = ConfigDocument.load(args.a)
    b = ConfigDocument.load(args.b)
    changes = diff_documents(a, b)
    if args.json:
        print_json([c.to_dict() for c in changes])
    elif not changes:
        print("No differences.")
    else:
        for ch in changes:
            print(format_change(ch))
    return 0


def _every(timer: str | None) -> str:
    return f"every {timer} min" if timer else "timer not set"
