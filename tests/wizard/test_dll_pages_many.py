"""A DLL that defines thousands of parameters on one page: written into the working copy in linear
time (one at a time it was quadratic: 3,000 took over a minute), and past the wizard's cap refused
in one sentence with nothing written. Timings in tests/benchmarks/bench_many_parameters.py."""

from __future__ import annotations

import time

from app.config.document import ConfigDocument
from app.config.xmltext import element
from app.wizard.dll_pages import MAX_PAGE_PARAMETERS
from app.wizard.page_keys import CAPABILITIES, GLOBAL
from tests.wizard.test_dll_pages import new_pages, run


def _many(connector, count: int, page: str = "Global") -> None:
    plain = connector.call

    def call(op, args, call=""):
        if op == "get_parameters" and args["page"] == page:
            return [{"name": f"Setting {i}", "type": "String", "default": f"value {i}"} for i in range(count)]
        return plain(op, args, call)
    connector.call = call


def test_thousands_of_parameters_are_written_in_linear_time(sample_doc):
    s, pages, connector = new_pages(sample_doc)
    _many(connector, MAX_PAGE_PARAMETERS)
    start = time.perf_counter()
    assert run(pages.enter_steps(GLOBAL, pages.snapshot())) is None
    took = time.perf_counter() - start
    stored = s.page_parameters("Global")
    assert [p.name for p in stored[:2]] == ["Setting 0", "Setting 1"] and len(stored) == MAX_PAGE_PARAMETERS
    assert stored[-1].value == f"value {MAX_PAGE_PARAMETERS - 1}"
    assert took < 5, f"{took:.1f} s for {MAX_PAGE_PARAMETERS} parameters"  # was about 15 s (quadratic)
    # asked again with a value changed: the entered value is kept, the page rewritten in place
    s.set_parameter(stored[7], "mine")
    run(pages.enter_steps(GLOBAL, pages.snapshot()))
    assert s.connector.parameter("Setting 7").value == "mine"
    assert len(s.page_parameters("Global")) == MAX_PAGE_PARAMETERS


def test_a_page_past_the_cap_is_refused_in_one_sentence_and_nothing_is_written(sample_doc):
    s, pages, connector = new_pages(sample_doc)
    _many(connector, 20_000)
    before = len(s.connector.parameters)
    refusal = run(pages.enter_steps(GLOBAL, pages.snapshot()))
    assert refusal is not None and not refusal.ok
    assert refusal.message == (f"Contoso.Sql.dll defines 20,000 parameters on its Global page, more than "
                               f"the {MAX_PAGE_PARAMETERS:,} this wizard can show on one page, so this "
                               "connector cannot be set up here.")
    assert len(s.connector.parameters) == before


def test_a_schema_page_past_the_cap_is_refused_too(sample_doc):
    s, pages, connector = new_pages(sample_doc)
    _many(connector, MAX_PAGE_PARAMETERS + 1, page="Schema")
    refusal = run(pages.leave_steps(CAPABILITIES, pages.snapshot()))
    assert refusal is not None and "on its Schema 1 page" in refusal.message
    assert s.page_parameters("Schema", 1) == []


def test_inserting_after_an_element_writes_what_insert_writes(tmp_path):
    """insert_after (linear) and insert at the next index (which lists the siblings) give the same file."""
    from tests.wizard.conftest import SAMPLE_CONFIG

    texts = []
    for way in ("insert", "insert_after"):
        doc = ConfigDocument.load(SAMPLE_CONFIG)
        connector = doc.connectors[0]
        first = connector.parameters[0]
        container = first.el.getparent()
        new = element("Parameter")
        new.append(element("Name", "Added"))
        if way == "insert":
            index = [c for c in container if isinstance(c.tag, str)].index(first.el) + 1
            doc.xml.insert(container, index, new)
        else:
            doc.xml.insert_after(first.el, new)
        texts.append(doc.xml.to_text())
    assert texts[0] == texts[1] and "<Name>Added</Name>" in texts[0]
