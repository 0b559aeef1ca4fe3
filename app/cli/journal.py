"""CLI: `journal [--json] [--host-dir DIR | --config FILE] [--unfinished] [--last N]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import add_location_options, print_json
from app.journal.read import ActionView, JournalView, read_journal


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("journal", help="every change this tool made (saves, restores, service, DLLs, "
                       "certificates, secrets, Entra): when, who, what, the outcome and the backup that undoes it")
    add_location_options(p)
    p.add_argument("--unfinished", action="store_true",
                   help="only actions that did not finish (the program was stopped while they ran) or failed")
    p.add_argument("--last", type=int, metavar="N", default=0, help="only the N newest actions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_journal)


def selected(args: argparse.Namespace) -> JournalView:
    view = read_journal()
    place = getattr(args, "host_dir", None) or getattr(args, "config", None)
    if place:
        config = Path(place)
        # a Configuration.xml inside an install tree: the whole host is meant
        if not getattr(args, "host_dir", None) and config.resolve().parent.name == "Configuration":
            place = str(config.resolve().parent.parent.parent)
        view = view.about(place)
    actions = view.actions
    if args.unfinished:
        actions = [a for a in actions if a.outcome in ("unfinished", "failed", "running")]
    if args.last > 0:
        actions = actions[-args.last:]
    return JournalView(actions, view.skipped, view.files)


def lines(action: ActionView) -> list[str]:
    out = [f"{action.when_text()}  {action.action} - {action.target or '(no target)'}",
           f"    {action.outcome_text()}; by {action.by()}"]
    if action.details:
        out.append(f"    {action.details_text()}")
    if action.undo:
        out.append(f"    undo with: {action.undo}")
    return out


def cmd_journal(args: argparse.Namespace) -> int:
    view = selected(args)
    if args.json:
        print_json({"actions": [a.to_json() for a in view.actions], "skipped_lines": view.skipped,
                    "files": [str(f) for f in view.files]})
        return 0
    for action in view.actions:
        print("\n".join(lines(action)))
    unfinished = sum(1 for a in view.actions if a.outcome == "unfinished")
    summary = f"{len(view.actions)} action(s)"
    if unfinished:
        summary += f"; {unfinished} did not finish: see `ecma-wizard doctor` for what to do"
    if view.skipped:
        summary += f"; {view.skipped} damaged line(s) of the journal were skipped"
    print(summary + ".")
    return 0
