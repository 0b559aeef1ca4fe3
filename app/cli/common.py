"""What every CLI command that works on a host shares: --config / --host-dir, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.host.layout import HostLayout, resolve


def add_location_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="FILE", help="a Configuration.xml (or connector export)")
    where.add_argument("--host-dir", metavar="DIR", help="an ECMA2Host install folder")


def layout_from_args(args: argparse.Namespace) -> HostLayout:
    layout = resolve(getattr(args, "config", None), getattr(args, "host_dir", None))
    if layout.is_sample and not getattr(args, "quiet_sample", False):
        print(f"(no ECMA2Host found: working on {layout.describe()})", file=sys.stderr)
    return layout


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def command_group(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                  help_text: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The subcommands of a group such as `connector`, made once: several areas add commands to
    the same group (`connector deploy-dll` from host, `connector inspect` from the bridge), and
    argparse refuses a second parser of the same name."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        parser.set_defaults(_group=parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                                         parser_class=type(parser)))
    return parser.get_default("_group")
