"""The hash-matcher index, built once and published under a version for every process to load.

One process builds (`matcher_publish`, run by `tipline matcher build` and by a worker's periodic
job), holding a PostgreSQL advisory lock so no two build at once (a file lock on SQLite, which
is one machine). It writes the MD5, SHA-1 and PDQ indexes into a new version directory
`v000007/{md5,sha1,pdq}` and publishes it: into `TIPLINE_MATCHER_DIR` on the embedded default,
or under `<prefix>/matcher/` of the object store when media lives there. The version's files go
first and the one-line `CURRENT` last, so a reader sees the old version or the new one, whole.

Web and worker processes (`tipline.media.index`) look at `CURRENT` now and then, fetch a newer
version into a local cache (the filesystem's needs no copy), memory-map it, bring it up to date
with the database, and swap it in between queries. Old versions are pruned, keeping a few, so a
process still mapping one keeps working.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import numpy as np
from django.conf import settings
from django.db import connection

from tipline.media.matcher import DigestIndex, PDQIndex
from tipline.media.models import HashListEntry, HashListVersion
from tipline.media.storage import BlobMissing, StorageError, active_store_url

CURRENT = "CURRENT"
KINDS = {"md5": 16, "sha1": 20}
KEEP_VERSIONS = 3
_LOCK_KEY = zlib.crc32(b"tipline.matcher.build")  # this build's PostgreSQL advisory lock


class IndexHome(Protocol):
    """Where published versions live."""

    def current(self) -> str | None: ...

    def publish(self, built: Path, name: str) -> None: ...

    def local(self, name: str) -> Path: ...

    def versions(self) -> list[str]: ...

    def remove(self, name: str) -> None: ...

    def tidy(self, keep: set[str]) -> None: ...


def _version_name(number: int) -> str:
    return f"v{number:06d}"


def _is_version(name: str) -> bool:
    return len(name) == 7 and name.startswith("v") and name[1:].isdigit()


class DirectoryHome:
    """Versions as directories of `root` (the embedded default: one machine, one disk)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return name if _is_version(name) else None

    def publish(self, built: Path, name: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        staged = self.root / f".{name}-{os.getpid()}"
        shutil.copytree(built, staged)
        staged.rename(self.root / name)
        pointer = self.root / f".{CURRENT}.{os.getpid()}"
        pointer.write_text(name + "\n", encoding="ascii")
        os.replace(pointer, self.root / CURRENT)

    def local(self, name: str) -> Path:
        return self.root / name

    def versions(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if _is_version(p.name))

    def remove(self, name: str) -> None:
        shutil.rmtree(self.root / name, ignore_errors=True)

    def tidy(self, keep: set[str]) -> None:
        """Nothing to do: the publisher prunes the directory itself."""


class ObjectStoreHome:
    """Versions as objects under `<prefix>/matcher/`, fetched into a local cache to be mapped."""

    def __init__(self, store_url: str, cache: Path) -> None:
        from tipline.media.s3 import s3_store  # noqa: PLC0415  # boto3 loads only when used

        parsed = urlsplit(store_url)
        self.store = s3_store(bucket=parsed.netloc, prefix=parsed.path.strip("/"))
        self.base = f"{self.store.prefix}matcher/"
        self.cache = cache

    def _get(self, name: str) -> bytes:
        from tipline.media.s3 import translate  # noqa: PLC0415

        try:
            answer = self.store.client.get_object(Bucket=self.store.bucket, Key=self.base + name)
            return bytes(answer["Body"].read())
        except Exception as exc:  # noqa: BLE001  # botocore's errors, made ours
            raise translate(exc, name) from exc

    def current(self) -> str | None:
        try:
            name = self._get(CURRENT).decode("ascii").strip()
        except BlobMissing:
            return None
        return name if _is_version(name) else None

    def publish(self, built: Path, name: str) -> None:
        client, bucket = self.store.client, self.store.bucket
        for path in sorted(p for p in built.rglob("*") if p.is_file()):
            key = f"{self.base}{name}/{path.relative_to(built).as_posix()}"
            client.upload_file(str(path), bucket, key)  # multipart above 8 MiB, from the file
        client.put_object(Bucket=bucket, Key=self.base + CURRENT, Body=name.encode() + b"\n")

    def local(self, name: str) -> Path:
        target = self.cache / name
        if target.is_dir():
            return target
        self.cache.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=self.cache))
        prefix = f"{self.base}{name}/"
        pages = self.store.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.store.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                path = staged / item["Key"][len(prefix) :]
                path.parent.mkdir(parents=True, exist_ok=True)
                self.store.client.download_file(self.store.bucket, item["Key"], str(path))
        try:
            staged.rename(target)
        except OSError:  # another thread of this process fetched it first
            shutil.rmtree(staged, ignore_errors=True)
        return target

    def versions(self) -> list[str]:
        # From the objects themselves: some servers list an emptied "folder" as a prefix still.
        pages = self.store.client.get_paginator("list_objects_v2")
        found = set()
        for page in pages.paginate(Bucket=self.store.bucket, Prefix=self.base):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.base) :].split("/", 1)[0]
                if _is_version(name):
                    found.add(name)
        return sorted(found)

    def remove(self, name: str) -> None:
        pages = self.store.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.store.bucket, Prefix=f"{self.base}{name}/"):
            for item in page.get("Contents", []):
                self.store.client.delete_object(Bucket=self.store.bucket, Key=item["Key"])
        shutil.rmtree(self.cache / name, ignore_errors=True)

    def tidy(self, keep: set[str]) -> None:
        """Drop local copies of versions no longer in use (a mapping of one stays valid)."""
        if not self.cache.is_dir():
            return
        for path in self.cache.iterdir():
            if _is_version(path.name) and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)


def index_home() -> IndexHome:
    """Where this deployment publishes the matcher index."""
    url = active_store_url()  # follows a recorded switch: the index moves with the media
    if url.startswith("s3://"):
        digest = hashlib.sha256(url.encode()).hexdigest()[:12]
        cache = Path(settings.VAR_DIR) / "matcher-cache" / digest
        return ObjectStoreHome(url, cache)
    return DirectoryHome(Path(settings.MATCHER_DIR))


@contextlib.contextmanager
def build_lock() -> Iterator[bool]:
    """Whether this process may build now: nobody else holds the lock (never waits)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
        return
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    with (Path(settings.VAR_DIR) / ".matcher-build.lock").open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _column(field: str) -> tuple[list[str], list[int]]:
    rows = HashListEntry.objects.exclude(**{field: ""}).values_list(field, "pk")
    values, ids = [], []
    for value, pk in rows.iterator(chunk_size=50_000):
        values.append(value)
        ids.append(pk)
    return values, ids


def build_into(root: Path) -> dict[str, int]:
    """Write the three indexes from the hash-list tables into `root`; return their meta."""
    top = HashListEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    meta = {"max_entry_id": top, "hashlist_version": HashListVersion.current()}
    for field, width in KINDS.items():
        values, ids = _column(field)
        raw = bytes.fromhex("".join(values))
        matrix = np.frombuffer(raw, dtype=np.uint8).reshape(-1, width)
        index = DigestIndex.build(matrix, np.array(ids, dtype=np.int64), width=width)
        index.save(root / field, meta=meta)
    values, ids = _column("pdq")
    PDQIndex.build(values, np.array(ids, dtype=np.int64)).save(root / "pdq", meta=meta)
    return meta


def matcher_publish(*, home: IndexHome | None = None) -> str | None:
    """Build the index and publish it as the next version; None when another process is
    building (the lock is taken). Prunes all but the newest few versions."""
    home = home or index_home()
    with build_lock() as held:
        if not held:
            return None
        existing = home.versions()
        number = max((int(n[1:]) for n in existing), default=0) + 1
        name = _version_name(number)
        with tempfile.TemporaryDirectory(dir=_scratch()) as scratch:
            build_into(Path(scratch))
            home.publish(Path(scratch), name)
        for old in [*existing, name][:-KEEP_VERSIONS]:
            with contextlib.suppress(StorageError, OSError):
                home.remove(old)
    return name


def _scratch() -> Path:
    path = Path(settings.VAR_DIR) / "matcher-build"
    path.mkdir(parents=True, exist_ok=True)
    return path
