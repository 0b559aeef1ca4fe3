"""Every page of a connector DLL in Microsoft's order, as `connector inspect` and `add` need it.

The walk stops at the first page the DLL (or our own check of a value) rejects, as the wizard's
Next button would: later pages depend on the answers before them. It also stops at the first call
that fails (a connector that throws, dies or does not answer): the pages asked before it are kept,
with the failure and the page it was asked for, because those pages are what the user needs to see
(real connectors' GetSchema connects to their system, which is often not reachable from where the
wizard runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.bridge import capabilities
from app.bridge.errors import BridgeError, BridgeErrorKind
from app.bridge.session import ConnectorSession, PageAnswer, Validation

# The verdict of a page answered before a call failed and never validated because of it.
NOT_CHECKED = Validation(False, "not checked: a later call failed", "")


@dataclass
class WalkFailure:
    """A call that failed: which call, for which page, and the one sentence the user sees."""

    call: str
    page: str  # the page whose answer needed the call ("Object types" for GetSchema)
    kind: BridgeErrorKind  # printed as its word by `connector inspect --json`
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"call": self.call, "page": self.page, "kind": self.kind, "message": self.message}


@dataclass
class WalkResult:
    library: str
    capabilities: dict[str, Any] | None = None
    pages: list[tuple[PageAnswer, Validation]] = field(default_factory=list)
    schema: dict[str, Any] | None = None
    partitions: list[dict[str, str]] = field(default_factory=list)
    failure: WalkFailure | None = None

    @property
    def rejected(self) -> tuple[PageAnswer, Validation] | None:
        """The page the DLL (or our check) refused; None when a call failed instead."""
        if self.failure is not None:
            return None
        return next(((p, v) for p, v in self.pages if not v.ok), None)

    @property
    def warnings(self) -> list[str]:
        return capabilities.warnings(self.library, self.capabilities, partitions=self.partitions,
                                     schema=self.schema)

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "capabilities": self.capabilities,
            "pages": [{"page": p.page, "number": p.number,
                       "parameters": [d.to_dict() for d in p.parameters],
                       "validation": v.to_dict()} for p, v in self.pages],
            "schema": self.schema,
            "partitions": self.partitions,
            "warnings": self.warnings,
            "error": self.failure.to_dict() if self.failure else None,
        }


def walk(session: ConnectorSession, *, with_schema: bool = True,
         progress: Callable[[str], None] | None = None) -> WalkResult:
    """Ask every page, validating each one that has parameters; stop at a rejection or a failure."""
    result = WalkResult(session.library.library_name)
    say = progress or (lambda _text: None)

    def failed(exc: BridgeError, page: str) -> bool:
        if exc.kind == BridgeErrorKind.CANCELLED:
            raise exc
        result.failure = WalkFailure(exc.call, page, exc.kind, exc.sentence())
        return False

    def page(name: str, ask: Callable[[], PageAnswer]) -> bool:
        try:
            answer = ask()
        except BridgeError as exc:
            return failed(exc, name)
        if not answer.parameters:
            return True
        say(f"validating {answer.page}" + (f" {answer.number}" if answer.page == "Schema" else ""))
        try:
            verdict = session.validate_page(answer.page, answer.number)
        except BridgeError as exc:
            # the page was answered: it is shown, with the failure as its (unchecked) verdict
            result.pages.append((answer, NOT_CHECKED))
            return failed(exc, name)
        result.pages.append((answer, verdict))
        return verdict.ok

    def call(name: str, ask: Callable[[], Any]) -> tuple[bool, Any]:
        try:
            return True, ask()
        except BridgeError as exc:
            return failed(exc, name), None

    say("asking Connectivity")
    if not page("Connectivity", lambda: session.ask_page("Connectivity")):
        return result
    if not page("Capabilities", lambda: session.ask_page("Capabilities")):
        return result
    ok, result.capabilities = call("Capabilities", session.ask_capabilities)
    if not ok:
        return result
    say("asking the schema pages")
    ok, schema_pages = call("Schema", session.ask_schema_pages)
    if not ok:  # the Schema pages answered before the failing one are shown, not checked
        for key in sorted(k for k, a in session.pages.items() if a.page == "Schema" and a.parameters):
            result.pages.append((session.pages[key], NOT_CHECKED))
        return result
    for answer in schema_pages:
        def asked(answer: PageAnswer = answer) -> PageAnswer:
            return answer
        if not page(f"Schema {answer.number}", asked):
            return result
    if not page("Global", lambda: session.ask_page("Global")):
        return result
    if session.supports("SupportPartitions"):
        say("asking for partitions")
        ok, found = call("Partitions", session.ask_partitions)
        if not ok:
            return result
        result.partitions = found
    if not page("Partition", lambda: session.ask_page("Partition")):
        return result
    if not page("RunStep", lambda: session.ask_page("RunStep")):
        return result
    if with_schema:
        say("asking for the schema (GetSchema)")
        ok, result.schema = call("Object types", session.ask_schema)
    return result
