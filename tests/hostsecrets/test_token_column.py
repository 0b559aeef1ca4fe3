"""The connector list's token column uses the same classification as `ecma-wizard secrets`."""

from __future__ import annotations

import pytest

from app.ui.main.connector_model import token_state
from tests.hostsecrets.helpers import host_blob


@pytest.mark.parametrize(("value", "state"), [
    ("", "not set"), ("  ", "not set"), ("plain-text-token-123", "set, not encrypted"),
    (host_blob("hidden-value-123"), "encrypted"),
    ("AAEAAAD/////AQAAAAAAAAAL", "unreadable"), ("AAEAAAD/////not-base64", "unreadable"),
])
def test_token_states(value, state):
    shown, explanation = token_state(value)
    assert shown == state
    assert not value.strip() or value.strip() not in explanation
