"""Which host the app works on, and the sample host copy."""

from __future__ import annotations

import pytest

from app.errors import UserError
from app.host import layout
from app.host.processes import parse_tasklist, tasklist_command
from app.paths import data_dir


def test_without_an_install_the_sample_host_is_copied_to_the_data_folder(sample_host):
    found = layout.resolve()
    assert found.is_sample
    assert found.root == data_dir() / "sample-host"
    assert found.config_path.read_bytes() == (
        sample_host / "Service/Configuration/Configuration.xml").read_bytes()
    assert found.service_config_path.exists() and found.wizard_config_path.exists()
    names = [p.name for p in found.connector_dlls()]
    assert "Microsoft.IAM.Connector.PowerShell.dll" in names
    # the packaged copy is never the one edited
    assert sample_host.resolve() not in found.config_path.resolve().parents


def test_the_copy_is_kept_between_runs():
    first = layout.resolve()
    first.config_path.write_bytes(first.config_path.read_bytes() + b"\n")
    assert layout.resolve().config_path.read_bytes().endswith(b"\n\n")


def test_host_dir_and_config(sample_host, tmp_path):
    host = layout.resolve(host_dir=str(sample_host))
    assert host.root == sample_host and not host.is_sample
    cfg = layout.resolve(config=str(sample_host / "Service/Configuration/Configuration.xml"))
    assert cfg.root.resolve() == sample_host.resolve()
    loose = tmp_path / "export.xml"
    loose.write_text("<Configuration/>")
    assert layout.resolve(config=str(loose)).root is None
    with pytest.raises(UserError, match="not a folder"):
        layout.resolve(host_dir=str(loose))
    with pytest.raises(UserError, match="Configuration.xml"):
        layout.resolve(host_dir=str(tmp_path))


def test_tasklist_parsing():
    assert tasklist_command()[:2] == ["tasklist", "/FI"]
    out = ('"Microsoft.ECMA2Host.ConfigWizard.exe","4242","Console","1","88,120 K"\r\n')
    assert parse_tasklist(out) == [4242]
    assert parse_tasklist("INFO: No tasks are running which match the specified criteria.\r\n") == []
