"""The values the planted-secrets tests plant and then look for everywhere."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "diagnostics"))
from diag_scim_responder import TOKEN, make_cert  # noqa: F401  (the SCIM stand-in's token)

PASSWORD = "Pl4nted-Passw0rd-§42"

# Secrets a host keeps where no type says so: redacted by what they are (a name that says secret,
# connection-string grammar), then known and masked in every other text of a report.
API_KEY = "ak-7f3e91c2d5b8a4e0"  # a String parameter "API Key"
ACCESS_KEY = "AccKey-Planted-4e8c2a"  # a DropDown "Access Key" (extensible: any value)
CLIENT_SECRET = "cs~Planted.91b7e3Xq"  # a File parameter "Client Secret"
BIND_PASSWORD = "Bind-Pl4nted-66d1"  # a Label "Bind Password" that carries a value
ACCOUNT_KEY = "pLaNtEdAcc0untKey+/a1b2c3d4=="  # AccountKey= in an Azure storage connection string
BRACED = "Br4ced;Secret}Pwd"  # ODBC braces: written Pwd={Br4ced;Secret}}Pwd}
QUOTED = 'Qu0ted"Pass;word'  # ADO.NET quoting: written Password="Qu0ted""Pass;word"
APPSETTING_KEY = "as-key-Planted-3c9d"  # appSettings <add key="StorageAccountKey">
APPSETTING_CONN_KEY = "c0nnKeyPlanted77+/="  # a connection string as an appSettings value
CONNSTRING_PWD = "cs-Pwd-Planted-8d0e"  # connectionStrings <add connectionString>
APP_TOKEN = "ApTok-Planted-5e2x9q"  # applicationSettings <setting name="ApiToken">
EVENT_SQL_PWD = "Ev3nt-Sql-Pwd-0b4f"  # only in a Verbose Generic SQL event's connection string
KINDS = [API_KEY, ACCESS_KEY, CLIENT_SECRET, BIND_PASSWORD, ACCOUNT_KEY, BRACED, QUOTED, APPSETTING_KEY,
         APPSETTING_CONN_KEY, CONNSTRING_PWD, APP_TOKEN, EVENT_SQL_PWD]


def reader_finds(data: bytes, values: list[str]) -> list[str]:
    """Which values a reader finds in `data`: as UTF-8, UTF-16 or base64 bytes, or in the text
    with XML references decoded, whitespace and case ignored; any 10 characters of a value count
    (a value cut short still leaks). Written apart from app/masking.py, to check it."""
    import base64
    import html
    import re

    text = data.decode("utf-8", "replace")
    flat = ["".join(t.split()).casefold() for t in (text, html.unescape(text))]
    words = []
    for word in re.findall(r"[A-Za-z0-9+/=_-]{12,}", text):
        try:
            raw = base64.b64decode(word + "=" * (-len(word) % 4), altchars=b"-_" if "-" in word or "_" in word else None)
        except ValueError:
            continue
        words += [raw.decode("utf-8", "ignore").casefold(), raw.decode("utf-16-le", "ignore").casefold()]
    found = []
    for value in values:
        v = "".join(value.split()).casefold()
        runs = {v[i:i + 10] for i in range(max(1, len(v) - 9))}
        if (any(value.encode(enc) in data for enc in ("utf-8", "utf-16-le"))
                or base64.b64encode(value.encode()) in data
                or any(r in f for r in runs for f in flat) or any(v in w for w in words)):
            found.append(value)
    return found
