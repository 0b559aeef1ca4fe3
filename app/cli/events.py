"""`ecma-wizard logs SOURCE ...`: read an event log, filter it, print it."""

from __future__ import annotations

import argparse
import sys

from app.errors import UserError
from app.events.export import write
from app.events.filters import EventFilter, parse_iso
from app.events.records import LEVEL_WORDS
from app.events.sources.base import EventSource, open_source

LIVE = "live"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "logs", help="read, filter and print an ECMA2Host event log",
        description="Read an event log (.evtx, a `wevtutil qe /f:xml` dump, a "
        "CollectTroubleshootingInfo zip, or 'live' on the Windows host), filter it and print it.")
    p.add_argument("source", metavar="SOURCE", help="a log file, or 'live' for the host's own log")
    p.add_argument("--level", choices=list(LEVEL_WORDS), help="keep this level and more severe ones")
    p.add_argument("--provider", action="append", metavar="P",
                   help="keep this provider (ConnectorsLog, ECMA2Host, ...); repeatable")
    p.add_argument("--search", metavar="TEXT", help="keep messages containing TEXT (any case)")
    p.add_argument("--regex", action="store_true", help="treat --search as a regular expression")
    p.add_argument("--connector", metavar="NAME", help="keep events that name this connector")
    p.add_argument("--event-id", type=int, action="append", metavar="N", help="keep this event id")
    p.add_argument("--since", metavar="ISO", help="keep events at or after this time")
    p.add_argument("--until", metavar="ISO", help="keep events before this time")
    p.add_argument("--format", choices=["table", "jsonl", "csv"], default="table")
    p.add_argument("--count", action="store_true", help="print only the number of matching events")
    # `--gui` is added by app/cli/gui.py, which also sets `open_viewer`: the core never imports Qt
    p.set_defaults(func=run, open_viewer=None)


def make_filter(args: argparse.Namespace) -> EventFilter:
    return EventFilter(
        max_rank=LEVEL_WORDS[args.level] if args.level else None,
        provider_names=frozenset(args.provider) if args.provider else None,
        connector=args.connector or "",
        text=args.search or "", regex=bool(args.regex),
        since=parse_iso(args.since, "--since") if args.since else None,
        until=parse_iso(args.until, "--until") if args.until else None,
        event_ids=frozenset(args.event_id) if args.event_id else None)


def source_for(name: str) -> EventSource:
    if name == LIVE:
        from app.events.sources.windows import UnavailableLiveLog, live_source

        source = live_source()
        if isinstance(source, UnavailableLiveLog):
            raise UserError(source.reason)
        return source
    return open_source(name)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "gui", False) and args.open_viewer is not None:
        return args.open_viewer(args.source)
    event_filter = make_filter(args)
    source = source_for(args.source)
    table = source.load()
    for warning in source.report.warnings:
        print(f"ecma-wizard: warning: {warning}", file=sys.stderr)
    if len(table) == 0:
        raise UserError("holds no events.", path=args.source)
    rows = event_filter.apply(table)
    try:
        if args.count:
            print(len(rows))
        else:
            write(table, rows, args.format, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader left, which is fine
        sys.stderr.close()
    return 0
