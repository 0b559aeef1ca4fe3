from __future__ import annotations

from pathlib import Path

import pytest

from app.config.document import ConfigDocument

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CONFIG = ROOT / "resources" / "sample-host" / "Service" / "Configuration" / "Configuration.xml"


@pytest.fixture
def sample_doc() -> ConfigDocument:
    return ConfigDocument.load(SAMPLE_CONFIG)
