"""Ed25519 keys that sign court bundles, from `TIPLINE_EVIDENCE_SIGNING_KEYS`.

`id:base64seed,id:base64seed`: the first key signs, and every key is published, so a bundle
signed before a rotation still verifies with the key it names. The public keys are what a
prosecutor or defence expert feeds to `openssl pkeyutl -verify`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SigningKey:
    """One signing key: its id, the private key, and its public key as PEM."""

    key_id: str
    private: Ed25519PrivateKey

    @property
    def public_pem(self) -> str:
        pem = self.private.public_key().public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode("ascii")


def parse_signing_keys(spec: str) -> list[SigningKey]:
    """The keys of a spec, the signing one first; a malformed spec is a configuration error."""
    keys = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        key_id, _, encoded = part.partition(":")
        try:
            seed = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            seed = b""
        if not key_id or len(seed) != 32:
            raise ImproperlyConfigured(
                "TIPLINE_EVIDENCE_SIGNING_KEYS: each entry is id:base64 of a 32-byte seed."
            )
        keys.append(SigningKey(key_id, Ed25519PrivateKey.from_private_bytes(seed)))
    if not keys:
        raise ImproperlyConfigured("TIPLINE_EVIDENCE_SIGNING_KEYS is not set.")
    return keys


def signing_keys() -> list[SigningKey]:
    """The configured keys, the signing one first."""
    return parse_signing_keys(settings.TIPLINE_EVIDENCE_SIGNING_KEYS)


def sign(data: bytes) -> tuple[str, bytes]:
    """The signing key's id and its raw 64-byte Ed25519 signature of `data`."""
    key = signing_keys()[0]
    return key.key_id, key.private.sign(data)
