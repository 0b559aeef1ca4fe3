"""Shared test set-up: offscreen Qt, a private data folder, an in-memory keyring, the test data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Offscreen by default, as Dangerzone does; `--onscreen` style watching is QT_QPA_PLATFORM=xcb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # everything the tests need (tests/data/README.md)
# Real files we may not ship; present beside the project's own build machine, absent from a clone.
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


def shared_corpus_file(name: str) -> Path:
    """A real file for the extra real-file checks: skips when absent (a user's clone), fails under
    CI=true (the project's CI machine has it), except on GitHub's runners, which never have it."""
    path = SHARED_CORPUS / name
    if path.is_file():
        return path
    reason = f"the real file {name} is not in {SHARED_CORPUS} (a clone of the repository has none)"
    if os.environ.get("CI") == "true" and not os.environ.get("GITHUB_ACTIONS"):
        pytest.fail(f"{reason}; under CI=true it must be there")
    pytest.skip(reason)


def pytest_addoption(parser):
    parser.addoption("--all", action="store_true",
                     help="also run the tests marked slow and fuzz (what CI runs)")


def pytest_collection_modifyitems(config, items):
    """A plain run leaves out slow and fuzz tests; `--all` (or any -m expression) decides otherwise."""
    if config.getoption("--all") or config.option.markexpr:
        return
    keep, skip = [], []
    for item in items:
        (skip if item.get_closest_marker("slow") or item.get_closest_marker("fuzz") else keep).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep


class MemoryKeyring:
    """An in-memory keyring backend: never keyrings.alt, which silently writes plaintext."""

    priority = 100

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own app data folder, so nothing touches the user's."""
    data = tmp_path_factory.mktemp("appdata")
    monkeypatch.setenv("ECMA_WIZARD_DATA", str(data))
    return data


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):
    """Replace keyring's backend for every test with an in-memory one."""
    import keyring

    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_password", backend.get_password)
    monkeypatch.setattr(keyring, "set_password", backend.set_password)
    monkeypatch.setattr(keyring, "delete_password", backend.delete_password)
    return backend


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture(params=["ours", "microsoft"])
def csv_export(request) -> Path:
    """A PowerShell connector export as Microsoft's wizard writes it: ours, then Microsoft's own
    sample (MIMPowerShellConnectors) when it is at hand."""
    if request.param == "ours":
        return DATA / "powershell-csv-export.xml"
    return shared_corpus_file("configuration-csv-export.xml")


@pytest.fixture(params=["ours", "microsoft"])
def mim_export(request) -> Path:
    """A MIM export of a PowerShell agent with the classes OrganizationalUnit and User, a Binary
    anchor Guid and a multivalued ProxyAddresses: ours, then Microsoft's Lync sample when at hand."""
    if request.param == "ours":
        return DATA / "ma-export-powershell.xml"
    return shared_corpus_file("ma-export-lync-powershell.xml")


@pytest.fixture
def sample_host() -> Path:
    return ROOT / "resources" / "sample-host"
