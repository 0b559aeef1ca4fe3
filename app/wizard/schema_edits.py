"""Object Types, Select Attributes and Deprovisioning (pages 9-11) as edits of the working copy.

The attributes a user can pick come from two places: the ones already stored in the connector and
the ones discovered from a schema source (Schema.xml, a MIM export, a list file; see
schema_sources). Selected = stored in SchemaAttributes without IsDeprovisioningAttribute.
How Microsoft's wizard stores "Set attribute value" is [open] (docs/host-facts.md §3): we store the status
attribute name in *StatusAttribute and the attribute itself with IsDeprovisioningAttribute=true,
the reading `rules._deprovisioning` already makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.config import builders
from app.config.document import AttributeSchema, Connector, DeprovisioningModel, EntrySchema

if TYPE_CHECKING:  # schema_sources imports this module's AttributeChoice
    from app.wizard.schema_sources import SourceSchema

UNSUPPORTED_TYPES = {"Reference", "Binary"}  # docs/host-facts.md §3: not supported by ECMA2Host
NONE, DELETE, SET_ATTRIBUTE = "None", "Delete", "Set attribute value"
FLOW_VALUES = {NONE: "None", DELETE: "TreatAsHard"}
# Disable flow = SoftDelete, Delete flow = HardDelete: the likely mapping (docs/host-facts.md §3 [open])
FLOWS = {"disable": ("soft_delete", "soft_delete_status_attribute"),
         "delete": ("hard_delete", "hard_delete_status_attribute")}


@dataclass
class AttributeChoice:
    """One row of the Select Attributes page."""

    name: str
    data_type: str = "String"
    multivalued: bool = False
    source: str = ""  # where it was discovered ("stored" for ones only in the file)

    @property
    def unsupported(self) -> str:
        """Why ECMA2Host cannot take it, or ''."""
        if self.data_type in UNSUPPORTED_TYPES:
            return f"{self.data_type} attributes are not supported"
        if "." in self.name or "[" in self.name:
            return "names with '.' or '[' are not supported"
        return ""


class SchemaEditor:
    def __init__(self, connector: Connector) -> None:
        self.connector = connector
        self.doc = connector.doc
        self.discovered: dict[str, AttributeChoice] = {}
        self.object_types: list[str] = []  # object types the last schema source offered

    # -- the pool ----------------------------------------------------------------------------
    @property
    def entry(self) -> EntrySchema | None:
        return self.connector.entry_schema

    def stored(self) -> dict[str, AttributeSchema]:
        entry = self.entry
        return {a.name: a for a in entry.attributes} if entry else {}

    def discover(self, choices: list[AttributeChoice], object_types: list[str] | None = None) -> None:
        for c in choices:
            self.discovered[c.name] = c
        if object_types:
            self.object_types = list(dict.fromkeys(object_types))

    def discover_source(self, source: SourceSchema) -> list[AttributeChoice]:
        """Take a schema_sources.SourceSchema: the connector's object type's attributes."""
        wanted = self.entry.object_type if self.entry else None
        found = source.attributes(wanted)
        self.discover(found, [t for t in source.object_types if t])
        return found

    def choices(self) -> list[AttributeChoice]:
        """Every attribute the user can pick: discovered ones, then ones only in the file."""
        stored = self.stored()
        out = []
        for name, c in self.discovered.items():
            a = stored.get(name)
            out.append(AttributeChoice(name, a.data_type, a.multivalued, c.source) if a else c)
        out += [AttributeChoice(n, a.data_type, a.multivalued, "stored")
                for n, a in stored.items() if n not in self.discovered]
        return out

    def selected_names(self) -> set[str]:
        return {n for n, a in self.stored().items() if not a.is_deprovisioning_attribute}

    def is_selected(self, name: str) -> bool:
        a = self.stored().get(name)
        return a is not None and not a.is_deprovisioning_attribute

    # -- page 10 ---------------------------------------------------------------------------
    def required_reason(self, name: str) -> str:
        """Why an attribute cannot be deselected ('' if it can)."""
        a = self.stored().get(name)
        if a is None:
            return ""
        if a.is_anchor:
            return "the anchor"
        if a.is_dn:
            return "the DN attribute"
        return ""

    def select(self, names: list[str], selected: bool = True) -> list[str]:
        """Add or remove attributes; returns the names that could not be changed."""
        entry = self.entry
        if entry is None:
            return list(names)
        stored = self.stored()
        pool = {c.name: c for c in self.choices()}
        refused = []
        for name in names:
            a = stored.get(name)
            if selected:
                if a is None:
                    c = pool.get(name, AttributeChoice(name))
                    entry.add_attribute(builders.attribute_schema(
                        name, c.data_type or "String", multivalued=c.multivalued))
                elif a.is_deprovisioning_attribute:
                    a.is_deprovisioning_attribute = False  # rules flag the flow that uses it
            elif a is not None and not a.is_deprovisioning_attribute:
                if self.required_reason(name):
                    refused.append(name)
                else:
                    entry.remove_attribute(name)
        return refused

    def set_treat_as_single(self, name: str, on: bool) -> None:
        a = self.stored().get(name)
        if a is not None and a.treat_as_single_value != on:
            a.treat_as_single_value = on

    def set_data_type(self, name: str, data_type: str) -> None:
        a = self.stored().get(name)
        if a is not None and a.data_type != data_type:
            a.data_type = data_type

    # -- page 9 ----------------------------------------------------------------------------
    def set_object_type(self, object_type: str) -> None:
        if self.entry is not None and self.entry.object_type != object_type:
            self.entry.object_type = object_type

    def set_anchor(self, name: str) -> None:
        self._move_flag(name, "is_anchor", also_query=True)

    def set_dn(self, name: str) -> None:
        self._move_flag(name, "is_dn")

    def _move_flag(self, name: str, flag: str, also_query: bool = False) -> None:
        if not name or self.entry is None:
            return
        if not self.is_selected(name):
            self.select([name])
        for a in self.entry.attributes:
            on = a.name == name
            if getattr(a, flag) != on:
                setattr(a, flag, on)
            # IsQueryAttribute follows the anchor, as in every file seen (docs/host-facts.md §3, page 9)
            if also_query and a.is_query_attribute != on:
                a.is_query_attribute = on

    def set_dn_autogenerated(self, on: bool) -> None:
        if self.entry is not None and self.entry.is_dn_autogenerated != on:
            self.entry.is_dn_autogenerated = on

    # -- page 11 ---------------------------------------------------------------------------
    def model(self) -> DeprovisioningModel | None:
        entry = self.entry
        if entry is None:
            return None
        el = entry.ensure("DeprovisioningModel") if entry.deprovisioning is None else entry.deprovisioning.el
        return DeprovisioningModel(self.doc, el)

    def flow(self, which: str) -> tuple[str, str, str]:
        """(action, status attribute, stored value) of the 'disable' or 'delete' flow."""
        entry = self.entry
        model = entry.deprovisioning if entry else None
        if model is None:
            return NONE, "", ""
        value_field, attr_field = FLOWS[which]
        value, attr = getattr(model, value_field), getattr(model, attr_field)
        if attr:
            return SET_ATTRIBUTE, attr, value
        if value == "TreatAsHard":
            return DELETE, "", value
        if value in ("", "None"):
            return NONE, "", value
        return value, "", value  # an unknown value: shown and kept as found

    def status_choices(self) -> list[str]:
        """Boolean attributes not selected on page 10 (docs/host-facts.md §3, page 11)."""
        selected = self.selected_names()
        return [c.name for c in self.choices() if c.data_type == "Boolean" and c.name not in selected]

    def set_flow(self, which: str, action: str, attribute: str = "") -> None:
        current = self.flow(which)
        if (action, attribute) == current[:2] or (action == current[0] and action != SET_ATTRIBUTE):
            return
        model = self.model()
        if model is None:
            return
        value_field, attr_field = FLOWS[which]
        old_attr = current[1]
        if action == SET_ATTRIBUTE:
            if getattr(model, value_field) not in ("None",) and current[0] != SET_ATTRIBUTE:
                setattr(model, value_field, "None")
            setattr(model, attr_field, attribute)
            self._ensure_status_attribute(attribute)
        else:
            if action in FLOW_VALUES and getattr(model, value_field) != FLOW_VALUES[action]:
                setattr(model, value_field, FLOW_VALUES[action])
            if getattr(model, attr_field):
                setattr(model, attr_field, "")
        if old_attr and old_attr != attribute:
            self._drop_status_attribute(old_attr)

    def _ensure_status_attribute(self, name: str) -> None:
        if not name or self.entry is None:
            return
        a = self.stored().get(name)
        if a is None:
            c = next((c for c in self.choices() if c.name == name), AttributeChoice(name, "Boolean"))
            a = self.entry.add_attribute(builders.attribute_schema(name, c.data_type))
            a.is_deprovisioning_attribute = True

    def _drop_status_attribute(self, name: str) -> None:
        model = self.entry.deprovisioning if self.entry else None
        in_use = model is not None and name in (model.hard_delete_status_attribute,
                                                model.soft_delete_status_attribute)
        a = self.stored().get(name)
        if a is not None and a.is_deprovisioning_attribute and not in_use and self.entry is not None:
            self.entry.remove_attribute(name)
