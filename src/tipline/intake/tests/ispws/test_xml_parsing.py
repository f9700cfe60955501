"""Hardened parsing: what clients really send is accepted, hostile documents are refused fast."""

from __future__ import annotations

import pytest

from tipline.intake.ispws import (
    DocumentTooLarge,
    MalformedXML,
    ValidationFailed,
    parse_and_validate,
    parse_document,
    report_to_dict,
)
from tipline.intake.ispws.xml import MAX_BYTES

from .support import fixture_bytes, timed

# Hostile input must be refused in well under this (measured: a few milliseconds each).
FAST = 0.5

MINIMAL = fixture_bytes("report-minimal.xml")
BODY = MINIMAL.split(b"?>", 1)[1].strip()


@pytest.mark.parametrize(
    "name",
    [
        "accept-single-quoted-declaration.xml",
        "accept-no-declaration.xml",
        "accept-xsi-attributes.xml",
        "accept-bom-and-whitespace.xml",
        "accept-iso-8859-1.xml",
        "report-minimal.xml",
        "report-maximal.xml",
    ],
)
def test_report_as_clients_send_it_is_accepted(name: str) -> None:
    root = parse_and_validate(fixture_bytes(name), expected_root="report")
    assert root.tag == "report"


@pytest.mark.parametrize(
    "prefix",
    [
        b'<?xml version="1.0"?>',
        b"<?xml version='1.0'?>",
        b'<?xml version="1.0" encoding="utf-8"?>\n',
        b"<?xml version='1.0' encoding='ISO-8859-1' standalone='yes'?>\r\n",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf<?xml version='1.0'?>",
        b"\n\n   ",
        b"  \t\n<?xml version='1.0'?>\n",
        b"<!-- a leading comment -->\n",
    ],
)
def test_declaration_variants_are_accepted(prefix: bytes) -> None:
    assert parse_and_validate(prefix + BODY, expected_root="report").tag == "report"


def test_iso_8859_1_document_keeps_its_accented_text() -> None:
    root = parse_and_validate(fixture_bytes("accept-iso-8859-1.xml"), expected_root="report")
    person = report_to_dict(root)["reporter"]["reportingPerson"]
    assert (person["firstName"], person["lastName"]) == ("Émile", "Ñandú-Müller")
    assert report_to_dict(root)["incidentSummary"]["platform"] == "Café Éxample"


def test_utf16_document_is_accepted() -> None:
    body = '<?xml version="1.0" encoding="UTF-16"?>\n' + BODY.decode()
    root = parse_and_validate(body.encode("utf-16"), expected_root="report")
    assert report_to_dict(root)["reporter"]["reportingPerson"]["firstName"] == "A"


def test_leading_whitespace_before_the_declaration_keeps_line_numbers() -> None:
    shifted = b"\n\n" + MINIMAL.replace(b"<firstName>A</firstName>", b"<bogus/>")
    with pytest.raises(ValidationFailed) as caught:
        parse_and_validate(shifted, expected_root="report")
    assert caught.value.message.startswith("Validation failed [9,")


def test_doctype_text_inside_cdata_is_only_text() -> None:
    body = BODY.replace(
        b"</reporter>", b"</reporter><additionalInfo><![CDATA[<!DOCTYPE html>]]></additionalInfo>"
    )
    root = parse_and_validate(body, expected_root="report")
    assert report_to_dict(root)["additionalInfo"] == "<!DOCTYPE html>"


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "name", ["reject-xxe.xml", "reject-external-dtd.xml", "reject-billion-laughs.xml"]
)
def test_any_doctype_is_refused_before_anything_is_expanded(name: str) -> None:
    result, seconds = timed(lambda: parse_document(fixture_bytes(name), expected_root="report"))
    assert isinstance(result, MalformedXML)
    assert result.code == 4110
    assert "DOCTYPE is disallowed" in result.message
    assert seconds < FAST


def test_xxe_never_leaks_the_local_file() -> None:
    result, _ = timed(
        lambda: parse_document(fixture_bytes("reject-xxe.xml"), expected_root="report")
    )
    assert isinstance(result, MalformedXML)
    assert "root:" not in result.message


def test_quadratic_blowup_is_refused_fast() -> None:
    entity = b"A" * 100_000
    body = (
        b'<?xml version="1.0"?><!DOCTYPE report [<!ENTITY a "' + entity + b'">]>'
        b"<report><additionalInfo>" + b"&a;" * 40_000 + b"</additionalInfo></report>"
    )
    result, seconds = timed(lambda: parse_document(body, expected_root="report"))
    assert isinstance(result, MalformedXML)
    assert seconds < FAST


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf<!DOCTYPE report><report/>",
        b"<?xml version='1.0'?><?pi x?><!-- c --><!DOCTYPE report><report/>",
        '<!DOCTYPE report [<!ENTITY x "y">]><report/>'.encode("utf-16"),
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE report><report/>'.encode("utf-16-le"),
    ],
)
def test_doctype_is_refused_whatever_comes_before_it(body: bytes) -> None:
    with pytest.raises(MalformedXML, match="DOCTYPE is disallowed"):
        parse_document(body, expected_root="report")


def test_ten_thousand_levels_of_nesting_are_refused_fast() -> None:
    body = b"<report>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</report>"
    result, seconds = timed(lambda: parse_document(body, expected_root="report"))
    assert isinstance(result, ValidationFailed)
    assert result.code == 4100
    assert "Document exceeds a parser limit (Excessive depth in document" in result.message
    assert seconds < FAST


def test_nesting_beyond_our_own_depth_limit_is_refused() -> None:
    body = b"<report>" + b"<a>" * 100 + b"</a>" * 100 + b"</report>"
    with pytest.raises(ValidationFailed) as caught:
        parse_document(body, expected_root="report")
    assert caught.value.message == (
        "Validation failed [1,201] - Element nesting exceeds the maximum depth of 64."
    )


def test_oversize_document_is_refused_without_parsing() -> None:
    body = MINIMAL.replace(b"</reporter>", b"</reporter><additionalInfo>" + b"x" * MAX_BYTES)
    result, seconds = timed(lambda: parse_document(body, expected_root="report"))
    assert isinstance(result, DocumentTooLarge)
    assert isinstance(result, ValidationFailed)
    assert result.code == 4100
    assert f"exceeds the limit of {MAX_BYTES} bytes" in result.message
    assert seconds < 0.01


def test_size_limit_is_configurable_and_inclusive() -> None:
    assert parse_document(MINIMAL, expected_root="report", max_bytes=len(MINIMAL)) is not None
    with pytest.raises(DocumentTooLarge):
        parse_document(MINIMAL, expected_root="report", max_bytes=len(MINIMAL) - 1)


def test_document_just_under_the_limit_is_parsed_and_validated_quickly() -> None:
    urls = b"".join(b"<url>https://www.example.test/%d</url>" % i for i in range(120_000))
    body = MINIMAL.replace(
        b"</incidentSummary>",
        b"</incidentSummary><internetDetails><webPageIncident>"
        + urls
        + b"</webPageIncident></internetDetails>",
    )
    assert len(body) < MAX_BYTES
    result, seconds = timed(lambda: parse_and_validate(body, expected_root="report"))
    assert not isinstance(result, BaseException)
    assert seconds < 2.0


def test_error_at_the_end_of_a_large_document_is_located_quickly() -> None:
    urls = b"".join(b"<url>https://www.example.test/%d</url>\n" % i for i in range(100_000))
    body = MINIMAL.replace(
        b"</incidentSummary>",
        b"</incidentSummary><internetDetails><webPageIncident>"
        + urls
        + b"<bogus/></webPageIncident></internetDetails>",
    )
    result, seconds = timed(lambda: parse_and_validate(body, expected_root="report"))
    assert isinstance(result, ValidationFailed)
    assert "[100006,9] - Invalid content was found starting with element 'bogus'" in result.message
    assert seconds < 2.0


# --------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (fixture_bytes("reject-malformed.xml"), "Malformed XML [7,69] - Opening and ending tag"),
        (b"", "Malformed XML [1,1] - Document is empty"),
        (b"   \n", "Malformed XML"),
        (b"not xml at all", "Malformed XML [1,1] - Start tag expected"),
        (b"<report>&undefined;</report>", "Entity 'undefined' not defined"),
        (b"<report>caf\xe9</report>", "Malformed XML"),  # Latin-1 bytes without a declaration
        (b"<report>\x00</report>", "Malformed XML"),
        (b"<report></report><report/>", "Extra content at the end of the document"),
        (b"\n  <?xml version='1.0'?", "Malformed XML"),
    ],
)
def test_malformed_xml_answers_4110(body: bytes, message: str) -> None:
    with pytest.raises(MalformedXML) as caught:
        parse_document(body, expected_root="report")
    assert caught.value.code == 4110
    assert message in caught.value.message


def test_wrong_document_kind_is_a_validation_failure() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_document(fixture_bytes("filedetails-minimal.xml"), expected_root="report")
    assert caught.value.message == (
        "Validation failed [2,14] - Invalid content was found starting with element "
        "'fileDetails'. One of '{report}' is expected."
    )


def test_namespaced_root_is_not_the_report() -> None:
    with pytest.raises(ValidationFailed, match=r"'\{urn:example\}report'"):
        parse_document(b'<report xmlns="urn:example"/>', expected_root="report")
