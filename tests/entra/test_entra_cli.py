"""`ecma-wizard entra ...` against the HTTPS stand-in and a copy of the sample host: exit codes,
the JSON record, links kept in our settings (never in Configuration.xml), the second confirmation
of dangerous reset scopes, and where push-credentials takes the token from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.entra.links import EntraSettings, Link, connector_of_tenant_url, host_key
from app.host.layout import from_host_dir
from tests.entra.conftest import TOKEN_VAR
from tests.entra.samples import JOB_ID


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def common(graph, host):
    return ["--graph-url", graph.url, "--access-token-env", TOKEN_VAR, "--host-dir", host.root]


def link(host, connector: str, sp: str) -> None:
    settings = EntraSettings.load()
    settings.link(host_key(host), connector, Link(sp, how="manual"))
    settings.save()


def test_status_json_healthy_exit_0(graph, host, capsys):
    link(host, "CSV", "sp-healthy")
    code, out, err = run(capsys, "entra", "status", "CSV", "--json", *common(graph, host))
    assert code == 0, err
    record = json.loads(out)
    assert list(record) == ["connector", "service_principal", "job", "state", "quarantine", "last_cycle", "errors"]
    assert record["connector"] == "CSV" and record["state"] == "Active" and record["quarantine"] is None
    assert record["job"] == JOB_ID and record["last_cycle"]["state"] == "Succeeded"


def test_status_quarantine_exit_1_and_a_list_for_all(graph, host, capsys):
    link(host, "CSV", "sp-healthy")
    link(host, "HRDatabase", "sp-quarantine")
    code, out, _ = run(capsys, "entra", "status", "--json", *common(graph, host))
    assert code == 1
    records = {r["connector"]: r for r in json.loads(out)}
    assert records["HRDatabase"]["quarantine"]["reason"] == "EncounteredQuarantineException"
    code, out, _ = run(capsys, "entra", "status", *common(graph, host))
    assert code == 1 and "in quarantine (EncounteredQuarantineException, since 2026-12-05 22:40 UTC)" in out
    assert "what it means: Entra could not connect to the host with the saved credentials" in out


def test_status_not_configured_exit_1_and_never_is_not_a_date(graph, host, capsys):
    link(host, "CSV", "sp-notconfigured")
    link(host, "HRDatabase", "sp-unsteady")
    code, out, _ = run(capsys, "entra", "status", *common(graph, host))
    assert code == 1
    assert "PROBLEM  CSV: not configured" in out and "OK       HRDatabase" in out
    assert "0001" not in out and "has never reached steady state" in out


def test_status_unreachable_exit_2_one_sentence(host, capsys, closed_port, monkeypatch):
    monkeypatch.setenv(TOKEN_VAR, "x" * 20)
    link(host, "CSV", "sp-healthy")
    code, out, err = run(capsys, "entra", "status", "--json", "--graph-url", f"https://localhost:{closed_port}",
                         "--access-token-env", TOKEN_VAR, "--host-dir", host.root)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Microsoft Graph cannot be reached from this machine" in err


def test_status_of_an_unlinked_connector_is_bad_input(graph, host, capsys):
    code, _, err = run(capsys, "entra", "status", "CSV", *common(graph, host))
    assert code == 2 and "entra link CSV" in err


def test_service_principal_option_replaces_the_link(graph, host, capsys):
    code, out, _ = run(capsys, "entra", "status", "--service-principal", "sp-paused", "--json", *common(graph, host))
    assert code == 0 and json.loads(out)[0]["state"] == "Paused"


def test_restart_default_scope_is_empty_and_dangerous_needs_the_flag(graph, host, capsys):
    link(host, "CSV", "sp-healthy")
    code, out, _ = run(capsys, "entra", "restart", "CSV", *common(graph, host))
    assert code == 0 and graph.calls("POST")[-1][2] == {"criteria": {"resetScope": ""}}
    code, _, err = run(capsys, "entra", "restart", "CSV", "--scope", "ConnectorDataStore", *common(graph, host))
    assert code == 2 and "second time" in err
    assert len(graph.calls("POST")) == 1
    code, _, _ = run(capsys, "entra", "restart", "CSV", "--scope", "ConnectorDataStore",
                     "--yes-reset-dangerous-scope", *common(graph, host))
    assert code == 0 and graph.calls("POST")[-1][2] == {"criteria": {"resetScope": "ConnectorDataStore"}}


@pytest.mark.parametrize("scope", ["Full", "ForceDeletes", "Watermark, Full", "None", "ConnectorDataStore"])
def test_full_and_force_deletes_need_the_second_confirmation_too(graph, host, capsys, scope):
    # Graph's restartCriteria: Full is every reset, ConnectorDataStore included; ForceDeletes carries
    # out held-back deletions. Microsoft's how-provisioning-works: Full breaks source-target links.
    link(host, "CSV", "sp-healthy")
    code, _, err = run(capsys, "entra", "restart", "CSV", "--scope", scope, *common(graph, host))
    assert code == 2 and "second confirmation" in err and err.count("\n") == 1
    assert graph.calls("POST") == []
    code, _, err = run(capsys, "entra", "restart", "CSV", "--scope", scope, "--yes-reset-dangerous-scope",
                       *common(graph, host))
    assert code == 0, err
    assert graph.calls("POST")[-1][2] == {"criteria": {"resetScope": scope}}


@pytest.mark.parametrize("abbreviation", ["--yes", "--yes-reset", "--sco"])
def test_abbreviated_options_are_refused(graph, host, capsys, abbreviation):
    link(host, "CSV", "sp-healthy")
    extra = ["Full"] if abbreviation == "--sco" else []
    code, _, err = run(capsys, "entra", "restart", "CSV", "--scope", "Full", abbreviation, *extra,
                       *common(graph, host))
    assert code == 2 and "unrecognized arguments" in err and abbreviation in err
    assert graph.calls("POST") == []


def test_no_parser_of_the_cli_accepts_abbreviations():
    import argparse

    from app.cli import build_parser

    def walk(parser):
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    yield from walk(child)

    parsers = list(walk(build_parser()))
    assert len(parsers) > 40 and all(not p.allow_abbrev for p in parsers)


def test_start_pause_validate(graph, host, capsys):
    link(host, "CSV", "sp-healthy")
    link(host, "HRDatabase", "sp-quarantine")
    for action in ("pause", "validate"):
        code, out, err = run(capsys, "entra", action, "CSV", *common(graph, host))
        assert code == 0, err
    code, out, err = run(capsys, "entra", "start", "HRDatabase", *common(graph, host))
    assert code == 0 and "Started" in out, err
    code, out, _ = run(capsys, "entra", "validate", "HRDatabase", *common(graph, host))
    assert code == 1 and "CredentialValidationUnavailable" in out


@pytest.mark.parametrize("sp, words", [("sp-healthy", "is running"), ("sp-notrun", "has not run yet")])
def test_start_is_refused_unless_paused_or_in_quarantine(graph, host, capsys, sp, words):
    link(host, "CSV", sp)
    code, out, err = run(capsys, "entra", "start", "CSV", *common(graph, host))
    assert code == 2 and words in err and "paused or in quarantine" in err and err.count("\n") == 1
    assert graph.calls("POST") == []
    link(host, "CSV", "sp-paused")
    code, out, err = run(capsys, "entra", "start", "CSV", *common(graph, host))
    assert code == 0 and graph.calls("POST")[-1][1].endswith("/start"), err


def test_push_credentials_needs_a_readable_token(graph, host, capsys, monkeypatch):
    link(host, "CSV", "sp-healthy")
    # the sample host's tokens are DPAPI-encrypted for another machine: not readable here
    code, _, err = run(capsys, "entra", "push-credentials", "CSV", *common(graph, host))
    assert code == 2 and "--secret-token-env" in err and graph.calls("PUT") == []
    monkeypatch.setenv("CSV_TOKEN", "a-secret-token-0123456789")
    code, out, err = run(capsys, "entra", "push-credentials", "CSV", "--secret-token-env", "CSV_TOKEN",
                         "--host", "ecmahost.contoso.com", *common(graph, host))
    assert code == 0, err
    (_, path, body, _), = graph.calls("PUT")
    assert path.endswith("/sp-healthy/synchronization/secrets")
    assert body["value"][:2] == [{"key": "BaseAddress", "value": "https://ecmahost.contoso.com:8585/ecma2host_CSV/scim"},
                                 {"key": "SecretToken", "value": "a-secret-token-0123456789"}]
    assert [p["key"] for p in body["value"][2:]] == ["SyncNotificationSettings", "SyncAll", "SkipOutOfScopeDeletions"]
    assert "kept: SyncNotificationSettings, SyncAll, SkipOutOfScopeDeletions" in out
    assert "a-secret-token" not in out + err


def test_link_detects_the_application_by_its_tenant_url(graph, host, capsys):
    code, out, err = run(capsys, "entra", "link", "CSV", "--json", *common(graph, host))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["linked"]["service_principal"] == "sp-healthy" and answer["linked"]["how"] == "tenant-url"
    # two candidates matched the name; only one's Tenant URL names CSV exactly (case and all)
    assert {c["id"] for c in answer["candidates"]} == {"sp-healthy", "sp-other"}
    assert EntraSettings.load().links_for(host_key(host))["CSV"].service_principal == "sp-healthy"
    assert b"sp-healthy" not in host.config_path.read_bytes()  # never in Configuration.xml
    code, out, _ = run(capsys, "entra", "link", "CSV", "--unlink", *common(graph, host))
    assert code == 0 and EntraSettings.load().links_for(host_key(host)) == {}


def test_link_without_a_match_lists_candidates_exit_1(graph, host, capsys):
    code, out, _ = run(capsys, "entra", "link", "HRDatabase", "--search", "test tenant", *common(graph, host))
    assert code == 1 and "sp-other" in out and "--service-principal ID" in out


def test_provision_shows_each_step(graph, host, capsys):
    link(host, "CSV", "sp-healthy")
    code, out, _ = run(capsys, "entra", "provision", "CSV", "--user", "9bb0f679-a883-4a6f-8260-35b491b8b8c8",
                       *common(graph, host))
    assert code == 0 and out.count("Success") >= 5 and "Export" in out
    code, _, err = run(capsys, "entra", "provision", "CSV", "--user", "bob", *common(graph, host))
    assert code == 2 and "object id" in err and "principal name" in err


def test_sign_in_and_out_through_the_cli(capsys, monkeypatch, memory_keyring):
    from tests.entra.fake_msal import FakeMsal

    monkeypatch.setattr("app.entra.signin._default_msal", lambda: FakeMsal())
    code, out, err = run(capsys, "entra", "sign-in", "--tenant", "contoso.onmicrosoft.com",
                         "--client-id", "aaaaaaaa-0000-4000-8000-000000000001")
    assert code == 0, err
    assert "admin@contoso.com" in out
    assert EntraSettings.load().sign_in.tenant == "contoso.onmicrosoft.com"
    assert memory_keyring.store
    code, out, _ = run(capsys, "entra", "sign-out")
    assert code == 0 and "removed" in out and memory_keyring.store == {}


def test_tenant_url_names_its_connector():
    assert connector_of_tenant_url("https://h.contoso.com:8585/ecma2host_CSV/scim") == "CSV"
    assert connector_of_tenant_url("https://h:8585/ecma2host_CSV/scim/") == "CSV"
    assert connector_of_tenant_url("http://h:8585/ecma2host_CSV/scim") is None
    assert connector_of_tenant_url("https://h:8585/other/scim") is None


def test_an_unreadable_settings_file_is_one_sentence(host, capsys, _private_data_dir):
    (Path(_private_data_dir) / "entra.json").write_text('{"links": {"x": 3}}', encoding="utf-8")
    code, out, err = run(capsys, "entra", "status", "--host-dir", host.root)
    assert code == 2 and "entra.json" in err and "Entra settings cannot be read" in err
    assert err.count("\n") == 1


def test_link_by_id_keeps_the_display_name(graph, host, capsys):
    code, out, _ = run(capsys, "entra", "link", "HRDatabase", "--service-principal", "sp-quarantine",
                       *common(graph, host))
    assert code == 0 and "HR database provisioning (sp-quarantine, given by id)" in out
    link = EntraSettings.load().links_for(host_key(host))["HRDatabase"]
    assert link.display_name == "HR database provisioning" and link.job == JOB_ID
