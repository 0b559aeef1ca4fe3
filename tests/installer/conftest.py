"""Load the installer's modules (installer/ is scripts, not a package) by file path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

INSTALLER = Path(__file__).resolve().parents[2] / "installer"


def load(relative: str, name: str):
    spec = importlib.util.spec_from_file_location(name, INSTALLER / relative)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bundle_contents():
    return load("bundle_contents.py", "installer_bundle_contents")


@pytest.fixture(scope="session")
def keyring_hook():
    return load("hooks/rthook_keyring.py", "installer_rthook_keyring")
