"""Tests of the PDQ multi-index and the exact digest index (random, invented hashes only)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from tipline.media.matcher import (
    MAX_THRESHOLD,
    DigestIndex,
    IndexFormatError,
    PDQIndex,
    current_version,
    pdq_index,
    prune,
)
from tipline.media.matcher.store import MANIFEST_FILE

RNG_SEED = 20260101


def random_bank(n: int, seed: int = RNG_SEED) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 32), dtype=np.uint8)


def flipped(row: np.ndarray, bits: int, seed: int = 0) -> np.ndarray:
    """A copy of one hash with exactly `bits` distinct bits flipped."""
    rng = np.random.default_rng(seed)
    unpacked = np.unpackbits(row.copy())
    unpacked[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(unpacked)


def brute_force(
    bank: np.ndarray, ids: np.ndarray, query: np.ndarray, threshold: int
) -> list[tuple[int, int]]:
    dist = np.bitwise_count(bank ^ query).sum(axis=1)
    hits = np.flatnonzero(dist <= threshold)
    return sorted(((int(ids[i]), int(dist[i])) for i in hits), key=lambda m: (m[1], m[0]))


@pytest.fixture(scope="module")
def bank() -> np.ndarray:
    return random_bank(5000)


@pytest.fixture(scope="module")
def index(bank: np.ndarray) -> PDQIndex:
    return PDQIndex.build(bank, np.arange(len(bank)) + 1000)


@pytest.mark.parametrize("bits", [0, 1, 15, 16, 17, 30, 31])
def test_hash_within_31_bits_is_found_with_its_distance(
    index: PDQIndex, bank: np.ndarray, bits: int
) -> None:
    query = flipped(bank[77], bits, seed=bits)
    assert index.query(query) == [(1077, bits)]


def test_hash_at_exactly_31_bits_is_found_for_many_flip_patterns(
    index: PDQIndex, bank: np.ndarray
) -> None:
    # Spread the 31 flips differently each time, including 2 per slot in 15 slots + 1.
    for seed in range(200):
        row = seed * 7 % len(bank)
        assert (1000 + row, 31) in index.query(flipped(bank[row], 31, seed=seed))


def test_hash_at_32_bits_is_not_found(index: PDQIndex, bank: np.ndarray) -> None:
    for seed in range(50):
        assert index.query(flipped(bank[seed], 32, seed=seed)) == []


def test_thresholds_below_16_and_above_31_are_exact_too(index: PDQIndex, bank: np.ndarray) -> None:
    assert index.query(flipped(bank[5], 10), threshold=10) == [(1005, 10)]
    assert index.query(flipped(bank[5], 11), threshold=10) == []
    assert index.query(flipped(bank[5], 40), threshold=40) == [(1005, 40)]
    assert index.query(flipped(bank[5], 41), threshold=40) == []


def test_threshold_outside_the_supported_range_is_refused(index: PDQIndex) -> None:
    with pytest.raises(ValueError, match="threshold"):
        index.query("00" * 32, threshold=MAX_THRESHOLD + 1)


def test_results_equal_a_brute_force_scan_on_a_clustered_bank() -> None:
    rng = np.random.default_rng(5)
    centres = random_bank(40, seed=6)
    family = np.stack([flipped(centres[i % 40], int(rng.integers(0, 25)), i) for i in range(2000)])
    bank = np.concatenate((family, random_bank(3000, seed=7)))
    ids = rng.permutation(len(bank)).astype(np.int64) * 11
    index = PDQIndex.build(bank, ids)
    queries = np.stack(
        [flipped(centres[i % 40], int(rng.integers(0, 30)), 900 + i) for i in range(60)]
    )
    many = index.query_many(queries)
    for query, batched in zip(queries, many, strict=True):
        expected = brute_force(bank, ids, query, 31)
        assert index.query(query) == expected
        assert batched == expected


@pytest.mark.parametrize("wide_rows", [False, True])
def test_row_numbers_past_16_bits_are_stored_exactly(
    wide_rows: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if wide_rows:  # what a bank of more than 2**24 hashes uses, without building one
        monkeypatch.setattr(pdq_index, "_NARROW_ROWS_LIMIT", 1000)
    bank = random_bank(70_000, seed=9)
    index = PDQIndex.build(bank, np.arange(70_000) + 7)
    assert index._state.base.rows_hi.dtype == (np.uint16 if wide_rows else np.uint8)
    rows = np.arange(0, 70_000, 331)
    queries = np.stack([flipped(bank[r], 31, int(r)) for r in rows])
    assert [m[:1] for m in index.query_many(queries)] == [[(int(r) + 7, 31)] for r in rows]


def test_hex_bytes_and_array_inputs_are_equivalent(index: PDQIndex, bank: np.ndarray) -> None:
    query = flipped(bank[9], 20)
    assert index.query(query.tobytes().hex()) == index.query(query.tobytes())
    assert index.query(query) == [(1009, 20)]
    with pytest.raises(ValueError):
        index.query("abc")


def test_same_hash_under_two_ids_returns_both() -> None:
    bank = random_bank(10)
    index = PDQIndex.build(np.concatenate((bank, bank[:1])), list(range(10)) + [99])
    assert index.query(bank[0]) == [(0, 0), (99, 0)]


def test_empty_index_finds_nothing() -> None:
    index = PDQIndex.build(np.zeros((0, 32), dtype=np.uint8), [])
    assert index.query("ff" * 32) == []
    assert index.query_many(["ff" * 32, "00" * 32]) == [[], []]


def test_low_quality_hashes_never_match() -> None:
    bank = random_bank(3)
    index = PDQIndex.build(bank, [1, 2, 3], qualities=[90, 49, 50])
    assert index.query(bank[1]) == []  # left out of the bank
    assert index.query(bank[2]) == [(3, 0)]
    assert index.query(bank[2], quality=49) == []  # and never used as a query
    assert index.add(4, bank[1], quality=10) is False
    assert index.query(bank[1]) == []


def test_disabled_entry_stops_matching_at_once_and_can_come_back() -> None:
    bank = random_bank(100)
    index = PDQIndex.build(bank, np.arange(100))
    query = flipped(bank[42], 12)
    index.disable(42)
    assert index.query(query) == []
    assert index.query_many(query[None, :]) == [[]]
    index.enable(42)
    assert index.query(query) == [(42, 12)]


def test_added_entries_are_found_before_merge_and_after(tmp_path: Path) -> None:
    bank = random_bank(1000)
    index = PDQIndex.build(bank[:900], np.arange(900))
    first = index.save(tmp_path / "pdq")
    index.add_many(np.arange(900, 1000), bank[900:])
    index.add(5000, bank[0])
    assert index.side_count == 101
    assert index.query(flipped(bank[950], 31)) == [(950, 31)]
    assert index.query(bank[0]) == [(0, 0), (5000, 0)]
    second = index.merge()
    assert second != first and current_version(tmp_path / "pdq") == second
    assert index.side_count == 0 and len(index) == 1001
    assert index.query(flipped(bank[950], 31)) == [(950, 31)]
    assert PDQIndex.load(tmp_path / "pdq").query(bank[0]) == [(0, 0), (5000, 0)]


def test_same_id_in_base_and_side_is_reported_once_at_its_nearest() -> None:
    bank = random_bank(10)
    index = PDQIndex.build(bank, np.arange(10))
    index.add(3, flipped(bank[3], 5))
    assert index.query(flipped(bank[3], 5)) == [(3, 0)]


def test_save_and_load_memory_mapped_round_trip(tmp_path: Path) -> None:
    bank = random_bank(3000)
    index = PDQIndex.build(bank, np.arange(3000) * 3)
    index.disable(30)
    index.save(tmp_path / "pdq", meta={"watermark": 3000})
    loaded = PDQIndex.load(tmp_path / "pdq")
    assert isinstance(loaded._state.base.lo, np.memmap)
    assert loaded.meta == {"watermark": 3000} and loaded.version == "v000001"
    assert loaded.is_disabled(30) and loaded.query(bank[10]) == []
    queries = np.stack([flipped(bank[i], 25, i) for i in range(0, 3000, 97)])
    assert loaded.query_many(queries) == index.query_many(queries)
    in_memory = PDQIndex.load(tmp_path / "pdq", mmap=False)
    assert not isinstance(in_memory._state.base.lo, np.memmap)
    assert in_memory.query(queries[3]) == index.query(queries[3])


def test_load_refuses_another_kind_or_format_version(tmp_path: Path) -> None:
    DigestIndex.build([b"\x01" * 16], [1], width=16).save(tmp_path / "md5")
    with pytest.raises(IndexFormatError, match="expected"):
        PDQIndex.load(tmp_path / "md5")
    PDQIndex.build(random_bank(5), range(5)).save(tmp_path / "pdq")
    manifest = tmp_path / "pdq" / "v000001" / MANIFEST_FILE
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format_version": 99}))
    with pytest.raises(IndexFormatError, match="format version"):
        PDQIndex.load(tmp_path / "pdq")


def test_queries_keep_working_while_a_merge_runs(tmp_path: Path) -> None:
    bank = random_bank(2000)
    index = PDQIndex.build(bank[:1000], np.arange(1000))
    index.save(tmp_path / "pdq")
    index.add_many(np.arange(1000, 2000), bank[1000:])
    merge = threading.Thread(target=index.merge)
    merge.start()
    while merge.is_alive():
        assert index.query(bank[1500]) == [(1500, 0)]
    merge.join()
    assert index.query(bank[1500]) == [(1500, 0)] and index.side_count == 0


def test_prune_keeps_the_newest_versions(tmp_path: Path) -> None:
    index = PDQIndex.build(random_bank(5), range(5))
    names = [index.save(tmp_path / "pdq") for _ in range(4)]
    assert prune(tmp_path / "pdq", keep=2) == names[:2]
    assert PDQIndex.load(tmp_path / "pdq").version == names[-1]


# --- exact digests ----------------------------------------------------------------------------

MD5_A = bytes.fromhex("0123456789abcdef0123456789ab0000")  # ends in two zero bytes
MD5_B = bytes.fromhex("0123456789abcdef0123456789ab00ff")
MD5_C = bytes.fromhex("0123456789abcdef0123456789ab0001")
ZERO = bytes(16)


def test_digest_ending_in_zero_bytes_is_told_apart() -> None:
    # numpy's S16 would store MD5_A as 14 bytes and compare it equal to its prefix: never use it.
    assert np.array([MD5_A], dtype="S16")[0] == MD5_A[:14]
    index = DigestIndex.build([MD5_A, MD5_B, MD5_C, ZERO], [1, 2, 3, 4], width=16)
    assert index.lookup(MD5_A) == [1]
    assert index.lookup(MD5_B) == [2]
    assert index.lookup(MD5_C) == [3]
    assert index.lookup(ZERO) == [4]
    assert index.lookup(MD5_A.hex()) == [1]
    assert index.lookup(bytes.fromhex("0123456789abcdef0123456789ab0002")) == []
    with pytest.raises(ValueError, match="16-byte"):
        index.lookup(MD5_A[:14])


def test_sha1_digests_with_trailing_zeros_and_duplicates() -> None:
    digests = [bytes(19) + b"\x01", bytes(20), bytes(18) + b"\x01\x00", bytes(20)]
    index = DigestIndex.build(digests, [10, 20, 30, 40], width=20)
    assert index.lookup(bytes(20)) == [20, 40]
    assert index.lookup(bytes(18) + b"\x01\x00") == [30]
    assert index.lookup_many([bytes(19) + b"\x01", bytes(19) + b"\x02"]) == [[10], []]


def test_digest_index_at_scale_finds_every_entry() -> None:
    raw = np.random.default_rng(3).integers(0, 256, (20000, 16), dtype=np.uint8)
    raw[::7, 8:] = 0  # many digests sharing a zero tail
    ids = np.arange(20000) + 1
    index = DigestIndex.build(raw, ids, width=16)
    found = index.lookup_many(raw[::13])
    assert found == [[int(i)] for i in ids[::13]]


def test_digest_add_disable_merge_save_load(tmp_path: Path) -> None:
    index = DigestIndex.build([MD5_A], [1], width=16)
    index.save(tmp_path / "md5")
    index.add(2, MD5_B)
    assert index.lookup(MD5_B) == [2]
    index.disable(1)
    assert index.lookup(MD5_A) == []
    index.merge(meta={"watermark": 2})
    loaded = DigestIndex.load(tmp_path / "md5")
    assert len(loaded) == 2 and loaded.meta == {"watermark": 2}
    assert loaded.lookup(MD5_B) == [2] and loaded.lookup(MD5_A) == []
    loaded.enable(1)
    assert loaded.lookup(MD5_A) == [1]
