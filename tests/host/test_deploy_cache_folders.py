"""Where a new connector DLL goes on hosts whose cache folders are GUIDs (Microsoft's
troubleshooting page shows Service\\ECMA\\Cache\\<GUID>\\...) as well as the connector's name
(Microsoft's update guide): the folder ECMAFolderPath names, else every cache copy of that DLL;
refused while Microsoft's wizard runs; prerequisite DLLs copied on request; a record that says
finished or rolled back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app import journal
from app.cli import main
from app.config.store import ConfigStore
from app.errors import UserError
from app.host import deployrecord
from app.host.deploy import WIZARD_RUNNING, execute, make_plan
from app.host.layout import from_host_dir
from app.host.service import UnavailableServiceControl
from tests.host.test_deploy_dll import SQL, FakeService, digest, fake_pe

GUID_A = "{6F1C2A44-0B8E-4F0B-9C51-1D2E3F4A5B6C}"
GUID_B = "3c9d0e7a-55b1-4e8f-a2c3-9f8e7d6c5b4a"
LIVE_PATH = "C:\\Program Files\\Microsoft ECMA2Host\\Service\\ECMA\\Cache\\" + GUID_A


def _set_folder_path(config: Path, value: str) -> None:
    """HRDatabase's <ECMAFolderPath /> (the second connector in the sample) set to `value`."""
    text = config.read_bytes()
    first = text.index(b"<ECMAFolderPath />")
    second = text.index(b"<ECMAFolderPath />", first + 1)
    config.write_bytes(text[:second] + f"<ECMAFolderPath>{value}</ECMAFolderPath>".encode()
                       + text[second + len(b"<ECMAFolderPath />"):])


@pytest.fixture
def guid_host(tmp_path, sample_host):
    """The sample host with HRDatabase's cache folder named by a GUID, and a second GUID folder
    holding another copy of the same DLL (a connector since deleted, or a second one)."""
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    cache = root / "Service" / "ECMA" / "Cache"
    (cache / "HRDatabase").rename(cache / GUID_A)
    shutil.copytree(cache / GUID_A, cache / GUID_B)
    return from_host_dir(root)


@pytest.fixture
def new_dll(tmp_path):
    path = tmp_path / "new" / SQL
    path.parent.mkdir()
    path.write_bytes(fake_pe((2, 2, 0, 1), b"new code for GUID hosts"))
    return path


def copies(layout, folder):
    cache = layout.ecma_dir / "Cache" / folder
    return [cache / SQL, cache / "AutosyncService" / SQL]


def test_guid_cache_folders_are_found_and_every_copy_is_updated(guid_host, new_dll):
    plan = make_plan(guid_host, ConfigStore(guid_host.config_path).load(), new_dll)
    paths = [t.path for t in plan.targets]
    assert sorted(paths) == sorted([guid_host.ecma_dir / SQL, *copies(guid_host, GUID_A), *copies(guid_host, GUID_B)])
    assert plan.skipped == ["HRDatabase names no cache folder (ECMAFolderPath is empty, no Cache\\HRDatabase): "
                            f"every cache folder holding {SQL} is updated instead."]
    result = execute(plan, UnavailableServiceControl("linux"), without_service=True, wizard_running=lambda: False)
    assert len(result.copied) == 5
    assert all(p.read_bytes() == new_dll.read_bytes() for g in (GUID_A, GUID_B) for p in copies(guid_host, g))
    shown = {Path(f).name for f in result.folders["(no connector names it)"]}
    assert shown == {GUID_A, GUID_B, "AutosyncService"}


def test_ecmafolderpath_names_the_connectors_folder(guid_host, new_dll):
    _set_folder_path(guid_host.config_path, LIVE_PATH)
    plan = make_plan(guid_host, ConfigStore(guid_host.config_path).load(), new_dll)
    owners = {t.path: t.connector for t in plan.targets}
    assert all(owners[p] == "HRDatabase" for p in copies(guid_host, GUID_A))
    assert all(owners[p] is None for p in copies(guid_host, GUID_B))
    folders = plan.folders_by_connector()
    assert [Path(f).name for f in folders["HRDatabase"]] == [GUID_A, "AutosyncService"]
    # limited to HRDatabase: the folder no connector names is left alone, and the plan says so
    only = make_plan(guid_host, ConfigStore(guid_host.config_path).load(), new_dll, ["HRDatabase"])
    assert not any(GUID_B in str(t.path) for t in only.targets)
    assert any(GUID_B in s and "no connector names it" in s for s in only.skipped)


def test_an_ecmafolderpath_that_leads_out_of_the_cache_is_not_followed(guid_host, new_dll, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / SQL).write_bytes(b"MZ not to be touched")
    _set_folder_path(guid_host.config_path, "C:\\Program Files\\Microsoft ECMA2Host\\Service\\ECMA\\Cache\\..\\..\\..\\x")
    plan = make_plan(guid_host, ConfigStore(guid_host.config_path).load(), new_dll)
    assert all(guid_host.ecma_dir in t.path.parents for t in plan.targets)
    assert any("is not a cache folder of this host" in s for s in plan.skipped)


def test_a_connector_without_any_cache_copy_is_said(tmp_path, sample_host, new_dll):
    root = tmp_path / "bare"
    shutil.copytree(sample_host, root)
    shutil.rmtree(root / "Service" / "ECMA" / "Cache" / "HRDatabase")
    layout = from_host_dir(root)
    plan = make_plan(layout, ConfigStore(layout.config_path).load(), new_dll)
    assert [t.path for t in plan.targets] == [layout.ecma_dir / SQL]
    assert any("No cache folder of HRDatabase holds the DLL yet" in s for s in plan.skipped)


def test_refused_while_microsofts_wizard_runs(guid_host, new_dll):
    before = {p: digest(p) for p in copies(guid_host, GUID_A)}
    plan = make_plan(guid_host, ConfigStore(guid_host.config_path).load(), new_dll)
    service = FakeService()
    with pytest.raises(UserError) as info:
        execute(plan, service, wizard_running=lambda: True)
    assert info.value.sentence() == WIZARD_RUNNING
    assert service.calls == [] and {p: digest(p) for p in before} == before
    assert journal.read_journal().actions == []  # nothing started, nothing to journal


def test_prerequisite_dlls_are_offered_and_copied_on_request(guid_host, new_dll):
    dep = new_dll.parent / "Contoso.Sql.Helpers.dll"
    dep.write_bytes(fake_pe((1, 0, 0, 0), b"helper"))
    doc = ConfigStore(guid_host.config_path).load()
    plan = make_plan(guid_host, doc, new_dll)
    assert "Contoso.Sql.Helpers.dll" in "\n".join(plan.lines(guid_host.root)) and "--with-dependencies" in \
        "\n".join(plan.lines(guid_host.root))
    assert not any(t.path.name == dep.name for t in plan.targets)
    plan = make_plan(guid_host, doc, new_dll, with_dependencies=True)
    placed = [t.path for t in plan.targets if t.path.name == dep.name]
    assert guid_host.ecma_dir / dep.name in placed
    assert all(p.parent / dep.name in placed for g in (GUID_A, GUID_B) for p in copies(guid_host, g))
    execute(plan, UnavailableServiceControl("linux"), without_service=True, wizard_running=lambda: False)
    assert all(p.read_bytes() == dep.read_bytes() for p in placed)


def test_the_record_says_finished_and_a_failure_says_rolled_back(guid_host, new_dll, monkeypatch):
    plan = make_plan(guid_host, ConfigStore(guid_host.config_path).load(), new_dll)
    result = execute(plan, FakeService(), wizard_running=lambda: False)
    record = json.loads((result.backup_folder / "deploy.json").read_text())
    assert record["state"] == "finished" and len(record["files"]) == 5 and record["service_was_running"]
    assert all(f["new_sha256"] == plan.dll.sha256 and f["old_sha256"] for f in record["files"])
    (action,) = [a for a in journal.read_journal().actions if a.action == "deploy DLL"]
    assert action.outcome == "ok" and action.undo == str(result.backup_folder) and record["journal_id"] == action.id
    assert deployrecord.unfinished(guid_host.root) == []


def test_cli_says_per_connector_which_folders_were_updated(guid_host, new_dll, capsys, monkeypatch):
    _set_folder_path(guid_host.config_path, LIVE_PATH)
    monkeypatch.setattr("app.cli.host.default_service_control", lambda **_: UnavailableServiceControl("linux"))
    assert main(["connector", "deploy-dll", str(new_dll), "--host-dir", str(guid_host.root), "--yes",
                 "--without-service"]) == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith("Updated for HRDatabase: "))
    assert GUID_A in line and "AutosyncService" in line
    assert "Updated for (no connector names it): " in err and GUID_B in err
