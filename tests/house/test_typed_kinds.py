"""Kinds that used to be strings are types: a misspelling is a mypy error (and raises at run time),
while every word the command line prints in `--json` stays exactly what it was (an interface)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.bridge.errors import BridgeError, BridgeErrorKind
from app.bridge.walk import WalkFailure, WalkResult
from app.cli import main
from app.cli.common import print_json
from app.config.rules import Finding, counts, validate
from app.diagnostics.doctor import Check, DoctorReport
from app.entra.graph import GraphError, GraphErrorKind
from app.events.knowledge import Action, ActionKind
from app.severity import PROBLEMS, Severity
from tests.config.helpers import document_with, minimal_spec

ROOT = Path(__file__).resolve().parents[2]

# each misspelling (or a kind or page key given as text) on its own line, with the line mypy must report
MISSPELT = textwrap.dedent("""\
    from app.bridge.errors import BridgeError, BridgeErrorKind
    from app.config.document import ConfigDocument
    from app.config.rules import Finding
    from app.wizard.flow import ConnectorFlow, PageRef
    from app.wizard.page_keys import PageKey
    from app.wizard.session import WizardSession
    from app.entra.graph import GraphError, GraphErrorKind
    from app.events.knowledge import Action, ActionKind
    from app.severity import Severity

    a = ActionKind.CERTFICATE
    b = Action("connector", "HR")
    c = GraphErrorKind.NOTFOUND
    d = GraphError("x", kind="not-found")
    e = Severity.WARN
    f = Finding("error", "a message")
    g = BridgeErrorKind.TIMEDOUT
    h = BridgeError("x", connector="HR", call="GetSchema", kind="cancelled")
    i = PageRef("properties", "properties", "Properties")
    j = ConnectorFlow.findings(ConnectorFlow(WizardSession(ConfigDocument.from_bytes(b""))), "summary")
    k = PageKey("schema", 2) == "schema-2"
    """)


def test_a_misspelt_kind_is_a_mypy_error(tmp_path):
    snippet = tmp_path / "misspelt.py"
    snippet.write_text(MISSPELT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(tmp_path / "cache"), "--follow-imports", "silent",
                           str(snippet)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    reported = {int(line.split(":")[1]) for line in done.stdout.splitlines() if ": error:" in line}
    assert reported == {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}, done.stdout + done.stderr


def test_a_misspelt_kind_raises_at_run_time():
    with pytest.raises(AttributeError):
        getattr(GraphErrorKind, "NOTFOUND")  # noqa: B009 - the attribute is the misspelling under test
    with pytest.raises(ValueError):
        Severity("warn")
    with pytest.raises(TypeError):
        GraphError("x", kind="not-found")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Action(ActionKind.CONNECTOR)  # a connector action without its connector
    with pytest.raises(TypeError):
        BridgeError("x", connector="HR", call="GetSchema", kind="cancelled")  # type: ignore[arg-type]


def test_validate_json_keeps_its_words(tmp_path, capsys):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(document_with(minimal_spec(secret_token="short", autosync_timer=30)).to_bytes())
    assert main(["validate", "--config", str(bad), "--json"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out)
    assert list(data["counts"]) == ["error", "warning", "info"]
    severities = {f["severity"] for f in data["findings"]}
    assert {"error", "warning"} <= severities <= {"error", "warning", "info"}
    assert '"severity": "error"' in out and '"severity": "warning"' in out
    # the objects behind them are members, not words
    assert all(isinstance(f.severity, Severity) for f in validate(document_with(minimal_spec())))


def test_doctor_json_keeps_its_words():
    report = DoctorReport("host", [Check("a", "A", severity, "m") for severity in Severity])
    text = json.dumps(report.to_json(), default=str)
    assert [c["severity"] for c in json.loads(text)["checks"]] == ["error", "warning", "info", "ok", "skipped"]
    assert json.loads(text)["problems"] == 2 and PROBLEMS == {Severity.ERROR, Severity.WARNING}


def test_severities_sort_most_serious_first():
    findings = [Finding(Severity.INFO, "i"), Finding(Severity.ERROR, "e"), Finding(Severity.WARNING, "w")]
    assert [f.message for f in sorted(findings, key=lambda f: f.severity.rank)] == ["e", "w", "i"]
    assert counts(findings) == {"error": 1, "warning": 1, "info": 1}
    assert json.dumps({"kind": GraphErrorKind.NOT_FOUND}) == '{"kind": "not-found"}'


def test_connector_inspect_json_keeps_its_kind_words(capsys):
    """`connector inspect --json` prints a failure's kind as the word it always printed."""
    words = []
    for kind in BridgeErrorKind:
        result = WalkResult("Contoso.SqlLike", failure=WalkFailure("GetSchema", "Object types", kind, "m"))
        print_json(result.to_dict())
        out = capsys.readouterr().out
        assert f'"kind": "{kind.value}"' in out
        words.append(json.loads(out)["error"]["kind"])
    assert words == ["failed", "crashed", "timed out", "cancelled", "unavailable"]
    assert f"{BridgeErrorKind.TIMED_OUT}" == "timed out"  # sentences that name a kind read the same
