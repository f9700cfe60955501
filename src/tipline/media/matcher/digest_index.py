"""Exact look-up of file digests (MD5, SHA-1, SHA-256) in hash lists of any size.

Digests are kept as raw bytes, zero-padded to whole 64-bit words and stored word-major
(``keys`` has shape (words, n), uint64), sorted by word 0, then word 1, and so on. A look-up is
a ``searchsorted`` on word 0 (64 random bits, so the range is almost always 0 or 1 long)
followed by a comparison of the remaining words. Every byte takes part in the comparison, so
digests that end in 0x00 bytes are told apart correctly (numpy's ``S16`` dtype would strip
those trailing zeros and make distinct digests equal — never use it for digests).

Memory: 16 B (MD5), 24 B (SHA-1) or 32 B (SHA-256) a digest plus 4 or 8 B for its id.

Like ``PDQIndex``, new entries go to a small in-memory side segment at once, disabled ids stop
matching at once, and ``save()``/``merge()`` write a new versioned base on disk (see ``store``)
that ``load()`` memory-maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tipline.media.matcher import store
from tipline.media.matcher.codec import (
    I64Array,
    U8Array,
    U64Array,
    compact_ids,
    expand_ranges,
    id_array,
)
from tipline.media.matcher.versioned import VersionedIndex, read_current

KIND = "tipline-digest-index"
DIGEST_WIDTHS = {"md5": 16, "sha1": 20, "sha256": 32}

DigestLike = bytes | bytearray | memoryview | str
DigestsLike = Sequence[DigestLike] | U8Array


def digest_bytes(value: DigestLike, width: int) -> bytes:
    """One digest as raw bytes (from raw bytes or hex text), checked to be `width` long."""
    raw = bytes.fromhex(value) if isinstance(value, str) else bytes(value)
    if len(raw) != width:
        raise ValueError(f"expected a {width}-byte digest, got {len(raw)} bytes")
    return raw


def digest_matrix(digests: DigestsLike, width: int) -> U8Array:
    """Digests as an (n, width) uint8 matrix."""
    if isinstance(digests, np.ndarray):
        if digests.dtype != np.uint8 or digests.ndim != 2 or digests.shape[1] != width:
            raise ValueError(f"expected an (n, {width}) uint8 array, got {digests.shape}")
        return np.ascontiguousarray(digests)
    raw = b"".join(digest_bytes(d, width) for d in digests)
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, width).copy()


def _key_words(matrix: U8Array) -> U64Array:
    """(n, width) bytes -> (words, n) uint64, zero-padded to whole words (fixed width: exact)."""
    words = -(-matrix.shape[1] // 8)
    padded = np.zeros((matrix.shape[0], words * 8), dtype=np.uint8)
    padded[:, : matrix.shape[1]] = matrix
    return np.ascontiguousarray(padded.view(np.uint64).T)


class _SortedDigests:
    """Immutable sorted digest keys and their ids."""

    def __init__(self, keys: U64Array, ids: npt.NDArray[Any]) -> None:
        self.keys = keys
        self.ids = ids

    @classmethod
    def build(cls, matrix: U8Array, ids: I64Array) -> _SortedDigests:
        keys = _key_words(matrix)
        order = np.lexsort(keys[::-1])  # lexsort's last key is the primary one: word 0
        return cls(np.ascontiguousarray(keys[:, order]), compact_ids(ids[order]))

    @property
    def count(self) -> int:
        return int(self.keys.shape[1])

    def lookup(self, qkeys: U64Array) -> tuple[I64Array, I64Array]:
        """(query number, id) for every stored digest equal to a query; qkeys is (words, q)."""
        first = np.asarray(self.keys[0])
        lo = np.searchsorted(first, qkeys[0], side="left")
        hi = np.searchsorted(first, qkeys[0], side="right")
        qnum = np.repeat(np.arange(qkeys.shape[1]), hi - lo)
        pos = expand_ranges(lo.astype(np.int64), (hi - lo).astype(np.int64))
        equal = np.ones(pos.shape[0], dtype=bool)
        for word in range(1, self.keys.shape[0]):
            equal &= self.keys[word][pos] == qkeys[word][qnum]
        return qnum[equal], self.ids[pos[equal]].astype(np.int64)


@dataclass(frozen=True)
class _State:
    """What a look-up reads: swapped as one object so a merge is never seen half-done."""

    base: _SortedDigests
    side: list[tuple[bytes, int]]  # append-only until the next merge replaces the state
    side_map: dict[bytes, list[int]]


class DigestIndex(VersionedIndex):
    """Maps raw digests of one kind (fixed width) to the ids of the hash-list entries."""

    def __init__(
        self,
        width: int,
        base: _SortedDigests | None = None,
        *,
        directory: Path | None = None,
        version: str | None = None,
        disabled: Sequence[int] | npt.NDArray[Any] = (),
        meta: dict[str, Any] | None = None,
        mmap: bool = True,
    ) -> None:
        self.width = width
        empty = np.zeros((0, width), dtype=np.uint8)
        if base is None:
            base = _SortedDigests.build(empty, np.zeros(0, dtype=np.int64))
        self._state = _State(base, [], {})
        super().__init__(
            directory=directory, version=version, disabled=disabled, meta=meta, mmap=mmap
        )

    @classmethod
    def build(
        cls, digests: DigestsLike, ids: Sequence[int] | npt.NDArray[Any], *, width: int
    ) -> DigestIndex:
        """Index digests (raw bytes, hex or an (n, width) uint8 array) with their ids."""
        matrix = digest_matrix(digests, width)
        return cls(width, _SortedDigests.build(matrix, id_array(ids, matrix.shape[0])))

    @classmethod
    def load(cls, directory: str | Path, *, mmap: bool = True) -> DigestIndex:
        """Open the current version in directory (memory-mapped unless mmap=False)."""
        stored, persisted = read_current(directory, KIND, mmap=mmap)
        keys, ids = stored.arrays["keys"], stored.arrays["ids"]
        if keys.ndim != 2 or ids.shape != (keys.shape[1],):
            raise store.IndexFormatError("digest index arrays have inconsistent shapes")
        return cls(int(stored.meta["width"]), _SortedDigests(keys, ids), **persisted)

    def _save_locked(self, directory: Path, meta: dict[str, Any]) -> str:
        with self._lock:
            base, pending = self._state.base, list(self._state.side)
        merged = self._merged(base, pending)
        arrays = {"keys": merged.keys, "ids": merged.ids, "disabled": self._disabled.array()}
        info = {"width": self.width, "count": merged.count, "caller": meta}
        name = store.write_version(directory, KIND, arrays, info)
        stored = store.read_version(directory, KIND, mmap=self._mmap, name=name)
        with self._lock:
            side = self._state.side[len(pending) :]
            new_base = _SortedDigests(stored.arrays["keys"], stored.arrays["ids"])
            self._state = _State(new_base, side, _side_map(side))
        self.directory, self.version, self.meta = directory, name, dict(meta)
        return name

    def _merged(self, base: _SortedDigests, pending: list[tuple[bytes, int]]) -> _SortedDigests:
        if not pending:
            return base
        words = np.ascontiguousarray(np.asarray(base.keys).T).view(np.uint8)[:, : self.width]
        extra = digest_matrix([d for d, _ in pending], self.width)
        ids = np.concatenate((np.asarray(base.ids, np.int64), [i for _, i in pending]))
        return _SortedDigests.build(np.concatenate((words, extra)), ids.astype(np.int64))

    @property
    def side_count(self) -> int:
        """Entries added since the base was built (a rebuild folds them in)."""
        return len(self._state.side)

    def add(self, entry_id: int, digest: DigestLike) -> None:
        """Make one entry findable now (side segment)."""
        raw = digest_bytes(digest, self.width)
        with self._lock:
            self._state.side.append((raw, int(entry_id)))
            self._state.side_map.setdefault(raw, []).append(int(entry_id))

    def lookup(self, digest: DigestLike) -> list[int]:
        """Ids of the entries with exactly this digest (raw bytes or hex), sorted."""
        return self.lookup_many([digest])[0]

    def lookup_many(self, digests: DigestsLike) -> list[list[int]]:
        """Ids for each digest, one sorted list per digest."""
        matrix = digest_matrix(digests, self.width)
        state = self._state
        qnum, ids = state.base.lookup(_key_words(matrix))
        found: list[set[int]] = [set() for _ in range(matrix.shape[0])]
        for q, i in zip(qnum.tolist(), ids.tolist(), strict=True):
            found[q].add(i)
        for q, row in enumerate(matrix):
            found[q].update(state.side_map.get(row.tobytes(), ()))
        return [sorted(i for i in ids_ if i not in self._disabled) for ids_ in found]

    def __len__(self) -> int:
        return self._state.base.count + len(self._state.side)


def _side_map(entries: list[tuple[bytes, int]]) -> dict[bytes, list[int]]:
    out: dict[bytes, list[int]] = {}
    for raw, entry_id in entries:
        out.setdefault(raw, []).append(entry_id)
    return out
