"""One run of the connector wizard: a private working copy and the edits each page makes to it.

The wizard never edits the caller's document: it works on a copy made from the caller's bytes, so
Cancel writes nothing and the Summary can show the exact byte diff of what Finish will write. Every
setter compares before it writes, so a field the user did not change never changes in the file
(the lossless document patches only what was set: a timer edit stays a one-line change).

Timestamps (decided here, documented in the report): on Finish, if the connector changed at all,
ECMAConfig/ModificationDateTime is set to now, as Microsoft's wizard does when it saves; a timer
edit is therefore exactly two changed lines (AutosyncTimer and ModificationDateTime). Nothing else
is re-stamped: run-configuration times only change for profiles enabled here (new elements).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from app.config import builders
from app.config.document import ConfigDocument, Parameter
from app.config.document_store import DocumentStore
from app.config.store import SaveResult
from app.errors import UserError
from app.hostsecrets.dpapi import Dpapi, default_dpapi
from app.hostsecrets.writing import SecretRoute, plan_for
from app.wizard.schema_edits import SchemaEditor
from app.wizard.secret_choice import SecretChoice, TypedSecret, values_by_key
from app.wizard.templates import ParameterTemplate, template_for

if TYPE_CHECKING:  # annotations only: the diff is imported when Finish is prepared
    from lxml import etree

    from app.config.diff import Change
    from app.config.rules import Finding

RUN_STEP_NAMES = {"Export": "Export", "FullImport": "Import", "DeltaImport": "DeltaImport"}
STEP_LIMITS = {"BatchSize": "batch_size", "Timeout": "timeout"}
MAX_STEP_LIMIT = 2**31 - 1
PROFILE_FLAGS = {"Export": "is_export_supported", "FullImport": "is_full_import_supported",
                 "DeltaImport": "is_delta_import_supported"}
SECRET_MASK = "••••••••"


@dataclass
class PendingSave:
    """What Finish will write, computed once on the Summary page and written as is."""

    data: bytes
    changed: bool
    text_diff: list[str]
    changes: list[Change] = field(default_factory=list)
    stamp: str = ""
    secrets: list[Finding] = field(default_factory=list)  # what Finish does with typed secrets


class WizardSession:
    """The working copy and the connector being created or edited in it."""

    def __init__(self, document: ConfigDocument, connector_name: str | None = None, *,
                 spec: builders.ConnectorSpec | None = None, dpapi: Dpapi | None = None,
                 bridge_route: SecretRoute | None = None) -> None:
        self.original = document
        self.original_bytes = document.to_bytes()
        self.working = ConfigDocument.from_bytes(self.original_bytes, document.source)
        self.working.path = document.path
        self.is_new = connector_name is None
        self.template_library: str | None = None  # the template applied to a new connector
        self.pages_from_dll = False  # the parameter pages were built from the DLL's own answers
        self.other_names = [c.name for c in document.connectors if c.name != connector_name]
        if connector_name is None:
            spec = spec or builders.ConnectorSpec(
                name="", library_name="",
                run_profiles={"Export": [builders.StepSpec("Export")],
                              "FullImport": [builders.StepSpec("Import")]})
            self.from_spec = bool(spec.parameters)
            self.connector = self.working.add_connector(builders.connector(spec))
        else:
            self.from_spec = False
            self.connector = self.working.find_connector(connector_name)
        self.original_name = connector_name
        self.schema = SchemaEditor(self.connector)
        # typed secrets: encrypted through a proven route, else left for the host unless the user
        # chooses to store them as typed (app/wizard/secret_choice.py)
        self.secrets = SecretChoice(plan_for(document, dpapi or default_dpapi(), bridge_route))
        self.secrets_before = values_by_key(document.connector(connector_name) if connector_name else None)

    # -- properties (page 1) --------------------------------------------------------------------
    @property
    def template(self) -> ParameterTemplate:
        return template_for(self.connector.library_name)

    def set_name(self, name: str) -> None:
        if not self.is_new:
            raise ValueError("an existing connector's name is part of its URL and is not renamed here")
        if self.connector.name != name:
            self.connector.name = name

    def set_timer(self, minutes: int) -> None:
        if self.connector.autosync_minutes != int(minutes) or self.connector.autosync_timer.strip() != str(minutes):
            self.connector.autosync_timer = str(int(minutes))

    def set_token(self, token: str) -> None:
        """Kept as typed in the working copy (the rules check it); Finish decides how it is saved."""
        if self.connector.secret_token != token:
            self.connector.secret_token = token

    def set_description(self, text: str) -> None:
        if self.connector.description != text:
            self.connector.description = text

    def set_library(self, library: str) -> None:
        """Choose the DLL; for a new connector started from nothing, swap in that DLL's template."""
        library = library[:-4] if library.lower().endswith(".dll") else library
        if self.connector.library_name == library and self.template_library == library:
            return
        if self.connector.library_name != library:
            self.connector.library_name = library
        self.pages_from_dll = False
        if self.is_new and not self.from_spec:
            self._apply_template(library)

    def _apply_template(self, library: str) -> None:
        for p in self.connector.parameters:
            self.working.xml.remove(p.el)
        template = template_for(library)
        for el in template.page_parameters():
            self.connector.add_parameter(el)
        for run in self.connector.run_configurations:
            for step in run.run_steps:
                for p in step.parameters:
                    self.working.xml.remove(p.el)
                container = step.ensure("Parameters")
                for el in template.run_step_parameters(run.name):
                    self.working.xml.append(container, el)
        self.template_library = library

    # -- parameter pages --------------------------------------------------------------------------
    def page_parameters(self, use: str, schema_number: int | None = None) -> list[Parameter]:
        params = self.connector.parameters_by_use(use)
        if schema_number is not None:
            params = [p for p in params if schema_page(p.schema_number) == schema_number]
        return params

    def schema_numbers(self) -> list[int]:
        """The Schema pages this connector has (Generic SQL: 1-4), by stored SchemaNumber."""
        return sorted({schema_page(p.schema_number) for p in self.connector.parameters_by_use("Schema")})

    def run_step_parameters(self, profile: str) -> list[Parameter]:
        run = self.connector.run_configuration(profile)
        if run is None:
            return []
        return [p for step in run.run_steps for p in step.parameters]

    def step_limit(self, profile: str, field_name: str) -> str:
        """A run profile's BatchSize or Timeout as stored (0 in Microsoft's files: the default)."""
        run = self.connector.run_configuration(profile)
        steps = run.run_steps if run is not None else []
        return getattr(steps[0], STEP_LIMITS[field_name]) if steps else ""

    def set_step_limit(self, profile: str, field_name: str, value: str) -> None:
        """Set BatchSize or Timeout on the profile's steps; only a whole number from 0 fits the
        host's 32-bit int, anything else is refused in one sentence."""
        value = value.strip()
        if not value.isdigit() or int(value) > MAX_STEP_LIMIT:
            raise UserError(f"{field_name} must be a whole number from 0 to {MAX_STEP_LIMIT} (got '{value}').")
        run = self.connector.run_configuration(profile)
        for step in run.run_steps if run is not None else []:
            if getattr(step, STEP_LIMITS[field_name]) != value:
                setattr(step, STEP_LIMITS[field_name], value)

    @staticmethod
    def set_parameter(parameter: Parameter, value: str) -> None:
        if parameter.value != value:
            parameter.value = value

    def add_parameter(self, name: str, type_: str, use: str, schema_number: int | None = None,
                      profile: str | None = None) -> Parameter:
        """A custom DLL's parameter, added by the user (names must match the DLL exactly)."""
        el = builders.parameter(name, type_, use, "0" if type_ == "CheckBox" else "",
                                schema_number=None if schema_number is None else str(schema_number))
        if use == "RunStep":
            run = self.connector.run_configuration(profile or "")
            if run is None or not run.run_steps:
                raise ValueError(f"the run profile {profile} is not enabled")
            container = run.run_steps[0].ensure("Parameters")
            return Parameter(self.working, self.working.xml.append(container, el))
        return self.connector.add_parameter(el)

    def remove_parameter(self, parameter: Parameter) -> None:
        self.working.xml.remove(parameter.el)

    # -- run profiles (page 7) -------------------------------------------------------------------
    def enabled_profiles(self) -> list[str]:
        names = [r.name for r in self.connector.run_configurations]
        return [n for n in builders.RUN_PROFILES if n in names]

    def set_profile_enabled(self, profile: str, enabled: bool) -> None:
        run = self.connector.run_configuration(profile)
        if enabled and run is None:
            step = builders.StepSpec(RUN_STEP_NAMES[profile], parameters=self._step_parameters(profile))
            el = builders.run_configuration(profile, [step])
            container = self.connector.config.ensure("RunConfigurations")
            order = list(builders.RUN_PROFILES)
            later = [r for r in self.connector.run_configurations
                     if r.name in order and order.index(r.name) > order.index(profile)]
            index = list(container).index(later[0].el) if later else len(container)
            self.working.xml.insert(container, index, el)
        elif not enabled and run is not None:
            self.working.xml.remove(run.el)
        else:
            return
        # The host reads what a connector may run from these flags, so they follow the profiles
        # on existing connectors too (a profile enabled without its flag would never run).
        setattr(self.connector, PROFILE_FLAGS[profile], enabled)
        self.connector.is_export_only = set(self.enabled_profiles()) <= {"Export"}

    def _step_parameters(self, profile: str) -> list[etree._Element]:
        """A new run step's parameters: the template's for a known DLL; else a copy of another
        enabled step's parameters (a custom DLL asks the same of every step), page sizes aside."""
        template = self.template
        if template.definitions:
            return template.run_step_parameters(profile)
        others = [p for r in self.connector.run_configurations for s in r.run_steps for p in s.parameters]
        seen, out = set(), []
        for p in others:
            if p.name in seen or p.name.startswith("PageSize"):
                continue
            seen.add(p.name)
            out.append(builders.parameter(p.name, p.type, p.use, p.value, encrypted=p.encrypted,
                                          schema_number=p.schema_number))
        return out

    # -- partitions (page 6) ---------------------------------------------------------------------
    def set_partition_dn(self, dn: str) -> None:
        parts = self.connector.partitions
        if parts and parts[0].dn != dn:
            parts[0].dn = dn

    # -- summary and finish (page 12) ------------------------------------------------------------
    def secret_values(self) -> set[str]:
        values = set()
        for doc in (self.original, self.working):
            for c in doc.connectors:
                values.add(c.secret_token)
                values.update(p.value for p in c.parameters if p.is_secret)
                for r in c.run_configurations:
                    values.update(p.value for s in r.run_steps for p in s.parameters if p.is_secret)
        return {v for v in values if len(v) >= 4}

    def typed_secrets(self) -> list[TypedSecret]:
        return self.secrets.typed(self.connector, self.secrets_before)

    def prepare_finish(self, now: datetime | None = None) -> PendingSave:
        from app.config.diff import diff_documents

        final = ConfigDocument.from_bytes(self.working.to_bytes(), self.working.source)
        c = final.connectors[self._index()]
        done = self.secrets.apply(final, c, self.secrets_before)
        data = final.to_bytes()
        changed = data != self.original_bytes
        stamp = ""
        if changed:
            stamp = builders.dotnet_long_datetime(now)
            c.modification_datetime = stamp
            if self.is_new:
                c.ecma.set_text("CreationDateTime", stamp)
            data = final.to_bytes()
        written = {t.value for t in self.typed_secrets()} | set(values_by_key(c).values())
        secrets = self.secret_values() | {v for v in written if len(v) >= 4}
        text = mask_secrets(unified_diff(self.original_bytes, data, self.working.source), secrets)
        changes = diff_documents(self.original, final) if changed else []
        return PendingSave(data, changed, text, changes, stamp, done)

    def _index(self) -> int:
        return next(i for i, c in enumerate(self.working.connectors) if c.el is self.connector.el)

    def finish(self, store: DocumentStore, pending: PendingSave) -> SaveResult:
        """Write exactly the bytes the Summary showed (refusals come up as SaveRefused)."""
        if not pending.changed:
            return SaveResult(self.original, None, False)
        return store.write_bytes(pending.data)

    @property
    def connector_name(self) -> str:
        return self.connector.name


def schema_page(stored: str) -> int:
    """The Schema page a parameter's SchemaNumber text puts it on. The number is whole and counts
    from 1 (Microsoft's Generic SQL connector: Schema 1-4); an empty, zero or non-numeric one (the
    XSD allows any text) goes on the first page, so "02" and "2" are one page and no text can make
    a page the wizard cannot name. The file's text is not rewritten."""
    text = stored.strip()
    number = int(text) if text.isdecimal() else 0
    return number if number >= 1 else 1


def unified_diff(old: bytes, new: bytes, source: str) -> list[str]:
    a = old.decode("utf-8-sig", errors="replace").splitlines()
    b = new.decode("utf-8-sig", errors="replace").splitlines()
    return list(difflib.unified_diff(a, b, f"{source} (on disk)", f"{source} (after Finish)",
                                     n=2, lineterm=""))


def mask_secrets(lines: list[str], secrets: set[str]) -> list[str]:
    """The diff as shown: secret values replaced, so a changed secret shows as a changed line only."""
    ordered = sorted(secrets, key=len, reverse=True)
    out = []
    for line in lines:
        for s in ordered:
            if s in line:
                line = line.replace(s, SECRET_MASK)
        out.append(line)
    return out
