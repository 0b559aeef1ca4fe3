"""`ecma-wizard gui` and `ecma-wizard screenshots OUTDIR`."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from types import ModuleType

from app.errors import UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from app.cli.common import add_location_options

    gui = sub.add_parser("gui", help="open the GUI on a given Configuration.xml or host folder")
    add_location_options(gui)
    gui.add_argument("--report", metavar="FILE.zip", help="open a host report read-only (nothing in it runs)")
    gui.add_argument("--theme", choices=("auto", "light", "dark"), default=None,
                     help="colour scheme (default: follow the system)")
    gui.set_defaults(func=cmd_gui)

    shots = sub.add_parser(
        "screenshots", help="(developer, from a source checkout) render every window and dialog to PNG",
        description="Renders the main window (light, dark, 200%%), its tabs, the Problems panel and "
                    "dialogs, then every UI area's screens, into OUTDIR. Works on copies: nothing "
                    "you name is written to.")
    shots.add_argument("outdir", metavar="OUTDIR")
    add_location_options(shots)
    shots.add_argument("--only", metavar="AREA", action="append",
                       help="only these areas (main, wizard, events, certs, diagnostics, migrate, report)")
    shots.add_argument("--scale", type=float, default=None, help=argparse.SUPPRESS)
    shots.set_defaults(func=cmd_screenshots)

    logs = sub.choices.get("logs")  # the events area's command; the viewer window is ours
    if logs is not None:
        logs.add_argument("--gui", action="store_true", help="open the log in the event viewer window")
        logs.set_defaults(open_viewer=open_viewer)


def open_viewer(source: str) -> int:
    from app.ui.events.window import run_viewer

    return run_viewer(source)


def cmd_gui(args: argparse.Namespace) -> int:
    from app.ui.launch import open_gui

    return open_gui(args)


def cmd_screenshots(args: argparse.Namespace) -> int:
    run_screenshots = _scenes().run_screenshots
    written, notes = run_screenshots(Path(args.outdir), config=args.config, host_dir=args.host_dir,
                                     only=args.only, scale=args.scale)
    for note in notes:
        print(f"note: {note}")
    for path in written:
        print(path)
    print(f"{len(written)} PNG file(s) in {args.outdir}")
    return 0


def _scenes() -> ModuleType:
    """The scenes live with the tests (tests/screens: canned Graph answers, test connectors, demo
    stores), which only a source checkout has; run from its folder, Python finds them there."""
    try:
        return importlib.import_module("tests.screens")
    except ModuleNotFoundError as exc:
        if exc.name not in ("tests", "tests.screens"):
            raise  # a scene failing to import is a bug: let the crash handler see it
        raise UserError("`screenshots` is a developer command: it renders the scenes kept in a source "
                        "checkout's tests/screens folder, so run it from the checkout's folder "
                        "(python -m app screenshots OUTDIR); the installed program does not include "
                        "them.") from None
