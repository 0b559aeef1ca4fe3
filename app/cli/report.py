"""CLI: `host-report --out FILE.zip`: a sanitized picture of the host, read-only on the host.
Exit 0 written, 2 bad input."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import add_location_options, layout_from_args
from app.diagnostics.tokens import token_from_env
from app.errors import UserError
from app.report.build import build_report, write_report
from app.report.context import DEFAULT_DAYS, ReportOptions


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("host-report", help="gather a sanitized report of the host into one zip (versions, "
                       "service, bindings, certificates, files with secrets replaced, DLLs, event log, "
                       "doctor; nothing on the host is changed)")
    add_location_options(p)
    p.add_argument("--out", required=True, metavar="FILE.zip", help="where to write the report")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS, metavar="N",
                   help=f"days of the event log to include (default {DEFAULT_DAYS})")
    p.add_argument("--redact", action="append", default=[], metavar="NAME",
                   help="a host, domain or user name to replace by a placeholder everywhere (repeatable)")
    p.add_argument("--token-env", metavar="VAR", help="environment variable holding a connector's secret "
                   "token: runs the connection test (else a token remembered in the keyring is used)")
    p.add_argument("--connector", metavar="NAME", help="the connector the token belongs to (default: the first)")
    p.add_argument("--no-bridge", action="store_true", help="do not ask the connector DLLs for their pages")
    p.set_defaults(func=cmd_host_report)


def cmd_host_report(args: argparse.Namespace) -> int:
    layout = layout_from_args(args)
    token = token_from_env(args.token_env) if args.token_env else None
    options = ReportOptions(layout, days=args.days, redact=list(args.redact), token=token,
                            token_connector=args.connector, with_bridge=not args.no_bridge)
    if not args.out.lower().endswith(".zip"):
        raise UserError(f"--out should name a .zip file, got '{args.out}'.")
    report = build_report(options, progress=lambda text: print(f"  {text}...", file=sys.stderr))
    path = write_report(args.out, report)
    print(f"Host report written to {path} ({report.size:,} bytes, {len(report.members)} files).")
    for what in report.manifest["left_out"]:
        print(f"  left out: {what['what']}: {what['why']}")
    print("Read summary.md in it first.")
    return 0
