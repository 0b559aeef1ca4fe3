"""The order of the DLL wizard's calls, without Qt (docs/wizard-dll-pages.md, "The step runner").

`DllRunner` decides which calls a wizard transition makes (choosing the DLL, opening an existing
connector, Next on a page, asking for the schema again) and keeps what the answers left behind: the
page whose call failed and its sentence. A transition is a `Plan`: steps produced one at a time,
because the page after a Next is known only once the DLL answered for the page being left (the
Capabilities answer enables run profiles; a Schema answer adds or ends Schema pages).

`run()` drives a plan headless, on the calling thread; the UI's driver (app/ui/wizard/dll_driver.py)
runs each step's `work` off the GUI thread and its `apply` on it, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from app.bridge.errors import BridgeError, BridgeErrorKind
from app.bridge.session import Validation
from app.errors import UserError
from app.wizard.dll_pages import DllPages, Step
from app.wizard.flow import ConnectorFlow
from app.wizard.page_keys import OBJECT_TYPES, PageKey


@dataclass(frozen=True)
class CallFailed:
    sentence: str  # a bridge call for the page being entered failed: the page shows this


class Plan:
    """One transition's steps, produced lazily in order (each once the one before has applied)."""

    def __init__(self, parts: Iterator[Step]) -> None:
        self._parts = parts

    def __iter__(self) -> Iterator[Step]:
        return self._parts

    @classmethod
    def of(cls, steps: list[Step]) -> Plan:
        return cls(iter(steps))


class DllRunner:
    """A DLL's pages (`DllPages`) and the wizard's page order (`ConnectorFlow`), joined."""

    def __init__(self, pages: DllPages, flow: ConnectorFlow) -> None:
        self.pages = pages
        self.flow = flow
        # A call needed by a page (its parameters, partitions, GetSchema) failed while entering it:
        # the wizard moves on to that page, which shows the sentence; Next there asks again.
        self.failures: dict[PageKey, str] = {}

    @property
    def name(self) -> str:
        return self.pages.name

    def failure(self, key: PageKey) -> str:
        """The sentence of the failed call the page `key` needed ('' when none failed)."""
        if key == OBJECT_TYPES and self.pages.schema_error:
            return self.pages.schema_error
        return self.failures.get(key, "")

    # -- transitions -------------------------------------------------------------------------------
    def choose_plan(self) -> Plan:
        """A new connector's DLL was chosen: its Connectivity page replaces the template's pages."""
        pages = self.pages
        values = pages.snapshot()

        def first_page(answer: Any) -> Validation | None:
            s = pages.session
            for p in list(s.connector.parameters):
                s.remove_parameter(p)
            for profile in s.enabled_profiles():
                for p in s.run_step_parameters(profile):
                    s.remove_parameter(p)
            s.template_library = None  # the DLL's pages, not a template's
            s.pages_from_dll = True
            pages.write_page(answer)
            return None
        return Plan.of([Step(f"Loading {pages.library.dll.name} and asking it for the Connectivity page",
                             lambda: pages.ask("Connectivity", 1, values, force=True), first_page)])

    def existing_plan(self) -> Plan:
        """An existing connector: every page asked with its stored values, nothing written."""
        return Plan.of(self.pages.existing_steps(self.pages.snapshot()))

    def next_plan(self, key: PageKey) -> Plan:
        """Next on `key`: the DLL checks the page (and answers what decides the next page); then
        the next page's calls, whose failure is that page's, not this one's."""
        return Plan(self._next(key))

    def _next(self, key: PageKey) -> Iterator[Step]:
        pages = self.pages
        if self.failures.get(key):  # this page's own calls failed on the way in: ask them again
            yield from self._entering(key, stop_on_failure=True)
        yield from pages.leave_steps(key, pages.snapshot(key.profile or None))
        nxt = self.flow.next_key(key)
        if nxt:
            yield from self._entering(nxt, stop_on_failure=False)

    def schema_again_plan(self) -> Plan:
        """'Ask for the schema again' on Object Types."""
        return Plan.of([self.pages.schema_step(self.pages.snapshot(), stop_on_failure=True)])

    def _entering(self, key: PageKey, *, stop_on_failure: bool) -> Iterator[Step]:
        """The calls the page `key` needs before it is shown. A bridge failure of one of them is
        recorded for that page and ends the calls for it (entering: the wizard moves on there and
        the page says why; asking again from the page: the page stays with the sentence)."""
        pages = self.pages
        steps = pages.enter_steps(key, pages.snapshot(key.profile or None))
        self.failures.pop(key, None)
        for step in steps:
            failed: list[str] = []
            yield self._for_page(key, step, failed, stop_on_failure)
            if failed:
                return

    def _for_page(self, key: PageKey, step: Step, failed: list[str], stop_on_failure: bool) -> Step:
        work = step.work

        def guarded() -> Any:
            try:
                return work()
            except BridgeError as exc:
                if exc.kind == BridgeErrorKind.CANCELLED:
                    raise  # Cancel is the user's, on the page they pressed it on
                return CallFailed(exc.sentence())

        def apply(result: Any) -> Validation | None:
            if isinstance(result, CallFailed):
                self.failures[key] = result.sentence
                failed.append(result.sentence)
                return Validation(False, result.sentence) if stop_on_failure else None
            return step.apply(result)
        return Step(step.label, guarded, apply)

    # -- headless ------------------------------------------------------------------------------------
    def run(self, plan: Plan, on_step: Callable[[Step], None] | None = None) -> Validation | None:
        """Every step of `plan` on this thread, in order; the first refusal (or a call's failure,
        as one sentence) ends it and is returned. None when the plan ran to its end."""
        for step in plan:
            if on_step is not None:
                on_step(step)
            try:
                refusal = step.apply(step.work())
            except UserError as exc:
                return Validation(False, exc.sentence(), "", by_connector=False)
            if refusal is not None:
                return refusal
        return None
