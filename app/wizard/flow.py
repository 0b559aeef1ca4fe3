"""The connector wizard's flow without Qt: which pages exist, in what order, which are read-only,
and which findings block Next (Electrum's idea: the navigation map is plain data, tested headless).

Page order is Microsoft's (docs/host-facts.md §3): Properties, Connectivity, Capabilities, Schema 1..n,
Global, Partitions, Run Profiles, one page per enabled run profile, Object Types, Select
Attributes, Deprovisioning, then our Summary. Findings come from `rules.validate` on the working
copy (only this connector's, only this page's) plus checks that only make sense while editing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.config import rules
from app.config.rules import ERROR, INFO, WARNING, Finding
from app.wizard.page_keys import (
    ATTRIBUTES,
    CAPABILITIES,
    CONNECTIVITY,
    DEPROVISIONING,
    GLOBAL,
    OBJECT_TYPES,
    PARTITIONS,
    PROPERTIES,
    RUN_PROFILES,
    SUMMARY,
    PageKey,
)
from app.wizard.session import WizardSession

PROFILE_TITLES = {"Export": "Export", "FullImport": "Full Import", "DeltaImport": "Delta Import"}
START_PAGES = ("properties", "connectivity", "capabilities", "schema", "global", "partitions",
               "run-profiles", "object-types", "attributes", "deprovisioning")


@dataclass(frozen=True)
class PageRef:
    key: PageKey  # unique: Schema 2, the FullImport run step; named like `page` for the single pages
    page: str  # the rules page id (findings are filed under it); "summary" for our last page
    title: str
    use: str | None = None  # parameter pages: the Parameter Use rendered there
    schema_number: int | None = None
    profile: str | None = None


class ConnectorFlow:
    def __init__(self, session: WizardSession) -> None:
        self.session = session

    # -- order ------------------------------------------------------------------------------
    def pages(self) -> list[PageRef]:
        s = self.session
        out = [PageRef(PROPERTIES, "properties", "Properties"),
               PageRef(CONNECTIVITY, "connectivity", "Connectivity", use="Connectivity"),
               PageRef(CAPABILITIES, "capabilities", "Capabilities", use="Capabilities")]
        out += [PageRef(PageKey.schema(n), "schema", f"Schema {n}", use="Schema", schema_number=n)
                for n in s.schema_numbers()]
        out += [PageRef(GLOBAL, "global", "Global", use="Global"),
                PageRef(PARTITIONS, "partitions", "Partitions", use="Partition"),
                PageRef(RUN_PROFILES, "run-profiles", "Run Profiles")]
        out += [PageRef(PageKey.run_step(p), "run-profiles", PROFILE_TITLES[p], use="RunStep", profile=p)
                for p in s.enabled_profiles()]
        out += [PageRef(OBJECT_TYPES, "object-types", "Object Types"),
                PageRef(ATTRIBUTES, "attributes", "Select Attributes"),
                PageRef(DEPROVISIONING, "deprovisioning", "Deprovisioning"),
                PageRef(SUMMARY, "summary", "Summary")]
        return out

    def keys(self) -> list[PageKey]:
        return [p.key for p in self.pages()]

    def page(self, key: PageKey) -> PageRef | None:
        return next((p for p in self.pages() if p.key == key), None)

    def next_key(self, key: PageKey) -> PageKey | None:
        keys = self.keys()
        if key not in keys:  # the page vanished (a profile was disabled): go on from its slot
            return None
        i = keys.index(key)
        return keys[i + 1] if i + 1 < len(keys) else None

    def start_key(self, start_page: PageKey | None) -> PageKey:
        """The page itself, or the first page filed under a rules page id (the Problems panel's
        finding on "schema" starts at Schema 1); Properties when the connector has no such page."""
        if start_page is not None:
            for p in self.pages():
                if start_page in (p.key, PageKey(p.page)):
                    return p.key
        return PROPERTIES

    def path_to(self, key: PageKey) -> list[PageKey]:
        keys = self.keys()
        return keys[: keys.index(key) + 1] if key in keys else keys[:1]

    def is_read_only(self, key: PageKey) -> bool:
        # "can't be modified when the connector is created" (docs/host-facts.md §3, page 3)
        return key == CAPABILITIES and not self.session.is_new

    # -- findings ---------------------------------------------------------------------------
    def findings(self, key: PageKey) -> list[Finding]:
        ref = self.page(key)
        if ref is None or ref.page == "summary":
            return self.all_findings() if ref else []
        found = [f for f in self.connector_rule_findings() if f.page == ref.page]
        local = self.local_findings(ref)
        codes = {f.code for f in local}
        return local + [f for f in found if f.code not in codes]

    def connector_rule_findings(self) -> list[Finding]:
        """rules' findings about this connector, also while it has no name yet (the XSD check of
        the whole file is left to the main window: it has no page here)."""
        name = self.session.connector_name
        cross = [f for f in rules.cross_findings(self.session.working) if name and f.connector == name]
        return rules.connector_findings(self.session.connector) + cross

    def all_findings(self) -> list[Finding]:
        out = self.connector_rule_findings()
        for ref in self.pages():
            out += self.local_findings(ref)
        return out

    def blocks_next(self, key: PageKey) -> bool:
        return any(f.severity == ERROR for f in self.findings(key))

    def local_findings(self, ref: PageRef) -> list[Finding]:
        s = self.session
        c = s.connector
        out: list[Finding] = []

        def add(sev: rules.Severity, fld: str | None, code: str, msg: str, fix: str = "") -> None:
            out.append(Finding(sev, msg, fix, c.name or None, ref.page, fld, code))

        if ref.key == PROPERTIES:
            name = c.name
            if not name.strip():
                add(ERROR, "Name", "name-empty", "The connector needs a name.",
                    "It becomes part of the Tenant URL: letters, digits, '-' and '_'.")
            elif s.is_new and name in s.other_names:
                add(ERROR, "Name", "name-duplicate", f"A connector named '{name}' exists already.",
                    "Choose another name.")
            elif s.is_new and name.lower() in {n.lower() for n in s.other_names}:
                add(WARNING, "Name", "name-case", f"'{name}' differs from another connector only in case.",
                    "Names are case sensitive and part of the URL; prefer distinct names.")
            elif s.is_new and not re.fullmatch(r"[A-Za-z0-9]+", name) and rules.URL_SAFE_NAME.match(name):
                add(INFO, "Name", "name-ascii", "Older ECMA2Host versions accept letters and digits only.",
                    "Keep '-' and '_' only if your agent is recent.")
            if c.library_name and s.is_new and s.template.is_guess and s.template.definitions \
                    and not s.pages_from_dll:
                add(INFO, "LibraryName", "template-guess", s.template.origin,
                    "Check each page against the connector's documentation.")
        elif ref.key == RUN_PROFILES:
            if "DeltaImport" in s.enabled_profiles():
                add(INFO, "DeltaImport", "delta-name",
                    "The name Microsoft's wizard gives the Delta import run profile is not published; "
                    "this tool writes 'DeltaImport'.", "Check the connector works after the first delta run.")
        elif ref.key == OBJECT_TYPES:
            entry = c.entry_schema
            if entry is not None and not s.is_new:
                before = s.original.connector(s.original_name or "")
                old = before.entry_schema.anchor if before and before.entry_schema else None
                new = entry.anchor
                if old is not None and new is not None and old.name != new.name:
                    add(WARNING, "Anchor", "anchor-changed",
                        f"The anchor changes from '{old.name}' to '{new.name}'; ECMA2Host does not "
                        "support anchor renames.", "Entra matched existing objects on the old anchor: "
                        "recreate the connector instead, or keep the old anchor.")
        elif ref.key == ATTRIBUTES:
            if c.entry_schema is not None and not s.schema.selected_names():
                add(ERROR, None, "no-attributes", "No attribute is selected.",
                    "Select at least the anchor and the attributes Entra should provision.")
        elif ref.key == PARTITIONS and not c.partitions:
            add(ERROR, "DN", "no-partition", "The connector has no partition.",
                "ECMA2Host needs exactly one.")
        if ref.key != RUN_PROFILES:  # typed secrets: encrypted, left for the host, or plain
            typed = [t for t in s.typed_secrets() if ref.profile is None
                     or t.place.key.startswith(f"RunStep/{ref.profile}/")]
            out += s.secrets.findings(typed, ref.page)
        return out
