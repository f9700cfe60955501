"""Conversions between the forms a hash arrives in and the arrays the indexes keep.

A PDQ hash is 256 bits. Its canonical text form is 64 lowercase hex characters, the form
ThreatExchange, HMA and NCMEC hash lists use; its raw form is those 32 bytes. The indexes keep
hashes as rows of 32 raw bytes viewed as four native uint64 words: the Hamming distance is the
popcount of the XOR of the words, whatever their byte order, so no byte swapping is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

PDQ_BYTES = 32
PDQ_HEX_CHARS = 64
# Meta's published "confident match" distance for PDQ.
PDQ_MATCH_THRESHOLD = 31
# Meta's guidance: hashes of quality below this describe near-featureless images and must not
# be matched (they collide with unrelated flat images).
MIN_MATCH_QUALITY = 50

U8Array = npt.NDArray[np.uint8]
U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]
HashLike = str | bytes | bytearray | memoryview | U8Array
HashesLike = Sequence[str] | Sequence[bytes] | U8Array


def pdq_bytes(value: HashLike) -> bytes:
    """Return one PDQ hash as its 32 raw bytes, from hex text, raw bytes or a uint8 array."""
    if isinstance(value, np.ndarray):
        raw = value.tobytes()
    elif isinstance(value, str):
        if len(value) != PDQ_HEX_CHARS:
            raise ValueError(f"a PDQ hash is {PDQ_HEX_CHARS} hex characters, got {len(value)}")
        raw = bytes.fromhex(value)
    else:
        raw = bytes(value)
    if len(raw) != PDQ_BYTES:
        raise ValueError(f"a PDQ hash is {PDQ_BYTES} bytes, got {len(raw)}")
    return raw


def pdq_matrix(hashes: HashesLike) -> U8Array:
    """Return n hashes as an (n, 32) uint8 matrix (hex strings, raw bytes or an array)."""
    if isinstance(hashes, np.ndarray):
        return _checked_matrix(hashes)
    if len(hashes) == 0:
        return np.zeros((0, PDQ_BYTES), dtype=np.uint8)
    texts = [h for h in hashes if isinstance(h, str)]
    if len(texts) == len(hashes):
        return _matrix_from_hex(texts)
    raws = [bytes(h) for h in hashes if not isinstance(h, str)]
    if len(raws) != len(hashes):
        raise ValueError("give PDQ hashes all as hex text or all as raw bytes, not mixed")
    return _matrix_from_raw(raws)


def _checked_matrix(array: npt.NDArray[Any]) -> U8Array:
    if array.dtype != np.uint8 or array.ndim != 2 or array.shape[1] != PDQ_BYTES:
        raise ValueError(
            f"expected an (n, {PDQ_BYTES}) uint8 array, got {array.dtype} {array.shape}"
        )
    return np.ascontiguousarray(array)


def _matrix_from_hex(hexes: list[str]) -> U8Array:
    # One bytes.fromhex over the joined text is ~50x faster than one call per hash.
    if any(len(h) != PDQ_HEX_CHARS for h in hexes):
        raise ValueError(f"every PDQ hash must be {PDQ_HEX_CHARS} hex characters")
    raw = bytes.fromhex("".join(hexes))
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, PDQ_BYTES).copy()


def _matrix_from_raw(raws: list[bytes]) -> U8Array:
    if any(len(r) != PDQ_BYTES for r in raws):
        raise ValueError(f"every raw PDQ hash must be {PDQ_BYTES} bytes")
    return np.frombuffer(b"".join(raws), dtype=np.uint8).reshape(-1, PDQ_BYTES).copy()


def as_words(matrix: U8Array) -> U64Array:
    """View an (n, 32) uint8 matrix as (n, 4) native uint64 words (no copy)."""
    return np.ascontiguousarray(matrix).view(np.uint64)


def slot_values(matrix: U8Array) -> npt.NDArray[np.uint16]:
    """Split each hash into 16 slots of 16 bits (big-endian pairs of bytes): (n, 16) uint16."""
    return np.ascontiguousarray(matrix).view(">u2").astype(np.uint16)


def words_hex(words: U64Array) -> str:
    """Return the 64-hex form of one hash held as 4 uint64 words."""
    return np.ascontiguousarray(words).view(np.uint8).tobytes().hex()


def id_array(ids: Sequence[int] | npt.NDArray[Any], count: int) -> I64Array:
    """Return caller ids as int64, checking there is one per hash."""
    out = np.asarray(ids, dtype=np.int64).reshape(-1)
    if out.shape[0] != count:
        raise ValueError(f"got {out.shape[0]} ids for {count} hashes")
    return out


def compact_ids(ids: I64Array) -> npt.NDArray[np.uint32] | I64Array:
    """Store ids as uint32 when they all fit (typical database keys): 4 bytes a hash saved."""
    if ids.size == 0 or (int(ids.min()) >= 0 and int(ids.max()) <= np.iinfo(np.uint32).max):
        return ids.astype(np.uint32)
    return ids


def expand_ranges(starts: I64Array, lens: I64Array) -> I64Array:
    """Concatenate the ranges starts[i] : starts[i] + lens[i] without a Python loop."""
    ends = np.cumsum(lens)
    shift = np.repeat(starts - (ends - lens), lens)
    positions: I64Array = np.arange(int(ends[-1]) if ends.size else 0, dtype=np.int64) + shift
    return positions
