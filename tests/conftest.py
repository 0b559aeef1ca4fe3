"""Shared test set-up: offscreen Qt, a private data folder, an in-memory keyring, the corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Offscreen by default, as Dangerzone does; `--onscreen` style watching is QT_QPA_PLATFORM=xcb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


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
def corpus() -> Path:
    """The shared corpus folder; tests that need it skip when a fresh clone has no ../shared."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (a fresh clone has no ../shared)")
    return CORPUS


@pytest.fixture
def sample_host() -> Path:
    return ROOT / "resources" / "sample-host"
