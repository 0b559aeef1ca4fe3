"""Export in Microsoft's format (secrets blanked as Microsoft does) and import with name clashes."""

from __future__ import annotations

import pytest

from app.config.document import ConfigDocument
from app.config.secretfields import secret_fields
from app.errors import UserError
from app.migrate.connectors import (
    ClashAnswer,
    export_connectors,
    import_connectors,
    read_connector_file,
    unique_name,
)


@pytest.fixture
def host_doc(sample_host):
    return ConfigDocument.load(sample_host / "Service" / "Configuration" / "Configuration.xml")


def test_exporting_microsofts_export_gives_the_same_bytes(csv_export):
    assert export_connectors(ConfigDocument.load(csv_export)).data == csv_export.read_bytes()


def test_export_blanks_secrets_as_microsoft_does(host_doc):
    assert host_doc.connector("CSV").secret_token  # the sample host has encrypted secrets
    result = export_connectors(host_doc, ["HRDatabase"])
    text = result.data.decode("utf-8")
    assert text.startswith('<?xml version="1.0"?>\n<Configuration xmlns:xsd=')
    assert not text.endswith("\n")
    assert "<SecretToken></SecretToken>" in text and "<ECMAFolderPath />" in text
    assert "AAEAAAD" not in text  # no DPAPI blob leaves the host
    out = ConfigDocument.from_bytes(result.data)
    assert [c.name for c in out.connectors] == ["HRDatabase"]
    password = out.connectors[0].parameter("Password")
    assert password.encrypted is True and password.value == ""
    assert "<Encrypted>true</Encrypted>\n            <Value />" in text
    assert out.setting.certificate == host_doc.setting.certificate
    assert result.blanked == {"HRDatabase": ["Secret Token", "Password (Connectivity page)"]}
    # everything else is carried: same parameters, same values
    src = host_doc.connector("HRDatabase")
    assert [(p.name, p.value) for p in out.connectors[0].parameters if not p.is_secret] == \
        [(p.name, p.value) for p in src.parameters if not p.is_secret]


def test_export_all_and_unknown_name(host_doc):
    assert export_connectors(host_doc).connectors == ["CSV", "HRDatabase"]
    with pytest.raises(UserError, match="no connector named 'csv'.*did you mean 'CSV'"):
        export_connectors(host_doc, ["csv"])


def test_import_adds_renames_replaces_and_skips(host_doc, csv_export):
    source = read_connector_file(csv_export.read_bytes(), "csv.xml")
    asked = []

    def rename(name, suggested):
        asked.append((name, suggested))
        return ClashAnswer("rename", suggested)

    results = import_connectors(host_doc, source, rename)
    assert asked == [("CSV", "CSV2")]
    assert results[0].action == "renamed" and results[0].name == "CSV2"
    assert results[0].secrets_to_enter == ["Secret Token", "Password (Connectivity page)"]
    saved = ConfigDocument.from_bytes(host_doc.to_bytes())
    assert [c.name for c in saved.connectors] == ["CSV", "HRDatabase", "CSV2"]
    assert saved.connector("CSV2").parameter("FileName_Global").value == "InputFile.txt"

    results = import_connectors(saved, source, lambda n, s: ClashAnswer("replace"))
    again = ConfigDocument.from_bytes(saved.to_bytes())
    assert results[0].action == "replaced"
    assert [c.name for c in again.connectors] == ["CSV", "HRDatabase", "CSV2"]  # same place
    assert again.connector("CSV").secret_token == ""  # the export's blank replaced the blob

    before = again.to_bytes()
    assert import_connectors(again, source, lambda n, s: ClashAnswer("skip"))[0].action == "skipped"
    assert again.to_bytes() == before


def test_rename_to_a_taken_name_is_refused(host_doc):
    source = ConfigDocument.from_bytes(export_connectors(host_doc, ["CSV"]).data)
    with pytest.raises(UserError, match="that name is taken"):
        import_connectors(host_doc, source, lambda n, s: ClashAnswer("rename", "HRDatabase"))


def test_import_of_a_live_file_flags_foreign_ciphertext(host_doc, sample_host):
    empty = ConfigDocument.from_bytes(export_connectors(host_doc, ["CSV"]).data)
    empty.remove_connector("CSV")
    target = ConfigDocument.from_bytes(empty.to_bytes())
    results = import_connectors(target, host_doc, lambda n, s: ClashAnswer("skip"))
    assert results[0].foreign_secrets == ["Secret Token", "Password (Connectivity page)"]
    assert target.connectors[0].secret_token.startswith("AAEAAAD")  # carried, never cleaned


def test_a_mim_export_is_pointed_to_import_ma(mim_export):
    data = mim_export.read_bytes()
    with pytest.raises(UserError, match="import-ma"):
        read_connector_file(data, "lync.xml")


def test_secret_fields_cover_run_step_parameters(host_doc):
    el = host_doc.connector("CSV").el
    step_param = el.find("ConnectorConfig/RunConfigurations/RunConfiguration/RunSteps/RunStep/"
                         "Parameters/Parameter")
    step_param.find("Type").text = "EncryptedString"
    keys = [s.key for s in secret_fields(el)]
    assert keys[0] == "SecretToken" and "Parameter/Connectivity/Password" in keys
    assert any(k.startswith("RunStep/Export/0/") for k in keys)


def test_unique_name():
    assert unique_name("CSV", {"CSV"}) == "CSV2"
    assert unique_name("CSV2", {"CSV", "CSV2"}) == "CSV3"
