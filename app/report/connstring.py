"""Secrets inside connection strings (and their cousins) wherever they appear in a report's text.

Microsoft's connection-string grammar ("Connection String Syntax", ADO.NET; ODBC's
SQLDriverConnect): `keyword=value` pairs separated by `;`, keywords case-blind with spaces around
ignored; a value holding `;` or a quote is quoted with `"` or `'`, a quote inside is doubled
(`Password="a""b"`); ODBC also quotes with braces, `}` doubled inside (`Pwd={a;b}}c}`). Generic
SQL at Verbose writes its whole connection string into the event log (Microsoft's troubleshooting
page for the ECMA Connector Host), and Azure storage strings carry `AccountKey=`,
service-bus ones `SharedAccessKey=`, SAS URLs `sig=`. The same keys are found JSON-style
(`"password": "..."`) and a URL's user-info password (`https://user:pass@host`) too.
"""

from __future__ import annotations

import re

REMOVED = "[secret removed]"
# the end of a keyword that says secret ("Bind Password", "Azure.AccountKey", "PWD", "DbPassword")
# (an assembly's PublicKeyToken is public: it names the signing key, it is no secret)
_KEYWORD = (r"(?:password|passwd|pwd|secret|(?<!publickey)token|credential|passphrase|api[ _-]?key|account[ _-]?key|"
            r"access[ _-]?key|shared[ _-]?access[ _-]?key|private[ _-]?key|subscription[ _-]?key|signature|"
            r"(?<![A-Za-z0-9])sig)")
_QUOTED = (r'"(?:[^"]|"")*"'  # "a""b"
           r"|'(?:[^']|'')*'"  # 'a''b'
           r"|\{(?:[^}]|\}\})*\}"  # {a;b}}c}
           r"|&quot;(?:(?!&quot;).)*&quot;")  # the double-quoted form inside an XML text
# to the next ; (or line end, markup, or "&name=" that starts a URL's next parameter)
_BARE = r"(?:[^;\r\n<\"&]|&(?!(?:amp;)?[A-Za-z_][\w.-]*=|quot;|lt;|#34;|#x22;))*"
# (where a key ends, how its value is written): connection strings, JSON, a URL's user-info password
_FORMS = (
    (re.compile(rf"{_KEYWORD}\s*=\s*", re.I), re.compile(rf"{_QUOTED}|{_BARE}", re.I | re.S)),
    (re.compile(rf"[\"'][\w .-]{{0,40}}?{_KEYWORD}[\"']\s*:\s*", re.I),
     re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", re.S)),
    (re.compile(r"://[^/\s:@\"'<>]{1,256}:", re.I), re.compile(r"[^/\s@\"'<>]+(?=@)")),
)
# Words every key above contains: found with str.find (fast) before any pattern runs, so a 10 MB
# event log without them costs one lower() and a few scans.
_HINTS = ("pass", "pwd", "secret", "token", "credential", "key", "sig", "://")
_WINDOW = 48  # how far before a hint its key may start ("shared access key" is 17 characters)


def _values(text: str) -> list[tuple[int, int]]:
    """Where each secret value stands, in order, not overlapping."""
    low = text.lower()
    hints = set()
    for hint in _HINTS:
        i = low.find(hint)
        while i >= 0:
            hints.add(i)
            i = low.find(hint, i + 1)
    found: list[tuple[int, int]] = []
    for pos in sorted(hints):
        url = text.startswith("://", pos)
        if url and "@" not in text[pos:pos + 600]:
            continue  # no user-info (every event's xmlns is a URL)
        if not url and "=" not in text[pos:pos + 24] and ":" not in text[pos:pos + 24]:
            continue  # a key's "=" or ":" follows it closely ("<Keywords>" in every event has none)
        for key, value in (_FORMS[2:] if url else _FORMS[:2]):
            k = key.search(text, max(0, pos - _WINDOW), pos + _WINDOW + 8)
            if k is None:
                continue
            v = value.match(text, k.end())
            if v is not None and v.group().strip():
                found.append((v.start(), v.end()))
    spans: list[tuple[int, int]] = []
    for start, end in sorted(set(found)):
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def _unquoted(value: str) -> str:
    """The value a reader of the connection string gets (quotes removed, doubled ones undone)."""
    v = value.strip()
    if v.startswith("&quot;") and v.endswith("&quot;") and len(v) >= 12:
        return v[6:-6]
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1].replace(v[0] * 2, v[0])
    if len(v) >= 2 and v[0] == "{" and v[-1] == "}":
        return v[1:-1].replace("}}", "}")
    return v


def found_values(text: str) -> list[str]:
    """Each secret value in `text`, as its reader decodes it (for the known-secret scrub)."""
    return [_unquoted(text[a:b]) for a, b in _values(text)]


def has_secret(text: str) -> bool:
    return bool(_values(text))


def mask(text: str) -> str:
    """`text` with every connection-string (JSON, URL) secret value replaced; keywords stay."""
    spans = _values(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], REMOVED]
        last = end
    return "".join(out) + text[last:]
