"""Hostile XML in the place of Configuration.xml: refused with one clear sentence, fast, and
without reading anything outside the file."""

from __future__ import annotations

import time

import pytest

from app.config.document import ConfigDocument
from app.errors import UserError

LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
          + b"".join(b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]>\n<Configuration>&lol9;</Configuration>")

HOSTILE = {
    "billion-laughs": (LAUGHS, "DOCTYPE"),
    "external-entity": (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        b"<Configuration>&x;</Configuration>", "DOCTYPE"),
    "external-dtd": (b'<!DOCTYPE Configuration SYSTEM "http://127.0.0.1:9/evil.dtd"><Configuration/>',
                     "DOCTYPE"),
    "parameter-entity": (b'<!DOCTYPE c [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]><Configuration/>',
                         "DOCTYPE"),
    "xinclude": (b'<Configuration xmlns:xi="http://www.w3.org/2001/XInclude">'
                 b'<xi:include href="/etc/passwd" parse="text"/></Configuration>', None),
    "deep-nesting": (b"<Configuration>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</Configuration>",
                     "not well-formed"),
    "huge-text-node": (b"<Configuration><Connectors>" + b"x" * (100 * 1024 * 1024)
                       + b"</Connectors></Configuration>", "MB"),
    "huge-attribute": (b'<Configuration a="' + b"y" * (20 * 1024 * 1024) + b'"/>', None),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_configuration_is_refused_quickly(case):
    data, words = HOSTILE[case]
    start = time.perf_counter()
    try:
        doc = ConfigDocument.from_bytes(data, "hostile.xml")
    except UserError as exc:
        assert words is None or words in exc.sentence()
        assert exc.sentence().startswith("hostile.xml")
    else:
        # accepted only when harmless: nothing was included or expanded
        assert words is None
        assert b"root:" not in doc.to_bytes()
        assert doc.to_bytes() == data
    assert time.perf_counter() - start < 5.0, case  # refused at once, not expanded; margin for load
