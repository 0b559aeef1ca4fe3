"""app/masking.py: a known secret is found in every spelling a reader would decode."""

from __future__ import annotations

import base64

import pytest

from app.masking import SecretMasker, secret_name

SECRET = "Pl4nted Passw0rd-§42"
M = "[x]"


def _refs(text: str, hexa: bool = False) -> str:
    return "".join(f"&#x{ord(c):X};" if hexa else f"&#{ord(c)};" for c in text)


@pytest.mark.parametrize("spelling", [
    SECRET, SECRET.upper(), SECRET.lower(), SECRET.replace(" ", ""), SECRET.replace(" ", "\r\n    "),
    _refs(SECRET), _refs(SECRET, hexa=True), "Pl4&#110;ted Passw0rd-&#xa7;42",
    SECRET.replace("-", "\\u002d"), "Pl4nted%20Passw0rd-%C2%A742".replace("%C2%A7", "§"),
])
def test_every_spelling_of_the_whole_secret_is_masked(spelling):
    mask = SecretMasker([SECRET], M)
    assert mask(f"before {spelling} after") == f"before {M} after"


@pytest.mark.parametrize("prefix", ["", "svc:", "u:", "user-name:"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_base64_word_holding_the_secret_is_masked_whole(prefix, encoding):
    word = base64.b64encode((prefix + SECRET + ";tail").encode(encoding)).decode()
    assert SecretMasker([SECRET], M)(f"Authorization: Basic {word}\r\n") == f"Authorization: Basic {M}\r\n"
    urlsafe = word.replace("+", "-").replace("/", "_")
    assert M in SecretMasker([SECRET], M)(urlsafe)


def test_other_base64_is_left_alone():
    word = base64.b64encode(b"nothing secret in here at all, really").decode()
    assert SecretMasker([SECRET], M)(word) == word


def test_fragments_only_when_asked():
    cut = "Pl4nted Pass…"
    assert SecretMasker([SECRET], M)(cut) == cut
    assert SecretMasker([SECRET], M, fragments=True)(cut) == f"{M}…"
    assert SecretMasker([SECRET], M, fragments=True)("…w0rd-§42") == f"…{M}"
    assert SecretMasker([SECRET], M, fragments=True)("Pl4nt") == "Pl4nt"  # 5 characters tell little


def test_short_secrets_are_masked_as_whole_words_only():
    mask = SecretMasker(["ab7"], M, fragments=True)
    assert mask("ab7 cab7 ab7x AB7. (ab7)") == f"{M} cab7 ab7x {M}. ({M})"


def test_overlapping_secrets_mask_their_union():
    assert SecretMasker(["abcdef12", "ef12ghij"], M)("xx abcdef12ghij yy") == f"xx {M} yy"


@pytest.mark.parametrize("name", ["API Key", "Access Key", "Client Secret", "Bind Password", "token", "pwd",
                                  "key", "secret", "AccountKey", "SharedAccessKey", "Graph:ClientSecret",
                                  "ProxyPassword", "Passphrase", "Subscription Key", "apiKey"])
def test_names_that_say_secret(name):
    assert secret_name(name)


@pytest.mark.parametrize("name", ["Server", "User Name", "Begin Password Script", "Password Extension Script",
                                  "PublicKeyToken", "Key Attribute", "Keywords", "Anchor", "Port"])
def test_names_that_do_not(name):
    assert not secret_name(name)


@pytest.mark.parametrize("spelling", [
    'Gr\\\\u00e4n-P\\\\"ass',  # JSON inside JSON: every escape doubled
    "Gr%25C3%25A4n-P%2522ass",  # a URL encoded twice (UTF-8 bytes of the accent)
    "Gra\u0308n-P\"ass",  # the accent decomposed (NFD), as some servers normalise
    "Gr\u00e4n+-P\"ass",  # a URL's space
])
def test_graph_spellings_of_an_accented_secret_are_masked(spelling):
    # the spellings a Graph error may echo a secret in (app/entra/graph.py's scrub uses this finder)
    masked = SecretMasker(['Gr\u00e4n-P"ass'], "[hidden]")(f"error: value '{spelling}' is invalid")
    assert masked == "error: value '[hidden]' is invalid"


def test_a_character_outside_the_bmp_as_a_json_surrogate_pair():
    secret = "tok\U0001F511en-99"
    assert SecretMasker([secret], "#")("x tok\\ud83d\\udd11en-99 y") == "x # y"
