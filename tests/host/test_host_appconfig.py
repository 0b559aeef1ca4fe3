"""The .exe.config reader/writer: typed values, lossless edits, backup, atomic save, external change."""

from __future__ import annotations

import difflib
import re
import shutil

import pytest

from app.errors import SaveRefused, UserError
from app.filestore import list_backups
from app.host.appconfig import (
    AppConfig,
    AppConfigStore,
    logging_levels,
    normalize_level,
    port_of_url,
    set_logging_level,
)
from app.host.layout import from_host_dir

CRLF_CONFIG = (
    "\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<configuration>\r\n"
    "\t<!-- keep me -->\r\n\t<appSettings>\r\n\t\t<add key=\"UrlHost\"   value='http://*:9443/ecma2host'/>\r\n"
    "\t\t<add key=\"Debug\" value=\"False\" />\r\n\t</appSettings>\r\n"
    "\t<system.diagnostics><sources><source name=\"ConnectorsLog\" switchValue=\"verbose\" /></sources>"
    "</system.diagnostics>\r\n</configuration>\r\n"
).encode("utf-8")


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_typed_values_of_the_sample_service_config(host):
    config = AppConfig.load(host.service_config_path)
    assert config.url_host == "http://*:8585/ecma2host"
    assert config.url_port == 8585
    assert config.debug is False and config.write_verbose_log is False
    assert config.sources == ["ConnectorsLog", "ECMA2Host"]
    assert config.switch_value("ConnectorsLog") == "Verbose"
    assert config.switch_value("Nope") is None
    assert config.bad_levels() == {}


def test_unedited_config_saves_byte_identical(host):
    before = host.service_config_path.read_bytes()
    store = AppConfigStore(host.service_config_path)
    result = store.save(store.load())
    assert not result.changed and host.service_config_path.read_bytes() == before


def test_one_level_change_is_a_one_line_diff_keeping_comments(host):
    path = host.service_config_path
    before = path.read_bytes()
    store = AppConfigStore(path)
    config = store.load()
    config.set_switch_value("ECMA2Host", "Warning")
    result = store.save(config)
    after = path.read_bytes()
    assert result.changed and result.backup is not None
    assert result.backup.path.read_bytes() == before
    assert changed_lines(before, after) == [
        '-      <source name="ECMA2Host" switchValue="Information">',
        '+      <source name="ECMA2Host" switchValue="Warning">']
    assert b"<!-- The SCIM endpoint" in after


def test_crlf_bom_tabs_and_quotes_survive_an_edit():
    config = AppConfig.from_bytes(CRLF_CONFIG, "svc.config")
    assert config.url_port == 9443 and config.debug is False
    assert config.bad_levels() == {"ConnectorsLog": "verbose"}  # wrong case: the service ignores it
    config.set_switch_value("ConnectorsLog", "Verbose")
    config.set_write_verbose_log(True)
    out = config.to_bytes()
    assert out.startswith(b"\xef\xbb\xbf") and b"\r\n\t<!-- keep me -->\r\n" in out
    assert b"value='http://*:9443/ecma2host'/>" in out
    assert b'\t\t<add key="WriteVerboseLog" value="true" />\r\n\t</appSettings>' in out
    assert AppConfig.from_bytes(out).switch_value("ConnectorsLog") == "Verbose"


def test_levels_are_case_sensitive_in_the_file_and_forgiving_on_input():
    assert normalize_level("verbose") == "Verbose"
    with pytest.raises(UserError, match="not a logging level"):
        normalize_level("Debug")
    config = AppConfig.from_bytes(CRLF_CONFIG)
    with pytest.raises(UserError):
        config.set_switch_value("ConnectorsLog", "verbose")
    with pytest.raises(UserError, match="no <source"):
        config.set_switch_value("ECMA2Host", "Error")


def test_port_of_url():
    assert port_of_url("http://*:8585/ecma2host") == 8585
    assert port_of_url("https://+:443/") == 443
    assert port_of_url("http://*/ecma2host") is None
    assert port_of_url(None) is None


def test_a_file_changed_on_disk_is_not_overwritten(host):
    path = host.service_config_path
    store = AppConfigStore(path)
    config = store.load()
    config.set_switch_value("ECMA2Host", "Error")
    path.write_bytes(path.read_bytes().replace(b"false", b"False"))  # someone else's edit
    theirs = path.read_bytes()
    with pytest.raises(SaveRefused, match="changed on disk"):
        store.save(config)
    assert path.read_bytes() == theirs


def test_not_a_configuration_file_is_one_sentence(tmp_path):
    p = tmp_path / "x.config"
    p.write_bytes(b"<Configuration/>")
    with pytest.raises(UserError, match="not a .NET configuration file"):
        AppConfig.load(p)


def test_set_logging_level_edits_both_files_and_write_verbose_log(host):
    saves = set_logging_level(host, "verbose")
    assert [s.changed for s in saves] == [True, True]
    levels = {f.role: f for f in logging_levels(host)}
    assert levels["service"].levels == {"ConnectorsLog": "Verbose", "ECMA2Host": "Verbose"}
    assert levels["wizard"].levels == {"ConnectorsLog": "Verbose", "ECMA2Host": "Verbose"}
    assert levels["service"].write_verbose_log is True
    assert len(list_backups(host.service_config_path)) == 1
    set_logging_level(host, "Information")
    levels = {f.role: f for f in logging_levels(host)}
    assert levels["service"].write_verbose_log is False
    assert levels["wizard"].levels["ECMA2Host"] == "Information"


def test_a_bad_wizard_file_stops_the_change_before_anything_is_written(host):
    service_before = host.service_config_path.read_bytes()
    host.wizard_config_path.write_bytes(b"<configuration><broken></configuration>")
    with pytest.raises(UserError, match="well-formed"):
        set_logging_level(host, "Error")
    assert host.service_config_path.read_bytes() == service_before


def test_no_config_files_is_a_user_error(tmp_path, host):
    host.service_config_path.unlink()
    host.wizard_config_path.unlink()
    with pytest.raises(UserError, match="exe.config"):
        logging_levels(host)


def test_the_wizard_file_never_gains_write_verbose_log(host):
    wizard = host.wizard_config_path
    # (a checkout on Windows may have CRLF line ends: cut the line either way)
    wizard.write_bytes(re.sub(rb'[ ]*<add key="WriteVerboseLog" value="false" />\r?\n', b"", wizard.read_bytes()))
    set_logging_level(host, "Verbose")
    assert b"WriteVerboseLog" not in wizard.read_bytes()
    assert b'switchValue="Verbose"' in wizard.read_bytes()
