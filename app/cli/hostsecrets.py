"""CLI: `secrets`: what each connector's secrets are, never what they hold.
Exit 0 nothing is plain or unreadable, 1 something is, 2 bad input."""

from __future__ import annotations

import argparse

from app.cli.common import add_location_options, layout_from_args, print_json
from app.config.document import ConfigDocument
from app.hostsecrets.dpapi import default_dpapi
from app.hostsecrets.inspect import has_problems, inspect_document


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("secrets", help="list each connector's secrets as empty / plain / encrypted / "
                       "unreadable, without showing them (exit 0 none plain or unreadable, 1 otherwise)")
    add_location_options(p)
    p.add_argument("--json", action="store_true", help="a list of {connector, parameter, state, class, "
                   "library, members, decryptable}")
    p.set_defaults(func=cmd_secrets)


def cmd_secrets(args: argparse.Namespace) -> int:
    layout = layout_from_args(args)
    doc = ConfigDocument.load(layout.config_path)
    dpapi = default_dpapi()
    statuses = inspect_document(doc, dpapi)
    if args.json:
        print_json([s.to_json() for s in statuses])
        return 1 if has_problems(statuses) else 0
    print(f"Secrets in {layout.config_path}")
    if not dpapi.available:
        print(f"  ({dpapi.reason} Whether this machine can decrypt them is not checked.)")
    current = None
    for s in statuses:
        if s.connector != current:
            current = s.connector
            print(f"  Connector '{s.connector}':")
        print(f"    {s.parameter}: {s.summary()}")
    if not statuses:
        print("  No connector has a secret field.")
    problems = [s for s in statuses if s.state in ("plain", "unreadable")]
    if problems:
        print(f"{len(problems)} secret(s) the host may not read: enter them again in the connector's "
              "wizard on the host (Microsoft's or this one, on Windows).")
    else:
        print("Nothing is stored in plain text or unreadable.")
    return 1 if problems else 0
