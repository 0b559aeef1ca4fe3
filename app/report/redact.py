"""--redact: names (host, domain, user) replaced by placeholders, the same one each time.

Matching ignores case (Windows prints ECMA01 and ecma01 for one machine) and the longest name wins
(`ecma01.contoso.com` before `contoso.com`). It runs over every member of a report, XML and raw
command outputs included, after everything else is made, and over member names too. Any character
of a name may also be written as an XML character reference (`&#101;`, `&#x65;`): XML allows it, so
a name spelt that way in a configuration file is found too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class Redactor:
    def __init__(self, names: Iterable[str]) -> None:
        cleaned = [n.strip() for n in names if n and n.strip()]
        self.placeholders: dict[str, str] = {}
        for name in cleaned:
            key = name.casefold()
            if key not in self.placeholders:
                self.placeholders[key] = f"REDACTED-{len(self.placeholders) + 1}"
        # longest first; one named group per name tells which one matched, whatever its spelling
        self._ordered = sorted(self.placeholders, key=len, reverse=True)
        self._pattern = (re.compile("|".join(f"(?P<n{i}>{_spelled(n)})" for i, n in enumerate(self._ordered)),
                                    re.I) if self._ordered else None)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(
            lambda m: self.placeholders[self._ordered[int((m.lastgroup or "n0")[1:])]], text)

    def bytes(self, data: bytes) -> bytes:
        """UTF-8 text members; anything else passes through (a report holds no binary member)."""
        if self._pattern is None:
            return data
        return self(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def describe(self) -> list[str]:
        """For the summary: the placeholders used, never the names."""
        return sorted(self.placeholders.values(), key=lambda p: int(p.rsplit("-", 1)[1]))


def _spelled(name: str) -> str:
    """A pattern for `name` with any character also written as an XML character reference."""
    parts = []
    for ch in name:
        codes = {ord(ch), ord(ch.lower()), ord(ch.upper())}
        refs = "|".join(f"&#0*{c};|&#x0*{c:x};" for c in sorted(codes))
        parts.append(f"(?:{re.escape(ch)}|{refs})")
    return "".join(parts)
