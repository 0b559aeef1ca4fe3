"""Crafted host reports (issue 22 item 10): a manifest nested 200,000 deep, a size that is not a
number, JSON members nested deep, a member name that is not UTF-8 under the zip's UTF-8 flag. Each
is one sentence naming the file and what is wrong, in `read_report`, `diff` and the GUI's opening
of a report; none is "internal error". The zips are built here from the sample host's report."""

from __future__ import annotations

import json
import struct

import pytest

from app.cli import main
from app.errors import UserError
from app.migrate import bundle
from app.report import reader as reports
from tests.reliability.test_report_hostile import REAL, REAL_MEMBERS, entries, make, with_manifest

DEEP = b"[" * 200_000 + b"]" * 200_000


def deep_manifest() -> bytes:
    manifest = json.loads(entries(REAL)["manifest.json"])
    text = json.dumps({**manifest, "facts": {}}).encode()
    text = text[:-1] + b', "extra": ' + DEEP + b"}"
    return make([*REAL_MEMBERS.items(), ("manifest.json", text)])


def not_utf8_name() -> bytes:
    """An entry whose name bytes are not UTF-8 although its UTF-8 flag (bit 11) is set, in the
    local and the central header (zipfile writes ASCII names without the flag, so bytes are edited)."""
    data = bytearray(with_manifest({**REAL_MEMBERS, "raw/abc.txt": b"x"}))
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = data.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", data, at + name_at - (4 if signature == b"PK\x03\x04" else 18))
            if data[at + name_at:at + name_at + length] == b"raw/abc.txt":
                data[at + name_at + 4:at + name_at + 7] = b"\xff\xfe\xc3"
                struct.pack_into("<H", data, at + flags_at, struct.unpack_from("<H", data, at + flags_at)[0] | 0x800)
            at = data.find(signature, at + 4)
    return bytes(data)


def sized(size) -> bytes:
    files = json.loads(entries(with_manifest(REAL_MEMBERS))["manifest.json"])["files"]
    files["summary.md"]["size"] = size
    return with_manifest(REAL_MEMBERS, files=files)


CRAFTED = {
    "manifest nested 200,000 deep": (deep_manifest, "manifest.json nested deeper than 64 levels"),
    "size not a number": (lambda: sized("12 KB"), "size for 'summary.md' is not a number"),
    "size a list": (lambda: sized([1]), "size for 'summary.md' is not a number"),
    "negative size": (lambda: sized(-1), "size for 'summary.md' is not a number"),
    "name not UTF-8": (not_utf8_name, "name is marked UTF-8 but is not valid UTF-8"),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_report_is_one_sentence(case):
    make_zip, words = CRAFTED[case]
    with pytest.raises(UserError) as caught:
        reports.read_report(make_zip(), "evil.zip")
    sentence = caught.value.sentence()
    assert sentence.startswith("evil.zip: ") and words in sentence, sentence
    assert "\n" not in sentence


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_diff_says_the_same_sentence(case, tmp_path, sample_host, capsys):
    make_zip, words = CRAFTED[case]
    path = tmp_path / "evil.zip"
    path.write_bytes(make_zip())
    assert main(["diff", str(path), str(sample_host)]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and f"{path}: " in err, err
    assert words in err or "not an ecma-wizard" in err, err


@pytest.mark.parametrize("depth", [65, 900, 200_000])
def test_json_members_nested_deep_are_refused_when_read(depth):
    deep = b"[" * depth + b"]" * depth
    members = {**REAL_MEMBERS, "checks/doctor.json": b'{"checks": ' + deep + b"}",
               "connectors/Evil.json": deep, "host/ecma-tree.json": deep}
    report = reports.read_report(with_manifest(members), "odd.zip")
    for read, name in ((report.doctor_checks, "checks/doctor.json"), (report.connector_pages, "connectors/Evil.json"),
                       (report.dlls, "host/ecma-tree.json")):
        with pytest.raises(UserError, match=f"odd.zip: has a {name} nested deeper than 64 levels"):
            read()


def test_json_at_the_depth_we_write_still_reads():
    nested: object = {"severity": "info"}
    for _ in range(60):
        nested = [nested]
    assert bundle.load_json(json.dumps({"checks": nested}).encode(), "ok.zip", "checks/doctor.json")


def test_a_bundle_with_a_deep_manifest_or_a_bad_name_is_one_sentence():
    for data, words in ((make([("manifest.json", DEEP)]), "nested deeper than 64"),
                        (not_utf8_name(), "not valid UTF-8")):
        with pytest.raises(UserError, match=words):
            bundle.read_bundle(data, "evil.zip")
