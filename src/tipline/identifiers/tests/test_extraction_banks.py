"""NUBAN bank accounts: a bank named next to the number, and the CBN check digit for that bank."""

from __future__ import annotations

import random

import pytest

from tipline.identifiers.extraction import extract_text, normalize
from tipline.identifiers.extraction.banks import is_valid_nuban


def accounts(text: str) -> list[str]:
    return [i.normalized for i in extract_text(text) if i.kind == "bank_account"]


def cbn_12_digit(code: str, account: str) -> bool:
    """The original CBN scheme, written out independently: weights 3,7,3 over 12 digits."""
    digits = code + account[:9]
    total = sum(int(d) * w for d, w in zip(digits, [3, 7, 3] * 4, strict=True))
    return (10 - total % 10) % 10 == int(account[9])


def test_three_digit_codes_follow_the_original_cbn_algorithm() -> None:
    rng = random.Random(7)
    for _ in range(500):
        account = "".join(rng.choice("0123456789") for _ in range(10))
        for code in ("058", "044", "011", "033", "057"):
            assert is_valid_nuban(code, account) == cbn_12_digit(code, account)


def test_known_check_digits() -> None:
    assert is_valid_nuban("011", "0000014579")  # the package's documented example
    assert is_valid_nuban("058", "0123456785")
    assert is_valid_nuban("50211", "1000000016")  # 5-digit code: "9" + code, 15 weights
    assert not is_valid_nuban("058", "0123456780")
    assert not is_valid_nuban("999", "0123456785")  # unknown bank code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Send am to GTB 0123456785 sharp", ["nuban:058:0123456785"]),
        ("Pay to 0123456788 (Zenith) today.", ["nuban:057:0123456788"]),
        ("GTB 0123 456 785", ["nuban:058:0123456785"]),
        ("Bank: Guaranty Trust Bank\nAccount number: 0123456785", ["nuban:058:0123456785"]),
        ("Kuda 1000000016 ni àkáǹtì rẹ̀", ["nuban:50211:1000000016"]),
        ("First Bank 0000014579", ["nuban:011:0000014579"]),
    ],
)
def test_account_next_to_its_bank_is_found(text: str, expected: list[str]) -> None:
    assert accounts(text) == expected


def test_account_details_name_the_bank() -> None:
    [ident] = [i for i in extract_text("GTBank 0123 456 785") if i.kind == "bank_account"]
    assert ident.value == "0123 456 785"
    assert ident.details == {"bank_code": "058", "bank": "Guaranty Trust Bank Plc"}


@pytest.mark.parametrize(
    "text",
    [
        "Account 0123456785, he never said the bank.",
        "GTB acct no 0000014579",  # check digit fits First Bank, not GTB
        "UBA: 0123456785 is GTB's number",  # nearest bank's check fails: a typo, not GTB
        "Zenith is a big bank. Many, many, many, many words and lines later: 0123456788",
        "GTB transfer reference 0123456785",
        "Opay 8031234567 na im account",  # OPay has no CBN code to check against
        "GTB 01234567850",
    ],
)
def test_account_without_a_fitting_bank_is_dropped(text: str) -> None:
    assert accounts(text) == []


def test_igbo_word_uba_is_not_the_bank_but_capital_uba_is() -> None:
    serial = "012345678"
    account = next(serial + d for d in "0123456789" if is_valid_nuban("033", serial + d))
    assert accounts(f"UBA {account}") == [f"nuban:033:{account}"]
    assert accounts(f"uba {account}") == []


def test_phone_with_country_code_is_not_an_account() -> None:
    found = extract_text("GTB: +234 8031234567")
    assert [i.kind for i in found] == ["phone"]


@pytest.mark.parametrize(
    "value",
    ["058:0123456785", "nuban:058:0123456785", "GTBank 0123456785", "000013:0123456785"],
)
def test_structured_account_with_bank_code_or_name(value: str) -> None:
    ident = normalize("bank_account", value)
    assert ident is not None and ident.valid and ident.normalized == "nuban:058:0123456785"


def test_structured_account_with_wrong_check_digit_is_flagged_invalid() -> None:
    ident = normalize("bank_account", "058-0123456780")
    assert ident is not None and not ident.valid


def test_structured_account_without_bank_cannot_be_normalised() -> None:
    assert normalize("bank_account", "0123456785") is None
    assert normalize("bank_account", "Opay 8031234567") is None
