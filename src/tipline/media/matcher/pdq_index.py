"""Exact PDQ matching at Hamming distance <= 31 over tens of millions of hashes.

How it works (multi-index hashing, Norouzi et al.): each 256-bit hash is cut into 16 slots of
16 bits. If two hashes differ in at most 31 bits, then by pigeonhole at least one slot differs
in at most 31 // 16 = 1 bit. So for each slot we look up the query's own 16-bit value and its
16 one-bit neighbours (17 probes a slot, 272 in all); every bank hash within distance 31 is in
one of those buckets, and recall is 1.0 by construction. Each candidate is then verified with a
popcount over its full 256 bits. Thresholds below 16 need only the exact value (16 probes);
thresholds up to 47 probe two-bit neighbours too (137 a slot), which is exact but slower.

Memory layout of the base segment (n hashes; 81 bytes a hash up to 16.7M hashes, ~0.8 GB at
10M; numpy arrays, so the same files are memory-mapped by every worker process):

* ``lo``, ``hi`` (n, 2) uint64 each — the first and last 128 bits of each hash, rows ordered
  by their slot-0 value, 32 B/hash. Split in halves so verification first fetches 16 bytes a
  candidate, which already rules out almost every non-match;
* ``ids`` (n,) uint32 (or int64 if an id does not fit) — the caller's id for each row;
* ``offsets`` (16, 65537) uint32 — CSR bucket bounds: for slot s and value v, the bucket is
  positions ``offsets[s, v]:offsets[s, v + 1]``. 4 MB whatever n is;
* ``rows_lo`` (15, n) uint16 and ``rows_hi`` (15, n) uint8 — bucket contents (row numbers,
  split into low 16 and high 8 bits) for slots 1..15: 45 B/hash. ``rows_hi`` is uint16 when
  n > 2**24 (60 B/hash). Slot 0 needs no such array: the rows themselves are sorted by slot 0.

Build is 16 radix sorts of uint16 keys (numpy's stable sort): about 8 s at 10M hashes here.

The mutable wrapper ``PDQIndex`` adds a small in-memory side segment for entries added since the
base was written (brute-force popcount scan), a disabled-id set checked on every result, and
versioned persistence (see ``store``): ``save()``/``merge()`` fold the side segment into a new
base version on disk, switch ``CURRENT`` atomically, and re-open the new base memory-mapped.
Queries are lock-free: they read one immutable (base, side) snapshot.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tipline.media.matcher import store
from tipline.media.matcher.codec import (
    MIN_MATCH_QUALITY,
    PDQ_MATCH_THRESHOLD,
    HashesLike,
    HashLike,
    I64Array,
    U8Array,
    U64Array,
    as_words,
    compact_ids,
    expand_ranges,
    id_array,
    pdq_bytes,
    pdq_matrix,
    slot_values,
)
from tipline.media.matcher.versioned import VersionedIndex, read_current

SLOTS = 16
SLOT_BITS = 16
MAX_THRESHOLD = 47  # radius 2 a slot; beyond that probing costs more than a linear scan
KIND = "tipline-pdq-index"
_SLOT_VALUES = 1 << SLOT_BITS
_NARROW_ROWS_LIMIT = 1 << 24  # up to this many rows, a row number fits in 16 + 8 bits
_SLOT_INDEX = np.arange(SLOTS, dtype=np.int64)[:, None, None]
# Batches of queries share numpy's per-call overhead, but past ~256k candidates a batch's
# temporaries fall out of the CPU caches and it gets slower than one query at a time.
_BATCH_CANDIDATES = 1 << 18
_BATCH_MAX = 32

Match = tuple[int, int]  # (caller id, Hamming distance)


@lru_cache(maxsize=4)
def _flip_masks(radius: int) -> I64Array:
    """All 16-bit XOR masks of at most `radius` bits, the exact value (0) first."""
    values = np.arange(_SLOT_VALUES, dtype=np.int64)
    weight = np.bitwise_count(values)
    masks = values[weight <= radius]
    masks = masks[np.argsort(weight[weight <= radius], kind="stable")]
    masks.flags.writeable = False
    return masks


def _check_threshold(threshold: int) -> None:
    if not 0 <= threshold <= MAX_THRESHOLD:
        raise ValueError(f"threshold must be between 0 and {MAX_THRESHOLD}, got {threshold}")


def _query_arrays(matrix: U8Array) -> tuple[U64Array, I64Array]:
    return as_words(matrix), slot_values(matrix).astype(np.int64)


@dataclass(frozen=True)
class _Base:
    """Immutable multi-index over n hashes (arrays in memory or memory-mapped)."""

    lo: U64Array
    hi: U64Array
    ids: npt.NDArray[Any]
    offsets: npt.NDArray[Any]
    rows_lo: npt.NDArray[np.uint16]
    rows_hi: npt.NDArray[Any]  # uint8, or uint16 past 2**24 rows

    @property
    def count(self) -> int:
        """Number of rows (hashes) in this segment."""
        return int(self.lo.shape[0])

    def words(self) -> U64Array:
        """All hashes as (n, 4) uint64 words, in row order (a copy)."""
        return np.concatenate((np.asarray(self.lo), np.asarray(self.hi)), axis=1)

    @classmethod
    def build(cls, matrix: U8Array, ids: I64Array) -> _Base:
        """Index an (n, 32) uint8 matrix of hashes with their int64 ids."""
        n = matrix.shape[0]
        if n >= 1 << 32:
            raise ValueError("at most 2**32 - 1 hashes per base segment")
        if sys.byteorder != "little":  # the row-number byte views below assume it
            raise RuntimeError("PDQIndex.build needs a little-endian machine")
        order = np.argsort(_slot_column(matrix, 0), kind="stable")  # radix sort on uint16
        matrix = np.take(matrix, order, axis=0)  # take: ~5x faster than fancy indexing here
        offsets = np.zeros((SLOTS, _SLOT_VALUES + 1), dtype=np.uint32)
        rows_lo = np.empty((SLOTS - 1, n), dtype=np.uint16)
        wide = n > _NARROW_ROWS_LIMIT
        rows_hi = np.empty((SLOTS - 1, n), dtype=np.uint16 if wide else np.uint8)
        for slot in range(SLOTS):
            column = _slot_column(matrix, slot)
            offsets[slot] = _bucket_bounds(column)
            if slot:
                # Byte views of the int64 row numbers (little-endian): no shifted temporaries.
                rows = np.argsort(column, kind="stable").view(np.uint16)
                rows_lo[slot - 1] = rows[::4]
                rows_hi[slot - 1] = rows[1::4] if wide else rows.view(np.uint8)[2::8]
        words = as_words(matrix)
        lo, hi = np.ascontiguousarray(words[:, :2]), np.ascontiguousarray(words[:, 2:])
        return cls(lo, hi, compact_ids(ids[order]), offsets, rows_lo, rows_hi)

    @classmethod
    def empty(cls) -> _Base:
        """A base with no hashes."""
        return cls.build(np.zeros((0, 32), dtype=np.uint8), np.zeros(0, dtype=np.int64))

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays to persist, by file name."""
        return {
            "lo": self.lo,
            "hi": self.hi,
            "ids": self.ids,
            "offsets": self.offsets,
            "rows_lo": self.rows_lo,
            "rows_hi": self.rows_hi,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]]) -> _Base:
        """Rebuild from persisted arrays, checking their shapes agree."""
        names = ("lo", "hi", "ids", "offsets", "rows_lo", "rows_hi")
        base = cls(*(arrays[name] for name in names))
        n = base.count
        if (
            base.lo.shape != (n, 2)
            or base.hi.shape != (n, 2)
            or base.ids.shape != (n,)
            or base.offsets.shape != (SLOTS, _SLOT_VALUES + 1)
            or base.rows_lo.shape != (SLOTS - 1, n)
            or base.rows_hi.shape != (SLOTS - 1, n)
        ):
            raise store.IndexFormatError("PDQ index arrays have inconsistent shapes")
        return base

    def search(
        self, qwords: U64Array, qslots: I64Array, threshold: int
    ) -> tuple[I64Array, I64Array, I64Array]:
        """Rows within threshold of each query: (query number, row, distance), by query."""
        if self.count == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        cand, qnum = self._candidates(qslots, _flip_masks(threshold // SLOTS))
        # Two stages: the first 128 bits alone rule out nearly every non-match (a random hash
        # is within 31 of them with probability ~1e-9), so only survivors fetch the rest.
        dist = _half_distance(np.take(self.lo, cand, axis=0), qwords[:, :2], qnum)
        near = np.flatnonzero(dist <= threshold)
        if near.size == 0:  # the usual case: most files match nothing
            return near, near, near
        cand, qnum = cand[near], qnum[near]
        dist = dist[near] + _half_distance(np.take(self.hi, cand, axis=0), qwords[:, 2:], qnum)
        keep = dist <= threshold
        # A near-duplicate is usually found through several slots: keep one (query, row) pair.
        pair, first = np.unique(qnum[keep] * self.count + cand[keep], return_index=True)
        return pair // self.count, pair % self.count, dist[keep][first]

    @cached_property
    def _slot_shift(self) -> I64Array:
        """Where slot s's bucket contents start in the flattened rows arrays, for s = 1..15."""
        return (np.arange(SLOTS - 1, dtype=np.int64) * self.count)[:, None, None]

    @cached_property
    def _rows_flat(self) -> tuple[npt.NDArray[np.uint16], npt.NDArray[Any]]:
        return self.rows_lo.reshape(-1), self.rows_hi.reshape(-1)

    def _rows_at(self, positions: I64Array) -> I64Array:
        """Row numbers stored at flat positions of the rows arrays."""
        lo, hi = self._rows_flat
        rows: I64Array = hi[positions].astype(np.int64) << 16
        rows |= lo[positions]
        return rows

    def _candidates(self, qslots: I64Array, masks: I64Array) -> tuple[I64Array, I64Array]:
        """Row numbers in every probed bucket, and the query each came from."""
        probes = qslots.T[:, :, None] ^ masks  # (slot, query, probe)
        starts = self.offsets[_SLOT_INDEX, probes].astype(np.int64)
        lens = self.offsets[_SLOT_INDEX, probes + 1].astype(np.int64) - starts
        starts[1:] += self._slot_shift
        positions = expand_ranges(starts.ravel(), lens.ravel())
        head = int(lens[0].sum())  # slot 0's buckets are row ranges already
        cand = np.concatenate((positions[:head], self._rows_at(positions[head:])))
        if qslots.shape[0] == 1:
            return cand, np.zeros(cand.shape[0], dtype=np.int64)
        # Candidates come slot-major, then query, then probe: label each with its query.
        per_range = np.broadcast_to(np.arange(qslots.shape[0], dtype=np.int64), lens.shape[:2])
        return cand, np.repeat(per_range.ravel(), lens.sum(axis=2).ravel())


def _half_distance(half: U64Array, qhalf: U64Array, qnum: I64Array) -> I64Array:
    """Hamming distance over two words: (k, 2) candidate words vs their queries' words."""
    total = np.zeros(half.shape[0], dtype=np.int64)
    for w in range(2):
        # Column by column: numpy is slow on a broadcast with a 2-wide inner axis.
        query = qhalf[0, w] if qhalf.shape[0] == 1 else np.take(qhalf[:, w], qnum)
        total += np.bitwise_count(half[:, w] ^ query)
    return total


def _bucket_bounds(column: npt.NDArray[np.uint16]) -> I64Array:
    """CSR bounds: entries with value v sit at [bounds[v], bounds[v + 1]) once sorted."""
    # A radix sort of the values plus 65537 binary searches beats np.bincount (which first
    # widens every value to intp) by ~2x.
    return np.searchsorted(np.sort(column, kind="stable"), np.arange(_SLOT_VALUES + 1))


def _slot_column(matrix: U8Array, slot: int) -> npt.NDArray[np.uint16]:
    """The 16-bit value of one slot for every row, contiguous (20 MB at 10M rows)."""
    column: npt.NDArray[np.uint16] = matrix.view(">u2")[:, slot].astype(np.uint16)
    return column


class _Side:
    """Append-only in-memory segment for entries added since the base was written.

    Readers take `count` first and only look below it; appends write the data before raising
    `count`, so a reader never sees a half-written entry. Growing swaps in new buffers.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.hashes: U64Array = np.zeros((capacity, 4), dtype=np.uint64)
        self.ids: I64Array = np.zeros(capacity, dtype=np.int64)
        self.count = 0

    def append(self, words: U64Array, ids: I64Array) -> _Side:
        """Add entries; returns self, or a larger copy when the buffers are full."""
        target = self if self.count + len(ids) <= len(self.ids) else self._grown(len(ids))
        end = target.count + len(ids)
        target.hashes[target.count : end] = words
        target.ids[target.count : end] = ids
        target.count = end
        return target

    def _grown(self, extra: int) -> _Side:
        bigger = _Side(max(2 * len(self.ids), self.count + extra))
        return bigger.append(self.hashes[: self.count], self.ids[: self.count])

    def tail(self, start: int) -> _Side:
        """A new side segment holding entries from `start` on (those not yet merged)."""
        return _Side().append(self.hashes[start : self.count], self.ids[start : self.count])

    def search(self, qwords: U64Array, threshold: int) -> tuple[I64Array, I64Array, I64Array]:
        """Brute-force scan: (query number, id, distance) for every hit."""
        count = self.count
        found: list[tuple[I64Array, I64Array, I64Array]] = []
        for q in range(qwords.shape[0] if count else 0):
            dist = np.zeros(count, dtype=np.int64)
            for w in range(4):  # column by column, as in _half_distance
                dist += np.bitwise_count(self.hashes[:count, w] ^ qwords[q, w])
            pos = np.flatnonzero(dist <= threshold)
            found.append((np.full(pos.size, q, dtype=np.int64), self.ids[pos], dist[pos]))
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        qnum, ids, dist = (np.concatenate(parts) for parts in zip(*found, strict=True))
        return qnum, ids, dist


@dataclass(frozen=True)
class _State:
    base: _Base
    side: _Side


class PDQIndex(VersionedIndex):
    """Exact PDQ matcher: a persisted multi-index base, a side segment and a disabled set.

    Ids are the caller's int64 ids (e.g. the primary key of a hash-list entry). Results are
    lists of ``(id, distance)`` sorted by distance then id, one per id, disabled ids left out.
    """

    def __init__(
        self,
        base: _Base | None = None,
        *,
        directory: Path | None = None,
        version: str | None = None,
        disabled: Sequence[int] | npt.NDArray[Any] = (),
        meta: dict[str, Any] | None = None,
        mmap: bool = True,
    ) -> None:
        self._state = _State(base if base is not None else _Base.empty(), _Side())
        super().__init__(
            directory=directory, version=version, disabled=disabled, meta=meta, mmap=mmap
        )

    # --- construction and persistence -------------------------------------------------------

    @classmethod
    def build(
        cls,
        hashes: HashesLike,
        ids: Sequence[int] | npt.NDArray[Any],
        *,
        qualities: Sequence[int] | npt.NDArray[Any] | None = None,
    ) -> PDQIndex:
        """Index hashes ((n, 32) uint8 array, 64-hex strings or raw bytes) with their ids.

        Entries whose quality is given and below MIN_MATCH_QUALITY are left out: they must
        never match, so indexing them would only cost memory.
        """
        matrix = pdq_matrix(hashes)
        id64 = id_array(ids, matrix.shape[0])
        if qualities is not None:
            good = np.asarray(qualities, dtype=np.int64) >= MIN_MATCH_QUALITY
            matrix, id64 = matrix[good], id64[good]
        return cls(_Base.build(matrix, id64))

    @classmethod
    def load(cls, directory: str | Path, *, mmap: bool = True) -> PDQIndex:
        """Open the current version in directory; mmap=True shares pages between processes."""
        stored, persisted = read_current(directory, KIND, mmap=mmap)
        return cls(_Base.from_arrays(stored.arrays), **persisted)

    def _save_locked(self, directory: Path, meta: dict[str, Any]) -> str:
        with self._lock:
            state, merged = self._state, self._state.side.count
        base = _merged_base(state.base, state.side, merged)
        arrays = {**base.arrays(), "disabled": self._disabled.array()}
        layout = {"slots": SLOTS, "slot_bits": SLOT_BITS, "count": base.count}
        name = store.write_version(directory, KIND, arrays, {"layout": layout, "caller": meta})
        stored = store.read_version(directory, KIND, mmap=self._mmap, name=name)
        with self._lock:
            side = self._state.side.tail(merged)
            self._state = _State(_Base.from_arrays(stored.arrays), side)
        self.directory, self.version, self.meta = directory, name, dict(meta)
        return name

    # --- updates ------------------------------------------------------------------------------

    def add(self, entry_id: int, pdq_hash: HashLike, *, quality: int | None = None) -> bool:
        """Make one entry searchable now (side segment). False if its quality is too low."""
        if quality is not None and quality < MIN_MATCH_QUALITY:
            return False
        self.add_many([entry_id], pdq_matrix([pdq_bytes(pdq_hash)]))
        return True

    def add_many(self, ids: Sequence[int] | npt.NDArray[Any], hashes: HashesLike) -> None:
        """Make several entries searchable now (side segment)."""
        matrix = pdq_matrix(hashes)
        id64 = id_array(ids, matrix.shape[0])
        with self._lock:
            side = self._state.side.append(as_words(matrix), id64)
            if side is not self._state.side:
                self._state = _State(self._state.base, side)

    # --- queries ------------------------------------------------------------------------------

    def query(
        self,
        pdq_hash: HashLike,
        threshold: int = PDQ_MATCH_THRESHOLD,
        *,
        quality: int | None = None,
    ) -> list[Match]:
        """Entries within `threshold` bits of one hash; none if its quality is below 50."""
        if quality is not None and quality < MIN_MATCH_QUALITY:
            return []
        _check_threshold(threshold)
        matrix = np.frombuffer(pdq_bytes(pdq_hash), dtype=np.uint8).reshape(1, -1)
        return self._query_batch(matrix, threshold)[0]

    def query_many(
        self, hashes: HashesLike, threshold: int = PDQ_MATCH_THRESHOLD
    ) -> list[list[Match]]:
        """Entries within `threshold` bits of each hash, one result list per hash."""
        _check_threshold(threshold)
        matrix = pdq_matrix(hashes)
        step = self._batch_size(threshold)
        results: list[list[Match]] = []
        for start in range(0, matrix.shape[0], step):
            results.extend(self._query_batch(matrix[start : start + step], threshold))
        return results

    def _batch_size(self, threshold: int) -> int:
        probes = SLOTS * len(_flip_masks(threshold // SLOTS))
        per_query = max(1, self._state.base.count * probes // _SLOT_VALUES)  # expected, random
        return min(_BATCH_MAX, max(1, _BATCH_CANDIDATES // per_query))

    def _query_batch(self, matrix: U8Array, threshold: int) -> list[list[Match]]:
        state = self._state  # one consistent snapshot, even if a merge swaps it meanwhile
        qwords, qslots = _query_arrays(matrix)
        qb, rows, db = state.base.search(qwords, qslots, threshold)
        qs, ids_s, ds = state.side.search(qwords, threshold)
        qnum = np.concatenate((qb, qs))
        ids = np.concatenate((state.base.ids[rows].astype(np.int64), ids_s))
        dist = np.concatenate((db, ds))
        return self._group(matrix.shape[0], qnum, ids, dist)

    def _group(self, nq: int, qnum: I64Array, ids: I64Array, dist: I64Array) -> list[list[Match]]:
        if ids.size == 0:
            return [[] for _ in range(nq)]
        keep = self._disabled.keep_mask(ids)
        qnum, ids, dist = qnum[keep], ids[keep], dist[keep]
        # An id can be both in the base and re-added in the side segment: keep its nearest.
        order = np.lexsort((dist, ids, qnum))
        qnum, ids, dist = qnum[order], ids[order], dist[order]
        first = np.ones(ids.shape[0], dtype=bool)
        first[1:] = (qnum[1:] != qnum[:-1]) | (ids[1:] != ids[:-1])
        qnum, ids, dist = qnum[first], ids[first], dist[first]
        order = np.lexsort((ids, dist, qnum))
        bounds = np.searchsorted(qnum[order], np.arange(nq + 1))
        pairs = list(zip(ids[order].tolist(), dist[order].tolist(), strict=True))
        return [pairs[bounds[q] : bounds[q + 1]] for q in range(nq)]

    # --- introspection ------------------------------------------------------------------------

    def __len__(self) -> int:
        state = self._state
        return state.base.count + state.side.count

    @property
    def side_count(self) -> int:
        """Entries waiting in the side segment (merge when this grows past ~100k)."""
        return self._state.side.count


def _merged_base(base: _Base, side: _Side, count: int) -> _Base:
    if count == 0:
        return base
    matrix = np.concatenate((base.words(), side.hashes[:count])).view(np.uint8)
    ids = np.concatenate((np.asarray(base.ids, dtype=np.int64), side.ids[:count]))
    return _Base.build(matrix, ids)
