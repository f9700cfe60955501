"""Cryptocurrency wallets, each accepted only when its checksum holds.

BTC legacy (Base58Check P2PKH/P2SH) and segwit (bech32/bech32m), ETH (EIP-55), TRON (Base58Check
with the 0x41 prefix).
"""

from __future__ import annotations

import re

import base58
from Crypto.Hash import keccak

from .bech32 import decode_segwit
from .model import WALLET, Identifier

_B58 = r"[1-9A-HJ-NP-Za-km-z]"
_BTC_LEGACY = re.compile(rf"(?<![A-Za-z0-9])[13]{_B58}{{25,34}}(?![A-Za-z0-9])")
_BTC_SEGWIT = re.compile(
    r"(?<![A-Za-z0-9])(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}(?![A-Za-z0-9])"
)
_ETH = re.compile(r"(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])")
_TRON = re.compile(rf"(?<![A-Za-z0-9])T{_B58}{{33}}(?![A-Za-z0-9])")
_BTC_VERSIONS = {0x00: "p2pkh", 0x05: "p2sh"}


def eip55(address: str) -> str:
    """The EIP-55 mixed-case checksum form of a 0x-prefixed 40-hex-digit address."""
    hex_part = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=hex_part.encode("ascii")).hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(d, 16) >= 8 else c
        for c, d in zip(hex_part, digest, strict=False)
    )


def check_wallet(address: str) -> Identifier | None:
    """A wallet with a valid checksum, or None for anything else."""
    for check in (_btc_legacy, _btc_segwit, _eth, _tron):
        ident = check(address)
        if ident is not None:
            return ident
    return None


def looks_like_wallet(address: str) -> bool:
    """True when the shape is a wallet's, whatever its checksum."""
    patterns = (_BTC_LEGACY, _BTC_SEGWIT, _ETH, _TRON)
    return any(p.fullmatch(address) for p in patterns)


def find_wallets(text: str) -> list[Identifier]:
    """Wallet addresses in free text whose checksums hold."""
    found = []
    for pattern in (_BTC_LEGACY, _BTC_SEGWIT, _ETH, _TRON):
        for match in pattern.finditer(text):
            ident = check_wallet(match.group(0))
            if ident is not None:
                found.append(_at(ident, match.start(), match.end()))
    return found


def _at(ident: Identifier, start: int, end: int) -> Identifier:
    return Identifier(ident.kind, ident.value, ident.normalized, True, ident.details, start, end)


def _base58check(address: str) -> bytes | None:
    try:
        return base58.b58decode_check(address)
    except ValueError:
        return None


def _btc_legacy(address: str) -> Identifier | None:
    if not _BTC_LEGACY.fullmatch(address):
        return None
    payload = _base58check(address)
    if payload is None or len(payload) != 21 or payload[0] not in _BTC_VERSIONS:
        return None
    details = {"chain": "btc", "type": _BTC_VERSIONS[payload[0]]}
    return Identifier(WALLET, address, address, True, details)


def _btc_segwit(address: str) -> Identifier | None:
    if not _BTC_SEGWIT.fullmatch(address):
        return None
    decoded = decode_segwit("bc", address)
    if decoded is None:
        return None
    version, program = decoded
    kinds = {(0, 20): "p2wpkh", (0, 32): "p2wsh", (1, 32): "p2tr"}
    details = {"chain": "btc", "type": kinds.get((version, len(program)), f"witness_v{version}")}
    return Identifier(WALLET, address, address.lower(), True, details)


def _eth(address: str) -> Identifier | None:
    if not _ETH.fullmatch(address):
        return None
    hex_part = address[2:]
    mixed = hex_part.lower() != hex_part and hex_part.upper() != hex_part
    checksummed = eip55(address)
    if mixed and address != checksummed:
        return None  # a mixed-case address must satisfy its EIP-55 checksum
    details = {"chain": "eth", "checksum": "eip55" if mixed else "none", "eip55": checksummed}
    return Identifier(WALLET, address, "0x" + hex_part.lower(), True, details)


def _tron(address: str) -> Identifier | None:
    if not _TRON.fullmatch(address):
        return None
    payload = _base58check(address)
    if payload is None or len(payload) != 21 or payload[0] != 0x41:
        return None
    return Identifier(WALLET, address, address, True, {"chain": "tron"})
