"""The command line: parses, calls the core, prints, sets the exit code.

Each area's subcommands are registered by its own module here, `app/cli/<area>.py` (a
`register(subparsers)` function); this module only lists them. Exit codes across the CLI: 0 fine, 1 the check found
problems, 2 usage or input error (one sentence on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from app import __version__
from app.datastore import configure_logging, crash_details
from app.errors import UserError

_log = logging.getLogger(__name__)  # not `log`: main() has a local of that name

# One line per area; an area's module adds its subcommands to the parser.
COMMAND_MODULES: tuple[str, ...] = (
    "app.cli.config",
    "app.cli.events",
    "app.cli.certs",
    "app.cli.diagnostics",
    "app.cli.host",
    "app.cli.gui",
    "app.cli.migrate",
    "app.cli.bridge",
    "app.cli.hostsecrets",
    "app.cli.report",
    "app.cli.entra",
    "app.cli.journal",
)


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one sentence naming the command and the argument (its default
    prints a multi-line usage block first, which buries the sentence)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No prefix matching, in this parser and every subparser (they are made with this class):
        # otherwise `--yes` silently means `--yes-reset-dangerous-scope`.
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`).\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ecma-wizard",
        description="Configure Microsoft's ECMA Connector Host (ECMA2Host) safely. "
        "With no command, opens the GUI (on the host that --config FILE or --host-dir DIR names).",
    )
    parser.add_argument("--version", action="version", version=f"ecma-wizard {__version__}")
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _open_gui(argv: Sequence[str]) -> int:
    try:
        gui = importlib.import_module("app.ui.launch")
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith(("PySide6", "shiboken6")):
            raise  # our own module failing to import is a bug: let the crash handler see it
        print("ecma-wizard: the GUI needs PySide6, which is not installed "
              "(pip install PySide6-Essentials); the commands work without it (ecma-wizard --help).",
              file=sys.stderr)
        return 2
    return gui.run_gui(list(argv))


# The GUI's own options (app/ui/launch.py parse_gui_args): with nothing else on the line they open
# the GUI, as the help's "with no command, opens the GUI" promises (`ecma-wizard --host-dir DIR`).
_GUI_OPTIONS = ("--config", "--host-dir", "--report", "--theme")


def _only_gui_options(argv: Sequence[str]) -> bool:
    i = 0
    while i < len(argv):
        if argv[i].split("=", 1)[0] not in _GUI_OPTIONS:
            return False
        i += 1 if "=" in argv[i] else 2
    return bool(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or _only_gui_options(argv):
        return _open_gui(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging()
    if getattr(args, "self_test", False) and not args.command:
        return importlib.import_module("app.ui.selftest").run()
    if not args.command:
        parser.print_help()
        return 0
    # the command's name only: its arguments are the user's paths and names, never needed to read the log
    command = " ".join(str(x) for x in (args.command, getattr(args, "action", None)) if x)
    _log.info("ecma-wizard %s %s: %s", __version__, command, "started")
    try:
        code = int(args.func(args) or 0)
        _log.info("%s: exit %d", command, code)
        return code
    except UserError as exc:
        _log.info("%s: refused: %s", command, exc.sentence())
        print(f"ecma-wizard: {exc.sentence()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ecma-wizard: interrupted", file=sys.stderr)
        return 130
    except Exception:  # the program's own failure: keep the trace out of the user's face
        print(f"ecma-wizard: internal error ({crash_details(traceback.format_exc())}); nothing was saved.",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
