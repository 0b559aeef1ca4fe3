"""CLI: `service status|start|stop|restart`, `logging show|set LEVEL` and
`connector deploy-dll DLL`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_location_options, command_group, layout_from_args, print_json
from app.config.store import ConfigStore
from app.errors import UserError
from app.host.appconfig import LEVELS, SOURCES, logging_levels, set_logging_level
from app.host.layout import HostLayout
from app.host.service import ServiceState, ServiceStatus, default_service_control

RESTART_TO_APPLY = "Restart the service to apply it: ecma-wizard service restart."


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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

    group = command_group(sub, "connector", "ask a connector DLL for its pages, add a connector from it, "
                          "update its DLL")
    q = group.add_parser("deploy-dll", help="copy a new connector DLL to Service\\ECMA and the cache "
                         "folders of every connector using it, with the service stopped")
    add_location_options(q)
    q.add_argument("dll", metavar="DLL", nargs="?", help="the new connector DLL")
    q.add_argument("--connector", action="append", metavar="NAME",
                   help="only this connector's cache copies (repeatable; default: every connector using it)")
    q.add_argument("--with-dependencies", action="store_true",
                   help="also copy the other DLLs beside the new one (its prerequisites) to the same folders")
    repair = q.add_mutually_exclusive_group()
    repair.add_argument("--finish", action="store_true",
                        help="a half-deployed DLL (the update was stopped midway): copy the new files where "
                        "they are missing")
    repair.add_argument("--roll-back", action="store_true",
                        help="a half-deployed DLL: put every file back as it was before the update")
    q.add_argument("--yes", action="store_true", help="carry out the plan without asking")
    q.add_argument("--dry-run", action="store_true", help="show the plan and change nothing")
    q.add_argument("--without-service", action="store_true",
                   help="off the host: copy without stopping a service (the folder's service must not run)")
    q.add_argument("--json", action="store_true", help="the plan (and result) as JSON")
    q.set_defaults(func=cmd_deploy_dll)


def _status_json(status: ServiceStatus) -> dict[str, Any]:
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


def cmd_deploy_dll(args: argparse.Namespace) -> int:
    from app.host.deploy import execute, make_plan

    layout = layout_from_args(args)
    if args.finish or args.roll_back:
        return _repair_deploy(args, layout)
    if not args.dll:
        raise UserError("Name the new connector DLL (or use --finish / --roll-back for a half-deployed one).")
    document = ConfigStore(layout.config_path).load()
    plan = make_plan(layout, document, Path(args.dll), args.connector, with_dependencies=args.with_dependencies)
    if args.json:
        print_json({"plan": plan.to_dict(), "dry_run": args.dry_run})
    else:
        print("\n".join(plan.lines(layout.root or Path("."))))
    if args.dry_run:
        return 0
    if not plan.to_copy:
        print("Every copy is already this DLL: nothing to do.", file=sys.stderr)
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("Add --yes to carry out this plan (there is no terminal to ask).")
        answer = input(f"Stop the service and copy to {len(plan.to_copy)} place(s)? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was changed.", file=sys.stderr)
            return 0
    result = execute(plan, default_service_control(host_root=layout.root), without_service=args.without_service,
                     progress=lambda text: print(f"  ... {text}", file=sys.stderr))
    print(f"Copied to {len(result.copied)} place(s). {result.service}", file=sys.stderr)
    for connector, folders in result.folders.items():
        print(f"Updated for {connector}: {', '.join(folders)}", file=sys.stderr)
    if result.backup_folder:
        print(f"The replaced files are kept in {result.backup_folder}", file=sys.stderr)
    return 0


def _repair_deploy(args: argparse.Namespace, layout: HostLayout) -> int:
    from app.host.deployrecord import repair

    if layout.root is None:
        raise UserError("Repairing a DLL update needs the host's install folder (--host-dir).")
    if args.dll:
        raise UserError("--finish and --roll-back repair the update that was stopped; do not name a DLL.")
    done = repair(layout.root, "finish" if args.finish else "roll-back", default_service_control(host_root=layout.root),
                  without_service=args.without_service, progress=lambda text: print(f"  ... {text}", file=sys.stderr))
    print("\n".join(done))
    return 0
