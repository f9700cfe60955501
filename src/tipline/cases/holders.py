"""Who holds the data behind an identifier, so a legal request goes to the right place.

- a phone: the telecom of its number's original network (phonenumbers' offline carrier data;
  numbers can be ported, which the request's text says);
- an email: its provider by domain;
- an account (`platform:handle`): the platform;
- an IP address with port and time: the network registered for it (GeoLite2, offline); an
  address without port and time is refused, as carrier-grade NAT makes it name no one;
- a NUBAN: the bank of its CBN code, checked against the account's check digit;
- a wallet: the service that hosts it, which the investigator names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import naija_data
import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import carrier

from tipline.cases.choices import HolderKind, IdentifierKind
from tipline.geo.locate import locate_ip
from tipline.identifiers.extraction.banks import bank_name, is_valid_nuban

# Email domains of the providers Nigerian reports name most, to the company that answers.
EMAIL_PROVIDERS = {
    "gmail.com": "Google LLC",
    "googlemail.com": "Google LLC",
    "yahoo.com": "Yahoo Inc.",
    "ymail.com": "Yahoo Inc.",
    "outlook.com": "Microsoft Corporation",
    "hotmail.com": "Microsoft Corporation",
    "live.com": "Microsoft Corporation",
    "icloud.com": "Apple Inc.",
    "proton.me": "Proton AG",
    "protonmail.com": "Proton AG",
}
PLATFORMS = {
    "facebook": "Meta Platforms, Inc.",
    "instagram": "Meta Platforms, Inc.",
    "whatsapp": "WhatsApp LLC (Meta)",
    "messenger": "Meta Platforms, Inc.",
    "tiktok": "TikTok Pte. Ltd.",
    "twitter": "X Corp.",
    "x": "X Corp.",
    "snapchat": "Snap Inc.",
    "telegram": "Telegram FZ-LLC",
    "youtube": "Google LLC",
    "discord": "Discord Inc.",
}
TELECOMS = {
    "MTN": "MTN Nigeria Communications PLC",
    "Airtel": "Airtel Networks Limited",
    "Glo": "Globacom Limited",
    "9mobile": "Emerging Markets Telecommunication Services Ltd (9mobile)",
}


@dataclass(frozen=True)
class Holder:
    """Who holds the data, what kind of holder, and the identifier as the request names it."""

    name: str
    kind: str
    identifier: str
    note: str = ""


def _phone(value: str) -> Holder:
    try:
        number = phonenumbers.parse(value, "NG")
    except phonenumbers.NumberParseException:
        raise ValidationError({"value": "Not a phone number."}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"value": "Not a valid phone number."})
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    network = carrier.name_for_number(number, "en")
    if not network:
        return Holder("", HolderKind.TELECOM, e164, "The number's network is not known.")
    note = "Original network by prefix; the number may have been ported."
    return Holder(TELECOMS.get(network, network), HolderKind.TELECOM, e164, note)


def _email(value: str) -> Holder:
    address = value.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", address):
        raise ValidationError({"value": "Not an email address."})
    domain = address.rsplit("@", 1)[1]
    return Holder(EMAIL_PROVIDERS.get(domain, ""), HolderKind.EMAIL, address, f"Domain {domain}.")


def _account(value: str) -> Holder:
    platform, _, handle = value.strip().partition(":")
    if not handle.strip():
        raise ValidationError({"value": "An account is platform:handle, e.g. instagram:abc."})
    name = PLATFORMS.get(platform.strip().lower(), "")
    return Holder(name, HolderKind.PLATFORM, f"{platform.strip()}:{handle.strip()}")


def _ip(value: str) -> Holder:
    """`IP PORT TIME` (ISO time, with its zone)."""
    parts = value.split()
    if len(parts) != 3 or not parts[1].isdigit():
        raise ValidationError(
            {"value": "An IP address needs its port and time: 'IP PORT 2026-01-31T10:00Z'."}
        )
    try:
        at = datetime.fromisoformat(parts[2].replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError({"value": "The time is an ISO time with its zone."}) from None
    if at.tzinfo is None:
        raise ValidationError({"value": "Give the time's zone (Z for UTC)."})
    found = locate_ip(parts[0])
    name = found.asn_name or "" if found else ""
    return Holder(name, HolderKind.ISP, f"{parts[0]} port {parts[1]} at {at.isoformat()}")


def _nuban(value: str) -> Holder:
    """`ACCOUNT` or `BANKCODE:ACCOUNT`; without the code, the one bank whose check digit fits."""
    code, _, account = value.strip().rpartition(":")
    account = account.strip()
    if not code:
        fits = naija_data.banks_for_nuban(account) if account.isdigit() else []
        codes = sorted({b.cbn_code for b in fits if b.cbn_code})
        if len(codes) != 1:
            raise ValidationError({"value": f"Give the bank code: {len(codes)} banks fit."})
        code = codes[0]
    if not is_valid_nuban(code.strip(), account):
        raise ValidationError({"value": "Not a valid NUBAN for that bank code."})
    name = bank_name(code.strip()) or ""
    return Holder(name, HolderKind.BANK, f"{account} (bank code {code.strip()})")


def _wallet(value: str) -> Holder:
    if not re.fullmatch(r"[A-Za-z0-9]{20,100}", value.strip()):
        raise ValidationError({"value": "Not a wallet address."})
    return Holder("", HolderKind.WALLET, value.strip(), "Name the exchange or wallet service.")


_RESOLVERS: dict[str, Callable[[str], Holder]] = {
    IdentifierKind.PHONE: _phone,
    IdentifierKind.EMAIL: _email,
    IdentifierKind.ACCOUNT: _account,
    IdentifierKind.IP: _ip,
    IdentifierKind.NUBAN: _nuban,
    IdentifierKind.WALLET: _wallet,
}


def holder_for(kind: str, value: str) -> Holder:
    """The holder of `value` (an identifier of `kind`), or a ValidationError saying what is
    wrong with it. An unknown holder comes back with an empty name for the investigator."""
    resolve = _RESOLVERS.get(kind)
    if resolve is None:
        raise ValidationError({"kind": "Unknown kind of identifier."})
    return resolve(value.strip())
