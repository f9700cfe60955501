"""Field-level encryption with AES-GCM.

Values are stored as ``v1:<key id>:<base64(nonce || ciphertext+tag)>``. The key id travels with
each value so that keys can be rotated: new writes use the primary key, old values still decrypt
with retired keys.
Keys come from ``TIPLINE_FIELD_KEYS`` (``id:base64key,id:base64key``; the first is primary).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from functools import cache, lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value could not be decrypted (wrong key, tampered, or unknown key id)."""


@dataclass(frozen=True)
class Keyring:
    """The primary key id and every key that may still be needed to decrypt."""

    primary: str
    keys: dict[str, bytes]


def parse_keyring(spec: str) -> Keyring:
    """Parse ``id:base64key[,id:base64key...]``; each key must be 32 bytes."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id.isalnum():
            raise ImproperlyConfigured("Field keys must look like 'id:base64key'.")
        raw = base64.b64decode(encoded, validate=True)
        if len(raw) != 32:
            raise ImproperlyConfigured(f"Field key {key_id!r} must be 32 bytes (AES-256).")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("No field-encryption key configured.")
    return Keyring(primary=order[0], keys=keys)


@cache
def keyring() -> Keyring:
    """The process-wide keyring from settings (parsed once)."""
    return parse_keyring(settings.TIPLINE_FIELD_KEYS)


@lru_cache(maxsize=16)
def _aead(key: bytes) -> AESGCM:
    """The cipher of one key, made once: making it cost twice the decryption of a short field,
    and the matchers decrypt hundreds of fields per report. Keyed by the key itself, so a
    keyring re-read (rotation, tests) can never use a stale one."""
    return AESGCM(key)


def encrypt_bytes(plain: bytes, *, aad: bytes = b"") -> str:
    """Encrypt with the primary key and return the tagged text form."""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _aead(ring.keys[ring.primary]).encrypt(nonce, plain, aad or None)
    return f"{PREFIX}:{ring.primary}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt_bytes(token: str, *, aad: bytes = b"") -> bytes:
    """Decrypt a value written by `encrypt_bytes`, with whichever key it names."""
    try:
        prefix, key_id, encoded = token.split(":", 2)
        blob = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise DecryptionError("Not an encrypted value.") from exc
    key = keyring().keys.get(key_id)
    if prefix != PREFIX or key is None:
        raise DecryptionError(f"Unknown key id {key_id!r}.")
    try:
        return _aead(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad or None)
    except Exception as exc:  # cryptography raises InvalidTag; callers need one type
        raise DecryptionError("Value failed authentication.") from exc


def encrypt_text(plain: str) -> str:
    """Encrypt a string."""
    return encrypt_bytes(plain.encode("utf-8"))


def decrypt_text(token: str) -> str:
    """Decrypt a string."""
    return decrypt_bytes(token).decode("utf-8")


def key_id_of(token: str) -> str:
    """The key id a stored value was written with (for rotation reports)."""
    return token.split(":", 2)[1]


def new_key_spec(key_id: str) -> str:
    """A fresh ``id:base64key`` entry, for `tipline` key generation and tests."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode('ascii')}"
