"""Every page of a connector DLL in Microsoft's order, as `connector inspect` and `add` need it.

The walk stops at the first page the DLL (or our own check of a value) rejects, as the wizard's
Next button would: later pages depend on the answers before them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.bridge.session import ConnectorSession, PageAnswer, Validation


@dataclass
class WalkResult:
    library: str
    capabilities: dict[str, Any] | None = None
    pages: list[tuple[PageAnswer, Validation]] = field(default_factory=list)
    schema: dict[str, Any] | None = None
    partitions: list[dict[str, str]] = field(default_factory=list)

    @property
    def rejected(self) -> tuple[PageAnswer, Validation] | None:
        return next(((p, v) for p, v in self.pages if not v.ok), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "capabilities": self.capabilities,
            "pages": [{"page": p.page, "number": p.number,
                       "parameters": [d.to_dict() for d in p.parameters],
                       "validation": v.to_dict()} for p, v in self.pages],
            "schema": self.schema,
            "partitions": self.partitions,
        }


def walk(session: ConnectorSession, *, with_schema: bool = True,
         progress: Callable[[str], None] | None = None) -> WalkResult:
    """Ask every page, validating each one that has parameters; stop at a rejection."""
    result = WalkResult(session.library.library_name)
    say = progress or (lambda _text: None)

    def page(answer: PageAnswer) -> bool:
        if not answer.parameters:
            return True
        say(f"validating {answer.page}" + (f" {answer.number}" if answer.page == "Schema" else ""))
        verdict = session.validate_page(answer.page, answer.number)
        result.pages.append((answer, verdict))
        return verdict.ok

    say("asking Connectivity")
    if not page(session.ask_page("Connectivity")):
        return result
    if not page(session.ask_page("Capabilities")):
        return result
    result.capabilities = session.ask_capabilities()
    say("asking the schema pages")
    for answer in session.ask_schema_pages():
        if not page(answer):
            return result
    if not page(session.ask_page("Global")):
        return result
    if session.supports("SupportPartitions"):
        say("asking for partitions")
        result.partitions = session.ask_partitions()
    if not page(session.ask_page("Partition")):
        return result
    if not page(session.ask_page("RunStep")):
        return result
    if with_schema:
        say("asking for the schema (GetSchema)")
        result.schema = session.ask_schema()
    return result
