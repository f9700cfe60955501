"""Encrypted file storage.

Every file gets its own random AES-256 key, wrapped (AES-GCM) by the master media key. Content is
written as a series of AES-GCM chunks so a file of any size streams through in bounded memory, and
each chunk's nonce and "last chunk" flag are authenticated so chunks cannot be reordered or the file
truncated unnoticed. Plain bytes never touch the disk.

Layout: MAGIC | u16 wrapped-key length | wrapped key | { u32 length | ciphertext+tag }*.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import secrets
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, Self
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import DatabaseError

from tipline.common.outage import DependencyUnavailable

logger = logging.getLogger(__name__)
MAGIC = b"TLENC1\n"
CHUNK = 64 * 1024
SNIFF_BYTES = 8192


class StorageError(Exception):
    """The store could not read or write a blob, or a blob failed authentication."""


class BlobMissing(StorageError):
    """No blob has this key: reported where it is needed (a grey preview, a recorded reason)."""


class StorageUnavailable(StorageError, DependencyUnavailable):
    """The store cannot be reached just now: a request answers 503 and a pipeline step retries."""

    part = "media store"


class BlobWriter(Protocol):
    """A blob being written: `close` makes it visible whole, `abort` leaves nothing behind."""

    def write(self, data: bytes, /) -> int | None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...

    def __enter__(self) -> BlobWriter: ...

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None: ...


class WriterBase:
    """`with store.open_write(key) as out:` closes on success and aborts on an exception."""

    def close(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class BlobStore(Protocol):
    """Where encrypted blobs live: the filesystem by default, or an S3-compatible store
    (`tipline.media.s3`). Stores only ever see the ciphertext this module writes."""

    def open_write(self, key: str) -> BlobWriter: ...

    def open_read(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def keys_older_than(self, cutoff: float) -> Iterator[str]: ...

    def describe(self) -> str: ...

    def ping(self) -> None: ...


def check_key(key: str) -> str:
    """A storage key as this module makes them (hex, perhaps with dashes), or StorageError."""
    if not key or not key.replace("-", "").isalnum() or not key.isascii():
        raise StorageError("Bad storage key.")
    return key


class _FileWriter(WriterBase):
    """A new file that `abort` removes again (with its shard directory, when that empties)."""

    def __init__(self, store: FilesystemStore, key: str, handle: BinaryIO) -> None:
        self._store, self._key, self._handle = store, key, handle

    def write(self, data: bytes, /) -> int:
        return self._handle.write(data)

    def close(self) -> None:
        self._handle.close()

    def abort(self) -> None:
        self._handle.close()
        self._store.delete(self._key)


class FilesystemStore:
    """Blobs as files under one directory, sharded by the first characters of the key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        """Where the blobs are, as a store URL."""
        return self.root.resolve().as_uri()

    def ping(self) -> None:
        """Raise StorageUnavailable unless blobs can be written here now."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"{self.root} is not writable.")

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)[:2] / key

    def open_write(self, key: str) -> BlobWriter:
        path = self._path(key)
        for _ in range(3):  # a concurrent delete may remove the emptied shard directory
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                return _FileWriter(self, key, path.open("xb"))
            except FileNotFoundError:
                continue
        raise StorageError(f"Cannot create blob {key}.")

    def open_read(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise BlobMissing(f"No blob {key}.") from exc

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # An emptied shard directory goes too, so a refused upload leaves no trace at all.
        with contextlib.suppress(OSError):
            path.parent.rmdir()

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def keys_older_than(self, cutoff: float) -> Iterator[str]:
        """Keys of blobs last written before `cutoff` (a POSIX time)."""
        if not self.root.is_dir():
            return
        for shard in self.root.iterdir():
            if shard.is_dir() and len(shard.name) == 2:
                for path in shard.iterdir():
                    with contextlib.suppress(OSError):
                        if path.stat().st_mtime < cutoff:
                            yield path.name


def store_from_url(url: str) -> BlobStore:
    """The store a URL names: `file:///path` or `s3://bucket/prefix` (credentials from the
    TIPLINE_S3_* settings)."""
    parsed = urlsplit(url)
    if parsed.scheme == "file" and parsed.path:
        return FilesystemStore(Path(parsed.path))
    if parsed.scheme == "s3" and parsed.netloc:
        from tipline.media.s3 import s3_store  # noqa: PLC0415  # boto3 loads only when used

        return s3_store(bucket=parsed.netloc, prefix=parsed.path.strip("/"))
    raise StorageError(f"Not a store URL (file:///path or s3://bucket/prefix): {url!r}")


class SwitchedStore:
    """The store a recorded switch moved media to, reading from the one it replaced what is not
    there yet: a blob written by a process that had not yet seen the switch, until the
    migration's last pass copies it. Writes and listings go to the new store only; a delete
    reaches both, so the last pass cannot bring a deleted blob back."""

    def __init__(self, active: BlobStore, previous: BlobStore) -> None:
        self.active, self.previous = active, previous

    def describe(self) -> str:
        return self.active.describe()

    def ping(self) -> None:
        self.active.ping()

    def open_write(self, key: str) -> BlobWriter:
        return self.active.open_write(key)

    def open_read(self, key: str) -> BinaryIO:
        try:
            return self.active.open_read(key)
        except BlobMissing:
            return self.previous.open_read(key)

    def delete(self, key: str) -> None:
        self.active.delete(key)
        with contextlib.suppress(StorageError):  # the old store gone is nothing to undo
            self.previous.delete(key)

    def exists(self, key: str) -> bool:
        return self.active.exists(key) or self.previous.exists(key)

    def keys_older_than(self, cutoff: float) -> Iterator[str]:
        return self.active.keys_older_than(cutoff)


# The recorded switches (id, source, target), oldest first, and when this process last read them.
_switches: list[tuple[int, str, str]] = []
_switches_read_at = float("-inf")


def configured_store_url() -> str:
    """The store this process's settings name: TIPLINE_MEDIA_STORE, else TIPLINE_MEDIA_DIR."""
    if settings.MEDIA_STORE:  # as S3Store.describe writes it: no trailing slash
        parsed = urlsplit(settings.MEDIA_STORE)
        return f"s3://{parsed.netloc}/{parsed.path.strip('/')}".rstrip("/")
    return FilesystemStore(Path(settings.MEDIA_STORE_DIR)).describe()


def _recorded_switches() -> list[tuple[int, str, str]]:
    """The switches, read again every MEDIA_STORE_RECHECK_SECONDS (one small query)."""
    global _switches, _switches_read_at
    if time.monotonic() - _switches_read_at >= settings.MEDIA_STORE_RECHECK_SECONDS:
        from tipline.media.models import StoreSwitch  # noqa: PLC0415  # storage loads before apps

        rows = StoreSwitch.objects.order_by("pk").values_list("pk", "source", "target")
        try:
            _switches, _switches_read_at = list(rows), time.monotonic()
        except DatabaseError:  # the database is down: the switches this process knew stand
            logger.warning("Store switches not read: the database cannot be reached.")
    return _switches


def remember_switches(switches: list[tuple[int, str, str]]) -> None:
    """Set this process's copy of the switches (the migration that records one; tests)."""
    global _switches, _switches_read_at
    _switches, _switches_read_at = list(switches), time.monotonic()


def forget_switches() -> None:
    """Read the switches again at the next use."""
    global _switches_read_at
    _switches_read_at = float("-inf")


def _follow(url: str) -> tuple[str, str | None]:
    """Where `url` leads through the switches, and the store the last hop left (or None). Each
    hop takes the newest switch away from the URL recorded after the previous hop, so a move
    back (A to B, later B to A) ends where the latest switch says, and the walk always ends."""
    switches, previous, after = _recorded_switches(), None, 0
    while hop := max((s for s in switches if s[1] == url and s[0] > after), default=None):
        after, previous, url = hop[0], url, hop[2]
    return url, previous


def active_store_url() -> str:
    """The store media is in now: the configured one, or where recorded switches moved it."""
    return _follow(configured_store_url())[0]


def default_store() -> BlobStore:
    """The active store (`active_store_url`), reading through to the one a switch replaced."""
    url, previous = _follow(configured_store_url())
    active = store_from_url(url)
    return active if previous is None else SwitchedStore(active, store_from_url(previous))


def _master() -> AESGCM:
    return AESGCM(base64.b64decode(settings.TIPLINE_MEDIA_KEY))


def _nonce(counter: int) -> bytes:
    return struct.pack(">4xQ", counter)


@dataclass(frozen=True)
class StoredBlob:
    """What was written: where, how big, its digests, and its first bytes for type sniffing."""

    key: str
    size: int
    md5: str
    sha1: str
    sha256: str
    head: bytes


class EncryptedWriter:
    """Encrypts and hashes a stream chunk by chunk as it arrives."""

    def __init__(self, *, store: BlobStore | None = None, key: str | None = None) -> None:
        self.store = store or default_store()
        self.key = key or secrets.token_hex(16)
        self._file_key = AESGCM.generate_key(bit_length=256)
        self._aead = AESGCM(self._file_key)
        self._out = self.store.open_write(self.key)
        self._buffer = bytearray()
        self._counter = 0
        self._size = 0
        self._head = bytearray()
        self._digests = [
            hashlib.md5(usedforsecurity=False),
            hashlib.sha1(usedforsecurity=False),
            hashlib.sha256(),
        ]
        self._write_header()

    def _write_header(self) -> None:
        nonce = os.urandom(12)
        wrapped = nonce + _master().encrypt(nonce, self._file_key, MAGIC)
        self._out.write(MAGIC + struct.pack(">H", len(wrapped)) + wrapped)

    def write(self, data: bytes) -> None:
        """Take more plain bytes."""
        self._size += len(data)
        if len(self._head) < SNIFF_BYTES:
            self._head += data[: SNIFF_BYTES - len(self._head)]
        for digest in self._digests:
            digest.update(data)
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter), plain, b"L" if last else b"M")
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> StoredBlob:
        """Seal the last chunk and return what was stored."""
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._out.close()
        md5, sha1, sha256 = (d.hexdigest() for d in self._digests)
        return StoredBlob(self.key, self._size, md5, sha1, sha256, bytes(self._head))

    def abort(self) -> None:
        """Discard a partial blob: nothing of it stays in the store."""
        self._out.abort()


def _read_exact(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise StorageError("Blob is truncated.")
    return data


def _open_header(handle: BinaryIO) -> AESGCM:
    if handle.read(len(MAGIC)) != MAGIC:
        raise StorageError("Not an encrypted blob.")
    (wrapped_len,) = struct.unpack(">H", _read_exact(handle, 2))
    wrapped = _read_exact(handle, wrapped_len)
    try:
        return AESGCM(_master().decrypt(wrapped[:12], wrapped[12:], MAGIC))
    except Exception as exc:  # InvalidTag: wrong master key or tampered header
        raise StorageError("Blob key failed authentication.") from exc


def read_decrypted(key: str, *, store: BlobStore | None = None) -> Iterator[bytes]:
    """Yield the plain content chunk by chunk, verifying every chunk and the end."""
    with (store or default_store()).open_read(key) as handle:
        aead, counter = _open_header(handle), 0
        while length_bytes := handle.read(4):
            sealed = _read_exact(handle, struct.unpack(">I", length_bytes)[0])
            try:
                plain = aead.decrypt(_nonce(counter), sealed, b"M")
                last = False
            except Exception:  # not a middle chunk: it must be the authenticated last one
                plain, last = _decrypt_last(aead, counter, sealed), True
            yield plain
            counter += 1
            if last:
                if handle.read(1):
                    raise StorageError("Data after the last chunk.")
                return
        raise StorageError("Blob is truncated (no last chunk).")


def _decrypt_last(aead: AESGCM, counter: int, sealed: bytes) -> bytes:
    try:
        return aead.decrypt(_nonce(counter), sealed, b"L")
    except Exception as exc:
        raise StorageError("Blob chunk failed authentication.") from exc
