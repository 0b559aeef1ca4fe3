"""Secret tokens for a connector (docs/host-facts.md §3: 12 characters minimum; older hosts: 10-20 ASCII
letters/digits). We generate 40 letters and digits: long enough for the current rule, and only
characters every documented rule accepts, so it can be pasted into Entra without escaping."""

from __future__ import annotations

import secrets
import string

TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 40  # ~238 bits of entropy


def generate_token(length: int = TOKEN_LENGTH) -> str:
    """A cryptographically random token (the `secrets` module, never `random`)."""
    if length < 32:
        raise ValueError("a generated token has at least 32 characters")
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))
