"""One conversation with a connector DLL, page by page, as Microsoft's wizard has it.

`ConnectorSession` holds every value entered so far and asks the DLL (through a worker process,
app/bridge/client.py) for each page. Every call receives all values of the pages asked so far, the
DLL's default where the user left a field untouched; secrets go in as SecureString. Calls block:
run them from a worker thread in a GUI, and call `cancel()` from the GUI thread to stop one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from app.bridge.client import DEFAULT_TIMEOUT, SCHEMA_TIMEOUT, ConnectorProcess
from app.bridge.errors import BridgeError
from app.bridge.locate import ConnectorLibrary
from app.errors import UserError
from app.masking import SecretMasker

# Microsoft's page order: Connectivity, Capabilities, Schema 1..n, Global, Partition, RunStep.
PAGES = ("Connectivity", "Capabilities", "Schema", "Global", "Partition", "RunStep")
NO_VALUE_TYPES = ("Label", "Divider")
# Schema pages are asked for n = 1, 2, ... until the DLL answers null or an empty list (public
# connectors end that way); this bound only stops a DLL that never ends.
MAX_SCHEMA_PAGES = 20
SECRET_MASK = "••••••••"
# Answer fields that are free text (masked down to fragments); every other string is a name.
FREE_TEXT = ("text", "default", "validation", "message", "inner")


class PlainSecret(UserError):
    """A secret parameter's value was given as a plain value; it was not passed to the DLL."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name} is a secret, so it was not passed to the connector as a plain value")


@dataclass(frozen=True)
class ParameterDefinition:
    """One parameter as the DLL defines it; `default` as Configuration.xml stores it."""

    name: str
    type: str
    page: str
    number: int
    default: str
    choices: tuple[str, ...] = ()
    extensible: bool = False
    validation: str = ""
    text: str = ""
    # The same name is an EncryptedString on another page: the host keeps one value per name, so
    # that value is a secret wherever the name appears, whatever this page's type says.
    secret_by_name: bool = False

    @property
    def secret(self) -> bool:
        return self.type == "EncryptedString" or self.secret_by_name

    @property
    def has_value(self) -> bool:
        return self.type not in NO_VALUE_TYPES

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "default": self.default,
                "choices": list(self.choices), "extensible": self.extensible,
                "validation": self.validation, "text": self.text}


@dataclass
class PageAnswer:
    page: str
    number: int
    parameters: list[ParameterDefinition] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        return (PAGES.index(self.page), self.number)


@dataclass(frozen=True)
class Validation:
    ok: bool
    message: str = ""
    parameter: str = ""
    by_connector: bool = True  # False: our own rule (choices, pattern) refused the value

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message, "parameter": self.parameter}


def definition_from(raw: dict[str, Any], page: str, number: int) -> ParameterDefinition:
    """The worker's raw definition, normalised: CheckBox default "1"/"0"; DropDown choices from
    the Validation string without the empty entry a trailing comma leaves."""
    type_ = raw.get("type") or "String"
    default = raw.get("default")
    choices: tuple[str, ...] = ()
    validation = raw.get("validation") or ""
    if type_ == "CheckBox":
        # Microsoft's DLL gives "" for a check box made without a default: unchecked
        default = default if default in ("0", "1") else ("1" if raw.get("checkbox_default") else "0")
    elif type_ == "DropDown":
        choices = tuple(c for c in validation.split(",") if c != "")
        if not default:  # Microsoft's DLL gives "" for "no default"; its wizard shows the first choice
            default = choices[0] if choices else ""
    return ParameterDefinition(raw.get("name") or "", type_, page, number, default or "", choices,
                               bool(raw.get("extensible")), validation, raw.get("text") or "")


class ConnectorSession:
    """Values entered so far and the DLL's answers, page by page (no Qt; any thread)."""

    def __init__(self, library: ConnectorLibrary, *, timeout: float = DEFAULT_TIMEOUT,
                 schema_timeout: float = SCHEMA_TIMEOUT, process: ConnectorProcess | None = None) -> None:
        """`process`: a worker given by the caller (tests script one); the session then leaves it
        running on close(). Without one, the session has its own worker."""
        self.library = library
        self._owns_process = process is None
        self.process = process or ConnectorProcess(library.dll, library.interface_dll,
                                                   timeout=timeout, schema_timeout=schema_timeout)
        self.values: dict[str, str] = {}
        self._secrets: dict[str, str] = {}
        self.pages: dict[tuple[int, int], PageAnswer] = {}
        self.capabilities: dict[str, Any] | None = None
        self._masker_key: tuple[str, ...] | None = None
        self._masker_pair = (SecretMasker((), SECRET_MASK), SecretMasker((), SECRET_MASK))

    # -- values ----------------------------------------------------------------------------------
    def set_value(self, name: str, value: str) -> None:
        self.values[name] = value

    def set_secret(self, name: str, value: str) -> None:
        """A secret: passed to the DLL as SecureString (for an EncryptedString), masked in messages."""
        self._secrets[name] = value
        self.values.pop(name, None)  # a plain value set before the name was known to be secret

    def secret(self, name: str) -> str | None:
        return self._secrets.get(name)

    def definitions(self) -> list[ParameterDefinition]:
        """Every parameter of the pages asked so far, in page order."""
        return [d for key in sorted(self.pages) for d in self.pages[key].parameters]

    def value_of(self, d: ParameterDefinition) -> str:
        if d.name in self._secrets:
            return self._secrets[d.name]
        return self.values.get(d.name, d.default)

    def call_values(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for d in self.definitions():
            if d.secret and d.name in self.values:
                # a secret given as a plain value (on a command line, say) is refused before any
                # call could hand it to the DLL, even when it was also given the secret way
                raise PlainSecret(d.name)
            if d.has_value and d.name:
                seen[d.name] = {"name": d.name, "value": self.value_of(d), "secret": d.secret}
        return list(seen.values())

    def unknown_names(self) -> list[str]:
        """Values given for names no page asked so far defines (a typo, or a later page)."""
        known = {d.name for d in self.definitions()}
        return sorted(n for n in [*self.values, *self._secrets] if n not in known)

    def mask(self, text: str) -> str:
        """Free text from the DLL (messages, labels, defaults, choices) with every secret given to
        it masked: in any spelling, re-spaced, or cut short (app/masking.py has the rules)."""
        return self._maskers()[0](text)

    def mask_name(self, text: str) -> str:
        """A name from the DLL (parameter, field, schema type or attribute, partition): a whole
        secret in it is masked in any spelling; fragments are not, so a password "Password1"
        leaves the parameter named "Password" alone."""
        return self._maskers()[1](text)

    def _maskers(self) -> tuple[SecretMasker, SecretMasker]:
        key = tuple(sorted(self._secrets.values()))
        if self._masker_key != key:
            self._masker_key = key
            self._masker_pair = (SecretMasker(key, SECRET_MASK, fragments=True), SecretMasker(key, SECRET_MASK))
        return self._masker_pair

    def _masked(self, value: Any) -> Any:
        """A DLL's answer with every string masked: names whole, free text down to fragments.
        Before any secret was given there is nothing to find: the answer is returned as it is
        (walking it cost more than the call's own pipe round trip, bench_bridge.py)."""
        text, name = self._maskers()  # once per answer, not once per string
        if not text:
            return value
        return _masked_with(value, "", text, name)

    # -- calls -----------------------------------------------------------------------------------
    def _call(self, op: str, args: dict[str, Any], label: str) -> Any:
        try:
            answer = self.process.call(op, args, call=label)
        except BridgeError as exc:
            exc.message = self.mask(exc.message)
            exc.dotnet_message = self.mask(exc.dotnet_message)
            exc.args = (exc.sentence(),)
            raise
        # A DLL was given the secrets: whatever it answers may echo one (a default, a label, a
        # validation message, its ErrorParameter, a schema or partition name).
        return self._masked(answer)

    def ask_page(self, page: str, number: int = 1) -> PageAnswer:
        """The page's parameters (asked again each time: they may depend on earlier answers)."""
        if page not in PAGES:
            raise ValueError(f"unknown page {page}")
        label = (f"GetConfigParametersEx(Schema, {number})" if page == "Schema"
                 else f"GetConfigParameters({page})")
        raw = self._call("get_parameters", {"page": page, "number": number,
                                            "values": self.call_values()}, label)
        answer = PageAnswer(page, number, [definition_from(r, page, number) for r in raw or []])
        self.pages[answer.key] = answer
        self._mark_secret_names()
        return answer

    def _mark_secret_names(self) -> None:
        """A name defined EncryptedString on any page asked so far is secret on every page: its
        value goes to the DLL as SecureString, is refused on the command line, and is stored
        encrypted (or left for the host), never in plain text because one page says String."""
        names = {d.name for d in self.definitions() if d.type == "EncryptedString" and d.name}
        for answer in self.pages.values():
            answer.parameters = [d if d.secret_by_name == (d.name in names and d.type != "EncryptedString")
                                 else replace(d, secret_by_name=not d.secret_by_name)
                                 for d in answer.parameters]

    def ask_schema_pages(self) -> list[PageAnswer]:
        """Schema 1, 2, ... until the DLL has no more (null or an empty list)."""
        for key in [k for k in self.pages if self.pages[k].page == "Schema"]:
            del self.pages[key]
        found: list[PageAnswer] = []
        for number in range(1, MAX_SCHEMA_PAGES + 1):
            answer = self.ask_page("Schema", number)
            if ends_schema_pages(answer, found[-1] if found else None):
                del self.pages[answer.key]
                break
            found.append(answer)
        self._mark_secret_names()
        return found

    def validate_page(self, page: str, number: int = 1) -> Validation:
        """Our own rules on the page's values first, then the DLL's ValidateConfigParameters(Ex)."""
        answer = self.pages.get((PAGES.index(page), number))
        for d in answer.parameters if answer else []:
            problem = _rule_problem(d, self.value_of(d))
            if problem:
                return Validation(False, problem, d.name, by_connector=False)
        label = (f"ValidateConfigParametersEx(Schema, {number})" if page == "Schema"
                 else f"ValidateConfigParameters({page})")
        raw = self._call("validate", {"page": page, "number": number, "values": self.call_values()}, label)
        return Validation(bool(raw.get("ok")), raw.get("message") or "", raw.get("parameter") or "")

    def ask_capabilities(self) -> dict[str, Any] | None:
        """GetCapabilitiesEx with the values so far, else the Capabilities property."""
        self.capabilities = self._call("capabilities", {"values": self.call_values()}, "GetCapabilitiesEx")
        return self.capabilities

    def supports(self, capability: str) -> bool:
        return bool((self.capabilities or {}).get(capability))

    def ask_partitions(self) -> list[dict[str, str]]:
        return self._call("partitions", {"values": self.call_values()}, "GetPartitions") or []

    def ask_hierarchy(self, parent: dict[str, str] | None = None) -> list[dict[str, str]]:
        """Children of `parent` ({"dn", "name"}), or the top level when None."""
        return self._call("hierarchy", {"values": self.call_values(), "parent": parent},
                          "GetHierarchy") or []

    def ask_schema(self) -> dict[str, Any]:
        """Object types and attributes (connects to the target system: slow, 120 s by default)."""
        return self._call("schema", {"values": self.call_values()}, "GetSchema") or {"types": []}

    def begin(self) -> None:
        """A new user operation starts (GUI thread, before its work is handed off): a Cancel of
        an earlier operation no longer applies (ConnectorProcess.begin)."""
        self.process.begin()

    def cancel(self) -> None:
        """Cancel the current operation: its running call and every later one until begin()."""
        self.process.cancel()

    def close(self) -> None:
        """End this session's own worker (a shared one stays for the next session)."""
        if self._owns_process:
            self.process.close()


def ends_schema_pages(answer: PageAnswer, before: PageAnswer | None) -> bool:
    """Schema page n is past the DLL's last one: no parameters (null or an empty list, as public
    connectors end), or the same parameters as page n-1 (a DLL that ignores the page number repeats
    its page forever; the repeat ends the list). The one rule for the command line and the wizard."""
    if not answer.parameters:
        return True
    return before is not None and [d.name for d in answer.parameters] == [d.name for d in before.parameters]


def _masked_with(value: Any, key: str, text: SecretMasker, name: SecretMasker) -> Any:
    if isinstance(value, str):
        return text(value) if key in FREE_TEXT else name(value)
    if isinstance(value, list):
        return [_masked_with(v, key, text, name) for v in value]
    if isinstance(value, dict):
        return {k: _masked_with(v, k, text, name) for k, v in value.items()}
    return value


def _rule_problem(d: ParameterDefinition, value: str) -> str:
    """Our check of one value against its definition (never quoting a secret)."""
    if d.type == "CheckBox" and value not in ("0", "1"):
        return f"{d.name} is a check box: its value must be 1 (ticked) or 0, not '{value}'."
    if d.type == "DropDown" and not d.extensible and d.choices and value not in d.choices:
        return f"'{value}' is not one of the choices for {d.name}: {', '.join(d.choices)}."
    if d.type in ("String", "EncryptedString") and d.validation:
        try:
            pattern = re.compile(d.validation)
        except re.error:
            return ""  # a .NET-only pattern: the DLL's own validation still runs
        if not pattern.search(value):
            shown = "The value" if d.secret else f"'{value}'"
            return f"{shown} does not match the pattern {d.validation} that {d.name} requires."
    return ""
