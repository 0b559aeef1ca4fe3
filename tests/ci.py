"""A tool the tests need (Mono, mcs, pythonnet) that is missing: a skip on a developer's machine,
a failure under CI=true, where .ci/run installs it and a silent skip would hide a broken step."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_tool(what: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (.ci/run installs it; under CI a missing tool is a failure)")
    pytest.skip(what)
