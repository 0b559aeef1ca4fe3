"""Bundles are zips from another machine: fuzzed (bytes and manifests, 5,000 cases), and hostile
ones (path traversal, absolute paths, drive letters, symlinks, zip bombs, many entries, duplicate
names) refused in one sentence before anything is written."""

from __future__ import annotations

import io
import json
import random
import shutil
import stat
import time
import zipfile

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.errors import UserError
from app.host.layout import from_host_dir
from app.migrate import bundle
from app.migrate.restore import restore_bundle
from tests.reliability.fuzzing import ROOT, SETTINGS, clear_error, mutate, random_bytes, timed

PASS = "correct horse battery staple"
SAMPLE = ROOT / "resources" / "sample-host"


def _sample_bundle(passphrase: str | None) -> bytes:
    return bundle.create_bundle(from_host_dir(SAMPLE), passphrase=passphrase).data


PLAIN, SEALED = _sample_bundle(None), _sample_bundle(PASS)


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


class _FakeCertStore:
    def available(self) -> bool:
        return False

    unavailable_reason = "test"


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    """A small host to restore onto: the three files a restore writes."""
    root = tmp_path_factory.mktemp("restore-host")
    for rel in ("Service/Configuration/Configuration.xml", "Service/Microsoft.ECMA2Host.Service.exe.config",
                "Wizard/Microsoft.ECMA2Host.ConfigWizard.exe.config"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / rel, root / rel)
    return from_host_dir(root)


def _read_and_restore(data: bytes, target) -> None:
    with timed("bundle"):
        try:
            read = bundle.read_bundle(data, "fuzz.zip")
            read.document()
            restore_bundle(read, target, passphrase=PASS, cert_store=_FakeCertStore(), here="ELSEWHERE")
        except UserError as exc:
            assert "fuzz.zip" in exc.sentence() or str(target.root) in exc.sentence(), exc.sentence()


# -- structure-aware: a real bundle whose manifest or entries are changed, checksums kept right -
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12)
                           | st.sampled_from(["../../etc/passwd", "/dev/zero", "C:\\x", "Service/ECMA/x.dll"]),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["path", "sha256", "connector", "key", "label",
                                                              "fields", "mode", "thumbprint", "size"]),
                                             inner, max_size=3), max_leaves=8)
MANIFEST_KEYS = ["format", "version", "id", "files", "dlls", "certificate", "secrets", "connectors",
                 "machine", "port"]


@st.composite
def edited_bundle(draw) -> bytes:
    entries = _entries(draw(st.sampled_from([PLAIN, SEALED])))
    manifest = json.loads(entries[bundle.MANIFEST])
    for _ in range(draw(st.integers(0, 3))):
        manifest[draw(st.sampled_from(MANIFEST_KEYS))] = draw(JSON_VALUES)
    if draw(st.booleans()):  # change one entry's bytes, and its checksum so the reading goes on
        name = draw(st.sampled_from(sorted(n for n in entries if n != bundle.MANIFEST)))
        entries[name] = mutate(random.Random(draw(st.integers(0, 2**32))), [entries[name]])
        if isinstance(manifest.get("files"), dict) and isinstance(manifest["files"].get(name), dict):
            manifest["files"][name]["sha256"] = bundle.sha256(entries[name])
    entries[bundle.MANIFEST] = json.dumps(manifest).encode()
    return _zip(list(entries.items()))


@pytest.mark.fuzz
@SETTINGS
@given(st.one_of(edited_bundle(), edited_bundle(),
                 st.integers(0, 2**63).map(lambda n: mutate(random.Random(n), [PLAIN, SEALED])),
                 random_bytes()))
@example(_zip([(bundle.MANIFEST, b'{"format": "ecma-wizard-bundle", "version": "x"}')]))
@example(_zip([(bundle.MANIFEST, b'{"format": "ecma-wizard-bundle", "files": []}')]))
@example(_zip([(bundle.MANIFEST, b'{"format": "ecma-wizard-bundle", "files": {"a": 1}}')]))
def test_fuzz_bundle_read_and_restore(target, data):
    _read_and_restore(data, target)


def test_manifest_dll_paths_cannot_read_outside_the_host(target, tmp_path):
    """A manifest naming '../../x' or '/etc/passwd' as a DLL must not make restore look there."""
    outside = target.root.parent / "outside.dll"
    outside.write_bytes(b"MZ")
    entries = _entries(PLAIN)
    manifest = json.loads(entries[bundle.MANIFEST])
    manifest["dlls"] = [{"path": "../outside.dll", "sha256": bundle.sha256(b"MZ"), "size": 2},
                        {"path": "/etc/passwd", "sha256": "0", "size": 1}]
    entries[bundle.MANIFEST] = json.dumps(manifest).encode()
    with pytest.raises(UserError, match="unsafe"):
        bundle.read_bundle(_zip(list(entries.items())), "evil.zip")


# -- hostile zips --------------------------------------------------------------------------------
def _symlink_entry(name: str, to: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, to.encode()


MANIFEST = _entries(PLAIN)[bundle.MANIFEST]
BOMB = b"\x00" * (200 * 1024 * 1024)  # deflates to ~200 KB: ratio ~1000
HOSTILE = {
    "dot-dot": [(bundle.MANIFEST, MANIFEST), ("../../evil.txt", b"x")],
    "dot-dot-inside": [(bundle.MANIFEST, MANIFEST), ("Service/../../evil.txt", b"x")],
    "absolute": [(bundle.MANIFEST, MANIFEST), ("/etc/cron.d/evil", b"x")],
    "drive-letter": [(bundle.MANIFEST, MANIFEST), ("C:/Windows/evil.dll", b"x")],
    "drive-relative": [(bundle.MANIFEST, MANIFEST), ("C:evil.dll", b"x")],
    "backslashes": [(bundle.MANIFEST, MANIFEST), ("..\\..\\evil.txt", b"x")],
    "unc": [(bundle.MANIFEST, MANIFEST), ("//server/share/evil", b"x")],
    "symlink": [(bundle.MANIFEST, MANIFEST), _symlink_entry(bundle.CONFIGURATION, "/etc/passwd")],
    "many-entries": [(bundle.MANIFEST, MANIFEST)] + [(f"x/{i}", b"") for i in range(5000)],
    "duplicate-names": [(bundle.MANIFEST, MANIFEST), (bundle.CONFIGURATION, b"<Configuration/>"),
                        (bundle.CONFIGURATION, b"<Configuration><Evil/></Configuration>")],
}


@pytest.mark.parametrize("case", list(HOSTILE) + ["bomb-ratio", "bomb-size-lies"])
def test_hostile_zip_is_refused_quickly_and_nothing_written(case, target, tmp_path):
    if case == "bomb-ratio":
        data = _zip([(bundle.MANIFEST, MANIFEST), (bundle.CONFIGURATION, BOMB)])
    elif case == "bomb-size-lies":  # the central directory claims a small size; the stream is huge
        data = bytearray(_zip([(bundle.MANIFEST, MANIFEST), (bundle.CONFIGURATION, BOMB)]))
        cd = data.rfind(b"PK\x01\x02")
        data[cd + 24: cd + 28] = (1000).to_bytes(4, "little")  # uncompressed size in the CD
        data = bytes(data)
    else:
        data = _zip(HOSTILE[case])
    before = {p: p.read_bytes() for p in target.root.rglob("*") if p.is_file()}
    start = time.perf_counter()
    with pytest.raises(UserError) as caught:
        read = bundle.read_bundle(data, "evil.zip")
        restore_bundle(read, target, passphrase=PASS, cert_store=_FakeCertStore())
    spent = time.perf_counter() - start
    clear_error(caught.value, "evil.zip")
    assert spent < 5.0, f"{case}: {spent:.2f} s"  # refused before inflating; margin for load
    after = {p: p.read_bytes() for p in target.root.rglob("*") if p.is_file()}
    assert after == before
    assert not (target.root.parent / "evil.txt").exists()
