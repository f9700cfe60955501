"""Segwit address decoding: the BIP-173 / BIP-350 reference algorithm (bech32 and bech32m).

Small enough to carry here; the `bech32` package is the same code but untyped and unmaintained.
"""

from __future__ import annotations

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VALUES = {c: i for i, c in enumerate(_CHARSET)}
_BECH32 = 1
_BECH32M = 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_GENERATOR):
            chk ^= gen if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _decode(address: str) -> tuple[str, list[int], int] | None:
    """(hrp, data without checksum, checksum constant) or None when the string is not bech32."""
    if address.lower() != address and address.upper() != address:
        return None  # mixed case is forbidden
    address = address.lower()
    sep = address.rfind("1")
    if sep < 1 or sep + 7 > len(address) or len(address) > 90:
        return None
    hrp, rest = address[:sep], address[sep + 1 :]
    if any(c not in _VALUES for c in rest) or any(ord(c) < 33 or ord(c) > 126 for c in hrp):
        return None
    data = [_VALUES[c] for c in rest]
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (_BECH32, _BECH32M):
        return None
    return hrp, data[:-6], const


def _convert_bits(data: list[int], from_bits: int, to_bits: int) -> list[int] | None:
    """Regroup 5-bit words into bytes, rejecting non-zero or over-long padding."""
    acc = bits = 0
    out = []
    maxv = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if bits >= from_bits or ((acc << (to_bits - bits)) & maxv):
        return None
    return out


def decode_segwit(hrp: str, address: str) -> tuple[int, bytes] | None:
    """(witness version, program) of a valid segwit address for `hrp`, else None.

    Version 0 must use bech32 and versions 1-16 bech32m (BIP-350).
    """
    decoded = _decode(address)
    if decoded is None or decoded[0] != hrp or not decoded[1]:
        return None
    _, data, const = decoded
    version = data[0]
    program = _convert_bits(data[1:], 5, 8)
    if program is None or not 2 <= len(program) <= 40 or version > 16:
        return None
    if version == 0 and len(program) not in (20, 32):
        return None
    if (version == 0) != (const == _BECH32):
        return None
    return version, bytes(program)
