"""normalize() for one field of a known kind, normalize_any() for a search box."""

from __future__ import annotations

import pytest

from tipline.identifiers.extraction import STRONG_KINDS, Identifier, normalize, normalize_any


@pytest.mark.parametrize(
    ("value", "kind", "normalized"),
    [
        ("jane@example.com", "email", "jane@example.com"),
        ("+2348031234567", "phone", "+2348031234567"),
        ("0803 123 4567", "phone", "+2348031234567"),
        ("8031234567", "phone", "+2348031234567"),
        ("instagram.com/jane_d", "handle", "instagram:jane_d"),
        ("instagram:Jane_D", "handle", "instagram:jane_d"),
        ("IG @jane_d", "handle", "instagram:jane_d"),
        ("nuban:058:0123456785", "bank_account", "nuban:058:0123456785"),
        ("GTB 0123456785", "bank_account", "nuban:058:0123456785"),
        ("41.58.1.2", "ip", "41.58.1.2"),
        ("41.58.1.2:51234", "ip", "41.58.1.2"),
        ("2c0f:f7a8::5", "ip", "2c0f:f7a8::5"),
        ("example.com", "url", "http://example.com/"),
        ("hxxp://bad[.]example[.]com", "url", "http://bad.example.com/"),
        ("https://wa.me/2348031234567", "phone", "+2348031234567"),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "wallet",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "wallet",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        ),
    ],
)
def test_search_box_guesses_the_kind(value: str, kind: str, normalized: str) -> None:
    ident = normalize_any(value)
    assert ident is not None
    assert (ident.kind, ident.normalized) == (kind, normalized)


@pytest.mark.parametrize("value", ["", "   ", "@jane", "jane.doe", "hello world", "12345"])
def test_search_box_returns_none_for_what_it_cannot_place(value: str) -> None:
    assert normalize_any(value) is None


def test_unknown_kind_and_empty_value_give_none() -> None:
    assert normalize("fax", "0803 123 4567") is None
    assert normalize("phone", "  ") is None


def test_identifier_is_frozen_and_hashable() -> None:
    ident = Identifier("phone", "0803", "+234803", True, {"network": "MTN"})
    assert hash(ident) == hash(Identifier("phone", "0803", "+234803", True, {}))
    with pytest.raises(AttributeError):
        ident.kind = "email"  # type: ignore[misc]  # the point: frozen dataclasses refuse this


def test_strong_kinds_exclude_ip_and_url() -> None:
    assert frozenset({"phone", "email", "handle", "wallet", "bank_account"}) == STRONG_KINDS
