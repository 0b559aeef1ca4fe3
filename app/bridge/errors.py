"""How a connector's failure reaches the user: one sentence naming the connector and .NET's message."""

from __future__ import annotations

from enum import StrEnum

from app.errors import UserError


class BridgeErrorKind(StrEnum):
    """How a call to a connector failed. A StrEnum so a kind still prints and serialises as its
    word (`connector inspect --json` prints it as "kind")."""

    FAILED = "failed"            # the DLL threw a .NET exception
    CRASHED = "crashed"          # the worker process ended
    TIMED_OUT = "timed out"      # no answer within the call's time
    CANCELLED = "cancelled"      # the user stopped it
    UNAVAILABLE = "unavailable"  # no .NET runtime, no interface DLL, not loadable


class BridgeError(UserError):
    """The connector failed, died, timed out, was cancelled, or could not be loaded at all:
    `kind` says which."""

    def __init__(self, message: str, *, connector: str, call: str, kind: BridgeErrorKind,
                 dotnet_type: str = "", dotnet_message: str = "") -> None:
        # a misspelt kind is a mypy error; one that reaches here anyway (untyped code) raises at once
        if not isinstance(kind, BridgeErrorKind):
            raise TypeError(f"BridgeError kind must be a BridgeErrorKind, not {kind!r}")
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
