"""Every rule fires when it should and stays quiet when it should not."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from app.config import builders as b
from app.config.document import ConfigDocument
from app.config.rules import validate
from tests.config.helpers import document_with, minimal_spec


def codes(doc: ConfigDocument) -> set[str]:
    return {f.code for f in validate(doc)}


def test_a_good_document_has_no_findings():
    assert validate(document_with(minimal_spec())) == []


def test_microsofts_export_shape_has_no_errors(csv_export):
    doc = ConfigDocument.load(csv_export)
    assert not [f for f in validate(doc) if f.severity == "error"]


def test_the_sample_host_has_no_errors(sample_host):
    doc = ConfigDocument.load(sample_host / "Service/Configuration/Configuration.xml")
    assert not [f for f in validate(doc) if f.severity == "error"]


# (code, how to break a good spec or document)
def _name(spec):
    spec.name = "HR Data/1"


def _timer_zero(spec):
    spec.autosync_timer = 0


def _timer_low(spec):
    spec.autosync_timer = 10


def _timer_high(spec):
    spec.autosync_timer = 20000


def _token_short(spec):
    spec.secret_token = "short"


def _token_empty(spec):
    spec.secret_token = ""


def _two_anchors(spec):
    spec.attributes.append(b.attribute_schema("Other", anchor=True))


def _no_anchor(spec):
    spec.attributes = [b.attribute_schema("Mail")]


def _dot(spec):
    spec.attributes.append(b.attribute_schema("extension.attr"))


def _bracket(spec):
    spec.attributes.append(b.attribute_schema("proxy[0]"))


def _multi(spec):
    spec.attributes.append(b.attribute_schema("Phones", multivalued=True))


def _reference(spec):
    spec.attributes.append(b.attribute_schema("Manager", "Reference"))


def _binary(spec):
    spec.attributes.append(b.attribute_schema("Photo", "Binary"))


def _no_export(spec):
    spec.run_profiles.pop("Export")


def _no_import(spec):
    spec.run_profiles.pop("FullImport")


def _anchor_multi(spec):
    spec.attributes = [b.attribute_schema("Id", anchor=True, multivalued=True)]


def _status_not_boolean(spec):
    spec.hard_delete_status_attribute = "Mail"
    spec.attributes.append(b.attribute_schema("Mail", "String"))


def _status_selected(spec):
    spec.soft_delete_status_attribute = "Enabled"


def _unknown_deprovisioning(spec):
    spec.hard_delete = "SomethingNew"


def _unknown_type(spec):
    spec.attributes.append(b.attribute_schema("When", "DateTime"))


SPEC_RULES = {
    "name-url": _name, "timer-invalid": _timer_zero, "timer-below-120": _timer_low,
    "timer-high": _timer_high, "token-short": _token_short, "token-empty": _token_empty,
    "anchor-count": _two_anchors, "attribute-name": _dot, "attribute-multivalued": _multi,
    "attribute-type": _reference, "no-export": _no_export, "no-import": _no_import,
    "anchor-multivalued": _anchor_multi, "status-not-boolean": _status_not_boolean,
    "status-selected": _status_selected, "deprovisioning-unknown": _unknown_deprovisioning,
    "attribute-type-unknown": _unknown_type,
}


@pytest.mark.parametrize("code", SPEC_RULES)
def test_rule_fires(code):
    spec = minimal_spec()
    SPEC_RULES[code](spec)
    found = [f for f in validate(document_with(spec)) if f.code == code]
    assert found, code
    f = found[0]
    assert f.message and f.fix and f.connector == spec.name and f.page


@pytest.mark.parametrize("breaker", [_no_anchor, _bracket, _binary])
def test_more_breakers(breaker):
    spec = minimal_spec()
    breaker(spec)
    assert any(f.severity == "error" for f in validate(document_with(spec)))


def test_encrypted_token_is_not_judged_by_length():
    spec = minimal_spec(secret_token="AAEAAAD/////AQAA")
    assert "token-short" not in codes(document_with(spec))


def test_duplicate_and_case_names_and_tokens():
    doc = document_with(minimal_spec("HR"), minimal_spec("HR"), minimal_spec("hr"))
    found = codes(doc)
    assert {"name-duplicate", "name-case", "token-duplicate"} <= found
    doc = document_with(minimal_spec("HR"), minimal_spec("Badges", secret_token="x" * 32))
    assert not {"name-duplicate", "name-case", "token-duplicate"} & codes(doc)


def test_empty_name():
    doc = document_with(minimal_spec(""))
    assert "name-empty" in codes(doc)


def test_object_types_and_partitions_must_be_one():
    doc = document_with(minimal_spec())
    c = doc.connectors[0]
    entries = c.schema.ensure("EntriesSchema")
    doc.xml.append(entries, copy.deepcopy(b.connector(minimal_spec()).find(".//EntrySchema")))
    doc.xml.append(c.schema.ensure("Partitions"), b.partition("second"))
    found = codes(doc)
    assert {"object-types", "partitions"} <= found


@pytest.mark.parametrize("port,bad", [("8585", False), ("0", True), ("70000", True), ("x", True)])
def test_port(port, bad):
    doc = document_with(minimal_spec())
    doc.setting.port = port
    assert ("port" in codes(doc)) == bad


@pytest.mark.parametrize("thumb,code", [("AB" * 20, None), ("ab12" * 10, None), ("XYZ", "thumbprint"),
                                        ("", "no-certificate"), ("AB" * 21, "thumbprint")])
def test_thumbprint(thumb, code):
    found = codes(document_with(minimal_spec(), thumbprint=thumb))
    assert ({"thumbprint", "no-certificate"} & found) == ({code} if code else set())


def test_unknown_element_is_a_warning_and_missing_required_an_error():
    doc = document_with(minimal_spec())
    c = doc.connectors[0]
    doc.xml.insert(c.ecma.el, 1, b.element("FutureField", "x"))
    found = {f.code: f for f in validate(doc)}
    assert found["unknown-element"].severity == "warning"
    doc = document_with(minimal_spec())
    doc.xml.remove(doc.connectors[0].ecma.el.find("LibraryName"))
    assert any(f.code == "structure" and f.severity == "error" for f in validate(doc))


def test_no_setting_is_an_error():
    doc = document_with(minimal_spec())
    doc.xml.remove(doc.root.find("Setting"))
    assert "no-setting" in codes(doc)


def _severity_of(spec, code):
    return {f.severity for f in validate(document_with(spec)) if f.code == code}


def test_multivalued_attribute_is_a_warning_saying_what_entra_must_send():
    spec = minimal_spec()
    _multi(spec)
    assert _severity_of(spec, "attribute-multivalued") == {"warning"}
    finding = next(f for f in validate(document_with(spec)) if f.code == "attribute-multivalued")
    assert "Split" in finding.fix and "list of values" in finding.message


def test_objectclass_multivalued_on_generic_ldap_is_microsofts_documented_setup():
    spec = minimal_spec(library_name="Microsoft.IAM.Connector.GenericLdap")
    spec.attributes.append(b.attribute_schema("objectClass", multivalued=True))
    assert _severity_of(spec, "attribute-multivalued") == set()
    assert not [f for f in validate(document_with(spec)) if f.severity == "error"]
    spec = minimal_spec()  # the same attribute elsewhere is still worth a word
    spec.attributes.append(b.attribute_schema("objectClass", multivalued=True))
    assert _severity_of(spec, "attribute-multivalued") == {"warning"}


# Encrypted as files spell it (and as hand edits might): is_secret strips and ignores case
_FLAGS = ["true", " TRUE ", "True", "1", "yes", "Yes\n", "false", "False", "0", "no", "", "truthy",
          "<!-- x -->true", "t<!-- x -->rue"]


def test_the_secret_parameters_are_the_ones_is_secret_names():
    """Connector.secret_parameters (an XPath pre-selection, for validation's speed) finds exactly
    the parameters Parameter.is_secret calls secret, whatever the spelling of Type and Encrypted."""
    params = [b.parameter(f"P{i}", "String", "Connectivity", "v") for i in range(len(_FLAGS))]
    doc = document_with(minimal_spec(parameters=params + [
        b.parameter("Typed", "EncryptedString", "Global", "v"),
        b.parameter("Spaced", " EncryptedString", "Global", "v"),
        b.parameter("Lower", "encryptedstring", "Global", "v")]))
    for i, flag in enumerate(_FLAGS):
        param = doc.connectors[0].parameter(f"P{i}")
        assert param is not None
        old = param.el.find("Encrypted")
        old.getparent().replace(old, etree.fromstring(f"<Encrypted>{flag}</Encrypted>"))
    data = etree.tostring(doc.root)
    connector = ConfigDocument.from_bytes(data, "t").connectors[0]
    expected = [p.name for p in connector.parameters if p.is_secret]
    assert [p.name for p in connector.secret_parameters()] == expected
    assert {"P0", "P1", "P3", "P4", "Typed"} <= set(expected)  # the spellings really varied
    assert not {"P6", "P10", "Spaced", "Lower"} & set(expected)


def test_unreadable_secret_parameters_are_found_as_reading_every_parameter_would():
    """validate picks the parameters whose Value may claim to be encrypted with one XPath (for
    speed); the findings must be those of reading every parameter: secret by Type or by any true
    spelling of Encrypted, the value stripped, and nothing for a parameter that is not secret."""
    broken = "AAEAAAD/////AQAAAAAAAAAL"  # claims to be an encrypted value, cannot be read
    params = [b.parameter(f"E{i}", "String", "Connectivity", broken) for i in range(len(_FLAGS))] + [
        b.parameter("Typed", "EncryptedString", "Global", broken),
        b.parameter("Padded", "EncryptedString", "Global", f"\n   {broken}  "),
        b.parameter("Plain", "String", "Global", broken),  # not secret: not judged
        b.parameter("Inside", "EncryptedString", "Global", f"x{broken}"),  # does not start with it
        b.parameter("Commented", "EncryptedString", "Global", broken)]
    doc = document_with(minimal_spec(parameters=params))
    connector = doc.connectors[0]
    for i, flag in enumerate(_FLAGS):
        old = connector.parameter(f"E{i}").el.find("Encrypted")
        old.getparent().replace(old, etree.fromstring(f"<Encrypted>{flag}</Encrypted>"))
    value = connector.parameter("Commented").el.find("Value")  # its text stops at the comment
    value.getparent().replace(value, etree.fromstring("<Value>AAEAAAD<!-- c -->/////AQAAAAAAAAAL</Value>"))
    doc = ConfigDocument.from_bytes(etree.tostring(doc.root), "t")
    connector = doc.connectors[0]

    found = [f.field for f in validate(doc) if f.code == "secret-unreadable" and f.field != "SecretToken"]
    expected = [p.name for p in connector.parameters
                if p.is_secret and p.value.strip().startswith("AAEAAAD/////")]
    assert found == expected
    assert {"E0", "E1", "Typed", "Padded"} <= set(found)  # the cases really varied
    assert not {"E6", "Plain", "Inside", "Commented"} & set(found)
