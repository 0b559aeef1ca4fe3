"""The rules of the house that code can check: the core (everything outside app/ui and app/cli)
never imports Qt or the UI, not even lazily (the command line opens the UI, never Qt itself);
`logs --gui` reaches the viewer through app/cli/gui.py; the packages stand in one order,
foundation -> documents -> the machine -> code we do not own -> features -> faces, with every
import pointing down or sideways, no loops, and nothing in app/ reaching into tests/."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.house.layers import cycles, edges, imports_of_tests

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


# The order of app's packages, lowest first (docs/architecture.md, "Layers"). An import may point to
# its own layer or a lower one; within a layer, no loops (test_no_package_loops).
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    # Journal sits here, not with the features: every save through filestore records itself in it.
    ("foundation", frozenset({"app", "errors", "paths", "winreplace", "liveness", "journal", "filestore",
                              "datastore", "secrets", "masking", "safezip", "severity"})),
    ("documents", frozenset({"config", "events"})),
    ("the machine", frozenset({"host", "hostsecrets"})),
    ("code we do not own", frozenset({"bridge"})),
    ("features", frozenset({"wizard", "certs", "diagnostics", "migrate", "report", "entra"})),
    ("faces", frozenset({"ui", "cli", "__main__"})),  # cli opens ui; ui never imports cli
)

# What is left, each with its reason: (the importing file, the imported module).
# None left: config/rules.py asked hostsecrets whether a secret reads until what a secret value is
# (config/secretvalues.py, nrbf.py) moved down to the document.
ALLOWED_UPWARD: set[tuple[str, str]] = set()
ALLOWED_TESTS = {
    # `screenshots` is a developer command: it renders tests/screens from a source checkout, by
    # name, and says so in one sentence where there is none (test_screenshots_outside_a_checkout).
    ("app/cli/gui.py", "tests.screens"),
}


def _key(where: str) -> tuple[str, str]:
    """"app/x/y.py:12 app.z" -> ("app/x/y.py", "app.z"), the shape of the allowances."""
    place, _, module = where.partition(" ")
    return place.split(":")[0], module


def _layer_of() -> dict[str, int]:
    return {package: i for i, (_, packages) in enumerate(LAYERS) for package in packages}


def _upward(found: dict[tuple[str, str], list[str]]) -> list[str]:
    rank = _layer_of()
    out = []
    for (source, target), where in sorted(found.items()):
        if rank[target] > rank[source]:
            out += [w for w in where if _key(w) not in ALLOWED_UPWARD]
    return out


def test_every_package_has_a_layer():
    rank = _layer_of()
    packages = {p.stem if p.is_file() else p.name for p in APP.iterdir()
                if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"} - {"__init__"}
    assert packages - set(rank) == set(), "add the new package to LAYERS (and docs/architecture.md)"
    assert set(rank) - packages - {"app"} == set(), "a package in LAYERS no longer exists"


def test_imports_only_point_down():
    assert _upward(edges()) == []


def test_no_package_loops():
    found = {pair for pair, where in edges().items()
             if not all(_key(w) in ALLOWED_UPWARD for w in where)}
    assert cycles(found) == []


def test_app_never_reaches_into_tests():
    reaching = [w for w in imports_of_tests() if _key(w) not in ALLOWED_TESTS]
    assert reaching == []


def test_every_allowance_is_still_needed():
    made = {_key(w) for where in edges().values() for w in where} | {_key(w) for w in imports_of_tests()}
    assert (ALLOWED_UPWARD | ALLOWED_TESTS) - made == set(), "the import is gone: remove its allowance"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "app"


def test_the_checker_sees_lazy_relative_and_by_name_imports(tmp_path):
    """The checker itself, on a crafted tree: a loop made only of a function-level import, a
    relative import and an importlib name, an upward import, and a reach into tests/."""
    app = _tree(tmp_path, {
        "__init__.py": "",
        "errors.py": "def f():\n    from app.config import doc  # lazy, upward\n",
        "config/__init__.py": "",
        "config/doc.py": "from ..host import where\n",
        "host/__init__.py": "",
        "host/where.py": "import importlib\nimportlib.import_module('app.config.doc')\n",
        "ui/__init__.py": "import sys\nsys.path.insert(0, 'tests')\nfrom tests.screens import x\n",
    })
    found = edges(app)
    assert {("errors", "config"), ("config", "host"), ("host", "config")} <= set(found)
    assert cycles(set(found)) == [["config", "host"]]
    # errors (foundation) -> config, config (documents) -> host (the machine); host -> config is down
    assert {w.split(" ")[0] for w in _upward(found)} == {"app/errors.py:2", "app/config/doc.py:1"}
    assert {w.split(" ")[1] for w in imports_of_tests(app)} == {"sys.path", "tests.screens"}


def test_screenshots_outside_a_checkout_is_one_sentence(tmp_path):
    """The packaged build has app/ without tests/: the developer command says so, exit 2."""
    shutil.copytree(APP, tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "app", "screenshots", str(tmp_path / "out")],
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path),
                                             "ECMA_WIZARD_DATA": str(tmp_path / "data"), "HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "developer command" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_scenes_import_from_the_checkout():
    import importlib

    assert hasattr(importlib.import_module("tests.screens"), "run_screenshots")
