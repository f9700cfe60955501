"""Public references and receipt codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

# Crockford-style alphabet: no 0/O or 1/I/L, so a code read aloud over a phone survives.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_GROUPS = 4
RECEIPT_GROUP_LEN = 4


def format_reference(year: int, number: int) -> str:
    """`TL-YYYY-NNNNNN`."""
    return f"TL-{year:04d}-{number:06d}"


def new_receipt_code() -> str:
    """A 16-character code (about 79 bits) in dash-separated groups: `7KQ2-...`."""
    chars = [secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_GROUPS * RECEIPT_GROUP_LEN)]
    groups = ["".join(chars[i : i + RECEIPT_GROUP_LEN]) for i in range(0, len(chars), 4)]
    return "-".join(groups)


def normalize_receipt_code(code: str) -> str:
    """Upper-case and drop separators and spaces, however the reporter wrote it down."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def receipt_hash(code: str) -> str:
    """Keyed hash of a receipt code. Only this is stored, never the code itself."""
    key = settings.SECRET_KEY.encode("utf-8")
    message = normalize_receipt_code(code).encode("ascii", "ignore")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_api_key(prefix: str = "tl") -> str:
    """An API key: a short public prefix for lookup plus a long random secret."""
    return f"{prefix}_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


def sha256_hex(data: bytes) -> str:
    """SHA-256 hex digest."""
    return hashlib.sha256(data).hexdigest()


def new_file_id() -> str:
    """A 32-hex file id, as /ispws answers."""
    return secrets.token_hex(16)
