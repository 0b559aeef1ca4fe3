"""Where the journal is written from: every save of a user's file (FileStore), refused ones too,
and each kind of Graph write named in the admin center's words."""

from __future__ import annotations

import pytest

from app import journal
from app.entra.written import describe
from app.filestore import FileStore, SaveRefused


def test_every_save_through_the_store_is_journaled_with_its_backup(tmp_path):
    target = tmp_path / "Microsoft.ECMA2Host.Service.exe.config"
    target.write_bytes(b"<configuration />")
    store = FileStore(target)
    store.read()
    backup = store.replace(b"<configuration><appSettings /></configuration>")
    (save,) = journal.read_journal().actions
    assert save.action == f"save {target.name}" and save.outcome == "ok"
    assert backup is not None and save.undo == str(backup.path)


def test_a_refused_save_is_journaled_as_failed_with_the_sentence(tmp_path):
    target = tmp_path / "Configuration.xml"
    target.write_bytes(b"<a/>")
    store = FileStore(target)
    store.read()
    target.write_bytes(b"<b/>")  # someone else changed it
    with pytest.raises(SaveRefused):
        store.replace(b"<c/>")
    (save,) = journal.read_journal().actions
    assert save.outcome == "failed" and "changed on disk" in save.reason and not save.undo


@pytest.mark.parametrize(("method", "path", "body", "what", "details"), [
    ("POST", "/servicePrincipals/sp%201/synchronization/jobs/j1/start", None, "start provisioning", {"job": "j1"}),
    ("POST", "/servicePrincipals/sp/synchronization/jobs/j1/pause", None, "pause provisioning", {"job": "j1"}),
    ("POST", "/servicePrincipals/sp/synchronization/jobs/j1/restart", {"criteria": {"resetScope": ""}},
     "restart provisioning", {"job": "j1", "reset scope": "(empty)"}),
    ("POST", "/servicePrincipals/sp/synchronization/jobs/j1/restart", {"criteria": {"resetScope": "Full"}},
     "restart provisioning", {"job": "j1", "reset scope": "Full"}),
    ("POST", "/servicePrincipals/sp/synchronization/jobs/j1/provisionOnDemand",
     {"parameters": [{"ruleId": "r", "subjects": [{"objectId": "u-1", "objectTypeName": "User"}]}]},
     "provision on demand", {"job": "j1", "users": ["u-1"]}),
    ("PUT", "/servicePrincipals/sp/synchronization/secrets",
     {"value": [{"key": "BaseAddress", "value": "https://h/ecma2host_A/scim"}, {"key": "SecretToken", "value": "s3cr3t"},
                {"key": "SyncNotificationSettings", "value": "{\"Enabled\":true}"}]},
     "push credentials", {"keys written": ["BaseAddress", "SecretToken", "SyncNotificationSettings"],
                          "tenant URL": "https://h/ecma2host_A/scim"}),
    ("PUT", "/servicePrincipals/sp/synchronization/secrets", {"value": "not a list"},
     "push credentials", {"keys written": []}),
])
def test_graph_writes_are_named_as_the_admin_center_names_them(method, path, body, what, details):
    named, target, seen = describe(method, path, body)
    assert named == what and seen == details
    assert target.startswith("enterprise application sp")
    assert "s3cr3t" not in repr(seen)


def test_a_linked_application_is_named_by_its_display_name():
    from app.entra.links import EntraSettings, Link

    settings = EntraSettings.load()
    settings.link("host-1", "HRDatabase", Link("sp-9", display_name="HR Database provisioning", job="j1"))
    settings.save()
    _what, target, _details = describe("POST", "/servicePrincipals/sp-9/synchronization/jobs/j1/start", None)
    assert target == 'enterprise application "HR Database provisioning" (sp-9)'
    assert describe("POST", "/servicePrincipals/sp-0/synchronization/jobs/j1/start", None)[1] == \
        "enterprise application sp-0"
