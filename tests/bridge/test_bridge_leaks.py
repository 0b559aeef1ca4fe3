"""Secrets a hostile connector (tests/bridge/dotnet/Leaky.cs) tries to get out of the bridge.

The connector defines "Password" as an EncryptedString on Connectivity and as a String on Global
and on the run step, and echoes the secret it is given into its messages, defaults, labels and
names in the ways its "Leak" drop-down picks. Nothing of the secret may reach our output, the JSON,
a message or Configuration.xml in plain text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.config.document import ConfigDocument
from app.config.xmltext import read_file

SECRET = "Leaky Pa55word-7Qz"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _config(host: Path) -> Path:
    return host / "Service" / "Configuration" / "Configuration.xml"


def _add(capsys, host: Path, monkeypatch, *extra: str) -> tuple[int, str, str]:
    monkeypatch.setenv("LEAKY_PASSWORD", SECRET)
    return _run(capsys, "connector", "add", "Leaky", "--dll", str(host / "Service/ECMA/Contoso.Leaky.dll"),
                "--host-dir", str(host), "--object-type", "User", "--anchor", "Id", "--attributes", "Mail",
                "--secret-env", "Password=LEAKY_PASSWORD", "--json", *extra)


def _passwords(host: Path) -> list[tuple[str, str, bool, str]]:
    doc = ConfigDocument.from_bytes(read_file(_config(host)), str(_config(host)))
    c = doc.connector("Leaky")
    assert c is not None
    steps = [p for r in c.run_configurations for s in r.run_steps for p in s.parameters]
    return [(p.use, p.type, p.encrypted, p.value) for p in [*c.parameters, *steps] if p.name == "Password"]


def test_a_name_secret_on_one_page_is_secret_on_every_page(capsys, host, monkeypatch):
    code, out, err = _add(capsys, host, monkeypatch)
    assert code == 0, err
    assert SECRET.encode() not in _config(host).read_bytes()
    stored = _passwords(host)
    # Connectivity (EncryptedString), Global (String) and each run profile's step (String)
    assert {(use, type_) for use, type_, _, _ in stored} == {
        ("Connectivity", "EncryptedString"), ("Global", "String"), ("RunStep", "String")}
    assert all(encrypted and value == "" for _, _, encrypted, value in stored), stored
    # and `secrets` tells the truth: every copy is listed, none is plain
    code, out, err = _run(capsys, "secrets", "--host-dir", str(host), "--json")
    listed = [s for s in json.loads(out) if s["parameter"] == "Password"]
    assert len(listed) == len(stored) and {s["state"] for s in listed} == {"empty"}
    assert code == 0


def test_written_as_typed_every_copy_is_reported_plain(capsys, host, monkeypatch):
    code, out, err = _add(capsys, host, monkeypatch, "--secrets", "as-typed")
    assert code == 0, err
    assert SECRET not in out + err
    stored = _passwords(host)
    assert all(encrypted for _, _, encrypted, _ in stored)
    code, out, _ = _run(capsys, "secrets", "--host-dir", str(host))
    assert code == 1 and "Nothing is stored in plain text" not in out
    assert out.count("Password: typed in plain text") == len(stored)


def test_secrets_finds_a_plain_copy_of_a_secret_name(capsys, host, monkeypatch):
    """A file written before this fix (or by hand): the String copy holds the secret in plain text,
    as the old `connector add` wrote it (Encrypted false)."""
    from app.config.store import ConfigStore

    assert _add(capsys, host, monkeypatch)[0] == 0
    store = ConfigStore(_config(host))
    doc = store.load()
    c = doc.connector("Leaky")
    plain = next(p for p in c.parameters if p.name == "Password" and p.use == "Global")
    plain.encrypted = False
    plain.value = SECRET
    store.save(doc)
    code, out, _ = _run(capsys, "secrets", "--host-dir", str(host))
    assert code == 1 and "Password: typed in plain text" in out
    assert "Nothing is stored in plain text" not in out and SECRET not in out


@pytest.mark.parametrize("option", ["--set", "--secret-env"])
def test_the_string_copy_cannot_be_given_on_the_command_line(capsys, host, monkeypatch, option):
    monkeypatch.setenv("LEAKY_PASSWORD", SECRET)
    extra = ["--set", f"Password={SECRET}"] if option == "--set" else []
    code, out, err = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.Leaky.dll"),
                          "--host-dir", str(host), "--secret-env", "Password=LEAKY_PASSWORD", *extra, "--json")
    if option == "--set":
        assert code == 2 and "is a secret" in err
    else:
        assert code == 0, err
        data = json.loads(out)
        assert SECRET not in out + err and data["library"] == "Contoso.Leaky"


# -- the connector echoes the secret back ----------------------------------------------------------
def leaked(text: str, secret: str = SECRET) -> list[str]:
    """What of `secret` a reader can find in `text`, checked independently of app/masking.py: the
    text with XML references decoded, whitespace and case ignored, any 6 characters of the secret;
    and every base64 word decoded."""
    import base64
    import html
    import re

    found = []
    for variant in (text, html.unescape(text), text.encode().decode("unicode_escape", "ignore")):
        flat = "".join(variant.split()).lower()
        chars = "".join(secret.split()).lower()
        runs = {chars[i:i + 6] for i in range(len(chars) - 5)} if len(chars) > 6 else {chars}
        found += [r for r in runs if r in flat]
    for word in re.findall(r"[A-Za-z0-9+/=_-]{8,}", text):
        try:
            decoded = base64.b64decode(word + "=" * (-len(word) % 4)).decode("utf-8", "ignore")
        except ValueError:
            continue
        if "".join(secret.split()).lower() in "".join(decoded.split()).lower():
            found.append(f"base64 {word}")
    return found


LEAK_MODES = ["spaced", "wrapped", "truncated", "tail", "upper", "xml", "base64", "error-parameter",
              "default", "label", "parameter-name", "choice", "partition", "schema-name", "attribute-name",
              "exception"]


@pytest.mark.parametrize("mode", LEAK_MODES)
def test_nothing_the_connector_echoes_gets_out(capsys, host, monkeypatch, mode):
    monkeypatch.setenv("LEAKY_PASSWORD", SECRET)
    code, out, err = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.Leaky.dll"),
                          "--host-dir", str(host), "--secret-env", "Password=LEAKY_PASSWORD",
                          "--set", f"Leak={mode}", "--json")
    assert code in (0, 1, 2), err
    assert not leaked(out + err), (mode, leaked(out + err))
    assert "••••••••" in out + err  # the echo really happened, and was masked
    code, out, err = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.Leaky.dll"),
                          "--host-dir", str(host), "--secret-env", "Password=LEAKY_PASSWORD",
                          "--set", f"Leak={mode}")
    assert not leaked(out + err), (mode, leaked(out + err))


def test_an_echoed_default_is_stored_masked(capsys, host, monkeypatch):
    code, out, err = _add(capsys, host, monkeypatch, "--set", "Leak=default")
    assert code == 0, err
    text = _config(host).read_text("utf-8")
    assert not leaked(text) and "Signed in with ••••••••" in text


def test_a_short_secret_is_masked_where_it_stands_alone(capsys, host, monkeypatch):
    """Secrets under app.masking.SHORT characters are masked as whole words only."""
    monkeypatch.setenv("LEAKY_PASSWORD", "Zq7")
    code, out, err = _run(capsys, "connector", "inspect", str(host / "Service/ECMA/Contoso.Leaky.dll"),
                          "--host-dir", str(host), "--secret-env", "Password=LEAKY_PASSWORD",
                          "--set", "Leak=upper", "--json")
    assert code == 1
    message = json.loads(out)["pages"][0]["validation"]["message"]
    assert message == "Sign-in to api.contoso.com refused with password •••••••• for svc-sync."
