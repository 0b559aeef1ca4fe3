"""How a connector's failure reaches the user: one sentence naming the connector and .NET's message."""

from __future__ import annotations

from app.errors import UserError


class BridgeError(UserError):
    """The connector failed, died, timed out, was cancelled, or could not be loaded at all.

    `kind` is one of: "failed" (a .NET exception), "crashed" (the worker process ended),
    "timed out", "cancelled", "unavailable" (no .NET runtime, no interface DLL, not loadable).
    """

    def __init__(self, message: str, *, connector: str, call: str, kind: str,
                 dotnet_type: str = "", dotnet_message: str = "") -> None:
        self.connector = connector
        self.call = call
        self.kind = kind
        self.dotnet_type = dotnet_type
        self.dotnet_message = dotnet_message
        super().__init__(message)


def one_line(text: str, limit: int = 400) -> str:
    """A .NET message on one line, bounded (some connectors put a whole stack in Message)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
