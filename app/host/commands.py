"""CLI: `service status|start|stop|restart` and `logging show|set LEVEL`."""

from __future__ import annotations

import argparse
import sys

from app.cli_common import add_location_options, layout_from_args, print_json
from app.errors import UserError
from app.host.appconfig import LEVELS, SOURCES, logging_levels, set_logging_level
from app.host.service import ServiceState, ServiceStatus, default_service_control

RESTART_TO_APPLY = "Restart the service to apply it: ecma-wizard service restart."


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("service", help="status, start, stop or restart the Microsoft ECMA2Host service (Windows)")
    p.add_argument("action", choices=("status", "start", "stop", "restart"),
                   help="restart runs a full import of every connector")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_service)

    p = sub.add_parser("logging", help="show or set the logging level of the service and the wizard")
    lsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = lsub.add_parser("show", help="switchValue of ConnectorsLog and ECMA2Host in both .exe.config files")
    add_location_options(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_logging_show)
    q = lsub.add_parser("set", help=f"set every source to LEVEL ({', '.join(LEVELS)}); "
                        "WriteVerboseLog follows (true only for Verbose)")
    add_location_options(q)
    q.add_argument("level", metavar="LEVEL")
    q.set_defaults(func=cmd_logging_set)


def _status_json(status: ServiceStatus) -> dict:
    return {"name": status.name, "display_name": status.display_name, "state": status.state.label,
            "pid": status.pid, "account": status.account}


def cmd_service(args: argparse.Namespace) -> int:
    control = default_service_control()
    if not control.available():
        raise UserError(control.unavailable_reason or "the Windows service cannot be controlled here.")

    def show(status: ServiceStatus) -> None:
        if not args.json:
            print(f"  ... {status.state.label}", file=sys.stderr)

    if args.action == "status":
        status = control.status()
    elif args.action == "start":
        status = control.start(show)
    elif args.action == "stop":
        status = control.stop(show)
    else:
        status = control.restart(show)
    if args.json:
        print_json(_status_json(status))
    else:
        print(status.sentence())
        if args.action in ("start", "restart") and status.running:
            print("The service runs a full import of every connector as it starts.")
    if args.action == "status":
        return 0 if status.state is ServiceState.RUNNING else 1
    return 0


def cmd_logging_show(args: argparse.Namespace) -> int:
    found = logging_levels(layout_from_args(args))
    if args.json:
        print_json([{"file": str(f.path), "role": f.role, "levels": f.levels,
                     "write_verbose_log": f.write_verbose_log} for f in found])
        return 0
    for f in found:
        print(f"{f.path}")
        for source in SOURCES:
            value = f.levels.get(source)
            note = "" if value in LEVELS or value is None else "  (not a level the service reads: case sensitive)"
            print(f"  {source:14} {value if value is not None else '(no such source)'}{note}")
        if f.write_verbose_log is not None:
            print(f"  {'WriteVerboseLog':14} {'true' if f.write_verbose_log else 'false'}")
    return 0


def cmd_logging_set(args: argparse.Namespace) -> int:
    saves = set_logging_level(layout_from_args(args), args.level)
    for s in saves:
        if s.changed:
            print(f"saved {s.path}" + (f" (backup {s.backup.id})" if s.backup else ""))
        else:
            print(f"unchanged {s.path}")
    if any(s.changed for s in saves):
        print(RESTART_TO_APPLY)
    return 0
