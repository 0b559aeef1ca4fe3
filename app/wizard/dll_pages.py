"""The wizard's pages built from a connector DLL's answers (docs/wizard-dll-pages.md), without Qt.

`DllPages` joins a wizard session (the working copy) and a bridge session (the DLL). The working copy
stays the one place values live: before a call, `snapshot()` (GUI thread) copies the values into a
plain dict and the call's work (any thread) hands them to the bridge; the answers come back and are
written into the working copy on the GUI thread. Each page's calls are `Step`s; which run for a
transition, in what order, is app/wizard/dll_runner.py's decision. A step's `work` may run off the
GUI thread, its `apply` runs on it and returns a refusal to stop there.

A page is asked again when any value given to the DLL changed since it was last asked (a page may
depend on every answer before it); otherwise its last answer stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.bridge.errors import BridgeError, BridgeErrorKind
from app.bridge.locate import ConnectorLibrary
from app.bridge.session import (
    MAX_SCHEMA_PAGES,
    PAGES,
    ConnectorSession,
    PageAnswer,
    ParameterDefinition,
    Validation,
    ends_schema_pages,
)
from app.config import builders
from app.config.rules import is_encrypted_blob
from app.wizard.page_keys import OBJECT_TYPES, PageKey
from app.wizard.schema_edits import AttributeChoice
from app.wizard.schema_sources import SourceSchema
from app.wizard.session import WizardSession

Snapshot = dict[str, tuple[str, bool]]  # parameter name -> (value, secret)
# One page shows every parameter as a field, 1-2 ms each to build and lay out (measured:
# tests/benchmarks/bench_many_parameters.py); public connectors define a few dozen per page. A DLL
# answering more is refused in one sentence rather than freezing the window for a minute.
MAX_PAGE_PARAMETERS = 3000


@dataclass
class Step:
    label: str  # what the progress line says while it runs ("Asking Contoso.SqlLike for Global")
    work: Callable[[], Any]  # off the GUI thread: bridge calls only
    apply: Callable[[Any], Validation | None]  # on the GUI thread: None to go on, a refusal to stop


def source_schema(schema: dict[str, Any], library: str) -> SourceSchema:
    """GetSchema's answer as the schema source the Select Attributes page and the refresh diff read."""
    out = SourceSchema(f"{library}.dll")
    for t in schema.get("types", []):
        out.types[t["name"]] = [AttributeChoice(a["name"], a.get("type") or "String",
                                                bool(a.get("multivalued")), f"{library}.dll")
                                for a in t.get("attributes", [])]
        out.anchors[t["name"]] = list(t.get("anchors") or [a["name"] for a in t.get("attributes", [])
                                                            if a.get("anchor")])
    return out


@dataclass(frozen=True)
class SchemaFailed:
    sentence: str  # GetSchema failed: the one sentence for the Object Types page


class DllPages:
    """A new connector's parameter pages as the DLL answers them, or an existing one's extras."""

    def __init__(self, session: WizardSession, bridge: ConnectorSession, library: ConnectorLibrary) -> None:
        self.session = session
        self.bridge = bridge
        self.library = library
        self._asked_with: dict[tuple[str, int], tuple[object, ...]] = {}  # what each call was asked with
        self.schema: dict[str, Any] | None = None
        self.schema_error = ""  # GetSchema's failure, shown on Object Types until it answers
        self.partitions: list[dict[str, str]] = []

    @property
    def name(self) -> str:
        return self.library.library_name

    # -- values between the working copy and the bridge ---------------------------------------
    def snapshot(self, profile: str | None = None) -> Snapshot:
        """Every stored value by name (GUI thread); run-step values from `profile`'s step."""
        s = self.session
        out: Snapshot = {}
        profiles = [profile] if profile else s.enabled_profiles()[:1]
        steps = [p for prof in profiles for p in s.run_step_parameters(prof)]
        for p in [*s.connector.parameters, *steps]:
            secret = p.type == "EncryptedString" or p.is_secret
            if secret and (not s.is_new or is_encrypted_blob(p.value)):
                continue  # a stored secret is a DPAPI blob (or blank): the DLL gets its default
            if p.use == "RunStep" or p.name not in out:
                out[p.name] = (p.value, secret)
        return out

    def push(self, values: Snapshot) -> None:
        """Hand the stored values of every page asked so far to the bridge (any thread)."""
        for d in self.bridge.definitions():
            if d.name in values and d.has_value:
                value, secret = values[d.name]
                if secret or d.secret:
                    self.bridge.set_secret(d.name, value)
                else:
                    self.bridge.set_value(d.name, value)

    def _fingerprint(self) -> tuple[tuple[Any, Any], ...]:
        return tuple((v["name"], v["value"]) for v in self.bridge.call_values())

    def definitions(self, page: str, number: int = 1) -> list[ParameterDefinition]:
        answer = self.bridge.pages.get((PAGES.index(page), number))
        return list(answer.parameters) if answer else []

    def was_asked(self, page: str, number: int = 1) -> bool:
        return (PAGES.index(page), number) in self.bridge.pages

    # -- asking ----------------------------------------------------------------------------------
    def ask(self, page: str, number: int, values: Snapshot, force: bool = False) -> PageAnswer | None:
        """Ask the page unless nothing it could depend on changed since the last time (None then)."""
        self.push(values)
        if not force and self.was_asked(page, number) and \
                self._asked_with.get((page, number)) == self._fingerprint():
            return None
        answer = self.bridge.ask_page(page, number)
        self.push(values)  # the page's own stored values, now that its names are known
        self._asked_with[(page, number)] = self._fingerprint()
        return answer

    def too_many(self, answer: PageAnswer | None) -> Validation | None:
        """A refusal when the DLL's page has more parameters than the wizard can show."""
        if answer is None or len(answer.parameters) <= MAX_PAGE_PARAMETERS:
            return None
        label = f"Schema {answer.number}" if answer.page == "Schema" else answer.page
        return Validation(False, f"{self.name}.dll defines {len(answer.parameters):,} parameters on its "
                          f"{label} page, more than the {MAX_PAGE_PARAMETERS:,} this wizard can show on one "
                          "page, so this connector cannot be set up here.", "", by_connector=False)

    def ask_step(self, page: str, number: int, values: Snapshot, profile: str | None = None) -> Step:
        def apply(answer: PageAnswer | None) -> Validation | None:
            # an unchanged page is written again too: a run profile enabled since has no step values
            answer = answer or self.bridge.pages.get((PAGES.index(page), number))
            refusal = self.too_many(answer)
            if refusal is not None:
                self._asked_with.pop((page, number), None)  # asked again next time, not taken as is
                return refusal
            if answer is not None:
                self.write_page(answer, profile)
            return None
        label = f"Schema {number}" if page == "Schema" else page
        return Step(f"Asking {self.name} for the {label} page", lambda: self.ask(page, number, values), apply)

    # -- writing answers into the working copy (GUI thread) -------------------------------------
    def write_page(self, answer: PageAnswer, profile: str | None = None) -> None:
        """The page's stored parameters become exactly the DLL's definitions; values already
        entered are kept where the name and type still match, the DLL's default elsewhere."""
        s = self.session
        if not s.is_new:
            return  # an existing connector's file changes only where the user adds or edits
        defs = [d for d in answer.parameters if d.has_value and d.name]
        if answer.page == "RunStep":
            for prof in s.enabled_profiles():
                self._write_step(prof, defs)
            return
        number = answer.number if answer.page == "Schema" else None
        existing = {p.name: p for p in s.page_parameters(answer.page, number)}
        for p in existing.values():
            s.remove_parameter(p)
        elements = []
        for d in defs:
            old = existing.get(d.name)
            value = old.value if old is not None and old.type == d.type else d.default
            elements.append(builders.parameter(d.name, d.type, d.page, value,
                                               encrypted=d.secret,
                                               schema_number=None if number is None else str(number)))
        s.connector.add_parameters(elements)  # in one pass: one at a time was quadratic

    def _write_step(self, profile: str, defs: list[ParameterDefinition]) -> None:
        s = self.session
        run = s.connector.run_configuration(profile)
        if run is None or not run.run_steps:
            return
        existing = {p.name: p for p in s.run_step_parameters(profile)}
        for p in existing.values():
            s.remove_parameter(p)
        container = run.run_steps[0].ensure("Parameters")
        for d in defs:
            old = existing.get(d.name)
            value = old.value if old is not None and old.type == d.type else d.default
            s.working.xml.append(container, builders.parameter(d.name, d.type, "RunStep", value,
                                                               encrypted=d.secret))

    def drop_schema_pages_after(self, number: int) -> None:
        """The DLL has no Schema page number+1 any more: later stored pages go too."""
        s = self.session
        for n in [n for n in s.schema_numbers() if n > number]:
            for p in s.page_parameters("Schema", n):
                s.remove_parameter(p)
        for key in [k for k, a in self.bridge.pages.items() if a.page == "Schema" and a.number > number]:
            del self.bridge.pages[key]

    def apply_capabilities(self, caps: dict[str, Any] | None) -> None:
        """A new connector's run profiles follow what the DLL can do (Export stays: the host needs it)."""
        s = self.session
        if caps is None or not s.is_new:
            return
        wanted = {"Export": True, "FullImport": bool(caps.get("SupportImport")),
                  "DeltaImport": bool(caps.get("SupportImport") and caps.get("DeltaImport"))}
        for profile, on in wanted.items():
            s.set_profile_enabled(profile, on)
        flags = s.connector.schema
        for tag in ("ExportPasswordInFirstPass", "SupportPassword"):
            if flags.flag(tag) != bool(caps.get(tag)):
                flags.set_flag(tag, bool(caps.get(tag)))

    def apply_partitions(self, partitions: list[dict[str, str]]) -> None:
        self.partitions = partitions
        parts = self.session.connector.partitions
        if partitions and parts and self.session.is_new and \
                all(p["dn"] != parts[0].dn for p in partitions):
            self.choose_partition(partitions[0])

    def choose_partition(self, partition: dict[str, str]) -> None:
        parts = self.session.connector.partitions
        if not parts:
            return
        target = parts[0]
        for attr, key in (("id", "id"), ("dn", "dn"), ("name", "name")):
            value = partition.get(key) or (partition.get("dn", "") if key == "name" else "")
            if value and getattr(target, attr) != value:
                setattr(target, attr, value)

    def apply_schema(self, schema: dict[str, Any]) -> SourceSchema:
        """GetSchema's types and attributes become the Object Types and Select Attributes choices;
        a new connector takes the DLL's first type and its anchor."""
        self.schema = schema
        source = source_schema(schema, self.name)
        s = self.session
        entry = s.connector.entry_schema
        if s.is_new and entry is not None and source.types and entry.object_type not in source.types:
            s.schema.set_object_type(source.object_types[0])
        s.schema.discover_source(source)
        wanted = entry.object_type if entry is not None else None
        anchors = source.anchors.get(wanted or "", [])
        if s.is_new and entry is not None and entry.anchor is None and anchors:
            s.schema.set_anchor(anchors[0])
        return source

    def retype(self, object_type: str) -> bool:
        """Another of the DLL's object types was chosen: its attributes become the choices (and, for
        a new connector, its anchor the anchor). False when the DLL has no such type."""
        if self.schema is None:
            return False
        source = source_schema(self.schema, self.name)
        if object_type not in source.types:
            return False
        s = self.session
        s.schema.discovered.clear()  # the other type's attributes are not this type's choices
        s.schema.discover_source(source)
        anchors = source.anchors.get(object_type, [])
        if s.is_new and anchors:
            s.schema.set_anchor(anchors[0])
        return True

    # -- transitions -----------------------------------------------------------------------------
    def validate_step(self, page: str, number: int, values: Snapshot) -> Step:
        def work() -> Validation:
            self.push(values)
            return self.bridge.validate_page(page, number)
        return Step(f"{self.name} is checking the page", work, lambda v: None if v.ok else v)

    def leave_steps(self, key: PageKey, values: Snapshot) -> list[Step]:
        """What Next on `key` asks of the DLL before the next page can be chosen."""
        which = key.dll_page
        if key == OBJECT_TYPES and self.schema_error:
            return [self.schema_step(values, stop_on_failure=True)]  # Next asks again
        if which is None:
            return []
        page, number = which
        steps = []
        if self.definitions(page, number):
            steps.append(self.validate_step(page, number, values))
        if page == "Capabilities":
            def caps() -> dict[str, Any] | None:
                self.push(values)
                return self.bridge.ask_capabilities()
            steps.append(Step(f"Asking {self.name} what it can do", caps,
                              lambda c: self.apply_capabilities(c)))
        if page in ("Capabilities", "Schema"):
            steps.append(self._next_schema_step(number + 1 if page == "Schema" else 1, values))
        return steps

    def _next_schema_step(self, number: int, values: Snapshot) -> Step:
        def apply(answer: PageAnswer | None) -> Validation | None:
            answer = answer or self.bridge.pages.get((PAGES.index("Schema"), number))
            refusal = self.too_many(answer)
            if refusal is not None:
                self._asked_with.pop(("Schema", number), None)
                return refusal
            before = self.bridge.pages.get((PAGES.index("Schema"), number - 1))
            if answer is None or ends_schema_pages(answer, before) or number > MAX_SCHEMA_PAGES:
                self.drop_schema_pages_after(number - 1)
            else:
                self.write_page(answer)
            return None
        return Step(f"Asking {self.name} for the Schema {number} page",
                    lambda: self.ask("Schema", number, values), apply)

    def schema_step(self, values: Snapshot, *, stop_on_failure: bool) -> Step:
        """GetSchema for the Object Types page. Its failure belongs to that page (the answer it
        needs), not to the page Next was pressed on: entering, the wizard moves on and Object Types
        shows the failure (`schema_error`) with every page before it kept; Next there asks again
        and stays on a second failure. Real connectors' GetSchema connects to their system, so it
        fails wherever that system cannot be reached."""
        def schema() -> dict[str, Any] | SchemaFailed | None:
            self.push(values)
            fingerprint = ("GetSchema",) + self._fingerprint()
            if self.schema is not None and self._asked_with.get(("GetSchema", 0)) == fingerprint:
                return None
            try:
                answer = self.bridge.ask_schema()
            except BridgeError as exc:
                if exc.kind == BridgeErrorKind.CANCELLED:
                    raise
                return SchemaFailed(exc.sentence())
            self._asked_with[("GetSchema", 0)] = fingerprint
            return answer

        def take_schema(answer: dict[str, Any] | SchemaFailed | None) -> Validation | None:
            if isinstance(answer, SchemaFailed):
                self.schema_error = answer.sentence
                return Validation(False, answer.sentence) if stop_on_failure else None
            self.schema_error = ""
            if answer is not None:
                self.apply_schema(answer)
            return None
        return Step(f"Asking {self.name} for its schema (GetSchema)", schema, take_schema)

    def enter_steps(self, key: PageKey, values: Snapshot) -> list[Step]:
        """What the page `key` needs from the DLL before it is shown."""
        which = key.dll_page
        if key == OBJECT_TYPES:
            return [self.schema_step(values, stop_on_failure=False)]
        if which is None:
            return []
        page, number = which
        steps = []
        if page == "Partition" and self.bridge.supports("SupportPartitions"):
            def partitions() -> list[dict[str, str]]:
                self.push(values)
                return self.bridge.ask_partitions()
            def take(found: list[dict[str, str]]) -> None:
                self.apply_partitions(found)
            steps.append(Step(f"Asking {self.name} for its partitions", partitions, take))
        steps.append(self.ask_step(page, number, values, key.profile or None))
        if page == "Capabilities":  # the page shows what the DLL reports (a summary, read-only)
            def caps() -> dict[str, Any] | None:
                self.push(values)
                return self.bridge.ask_capabilities()
            steps.append(Step(f"Asking {self.name} what it can do", caps,
                              lambda c: self.apply_capabilities(c)))
        return steps

    def existing_steps(self, values: Snapshot) -> list[Step]:
        """An existing connector: ask every page with its stored values (nothing is validated or
        written) so DropDown choices and parameters new in this DLL can be shown."""
        steps = [self.ask_step(p, 1, values) for p in ("Connectivity", "Capabilities")]

        def caps() -> dict[str, Any] | None:
            self.push(values)
            return self.bridge.ask_capabilities()

        def schema_pages() -> list[PageAnswer]:
            self.push(values)
            return self.bridge.ask_schema_pages()
        steps.append(Step(f"Asking {self.name} what it can do", caps, lambda _c: None))
        steps.append(Step(f"Asking {self.name} for its schema pages", schema_pages, lambda _a: None))
        steps += [self.ask_step(p, 1, values) for p in ("Global", "Partition", "RunStep")]
        return steps

    def new_in_dll(self, page: str, number: int, profile: str | None = None) -> list[ParameterDefinition]:
        """Parameters the DLL defines for the page that the stored connector lacks."""
        s = self.session
        if page == "RunStep":
            stored = {p.name for p in s.run_step_parameters(profile or "")}
        else:
            stored = {p.name for p in s.page_parameters(page, number if page == "Schema" else None)}
        return [d for d in self.definitions(page, number) if d.has_value and d.name and d.name not in stored]

    def add_from_dll(self, d: ParameterDefinition, profile: str | None = None) -> None:
        """Add a parameter the DLL defines with its default (the user asked for it)."""
        s = self.session
        p = s.add_parameter(d.name, d.type, d.page, d.number if d.page == "Schema" else None, profile)
        s.set_parameter(p, d.default)
