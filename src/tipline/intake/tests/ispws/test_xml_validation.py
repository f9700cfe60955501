"""Validation: golden rejections with NCMEC-style messages, positions, and the future-time rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from tipline.intake.ispws import (
    IspwsXMLError,
    MalformedXML,
    ValidationFailed,
    parse_and_validate,
    parse_document,
    validate,
)

from .support import fixture_bytes, root_name_of

MINIMAL = fixture_bytes("report-minimal.xml")
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

# fixture, expected code, expected message (a substring; most are the whole message)
GOLDEN = [
    (
        "reject-out-of-order.xml",
        4100,
        "Validation failed [4,23] - Invalid content was found starting with element "
        "'incidentDateTime'. One of '{incidentType}' is expected.",
    ),
    (
        "reject-missing-email.xml",
        4100,
        "Validation failed [11,23] - The content of element 'reportingPerson' is not complete. "
        "One of '{phone, email}' is expected.",
    ),
    (
        "reject-bad-enum.xml",
        4100,
        "Validation failed [4,48] - Value 'Something Else' of element 'incidentType' is not "
        "facet-valid with respect to enumeration '[Child Pornography (possession, manufacture, "
        "and distribution), Child Sex Trafficking, ",
    ),
    (
        "reject-platform-too-long.xml",
        4100,
        "Validation failed [5,283] - Value of element 'platform' with length = '257' is not "
        "facet-valid with respect to maxLength '256'.",
    ),
    (
        "reject-future-incident.xml",
        4100,
        "Validation failed [5,62] - The value '2999-01-01T00:00:00Z' of element "
        "'incidentDateTime' is in the future.",
    ),
    (
        "reject-false-annotation.xml",
        4100,
        "Validation failed [7,25] - Value 'false' of element 'spam' is not facet-valid with "
        "respect to enumeration '[, true, 1]'. It must be a value from the enumeration. "
        "An annotation is set with <spam/> or <spam>true</spam>, or left out.",
    ),
    (
        "reject-false-file-annotation.xml",
        4100,
        "Validation failed [5,38] - Value '0' of element 'infant' is not facet-valid",
    ),
    (
        "reject-second-ip-capture-event.xml",
        4100,
        # The reference's own example, word for word after the position.
        "Validation failed [2,166] - Invalid content was found starting with element "
        "'ipCaptureEvent'. One of '{deviceId, details, additionalInfo}' is expected.",
    ),
    (
        "reject-malformed.xml",
        4110,
        "Malformed XML [7,69] - Opening and ending tag mismatch: email line 7 and reportingPerson",
    ),
    ("reject-xxe.xml", 4110, "Malformed XML [2,1] - DOCTYPE is disallowed."),
    ("reject-external-dtd.xml", 4110, "Malformed XML [3,1] - DOCTYPE is disallowed."),
    ("reject-billion-laughs.xml", 4110, "Malformed XML [2,1] - DOCTYPE is disallowed."),
]


@pytest.mark.parametrize(("name", "code", "message"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_rejection(name: str, code: int, message: str) -> None:
    body = fixture_bytes(name)
    with pytest.raises(IspwsXMLError) as caught:
        parse_and_validate(body, expected_root=root_name_of(body), now=NOW)
    assert caught.value.code == code
    assert isinstance(caught.value, MalformedXML if code == 4110 else ValidationFailed)
    assert message in caught.value.message
    assert str(caught.value) == caught.value.message


def reject(body: bytes, root: str = "report") -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_and_validate(body, expected_root=root, now=NOW)
    return caught.value.message


def minimal_with(old: bytes, new: bytes) -> bytes:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            b"</reporter>",
            b"</reporter><additionalInfo/><extra/>",
            "[7,159] - Invalid content was found starting with element 'extra'. "
            "No child element is expected at this point.",
        ),
        (
            b"<email>",
            b'<email flavour="x">',
            "[7,95] - Attribute 'flavour' is not allowed to appear in element 'email'.",
        ),
        (
            b"<email>",
            b'<email type="Personal">',
            "[7,99] - Value 'Personal' of attribute 'type' on element 'email' is not "
            "facet-valid with respect to enumeration '[Home, Work, Business, Recovery]'.",
        ),
        (
            b"<email>",
            b'<email verified="yes">',
            "'yes' is not a valid value for 'boolean' in attribute 'verified' on element 'email'.",
        ),
        (
            b"<incidentSummary>",
            b"<batchedReport/><incidentSummary>",
            "[3,19] - Attribute 'reason' must appear on element 'batchedReport'.",
        ),
        (
            b"<incidentSummary>",
            b"stray text<incidentSummary>",
            "[8,10] - Element 'report' cannot have character [children], because the type's "
            "content type is element-only.",
        ),
        (
            b"2024-05-01T12:00:00Z",
            b"1 May 2024",
            "[5,52] - '1 May 2024' is not a valid value for 'dateTime' in element "
            "'incidentDateTime'.",
        ),
        (
            b"<firstName>A</firstName>",
            b"<firstName><b>A</b></firstName>",
            "Element 'firstName' must have no element [children], and the value must be valid.",
        ),
        (
            b"<email>a@example.test</email>",
            b'<email>a@example.test</email><phone countryCallingCode="234">1</phone>',
            "Invalid content was found starting with element 'phone'. "
            "One of '{email, address, age, dateOfBirth}' is expected.",
        ),
        (
            b"<email>a@example.test</email>",
            b'<phone countryCallingCode="234">1</phone><email>a@example.test</email>',
            "Value '234' of attribute 'countryCallingCode' on element 'phone' is not facet-valid "
            "with respect to pattern '\\+[0-9]{1,3}'.",
        ),
    ],
)
def test_schema_message_reads_like_xerces(old: bytes, new: bytes, message: str) -> None:
    assert message in reject(minimal_with(old, new))


def test_long_values_are_shortened_in_messages() -> None:
    message = reject(minimal_with(b"2024-05-01T12:00:00Z", b"x" * 500))
    assert "'" + "x" * 77 + "...' is not a valid value for 'dateTime'" in message
    assert len(message) < 250


def test_single_line_document_reports_columns_like_the_reference() -> None:
    body = b"".join(line.strip() for line in fixture_bytes("reject-out-of-order.xml").splitlines())
    message = reject(body)
    assert message.startswith("Validation failed [1,82] - Invalid content was found starting")


def test_validate_without_the_source_still_names_the_line() -> None:
    root = parse_document(fixture_bytes("reject-missing-email.xml"), expected_root="report")
    with pytest.raises(ValidationFailed, match=r"^Validation failed \[8,0\] - The content of"):
        validate(root)


def test_validate_refuses_a_root_that_is_not_a_document() -> None:
    victim = etree.fromstring(b"<victim><victimPerson/></victim>")
    with pytest.raises(ValidationFailed, match="Cannot find the declaration of element 'victim'"):
        validate(victim)


def test_validate_accepts_a_built_tree() -> None:
    validate(etree.fromstring(MINIMAL), now=NOW)


# --------------------------------------------------------------------------- incident time


def with_incident_time(value: str) -> bytes:
    return minimal_with(b"2024-05-01T12:00:00Z", value.encode())


@pytest.mark.parametrize(
    "value",
    [
        "2024-06-01T12:04:59Z",  # within the clock skew allowance
        "2024-06-01T13:04:00+01:00",  # the same instant in WAT
        "2024-06-01T12:00:00.123456789Z",  # more fraction digits than Python keeps
        "2024-05-31T24:00:00Z",  # end of day, i.e. midnight of 1 June
        "2024-06-02T01:00:00",  # no zone: could be local time in UTC+14
        "1970-01-01T00:00:00Z",
    ],
)
def test_incident_time_that_may_be_now_or_past_is_accepted(value: str) -> None:
    parse_and_validate(with_incident_time(value), expected_root="report", now=NOW)


@pytest.mark.parametrize(
    "value",
    [
        "2024-06-01T12:05:01Z",
        "2024-06-01T12:00:00-01:00",
        "2024-06-02T02:06:00",  # no zone, yet ahead of every zone on Earth
        "10000-01-01T00:00:00Z",
    ],
)
def test_incident_time_in_the_future_is_refused(value: str) -> None:
    message = reject(with_incident_time(value))
    assert message.endswith(f"The value '{value}' of element 'incidentDateTime' is in the future.")


def test_incident_time_is_checked_against_the_real_clock_by_default() -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(ValidationFailed, match="is in the future"):
        parse_and_validate(with_incident_time(tomorrow), expected_root="report")


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "ISO-8859-1"])
def test_columns_count_characters_whatever_the_encoding(encoding: str) -> None:
    body = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<report><incidentSummary>'
        "<incidentType>Child Sex Trafficking</incidentType><platform>Ñandú ß</platform>"
        "<bogus/></incidentSummary></report>"
    )
    message = reject(body.encode(encoding))
    assert message.startswith("Validation failed [2,112] - Invalid content was found starting ")


@pytest.mark.parametrize(
    ("value", "future"),
    [("0001-01-01T00:00:00+01:00", False), ("9999-12-31T23:59:59-05:00", True)],
)
def test_incident_times_at_the_edges_of_the_calendar_do_not_crash(value: str, future: bool) -> None:
    from tipline.intake.ispws.xml import _earliest_instant

    earliest = _earliest_instant(value)
    assert earliest is not None
    assert (earliest > NOW) is future
