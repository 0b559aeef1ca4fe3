"""Log zips: a zip bomb is refused with one sentence, before (or while) anything is unpacked."""

from __future__ import annotations

import zipfile

import pytest

from app.errors import UserError
from app.events.sources import zip_bundle
from app.events.sources.base import open_source
from tests.events.sample import event_xml, sample_events


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ECMA_WIZARD_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


def dump_bytes(count: int = 20) -> bytes:
    events = sample_events()[:count]
    return "".join(event_xml(t, 4, p, m, n) for n, (t, _, p, m) in enumerate(events, 1)).encode()


def refused(path) -> str:
    with pytest.raises(UserError) as info:
        open_source(path).load()
    text = info.value.sentence()
    assert str(path) in text and "zip bomb" in text and "\n" not in text
    return text


def test_a_member_that_unpacks_over_200_times_its_size_is_refused(tmp_path, data_folder):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Logs/ECMA2Host.xml", dump_bytes() + b" " * (30 << 20))
    assert "times its packed size" in refused(path)
    assert not list(data_folder.rglob("*.xml"))  # nothing was written


def test_member_and_total_limits(tmp_path, monkeypatch):
    path = tmp_path / "logs.zip"
    data = dump_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.xml", data)
        archive.writestr("b.xml", data)
    assert len(open_source(path).load()) == 40  # within the limits: read as usual
    monkeypatch.setattr(zip_bundle, "MAX_MEMBER", len(data) - 1)
    assert "per log" in refused(path)
    monkeypatch.setattr(zip_bundle, "MAX_MEMBER", 1 << 30)
    monkeypatch.setattr(zip_bundle, "MAX_TOTAL", len(data) + 10)
    assert "in all" in refused(path)


def test_bytes_are_counted_while_unpacking(tmp_path, monkeypatch, data_folder):
    # a header can lie about sizes; the count of bytes actually unpacked is checked too: here the
    # declared sizes pass the check at opening, then the limit drops under what really unpacks
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.xml", dump_bytes())
        archive.writestr("b.xml", dump_bytes())
    source = open_source(path)
    monkeypatch.setattr(zip_bundle, "MAX_TOTAL", len(dump_bytes()) + 10)
    with pytest.raises(UserError) as info:
        source.load()
    text = info.value.sentence()
    assert "zip bomb" in text and "more than its header says" in text
    assert not list(data_folder.rglob("*.xml"))  # the partial copies were removed
