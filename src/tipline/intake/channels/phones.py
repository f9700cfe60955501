"""Reporters' phone numbers: normalised, and looked up by a keyed blind index, never in clear."""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers
from django.conf import settings


def normalize_phone(raw: str) -> str:
    """E.164 (`+2348031234567`) when the number parses (Nigerian by default), else its digits.

    WhatsApp gives ids without the plus (`2348031234567`); a number that does not parse is kept
    as its digits so that the same sender still finds the same conversation.
    """
    text = raw.strip()
    if text.isdigit() and len(text) > 10:
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "NG")
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in text if ch.isdigit() or ch == "+")[:40]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_index(phone: str) -> str:
    """HMAC-SHA256 of the normalised number under the blind-index key (hex)."""
    key = settings.TIPLINE_BLIND_INDEX_KEY.encode()
    return hmac.new(key, b"channel-phone:" + phone.encode(), hashlib.sha256).hexdigest()
