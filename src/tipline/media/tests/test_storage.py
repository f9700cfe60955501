"""Encrypted storage, the same on both stores: the filesystem and an S3 server (SeaweedFS)."""

from __future__ import annotations

import hashlib
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from tipline.media import s3
from tipline.media.storage import (
    CHUNK,
    MAGIC,
    BlobMissing,
    BlobStore,
    EncryptedWriter,
    StorageError,
    default_store,
    read_decrypted,
)
from tipline.media.tests.seaweed import SeaweedServer


@pytest.fixture(params=["filesystem", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, settings: Any) -> BlobStore:
    """The configured store, once as a directory and once as a bucket on SeaweedFS."""
    if request.param == "s3":
        request.getfixturevalue("s3_settings")
    else:
        settings.MEDIA_STORE = ""
        settings.MEDIA_STORE_DIR = tmp_path / "media"
    return default_store()


def _write(data: bytes, *, piece: int = 10_000) -> str:
    writer = EncryptedWriter()
    for start in range(0, len(data), piece):
        writer.write(data[start : start + piece])
    blob = writer.close()
    assert blob.sha256 == hashlib.sha256(data).hexdigest() and blob.size == len(data)
    return blob.key


def _ciphertext(store: BlobStore, key: str) -> bytes:
    with store.open_read(key) as handle:
        return handle.read()


def _replace(store: BlobStore, key: str, data: bytes) -> None:
    store.delete(key)
    out = store.open_write(key)
    out.write(data)
    out.close()


def test_a_small_blob_comes_back_whole_and_the_store_sees_only_ciphertext(
    store: BlobStore,
) -> None:
    plain = b"invented evidence " * 100
    key = _write(plain)
    assert b"".join(read_decrypted(key)) == plain
    stored = _ciphertext(store, key)
    assert stored.startswith(MAGIC) and b"invented evidence" not in stored


def test_a_file_larger_than_a_multipart_part_streams_through_and_back(store: BlobStore) -> None:
    plain = os.urandom(s3.PART_BYTES + 3 * CHUNK + 17)
    key = _write(plain, piece=1 << 20)
    assert hashlib.sha256(b"".join(read_decrypted(key))).digest() == hashlib.sha256(plain).digest()


def test_a_changed_byte_is_refused(store: BlobStore) -> None:
    key = _write(b"x" * (3 * CHUNK))
    stored = bytearray(_ciphertext(store, key))
    stored[-5] ^= 1
    _replace(store, key, bytes(stored))
    with pytest.raises(StorageError, match="authentication"):
        b"".join(read_decrypted(key))


def test_a_truncated_blob_is_refused(store: BlobStore) -> None:
    key = _write(b"y" * (3 * CHUNK))
    stored = _ciphertext(store, key)
    _replace(store, key, stored[: -(CHUNK // 2)])
    with pytest.raises(StorageError, match="truncated"):
        b"".join(read_decrypted(key))


def test_a_missing_blob_is_reported_as_missing(store: BlobStore) -> None:
    assert not store.exists("00ff00ff")
    with pytest.raises(BlobMissing):
        b"".join(read_decrypted("00ff00ff"))


def test_an_aborted_write_leaves_nothing_behind(store: BlobStore) -> None:
    writer = EncryptedWriter()
    writer.write(os.urandom(s3.PART_BYTES + 1000))  # on S3, one part is already uploaded
    writer.abort()
    assert not store.exists(writer.key)
    assert writer.key not in set(store.keys_older_than(float("inf")))
    if isinstance(store, s3.S3Store):
        pending = store.client.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix)
        assert not pending.get("Uploads")


def test_delete_exists_and_listing_by_age(store: BlobStore) -> None:
    first, second = _write(b"one"), _write(b"two")
    assert store.exists(first) and store.exists(second)
    assert {first, second} <= set(store.keys_older_than(time.time() + 60))
    assert first not in set(store.keys_older_than(time.time() - 3600))
    store.delete(first)
    assert not store.exists(first)
    assert set(store.keys_older_than(float("inf"))) == {second}


def test_bad_keys_are_refused(store: BlobStore) -> None:
    for key in ("../etc/passwd", "a/b", "", "é1"):
        with pytest.raises(StorageError):
            store.exists(key)


def test_an_upload_to_s3_holds_about_one_part_in_memory(
    s3_settings: str, s3_server: SeaweedServer
) -> None:
    """48 MiB streamed in 1 MiB pieces: the peak is a few parts, not the file."""
    size, piece = 48 * 1024 * 1024, 1024 * 1024
    tracemalloc.start()
    try:
        writer = EncryptedWriter()
        data = os.urandom(piece)
        for _ in range(size // piece):
            writer.write(data)
        writer.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * s3.PART_BYTES, peak
    assert default_store().exists(writer.key)
