"""The values the planted-secrets tests plant and then look for everywhere."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "diagnostics"))
from diag_scim_responder import TOKEN, make_cert  # noqa: F401  (the SCIM stand-in's token)

PASSWORD = "Pl4nted-Passw0rd-§42"
