"""Which wizard page: one type for the key the wizard files a page under ("schema-2",
"run-step:FullImport"), the DLL's page behind it (Microsoft's ConfigParameterPage: Schema 2,
RunStep) and the run profile it belongs to. Both the Qt-free wizard and its window use it, so the
spelling lives here only: the wizard and its window pass PageKeys (the window maps each to Qt's
int page id), and text becomes one (`PageKey.parse`) only where a finding's page id meets the
wizard (the Problems panel's start page) or comes from one (`str(key)`) for a title or file name."""

from __future__ import annotations

from dataclasses import dataclass

# our page name -> the DLL's page (ConfigParameterPage) for the single parameter pages
_DLL_PAGE = {"connectivity": "Connectivity", "capabilities": "Capabilities", "global": "Global",
             "partitions": "Partition"}
SCHEMA = "schema"
RUN_STEP = "run-step"


@dataclass(frozen=True)
class PageKey:
    name: str  # "properties", "connectivity", "schema", "run-step", "object-types", ...
    number: int = 0  # Schema pages: 1..n
    profile: str = ""  # run-step pages: Export, FullImport, DeltaImport

    @classmethod
    def schema(cls, number: int | str) -> PageKey:
        return cls(SCHEMA, int(number))

    @classmethod
    def run_step(cls, profile: str) -> PageKey:
        return cls(RUN_STEP, profile=profile)

    @classmethod
    def parse(cls, text: str) -> PageKey:
        """The key as the wizard spells it; an unknown spelling is one of our own pages."""
        if text.startswith(f"{RUN_STEP}:"):
            return cls.run_step(text.split(":", 1)[1])
        if text.startswith(f"{SCHEMA}-") and text[len(SCHEMA) + 1:].isdigit():
            return cls.schema(text[len(SCHEMA) + 1:])
        return cls(text)

    def __str__(self) -> str:
        if self.name == SCHEMA and self.number:
            return f"{SCHEMA}-{self.number}"
        if self.name == RUN_STEP:
            return f"{RUN_STEP}:{self.profile}"
        return self.name

    @property
    def dll_page(self) -> tuple[str, int] | None:
        """The DLL's page and number behind this page, or None for our own pages."""
        if self.name in _DLL_PAGE:
            return _DLL_PAGE[self.name], 1
        if self.name == SCHEMA and self.number:
            return "Schema", self.number
        if self.name == RUN_STEP:
            return "RunStep", 1
        return None


# our single pages (each one of a kind)
PROPERTIES = PageKey("properties")
CONNECTIVITY = PageKey("connectivity")
CAPABILITIES = PageKey("capabilities")
GLOBAL = PageKey("global")
PARTITIONS = PageKey("partitions")
RUN_PROFILES = PageKey("run-profiles")
OBJECT_TYPES = PageKey("object-types")
ATTRIBUTES = PageKey("attributes")
DEPROVISIONING = PageKey("deprovisioning")
SUMMARY = PageKey("summary")
