"""Known secrets found in text in every spelling a reader would decode, and masked.

One finder for the two places that hold a secret and must show text around it: the bridge (a
connector DLL's messages, defaults and names, after it was given the secret) and the host report
(events, command outputs and files, after the configuration told us a secret). A secret is found:
- whatever the case (a DLL may upper-case it; Windows logs are read case-blind);
- with whitespace added, removed or changed anywhere in it (messages get wrapped and re-spaced);
- with any character written as an XML character reference (`&#80;`, `&#x50;`), an XML entity
  (`&amp;`), a backslash escape (`\\"`, `\\u0050`) or a URL escape (`%40`): XML, JSON, C# and URL
  readers all decode those;
- base64'd, in UTF-8 or UTF-16 (a Basic authorization header, PowerShell's -EncodedCommand): the
  whole base64 word is masked;
- with `fragments`, also any run of FRAGMENT characters of it: a message cut short (ours cut at 400
  characters, a DLL's anywhere) must not show most of a secret.
Short secrets: one of fewer than SHORT characters is masked only where it stands as a word of its
own (not inside a longer word), since masking "ab" wherever it occurs would blank ordinary text
while telling a reader where it is. docs/connector-dll.md and docs/host-report.md say so for users.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Iterable

SHORT = 4  # a secret shorter than this is masked only as a whole word
# A name says secret when, letters and digits only, it holds one of these words or ends in "key"
# (API Key, Access Key, AccountKey, Subscription Key, key). A script is code, not a secret
# ("Begin Password Script" of the PowerShell connector); an assembly's PublicKeyToken is public.
_SECRET_NAME = re.compile(r"pass(word|wd|phrase)|pwd|secret|(?<!publickey)token|credential|apikey|privatekey|"
                          r"accesskey|accountkey|sharedkey|signature|key$", re.I)
NOT_SECRET_VALUES = ("0", "1", "true", "false")  # a check box named "Enable Password ..." tells nothing
FRAGMENT = 6  # with fragments: any run this long of a longer secret is masked too
_ENTITIES = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}
# whitespace in any spelling, between any two characters of a secret
_GAP = r"(?:\s|\\+[rnt]|&#0*(?:9|10|13|32);|&#x0*(?:9|a|d|20);|%(?:25)*(?:0[9ad]|20)|\+)*"
_B64_CHARS = "A-Za-z0-9+/_=-"
# any spelling but the plain one starts with one of these ("\\P" in a Windows path does not)
_ESCAPES = re.compile(r"&#|&[a-z]+;|\\[^\w\s]|\\[urnt]|%[0-9a-f]{2}", re.I)


def secret_name(name: str) -> bool:
    """Whether a parameter's or setting's name says its value is a secret, whatever its type."""
    flat = re.sub(r"[^0-9a-z]", "", name.lower())
    return bool(_SECRET_NAME.search(flat)) and not flat.endswith("script")


def _has_escape(text: str) -> bool:
    """Whether any character may be spelt other than plainly (str.find first: a regex search
    over a whole event costs far more than looking at its few "&", "%" and "\\")."""
    for ch in "&%\\":
        i = text.find(ch)
        while i >= 0:
            if _ESCAPES.match(text, i):
                return True
            i = text.find(ch, i + 1)
    return False


def _char(ch: str) -> str:
    """A pattern for one character of a secret in any spelling (the pattern is case-blind).
    Backslash and URL escapes may be applied more than once (JSON inside JSON, a URL encoded
    twice: `\\\\u0041`, `%2541`); a character outside the BMP is also its JSON surrogate pair."""
    codes = sorted({ord(ch), ord(ch.lower()[0]), ord(ch.upper()[0])})
    alternatives = [re.escape(ch), "\\\\+" + re.escape(ch)]
    for c in codes:
        alternatives += [f"&#0*{c};", f"&#x0*{c:x};"]
        units = [c] if c < 0x10000 else [0xD800 + ((c - 0x10000) >> 10), 0xDC00 + ((c - 0x10000) & 0x3FF)]
        alternatives.append("".join(f"\\\\+u0*{u:04x}" for u in units))
        alternatives.append("".join(f"%(?:25)*{b:02x}" for b in chr(c).encode("utf-8")))
    if ch in _ENTITIES:
        alternatives.append(f"&{_ENTITIES[ch]};")
    return "(?:" + "|".join(alternatives) + ")"


def _spelled(chars: str) -> str:
    return _GAP.join(_char(c) for c in chars)


def _base64_cores(secret: str) -> set[str]:
    """Parts of the base64 of any text holding `secret` that are the same whatever surrounds it:
    the secret encoded at each of the three byte alignments, less the characters that also depend
    on its neighbours (RFC 4648: each 4 characters carry 3 bytes)."""
    cores: set[str] = set()
    for raw in (secret.encode("utf-8"), secret.encode("utf-16-le")):
        for offset in (0, 1, 2):
            text = base64.b64encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
            skip = (0, 2, 3)[offset]
            end = len(text) - (0 if (offset + len(raw)) % 3 == 0 else 4)
            core = text[skip:max(skip, end)]
            if len(core) >= 8:  # shorter cores would match ordinary base64 by chance
                cores.add(core)
                cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


class SecretMasker:
    """Masks the known secrets given, in every spelling above, by `mask`."""

    def __init__(self, secrets: Iterable[str], mask: str, *, fragments: bool = False) -> None:
        self.mask = mask
        parts: list[str] = []
        cores: set[str] = set()
        literals: set[str] = set()
        # an accented secret may come back composed or decomposed (NFC/NFD): both are looked for
        forms = {unicodedata.normalize(f, s) for s in secrets if s and s.strip() for f in ("NFC", "NFD")}
        for secret in sorted(forms, key=len, reverse=True):
            chars = "".join(secret.split())
            if len(chars) < SHORT:
                parts.append(r"(?<![^\W_])" + _spelled(chars) + r"(?![^\W_])")
                literals.add(chars.lower())
                continue
            parts.append(_spelled(chars))
            literals.add(chars.lower())
            if fragments and len(chars) > FRAGMENT:
                runs = {chars[i:i + FRAGMENT].lower() for i in range(len(chars) - FRAGMENT + 1)}
                parts += [_spelled(r) for r in sorted(runs)]
                literals |= runs
            cores |= _base64_cores(secret)
        # What a text without escapes must hold, case and whitespace aside, for any match: lets
        # most texts (events, outputs) skip the full pattern, which tries every position.
        self._literals = sorted(literals)
        self._cores = sorted(cores)
        # a lookahead finds every match, overlapping ones too: their union is what is masked
        self._pattern = re.compile("(?=(" + "|".join(parts) + "))", re.I | re.S) if parts else None
        self._base64 = (re.compile("|".join(re.escape(c) for c in sorted(cores, key=len, reverse=True)))
                        if cores else None)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where secrets stand in `text`, merged, in order."""
        if self._pattern is None:
            return []
        found: list[tuple[int, int]] = []
        # "+" is a URL's space: a gap like whitespace
        flat = "".join(text.lower().split()).replace("+", "") if self._literals else ""
        if _has_escape(text) or any(lit in flat for lit in self._literals):
            found = [(m.start(1), m.end(1)) for m in self._pattern.finditer(text) if m.end(1) > m.start(1)]
        if self._base64 is not None and any(core in text for core in self._cores):
            for m in self._base64.finditer(text):
                start, end = m.start(), m.end()
                while start > 0 and re.match(f"[{_B64_CHARS}]", text[start - 1]):
                    start -= 1
                while end < len(text) and re.match(f"[{_B64_CHARS}]", text[end]):
                    end += 1
                found.append((start, end))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def __call__(self, text: str) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end in spans:
            out += [text[last:start], self.mask]
            last = end
        out.append(text[last:])
        return "".join(out)
