"""Wallets: accepted only when their checksum holds (reference vectors from BIP-173/350, EIP-55)."""

from __future__ import annotations

import base58
import pytest

from tipline.identifiers.extraction import extract_text, normalize
from tipline.identifiers.extraction.wallets import eip55

TRON = base58.b58encode_check(b"\x41" + bytes(range(20))).decode()


def wallets(text: str) -> list[tuple[str, dict[str, str]]]:
    return [(i.normalized, i.details) for i in extract_text(text) if i.kind == "wallet"]


@pytest.mark.parametrize(
    ("address", "normalized", "kind"),
    [
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "p2pkh"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh"),
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "p2wpkh",
        ),
        (
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "p2wsh",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "p2tr",
        ),
        ("BC1SW50QGDZ25J", "bc1sw50qgdz25j", "witness_v16"),
    ],
)
def test_bitcoin_addresses_with_valid_checksums(address: str, normalized: str, kind: str) -> None:
    assert wallets(f"pay {address}.") == [(normalized, {"chain": "btc", "type": kind})]


@pytest.mark.parametrize(
    "address",
    [
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",  # last character changed
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # v1 with bech32
        "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # v16 with bech32
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # v0 with bech32m
        "bc1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",  # mixed case
        "bc1pw5dgrnzv",  # program too short
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",  # testnet
    ],
)
def test_bitcoin_addresses_with_bad_checksums_are_dropped(address: str) -> None:
    assert wallets(address) == []


@pytest.mark.parametrize(
    "address",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ],
)
def test_eip55_reference_vectors(address: str) -> None:
    assert eip55(address.lower()) == address
    [(normalized, details)] = wallets(address)
    assert normalized == address.lower()
    assert details == {"chain": "eth", "checksum": "eip55", "eip55": address}


def test_eth_single_case_is_valid_but_unchecksummed() -> None:
    lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
    assert wallets(lower)[0][1]["checksum"] == "none"
    assert wallets(lower.upper().replace("0X", "0x"))[0][0] == lower


def test_eth_mixed_case_with_wrong_checksum_is_dropped() -> None:
    assert wallets("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") == []


def test_transaction_hash_is_not_an_address() -> None:
    assert wallets("tx 0x" + "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed" + "ab" * 12) == []


def test_tron_address_needs_checksum_and_0x41_prefix() -> None:
    assert wallets(f"USDT TRC20: {TRON}") == [(TRON, {"chain": "tron"})]
    broken = TRON[:-1] + ("a" if TRON[-1] != "a" else "b")
    assert wallets(broken) == []


def test_structured_wallet_with_bad_checksum_is_flagged_invalid() -> None:
    ident = normalize("wallet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
    assert ident is not None and not ident.valid
    good = normalize("wallet", " bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 ")
    assert good is not None and good.valid
    assert normalize("wallet", "hello") is None
