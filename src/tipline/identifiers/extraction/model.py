"""The value type every extractor returns."""

from __future__ import annotations

from dataclasses import dataclass, field

PHONE = "phone"
EMAIL = "email"
URL = "url"
HANDLE = "handle"
IP = "ip"
WALLET = "wallet"
BANK_ACCOUNT = "bank_account"

KINDS = frozenset({PHONE, EMAIL, URL, HANDLE, IP, WALLET, BANK_ACCOUNT})

# IP addresses and URLs are weak: carrier-grade NAT and shared hosting mean they never link
# reports on their own (see DESIGN.md, "Carrier-grade NAT").
STRONG_KINDS = frozenset({PHONE, EMAIL, HANDLE, WALLET, BANK_ACCOUNT})


@dataclass(frozen=True)
class Identifier:
    """One identifier found in free text or in a structured field.

    `value` is the text as written, `normalized` the canonical form that links reports, and
    `start`/`end` the character offsets in the text (-1 for structured fields). `valid` is False
    only for a structured value that has the right shape but fails its check (a bad checksum, an
    impossible phone number); such an identifier must not be used for linking.
    """

    kind: str
    value: str
    normalized: str
    valid: bool
    # hash=False keeps the frozen dataclass hashable even though a dict is not.
    details: dict[str, str] = field(default_factory=dict, hash=False)
    start: int = -1
    end: int = -1
