"""Response documents: exact bytes, ISO-8859-1, and valid against the platform's XSD."""

from __future__ import annotations

import pytest
from lxml import etree

from tipline.intake.ispws import (
    CONTENT_TYPE,
    RESPONSE_DESCRIPTIONS,
    ResponseCode,
    parse_and_validate,
    report_done_response,
    report_response,
)

DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'

# The reference's table, restated so a typo in the module cannot hide.
REFERENCE_TABLE = {
    0: "Success",
    1000: "Server error",
    1100: "Save failed",
    1110: "Upload failed",
    1111: "File upload failed",
    1210: "Resource not found",
    1300: "Update failed",
    2000: "Authentication required",
    3000: "Not authorized",
    3100: "No submission authorization",
    3300: "No update authorization",
    4000: "Invalid request",
    4100: "Validation failed",
    4110: "Malformed XML",
    4200: "Malformed file",
    5001: "Report does not exist",
    5002: "File does not exist",
    5101: "Report already retracted",
    5102: "Report already finished",
}


def test_descriptions_match_the_reference_table() -> None:
    assert RESPONSE_DESCRIPTIONS == REFERENCE_TABLE
    assert {int(code) for code in ResponseCode} == set(REFERENCE_TABLE)


def test_content_type_names_the_encoding() -> None:
    assert CONTENT_TYPE == "application/xml;charset=ISO-8859-1"


def test_submit_success_response_is_exact() -> None:
    assert report_response(0, report_id=4242) == DECLARATION + (
        b"<reportResponse><responseCode>0</responseCode>"
        b"<responseDescription>Success</responseDescription>"
        b"<reportId>4242</reportId></reportResponse>"
    )


def test_upload_response_carries_file_id_and_hash() -> None:
    body = report_response(
        ResponseCode.SUCCESS,
        report_id=7,
        file_id="0123456789abcdef0123456789abcdef",
        md5="d41d8cd98f00b204e9800998ecf8427e",
    )
    assert body == DECLARATION + (
        b"<reportResponse><responseCode>0</responseCode>"
        b"<responseDescription>Success</responseDescription><reportId>7</reportId>"
        b"<fileId>0123456789abcdef0123456789abcdef</fileId>"
        b"<hash>d41d8cd98f00b204e9800998ecf8427e</hash></reportResponse>"
    )


def test_error_response_uses_the_given_description() -> None:
    body = report_response(4100, "Validation failed [1,638] - Invalid content")
    assert b"<responseCode>4100</responseCode>" in body
    assert b"<responseDescription>Validation failed [1,638] - Invalid content<" in body
    assert b"<reportId>" not in body


@pytest.mark.parametrize("code", sorted(REFERENCE_TABLE))
def test_every_code_has_a_default_description(code: int) -> None:
    root = etree.fromstring(report_response(code))
    assert root.findtext("responseDescription") == REFERENCE_TABLE[code]


def test_unknown_code_without_description_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="1234"):
        report_response(1234)


def test_text_outside_latin_1_survives_as_character_references() -> None:
    description = "Validation failed - 'Ƙ' ẹ́ 😀 café"
    body = report_response(4100, description)
    assert body.startswith(DECLARATION)
    body.decode("iso-8859-1")  # every byte is Latin-1
    assert etree.fromstring(body).findtext("responseDescription") == description


def test_characters_xml_cannot_carry_are_replaced_not_fatal() -> None:
    body = report_response(4100, "bad\x00byte\x1b")
    assert etree.fromstring(body).findtext("responseDescription") == "bad\ufffdbyte\ufffd"


def test_finish_response_without_files_has_an_empty_files_element() -> None:
    assert report_done_response(12, []) == DECLARATION + (
        b"<reportDoneResponse><responseCode>0</responseCode><reportId>12</reportId>"
        b"<files/></reportDoneResponse>"
    )


def test_finish_response_lists_files_in_order() -> None:
    body = report_done_response(12, ["a" * 32, "b" * 32])
    assert body.endswith(
        b"<files><fileId>" + b"a" * 32 + b"</fileId><fileId>" + b"b" * 32 + b"</fileId></files>"
        b"</reportDoneResponse>"
    )


@pytest.mark.parametrize(
    ("body", "root"),
    [
        (report_response(0), "reportResponse"),
        (report_response(0, report_id=1, file_id="f" * 32, md5="0" * 32), "reportResponse"),
        (report_response(4110, "Malformed XML [1,1] - Document is empty"), "reportResponse"),
        (report_done_response(1, []), "reportDoneResponse"),
        (report_done_response(1, ["f" * 32, "e" * 32]), "reportDoneResponse"),
    ],
)
def test_responses_validate_against_the_schema(body: bytes, root: str) -> None:
    assert parse_and_validate(body, expected_root=root).tag == root
