"""Lossless XML: a live lxml tree for reading and editing, the original text for writing.

docs/architecture.md §2, "Patch the text, never regenerate it": lxml's serializer rewrites the declaration,
turns `<Value />` into `<Value/>`, drops a BOM and turns CRLF into LF. So we keep the original
text, and at save time replay only the edits made through this class onto it:

- the text of a changed leaf replaces that element's content span;
- a changed attribute replaces its value inside the start tag;
- a new element is written in the file's own style (indentation, newline, `<X />`) right after
  its previous original sibling (or the parent's start tag);
- a removed element is cut out together with the white space before it.

The span index (start tag, content, end tag of every element) comes from a small tokenizer run on
the same text lxml parsed, matched one-to-one with lxml's elements in document order. It is built
at the first edit, so loading stays as fast as a bare parse and an unedited document saves as the
very bytes it was read from. Every result is re-parsed and compared with the live tree before it
is handed out: a patch that would not read back as what the user edited is refused, never saved.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from lxml import etree

from app.config.spanindex import TOKEN as _TOKEN
from app.config.spanindex import Span, SpanIndex
from app.errors import UserError
from app.filestore import MAX_FILE, read_user_file

MAX_BYTES = MAX_FILE  # real Configuration.xml files are a few MB at most

_ATTR = re.compile(r"""(\s+)([^\s=/>]+)(\s*=\s*)(["'])(.*?)\4""", re.S)
_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def hardened_parser() -> etree.XMLParser:
    """The only way this project parses XML it did not write: no DTD, no entities, no network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_blank_text=False, dtd_validation=False)


def _decode(data: bytes, source: str) -> tuple[str, bytes, str]:
    """The text, the BOM and the codec of a file, as read."""
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
            (codecs.BOM_UTF16_BE, "utf-16-be"))
    bom, codec = next(((b, c) for b, c in boms if data.startswith(b)), (b"", ""))
    if not bom:
        if data.startswith(b"<\x00"):
            codec = "utf-16-le"
        elif data.startswith(b"\x00<"):
            codec = "utf-16-be"
        else:
            m = _DECL_ENCODING.match(data[:200])
            codec = m.group(1).decode("ascii").lower() if m else "utf-8"
    try:
        codecs.lookup(codec)
    except LookupError:
        raise UserError(f"declares the encoding '{codec}', which is unknown", path=source) from None
    body = data[len(bom):]
    try:
        return body.decode(codec), bom, codec
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise UserError(f"is not valid {codec} text (byte {exc.start + len(bom)})",
                        path=source, line=line) from None


def _refuse_doctype(text: str, source: str) -> None:
    """The .NET host refuses DTDs (docs/host-facts.md §7); so do we, before any parser sees one."""
    for m in _TOKEN.finditer(text):
        if m.group("decl"):
            line = text.count("\n", 0, m.start()) + 1
            raise UserError("has a DOCTYPE (DTD); ECMA2Host refuses DTDs and so does this tool",
                            path=source, line=line)
        if m.group("start"):
            return


def parse_bytes(data: bytes, source: str,
                parsed: etree._Element | None = None) -> tuple[etree._Element, str, bytes, str]:
    """Parse hardened; returns (root, text, bom, codec) or raises one clear UserError.

    `parsed`: the tree of these very bytes when the caller already has it (a verified save).
    """
    if len(data) > MAX_BYTES:
        raise UserError(f"is {len(data) / 1048576:.1f} MB; files over {MAX_BYTES // 1048576} MB "
                        "are refused (a real one is a few MB at most)", path=source)
    if not data.strip():
        raise UserError("is empty", path=source)
    text, bom, codec = _decode(data, source)
    _refuse_doctype(text, source)
    if parsed is not None:
        return parsed, text, bom, codec
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if exc.position else (None, None))
        message = (exc.msg or "is not well-formed XML").split(", line ")[0]
        # libxml2 quotes the offending text, newlines included: one line, one sentence
        message = (message.strip().splitlines() or ["?"])[0][:160]
        raise UserError(f"is not well-formed XML: {message}", path=source,
                        line=line, column=column) from None
    if root is None:
        raise UserError("holds no XML element", path=source)
    return root, text, bom, codec


def read_file(path: str | Path) -> bytes:
    """Read a user's XML file (at most MAX_BYTES), every OS failure one sentence."""
    return read_user_file(path, MAX_BYTES)


def escape_text(value: str, newline: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace("\r\n", "\n").replace("\r", "&#xD;")
    return value.replace("\n", newline) if newline != "\n" else value


def escape_attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            .replace("\r", "&#xD;").replace("\n", "&#xA;").replace("\t", "&#x9;"))


def local_name(el: etree._Element) -> str:
    return etree.QName(el).localname


class LosslessXml:
    """One XML file: edit through these methods, read through `root`, write `to_bytes()`."""

    def __init__(self, data: bytes, source: str = "<memory>", partition: str | None = None,
                 parsed: etree._Element | None = None) -> None:
        """`partition`: an element name whose instances can be indexed one at a time;
        `parsed`: the already verified tree of `data` (see `to_bytes`)."""
        self.source = source
        self.partition = partition
        self.original = data
        self.verified_root: etree._Element | None = None
        self.root, self.text, self.bom, self.codec = parse_bytes(data, source, parsed)
        self.newline = "\r\n" if "\r\n" in self.text[:4096] else "\n"
        m = re.search(r"\n([ \t]+)<", self.text[:8192])
        self.indent_unit = m.group(1) if m else "  "
        self._index: SpanIndex | None = None
        self._new: set[etree._Element] = set()  # roots of subtrees inserted since loading
        # partitions holding an edit; None stands for an edit outside every partition
        self._touched: set[etree._Element | None] = set()
        self._dirty_text: set[etree._Element] = set()
        self._dirty_attrs: set[etree._Element] = set()
        self._grown: set[etree._Element] = set()  # original parents that gained children
        self._rerender: set[etree._Element] = set()  # original empty parents that gained children
        self._removed: list[etree._Element] = []

    # -- reading ---------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return bool(self._dirty_text or self._dirty_attrs or self._grown or self._removed)

    def depth(self, el: etree._Element) -> int:
        return sum(1 for _ in el.iterancestors())

    # -- editing ---------------------------------------------------------------------------
    def is_original(self, el: etree._Element) -> bool:
        """True for an element read from the file, False for one inserted since."""
        if not self._new:
            return True
        return not any(a in self._new for a in (el, *el.iterancestors()))

    def _span(self, el: etree._Element) -> Span:
        if self._index is None:
            self._index = SpanIndex(self.text, self.root, self.source, self.partition)
        return self._index.span(el)

    def _touch(self, el: etree._Element) -> None:
        """Note which partition an edit falls in, so the save verifies just that part."""
        self._touched.add(self._index.partition_of(el) if self._index else None)

    def set_text(self, el: etree._Element, value: str) -> None:
        """Set a leaf element's text; an empty string writes `<X />` as XmlSerializer does."""
        if len(el):
            raise ValueError(f"<{local_name(el)}> has child elements; its text is not a value")
        # lxml reads CR LF as LF; storing the same keeps the live tree equal to what we write
        value = "" if value is None else str(value).replace("\r\n", "\n")
        if (el.text or "") == value:
            return
        original = self.is_original(el)
        if original:
            self._span(el)  # index it while it is still in the tree
        self._touch(el)
        try:
            el.text = value or None
        except ValueError:
            raise UserError(f"the value for {local_name(el)} contains a character XML cannot "
                            "hold (a control character)", path=self.source) from None
        if original:
            self._dirty_text.add(el)

    def set_attribute(self, el: etree._Element, name: str, value: str | None) -> None:
        """Set (or with None, remove) an attribute, keeping the rest of the start tag as is."""
        if el.get(name) == value:
            return
        original = self.is_original(el)
        if original:
            self._span(el)
        self._touch(el)
        if value is None:
            del el.attrib[name]
        else:
            el.set(name, value)
        if original:
            self._dirty_attrs.add(el)

    def insert(self, parent: etree._Element, index: int, new: etree._Element) -> etree._Element:
        """Insert a new element (built with `element()`) as the index-th element child."""
        if new.getparent() is not None or new is self.root:
            raise ValueError("only a new, detached element can be inserted")
        original_parent = self.is_original(parent)
        children = [c for c in parent if isinstance(c.tag, str)]
        self._touch(parent)
        if original_parent:
            self._span(parent)
            anchor = children[min(max(index, 1), len(children)) - 1] if children else None
            if anchor is not None and self.is_original(anchor):
                self._span(anchor)  # index it while it is still in the tree
        depth = self.depth(parent) + 1
        etree.indent(new, space=self.indent_unit, level=depth)
        inner = "\n" + self.indent_unit * depth
        if not children:
            new.tail = "\n" + self.indent_unit * (depth - 1)
            parent.text = inner
            parent.append(new)
            if original_parent:
                self._rerender.add(parent)
        elif index <= 0:
            new.tail = parent.text
            parent.text = inner
            children[0].addprevious(new)
        else:
            prev = children[min(index, len(children)) - 1]
            new.tail = prev.tail
            prev.tail = inner
            prev.addnext(new)
        self._new.add(new)
        if original_parent:
            self._grown.add(parent)
        return new

    def insert_after(self, prev: etree._Element, new: etree._Element) -> etree._Element:
        """Insert a new element right after `prev`: the same result as insert() at prev's index
        plus one, without listing the siblings, so n elements added in a row cost n, not n²
        (a connector DLL may define thousands of parameters on one page)."""
        parent = prev.getparent()
        if parent is None or new.getparent() is not None or new is self.root:
            raise ValueError("only a new, detached element can be inserted after an element in the tree")
        original_parent = self.is_original(parent)
        self._touch(parent)
        if original_parent:
            self._span(parent)
            if self.is_original(prev):
                self._span(prev)
        depth = self.depth(parent) + 1
        etree.indent(new, space=self.indent_unit, level=depth)
        new.tail = prev.tail
        prev.tail = "\n" + self.indent_unit * depth
        prev.addnext(new)
        self._new.add(new)
        if original_parent:
            self._grown.add(parent)
        return new

    def append(self, parent: etree._Element, new: etree._Element) -> etree._Element:
        return self.insert(parent, len(parent), new)

    def remove(self, el: etree._Element) -> None:
        """Remove an element and the white space before it (the line it stood on)."""
        parent = el.getparent()
        if parent is None:
            raise ValueError("the root element cannot be removed")
        original = self.is_original(el)
        if original:
            self._span(el)
        self._touch(parent)
        prev = el.getprevious()
        if prev is not None:
            prev.tail = el.tail
        else:
            parent.text = el.tail
        el.tail = None
        parent.remove(el)
        self._new.discard(el)
        if original:
            self._removed.append(el)

    # -- writing ---------------------------------------------------------------------------
    def to_text(self) -> str:
        if not self.modified:
            return self.text
        patches = self._patches()
        out, pos = [], 0
        for start, end, replacement in sorted(patches, key=lambda p: (p[0], p[1])):
            if start < pos:  # inside a region already rewritten (removed or re-rendered)
                continue
            out.append(self.text[pos:start])
            out.append(replacement)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    def to_bytes(self) -> bytes:
        """The file's bytes: the original ones when nothing changed, else patched and verified."""
        if not self.modified:
            return self.original
        data = self.bom + self.to_text().encode(self.codec)
        self.verified_root = self._verify(data)
        return data

    def _verify(self, data: bytes) -> etree._Element:
        """Read the patched bytes back; they must be exactly the tree the user edited."""
        try:
            again = etree.fromstring(data, hardened_parser())
        except etree.XMLSyntaxError as exc:  # pragma: no cover - a bug of ours, not the user's
            raise RuntimeError(f"patched XML does not parse: {exc}") from None
        if None in self._touched:
            same = etree.tostring(again) == etree.tostring(self.root)
        else:  # edits inside partitions only: the text outside them was copied unchanged
            live = list(self.root.iterfind(self.partition))
            read = list(again.iterfind(self.partition))
            same = len(live) == len(read) and all(
                etree.tostring(read[live.index(p)]) == etree.tostring(p) for p in self._touched)
        if not same:
            raise RuntimeError("patched XML does not read back as the edited document")
        return again

    # -- internals -------------------------------------------------------------------------
    def _raw_name(self, el: etree._Element) -> str:
        found = _TOKEN.match(self.text, self._span(el).start)
        if found is None:  # a span always starts at a start tag
            raise RuntimeError("the span index does not point at a start tag")
        return found.group("start")

    def _start_tag(self, el: etree._Element) -> str:
        """The original start tag (without '>' or '/>'), with attribute edits applied."""
        span = self._span(el)
        raw = self.text[span.start:span.start_end]
        raw = raw[:-2] if span.self_closing else raw[:-1]
        if el not in self._dirty_attrs:
            return raw
        body = raw.rstrip()
        trailing = raw[len(body):]
        seen: set[str] = set()

        def patch(m: re.Match[str]) -> str:
            name = m.group(2)
            key = self._clark(el, name)
            seen.add(key)
            if key not in el.attrib:
                return ""
            return f"{m.group(1)}{name}{m.group(3)}{m.group(4)}{escape_attr(el.attrib[key])}{m.group(4)}"

        body = _ATTR.sub(patch, body)
        for key, value in el.attrib.items():
            if key not in seen:
                body += f' {etree.QName(key).localname}="{escape_attr(value)}"'
        return body + trailing

    @staticmethod
    def _clark(el: etree._Element, name: str) -> str:
        prefix, _, local = name.rpartition(":")
        if prefix and prefix != "xmlns" and prefix in (el.nsmap or {}):
            return f"{{{el.nsmap[prefix]}}}{local}"
        return name

    def render(self, el: etree._Element, depth: int) -> str:
        """A new element in the file's style: indentation, newline, `<X />` for empty."""
        if self.is_original(el):  # an original, re-rendered parent keeps its own start tag
            open_tag = self._start_tag(el).rstrip()
            name = self._raw_name(el)
        else:
            name = el.prefix + ":" + local_name(el) if el.prefix else local_name(el)
            attrs = "".join(f' {etree.QName(k).localname}="{escape_attr(v)}"'
                            for k, v in el.attrib.items())
            open_tag = f"<{name}{attrs}"
        children = [c for c in el if isinstance(c.tag, str)]
        if not children:
            if not el.text:
                return f"{open_tag} />"
            return f"{open_tag}>{escape_text(el.text, self.newline)}</{name}>"
        pad = self.newline + self.indent_unit * (depth + 1)
        inner = "".join(pad + self.render(c, depth + 1) for c in children)
        return f"{open_tag}>{inner}{self.newline}{self.indent_unit * depth}</{name}>"

    def _patches(self) -> list[tuple[int, int, str]]:
        text = self.text
        patches: list[tuple[int, int, str]] = []
        whole = set()
        for el in self._rerender:
            if el in self._removed:
                continue
            span = self._span(el)
            patches.append((span.start, span.end, self.render(el, self.depth(el))))
            whole.add(el)
        for el in self._dirty_text:
            span = self._span(el)
            value = el.text or ""
            if not value:
                if span.self_closing and el not in self._dirty_attrs:
                    continue
                patches.append((span.start, span.end, self._start_tag(el).rstrip() + " />"))
            elif span.self_closing:
                name = self._raw_name(el)
                patches.append((span.start, span.end, f"{self._start_tag(el).rstrip()}>"
                                f"{escape_text(value, self.newline)}</{name}>"))
            else:
                patches.append((span.start_end, span.end_start, escape_text(value, self.newline)))
                continue
            whole.add(el)
        for el in self._dirty_attrs - whole:
            span = self._span(el)
            end = "/>" if span.self_closing else ">"
            patches.append((span.start, span.start_end, self._start_tag(el) + end))
        for parent in self._grown - self._rerender:
            if parent not in self._removed:
                patches.extend(self._insertions(parent))
        for el in self._removed:
            span = self._span(el)
            start = span.start
            while start > 0 and text[start - 1] in " \t\r\n":
                start -= 1
            patches.append((start, span.end, ""))
        return patches

    def _insertions(self, parent: etree._Element) -> list[tuple[int, int, str]]:
        """Each run of new children goes right after its previous original sibling."""
        depth = self.depth(parent) + 1
        pad = self.newline + self.indent_unit * depth
        out: list[tuple[int, int, str]] = []
        anchor_el: etree._Element | None = None  # None: right after the parent's start tag
        run: list[str] = []
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            if child in self._new:
                run.append(pad + self.render(child, depth))
                continue
            if run:
                out.append(self._insertion_at(parent, anchor_el, run))
                run = []
            anchor_el = child
        if run:
            out.append(self._insertion_at(parent, anchor_el, run))
        return out

    def _insertion_at(self, parent: etree._Element, anchor_el: etree._Element | None,
                      run: list[str]) -> tuple[int, int, str]:
        at = self._span(anchor_el).end if anchor_el is not None else self._span(parent).start_end
        return (at, at, "".join(run))


def element(tag: str, text: str | None = None,
            children: list[etree._Element] | None = None) -> etree._Element:
    """Build a new element for `LosslessXml.insert`: element("Parameter", children=[...])."""
    el = etree.Element(tag)
    if children:
        el.extend(children)
    elif text:
        el.text = text
    return el
