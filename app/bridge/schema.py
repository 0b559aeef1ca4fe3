"""The DLL's GetSchema answer in the shape the file-based schema refresh already uses, so "Refresh
schema" can ask the DLL and show the same diff (app/wizard/schema_sources.py)."""

from __future__ import annotations

from typing import Any

from app.wizard.schema_edits import AttributeChoice
from app.wizard.schema_sources import SourceSchema


def as_source_schema(schema: dict[str, Any], library: str) -> SourceSchema:
    """`schema`: ConnectorSession.ask_schema()'s answer; `library`: the DLL's name without .dll."""
    source = f"{library}.dll (GetSchema)"
    out = SourceSchema(source)
    for t in schema.get("types", []):
        out.types[t["name"]] = [AttributeChoice(a["name"], a["type"], bool(a["multivalued"]), source)
                                for a in t["attributes"]]
        out.anchors[t["name"]] = list(t.get("anchors") or [a["name"] for a in t["attributes"] if a["anchor"]])
    return out
