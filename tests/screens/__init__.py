"""`ecma-wizard screenshots OUTDIR`: render every window, page and dialog to PNG, offscreen.

The main window's pictures are made here (light, dark, 200 %, each tab, the Problems panel, the
read-only and changed-on-disk states, the Backups and Delete dialogs); then every other UI area's
`tests/screens/<area>.py` `screenshots(outdir)` is run, each in its own sub-folder. Everything
works on copies in a temporary folder, with a private data folder: nothing named is written to.

The scenes are test material (canned Graph answers, the test connectors, demo stores), so they live
here, not in app/: `screenshots` is a developer command of a source checkout (app/cli/gui.py imports
this package from the checkout's folder), not part of the packaged build.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path

from app.host.layout import HostLayout, config_in, from_config, from_host_dir, sample_host_copy

MAIN_SIZE = (1180, 760)


def _settle(app, seconds: float = 0.25) -> None:
    """Let queued signals (the certificate status thread) arrive before a picture is taken."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _save(app, widget, path: Path) -> Path:
    widget.show()
    _settle(app)
    widget.grab().save(str(path))
    return path


def working_copy(work: Path, config: str | None, host_dir: str | None) -> HostLayout:
    """A copy of what was named (a whole host tree, or one file), else of the bundled sample host."""
    if host_dir:
        source = from_host_dir(host_dir)
        assert source.root is not None  # a host folder was named
        shutil.copytree(source.root, work / "host", ignore=shutil.ignore_patterns("*.lock", "Cache"))
        return HostLayout(config_in(work / "host"), work / "host")
    if config:
        source = from_config(config)
        target = config_in(work / "host")
        target.parent.mkdir(parents=True)
        shutil.copyfile(source.config_path, target)
        return HostLayout(target, None)
    return sample_host_copy()


def _with_problems(window) -> None:
    """Typical mistakes, so the Problems panel has something to show (on the copy only)."""
    doc = window.document
    connectors = doc.connectors
    if connectors:
        connectors[0].secret_token = "changeme"
        connectors[0].autosync_timer = "10"
    if len(connectors) > 1:
        connectors[1].secret_token = ""
    doc.setting.certificate = "3F6D1C0A9B8E7D6C5B4A"
    window.save()


def _empty_copy(layout: HostLayout) -> HostLayout:
    """A sibling copy of the configuration with every connector removed."""
    from app.config.document import ConfigDocument
    from app.filestore import atomic_write

    doc = ConfigDocument.load(layout.config_path)
    for c in doc.connectors:
        doc.remove_connector(c.name)
    target = layout.config_path.parent.parent.parent.parent / "empty-host" / "Configuration.xml"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, doc.to_bytes())
    return HostLayout(target, None)


def main_screens(outdir: Path, layout: HostLayout, scale: float | None = None) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from app.ui.launch import ensure_app, main_window_for
    from app.ui.theme import apply_theme

    app = ensure_app()
    out: list[Path] = []
    if scale:  # a child process started with QT_SCALE_FACTOR: only the main window
        window = main_window_for(layout)
        window.resize(*MAIN_SIZE)
        out.append(_save(app, window, outdir / f"main-window-{int(scale * 100)}pct.png"))
        window.tabs.setCurrentWidget(window.settings_tab)
        out.append(_save(app, window, outdir / f"main-window-settings-{int(scale * 100)}pct.png"))
        window.close()
        return out

    window = main_window_for(layout)
    window.resize(*MAIN_SIZE)
    out.append(_save(app, window, outdir / "main-window.png"))
    for i in range(1, window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        name = window.tabs.tabText(i).replace("&", "").lower().replace(" ", "-")
        out.append(_save(app, window, outdir / f"main-window-tab-{name}.png"))
    window.tabs.setCurrentIndex(0)

    # A host under Program Files opened without elevation: the bar offers to restart elevated
    # (here told so: this machine has no UAC to ask; the first window has the file's lock).
    window.store.lock.release()
    elevated = main_window_for(layout, needs_elevation=True)
    elevated.resize(*MAIN_SIZE)
    out.append(_save(app, elevated, outdir / "main-window-not-elevated.png"))
    elevated.close()
    window.store.lock.acquire()

    # Unsaved edit: the title's marker, Save and Revert enabled.
    window.settings_tab.port.setText("8586")
    window.settings_tab.port.textEdited.emit("8586")
    out.append(_save(app, window, outdir / "main-window-unsaved.png"))
    window.document.setting.port = "8585"
    window.refresh()

    # Backups: two saves make two backups, the dialog shows what a restore would change.
    connector = window.document.connectors[-1] if window.document.connectors else None
    if connector is not None:
        connector.autosync_timer = "240"
        window.save()
        window.document.connectors[-1].description = "Nightly HR feed (changed for the screenshot)"
        window.save()
    dialog = window.show_backups()
    dialog.list.setCurrentItem(dialog.list.topLevelItem(min(1, dialog.list.topLevelItemCount() - 1)))
    out.append(_save(app, dialog, outdir / "dialog-backups.png"))
    dialog.close()

    if window.document.connectors:
        from app.ui.main.actions import delete_confirmation

        box, _ = delete_confirmation(window, window.document.connectors[0].name,
                                     window.store.path.name, False)
        out.append(_save(app, box, outdir / "dialog-delete-connector.png"))
        box.close()

        from app.ui.main.transfer import clash_box

        box, _, _ = clash_box(window, window.document.connectors[0].name,
                              window.document.connectors[0].name + "2")
        out.append(_save(app, box, outdir / "dialog-import-name-clash.png"))
        box.close()

    # Update connector DLL: the plan for a new Generic SQL DLL (the screenshots' own copy of it).
    from app.filestore import atomic_write

    if layout.root is not None:
        new_dll = layout.root.parent / "new-dll" / "Microsoft.IAM.Connector.GenericSql.dll"
        new_dll.parent.mkdir(exist_ok=True)
        version = b"\xbd\x04\xef\xfe\x00\x00\x01\x00\x01\x00\x02\x00\x1e\x00\x07\x00"
        atomic_write(new_dll, b"MZ" + b"\0" * 62 + b"VS_VERSION_INFO\0" + version + b"\0" * 64)
        # a prerequisite shipped beside it, offered and ticked (Microsoft: "any of its prerequisite DLLs")
        atomic_write(new_dll.with_name("Contoso.Sql.Helpers.dll"), b"MZ" + b"\0" * 62 + b"helper")
        dialog = window.connector_actions.deploy_dll(str(new_dll))
        dialog.with_dependencies.setChecked(True)
        out.append(_save(app, dialog, outdir / "dialog-update-connector-dll.png"))
        dialog.close()

    # Changed on disk by another program: the Reload bar.

    data = window.store.path.read_bytes()  # the copy's bytes, changed as another program would
    atomic_write(window.store.path, data.replace(b"<Port>8585</Port>", b"<Port>8587</Port>", 1) + b"\n")
    window.check_disk()
    out.append(_save(app, window, outdir / "main-window-changed-on-disk.png"))
    window.load()

    # Problems: a copy with typical mistakes, one finding selected.
    _with_problems(window)
    window.problems.view.setCurrentIndex(window.problems.proxy.index(0, 0))
    out.append(_save(app, window, outdir / "main-window-problems.png"))
    window.problems.resize(1100, 260)
    out.append(_save(app, window.problems, outdir / "problems-panel.png"))
    window.addDockWidget(window.dockWidgetArea(window.problems_dock), window.problems_dock)

    # Read-only: a second window on the same file while the first holds it.
    second = main_window_for(layout)
    second.resize(*MAIN_SIZE)
    out.append(_save(app, second, outdir / "main-window-read-only.png"))
    second.close()

    # No connectors yet: the empty state says what to do.
    empty = main_window_for(_empty_copy(layout))
    empty.resize(*MAIN_SIZE)
    out.append(_save(app, empty, outdir / "main-window-no-connectors.png"))
    empty.close()

    # Dark palette.
    window.close()
    apply_theme(app, "dark")
    dark = main_window_for(HostLayout(layout.config_path, layout.root, layout.is_sample))
    dark.resize(*MAIN_SIZE)
    out.append(_save(app, dark, outdir / "main-window-dark.png"))
    dark.tabs.setCurrentWidget(dark.settings_tab)
    out.append(_save(app, dark, outdir / "main-window-dark-settings.png"))
    dark.close()
    apply_theme(app, "light")
    QApplication.processEvents()
    return out


def _scaled_child(outdir: Path, layout: HostLayout, scale: float) -> tuple[list[Path], str | None]:
    """QT_SCALE_FACTOR only works before the QApplication exists: render 200 % in a child."""
    argv = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "app"]
    argv += ["screenshots", str(outdir.parent), "--only", "main", "--scale", str(scale),
             "--config", str(layout.config_path)]
    env = dict(os.environ, QT_SCALE_FACTOR=str(scale), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return [], f"the {int(scale * 100)} % pictures failed: {done.stderr.strip()[-300:]}"
    return [Path(line) for line in done.stdout.splitlines() if line.endswith(".png")], None


def area_screen_functions(skip: AbstractSet[str] = frozenset({"main"})) -> tuple[dict[str, Callable], list[str]]:
    """Every UI area's scenes (tests/screens/<area>.py `screenshots`), and a note for each area
    without one: the areas are app/ui's packages, so a new area without pictures is named."""
    import app.ui

    found, notes = {}, []
    for info in sorted(pkgutil.iter_modules(app.ui.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name in skip:
            continue
        try:
            module = importlib.import_module(f"tests.screens.{info.name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.screens.{info.name}":
                raise  # a broken import inside an area is a bug, not a missing page
            notes.append(f"the {info.name} area has no tests/screens/{info.name}.py: skipped")
            continue
        if hasattr(module, "screenshots"):
            found[info.name] = module.screenshots
        else:
            notes.append(f"tests/screens/{info.name}.py has no screenshots(outdir): skipped")
    return found, notes


def run_screenshots(outdir: Path, *, config: str | None = None, host_dir: str | None = None,
                    only: list[str] | None = None, scale: float | None = None) -> tuple[list[Path], list[str]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    notes: list[str] = []
    wanted = set(only or [])
    saved_data = os.environ.get("ECMA_WIZARD_DATA")
    with tempfile.TemporaryDirectory(prefix="ecma-wizard-screens-") as tmp:
        work = Path(tmp)
        if not scale:
            os.environ["ECMA_WIZARD_DATA"] = str(work / "data")  # backups of the copies go here
        try:
            layout = working_copy(work, config, host_dir)
            if not wanted or "main" in wanted:
                main_dir = outdir / "main"
                main_dir.mkdir(exist_ok=True)
                written += main_screens(main_dir, layout, scale)
                if not scale:
                    more, note = _scaled_child(main_dir, HostLayout(layout.config_path, layout.root,
                                                                    layout.is_sample), 2.0)
                    written += more
                    notes += [note] if note else []
            if scale:
                return written, notes
            functions, area_notes = area_screen_functions()
            notes += area_notes
            for area, function in functions.items():
                if wanted and area not in wanted:
                    continue
                target = outdir / area
                target.mkdir(exist_ok=True)
                kwargs = {}
                params = inspect.signature(function).parameters
                if "config" in params:
                    kwargs["config"] = config
                try:
                    written += [Path(p) for p in function(target, **kwargs)]
                except Exception as exc:  # one area's failure must not hide the others' pictures
                    notes.append(f"the {area} area's screenshots failed: {type(exc).__name__}: {exc}")
        finally:
            if saved_data is None:
                os.environ.pop("ECMA_WIZARD_DATA", None)
            else:
                os.environ["ECMA_WIZARD_DATA"] = saved_data
    return written, notes
