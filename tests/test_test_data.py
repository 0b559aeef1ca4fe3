"""The generated files in tests/data are what their generators in tests/tools write today."""

from __future__ import annotations

import pytest

from tests.conftest import DATA
from tests.tools import make_evtx, make_microsoft_shapes, make_mim_export


@pytest.mark.parametrize("name", sorted(make_evtx.FILES))
def test_generated_logs_are_up_to_date(name):
    count, make = make_evtx.FILES[name]
    assert (DATA / "evtx" / name).read_bytes() == make_evtx.evtx_bytes(make_evtx.events_of(count, make))


@pytest.mark.parametrize("name,write", [("powershell-csv-export.xml", make_microsoft_shapes.connector_export),
                                        ("powershell-schema.xml", make_microsoft_shapes.schema_xml),
                                        ("ma-export-powershell.xml", make_mim_export.mim_export)])
def test_generated_xml_files_are_up_to_date(name, write):
    assert (DATA / name).read_bytes() == write()


def test_every_file_in_tests_data_has_its_origin_told():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    # field/ holds command outputs by tool; its own README tells their origin by name: files
    # called handmade-* are ours, any other is a capture from a real host someone sent
    field = [p for p in (DATA / "field").rglob("*") if p.is_file() and p.name != "README.md"]
    assert "`field/`" in readme and "handmade-" in (DATA / "field" / "README.md").read_text(encoding="utf-8")
    files = [p.relative_to(DATA).as_posix() for p in DATA.rglob("*")
             if p.is_file() and p.name not in ("README.md", "LICENSE-MIT") and p not in field]
    assert files and all(f"`{f}`" in readme for f in files), files
