"""Encrypted blobs in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, SeaweedFS).

The store sees exactly what the filesystem would: the chunked AES-GCM ciphertext of `storage`,
never a plain byte. Writes stream through a multipart upload in parts of `PART_BYTES`, so memory
stays bounded whatever the file's size; a small blob (most are) goes up in one PUT. An object
exists only once its upload completes, so a writer that fails or is aborted leaves nothing a
reader could see, and an abandoned multipart upload is aborted.

boto3, not obstore: its multipart calls are explicit (create, upload part, complete, abort), which
is what "nothing half-written" needs; it is the client every S3-compatible server tests against;
and its retries and time-outs are configured in one place. Throughput is the network's, not the
client's: a part is 8 MiB, so a request's signing cost is nothing beside it.

Layout in the bucket: `<prefix>/media/<key>` for blobs, `<prefix>/matcher/...` for the published
hash-matcher index (`tipline.media.published`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from tipline.media.storage import (
    BlobMissing,
    BlobWriter,
    StorageError,
    StorageUnavailable,
    WriterBase,
    check_key,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# S3's smallest part is 5 MiB (all but the last); 8 MiB is the AWS CLI's default.
PART_BYTES = 8 * 1024 * 1024
READ_BUFFER = 256 * 1024
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def translate(exc: Exception, key: str) -> StorageError:
    """A client error as ours: a missing object, or a store that cannot serve us now."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING_CODES:
            return BlobMissing(f"No blob {key}.")
        return StorageUnavailable(f"The object store refused {key}: {code or exc}.")
    return StorageUnavailable(f"The object store cannot be reached: {type(exc).__name__}.")


_ERRORS = (ClientError, BotoCoreError, OSError)


class _Body(io.RawIOBase):
    """A GET's streaming body as a raw stream, its network errors as ours."""

    def __init__(self, body: Any, key: str) -> None:
        self._body, self._key = body, key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except Exception as exc:  # urllib3's and botocore's read errors have no common base
            raise StorageUnavailable(f"Reading blob {self._key} failed: {exc}") from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


class _MultipartWriter(WriterBase):
    """Buffers at most one part; the object appears only when `close` completes the upload."""

    def __init__(self, store: S3Store, name: str, key: str) -> None:
        self._store, self._name, self._key = store, name, key
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        while len(self._buffer) >= PART_BYTES:
            self._send_part(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]
        return len(data)

    def _send_part(self, data: bytes) -> None:
        client, bucket = self._store.client, self._store.bucket
        try:
            if self._upload_id is None:
                started = client.create_multipart_upload(Bucket=bucket, Key=self._name)
                self._upload_id = started["UploadId"]
            number = len(self._parts) + 1
            sent = client.upload_part(
                Bucket=bucket,
                Key=self._name,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=data,
            )
        except _ERRORS as exc:
            self.abort()
            raise translate(exc, self._key) from exc
        self._parts.append({"ETag": sent["ETag"], "PartNumber": number})

    def close(self) -> None:
        client, bucket = self._store.client, self._store.bucket
        if self._upload_id is None:
            try:
                client.put_object(Bucket=bucket, Key=self._name, Body=bytes(self._buffer))
            except _ERRORS as exc:
                raise translate(exc, self._key) from exc
            finally:
                self._buffer.clear()
            return
        if self._buffer:
            self._send_part(bytes(self._buffer))
            self._buffer.clear()
        try:
            client.complete_multipart_upload(
                Bucket=bucket,
                Key=self._name,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]  # built from upload_part's answers
            )
        except _ERRORS as exc:
            self.abort()
            raise translate(exc, self._key) from exc

    def abort(self) -> None:
        self._buffer.clear()
        upload_id, self._upload_id = self._upload_id, None
        if upload_id is None:
            return
        try:
            self._store.client.abort_multipart_upload(
                Bucket=self._store.bucket, Key=self._name, UploadId=upload_id
            )
        except _ERRORS:  # the store is down: it expires the parts (a bucket lifecycle rule)
            return


class S3Store:
    """Blobs as objects under `<prefix>/media/` in one bucket."""

    def __init__(self, *, client: S3Client, bucket: str, prefix: str) -> None:
        self.client, self.bucket = client, bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    def describe(self) -> str:
        """Where the blobs are, as a store URL."""
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def ping(self) -> None:
        """Raise StorageUnavailable unless the bucket answers (one HEAD request)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except _ERRORS as exc:
            raise translate(exc, "(bucket)") from exc

    def object_name(self, key: str) -> str:
        """The object name of a blob."""
        return f"{self.prefix}media/{check_key(key)}"

    def open_write(self, key: str) -> BlobWriter:
        return _MultipartWriter(self, self.object_name(key), key)

    def open_read(self, key: str) -> BinaryIO:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.object_name(key))
        except _ERRORS as exc:
            raise translate(exc, key) from exc
        raw = _Body(answer["Body"], key)
        return io.BufferedReader(raw, buffer_size=READ_BUFFER)

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.object_name(key))
        except _ERRORS as exc:
            raise translate(exc, key) from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_name(key))
        except _ERRORS as exc:
            error = translate(exc, key)
            if isinstance(error, BlobMissing):
                return False
            raise error from exc
        return True

    def keys_older_than(self, cutoff: float) -> Iterator[str]:
        """Keys of blobs last written before `cutoff` (a POSIX time)."""
        limit = None if math.isinf(cutoff) else datetime.fromtimestamp(cutoff, UTC)
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}media/"
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    if limit is None or item["LastModified"] < limit:
                        yield item["Key"].rsplit("/", 1)[-1]
        except _ERRORS as exc:
            raise translate(exc, "(listing)") from exc

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (tests, first start of a private store)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)


@lru_cache(maxsize=8)
def _client(endpoint: str, access_key: str, secret_key: str, region: str) -> S3Client:
    config = Config(
        s3={"addressing_style": "path"},  # MinIO, Ceph and SeaweedFS serve one host, no DNS
        # Checksums only where S3 requires them: many S3-compatible servers refuse the others.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"mode": "standard", "max_attempts": settings.S3_MAX_ATTEMPTS},
        connect_timeout=settings.S3_CONNECT_TIMEOUT,
        read_timeout=settings.S3_READ_TIMEOUT,
    )
    client: S3Client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint or None,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        region_name=region,
        config=config,
    )
    return client


def s3_store(*, bucket: str, prefix: str) -> S3Store:
    """A store on the configured endpoint and credentials (one client per process, reused)."""
    client = _client(
        settings.S3_ENDPOINT, settings.S3_ACCESS_KEY, settings.S3_SECRET_KEY, settings.S3_REGION
    )
    return S3Store(client=client, bucket=bucket, prefix=prefix)
