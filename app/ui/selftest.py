"""`ecma-wizard --self-test`: is this build whole? Used on the built executable (portable-exe
issue) where a missing module, data file or Qt plugin shows up only at run time.

Checks, each printed as one line: every module of the `app` package imports; the XSD loads; the
bundled sample host reads and validates; the main window renders offscreen on a copy of it;
the keyring backend loads (the frozen build names it: installer/hooks/rthook_keyring.py); the
connector-DLL bridge's worker starts and says whether a .NET runtime is available.
Exit 0 when all pass, 1 otherwise. Nothing outside a temporary folder is written.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

# Importing these would run something (the CLI) instead of just loading code.
SKIP_MODULES = {"app.__main__"}


def all_modules() -> list[str]:
    import app

    names = ["app"]
    for info in pkgutil.walk_packages(app.__path__, "app."):
        if info.name not in SKIP_MODULES and not info.name.split(".")[-1].startswith("_"):
            names.append(info.name)
    return sorted(names)


def check_imports() -> str:
    failed = []
    names = all_modules()
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # any failure to import is what this check is for
            failed.append(f"{name} ({type(exc).__name__}: {exc})")
    if failed:
        raise RuntimeError("these modules do not import: " + "; ".join(failed))
    return f"{len(names)} modules import"


def check_schema() -> str:
    from app.config.rules import _schema
    from app.paths import resources_dir

    _schema()
    return f"the XSD loads ({resources_dir() / 'schema' / 'configuration.xsd'})"


def _sample_config() -> Path:
    from app.host.layout import config_in
    from app.paths import resources_dir

    return config_in(resources_dir() / "sample-host")


def check_sample() -> str:
    from app.config.document import ConfigDocument
    from app.config.rules import ERROR, validate

    doc = ConfigDocument.load(_sample_config())
    if not doc.connectors:
        raise RuntimeError("the sample host has no connectors")
    if doc.to_bytes() != doc.xml.original:
        raise RuntimeError("the sample host does not round-trip byte-identical")
    errors = [f for f in validate(doc) if f.severity == ERROR]
    if errors:
        raise RuntimeError(f"the sample host has {len(errors)} error finding(s): {errors[0].message}")
    return f"the sample host reads ({len(doc.connectors)} connectors) and validates"


def check_main_window() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.host.layout import HostLayout, config_in
    from app.paths import resources_dir

    with tempfile.TemporaryDirectory(prefix="ecma-wizard-selftest-") as tmp:
        root = Path(tmp) / "sample-host"
        shutil.copytree(resources_dir() / "sample-host", root)
        before = os.environ.get("ECMA_WIZARD_DATA")
        os.environ["ECMA_WIZARD_DATA"] = str(Path(tmp) / "data")
        try:
            from PySide6.QtWidgets import QApplication

            from app.ui.launch import main_window_for

            window = main_window_for(HostLayout(config_in(root), root, is_sample=True))
            window.resize(1000, 700)
            window.show()
            QApplication.processEvents()
            image = window.grab().toImage()
            rows = window.connector_actions.model.rowCount()
            window.close()
            window.deleteLater()
            QApplication.processEvents()
        finally:
            if before is None:
                os.environ.pop("ECMA_WIZARD_DATA", None)
            else:
                os.environ["ECMA_WIZARD_DATA"] = before
    if image.isNull() or image.width() < 100:
        raise RuntimeError("the main window rendered an empty image")
    if rows == 0:
        raise RuntimeError("the main window shows no connectors for the sample host")
    platform = QApplication.platformName()
    return f"the main window renders ({image.width()}x{image.height()}, {rows} connectors, {platform})"


def check_keyring() -> str:
    """Which keyring the app would use. A backend whose module is missing from a frozen build is a
    broken build; no keyring on this machine is the machine's state, reported, not failed."""
    import keyring

    from app.secrets import SecretStore, SystemKeyring

    try:
        active = keyring.get_keyring()
    except ImportError as exc:
        raise RuntimeError(f"the keyring backend does not load ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # e.g. a Secret Service without a session bus: the machine's state
        return f"keyring: none usable ({type(exc).__name__})"
    name = f"{type(active).__module__}.{type(active).__name__}"
    reason = SecretStore(SystemKeyring()).unavailable_reason
    return f"keyring: {name}, " + ("usable" if reason is None else reason)


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("imports", check_imports),
    ("schema", check_schema),
    ("sample host", check_sample),
    ("main window", check_main_window),
    ("keyring", check_keyring),
    ("bridge", lambda: importlib.import_module("app.bridge.selfcheck").check_bridge()),
]


def run() -> int:
    from app import __version__

    print(f"ecma-wizard {__version__} self-test (Python {sys.version.split()[0]}, {sys.platform})")
    failed = 0
    for name, check in CHECKS:
        try:
            print(f"ok    {check()}")
        except Exception as exc:
            failed += 1
            print(f"FAIL  {name}: {exc}")
            if os.environ.get("ECMA_WIZARD_DEBUG"):
                traceback.print_exc()
    print("self-test passed" if not failed else f"self-test FAILED ({failed} check(s))")
    return 0 if not failed else 1
