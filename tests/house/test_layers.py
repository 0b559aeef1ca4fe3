"""The rules of the house that code can check: the core (everything outside app/ui and app/cli)
never imports Qt or the UI, not even lazily (the command line opens the UI, never Qt itself);
`logs --gui` reaches the viewer through app/cli/gui.py."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_the_core_never_imports_qt_or_the_ui():
    offenders = []
    for path in APP.rglob("*.py"):
        rel = path.relative_to(APP.parent).as_posix()
        if rel.startswith("app/ui/"):
            continue
        for name in _imports(path):
            if name.split(".")[0] in ("PySide6", "shiboken6"):
                offenders.append(f"{rel}: {name}")
            elif name == "app.ui" or name.startswith("app.ui."):
                if rel.startswith("app/cli/"):  # the command line opens the GUI's windows, lazily
                    continue
                offenders.append(f"{rel}: {name}")
    assert offenders == []


def test_logs_gui_opens_the_viewer_through_the_ui_commands(monkeypatch, tmp_path):
    from app.cli import main

    opened = []
    monkeypatch.setattr("app.cli.gui.open_viewer", lambda source: opened.append(source) or 0)
    log = tmp_path / "x.xml"
    log.write_text("<Events/>")
    assert main(["logs", str(log), "--gui"]) == 0
    assert opened == [str(log)]


def test_a_missing_tool_skips_here_and_fails_under_ci(monkeypatch):
    import pytest
    from _pytest.outcomes import Failed, Skipped

    from tests.ci import missing_tool

    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="Mono is not installed"):
        missing_tool("Mono is not installed")
    monkeypatch.delenv("CI")
    with pytest.raises(Skipped, match="Mono is not installed"):
        missing_tool("Mono is not installed")
