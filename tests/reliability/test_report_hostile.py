"""A host report is a zip from another machine: hostile ones are refused in one sentence naming the
file, before anything of them is used; fuzzed ones never end in anything but that sentence; and the
viewer's readers (configuration, events, doctor, pages) survive what a crafted manifest holds."""

from __future__ import annotations

import hashlib
import io
import json
import random
import stat
import zipfile

import pytest

from app.errors import UserError
from app.host.layout import from_host_dir
from app.migrate.hostdiff import load_snapshot
from app.report import reader as reports
from app.report.build import build_report
from app.report.context import ReportOptions
from tests.reliability.fuzzing import ROOT, mutate

SAMPLE = ROOT / "resources" / "sample-host"
REAL = build_report(ReportOptions(from_host_dir(SAMPLE), platform="linux", with_bridge=False)).data


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def make(items: list[tuple[str | zipfile.ZipInfo, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in items:
            z.writestr(name, data)
    return buf.getvalue()


def with_manifest(members: dict[str, bytes], **changes) -> bytes:
    """The real report's members, a manifest that lists them with right checksums, then `changes`."""
    files = {n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in members.items()
             if n != "manifest.json"}
    manifest = {**json.loads(entries(REAL)["manifest.json"]), "files": files, **changes}
    return make([*members.items(), ("manifest.json", json.dumps(manifest).encode())])


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def encrypted_first_entry(data: bytes) -> bytes:
    """The encryption bit set in the first entry's local and central headers (zipfile cannot
    write an encrypted entry, so the bytes are edited)."""
    out = bytearray(data)
    out[6] |= 0x1  # local file header: general purpose flags at offset 6
    central = out.find(b"PK\x01\x02")
    out[central + 8] |= 0x1  # central directory: flags at offset 8
    return bytes(out)


REAL_MEMBERS = {n: d for n, d in entries(REAL).items() if n != "manifest.json"}
HOSTILE = {
    "traversal": (with_manifest({**REAL_MEMBERS, "../../evil.txt": b"x"}), "unsafe path '../../evil.txt'"),
    "absolute": (with_manifest({**REAL_MEMBERS, "/etc/cron.d/x": b"x"}), "unsafe path"),
    "drive letter": (with_manifest({**REAL_MEMBERS, "C:/Windows/x.dll": b"x"}), "unsafe path"),
    "backslash": (with_manifest({**REAL_MEMBERS, "..\\..\\x.dll": b"x"}), "unsafe path"),
    "symlink": (make([(symlink("host/Configuration.xml"), b"/etc/shadow"), ("manifest.json", b"{}")]), "symbolic link"),
    "zip encryption": (encrypted_first_entry(make([("summary.md", b"x"), ("manifest.json", b"{}")])),
                       "password-protected"),
    "bomb": (make([("events/ECMA2Host.xml", b"\0" * (20 << 20)), ("manifest.json", b"{}")]), "zip bomb"),
    "many entries": (make([(f"raw/{i}.txt", b"") for i in range(2100)]), "2100 entries"),
    "duplicate": (make([("summary.md", b"a"), ("summary.md", b"b"), ("manifest.json", b"{}")]), "two entries with the same name"),
    "not a zip": (b"MZ\x90\x00 this is a program", "not a zip file"),
    "no manifest": (make([("summary.md", b"hi")]), "no manifest.json"),
    "a bundle": (make([("manifest.json", json.dumps({"format": "ecma-wizard-bundle", "version": 1}).encode())]),
                 "not an ecma-wizard host report"),
    "newer": (with_manifest(REAL_MEMBERS, version=99), "newer ecma-wizard"),
    "version not a number": (with_manifest(REAL_MEMBERS, version="1"), "version is not a number"),
    "file list": (with_manifest(REAL_MEMBERS, files=[1, 2]), "unreadable file list"),
    "missing member": (with_manifest({**REAL_MEMBERS}, files={**json.loads(entries(REAL)["manifest.json"])["files"],
                                                              "checks/x.json": {"size": 1, "sha256": "00"}}),
                       "lacks checks/x.json"),
    "left_out": (with_manifest(REAL_MEMBERS, left_out="all"), "unreadable 'left_out'"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_report_is_refused_in_one_sentence(case):
    data, words = HOSTILE[case]
    with pytest.raises(UserError) as caught:
        reports.read_report(data, "evil.zip")
    sentence = caught.value.sentence()
    assert sentence.startswith("evil.zip: ") and words in sentence, sentence
    assert "\n" not in sentence and "Traceback" not in sentence


def test_an_altered_member_is_refused_when_it_is_read():
    members = dict(entries(REAL))
    manifest = json.loads(members["manifest.json"])
    members["checks/doctor.json"] = b'{"checks": "changed after the manifest"}'
    data = make([(n, d) for n, d in members.items() if n != "manifest.json"] + [("manifest.json", json.dumps(manifest).encode())])
    report = reports.read_report(data, "evil.zip")
    with pytest.raises(UserError, match="checks/doctor.json does not match its checksum"):
        report.doctor_checks()


def test_crafted_contents_with_right_checksums_do_not_break_the_readers():
    """JSON of the wrong shape, events that are not XML, a configuration that is not one."""
    members = {**REAL_MEMBERS, "checks/doctor.json": b'{"checks": [1, "x", {"severity": 5}]}',
               "host/ecma-tree.json": b'{"dlls": [null, {"path": "../../x", "sha256": "a"}]}',
               "connectors/Evil.json": b'[1,2,3]', "events/ECMA2Host.xml": b"<Event><System>not closed",
               "host/Configuration.xml": b"<NotAConfiguration/>"}
    report = reports.read_report(with_manifest(members), "odd.zip")
    assert report.doctor_checks() == [{"severity": 5}]
    assert report.dlls() == {"../../x": "a"}  # data only: nothing is ever opened by that path
    assert report.connector_pages() == {}
    assert len(report.events()) == 0
    with pytest.raises(UserError, match="odd.zip!host/Configuration.xml"):
        report.configuration()


def test_a_report_is_never_taken_for_a_bundle_or_the_reverse(tmp_path):
    path = tmp_path / "r.zip"
    path.write_bytes(REAL)
    assert load_snapshot(path).kind == "report"
    assert not reports.is_report(make([("manifest.json", b'{"format": "ecma-wizard-bundle"}')]))


def test_mutated_reports_end_in_one_sentence_or_open():
    rng = random.Random(14)
    for _ in range(300):
        data = mutate(rng, [REAL])
        assert reports.is_report(data) in (True, False)  # the check diff makes first never raises
        try:
            report = reports.read_report(data, "fuzz.zip")
            assert isinstance(report.summary, str)
            report.doctor_checks()
            report.connector_pages()
            report.dlls()
            report.events()
            report.configuration()
        except UserError as exc:
            assert exc.sentence().startswith("fuzz.zip"), exc.sentence()
