"""CLI: `test-connection` and `doctor`. Exit 0 all good, 1 a check failed, 2 input error."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.cli.common import add_location_options, layout_from_args, print_json
from app.config.document import ConfigDocument
from app.diagnostics.connection import DEFAULT_TIMEOUT, ConnectionTarget, StepResult, run_connection_test
from app.diagnostics.doctor import COPY_DLLS, ERROR, PROBLEMS, copy_powershell_resources, run_doctor
from app.diagnostics.tokens import remember_token, remembered_token, token_from_env
from app.errors import UserError
from app.host.machine import default_machine
from app.severity import Severity

_MARK = {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP",
         Severity.OK: "OK", Severity.INFO: "INFO", Severity.WARNING: "WARN", Severity.ERROR: "ERROR",
         Severity.SKIPPED: "SKIP"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("test-connection", help="TLS + SCIM test of one connector, as Entra calls it "
                       "(exit 0 passed, 1 a check failed)")
    add_location_options(p)
    p.add_argument("connector", help="the connector name (case sensitive)")
    p.add_argument("--host", default="localhost", help="host name (default localhost)")
    p.add_argument("--port", type=int, help="port (default <Setting><Port>)")
    p.add_argument("--token-env", metavar="VAR", help="environment variable holding the connector's "
                   "secret token (else the remembered one, else a prompt)")
    p.add_argument("--remember", action="store_true", help="remember the token in the keyring for this connector")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per step (default 5)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_test_connection)

    p = sub.add_parser("doctor", help="check the host for known problems (exit 0 nothing wrong, 1 problems)")
    add_location_options(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--copy-powershell-dlls", action="store_true",
                   help="copy the three PowerShell 5.1 resource DLLs from WinSxS where they are missing")
    p.set_defaults(func=cmd_doctor)


def _token(args: argparse.Namespace) -> str:
    token: str | None
    if args.token_env:
        token = token_from_env(args.token_env)
    else:
        token = remembered_token(args.connector)
        if token:
            return token
        if not sys.stdin.isatty():
            raise UserError(f"no token for connector '{args.connector}': give --token-env VAR (the "
                            "token is never taken from the command line); add --remember to keep it in the keyring.")
        token = getpass.getpass(f"Secret token of connector '{args.connector}' (not shown): ").strip()
        if not token:
            raise UserError("no token was typed.")
    if args.remember:
        remember_token(args.connector, token)
        print(f"The token is remembered in the keyring for connector '{args.connector}'.", file=sys.stderr)
    return token


def cmd_test_connection(args: argparse.Namespace) -> int:
    layout = layout_from_args(args)
    doc = ConfigDocument.load(layout.config_path)
    connector = doc.find_connector(args.connector)  # exit 2 with the case hint when unknown
    port = args.port
    if port is None:
        if not doc.setting.port.strip().isdigit():
            raise UserError("has no valid <Setting><Port>; give --port", path=layout.config_path)
        port = int(doc.setting.port)
    if not 0 < port < 65536 or args.timeout <= 0:
        raise UserError("--port must be 1-65535 and --timeout positive.")
    target = ConnectionTarget(connector.name, _token(args), args.host, port,
                              expected_thumbprint=doc.setting.certificate or None,
                              known_connectors=tuple(c.name for c in doc.connectors), timeout=args.timeout)
    if not args.json:
        print(f"Connection test of '{target.connector}' at {target.tenant_url}")
    report = run_connection_test(target, progress=None if args.json else _print_step)
    if args.json:
        print_json(report.to_json())
        return 0 if report.passed else 1
    for name in ("Last-Successful-Import", "Last-Successful-Export", "Last-Successful-Cache-Change"):
        print(f"  {name}: {report.headers.get(name, '(not received)')}")
    print(report.summary())
    return 0 if report.passed else 1


def _print_step(step: StepResult) -> None:
    latency = f"{step.latency_ms:7.1f} ms" if step.latency_ms is not None else " " * 10
    print(f"  {_MARK[step.outcome]:5} {step.title:14} {latency}  {step.message}")
    if step.fix and step.outcome != "pass":
        print(f"  {'':5} {'':14} {'':10}  -> {step.fix}")
    sys.stdout.flush()


def cmd_doctor(args: argparse.Namespace) -> int:
    layout = layout_from_args(args)
    if args.copy_powershell_dlls:
        written = copy_powershell_resources(layout, default_machine())
        for path in written:
            print(f"copied {path}")
        if not written:
            print("Nothing to copy: every folder already has the three DLLs.")
    report = run_doctor(layout)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"Host doctor: {report.host}")
        for c in report.checks:
            print(f"  {_MARK[c.severity]:5} {c.title}: {c.message}")
            if c.action and c.severity is not Severity.OK:
                print(f"        -> {c.action}")
            if c.fix == COPY_DLLS:
                print("        (ecma-wizard doctor --copy-powershell-dlls does it for you)")
        errors = sum(1 for c in report.checks if c.severity is ERROR)
        warnings = len(report.problems) - errors
        print("Nothing wrong found." if not report.problems else f"{errors} error(s), {warnings} warning(s).")
    return 1 if any(c.severity in PROBLEMS for c in report.checks) else 0
