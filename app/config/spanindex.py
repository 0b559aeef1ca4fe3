"""Where each element of a parsed XML text stands in that text (its start tag, content and end tag).

A small tokenizer reads the same text lxml parsed; its tags are matched one-to-one, in document
order, with lxml's elements, and any disagreement is an error (never a guess). To keep a one-field
edit of a large file cheap, the index can be partitioned by an element name (`Connector` for
Configuration.xml): the partition elements are located with one targeted search, and only the
partition that holds an edited element is tokenized, plus the little outside them. If the targeted
search is not sure (a comment mentioning the tag, nesting), the whole text is indexed instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

TOKEN = re.compile(
    r"""<!--.*?-->
      | <!\[CDATA\[.*?\]\]>
      | <\?.*?\?>
      | <!(?P<decl>[A-Za-z]+)
      | </(?P<end>[^\s>]+)\s*>
      | <(?P<start>[^\s/>!?]+)(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>""",
    re.S | re.X,
)


@dataclass(slots=True)
class Span:
    start: int  # '<' of the start tag
    start_end: int  # just after the start tag's '>'
    end_start: int  # '<' of the end tag (== start_end when self-closing)
    end: int  # just after the end tag (== start_end when self-closing)
    self_closing: bool


class IndexMismatch(RuntimeError):
    """The text's tags and lxml's elements disagree: a bug of ours, never patched over."""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class SpanIndex:
    def __init__(self, text: str, root: etree._Element, source: str,
                 partition: str | None = None) -> None:
        self.text = text
        self.root = root
        self.source = source
        self.partition = partition
        self.spans: dict[etree._Element, Span] = {}
        self._regions: dict[etree._Element, tuple[int, int]] | None = None
        self._indexed: set[etree._Element | None] = set()  # partitions done; None = the outside

    def span(self, el: etree._Element) -> Span:
        found = self.spans.get(el)
        if found is None:
            self._index_around(el)
            found = self.spans[el]
        return found

    def partition_of(self, el: etree._Element) -> etree._Element | None:
        """The partition element holding `el` (None: outside every partition, or unpartitioned)."""
        if not self._regions:
            return None
        return next((a for a in _self_and_ancestors(el) if a in self._regions), None)

    # -- building ----------------------------------------------------------------------------
    def _index_around(self, el: etree._Element) -> None:
        if self.partition and self._regions is None:  # e.g. "Connectors/Connector"
            self._regions = self._locate_partitions()
        if not self._regions:
            if None not in self._indexed:
                self._match(list(self.root.iter(etree.Element)), [(0, len(self.text))])
                self._indexed.add(None)
            return
        part = next((a for a in _self_and_ancestors(el) if a in self._regions), None)
        if part in self._indexed:
            raise IndexMismatch(f"{self.source}: element <{el.tag}> is not in the text index")
        self._indexed.add(part)
        if part is not None:
            try:
                self._match(list(part.iter(etree.Element)), [self._regions[part]])
            except IndexMismatch:  # the quick search was fooled: index the whole text
                self._regions, self._indexed, self.spans = {}, set(), {}
                self._index_around(el)
            return
        outside, gaps, pos = [], [], 0
        for start, end in sorted(self._regions.values()):
            gaps.append((pos, start))
            pos = end
        gaps.append((pos, len(self.text)))
        stack = [self.root]
        while stack:  # document order, not entering partitions
            node = stack.pop()
            outside.append(node)
            stack.extend(reversed([c for c in node if isinstance(c.tag, str)
                                   and c not in self._regions]))
        self._match(outside, gaps)

    def _locate_partitions(self) -> dict[etree._Element, tuple[int, int]]:
        """Spans of every partition element, or {} when a quick search is not certain."""
        if not self.partition:
            return {}
        text, name = self.text, self.partition.rpartition("/")[2]
        elements = list(self.root.iterfind(self.partition))
        if not elements:
            return {}
        # A comment or CDATA holding the tag, or a start tag with attributes, makes the counts
        # differ here or a partition's own match fail below: both fall back to the whole text.
        opening, closing = f"<{name}>", f"</{name}>"
        regions = []
        start = text.find(opening)
        while start >= 0:  # str.find runs at C speed; 400 hits in a 4 MB file
            end = text.find(closing, start)
            following = text.find(opening, start + 1)  # nested when before the end; else the next
            if end < 0 or 0 <= following < end:
                return {}
            regions.append((start, end + len(closing)))
            start = following
        if len(regions) != len(elements):
            return {}  # e.g. <Connector/> forms: not sure, index it all
        return dict(zip(elements, regions, strict=True))

    def _match(self, elements: list[etree._Element], ranges: list[tuple[int, int]]) -> None:
        spans: list[Span] = []
        names: list[str] = []
        stack: list[Span] = []
        for lo, hi in ranges:
            for m in TOKEN.finditer(self.text, lo, hi):
                start_name = m.group("start")
                if start_name is not None:
                    closing = m.group("attrs").rstrip().endswith("/")
                    span = Span(m.start(), m.end(), m.end(), m.end(), closing)
                    spans.append(span)
                    names.append(start_name.rpartition(":")[2])
                    if not closing:
                        stack.append(span)
                elif m.group("end") is not None:
                    if not stack:
                        raise IndexMismatch(f"{self.source}: unbalanced end tag at {m.start()}")
                    span = stack.pop()
                    span.end_start, span.end = m.start(), m.end()
        if len(elements) != len(spans) or any(
                _local(el.tag) != name for el, name in zip(elements, names, strict=True)):
            raise IndexMismatch(f"{self.source}: the text index does not match the parsed tree")
        self.spans.update(zip(elements, spans, strict=True))


def _self_and_ancestors(el: etree._Element) -> Iterator[etree._Element]:
    yield el
    yield from el.iterancestors()
