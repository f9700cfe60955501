"""Phone numbers in free text: every common Nigerian way of writing one, and look-alikes."""

from __future__ import annotations

import pytest

from tipline.identifiers.extraction import extract_text, normalize


def phones(text: str) -> list[str]:
    return [i.normalized for i in extract_text(text) if i.kind == "phone"]


@pytest.mark.parametrize(
    "written",
    [
        "0803 123 4567",
        "08031234567",
        "+234 803 123 4567",
        "234-803-123-4567",
        "(0803) 123-4567",
        "+2348031234567",
        "0803-123-4567",
        "0803.123.4567",
        "+234 (0) 803 123 4567",
        "(+234) 803 123 4567",
        "080 3123 4567",
    ],
)
def test_nigerian_mobile_is_found_in_every_usual_form(written: str) -> None:
    assert phones(f"Abeg call {written} now.") == ["+2348031234567"]


def test_phone_carries_original_network_and_country() -> None:
    [ident] = extract_text("Call 0805 123 4567")
    assert ident.details == {"country": "NG", "type": "mobile", "network": "Glo"}
    assert (ident.value, ident.start, ident.end) == ("0805 123 4567", 5, 18)


def test_two_numbers_back_to_back_are_both_found() -> None:
    assert phones("0803 123 4567 0805 123 4567") == ["+2348031234567", "+2348051234567"]


def test_numbers_separated_by_slash_are_both_found() -> None:
    assert phones("08031234567/08051234567") == ["+2348031234567", "+2348051234567"]


def test_foreign_number_written_internationally_is_found() -> None:
    assert phones("UK line +44 7911 123456") == ["+447911123456"]


@pytest.mark.parametrize(
    "text",
    [
        "Order #08031234567",
        "Order no: 08031234567",
        "Tracking no: 08031234567",
        "Invoice #2348031234567",
        "Ref: 08031234567",
        "Transaction ID: 08031234567",
        "Meter number 08031234567",
        "receipt no 08031234567",
        "Lambar oda 08031234567",
        "IMEI 356938035643809",
        "BVN 22123456789",
        "He paid ₦5,000,000 on 12/05/2024 at 10:30",
        "between 1999 and 2024",
        "ID08031234567",
        "08031234567abc",
        "0803 123 456",
        "080312345670803123456",
        "8031234567",
        "Call 112 or 199",
    ],
)
def test_labelled_or_malformed_numbers_are_not_phones(text: str) -> None:
    assert phones(text) == []


def test_toll_free_number_needs_a_phone_word() -> None:
    assert phones("code 0800 123 4567") == []
    assert phones("Toll free 0800 123 4567") == ["+2348001234567"]


def test_structured_phone_accepts_missing_trunk_zero() -> None:
    ident = normalize("phone", "803 123 4567")
    assert ident is not None and ident.valid and ident.normalized == "+2348031234567"
    assert (ident.start, ident.end) == (-1, -1)


def test_structured_phone_that_is_not_valid_is_flagged_not_dropped() -> None:
    ident = normalize("phone", "0600 123 4567")
    assert ident is not None and not ident.valid
    assert ident.normalized == "+2346001234567"


def test_structured_phone_that_cannot_be_parsed_is_none() -> None:
    assert normalize("phone", "call me") is None
    assert normalize("phone", "080") is None
    assert normalize("phone", "0803 123 45") is None  # too short to be any number
