"""What ConnectorSession does to a DLL's answer before and after a secret was given (no Mono: a
scripted process). Before any secret there is nothing to mask, so the answer is handed on as it is
(walking every string cost more than the pipe's round trip, tests/benchmarks/bench_bridge.py);
from the first secret on, every string of every answer is masked again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.bridge.locate import ConnectorLibrary
from app.bridge.session import SECRET_MASK, ConnectorSession

SECRET = "Tr0ub4dor&3xyz"


class EchoingConnector:
    """A connector that repeats the values it was given in its labels, defaults and parameter
    names: the leak the masking exists for (tests/bridge/dotnet's leaky connectors do the same
    through the real worker). It keeps the last answer so a test can tell a copy from the original."""

    def __init__(self) -> None:
        self.last: Any = None

    def call(self, op: str, args: dict[str, Any], call: str = "") -> Any:
        echoed = " ".join(str(v["value"]) for v in args.get("values", []) if v["secret"])
        answer = [{"name": "Server", "type": "String", "default": "sql01",
                   "text": f"Connecting with {echoed}", "choices": [], "extensible": False},
                  {"name": "Password", "type": "EncryptedString", "default": echoed,
                   "validation": "", "choices": [echoed, "other"], "extensible": False},
                  {"name": f"Label {echoed}".strip(), "type": "Label", "text": echoed}]
        self.last = answer
        return answer

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


def session() -> tuple[ConnectorSession, EchoingConnector]:
    connector = EchoingConnector()
    library = ConnectorLibrary(Path("Contoso.Echo.dll"), None, False)
    return ConnectorSession(library, process=connector), connector  # type: ignore[arg-type]


def test_without_a_secret_the_answer_is_handed_on_as_it_is():
    s, connector = session()
    s.set_value("Server", "sql01")
    answer = s._call("get_parameters", {"values": [{"name": "Server", "value": "sql01", "secret": False}]}, "GetConfigParameters")
    assert answer is connector.last  # not walked and copied string by string


def test_once_a_secret_is_given_every_echo_of_it_is_masked():
    s, connector = session()
    s.ask_page("Connectivity")  # no secret yet: handed on unchanged
    s.set_secret("Password", SECRET)
    page = s.ask_page("Connectivity")
    texts = [v for d in page.parameters for v in (d.name, d.default, d.text, d.validation, *d.choices)]
    assert not any(SECRET.lower() in t.lower() or SECRET[:6].lower() in t.lower() for t in texts)
    assert any(SECRET_MASK in t for t in texts)
    assert page.parameters[2].name == f"Label {SECRET_MASK}"  # a name: the whole secret masked
    assert connector.last[1]["default"] == SECRET  # what the DLL said is masked in a copy


def test_a_changed_secret_is_masked_in_the_next_answer():
    s, connector = session()
    s.ask_page("Connectivity")
    s.set_secret("Password", SECRET)
    assert s.ask_page("Connectivity").parameters[1].default == SECRET_MASK
    s.set_secret("Password", "Another-Secret-9")
    page = s.ask_page("Connectivity")
    assert connector.last[1]["default"] == "Another-Secret-9"
    assert page.parameters[1].default == SECRET_MASK and page.parameters[0].text == f"Connecting with {SECRET_MASK}"
